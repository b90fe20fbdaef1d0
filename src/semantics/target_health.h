// Target health as DescribeTargetHealth reports it, and the health-check
// matcher (aws-alb.md section 3), as pure functions: the ALB engine drives
// them from real checks, the analyzer can reason with them statically.
#pragma once
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "vocab/alb.h"

namespace vpclab::semantics {

// Success codes of a health check: "200", "200,202", "200-299" or a mix.
struct HttpCodeMatcher {
  std::vector<std::pair<int, int>> ranges;  // inclusive
  bool matches(int status) const;
};

// nullopt when the text is malformed or a code is outside ALB's HTTP range
// 200-499 (AWS rejects such matchers).
std::optional<HttpCodeMatcher> parse_matcher(std::string_view text);

enum class TargetHealthState { kInitial, kHealthy, kUnhealthy, kUnused, kDraining, kUnavailable };
const char* target_health_state_name(TargetHealthState s);  // "initial", "healthy", ...

enum class TargetHealthReason {
  kNone,
  kRegistrationInProgress,   // Elb.RegistrationInProgress
  kInitialHealthChecking,    // Elb.InitialHealthChecking
  kResponseCodeMismatch,     // Target.ResponseCodeMismatch
  kTimeout,                  // Target.Timeout
  kFailedHealthChecks,       // Target.FailedHealthChecks
  kInternalError,            // Elb.InternalError
  kNotRegistered,            // Target.NotRegistered
  kNotInUse,                 // Target.NotInUse
  kInvalidState,             // Target.InvalidState
  kIpUnusable,               // Target.IpUnusable
  kDeregistrationInProgress, // Target.DeregistrationInProgress
  kHealthCheckDisabled,      // Target.HealthCheckDisabled
};
const char* target_health_reason_code(TargetHealthReason r);         // "" for kNone
const char* target_health_reason_description(TargetHealthReason r);  // AWS's wording

// What one health check observed.
enum class HealthCheckOutcome {
  kSuccess,               // status within the matcher
  kResponseCodeMismatch,  // a response, but another status
  kTimeout,               // no response within HealthCheckTimeoutSeconds
  kFailed,                // refused, reset, malformed response
};

struct TargetHealth {
  TargetHealthState state = TargetHealthState::kInitial;
  TargetHealthReason reason = TargetHealthReason::kInitialHealthChecking;
  int consecutive_successes = 0;
  int consecutive_failures = 0;
};

// The state after one more check. A new (initial) target becomes healthy
// after its first passing check, and unhealthy after UnhealthyThresholdCount
// consecutive failures; healthy -> unhealthy after UnhealthyThresholdCount
// consecutive failures; unhealthy -> healthy after HealthyThresholdCount
// consecutive successes. Draining/unused/unavailable targets are not changed.
TargetHealth next_target_health(const TargetHealth& current, HealthCheckOutcome outcome,
                                const alb::HealthCheck& hc);

// FAIL OPEN: when a group has registered targets but none is healthy and at
// least one is unhealthy, ALB routes to all of them (initial and unhealthy).
// Given the states of a group's registered targets (draining ones
// excluded), true when requests go to every target regardless of health.
// A group whose targets are all still initial is not failed open: 503.
bool fail_open(const std::vector<TargetHealthState>& states);

}  // namespace vpclab::semantics
