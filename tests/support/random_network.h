// Seeded random small networks (2-3 VPCs, 1-3 subnets each, custom NACLs,
// peerings, IGWs, NAT gateways, two security groups per VPC with random
// rules, 1-2 instances per subnet), and hub-and-spoke networks joined by a
// transit gateway (build_hub_and_spoke), built with the analyzer tests' fixture.
// Shared by the analyzer's property test and the emulator's differential
// test, so both exercise the same kinds of networks.
#pragma once
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "../analysis/fixture.h"
#include "seeded.h"

namespace vpclab::testing {

struct Gen : Seeded {
  using Seeded::Seeded;
  uint16_t port() {
    static const uint16_t kPorts[] = {22, 80, 443, 8080, 3306, 53};
    return kPorts[pick(6)];
  }
  PortRange range() {
    if (coin(20)) return PortRange::all();
    uint16_t p = port();
    return coin(70) ? PortRange::single(p) : PortRange{p, static_cast<uint16_t>(p + 100)};
  }
  std::string peer_cidr() {
    static const char* kCidrs[] = {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16",
                                   "10.1.1.0/24", "10.2.1.0/24"};
    return kCidrs[pick(7)];
  }
};

struct Built {
  Fx fx;
  std::vector<std::string> instances;
};

// A custom NACL on subnet `sid` (`percent`%): 1-4 random entries.
inline void maybe_acl(Fx& fx, Gen& g, const std::string& vpc, const std::string& sid, const std::string& tag,
                      int percent = 40) {
  if (!g.coin(percent)) return;
  auto acl = fx.acl(vpc, "Acl" + tag);
  int ne = 1 + g.pick(4);
  for (int k = 0; k < ne; ++k) {
    Direction d = g.coin(50) ? Direction::kIngress : Direction::kEgress;
    fx.acl_entry(acl, 100 + 10 * k, d, g.coin(75), g.coin(50) ? kTcp : kAllProtocols,
                 g.coin(50) ? PortRange{1024, 65535} : g.range(), g.peer_cidr());
  }
  fx.associate_acl(sid, acl);
}

// Two security groups per VPC with random rules; 1-2 instances per subnet
// at 10.<v+1>.<s+1>.<10+k>.
inline void add_groups_and_instances(Built& b, Gen& g, const std::vector<std::string>& vpcs,
                                     const std::vector<std::vector<std::string>>& subnets) {
  Fx& fx = b.fx;
  const int nvpc = static_cast<int>(vpcs.size());
  int counter = 0;
  for (int v = 0; v < nvpc; ++v) {
    std::vector<std::string> sgs;
    for (int k = 0; k < 2; ++k) {
      auto sg = fx.sg(vpcs[static_cast<size_t>(v)], "Sg" + std::to_string(v) + std::to_string(k), g.coin(80));
      int nr = g.pick(4);
      for (int r = 0; r < nr; ++r)
        fx.allow_in(sg, g.coin(70) ? kTcp : (g.coin(50) ? kUdp : kIcmp), g.range(),
                    g.coin(20) && !sgs.empty() ? sgs[0] : g.peer_cidr());
      if (g.coin(30)) fx.allow_out(sg, kTcp, g.range(), g.peer_cidr());
      sgs.push_back(sg);
    }
    for (size_t s = 0; s < subnets[static_cast<size_t>(v)].size(); ++s) {
      int ni = 1 + g.pick(2);
      for (int k = 0; k < ni; ++k) {
        std::string addr = "10." + std::to_string(v + 1) + "." + std::to_string(s + 1) + "." + std::to_string(10 + k);
        std::string pub = g.coin(30) ? "52.1." + std::to_string(v) + "." + std::to_string(++counter) : "";
        b.instances.push_back(fx.instance("I" + std::to_string(v) + std::to_string(s) + std::to_string(k),
                                          subnets[static_cast<size_t>(v)][s], addr,
                                          {sgs[static_cast<size_t>(g.pick(2))]}, pub));
      }
    }
  }
}

inline void build(Built& b, Gen& g) {
  Fx& fx = b.fx;
  int nvpc = 2 + g.pick(2);
  std::vector<std::string> vpcs, igws;
  std::vector<std::vector<std::string>> subnets(static_cast<size_t>(nvpc)), rtbs(static_cast<size_t>(nvpc));
  std::vector<std::string> nats(static_cast<size_t>(nvpc));
  for (int v = 0; v < nvpc; ++v) {
    std::string base = "10." + std::to_string(v + 1) + ".";
    auto id = fx.vpc("V" + std::to_string(v), base + "0.0/16");
    vpcs.push_back(id);
    igws.push_back(g.coin(70) ? fx.igw(id, "Igw" + std::to_string(v)) : "");
    int ns = 1 + g.pick(3);
    for (int s = 0; s < ns; ++s) {
      auto sid = fx.subnet(id, "S" + std::to_string(v) + std::to_string(s), base + std::to_string(s + 1) + ".0/24",
                           s % 2 ? "ap-northeast-1c" : "ap-northeast-1a");
      subnets[static_cast<size_t>(v)].push_back(sid);
      auto rt = fx.route_table(id, "Rt" + std::to_string(v) + std::to_string(s));
      rtbs[static_cast<size_t>(v)].push_back(rt);
      fx.associate(sid, rt);
      maybe_acl(fx, g, id, sid, std::to_string(v) + std::to_string(s));
    }
    if (!igws.back().empty() && g.coin(50))
      nats[static_cast<size_t>(v)] = fx.nat("Nat" + std::to_string(v), subnets[static_cast<size_t>(v)][0],
                                            base + "1.200", "52.0." + std::to_string(v) + ".200");
  }
  // Peerings between random pairs.
  std::vector<std::tuple<int, int, std::string>> pcxs;
  for (int a = 0; a < nvpc; ++a)
    for (int c = a + 1; c < nvpc; ++c)
      if (g.coin(60)) {
        auto st = g.coin(80) ? model::PeeringState::kActive : model::PeeringState::kPendingAcceptance;
        pcxs.emplace_back(a, c, fx.peering(vpcs[static_cast<size_t>(a)], vpcs[static_cast<size_t>(c)],
                                           "P" + std::to_string(a) + std::to_string(c), st));
      }
  // Routes.
  for (int v = 0; v < nvpc; ++v)
    for (const auto& rt : rtbs[static_cast<size_t>(v)]) {
      for (const auto& [a, c, id] : pcxs) {
        if (a != v && c != v) continue;
        int other = a == v ? c : a;
        if (g.coin(80))
          fx.route(rt, "10." + std::to_string(other + 1) + ".0.0/16", RouteTargetKind::kVpcPeeringConnection, id,
                   g.coin(10) ? RouteState::kBlackhole : RouteState::kActive);
      }
      if (g.coin(60)) {
        const auto& nat = nats[static_cast<size_t>(v)];
        if (!nat.empty() && g.coin(50)) fx.route(rt, "0.0.0.0/0", RouteTargetKind::kNatGateway, nat);
        else if (!igws[static_cast<size_t>(v)].empty())
          fx.route(rt, "0.0.0.0/0", RouteTargetKind::kInternetGateway, igws[static_cast<size_t>(v)]);
      }
    }
  // NAT subnets route to the IGW.
  for (int v = 0; v < nvpc; ++v)
    if (!nats[static_cast<size_t>(v)].empty()) {
      auto& routes = Fx::find(fx.net.route_tables, rtbs[static_cast<size_t>(v)][0]).routes;
      std::erase_if(routes, [](const Route& r) { return r.destination && r.destination->length == 0; });
      fx.route(rtbs[static_cast<size_t>(v)][0], "0.0.0.0/0", RouteTargetKind::kInternetGateway,
               igws[static_cast<size_t>(v)]);
    }
  add_groups_and_instances(b, g, vpcs, subnets);
}

// Hub-and-spoke: three VPCs with subnets in two AZs joined by one transit
// gateway (default table). Each VPC is attached in one or both AZs (so some
// subnets cannot enter the hub), most attachments propagate, route tables
// send other VPCs' blocks to the hub (some not: no way back), sometimes a
// static blackhole for one subnet; NACLs, groups and instances as above.
inline void build_hub_and_spoke(Built& b, Gen& g) {
  Fx& fx = b.fx;
  const int nvpc = 3;
  auto hub = fx.tgw("Hub");
  std::vector<std::string> vpcs;
  std::vector<std::vector<std::string>> subnets(nvpc), rtbs(nvpc);
  for (int v = 0; v < nvpc; ++v) {
    std::string base = "10." + std::to_string(v + 1) + ".";
    auto id = fx.vpc("V" + std::to_string(v), base + "0.0/16");
    vpcs.push_back(id);
    int ns = 2 + g.pick(2);
    for (int s = 0; s < ns; ++s) {
      auto sid = fx.subnet(id, "S" + std::to_string(v) + std::to_string(s), base + std::to_string(s + 1) + ".0/24",
                           s % 2 ? "ap-northeast-1c" : "ap-northeast-1a");
      subnets[static_cast<size_t>(v)].push_back(sid);
      auto rt = fx.route_table(id, "Rt" + std::to_string(v) + std::to_string(s));
      rtbs[static_cast<size_t>(v)].push_back(rt);
      fx.associate(sid, rt);
      // Fewer custom NACLs than above: a path through the hub crosses up to
      // four subnets' NACLs each way, and some paths must stay open.
      maybe_acl(fx, g, id, sid, std::to_string(v) + std::to_string(s), 15);
    }
    std::vector<std::string> in;  // one subnet per AZ
    if (g.coin(80)) in.push_back(subnets[static_cast<size_t>(v)][0]);
    if (in.empty() || g.coin(70)) in.push_back(subnets[static_cast<size_t>(v)][1]);
    fx.tgw_attachment(hub, id, "A" + std::to_string(v), in, g.coin(90));
  }
  for (int v = 0; v < nvpc; ++v)
    for (const auto& rt : rtbs[static_cast<size_t>(v)]) {
      if (g.coin(20)) {
        fx.route(rt, "10.0.0.0/8", RouteTargetKind::kTransitGateway, hub);
        continue;
      }
      for (int o = 0; o < nvpc; ++o)
        if (o != v && g.coin(90))
          fx.route(rt, "10." + std::to_string(o + 1) + ".0.0/16", RouteTargetKind::kTransitGateway, hub);
    }
  if (g.coin(40)) fx.tgw_route(hub, "10." + std::to_string(1 + g.pick(nvpc)) + ".1.0/24", "");
  add_groups_and_instances(b, g, vpcs, subnets);
}

}  // namespace vpclab::testing
