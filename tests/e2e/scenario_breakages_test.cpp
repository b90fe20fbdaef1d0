// The canonical scenario broken the ways issue 5 lists, each giving the
// failure AWS gives, seen from bar's instance with real tools; and `vpclab
// trace` agreeing that the path is blocked. (ALB/target security groups and
// the health-check path: alb_lab_test.cpp; NAT, bastion: gateways_e2e_test.cpp.)
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

namespace fs = std::filesystem;
using vpclab::testing::ScopedLab;
using vpclab::testing::vpclab;

const std::string kSrc = VPCLAB_SOURCE_DIR;

// The scenario with each (from, to) replaced exactly once; fails the test
// when a `from` is not in it (the scenario changed: update the variant).
std::string variant(const std::string& tag, const std::vector<std::pair<std::string, std::string>>& edits) {
  std::ifstream in(kSrc + "/examples/scenario/same-account.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (const auto& [from, to] : edits) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "scenario no longer contains: " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  char dir[] = "/tmp/vpclab-breakage-XXXXXX";
  std::string path = std::string(mkdtemp(dir)) + "/" + tag + ".yaml";
  std::ofstream(path) << text;
  return path;
}

class Breakage : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = vpclab::emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
  void TearDown() override {
    for (const auto& p : made_) fs::remove_all(fs::path(p).parent_path());
  }
  std::string make(const std::string& tag, const std::vector<std::pair<std::string, std::string>>& edits) {
    made_.push_back(variant(tag, edits));
    return made_.back();
  }
  std::vector<std::string> made_;
};

TEST_F(Breakage, MissingReturnRouteTimesOut) {
  // foo's private route table loses its route back to bar over the peering.
  std::string path = make("no-return-route", {{"  FooToBarRoute:\n    Type: AWS::EC2::Route\n    Properties:\n"
                                               "      RouteTableId: !Ref FooPrivateRouteTable\n"
                                               "      DestinationCidrBlock: !Ref BarCidr\n"
                                               "      VpcPeeringConnectionId: !Ref BarToFooPeering\n",
                                               ""}});
  EXPECT_EQ(vpclab("trace " + path + " --from BarApp --to http://alb.home/").exit_code, 1);
  ScopedLab lab("brk-route", path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  // The name resolves; the SYN reaches the ALB; its SYN-ACK has no way back.
  EXPECT_NE(lab.exec("bar-app", "dig +short alb.home").out.find("10.2."), std::string::npos);
  auto r = lab.exec("bar-app", "curl -sS --max-time 3 http://alb.home/");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // curl: operation timed out
}

TEST_F(Breakage, HostedZoneNotAssociatedWithBarIsNxdomain) {
  std::string path = make("phz-foo-only", {{"      VPCs:\n        - {VPCId: !Ref BarVpc,", "      VPCs:\n        - {VPCId: !Ref FooVpc,"}});
  EXPECT_EQ(vpclab("trace " + path + " --from BarApp --to http://alb.home/").exit_code, 1);
  ScopedLab lab("brk-phz", path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  auto d = lab.exec("bar-app", "dig +time=2 +tries=1 alb.home");
  EXPECT_NE(d.out.find("status: NXDOMAIN"), std::string::npos) << d.out;
  // foo, which the zone is associated with, does resolve it.
  EXPECT_NE(lab.exec("foo-web1", "dig +short alb.home").out.find("10.2."), std::string::npos);
  EXPECT_EQ(lab.exec("bar-app", "curl -sS --max-time 3 http://alb.home/").exit_code, 6);  // could not resolve host
}

TEST_F(Breakage, DnsSupportOffMeansNoResolver) {
  std::string path = make("dns-off", {{"      CidrBlock: !Ref BarCidr\n      EnableDnsSupport: true\n      EnableDnsHostnames: true\n",
                                       "      CidrBlock: !Ref BarCidr\n      EnableDnsSupport: false\n      EnableDnsHostnames: false\n"}});
  EXPECT_EQ(vpclab("trace " + path + " --from BarApp --to http://alb.home/").exit_code, 1);
  ScopedLab lab("brk-dns", path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  // Nothing answers at bar's base+2 (10.1.0.2): dig gets no reply at all.
  auto d = lab.exec("bar-app", "dig +time=1 +tries=1 alb.home @10.1.0.2");
  EXPECT_EQ(d.exit_code, 9) << d.out;  // dig: no reply from server
  EXPECT_NE(d.out.find("timed out"), std::string::npos) << d.out;
  EXPECT_EQ(lab.exec("bar-app", "curl -sS --max-time 3 http://alb.home/").exit_code, 6);
}

}  // namespace
