// template/edit.h: removing a security-group rule (`vpclab check --fix-lint`)
// deletes exactly that list item, finds it after earlier edits moved it, and
// refuses to leave the group without rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "template/edit.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;

const char* kTemplate = R"(Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  AppSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}
  AlbSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: alb  # kept
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
)";

fs::path write_template(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("vpclab-edit-test-" + std::to_string(::getpid()) + "-" + name + ".yaml");
  std::ofstream(p) << kTemplate;
  return p;
}

model::Change change(const fs::path& file, model::Change::Kind kind, const char* group = "AlbSg") {
  model::Change c;
  c.kind = kind;
  c.target.id = "sg-1";
  c.target.origin.stack = "s";
  c.target.origin.logical_id = group;
  c.target.origin.loc = SourceLoc{intern_file(file.string()), 12, 3};
  return c;
}

model::Change remove_at(const fs::path& file, uint32_t line, uint32_t col) {
  auto c = change(file, model::Change::Kind::kRemoveSecurityGroupRule);
  c.rule_loc = SourceLoc{intern_file(file.string()), line, col};
  return c;
}

TEST(EditRemoveRule, DeletesAFlowMapItemAndKeepsTheRest) {
  auto file = write_template("flow");
  tmpl::TemplateEditor ed;
  std::string err;
  ASSERT_TRUE(ed.apply(remove_at(file, 18, 11), err)) << err;
  auto after = ed.edits().at(0).after;
  EXPECT_EQ(after.find("FromPort: 80"), std::string::npos) << after;
  EXPECT_NE(after.find("FromPort: 443"), std::string::npos) << after;
  EXPECT_NE(after.find("alb  # kept"), std::string::npos) << after;
  fs::remove(file);
}

TEST(EditRemoveRule, DeletesABlockMapItemAfterAnEditMovedIt) {
  auto file = write_template("block");
  tmpl::TemplateEditor ed;
  std::string err;
  auto add = change(file, model::Change::Kind::kAddSecurityGroupRule, "AppSg");  // a line above AlbSg
  add.ports = PortRange{80, 80};
  add.peer_cidr = Ipv4Cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(ed.apply(add, err)) << err;
  ASSERT_TRUE(ed.apply(remove_at(file, 19, 11), err)) << err;  // the 443 rule (line 19 as first read), four lines
  auto after = ed.edits().at(0).after;
  EXPECT_EQ(after.find("443"), std::string::npos) << after;
  EXPECT_NE(after.find("CidrIp: 10.1.0.0/16"), std::string::npos) << after;
  EXPECT_NE(after.find("FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0"), std::string::npos) << after;
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), std::count(kTemplate, kTemplate + strlen(kTemplate), '\n') + 1 - 4);
  fs::remove(file);
}

TEST(EditRemoveRule, RefusesToEmptyTheRulesOrAMissingRule) {
  auto file = write_template("empty");
  tmpl::TemplateEditor ed;
  std::string err;
  ASSERT_TRUE(ed.apply(remove_at(file, 18, 11), err)) << err;
  EXPECT_FALSE(ed.apply(remove_at(file, 19, 11), err));
  EXPECT_NE(err.find("would be empty"), std::string::npos) << err;
  EXPECT_FALSE(ed.apply(remove_at(file, 16, 7), err));
  EXPECT_NE(err.find("no rule of AlbSg"), std::string::npos) << err;
  fs::remove(file);
}

}  // namespace
}  // namespace vpclab
