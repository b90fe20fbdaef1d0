// Intrinsic functions evaluated as CloudFormation does.
#include <gtest/gtest.h>

#include <regex>

#include "helpers.h"
#include "template/intrinsics.h"

namespace vpclab::tmpl {
namespace {

using testing::eval_output;
using testing::eval_prop;
using testing::flat;
using testing::TemplateRun;

// Evaluates a property expression; returns flat text or "ERROR <first error>".
std::string prop(const std::string& expr, const std::string& extra = "",
                 const std::map<std::string, Value>& params = {}) {
  TemplateRun r;
  Value v = eval_prop(expr, r, extra, params);
  if (!r.ok) return "ERROR " + r.first_error();
  if (!r.props("X").get("P")) return "<removed>";
  return flat(v);
}

std::string vpc_id() {
  return fabricated_physical_id({"demo", "123456789012", "ap-northeast-1", ""}, "AWS::EC2::VPC", "Vpc");
}

TEST(PseudoParameters, Values) {
  EXPECT_EQ(prop("!Ref AWS::AccountId"), "123456789012");
  EXPECT_EQ(prop("!Ref AWS::Region"), "ap-northeast-1");
  EXPECT_EQ(prop("!Ref AWS::StackName"), "demo");
  EXPECT_EQ(prop("!Ref AWS::Partition"), "aws");
  EXPECT_EQ(prop("!Ref AWS::URLSuffix"), "amazonaws.com");
  EXPECT_EQ(prop("!Ref AWS::NotificationARNs"), "[]");
  EXPECT_EQ(prop("!Ref AWS::NoValue"), "<removed>");
  std::string id = prop("!Ref AWS::StackId");
  EXPECT_TRUE(std::regex_match(
      id, std::regex("arn:aws:cloudformation:ap-northeast-1:123456789012:stack/demo/"
                     "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(id, prop("!Ref AWS::StackId")) << "deterministic";
  EXPECT_EQ(id, stack_id({"demo", "123456789012", "ap-northeast-1", ""}));
  EXPECT_NE(id, stack_id({"demo", "111111111111", "ap-northeast-1", ""}));
  EXPECT_EQ(prop("!Ref AWS::Nope"), "ERROR t.yaml:9:10: error E1012: unknown pseudo parameter 'AWS::Nope'");
}

TEST(Ref, ResourcesParametersAndErrors) {
  EXPECT_EQ(prop("!Ref Vpc"), vpc_id());
  EXPECT_TRUE(std::regex_match(vpc_id(), std::regex("vpc-[0-9a-f]{17}")));
  EXPECT_EQ(prop("!Ref P", "Parameters:\n  P:\n    Type: String\n    Default: hi\n"), "hi");
  EXPECT_EQ(prop("!Ref Nope"),
            "ERROR t.yaml:9:10: error E1012: Ref to 'Nope', which is not a parameter or resource of this template");
  EXPECT_EQ(prop("{Ref: [a]}"), "ERROR t.yaml:9:10: error E1020: Ref takes a logical id or parameter name, not a list");
  EXPECT_EQ(prop("!Ref X"), "ERROR t.yaml:9:10: error E3004: resource 'X' refers to itself");
}

TEST(GetAtt, FormsAndErrors) {
  EXPECT_EQ(prop("!GetAtt Vpc.CidrBlock"), "10.0.0.0/16");
  EXPECT_EQ(prop("!GetAtt [Vpc, CidrBlock]"), "10.0.0.0/16");
  EXPECT_EQ(prop("{'Fn::GetAtt': [Vpc, CidrBlock]}"), "10.0.0.0/16");
  EXPECT_EQ(prop("{'Fn::GetAtt': Vpc.CidrBlock}"), "10.0.0.0/16");
  EXPECT_EQ(prop("!GetAtt [Vpc, !Ref A]", "Parameters:\n  A:\n    Type: String\n    Default: CidrBlock\n"),
            "10.0.0.0/16");
  // Nested attribute names stay whole (logical ids have no dots).
  std::string nested = prop("!GetAtt Vpc.Endpoint.Address");
  EXPECT_EQ(nested.find("ERROR"), std::string::npos) << nested;
  EXPECT_EQ(prop("!GetAtt Nope.Arn"),
            "ERROR t.yaml:9:10: error E1010: Fn::GetAtt of 'Nope', which is not a resource of this template");
  EXPECT_EQ(prop("!GetAtt Vpc"),
            "ERROR t.yaml:9:10: error E1010: Fn::GetAtt takes LogicalId.Attribute or [LogicalId, Attribute]");
  EXPECT_EQ(prop("!GetAtt [Vpc]"),
            "ERROR t.yaml:9:10: error E1010: Fn::GetAtt takes LogicalId.Attribute or [LogicalId, Attribute]");
}

TEST(Sub, StringForm) {
  EXPECT_EQ(prop("!Sub '${AWS::Region}-${Vpc}-${Vpc.CidrBlock}-${!Literal}-${ AWS::AccountId }'"),
            "ap-northeast-1-" + vpc_id() + "-10.0.0.0/16-${Literal}-123456789012");
  EXPECT_EQ(prop("!Sub 'no variables $ { } $x'"), "no variables $ { } $x");
  EXPECT_EQ(prop("!Sub '${P}'", "Parameters:\n  P:\n    Type: Number\n    Default: 8080\n"), "8080");
}

TEST(Sub, ListFormWithVariables) {
  EXPECT_EQ(prop("!Sub ['${A}.${B}.${AWS::Region}', {A: x, B: !Ref AWS::AccountId}]"),
            "x.123456789012.ap-northeast-1");
  // A variable shadows a resource of the same name.
  EXPECT_EQ(prop("!Sub ['${Vpc}', {Vpc: mine}]"), "mine");
}

TEST(Sub, Errors) {
  EXPECT_EQ(prop("!Sub '${Nope}'"),
            "ERROR t.yaml:9:10: error E1019: Fn::Sub: ${Nope} is not a parameter, resource or variable");
  EXPECT_EQ(prop("!Sub '${Nope.Arn}'"),
            "ERROR t.yaml:9:10: error E1019: Fn::Sub: ${Nope.Arn} names no resource of this template");
  EXPECT_EQ(prop("!Sub 'abc ${unterminated'"),
            "ERROR t.yaml:9:10: error E1019: Fn::Sub: '${' without a closing '}'\n"
            "  fix: write ${!Literal} for a literal ${");
  EXPECT_EQ(prop("!Sub '${AWS::NotificationARNs}'"),
            "ERROR t.yaml:9:10: error E1019: Fn::Sub: ${AWS::NotificationARNs} is not a string");
  EXPECT_EQ(prop("!Sub [a, b, c]"), "ERROR t.yaml:9:10: error E1019: Fn::Sub takes a string or [string, {Var: value}]");
}

TEST(Join, Cases) {
  EXPECT_EQ(prop("!Join ['-', [a, b, !Ref AWS::Region]]"), "a-b-ap-northeast-1");
  EXPECT_EQ(prop("!Join ['', [a, b]]"), "ab");
  EXPECT_EQ(prop("!Join [',', []]"), "");
  EXPECT_EQ(prop("!Join [',', [a, !Ref AWS::NoValue, b]]"), "a,b");
  EXPECT_EQ(prop("!Join [',', !GetAZs '']"), "ap-northeast-1a,ap-northeast-1c,ap-northeast-1d");
  EXPECT_EQ(prop("!Join [',', [a, [b]]]"), "ERROR t.yaml:9:26: error E1022: Fn::Join items must be strings, not list");
  EXPECT_EQ(prop("!Join [',', a]"), "ERROR t.yaml:9:22: error E1022: Fn::Join's second argument must be a list, not string");
  EXPECT_EQ(prop("!Join [',']"), "ERROR t.yaml:9:10: error E1022: Fn::Join takes [delimiter, [values]]");
}

TEST(Select, Cases) {
  EXPECT_EQ(prop("!Select [1, [a, b, c]]"), "b");
  EXPECT_EQ(prop("!Select ['0', [a]]"), "a");
  EXPECT_EQ(prop("!Select [2, !GetAZs '']"), "ap-northeast-1d");
  EXPECT_EQ(prop("!Select [!Ref I, [a, b]]", "Parameters:\n  I:\n    Type: Number\n    Default: 1\n"), "b");
  EXPECT_EQ(prop("!Select [1, !Ref L]", "Parameters:\n  L:\n    Type: CommaDelimitedList\n    Default: x,y\n"), "y");
  EXPECT_EQ(prop("!Select [3, [a, b, c]]"),
            "ERROR t.yaml:9:10: error E1017: Fn::Select index 3 is out of range for a list of 3 item(s)");
  EXPECT_EQ(prop("!Select [0, []]"),
            "ERROR t.yaml:9:10: error E1017: Fn::Select index 0 is out of range for a list of 0 item(s)");
  EXPECT_EQ(prop("!Select [-1, [a]]"),
            "ERROR t.yaml:9:19: error E1017: Fn::Select index must be a non-negative integer, got '-1'");
  EXPECT_EQ(prop("!Select [x, [a]]"),
            "ERROR t.yaml:9:19: error E1017: Fn::Select index must be a non-negative integer, got 'x'");
  EXPECT_EQ(prop("!Select [0, a]"), "ERROR t.yaml:9:22: error E1017: Fn::Select's second argument must be a list, not string");
}

TEST(Split, Cases) {
  EXPECT_EQ(prop("!Split [',', 'a,b,,c']"), "[a,b,,c]");
  EXPECT_EQ(prop("!Split ['::', 'a::b']"), "[a,b]");
  EXPECT_EQ(prop("!Select [1, !Split ['/', !Ref AWS::StackId]]"), "demo");
  EXPECT_EQ(prop("!Split ['', 'ab']"), "ERROR t.yaml:9:10: error E1018: Fn::Split delimiter must not be empty");
  EXPECT_EQ(prop("!Split [',', [a]]"), "ERROR t.yaml:9:23: error E1018: Fn::Split source must be a string, not list");
}

TEST(Split, EmptyStringGivesOneEmptyItem) {
  TemplateRun r;
  Value v = eval_prop("!Split [',', '']", r);
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(v.items().size(), 1u);
  EXPECT_EQ(v.items()[0].text(), "");
}

const char* kConditions =
    "Parameters:\n"
    "  Env:\n"
    "    Type: String\n"
    "    Default: prod\n"
    "Conditions:\n"
    "  IsProd: !Equals [!Ref Env, prod]\n"
    "  IsDev: !Not [!Condition IsProd]\n"
    "  Both: !And [!Condition IsProd, !Equals [a, a]]\n"
    "  Either: !Or [!Condition IsDev, !Equals [1, '1']]\n"
    "  Nested: !And [!Or [!Condition IsDev, !Condition IsProd], !Not [!Condition IsDev]]\n";

TEST(Conditions, IfEqualsNotAndOr) {
  EXPECT_EQ(prop("!If [IsProd, yes, no]", kConditions), "yes");
  EXPECT_EQ(prop("!If [IsDev, yes, no]", kConditions), "no");
  EXPECT_EQ(prop("!If [Both, yes, no]", kConditions), "yes");
  EXPECT_EQ(prop("!If [Either, yes, no]", kConditions), "yes");
  EXPECT_EQ(prop("!If [Nested, yes, no]", kConditions), "yes");
  EXPECT_EQ(prop("!If [IsDev, yes, no]", kConditions, {{"Env", Value::string("dev")}}), "yes");
  EXPECT_EQ(prop("!If [IsProd, yes, no]", kConditions, {{"Env", Value::string("dev")}}), "no");
  EXPECT_EQ(prop("!If [IsDev, yes, !Ref AWS::NoValue]", kConditions), "<removed>");
  EXPECT_EQ(prop("[a, !If [IsDev, b, !Ref AWS::NoValue], c]", kConditions), "[a,c]");
  EXPECT_EQ(prop("{k: !If [IsDev, b, !Ref AWS::NoValue], j: 1}", kConditions), "{j:1}");
  EXPECT_EQ(prop("!If [Nope, a, b]", kConditions), "ERROR t.yaml:19:15: error E8001: unknown condition 'Nope'");
  EXPECT_EQ(prop("!If [IsProd, a]", kConditions),
            "ERROR t.yaml:19:10: error E1028: Fn::If takes [condition name, value if true, value if false]");
}

TEST(Conditions, OperandCountsAndErrors) {
  auto cond = [](const std::string& c) {
    return prop("!If [C, yes, no]", "Conditions:\n  C: " + c + "\n");
  };
  EXPECT_EQ(cond("!Or [!Equals [a, b], !Equals [a, a]]"), "yes");
  EXPECT_EQ(cond("!And [!Equals [a, b], !Equals [a, a]]"), "no");
  EXPECT_EQ(cond("!Not [!Equals [a, b]]"), "yes");
  EXPECT_EQ(cond("!Equals [!Ref AWS::Region, ap-northeast-1]"), "yes");
  EXPECT_EQ(cond("!Equals [[a, b], [a, b]]"), "yes");
  EXPECT_EQ(cond("!And [!Equals [a, a]]"), "ERROR t.yaml:2:6: error E8001: Fn::And takes 2 to 10 conditions, got 1");
  std::string eleven = "!Or [";
  for (int i = 0; i < 11; ++i) eleven += std::string(i ? ", " : "") + "!Equals [a, b]";
  EXPECT_EQ(cond(eleven + "]"), "ERROR t.yaml:2:6: error E8001: Fn::Or takes 2 to 10 conditions, got 11");
  std::string ten = "!Or [";
  for (int i = 0; i < 10; ++i) ten += std::string(i ? ", " : "") + (i == 9 ? "!Equals [a, a]" : "!Equals [a, b]");
  EXPECT_EQ(cond(ten + "]"), "yes");
  EXPECT_EQ(cond("!Not [!Equals [a, a], !Equals [a, a]]"),
            "ERROR t.yaml:2:6: error E8001: Fn::Not takes exactly one condition");
  EXPECT_EQ(cond("!Ref AWS::Region"),
            "ERROR t.yaml:2:6: error E8001: a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not, Fn::If or Condition");
  EXPECT_EQ(cond("!Equals [!Ref Vpc, x]"), "ERROR t.yaml:2:15: error E8001: Conditions cannot use Ref to a resource ('Vpc')");
  EXPECT_EQ(prop("!If [A, yes, no]", "Conditions:\n  A: !Condition B\n  B: !Condition A\n"),
            "ERROR t.yaml:3:6: error E8001: condition 'A' depends on itself");
}

const char* kMappings =
    "Mappings:\n"
    "  RegionMap:\n"
    "    ap-northeast-1:\n"
    "      Ami: ami-0123\n"
    "      Azs: [a, b]\n"
    "    us-east-1:\n"
    "      Ami: ami-4567\n";

TEST(FindInMap, LookupsAndMissingKeys) {
  EXPECT_EQ(prop("!FindInMap [RegionMap, !Ref AWS::Region, Ami]", kMappings), "ami-0123");
  EXPECT_EQ(prop("!FindInMap [RegionMap, us-east-1, Ami]", kMappings), "ami-4567");
  EXPECT_EQ(prop("!FindInMap [RegionMap, ap-northeast-1, Azs]", kMappings), "[a,b]");
  EXPECT_EQ(prop("!FindInMap [Nope, a, b]", kMappings),
            "ERROR t.yaml:16:10: error E1011: Fn::FindInMap: no mapping named 'Nope'");
  EXPECT_EQ(prop("!FindInMap [RegionMap, eu-west-1, Ami]", kMappings),
            "ERROR t.yaml:16:10: error E1011: Fn::FindInMap: mapping 'RegionMap' has no key 'eu-west-1'");
  EXPECT_EQ(prop("!FindInMap [RegionMap, us-east-1, Azs]", kMappings),
            "ERROR t.yaml:16:10: error E1011: Fn::FindInMap: mapping 'RegionMap' key 'us-east-1' has no key 'Azs'");
  EXPECT_EQ(prop("!FindInMap [RegionMap, us-east-1]", kMappings),
            "ERROR t.yaml:16:10: error E1011: Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]");
  EXPECT_EQ(prop("!FindInMap [RegionMap, eu-west-1, Ami, {DefaultValue: ami-dflt}]", kMappings), "ami-dflt");
}

TEST(Base64, Encodes) {
  EXPECT_EQ(prop("!Base64 hello"), "aGVsbG8=");
  EXPECT_EQ(prop("!Base64 ''"), "");
  EXPECT_EQ(prop("!Base64 a"), "YQ==");
  EXPECT_EQ(prop("!Base64 ab"), "YWI=");
  EXPECT_EQ(prop("!Base64 abc"), "YWJj");
  EXPECT_EQ(prop("!Base64 {'Fn::Sub': \"#!/bin/bash\\necho ${AWS::Region}\"}"),
            base64_encode("#!/bin/bash\necho ap-northeast-1"));
  EXPECT_EQ(prop("!Base64 [a]"), "ERROR t.yaml:9:10: error E1021: Fn::Base64 argument must be a string, not list");
}

TEST(Cidr, AwsSemantics) {
  struct Case {
    const char* block;
    const char* count;
    const char* bits;
    const char* result;  // blocks joined by ',' or "ERROR <reason>"
  } cases[] = {
      {"10.0.0.0/16", "6", "8", "10.0.0.0/24,10.0.1.0/24,10.0.2.0/24,10.0.3.0/24,10.0.4.0/24,10.0.5.0/24"},
      {"192.168.0.0/24", "6", "5",
       "192.168.0.0/27,192.168.0.32/27,192.168.0.64/27,192.168.0.96/27,192.168.0.128/27,192.168.0.160/27"},
      {"10.0.0.0/16", "1", "0", "10.0.0.0/32"},
      {"10.0.0.0/16", "3", "0", "10.0.0.0/32,10.0.0.1/32,10.0.0.2/32"},
      {"10.0.0.0/32", "1", "0", "10.0.0.0/32"},
      {"10.0.0.0/16", "1", "16", "10.0.0.0/16"},
      {"10.0.0.0/16", "2", "16", "ERROR only 1 block(s) of /16 fit in 10.0.0.0/16, 2 requested"},
      {"10.0.0.0/24", "2", "8", "ERROR only 1 block(s) of /24 fit in 10.0.0.0/24, 2 requested"},
      {"10.0.0.0/24", "1", "9", "ERROR cidrBits 9 makes /23 blocks, larger than the ipBlock /24"},
      {"10.0.0.0/16", "0", "8", "ERROR count must be an integer from 1 to 256, got '0'"},
      {"10.0.0.0/8", "257", "8", "ERROR count must be an integer from 1 to 256, got '257'"},
      {"10.0.0.0/16", "2", "33", "ERROR cidrBits must be an integer from 0 to 32, got '33'"},
      {"10.0.0.0/16", "2", "-1", "ERROR cidrBits must be an integer from 0 to 32, got '-1'"},
      {"10.0.0.0/16", "2", "x", "ERROR cidrBits must be an integer from 0 to 32, got 'x'"},
      {"10.0.0.0/16", "1.5", "8", "ERROR count must be an integer from 1 to 256, got '1.5'"},
      {"10.0.1.0/16", "2", "8", "10.0.0.0/24,10.0.1.0/24"},
      {"0.0.0.0/0", "2", "31", "0.0.0.0/1,128.0.0.0/1"},
      {"10.0.0.0", "1", "8", "ERROR ipBlock '10.0.0.0' is not a CIDR block (address/prefix)"},
      {"10.0.0.256/16", "1", "8", "ERROR ipBlock '10.0.0.256/16' is not a valid IPv4 CIDR block"},
      {"10.0.0.0/33", "1", "1", "ERROR ipBlock '10.0.0.0/33' has an invalid prefix length"},
      {"2001:db8::/56", "3", "64", "2001:db8::/64,2001:db8:0:1::/64,2001:db8:0:2::/64"},
      {"2001:db8:1234:1a00::/56", "2", "64", "2001:db8:1234:1a00::/64,2001:db8:1234:1a01::/64"},
      {"2001:DB8::/127", "2", "0", "2001:db8::/128,2001:db8::1/128"},
      {"::/0", "1", "128", "::/0"},
      {"2001:db8::/64", "1", "129", "ERROR cidrBits must be an integer from 0 to 128, got '129'"},
      {"2001:db8:::/64", "1", "8", "ERROR ipBlock '2001:db8:::/64' is not a valid IPv6 CIDR block"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> out;
    std::string why;
    bool ok = cidr_blocks(c.block, c.count, c.bits, out, why);
    std::string got;
    if (!ok) {
      got = "ERROR " + why;
    } else {
      for (size_t i = 0; i < out.size(); ++i) got += (i ? "," : "") + out[i];
    }
    EXPECT_EQ(got, c.result) << c.block << " " << c.count << " " << c.bits;
  }
  std::vector<std::string> out;
  std::string why;
  ASSERT_TRUE(cidr_blocks("10.0.0.0/16", "256", "8", out, why));
  ASSERT_EQ(out.size(), 256u);
  EXPECT_EQ(out.back(), "10.0.255.0/24");
}

TEST(Cidr, InTemplates) {
  EXPECT_EQ(prop("!Cidr [10.0.0.0/16, 6, 8]"),
            "[10.0.0.0/24,10.0.1.0/24,10.0.2.0/24,10.0.3.0/24,10.0.4.0/24,10.0.5.0/24]");
  EXPECT_EQ(prop("!Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]"), "10.0.1.0/24");
  EXPECT_EQ(prop("!Cidr ['10.0.0.0/16', '2', '12']"), "[10.0.0.0/20,10.0.16.0/20]");
  EXPECT_EQ(prop("!Cidr [10.0.0.0/24, 2, 8]"),
            "ERROR t.yaml:9:10: error E1024: Fn::Cidr: only 1 block(s) of /24 fit in 10.0.0.0/24, 2 requested");
  EXPECT_EQ(prop("!Cidr [10.0.0.0/16, 6]"), "ERROR t.yaml:9:10: error E1024: Fn::Cidr takes [ipBlock, count, cidrBits]");
}

TEST(GetAZs, Regions) {
  EXPECT_EQ(prop("!GetAZs ''"), "[ap-northeast-1a,ap-northeast-1c,ap-northeast-1d]");
  EXPECT_EQ(prop("!GetAZs {Ref: 'AWS::Region'}"), "[ap-northeast-1a,ap-northeast-1c,ap-northeast-1d]");
  EXPECT_EQ(prop("{'Fn::GetAZs': ''}"), "[ap-northeast-1a,ap-northeast-1c,ap-northeast-1d]");
  EXPECT_EQ(prop("!GetAZs us-east-1"), "[us-east-1a,us-east-1b,us-east-1c,us-east-1d,us-east-1e,us-east-1f]");
  EXPECT_EQ(prop("!GetAZs eu-west-1"), "[eu-west-1a,eu-west-1b,eu-west-1c]");
}

TEST(ImportValue, FromExportTable) {
  ExportTable exports;
  exports[export_key("123456789012", "ap-northeast-1", "net-VpcId")] = Value::string("vpc-0abc");
  exports[export_key("999999999999", "ap-northeast-1", "other")] = Value::string("vpc-other");
  std::string t =
      "Resources:\n  X:\n    Type: Custom::T\n    Properties:\n      A: !ImportValue net-VpcId\n"
      "      B: !ImportValue {'Fn::Sub': 'net-${Suffix}'}\n"
      "Parameters:\n  Suffix:\n    Type: String\n    Default: VpcId\n";
  TemplateRun r = testing::resolve_text(t, {}, exports);
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.prop("X", "A").text(), "vpc-0abc");
  EXPECT_EQ(r.prop("X", "B").text(), "vpc-0abc");
  // Exports are per account: another account's export is not visible.
  TemplateRun r2 = testing::resolve_text("Resources:\n  X:\n    Type: Custom::T\n    Properties:\n      A: !ImportValue other\n",
                                 {}, exports);
  EXPECT_FALSE(r2.ok);
  EXPECT_EQ(r2.first_error(),
            "t.yaml:5:10: error E1032: no export named 'other' in account 123456789012 region ap-northeast-1\n"
            "  fix: list the exporting stack before this one in the lab manifest (exports are per account and region)");
}

TEST(LanguageExtensions, LengthAndToJsonString) {
  const char* tx = "Transform: AWS::LanguageExtensions\n";
  EXPECT_EQ(prop("!Length [a, b, c]", tx), "3");
  EXPECT_EQ(prop("{'Fn::Length': !Split [',', 'a,b']}", tx), "2");
  EXPECT_EQ(prop("{'Fn::ToJsonString': {a: [1, 'x\"y'], b: true}}", tx), "{\"a\":[1,\"x\\\"y\"],\"b\":true}");
  EXPECT_EQ(prop("!Length [a]"), "ERROR t.yaml:9:10: error E1030: Fn::Length needs `Transform: AWS::LanguageExtensions`");
}

TEST(Intrinsics, UnknownFunction) {
  EXPECT_EQ(prop("{'Fn::Nope': [a]}"), "ERROR t.yaml:9:10: error E1040: unknown intrinsic function 'Fn::Nope'");
}

TEST(Intrinsics, ShortAndLongFormsResolveTheSame) {
  const char* yaml_short = R"(
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Mappings:
  M: {prod: {Size: large}}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.1.0.0/16
  X:
    Type: Custom::T
    Properties:
      A: !Sub '${AWS::StackName}-${Vpc.CidrBlock}'
      B: !Join ['-', !Split [',', 'a,b']]
      C: !Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      D: !If [IsProd, !FindInMap [M, !Ref Env, Size], small]
      E: !Base64 {Fn::Sub: 'x ${Env}'}
      F: !Select [0, !GetAZs '']
      G: !If [IsProd, !Ref 'AWS::NoValue', y]
      H: !GetAtt [Vpc, CidrBlock]
      I: !Ref Vpc
      J: !Not [!Condition IsProd]
)";
  const char* json_long = R"({
  "Parameters": {"Env": {"Type": "String", "Default": "prod"}},
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
  "Mappings": {"M": {"prod": {"Size": "large"}}},
  "Resources": {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
    "X": {"Type": "Custom::T", "Properties": {
      "A": {"Fn::Sub": "${AWS::StackName}-${Vpc.CidrBlock}"},
      "B": {"Fn::Join": ["-", {"Fn::Split": [",", "a,b"]}]},
      "C": {"Fn::Select": [1, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]},
      "D": {"Fn::If": ["IsProd", {"Fn::FindInMap": ["M", {"Ref": "Env"}, "Size"]}, "small"]},
      "E": {"Fn::Base64": {"Fn::Sub": "x ${Env}"}},
      "F": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
      "G": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "y"]},
      "H": {"Fn::GetAtt": "Vpc.CidrBlock"},
      "I": {"Ref": "Vpc"},
      "J": {"Fn::Not": [{"Condition": "IsProd"}]}
    }}
  }
})";
  TemplateRun a = testing::resolve_text(yaml_short);
  TemplateRun b = testing::resolve_text(json_long, {}, {}, testing::test_ctx(), "t.json");
  ASSERT_TRUE(a.ok) << a.text();
  ASSERT_TRUE(b.ok) << b.text();
  EXPECT_EQ(flat(a.props("X")), flat(b.props("X")));
  EXPECT_EQ(flat(a.props("X")), "{A:demo-10.1.0.0/16,B:a-b,C:10.1.1.0/24,D:large,E:" + base64_encode("x prod") +
                                     ",F:ap-northeast-1a,H:10.1.0.0/16,I:" + vpc_id() + ",J:false}");
}

}  // namespace
}  // namespace vpclab::tmpl
