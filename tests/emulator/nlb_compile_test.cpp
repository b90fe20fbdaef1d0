// Network Load Balancers compiled into a lab plan (compile_nlb.cpp) on
// examples/nlb: one engine per NLB with a node per subnet; for groups that
// keep the client's address, DSCP marks per node, the router's fwmark rules
// and routes back to the node, the targets' connection marks, the node's
// local table; none of that when no group preserves the client.
#include <gtest/gtest.h>

#include <algorithm>

#include "emulator/compile.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

CompiledLab compile(const std::string& rel, std::shared_ptr<const model::Network>* keep) {
  auto loaded = tmpl::load_network({std::string(VPCLAB_SOURCE_DIR) + "/examples/nlb/" + rel});
  EXPECT_TRUE(loaded.network) << rel;
  *keep = loaded.network;
  return compile_network(*loaded.network);
}

const NftPlan* nft_in(const CompiledLab& c, const std::string& ns, const std::string& what_prefix) {
  for (const auto& n : c.plan.nft)
    if (n.netns == ns && n.what.rfind(what_prefix, 0) == 0) return &n;
  return nullptr;
}

TEST(NlbCompile, InstanceTargetsGetTheReturnPathOfPreservedFlows) {
  std::shared_ptr<const model::Network> net;
  CompiledLab c = compile("nlb.yaml", &net);
  for (const auto& u : c.unsupported) ADD_FAILURE() << "not emulated: " << u;
  ASSERT_EQ(c.plan.network_load_balancers.size(), 1u);
  const auto& lb = c.plan.network_load_balancers[0];
  ASSERT_EQ(lb.config.nodes.size(), 2u);
  EXPECT_EQ(lb.config.nodes[0].dscp, 1);
  EXPECT_EQ(lb.config.nodes[1].dscp, 3);
  ASSERT_EQ(lb.config.listeners.size(), 1u);
  EXPECT_EQ(lb.config.listeners[0].port, 80);
  ASSERT_EQ(lb.config.target_groups.size(), 1u);
  EXPECT_TRUE(lb.config.target_groups[0].preserve_client_ip);
  EXPECT_FALSE(lb.config.target_groups[0].cross_zone) << "the NLB default";
  EXPECT_EQ(lb.config.target_groups[0].health_check.protocol, "TCP");
  EXPECT_EQ(lb.boot_waits.size(), 2u) << "both web servers run UserData";
  // The VPC router: replies marked 2 and 4 go back to nodes 1 and 2.
  const std::string vpc = net->load_balancers[0].vpc;
  const NftPlan* router = nft_in(c, vpc, "Network Load Balancer");
  ASSERT_TRUE(router);
  EXPECT_NE(router->script.find("ip dscp 2 meta mark set"), std::string::npos) << router->script;
  EXPECT_NE(router->script.find("ip dscp 4 meta mark set"), std::string::npos) << router->script;
  int fwmark_rules = 0;
  for (const auto& r : c.plan.rules) fwmark_rules += r.netns == vpc && r.fwmark.has_value();
  EXPECT_EQ(fwmark_rules, 2);
  bool back_to_node1 = false;
  for (const auto& r : c.plan.routes)
    back_to_node1 = back_to_node1 || (r.netns == vpc && r.via && *r.via == lb.config.nodes[0].address);
  EXPECT_TRUE(back_to_node1);
  // Each web server marks flows that arrive with a node's DSCP.
  for (const auto& tg : lb.config.target_groups[0].targets) {
    const NftPlan* t = nft_in(c, tg.id, "Network Load Balancer");
    ASSERT_TRUE(t) << tg.id;
    EXPECT_NE(t->script.find("ct state new ip dscp 1 ct mark set 2"), std::string::npos) << t->script;
    EXPECT_NE(t->script.find("ct mark 4 ip dscp set 4 meta mark set"), std::string::npos) << t->script;
  }
  // Each node takes non-local destinations locally, by fwmark.
  for (const auto& ns : lb.node_netns) {
    const NftPlan* n = nft_in(c, ns, "Network Load Balancer");
    ASSERT_TRUE(n) << ns;
    EXPECT_NE(n->script.find("ip daddr != "), std::string::npos) << n->script;
    bool local = false;
    for (const auto& r : c.plan.routes) local = local || (r.netns == ns && r.type == RouteType::kLocal);
    EXPECT_TRUE(local) << ns;
  }
  EXPECT_TRUE(check_plan(c.plan).empty());
}

TEST(NlbCompile, IpTargetsWithTcpNeedNoReturnPath) {
  std::shared_ptr<const model::Network> net;
  CompiledLab c = compile("nlb-ip-targets.yaml", &net);
  ASSERT_EQ(c.plan.network_load_balancers.size(), 1u);
  const auto& lb = c.plan.network_load_balancers[0];
  EXPECT_FALSE(lb.config.target_groups[0].preserve_client_ip);
  for (const auto& n : lb.config.nodes) EXPECT_EQ(n.dscp, 0);
  for (const auto& n : c.plan.nft) EXPECT_EQ(n.what.find("Network Load Balancer"), std::string::npos) << n.what;
  EXPECT_EQ(lb.boot_waits.size(), 2u) << "ip targets wait for the instance at that address";
}

TEST(NlbCompile, AnAlbTargetIsEveryNodeOfTheAlb) {
  std::shared_ptr<const model::Network> net;
  CompiledLab c = compile("nlb-to-alb.yaml", &net);
  ASSERT_EQ(c.plan.network_load_balancers.size(), 1u);
  ASSERT_EQ(c.plan.load_balancers.size(), 1u);
  const auto& tg = c.plan.network_load_balancers[0].config.target_groups[0];
  ASSERT_EQ(tg.targets.size(), c.plan.load_balancers[0].config.nodes.size());
  for (size_t i = 0; i < tg.targets.size(); ++i) {
    EXPECT_EQ(tg.targets[i].address, c.plan.load_balancers[0].config.nodes[i].address);
    EXPECT_EQ(tg.targets[i].id, c.plan.load_balancers[0].arn);
  }
  EXPECT_EQ(tg.health_check.protocol, "HTTP");
  EXPECT_TRUE(tg.preserve_client_ip) << "alb targets keep the client";
}

}  // namespace
