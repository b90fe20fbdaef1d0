// The Network Load Balancer engine's configuration: nodes (one per enabled
// Availability Zone, each at its private IP), listeners (TCP, UDP, TCP_UDP)
// and target groups with the attributes that change forwarding (client IP
// preservation, proxy protocol v2, cross-zone, deregistration delay, health
// checks). The emulator fills it from the model (emulator/nlb_config.h);
// every AWS default was decided there by semantics/network_load_balancer.h.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vocab/alb.h"
#include "vocab/ip.h"

namespace vpclab::dataplane::nlb {

struct TargetConfig {
  std::string id;                 // "i-0abc..." or an IP: what DescribeTargetHealth shows
  Ipv4Address address;            // where to connect
  uint16_t port = 0;              // 0: the target group's port
  std::string availability_zone;  // "" or "all": every node's zone
};

struct TargetGroupConfig {
  std::string arn;
  std::string name;
  std::string protocol = "TCP";  // TCP | UDP | TCP_UDP
  uint16_t port = 80;
  vpclab::alb::HealthCheck health_check;  // protocol TCP or HTTP (HTTPS is refused by the compiler)
  bool preserve_client_ip = false;        // semantics::nlb_preserves_client_ip decided it
  bool proxy_protocol_v2 = false;
  bool cross_zone = false;                // semantics::nlb_cross_zone decided it
  int64_t deregistration_delay_ms = 300000;
  // Tests shorten the checks below AWS's minimum (5 s); negative: the health check's.
  int64_t health_check_interval_ms = -1;
  int64_t health_check_timeout_ms = -1;
  std::vector<TargetConfig> targets;

  int64_t interval_ms() const {
    return health_check_interval_ms >= 0 ? health_check_interval_ms : health_check.interval_seconds * 1000LL;
  }
  int64_t timeout_ms() const {
    return health_check_timeout_ms >= 0 ? health_check_timeout_ms : health_check.timeout_seconds * 1000LL;
  }
};

struct ListenerConfig {
  std::string arn;
  std::string protocol = "TCP";  // TCP | UDP | TCP_UDP
  uint16_t port = 80;            // 0: ephemeral (tests); see Engine::listener_port
  size_t target_group = 0;       // index into EngineConfig::target_groups (its forward action)
};

struct NodeConfig {
  std::string name;
  Ipv4Address address;  // 127.0.0.1 on its own
  std::string availability_zone;
  // Non-zero: the DSCP (1-63) this node's preserved flows carry to their
  // targets, so the lab routes the targets' replies back to this node
  // (docs/emulator.md "Network Load Balancers").
  uint8_t dscp = 0;
};

struct EngineConfig {
  std::string name = "my-network-lb";
  std::string id = "50dc6c495c0c9188";  // net/NAME/ID
  std::vector<NodeConfig> nodes;        // empty: one node on 127.0.0.1
  std::vector<ListenerConfig> listeners;
  std::vector<TargetGroupConfig> target_groups;
  int64_t tcp_idle_timeout_ms = 350000;  // AWS: 350 s
  int64_t udp_idle_timeout_ms = 120000;  // UNCONFIRMED: AWS states 120 s for UDP flows nowhere we cite
  int64_t connect_timeout_ms = 10000;
  // A socket of `type` (SOCK_STREAM, SOCK_DGRAM) for node i, opened where
  // that node lives (its ENI namespace in a lab); unset: socket() here.
  // Non-blocking and close-on-exec are set by the engine.
  std::function<int(size_t node, int type)> socket_for_node;

  std::string elb_name() const { return "net/" + name + "/" + id; }
};

}  // namespace vpclab::dataplane::nlb
