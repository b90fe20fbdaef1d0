#include "semantics/target_health.h"

#include <charconv>

#include "vocab/check.h"

namespace vpclab::semantics {

bool HttpCodeMatcher::matches(int status) const {
  for (auto [lo, hi] : ranges)
    if (status >= lo && status <= hi) return true;
  return false;
}

namespace {
std::optional<int> parse_code(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 3) return std::nullopt;
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (v < 200 || v > 499) return std::nullopt;
  return v;
}
}  // namespace

std::optional<HttpCodeMatcher> parse_matcher(std::string_view text) {
  HttpCodeMatcher m;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
    size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      auto c = parse_code(item);
      if (!c) return std::nullopt;
      m.ranges.emplace_back(*c, *c);
    } else {
      auto lo = parse_code(item.substr(0, dash));
      auto hi = parse_code(item.substr(dash + 1));
      if (!lo || !hi || *lo > *hi) return std::nullopt;
      m.ranges.emplace_back(*lo, *hi);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return m;
}

const char* target_health_state_name(TargetHealthState s) {
  switch (s) {
    case TargetHealthState::kInitial: return "initial";
    case TargetHealthState::kHealthy: return "healthy";
    case TargetHealthState::kUnhealthy: return "unhealthy";
    case TargetHealthState::kUnused: return "unused";
    case TargetHealthState::kDraining: return "draining";
    case TargetHealthState::kUnavailable: return "unavailable";
  }
  return "?";
}

const char* target_health_reason_code(TargetHealthReason r) {
  switch (r) {
    case TargetHealthReason::kNone: return "";
    case TargetHealthReason::kRegistrationInProgress: return "Elb.RegistrationInProgress";
    case TargetHealthReason::kInitialHealthChecking: return "Elb.InitialHealthChecking";
    case TargetHealthReason::kResponseCodeMismatch: return "Target.ResponseCodeMismatch";
    case TargetHealthReason::kTimeout: return "Target.Timeout";
    case TargetHealthReason::kFailedHealthChecks: return "Target.FailedHealthChecks";
    case TargetHealthReason::kInternalError: return "Elb.InternalError";
    case TargetHealthReason::kNotRegistered: return "Target.NotRegistered";
    case TargetHealthReason::kNotInUse: return "Target.NotInUse";
    case TargetHealthReason::kInvalidState: return "Target.InvalidState";
    case TargetHealthReason::kIpUnusable: return "Target.IpUnusable";
    case TargetHealthReason::kDeregistrationInProgress: return "Target.DeregistrationInProgress";
    case TargetHealthReason::kHealthCheckDisabled: return "Target.HealthCheckDisabled";
  }
  return "";
}

const char* target_health_reason_description(TargetHealthReason r) {
  switch (r) {
    case TargetHealthReason::kNone: return "";
    case TargetHealthReason::kRegistrationInProgress: return "Target registration is in progress";
    case TargetHealthReason::kInitialHealthChecking: return "Initial health checks in progress";
    case TargetHealthReason::kResponseCodeMismatch: return "Health checks failed with these codes";
    case TargetHealthReason::kTimeout: return "Request timed out";
    case TargetHealthReason::kFailedHealthChecks: return "Health checks failed";
    case TargetHealthReason::kInternalError: return "Health checks failed";
    case TargetHealthReason::kNotRegistered: return "Target is not registered to the target group";
    case TargetHealthReason::kNotInUse:
      return "Target group is not configured to receive traffic from the load balancer";
    case TargetHealthReason::kInvalidState: return "Target is in the stopped or terminated state";
    case TargetHealthReason::kIpUnusable: return "The IP address cannot be used as a target";
    case TargetHealthReason::kDeregistrationInProgress: return "Target deregistration is in progress";
    case TargetHealthReason::kHealthCheckDisabled: return "Health checks are disabled";
  }
  return "";
}

namespace {
TargetHealthReason failure_reason(HealthCheckOutcome o) {
  switch (o) {
    case HealthCheckOutcome::kResponseCodeMismatch: return TargetHealthReason::kResponseCodeMismatch;
    case HealthCheckOutcome::kTimeout: return TargetHealthReason::kTimeout;
    default: return TargetHealthReason::kFailedHealthChecks;
  }
}
}  // namespace

TargetHealth next_target_health(const TargetHealth& cur, HealthCheckOutcome outcome,
                                const alb::HealthCheck& hc) {
  TargetHealth next = cur;
  switch (cur.state) {
    case TargetHealthState::kDraining:
    case TargetHealthState::kUnused:
    case TargetHealthState::kUnavailable:
      return next;
    default:
      break;
  }
  if (outcome == HealthCheckOutcome::kSuccess) {
    next.consecutive_successes = cur.consecutive_successes + 1;
    next.consecutive_failures = 0;
    bool becomes_healthy = cur.state == TargetHealthState::kInitial ||
                           cur.state == TargetHealthState::kHealthy ||
                           next.consecutive_successes >= hc.healthy_threshold;
    if (becomes_healthy) {
      next.state = TargetHealthState::kHealthy;
      next.reason = TargetHealthReason::kNone;
    }
    return next;
  }
  next.consecutive_failures = cur.consecutive_failures + 1;
  next.consecutive_successes = 0;
  if (cur.state == TargetHealthState::kUnhealthy) {
    next.reason = failure_reason(outcome);  // the latest cause, as AWS shows it
  } else if (next.consecutive_failures >= hc.unhealthy_threshold) {
    next.state = TargetHealthState::kUnhealthy;
    next.reason = failure_reason(outcome);
  }
  return next;
}

uint16_t health_check_port(const alb::HealthCheck& hc, uint16_t traffic_port) {
  if (hc.port == "traffic-port") return traffic_port;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(hc.port.data(), hc.port.data() + hc.port.size(), v);
  if (ec != std::errc() || end != hc.port.data() + hc.port.size() || v == 0 || v > 65535) return traffic_port;
  return static_cast<uint16_t>(v);
}

bool fail_open(const std::vector<TargetHealthState>& states) {
  bool any_unhealthy = false;
  for (auto s : states) {
    if (s == TargetHealthState::kHealthy) return false;
    if (s == TargetHealthState::kUnhealthy) any_unhealthy = true;
  }
  return any_unhealthy;
}

namespace {
int badness(TargetHealthState s) {
  switch (s) {
    case TargetHealthState::kUnhealthy: return 3;
    case TargetHealthState::kInitial: return 2;
    case TargetHealthState::kHealthy: return 1;
    default: return 0;
  }
}
}  // namespace

const TargetHealth& worst_node_health(const std::vector<TargetHealth>& per_node) {
  VPCLAB_ASSERT(!per_node.empty());
  const TargetHealth* worst = &per_node.front();
  for (const TargetHealth& h : per_node)
    if (badness(h.state) > badness(worst->state)) worst = &h;
  return *worst;
}

bool first_checks_done(const std::vector<TargetHealth>& per_node) {
  for (const TargetHealth& h : per_node)
    if (h.state == TargetHealthState::kInitial) return false;
  return true;
}

}  // namespace vpclab::semantics
