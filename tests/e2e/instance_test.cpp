// `vpclab instance stop|start|terminate` on the canonical scenario: private IPs
// survive stop/start and are released on terminate (scenario.md, item 4).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using json = nlohmann::json;
using vpclab::testing::ScopedLab;

const std::string kScenario = std::string(VPCLAB_SOURCE_DIR) + "/examples/scenario/same-account.yaml";

// "STATE PRIVATE_IP" of `instance_id` as `vpclab status --json` lists it.
std::string state_of(const ScopedLab& lab, const std::string& instance_id) {
  auto r = vpclab::testing::vpclab("status " + lab.name() + " --json", false);
  json j = json::parse(r.out, nullptr, false);
  if (!j.is_object()) return "<no status>";
  for (const auto& i : j["instances"])
    if (i.value("id", "") == instance_id) return i.value("state", "") + " " + i.value("private_ip", "");
  return "<not found>";
}

// "STATE REASON" of target `id` in foo-web, as `vpclab health` prints it.
std::string target_health(const ScopedLab& lab, const std::string& id) {
  auto r = lab.run("health foo-web", false);
  json j = json::parse(r.out, nullptr, false);
  if (!j.is_object()) return "<no health: " + r.out + ">";
  for (const auto& d : j["TargetHealthDescriptions"])
    if (d["Target"].value("Id", "") == id)
      return d["TargetHealth"].value("State", "") + " " + d["TargetHealth"].value("Reason", "");
  return "<not registered>";
}

TEST(InstanceLifecycle, StopStartKeepsThePrivateIpTerminateReleasesIt) {
  std::string why = vpclab::emulator::namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  ScopedLab lab("inst", kScenario);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  ASSERT_NE(lab.exec("foo-web1", "hostname -I").out.find("10.2.1.4"), std::string::npos);

  auto stop = lab.run("instance stop foo-web1", false);
  ASSERT_EQ(stop.exit_code, 0) << stop.out;
  json out = json::parse(stop.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << stop.out;
  const auto& change = out["StoppingInstances"][0];
  std::string id = change.value("InstanceId", "");
  EXPECT_EQ(id.rfind("i-", 0), 0u) << stop.out;
  EXPECT_EQ(change["PreviousState"]["Name"], "running");
  EXPECT_EQ(change["CurrentState"]["Name"], "stopped");
  EXPECT_EQ(state_of(lab, id), "stopped 10.2.1.4");
  // The web server (UserData) is gone; the address stays.
  auto st = vpclab::testing::vpclab("status " + lab.name(), false);
  EXPECT_EQ(st.out.find(id + "/userdata  in " + id + "  running"), std::string::npos) << st.out;
  EXPECT_NE(lab.exec("foo-web1", "hostname -I").out.find("10.2.1.4"), std::string::npos);
  // Behind the ALB: unused / Target.InvalidState at once, and no request goes to it.
  EXPECT_EQ(target_health(lab, id), "unused Target.InvalidState");
  for (int i = 0; i < 4; ++i) {
    auto page = lab.exec("bar-app", "curl -sS --max-time 5 http://alb.home/");
    EXPECT_EQ(page.exit_code, 0) << page.out;
    EXPECT_NE(page.out.find("web2"), std::string::npos) << page.out;
  }

  auto start = lab.run("instance start " + id, false);
  ASSERT_EQ(start.exit_code, 0) << start.out;
  EXPECT_NE(start.out.find("StartingInstances"), std::string::npos);
  EXPECT_EQ(state_of(lab, id), "running 10.2.1.4");
  EXPECT_NE(lab.exec("foo-web1", "hostname -I").out.find("10.2.1.4"), std::string::npos);
  EXPECT_EQ(target_health(lab, id), "initial Elb.InitialHealthChecking");  // checked again from now on
  // Services come back (sshd for its key pair); UserData runs at first launch only.
  auto after = vpclab::testing::vpclab("status " + lab.name(), false);
  EXPECT_NE(after.out.find(id + "/sshd  in " + id + "  running"), std::string::npos) << after.out;
  EXPECT_EQ(after.out.find(id + "/userdata  in " + id + "  running"), std::string::npos) << after.out;

  auto term = lab.run("instance terminate foo-web1", false);
  ASSERT_EQ(term.exit_code, 0) << term.out;
  EXPECT_EQ(state_of(lab, id), "terminated 10.2.1.4");  // as `up` placed it
  EXPECT_EQ(target_health(lab, id), "draining Target.DeregistrationInProgress");  // deregistered with it
  EXPECT_EQ(lab.exec("foo-web1", "hostname -I").out.find("10.2.1.4"), std::string::npos);

  auto again = lab.run("instance start foo-web1");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("is terminated"), std::string::npos) << again.out;
}

TEST(InstanceLifecycle, UnknownInstanceIsAnError) {
  std::string why = vpclab::emulator::namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  ScopedLab lab("inst-unknown", kScenario);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  auto r = lab.run("instance stop i-0123456789abcdef0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no instance"), std::string::npos) << r.out;
  auto bad = vpclab::testing::vpclab("instance reboot foo-web1 --lab " + lab.name());
  EXPECT_EQ(bad.exit_code, 2) << bad.out;  // usage
}

}  // namespace
