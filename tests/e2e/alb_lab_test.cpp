// ALB nodes in a lab (issue 5): the canonical scenario's `curl http://alb.home/`
// through the real data plane, as a user runs it with the vpclab binary.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "../support/process.h"
#include "emulator/lab.h"

namespace {

using json = nlohmann::json;

using Result = vpclab::testing::CommandResult;
Result sh(const std::string& cmd) { return vpclab::testing::run_command(cmd); }

// stdout only (JSON outputs).
Result sh_out(const std::string& cmd) { return sh(cmd + " 2>/dev/null"); }

const std::string kTool = VPCLAB_BINARY;
const std::string kSrc = VPCLAB_SOURCE_DIR;

// A lab for one test; down when the test ends, however it ends.
class Lab {
 public:
  Lab(const std::string& tag, const std::string& path)
      : name_("alb-" + tag + "-" + std::to_string(getpid())) {
    auto t0 = std::chrono::steady_clock::now();
    up_ = sh(kTool + " up " + path + " --name " + name_);
    up_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  ~Lab() { sh(kTool + " down " + name_); }
  const std::string& name() const { return name_; }
  const Result& up() const { return up_; }
  double up_seconds() const { return up_seconds_; }
  Result run(const std::string& args) const { return sh(kTool + " " + args); }
  Result exec(const std::string& target, const std::string& cmd) const {
    return sh(kTool + " exec --lab " + name_ + " " + target + " -- " + cmd);
  }
  json json_of(const std::string& args) const {
    Result r = sh_out(kTool + " " + args);
    return json::parse(r.out, nullptr, false);
  }

 private:
  std::string name_;
  Result up_;
  double up_seconds_ = 0;
};

bool skip_reason(std::string& why) {
  why = vpclab::emulator::namespace_support_problem();
  return !why.empty();
}

// The ALB of the lab as `status --json` shows it.
json only_alb(const Lab& lab) {
  json st = lab.json_of("status " + lab.name() + " --json");
  if (!st.is_object() || !st.contains("load_balancers") || st["load_balancers"].size() != 1) return json();
  return st["load_balancers"][0];
}

// The whole canonical check, for the one-stack and the cross-account form.
void canonical(const std::string& tag, const std::string& path) {
  std::string why;
  if (skip_reason(why)) GTEST_SKIP() << "namespaces unavailable: " << why;
  Lab lab(tag, path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  EXPECT_EQ(lab.up().out.find("no data plane"), std::string::npos) << lab.up().out;
  // up waits for the first health checks, and they passed: healthy at once.
  json health = lab.json_of("health --lab " + lab.name() + " foo-web");
  ASSERT_TRUE(health.contains("TargetHealthDescriptions")) << health.dump();
  ASSERT_EQ(health["TargetHealthDescriptions"].size(), 2u) << health.dump();
  for (const auto& d : health["TargetHealthDescriptions"]) {
    EXPECT_EQ(d["TargetHealth"]["State"], "healthy") << health.dump();
    EXPECT_EQ(d["Target"]["Port"], 8080) << health.dump();
    EXPECT_EQ(d["HealthCheckPort"], "8080") << health.dump();
    EXPECT_TRUE(d["Target"]["Id"].get<std::string>().rfind("i-", 0) == 0) << health.dump();
  }
  // By logical id too.
  EXPECT_EQ(lab.run("health --lab " + lab.name() + " FooWebTargetGroup").exit_code, 0);
  EXPECT_EQ(lab.run("health --lab " + lab.name() + " no-such-tg").exit_code, 1);
  if (tag == "cross") {
    // As trace names resources of a manifest: stack.LogicalId.
    EXPECT_EQ(lab.run("health --lab " + lab.name() + " foo.FooWebTargetGroup").exit_code, 0);
    EXPECT_EQ(lab.run("logs --lab " + lab.name() + " foo.FooInternalAlb").exit_code, 0);
  }

  json alb = only_alb(lab);
  ASSERT_TRUE(alb.is_object()) << lab.run("status " + lab.name() + " --json").out;
  ASSERT_EQ(alb["nodes"].size(), 2u) << alb.dump();
  std::string node1 = alb["nodes"][0]["address"], node2 = alb["nodes"][1]["address"];
  EXPECT_TRUE(std::regex_match(node1, std::regex("10\\.2\\.1\\.\\d+"))) << node1;
  EXPECT_TRUE(std::regex_match(node2, std::regex("10\\.2\\.2\\.\\d+"))) << node2;
  std::string dns = alb["dns_name"];
  EXPECT_TRUE(std::regex_match(dns, std::regex("internal-foo-internal-alb-\\d+\\.ap-northeast-1\\.elb\\.amazonaws\\.com")))
      << dns;

  // Through the private hosted zone, balanced over both web servers.
  std::set<std::string> seen;
  for (int i = 0; i < 8; ++i) {
    Result r = lab.exec("bar-app", "curl -sS -m 5 -w '\\n%{http_code}\\n' http://alb.home/");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\n200\n"), std::string::npos) << r.out;
    std::smatch m;
    if (std::regex_search(r.out, m, std::regex("Welcom to (web\\d)"))) seen.insert(m[1]);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"web1", "web2"}));

  // By the ALB's own DNS name, as in the memo.
  Result v = lab.exec("bar-app", "curl -v -sS -m 5 http://" + dns + "/");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_TRUE(std::regex_search(v.out, std::regex("Trying 10\\.2\\.[12]\\.\\d+:80"))) << v.out;
  EXPECT_NE(v.out.find("HTTP/1.1 200 OK"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("Server: SimpleHTTP/"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("Hello World"), std::string::npos) << v.out;

  // web1's log: health checks from both node addresses.
  Result log = lab.run("logs --lab " + lab.name() + " foo-web1");
  EXPECT_EQ(log.exit_code, 0) << log.out;
  for (const auto& node : {node1, node2})
    EXPECT_TRUE(std::regex_search(log.out, std::regex("(^|\\n)" + std::regex_replace(node, std::regex("\\."), "\\.") +
                                                      " - - \\[[^\\]]+\\] \"GET / HTTP/1\\.1\" 200")))
        << node << "\n" << log.out;
  // The ALB's access log: one line per request, in the ALB format.
  Result access = lab.run("logs --lab " + lab.name() + " FooInternalAlb");
  EXPECT_EQ(access.exit_code, 0) << access.out;
  EXPECT_TRUE(std::regex_search(access.out, std::regex("^http \\S+Z app/foo-internal-alb/\\w+ 10\\.1\\.\\d+\\.\\d+:\\d+ "
                                                       "10\\.2\\.\\d+\\.\\d+:8080 \\S+ \\S+ \\S+ 200 200 ")))
      << access.out;
  EXPECT_EQ(lab.run("logs --lab " + lab.name() + " no-such-thing").exit_code, 1);

  Result st = lab.run("status " + lab.name());
  EXPECT_NE(st.out.find("load balancers:"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find(dns), std::string::npos) << st.out;
  EXPECT_NE(st.out.find(":8080 healthy"), std::string::npos) << st.out;

  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(lab.run("down " + lab.name()).exit_code, 0);
  double down_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(lab.up_seconds() + down_s, 10.0);
  std::printf("[ timing ] %s: up %.2f s (incl. first health checks), down %.2f s\n", tag.c_str(), lab.up_seconds(),
              down_s);
}

TEST(AlbLab, CanonicalScenarioSameAccount) { canonical("same", kSrc + "/examples/scenario/same-account.yaml"); }

TEST(AlbLab, CanonicalScenarioCrossAccount) {
  canonical("cross", kSrc + "/examples/scenario/cross-account/vpclab.yaml");
}

bool both_unhealthy(const json& h) {
  if (!h.contains("TargetHealthDescriptions") || h["TargetHealthDescriptions"].size() != 2) return false;
  for (const auto& d : h["TargetHealthDescriptions"])
    if (d["TargetHealth"]["State"] != "unhealthy") return false;
  return true;
}

// `vpclab health foo-web` once both targets are unhealthy, or the last answer after 20 s.
json wait_until_both_unhealthy(const Lab& lab) {
  json h;
  for (int i = 0; i < 80; ++i) {
    h = lab.json_of("health --lab " + lab.name() + " foo-web");
    if (both_unhealthy(h)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return h;
}

// A health-check path the servers do not have: 404 -> unhealthy with
// Target.ResponseCodeMismatch after UnhealthyThresholdCount (2) checks 5 s
// apart; every target unhealthy -> the ALB fails open and still serves.
TEST(AlbLab, HealthCheck404IsResponseCodeMismatch) {
  std::string why;
  if (skip_reason(why)) GTEST_SKIP() << "namespaces unavailable: " << why;
  Lab lab("hc404", kSrc + "/tests/e2e/data/health-check-404.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  json h = wait_until_both_unhealthy(lab);
  ASSERT_TRUE(both_unhealthy(h)) << h.dump(2);
  for (const auto& d : h["TargetHealthDescriptions"]) {
    EXPECT_EQ(d["TargetHealth"]["Reason"], "Target.ResponseCodeMismatch") << h.dump(2);
    EXPECT_EQ(d["TargetHealth"]["Description"].get<std::string>().rfind("Health checks failed with these codes", 0), 0u)
        << h.dump(2);
  }
  // Both nodes saw the 404s, from their own addresses.
  Result log = lab.run("logs --lab " + lab.name() + " foo-web2");
  EXPECT_TRUE(std::regex_search(log.out, std::regex("10\\.2\\.1\\.\\d+ - - \\[[^\\]]+\\] \"GET /missing\\.html HTTP/1\\.1\" 404")))
      << log.out;
  EXPECT_TRUE(std::regex_search(log.out, std::regex("10\\.2\\.2\\.\\d+ - - \\[[^\\]]+\\] \"GET /missing\\.html HTTP/1\\.1\" 404")))
      << log.out;
  Result r = lab.exec("bar-app", "curl -sS -m 5 -o /dev/null -w '%{http_code}' http://alb.home/");
  EXPECT_EQ(r.out, "200") << "fail open";
}

}  // namespace

// Security groups (compile_filters.cpp) in front of the ALB and its targets.
namespace {

// The classic failure: the ALB's security group does not allow port 80.
// The SYN is dropped at the node: curl times out (exit 28), targets stay healthy.
TEST(AlbLab, AlbSecurityGroupWithoutListenerPortTimesOut) {
  std::string why;
  if (skip_reason(why)) GTEST_SKIP() << "namespaces unavailable: " << why;
  Lab lab("albsg", kSrc + "/examples/broken/alb-sg-missing-listener-port.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  Result r = lab.exec("bar-app", "curl -sS -m 3 http://alb.home/");
  EXPECT_EQ(r.exit_code, 28) << r.out;
  json h = lab.json_of("health --lab " + lab.name() + " foo-web");
  ASSERT_EQ(h["TargetHealthDescriptions"].size(), 2u) << h.dump();
  for (const auto& d : h["TargetHealthDescriptions"]) EXPECT_EQ(d["TargetHealth"]["State"], "healthy") << h.dump();
}

// The web servers' security group lacks 8080: health checks time out from
// both nodes, the targets turn unhealthy (Target.Timeout), the ALB fails open
// and, unable to connect within 10 s, answers 504.
TEST(AlbLab, TargetSecurityGroupWithoutPortIsUnhealthyAnd504) {
  std::string why;
  if (skip_reason(why)) GTEST_SKIP() << "namespaces unavailable: " << why;
  Lab lab("tgsg", kSrc + "/tests/e2e/data/target-sg-missing-port-5s.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  json h = wait_until_both_unhealthy(lab);
  ASSERT_TRUE(both_unhealthy(h)) << h.dump(2);
  for (const auto& d : h["TargetHealthDescriptions"])
    EXPECT_EQ(d["TargetHealth"]["Reason"], "Target.Timeout") << h.dump(2);
  Result r = lab.exec("bar-app", "curl -sS -m 20 -o /dev/null -w '%{http_code}' http://alb.home/");
  EXPECT_EQ(r.out, "504") << r.out;
  Result access = lab.run("logs --lab " + lab.name() + " foo-internal-alb");
  EXPECT_NE(access.out.find(" 504 - "), std::string::npos) << access.out;
}

}  // namespace
