// The walker across a site-to-site VPN connection (aws-tgw-nlb.md section
// 7). Out: a VPC route to a VGW, whose routes (static or BGP, per
// connection) pick the connection; or a TGW route to a vpn attachment. The
// connection must be available with a tunnel UP; beyond the customer gateway
// the packet reaches a host of the lab manifest's on-premises network. In:
// from such a host, the customer gateway sends the packet over the
// connection advertising the destination; a VGW hands it to the VPC, a TGW
// routes it by the vpn attachment's table (walk_tgw.cpp). Rules from
// semantics/vpn.h.
#include "analysis/impl.h"
#include "semantics/vpn.h"

namespace vpclab::analysis {

namespace {
std::string vpn_route_text(const VpnRoute& r) {
  return r.destination.str() + " -> " + r.connection + (r.static_route ? " (static)" : " (BGP)");
}
}  // namespace

void Analyzer::Impl::cross_vpn_out(Leg& leg, const SubnetInfo* cur, Ipv4Address src, Ipv4Address dst,
                                   const Route* vgw_route, const model::TransitGatewayAttachment* tgw_out,
                                   const ReplyContext* reply, bool detail) const {
  auto x = std::make_shared<VpnCrossing>();
  Step st;
  st.kind = StepKind::kVpn;
  st.subnet = cur;
  st.src = src;
  st.dst = dst;
  st.route = vgw_route;
  auto done = [&](const char* code, std::string msg, Leg::End end = Leg::End::kBlocked) {
    st.code = code;
    if (detail) st.message = std::move(msg);
    st.vpn = x;
    leg.steps.push_back(std::move(st));
    leg.end = end;
  };
  if (vgw_route) {
    x->vgw = net.vpn_gateway(vgw_route->target_id);
    if (!x->vgw || !cur || x->vgw->vpc != cur->vpc->id)
      return done("BAD_STATE_ROUTE", "virtual private gateway " + vgw_route->target_id + " is not attached to this VPC");
    x->route = semantics::select_vpn_route(x->vgw->routes, dst);
    if (!x->route)
      return done("VPN_ROUTE_MISSING", "virtual private gateway " + component(x->vgw->origin, x->vgw->id) +
                                           " has no VPN route for " + dst.str() +
                                           " (no static VPN route, and no BGP prefix from a customer gateway)");
    x->connection = net.vpn_connection(x->route->connection);
  } else {
    x->attachment = tgw_out;
    x->connection = net.vpn_connection(tgw_out->resource_id);
  }
  if (!x->connection)
    return done("UNMODELED_COMPONENT", "the VPN connection is not in the input", Leg::End::kUndecidable);
  const model::VpnConnection& c = *x->connection;
  if (!semantics::vpn_connection_forwards(c.state, c.tunnels))
    return done(tgw_out ? "TGW_BAD_STATE_VPN" : "BAD_STATE_VPN",
                "VPN connection " + component(c.origin, c.id) + " is " + c.state + " with no tunnel UP");
  x->cgw = net.customer_gateway(c.customer_gateway);
  for (const auto& o : net.on_premises)
    if (o.customer_gateway == c.customer_gateway && o.contains(dst)) x->on_prem = &o;
  if (!x->on_prem)
    return done("UNMODELED_COMPONENT",
                dst.str() + " lies beyond customer gateway " + c.customer_gateway +
                    ", but no on_premises entry of the lab manifest behind it holds it",
                Leg::End::kUndecidable);
  if (reply && reply->client_on_prem != x->on_prem)
    return done("RETURN_ROUTE_MISMATCH", "replies to " + dst.str() + " leave by VPN connection " + c.id +
                                             " to on-premises network " + x->on_prem->name + ", not to the client");
  if (reply && dst != reply->client)
    return done("RETURN_ROUTE_MISMATCH", "replies reach " + dst.str() + " instead of the client " + reply->client.str());
  st.vpn = x;
  leg.steps.push_back(std::move(st));
  leg.end = Leg::End::kDelivered;
  leg.on_prem = x->on_prem;
  leg.seen_src = src;
}

bool Analyzer::Impl::enter_from_on_premises(Leg& leg, const WalkStart& from, Ipv4Address dst, PortRange reply_ports,
                                            bool detail, const ReplyContext* reply, const EniInfo*& arrived,
                                            const SubnetInfo*& cur) const {
  auto x = std::make_shared<VpnCrossing>();
  x->outbound = false;
  x->on_prem = from.on_prem;
  x->cgw = net.customer_gateway(from.on_prem->customer_gateway);
  Step st;
  st.kind = StepKind::kVpn;
  st.src = from.address;
  st.dst = dst;
  auto stop = [&](const char* code, std::string msg, Leg::End end = Leg::End::kBlocked) {
    st.code = code;
    if (detail) st.message = std::move(msg);
    st.vpn = x;
    leg.steps.push_back(std::move(st));
    leg.end = end;
    return false;
  };
  auto conns = net.vpn_connections_of_customer_gateway(from.on_prem->customer_gateway);
  std::vector<std::vector<Ipv4Cidr>> advertised;
  for (const auto* c : conns) advertised.push_back(c->advertised);
  auto pick = semantics::customer_gateway_route(advertised, dst);
  if (!pick)
    return stop("ON_PREMISES_NO_ROUTE", "no VPN connection of customer gateway " + from.on_prem->customer_gateway +
                                            " advertises a route to " + dst.str());
  x->connection = conns[*pick];
  const model::VpnConnection& c = *x->connection;
  if (!c.transit_gateway.empty()) x->attachment = net.transit_gateway_attachment(c.transit_gateway_attachment);
  else x->vgw = net.vpn_gateway(c.vpn_gateway);
  if (!semantics::vpn_connection_forwards(c.state, c.tunnels))
    return stop(x->attachment ? "TGW_BAD_STATE_VPN" : "BAD_STATE_VPN",
                "VPN connection " + component(c.origin, c.id) + " is " + c.state + " with no tunnel UP");
  st.vpn = x;
  leg.steps.push_back(std::move(st));
  if (x->attachment) {
    cur = cross_transit_gateway(leg, nullptr, from.address, dst, nullptr, reply_ports, detail, reply, x->attachment);
    return cur != nullptr;
  }
  // The VGW hands the packet to the VPC: the VPC's local routes deliver it.
  const model::Vpc* v = x->vgw ? vpc(x->vgw->vpc) : nullptr;
  const EniInfo* e = v ? eni_at(v, dst) : nullptr;
  if (!e) {
    Step f;
    f.kind = StepKind::kFail;
    f.src = from.address;
    f.dst = dst;
    f.code = "UNKNOWN_DESTINATION";
    f.message = "no interface holds " + dst.str() + (v ? " in VPC " + component(v->origin, v->id) : std::string());
    leg.steps.push_back(std::move(f));
    leg.end = Leg::End::kBlocked;
    return false;
  }
  leg.steps.push_back(make_step(StepKind::kNaclIn, nullptr, e->subnet, from.address, dst, reply_ports));
  arrived = e;
  return true;
}

bool Analyzer::Impl::evaluate_vpn(const Step& s, bool, const std::string& leg_name, std::vector<Hop>* hops,
                                  std::vector<Explanation>* expl, bool& undecidable) const {
  const VpnCrossing& x = *s.vpn;
  auto hop = [&](std::string comp, std::string id, std::string display, std::string check, std::string matched,
                 SourceLoc loc, bool allowed) {
    if (hops)
      hops->push_back(Hop{std::move(comp), std::move(id), std::move(display), leg_name, std::move(check),
                          std::move(matched), loc, allowed});
  };
  const model::VpnConnection* c = x.connection;
  std::string onprem = x.on_prem ? "on-premises network " + x.on_prem->name : std::string("on premises");
  // The phase that failed decides which hops are shown as blocking.
  bool route_ok = x.outbound ? (!x.vgw || x.route) : c != nullptr;
  bool conn_ok = c && semantics::vpn_connection_forwards(c->state, c->tunnels);
  if (x.outbound && x.vgw) {
    hop("virtual-private-gateway", x.vgw->id, x.vgw->origin.display(x.vgw->id), "VPN route for " + s.dst.str(),
        x.route ? vpn_route_text(*x.route) : "no route", x.route && x.route->loc.known() ? x.route->loc : x.vgw->origin.loc,
        route_ok);
  }
  if (!x.outbound && x.cgw) {
    hop("customer-gateway", x.cgw->id, x.cgw->origin.display(x.cgw->id), "from " + onprem + " to " + s.dst.str(),
        c ? "over VPN connection " + c->id : "no VPN connection advertises " + s.dst.str(), x.cgw->origin.loc, route_ok);
  }
  if (c && (route_ok || !x.outbound)) {
    std::string tunnels;
    for (const auto& t : c->tunnels) tunnels += (tunnels.empty() ? "" : ", ") + t;
    hop("vpn-connection", c->id, c->origin.display(c->id),
        std::string(x.outbound ? "to" : "from") + " customer gateway " + c->customer_gateway,
        "state " + c->state + ", tunnels " + tunnels + (c->static_routes_only ? ", static routing" : ", BGP"),
        c->origin.loc, conn_ok);
  }
  if (x.outbound && conn_ok && x.cgw) {
    hop("customer-gateway", x.cgw->id, x.cgw->origin.display(x.cgw->id), "destination " + s.dst.str(),
        x.on_prem ? "delivered to " + onprem : "no on-premises network holds " + s.dst.str(),
        x.on_prem ? x.on_prem->loc : x.cgw->origin.loc, s.code == nullptr);
  }
  if (!s.code) return true;
  if (std::string_view(s.code) == "UNMODELED_COMPONENT") undecidable = true;
  if (expl) {
    std::string comp = c ? component(c->origin, c->id) : x.vgw ? component(x.vgw->origin, x.vgw->id)
                                                         : x.cgw ? component(x.cgw->origin, x.cgw->id) : onprem;
    SourceLoc loc = c ? c->origin.loc : SourceLoc{};
    if (std::string_view(s.code) == "VPN_ROUTE_MISSING" && x.vgw) {
      comp = component(x.vgw->origin, x.vgw->id);
      loc = x.vgw->origin.loc;
    }
    if (std::string_view(s.code) == "ON_PREMISES_NO_ROUTE") loc = x.on_prem ? x.on_prem->loc : SourceLoc{};
    const CodeInfo* ci = code_info(s.code);
    expl->push_back(Explanation{s.code, comp, s.message, ci ? ci->fix : "", loc});
  }
  return false;
}

}  // namespace vpclab::analysis
