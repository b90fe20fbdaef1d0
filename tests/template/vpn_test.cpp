// Site-to-site VPN resources from CloudFormation (template/ec2_vpn.cpp, the
// model's finalize_vpn.cpp): Ref and GetAtt give the ids AWS would, a VPN
// connection to a TGW becomes a vpn attachment with the TGW's defaults, and
// what the EC2 API refuses is an error at its line.
#include <gtest/gtest.h>

#include "model_build.h"

namespace vpclab::tmpl {
namespace {

using testing::build;
using testing::Built;

// 13 lines; what is appended starts at line 14.
const char* kVpc = R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsHostnames: true
  Cgw:
    Type: AWS::EC2::CustomerGateway
    Properties: {Type: ipsec.1, IpAddress: 198.51.100.1, BgpAsn: 65001}
  Vgw:
    Type: AWS::EC2::VPNGateway
    Properties: {Type: ipsec.1, AmazonSideAsn: 64600}
)";

TEST(VpnTemplate, RefAndGetAttGiveAwsIds) {
  auto b = build(std::string(kVpc) + R"(  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, VpnGatewayId: !Ref Vgw}
  Vpn:
    Type: AWS::EC2::VPNConnection
    Properties: {Type: ipsec.1, CustomerGatewayId: !Ref Cgw, VpnGatewayId: !Ref Vgw, StaticRoutesOnly: true}
Outputs:
  Cgw: {Value: !Ref Cgw}
  CgwAtt: {Value: !GetAtt Cgw.CustomerGatewayId}
  Vgw: {Value: !Ref Vgw}
  VgwAtt: {Value: !GetAtt Vgw.VPNGatewayId}
  Vpn: {Value: !Ref Vpn}
  VpnAtt: {Value: !GetAtt Vpn.VpnConnectionId}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_EQ(b->output("Cgw").rfind("cgw-", 0), 0u) << b->output("Cgw");
  EXPECT_EQ(b->output("CgwAtt"), b->output("Cgw"));
  EXPECT_EQ(b->output("Vgw").rfind("vgw-", 0), 0u);
  EXPECT_EQ(b->output("VgwAtt"), b->output("Vgw"));
  EXPECT_EQ(b->output("Vpn").rfind("vpn-", 0), 0u);
  EXPECT_EQ(b->output("VpnAtt"), b->output("Vpn"));
  ASSERT_EQ(b->net.vpn_gateways.size(), 1u);
  EXPECT_EQ(b->net.vpn_gateways[0].vpc, b->net.vpcs.at(0).id);
  EXPECT_EQ(b->net.vpn_gateways[0].amazon_side_asn, 64600u);
  EXPECT_EQ(b->net.customer_gateways.at(0).bgp_asn, 65001u);
  EXPECT_TRUE(b->net.vpn_connections.at(0).static_routes_only);
  // The VGW advertises its VPC's CIDR to the customer gateway.
  ASSERT_EQ(b->net.vpn_connections[0].advertised.size(), 1u);
  EXPECT_EQ(b->net.vpn_connections[0].advertised[0].str(), "10.0.0.0/16");
  EXPECT_TRUE(b->net.unmodeled.empty());
}

TEST(VpnTemplate, ConnectionToATgwIsAVpnAttachmentWithTheDefaults) {
  auto b = build(std::string(kVpc) + R"(  Tgw:
    Type: AWS::EC2::TransitGateway
  Vpn:
    Type: AWS::EC2::VPNConnection
    Properties: {Type: ipsec.1, CustomerGatewayId: !Ref Cgw, TransitGatewayId: !Ref Tgw}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& c = b->net.vpn_connections.at(0);
  const auto* a = b->net.transit_gateway_attachment(c.transit_gateway_attachment);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->resource_type, "vpn");
  EXPECT_EQ(a->resource_id, c.id);
  EXPECT_EQ(a->id.rfind("tgw-attach-", 0), 0u);
  const auto& g = b->net.transit_gateways.at(0);
  EXPECT_EQ(a->route_table, g.association_default_route_table);  // DefaultRouteTableAssociation
  const auto* t = b->net.transit_gateway_route_table(g.propagation_default_route_table);
  ASSERT_NE(t, nullptr);
  bool propagates = false;
  for (const auto& p : t->propagations) propagates = propagates || p.attachment == a->id;
  EXPECT_TRUE(propagates);  // DefaultRouteTablePropagation; BGP without on_premises: no prefix yet
}

struct ErrorCase {
  const char* name;
  const char* resources;  // appended to kVpc
  const char* code;
  uint32_t line;
};

class VpnTemplateErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(VpnTemplateErrors, AtTheLine) {
  auto b = build(std::string(kVpc) + GetParam().resources);
  EXPECT_FALSE(b->ok);
  const Diagnostic* d = b->first(GetParam().code);
  ASSERT_NE(d, nullptr) << b->dump();
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->loc.line, GetParam().line) << d->str();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, VpnTemplateErrors,
    ::testing::Values(
        ErrorCase{"bgp_asn_range", R"(  Cgw2:
    Type: AWS::EC2::CustomerGateway
    Properties:
      Type: ipsec.1
      IpAddress: 198.51.100.2
      BgpAsn: 0
)",
                  "CGW_BGP_ASN", 19},
        ErrorCase{"vgw_asn_range", R"(  Vgw2:
    Type: AWS::EC2::VPNGateway
    Properties:
      Type: ipsec.1
      AmazonSideAsn: 100
)",
                  "E3034", 18},
        ErrorCase{"vgw_attached_twice", R"(  Vpc2:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.1.0.0/16}
  A1:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, VpnGatewayId: !Ref Vgw}
  A2:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc2, VpnGatewayId: !Ref Vgw}
)",
                  "VGW_ATTACHED", 20},
        ErrorCase{"two_vgws_one_vpc", R"(  Vgw2:
    Type: AWS::EC2::VPNGateway
    Properties: {Type: ipsec.1}
  A1:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, VpnGatewayId: !Ref Vgw}
  A2:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, VpnGatewayId: !Ref Vgw2}
)",
                  "VGW_VPC_HAS_GATEWAY", 20},
        ErrorCase{"route_unknown_connection", R"(  R:
    Type: AWS::EC2::VPNConnectionRoute
    Properties: {VpnConnectionId: vpn-0123456789abcdef0, DestinationCidrBlock: 192.168.0.0/16}
)",
                  "REF_NOT_MODELED", 16},
        ErrorCase{"propagation_unknown_vgw", R"(  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  P:
    Type: AWS::EC2::VPNGatewayRoutePropagation
    Properties: {VpnGatewayId: vgw-0123456789abcdef0, RouteTableIds: [!Ref Rt]}
)",
                  "REF_NOT_MODELED", 19},
        ErrorCase{"missing_type", R"(  Vpn:
    Type: AWS::EC2::VPNConnection
    Properties: {CustomerGatewayId: !Ref Cgw, VpnGatewayId: !Ref Vgw}
)",
                  "E3003", 14}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vpclab::tmpl
