// `vpclab diff` recomputes only the pairs a change touches (diff_scope.h).
// On seeded random networks with an ALB, each with one random change of the
// kinds pull requests make, the incremental answer must be exactly the
// answer of recomputing every pair.
#include <gtest/gtest.h>

#include <sstream>

#include "../support/random_network.h"
#include "analysis/diff.h"
#include "snapshot/write.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::testing::Built;
using vpclab::testing::Fx;
using vpclab::testing::Gen;

namespace {

// The network of the seed, with an internal ALB in front of VPC 0's instances.
void build_with_alb(Built& b, uint32_t seed) {
  Gen g(seed);
  build(b, g);
  Fx& fx = b.fx;
  const auto& v0 = fx.net.vpcs.front();
  std::vector<std::string> subnets, targets;
  for (const auto& s : fx.net.subnets)
    if (s.vpc == v0.id) subnets.push_back(s.id);
  for (const auto& i : fx.net.instances)
    if (Fx::find(fx.net.subnets, i.subnet).vpc == v0.id) targets.push_back(i.id);
  std::vector<std::pair<std::string, std::string>> nodes;
  for (const auto& s : subnets)
    nodes.emplace_back(s, Ipv4Address{Fx::find(fx.net.subnets, s).cidr.base.value + 100}.str());
  std::string lb_sg = fx.sg(v0.id, "LbSg");
  fx.allow_in(lb_sg, kTcp, PortRange::single(80), "10.0.0.0/8");
  auto lb = fx.alb("Lb", v0.id, nodes, {lb_sg});
  auto tg = fx.target_group("Tg", v0.id, 8080, targets);
  Fx::find(fx.net.target_groups, tg).load_balancers.push_back(lb);
  fx.listener(lb, "L80", 80, tg);
}

template <class T>
T& any_of(std::vector<T>& v, Gen& g) {
  return v[static_cast<size_t>(g.pick(static_cast<int>(v.size())))];
}

// One change to the second copy; returns what it did.
std::string mutate(Fx& fx, Gen& g) {
  auto& net = fx.net;
  switch (g.pick(11)) {
    case 0: {
      auto& sg = any_of(net.security_groups, g);
      fx.allow_in(sg.id, g.coin(70) ? kTcp : kUdp, g.range(), g.peer_cidr());
      return "ingress rule added to " + sg.id;
    }
    case 1: {
      auto& sg = any_of(net.security_groups, g);
      if (sg.ingress.empty()) return "nothing";
      sg.ingress.erase(sg.ingress.begin() + g.pick(static_cast<int>(sg.ingress.size())));
      return "ingress rule removed from " + sg.id;
    }
    case 2: {
      auto& acl = any_of(net.network_acls, g);
      fx.acl_entry(acl.id, 50 + g.pick(40), g.coin(50) ? Direction::kIngress : Direction::kEgress, g.coin(50), kTcp,
                   g.range(), g.peer_cidr());
      return "entry added to " + acl.id;
    }
    case 3: {
      auto& rt = any_of(net.route_tables, g);
      std::erase_if(rt.routes, [](const Route& r) { return r.target_kind != RouteTargetKind::kLocal; });
      return "routes removed from " + rt.id;
    }
    case 4: {
      auto& rt = any_of(net.route_tables, g);
      const auto& v = Fx::find(net.vpcs, rt.vpc);
      for (const auto& p : net.peerings)
        if (p.requester.vpc == rt.vpc || p.accepter.vpc == rt.vpc) {
          fx.route(rt.id, "10.0.0.0/8", RouteTargetKind::kVpcPeeringConnection, p.id);
          return "route via " + p.id + " added to " + rt.id;
        }
      if (!v.internet_gateway.empty()) fx.route(rt.id, "0.0.0.0/0", RouteTargetKind::kInternetGateway, v.internet_gateway);
      return "default route added to " + rt.id;
    }
    case 5: {
      auto& s = any_of(net.subnets, g);
      for (const auto& rt : net.route_tables)
        if (rt.vpc == s.vpc && rt.id != s.route_table && g.coin(50)) {
          s.route_table = rt.id;
          return s.id + " associated with " + rt.id;
        }
      return "nothing";
    }
    case 6: {
      auto& e = any_of(net.network_interfaces, g);
      if (e.owner_kind != model::EniOwnerKind::kInstance) return "nothing";
      for (const auto& sg : net.security_groups)
        if (sg.vpc == e.vpc && (e.security_groups.empty() || sg.id != e.security_groups.front())) {
          e.security_groups = {sg.id};
          return e.id + " now in " + sg.id;
        }
      return "nothing";
    }
    case 7: {
      if (net.peerings.empty()) return "nothing";
      auto& p = any_of(net.peerings, g);
      p.state = p.state == model::PeeringState::kActive ? model::PeeringState::kPendingAcceptance
                                                        : model::PeeringState::kActive;
      return p.id + " state flipped";
    }
    case 8: {
      if (net.internet_gateways.empty()) return "nothing";
      auto& igw = any_of(net.internet_gateways, g);
      for (auto& v : net.vpcs)
        if (v.id == igw.vpc) v.internet_gateway.clear();
      igw.vpc.clear();
      return igw.id + " detached";
    }
    case 9: {
      net.listeners.front().port = g.coin(50) ? 8080 : 443;
      return "listener port changed";
    }
    default: {
      auto& tg = net.target_groups.front();
      if (g.coin(50) && !tg.targets.empty()) {
        tg.targets.pop_back();
        return "target removed";
      }
      tg.port = 22;
      return "target group port changed";
    }
  }
}

std::string text_of(const DiffResult& r) {
  std::ostringstream o;
  for (const auto& f : r.flows) {
    o << (f.allowed ? "+ " : "- ") << f.protocol << "/" << f.ports << " ";
    for (const auto& s : f.sources) o << s << ",";
    o << " -> ";
    for (const auto& d : f.destinations) o << d << ",";
    o << " " << f.summary << "\n";
  }
  for (const auto& e : r.exposure)
    o << (e.gained ? "exposed " : "hidden ") << e.resource << " " << e.scope << " " << e.protocol << "/" << e.ports
      << " " << e.sources << "\n";
  for (const auto& e : r.egress)
    o << (e.gained ? "egress+ " : "egress- ") << e.resource << " " << e.protocol << "/" << e.ports << " "
      << e.destinations << " " << e.through << "\n";
  for (const auto& h : r.health_checks)
    o << "health " << h.load_balancer << " " << h.target << " " << h.port << " " << h.reachable << "\n";
  return o.str();
}

}  // namespace

TEST(DiffIncremental, SameAnswerAsRecomputingEveryPair) {
  int differing = 0, incremental = 0, narrowed = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    Built before, after;
    build_with_alb(before, seed);
    build_with_alb(after, seed);
    Gen g(seed * 7919u);
    std::string what = mutate(after.fx, g);
    const auto& n0 = before.fx.finish();
    const auto& n1 = after.fx.finish();
    DiffOptions full_opts;
    DiffResult full = diff_networks(n0, n1, full_opts);
    DiffOptions inc_opts;
    inc_opts.changed = snapshot::changed_resources(n0, n1);
    DiffResult inc = diff_networks(n0, n1, inc_opts);
    ASSERT_TRUE(full.ok && inc.ok) << full.error << inc.error;
    EXPECT_EQ(text_of(inc), text_of(full)) << "seed " << seed << ": " << what;
    if (what == "nothing") EXPECT_TRUE(inc_opts.changed->empty()) << "seed " << seed;
    differing += full.any();
    incremental += inc.incremental;
    narrowed += inc.incremental && inc.pairs_compared < full.pairs_compared;
  }
  // The comparison means something: changes happen, and most are narrowed.
  EXPECT_GT(differing, 60) << differing;
  EXPECT_GT(incremental, 250) << incremental;
  EXPECT_GT(narrowed, 60) << narrowed;
}

TEST(DiffIncremental, ANetworkAgainstItselfComparesNoPair) {
  Built a, b;
  build_with_alb(a, 3);
  build_with_alb(b, 3);
  const auto& n0 = a.fx.finish();
  const auto& n1 = b.fx.finish();
  DiffOptions o;
  o.changed = snapshot::changed_resources(n0, n1);
  EXPECT_TRUE(o.changed->empty());
  DiffResult r = diff_networks(n0, n1, o);
  EXPECT_TRUE(r.incremental);
  EXPECT_FALSE(r.any());
  EXPECT_EQ(r.pairs_compared, 0u);
}
