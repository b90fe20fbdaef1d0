// Site-to-site VPN in a lab (compile_context.h; docs/emulator.md "Site-to-site
// VPN"). Every choice comes from semantics/vpn.h and the model's effective
// state (the VGW's routes, what each connection advertises).
//
// - An on-premises network of the lab manifest is a namespace named after it
//   (`vpclab exec office -- ...`), its host address (the first CIDR's base +
//   10) on lo, a DNS server with the public view (the office's resolver: the
//   internal ALB's name resolves, private hosted zones do not, as in AWS).
// - A VPN connection that carries traffic (available, a tunnel UP) and
//   reaches such a namespace is a link: to a VGW, "vp<j>" between the VPC
//   router (which stands for the VGW) and the office; to a TGW, a transit
//   link "tg<k>" between the TGW namespace and the office (compile_transit.cpp
//   selects the vpn attachment's table for what arrives on it). Addresses:
//   /30s of 169.254.64.0/18, VGW links from the top.
// - In the office, each CIDR a connection advertises routes to its link (the
//   kernel's longest prefix is semantics::customer_gateway_route), and
//   what leaves a link takes the host's address (SNAT of the link address).
// - A VPC route to a VGW: each prefix the VGW knows within the route's
//   destination goes to the link of the connection semantics::select_vpn_route
//   picks; the rest of the destination is dropped (the VGW forwards only what
//   it knows). What arrives from a VGW link may go only to the VPC's subnets.
#include <algorithm>
#include <set>

#include "emulator/compile_context.h"
#include "semantics/route.h"
#include "semantics/vpn.h"

namespace vpclab::emulator {

namespace {

// The on-premises network behind a connection's customer gateway (the first
// when several name it), or nullptr.
const model::OnPremisesNetwork* office_of(const model::Network& net, const model::VpnConnection& c) {
  for (const auto& o : net.on_premises)
    if (o.customer_gateway == c.customer_gateway) return &o;
  return nullptr;
}

}  // namespace

void place_vpn_links(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  for (const auto& c : net.vpn_connections) {
    const model::OnPremisesNetwork* o = office_of(net, c);
    if (!o || !semantics::vpn_connection_forwards(c.state, c.tunnels)) continue;
    if (!c.transit_gateway.empty()) {
      const auto* a = net.transit_gateway_attachment(c.transit_gateway_attachment);
      if (!a || !a->available() || !net.transit_gateway(a->transit_gateway)) continue;
      size_t k = ctx.transit_links.size();
      if (k + ctx.vpn_links.size() >= kMaxTransitLinks) {
        ctx.out.unsupported.push_back("VPN connection " + c.id + ": too many transit and VPN links in one lab");
        continue;
      }
      ctx.transit_links.push_back({a->id, a->transit_gateway, o->name, "", "", "tg" + std::to_string(k),
                                   transit_link_address(k, false), transit_link_address(k, true), true});
      ctx.links_of_attachment[a->id].push_back(k);
      continue;
    }
    const auto* g = net.vpn_gateway(c.vpn_gateway);
    if (!g || !net.vpc(g->vpc)) continue;
    size_t j = ctx.vpn_links.size();
    if (ctx.transit_links.size() + j >= kMaxTransitLinks) {
      ctx.out.unsupported.push_back("VPN connection " + c.id + ": too many transit and VPN links in one lab");
      continue;
    }
    size_t k = kMaxTransitLinks - 1 - j;
    ctx.vpn_link_of[c.id] = j;
    ctx.vpn_links.push_back({c.id, o->name, g->vpc, "vp" + std::to_string(j), transit_link_address(k, false),
                             transit_link_address(k, true)});
  }
}

void compile_vgw_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table) {
  const model::Network& net = ctx.net;
  LabPlan& p = ctx.plan();
  const Ipv4Cidr dst = *route.destination;
  // A propagated route inside the VPC's own range never beats `local`
  // (semantics::select_route); the kernel must not let it either.
  if (const Route* chosen = semantics::select_route(rt.routes, dst.base);
      route.propagated && chosen && chosen->target_kind == RouteTargetKind::kLocal)
    return;
  const model::VpnGateway* g = net.vpn_gateway(route.target_id);
  bool whole = false;  // a kernel route for dst itself was added
  if (g && g->vpc == rt.vpc) {
    std::set<Ipv4Cidr> done;
    for (const auto& vr : g->routes) {
      // The part of dst the VGW knows by this prefix; skipped when the
      // route table holds a more specific route covering it (it decides there).
      if (!dst.overlaps(vr.destination)) continue;
      const Ipv4Cidr k = dst.contains(vr.destination) ? vr.destination : dst;
      if (!done.insert(k).second) continue;
      bool shadowed = std::any_of(rt.routes.begin(), rt.routes.end(), [&](const Route& o) {
        return &o != &route && o.destination && o.destination->length > dst.length && o.destination->contains(k);
      });
      if (shadowed) continue;
      const VpnRoute* best = semantics::select_vpn_route(g->routes, k.base);
      auto link = best ? ctx.vpn_link_of.find(best->connection) : ctx.vpn_link_of.end();
      if (link == ctx.vpn_link_of.end())
        p.routes.push_back({rt.vpc, table, k, RouteType::kBlackhole, std::nullopt, ""});
      else
        p.routes.push_back({rt.vpc, table, k, RouteType::kUnicast, ctx.vpn_links[link->second].on_prem_end,
                            ctx.vpn_links[link->second].dev});
      whole = whole || k == dst;
    }
  }
  if (!g)
    ctx.out.unsupported.push_back("route " + dst.str() + " -> " + route.target_id + " in " + rt.id +
                                  " (a virtual private gateway outside the model: dropped)");
  // Not attached, or what the VGW does not know: dropped.
  if (!whole) p.routes.push_back({rt.vpc, table, dst, RouteType::kBlackhole, std::nullopt, ""});
}

void compile_vpn(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  LabPlan& p = ctx.plan();
  for (const auto& o : net.on_premises) {
    if (o.cidrs.empty()) continue;
    const Ipv4Address host = o.host_address();
    NetnsPlan ns{o.name, NetnsRole::kOther, o.customer_gateway, o.name, {}};
    ns.etc_files.push_back({"hosts", "127.0.0.1 localhost\n" + host.str() + " " + o.name + "\n"});
    ns.etc_files.push_back({"resolv.conf", "nameserver " + host.str() + "\noptions timeout:2 attempts:2\n"});
    p.namespaces.push_back(std::move(ns));
    ctx.out.targets[o.name] = o.name;
    p.sysctls.push_back({o.name, "net.ipv4.conf.all.rp_filter", "0"});
    p.sysctls.push_back({o.name, "net.ipv4.conf.default.rp_filter", "0"});
    p.addresses.push_back({o.name, "lo", host, 32});
    if (p.dns) p.dns_listen.push_back({o.name, dataplane::kPublicDnsView, host, 53});
    p.nft.push_back({o.name,
                     "table ip vpclab_on_premises {\n"
                     "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                     "    ip saddr 169.254.0.0/16 snat to " + host.str() + "\n"
                     "  }\n}\n",
                     "the on-premises host's address"});
    // Each connection's advertised CIDRs to its link; on a tie the first
    // connection keeps the prefix (semantics::customer_gateway_route).
    std::set<Ipv4Cidr> routed;
    for (const auto* c : net.vpn_connections_of_customer_gateway(o.customer_gateway)) {
      std::string dev;
      Ipv4Address via;
      if (auto it = ctx.vpn_link_of.find(c->id); it != ctx.vpn_link_of.end()) {
        dev = ctx.vpn_links[it->second].dev;
        via = ctx.vpn_links[it->second].vpc_end;
      } else if (auto lt = ctx.links_of_attachment.find(c->transit_gateway_attachment);
                 !c->transit_gateway.empty() && lt != ctx.links_of_attachment.end() && !lt->second.empty()) {
        const TransitLink& l = ctx.transit_links[lt->second.front()];
        if (l.vpc != o.name) continue;
        dev = l.dev;
        via = l.tgw_end;
      } else {
        continue;  // down, or not in the lab
      }
      for (const auto& cidr : c->advertised)
        if (routed.insert(cidr).second) p.routes.push_back({o.name, 254, cidr, RouteType::kUnicast, via, dev});
    }
  }
  // The VGW side: the VPC router hands what arrives to its own subnets only.
  for (const auto& l : ctx.vpn_links) {
    p.veths.push_back({l.on_prem, l.dev, "", l.vpc, l.dev, ""});
    p.addresses.push_back({l.on_prem, l.dev, l.on_prem_end, 30});
    p.addresses.push_back({l.vpc, l.dev, l.vpc_end, 30});
    uint32_t& pref = ctx.next_pref[l.vpc];
    p.rules.push_back({l.vpc, pref++, l.dev, kPeeringLocalTable});
    p.rules.push_back({l.vpc, pref++, l.dev, std::nullopt});
  }
}

}  // namespace vpclab::emulator
