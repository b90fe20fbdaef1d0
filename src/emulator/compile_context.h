// Internal to the compiler: what compile_network's core (routers, subnets,
// peerings, route tables, ENIs, resolver) has placed, for the parts that
// add to it, one file each:
//   compile_gateways.cpp  internet gateways, the internet namespace, NAT gateways
//   compile_filters.cpp   security groups and network ACLs (nftables)
//   compile_alb.cpp       ALB nodes (the data plane in the supervisor)
//   compile_nlb.cpp       NLB nodes, and the return path of flows that keep the client's address
//   compile_transit.cpp   transit gateways (a namespace each, links to VPC routers)
//   compile_vpn.cpp       on-premises namespaces and site-to-site VPN links
//   compile_endpoints.cpp VPC endpoints, each Region's S3 and DynamoDB
//   compile_auto_scaling.cpp  Auto Scaling groups and their standby replacements (wraps compile_model)
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "emulator/compile.h"
#include "semantics/target_health.h"

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

// A link between a VPC router and a transit gateway's namespace: the
// attachment's ENI in one of its subnets (one per AZ). "tg<k>" at both ends.
// A VPN attachment's link has no subnet or AZ: `vpc` is then the on-premises
// namespace at its other end (vpn = true).
struct TransitLink {
  std::string attachment, tgw, vpc, subnet, az;
  std::string dev;
  Ipv4Address router_end, tgw_end;
  bool vpn = false;
};

// A VPN connection to a VGW: a link between the VPC router (the VGW) and the
// on-premises namespace, "vp<j>" at both ends.
struct VpnLink {
  std::string connection, on_prem, vpc;
  std::string dev;
  Ipv4Address on_prem_end, vpc_end;
};

struct CompileContext {
  const model::Network& net;
  CompiledLab& out;
  std::map<std::string, std::string> bridge_of;  // subnet id -> bridge in its VPC router
  std::map<std::string, uint32_t> table_of;      // route table id -> kernel table (its first)
  // A route table with routes to a transit gateway has one kernel table per
  // AZ of its subnets (the TGW is entered only in the sender's AZ):
  // (route table id, AZ) -> kernel table.
  std::map<std::pair<std::string, std::string>, uint32_t> az_table_of;
  std::map<std::string, uint32_t> next_pref;     // router namespace -> next free `ip rule` priority
  std::map<std::string, size_t> peering_index;   // active peering id -> k (veth px<k>)
  // ENI id -> place; instances without ENI records are keyed by instance id.
  std::map<std::string, EniPlace> eni_place;
  // Transit gateway links, and per attachment its links in the order of its
  // subnets (the order semantics/transit_gateway.h indexes AZs by).
  std::vector<TransitLink> transit_links;
  std::map<std::string, std::vector<size_t>> links_of_attachment;
  std::vector<VpnLink> vpn_links;                  // VGW connections
  std::map<std::string, size_t> vpn_link_of;       // vpn- -> index in vpn_links

  LabPlan& plan() { return out.plan; }
  // The kernel table a subnet of `az` associated with route table `rtb` looks up.
  uint32_t route_table_for(const std::string& rtb, const std::string& az) const {
    auto v = az_table_of.find({rtb, az});
    if (v != az_table_of.end()) return v->second;
    auto t = table_of.find(rtb);
    return t == table_of.end() ? 0 : t->second;
  }
};

// Called for each route whose target is not local or a peering (gateways,
// instances, ENIs). Adds the kernel route to `table` in the route table's
// VPC router and returns true, or returns false when the target is not
// emulated (the caller records it as unsupported).
bool compile_gateway_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route,
                           uint32_t table);
// Transit gateways (compile_transit.cpp). Before route tables: the links of
// every available VPC attachment. The AZs a route table needs a kernel table
// each for (empty: one table serves every AZ). A VPC route to a TGW in the
// table for `az`: to the attachment's link in that AZ, else a blackhole.
// After subnets' rules: the TGW namespaces, their tables and rules, and
// what the VPC routers do with what arrives from a TGW.
// Link k's /30 in 169.254.64.0/18: .1 in the VPC router (or on premises), .2 in the TGW (or the VGW's router).
inline constexpr size_t kMaxTransitLinks = 4096;
Ipv4Address transit_link_address(size_t k, bool tgw_end);
void place_transit_links(CompileContext& ctx);
std::vector<std::string> transit_route_azs(const CompileContext& ctx, const model::RouteTable& rt);
void compile_transit_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table,
                           const std::string& az);
void compile_transit_gateways(CompileContext& ctx);
// Site-to-site VPN (compile_vpn.cpp). Before route tables: the links of the
// VGW connections and the TGW vpn attachments (as transit links) that reach
// an on-premises network of the lab. A VPC route to a VGW: the VGW's prefixes
// within it to their connections' links, the rest dropped. After the TGWs:
// the on-premises namespaces and what arrives from a VGW link.
void place_vpn_links(CompileContext& ctx);
void compile_vgw_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table);
void compile_vpn(CompileContext& ctx);
// Internet gateways, the `internet` namespace (1:1 NAT of public and elastic
// IPs, the lab's public DNS), NAT gateways. Runs after ENIs are placed.
void compile_gateways(CompileContext& ctx);
// VPC endpoints and each Region's AWS services (compile_endpoints.cpp). A
// route to a gateway endpoint: into the link to the Region's service
// namespace (false for Gateway Load Balancer endpoints: not emulated). After
// the gateways: the service namespaces, the endpoint links, the servers on
// interface endpoints' ENIs.
bool compile_vpc_endpoint_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table);
void compile_aws_services(CompileContext& ctx);
// Security groups (stateful, per ENI namespace) and network ACLs (stateless,
// on the router's forward path). Runs after everything else is placed.
void compile_filters(CompileContext& ctx);
// ALB nodes: the plan's load balancers served by the supervisor's engine
// from each node's namespace.
void compile_load_balancers(CompileContext& ctx);
// NLB nodes: the plan's network load balancers, and for groups that keep the
// client's address the marks and routes that return replies to the node.
void compile_network_load_balancers(CompileContext& ctx);

// For a load balancer of either kind (compile_alb.cpp, compile_nlb.cpp): the
// names `vpclab health` takes for its target groups (logical id, and
// "stack.LogicalId" as trace names it in a manifest), and a boot wait for
// each target whose instance (by id, or by address for ip targets) runs
// UserData, on the port its checks go to.
template <class TargetGroupConfig>
void name_groups_and_wait_for_targets(const model::Network& net, const std::vector<TargetGroupConfig>& groups,
                                      LoadBalancerPlanBase& p) {
  for (const auto& tgc : groups) {
    if (const auto* tg = net.target_group(tgc.arn); tg && !tg->origin.logical_id.empty()) {
      p.target_group_logical_ids.push_back({tg->origin.logical_id, tg->arn});
      if (!tg->origin.stack.empty()) p.target_group_logical_ids.push_back({tg->origin.display(tg->arn), tg->arn});
    }
    if (!tgc.health_check.enabled) continue;
    for (const auto& t : tgc.targets) {
      const model::Instance* inst = net.instance(t.id);
      for (const auto& i : net.instances)
        if (!inst && i.private_ip == t.address) inst = &i;
      if (!inst || inst->state != model::InstanceState::kRunning || inst->user_data.empty()) continue;
      p.boot_waits.push_back({inst->id, semantics::health_check_port(tgc.health_check, t.port ? t.port : tgc.port)});
    }
  }
}

// The core compiler over the network as given (compile.cpp); compile_network
// (compile_auto_scaling.cpp) adds the prepared replacements first.
CompiledLab compile_model(const model::Network& net);

}  // namespace vpclab::emulator
