// The ALB in a lab, without namespaces: the model -> engine configuration
// both `vpclab alb` and `vpclab up` use, the plan `up` runs, and how target
// health from several nodes becomes the one state DescribeTargetHealth shows.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emulator/alb_config.h"
#include "emulator/alb_runtime.h"
#include "emulator/compile.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;
using json = nlohmann::json;

namespace {

const std::string kScenario = std::string(VPCLAB_SOURCE_DIR) + "/examples/scenario/same-account.yaml";

model::Network scenario() {
  auto r = tmpl::load_network({kScenario});
  EXPECT_TRUE(r.network && !r.diags.has_errors());
  return r.network ? *r.network : model::Network{};
}

TEST(AlbConfig, ScenarioNodesTargetsAndHealthChecks) {
  model::Network net = scenario();
  const model::LoadBalancer* lb = find_load_balancer(net, "FooInternalAlb");
  ASSERT_NE(lb, nullptr);
  EXPECT_EQ(find_load_balancer(net, "foo-internal-alb"), lb);
  EXPECT_EQ(find_load_balancer(net, lb->arn), lb);
  EXPECT_EQ(find_load_balancer(net, "nope"), nullptr);

  AlbConfigResult r = engine_config_from_model(net, *lb);
  ASSERT_TRUE(r.config) << r.error;
  const auto& c = *r.config;
  // One engine node per ALB node, at the node's private IP, named by its ENI.
  ASSERT_EQ(c.nodes.size(), lb->nodes.size());
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    EXPECT_EQ(c.nodes[i].address, lb->nodes[i].private_ip);
    EXPECT_EQ(c.nodes[i].name, lb->nodes[i].network_interface);
  }
  EXPECT_EQ(c.elb_name(), lb->full_name);
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].port, 80);
  ASSERT_EQ(c.target_groups.size(), 1u);
  const auto& tg = c.target_groups[0];
  EXPECT_EQ(tg.name, "foo-web");
  EXPECT_EQ(tg.health_check.port, "traffic-port");
  EXPECT_EQ(tg.interval_ms(), 30000);  // AWS default, kept in the lab
  // Instance targets: the instance's private IP and the group's port.
  ASSERT_EQ(tg.targets.size(), 2u);
  for (const auto& t : tg.targets) {
    const model::Instance* i = net.instance(t.id);
    ASSERT_NE(i, nullptr) << t.id;
    EXPECT_EQ(t.address, i->private_ip);
    EXPECT_EQ(t.port, 8080);
  }
  EXPECT_TRUE(c.access_log.empty());
}

TEST(AlbConfig, IpTargetsAndTargetPortOverride) {
  model::Network net = scenario();
  auto* tg = const_cast<model::TargetGroup*>(&net.target_groups[0]);
  tg->target_type = "ip";
  tg->targets = {{"10.2.1.77", 9000, "", {}}, {"10.2.2.78", std::nullopt, "", {}}};
  AlbConfigResult r = engine_config_from_model(net, net.load_balancers[0]);
  ASSERT_TRUE(r.config) << r.error;
  const auto& ts = r.config->target_groups[0].targets;
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].address.str(), "10.2.1.77");
  EXPECT_EQ(ts[0].port, 9000);
  EXPECT_EQ(ts[1].address.str(), "10.2.2.78");
  EXPECT_EQ(ts[1].port, 8080);

  tg->targets = {{"not-an-ip", std::nullopt, "", {}}};
  r = engine_config_from_model(net, net.load_balancers[0]);
  EXPECT_FALSE(r.config);
  EXPECT_NE(r.error.find("not-an-ip"), std::string::npos) << r.error;
}

TEST(AlbConfig, LabPlanHasOneLoadBalancerWithNodeNamespaces) {
  model::Network net = scenario();
  CompiledLab lab = compile_network(net);
  ASSERT_EQ(lab.plan.load_balancers.size(), 1u);
  const LoadBalancerPlan& p = lab.plan.load_balancers[0];
  EXPECT_EQ(p.logical_id, "FooInternalAlb");
  EXPECT_EQ(p.config.access_log, "logs/foo-internal-alb.access.log");
  ASSERT_EQ(p.node_netns.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p.node_netns[i], net.load_balancers[0].nodes[i].network_interface);
    EXPECT_NE(lab.plan.netns(p.node_netns[i]), nullptr);
  }
  // Both web servers run UserData: their ports are awaited before the first checks.
  EXPECT_EQ(p.boot_waits.size(), 2u);
  // The plain logical id first (then "stack.LogicalId" when the stack has a name).
  ASSERT_GE(p.target_group_logical_ids.size(), 1u);
  EXPECT_EQ(p.target_group_logical_ids[0].first, "FooWebTargetGroup");
  for (const auto& [id, arn] : p.target_group_logical_ids) EXPECT_EQ(arn, net.target_groups[0].arn) << id;
  for (const auto& u : lab.unsupported) EXPECT_EQ(u.find("load balancer"), std::string::npos) << u;
  EXPECT_TRUE(check_plan(lab.plan).empty());
  // A node namespace the plan does not create is caught before anything starts.
  lab.plan.load_balancers[0].node_netns[1] = "eni-missing";
  auto problems = check_plan(lab.plan);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("eni-missing"), std::string::npos) << problems[0];
}

// The engine's per-node view of group "arn:tg": nodes[n][t] is target i-t on node n.
dataplane::alb::HealthSnapshot per_node(const std::vector<std::vector<semantics::TargetHealth>>& nodes) {
  dataplane::alb::HealthSnapshot s;
  dataplane::alb::TargetGroupHealthSnapshot g;
  g.arn = "arn:tg";
  for (size_t n = 0; n < nodes.size(); ++n) {
    s.nodes.push_back({"node-" + std::to_string(n + 1), *Ipv4Address::parse("10.0.0." + std::to_string(n + 10))});
    for (size_t t = 0; t < nodes[n].size(); ++t) {
      if (g.targets.size() <= t) g.targets.push_back({"i-" + std::to_string(t), 8080, "", "8080", {}});
      g.targets[t].nodes.push_back(nodes[n][t]);
    }
  }
  s.target_groups.push_back(g);
  return s;
}

semantics::TargetHealth health(semantics::TargetHealthState s, semantics::TargetHealthReason r) {
  semantics::TargetHealth h;
  h.state = s;
  h.reason = r;
  return h;
}

using S = semantics::TargetHealthState;
using R = semantics::TargetHealthReason;

// Which node's state wins is semantics::worst_node_health's (tests/semantics);
// here: what describe-target-health prints from it.
TEST(AlbHealth, OneDescriptionPerTargetWithTheWorstNodesState) {
  auto healthy = health(S::kHealthy, R::kNone), timeout = health(S::kUnhealthy, R::kTimeout);
  json out = aggregate_target_health(per_node({{healthy}, {timeout}}), "arn:tg");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["TargetHealth"], (json{{"State", "unhealthy"}, {"Reason", "Target.Timeout"},
                                          {"Description", "Request timed out"}}))
      << out.dump();
  EXPECT_EQ(out[0]["HealthCheckPort"], "8080");
  out = aggregate_target_health(per_node({{healthy}, {healthy}}), "arn:tg");
  EXPECT_EQ(out[0]["TargetHealth"], (json{{"State", "healthy"}})) << out.dump();
  EXPECT_TRUE(aggregate_target_health(per_node({{healthy}}), "arn:other").empty());
  // As AWS prints instance targets: Id and Port, no Availability Zone.
  auto with_az = per_node({{healthy}});
  with_az.target_groups[0].targets[0].availability_zone = "ap-northeast-1a";
  out = aggregate_target_health(with_az, "arn:tg");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["Target"], (json{{"Id", "i-0"}, {"Port", 8080}}));
  // The per-node view keeps it, node by node.
  json nodes = per_node_health_json(with_az, "arn:tg");
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0]["Node"], "node-1");
  EXPECT_EQ(nodes[0]["Address"], "10.0.0.10");
  EXPECT_EQ(nodes[0]["TargetHealthDescriptions"][0]["Target"]["AvailabilityZone"], "ap-northeast-1a");
}

TEST(AlbHealth, FirstChecksAreDoneWhenNothingIsInitial) {
  auto healthy = health(S::kHealthy, R::kNone), initial = health(S::kInitial, R::kInitialHealthChecking);
  EXPECT_TRUE(first_health_checks_done(per_node({{healthy, health(S::kUnhealthy, R::kTimeout)}})));
  EXPECT_FALSE(first_health_checks_done(per_node({{healthy}, {initial}})));
  EXPECT_TRUE(first_health_checks_done(dataplane::alb::HealthSnapshot{}));
}

}  // namespace
