// Transit gateways as a user sees them on the examples (examples/tgw/):
// check, trace (text and --json hops), the broken copies' exit codes and
// codes, `vpclab fix` patches for a missing propagation and a missing VPC
// route to the TGW. (`vpclab up` running the TGW: tests/e2e/tgw_e2e_test.cpp.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

const std::string kHub = "examples/tgw/hub-and-spoke.yaml";

TEST(TgwCli, CheckIsCleanAndTraceCrossesTheTgw) {
  auto chk = vpclab("check " + kHub);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  auto t = vpclab("trace " + kHub + " --from BarApp --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("transit-gateway-attachment hub-and-spoke.BarAttachment: enters hub-and-spoke.Hub"),
            std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("(propagated)"), std::string::npos) << t.out;
  auto j = vpclab("trace " + kHub + " --from BarApp --to http://alb.home/ --json", false);
  auto doc = nlohmann::json::parse(j.out);
  int tgw_hops = 0;
  for (const auto& p : doc["paths"])
    for (const auto& h : p["hops"])
      if (h["component"] == "transit-gateway-route-table") ++tgw_hops;
  EXPECT_EQ(tgw_hops, 4);  // two nodes, request and reply
}

TEST(TgwCli, CrossRegionChecksCleanAndTracesOverThePeering) {
  const std::string lab = "examples/tgw/cross-region/vpclab.yaml";
  auto chk = vpclab("check " + lab);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  EXPECT_NE(chk.out.find("0 errors, 0 warnings"), std::string::npos) << chk.out;
  auto t = vpclab("trace " + lab + " --from BarApp --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("bar.BarToFooPeering: enters foo.FooTgw"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("bar.BarToFooPeering: enters bar.BarTgw"), std::string::npos) << t.out;  // the reply
  EXPECT_NE(t.out.find("(static)"), std::string::npos) << t.out;
}

TEST(TgwCli, IsolatedSpokesReachTheSharedVpcButNotEachOther) {
  const std::string e = "examples/tgw/isolated-spokes.yaml";
  auto chk = vpclab("check " + e);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  for (const char* spoke : {"bar-app", "baz-app"}) {
    auto t = vpclab("trace " + e + " --from " + spoke + " --to http://alb.home/");
    EXPECT_EQ(t.exit_code, 0) << spoke << "\n" << t.out;
    EXPECT_NE(t.out.find("transit-gateway-route-table isolated-spokes.SpokesRouteTable"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("transit-gateway-route-table isolated-spokes.SharedRouteTable"), std::string::npos) << t.out;
  }
  // Both spokes admit SSH from 10.0.0.0/8 and route it to the TGW: the spokes table has no route.
  for (auto [from, to] : {std::pair{"baz-app", "bar-app"}, {"bar-app", "baz-app"}}) {
    auto t = vpclab(std::string("trace ") + e + " --from " + from + " --to " + to + " --port 22");
    EXPECT_EQ(t.exit_code, 1) << t.out;
    EXPECT_NE(t.out.find("blocked: TGW_RTB_CANNOT_ROUTE at isolated-spokes.SpokesRouteTable"), std::string::npos)
        << t.out;
  }
}

TEST(TgwCli, BrokenCopiesExitOneWithTheirCode) {
  for (auto [file, code] : {std::pair{"missing-propagation.yaml", "TGW_RTB_CANNOT_ROUTE"},
                            {"missing-vpc-route.yaml", "RETURN_ROUTE_MISMATCH"},
                            {"attachment-az.yaml", "TGW_ROUTE_AZ_RESTRICTION"}}) {
    auto t = vpclab(std::string("trace examples/tgw/broken/") + file + " --from BarApp --to http://alb.home/");
    EXPECT_EQ(t.exit_code, 1) << file << "\n" << t.out;
    EXPECT_NE(t.out.find(code), std::string::npos) << file << "\n" << t.out;
  }
}

TEST(TgwCli, FixAddsThePropagationAndTheRoute) {
  auto p = vpclab("fix examples/tgw/broken/missing-propagation.yaml --from BarApp --to http://alb.home/", false);
  EXPECT_EQ(p.exit_code, 0) << p.out;
  EXPECT_NE(p.out.find("+    Type: AWS::EC2::TransitGatewayRouteTablePropagation"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("+      TransitGatewayAttachmentId: !Ref FooAttachment"), std::string::npos) << p.out;
  // Verified by the incremental diff: the TGW table's change touches both attached VPCs.
  auto v = vpclab("fix examples/tgw/broken/missing-propagation.yaml --from BarApp --to http://alb.home/");
  EXPECT_NE(v.out.find("1 newly allowed class(es)"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("+ tcp/80  BarApp -> FooInternalAlb"), std::string::npos) << v.out;
  auto r = vpclab("fix examples/tgw/broken/missing-vpc-route.yaml --from BarApp --to http://alb.home/", false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("+      TransitGatewayId: !Ref Hub"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+      DestinationCidrBlock: 10.1.0.0/16"), std::string::npos) << r.out;
  // The route waits for foo's attachment, as CloudFormation needs.
  EXPECT_NE(r.out.find("+    DependsOn: FooAttachment\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vpclab
