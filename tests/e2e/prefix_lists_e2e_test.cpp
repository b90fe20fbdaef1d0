// The scenario written with managed prefix lists (examples/prefix-lists/) run
// with `vpclab up`: bar's route to foo is the prefix list's entry, foo's ALB
// admits the clients list; the copy whose list lacks bar's CIDR times out.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using vpclab::testing::CommandResult;
using vpclab::testing::ScopedLab;
using vpclab::testing::vpclab;

const std::string kDir = std::string(VPCLAB_SOURCE_DIR) + "/examples/prefix-lists/";

class PrefixListLab : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = vpclab::emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
};

TEST_F(PrefixListLab, TheListsRouteAndAdmitBar) {
  ScopedLab lab("pl", kDir + "scenario.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  CommandResult r;
  for (int i = 0; i < 20; ++i) {  // until the ALB's first health checks pass
    r = lab.exec("bar-app", "curl -s --max-time 3 http://alb.home/");
    if (r.exit_code == 0 && r.out.find("Welcom to web") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Welcom to web"), std::string::npos) << r.out;
  // bar's router holds the list's entry as a route to the peering.
  std::smatch m;
  const std::string status = vpclab("status " + lab.name()).out;
  ASSERT_TRUE(std::regex_search(status, m, std::regex("(vpc-[0-9a-f]+)  bar  "))) << status;
  auto routes = lab.exec(m[1], "ip route show table all");
  EXPECT_NE(routes.out.find("10.2.0.0/16 via 169.254.128."), std::string::npos) << routes.out;
}

TEST_F(PrefixListLab, AListWithoutBarTimesOut) {
  const std::string path = kDir + "broken/clients-without-bar.yaml";
  auto t = vpclab("trace " + path + " --from bar-app --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("ENI_SG_RULES_MISMATCH"), std::string::npos) << t.out;
  ScopedLab lab("pl-broken", path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the ALB's first health checks
  auto r = lab.exec("bar-app", "curl -sS --max-time 3 http://alb.home/");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // curl: operation timed out
}

}  // namespace
