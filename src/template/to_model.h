// CloudFormation resources -> the network model. The engine (engine.h)
// resolves each stack and hands every resource, in dependency order, to a
// ModelSink, which adds it to one model::Network shared by all stacks of a
// lab, and answers Ref/GetAtt from that model (physical ids, addresses, DNS
// names), so values flow between stacks exactly as they would in AWS.
//
// Modeled types: AWS::EC2::{VPC, VPCCidrBlock, Subnet, RouteTable, Route,
// SubnetRouteTableAssociation, InternetGateway, VPCGatewayAttachment,
// NatGateway, EIP, EIPAssociation, VPCPeeringConnection, SecurityGroup,
// SecurityGroupIngress, SecurityGroupEgress, NetworkAcl, NetworkAclEntry,
// SubnetNetworkAclAssociation, NetworkInterface, NetworkInterfaceAttachment,
// Instance, TransitGateway, TransitGatewayAttachment, TransitGatewayVpcAttachment,
// TransitGatewayRouteTable, TransitGatewayRouteTableAssociation,
// TransitGatewayRouteTablePropagation, TransitGatewayRoute}, AWS::ElasticLoadBalancingV2::{LoadBalancer, Listener,
// ListenerRule, TargetGroup}, AWS::Route53::{HostedZone, RecordSet,
// RecordSetGroup}, AWS::EC2::LaunchTemplate, AWS::AutoScaling::{LaunchConfiguration,
// AutoScalingGroup} (members launched by finalize()); the assertions AWS::EC2::{NetworkInsightsAccessScope,
// NetworkInsightsPath} go to Network::assertions. Every other type is noted once (UNMODELED_TYPE) and
// answered by a FabricatingSink; network-relevant ones (transit gateways,
// VPN, endpoints, gateway load balancers, spot fleets, ...) are kept
// as model::UnmodeledResource.
//
// Diagnostic codes:
//   E3002  unknown property (at the key)
//   E3012  property of the wrong type, e.g. a list where a string is required
//   E3003  required property missing (at the resource's logical id)
//   E3014  properties that exclude each other, or none of a required set
//   E3031  malformed value: CIDR, IP address, port, protocol, enum value
//   REF_NOT_MODELED  a resource that modifies another (Route, association,
//          SecurityGroupIngress, ...) names one that is not in the loaded stacks
//   SUBNET_RTB_ASSOCIATED / SUBNET_NACL_ASSOCIATED  second explicit association
//   LB_ATTRIBUTE / TG_ATTRIBUTE  bad LoadBalancerAttributes / TargetGroupAttributes
//   RULE_CONDITION  bad listener-rule condition (duplicate field, > 5 values)
//   USERDATA_BASE64 (warning)  UserData is not base64; kept as written
//   CIDR_HOST_BITS (warning)  a CIDR with host bits set (AWS stores it canonical)
//   UNMODELED_TYPE (note)  a resource type vpclab does not model
// finalize() adds its own (model/finalize_filters.cpp).
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "model/build.h"
#include "model/network.h"
#include "template/engine.h"
#include "template/stack.h"

namespace vpclab::tmpl {

class ModelSink : public ResourceSink {
 public:
  // `net` and `plan` outlive the sink; the caller runs model::finalize()
  // with the same plan after the last stack.
  ModelSink(model::Network& net, model::AddressPlan& plan);
  ~ModelSink() override;

  void add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) override;
  std::optional<Value> ref(const StackContext& stack, const std::string& logical_id) override;
  std::optional<Value> get_att(const StackContext& stack, const std::string& logical_id,
                               const std::string& attribute) override;

  // The peering connection a stack declared (for the lab manifest's
  // acceptance and DNS options); nullptr when that resource is not an
  // AWS::EC2::VPCPeeringConnection of that stack.
  model::VpcPeeringConnection* peering(const std::string& stack, const std::string& logical_id);
  // The transit gateway attachment (peering or VPC) stack.logical_id, or nullptr.
  model::TransitGatewayAttachment* tgw_attachment(const std::string& stack, const std::string& logical_id);
  // The AWS::RAM::ResourceShare stack.logical_id, or nullptr.
  model::ResourceShare* resource_share(const std::string& stack, const std::string& logical_id);
  // The CloudFormation type of a resource added so far ("" when unknown).
  std::string type_of(const std::string& stack, const std::string& logical_id) const;
  // The AWS::EC2::CustomerGateway `logical_id` of `stack`, or nullptr.
  model::CustomerGateway* customer_gateway(const std::string& stack, const std::string& logical_id);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Base64 (RFC 4648, padding optional, whitespace ignored); nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace vpclab::tmpl
