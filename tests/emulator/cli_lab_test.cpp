// `vpclab up/status/exec/down` on the canonical scenario, as a user runs them.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>

#include "../support/process.h"
#include "emulator/lab.h"

namespace {

using Result = vpclab::testing::CommandResult;
Result sh(const std::string& cmd) { return vpclab::testing::run_command(cmd); }

const std::string kTool = VPCLAB_BINARY;
const std::string kScenario = std::string(VPCLAB_SOURCE_DIR) + "/examples/scenario/same-account.yaml";

TEST(CliLab, ScenarioUpExecDown) {
  std::string why = vpclab::emulator::namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  std::string lab = "scenario-" + std::to_string(getpid());

  Result up = sh(kTool + " up " + kScenario + " --name " + lab);
  ASSERT_EQ(up.exit_code, 0) << up.out;
  EXPECT_NE(up.out.find("lab " + lab + " is up"), std::string::npos) << up.out;
  // Every piece of the canonical scenario is emulated (IGWs, the NAT
  // gateway, SGs, NACLs, the ALB): no "not emulated yet" note.
  EXPECT_EQ(up.out.find("not emulated yet"), std::string::npos) << up.out;

  Result st = sh(kTool + " status " + lab);
  EXPECT_EQ(st.exit_code, 0) << st.out;
  EXPECT_NE(st.out.find("vpc-router"), std::string::npos) << st.out;

  // Exit codes pass through.
  EXPECT_EQ(sh(kTool + " exec --lab " + lab + " bar-app -- sh -c 'exit 3'").exit_code, 3);
  EXPECT_EQ(sh(kTool + " exec --lab " + lab + " no-such-target -- true").exit_code, 125);

  // The private hosted zone associated with bar answers alb.home through the
  // VPC resolver, with the ALB nodes' private IPs in foo.
  Result dig = sh(kTool + " exec --lab " + lab + " bar-app -- dig +short +time=1 +tries=2 alb.home @169.254.169.253");
  EXPECT_EQ(dig.exit_code, 0) << dig.out;
  EXPECT_TRUE(std::regex_search(dig.out, std::regex("^10\\.2\\.\\d+\\.\\d+\\n10\\.2\\.\\d+\\.\\d+\\n$"))) << dig.out;

  // web1 serves its UserData page (seen from web1 itself)...
  Result addr = sh(kTool + " exec --lab " + lab + " foo-web1 -- ip -4 -o addr show dev eth0");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(addr.out, m, std::regex("inet (10\\.2\\.\\d+\\.\\d+)/"))) << addr.out;
  std::string web1 = m[1];
  Result curl;
  for (int i = 0; i < 25; ++i) {
    curl = sh(kTool + " exec --lab " + lab + " foo-web1 -- curl -s -m 2 http://" + web1 + ":8080/");
    if (curl.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(curl.out.find("Welcom to web1"), std::string::npos) << curl.out;
  // ...but bar's instance cannot reach it directly over the peering: web's
  // security group admits 8080 only from the ALB's group, so the SYN is
  // dropped and curl times out connecting (28), as in AWS.
  Result direct = sh(kTool + " exec --lab " + lab + " bar-app -- curl -s --connect-timeout 2 http://" + web1 + ":8080/");
  EXPECT_EQ(direct.exit_code, 28) << direct.out;

  Result down = sh(kTool + " down " + lab);
  EXPECT_EQ(down.exit_code, 0) << down.out;
  EXPECT_EQ(sh(kTool + " status " + lab).exit_code, 1);
  EXPECT_EQ(sh(kTool + " down " + lab).exit_code, 1);
}

TEST(CliLab, UpRefusesInvalidInput) {
  Result r = sh(kTool + " up /nonexistent.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

}  // namespace
