// VPC endpoints (aws-tgw-nlb.md section 9; AWS PrivateLink guide): what a
// service name means, the AWS-managed prefix lists of the gateway services,
// what a gateway endpoint carries and an interface endpoint's placement and
// private DNS name. Pure functions over names and addresses: the model's
// finalize() applies them to CloudFormation and snapshots alike, the
// analyzer follows routes to a gateway endpoint through them.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vocab/ip.h"
#include "vocab/protocol.h"

namespace vpclab::semantics {

// VpcEndpointType values (CreateVpcEndpoint; CloudFormation's default is Gateway).
enum class VpcEndpointType { kGateway, kInterface, kGatewayLoadBalancer };
std::optional<VpcEndpointType> parse_vpc_endpoint_type(std::string_view s);  // "Gateway", "Interface", ...
const char* vpc_endpoint_type_name(VpcEndpointType t);

// A ServiceName taken apart: `com.amazonaws.REGION.SERVICE` (SERVICE may
// hold dots: ecr.dkr), `aws.sagemaker.REGION.SERVICE`, or an endpoint
// service `com.amazonaws.vpce.REGION.vpce-svc-...` (a PrivateLink service).
struct ServiceName {
  std::string region;
  std::string service;            // "s3", "sqs", "ecr.dkr"; the vpce-svc- id of an endpoint service
  bool endpoint_service = false;  // com.amazonaws.vpce.REGION.vpce-svc-...
};
// nullopt when `name` follows none of those patterns (CreateVpcEndpoint
// answers InvalidServiceName).
std::optional<ServiceName> parse_service_name(std::string_view name);

// The services AWS offers gateway endpoints for: S3, DynamoDB (and S3
// Express One Zone, `s3express`).
bool has_gateway_endpoint(const ServiceName& s);

// The AWS-managed prefix list of a gateway service in a Region
// (PrefixListName com.amazonaws.REGION.SERVICE). us-east-1's ids and CIDRs
// are AWS's, as Batfish's recorded snapshots hold them (describe-prefix-
// lists). UNCONFIRMED elsewhere: a deterministic stand-in id (pl- and 8 hex
// digits of a hash of the name) and stand-in CIDRs (S3 52.92.4i.0/22,
// DynamoDB 52.93.4i.0/22, s3express 52.91.4i.0/22, i the Region's place in
// a fixed list), `confirmed` false; a snapshot's describe-managed-prefix-lists
// replaces them. A route to the list matches by each entry's length, so for
// S3's addresses it beats 0.0.0.0/0 (CreateRoute: "the route with the most
// specific match"; semantics/route.h).
struct ManagedPrefixList {
  std::string id;    // pl-...
  std::string name;  // com.amazonaws.REGION.SERVICE
  std::vector<Ipv4Cidr> cidrs;
  bool confirmed = false;
};
std::optional<ManagedPrefixList> aws_managed_prefix_list(const ServiceName& s);

// The service's public DNS name: SERVICE.REGION.amazonaws.com (what private
// DNS of an interface endpoint answers inside the VPC).
std::string service_public_dns_name(const ServiceName& s);

// The one public address vpclab gives a service's public name outside an
// endpoint's private DNS: the first prefix-list entry's base + 10 (a
// stand-in: AWS answers many addresses of those ranges).
Ipv4Address service_public_address(const std::vector<Ipv4Cidr>& prefix_list_cidrs);

// A gateway endpoint carries TCP and ICMP echo only (Reachability Analyzer:
// VPCE_GATEWAY_PROTOCOL_RESTRICTION). True when `p` passes.
bool gateway_endpoint_forwards_protocol(IpProtocol p);

// Only traffic that originates in the endpoint's VPC uses a gateway
// endpoint: not from a peered VPC, a transit gateway or on premises
// (VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION). True when `src` may.
bool gateway_endpoint_accepts(const std::vector<Ipv4Cidr>& vpc_cidrs, Ipv4Address src);

// An interface endpoint takes one subnet per Availability Zone
// (CreateVpcEndpoint: "DuplicateSubnetsInSameZone"). The index of the first
// subnet whose zone an earlier one already has, or nullopt.
std::optional<size_t> second_subnet_in_zone(const std::vector<std::string>& subnet_zones);

}  // namespace vpclab::semantics
