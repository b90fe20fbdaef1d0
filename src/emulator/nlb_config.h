// A model Network Load Balancer as the NLB engine's configuration
// (dataplane/nlb/config.h): one node per model node, listeners, the target
// group of each listener's forward action with the attributes
// semantics/network_load_balancer.h decides, targets at their private IPs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "dataplane/nlb/config.h"
#include "model/network.h"

namespace vpclab::emulator {

struct NlbConfigResult {
  std::optional<dataplane::nlb::EngineConfig> config;  // nullopt: `error` says why
  std::string error;
  std::vector<std::string> notes;  // what is left out ("TLS listener on port 443 is not served")
};

// An alb target becomes one engine target per node of that ALB (its ARN as
// the id, the node's address and zone): the NLB connects to the ALB's nodes.
NlbConfigResult nlb_engine_config_from_model(const model::Network& net, const model::LoadBalancer& lb);

}  // namespace vpclab::emulator
