// Network Load Balancer rules (aws-tgw-nlb.md section 8; docs:
// edit-target-group-attributes, target-group-health-checks,
// load-balancer-listeners, application-load-balancer-target). Every reader
// (CloudFormation, snapshots) and the analyzer take NLB defaults and
// protocol pairings from here.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "semantics/target_health.h"
#include "vocab/alb.h"
#include "vocab/protocol.h"

namespace vpclab::semantics {

// Whether the target sees the client's address (else the NLB node's).
// Instance targets: on by default. ip targets: on (and fixed) for UDP and
// TCP_UDP, off by default for TCP and TLS. alb targets: on, not switchable
// (UNCONFIRMED: AWS documents no attribute for them; the ALB's security group
// sees the clients, as users report). `attribute`: preserve_client_ip.enabled
// when set.
bool nlb_preserves_client_ip(std::string_view target_type, std::string_view tg_protocol,
                             std::optional<bool> attribute);

// Cross-zone load balancing of an NLB target group: the group's
// load_balancing.cross_zone.enabled unless use_load_balancer_configuration,
// then the NLB's attribute, default off.
bool nlb_cross_zone(const alb::TargetGroupAttributes& tg, const alb::LoadBalancerAttributes& lb);

// AWS's health-check defaults for an NLB target group of `target_type` whose
// health-check protocol is `hc_protocol` (empty: not given, then TCP, or HTTP
// for alb targets): port traffic-port, interval 30 s, timeout 10 s (6 s for
// HTTP), healthy 5, unhealthy 2, path /, matcher 200-399.
alb::HealthCheck nlb_default_health_check(std::string_view target_type, std::string_view hc_protocol);

// The targets a node sends a new flow to (aws-tgw-nlb.md section 8,
// target-group-health-checks "fail open"): the healthy ones it may reach
// (its own zone unless cross-zone); when no target of the group is healthy
// in any zone and one has failed, every target it may reach, whatever its
// health. None when its zone has no healthy target but another has (AWS
// then takes the zone's node out of DNS; a client still connecting to it is
// reset). Draining, unused (stopped, deregistered) targets take no new flow.
struct NlbTargetView {
  TargetHealthState state = TargetHealthState::kInitial;
  bool in_node_zone = true;  // the target's zone is the node's (or "all")
};
std::vector<size_t> nlb_routable_targets(const std::vector<NlbTargetView>& targets, bool cross_zone);

// TCP, TLS, UDP, TCP_UDP: the protocols of NLB listeners and target groups.
bool nlb_protocol(std::string_view protocol);
// Whether a listener (or target group) of this protocol carries `ip` (TCP
// for TCP and TLS, UDP for UDP, both for TCP_UDP).
bool nlb_protocol_carries(std::string_view protocol, IpProtocol ip);
// The target group protocols AWS accepts behind a listener: an NLB listener
// TCP -> TCP or TCP_UDP; TLS -> TCP or TLS; UDP -> UDP or TCP_UDP;
// TCP_UDP -> TCP_UDP; an ALB listener (HTTP, HTTPS) -> HTTP or HTTPS.
// nullopt when they go together, else the message ("TCP listener forwards
// to a UDP target group; expected TCP or TCP_UDP").
std::optional<std::string> listener_target_group_mismatch(std::string_view listener_protocol,
                                                          std::string_view tg_protocol);

// A target group's problems as CreateTargetGroup rejects them for an NLB
// (tg_protocol is one of nlb_protocol): alb targets need TCP and an HTTP or
// HTTPS health check; the health-check protocol is TCP, HTTP or HTTPS (never
// UDP, also for UDP groups). Keys as check_health_check's.
struct NlbTargetGroupProblem {
  std::string key;
  std::string message;
};
std::vector<NlbTargetGroupProblem> check_nlb_target_group(std::string_view target_type, std::string_view tg_protocol,
                                                          const alb::HealthCheck& hc);

}  // namespace vpclab::semantics
