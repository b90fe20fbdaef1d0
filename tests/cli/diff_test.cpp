// `vpclab diff` as a reviewer runs it: each broken copy against the scenario
// names what changed and why; a network against itself is no difference;
// git revisions; formats; exit codes (0 none, 1 differences, 2 bad input).
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <nlohmann/json.hpp>

#include "../support/param_names.h"
#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

const std::string kScenario = "examples/scenario/same-account.yaml";

nlohmann::json diff_json(const std::string& args, int expect_exit) {
  auto r = vpclab("diff --json " + args, /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, expect_exit) << args << "\n" << r.out;
  return nlohmann::json::parse(r.out);
}

TEST(DiffCommand, ANetworkAgainstItselfHasNoDifference) {
  for (const char* path : {"examples/scenario/same-account.yaml", "examples/scenario/vpclab.yaml",
                           "examples/broken/ssh-open-to-world.yaml"}) {
    auto r = vpclab(std::string("diff ") + path + " " + path);
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.out;
    EXPECT_NE(r.out.find("no reachability difference"), std::string::npos) << r.out;
  }
}

struct BrokenCase {
  const char* file;
  const char* change;       // allowed | blocked
  const char* flow;         // protocol/ports
  const char* destination;  // one destination of the class
  const char* component;    // the component that decided it after the change
  int line;                 // where, in the broken copy (after) or the scenario (before)
};

class DiffBroken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(DiffBroken, NamesTheChangedComponentAndRule) {
  const auto& c = GetParam();
  std::string broken = std::string("examples/broken/") + c.file;
  auto j = diff_json(kScenario + " " + broken, 1);
  bool found = false;
  for (const auto& f : j["flows"]) {
    if (f["change"] != c.change || f["protocol"].get<std::string>() + "/" + f["ports"].get<std::string>() != c.flow)
      continue;
    bool dst = false;
    for (const auto& d : f["destinations"]) dst |= d == c.destination;
    if (!dst) continue;
    found = true;
    const auto& decided = std::string(c.change) == "allowed" ? f["after"] : f["before"];
    const auto& shut = std::string(c.change) == "allowed" ? f["before"] : f["after"];
    EXPECT_NE(decided["display"].get<std::string>().find(c.component), std::string::npos) << f.dump(2);
    EXPECT_EQ(shut["code"], "ENI_SG_RULES_MISMATCH") << f.dump(2);
    std::string file = std::string(c.change) == "allowed" ? broken : kScenario;
    EXPECT_EQ(decided["location"].get<std::string>().rfind(file + ":" + std::to_string(c.line) + ":", 0), 0u)
        << f.dump(2);
  }
  EXPECT_TRUE(found) << j.dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, DiffBroken,
    ::testing::Values(
        // The ALB group admits 443 instead of 80: bar's app loses the ALB; the rule that admitted it was line 129.
        BrokenCase{"alb-sg-missing-listener-port.yaml", "blocked", "tcp/80", "FooInternalAlb", "FooAlbSecurityGroup", 129},
        // SSH from 0.0.0.0/0 on the web group: every peer in reach gains tcp/22 to the web servers.
        BrokenCase{"ssh-open-to-world.yaml", "allowed", "tcp/22", "FooWeb1", "FooWebSecurityGroup", 139},
        // The web group admits the ALB on a wrong port: the ALB loses both targets on 8080.
        BrokenCase{"target-sg-missing-port.yaml", "blocked", "tcp/8080", "FooWeb2", "FooWebSecurityGroup", 136}),
    testing::FileParamName());

TEST(DiffCommand, ClassesGroupDestinationsThatChangedAlike) {
  auto j = diff_json(kScenario + " examples/broken/target-sg-missing-port.yaml", 1);
  ASSERT_EQ(j["flows"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["flows"][0]["sources"], nlohmann::json::array({"FooInternalAlb"}));
  EXPECT_EQ(j["flows"][0]["destinations"], nlohmann::json::array({"FooWeb1", "FooWeb2"}));
  EXPECT_EQ(j["blocked_classes"], 1);
  EXPECT_EQ(j["allowed_classes"], 0);
  // And the ALB's health checks no longer reach either target.
  ASSERT_EQ(j["health_checks"].size(), 2u) << j.dump(2);
  for (const auto& h : j["health_checks"]) {
    EXPECT_EQ(h["change"], "unreachable");
    EXPECT_EQ(h["load_balancer"], "FooInternalAlb");
    EXPECT_EQ(h["port"], 8080);
  }
}

TEST(DiffCommand, ExposureGainedAndFailOn) {
  std::string args = kScenario + " examples/broken/ssh-open-to-world.yaml";
  auto j = diff_json(args, 1);
  int gained = 0;
  for (const auto& e : j["exposure"])
    if (e["change"] == "gained" && e["protocol"] == "tcp" && e["ports"] == "22") ++gained;
  EXPECT_EQ(gained, 2) << j.dump(2);  // FooWeb1 and FooWeb2 from bar's VPC
  EXPECT_EQ(vpclab("diff --fail-on exposure " + args).exit_code, 1);
  EXPECT_EQ(vpclab("diff --fail-on none " + args).exit_code, 0);
  // Closing a path gains no exposure: --fail-on exposure passes it.
  EXPECT_EQ(vpclab("diff --fail-on exposure " + kScenario + " examples/broken/target-sg-missing-port.yaml").exit_code, 0);
}

TEST(DiffCommand, RestrictedByPortAndProtocol) {
  std::string args = kScenario + " examples/broken/ssh-open-to-world.yaml";
  EXPECT_EQ(vpclab("diff --port 80 --fail-on any " + args).exit_code, 1);  // exposure still differs
  auto j = diff_json("--port 80 " + args, 1);
  EXPECT_TRUE(j["flows"].empty()) << j.dump(2);
  auto u = diff_json("--protocol udp " + args, 1);
  EXPECT_TRUE(u["flows"].empty()) << u.dump(2);
}

TEST(DiffCommand, GitRevisionAgainstTheWorkingTree) {
  // HEAD's copy of a tracked example against the same file: no difference.
  auto r = vpclab("diff git:HEAD " + kScenario);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto r2 = vpclab("diff git:HEAD:" + kScenario + " examples/broken/target-sg-missing-port.yaml");
  EXPECT_EQ(r2.exit_code, 1) << r2.out;
  EXPECT_NE(r2.out.find("git:HEAD:examples/scenario/same-account.yaml:136:"), std::string::npos) << r2.out;
  auto bad = vpclab("diff git:no-such-rev " + kScenario);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("no such revision 'no-such-rev'"), std::string::npos) << bad.out;
}

TEST(DiffCommand, MarkdownAndSarif) {
  std::string args = kScenario + " examples/broken/alb-sg-missing-listener-port.yaml";
  auto md = vpclab("diff --format markdown " + args, false);
  EXPECT_EQ(md.exit_code, 1);
  EXPECT_NE(md.out.find("| ➖ blocked | tcp/80 | BarApp | FooInternalAlb |"), std::string::npos) << md.out;
  auto s = vpclab("diff --format sarif " + args, false);
  auto j = nlohmann::json::parse(s.out);
  ASSERT_FALSE(j["runs"][0]["results"].empty());
  EXPECT_EQ(j["runs"][0]["results"][0]["ruleId"], "FLOW_NEWLY_BLOCKED");
}

TEST(DiffCommand, DnsAnswersThatChanged) {
  // Bar's VPC with DNS hostnames off: its resolver no longer answers foo's private zone.
  auto j = diff_json(kScenario + " examples/broken/phz-vpc-dns-disabled.yaml", 1);
  ASSERT_EQ(j["dns"].size(), 1u) << j.dump(2);
  const auto& d = j["dns"][0];
  EXPECT_EQ(d["vpc"], "BarVpc");
  EXPECT_EQ(d["name"], "alb.home");
  EXPECT_EQ(d["type"], "A");
  EXPECT_EQ(d["after"], "NXDOMAIN");
  EXPECT_NE(d["before"].get<std::string>().find("A 10.2."), std::string::npos) << d.dump();
  auto text = vpclab("diff " + kScenario + " examples/broken/phz-vpc-dns-disabled.yaml");
  EXPECT_NE(text.out.find("~ dns alb.home A from BarVpc: now NXDOMAIN; before: A 10.2."), std::string::npos) << text.out;
  auto md = vpclab("diff --format markdown " + kScenario + " examples/broken/phz-vpc-dns-disabled.yaml");
  EXPECT_NE(md.out.find("| alb.home A | BarVpc | NXDOMAIN |"), std::string::npos) << md.out;
  // An internet-facing ALB: the same name now answers its public addresses.
  auto pub = diff_json(kScenario + " examples/broken/internet-facing-alb-no-igw.yaml", 1);
  ASSERT_EQ(pub["dns"].size(), 1u) << pub.dump(2);
  EXPECT_EQ(pub["dns"][0]["after"].get<std::string>().find("A 10."), std::string::npos) << pub["dns"].dump();
  // Restricted to flows (--port), DNS is not compared: between addresses nothing changed.
  EXPECT_TRUE(diff_json("--port 80 " + kScenario + " examples/broken/phz-vpc-dns-disabled.yaml", 0)["dns"].empty());
}

TEST(DiffCommand, InternetEgressLost) {
  // The NAT gateway in a subnet without an IGW route: the web servers lose the internet.
  auto j = diff_json(kScenario + " examples/broken/nat-gateway-no-igw-route.yaml", 1);
  std::set<std::string> lost;
  for (const auto& e : j["egress"]) {
    EXPECT_EQ(e["change"], "lost") << e.dump();
    EXPECT_EQ(e["destinations"], "0.0.0.0/0 (any public address)") << e.dump();
    EXPECT_EQ(e["through"].get<std::string>().rfind("nat-", 0), 0u) << e.dump();
    lost.insert(e["resource"].get<std::string>() + " " + e["protocol"].get<std::string>());
  }
  EXPECT_EQ(lost, (std::set<std::string>{"FooWeb1 tcp", "FooWeb1 udp", "FooWeb2 tcp", "FooWeb2 udp"}));
  auto text = vpclab("diff " + kScenario + " examples/broken/nat-gateway-no-igw-route.yaml");
  EXPECT_NE(text.out.find("- egress FooWeb1 to the internet: tcp 0-65535 to 0.0.0.0/0"), std::string::npos) << text.out;
  EXPECT_TRUE(diff_json(kScenario + " " + kScenario, 0)["egress"].empty());
}

TEST(DiffCommand, BadInputIsExit2) {
  EXPECT_EQ(vpclab("diff " + kScenario + " no-such-file.yaml").exit_code, 2);
  EXPECT_EQ(vpclab("diff " + kScenario).exit_code, 2);  // NEW missing: usage
  EXPECT_EQ(vpclab("diff --format xml " + kScenario + " " + kScenario).exit_code, 2);
}

}  // namespace
}  // namespace vpclab
