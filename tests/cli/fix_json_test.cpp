// `vpclab fix` and `vpclab check --fix-lint` on JSON templates: the JSON
// copies of the broken examples (tests/cli/data/json, written by its
// regenerate.py in the layouts users' JSON comes in: 2 and 4 spaces, tabs, the
// AWS samples' `"Key" : value`) check as their YAML originals do; fix prints a
// patch that git apply takes, in the file's own layout, after which the copy
// checks clean, traces reachable and `vpclab diff` newly allows only the
// intended class, as for the YAML; --fix-lint narrows the ALB rule with no
// reachability change.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/fix_checks.h"
#include "../support/param_names.h"
#include "../support/process.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::vpclab;

const std::string kData = "tests/cli/data/json/";

fs::path scratch(const std::string& name) { return testing::fix_scratch("vpclab-fix-json-test", name); }
using testing::copy_into;
std::string read(const fs::path& p) { return testing::read_file(p); }

// What `check --json` reports, places left out (the two files' lines differ).
std::multiset<std::string> findings(const std::string& file) {
  auto r = vpclab("check --json " + file, false);
  std::multiset<std::string> out;
  for (const auto& d : nlohmann::json::parse(r.out)["diagnostics"])
    out.insert(d["severity"].get<std::string>() + " " + d["code"].get<std::string>() + " " + d["message"].get<std::string>());
  return out;
}

// The verification fix prints on stderr, file names left out.
std::string verification(const std::string& err, const std::string& file) {
  std::string out;
  size_t at = err.find("verified: ");
  if (at == std::string::npos) return err;
  out = err.substr(at);
  for (size_t p; (p = out.find(file)) != std::string::npos;) out.replace(p, file.size(), "LAB");
  return out;
}

struct JsonFixCase {
  const char* file;  // in tests/cli/data/json; examples/broken/<same>.yaml is its original
  const char* from;
  const char* to;
  const char* port;    // "" = the URL's
  const char* expect;  // a line the patch adds
  const char* source;  // the newly allowed class's ends ("" = no new flow)
  const char* destination;
};

class FixJson : public ::testing::TestWithParam<JsonFixCase> {};

TEST_P(FixJson, TheCopyChecksAsItsYamlAndThePatchOpensThePathAndNothingElse) {
  const auto& c = GetParam();
  std::string file = kData + c.file;
  std::string yaml = std::string("examples/broken/") + fs::path(c.file).stem().string() + ".yaml";
  std::string path_args = std::string(" --from ") + c.from + " --to " + c.to + (*c.port ? std::string(" --port ") + c.port : "");
  EXPECT_EQ(findings(file), findings(yaml));
  ASSERT_EQ(vpclab("trace " + file + path_args).exit_code, 1);

  auto r = vpclab("fix " + file + path_args, /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("--- a/" + file + "\n+++ b/" + file + "\n@@ ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(std::string("\n+") + c.expect + "\n"), std::string::npos) << c.expect << "\n" << r.out;
  // The same change as for the YAML, verified the same way.
  auto both = vpclab("fix " + file + path_args);
  auto both_yaml = vpclab("fix " + yaml + path_args);
  EXPECT_EQ(verification(both.out, file), verification(both_yaml.out, yaml));

  fs::path dir = scratch(c.file);
  fs::path patched = copy_into(dir, file);
  std::ofstream(dir / "fix.patch") << r.out;
  auto applied = run_command("cd " + dir.string() + " && git apply fix.patch");
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  std::string text = read(patched);
  ASSERT_NE(text, read(file));
  EXPECT_NO_THROW(nlohmann::json::parse(text)) << text;  // still JSON, not YAML
  auto chk = vpclab("check " + patched.string());
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  EXPECT_EQ(vpclab("trace " + patched.string() + path_args).exit_code, 0);
  auto d = vpclab("diff --json " + file + " " + patched.string(), false);
  auto j = nlohmann::json::parse(d.out);
  testing::expect_only_the_intended_class(j, c.from, c.source, c.destination);

}

INSTANTIATE_TEST_SUITE_P(
    Examples, FixJson,
    ::testing::Values(
        // Two spaces: a rule appended to the ALB's group, a reference over three lines.
        JsonFixCase{"alb-sg-missing-listener-port.json", "BarApp", "http://alb.home/", "",
                    "            \"SourceSecurityGroupId\": {\n+              \"Ref\": \"BarAppSecurityGroup\"\n+            },",
                    "BarApp", "FooInternalAlb"},
        // Four spaces.
        JsonFixCase{"target-sg-missing-port.json", "BarApp", "http://alb.home/", "",
                    "                        \"FromPort\": 8080,", "FooInternalAlb", "FooWeb"},
        // Tabs: an AWS::EC2::Route resource after its route table.
        JsonFixCase{"peering-route-one-side.json", "BarApp", "http://alb.home/", "",
                    "\t\t\t\t\"VpcPeeringConnectionId\": {", "BarApp", "FooInternalAlb"},
        // `"Key" : value`: a boolean set in place.
        JsonFixCase{"phz-vpc-dns-disabled.json", "BarApp", "http://alb.home/", "", "        \"EnableDnsHostnames\" : true,",
                    "", ""},
        // Four spaces: a reference's name replaced in its line.
        JsonFixCase{"nat-gateway-no-igw-route.json", "FooWeb1", "internet", "443",
                    "                    \"Ref\": \"FooPublicSubnet\"", "", ""},
        // `"Key" : value`: new subnets and their associations after the ALB, its Subnets replaced.
        JsonFixCase{"internet-facing-alb-no-igw.json", "internet", "FooInternalAlb", "80",
                    "        \"AvailabilityZone\" : { \"Fn::Select\" : [ 1, { \"Fn::GetAZs\" : \"\" } ] }", "*",
                    "FooInternalAlb"}),
    testing::FileParamName());

TEST(FixJson, ApplyWritesThePatchInTheFilesLayout) {
  fs::path dir = scratch("apply");
  fs::path file = copy_into(dir, kData + "peering-route-one-side.json");
  std::string before = read(file);
  auto r = vpclab("fix " + file.string() + " --from BarApp --to http://alb.home/ --apply");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::string now = read(file);
  // Only the route resource's lines are new, after its route table, indented with tabs as the file is.
  const std::string route =
      "\t\t\"FooPrivateRouteTableViaBarToFooPeering\": {\n"
      "\t\t\t\"Type\": \"AWS::EC2::Route\",\n"
      "\t\t\t\"Properties\": {\n"
      "\t\t\t\t\"RouteTableId\": {\n"
      "\t\t\t\t\t\"Ref\": \"FooPrivateRouteTable\"\n"
      "\t\t\t\t},\n"
      "\t\t\t\t\"DestinationCidrBlock\": \"10.1.0.0/16\",\n"
      "\t\t\t\t\"VpcPeeringConnectionId\": {\n"
      "\t\t\t\t\t\"Ref\": \"BarToFooPeering\"\n"
      "\t\t\t\t}\n"
      "\t\t\t}\n"
      "\t\t},\n";
  std::string want = before;
  size_t at = want.find("\t\t\"FooPrivateDefaultRoute\": {");
  ASSERT_NE(at, std::string::npos);
  want.insert(at, route);
  EXPECT_EQ(now, want);
  EXPECT_EQ(vpclab("trace " + file.string() + " --from BarApp --to http://alb.home/").exit_code, 0);
}

TEST(CheckFixLintJson, NarrowsTheInternalAlbRuleToItsClientsWithNoReachabilityChange) {
  const std::string file = kData + "alb-sg-open-to-world.json";
  const std::string yaml = "examples/broken/alb-sg-open-to-world.yaml";
  EXPECT_EQ(findings(file), findings(yaml));
  auto r = vpclab("check --fix-lint " + file, /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("--- a/" + file + "\n+++ b/" + file + "\n@@ ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n-            \"CidrIp\" : \"0.0.0.0/0\",\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n+            \"SourceSecurityGroupId\" : { \"Ref\" : \"BarAppSecurityGroup\" },\n"), std::string::npos)
      << r.out;
  fs::path dir = scratch("fix-lint");
  fs::path patched = copy_into(dir, file);
  std::ofstream(dir / "fix.patch") << r.out;
  auto applied = run_command("cd " + dir.string() + " && git apply fix.patch");
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  EXPECT_NO_THROW(nlohmann::json::parse(read(patched)));
  auto chk = vpclab("check --json " + patched.string(), false);
  ASSERT_EQ(chk.exit_code, 0) << chk.out;
  for (const auto& d : nlohmann::json::parse(chk.out)["diagnostics"]) EXPECT_NE(d["code"], "ALB_SG_OPEN_TO_WORLD") << d.dump();
  auto d = vpclab("diff " + file + " " + patched.string());
  EXPECT_EQ(d.exit_code, 0) << d.out;
  // The same rules as the YAML's fix: the patched copies describe the same network.
  fs::path ydir = scratch("fix-lint-yaml");
  fs::path ypatched = copy_into(ydir, yaml);
  ASSERT_EQ(vpclab("check --fix-lint --apply " + ypatched.string()).exit_code, 0);
  auto same = vpclab("diff " + ypatched.string() + " " + patched.string());
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_EQ(vpclab("check --fix-lint " + patched.string(), false).out, "");
}

}  // namespace
}  // namespace vpclab
