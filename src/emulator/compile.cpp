#include "emulator/compile.h"

#include <map>
#include <set>

#include "emulator/compile_context.h"
#include "semantics/route.h"

#include "analysis/dns_view.h"
#include "dataplane/dns/resolver.h"

namespace vpclab::emulator {

namespace {

Ipv4Address plus(Ipv4Address a, uint32_t n) { return Ipv4Address{a.value + n}; }

// The /30 of peering k: .1 on the requester's router, .2 on the accepter's.
Ipv4Address peering_link(size_t k, bool accepter) {
  Ipv4Address base = *Ipv4Address::parse("169.254.128.0");
  return plus(base, static_cast<uint32_t>(4 * k + (accepter ? 2 : 1)));
}

std::string shell_for(const std::string& script) {
  if (script.rfind("#!", 0) == 0) {
    auto nl = script.find('\n');
    std::string line = script.substr(2, nl == std::string::npos ? std::string::npos : nl - 2);
    if (line.find("bash") != std::string::npos) return "/bin/bash";
  }
  return "/bin/sh";
}

}  // namespace

// The network as given (compile_network adds the prepared Auto Scaling
// replacements first, compile_auto_scaling.cpp).
CompiledLab compile_model(const model::Network& net) {
  CompiledLab out;
  CompileContext ctx{net, out, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  LabPlan& p = out.plan;
  auto& bridge_of = ctx.bridge_of;
  auto& next_pref = ctx.next_pref;

  // Routers, subnet bridges, resolver addresses.
  for (const auto& v : net.vpcs) {
    const std::string& r = v.id;
    p.namespaces.push_back({r, NetnsRole::kVpcRouter, v.id, {}, {}});
    out.targets[v.id] = r;
    p.sysctls.push_back({r, "net.ipv4.ip_forward", "1"});
    p.sysctls.push_back({r, "net.ipv4.conf.all.rp_filter", "0"});
    p.sysctls.push_back({r, "net.ipv4.conf.default.rp_filter", "0"});
    if (v.enable_dns_support && !v.cidrs.empty()) {
      // The Amazon DNS server: on lo (no dummy links here), served by the
      // supervisor's resolver with this VPC's view.
      Ipv4Address link_local = *Ipv4Address::parse("169.254.169.253");
      p.addresses.push_back({r, "lo", v.resolver_address(), 32});
      p.addresses.push_back({r, "lo", link_local, 32});
      p.dns_listen.push_back({r, v.id, v.resolver_address(), 53});
      p.dns_listen.push_back({r, v.id, link_local, 53});
    }
    size_t k = 0;
    for (const auto* s : net.subnets_of(v.id)) {
      std::string br = "br" + std::to_string(k++);
      bridge_of[s->id] = br;
      p.bridges.push_back({r, br});
      p.addresses.push_back({r, br, s->router_address(), s->cidr.length});
    }
    next_pref[r] = 1000;
  }

  // Peering links (active ones only: traffic flows only while active).
  auto& peering_index = ctx.peering_index;
  for (size_t k = 0; k < net.peerings.size(); ++k) {
    const auto& pc = net.peerings[k];
    if (pc.state != model::PeeringState::kActive) continue;
    if (!net.vpc(pc.requester.vpc) || !net.vpc(pc.accepter.vpc)) {
      out.unsupported.push_back("peering " + pc.id + ": a side is outside the lab");
      continue;
    }
    std::string dev = "px" + std::to_string(k);
    peering_index[pc.id] = k;
    p.veths.push_back({pc.requester.vpc, dev, "", pc.accepter.vpc, dev, ""});
    p.addresses.push_back({pc.requester.vpc, dev, peering_link(k, false), 30});
    p.addresses.push_back({pc.accepter.vpc, dev, peering_link(k, true), 30});
    for (const auto* side : {&pc.requester, &pc.accepter}) {
      uint32_t& pref = next_pref[side->vpc];
      p.rules.push_back({side->vpc, pref++, dev, kPeeringLocalTable});
      p.rules.push_back({side->vpc, pref++, dev, std::nullopt});
    }
  }
  // What arrives from a peering may only go to the VPC's own subnets.
  for (const auto& s : net.subnets)
    if (bridge_of.count(s.id)) p.routes.push_back({s.vpc, kPeeringLocalTable, s.cidr, RouteType::kUnicast, std::nullopt, bridge_of[s.id]});

  // Transit gateway links, which route tables' TGW routes lead to.
  place_transit_links(ctx);
  place_vpn_links(ctx);

  // Route tables: one kernel table each, or one per AZ of its subnets when
  // it routes to a transit gateway (entered only in the sender's AZ).
  auto& table_of = ctx.table_of;
  uint32_t next_table = kFirstRouteTable + static_cast<uint32_t>(net.route_tables.size());
  for (size_t i = 0; i < net.route_tables.size(); ++i) {
    const auto& rt = net.route_tables[i];
    if (!net.vpc(rt.vpc)) continue;
    table_of[rt.id] = kFirstRouteTable + static_cast<uint32_t>(i);
    std::vector<std::pair<std::string, uint32_t>> variants;  // (AZ, kernel table)
    auto azs = transit_route_azs(ctx, rt);
    if (azs.empty()) variants.push_back({"", table_of[rt.id]});
    for (size_t k = 0; k < azs.size(); ++k) {
      uint32_t t = k == 0 ? table_of[rt.id] : next_table++;
      ctx.az_table_of[{rt.id, azs[k]}] = t;
      variants.push_back({azs[k], t});
    }
    for (const auto& [az, t] : variants) {
      const bool first_variant = t == table_of[rt.id];
      // One kernel route per destination prefix (a prefix-list route stands
      // for each entry): the route semantics::select_route picks among those
      // for exactly that prefix; longer prefixes are the kernel's choice.
      std::vector<Ipv4Cidr> order;
      std::map<std::string, std::vector<Route>> by_prefix;
      for (const auto& r : rt.routes) {
        std::vector<Ipv4Cidr> dsts = r.destination ? std::vector<Ipv4Cidr>{*r.destination} : r.prefix_list_cidrs;
        for (const auto& d : dsts) {  // IPv6 routes have none: not routed yet
          auto [it, fresh] = by_prefix.try_emplace(d.str());
          if (fresh) order.push_back(d);
          Route c = r;
          if (!r.destination) c.prefix_list_cidrs = {d};
          it->second.push_back(std::move(c));
        }
      }
      for (const Ipv4Cidr& dst : order) {
        Route route = *semantics::select_route(by_prefix[dst.str()], dst.base);
        route.destination = dst;
        if (route.state == RouteState::kBlackhole) {
          p.routes.push_back({rt.vpc, t, dst, RouteType::kBlackhole, std::nullopt, ""});
          continue;
        }
        switch (route.target_kind) {
          case RouteTargetKind::kLocal:
            for (const auto* s : net.subnets_of(rt.vpc))
              if (dst.contains(s->cidr))
                p.routes.push_back({rt.vpc, t, s->cidr, RouteType::kUnicast, std::nullopt, bridge_of[s->id]});
            // VPC addresses outside every subnet go nowhere.
            p.routes.push_back({rt.vpc, t, dst, RouteType::kBlackhole, std::nullopt, ""});
            break;
          case RouteTargetKind::kVpcPeeringConnection: {
            auto it = peering_index.find(route.target_id);
            const auto* pc = net.peering(route.target_id);
            if (it == peering_index.end() || !pc || (pc->requester.vpc != rt.vpc && pc->accepter.vpc != rt.vpc)) {
              p.routes.push_back({rt.vpc, t, dst, RouteType::kBlackhole, std::nullopt, ""});
              break;
            }
            bool we_accept = pc->accepter.vpc == rt.vpc;
            p.routes.push_back({rt.vpc, t, dst, RouteType::kUnicast, peering_link(it->second, !we_accept),
                                "px" + std::to_string(it->second)});
            break;
          }
          case RouteTargetKind::kTransitGateway:
            compile_transit_route(ctx, rt, route, t, az);
            break;
          case RouteTargetKind::kVpnGateway:
            compile_vgw_route(ctx, rt, route, t);
            break;
          default:
            if (compile_gateway_route(ctx, rt, route, t)) break;
            if (first_variant)
              out.unsupported.push_back("route " + dst.str() + " -> " + route.target_id + " in " + rt.id + " (" +
                                        route_target_kind_name(route.target_kind) + " targets are not emulated yet)");
            break;
        }
      }
    }
  }

  // Subnets select their route table by the bridge they arrive on.
  for (const auto& s : net.subnets) {
    auto br = bridge_of.find(s.id);
    auto t = table_of.find(s.route_table);
    if (br == bridge_of.end()) continue;
    uint32_t& pref = next_pref[s.vpc];
    if (t != table_of.end()) p.rules.push_back({s.vpc, pref++, br->second, ctx.route_table_for(s.route_table, s.availability_zone)});
    p.rules.push_back({s.vpc, pref++, br->second, std::nullopt});
  }
  compile_transit_gateways(ctx);

  // ENIs: instances get one namespace for all their interfaces.
  size_t eni_no = 0;
  std::set<std::string> placed;
  auto attach = [&](const std::string& ns, const std::string& dev, const model::NetworkInterface* eni,
                    const std::string& key, const std::string& subnet_id, Ipv4Address ip, bool primary) {
    const auto* s = net.subnet(subnet_id);
    if (!s || !bridge_of.count(s->id)) return;
    std::string peer = std::to_string(eni_no++);
    peer.insert(peer.begin(), 'e');  // not "e" + ...: GCC 12 -Wrestrict false positive
    ctx.eni_place[key] = EniPlace{ns, dev, peer, s->id, s->vpc, ip};
    p.veths.push_back({ns, dev, "", s->vpc, peer, bridge_of[s->id]});
    p.addresses.push_back({ns, dev, ip, s->cidr.length});
    if (eni)
      for (const auto& sec : eni->secondary_private_ips) p.addresses.push_back({ns, dev, sec, s->cidr.length});
    if (primary)
      p.routes.push_back({ns, 254, *Ipv4Cidr::parse("0.0.0.0/0"), RouteType::kUnicast, s->router_address(), dev});
  };
  for (const auto& inst : net.instances) {
    if (inst.state == model::InstanceState::kTerminated) continue;
    const std::string& ns = inst.id;
    NetnsPlan nsp{ns, NetnsRole::kEni, inst.id, {}, {}};
    if (const auto* s = net.subnet(inst.subnet)) {
      const auto* v = net.vpc(s->vpc);
      std::string fqdn = inst.private_dns_name;
      std::string shortname = fqdn.substr(0, fqdn.find('.'));
      nsp.hostname = shortname;
      std::string hosts = "127.0.0.1 localhost\n";
      if (!fqdn.empty()) hosts += inst.private_ip.str() + " " + fqdn + " " + shortname + "\n";
      nsp.etc_files.push_back({"hosts", hosts});
      if (v && v->enable_dns_support && !v->cidrs.empty()) {
        std::string domain = fqdn.find('.') == std::string::npos ? "" : fqdn.substr(fqdn.find('.') + 1);
        nsp.etc_files.push_back({"resolv.conf", "nameserver " + v->resolver_address().str() + "\n" +
                                                    (domain.empty() ? "" : "search " + domain + "\n") +
                                                    "options timeout:2 attempts:2\n"});
      } else {
        // No resolver in this VPC: nothing answers (as in AWS).
        nsp.etc_files.push_back({"resolv.conf", "# EnableDnsSupport is off: no Amazon DNS server\n"});
      }
    }
    p.namespaces.push_back(std::move(nsp));
    out.targets[inst.id] = ns;
    if (!inst.origin.logical_id.empty()) out.targets.emplace(inst.origin.logical_id, ns);
    if (!inst.name.empty()) out.targets.emplace(inst.name, ns);
    if (inst.network_interfaces.empty()) {
      attach(ns, "eth0", nullptr, inst.id, inst.subnet, inst.private_ip, true);
    } else {
      for (size_t j = 0; j < inst.network_interfaces.size(); ++j) {
        const auto* eni = net.network_interface(inst.network_interfaces[j]);
        if (!eni) continue;
        placed.insert(eni->id);
        // TODO(multi-ENI): source routing for secondary interfaces.
        attach(ns, "eth" + std::to_string(j), eni, eni->id, eni->subnet, eni->private_ip, j == 0);
      }
    }
    if (inst.state == model::InstanceState::kRunning && !inst.user_data.empty()) {
      ProcessPlan proc;
      proc.name = inst.id + "/userdata";
      proc.netns = ns;
      proc.argv = {shell_for(inst.user_data), "-c", inst.user_data};
      proc.cwd = "instances/" + inst.id;
      proc.log_file = "logs/" + inst.id + ".log";
      proc.first_launch_only = true;
      p.processes.push_back(std::move(proc));
    }
  }
  for (const auto& eni : net.network_interfaces) {
    if (placed.count(eni.id)) continue;
    if (eni.owner_kind == model::EniOwnerKind::kInstance && net.instance(eni.owner_id)) continue;
    p.namespaces.push_back({eni.id, NetnsRole::kEni, eni.id, {}, {}});
    out.targets[eni.id] = eni.id;
    attach(eni.id, "eth0", &eni, eni.id, eni.subnet, eni.private_ip, true);
  }

  // Gateway and interface endpoints run (compile_endpoints.cpp); Gateway
  // Load Balancer endpoints are only noted.
  for (const auto& ep : net.vpc_endpoints)
    if (!ep.is_gateway() && !ep.is_interface())
      out.unsupported.push_back("VPC endpoint " + ep.id + " (" + ep.type + " " + ep.service_name + ")");

  // The resolver answers from the same DNS facts the analyzer resolves
  // (analysis::dns_facts, the rule in semantics/vpc_dns).
  p.dns = std::make_shared<const dataplane::ResolverConfig>(dataplane::ResolverConfig{analysis::dns_facts(net)});

  compile_gateways(ctx);
  compile_aws_services(ctx);
  compile_vpn(ctx);  // after the resolver config: the office's DNS server
  compile_load_balancers(ctx);
  compile_network_load_balancers(ctx);
  compile_filters(ctx);
  return out;
}

}  // namespace vpclab::emulator
