// The finalize() pass as one object over the network being finished
// (model/build.h says what it does). Internal to model/: each family's checks
// live in their own file (finalize_*.cpp); finalize.cpp runs them in order.
#pragma once
#include <fmt/format.h>

#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "model/build.h"
#include "semantics/eni.h"
#include "semantics/resource_share.h"

namespace vpclab::model {

class Finalizer {
 public:
  Finalizer(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts)
      : net_(net), plan_(plan), diags_(diags), opts_(opts) {}

  bool run();

 private:
  Network& net_;
  AddressPlan& plan_;
  Diagnostics& diags_;
  const FinalizeOptions& opts_;

  void error(SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    diags_.error(loc, code, std::move(msg), std::move(fix));
  }
  void warning(SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    diags_.warning(loc, code, std::move(msg), std::move(fix));
  }

  template <class T>
  static std::string who(const T& x) {
    return x.origin.display(x.id);
  }

  // finalize.cpp: origins and accounts
  void fill(Origin& o) {
    if (o.account.empty()) o.account = opts_.default_account;
    if (o.region.empty()) o.region = opts_.default_region;
  }
  void fill_origins();
  void collect_accounts();

  // finalize_vpc.cpp: VPCs, implicit resources, subnets, gateways, route tables
  static bool size_ok(const Ipv4Cidr& c) { return c.length >= 16 && c.length <= 28; }
  SourceLoc cidr_loc(const Vpc& v, size_t i) const;
  void check_vpcs();
  void add_implicit_vpc_resources();
  void check_subnets();
  void associate_subnet(Subnet& s, const Vpc& v);
  void attach_internet_gateways();
  void finish_route_tables();
  // A route inside a VPC block, longer than it, replaces part of `local`:
  // AWS allows it only for a whole subnet's CIDR via a NAT gateway or ENI
  // (middlebox routing).
  std::set<std::pair<std::string, Ipv4Cidr>> subnet_cidrs_;  // (vpc, cidr), filled on first use
  void check_more_specific(const RouteTable& t, const Vpc& v, const Route& r);
  RouteState route_state(const RouteTable& t, const Vpc& v, const Route& r);
  static std::string dest(const Route& r);

  // finalize_interfaces.cpp: ENIs, addresses, Elastic IPs, instances, NAT gateways
  void create_service_interfaces();
  void assign_addresses();
  void associate_elastic_ips();
  void check_interfaces();
  semantics::EniSecurityGroupOwner security_group_owner(const NetworkInterface& e) const;
  void finish_instances();
  void finish_nat_gateways();

  // finalize_endpoints.cpp: VPC endpoints (their prefix lists, routes, ENIs)
  void add_vpc_endpoint_resources();
  // An AWS-managed prefix list (id, name, CIDRs), added unless the network has it; its id.
  std::string add_aws_managed_prefix_list(const std::string& id, const std::string& name,
                                          const std::vector<Ipv4Cidr>& cidrs, const Origin& where, SourceLoc loc);
  void check_vpc_endpoints();
  RouteState vpc_endpoint_route_state(const RouteTable& t, const Vpc& v, const Route& r);

  // finalize_peering.cpp
  void derive_peerings();

  // finalize_transit.cpp: transit gateways, attachments, TGW route tables
  void add_implicit_transit_resources();
  void finish_transit_gateways();
  void check_transit_attachment(TransitGatewayAttachment& a, const TransitGateway& g);
  void check_transit_peering(TransitGatewayAttachment& a, const TransitGateway& g);
  struct ShareResult {
    semantics::ShareAccess access = semantics::ShareAccess::kNotShared;
    const ResourceShare* share = nullptr;  // the share that decided
  };
  ShareResult share_of(const TransitGateway& g, const std::string& account) const;
  void resolve_prefix_lists();
  void finish_transit_route_tables();
  // The VPC route to transit gateway `r.target_id` (finalize_vpc's route_state).
  RouteState transit_gateway_route_state(const RouteTable& t, const Vpc& v, const Route& r);

  // finalize_vpn.cpp: customer gateways, VGWs, VPN connections, on-premises networks
  void add_implicit_vpn_attachments();
  std::vector<Ipv4Cidr> on_premises_prefixes(const std::string& cgw) const;
  void finish_vpn();
  void check_on_premises();
  void check_vgw_propagations();
  void add_vgw_propagated_routes();
  RouteState vpn_gateway_route_state(const RouteTable& t, const Vpc& v, const Route& r);

  // finalize_filters.cpp: security groups and network ACLs
  void check_security_groups();
  void finish_network_acls();

  // finalize_alb.cpp: load balancers, target groups, listeners, rules
  static bool valid_lb_name(const std::string& n);
  void check_load_balancers();
  void check_target_groups();
  void check_listeners();
  void check_actions(const Listener& l, const LoadBalancer& lb, alb::ListenerRule& rule,
                     std::unordered_map<std::string, TargetGroup*>& tgs);

  // finalize_dns.cpp
  void check_hosted_zones();

  // finalize_auto_scaling.cpp: members of Auto Scaling groups, their replacements
  bool resolve_launch(AutoScalingGroup& g);
  void launch_auto_scaling_groups();
  void prepare_auto_scaling_replacements();
};

}  // namespace vpclab::model
