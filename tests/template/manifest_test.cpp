// The lab manifest: shape, defaults, unknown keys, stack order, and wiring
// outputs into parameters.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "helpers.h"
#include "template/manifest.h"

namespace vpclab::tmpl {
namespace {

bool read(const std::string& text, Manifest& m, Diagnostics& d, const std::string& path = "/labs/x/vpclab.yaml") {
  auto root = parse_template_text(text, path, d);
  if (!root) return false;
  EXPECT_TRUE(is_manifest(*root));
  return manifest_from_value(*root, path, m, d);
}

std::string errors(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.str() + "\n";
  return s;
}

const char* kCrossAccount = R"(name: scenario-cross-account
stacks:
  - name: foo
    template: foo.yaml
    account: "111111111111"
    region: ap-northeast-1
    parameters:
      VpcCidr: 10.2.0.0/16
      Azs: [a, b]
  - name: bar
    template: ../bar/bar.yaml
    account: "222222222222"
    parameters:
      FooVpcId: {stack: foo, output: VpcId}
      Port: 8080
peerings:
  - connection: {stack: bar, resource: Peering}
    accepted: true
    requester: {allow_dns_resolution_from_remote_vpc: true}
    accepter: {allow_dns_resolution_from_remote_vpc: false}
)";

TEST(Manifest, ReadsStacksParametersAndPeerings) {
  Manifest m;
  Diagnostics d;
  ASSERT_TRUE(read(kCrossAccount, m, d)) << errors(d);
  EXPECT_EQ(m.name, "scenario-cross-account");
  ASSERT_EQ(m.stacks.size(), 2u);
  const ManifestStack& foo = m.stacks[0];
  EXPECT_EQ(foo.ctx.name, "foo");
  EXPECT_EQ(foo.ctx.account, "111111111111");
  EXPECT_EQ(foo.ctx.region, "ap-northeast-1");
  EXPECT_EQ(foo.ctx.template_path, "/labs/x/foo.yaml");
  EXPECT_EQ(foo.parameters.at("VpcCidr").literal->text(), "10.2.0.0/16");
  EXPECT_EQ(testing::flat(*foo.parameters.at("Azs").literal), "[a,b]");
  const ManifestStack& bar = m.stacks[1];
  EXPECT_EQ(bar.ctx.template_path, "/labs/bar/bar.yaml");
  EXPECT_EQ(bar.ctx.region, "ap-northeast-1") << "default region";
  EXPECT_EQ(bar.parameters.at("FooVpcId").from_stack, "foo");
  EXPECT_EQ(bar.parameters.at("FooVpcId").from_output, "VpcId");
  EXPECT_EQ(bar.parameters.at("FooVpcId").loc.str(), "/labs/x/vpclab.yaml:14:17");
  ASSERT_EQ(m.peerings.size(), 1u);
  EXPECT_EQ(m.peerings[0].stack, "bar");
  EXPECT_EQ(m.peerings[0].resource, "Peering");
  EXPECT_EQ(m.peerings[0].accepted, std::optional<bool>(true));
  EXPECT_TRUE(m.peerings[0].requester.allow_dns_resolution_from_remote_vpc);
  EXPECT_FALSE(m.peerings[0].accepter.allow_dns_resolution_from_remote_vpc);
}

TEST(Manifest, Defaults) {
  Manifest m;
  Diagnostics d;
  ASSERT_TRUE(read("stacks:\n  - {name: only, template: t.yaml}\n", m, d, "/labs/my-lab.yaml")) << errors(d);
  EXPECT_EQ(m.name, "my-lab");
  EXPECT_EQ(m.stacks[0].ctx.account, "123456789012");
  EXPECT_EQ(m.stacks[0].ctx.region, "ap-northeast-1");
  EXPECT_FALSE(m.peerings.size());
}

TEST(Manifest, UnknownKeysAndBadValuesAreErrors) {
  struct Case {
    const char* text;
    const char* error;  // first error, exact
  } cases[] = {
      {"stacks:\n  - {name: a, template: t.yaml}\nextra: 1\n",
       "m.yaml:3:1: error M1001: unknown key 'extra' in manifest\n  fix: valid keys: name, description, stacks, peerings, on_premises, organization, s3"},
      {"stacks:\n  - {name: a, template: t.yaml, acount: '111111111111'}\n",
       "m.yaml:2:33: error M1001: unknown key 'acount' in stack\n"
       "  fix: valid keys: name, template, terraform, account, region, parameters"},
      {"stacks:\n  - {name: a, template: t.yaml, terraform: p.json}\n",
       "m.yaml:2:44: error M1001: a stack has `template:` or `terraform:`, not both"},
      {"stacks:\n  - {name: a, terraform: p.json, parameters: {X: 1}}\n",
       "m.yaml:2:46: error M1001: a `terraform:` stack takes no parameters (the plan holds its values)"},
      {"stacks:\n  - {name: a, template: t.yaml, account: 1234}\n",
       "m.yaml:2:42: error M1005: account '1234' must be 12 digits\n"
       "  fix: quote it so YAML keeps leading zeros: account: \"012345678901\""},
      {"stacks:\n  - {name: a, template: t.yaml, region: Tokyo}\n",
       "m.yaml:2:41: error M1005: 'Tokyo' is not a region name"},
      {"stacks:\n  - {template: t.yaml}\n", "m.yaml:2:5: error M1001: stack needs a `name:`"},
      {"stacks:\n  - {name: a}\n", "m.yaml:2:5: error M1001: stack needs a `template:` (or `terraform:`)"},
      {"stacks:\n  - {name: 1a, template: t.yaml}\n",
       "m.yaml:2:12: error M1001: stack name '1a' must start with a letter and hold only letters, digits and "
       "hyphens (at most 128)"},
      {"stacks: []\n", "m.yaml:1:9: error M1001: `stacks:` must be a non-empty list"},
      {"stacks:\n  - {name: a, template: t.yaml}\n  - {name: a, template: u.yaml}\n",
       "m.yaml:3:12: error M1002: duplicate stack name 'a' (first at m.yaml:2:5)"},
      {"stacks:\n  - {name: a, template: t.yaml, parameters: {P: {stack: b, output: O}}}\n",
       "m.yaml:2:49: error M1003: parameter 'P' takes an output of unknown stack 'b'"},
      {"stacks:\n  - {name: a, template: t.yaml, parameters: {P: {stack: a, output: O}}}\n",
       "m.yaml:2:49: error M1003: stack 'a' takes a parameter from its own outputs"},
      {"stacks:\n  - {name: a, template: t.yaml, parameters: {P: {stack: a}}}\n",
       "m.yaml:2:49: error M1001: a parameter source needs both `stack:` and `output:`"},
      {"stacks:\n  - {name: a, template: t.yaml, parameters: {P: {stack: a, output: O, x: 1}}}\n",
       "m.yaml:2:71: error M1001: unknown key 'x' in parameter source\n  fix: valid keys: stack, output"},
      {"stacks:\n  - {name: a, template: t.yaml}\npeerings:\n  - {connection: {stack: z, resource: P}}\n",
       "m.yaml:4:26: error M1007: peering names unknown stack 'z'"},
      {"stacks:\n  - {name: a, template: t.yaml}\npeerings:\n  - {connection: {stack: a, resource: P}, accepted: yes}\n",
       "m.yaml:4:53: error M1001: `accepted` must be true or false"},
      {"stacks:\n  - {name: a, template: t.yaml}\npeerings:\n  - connection: {stack: a, resource: P}\n"
       "    requester: {allow_dns: true}\n",
       "m.yaml:5:17: error M1001: unknown key 'allow_dns' in requester\n"
       "  fix: valid keys: allow_dns_resolution_from_remote_vpc"},
  };
  for (const auto& c : cases) {
    Manifest m;
    Diagnostics d;
    EXPECT_FALSE(read(c.text, m, d, "m.yaml")) << c.text;
    ASSERT_FALSE(d.items().empty()) << c.text;
    EXPECT_EQ(d.items()[0].str(), c.error) << c.text;
  }
}

TEST(Manifest, OrderFollowsOutputsAndRejectsCycles) {
  Manifest m;
  Diagnostics d;
  ASSERT_TRUE(read(R"(stacks:
  - {name: routes, template: r.yaml, parameters: {Pcx: {stack: bar, output: PcxId}, Rt: {stack: foo, output: RtId}}}
  - {name: bar, template: b.yaml, parameters: {FooVpc: {stack: foo, output: VpcId}}}
  - {name: foo, template: f.yaml}
  - {name: other, template: o.yaml}
)",
                   m, d))
      << errors(d);
  std::vector<size_t> order;
  ASSERT_TRUE(order_stacks(m, order, d));
  std::string names;
  for (size_t i : order) names += m.stacks[i].ctx.name + " ";
  EXPECT_EQ(names, "foo bar routes other ");

  Manifest c;
  ASSERT_TRUE(read(R"(stacks:
  - {name: a, template: a.yaml, parameters: {X: {stack: b, output: O}}}
  - {name: b, template: b.yaml, parameters: {Y: {stack: a, output: O}}}
)",
                   c, d));
  EXPECT_FALSE(order_stacks(c, order, d));
  EXPECT_EQ(d.items().back().str(), "/labs/x/vpclab.yaml:2:5: error M1004: stacks take each other's outputs in a cycle: a -> b -> a");
}

TEST(Manifest, OutputsBecomeParameterValues) {
  Manifest m;
  Diagnostics d;
  ASSERT_TRUE(read(kCrossAccount, m, d)) << errors(d);
  auto foo = testing::resolve_text(
      "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.2.0.0/16}\n"
      "Outputs:\n  VpcId:\n    Value: !Ref Vpc\n",
      {}, {}, m.stacks[0].ctx);
  ASSERT_TRUE(foo.ok) << foo.text();
  std::map<std::string, const ResolvedStack*> done{{"foo", &foo.stack}};
  std::map<std::string, Value> params;
  ASSERT_TRUE(manifest_parameter_values(m.stacks[1], done, params, d)) << errors(d);
  EXPECT_EQ(params.at("FooVpcId").text(), foo.output("VpcId"));
  EXPECT_EQ(params.at("FooVpcId").loc().str(), "/labs/x/vpclab.yaml:14:17");
  EXPECT_EQ(params.at("Port").text(), "8080");
  // The values flow into the consuming template's parameters, typed and checked there.
  auto bar = testing::resolve_text(
      "Parameters:\n  FooVpcId: {Type: 'AWS::EC2::VPC::Id'}\n  Port: {Type: Number, MaxValue: 65535}\n"
      "Resources:\n  X:\n    Type: Custom::T\n    Properties: {V: !Ref FooVpcId, P: !Ref Port}\n",
      params, {}, m.stacks[1].ctx);
  ASSERT_TRUE(bar.ok) << bar.text();
  EXPECT_EQ(bar.prop("X", "V").text(), foo.output("VpcId"));

  ManifestStack missing = m.stacks[1];
  missing.parameters["Other"] = ParameterSource{std::nullopt, "foo", "Nope", {intern_file("m.yaml"), 3, 4}};
  Diagnostics d2;
  EXPECT_FALSE(manifest_parameter_values(missing, done, params, d2));
  EXPECT_EQ(d2.items()[0].str(), "m.yaml:3:4: error M1006: stack 'foo' has no output 'Nope'\n  fix: its outputs: VpcId");
}

TEST(Manifest, LoadFromFileAndTheExamples) {
  Manifest m;
  Diagnostics d;
  EXPECT_FALSE(load_manifest("/nonexistent/vpclab.yaml", m, d));
  EXPECT_EQ(d.items()[0].code, "E0000");
  std::string example = std::string(VPCLAB_SOURCE_DIR) + "/examples/scenario/cross-account/vpclab.yaml";
  if (!std::filesystem::exists(example)) GTEST_SKIP() << "no example at " << example;
  Manifest ex;
  Diagnostics d2;
  ASSERT_TRUE(load_manifest(example, ex, d2)) << errors(d2);
  std::vector<size_t> order;
  ASSERT_TRUE(order_stacks(ex, order, d2));
  EXPECT_EQ(ex.stacks.size(), order.size());
  for (const auto& s : ex.stacks) EXPECT_TRUE(std::filesystem::exists(s.ctx.template_path)) << s.ctx.template_path;
}

TEST(Manifest, TemplatesAreNotManifests) {
  Diagnostics d;
  auto t = parse_template_text("Resources: {}\n", "t.yaml", d);
  ASSERT_TRUE(t);
  EXPECT_FALSE(is_manifest(*t));
}

}  // namespace
}  // namespace vpclab::tmpl
