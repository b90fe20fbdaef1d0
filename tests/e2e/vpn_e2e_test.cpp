// Site-to-site VPN run with `vpclab up`: the office of examples/tgw/vpn gets
// foo's page from the internal ALB through its VPN attachment and the hub's
// namespace (by the ALB's own DNS name, which the office's public DNS
// answers); the broken copy (static routes only, no TGW route) times out while
// `vpclab trace` names the blocker; the branch of examples/vpn reaches the app
// over its VGW.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using vpclab::testing::CommandResult;
using vpclab::testing::ScopedLab;
using vpclab::testing::vpclab;

const std::string kExamples = std::string(VPCLAB_SOURCE_DIR) + "/examples/";

class VpnLab : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = vpclab::emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
};

// curl from `from` until the page answers (the ALB's first health checks).
CommandResult curl_until(const ScopedLab& lab, const std::string& from, const std::string& url, const std::string& want) {
  CommandResult r;
  for (int i = 0; i < 20; ++i) {
    r = lab.exec(from, "curl -s --max-time 3 " + url);
    if (r.exit_code == 0 && r.out.find(want) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return r;
}

std::vector<std::string> alb_nodes(const ScopedLab& lab) {
  auto dig = lab.exec("bar-app", "dig +short alb.home");
  std::istringstream in(dig.out);
  std::vector<std::string> out;
  for (std::string ip; in >> ip;) out.push_back(ip);
  return out;
}

TEST_F(VpnLab, OfficeGetsFoosPageOverTheVpnByTheAlbsName) {
  const std::string lab_file = kExamples + "tgw/vpn/vpclab.yaml";
  // The ALB's own name, as trace shows it.
  auto t = vpclab("trace " + lab_file + " --from office --to FooInternalAlb --json", false);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(t.out, m, std::regex("(internal-[a-z0-9-]+\\.[a-z0-9-]+\\.elb\\.amazonaws\\.com)")))
      << t.out;
  const std::string alb = m[1];
  ScopedLab lab("vpn-office", lab_file);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  EXPECT_EQ(lab.up().out.find("not emulated yet"), std::string::npos) << lab.up().out;
  auto st = vpclab("status " + lab.name());
  EXPECT_NE(st.out.find("office"), std::string::npos) << st.out;
  auto r = curl_until(lab, "office", "http://" + alb + "/", "Hello World");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Welcom to web"), std::string::npos) << r.out;
  // Both ALB nodes answer the office by address.
  auto nodes = alb_nodes(lab);
  EXPECT_EQ(nodes.size(), 2u);
  for (const auto& ip : nodes) {
    auto c = lab.exec("office", "curl -s --max-time 3 -o /dev/null -w %{http_code} http://" + ip + "/");
    EXPECT_EQ(c.out, "200") << ip;
  }
  // The office's DNS is public DNS: the private hosted zone's name does not resolve there.
  auto phz = lab.exec("office", "dig +short alb.home");
  EXPECT_EQ(phz.out.find("10.2."), std::string::npos) << phz.out;
  // bar's instance reaches the office's host over the TGW (nothing listens: refused, not timed out).
  auto ssh = lab.exec("bar-app", "timeout 3 bash -c '</dev/tcp/192.168.0.10/22'");
  EXPECT_EQ(ssh.exit_code, 1) << ssh.out;
}

TEST_F(VpnLab, StaticOnlyWithoutTgwRouteTimesOut) {
  const std::string lab_file = kExamples + "tgw/vpn/broken/vpclab.yaml";
  auto t = vpclab("trace " + lab_file + " --from office --to FooInternalAlb");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("TGW_RTB_CANNOT_ROUTE"), std::string::npos) << t.out;
  ScopedLab lab("vpn-static", lab_file);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  auto nodes = alb_nodes(lab);
  ASSERT_FALSE(nodes.empty());
  std::this_thread::sleep_for(std::chrono::seconds(1));  // health checks: only the network can be at fault
  auto r = lab.exec("office", "curl -sS --max-time 3 http://" + nodes[0] + "/");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // curl: operation timed out
}

TEST_F(VpnLab, BranchReachesTheAppOverTheVgw) {
  ScopedLab lab("vpn-branch", kExamples + "vpn/vpclab.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  EXPECT_EQ(lab.up().out.find("not emulated yet"), std::string::npos) << lab.up().out;
  auto addr = lab.exec("app", "ip -4 -o addr show dev eth0").out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(addr, m, std::regex("inet (10\\.5\\.\\d+\\.\\d+)/"))) << addr;
  const std::string app = m[1];
  auto r = curl_until(lab, "branch", "http://" + app + "/", "hello from the app VPC");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("hello from the app VPC"), std::string::npos) << r.out;
  // The app's group admits 80 and 22 from the branch, nothing else.
  auto closed = lab.exec("branch", "timeout 3 bash -c '</dev/tcp/" + app + "/8080'");
  EXPECT_EQ(closed.exit_code, 124) << closed.out;
}

}  // namespace
