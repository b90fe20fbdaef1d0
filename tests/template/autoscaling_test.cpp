// Auto Scaling groups from CloudFormation: the members the model holds
// (names, ids, subnets, addresses, groups, UserData, target registration),
// launch templates and configurations, and the errors at their places.
#include <gtest/gtest.h>

#include "model_build.h"

namespace vpclab::tmpl {
namespace {

using testing::build;
using testing::Built;

// 25 lines (the leading newline included): added resources start at line 26.
const char* kBase = R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: ap-northeast-1a}
  SubnetC:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: ap-northeast-1c}
  SubnetA2:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.3.0/24, AvailabilityZone: ap-northeast-1a}
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: web, VpcId: !Ref Vpc}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: HTTP, Port: 8080, VpcId: !Ref Vpc}
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {ImageId: ami-1, InstanceType: t3.micro, SecurityGroupIds: [!Ref WebSg], UserData: ZWNobyBoaQo=}
  # ---- added below
)";

TEST(AutoScalingTemplate, MembersExistSpreadOverAzsAndRegisteredInTheTargetGroup) {
  auto b = build(std::string(kBase) + R"(  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetC, !Ref SubnetA2]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: !GetAtt Lt.LatestVersionNumber}
      MinSize: 1
      MaxSize: 6
      DesiredCapacity: 5
      TargetGroupARNs: [!Ref Tg]
      Tags: [{Key: Name, Value: web, PropagateAtLaunch: true}]
Outputs:
  Name: {Value: !Ref Group}
  LtVersion: {Value: !GetAtt Lt.LatestVersionNumber}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  ASSERT_EQ(b->net.auto_scaling_groups.size(), 1u);
  const auto& g = b->net.auto_scaling_groups[0];
  EXPECT_EQ(b->output("Name"), g.name);
  EXPECT_EQ(b->output("LtVersion"), "1");
  EXPECT_EQ(g.launched_version, 1);
  ASSERT_EQ(g.instances.size(), 5u);
  // Round robin over 1a, 1c; the 1a subnets take turns: A, C, A2, C, A.
  const char* want_subnet[] = {"SubnetA", "SubnetC", "SubnetA2", "SubnetC", "SubnetA"};
  const char* want_ip[] = {"10.0.1.4", "10.0.2.4", "10.0.3.4", "10.0.2.5", "10.0.1.5"};
  const model::TargetGroup& tg = b->net.target_groups.at(0);
  ASSERT_EQ(tg.targets.size(), 5u);
  for (int k = 1; k <= 5; ++k) {
    std::string name = "Group/" + std::to_string(k);
    const model::Instance* i = b->member(name);
    ASSERT_TRUE(i) << name;
    EXPECT_EQ(i->id, g.instances[k - 1]);
    EXPECT_EQ(i->id, model::make_id("i", {"123456789012", "ap-northeast-1", "t", name})) << "deterministic, as a resource named " << name;
    EXPECT_EQ(i->origin.display(i->id), "t." + name);
    const model::Subnet* s = b->net.subnet(i->subnet);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->origin.logical_id, want_subnet[k - 1]) << name;
    EXPECT_EQ(i->private_ip.str(), want_ip[k - 1]) << name;
    std::string dashed = want_ip[k - 1];
    for (auto& ch : dashed)
      if (ch == '.') ch = '-';
    EXPECT_EQ(i->private_dns_name, "ip-" + dashed + ".ap-northeast-1.compute.internal");
    EXPECT_EQ(i->name, "web");  // the Name tag propagated at launch
    EXPECT_EQ(i->image_id, "ami-1");
    EXPECT_EQ(i->user_data, "echo hi\n");
    const model::NetworkInterface* e = b->net.network_interface(i->network_interfaces.at(0));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->security_groups, (std::vector<std::string>{b->net.security_groups.at(0).id}));
    EXPECT_FALSE(e->public_ip);
    EXPECT_EQ(tg.targets[k - 1].id, i->id);
    EXPECT_EQ(tg.targets[k - 1].availability_zone, s->availability_zone);
    EXPECT_EQ(b->net.auto_scaling_group_of(i->id), &g);
  }
  // Replacements for a lab: two per subnet, at the next free addresses.
  ASSERT_EQ(g.replacements.size(), 6u);
  EXPECT_EQ(g.replacements[0].private_ip.str(), "10.0.1.6");
  EXPECT_EQ(g.replacements[1].private_ip.str(), "10.0.1.7");
  EXPECT_EQ(g.replacements[2].private_ip.str(), "10.0.2.6");
  EXPECT_EQ(b->net.instance(g.replacements[0].instance_id), nullptr);  // not instances of the model
}

TEST(AutoScalingTemplate, LaunchConfigurationAndMinSizeWhenNoDesiredCapacity) {
  auto b = build(std::string(kBase) + R"(  Lc:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-2
      InstanceType: t3.small
      SecurityGroups: [!Ref WebSg]
      AssociatePublicIpAddress: true
      UserData: !Base64 "python3 -m http.server 8080"
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: !Join [",", [!Ref SubnetA, !Ref SubnetC]]
      LaunchConfigurationName: !Ref Lc
      MinSize: "3"
      MaxSize: "3"
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& g = b->net.auto_scaling_groups.at(0);
  ASSERT_EQ(g.instances.size(), 3u);  // MinSize
  for (const auto& id : g.instances) {
    const model::Instance* i = b->net.instance(id);
    ASSERT_TRUE(i);
    EXPECT_EQ(i->instance_type, "t3.small");
    EXPECT_EQ(i->user_data, "python3 -m http.server 8080");
    EXPECT_TRUE(i->public_ip) << "AssociatePublicIpAddress: true";
    EXPECT_TRUE(b->net.target_groups.at(0).targets.empty());
  }
  EXPECT_EQ(b->net.subnet(b->net.instance(g.instances[2])->subnet)->availability_zone, "ap-northeast-1a");
}

TEST(AutoScalingTemplate, NetworkInterfaceZeroGivesGroupsAndPublicIpAndItsSubnetIsIgnored) {
  auto b = build(std::string(kBase) + R"(  Lt2:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: nic-template
      LaunchTemplateData:
        ImageId: ami-3
        NetworkInterfaces:
          - {DeviceIndex: 0, Groups: [!Ref WebSg], AssociatePublicIpAddress: true, SubnetId: !Ref SubnetA2}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetC]
      LaunchTemplate: {LaunchTemplateName: nic-template, Version: $Default}
      MinSize: 0
      MaxSize: 2
      DesiredCapacity: 1
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const model::Instance* i = b->member("Group/1");
  ASSERT_TRUE(i);
  EXPECT_EQ(b->net.subnet(i->subnet)->origin.logical_id, "SubnetC");
  EXPECT_TRUE(i->public_ip);
  const model::NetworkInterface* e = b->net.network_interface(i->network_interfaces.at(0));
  EXPECT_EQ(e->security_groups, (std::vector<std::string>{b->net.security_groups.at(0).id}));
  EXPECT_TRUE(b->first("ASG_LT_SUBNET_IGNORED"));
}

struct AsgError {
  const char* name;
  const char* resources;
  const char* code;
  uint32_t line;
};

class AutoScalingErrors : public ::testing::TestWithParam<AsgError> {};

TEST_P(AutoScalingErrors, NamedAtTheirPlace) {
  const auto& p = GetParam();
  auto b = build(std::string(kBase) + p.resources);
  EXPECT_FALSE(b->ok);
  const Diagnostic* d = b->first(p.code);
  ASSERT_TRUE(d) << p.name << "\n" << b->dump();
  EXPECT_EQ(d->loc.line, p.line) << d->str();
  EXPECT_STREQ(d->loc.file, intern_file("t.yaml"));
  EXPECT_EQ(d->severity, Severity::kError);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AutoScalingErrors,
    ::testing::Values(
        AsgError{"unknown property", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt}
      MinSize: 1
      MaxSize: 1
      DesiredSize: 1
)", "E3002", 33},
        AsgError{"wrong type", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt}
      MinSize: [1]
      MaxSize: 1
)", "E3012", 31},
        AsgError{"unknown property in LaunchTemplateData", R"(  Lt3:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-1
        SecurityGroupId: [!Ref WebSg]
)", "E3002", 31},
        AsgError{"dangling subnet", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier:
        - !Ref SubnetA
        - subnet-0000000000000dead
      LaunchTemplate: {LaunchTemplateId: !Ref Lt}
      MinSize: 1
      MaxSize: 1
)", "ASG_UNKNOWN_SUBNET", 31},
        AsgError{"dangling launch template", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchTemplate: {LaunchTemplateId: lt-0000000000000dead}
      MinSize: 1
      MaxSize: 1
)", "ASG_UNKNOWN_LAUNCH_TEMPLATE", 30},
        AsgError{"no such version", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: "2"}
      MinSize: 1
      MaxSize: 1
)", "ASG_LAUNCH_TEMPLATE_VERSION", 30},
        AsgError{"dangling target group", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt}
      MinSize: 1
      MaxSize: 1
      TargetGroupARNs:
        - arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/nope/0123456789abcdef
)", "ASG_UNKNOWN_TARGET_GROUP", 34},
        AsgError{"dangling launch configuration", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchConfigurationName: no-such-config
      MinSize: 1
      MaxSize: 1
)", "ASG_UNKNOWN_LAUNCH_CONFIGURATION", 30},
        AsgError{"desired outside min..max", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt}
      MinSize: 1
      MaxSize: 2
      DesiredCapacity: 3
)", "ASG_CAPACITY", 33},
        AsgError{"nothing to launch", R"(  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref SubnetA]
      MinSize: 1
      MaxSize: 1
)", "ASG_NO_LAUNCH", 26}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (auto& c : n)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

}  // namespace
}  // namespace vpclab::tmpl
