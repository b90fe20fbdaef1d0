// Seeded random small networks: invariants that must hold whatever the
// configuration (a reachable path has every hop allowed; blocked paths are
// explained; matrix agrees with trace; naming the target or its IP agrees).
#include <gtest/gtest.h>

#include "../support/random_network.h"
#include "analysis/analyzer.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::testing::Built;
using vpclab::testing::Fx;
using vpclab::testing::Gen;

TEST(AnalyzerProperties, RandomNetworks) {
  int reachable_seen = 0, blocked_seen = 0, symmetric_seen = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    Gen g(seed);
    Built b;
    build(b, g);
    const auto& net = b.fx.finish();
    Analyzer a(net);
    auto m = a.matrix();
    ASSERT_TRUE(m.ok) << m.error;
    for (int q = 0; q < 25; ++q) {
      const auto& src = b.instances[static_cast<size_t>(g.pick(static_cast<int>(b.instances.size())))];
      const auto& dst = b.instances[static_cast<size_t>(g.pick(static_cast<int>(b.instances.size())))];
      if (src == dst) continue;
      const model::Instance* di = net.instance(dst);
      uint16_t port = g.port();
      TraceOptions o;
      o.port = port;
      auto r = a.trace(src, di->private_ip.str(), o);
      ASSERT_TRUE(r.ok) << r.error;
      ASSERT_EQ(r.paths.size(), 1u);
      const auto& p = r.paths[0];
      std::string ctx = "seed " + std::to_string(seed) + " " + src + " -> " + dst + ":" + std::to_string(port);
      if (r.reachable) {
        ++reachable_seen;
        for (const auto& h : p.hops) EXPECT_TRUE(h.allowed) << ctx << " hop " << h.component << " " << h.check;
        for (const auto& e : p.explanations) EXPECT_TRUE(e.warning) << ctx << " " << e.code;
      } else {
        ++blocked_seen;
        ASSERT_FALSE(p.explanations.empty()) << ctx;
        EXPECT_NE(code_info(p.explanations[0].code), nullptr) << p.explanations[0].code;
        bool blocked_hop = false;
        for (const auto& h : p.hops) blocked_hop |= !h.allowed;
        EXPECT_TRUE(blocked_hop) << ctx;
      }
      // Symmetric case: same subnet, same groups -> the reverse direction agrees.
      const model::Instance* si = net.instance(src);
      const auto* se = net.network_interface(si->network_interfaces[0]);
      const auto* de = net.network_interface(di->network_interfaces[0]);
      if (si->subnet == di->subnet && se->security_groups == de->security_groups) {
        auto rev = a.trace(dst, si->private_ip.str(), o);
        EXPECT_EQ(rev.reachable, r.reachable) << ctx << " (reverse)";
        ++symmetric_seen;
      }
      // Naming the instance gives the same verdict as its address.
      auto by_name = a.trace(src, dst + ":" + std::to_string(port));
      EXPECT_EQ(by_name.reachable, r.reachable) << ctx;
      // The matrix agrees with trace.
      bool in_matrix = false;
      for (const auto& c : m.cells)
        if (c.from_id == src && c.to_id == dst) in_matrix = c.tcp.contains(port);
      EXPECT_EQ(in_matrix, r.reachable) << ctx;
      // ICMP too.
      TraceOptions icmp;
      icmp.protocol = kIcmp;
      auto ri = a.trace(src, di->private_ip.str(), icmp);
      bool icmp_matrix = false;
      for (const auto& c : m.cells)
        if (c.from_id == src && c.to_id == dst) icmp_matrix = c.icmp;
      EXPECT_EQ(icmp_matrix, ri.reachable) << ctx << " icmp";
    }
  }
  // The generator must produce both outcomes, or the test proves nothing.
  EXPECT_GT(reachable_seen, 20);
  EXPECT_GT(blocked_seen, 50);
  EXPECT_GT(symmetric_seen, 5);
}
