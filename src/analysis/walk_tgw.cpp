// The walker across a transit gateway (aws-tgw-nlb.md sections 2-3): from a
// VPC route whose target is a TGW, into the TGW by the source VPC's
// attachment (only in an AZ where it has a subnet), the attachment's
// associated TGW route table and the route it chooses, the egress attachment
// and its ENI in the destination AZ, into the destination VPC's attachment
// subnet, whose route table and NACL the walk then applies (walk.cpp).
// Every rule comes from semantics/transit_gateway.h.
#include <algorithm>

#include "analysis/impl.h"
#include "semantics/transit_gateway.h"

namespace vpclab::analysis {

bool vpcs_share_transit_gateway(const model::Network& net, const std::string& a, const std::string& b) {
  for (const auto& x : net.transit_gateway_attachments)
    if (x.resource_type == "vpc" && x.resource_id == a && net.vpc_attachment(x.transit_gateway, b)) return true;
  return false;
}

const TransitGatewayRoute* Analyzer::Impl::transit_gateway_route(const model::TransitGatewayRouteTable& t,
                                                                  Ipv4Address dst) const {
  std::call_once(tgw_routes_once, [this] {
    auto idx = std::make_unique<std::unordered_map<const model::TransitGatewayRouteTable*, RoutePieces>>();
    for (const auto& table : net.transit_gateway_route_tables) {
      // Inside one piece every route contains dst or not alike: the rule's choice is the same.
      std::vector<uint32_t> starts{0};
      auto cut = [&](const Ipv4Cidr& c) {
        starts.push_back(c.first().value);
        if (c.last().value != UINT32_MAX) starts.push_back(c.last().value + 1);
      };
      for (const auto& r : table.routes) {
        if (r.destination) cut(*r.destination);
        for (const auto& c : r.prefix_list_cidrs) cut(c);
      }
      std::sort(starts.begin(), starts.end());
      starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
      RoutePieces& pieces = (*idx)[&table];
      for (uint32_t s : starts) pieces.emplace_back(s, semantics::select_transit_gateway_route(table.routes, Ipv4Address{s}));
    }
    tgw_routes = std::move(idx);
  });
  auto it = tgw_routes->find(&t);
  if (it == tgw_routes->end()) return semantics::select_transit_gateway_route(t.routes, dst);
  const RoutePieces& p = it->second;
  auto at = std::upper_bound(p.begin(), p.end(), dst.value, [](uint32_t v, const auto& e) { return v < e.first; });
  return std::prev(at)->second;  // p starts at 0
}

namespace {
std::vector<std::string> attachment_azs(const Analyzer::Impl& im, const model::TransitGatewayAttachment& a,
                                        std::vector<const SubnetInfo*>& subnets) {
  std::vector<std::string> azs;
  for (const auto& id : a.subnets)
    if (const SubnetInfo* s = im.subnet_info(id)) {
      subnets.push_back(s);
      azs.push_back(s->subnet->availability_zone);
    }
  return azs;
}

std::string route_text(const TransitGatewayRoute& r) {
  std::string d = r.destination ? r.destination->str() : r.destination_prefix_list;
  if (r.blackhole) return d + " -> blackhole";
  return d + " -> " + r.attachment + (r.propagated ? " (propagated)" : " (static)");
}
}  // namespace

const SubnetInfo* Analyzer::Impl::cross_transit_gateway(Leg& leg, const SubnetInfo* cur, Ipv4Address src,
                                                        Ipv4Address dst, const Route* r, PortRange reply_ports,
                                                        bool detail, const ReplyContext* reply,
                                                        const model::TransitGatewayAttachment* vpn_in) const {
  auto x = std::make_shared<TgwCrossing>();
  Step st;
  st.kind = StepKind::kTransitGateway;
  st.subnet = cur;
  st.src = src;
  st.dst = dst;
  st.route = r;
  TgwCrossing* seg = x.get();  // the TGW being crossed (the last of a chain of peerings)
  auto stop = [&](TgwCrossing::Phase phase, const char* code, std::string msg,
                  Leg::End end = Leg::End::kBlocked) -> const SubnetInfo* {
    seg->phase = phase;
    st.code = code;
    if (detail) st.message = std::move(msg);
    st.tgw = x;
    leg.steps.push_back(std::move(st));
    leg.end = end;
    return nullptr;
  };
  // A VPN attachment has no AZ: its packets leave by the destination
  // attachment's ENI that semantics::transit_gateway_exit picks for "".
  std::string az;
  if (vpn_in) {
    x->tgw = net.transit_gateway(vpn_in->transit_gateway);
    x->in = vpn_in;
    if (!x->tgw)
      return stop(TgwCrossing::Phase::kEntry, "BAD_STATE_ATTACHMENT",
                  "transit gateway " + vpn_in->transit_gateway + " of VPN attachment " + vpn_in->id + " does not exist");
    if (!semantics::transit_gateway_attachment_forwards(x->in->state))
      return stop(TgwCrossing::Phase::kEntry, "BAD_STATE_ATTACHMENT",
                  "transit gateway attachment " + component(x->in->origin, x->in->id) + " is " + x->in->state);
  } else {
  const model::Vpc* v = cur->vpc;
  x->tgw = net.transit_gateway(r->target_id);
  if (!x->tgw) return stop(TgwCrossing::Phase::kEntry, "BAD_STATE_ROUTE", "transit gateway " + r->target_id + " does not exist");
  x->in = net.vpc_attachment(x->tgw->id, v->id);
  if (!x->in)
    return stop(TgwCrossing::Phase::kEntry, "BAD_STATE_ROUTE",
                "VPC " + component(v->origin, v->id) + " has no attachment to transit gateway " + r->target_id);
  // Entry: only in an AZ where the attachment has a subnet.
  std::vector<const SubnetInfo*> in_subnets;
  auto in_azs = attachment_azs(*this, *x->in, in_subnets);
  az = cur->subnet->availability_zone;
  auto entry = semantics::transit_gateway_entry(in_azs, az);
  if (!entry)
    return stop(TgwCrossing::Phase::kEntry, "TGW_ROUTE_AZ_RESTRICTION",
                "transit gateway attachment " + component(x->in->origin, x->in->id) + " has no subnet in " + az +
                    ": resources of subnet " + cur->subnet->origin.display(cur->subnet->id) +
                    " cannot reach transit gateway " + component(x->tgw->origin, x->tgw->id));
  x->entry = in_subnets[*entry];
  // From the sender's subnet to the TGW's ENI in another subnet: that
  // subnet's inbound NACL rules apply (UNCONFIRMED, aws-tgw-nlb.md section 2).
  if (x->entry != cur) {
    leg.steps.push_back(make_step(StepKind::kNaclIn, nullptr, x->entry, src, dst, reply_ports));
  }
  if (!semantics::transit_gateway_attachment_forwards(x->in->state))
    return stop(TgwCrossing::Phase::kEntry, "BAD_STATE_ATTACHMENT",
                "transit gateway attachment " + component(x->in->origin, x->in->id) + " is " + x->in->state);
  }
  // The table associated with the attachment the packet arrives on decides;
  // a route to a peering attachment enters the peer TGW, whose table for that
  // attachment decides next (at most a few TGWs: a loop of peerings ends).
  for (int tgws = 1;; ++tgws) {
    const std::string& table = seg->in->route_table_of(seg->tgw->id);
    if (table.empty())
      return stop(TgwCrossing::Phase::kAssociation, "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION",
                  "transit gateway attachment " + component(seg->in->origin, seg->in->id) +
                      " is associated with no route table of transit gateway " + component(seg->tgw->origin, seg->tgw->id));
    seg->rtb = net.transit_gateway_route_table(table);
    if (!seg->rtb || !seg->rtb->routes_known)
      return stop(TgwCrossing::Phase::kAssociation, "TGW_RTB_ROUTES_ARE_UNKNOWN",
                  "the routes of transit gateway route table " + table +
                      " are not known (another account's table is not in the input)",
                  Leg::End::kUndecidable);
    seg->route = transit_gateway_route(*seg->rtb, dst);
    if (!seg->route)
      return stop(TgwCrossing::Phase::kRoute, "TGW_RTB_CANNOT_ROUTE",
                  "transit gateway route table " + component(seg->rtb->origin, seg->rtb->id) + " has no route for " +
                      dst.str());
    if (seg->route->blackhole)
      return stop(TgwCrossing::Phase::kRoute, "TGW_RTB_BAD_STATE_ROUTE",
                  "route " + route_text(*seg->route) + " in transit gateway route table " +
                      component(seg->rtb->origin, seg->rtb->id) + " drops " + dst.str());
    seg->out = net.transit_gateway_attachment(seg->route->attachment);
    if (!seg->out)
      return stop(TgwCrossing::Phase::kExit, "BAD_STATE_ROUTE",
                  "route " + route_text(*seg->route) + " names attachment " + seg->route->attachment +
                      ", which does not exist");
    if (!semantics::transit_gateway_attachment_forwards(seg->out->state))
      return stop(TgwCrossing::Phase::kExit, "BAD_STATE_ATTACHMENT",
                  "transit gateway attachment " + component(seg->out->origin, seg->out->id) + " is " + seg->out->state);
    if (!seg->out->is_peering()) break;
    const model::TransitGateway* peer = net.transit_gateway(seg->out->peer_of(seg->tgw->id));
    if (!peer)
      return stop(TgwCrossing::Phase::kExit, "UNMODELED_COMPONENT",
                  "the route " + route_text(*seg->route) + " leaves transit gateway " + seg->tgw->id +
                      " by peering attachment " + seg->out->id + " to transit gateway " +
                      seg->out->peer_of(seg->tgw->id) + ", which is not in the input",
                  Leg::End::kUndecidable);
    if (tgws >= 8)
      return stop(TgwCrossing::Phase::kRoute, "TGW_RTB_CANNOT_ROUTE",
                  "routes over transit gateway peering attachments loop without reaching " + dst.str());
    seg->phase = TgwCrossing::Phase::kDone;
    seg->next = std::make_shared<TgwCrossing>();
    seg->next->tgw = peer;
    seg->next->in = seg->out;
    seg = seg->next.get();
  }
  if (seg->out->resource_type == "vpn") {
    // Out over the VPN connection (walk_vpn.cpp) to the customer gateway.
    seg->phase = TgwCrossing::Phase::kDone;
    st.tgw = x;
    leg.steps.push_back(std::move(st));
    cross_vpn_out(leg, cur, src, dst, nullptr, seg->out, reply, detail);
    return nullptr;
  }
  const model::Vpc* to = seg->out->resource_type == "vpc" ? vpc(seg->out->resource_id) : nullptr;
  if (!to)
    return stop(TgwCrossing::Phase::kExit, "UNMODELED_COMPONENT",
                "the route " + route_text(*seg->route) + " leaves transit gateway " + seg->tgw->id + " by a " +
                    seg->out->resource_type + " attachment to " + seg->out->resource_id +
                    (seg->out->resource_type == "vpc" ? ", a VPC outside the model" : ", which vpclab does not model yet"),
                Leg::End::kUndecidable);
  // Exit: the destination attachment's ENI in the entry AZ, else another. A
  // packet that came over a peering has no AZ there (UNCONFIRMED, as `up` runs it).
  std::vector<const SubnetInfo*> out_subnets;
  auto out_azs = attachment_azs(*this, *seg->out, out_subnets);
  auto exit = semantics::transit_gateway_exit(out_azs, seg == x.get() ? az : std::string());
  if (!exit)
    return stop(TgwCrossing::Phase::kExit, "TGW_ATTACH_VPC_AZ_RESTRICTION",
                "transit gateway attachment " + component(seg->out->origin, seg->out->id) + " has no subnet in VPC " +
                    component(to->origin, to->id));
  seg->exit = out_subnets[*exit];
  seg->phase = TgwCrossing::Phase::kDone;
  st.tgw = x;
  leg.steps.push_back(std::move(st));
  return seg->exit;
}

bool Analyzer::Impl::evaluate_transit_gateway(const Step& s, bool reply, const std::string& leg_name,
                                              std::vector<Hop>* hops, std::vector<Explanation>* expl,
                                              bool& undecidable) const {
  using P = TgwCrossing::Phase;
  if (!hops && !expl) {  // the verdict alone (matrix): no hop text to build
    if (!s.code) return true;
    std::string_view code = s.code;
    if (code == "UNMODELED_COMPONENT" || code == "TGW_RTB_ROUTES_ARE_UNKNOWN") undecidable = true;
    return false;
  }
  auto hop = [&](std::string comp, std::string id, std::string display, std::string check, std::string matched,
                 SourceLoc loc, bool allowed) {
    if (hops)
      hops->push_back(Hop{std::move(comp), std::move(id), std::move(display), leg_name, std::move(check),
                          std::move(matched), loc, allowed});
  };
  // One TGW after another when peering attachments join them; the last decides.
  const TgwCrossing* last = s.tgw.get();
  for (const TgwCrossing* c = s.tgw.get(); c; c = c->next.get()) {
    last = c;
    const TgwCrossing& x = *c;
    std::string tgw = x.tgw ? component(x.tgw->origin, x.tgw->id) : s.route ? s.route->target_id : "transit gateway";
    if (c == s.tgw.get() && !s.subnet && x.in) {  // in from a VPN connection
      hop("transit-gateway-attachment", x.in->id, x.in->origin.display(x.in->id),
          "enters " + tgw + " from VPN connection " + x.in->resource_id, "vpn attachment, state " + x.in->state,
          x.in->origin.loc, x.phase != P::kEntry);
    } else if (c != s.tgw.get()) {
      hop("transit-gateway-attachment", x.in->id, x.in->origin.display(x.in->id), "enters " + tgw + " by peering",
          "from transit gateway " + x.in->peer_of(x.tgw->id), x.in->origin.loc, true);
    } else {
      bool ok = x.phase != P::kEntry;
      std::string check = "enters " + tgw + " from subnet " + s.subnet->subnet->origin.display(s.subnet->subnet->id) +
                          " (" + s.subnet->subnet->availability_zone + ")";
      std::string matched = x.entry ? "ENI in subnet " + x.entry->subnet->origin.display(x.entry->subnet->id) +
                                          (x.in ? ", state " + x.in->state : "")
                                    : "no attachment subnet in " + s.subnet->subnet->availability_zone;
      hop("transit-gateway-attachment", x.in ? x.in->id : "", x.in ? x.in->origin.display(x.in->id) : tgw, check,
          matched, x.in ? x.in->origin.loc : SourceLoc{}, ok);
    }
    // Association and route.
    if (x.phase != P::kEntry) {
      bool ok = x.phase != P::kAssociation && x.phase != P::kRoute;
      std::string matched = x.route ? route_text(*x.route) : x.rtb ? "no route" : "no associated route table";
      SourceLoc loc = x.route && x.route->loc.known() ? x.route->loc
                      : x.rtb                          ? x.rtb->origin.loc
                                                       : (x.in ? x.in->origin.loc : SourceLoc{});
      hop("transit-gateway-route-table", x.rtb ? x.rtb->id : "",
          x.rtb ? x.rtb->origin.display(x.rtb->id) : std::string("(none)"), "route for " + s.dst.str(), matched, loc, ok);
    }
    // Exit.
    if (x.phase == P::kExit || x.phase == P::kDone) {
      bool ok = x.phase == P::kDone;
      std::string matched;
      if (x.exit) {
        matched = "ENI in subnet " + x.exit->subnet->origin.display(x.exit->subnet->id) + " (" +
                  x.exit->subnet->availability_zone + ")";
        if (x.entry && x.exit->subnet->availability_zone != x.entry->subnet->availability_zone)
          matched += ", AVAILABILITY_ZONE_CROSSED: no attachment subnet in " + x.entry->subnet->availability_zone;
      }
      if (x.out && x.out->resource_type == "vpn") matched = "vpn attachment to VPN connection " + x.out->resource_id;
      std::string to = !x.out                             ? std::string("?")
                       : x.out->resource_type == "vpc"     ? "VPC " + x.out->resource_id
                       : x.out->resource_type == "vpn"     ? "VPN connection " + x.out->resource_id
                       : x.out->is_peering() && x.tgw      ? "transit gateway " + x.out->peer_of(x.tgw->id) + " (peering)"
                                                           : x.out->resource_type + " " + x.out->resource_id;
      hop("transit-gateway-attachment", x.out ? x.out->id : "", x.out ? x.out->origin.display(x.out->id) : tgw,
          "leaves " + tgw + " to " + to, matched, x.out ? x.out->origin.loc : SourceLoc{}, ok);
    }
  }
  const TgwCrossing& x = *last;
  std::string tgw = x.tgw ? component(x.tgw->origin, x.tgw->id) : s.route ? s.route->target_id : "transit gateway";
  if (!s.code) return true;
  if (std::string_view(s.code) == "UNMODELED_COMPONENT" || std::string_view(s.code) == "TGW_RTB_ROUTES_ARE_UNKNOWN")
    undecidable = true;
  if (expl) {
    std::string comp;
    SourceLoc loc;
    switch (x.phase) {
      case P::kEntry:
        comp = x.in ? component(x.in->origin, x.in->id) : tgw;
        loc = x.in ? x.in->origin.loc : (s.route ? s.route->loc : SourceLoc{});
        break;
      case P::kAssociation:
        comp = x.in ? component(x.in->origin, x.in->id) : tgw;
        loc = x.in ? x.in->origin.loc : SourceLoc{};
        break;
      case P::kRoute:
        comp = x.rtb ? component(x.rtb->origin, x.rtb->id) : tgw;
        loc = x.route && x.route->loc.known() ? x.route->loc : x.rtb ? x.rtb->origin.loc : SourceLoc{};
        break;
      default:
        comp = x.out ? component(x.out->origin, x.out->id) : tgw;
        loc = x.out ? x.out->origin.loc : SourceLoc{};
        break;
    }
    const CodeInfo* ci = code_info(s.code);
    Explanation e{s.code, comp, s.message, ci ? ci->fix : "", loc};
    // What `vpclab fix` can change: a propagation of the destination's
    // attachment into the table, or an association of the attachment.
    if (std::string_view(s.code) == "TGW_RTB_CANNOT_ROUTE" && x.rtb)
      e.blocker = Blocker{Blocker::Kind::kTransitGatewayPropagation, x.rtb->id, false, reply, kTcp, {}, s.dst, {}};
    else if (std::string_view(s.code) == "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION" && x.in)
      e.blocker = Blocker{Blocker::Kind::kTransitGatewayAssociation, x.in->id, false, reply, kTcp, {}, s.dst, {}};
    expl->push_back(std::move(e));
  }
  return false;
}

}  // namespace vpclab::analysis
