// A model load balancer as the ALB engine's configuration: the one
// conversion `vpclab alb PATH --lb X` (targets mapped to local addresses)
// and `vpclab up` (targets at their private IPs, one node per subnet) share.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/alb/config.h"
#include "model/network.h"

namespace vpclab::emulator {

// The load balancer named `key`: logical id, name or ARN; null if none.
const model::LoadBalancer* find_load_balancer(const model::Network& net, const std::string& key);
// " A B" (logical ids, else names) for "no load balancer X (known: A B)".
std::string known_load_balancers(const model::Network& net);

// Where a target really listens; nullopt with `error` set when it cannot be placed.
using TargetAddressFn = std::function<std::optional<std::pair<Ipv4Address, uint16_t>>(
    const model::TargetGroup& tg, const model::Target& target, std::string& error)>;

struct AlbConfigOptions {
  // Empty: one node per model node (named by its ENI id, at its private IP, in its AZ).
  std::vector<dataplane::alb::NodeConfig> nodes;
  int port_offset = 0;  // added to every listener port
  // Unset: instance targets at the instance's private IP, ip targets at the
  // IP; the port is the target's own or the group's.
  TargetAddressFn target_address;
};

struct AlbConfigResult {
  std::optional<dataplane::alb::EngineConfig> config;  // nullopt: `error` says why
  std::string error;
  std::vector<std::string> notes;  // what is left out ("HTTPS listener on port 443 is not served")
};

// Listeners (HTTP only), their rules, the target groups they forward to with
// health checks and attributes, the targets. A health-check port equal to
// the group's port becomes "traffic-port", so it follows remapped targets.
// The access log is left unset.
AlbConfigResult engine_config_from_model(const model::Network& net, const model::LoadBalancer& lb,
                                         const AlbConfigOptions& options = {});

}  // namespace vpclab::emulator
