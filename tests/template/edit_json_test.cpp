// template/edit_writer.h: the JSON writer's primitives on JSON indented with
// 2 spaces, 4 spaces and tabs, an empty array and object, a resource written
// on one line and the AWS samples' `"Key" : value` style: the result parses as
// JSON and as a template, and only the intended lines change. Then
// TemplateEditor's changes on a JSON template (numbers, booleans, Fn::GetAtt
// in list form, a rule removed after an edit moved it), and replace_value in
// both writers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "template/edit.h"
#include "template/edit_writer.h"
#include "template/engine.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using tmpl::Value;
using Lines = std::vector<std::string>;

// Written with two spaces; reindent() gives the same in another unit.
const char* kTemplate = R"({
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Vpc": {
      "Type": "AWS::EC2::VPC",
      "Properties": {
        "CidrBlock": "10.0.0.0/16",
        "EnableDnsHostnames": false
      }
    },
    "Sg": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "web",
        "VpcId": {
          "Ref": "Vpc"
        },
        "SecurityGroupIngress": [
          {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "CidrIp": "10.0.0.0/8"
          },
          {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "CidrIp": "10.9.0.0/16"
          }
        ]
      }
    },
    "EmptySg": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "none yet",
        "SecurityGroupIngress": []
      }
    },
    "OneLine": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "one", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}, {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIp": "10.0.0.0/8"}]}},
    "Igw": {
      "Type": "AWS::EC2::InternetGateway",
      "Properties": {}
    },
    "Alb": {
      "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
      "Properties": {
        "Scheme": "internal",
        "Subnets": [
          {
            "Ref": "A"
          },
          {
            "Ref": "B"
          }
        ],
        "SecurityGroups": [{"Ref": "Sg"}]
      }
    }
  }
}
)";

std::string reindent(const std::string& text, const std::string& unit) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t n = 0;
    while (i + n < text.size() && text[i + n] == ' ') ++n;
    for (size_t k = 0; k < n / 2; ++k) out += unit;
    size_t nl = text.find('\n', i + n);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    out += text.substr(i + n, end - i - n);
    i = end;
  }
  return out;
}
Lines reindent(const Lines& lines, const std::string& unit) {
  Lines out;
  for (const auto& l : lines) out.push_back(reindent(l, unit));
  return out;
}

Lines split(const std::string& s) {
  Lines out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') out.push_back(cur), cur.clear();
    else cur += c;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The lines a minimal hunk replaces: the old ones and the new ones, common
// lines at both ends left out.
struct Hunk {
  Lines removed, added;
};
Hunk hunk(const std::string& before, const std::string& after) {
  Lines a = split(before), b = split(after);
  size_t p = 0;
  while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
  size_t s = 0;
  while (s < a.size() - p && s < b.size() - p && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  return {Lines(a.begin() + p, a.end() - s), Lines(b.begin() + p, b.end() - s)};
}

struct Written {
  bool ok = false;
  std::string text, error;
};

// Runs `op` on a writer of `text` (JSON or YAML as it reads) for resource `logical`.
Written write(const std::string& text, const std::string& logical, const std::function<bool(tmpl::edit::Writer&)>& op) {
  Diagnostics d;
  auto root = tmpl::parse_template_text(text, "edit-json-test", d);
  EXPECT_TRUE(root.has_value()) << text;
  if (!root) return {};
  const Value* resources = root->get("Resources");
  const Value* res = resources->get(logical);
  EXPECT_NE(res, nullptr) << logical;
  Written w;
  tmpl::edit::Target t{"edit-json-test", *resources, *res, logical};
  auto writer = tmpl::edit::is_json_text(text) ? tmpl::edit::json_writer(t, text, w.error)
                                               : tmpl::edit::yaml_writer(t, text, w.error);
  w.ok = op(*writer);
  w.text = writer->text();
  return w;
}

// The result is JSON and a template.
nlohmann::json parsed(const std::string& text) {
  Diagnostics d;
  EXPECT_TRUE(tmpl::parse_template_text(text, "edit-json-test-out", d).has_value()) << text;
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << text;
    return {};
  }
}

class JsonWriter : public ::testing::TestWithParam<std::string> {
 protected:
  std::string unit() const { return GetParam(); }
  std::string text() const { return reindent(kTemplate, unit()); }
  // Expected lines, written with two spaces.
  Lines in_unit(const Lines& two_spaces) const { return reindent(two_spaces, unit()); }
  // The result is the template with `removed` (from its 1-based `line` on) replaced by `added`.
  void expect(const Written& w, size_t line, const Lines& removed, const Lines& added) const {
    ASSERT_TRUE(w.ok) << w.error;
    parsed(w.text);
    Lines before = split(text()), want;
    ASSERT_EQ(Lines(before.begin() + line - 1, before.begin() + line - 1 + removed.size()), in_unit(removed));
    want.insert(want.end(), before.begin(), before.begin() + line - 1);
    for (const auto& l : in_unit(added)) want.push_back(l);
    want.insert(want.end(), before.begin() + line - 1 + removed.size(), before.end());
    EXPECT_EQ(split(w.text), want) << w.text;
  }
};

TEST_P(JsonWriter, AppendsAnItemAfterTheLastOneInItsLayout) {
  auto w = write(text(), "Sg", [](auto& x) {
    return x.append_item("SecurityGroupIngress", "{IpProtocol: tcp, FromPort: 80, ToPort: 80, "
                                                 "SourceSecurityGroupId: !Ref Client, Description: vpclab fix}");
  });
  expect(w, 30, {"          }"},
         {"          },", "          {", "            \"IpProtocol\": \"tcp\",", "            \"FromPort\": 80,",
          "            \"ToPort\": 80,", "            \"SourceSecurityGroupId\": {", "              \"Ref\": \"Client\"",
          "            },", "            \"Description\": \"vpclab fix\"", "          }"});
  auto j = parsed(w.text);
  EXPECT_EQ(j["Resources"]["Sg"]["Properties"]["SecurityGroupIngress"][2]["FromPort"], 80);  // a number
}

TEST_P(JsonWriter, AppendsToAnEmptyArray) {
  auto w = write(text(), "EmptySg", [](auto& x) {
    return x.append_item("SecurityGroupIngress", "{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.1.0.0/16}");
  });
  expect(w, 38, {"        \"SecurityGroupIngress\": []"},
         {"        \"SecurityGroupIngress\": [", "          {", "            \"IpProtocol\": \"tcp\",",
          "            \"FromPort\": 80,", "            \"ToPort\": 80,", "            \"CidrIp\": \"10.1.0.0/16\"",
          "          }", "        ]"});
}

TEST_P(JsonWriter, AppendsAMissingListAsTheLastProperty) {
  auto w = write(text(), "Vpc", [](auto& x) { return x.append_item("Tags", "{Key: Name, Value: lab}"); });
  expect(w, 8, {"        \"EnableDnsHostnames\": false"},
         {"        \"EnableDnsHostnames\": false,", "        \"Tags\": [", "          {", "            \"Key\": \"Name\",",
          "            \"Value\": \"lab\"", "          }", "        ]"});
}

TEST_P(JsonWriter, AppendsOnTheLineOfAResourceWrittenOnOneLine) {
  auto w = write(text(), "OneLine", [](auto& x) {
    return x.append_item("SecurityGroupIngress", "{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.1.0.0/16}");
  });
  ASSERT_TRUE(w.ok) << w.error;
  Hunk h = hunk(text(), w.text);
  ASSERT_EQ(h.removed.size(), 1u);
  ASSERT_EQ(h.added.size(), 1u);
  EXPECT_NE(h.added[0].find("\"CidrIp\": \"10.0.0.0/8\"}, {\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80, "
                            "\"CidrIp\": \"10.1.0.0/16\"}]}},"),
            std::string::npos)
      << h.added[0];
  parsed(w.text);
}

TEST_P(JsonWriter, AddsAResourceAfterTheTargetsClosingBrace) {
  auto w = write(text(), "Vpc", [](auto& x) {
    return x.add_resource("VpcVpclabEntry90", "AWS::EC2::NetworkAclEntry",
                          {"NetworkAclId: !GetAtt Vpc.DefaultNetworkAcl", "RuleNumber: 90", "Protocol: 6",
                           "RuleAction: allow", "Egress: false", "CidrBlock: 10.1.0.0/16", "PortRange: {From: 80, To: 80}"});
  });
  // After "Vpc"'s closing line "    },": only new lines.
  expect(w, 11, {},
         {"    \"VpcVpclabEntry90\": {", "      \"Type\": \"AWS::EC2::NetworkAclEntry\",", "      \"Properties\": {",
          "        \"NetworkAclId\": {", "          \"Fn::GetAtt\": [", "            \"Vpc\",",
          "            \"DefaultNetworkAcl\"", "          ]", "        },", "        \"RuleNumber\": 90,",
          "        \"Protocol\": 6,", "        \"RuleAction\": \"allow\",", "        \"Egress\": false,",
          "        \"CidrBlock\": \"10.1.0.0/16\",", "        \"PortRange\": {", "          \"From\": 80,",
          "          \"To\": 80", "        }", "      }", "    },"});
  auto e = parsed(w.text)["Resources"]["VpcVpclabEntry90"]["Properties"];
  EXPECT_TRUE(e["RuleNumber"].is_number_integer());
  EXPECT_TRUE(e["Egress"].is_boolean());
  EXPECT_EQ(e["NetworkAclId"]["Fn::GetAtt"], nlohmann::json({"Vpc", "DefaultNetworkAcl"}));
}

TEST_P(JsonWriter, AddsAResourceAfterTheLastOneWithItsComma) {
  auto w = write(text(), "Alb", [](auto& x) {
    return x.add_resource("AlbRoute", "AWS::EC2::Route", {"RouteTableId: !Ref Rt", "DestinationCidrBlock: 10.2.0.0/16"});
  });
  expect(w, 60, {"    }"},
         {"    },", "    \"AlbRoute\": {", "      \"Type\": \"AWS::EC2::Route\",", "      \"Properties\": {",
          "        \"RouteTableId\": {", "          \"Ref\": \"Rt\"", "        },",
          "        \"DestinationCidrBlock\": \"10.2.0.0/16\"", "      }", "    }"});
}

TEST_P(JsonWriter, SetsAScalarOrAReferenceInPlace) {
  expect(write(text(), "Vpc", [](auto& x) { return x.set_scalar("EnableDnsHostnames", "true"); }), 8,
         {"        \"EnableDnsHostnames\": false"}, {"        \"EnableDnsHostnames\": true"});
  // A reference written over three lines: only its name changes.
  expect(write(text(), "Sg", [](auto& x) { return x.set_scalar("VpcId", "!Ref OtherVpc"); }), 16,
         {"          \"Ref\": \"Vpc\""}, {"          \"Ref\": \"OtherVpc\""});
  auto list = write(text(), "Sg", [](auto& x) { return x.set_scalar("SecurityGroupIngress", "x"); });
  EXPECT_FALSE(list.ok);
  EXPECT_EQ(list.error, "SecurityGroupIngress of Sg is not a plain value");
}

TEST_P(JsonWriter, SetsAPropertyOfAnEmptyObject) {
  expect(write(text(), "Igw", [](auto& x) { return x.set_scalar("Description", "lab gateway"); }), 44,
         {"      \"Properties\": {}"}, {"      \"Properties\": {", "        \"Description\": \"lab gateway\"", "      }"});
}

TEST_P(JsonWriter, ReplacesAWholeValueOverOneLineOrSeveral) {
  expect(write(text(), "Alb", [](auto& x) { return x.replace_value("Subnets", "[!Ref A, !Ref C]"); }), 55,
         {"            \"Ref\": \"B\""}, {"            \"Ref\": \"C\""});
  expect(write(text(), "Alb", [](auto& x) { return x.replace_value("SecurityGroups", "[!Ref Sg, !Ref Other]"); }), 58,
         {"        \"SecurityGroups\": [{\"Ref\": \"Sg\"}]"},
         {"        \"SecurityGroups\": [{\"Ref\": \"Sg\"}, {\"Ref\": \"Other\"}]"});
  expect(write(text(), "Alb", [](auto& x) { return x.replace_value("Scheme", "internet-facing"); }), 49,
         {"        \"Scheme\": \"internal\","}, {"        \"Scheme\": \"internet-facing\","});
}

TEST_P(JsonWriter, RemovesAnItemAndTheRightComma) {
  Diagnostics d;
  auto root = tmpl::parse_template_text(text(), "t", d);
  const auto& rules = root->get("Resources")->get("Sg")->get("Properties")->get("SecurityGroupIngress")->items();
  // The first item: its lines, its comma with them.
  expect(write(text(), "Sg", [&](auto& x) { return x.remove_item(rules[0]); }), 19,
         {"          {", "            \"IpProtocol\": \"tcp\",", "            \"FromPort\": 443,",
          "            \"ToPort\": 443,", "            \"CidrIp\": \"10.0.0.0/8\"", "          },"},
         {});
  // The last: its lines, and the comma of the item before it.
  expect(write(text(), "Sg", [&](auto& x) { return x.remove_item(rules[1]); }), 24,
         {"          },", "          {", "            \"IpProtocol\": \"tcp\",", "            \"FromPort\": 22,",
          "            \"ToPort\": 22,", "            \"CidrIp\": \"10.9.0.0/16\"", "          }"},
         {"          }"});
  // An item's key is its own text, whatever its lines.
  std::string key;
  write(text(), "Sg", [&](auto& x) { return !(key = x.item_key(rules[1])).empty(); });
  EXPECT_EQ(key, reindent("{\n            \"IpProtocol\": \"tcp\",\n            \"FromPort\": 22,\n            \"ToPort\": 22,\n"
                          "            \"CidrIp\": \"10.9.0.0/16\"\n          }", unit()));
  // On one line.
  const auto& one = root->get("Resources")->get("OneLine")->get("Properties")->get("SecurityGroupIngress")->items();
  for (size_t i : {0u, 1u}) {
    auto w = write(text(), "OneLine", [&](auto& x) { return x.remove_item(one[i]); });
    ASSERT_TRUE(w.ok);
    auto j = parsed(w.text)["Resources"]["OneLine"]["Properties"]["SecurityGroupIngress"];
    ASSERT_EQ(j.size(), 1u) << w.text;
    EXPECT_EQ(j[0]["FromPort"], i == 0 ? 53 : 22);
    EXPECT_EQ(hunk(text(), w.text).added.size(), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Indents, JsonWriter, ::testing::Values("  ", "    ", "\t"), [](const auto& info) {
  return info.param == "\t" ? std::string("Tabs") : std::to_string(info.param.size()) + "Spaces";
});

// The AWS samples' hand-written style: `"Key" : value`, references on one line with spaces inside.
TEST(JsonWriterStyle, FollowsTheKeySeparatorAndOneLineIntrinsics) {
  const std::string text = R"({
  "Resources" : {
    "Sg" : {
      "Type" : "AWS::EC2::SecurityGroup",
      "Properties" : {
        "GroupDescription" : "web",
        "VpcId" : { "Ref" : "Vpc" },
        "SecurityGroupIngress" : [ {
          "IpProtocol" : "tcp", "FromPort" : 443, "ToPort" : 443, "CidrIp" : "10.0.0.0/8"
        } ]
      }
    }
  }
}
)";
  auto w = write(text, "Sg", [](auto& x) {
    return x.append_item("SecurityGroupIngress", "{IpProtocol: tcp, FromPort: 80, ToPort: 80, SourceSecurityGroupId: !Ref Client}");
  });
  ASSERT_TRUE(w.ok) << w.error;
  Hunk h = hunk(text, w.text);
  EXPECT_EQ(h.removed, Lines());  // "        } ]" is now the new item's last line
  EXPECT_EQ(h.added, Lines({"        }, {", "          \"IpProtocol\" : \"tcp\",", "          \"FromPort\" : 80,",
                            "          \"ToPort\" : 80,", "          \"SourceSecurityGroupId\" : { \"Ref\" : \"Client\" }"}))
      << w.text;
  parsed(w.text);
  auto r = write(text, "Sg", [](auto& x) {
    return x.add_resource("SgIngress", "AWS::EC2::SecurityGroupIngress", {"GroupId: !GetAtt Vpc.DefaultSecurityGroup"});
  });
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_NE(r.text.find("\n    },\n    \"SgIngress\" : {\n      \"Type\" : \"AWS::EC2::SecurityGroupIngress\",\n"
                        "      \"Properties\" : {\n        \"GroupId\" : { \"Fn::GetAtt\" : [ \"Vpc\", \"DefaultSecurityGroup\" ] }\n"
                        "      }\n    }\n  }\n}\n"),
            std::string::npos)
      << r.text;
  parsed(r.text);
}

TEST(JsonWriterStyle, KeepsWindowsLineEnds) {
  std::string text = "{\r\n  \"Resources\": {\r\n    \"Vpc\": {\r\n      \"Type\": \"AWS::EC2::VPC\",\r\n"
                     "      \"Properties\": {\r\n        \"CidrBlock\": \"10.0.0.0/16\"\r\n      }\r\n    }\r\n  }\r\n}\r\n";
  auto w = write(text, "Vpc", [](auto& x) { return x.set_scalar("EnableDnsSupport", "true"); });
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_NE(w.text.find("\"CidrBlock\": \"10.0.0.0/16\",\r\n        \"EnableDnsSupport\": true\r\n      }"), std::string::npos)
      << w.text;
  parsed(w.text);
}

// --- replace_value in the YAML writer: a one-line value, comments and tags kept ---

TEST(YamlWriterReplaceValue, ReplacesAOneLineValue) {
  const std::string text = R"(Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref A, !Ref B]  # two AZs
      SecurityGroups: !Ref Groups
      Scheme: internal
      Tags:
        - {Key: Name, Value: alb}
  Flow:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
)";
  auto w = write(text, "Alb", [](auto& x) { return x.replace_value("Subnets", "[!Ref A, !Ref C]"); });
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_EQ(hunk(text, w.text).added, Lines({"      Subnets: [!Ref A, !Ref C]  # two AZs"}));
  w = write(text, "Alb", [](auto& x) { return x.replace_value("SecurityGroups", "[!Ref Sg]"); });
  EXPECT_EQ(hunk(text, w.text).added, Lines({"      SecurityGroups: [!Ref Sg]"}));
  w = write(text, "Flow", [](auto& x) { return x.replace_value("AvailabilityZone", "!Select [1, !GetAZs \"\"]"); });
  EXPECT_EQ(hunk(text, w.text).added,
            Lines({"    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [1, !GetAZs \"\"]}"}));
  w = write(text, "Flow", [](auto& x) { return x.replace_value("CidrBlock", "10.0.1.0/24"); });
  EXPECT_EQ(hunk(text, w.text).added,
            Lines({"    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [0, !GetAZs \"\"]}"}));
  Diagnostics d;
  EXPECT_TRUE(tmpl::parse_template_text(w.text, "t", d).has_value());
  // Absent: added as the last property.
  w = write(text, "Alb", [](auto& x) { return x.replace_value("IpAddressType", "ipv4"); });
  EXPECT_EQ(hunk(text, w.text).added, Lines({"      IpAddressType: ipv4"}));
  // A block list is not a one-line value.
  w = write(text, "Alb", [](auto& x) { return x.replace_value("Tags", "[]"); });
  EXPECT_FALSE(w.ok);
  EXPECT_EQ(w.error, "Tags of Alb is written over several lines, not as a one-line value");
  EXPECT_EQ(w.text, text);
}

// --- TemplateEditor on a JSON file ---

fs::path write_file(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("vpclab-edit-json-test-" + std::to_string(::getpid()) + "-" + name + ".json");
  std::ofstream(p) << text;
  return p;
}

model::Change change(const fs::path& file, model::Change::Kind kind, const char* logical) {
  model::Change c;
  c.kind = kind;
  c.target.id = "sg-1";
  c.target.origin.stack = "s";
  c.target.origin.logical_id = logical;
  c.target.origin.loc = SourceLoc{intern_file(file.string()), 3, 5};
  return c;
}

TEST(TemplateEditorJson, WritesARuleThenRemovesOneTheEditMoved) {
  std::string text = reindent(kTemplate, "    ");
  auto file = write_file("remove", text);
  tmpl::TemplateEditor ed;
  std::string err;
  auto add = change(file, model::Change::Kind::kAddSecurityGroupRule, "Vpc");  // the default group: a resource above Sg
  add.ports = PortRange{80, 80};
  add.peer_cidr = Ipv4Cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(ed.apply(add, err)) << err;
  auto rm = change(file, model::Change::Kind::kRemoveSecurityGroupRule, "Sg");
  rm.rule_loc = SourceLoc{intern_file(file.string()), 25, 21};  // the 22 rule's "{" as first read
  ASSERT_TRUE(ed.apply(rm, err)) << err;
  std::string after = ed.edits().at(0).after;
  auto j = parsed(after);
  auto rules = j["Resources"]["Sg"]["Properties"]["SecurityGroupIngress"];
  ASSERT_EQ(rules.size(), 1u) << after;
  EXPECT_EQ(rules[0]["FromPort"], 443);
  auto sgi = j["Resources"]["VpcVpclabIngress"]["Properties"];
  EXPECT_EQ(sgi["GroupId"]["Fn::GetAtt"], nlohmann::json({"Vpc", "DefaultSecurityGroup"})) << after;
  EXPECT_EQ(sgi["FromPort"], 80);
  EXPECT_EQ(sgi["CidrIp"], "10.1.0.0/16");
  // 16 lines of the resource in, 6 of the rule out.
  EXPECT_EQ(split(after).size(), split(text).size() + 16 - 6);
  // No rule is declared there any more; the other one would leave the group without rules.
  EXPECT_FALSE(ed.apply(rm, err));
  rm.rule_loc = SourceLoc{intern_file(file.string()), 19, 21};
  EXPECT_FALSE(ed.apply(rm, err));
  EXPECT_NE(err.find("would be empty"), std::string::npos) << err;
  fs::remove(file);
}

}  // namespace
}  // namespace vpclab
