// Lint: advice about networks that AWS accepts but that do not do what the
// canonical scenario's authors meant (open internal ALBs, missing ports,
// one-sided peering routes, ...). Each finding is a warning with a stable
// code and a suggested fix; docs/lint.md lists them.
#pragma once
#include <vector>

#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::analysis {

// An internal ALB's security-group rule that admits a listener port from
// 0.0.0.0/0 (the lint ALB_SG_OPEN_TO_WORLD; `check --fix-lint` narrows it).
struct OpenAlbRule {
  std::string load_balancer;            // ARN
  std::string security_group;           // sg-
  SecurityGroupRule rule;               // as declared (loc: the rule's node)
  std::vector<uint16_t> listener_ports;  // the listeners' ports it admits
};
std::vector<OpenAlbRule> alb_rules_open_to_world(const model::Network& net, const model::LoadBalancer& lb);

// Appends one warning per finding to `diags`, at the declaration to change.
void lint(const model::Network& net, Diagnostics& diags);

}  // namespace vpclab::analysis
