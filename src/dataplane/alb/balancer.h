// How a target group picks a target for a request, as h2o's balancer.h and
// HAProxy's lb_*.c: one interface, one file per algorithm
// (load_balancing.algorithm.type). A Balancer sees only a list of
// candidates (no sockets, no health checks), so each algorithm is tested on
// its own (tests/dataplane/alb/balancer_test.cpp). The engine keeps one
// Balancer per target group and node: each node balances on its own, as
// ALB nodes do.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "vocab/alb.h"

namespace vpclab::dataplane::alb {

// One registered target of the group, as the balancing node sees it. The
// list is in registration order and only grows, so an index names the same
// target from one request to the next.
struct BalancerCandidate {
  bool eligible = false;  // may take this request (registered, routable health, zone)
  int64_t weight = 1000;  // 1000; less while in slow start (ramps from 10)
  int outstanding = 0;    // requests in flight to it from this node
};

class Balancer {
 public:
  virtual ~Balancer() = default;
  // The index of the chosen candidate; -1 when none is eligible.
  virtual int pick(std::span<const BalancerCandidate> candidates) = 0;
  // Candidate `index` became healthy again: forget what it accumulated.
  virtual void reset(size_t index) { (void)index; }
};

std::unique_ptr<Balancer> make_round_robin_balancer();                  // round_robin.cpp
std::unique_ptr<Balancer> make_least_outstanding_requests_balancer();   // least_outstanding_requests.cpp
std::unique_ptr<Balancer> make_weighted_random_balancer(uint64_t seed); // weighted_random.cpp
std::unique_ptr<Balancer> make_balancer(vpclab::alb::LoadBalancingAlgorithm algorithm, uint64_t seed);

}  // namespace vpclab::dataplane::alb
