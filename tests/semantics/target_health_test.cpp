// Target health across an ALB's nodes: the one state DescribeTargetHealth shows.
#include <gtest/gtest.h>

#include "semantics/target_health.h"

namespace vpclab::semantics {
namespace {

TargetHealth h(TargetHealthState s, TargetHealthReason r) {
  TargetHealth x;
  x.state = s;
  x.reason = r;
  return x;
}

using S = TargetHealthState;
using R = TargetHealthReason;

TEST(TargetHealth, WorstNodeWins) {
  struct Row {
    std::vector<TargetHealth> nodes;
    S state;
    R reason;
  } rows[] = {
      {{h(S::kHealthy, R::kNone), h(S::kHealthy, R::kNone)}, S::kHealthy, R::kNone},
      {{h(S::kHealthy, R::kNone), h(S::kInitial, R::kInitialHealthChecking)}, S::kInitial, R::kInitialHealthChecking},
      {{h(S::kInitial, R::kInitialHealthChecking), h(S::kUnhealthy, R::kTimeout)}, S::kUnhealthy, R::kTimeout},
      // a tie: the first node's reason
      {{h(S::kUnhealthy, R::kResponseCodeMismatch), h(S::kUnhealthy, R::kTimeout)}, S::kUnhealthy,
       R::kResponseCodeMismatch},
      {{h(S::kHealthy, R::kNone), h(S::kUnhealthy, R::kFailedHealthChecks), h(S::kInitial, R::kInitialHealthChecking)},
       S::kUnhealthy, R::kFailedHealthChecks},
      {{h(S::kDraining, R::kDeregistrationInProgress), h(S::kDraining, R::kDeregistrationInProgress)}, S::kDraining,
       R::kDeregistrationInProgress},
      {{h(S::kUnused, R::kInvalidState)}, S::kUnused, R::kInvalidState},
      {{h(S::kUnavailable, R::kHealthCheckDisabled), h(S::kUnavailable, R::kHealthCheckDisabled)}, S::kUnavailable,
       R::kHealthCheckDisabled},
  };
  for (const auto& r : rows) {
    const TargetHealth& w = worst_node_health(r.nodes);
    EXPECT_EQ(w.state, r.state) << target_health_state_name(w.state);
    EXPECT_EQ(w.reason, r.reason) << target_health_reason_code(w.reason);
  }
}

TEST(TargetHealth, FirstChecksDoneWhenNoNodeIsInitial) {
  EXPECT_TRUE(first_checks_done({h(S::kHealthy, R::kNone), h(S::kUnhealthy, R::kTimeout)}));
  EXPECT_FALSE(first_checks_done({h(S::kHealthy, R::kNone), h(S::kInitial, R::kInitialHealthChecking)}));
  EXPECT_TRUE(first_checks_done({}));
}

}  // namespace
}  // namespace vpclab::semantics
