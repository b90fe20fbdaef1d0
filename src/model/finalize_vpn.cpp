// finalize(): site-to-site VPN (aws-tgw-nlb.md section 7). Customer gateways,
// virtual private gateways (one VPC each), VPN connections (to a VGW, or to
// a TGW as an attachment of type vpn), their static routes, what each VGW
// knows and each connection advertises, VGW route propagation into VPC route
// tables, and the on-premises networks of the lab manifest. Rules from
// semantics/vpn.h. A declaration in a stack AWS would refuse is an error; the
// same in a snapshot is a warning.
#include <map>
#include <set>

#include "model/finalizer.h"
#include "model/ids.h"
#include "semantics/vpn.h"

namespace vpclab::model {

namespace {
bool in_stack(const Origin& o) { return o.declared(); }
}  // namespace

// A VPN connection to a TGW is a TGW attachment (resource type vpn); a
// snapshot lists it, a template makes it implicitly.
void Finalizer::add_implicit_vpn_attachments() {
  for (auto& v : net_.vpn_connections) {
    if (v.transit_gateway.empty()) continue;
    for (const auto& a : net_.transit_gateway_attachments)
      if (a.resource_type == "vpn" && a.resource_id == v.id) v.transit_gateway_attachment = a.id;
    if (!v.transit_gateway_attachment.empty() || !in_stack(v.origin)) continue;
    TransitGatewayAttachment a;
    a.id = make_id("tgw-attach", {v.id, "vpn"});
    a.origin = v.origin;
    a.name = v.name;
    a.transit_gateway = v.transit_gateway;
    a.resource_type = "vpn";
    a.resource_id = v.id;
    a.resource_owner = v.origin.account;
    v.transit_gateway_attachment = a.id;
    net_.transit_gateway_attachments.push_back(std::move(a));
  }
}

std::vector<Ipv4Cidr> Finalizer::on_premises_prefixes(const std::string& cgw) const {
  std::vector<Ipv4Cidr> out;
  for (const auto& o : net_.on_premises)
    if (o.customer_gateway == cgw) out.insert(out.end(), o.cidrs.begin(), o.cidrs.end());
  return out;
}

void Finalizer::finish_vpn() {
  auto problem = [&](const Origin& o, SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    if (in_stack(o)) error(loc, code, std::move(msg), std::move(fix));
    else warning(loc, code, std::move(msg), std::move(fix));
  };
  // One VGW per VPC (AttachVpnGateway refuses a second).
  std::map<std::string, const VpnGateway*> vgw_of_vpc;
  for (const auto& g : net_.vpn_gateways) {
    if (g.vpc.empty()) continue;
    SourceLoc loc = g.attachment_loc.known() ? g.attachment_loc : g.origin.loc;
    const Vpc* v = net_.vpc(g.vpc);
    if (!v) {
      problem(g.origin, loc, "VGW_UNKNOWN_VPC",
              fmt::format("virtual private gateway {} is attached to VPC '{}', which is not defined", who(g), g.vpc));
      continue;
    }
    auto [it, fresh] = vgw_of_vpc.emplace(g.vpc, &g);
    if (!fresh)
      problem(g.origin, loc, "VGW_VPC_HAS_GATEWAY",
              fmt::format("VPC {} already has virtual private gateway {} attached; a VPC has one at a time", who(*v),
                          who(*it->second)));
  }
  for (auto& c : net_.vpn_connections) {
    if (!net_.customer_gateway(c.customer_gateway))
      problem(c.origin, c.origin.loc, "VPN_UNKNOWN_CGW",
              fmt::format("VPN connection {} names customer gateway '{}', which is not defined", who(c),
                          c.customer_gateway));
    if (!c.vpn_gateway.empty()) {
      const VpnGateway* g = net_.vpn_gateway(c.vpn_gateway);
      if (!g)
        problem(c.origin, c.origin.loc, "VPN_UNKNOWN_VGW",
                fmt::format("VPN connection {} names virtual private gateway '{}', which is not defined", who(c),
                            c.vpn_gateway));
      else if (g->vpc.empty())
        // AWS creates it, but a detached VGW forwards nothing.
        warning(c.origin.loc, "VPN_VGW_NOT_ATTACHED",
                fmt::format("VPN connection {}: virtual private gateway {} is attached to no VPC; nothing crosses "
                            "the connection",
                            who(c), who(*g)),
                "attach the VGW with an AWS::EC2::VPCGatewayAttachment (VpnGatewayId)");
    }
    if (!c.transit_gateway.empty() && !net_.transit_gateway(c.transit_gateway))
      problem(c.origin, c.origin.loc, "VPN_UNKNOWN_TGW",
              fmt::format("VPN connection {} names transit gateway '{}', which is not defined", who(c),
                          c.transit_gateway));
    // Static routes (CreateVpnConnectionRoute) belong to a VGW connection
    // with static routing: a TGW keeps its static routes in its route tables,
    // a BGP connection learns its prefixes (vpclab's reading of the API
    // reference; aws-tgw-nlb.md section 7 marks the TGW case UNCONFIRMED).
    std::set<Ipv4Cidr> seen;
    std::vector<VpnStaticRoute> kept;
    for (const auto& r : c.routes) {
      if (!c.transit_gateway.empty()) {
        problem(c.origin, r.loc, "VPN_ROUTE_TGW_CONNECTION",
                fmt::format("static route {} names VPN connection {}, which ends at a transit gateway: its static "
                            "routes belong in the TGW route table",
                            r.destination.str(), who(c)),
                "add an AWS::EC2::TransitGatewayRoute to the VPN attachment instead");
        continue;
      }
      if (!c.static_routes_only) {
        problem(c.origin, r.loc, "VPN_ROUTE_NOT_STATIC",
                fmt::format("static route {} names VPN connection {}, which uses BGP (StaticRoutesOnly is false): "
                            "it learns its routes from the customer gateway",
                            r.destination.str(), who(c)),
                "set StaticRoutesOnly: true on the connection, or remove the static route");
        continue;
      }
      if (!seen.insert(r.destination).second) {
        problem(c.origin, r.loc, "VPN_ROUTE_DUPLICATE",
                fmt::format("VPN connection {} already has a static route to {}", who(c), r.destination.str()));
        continue;
      }
      kept.push_back(r);
    }
    c.routes = std::move(kept);
  }
  // What each VGW knows: per connection, its static routes or its BGP prefixes.
  for (auto& g : net_.vpn_gateways) {
    g.routes.clear();
    for (const auto& c : net_.vpn_connections) {
      if (c.vpn_gateway != g.id) continue;
      std::vector<std::pair<Ipv4Cidr, SourceLoc>> statics;
      for (const auto& r : c.routes) statics.emplace_back(r.destination, r.loc);
      SourceLoc bgp_loc = c.origin.loc;
      for (const auto& o : net_.on_premises)
        if (o.customer_gateway == c.customer_gateway) bgp_loc = o.loc;
      for (auto& r : semantics::vpn_connection_routes(c.id, c.static_routes_only, statics,
                                                      on_premises_prefixes(c.customer_gateway), bgp_loc))
        g.routes.push_back(std::move(r));
    }
  }
  // What the AWS side advertises to the customer gateway.
  for (auto& c : net_.vpn_connections) {
    c.advertised.clear();
    if (const VpnGateway* g = c.vpn_gateway.empty() ? nullptr : net_.vpn_gateway(c.vpn_gateway)) {
      if (const Vpc* v = net_.vpc(g->vpc)) c.advertised = v->cidrs;
    } else if (const auto* a = net_.transit_gateway_attachment(c.transit_gateway_attachment)) {
      if (const auto* t = net_.transit_gateway_route_table(a->route_table))
        for (const auto& r : t->routes)
          if (r.destination && !r.blackhole && r.attachment != a->id) c.advertised.push_back(*r.destination);
    }
  }
  check_on_premises();
  check_vgw_propagations();
}

void Finalizer::check_on_premises() {
  for (size_t i = 0; i < net_.on_premises.size(); ++i) {
    const auto& o = net_.on_premises[i];
    const CustomerGateway* g = net_.customer_gateway(o.customer_gateway);
    if (!g) {
      error(o.loc, "ONPREM_UNKNOWN_CGW",
            fmt::format("on-premises network {} names customer gateway '{}', which is not defined", o.name,
                        o.customer_gateway));
      continue;
    }
    if (net_.vpn_connections_of_customer_gateway(g->id).empty())
      warning(o.loc, "ONPREM_NO_VPN",
              fmt::format("on-premises network {}: customer gateway {} has no VPN connection; nothing reaches it",
                          o.name, who(*g)));
    for (size_t k = 0; k < o.cidrs.size(); ++k) {
      SourceLoc loc = k < o.cidr_locs.size() ? o.cidr_locs[k] : o.loc;
      for (const auto& v : net_.vpcs)
        for (const auto& vc : v.cidrs)
          if (vc.overlaps(o.cidrs[k]))
            error(loc, "ONPREM_CIDR_OVERLAP",
                  fmt::format("on-premises network {}: {} overlaps {} of VPC {}; the VPC's local route would win and "
                              "the office could not be reached",
                              o.name, o.cidrs[k].str(), vc.str(), who(v)));
      for (size_t j = 0; j < i; ++j)
        for (const auto& oc : net_.on_premises[j].cidrs)
          if (oc.overlaps(o.cidrs[k]))
            error(loc, "ONPREM_CIDR_OVERLAP",
                  fmt::format("on-premises network {}: {} overlaps {} of on-premises network {}", o.name,
                              o.cidrs[k].str(), oc.str(), net_.on_premises[j].name));
    }
  }
}

void Finalizer::check_vgw_propagations() {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& p : net_.vpn_gateway_route_propagations) {
    if (p.from_input) continue;
    const VpnGateway* g = net_.vpn_gateway(p.vpn_gateway);
    const RouteTable* t = net_.route_table(p.route_table);
    if (!g) {
      error(p.loc, "VGW_PROPAGATION_UNKNOWN_VGW",
            fmt::format("route propagation names virtual private gateway '{}', which is not defined", p.vpn_gateway));
      continue;
    }
    if (!t) {
      error(p.loc, "VGW_PROPAGATION_UNKNOWN_RTB",
            fmt::format("route propagation of {} names route table '{}', which is not defined", who(*g),
                        p.route_table));
      continue;
    }
    if (g->vpc != t->vpc) {
      // EnableVgwRoutePropagation needs the VGW attached to the table's VPC
      // (the CloudFormation page: DependsOn the VPCGatewayAttachment).
      error(p.loc, "VGW_PROPAGATION_NOT_ATTACHED",
            fmt::format("{} cannot propagate into route table {}: it is {}", who(*g), who(*t),
                        g->vpc.empty() ? std::string("attached to no VPC") : "attached to VPC " + g->vpc + ", not " + t->vpc),
            "attach the VGW to the table's VPC (AWS::EC2::VPCGatewayAttachment) and DependsOn it");
      continue;
    }
    if (!seen.insert({g->id, t->id}).second)
      error(p.loc, "VGW_PROPAGATION_DUPLICATE",
            fmt::format("{} already propagates into route table {}", who(*g), who(*t)));
  }
}

// After finish_route_tables(): the propagated routes, behind the declared
// ones (semantics::select_route prefers static routes of the same prefix).
void Finalizer::add_vgw_propagated_routes() {
  std::set<std::pair<std::string, std::string>> done;
  for (const auto& p : net_.vpn_gateway_route_propagations) {
    if (p.from_input || !done.insert({p.vpn_gateway, p.route_table}).second) continue;
    const VpnGateway* g = net_.vpn_gateway(p.vpn_gateway);
    RouteTable* t = nullptr;
    for (auto& rt : net_.route_tables)
      if (rt.id == p.route_table) t = &rt;
    if (!g || !t || g->vpc != t->vpc) continue;
    for (auto& r : semantics::vgw_propagated_routes(g->id, g->routes)) {
      bool dup = false;
      for (const auto& x : t->routes) dup = dup || (x.propagated && x.destination == r.destination);
      if (dup) continue;
      r.loc = p.loc;
      t->routes.push_back(std::move(r));
    }
  }
}

RouteState Finalizer::vpn_gateway_route_state(const RouteTable& t, const Vpc& v, const Route& r) {
  const VpnGateway* g = net_.vpn_gateway(r.target_id);
  // Not in the input (a snapshot without describe-vpn-gateways, a literal
  // id): the analyzer reports paths through it as undecidable.
  if (!g) return r.state;
  if (g->vpc != v.id) {
    // CreateRoute refuses a gateway that is not attached to the table's VPC.
    std::string msg = fmt::format("route to {} in {} targets virtual private gateway {}, which is {}", dest(r), who(t),
                                  who(*g), g->vpc.empty() ? std::string("attached to no VPC") : "attached to VPC " + g->vpc);
    if (in_stack(t.origin))
      error(r.loc, "ROUTE_VGW_NOT_ATTACHED", msg, "attach it to " + who(v) + " and DependsOn the attachment");
    else warning(r.loc, "ROUTE_VGW_NOT_ATTACHED", msg + ": blackhole");
    return RouteState::kBlackhole;
  }
  return r.state;
}

}  // namespace vpclab::model
