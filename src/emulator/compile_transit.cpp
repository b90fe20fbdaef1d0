// Transit gateways in a lab (compile_context.h; docs/emulator.md "Transit
// gateways"). Every choice of attachment, AZ and route comes from
// semantics/transit_gateway.h and the model's effective state (associations,
// propagated and static routes as model::finalize() left them).
//
// - A TGW is a namespace (named by its tgw- id), forwarding on.
// - A VPC attachment is one link per attachment subnet ("tg<k>" at both
//   ends, a link-local /30 from 169.254.64.0/18: .1 in the VPC router, .2 in
//   the TGW): the attachment's ENI in that subnet's AZ. Only available
//   attachments get links.
// - Entry: a VPC route table routing to a TGW has one kernel table per AZ of
//   its subnets; in the table of AZ z the route goes to the attachment's link
//   in z (semantics::transit_gateway_entry), or is a blackhole when the
//   attachment has no subnet there (TGW_ROUTE_AZ_RESTRICTION).
// - In the TGW, `ip rule iif tg<k>` selects the kernel table of the
//   attachment's associated TGW route table for the link's AZ; then
//   blackhole (no association, no route: dropped silently). A TGW route table
//   is one kernel table per entry AZ: each destination's chosen route
//   (semantics::select_transit_gateway_route; the kernel does longest prefix)
//   leaves by the destination attachment's link in the entry AZ, else the one
//   semantics::transit_gateway_exit picks; blackhole routes are kernel
//   blackholes.
// - Exit: what arrives in a VPC router from tg<k> looks up the route table of
//   the attachment subnet of that link (for its AZ), as AWS routes traffic
//   leaving a TGW ENI. The NACLs of the attachment subnets apply as the
//   analyzer applies them (compile_filters.cpp).
// - A peering attachment between two TGWs of the lab is one link between
//   their namespaces ("tp<k>", a /30 from 169.254.192.0/20: .1 at the
//   requester, .2 at the accepter); `ip rule iif tp<k>` selects the table the
//   attachment is associated with on that side. A peering has no AZ: what
//   enters by it leaves a VPC attachment by the ENI transit_gateway_exit
//   picks for no AZ (as the analyzer does).
#include <algorithm>
#include <set>

#include "emulator/compile_context.h"
#include "semantics/transit_gateway.h"

namespace vpclab::emulator {

Ipv4Address transit_link_address(size_t k, bool tgw_end) {
  return Ipv4Address{Ipv4Address::parse("169.254.64.0")->value + static_cast<uint32_t>(4 * k + (tgw_end ? 2 : 1))};
}

namespace {

constexpr size_t kMaxPeeringLinks = 1024;  // /30s in 169.254.192.0/20

Ipv4Address peering_link_address(size_t k, bool accepter) {
  return Ipv4Address{Ipv4Address::parse("169.254.192.0")->value + static_cast<uint32_t>(4 * k + (accepter ? 2 : 1))};
}

// The AZs of an attachment's links, in its subnets' order.
std::vector<std::string> link_azs(const CompileContext& ctx, const std::vector<size_t>& links) {
  std::vector<std::string> azs;
  for (size_t i : links) azs.push_back(ctx.transit_links[i].az);
  return azs;
}

const std::vector<size_t>* links_of(const CompileContext& ctx, const std::string& attachment) {
  auto it = ctx.links_of_attachment.find(attachment);
  return it == ctx.links_of_attachment.end() ? nullptr : &it->second;
}

}  // namespace

void place_transit_links(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  for (const auto& a : net.transit_gateway_attachments) {
    if (a.resource_type != "vpc" || !semantics::transit_gateway_attachment_forwards(a.state)) continue;
    if (!net.transit_gateway(a.transit_gateway) || !net.vpc(a.resource_id)) continue;
    auto& mine = ctx.links_of_attachment[a.id];
    for (const auto& sid : a.subnets) {
      const auto* s = net.subnet(sid);
      if (!s || s->vpc != a.resource_id || !ctx.bridge_of.count(s->id)) continue;
      size_t k = ctx.transit_links.size();
      if (k >= kMaxTransitLinks) {
        ctx.out.unsupported.push_back("transit gateway attachment " + a.id + " in " + s->id + ": more than " +
                                      std::to_string(kMaxTransitLinks) + " attachment subnets in one lab");
        continue;
      }
      ctx.transit_links.push_back({a.id, a.transit_gateway, a.resource_id, s->id, s->availability_zone,
                                   "tg" + std::to_string(k), transit_link_address(k, false),
                                   transit_link_address(k, true), false});
      mine.push_back(k);
    }
  }
}

std::vector<std::string> transit_route_azs(const CompileContext& ctx, const model::RouteTable& rt) {
  bool to_tgw = std::any_of(rt.routes.begin(), rt.routes.end(), [](const Route& r) {
    return r.destination && r.target_kind == RouteTargetKind::kTransitGateway;
  });
  if (!to_tgw) return {};
  std::set<std::string> azs;
  for (const auto* s : ctx.net.subnets_of(rt.vpc))
    if (s->route_table == rt.id) azs.insert(s->availability_zone);
  return {azs.begin(), azs.end()};
}

void compile_transit_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table,
                           const std::string& az) {
  const Ipv4Cidr dst = *route.destination;
  const model::TransitGatewayAttachment* a = ctx.net.vpc_attachment(route.target_id, rt.vpc);
  const std::vector<size_t>* links = a ? links_of(ctx, a->id) : nullptr;
  std::optional<size_t> entry;
  if (links) entry = semantics::transit_gateway_entry(link_azs(ctx, *links), az);
  if (!entry) {
    // Not attached, not available, or no attachment subnet in this AZ: AWS drops it.
    ctx.plan().routes.push_back({rt.vpc, table, dst, RouteType::kBlackhole, std::nullopt, ""});
    return;
  }
  const TransitLink& l = ctx.transit_links[(*links)[*entry]];
  ctx.plan().routes.push_back({rt.vpc, table, dst, RouteType::kUnicast, l.tgw_end, l.dev});
}

void compile_transit_gateways(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  LabPlan& p = ctx.plan();
  for (const auto& g : net.transit_gateways) {
    p.namespaces.push_back({g.id, NetnsRole::kTransitGateway, g.id, {}, {}});
    ctx.out.targets.emplace(g.id, g.id);
    if (!g.origin.logical_id.empty()) ctx.out.targets.emplace(g.origin.logical_id, g.id);
    p.sysctls.push_back({g.id, "net.ipv4.ip_forward", "1"});
    p.sysctls.push_back({g.id, "net.ipv4.conf.all.rp_filter", "0"});
    p.sysctls.push_back({g.id, "net.ipv4.conf.default.rp_filter", "0"});
  }

  std::map<std::pair<std::string, std::string>, uint32_t> tgw_table;  // (TGW route table, entry AZ) -> kernel table
  std::map<std::string, uint32_t> next_table, next_pref;                // per TGW namespace
  std::set<std::string> noted;
  auto note = [&](const std::string& line) {
    if (noted.insert(line).second) ctx.out.unsupported.push_back(line);
  };
  // Peering attachments that forward, between two TGWs of the lab: attachment id -> k.
  std::map<std::string, size_t> peering_link;
  std::vector<const model::TransitGatewayAttachment*> peerings;
  for (const auto& a : net.transit_gateway_attachments) {
    if (!a.is_peering() || !semantics::transit_gateway_attachment_forwards(a.state)) continue;
    if (!net.transit_gateway(a.transit_gateway) || !net.transit_gateway(a.resource_id) ||
        a.transit_gateway == a.resource_id)
      continue;
    if (peerings.size() >= kMaxPeeringLinks) {
      ctx.out.unsupported.push_back("transit gateway peering attachment " + a.id + ": more than " +
                                    std::to_string(kMaxPeeringLinks) + " peering attachments in one lab");
      continue;
    }
    peering_link[a.id] = peerings.size();
    peerings.push_back(&a);
  }
  // The kernel table of TGW route table `rtb` for packets entering in `az`.
  auto table_for = [&](const model::TransitGatewayRouteTable& rtb, const std::string& az) -> uint32_t {
    auto key = std::make_pair(rtb.id, az);
    if (auto it = tgw_table.find(key); it != tgw_table.end()) return it->second;
    const std::string& ns = rtb.transit_gateway;
    uint32_t& n = next_table[ns];
    if (n == 0) n = kFirstRouteTable;
    uint32_t t = n++;
    tgw_table[key] = t;
    // One kernel route per destination: the route AWS chooses among those
    // for exactly that prefix; longer prefixes are the kernel's choice.
    // A prefix-list reference stands for each of its entries.
    std::vector<std::string> order;
    std::map<std::string, std::pair<Ipv4Cidr, std::vector<TransitGatewayRoute>>> by_prefix;
    for (const auto& r : rtb.routes) {
      std::vector<Ipv4Cidr> dsts = r.destination ? std::vector<Ipv4Cidr>{*r.destination} : r.prefix_list_cidrs;
      for (const auto& d : dsts) {
        auto [it, fresh] = by_prefix.try_emplace(d.str(), d, std::vector<TransitGatewayRoute>{});
        if (fresh) order.push_back(it->first);
        TransitGatewayRoute c = r;
        if (!r.destination) c.prefix_list_cidrs = {d};
        it->second.second.push_back(std::move(c));
      }
    }
    for (const auto& key_prefix : order) {
      const auto& [dst, same] = by_prefix[key_prefix];
      const TransitGatewayRoute* best = semantics::select_transit_gateway_route(same, dst.base);
      const model::TransitGatewayAttachment* out =
          best && !best->blackhole ? net.transit_gateway_attachment(best->attachment) : nullptr;
      if (out && !out->joins(rtb.transit_gateway)) out = nullptr;  // finalize() makes it a blackhole too
      if (out && out->is_peering()) {
        auto pl = peering_link.find(out->id);
        if (pl == peering_link.end()) {
          if (out->available())
            note("transit gateway route " + key_prefix + " -> " + out->id + " (transit gateway " +
                 out->peer_of(rtb.transit_gateway) + " is outside the lab: dropped)");
          p.routes.push_back({ns, t, dst, RouteType::kBlackhole, std::nullopt, ""});
          continue;
        }
        bool we_accept = rtb.transit_gateway == out->resource_id;
        p.routes.push_back({ns, t, dst, RouteType::kUnicast, peering_link_address(pl->second, !we_accept),
                            "tp" + std::to_string(pl->second)});
        continue;
      }
      const std::vector<size_t>* links = out ? links_of(ctx, out->id) : nullptr;
      std::optional<size_t> exit;
      if (links) exit = semantics::transit_gateway_exit(link_azs(ctx, *links), az);
      if (!exit) {
        if (out && out->resource_type == "vpn")
          note("transit gateway route " + key_prefix + " -> " + out->id + " (its VPN connection is down or reaches no "
               "on-premises network of the lab: dropped)");
        else if (out && out->resource_type != "vpc")
          note("transit gateway route " + key_prefix + " -> " + out->id + " (" + out->resource_type +
               " attachments are not emulated yet: dropped)");
        else if (out && out->available() && !net.vpc(out->resource_id))
          note("transit gateway route " + key_prefix + " -> " + out->id + " (VPC " + out->resource_id +
               " is outside the lab: dropped)");
        p.routes.push_back({ns, t, dst, RouteType::kBlackhole, std::nullopt, ""});
        continue;
      }
      const TransitLink& l = ctx.transit_links[(*links)[*exit]];
      p.routes.push_back({ns, t, dst, RouteType::kUnicast, l.router_end, l.dev});
    }
    return t;
  };

  for (const auto& l : ctx.transit_links) {
    p.veths.push_back({l.vpc, l.dev, "", l.tgw, l.dev, ""});
    p.addresses.push_back({l.vpc, l.dev, l.router_end, 30});
    p.addresses.push_back({l.tgw, l.dev, l.tgw_end, 30});
    // In the TGW: the attachment's associated route table, for this AZ.
    const auto* a = net.transit_gateway_attachment(l.attachment);
    const auto* rtb = a && !a->route_table.empty() ? net.transit_gateway_route_table(a->route_table) : nullptr;
    uint32_t& tp = next_pref[l.tgw];
    if (tp == 0) tp = 1000;
    if (rtb && !rtb->routes_known)
      note("transit gateway route table " + rtb->id + ": its routes are not known; nothing crosses it");
    else if (rtb && rtb->transit_gateway == l.tgw)
      p.rules.push_back({l.tgw, tp++, l.dev, table_for(*rtb, l.az)});
    p.rules.push_back({l.tgw, tp++, l.dev, std::nullopt});
    if (l.vpn) continue;  // the on-premises end: compile_vpn.cpp
    // In the VPC router: what leaves the TGW by this ENI is routed by its
    // subnet's route table.
    const auto* s = net.subnet(l.subnet);
    uint32_t& pref = ctx.next_pref[l.vpc];
    if (s && ctx.table_of.count(s->route_table))
      p.rules.push_back({l.vpc, pref++, l.dev, ctx.route_table_for(s->route_table, s->availability_zone)});
    p.rules.push_back({l.vpc, pref++, l.dev, std::nullopt});
  }

  for (size_t k = 0; k < peerings.size(); ++k) {
    const auto& a = *peerings[k];
    std::string dev = "tp" + std::to_string(k);
    p.veths.push_back({a.transit_gateway, dev, "", a.resource_id, dev, ""});
    p.addresses.push_back({a.transit_gateway, dev, peering_link_address(k, false), 30});
    p.addresses.push_back({a.resource_id, dev, peering_link_address(k, true), 30});
    // Each side: the table the attachment is associated with there, for no AZ.
    for (const std::string* tgw : {&a.transit_gateway, &a.resource_id}) {
      const std::string& table = a.route_table_of(*tgw);
      const auto* rtb = table.empty() ? nullptr : net.transit_gateway_route_table(table);
      uint32_t& tp = next_pref[*tgw];
      if (tp == 0) tp = 1000;
      if (rtb && !rtb->routes_known)
        note("transit gateway route table " + rtb->id + ": its routes are not known; nothing crosses it");
      else if (rtb && rtb->transit_gateway == *tgw)
        p.rules.push_back({*tgw, tp++, dev, table_for(*rtb, "")});
      p.rules.push_back({*tgw, tp++, dev, std::nullopt});
    }
  }
}

}  // namespace vpclab::emulator
