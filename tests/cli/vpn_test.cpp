// Site-to-site VPN as a user sees it on the examples (examples/tgw/vpn/,
// examples/vpn/): check, trace from and to the office (text and --json),
// the broken copy's lint and code, and a bad on_premises entry.
// (`vpclab up` running the VPN: tests/e2e/vpn_e2e_test.cpp.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

const std::string kLab = "examples/tgw/vpn/vpclab.yaml";

TEST(VpnCli, CheckIsCleanAndTheOfficeReachesFoosAlb) {
  auto chk = vpclab("check " + kLab);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  EXPECT_NE(chk.out.find("0 errors, 0 warnings"), std::string::npos) << chk.out;
  auto t = vpclab("trace " + kLab + " --from on-prem:office --to FooInternalAlb");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("customer-gateway office.OfficeCgw"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("vpn-connection office.OfficeVpn"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("tunnels UP, UP, BGP"), std::string::npos) << t.out;
  auto j = vpclab("trace " + kLab + " --from office --to FooInternalAlb --json", false);
  auto doc = nlohmann::json::parse(j.out);
  int vpn_hops = 0;
  for (const auto& p : doc["paths"])
    for (const auto& h : p["hops"])
      if (h["component"] == "vpn-connection") ++vpn_hops;
  EXPECT_EQ(vpn_hops, 4);  // two nodes, request and reply
  auto b = vpclab("trace " + kLab + " --from BarApp --to on-prem:office --port 22");
  EXPECT_EQ(b.exit_code, 0) << b.out;
  EXPECT_NE(b.out.find("delivered to on-premises network office"), std::string::npos) << b.out;
}

TEST(VpnCli, BrokenCopyWarnsAndTraceNamesTheTgwRouteTable) {
  auto chk = vpclab("check examples/tgw/vpn/broken/vpclab.yaml");
  EXPECT_EQ(chk.exit_code, 0) << chk.out;  // a lint is a warning
  EXPECT_NE(chk.out.find("TGW_VPN_NOT_ROUTED"), std::string::npos) << chk.out;
  EXPECT_NE(chk.out.find("office-static.yaml:"), std::string::npos) << chk.out;
  auto t = vpclab("trace examples/tgw/vpn/broken/vpclab.yaml --from office --to FooInternalAlb");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("TGW_RTB_CANNOT_ROUTE"), std::string::npos) << t.out;
  // `fix` cannot name the VPN attachment in a template: it says why and what to do instead.
  auto f = vpclab("fix examples/tgw/vpn/broken/vpclab.yaml --from office --to FooInternalAlb");
  EXPECT_NE(f.out.find("no fix"), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("use BGP (StaticRoutesOnly: false)"), std::string::npos) << f.out;
}

TEST(VpnCli, VgwBranchBothWays) {
  auto chk = vpclab("check examples/vpn/vpclab.yaml");
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  auto out = vpclab("trace examples/vpn/vpclab.yaml --from App --to on-prem:branch --port 22");
  EXPECT_EQ(out.exit_code, 0) << out.out;
  EXPECT_NE(out.out.find("virtual-private-gateway branch.Vgw"), std::string::npos) << out.out;
  auto in = vpclab("trace examples/vpn/vpclab.yaml --from on-prem:branch --to App --port 443");
  EXPECT_EQ(in.exit_code, 1) << in.out;  // the app admits 80 and 22 only
  EXPECT_NE(in.out.find("ENI_SG_RULES_MISMATCH"), std::string::npos) << in.out;
}

TEST(VpnCli, UnknownOnPremisesNetworkIsAUsageError) {
  auto t = vpclab("trace " + kLab + " --from on-prem:headquarters --to FooInternalAlb");
  EXPECT_EQ(t.exit_code, 2) << t.out;
  EXPECT_NE(t.out.find("no on_premises network named 'headquarters'"), std::string::npos) << t.out;
}

}  // namespace
}  // namespace vpclab
