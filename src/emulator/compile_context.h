// Internal to the compiler: what compile_network's core (routers, subnets,
// peerings, route tables, ENIs, resolver) has placed, for the parts that
// add to it, one file each:
//   compile_gateways.cpp  internet gateways, the internet namespace, NAT gateways
//   compile_filters.cpp   security groups and network ACLs (nftables)
//   compile_alb.cpp       ALB nodes (the data plane in the supervisor)
#pragma once
#include <map>
#include <string>

#include "emulator/compile.h"

namespace vpclab::emulator {

// Where an ENI sits in the lab.
struct EniPlace {
  std::string netns;        // the instance's (i-) or the ENI's own (eni-) namespace
  std::string dev;          // its veth in that namespace: "eth<j>"
  std::string bridge_port;  // the other end, a port of the subnet bridge: "e<n>"
  std::string subnet;
  std::string vpc;
  Ipv4Address private_ip;
};

struct CompileContext {
  const model::Network& net;
  CompiledLab& out;
  std::map<std::string, std::string> bridge_of;  // subnet id -> bridge in its VPC router
  std::map<std::string, uint32_t> table_of;      // route table id -> kernel table
  std::map<std::string, uint32_t> next_pref;     // router namespace -> next free `ip rule` priority
  std::map<std::string, size_t> peering_index;   // active peering id -> k (veth px<k>)
  // ENI id -> place; instances without ENI records are keyed by instance id.
  std::map<std::string, EniPlace> eni_place;

  LabPlan& plan() { return out.plan; }
};

// Called for each route whose target is not local or a peering (gateways,
// instances, ENIs). Adds the kernel route to `table` in the route table's
// VPC router and returns true, or returns false when the target is not
// emulated (the caller records it as unsupported).
bool compile_gateway_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route,
                           uint32_t table);
// Internet gateways, the `internet` namespace (1:1 NAT of public and elastic
// IPs, the lab's public DNS), NAT gateways. Runs after ENIs are placed.
void compile_gateways(CompileContext& ctx);
// Security groups (stateful, per ENI namespace) and network ACLs (stateless,
// on the router's forward path). Runs after everything else is placed.
void compile_filters(CompileContext& ctx);
// ALB nodes: the plan's load balancers served by the supervisor's engine
// from each node's namespace.
void compile_load_balancers(CompileContext& ctx);

}  // namespace vpclab::emulator
