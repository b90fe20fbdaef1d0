// The ALB engine's own configuration: plain values (vocab/alb.h) plus where
// to listen and where the targets are. Built by `vpclab alb --config FILE`
// (JSON, docs/alb-engine.md) or by the CLI/emulator from the model.
//
// Durations are kept in milliseconds so tests can use short health-check
// intervals and timeouts; AWS's defaults (in seconds) are the defaults.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vocab/alb.h"
#include "vocab/diagnostic.h"
#include "vocab/ip.h"

namespace vpclab::dataplane::alb {

struct TargetConfig {
  std::string id;                 // "i-0abc..." or an IP: what DescribeTargetHealth shows
  Ipv4Address address;            // where to connect
  uint16_t port = 0;              // 0: the target group's port
  std::string availability_zone;  // for cross-zone off; empty = same zone as every node
};

struct TargetGroupConfig {
  std::string arn;  // what forward actions name (a name is accepted too)
  std::string name;
  std::string protocol = "HTTP";
  uint16_t port = 80;
  vpclab::alb::HealthCheck health_check;
  vpclab::alb::TargetGroupAttributes attributes;
  std::vector<TargetConfig> targets;
  // Milliseconds; negative = take the seconds from health_check/attributes.
  int64_t health_check_interval_ms = -1;
  int64_t health_check_timeout_ms = -1;
  int64_t deregistration_delay_ms = -1;
  int64_t slow_start_ms = -1;

  int64_t interval_ms() const;
  int64_t timeout_ms() const;
  int64_t dereg_delay_ms() const;
  int64_t slow_start_duration_ms() const;
};

struct ListenerConfig {
  std::string arn;
  uint16_t port = 80;  // 0: an ephemeral port (tests); see Engine::listener_port
  std::string protocol = "HTTP";
  std::vector<vpclab::alb::ListenerRule> rules;  // any order; the engine sorts by priority
  vpclab::alb::ListenerRule default_rule;        // priority 0, no conditions
};

// One ALB node: an address the listeners bind to and health checks leave from.
struct NodeConfig {
  std::string name;
  Ipv4Address address;  // 127.0.0.1 on its own
  std::string availability_zone;
};

struct EngineConfig {
  std::string name = "my-load-balancer";
  std::string id = "50dc6c495c0c9188";  // 16 hex: app/NAME/ID
  std::string region = "ap-northeast-1";
  std::string account = "123456789012";
  vpclab::alb::LoadBalancerAttributes attributes;
  int64_t idle_timeout_ms = -1;       // negative: attributes.idle_timeout_seconds
  int64_t connect_timeout_ms = 10000; // AWS: 504 after 10 s without a connection
  int64_t shutdown_grace_ms = 30000;  // graceful shutdown waits this long for in-flight requests
  std::vector<NodeConfig> nodes;      // empty: one node on 127.0.0.1
  std::vector<ListenerConfig> listeners;
  std::vector<TargetGroupConfig> target_groups;
  std::string access_log;             // "" none, "-" stdout, else a file (appended)
  std::optional<Ipv4Address> admin_address;
  uint16_t admin_port = 0;            // with admin_address; 0 = ephemeral
  // Event loops (threads), each accepting on its own SO_REUSEPORT listener
  // sockets; health checks and the admin endpoint run on the first.
  int workers = 1;
  // Opens a non-blocking TCP socket for node `node` (listeners, target
  // connections, health checks). The emulator sets it to create the socket
  // inside the node's network namespace; unset: socket() in the caller's.
  // With workers > 1 it is called from every worker's thread.
  std::function<int(size_t node)> socket_for_node;

  std::string elb_name() const { return "app/" + name + "/" + id; }  // access log `elb`
  std::string lb_arn() const;
  int64_t idle_ms() const;
};

// Reads the engine's JSON configuration (docs/alb-engine.md). Errors go to
// `diags` with the file name; nullopt when any error was found.
std::optional<EngineConfig> parse_engine_config(std::string_view json_text, std::string_view file,
                                                Diagnostics& diags);

// A target group ARN for `name` in this load balancer's account and region.
std::string make_target_group_arn(const EngineConfig& c, std::string_view name);

}  // namespace vpclab::dataplane::alb
