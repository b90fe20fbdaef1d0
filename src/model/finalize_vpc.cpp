// finalize(): VPCs and their implicit main route table, default security
// group and NACL; subnets (CIDRs, overlaps, effective associations); internet
// gateway attachments; route tables (local routes, route states).
#include "model/finalizer.h"

#include "semantics/network_acl.h"
#include "semantics/route.h"

#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

namespace vpclab::model {

SourceLoc Finalizer::cidr_loc(const Vpc& v, size_t i) const {
  return i < v.cidr_locs.size() && v.cidr_locs[i].known() ? v.cidr_locs[i] : v.origin.loc;
}

void Finalizer::check_vpcs() {
  for (auto& v : net_.vpcs) {
    if (v.cidrs.empty()) {
      error(v.origin.loc, "VPC_CIDR_SIZE", fmt::format("VPC {} has no IPv4 CIDR block", who(v)));
      continue;
    }
    for (size_t i = 0; i < v.cidrs.size(); ++i) {
      const auto& c = v.cidrs[i];
      if (!size_ok(c))
        error(cidr_loc(v, i), "VPC_CIDR_SIZE",
              fmt::format("CIDR block {} of VPC {} is a /{}; AWS allows /16 to /28", c.str(), who(v), c.length));
      for (size_t j = 0; j < i; ++j)
        if (c.overlaps(v.cidrs[j]))
          error(cidr_loc(v, i), "VPC_CIDR_OVERLAP",
                fmt::format("CIDR block {} of VPC {} overlaps its block {}", c.str(), who(v), v.cidrs[j].str()));
    }
    if (v.cidrs.size() > 5)
      warning(cidr_loc(v, 5), "VPC_CIDR_LIMIT",
              fmt::format("VPC {} has {} IPv4 CIDR blocks; the default quota is 5", who(v), v.cidrs.size()));
    if (v.enable_dns_hostnames && !v.enable_dns_support)
      warning(v.origin.loc, "VPC_DNS_HOSTNAMES_WITHOUT_SUPPORT",
              fmt::format("VPC {} enables DNS hostnames without DNS support: names will not resolve", who(v)),
              "set EnableDnsSupport: true");
  }
}

void Finalizer::add_implicit_vpc_resources() {
  std::unordered_set<std::string> have_rtb, have_sg, have_acl;
  for (const auto& t : net_.route_tables) have_rtb.insert(t.id);
  for (const auto& g : net_.security_groups) have_sg.insert(g.id);
  for (const auto& a : net_.network_acls) have_acl.insert(a.id);
  for (auto& v : net_.vpcs) {
    if (v.main_route_table.empty()) v.main_route_table = make_id("rtb", {v.id, "main"});
    if (!have_rtb.count(v.main_route_table)) {
      RouteTable t;
      t.id = v.main_route_table;
      t.origin = v.origin;
      t.origin.logical_id.clear();
      t.vpc = v.id;
      t.main = true;
      net_.route_tables.push_back(std::move(t));
      have_rtb.insert(v.main_route_table);
    }
    if (v.default_security_group.empty()) v.default_security_group = make_id("sg", {v.id, "default"});
    if (!have_sg.count(v.default_security_group)) {
      SecurityGroup g;
      g.id = v.default_security_group;
      g.origin = v.origin;
      g.origin.logical_id.clear();
      g.group_name = "default";
      g.vpc = v.id;
      g.is_default = true;
      SecurityGroupRule in;
      in.direction = Direction::kIngress;
      in.group_id = g.id;
      in.loc = v.origin.loc;
      g.ingress.push_back(in);
      SecurityGroupRule out;
      out.direction = Direction::kEgress;
      out.cidr = Ipv4Cidr{};  // 0.0.0.0/0
      out.loc = v.origin.loc;
      g.egress.push_back(out);
      net_.security_groups.push_back(std::move(g));
      have_sg.insert(v.default_security_group);
    }
    if (v.default_network_acl.empty()) v.default_network_acl = make_id("acl", {v.id, "default"});
    if (!have_acl.count(v.default_network_acl)) {
      NetworkAcl a;
      a.id = v.default_network_acl;
      a.origin = v.origin;
      a.origin.logical_id.clear();
      a.vpc = v.id;
      a.is_default = true;
      for (Direction d : {Direction::kIngress, Direction::kEgress}) {
        NetworkAclEntry e;
        e.rule_number = 100;
        e.direction = d;
        e.allow = true;
        e.cidr = Ipv4Cidr{};
        e.loc = v.origin.loc;
        (d == Direction::kIngress ? a.ingress : a.egress).push_back(e);
      }
      net_.network_acls.push_back(std::move(a));
      have_acl.insert(v.default_network_acl);
    }
  }
  // Mark main tables and defaults (a front end may only set the VPC's field).
  std::unordered_set<std::string> mains;
  for (const auto& v : net_.vpcs) mains.insert(v.main_route_table);
  for (auto& t : net_.route_tables)
    if (mains.count(t.id)) t.main = true;
  std::unordered_set<std::string> default_sgs, default_acls;
  for (const auto& v : net_.vpcs) {
    default_sgs.insert(v.default_security_group);
    default_acls.insert(v.default_network_acl);
  }
  for (auto& g : net_.security_groups)
    if (default_sgs.count(g.id)) g.is_default = true;
  for (auto& a : net_.network_acls)
    if (default_acls.count(a.id)) a.is_default = true;
}

// The subnet's effective route table and NACL (semantics/route.h,
// semantics/network_acl.h), decided here once for every reader; set even when
// the subnet's CIDR is rejected, so a reader never falls back on its own.
void Finalizer::associate_subnet(Subnet& s, const Vpc& v) {
  const std::string declared_rtb = s.route_table;
  s.route_table = semantics::effective_route_table(declared_rtb, v.main_route_table);
  // A table other than the main one can only come from an explicit
  // association; an association with the main table is the front end's to
  // say (route_table_explicit as given).
  if (declared_rtb.empty()) s.route_table_explicit = false;
  else if (s.route_table != v.main_route_table) s.route_table_explicit = true;
  if (!declared_rtb.empty()) {
    const RouteTable* t = net_.route_table(s.route_table);
    if (!t)
      error(s.origin.loc, "SUBNET_RTB_UNKNOWN",
            fmt::format("subnet {} is associated with route table '{}', which is not defined", who(s), s.route_table));
    else if (t->vpc != s.vpc)
      error(s.origin.loc, "SUBNET_RTB_OTHER_VPC",
            fmt::format("subnet {} is associated with route table {} of another VPC", who(s), who(*t)));
  }
  const std::string declared_acl = s.network_acl;
  s.network_acl = semantics::effective_network_acl(declared_acl, v.default_network_acl);
  if (!declared_acl.empty()) {
    const NetworkAcl* a = net_.network_acl(s.network_acl);
    if (!a)
      error(s.origin.loc, "SUBNET_NACL_UNKNOWN",
            fmt::format("subnet {} is associated with network ACL '{}', which is not defined", who(s), s.network_acl));
    else if (a->vpc != s.vpc)
      error(s.origin.loc, "SUBNET_NACL_OTHER_VPC",
            fmt::format("subnet {} is associated with network ACL {} of another VPC", who(s), who(*a)));
  }
}

void Finalizer::check_subnets() {
  struct Span {
    uint32_t first, last;
    size_t index;
  };
  std::map<std::string, std::vector<Span>> per_vpc;
  for (size_t i = 0; i < net_.subnets.size(); ++i) {
    auto& s = net_.subnets[i];
    SourceLoc loc = s.cidr_loc.known() ? s.cidr_loc : s.origin.loc;
    const Vpc* v = net_.vpc(s.vpc);
    if (!v) {
      error(s.origin.loc, "SUBNET_UNKNOWN_VPC", fmt::format("subnet {} names VPC '{}', which is not defined", who(s), s.vpc));
      continue;
    }
    associate_subnet(s, *v);
    if (!size_ok(s.cidr)) {
      error(loc, "SUBNET_CIDR_SIZE",
            fmt::format("subnet {} CIDR {} is a /{}; AWS allows /16 to /28", who(s), s.cidr.str(), s.cidr.length));
      continue;
    }
    bool inside = false;
    for (const auto& c : v->cidrs) inside = inside || c.contains(s.cidr);
    if (!inside) {
      std::string blocks;
      for (const auto& c : v->cidrs) blocks += (blocks.empty() ? "" : ", ") + c.str();
      error(loc, "SUBNET_OUTSIDE_VPC",
            fmt::format("subnet {} CIDR {} is not inside a CIDR block of VPC {} ({})", who(s), s.cidr.str(),
                        who(*v), blocks));
      continue;
    }
    per_vpc[s.vpc].push_back({s.cidr.first().value, s.cidr.last().value, i});
  }
  // Overlaps: sorted by first address, each subnet against the furthest
  // reaching one before it. O(n log n) per VPC.
  for (auto& [vpc, spans] : per_vpc) {
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.first != b.first ? a.first < b.first : a.index < b.index; });
    const Span* reach = nullptr;
    for (const auto& sp : spans) {
      if (reach && sp.first <= reach->last) {
        const auto& s = net_.subnets[sp.index];
        const auto& o = net_.subnets[reach->index];
        // Report at the later declaration.
        const auto& later = sp.index > reach->index ? s : o;
        const auto& earlier = sp.index > reach->index ? o : s;
        error(later.cidr_loc.known() ? later.cidr_loc : later.origin.loc, "SUBNET_OVERLAP",
              fmt::format("subnet {} CIDR {} overlaps subnet {} ({})", who(later), later.cidr.str(), who(earlier),
                          earlier.cidr.str()));
      }
      if (!reach || sp.last > reach->last) reach = &sp;
    }
  }
}

void Finalizer::attach_internet_gateways() {
  for (auto& g : net_.internet_gateways) {
    if (g.vpc.empty()) continue;
    Vpc* v = const_cast<Vpc*>(net_.vpc(g.vpc));
    if (!v) {
      error(g.origin.loc, "IGW_UNKNOWN_VPC",
            fmt::format("internet gateway {} is attached to VPC '{}', which is not defined", who(g), g.vpc));
      continue;
    }
    if (!v->internet_gateway.empty() && v->internet_gateway != g.id) {
      error(g.origin.loc, "IGW_VPC_HAS_GATEWAY",
            fmt::format("VPC {} already has internet gateway {}; a VPC has at most one", who(*v), v->internet_gateway));
      continue;
    }
    v->internet_gateway = g.id;
  }
}

void Finalizer::finish_route_tables() {
  for (auto& t : net_.route_tables) {
    const Vpc* v = net_.vpc(t.vpc);
    if (!v) {
      error(t.origin.loc, "RTB_UNKNOWN_VPC",
            fmt::format("route table {} names VPC '{}', which is not defined", who(t), t.vpc));
      continue;
    }
    std::vector<Route> routes;
    routes.reserve(v->cidrs.size() + t.routes.size());
    for (const auto& c : v->cidrs) {
      Route r;
      r.destination = c;
      r.target_kind = RouteTargetKind::kLocal;
      r.target_id = "local";
      r.loc = v->origin.loc;
      routes.push_back(r);
    }
    std::set<std::string> dests;
    for (const auto& c : v->cidrs) dests.insert(c.str());
    for (auto& r : t.routes) {
      if (r.target_kind == RouteTargetKind::kLocal) continue;  // ours replace any supplied
      std::string key = r.destination ? r.destination->str()
                        : !r.destination_ipv6.empty() ? r.destination_ipv6
                                                      : r.destination_prefix_list;
      if (key.empty()) {
        error(r.loc, "ROUTE_NO_DESTINATION", fmt::format("route in {} has no destination", who(t)));
        continue;
      }
      if (!dests.insert(key).second) {
        error(r.loc, "ROUTE_DUPLICATE_DESTINATION",
              fmt::format("route table {} already has a route to {}", who(t), key));
        continue;
      }
      if (r.destination) check_more_specific(t, *v, r);
      // A blackhole the front end saw (a snapshot's State) stays one; the
      // checks still run for their diagnostics.
      RouteState derived = route_state(t, *v, r);
      if (r.state != RouteState::kBlackhole) r.state = derived;
      routes.push_back(r);
    }
    t.routes = std::move(routes);
  }
}

void Finalizer::check_more_specific(const RouteTable& t, const Vpc& v, const Route& r) {
  if (subnet_cidrs_.empty())
    for (const auto& s : net_.subnets) subnet_cidrs_.insert({s.vpc, s.cidr});
  for (const auto& c : v.cidrs) {
    if (!c.contains(*r.destination) || r.destination->length == c.length) continue;
    bool whole_subnet = subnet_cidrs_.count({v.id, *r.destination}) > 0;
    bool middlebox = r.target_kind == RouteTargetKind::kNatGateway ||
                     r.target_kind == RouteTargetKind::kNetworkInterface ||
                     r.target_kind == RouteTargetKind::kVpcEndpoint;
    if (!(whole_subnet && middlebox))
      error(r.loc, "ROUTE_MORE_SPECIFIC_THAN_LOCAL",
            fmt::format("route to {} in {} is more specific than the local route {}", r.destination->str(), who(t),
                        c.str()),
            "only a whole subnet CIDR may be routed to a NAT gateway or network interface inside the VPC");
    return;
  }
}

RouteState Finalizer::route_state(const RouteTable& t, const Vpc& v, const Route& r) {
  auto unknown = [&](const char* what) {
    warning(r.loc, "ROUTE_TARGET_UNKNOWN",
            fmt::format("route to {} in {} targets {} '{}', which is not in the model: blackhole", dest(r), who(t),
                        what, r.target_id));
    return RouteState::kBlackhole;
  };
  auto other_vpc = [&](const std::string& what) {
    error(r.loc, "ROUTE_TARGET_OTHER_VPC",
          fmt::format("route to {} in {} targets {}, which is not in VPC {}", dest(r), who(t), what, who(v)));
    return RouteState::kBlackhole;
  };
  switch (r.target_kind) {
    case RouteTargetKind::kInternetGateway: {
      const InternetGateway* g = net_.internet_gateway(r.target_id);
      if (!g) return unknown("internet gateway");
      if (g->vpc.empty()) {
        warning(r.loc, "ROUTE_TARGET_NOT_ATTACHED",
                fmt::format("route to {} in {} targets internet gateway {}, which is not attached to a VPC: blackhole",
                            dest(r), who(t), who(*g)),
                "add an AWS::EC2::VPCGatewayAttachment");
        return RouteState::kBlackhole;
      }
      if (g->vpc != v.id) return other_vpc("internet gateway " + who(*g));
      return RouteState::kActive;
    }
    case RouteTargetKind::kNatGateway: {
      const NatGateway* n = net_.nat_gateway(r.target_id);
      if (!n) return unknown("NAT gateway");
      const Subnet* s = net_.subnet(n->subnet);
      if (s && s->vpc != v.id) return other_vpc("NAT gateway " + who(*n));
      return RouteState::kActive;
    }
    case RouteTargetKind::kVpcPeeringConnection: {
      const VpcPeeringConnection* p = net_.peering(r.target_id);
      if (!p) return unknown("peering connection");
      if (p->requester.vpc != v.id && p->accepter.vpc != v.id) return other_vpc("peering " + who(*p));
      if (p->state != PeeringState::kActive) {
        warning(r.loc, "ROUTE_TARGET_NOT_ACTIVE",
                fmt::format("route to {} in {} targets peering {}, which is {}: blackhole", dest(r), who(t), who(*p),
                            peering_state_name(p->state)));
        return RouteState::kBlackhole;
      }
      return RouteState::kActive;
    }
    case RouteTargetKind::kNetworkInterface: {
      const NetworkInterface* e = net_.network_interface(r.target_id);
      if (!e) return unknown("network interface");
      if (e->vpc != v.id) return other_vpc("network interface " + e->origin.display(e->id));
      return RouteState::kActive;
    }
    case RouteTargetKind::kInstance: {
      const Instance* i = net_.instance(r.target_id);
      if (!i) return unknown("instance");
      const Subnet* s = net_.subnet(i->subnet);
      if (s && s->vpc != v.id) return other_vpc("instance " + who(*i));
      return i->state == InstanceState::kRunning ? RouteState::kActive : RouteState::kBlackhole;
    }
    case RouteTargetKind::kTransitGateway: return transit_gateway_route_state(t, v, r);
    case RouteTargetKind::kVpnGateway: return vpn_gateway_route_state(t, v, r);
    case RouteTargetKind::kVpcEndpoint: return vpc_endpoint_route_state(t, v, r);
    default:
      // VPN gateways, endpoints...: not modeled; the
      // analyzer reports paths that leave through them.
      return r.state;
  }
}

std::string Finalizer::dest(const Route& r) {
  if (r.destination) return r.destination->str();
  return !r.destination_ipv6.empty() ? r.destination_ipv6 : r.destination_prefix_list;
}

}  // namespace vpclab::model
