// Resolving stacks: parameters, resources in dependency order, outputs,
// exports across stacks, and where errors are reported.
#include <gtest/gtest.h>

#include <chrono>

#include "helpers.h"

namespace vpclab::tmpl {
namespace {

using testing::flat;
using testing::resolve_text;
using testing::TemplateRun;

// A template with one parameter P of the given definition, used by property X.P.
TemplateRun with_param(const std::string& def, const std::map<std::string, Value>& given = {}) {
  return resolve_text("Parameters:\n  P:\n" + def + "Resources:\n  X:\n    Type: Custom::T\n    Properties:\n      P: !Ref P\n",
                      given);
}

TEST(Parameters, DefaultAndGivenValues) {
  auto r = with_param("    Type: String\n    Default: a\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.prop("X", "P").text(), "a");
  r = with_param("    Type: String\n    Default: a\n", {{"P", Value::string("b")}});
  EXPECT_EQ(r.prop("X", "P").text(), "b");
  EXPECT_EQ(r.stack.parameters.at("P").text(), "b");
  r = with_param("    Type: Number\n    Default: 8080\n");
  EXPECT_TRUE(r.prop("X", "P").is_number());
  r = with_param("    Type: CommaDelimitedList\n    Default: 'a,b , c'\n");
  EXPECT_EQ(flat(r.prop("X", "P")), "[a,b,c]");
  r = with_param("    Type: List<AWS::EC2::Subnet::Id>\n", {{"P", Value::string("subnet-1, subnet-2")}});
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(flat(r.prop("X", "P")), "[subnet-1,subnet-2]");
  r = with_param("    Type: List<Number>\n", {{"P", Value::list({Value::string("1"), Value::string("2")})}});
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(flat(r.prop("X", "P")), "[1,2]");
  r = with_param("    Type: AWS::SSM::Parameter::Value<String>\n    Default: /path\n    NoEcho: true\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.prop("X", "P").text(), "/path");
}

TEST(Parameters, Violations) {
  struct Case {
    const char* def;
    const char* given;  // nullptr: use Default
    const char* error;
  } cases[] = {
      {"    Type: String\n", nullptr,
       "t.yaml:2:3: error E2002: parameter 'P' has no Default and no value was given\n"
       "  fix: give it a value in the lab manifest's `parameters:`"},
      {"    Default: x\n", nullptr, "t.yaml:2:3: error E2001: parameter 'P' needs a Type"},
      {"    Type: Strin\n    Default: x\n", nullptr,
       "t.yaml:3:11: error E2001: unknown parameter type 'Strin'\n  fix: String, Number, List<Number>, "
       "CommaDelimitedList, an AWS-specific type such as AWS::EC2::VPC::Id or List<AWS::EC2::Subnet::Id>, or "
       "AWS::SSM::Parameter::Value<...>"},
      {"    Type: String\n    Default: x\n    Bogus: 1\n", nullptr,
       "t.yaml:5:5: error E2001: unknown parameter attribute 'Bogus'"},
      {"    Type: Number\n    Default: abc\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' must be a number, got 'abc'"},
      {"    Type: String\n    Default: c\n    AllowedValues: [a, b]\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' value 'c' is not one of the AllowedValues [a, b]"},
      {"    Type: String\n    Default: abc\n    AllowedPattern: '[a-z]{2}'\n    ConstraintDescription: two letters\n",
       nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' value 'abc' does not match AllowedPattern [a-z]{2}\n"
       "  fix: two letters"},
      {"    Type: String\n    Default: ab\n    MinLength: 3\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' is shorter than MinLength 3"},
      {"    Type: String\n    Default: abcd\n    MaxLength: 3\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' is longer than MaxLength 3"},
      {"    Type: Number\n    Default: 0\n    MinValue: 1\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' value 0 is less than MinValue 1"},
      {"    Type: Number\n    Default: 70000\n    MaxValue: 65535\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' value 70000 is greater than MaxValue 65535"},
      {"    Type: AWS::EC2::VPC::Id\n    Default: subnet-1\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' of type AWS::EC2::VPC::Id must be an id starting with 'vpc-', got 'subnet-1'"},
      {"    Type: List<AWS::EC2::Subnet::Id>\n    Default: 'subnet-1,vpc-2'\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' of type List<AWS::EC2::Subnet::Id> must be an id starting with 'subnet-', got 'vpc-2'"},
      {"    Type: List<Number>\n    Default: '1,x'\n", nullptr,
       "t.yaml:4:14: error E2003: parameter 'P' must be a number, got 'x'"},
      {"    Type: String\n    MaxLength: many\n    Default: x\n", nullptr,
       "t.yaml:4:16: error E2001: MaxLength must be a number"},
  };
  for (const auto& c : cases) {
    auto r = with_param(c.def);
    EXPECT_FALSE(r.ok) << c.def;
    EXPECT_EQ(r.first_error(), c.error) << c.def;
  }
}

TEST(Parameters, GivenValueIsCheckedAtItsOwnLocation) {
  SourceLoc manifest_loc{intern_file("vpclab.yaml"), 7, 16};
  auto r = with_param("    Type: String\n    AllowedValues: [a, b]\n", {{"P", Value::string("z", manifest_loc)}});
  EXPECT_EQ(r.first_error(), "vpclab.yaml:7:16: error E2003: parameter 'P' value 'z' is not one of the AllowedValues [a, b]");
  auto r2 = with_param("    Type: String\n    Default: a\n", {{"Q", Value::string("z", manifest_loc)}});
  EXPECT_EQ(r2.first_error(),
            "vpclab.yaml:7:16: error E2004: value given for parameter 'Q', which the template does not declare");
}

TEST(Template, SectionsAndAttributes) {
  auto r = resolve_text("AWSTemplateFormatVersion: '2010-09-09'\nDescription: d\nMetadata: {a: 1}\n"
                        "Rules: {R: {Assertions: [{Assert: !Contains [[a], a]}]}}\n"
                        "Resources:\n  X:\n    Type: Custom::T\n    DeletionPolicy: Retain\n"
                        "    UpdateReplacePolicy: Retain\n    Metadata: {m: !Ref Nope}\n    CreationPolicy: {}\n"
                        "    UpdatePolicy: {}\n");
  EXPECT_TRUE(r.ok) << r.text();
  auto bad = resolve_text("Resources:\n  X:\n    Type: Custom::T\n    Propertes: {}\nOutput: {}\n");
  EXPECT_FALSE(bad.ok);
  EXPECT_TRUE(bad.has("E1001", "t.yaml:5:1")) << bad.text();
  EXPECT_TRUE(bad.has("E3001", "t.yaml:4:5")) << bad.text();
  auto no_res = resolve_text("Description: x\n");
  EXPECT_EQ(no_res.first_error(), "t.yaml:1:1: error E0001: template has no Resources section");
  auto version = resolve_text("AWSTemplateFormatVersion: 2011-01-01\nResources: {}\n");
  EXPECT_EQ(version.first_error(), "t.yaml:1:27: error E1001: AWSTemplateFormatVersion must be \"2010-09-09\"");
  auto no_type = resolve_text("Resources:\n  X:\n    Properties: {}\n");
  EXPECT_EQ(no_type.first_error(), "t.yaml:2:3: error E3001: resource 'X' needs a Type such as AWS::EC2::VPC");
  auto bad_id = resolve_text("Resources:\n  my-res:\n    Type: Custom::T\n");
  EXPECT_EQ(bad_id.first_error(), "t.yaml:2:3: error E3001: logical id 'my-res' must be alphanumeric");
}

TEST(Template, SamTransformIsNotSupported) {
  auto r = resolve_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error(),
            "t.yaml:1:12: error E0001: Transform AWS::Serverless-2016-10-31 is not supported: vpclab reads processed "
            "templates\n  fix: run `sam package`/`aws cloudformation get-template --template-stage Processed` and use "
            "the processed template");
  EXPECT_TRUE(r.stack.resources.empty());
}

TEST(Resources, DependencyOrderAndDependsOn) {
  auto r = resolve_text(R"(Resources:
  Route:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref Rt
      GatewayId: !Ref Igw
  Rt:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  Igw:
    Type: AWS::EC2::InternetGateway
    DependsOn: [Vpc]
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Sub:
    Type: Custom::T
    Properties:
      S: !Sub '${Rt}'
)");
  ASSERT_TRUE(r.ok) << r.text();
  std::string order;
  for (const auto& x : r.stack.resources) order += x.logical_id + " ";
  EXPECT_EQ(order, "Vpc Rt Igw Route Sub ");
  ASSERT_EQ(r.sink->added().size(), 5u);
  EXPECT_EQ(r.sink->added()[2].depends_on, std::vector<std::string>{"Vpc"});
}

TEST(Resources, CyclesAndBadDependsOn) {
  auto r = resolve_text(R"(Resources:
  A:
    Type: Custom::T
    Properties: {X: !Ref B}
  B:
    Type: Custom::T
    Properties: {X: !GetAtt C.Arn}
  C:
    Type: Custom::T
    DependsOn: A
  D:
    Type: Custom::T
    DependsOn: [Nope]
  E:
    Type: Custom::T
    DependsOn: E
)");
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.has("E3004")) << r.text();
  EXPECT_NE(r.text().find("circular dependency: "), std::string::npos) << r.text();
  EXPECT_TRUE(r.has("E3005", "t.yaml:13:17")) << r.text();
  EXPECT_TRUE(r.has("E3004", "t.yaml:16:16")) << r.text();
  // Resources outside the cycle still resolve.
  std::string order;
  for (const auto& x : r.stack.resources) order += x.logical_id + " ";
  EXPECT_EQ(order, "D E ");
}

TEST(Resources, ConditionsExcludeResources) {
  const char* t = R"(Parameters:
  Nat: {Type: String, Default: 'no', AllowedValues: ['yes', 'no']}
Conditions:
  WithNat: !Equals [!Ref Nat, 'yes']
Resources:
  Gw:
    Type: AWS::EC2::NatGateway
    Condition: WithNat
  Route:
    Type: AWS::EC2::Route
    Properties:
      NatGatewayId: !If [WithNat, !Ref Gw, !Ref 'AWS::NoValue']
  Bad:
    Type: Custom::T
    Properties:
      G: !Ref Gw
)";
  auto r = resolve_text(t);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error(),
            "t.yaml:16:10: error E1012: Ref to 'Gw', which is not created because its Condition 'WithNat' is false\n"
            "  fix: guard this use with Fn::If on the same condition");
  EXPECT_EQ(flat(r.props("Route")), "{}");
  EXPECT_FALSE(r.stack.conditions.at("WithNat"));
  auto r2 = resolve_text(t, {{"Nat", Value::string("yes")}});
  ASSERT_TRUE(r2.ok) << r2.text();
  EXPECT_EQ(r2.stack.resources.size(), 3u);
  EXPECT_EQ(r2.prop("Route", "NatGatewayId").text().substr(0, 4), "nat-");
  auto r3 = resolve_text("Resources:\n  X:\n    Type: Custom::T\n    Condition: Nope\n");
  EXPECT_EQ(r3.first_error(), "t.yaml:4:16: error E8001: unknown condition 'Nope'");
}

TEST(Outputs, ValuesExportsAndConditions) {
  auto r = resolve_text(R"(Conditions:
  Never: !Equals [a, b]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.9.0.0/16}
Outputs:
  VpcId:
    Description: the VPC
    Value: !Ref Vpc
    Export:
      Name: !Sub '${AWS::StackName}-VpcId'
  Cidr:
    Value: !GetAtt Vpc.CidrBlock
  Hidden:
    Condition: Never
    Value: x
)");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.stack.outputs.size(), 2u);
  EXPECT_EQ(r.stack.outputs[0].export_name, "demo-VpcId");
  EXPECT_EQ(r.stack.outputs[0].description, "the VPC");
  EXPECT_EQ(r.output("Cidr"), "10.9.0.0/16");
  EXPECT_EQ(r.stack.output("Hidden"), nullptr);
  auto bad = resolve_text(R"(Resources:
  X: {Type: Custom::T}
Outputs:
  L:
    Value: !GetAZs ''
  M:
    Valu: x
  N:
    Value: a
    Export: {Name: dup}
  O:
    Value: b
    Export: {Name: dup}
)");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.first_error(), "t.yaml:5:12: error E6001: output 'L' must evaluate to a string, not a list\n"
                               "  fix: wrap it in Fn::Join");
  EXPECT_TRUE(bad.has("E6001", "t.yaml:7:5")) << bad.text();
  EXPECT_TRUE(bad.has("E6003", "t.yaml:13:20")) << bad.text();
}

TEST(Stacks, ExportsAndStackOutputsFlowToLaterStacks) {
  ExportTable table;
  auto net = resolve_text(R"(Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.2.0.0/16}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: foo-VpcId}
)",
                          {}, {}, testing::test_ctx("foo", "111111111111"));
  ASSERT_TRUE(net.ok) << net.text();
  Diagnostics d;
  ASSERT_TRUE(add_exports(net.stack, table, d));
  std::string vpc = net.output("VpcId");
  const char* consumer = R"(Resources:
  X:
    Type: Custom::T
    Properties:
      A: !ImportValue foo-VpcId
      B: !GetStackOutput {StackName: foo, OutputName: VpcId, RoleArn: 'arn:aws:iam::111111111111:role/r'}
)";
  auto same = resolve_text(consumer, {}, table, testing::test_ctx("bar", "111111111111"));
  ASSERT_TRUE(same.ok) << same.text();
  EXPECT_EQ(same.prop("X", "A").text(), vpc);
  EXPECT_EQ(same.prop("X", "B").text(), vpc);
  // Another account sees no export, but reaches the output with Fn::GetStackOutput's RoleArn.
  auto other = resolve_text(consumer, {}, table, testing::test_ctx("bar", "222222222222"));
  EXPECT_FALSE(other.ok);
  EXPECT_TRUE(other.has("E1032", "t.yaml:5:10")) << other.text();
  EXPECT_FALSE(other.has("E1033")) << other.text();
  // Exporting the same name twice in one account and region is an error.
  EXPECT_FALSE(add_exports(net.stack, table, d));
  EXPECT_EQ(d.items().back().code, "E6003");
}

TEST(Stacks, UnknownTypesAreFabricatedDeterministically) {
  const char* t = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  T:\n    Type: Custom::Thing\n"
                  "  Z:\n    Type: Custom::T\n    Properties: {A: !Ref Q, B: !Ref T, C: !GetAtt T.Whatever}\n";
  auto a = resolve_text(t);
  auto b = resolve_text(t);
  ASSERT_TRUE(a.ok) << a.text();
  EXPECT_EQ(flat(a.props("Z")), flat(b.props("Z")));
  EXPECT_EQ(a.prop("Z", "A").text().rfind("https://sqs.ap-northeast-1.amazonaws.com/123456789012/demo-Q-", 0), 0u);
}

// A sink that knows nothing: Ref falls back to fabricated ids, GetAtt is an error.
class SilentSink : public ResourceSink {
 public:
  void add(const StackContext&, const ResolvedResource&, Diagnostics&) override {}
  std::optional<Value> ref(const StackContext&, const std::string&) override { return std::nullopt; }
  std::optional<Value> get_att(const StackContext&, const std::string&, const std::string&) override {
    return std::nullopt;
  }
};

TEST(Stacks, SinkWithoutAnswers) {
  Diagnostics d;
  auto root = parse_template_text(
      "Resources:\n  V:\n    Type: AWS::EC2::VPC\n  X:\n    Type: Custom::T\n    Properties: {A: !Ref V, B: !GetAtt V.Nope}\n",
      "t.yaml", d);
  ASSERT_TRUE(root);
  SilentSink sink;
  ResolvedStack out;
  EXPECT_FALSE(resolve_stack(testing::test_ctx(), *root, {}, {}, sink, out, d));
  ASSERT_EQ(d.count(Severity::kError), 1u);
  EXPECT_EQ(d.items()[0].str(), "t.yaml:6:32: error E1010: resource 'V' (AWS::EC2::VPC) has no attribute 'Nope'");
}

// Scale, not speed: the 2 s budget of `vpclab check` is measured in
// docs/performance.md (bench), not asserted in a test a loaded machine fails.
TEST(Scale, ThousandVpcsResolve) {
  std::string t = "Resources:\n";
  for (int i = 0; i < 1000; ++i) {
    std::string n = std::to_string(i);
    t += "  Vpc" + n + ":\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10." + std::to_string(i % 256) +
         ".0.0/16\n";
    for (int s = 0; s < 3; ++s) {
      std::string sn = n + "x" + std::to_string(s);
      t += "  Subnet" + sn + ":\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc" + n +
           "\n      CidrBlock: !Select [" + std::to_string(s) + ", !Cidr [!GetAtt Vpc" + n +
           ".CidrBlock, 3, 8]]\n      AvailabilityZone: !Select [" + std::to_string(s) + ", !GetAZs '']\n";
      t += "  Assoc" + sn + ":\n    Type: AWS::EC2::SubnetRouteTableAssociation\n    Properties:\n      SubnetId: !Ref Subnet" +
           sn + "\n      RouteTableId: !Ref Rt" + n + "\n";
    }
    t += "  Rt" + n + ":\n    Type: AWS::EC2::RouteTable\n    Properties:\n      VpcId: !Ref Vpc" + n + "\n";
    t += "  Sg" + n + ":\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Sub 'sg ${Vpc" + n +
         "}'\n      VpcId: !Ref Vpc" + n + "\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}\n";
  }
  auto start = std::chrono::steady_clock::now();
  Diagnostics d;
  auto root = parse_template_text(t, "big.yaml", d);
  auto parsed = std::chrono::steady_clock::now();
  ASSERT_TRUE(root);
  FabricatingSink sink;
  ResolvedStack out;
  bool ok = resolve_stack(testing::test_ctx(), *root, {}, {}, sink, out, d);
  auto end = std::chrono::steady_clock::now();
  ASSERT_TRUE(ok);
  EXPECT_EQ(out.resources.size(), 9000u);
  std::cout << "1000 VPCs (9000 resources, " << t.size() / 1024 << " KiB): parse "
            << std::chrono::duration<double>(parsed - start).count() << " s, resolve "
            << std::chrono::duration<double>(end - parsed).count() << " s\n";
  EXPECT_FALSE(d.has_errors());
}

}  // namespace
}  // namespace vpclab::tmpl
