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

// The port health checks go to: the target's traffic port for
// HealthCheckPort "traffic-port" (also for a value not 1-65535, which
// CreateTargetGroup rejects), else that number.
uint16_t health_check_port(const alb::HealthCheck& hc, uint16_t traffic_port);

// FAIL OPEN: when a group has registered targets but none is healthy and at
// least one is unhealthy, ALB routes to all of them (initial and unhealthy).
// Given the states of a group's registered targets (draining ones
// excluded), true when requests go to every target regardless of health.
// A group whose targets are all still initial is not failed open: 503.
bool fail_open(const std::vector<TargetHealthState>& states);

// Every node of a load balancer checks a target on its own, yet
// DescribeTargetHealth shows one state per target. The lab's rule (AWS does
// not say how it combines its nodes): healthy only when every node finds it
// healthy; otherwise the state and reason of the node that finds it worst,
// unhealthy before initial before healthy, the first such node on a tie.
// Draining, unused and unavailable are set by the load balancer, the same
// on every node, and rank below the checked states. `per_node` must not be
// empty; the result is one of its elements.
const TargetHealth& worst_node_health(const std::vector<TargetHealth>& per_node);

// True when no node still finds the target initial: its first checks are
// done (passed, or failed enough to be unhealthy).
bool first_checks_done(const std::vector<TargetHealth>& per_node);

}  // namespace vpclab::semantics
