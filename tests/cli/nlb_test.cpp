// Network Load Balancers as a user sees them on the examples (examples/nlb/):
// check, trace (text and --json), the broken copy's exit code and codes, and
// `vpclab up` refusing an NLB by name.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

TEST(NlbCli, ExamplesCheckCleanAndTraceThroughTheNlb) {
  for (const char* f : {"examples/nlb/nlb.yaml", "examples/nlb/nlb-ip-targets.yaml", "examples/nlb/nlb-to-alb.yaml"}) {
    auto chk = vpclab(std::string("check ") + f);
    EXPECT_EQ(chk.exit_code, 0) << f << "\n" << chk.out;
    auto t = vpclab(std::string("trace ") + f + " --from BarApp --to http://nlb.home/");
    EXPECT_EQ(t.exit_code, 0) << f << "\n" << t.out;
    EXPECT_NE(t.out.find("verdict: reachable (2/2 addresses)"), std::string::npos) << f << "\n" << t.out;
    EXPECT_NE(t.out.find("listener nlb"), std::string::npos) << t.out;
  }
  auto t = vpclab("trace examples/nlb/nlb.yaml --from BarApp --to http://nlb.home/");
  EXPECT_NE(t.out.find("TCP:80 on node 10.2.1.100 (ap-northeast-1a) -> listening"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("client IP preserved (targets see 10.1.1."), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("response: forwarded to a target of nlb.FooWebTargetGroup (the target answers)\n"),
            std::string::npos)
      << t.out;
  auto j = vpclab("trace examples/nlb/nlb.yaml --from BarApp --to http://nlb.home/ --json", false);
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["response"]["kind"], "target");
  EXPECT_EQ(doc["response"]["rule_priority"], -1);
  int targets = 0;
  for (const auto& p : doc["paths"])
    for (const auto& h : p["hops"])
      if (h["component"] == "target" && h["allowed"] == true) ++targets;
  EXPECT_EQ(targets, 2);  // one per node, in its zone
}

TEST(NlbCli, TargetGroupAdmittingOnlyTheNlbSubnetsExitsOne) {
  auto t = vpclab("trace examples/nlb/broken/nlb-target-sg-nlb-subnets.yaml --from BarApp --to http://nlb.home/");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("verdict: not reachable"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("ELBV2_SOURCE_ADDRESS_PRESERVATION"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("preserves the client IP"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("ENI_SG_RULES_MISMATCH"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("FooWebSecurityGroup"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("UNMODELED_COMPONENT"), std::string::npos) << t.out;
}

TEST(NlbCli, NoListenerOnThePort) {
  auto t = vpclab("trace examples/nlb/nlb.yaml --from BarApp --to nlb.home:443");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("ELBV2_LISTENER_PORT_RESTRICTION"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("listeners: TCP:80"), std::string::npos) << t.out;
}

TEST(NlbCli, FixAddsATcpListener) {
  auto p = vpclab("fix examples/nlb/nlb.yaml --from BarApp --to nlb.home:443", false);
  EXPECT_EQ(p.exit_code, 0) << p.out;
  EXPECT_NE(p.out.find("+    Type: AWS::ElasticLoadBalancingV2::Listener"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("Protocol: TCP"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("Port: 443"), std::string::npos) << p.out;
}

}  // namespace
}  // namespace vpclab
