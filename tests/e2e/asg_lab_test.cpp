// examples/asg in a lab: both members of the Auto Scaling group answer
// through the ALB from bar-app; `exec` names a member GROUP/k or by id;
// terminating GROUP/1 makes the group launch a replacement (new id, next
// address, same AZ) that the ALB marks healthy and serves within its
// health-check time (2 checks, 10 s apart).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using json = nlohmann::json;
using vpclab::testing::ScopedLab;

const std::string kAsg = std::string(VPCLAB_SOURCE_DIR) + "/examples/asg/asg.yaml";

// "Welcom to <host>" of one page through the ALB, or "" when none came.
std::string served_by(const ScopedLab& lab) {
  auto page = lab.exec("bar-app", "curl -sS --max-time 5 http://alb.home/");
  auto at = page.out.find("Welcom to ");
  if (page.exit_code != 0 || at == std::string::npos) return "";
  auto end = page.out.find('<', at);
  return page.out.substr(at + 10, end - at - 10);
}

json group_members(const ScopedLab& lab) {
  auto r = vpclab::testing::vpclab("status " + lab.name() + " --json", false);
  json j = json::parse(r.out, nullptr, false);
  if (!j.is_object() || !j.contains("auto_scaling_groups") || j["auto_scaling_groups"].empty()) return json::array();
  return j["auto_scaling_groups"][0]["members"];
}

std::string health_of(const ScopedLab& lab, const std::string& id) {
  auto r = lab.run("health foo-web", false);
  json j = json::parse(r.out, nullptr, false);
  if (!j.is_object()) return "<no health>";
  for (const auto& d : j["TargetHealthDescriptions"])
    if (d["Target"].value("Id", "") == id) return d["TargetHealth"].value("State", "");
  return "<not registered>";
}

TEST(AutoScalingLab, TerminatedMemberIsReplacedAndServesThroughTheAlb) {
  std::string why = vpclab::emulator::namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  ScopedLab lab("asg", kAsg);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;

  // Both members serve: one per AZ, at the first free address after the ALB node's.
  std::set<std::string> hosts;
  for (int i = 0; i < 16 && hosts.size() < 2; ++i) hosts.insert(served_by(lab));
  EXPECT_EQ(hosts, (std::set<std::string>{"ip-10-2-1-5", "ip-10-2-2-5"}));

  json members = group_members(lab);
  ASSERT_EQ(members.size(), 2u) << members.dump();
  EXPECT_EQ(members[0]["name"], "FooWebGroup/1");
  EXPECT_EQ(members[0]["address"], "10.2.1.5");
  EXPECT_EQ(members[0]["availability_zone"], "ap-northeast-1a");
  std::string first = members[0]["instance"];
  EXPECT_NE(lab.exec("FooWebGroup/1", "hostname -I").out.find("10.2.1.5"), std::string::npos);
  EXPECT_NE(lab.exec(first, "hostname").out.find("ip-10-2-1-5"), std::string::npos);
  auto st = vpclab::testing::vpclab("status " + lab.name(), false);
  EXPECT_NE(st.out.find("Auto Scaling groups:"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("FooWebGroup/2  " + members[1]["instance"].get<std::string>() + "  10.2.2.5"), std::string::npos)
      << st.out;

  auto term = lab.run("instance terminate FooWebGroup/1");
  ASSERT_EQ(term.exit_code, 0) << term.out;
  EXPECT_NE(term.out.find("(FooWebGroup/3, 10.2.1.6, ap-northeast-1a)"), std::string::npos) << term.out;
  members = group_members(lab);
  ASSERT_EQ(members.size(), 2u) << members.dump();
  EXPECT_EQ(members[1]["name"], "FooWebGroup/3");
  std::string replacement = members[1]["instance"];
  EXPECT_NE(replacement, first);
  EXPECT_EQ(replacement.rfind("i-", 0), 0u);
  EXPECT_EQ(health_of(lab, first), "draining");
  EXPECT_NE(lab.exec("FooWebGroup/3", "hostname -I").out.find("10.2.1.6"), std::string::npos);

  // Within the health-check time (2 x 10 s, plus the server's start) the ALB
  // marks it healthy and sends it requests.
  auto t0 = std::chrono::steady_clock::now();
  bool served = false;
  while (!served && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(45)) {
    served = served_by(lab) == "ip-10-2-1-6";
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(served) << "the replacement never answered through the ALB; health " << health_of(lab, replacement);
  EXPECT_EQ(health_of(lab, replacement), "healthy");
  std::set<std::string> after;
  for (int i = 0; i < 16 && after.size() < 2; ++i) after.insert(served_by(lab));
  EXPECT_EQ(after, (std::set<std::string>{"ip-10-2-1-6", "ip-10-2-2-5"}));
}

}  // namespace
