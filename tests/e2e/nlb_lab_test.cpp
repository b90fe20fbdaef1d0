// Network Load Balancers in a lab (issue 14): examples/nlb brought up with the
// real binary, reached with curl from bar-app by nlb.home, as a user runs it.
// Instance targets see the client's address (the web servers' own log says
// so), ip targets the node's, an NLB in front of the ALB keeps the client for
// the ALB; the broken copy times out where AWS does. Each verdict is also
// the analyzer's (`vpclab trace`): the kernel is the oracle.
#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using json = nlohmann::json;
using vpclab::testing::ScopedLab;
using vpclab::testing::vpclab;

const std::string kExamples = std::string(VPCLAB_SOURCE_DIR) + "/examples/nlb/";

class NlbLab : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = vpclab::emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
};

json status_nlb(const ScopedLab& lab) {
  json st = json::parse(vpclab("status " + lab.name() + " --json", false).out, nullptr, false);
  if (st.is_object())
    for (const auto& lb : st.value("load_balancers", json::array()))
      if (lb.value("type", "") == "network") return lb;
  return json();
}

// `curl` from bar-app to nlb.home: the page's title, "" when it failed.
std::string fetch(const ScopedLab& lab, int* exit_code = nullptr, const std::string& url = "http://nlb.home/") {
  auto r = lab.exec("bar-app", "curl -sS -m 4 " + url);
  if (exit_code) *exit_code = r.exit_code;
  std::smatch m;
  return std::regex_search(r.out, m, std::regex("Welcom to (web\\d)")) ? m[1].str() : "";
}

// The addresses a web server's python http.server logged requests from.
std::set<std::string> clients_logged(const ScopedLab& lab, const std::string& web) {
  std::set<std::string> out;
  std::string log = lab.run("logs foo-" + web).out;
  std::regex line("(\\d+\\.\\d+\\.\\d+\\.\\d+) - - \\[[^\\]]*\\] \"GET ");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

// Waits (bounded) until every target of `tg` is healthy, as the first checks
// after a slow boot leave a target initial for one interval (30 s).
json wait_healthy(const ScopedLab& lab, const std::string& tg) {
  json health;
  for (int i = 0; i < 90; ++i) {
    health = json::parse(lab.run("health " + tg, false).out, nullptr, false);
    bool all = health.is_object() && !health.value("TargetHealthDescriptions", json::array()).empty();
    for (const auto& d : health.value("TargetHealthDescriptions", json::array()))
      all = all && d["TargetHealth"].value("State", "") == "healthy";
    if (all) break;
    usleep(500000);
  }
  return health;
}

std::string bar_app_address(const ScopedLab& lab) {
  auto r = lab.exec("bar-app", "ip -4 -o addr show dev eth0");
  std::smatch m;
  return std::regex_search(r.out, m, std::regex("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/")) ? m[1].str() : "?";
}

TEST_F(NlbLab, InstanceTargetsAnswerAndSeeTheClientsAddress) {
  ScopedLab lab("nlb-inst", kExamples + "nlb.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  EXPECT_EQ(lab.up().out.find("not emulated"), std::string::npos) << lab.up().out;
  json nlb = status_nlb(lab);
  ASSERT_TRUE(nlb.is_object()) << vpclab("status " + lab.name() + " --json").out;
  ASSERT_EQ(nlb["nodes"].size(), 2u) << nlb.dump();
  EXPECT_EQ(nlb["listeners"][0]["protocol"], "TCP");
  // Health checks (TCP, from the node addresses, admitted as VPC foo) passed.
  json health = wait_healthy(lab, "foo-web-tcp");
  ASSERT_TRUE(health.contains("TargetHealthDescriptions")) << health.dump();
  ASSERT_EQ(health["TargetHealthDescriptions"].size(), 2u);
  for (const auto& d : health["TargetHealthDescriptions"]) EXPECT_EQ(d["TargetHealth"]["State"], "healthy") << health.dump();

  std::set<std::string> served;
  for (int i = 0; i < 6; ++i) {
    int rc = -1;
    std::string web = fetch(lab, &rc);
    EXPECT_EQ(rc, 0);
    served.insert(web);
  }
  EXPECT_FALSE(served.count("")) << "every request answered";
  // Instance targets keep the client's IP: the web server logged bar-app, not a node.
  const std::string client = bar_app_address(lab);
  std::set<std::string> logged = clients_logged(lab, "web1"), logged2 = clients_logged(lab, "web2");
  logged.insert(logged2.begin(), logged2.end());
  EXPECT_EQ(logged, (std::set<std::string>{client})) << "the targets see the client (preserve_client_ip)";
  // The analyzer agrees.
  EXPECT_EQ(vpclab("trace " + kExamples + "nlb.yaml --from bar-app --to http://nlb.home/").exit_code, 0);
}

TEST_F(NlbLab, TargetsAdmittingOnlyTheNlbSubnetsTimeOutWhileHealthy) {
  const std::string path = kExamples + "broken/nlb-target-sg-nlb-subnets.yaml";
  ScopedLab lab("nlb-broken", path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  json health = wait_healthy(lab, "foo-web-tcp");
  ASSERT_TRUE(health.contains("TargetHealthDescriptions")) << health.dump();
  for (const auto& d : health["TargetHealthDescriptions"])
    EXPECT_EQ(d["TargetHealth"]["State"], "healthy") << lab.run("health foo-web-tcp --per-node").out;
  int rc = -1;
  EXPECT_EQ(fetch(lab, &rc), "");
  EXPECT_EQ(rc, 28) << "curl times out: the target's group drops the client's address";
  auto tr = vpclab("trace " + path + " --from bar-app --to http://nlb.home/");
  EXPECT_EQ(tr.exit_code, 1) << tr.out;
  EXPECT_NE(tr.out.find("ELBV2_SOURCE_ADDRESS_PRESERVATION"), std::string::npos) << tr.out;
}

TEST_F(NlbLab, IpTargetsSeeTheNodesAddress) {
  ScopedLab lab("nlb-ip", kExamples + "nlb-ip-targets.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  wait_healthy(lab, "foo-web-tcp");
  json nlb = status_nlb(lab);
  ASSERT_TRUE(nlb.is_object());
  std::set<std::string> nodes;
  for (const auto& n : nlb["nodes"]) nodes.insert(n.value("address", ""));
  for (int i = 0; i < 4; ++i) EXPECT_NE(fetch(lab), "");
  std::set<std::string> logged = clients_logged(lab, "web1"), logged2 = clients_logged(lab, "web2");
  logged.insert(logged2.begin(), logged2.end());
  ASSERT_FALSE(logged.empty());
  for (const auto& a : logged) EXPECT_TRUE(nodes.count(a)) << a << " is not a node of the NLB: preservation is off for ip/TCP";
  EXPECT_EQ(vpclab("trace " + kExamples + "nlb-ip-targets.yaml --from bar-app --to http://nlb.home/").exit_code, 0);
}

TEST_F(NlbLab, InFrontOfTheAlbTheAlbSeesTheClient) {
  ScopedLab lab("nlb-alb", kExamples + "nlb-to-alb.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  wait_healthy(lab, "foo-alb");
  std::set<std::string> served;
  for (int i = 0; i < 6; ++i) served.insert(fetch(lab));
  EXPECT_FALSE(served.count("")) << "every request answered through NLB and ALB";
  // The ALB's access log: the client is bar-app (the NLB kept its address).
  std::string log = lab.run("logs foo-internal-alb").out;
  const std::string client = bar_app_address(lab);
  EXPECT_NE(log.find(" " + client + ":"), std::string::npos) << log;
  EXPECT_EQ(vpclab("trace " + kExamples + "nlb-to-alb.yaml --from bar-app --to http://nlb.home/").exit_code, 0);
}

TEST_F(NlbLab, AStoppedTargetIsUnusedAndTheOtherServes) {
  ScopedLab lab("nlb-stop", kExamples + "nlb.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  wait_healthy(lab, "foo-web-tcp");
  ASSERT_EQ(lab.run("instance stop foo-web2").exit_code, 0);
  json health = json::parse(lab.run("health foo-web-tcp", false).out, nullptr, false);
  std::map<std::string, std::string> reason;
  for (const auto& d : health.value("TargetHealthDescriptions", json::array()))
    reason[d["TargetHealth"].value("State", "")] = d["TargetHealth"].value("Reason", "");
  EXPECT_EQ(reason["unused"], "Target.InvalidState") << health.dump();
  // web1's node answers as before.
  json nlb = status_nlb(lab);
  ASSERT_TRUE(nlb.is_object());
  std::string node1 = nlb["nodes"][0].value("address", "");
  EXPECT_EQ(fetch(lab, nullptr, "http://" + node1 + "/"), "web1");
}

TEST_F(NlbLab, UdpDatagramsReachAnEchoServiceThatSeesTheClient) {
  ScopedLab lab("nlb-udp", kExamples + "nlb-udp.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  json nlb = status_nlb(lab);
  ASSERT_TRUE(nlb.is_object());
  EXPECT_EQ(nlb["listeners"][0]["protocol"], "UDP");
  wait_healthy(lab, "foo-echo-udp");
  auto r = lab.exec("bar-app", "python3 -c '"
                               "import socket\n"
                               "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)\n"
                               "s.connect((\"nlb.home\", 5353))\n"
                               "for m in (b\"one\", b\"two\"):\n"
                               "    s.send(m); print(s.recv(2048).decode())\n'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("echo from ip-10-2-\\d+-\\d+: one\n.*echo from ip-10-2-\\d+-\\d+: two")))
      << r.out;
  // A UDP group keeps the client's address: the echo service logged bar-app.
  const std::string client = bar_app_address(lab);
  std::string logs = lab.run("logs foo-web1").out + lab.run("logs foo-web2").out;
  EXPECT_NE(logs.find(client + " sent one"), std::string::npos) << logs;
  EXPECT_EQ(vpclab("trace " + kExamples + "nlb-udp.yaml --from bar-app --to nlb.home:5353 --protocol udp").exit_code, 0);
}

}  // namespace
