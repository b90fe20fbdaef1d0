// weighted_random: each eligible target with probability weight / total.
// (AWS's optional anomaly mitigation, which steers away from targets
// answering worse than their peers, is not emulated: the attribute is
// accepted and has no effect.)
#include "dataplane/alb/balancer.h"
#include "dataplane/alb/event_loop.h"

namespace vpclab::dataplane::alb {

namespace {

class WeightedRandom final : public Balancer {
 public:
  explicit WeightedRandom(uint64_t seed) : rng_(seed) {}
  int pick(std::span<const BalancerCandidate> c) override {
    int64_t total = 0;
    for (const auto& x : c)
      if (x.eligible) total += x.weight;
    if (total <= 0) return -1;
    int64_t at = static_cast<int64_t>(rng_.next() % static_cast<uint64_t>(total));
    for (size_t i = 0; i < c.size(); ++i) {
      if (!c[i].eligible) continue;
      if (at < c[i].weight) return static_cast<int>(i);
      at -= c[i].weight;
    }
    return -1;  // not reached: `at` < total
  }

 private:
  Rng rng_;
};

}  // namespace

std::unique_ptr<Balancer> make_weighted_random_balancer(uint64_t seed) {
  return std::make_unique<WeightedRandom>(seed);
}

}  // namespace vpclab::dataplane::alb
