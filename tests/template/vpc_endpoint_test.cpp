// VPC endpoints from CloudFormation (template/ec2_endpoints.cpp, the model's
// finalize_endpoints.cpp): a gateway endpoint becomes a route to the
// service's AWS-managed prefix list in each of its route tables, an interface
// endpoint one ENI per subnet with its groups (else the VPC's default), and
// what CreateVpcEndpoint refuses is an error at its line.
#include <gtest/gtest.h>

#include "model_build.h"
#include "semantics/vpc_endpoint.h"

namespace vpclab::tmpl {
namespace {

using testing::build;

// 23 lines; what is appended starts at line 24.
const char* kVpc = R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: ap-northeast-1a}
  SubnetA2:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.3.0/24, AvailabilityZone: ap-northeast-1a}
  SubnetC:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: ap-northeast-1c}
  Rtb:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: endpoint, VpcId: !Ref Vpc}
  Other:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.9.0.0/16}
)";

TEST(VpcEndpointTemplate, GatewayEndpointRoutesToTheServicePrefixList) {
  auto b = build(std::string(kVpc) + R"(  S3:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref Rtb]
Outputs:
  Id: {Value: !Ref S3}
  IdAtt: {Value: !GetAtt S3.Id}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  ASSERT_EQ(b->net.vpc_endpoints.size(), 1u);
  const auto& ep = b->net.vpc_endpoints[0];
  EXPECT_EQ(b->output("Id"), ep.id);
  EXPECT_EQ(b->output("IdAtt"), ep.id);
  EXPECT_EQ(ep.id.rfind("vpce-", 0), 0u);
  EXPECT_EQ(ep.type, "Gateway");  // CloudFormation's default VpcEndpointType
  // The Region's list as semantics knows it (a stand-in outside us-east-1, said in a note).
  auto known = semantics::aws_managed_prefix_list({"ap-northeast-1", "s3", false});
  ASSERT_TRUE(known);
  EXPECT_FALSE(known->confirmed);
  EXPECT_EQ(ep.prefix_list, known->id);
  EXPECT_TRUE(b->has("VPCE_PREFIX_LIST_STAND_IN")) << b->dump();
  const auto* pl = b->net.prefix_list(ep.prefix_list);
  ASSERT_NE(pl, nullptr);
  EXPECT_EQ(pl->name, "com.amazonaws.ap-northeast-1.s3");
  EXPECT_EQ(pl->owner_id, "AWS");
  // The route: destination the list, target the endpoint, its entries resolved, at RouteTableIds' item.
  const model::RouteTable* rtb = nullptr;
  for (const auto& t : b->net.route_tables)
    if (t.origin.logical_id == "Rtb") rtb = &t;
  ASSERT_NE(rtb, nullptr);
  const Route* route = nullptr;
  for (const auto& r : rtb->routes)
    if (r.target_id == ep.id) route = &r;
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->target_kind, RouteTargetKind::kVpcEndpoint);
  EXPECT_EQ(route->destination_prefix_list, pl->id);
  ASSERT_EQ(route->prefix_list_cidrs.size(), known->cidrs.size());
  EXPECT_EQ(route->prefix_list_cidrs[0], known->cidrs[0]);
  EXPECT_EQ(route->state, RouteState::kActive);
  EXPECT_EQ(route->loc.line, 29u);  // the RouteTableIds item
}

TEST(VpcEndpointTemplate, InterfaceEndpointHasOneInterfacePerSubnet) {
  auto b = build(std::string(kVpc) + R"(  Sqs:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.ap-northeast-1.sqs
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      SubnetIds: [!Ref SubnetA, !Ref SubnetC]
  Ssm:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.ap-northeast-1.ssm
      VpcEndpointType: Interface
      SubnetIds: [!Ref SubnetA]
      SecurityGroupIds: [!Ref Sg]
Outputs:
  Enis: {Value: !Join [",", !GetAtt Sqs.NetworkInterfaceIds]}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& sqs = b->net.vpc_endpoints.at(0);
  ASSERT_EQ(sqs.network_interfaces.size(), 2u);
  EXPECT_EQ(b->output("Enis"), sqs.network_interfaces[0] + "," + sqs.network_interfaces[1]);
  EXPECT_EQ(sqs.dns_name, "sqs.ap-northeast-1.amazonaws.com");
  const auto& vpc = b->net.vpcs.at(0);
  for (size_t i = 0; i < 2; ++i) {
    const auto* e = b->net.network_interface(sqs.network_interfaces[i]);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->subnet, sqs.subnets[i]);
    EXPECT_EQ(e->owner_kind, model::EniOwnerKind::kVpcEndpoint);
    EXPECT_EQ(e->owner_id, sqs.id);
    EXPECT_NE(e->private_ip.value, 0u);
    // No SecurityGroupIds: the VPC's default group.
    EXPECT_EQ(e->security_groups, std::vector<std::string>{vpc.default_security_group});
  }
  const auto* ssm = b->net.network_interface(b->net.vpc_endpoints.at(1).network_interfaces.at(0));
  ASSERT_NE(ssm, nullptr);
  EXPECT_EQ(ssm->security_groups, std::vector<std::string>{b->net.security_groups.at(0).id == vpc.default_security_group
                                                                ? b->net.security_groups.at(1).id
                                                                : b->net.security_groups.at(0).id});
}

struct ErrorCase {
  const char* name;
  const char* resources;  // appended to kVpc
  const char* code;
  uint32_t line;
};

class VpcEndpointTemplateErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(VpcEndpointTemplateErrors, AtTheLine) {
  auto b = build(std::string(kVpc) + GetParam().resources);
  EXPECT_FALSE(b->ok);
  const Diagnostic* d = b->first(GetParam().code);
  ASSERT_NE(d, nullptr) << b->dump();
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->loc.line, GetParam().line) << d->str();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, VpcEndpointTemplateErrors,
    ::testing::Values(
        ErrorCase{"service_name_pattern", R"(  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: s3.amazonaws.com
      RouteTableIds: [!Ref Rtb]
)",
                  "VPCE_SERVICE_NAME", 28},
        ErrorCase{"route_tables_on_interface", R"(  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.ap-northeast-1.sqs
      VpcEndpointType: Interface
      SubnetIds: [!Ref SubnetA]
      RouteTableIds: [!Ref Rtb]
)",
                  "VPCE_PROPERTY_TYPE", 31},
        ErrorCase{"two_subnets_one_zone", R"(  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.ap-northeast-1.sqs
      VpcEndpointType: Interface
      SubnetIds:
        - !Ref SubnetA
        - !Ref SubnetC
        - !Ref SubnetA2
)",
                  "VPCE_SUBNET_SAME_AZ", 33},
        ErrorCase{"vpc_missing", R"(  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      ServiceName: com.amazonaws.ap-northeast-1.s3
)",
                  "E3003", 24},
        ErrorCase{"no_gateway_for_the_service", R"(  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.ap-northeast-1.sqs
      RouteTableIds: [!Ref Rtb]
)",
                  "VPCE_SERVICE_NO_GATEWAY", 28},
        ErrorCase{"route_table_of_another_vpc", R"(  OtherRtb:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Other}
  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.ap-northeast-1.dynamodb
      RouteTableIds: [!Ref OtherRtb]
)",
                  "VPCE_ROUTE_TABLE_OTHER_VPC", 32},
        ErrorCase{"private_dns_without_hostnames", R"(  V2:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.8.0.0/16}
  S2:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref V2, CidrBlock: 10.8.1.0/24}
  E:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref V2
      ServiceName: com.amazonaws.ap-northeast-1.sqs
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      SubnetIds: [!Ref S2]
)",
                  "VPCE_PRIVATE_DNS_VPC_ATTRIBUTES", 30}),
    [](const ::testing::TestParamInfo<ErrorCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace vpclab::tmpl
