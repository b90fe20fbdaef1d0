// `matrix --group-by` (Analyzer::matrix_by_class) against the matrix of every
// pair: on the examples and on seeded random networks (some with subnets that
// share route table, NACL and AZ, so classes span subnets), every member pair
// of two classes has exactly its class pair's answer, and every party is in
// one class. Offices (on_premises) are parties: their cells agree with trace.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "../support/random_network.h"
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
  std::map<std::pair<uint32_t, uint32_t>, std::string> by_class;
  for (const auto& c : g.cells) {
    const auto& ans = g.answers.at(c.answer);
    by_class[{c.from, c.to}] = text(ans.tcp, ans.udp, ans.icmp);
  }
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
      auto it = by_class.find({r, c});
      const std::string& want = it == by_class.end() ? kNothing : it->second;
      for (const auto& x : g.classes[r].members)
        for (const auto& y : g.classes[c].members) {
          if (x == y) continue;
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

// examples/tgw/vpn (an office over VPN to the hub's TGW) and examples/vpn (a
// branch over VPN to a VGW): the office is a row and a column of the matrix,
// its own class when grouped, and every cell with it is what trace says, for
// each port the network's rules name and ICMP.
TEST(MatrixByClass, OfficesAreRowsAndColumnsAsTraceSeesThem) {
  for (const char* ex : {"examples/tgw/vpn/vpclab.yaml", "examples/vpn/vpclab.yaml"}) {
    auto res = tmpl::load_network({path(ex)});
    ASSERT_TRUE(res.network) << ex;
    const model::Network& net = *res.network;
    ASSERT_FALSE(net.on_premises.empty()) << ex;
    Analyzer a(net);
    MatrixResult m = a.matrix();
    std::set<uint16_t> ports{1};
    for (const auto& sg : net.security_groups)
      for (const auto* list : {&sg.ingress, &sg.egress})
        for (const auto& r : *list) {
          ports.insert(r.ports.from);
          ports.insert(r.ports.to);
        }
    size_t checked = 0, reachable = 0;
    for (const auto& office : net.on_premises) {
      const std::string id = "on-prem:" + office.name;
      EXPECT_NE(std::find(m.rows.begin(), m.rows.end(), id), m.rows.end()) << ex;
      EXPECT_NE(std::find(m.columns.begin(), m.columns.end(), id), m.columns.end()) << ex;
      for (const auto& inst : net.instances)
        for (bool out : {false, true}) {
          std::string from = out ? inst.id : id, to = out ? id : inst.id;
          const MatrixCell* cell = nullptr;
          for (const auto& c : m.cells)
            if (c.from_id == from && c.to_id == to) cell = &c;
          for (uint16_t port : ports) {
            TraceOptions o;
            o.port = port;
            auto t = a.trace(from, to, o);
            ASSERT_TRUE(t.ok) << t.error;
            EXPECT_EQ(cell && cell->tcp.contains(port), t.reachable) << ex << " " << from << " -> " << to << " tcp/" << port;
            reachable += t.reachable;
            ++checked;
          }
          TraceOptions icmp;
          icmp.protocol = kIcmp;
          EXPECT_EQ(cell && cell->icmp, a.trace(from, to, icmp).reachable) << ex << " " << from << " -> " << to << " icmp";
        }
      auto g = a.matrix_by_class("vpc");
      bool own_class = false;
      for (const auto& c : g.classes)
        own_class = own_class || (c.kind == "on-premises" && c.members == std::vector<std::string>{id});
      EXPECT_TRUE(own_class) << ex;
      // Named like trace names it, in --from and --to.
      EXPECT_TRUE(a.matrix(id, "", "").ok) << ex;
      EXPECT_TRUE(a.matrix("", office.name, "").ok) << ex;
    }
    EXPECT_GT(checked, 0u);
    EXPECT_GT(reachable, 0u) << ex << ": the office reaches something (or is reached)";
  }
}
