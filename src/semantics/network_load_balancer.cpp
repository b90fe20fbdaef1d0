#include "semantics/network_load_balancer.h"

namespace vpclab::semantics {

bool nlb_preserves_client_ip(std::string_view target_type, std::string_view tg_protocol,
                             std::optional<bool> attribute) {
  if (target_type == "alb") return true;
  // UDP and TCP_UDP keep the client's address whatever the attribute says.
  if (tg_protocol == "UDP" || tg_protocol == "TCP_UDP") return true;
  if (attribute) return *attribute;
  return target_type == "instance";
}

bool nlb_cross_zone(const alb::TargetGroupAttributes& tg, const alb::LoadBalancerAttributes& lb) {
  switch (tg.cross_zone) {
    case alb::CrossZone::kTrue: return true;
    case alb::CrossZone::kFalse: return false;
    case alb::CrossZone::kUseLoadBalancerConfiguration: break;
  }
  return lb.cross_zone.value_or(false);
}

alb::HealthCheck nlb_default_health_check(std::string_view target_type, std::string_view hc_protocol) {
  alb::HealthCheck hc;
  hc.protocol = !hc_protocol.empty() ? std::string(hc_protocol) : target_type == "alb" ? "HTTP" : "TCP";
  hc.port = "traffic-port";
  hc.path = "/";
  hc.interval_seconds = 30;
  hc.timeout_seconds = hc.protocol == "HTTP" ? 6 : 10;
  hc.healthy_threshold = 5;
  hc.unhealthy_threshold = 2;
  hc.matcher = "200-399";
  return hc;
}

std::vector<size_t> nlb_routable_targets(const std::vector<NlbTargetView>& targets, bool cross_zone) {
  std::vector<TargetHealthState> checked;  // registered, not draining: what fail-open weighs
  for (const auto& t : targets)
    if (t.state != TargetHealthState::kDraining && t.state != TargetHealthState::kUnused &&
        t.state != TargetHealthState::kUnavailable)
      checked.push_back(t.state);
  const bool open = fail_open(checked);
  std::vector<size_t> out;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    if (!cross_zone && !t.in_node_zone) continue;
    if (t.state == TargetHealthState::kHealthy || (open && (t.state == TargetHealthState::kInitial ||
                                                           t.state == TargetHealthState::kUnhealthy)))
      out.push_back(i);
  }
  return out;
}

bool nlb_protocol(std::string_view p) { return p == "TCP" || p == "TLS" || p == "UDP" || p == "TCP_UDP"; }

bool nlb_protocol_carries(std::string_view p, IpProtocol ip) {
  if (ip == kTcp) return p == "TCP" || p == "TLS" || p == "TCP_UDP";
  if (ip == kUdp) return p == "UDP" || p == "TCP_UDP";
  return false;
}

std::optional<std::string> listener_target_group_mismatch(std::string_view l, std::string_view tg) {
  const char* expected = nullptr;
  bool ok = false;
  if (l == "HTTP" || l == "HTTPS") {
    ok = tg == "HTTP" || tg == "HTTPS";
    expected = "HTTP or HTTPS";
  } else if (l == "TCP") {
    ok = tg == "TCP" || tg == "TCP_UDP";
    expected = "TCP or TCP_UDP";
  } else if (l == "TLS") {
    ok = tg == "TCP" || tg == "TLS";
    expected = "TCP or TLS";
  } else if (l == "UDP") {
    ok = tg == "UDP" || tg == "TCP_UDP";
    expected = "UDP or TCP_UDP";
  } else if (l == "TCP_UDP") {
    ok = tg == "TCP_UDP";
    expected = "TCP_UDP";
  } else {
    return std::nullopt;  // the listener's own protocol is reported elsewhere
  }
  if (ok) return std::nullopt;
  return std::string(l) + " listener forwards to a " + std::string(tg) + " target group; expected " + expected;
}

std::vector<NlbTargetGroupProblem> check_nlb_target_group(std::string_view target_type, std::string_view tg_protocol,
                                                          const alb::HealthCheck& hc) {
  std::vector<NlbTargetGroupProblem> out;
  if (target_type == "alb") {
    if (tg_protocol != "TCP")
      out.push_back({"Protocol", "an alb target group must use TCP, not " + std::string(tg_protocol)});
    if (hc.protocol != "HTTP" && hc.protocol != "HTTPS")
      out.push_back({"HealthCheckProtocol", "an alb target group health-checks with HTTP or HTTPS, not " + hc.protocol});
  } else if (hc.protocol != "TCP" && hc.protocol != "HTTP" && hc.protocol != "HTTPS") {
    out.push_back({"HealthCheckProtocol", "'" + hc.protocol + "' is not TCP, HTTP or HTTPS"});
  }
  return out;
}

}  // namespace vpclab::semantics
