// Model -> LabPlan: how a VPC becomes namespaces, bridges, veths, routing
// tables and rules (DESIGN.md "Emulation in the kernel").
//
// - One router namespace per VPC (named by its vpc- id): ip_forward on,
//   rp_filter off; the resolver addresses (base+2, 169.254.169.253) on lo.
// - One bridge per subnet in its VPC's router ("br<k>"), address base+1.
// - One namespace per instance (named by its i- id; one veth "eth<j>" per
//   ENI) and per other ENI (ALB node, NAT gateway: named by its eni- id), on
//   a veth into its subnet's bridge; default route via base+1.
// - One kernel table per route table (per AZ of its subnets when it routes
//   to a transit gateway); `ip rule iif br<k>` selects the subnet's table, followed by `unreachable` so nothing falls through to
//   main. A route table's `local` routes become one route per subnet and a
//   blackhole for the rest of the VPC block.
// - A peering is a veth ("px<k>") between the two routers on a link-local
//   /30 (169.254.128.0/17); traffic arriving on it looks up a table holding
//   only the VPC's own subnets, then unreachable: no transit.
// - The VPC resolver: the supervisor's DNS engine listens on base+2 and
//   169.254.169.253 (on the router's lo) with the VPC's view: PHZs
//   associated with it, Amazon hostnames with split horizon, public DNS for
//   the rest (ELB names). VPCs with EnableDnsSupport off get no resolver.
// - Security groups: stateful nftables in each ENI namespace; NACLs:
//   ordered chains on each router's forward hook (compile_filters.cpp).
// Internet gateways, the `internet` namespace, NAT gateways, routes to
// ENIs/instances and sshd: compile_gateways.cpp (gateways.h). Transit
// gateways: compile_transit.cpp. Not compiled (reported in `unsupported`):
// routes to VPN and other gateways.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "emulator/plan.h"
#include "model/network.h"

namespace vpclab::emulator {

// Kernel table numbers.
inline constexpr uint32_t kPeeringLocalTable = 200;  // a VPC's own subnets, for traffic from peerings
inline constexpr uint32_t kFirstRouteTable = 1000;   // + index of the route table in the network
// Network Load Balancers (compile_nlb.cpp): in a VPC router, table
// kNlbReplyTable + k sends replies marked for preserving node k back to it;
// in a node's namespace, kNlbLocalTable takes every arriving packet locally.
inline constexpr uint32_t kNlbReplyTable = 100;  // + 1..kMaxPreservingNlbNodes
inline constexpr uint32_t kNlbLocalTable = 201;
inline constexpr uint32_t kNlbViaRouterTable = 202;  // in a target's namespace: replies of preserved flows via the router
inline constexpr int kMaxPreservingNlbNodes = 31;  // per VPC: two DSCP values each

struct CompiledLab {
  LabPlan plan;
  // Names a user may give `exec` (instance id, logical id, Name tag, vpc id)
  // -> namespace.
  std::map<std::string, std::string> targets;
  // What the model has and the lab does not emulate yet, one line each.
  std::vector<std::string> unsupported;
};

CompiledLab compile_network(const model::Network& net);

}  // namespace vpclab::emulator
