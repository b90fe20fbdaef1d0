// round_robin: smooth weighted round robin (nginx's), so weights below 1000
// during slow start get their share spread out rather than in bursts.
#include <vector>

#include "dataplane/alb/balancer.h"

namespace vpclab::dataplane::alb {

namespace {

class RoundRobin final : public Balancer {
 public:
  int pick(std::span<const BalancerCandidate> c) override {
    if (current_.size() < c.size()) current_.resize(c.size(), 0);
    int64_t total = 0;
    int best = -1;
    for (size_t i = 0; i < c.size(); ++i) {
      if (!c[i].eligible) continue;
      current_[i] += c[i].weight;
      total += c[i].weight;
      if (best < 0 || current_[i] > current_[static_cast<size_t>(best)]) best = static_cast<int>(i);
    }
    if (best >= 0) current_[static_cast<size_t>(best)] -= total;
    return best;
  }
  void reset(size_t index) override {
    if (index < current_.size()) current_[index] = 0;
  }

 private:
  std::vector<int64_t> current_;
};

}  // namespace

std::unique_ptr<Balancer> make_round_robin_balancer() { return std::make_unique<RoundRobin>(); }

std::unique_ptr<Balancer> make_balancer(vpclab::alb::LoadBalancingAlgorithm a, uint64_t seed) {
  switch (a) {
    case vpclab::alb::LoadBalancingAlgorithm::kLeastOutstandingRequests: return make_least_outstanding_requests_balancer();
    case vpclab::alb::LoadBalancingAlgorithm::kWeightedRandom: return make_weighted_random_balancer(seed);
    case vpclab::alb::LoadBalancingAlgorithm::kRoundRobin: break;
  }
  return make_round_robin_balancer();
}

}  // namespace vpclab::dataplane::alb
