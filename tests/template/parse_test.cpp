// Parsing templates: YAML short forms, JSON, positions, and malformed input.
#include <gtest/gtest.h>

#include "helpers.h"
#include "template/engine.h"

namespace vpclab::tmpl {
namespace {

using testing::flat;

std::optional<Value> parse(const std::string& text, Diagnostics& d, const std::string& file = "t.yaml") {
  return parse_template_text(text, file, d);
}

// Compact dump of an unresolved tree, keys included.
std::string dump(const Value& v) { return flat(v); }

TEST(Parse, ShortFormTagsBecomeLongForms) {
  struct Case {
    const char* yaml;
    const char* long_form;
  } cases[] = {
      {"!Ref X", "{Ref:X}"},
      {"!GetAtt A.B", "{Fn::GetAtt:A.B}"},
      {"!GetAtt [A, B]", "{Fn::GetAtt:[A,B]}"},
      {"!Sub 'a-${X}'", "{Fn::Sub:a-${X}}"},
      {"!Join ['-', [a, b]]", "{Fn::Join:[-,[a,b]]}"},
      {"!Select [0, [a]]", "{Fn::Select:[0,[a]]}"},
      {"!Split [',', 'a,b']", "{Fn::Split:[,,a,b]}"},
      {"!If [C, a, b]", "{Fn::If:[C,a,b]}"},
      {"!Equals [a, b]", "{Fn::Equals:[a,b]}"},
      {"!Not [!Condition C]", "{Fn::Not:[{Condition:C}]}"},
      {"!And [!Condition C, !Condition D]", "{Fn::And:[{Condition:C},{Condition:D}]}"},
      {"!Or [!Condition C, !Condition D]", "{Fn::Or:[{Condition:C},{Condition:D}]}"},
      {"!FindInMap [M, a, b]", "{Fn::FindInMap:[M,a,b]}"},
      {"!Base64 hi", "{Fn::Base64:hi}"},
      {"!Cidr [10.0.0.0/16, 2, 8]", "{Fn::Cidr:[10.0.0.0/16,2,8]}"},
      {"!GetAZs ''", "{Fn::GetAZs:}"},
      {"!ImportValue E", "{Fn::ImportValue:E}"},
      {"!Condition C", "{Condition:C}"},
      {"!GetStackOutput {StackName: s, OutputName: o}", "{Fn::GetStackOutput:{StackName:s,OutputName:o}}"},
  };
  for (const auto& c : cases) {
    Diagnostics d;
    auto v = parse(std::string("K: ") + c.yaml + "\n", d);
    ASSERT_TRUE(v) << c.yaml << "\n" << (d.items().empty() ? "" : d.items()[0].str());
    EXPECT_EQ(dump(*v->get("K")), c.long_form) << c.yaml;
  }
}

TEST(Parse, EveryNodeHasOneBasedLineAndColumn) {
  Diagnostics d;
  auto v = parse("Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Ref Cidr\n", d);
  ASSERT_TRUE(v);
  const Value& vpc = *v->get("Resources")->get("Vpc");
  EXPECT_EQ(v->get("Resources")->key_loc("Vpc").str(), "t.yaml:2:3");
  EXPECT_EQ(vpc.get("Type")->loc().str(), "t.yaml:3:11");
  const Value& ref = *vpc.get("Properties")->get("CidrBlock");
  EXPECT_EQ(ref.loc().str(), "t.yaml:5:18");  // the tag
  EXPECT_EQ(ref.intrinsic_name(), "Ref");
}

TEST(Parse, JsonWithTabsKeepsPositions) {
  Diagnostics d;
  auto v = parse("{\n\t\"Resources\": {\n\t\t\"Vpc\": {\"Type\": \"AWS::EC2::VPC\", \"Properties\": {\"N\": 10}}\n\t}\n}\n",
                 d, "t.json");
  ASSERT_TRUE(v) << (d.items().empty() ? "" : d.items()[0].str());
  const Value& vpc = *v->get("Resources")->get("Vpc");
  EXPECT_EQ(v->get("Resources")->key_loc("Vpc").str(), "t.json:3:3");
  EXPECT_EQ(vpc.get("Type")->loc().str(), "t.json:3:19");
  EXPECT_TRUE(vpc.get("Type")->is_string());
  EXPECT_TRUE(vpc.get("Properties")->get("N")->is_number());
}

TEST(Parse, ScalarKinds) {
  Diagnostics d;
  auto v = parse("a: true\nb: 'true'\nc: 8080\nd: '8080'\ne: 0.5\nf: ~\ng:\nh: 2010-09-09\ni: 012\n", d);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->get("a")->is_bool());
  EXPECT_TRUE(v->get("b")->is_string());
  EXPECT_TRUE(v->get("c")->is_number());
  EXPECT_EQ(v->get("c")->text(), "8080");
  EXPECT_TRUE(v->get("d")->is_string());
  EXPECT_EQ(v->get("e")->text(), "0.5");
  EXPECT_TRUE(v->get("f")->is_null());
  EXPECT_TRUE(v->get("g")->is_null());
  EXPECT_TRUE(v->get("h")->is_string());
  EXPECT_EQ(v->get("i")->text(), "012");  // as written: account ids keep their zeros
}

TEST(Parse, MalformedYamlReportsPosition) {
  struct Case {
    const char* text;
    const char* where;
  } cases[] = {
      {"a: [1\nb: 2\n", "t.yaml:2:2"},
      {"a: b\n  c: d\n", "t.yaml:2:4"},
      {"a: {b: 1\n", "t.yaml:2:1"},
      {"a: *nope\n", "t.yaml:1:4"},
      {"a: b: c\n", "t.yaml:1:5"},
      {"a: [b]]\n", "t.yaml:1:7"},
      {"key: value\n- item\n", "t.yaml:2:1"},
  };
  for (const auto& c : cases) {
    Diagnostics d;
    EXPECT_FALSE(parse(c.text, d)) << c.text;
    ASSERT_EQ(d.items().size(), 1u) << c.text;
    EXPECT_EQ(d.items()[0].code, "E0000");
    EXPECT_EQ(d.items()[0].loc.str(), c.where) << c.text << " -> " << d.items()[0].str();
  }
}

TEST(Parse, DuplicateKeyIsAnErrorAtTheSecondKey) {
  Diagnostics d;
  EXPECT_FALSE(parse("Resources:\n  A:\n    Type: X::Y\n  A:\n    Type: X::Z\n", d));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].str(), "t.yaml:4:3: error E0000: duplicate key 'A'");
}

TEST(Parse, DuplicateKeyInJson) {
  Diagnostics d;
  EXPECT_FALSE(parse("{\"a\": 1,\n \"a\": 2}", d, "t.json"));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].loc.str(), "t.json:2:2");
}

TEST(Parse, UnknownTagIsAnError) {
  Diagnostics d;
  EXPECT_FALSE(parse("a: !Reff X\n", d));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].str(), "t.yaml:1:4: error E0000: unknown tag !Reff");
}

TEST(Parse, EmptyAndOddInputs) {
  for (const char* text : {"", "\n\n", "# only a comment\n"}) {
    Diagnostics d;
    EXPECT_FALSE(parse(text, d));
    ASSERT_EQ(d.items().size(), 1u);
    EXPECT_EQ(d.items()[0].code, "E0001");
  }
  Diagnostics d;
  EXPECT_FALSE(parse("a: 1\n---\nb: 2\n", d));
  EXPECT_EQ(d.items()[0].message, "more than one YAML document in the file");
  Diagnostics d2;
  EXPECT_FALSE(parse(std::string("a: 1\nb: \0\n", 10), d2));
  EXPECT_EQ(d2.items()[0].loc.str(), "t.yaml:2:4");
}

TEST(Parse, AnchorsAndAliasesAreCopies) {
  Diagnostics d;
  auto v = parse("a: &x {k: [1, 2]}\nb: *x\n", d);
  ASSERT_TRUE(v);
  EXPECT_EQ(dump(*v->get("b")), "{k:[1,2]}");
}

TEST(Parse, AliasBombIsRefused) {
  std::string t = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  // Each level lists the previous one ten times: 10^9 nodes when expanded.
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    std::string items = prev;
    for (int k = 1; k < 10; ++k) items.append(", ").append(prev);
    t.append("a").append(std::to_string(i)).append(": &a").append(std::to_string(i));
    t.append(" [").append(items).append("]\n");
  }
  Diagnostics d;
  EXPECT_FALSE(parse(t, d));
  ASSERT_FALSE(d.items().empty());
  EXPECT_EQ(d.items()[0].code, "E0002");
}

TEST(Parse, DeepNestingIsRefusedNotACrash) {
  Diagnostics d;
  EXPECT_FALSE(parse(std::string(100000, '[') + std::string(100000, ']'), d));
  ASSERT_FALSE(d.items().empty());
  Diagnostics d2;
  std::string t;
  for (int i = 0; i < 300; ++i) t += std::string(i * 2, ' ') + "k:\n";
  EXPECT_FALSE(parse(t, d2));
  ASSERT_FALSE(d2.items().empty());
  EXPECT_EQ(d2.items()[0].code, "E0002");
}

TEST(Parse, MissingFile) {
  Diagnostics d;
  EXPECT_FALSE(parse_template_file("/nonexistent/x.yaml", d));
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].str(), "/nonexistent/x.yaml: error E0000: cannot read file");
}

}  // namespace
}  // namespace vpclab::tmpl
