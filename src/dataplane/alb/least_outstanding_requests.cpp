// least_outstanding_requests: the eligible target with the fewest requests
// in flight from this node; ties go round robin (the scan starts one
// further each time), so equal targets share the load.
#include "dataplane/alb/balancer.h"

namespace vpclab::dataplane::alb {

namespace {

class LeastOutstandingRequests final : public Balancer {
 public:
  int pick(std::span<const BalancerCandidate> c) override {
    const size_t n = c.size();
    if (n == 0) return -1;
    const uint64_t start = next_++;
    int best = -1;
    for (size_t i = 0; i < n; ++i) {
      size_t k = static_cast<size_t>((start + i) % n);
      if (!c[k].eligible) continue;
      if (best < 0 || c[k].outstanding < c[static_cast<size_t>(best)].outstanding) best = static_cast<int>(k);
    }
    return best;
  }

 private:
  uint64_t next_ = 0;
};

}  // namespace

std::unique_ptr<Balancer> make_least_outstanding_requests_balancer() {
  return std::make_unique<LeastOutstandingRequests>();
}

}  // namespace vpclab::dataplane::alb
