// `vpclab assert` as a reviewer or a CI job runs it: the scenario keeps its
// policy, each broken copy violates the assertion it should, scopes embedded
// in a template, exclusions that narrow ports, bad policies (exit 2 naming
// file:line), and the json, junit and sarif forms.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/param_names.h"
#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

const std::string kLab = "examples/scenario/vpclab.yaml";
const std::string kPolicy = "examples/scenario/policy.yaml";

std::string write_temp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("vpclab-assert-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

nlohmann::json assert_json(const std::string& args, int expect_exit) {
  auto r = vpclab("assert --json " + args, /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, expect_exit) << args << "\n" << r.out;
  return nlohmann::json::parse(r.out);
}

std::set<std::string> failing(const nlohmann::json& j) {
  std::set<std::string> out;
  for (const auto& a : j["assertions"])
    if (!a["holds"].get<bool>()) out.insert(a["name"].get<std::string>());
  return out;
}

TEST(AssertCommand, TheScenarioKeepsItsPolicy) {
  for (const std::string lab : {kLab, std::string("examples/scenario/same-account.yaml")}) {
    auto j = assert_json(lab + " " + kPolicy, 0);
    EXPECT_TRUE(j["holds"].get<bool>());
    ASSERT_EQ(j["assertions"].size(), 7u) << j.dump(2);
    for (const auto& a : j["assertions"]) {
      EXPECT_TRUE(a["holds"].get<bool>()) << a.dump(2);
      if (a["kind"] == "access-scope") EXPECT_EQ(a["finding_count"], 0) << a.dump(2);
      else EXPECT_EQ(a["verdict"], a["expected"]) << a.dump(2);
    }
  }
  auto text = vpclab("assert " + kLab + " " + kPolicy);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("PASS  path bar-app-reaches-the-alb (examples/scenario/policy.yaml:"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("7 assertion(s), 0 failed"), std::string::npos) << text.out;
}

struct BrokenCase {
  const char* file;
  std::set<std::string> fails;
};

class AssertBroken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(AssertBroken, ViolatesTheAssertionItShould) {
  const auto& c = GetParam();
  auto j = assert_json(std::string("examples/broken/") + c.file + " " + kPolicy, c.fails.empty() ? 0 : 1);
  EXPECT_EQ(failing(j), c.fails) << j.dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, AssertBroken,
    ::testing::Values(
        BrokenCase{"alb-sg-missing-listener-port.yaml", {"bar-app-reaches-the-alb", "bar-app-gets-http-from-alb-home"}},
        BrokenCase{"peering-route-one-side.yaml", {"bar-app-reaches-the-alb", "bar-app-gets-http-from-alb-home"}},
        BrokenCase{"target-sg-missing-port.yaml", {"bar-app-reaches-the-alb", "bar-app-gets-http-from-alb-home"}},
        BrokenCase{"internet-facing-alb-no-igw.yaml", {"bar-app-reaches-the-alb", "bar-app-gets-http-from-alb-home"}},
        BrokenCase{"phz-vpc-dns-disabled.yaml", {"bar-app-gets-http-from-alb-home"}},
        BrokenCase{"nat-gateway-no-igw-route.yaml", {"web-server-reaches-the-internet"}},
        BrokenCase{"ssh-open-to-world.yaml", {"bar-reaches-foo-only-by-http-to-the-alb"}},
        // Too wide a rule that opens no new path: a lint (check), not a reachability assertion.
        BrokenCase{"alb-sg-open-to-world.yaml", {}}),
    testing::FileParamName());

TEST(AssertCommand, AFindingNamesThePathItFound) {
  auto j = assert_json("examples/broken/ssh-open-to-world.yaml " + kPolicy, 1);
  const nlohmann::json* scope = nullptr;
  for (const auto& a : j["assertions"])
    if (a["name"] == "bar-reaches-foo-only-by-http-to-the-alb") scope = &a;
  ASSERT_NE(scope, nullptr);
  ASSERT_EQ((*scope)["finding_count"], 2) << scope->dump(2);
  std::set<std::string> dests;
  for (const auto& f : (*scope)["findings"]) {
    EXPECT_EQ(f["protocol"], "tcp");
    EXPECT_EQ(f["ports"], "22");
    EXPECT_NE(f["source"].get<std::string>().find("BarApp"), std::string::npos) << f.dump(2);
    ASSERT_FALSE(f["through"].empty());
    EXPECT_NE(f["through"][0].get<std::string>().find("BarToFooPeering"), std::string::npos) << f.dump(2);
    dests.insert(f["destination"].get<std::string>().substr(0, f["destination"].get<std::string>().find(' ')));
    // One packet of the class, as trace shows it: it ends at the web server's security group.
    ASSERT_FALSE(f["hops"].empty());
    EXPECT_TRUE(f["hops"].back()["allowed"].get<bool>());
  }
  EXPECT_EQ(dests, (std::set<std::string>{"ssh-open-to-world.FooWeb1", "ssh-open-to-world.FooWeb2"}));
}

TEST(AssertCommand, AnExclusionRemovesOnlyWhatItCovers) {
  // Everything from the internet except SSH to foo's bastion: bar's bastion remains, on port 22 only.
  std::string policy = write_temp("narrow.yaml", R"(AccessScopes:
  - Name: only-foo-bastion-from-internet
    MatchPaths:
      - Source: {ResourceStatement: {ResourceTypes: ["AWS::EC2::InternetGateway"]}}
    ExcludePaths:
      - Destination:
          ResourceStatement: {Resources: [scenario.FooBastion]}
          PacketHeaderStatement: {DestinationPorts: ["22"]}
)");
  auto j = assert_json(kLab + " " + policy, 1);
  const auto& a = j["assertions"][0];
  ASSERT_EQ(a["finding_count"], 1) << a.dump(2);
  const auto& f = a["findings"][0];
  EXPECT_NE(f["destination"].get<std::string>().find("BarBastion"), std::string::npos) << f.dump(2);
  EXPECT_EQ(f["ports"], "22");
  EXPECT_EQ(f["source_addresses"], "0.0.0.0/0 (any public address)");
  // Narrowed further by source addresses, the class splits: what is left is the rest of the internet.
  std::string split = write_temp("split.yaml", R"({"MatchPaths": [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
  "Destination": {"ResourceStatement": {"Resources": ["BarBastion"]}}}],
 "ExcludePaths": [{"Source": {"PacketHeaderStatement": {"SourceAddresses": ["198.51.100.0/24"]}}}]})");
  auto k = assert_json(kLab + " " + split, 1);
  ASSERT_EQ(k["assertions"][0]["finding_count"], 1) << k.dump(2);
  std::string srcs = k["assertions"][0]["findings"][0]["source_addresses"];
  EXPECT_EQ(srcs.find("198.51.100.0/24"), std::string::npos) << srcs;
  EXPECT_NE(srcs.find("198.51.101.0/24"), std::string::npos) << srcs;
}

TEST(AssertCommand, ScopesAndPathsInTheTemplateItself) {
  // The scenario with its own assertions appended to Resources.
  std::ifstream in("examples/scenario/same-account.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto at = text.find("\nOutputs:");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, R"(
  NoSshFromBar:
    Type: AWS::EC2::NetworkInsightsAccessScope
    Properties:
      MatchPaths:
        - Source: {ResourceStatement: {Resources: [!Ref BarVpc]}}
          Destination:
            ResourceStatement: {Resources: [!Ref FooVpc]}
            PacketHeaderStatement: {DestinationPorts: ["22"]}
      Tags: [{Key: Name, Value: no-ssh-from-bar}]
  BarAppToWeb:
    Type: AWS::EC2::NetworkInsightsPath
    Properties:
      Source: !Ref BarApp
      Destination: !Ref FooWeb1
      Protocol: tcp
      DestinationPort: 22
      Tags: [{Key: vpclab:expect, Value: reachable}]
  BarAppToAlbUnjudged:
    Type: AWS::EC2::NetworkInsightsPath
    Properties:
      Source: !Ref BarApp
      Destination: !Ref FooInternalAlb
      Protocol: tcp
      DestinationPort: 80
)");
  std::string path = write_temp("with-assertions.yaml", text);
  auto j = assert_json(path, 1);
  ASSERT_EQ(j["assertions"].size(), 3u) << j.dump(2);
  const auto& scope = j["assertions"][0];
  EXPECT_EQ(scope["name"], "no-ssh-from-bar");
  EXPECT_TRUE(scope["id"].get<std::string>().starts_with("nis-")) << scope.dump(2);
  EXPECT_TRUE(scope["holds"].get<bool>()) << scope.dump(2);
  const auto& p = j["assertions"][1];
  EXPECT_TRUE(p["id"].get<std::string>().starts_with("nip-"));
  EXPECT_EQ(p["expected"], "reachable");
  EXPECT_EQ(p["verdict"], "unreachable");
  EXPECT_FALSE(p["holds"].get<bool>());
  EXPECT_NE(p["location"].get<std::string>().find("with-assertions.yaml:"), std::string::npos);
  const auto& u = j["assertions"][2];
  EXPECT_FALSE(u["judged"].get<bool>());
  EXPECT_EQ(u["verdict"], "reachable");
  // The template still checks clean: the new types are modeled, not noted.
  auto chk = vpclab("check " + path);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  EXPECT_EQ(chk.out.find("NetworkInsights"), std::string::npos) << chk.out;
}

struct BadPolicy {
  const char* name;
  const char* text;
  const char* code;
  int line;
};

class AssertBadPolicy : public ::testing::TestWithParam<BadPolicy> {};

TEST_P(AssertBadPolicy, ExitsTwoNamingThePlace) {
  const auto& c = GetParam();
  std::string path = write_temp(std::string(c.name) + ".yaml", c.text);
  auto r = vpclab("assert " + kLab + " " + path);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  std::string where = path + ":" + std::to_string(c.line) + ":";
  EXPECT_NE(r.out.find(where), std::string::npos) << where << "\n" << r.out;
  EXPECT_NE(r.out.find(c.code), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Policies, AssertBadPolicy,
    ::testing::Values(
        BadPolicy{"unknown_property", "Paths:\n  - Source: BarApp\n    Protocol: tcp\n    Destnation: FooWeb1\n", "E3002", 4},
        BadPolicy{"bad_cidr",
                  "AccessScopes:\n  - MatchPaths:\n      - Source:\n          PacketHeaderStatement:\n"
                  "            SourceAddresses: [10.0.0.0/33]\n",
                  "E3031", 5},
        BadPolicy{"names_nothing",
                  "AccessScopes:\n  - MatchPaths:\n      - Destination:\n          ResourceStatement:\n"
                  "            Resources: [NoSuchInstance]\n",
                  "POLICY_UNKNOWN_RESOURCE", 5},
        BadPolicy{"path_names_nothing", "Paths:\n  - Source: BarApp\n    Destination: Nowhere\n    Protocol: tcp\n",
                  "POLICY_UNKNOWN_RESOURCE", 3},
        BadPolicy{"nat_as_source",
                  "AccessScopes:\n  - MatchPaths:\n      - Source:\n          ResourceStatement:\n"
                  "            ResourceTypes: [AWS::EC2::NatGateway]\n",
                  "E3031", 5},
        BadPolicy{"ids_and_types",
                  "AccessScopes:\n  - MatchPaths:\n      - Source:\n          ResourceStatement:\n"
                  "            {Resources: [BarApp], ResourceTypes: [AWS::EC2::NetworkInterface]}\n",
                  "E3031", 5},
        BadPolicy{"bad_expect", "Paths:\n  - Source: BarApp\n    Destination: FooWeb1\n    Protocol: tcp\n    Expect: maybe\n",
                  "E3031", 5},
        BadPolicy{"bad_protocol", "Paths:\n  - Source: BarApp\n    Destination: FooWeb1\n    Protocol: icmp\n", "E3031", 4},
        BadPolicy{"empty", "AccessScopes: []\n", "POLICY_EMPTY", 1},
        BadPolicy{"not_yaml", "AccessScopes: [\n", "E0000", 2}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AssertCommand, UsageErrors) {
  auto none = vpclab("assert examples/scenario/same-account.yaml");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("no POLICY was given"), std::string::npos) << none.out;
  auto missing = vpclab("assert " + kLab + " /nonexistent/policy.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("/nonexistent/policy.yaml"), std::string::npos) << missing.out;
  EXPECT_EQ(vpclab("assert " + kLab + " " + kPolicy + " --format xml").exit_code, 2);
}

TEST(AssertCommand, JunitHasOneTestCasePerAssertion) {
  auto r = vpclab("assert examples/broken/ssh-open-to-world.yaml " + kPolicy + " --format junit", false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("<?xml", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("<testsuites name=\"vpclab assert\" tests=\"7\" failures=\"1\">"), std::string::npos) << r.out;
  size_t cases = 0;
  for (size_t at = r.out.find("<testcase "); at != std::string::npos; at = r.out.find("<testcase ", at + 1)) ++cases;
  EXPECT_EQ(cases, 7u);
  auto fail = r.out.find("name=\"bar-reaches-foo-only-by-http-to-the-alb\"");
  ASSERT_NE(fail, std::string::npos);
  EXPECT_LT(r.out.find("<failure message=\"2 matching path(s)\">", fail), r.out.find("</testcase>", fail)) << r.out;
}

TEST(AssertCommand, SarifPointsAtTheFailingAssertion) {
  auto r = vpclab("assert examples/broken/target-sg-missing-port.yaml " + kPolicy + " --format sarif", false);
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], "2.1.0");
  const auto& results = j["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u) << j.dump(2);
  for (const auto& res : results) {
    EXPECT_EQ(res["ruleId"], "PATH_EXPECTATION");
    const auto& loc = res["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], kPolicy);
    EXPECT_GT(loc["region"]["startLine"].get<int>(), 40);
  }
}

}  // namespace
}  // namespace vpclab
