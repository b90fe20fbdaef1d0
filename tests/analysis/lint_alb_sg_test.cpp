// ALB_SG_MISSING_LISTENER_PORT on security-group sources the model cannot
// enumerate: a rule admitting the listener port from a group allows it even
// when the group has no member in the model (ECS hosts, Auto Scaling).
#include <gtest/gtest.h>

#include "analysis/lint.h"
#include "fixture.h"

namespace vpclab {
namespace {

using testing::Fx;

struct AlbCase {
  Fx fx;
  std::string vpc, a, c, alb_sg, hosts_sg;
  AlbCase() {
    vpc = fx.vpc("Foo", "10.2.0.0/16");
    a = fx.subnet(vpc, "PrivA", "10.2.1.0/24", "ap-northeast-1a");
    c = fx.subnet(vpc, "PrivC", "10.2.2.0/24", "ap-northeast-1c");
    alb_sg = fx.sg(vpc, "PrivateLoadBalancerSG");
    hosts_sg = fx.sg(vpc, "EcsHostSecurityGroup");  // worn by Auto Scaling instances only: no member here
  }
  size_t findings() {
    auto arn = fx.alb("private-alb", vpc, {{a, "10.2.1.100"}, {c, "10.2.2.100"}}, {alb_sg});
    auto tg = fx.target_group("dummy", vpc, 80, {});
    fx.listener(arn, "Http", 80, tg);
    Diagnostics d;
    analysis::lint(fx.finish(), d);
    size_t n = 0;
    for (const auto& x : d.items()) n += x.code == "ALB_SG_MISSING_LISTENER_PORT";
    return n;
  }
};

TEST(LintAlbSg, AllTrafficFromAGroupWithoutModelledMembersAllowsTheListener) {
  AlbCase k;
  k.fx.allow_in(k.alb_sg, kAllProtocols, PortRange::all(), k.hosts_sg);  // AWS's ECS private-vpc sample
  EXPECT_EQ(k.findings(), 0u);
}

TEST(LintAlbSg, ListenerPortFromAGroupAllowsIt) {
  AlbCase k;
  k.fx.allow_in(k.alb_sg, kTcp, PortRange{80, 80}, k.hosts_sg);
  EXPECT_EQ(k.findings(), 0u);
}

TEST(LintAlbSg, OtherPortFromAGroupIsStillMissing) {
  AlbCase k;
  k.fx.allow_in(k.alb_sg, kTcp, PortRange{443, 443}, k.hosts_sg);
  EXPECT_EQ(k.findings(), 1u);
}

TEST(LintAlbSg, GroupOfAnUnpeeredVpcMatchesNothing) {
  AlbCase k;
  auto other = k.fx.vpc("Other", "10.9.0.0/16");
  auto far = k.fx.sg(other, "FarSg");
  k.fx.allow_in(k.alb_sg, kAllProtocols, PortRange::all(), far);
  EXPECT_EQ(k.findings(), 1u);
}

TEST(LintAlbSg, NoRuleAtAllIsStillFound) {
  AlbCase k;
  EXPECT_EQ(k.findings(), 1u);
}

}  // namespace
}  // namespace vpclab
