// `matrix --group-by` (Analyzer::matrix_by_class) against the matrix of every
// pair: on the examples and on seeded random networks (some with subnets that
// share route table, NACL and AZ, so classes span subnets), every member pair
// of two classes has exactly its class pair's answer, and every party is in
// one class, on networks whose classes span VPCs alike too (random spokes,
// the organisation of bench/org in small, across TGW peering). Offices
// (on_premises) are parties: their cells, office to office included, agree with trace.
#include <gtest/gtest.h>

#include <map>
#include <filesystem>
#include <set>
#include <tuple>

#include "../support/random_network.h"
#include "example_variants.h"
#include "analysis/analyzer.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;

namespace {

std::string path(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/" + rel; }

std::string text(const semantics::IntervalSet& tcp, const semantics::IntervalSet& udp, bool icmp) {
  return "tcp " + (tcp.empty() ? std::string("-") : tcp.str()) + " udp " + (udp.empty() ? std::string("-") : udp.str()) +
         (icmp ? " icmp" : "");
}
const std::string kNothing = text({}, {}, false);

// Every member pair's answer in `m` equals its class pair's in `g`; classes
// partition the parties. Returns the number of member pairs compared.
size_t expect_agree(const Analyzer& a, const std::string& kind, const std::string& ctx, const std::string& from = "",
                    const std::string& to = "") {
  MatrixResult m = a.matrix(from, to);
  GroupedMatrixResult g = a.matrix_by_class(kind, from, to);
  EXPECT_TRUE(m.ok && g.ok) << ctx << " " << m.error << g.error;
  EXPECT_EQ(g.group_by, kind);
  std::map<std::pair<std::string, std::string>, std::string> every;
  for (const auto& c : m.cells) every[{c.from_id, c.to_id}] = text(c.tcp, c.udp, c.icmp);
  // A cell stands for every member pair of its classes, or (vpc same /
  // other) only for those in one VPC / in two.
  std::map<std::tuple<uint32_t, uint32_t, CellScope>, std::string> by_class;
  std::set<std::pair<uint32_t, uint32_t>> any, scoped;
  for (const auto& c : g.cells) {
    const auto& ans = g.answers.at(c.answer);
    EXPECT_TRUE(by_class.emplace(std::make_tuple(c.from, c.to, c.vpc), text(ans.tcp, ans.udp, ans.icmp)).second)
        << ctx << ": two cells for one class pair and scope";
    (c.vpc == CellScope::kAny ? any : scoped).insert({c.from, c.to});
  }
  for (const auto& p : scoped) EXPECT_EQ(any.count(p), 0u) << ctx << ": a class pair with a cell for all and one for some";
  auto vpc_of = [&](uint32_t k, size_t i) -> const std::string& {
    EXPECT_EQ(g.classes[k].member_vpcs.size(), g.classes[k].members.size());
    return g.classes[k].member_vpcs.at(i);
  };
  // The ungrouped matrix lists its parties by display name; ids come from cells and classes.
  for (const auto* side : {&g.rows, &g.columns}) {
    std::multiset<std::string> members;
    for (auto r : *side) members.insert(g.classes[r].members.begin(), g.classes[r].members.end());
    EXPECT_EQ(members.size(), side == &g.rows ? m.rows.size() : m.columns.size()) << ctx;
    EXPECT_EQ(std::set<std::string>(members.begin(), members.end()).size(), members.size())
        << ctx << ": a party in two classes";
  }
  size_t compared = 0;
  for (auto r : g.rows)
    for (auto c : g.columns) {
      for (size_t i = 0; i < g.classes[r].members.size(); ++i)
        for (size_t j = 0; j < g.classes[c].members.size(); ++j) {
          const std::string& x = g.classes[r].members[i];
          const std::string& y = g.classes[c].members[j];
          if (x == y) continue;
          const std::string& vx = vpc_of(r, i);
          const std::string& vy = vpc_of(c, j);
          CellScope scope = vx.empty() || vy.empty() || !scoped.count({r, c}) ? CellScope::kAny
                            : vx == vy                                      ? CellScope::kSameVpc
                                                                            : CellScope::kOtherVpc;
          auto it = by_class.find({r, c, scope});
          const std::string& want = it == by_class.end() ? kNothing : it->second;
          auto e = every.find({x, y});
          EXPECT_EQ(e == every.end() ? kNothing : e->second, want)
              << ctx << ": " << x << " -> " << y << " in " << g.classes[r].label << " -> " << g.classes[c].label;
          ++compared;
        }
    }
  return compared;
}

const char* kKinds[] = {"vpc", "subnet", "security-group"};

}  // namespace

TEST(MatrixByClass, AgreesWithEveryPairOnTheExamples) {
  for (const char* ex : {"examples/scenario/vpclab.yaml", "examples/scenario/same-account.yaml",
                         "examples/scenario/cross-account/vpclab.yaml", "examples/tgw/hub-and-spoke.yaml",
                         "examples/tgw/isolated-spokes.yaml", "examples/tgw/cross-region/vpclab.yaml",
                         "examples/tgw/cross-account/vpclab.yaml", "examples/tgw/vpn/vpclab.yaml",
                         "examples/vpn/vpclab.yaml", "examples/nlb/nlb.yaml", "examples/nlb/nlb-to-alb.yaml",
                         "examples/prefix-lists/scenario.yaml", "examples/asg/asg.yaml"}) {
    auto res = tmpl::load_network({path(ex)});
    ASSERT_TRUE(res.network) << ex;
    Analyzer a(*res.network);
    for (const char* kind : kKinds) EXPECT_GT(expect_agree(a, kind, std::string(ex) + " --group-by " + kind), 0u) << ex;
  }
}

TEST(MatrixByClass, AgreesWithEveryPairOnRandomNetworks) {
  size_t compared = 0, merged = 0, spanning = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    vpclab::testing::Gen g(seed);
    vpclab::testing::Built b;
    if (seed % 3 == 0) vpclab::testing::build_hub_and_spoke(b, g);
    else vpclab::testing::build(b, g);
    // Half the time a VPC's subnets share the first one's route table, NACL and AZ.
    for (const auto& v : b.fx.net.vpcs) {
      if (!g.coin(50)) continue;
      const model::Subnet* first = nullptr;
      for (auto& s : b.fx.net.subnets) {
        if (s.vpc != v.id) continue;
        if (!first) {
          first = &s;
          continue;
        }
        s.route_table = first->route_table;
        s.network_acl = first->network_acl;
        s.availability_zone = first->availability_zone;
      }
    }
    Analyzer a(b.fx.finish());
    // Some seeds ask for a part of the rows and columns (overlapping): classes of each side.
    std::string from, to;
    if (seed % 4 == 1)
      for (size_t i = 0; i < b.instances.size(); ++i) {
        if (i % 2 == 0) from += (from.empty() ? "" : ",") + b.instances[i];
        if (i % 3 != 2) to += (to.empty() ? "" : ",") + b.instances[i];
      }
    for (const char* kind : kKinds) {
      compared += expect_agree(a, kind, "seed " + std::to_string(seed) + " --group-by " + kind + " --from " + from,
                               from, to);
      auto gm = a.matrix_by_class(kind);
      for (const auto& c : gm.classes) {
        merged += c.members.size() > 1;
        std::set<std::string> subnets;
        for (const auto& id : c.members)
          if (const auto* i = b.fx.net.instance(id)) subnets.insert(i->subnet);
        spanning += subnets.size() > 1;
      }
    }
  }
  EXPECT_GT(compared, 1000u);
  EXPECT_GT(merged, 0u);    // classes do gather parties
  EXPECT_GT(spanning, 0u);  // and some span subnets
}

// A VPC's four instances in two subnets of one AZ with one route table and
// one NACL: with the default NACL they are one class; with a NACL that denies
// tcp/22 inbound, members of one subnet reach each other on 22 but not the
// other subnet's, so the class is split by subnet.
TEST(MatrixByClass, SplitsBySubnetOnlyWhenTheSubnetMatters) {
  for (bool deny_ssh : {false, true}) {
    vpclab::testing::Fx fx;
    auto v = fx.vpc("V", "10.1.0.0/16");
    auto s1 = fx.subnet(v, "S1", "10.1.1.0/24");
    auto s2 = fx.subnet(v, "S2", "10.1.2.0/24");
    auto sg = fx.sg(v, "Sg");
    fx.allow_in(sg, kTcp, PortRange::single(22), "10.1.0.0/16");
    if (deny_ssh) {
      auto acl = fx.acl(v, "Acl");
      fx.acl_entry(acl, 100, Direction::kIngress, false, kTcp, PortRange::single(22), "0.0.0.0/0");
      fx.acl_entry(acl, 200, Direction::kIngress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
      fx.acl_entry(acl, 100, Direction::kEgress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
      fx.associate_acl(s1, acl);
      fx.associate_acl(s2, acl);
    }
    std::vector<std::string> ids{fx.instance("A1", s1, "10.1.1.10", {sg}), fx.instance("A2", s1, "10.1.1.11", {sg}),
                                 fx.instance("B1", s2, "10.1.2.10", {sg}), fx.instance("B2", s2, "10.1.2.11", {sg})};
    Analyzer a(fx.finish());
    expect_agree(a, "vpc", deny_ssh ? "NACL denies 22" : "default NACL");
    auto g = a.matrix_by_class("vpc");
    ASSERT_TRUE(g.ok);
    std::vector<size_t> counts;
    for (const auto& c : g.classes) counts.push_back(c.members.size());
    EXPECT_EQ(counts, deny_ssh ? std::vector<size_t>({2, 2}) : std::vector<size_t>({ids.size()}));
    EXPECT_FALSE(a.matrix_by_class("az").ok);
    EXPECT_NE(a.matrix_by_class("az").error.find("vpc, subnet, security-group"), std::string::npos);
  }
}

// examples/tgw/vpn (an office over VPN to the hub's TGW), examples/vpn (a
// branch over VPN to a VGW), and each with a second office (data/: the same
// templates, another customer gateway and connection): the offices are rows
// and columns of the matrix, their own classes when grouped, and every cell
// with an office on either side (instances, the ALB, office to office) is
// what trace says for that pair, for each port the network's rules name (tcp
// and udp) and ICMP.
TEST(MatrixByClass, EveryOfficeCellIsWhatTraceSays) {
  for (const char* ex : {"examples/tgw/vpn/vpclab.yaml", "examples/vpn/vpclab.yaml",
                         "tests/analysis/data/two-offices-tgw-lab.yaml", "tests/analysis/data/two-branches-lab.yaml"}) {
    auto res = tmpl::load_network({path(ex)});
    ASSERT_TRUE(res.network) << ex;
    const model::Network& net = *res.network;
    ASSERT_FALSE(net.on_premises.empty()) << ex;
    Analyzer a(net);
    MatrixResult m = a.matrix();
    ASSERT_TRUE(m.ok) << m.error;
    std::set<uint16_t> ports{1};
    for (const auto& sg : net.security_groups)
      for (const auto* list : {&sg.ingress, &sg.egress})
        for (const auto& r : *list) {
          ports.insert(r.ports.from);
          ports.insert(r.ports.to);
        }
    for (const auto& acl : net.network_acls)
      for (const auto* list : {&acl.ingress, &acl.egress})
        for (const auto& e : *list) {
          ports.insert(e.ports.from);
          ports.insert(e.ports.to);
        }
    for (const auto& l : net.listeners) ports.insert(l.port);
    std::vector<std::string> offices, parties;
    for (const auto& o : net.on_premises) offices.push_back("on-prem:" + o.name);
    for (const auto& i : net.instances) parties.push_back(i.id);
    for (const auto& lb : net.load_balancers) parties.push_back(lb.arn);
    parties.insert(parties.end(), offices.begin(), offices.end());
    size_t checked = 0, reachable = 0, office_pairs = 0;
    for (const auto& from : parties)
      for (const auto& to : parties) {
        const bool a_office = from.starts_with("on-prem:"), b_office = to.starts_with("on-prem:");
        if (from == to || (!a_office && !b_office)) continue;
        office_pairs += a_office && b_office;
        const MatrixCell* cell = nullptr;
        for (const auto& c : m.cells)
          if (c.from_id == from && c.to_id == to) cell = &c;
        for (IpProtocol proto : {kTcp, kUdp})
          for (uint16_t port : ports) {
            TraceOptions o;
            o.protocol = proto;
            o.port = port;
            auto t = a.trace(from, to, o);
            ASSERT_TRUE(t.ok) << ex << " " << from << " -> " << to << ": " << t.error;
            bool in_cell = cell && (proto == kTcp ? cell->tcp : cell->udp).contains(port);
            EXPECT_EQ(in_cell, t.reachable) << ex << " " << from << " -> " << to << " " << protocol_name(proto) << "/"
                                            << port;
            reachable += t.reachable;
            ++checked;
          }
        TraceOptions icmp;
        icmp.protocol = kIcmp;
        EXPECT_EQ(cell && cell->icmp, a.trace(from, to, icmp).reachable) << ex << " " << from << " -> " << to << " icmp";
      }
    for (const auto& id : offices) {
      EXPECT_NE(std::find(m.rows.begin(), m.rows.end(), id), m.rows.end()) << ex;
      EXPECT_NE(std::find(m.columns.begin(), m.columns.end(), id), m.columns.end()) << ex;
      auto g = a.matrix_by_class("vpc");
      bool own_class = false;
      for (const auto& c : g.classes)
        own_class = own_class || (c.kind == "on-premises" && c.members == std::vector<std::string>{id});
      EXPECT_TRUE(own_class) << ex;
      // Named like trace names it, in --from and --to.
      EXPECT_TRUE(a.matrix(id, "", "").ok) << ex;
      EXPECT_TRUE(a.matrix("", id.substr(8), "").ok) << ex;
    }
    // The grouped matrix says the same as the matrix of every pair here too.
    for (const char* kind : kKinds) expect_agree(a, kind, std::string(ex) + " --group-by " + kind);
    EXPECT_GT(checked, 0u);
    EXPECT_EQ(office_pairs, offices.size() * (offices.size() - 1)) << ex;
    EXPECT_GT(reachable, 0u) << ex << ": the office reaches something (or is reached)";
  }
}

namespace {

// Spokes of one shape: each built from the same seed, so they draw the same
// subnets, NACL entries, groups, rules and instances, written relative to
// the spoke's own 10.<v+1>.0.0/16 (or naming the hub, the shared-services VPC
// or spoke 0 outright); all attached to one TGW, routing 10.0.0.0/8 to it;
// sometimes a rule elsewhere covers the first three spokes and not the rest.
// `perturbed` >= 0: that spoke then gets one rule more (or a propagation
// less), by the seed's pick among the kinds of rule a signature must see.
struct Spokes {
  vpclab::testing::Built b;
  std::vector<std::vector<std::string>> instances;  // per spoke
  int perturbed = -1;
  std::string how;
};

void build_spokes(Spokes& out, uint32_t seed, bool perturb) {
  using vpclab::testing::Gen;
  vpclab::testing::Fx& fx = out.b.fx;
  Gen g(seed);
  auto hub = fx.tgw("Hub");
  const int n = 3 + g.pick(3);
  const uint32_t shape_seed = seed * 7919u + 17u;
  out.perturbed = perturb ? g.pick(n) : -1;
  const int kind = static_cast<int>((seed / 2) % 10);  // each kind on three of the perturbed seeds
  // The shared-services VPC: one subnet, one instance, a group admitting the organisation.
  auto svc = fx.vpc("Svc", "10.100.0.0/16");
  auto svc_sub = fx.subnet(svc, "SvcS", "10.100.1.0/24", "ap-northeast-1a");
  auto svc_rt = fx.route_table(svc, "SvcRt");
  fx.associate(svc_sub, svc_rt);
  fx.route(svc_rt, "10.0.0.0/8", RouteTargetKind::kTransitGateway, hub);
  auto svc_sg = fx.sg(svc, "SvcSg");
  fx.allow_in(svc_sg, kTcp, PortRange::single(443), "10.0.0.0/8");
  fx.allow_in(svc_sg, kIcmp, PortRange::all(), "10.0.0.0/8");
  // Sometimes a rule covers spokes 0-2 (10.0.0.0/14) and not the others: two shapes of spokes.
  if (g.coin(40)) fx.allow_in(svc_sg, kTcp, PortRange::single(8080), "10.0.0.0/14");
  out.b.instances.push_back(fx.instance("SvcI", svc_sub, "10.100.1.10", {svc_sg}));
  std::string svc_att = fx.tgw_attachment(hub, svc, "SvcA", {svc_sub});
  for (int v = 0; v < n; ++v) {
    Gen t(shape_seed);  // the same draws for every spoke
    const std::string V = std::to_string(v), base = "10." + std::to_string(v + 1) + ".";
    auto peer = [&](const std::string& sg0) {
      switch (t.pick(8)) {
        case 0: return std::string("0.0.0.0/0");
        case 1: return std::string("10.0.0.0/8");
        case 2: return base + "0.0/16";  // its own VPC
        case 3: return base + "1.0/24";  // its own first subnet
        case 4: return std::string("10.100.0.0/16");
        case 5: return std::string("10.1.0.0/16");  // spoke 0, whichever spoke this is
        case 6: return sg0.empty() ? std::string("10.0.0.0/8") : sg0;
        default: return base + "2.0/23";
      }
    };
    auto vpc = fx.vpc("P" + V, base + "0.0/16");
    auto rt = fx.route_table(vpc, "P" + V + "Rt");
    fx.route(rt, "10.0.0.0/8", RouteTargetKind::kTransitGateway, hub);
    if (t.coin(30)) fx.route(rt, "10.100.0.0/16", RouteTargetKind::kTransitGateway, hub);
    std::vector<std::string> subs;
    const int ns = 1 + t.pick(3);
    for (int s = 0; s < ns; ++s) {
      auto sid = fx.subnet(vpc, "P" + V + "S" + std::to_string(s), base + std::to_string(s + 1) + ".0/24",
                           s % 2 ? "ap-northeast-1c" : "ap-northeast-1a");
      subs.push_back(sid);
      fx.associate(sid, rt);
      if (t.coin(30)) {
        auto acl = fx.acl(vpc, "P" + V + "Acl" + std::to_string(s));
        const int ne = 1 + t.pick(3);
        for (int k = 0; k < ne; ++k)
          fx.acl_entry(acl, 100 + 10 * k, t.coin(50) ? Direction::kIngress : Direction::kEgress, t.coin(70),
                       t.coin(50) ? kTcp : kAllProtocols, t.coin(50) ? PortRange{1024, 65535} : t.range(), peer(""));
        fx.acl_entry(acl, 500, Direction::kIngress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
        fx.acl_entry(acl, 500, Direction::kEgress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
        fx.associate_acl(sid, acl);
      }
    }
    std::vector<std::string> sgs;
    for (int k = 0; k < 2; ++k) {
      auto sg = fx.sg(vpc, "P" + V + "Sg" + std::to_string(k), t.coin(80));
      const int nr = 1 + t.pick(3);
      for (int r = 0; r < nr; ++r)
        fx.allow_in(sg, t.coin(70) ? kTcp : (t.coin(50) ? kUdp : kIcmp), t.range(), peer(sgs.empty() ? "" : sgs[0]));
      if (t.coin(30)) fx.allow_out(sg, kTcp, t.range(), peer(""));
      sgs.push_back(sg);
    }
    out.instances.emplace_back();
    for (int s = 0; s < ns; ++s) {
      const int ni = 1 + t.pick(3);
      for (int k = 0; k < ni; ++k) {
        auto id = fx.instance("P" + V + "I" + std::to_string(s) + std::to_string(k), subs[static_cast<size_t>(s)],
                              base + std::to_string(s + 1) + "." + std::to_string(10 + k),
                              {sgs[static_cast<size_t>(t.pick(2))]});
        out.instances.back().push_back(id);
        out.b.instances.push_back(id);
      }
    }
    std::vector<std::string> in{subs[0]};
    if (ns > 1 && t.coin(60)) in.push_back(subs[1]);
    const bool propagate = !(v == out.perturbed && kind == 0);
    fx.tgw_attachment(hub, vpc, "P" + V + "A", in, propagate);
    if (v != out.perturbed) continue;
    const std::string sg0 = sgs[0];
    switch (kind) {
      case 0: out.how = "no propagation"; break;
      case 1:
        out.how = "one more ingress rule";
        fx.allow_in(sg0, kTcp, PortRange::single(22), "10.0.0.0/8");
        break;
      case 2: {
        out.how = "a NACL entry";
        auto acl = fx.acl(vpc, "P" + V + "Odd");
        fx.acl_entry(acl, 90, Direction::kIngress, false, kTcp, PortRange::single(443), "10.100.0.0/16");
        fx.acl_entry(acl, 500, Direction::kIngress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
        fx.acl_entry(acl, 500, Direction::kEgress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
        fx.associate_acl(subs.back(), acl);
        break;
      }
      case 3:
        out.how = "a route";
        fx.route(rt, "10.100.1.0/24", RouteTargetKind::kTransitGateway, hub, RouteState::kBlackhole);
        break;
      case 4:
        out.how = "a TGW blackhole for one subnet";
        fx.tgw_route(hub, base + "1.0/24", "");
        break;
      case 5:
        out.how = "a rule elsewhere naming the spoke";
        fx.allow_in(svc_sg, kTcp, PortRange::single(8443), base + "0.0/16");
        break;
      case 6:
        out.how = "a static TGW route to it";
        fx.tgw_route(hub, base + "0.0/17", "tgw-attach-P" + V + "A");
        break;
      case 7: {
        out.how = "its attachment associated with another TGW route table";
        model::TransitGatewayRouteTable t;
        t.id = "tgw-rtb-Odd";
        t.transit_gateway = hub;
        TransitGatewayRoute r;
        r.destination = vpclab::testing::cidr("10.100.0.0/16");
        r.attachment = svc_att;
        t.routes.push_back(r);
        fx.net.transit_gateway_route_tables.push_back(t);
        vpclab::testing::Fx::find(fx.net.transit_gateway_attachments, "tgw-attach-P" + V + "A").route_table = t.id;
        break;
      }
      case 8: {
        out.how = "a peering with the shared-services VPC";
        auto pcx = fx.peering(vpc, svc, "Odd" + V);
        fx.route(rt, "10.100.1.0/24", RouteTargetKind::kVpcPeeringConnection, pcx);
        fx.route(svc_rt, base + "0.0/16", RouteTargetKind::kVpcPeeringConnection, pcx);
        break;
      }
      default: {
        out.how = "a prefix list naming it in a rule elsewhere";
        model::PrefixList pl;
        pl.id = "pl-Odd";
        pl.entries.push_back(model::PrefixListEntry::of(base + "0.0/16", "the odd spoke"));
        fx.net.prefix_lists.push_back(pl);
        SecurityGroupRule r;
        r.direction = Direction::kIngress;
        r.protocol = kTcp;
        r.ports = PortRange::single(8443);
        r.prefix_list_id = pl.id;
        r.prefix_list_cidrs = {vpclab::testing::cidr(base + "0.0/16")};
        vpclab::testing::Fx::find(fx.net.security_groups, svc_sg).ingress.push_back(r);
        break;
      }
    }
  }
}

}  // namespace

// Classes spanning VPCs are sound: on seeded hub-and-spoke networks whose
// spokes are alike, every member pair of two classes has its class pair's
// answer (a cell for one VPC and one for two where they differ), classes do
// span spokes, and a spoke that differs by one rule is a class of its own.
TEST(MatrixByClass, ClassesSpanVpcsAlikeAndSplitOnOneRule) {
  size_t compared = 0, spanning = 0, scoped = 0;
  std::set<std::string> kinds_of_rule;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    Spokes sp;
    build_spokes(sp, seed, seed % 2 == 0);
    if (!sp.how.empty()) kinds_of_rule.insert(sp.how);
    Analyzer a(sp.b.fx.finish());
    const std::string ctx = "seed " + std::to_string(seed) + (sp.how.empty() ? "" : " (spoke " +
                            std::to_string(sp.perturbed) + ": " + sp.how + ")");
    std::string from, to;
    if (seed % 5 == 1)
      for (size_t i = 0; i < sp.b.instances.size(); ++i) {
        if (i % 2 == 0) from += (from.empty() ? "" : ",") + sp.b.instances[i];
        if (i % 3 != 2) to += (to.empty() ? "" : ",") + sp.b.instances[i];
      }
    for (const char* kind : kKinds) {
      compared += expect_agree(a, kind, ctx + " --group-by " + kind, from, to);
      auto gm = a.matrix_by_class(kind);
      ASSERT_TRUE(gm.ok);
      size_t widest = 0;
      for (const auto& c : gm.classes) {
        std::set<std::string> vpcs(c.member_vpcs.begin(), c.member_vpcs.end());
        EXPECT_EQ(vpcs.size(), c.vpcs) << ctx;
        widest = std::max(widest, vpcs.size());
        spanning += vpcs.size() > 1;
        if (sp.perturbed < 0) continue;
        // The odd spoke's members share classes with no other spoke.
        const auto& odd = sp.instances[static_cast<size_t>(sp.perturbed)];
        bool has_odd = std::any_of(c.members.begin(), c.members.end(),
                                   [&](const std::string& m) { return std::count(odd.begin(), odd.end(), m) > 0; });
        EXPECT_TRUE(!has_odd || vpcs.size() == 1) << ctx << " --group-by " << kind << ": " << c.label;
      }
      for (const auto& c : gm.cells) scoped += c.vpc != CellScope::kAny;
      // Spokes 1.. are alike (spoke 0 may differ: rules name it outright), minus the odd one
      // (and split at spoke 3 when a rule covers 0-2).
      EXPECT_GE(widest, std::min<size_t>(2, sp.instances.size() - 3)) << ctx << " --group-by " << kind;
    }
  }
  EXPECT_GT(compared, 10000u);
  EXPECT_GT(spanning, 0u);
  EXPECT_GT(scoped, 0u);  // cells that tell one VPC from two
  EXPECT_EQ(kinds_of_rule.size(), 10u);  // every kind of odd rule was drawn
}

// The organisation of bench/org/gen_org.py in small (tests/cli/data/org-spokes:
// two Regions of three spokes, a TGW each, peered): every grouping agrees with
// the matrix of every pair, a class spans each Region's spokes; and copies
// where one spoke differs (its web group admits another port; the peering
// route of Region 0 narrowed to one spoke of Region 1) keep that spoke apart.
TEST(MatrixByClass, OrganisationSpokesAcrossTgwPeering) {
  const std::filesystem::path lab = path("tests/cli/data/org-spokes");
  struct Case {
    std::string name;
    std::vector<vpclab::analysis::testing::Edit> edits;
    std::string odd_stack, odd_vpc;  // the spoke kept apart ("" none)
  };
  const std::vector<Case> cases{
      {"as-generated", {}, "", ""},
      {"web-port",
       {{"r0-vpcs0000.yaml",
         "VpcId: !Ref Vpc2\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 8000, ToPort: 8000",
         "VpcId: !Ref Vpc2\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080"}},
       "r0-vpcs0000", "Vpc2"},
      {"peering-route",
       {{"peering-0-1.yaml", "DestinationCidrBlock: 10.64.0.0/10", "DestinationCidrBlock: 10.64.8.0/21"}},
       "r1-vpcs0000", "Vpc1"}};
  for (const auto& c : cases) {
    auto res = tmpl::load_network({vpclab::analysis::testing::variant(lab, "org-" + c.name, c.edits)});
    ASSERT_TRUE(res.network) << c.name;
    const model::Network& net = *res.network;
    std::string odd;
    for (const auto& v : net.vpcs)
      if (v.origin.stack == c.odd_stack && v.origin.logical_id == c.odd_vpc) odd = v.id;
    EXPECT_EQ(odd.empty(), c.odd_vpc.empty()) << c.name;
    Analyzer a(net);
    for (const char* kind : kKinds) {
      const std::string ctx = "org-spokes " + c.name + " --group-by " + kind;
      EXPECT_GT(expect_agree(a, kind, ctx), 0u);
      auto g = a.matrix_by_class(kind);
      size_t spanning = 0;
      for (const auto& k : g.classes) {
        spanning += k.vpcs > 1;
        bool has_odd = std::count(k.member_vpcs.begin(), k.member_vpcs.end(), odd) > 0;
        EXPECT_TRUE(odd.empty() || !has_odd || k.vpcs == 1) << ctx << ": " << k.label;
      }
      EXPECT_EQ(spanning, 8u) << ctx;  // four tiers in each Region, the odd spoke aside
    }
  }
}
