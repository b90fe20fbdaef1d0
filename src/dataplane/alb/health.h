// Target health as the engine hands it out: a typed snapshot of what every
// node's health checker found (target, node, state, reason). The emulator
// aggregates it (semantics::worst_node_health) and renders JSON only where
// a user reads it; the engine's admin endpoint renders it as below.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "semantics/target_health.h"
#include "vocab/alb.h"
#include "vocab/ip.h"

namespace vpclab::dataplane::alb {

struct TargetHealthSnapshot {
  std::string id;                 // TargetConfig::id
  uint16_t port = 0;              // the traffic port
  std::string availability_zone;  // as configured; empty when none
  std::string health_check_port;  // the port checks go to, as a number
  std::vector<semantics::TargetHealth> nodes;  // indexed like HealthSnapshot::nodes
};

struct TargetGroupHealthSnapshot {
  std::string arn, name;
  vpclab::alb::LoadBalancingAlgorithm algorithm = vpclab::alb::LoadBalancingAlgorithm::kRoundRobin;
  std::vector<TargetHealthSnapshot> targets;  // registration order, deregistered ones included (unused)
};

struct HealthNode {
  std::string name;
  Ipv4Address address;
};

struct HealthSnapshot {
  std::string load_balancer;  // app/NAME/ID
  std::vector<HealthNode> nodes;
  std::vector<TargetGroupHealthSnapshot> target_groups;

  const TargetGroupHealthSnapshot* find(const std::string& target_group_arn) const {
    for (const auto& g : target_groups)
      if (g.arn == target_group_arn) return &g;
    return nullptr;
  }
};

// {"LoadBalancer", "TargetGroups": [{"TargetGroupArn", "TargetGroupName",
// "Algorithm", "Nodes": [{"Node", "Address", "TargetHealthDescriptions":
// [DescribeTargetHealth's TargetHealthDescription]}]}]} (docs/alb-engine.md).
std::string health_json(const HealthSnapshot& s);

}  // namespace vpclab::dataplane::alb
