// A model Network Load Balancer as the NLB engine's configuration
// (dataplane/nlb/config.h): one node per model node, listeners, the target
// group of each listener's forward action with the attributes
// semantics/network_load_balancer.h decides, targets at their private IPs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "dataplane/nlb/config.h"
#include "emulator/alb_config.h"  // TargetAddressFn
#include "model/network.h"

namespace vpclab::emulator {

struct NlbConfigResult {
  std::optional<dataplane::nlb::EngineConfig> config;  // nullopt: `error` says why
  std::string error;
  std::vector<std::string> notes;  // what is left out ("TLS listener on port 443 is not served")
};

struct NlbConfigOptions {
  // Empty: one node per model node (its ENI id, private IP and AZ).
  std::vector<dataplane::nlb::NodeConfig> nodes;
  int port_offset = 0;  // added to every listener port
  // Set (`vpclab nlb`): where each target really listens, an alb target as
  // one address; a health-check port equal to the group's then follows it.
  // Unset: targets at their private IPs, an alb target as its nodes.
  TargetAddressFn target_address;
};

// An alb target becomes one engine target per node of that ALB (its ARN as
// the id, the node's address and zone): the NLB connects to the ALB's nodes.
NlbConfigResult nlb_engine_config_from_model(const model::Network& net, const model::LoadBalancer& lb,
                                             const NlbConfigOptions& options = {});

}  // namespace vpclab::emulator
