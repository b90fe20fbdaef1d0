// The neutral network model: one immutable graph of the AWS resources that
// matter for reachability, produced by a front end (template/ from
// CloudFormation, snapshot/ from describe-* JSON) and read by analysis/ and
// emulator/. Ids are AWS-style strings (vpc-, subnet-, rtb-, ...); every
// element keeps the SourceLoc of the input that declared it.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vocab/alb.h"
#include "vocab/diagnostic.h"
#include "vocab/dns.h"
#include "vocab/ip.h"
#include "vocab/rules.h"
#include "model/origin.h"
#include "model/insights.h"

namespace vpclab::model {

struct Vpc {
  std::string id;
  Origin origin;
  std::string name;  // Name tag
  std::vector<Ipv4Cidr> cidrs;  // primary first, then secondary blocks
  std::vector<SourceLoc> cidr_locs;
  bool enable_dns_support = true;
  bool enable_dns_hostnames = false;
  std::string main_route_table;  // rtb-
  std::string default_security_group;  // sg-
  std::string default_network_acl;     // acl-
  std::string internet_gateway;        // igw- attached, or empty
  // The Amazon DNS server: primary CIDR base + 2.
  Ipv4Address resolver_address() const { return Ipv4Address{cidrs.at(0).base.value + 2}; }
  bool contains(Ipv4Address a) const;
};

struct Subnet {
  std::string id;
  Origin origin;
  std::string name;
  std::string vpc;
  Ipv4Cidr cidr;
  SourceLoc cidr_loc;             // where the CIDR was written (origin.loc when unknown)
  std::string availability_zone;  // "ap-northeast-1a"
  bool map_public_ip_on_launch = false;
  // Effective after finalize() (semantics/route.h, semantics/network_acl.h),
  // set whenever the VPC is known: readers use them as they are.
  std::string route_table;  // explicit association or the VPC's main table
  bool route_table_explicit = false;
  std::string network_acl;  // explicit association or the VPC's default NACL
  // Five addresses AWS reserves: network, +1 router, +2 DNS, +3, broadcast.
  bool is_reserved(Ipv4Address a) const;
  Ipv4Address router_address() const { return Ipv4Address{cidr.base.value + 1}; }
};

struct RouteTable {
  std::string id;
  Origin origin;
  std::string name;
  std::string vpc;
  bool main = false;
  std::vector<Route> routes;  // effective: local routes first, then declared routes
};

struct InternetGateway {
  std::string id;
  Origin origin;
  std::string vpc;  // attached VPC, or empty
};

struct NatGateway {
  std::string id;
  Origin origin;
  std::string subnet;
  std::string network_interface;  // eni- holding its private IP
  Ipv4Address private_ip;
  std::optional<Ipv4Address> public_ip;  // the EIP; absent for a private NAT gateway
  bool is_public = true;                 // ConnectivityType public|private
};

struct ElasticIp {
  std::string allocation_id;  // eipalloc-
  Origin origin;
  Ipv4Address public_ip;
  std::string network_interface;  // associated ENI, or empty
};

enum class PeeringState { kActive, kPendingAcceptance, kFailed, kRejected, kDeleted };
const char* peering_state_name(PeeringState s);  // AWS's names: "active", "pending-acceptance", ...

struct PeeringSide {
  std::string vpc;
  std::string account;
  std::string region;
  bool allow_dns_resolution_from_remote_vpc = false;
};

struct VpcPeeringConnection {
  std::string id;  // pcx-
  Origin origin;
  PeeringSide requester;
  PeeringSide accepter;
  PeeringState state = PeeringState::kActive;
  std::string state_reason;  // why failed/pending, for messages
  // Template front end: the accepter accepted a cross-account request
  // (PeerRoleArn given, or the lab manifest says so). finalize() derives
  // `state` from it unless `state_from_input` (snapshots read the state).
  bool accepted = false;
  bool state_from_input = false;
  // The side of `vpc` and the other side (vpc must be one of the two).
  const PeeringSide& side_of(const std::string& vpc) const;
  const PeeringSide& peer_of(const std::string& vpc) const;
};

// ---- Transit gateways (aws-tgw-nlb.md sections 1-4) ----------------------
// The options as AWS reports them after creation; CloudFormation's
// `enable`/`disable` strings read as booleans, AWS's defaults applied.
struct TransitGateway {
  std::string id;  // tgw-
  Origin origin;
  std::string name;
  uint32_t amazon_side_asn = 64512;
  bool default_route_table_association = true;
  bool default_route_table_propagation = true;
  bool auto_accept_shared_attachments = false;
  bool dns_support = true;
  // After finalize(): the default tables (empty when that default is off).
  std::string association_default_route_table;  // tgw-rtb-
  std::string propagation_default_route_table;
  std::string state = "available";
};

// The attachment's state as the EC2 API names it ("available",
// "pendingAcceptance", "pending", "deleted", "failed", "rejected", ...);
// only an available attachment carries traffic.
struct TransitGatewayAttachment {
  std::string id;  // tgw-attach-
  Origin origin;
  std::string name;
  std::string transit_gateway;
  std::string resource_type = "vpc";  // vpc | vpn | peering | direct-connect-gateway | connect
  std::string resource_id;            // vpc- for a VPC attachment
  std::string resource_owner;         // account of the VPC
  std::vector<std::string> subnets;   // VPC attachment: one subnet per AZ, where its ENIs are
  bool appliance_mode_support = false;
  bool dns_support = true;
  // Whether the attachment keeps the TGW's default association / propagation
  // (when the TGW has them enabled). Terraform's
  // transit_gateway_default_route_table_association / _propagation = false
  // (and replace_existing_association) take the attachment out of them;
  // CloudFormation has no such property.
  bool default_association = true;
  bool default_propagation = true;
  std::string state = "available";
  // After finalize(): the one route table the attachment is associated
  // with (explicit, else the TGW's default association table), or empty.
  std::string route_table;
  bool route_table_explicit = false;
  SourceLoc association_loc;  // where the explicit association was declared
  // A snapshot reports association, propagations and state as they are:
  // finalize() adds no defaults to them.
  bool from_input = false;
  // A peering attachment (resource_type "peering") joins transit_gateway,
  // the requester's, to resource_id, the accepter's TGW (in peer_region,
  // account resource_owner). Each side associates it with a table of its
  // own TGW: route_table on the requester's side, peer_route_table on the
  // accepter's. Template: pendingAcceptance until the lab manifest accepts it.
  std::string peer_route_table;
  bool peer_route_table_explicit = false;
  SourceLoc peer_association_loc;
  std::string peer_region;
  bool accepted = false;
  bool available() const { return state == "available"; }
  bool is_peering() const { return resource_type == "peering"; }
  // An attachment of `tgw`: its own, or either end of a peering.
  bool joins(const std::string& tgw) const { return transit_gateway == tgw || (is_peering() && resource_id == tgw); }
  // Whether `tgw` is the accepter's end of this peering: its association is
  // peer_route_table (an association names a table of one end's TGW).
  bool accepter_side(const std::string& tgw) const {
    return is_peering() && tgw == resource_id && tgw != transit_gateway;
  }
  // The table `tgw` associates the attachment with ("" when none).
  const std::string& route_table_of(const std::string& tgw) const {
    return accepter_side(tgw) ? peer_route_table : route_table;
  }
  // The TGW at the other end of a peering seen from `tgw`.
  const std::string& peer_of(const std::string& tgw) const { return tgw == transit_gateway ? resource_id : transit_gateway; }
};

// An AWS RAM resource share (AWS::RAM::ResourceShare): the resources of its
// owner's account it shares (ARNs) with its principals (account ids,
// organization or OU ARNs). A transit gateway is attachable from another
// account only when shared with it.
struct ResourceShare {
  std::string arn;  // arn:aws:ram:REGION:ACCOUNT:resource-share/...
  Origin origin;
  std::string name;
  std::vector<std::string> resource_arns;
  std::vector<std::string> principals;
  bool allow_external_principals = true;
  // Its invitation accepted by the accounts it invites (lab manifest
  // `peerings:` naming the share with `accepted: true`).
  bool invitation_accepted = false;
  SourceLoc loc;
};

// The lab manifest's `organization:`: the accounts of one AWS Organization
// and whether RAM sharing with it is enabled. Without it every account of
// the lab is taken to be in one organization with sharing enabled.
struct Organization {
  std::vector<std::string> accounts;
  bool ram_sharing = true;
  SourceLoc loc;
};

struct TransitGatewayPropagation {
  std::string attachment;
  SourceLoc loc;
  bool implicit = false;  // the TGW's default propagation, not declared
};

struct TransitGatewayRouteTable {
  std::string id;  // tgw-rtb-
  Origin origin;
  std::string name;
  std::string transit_gateway;
  bool implicit = false;  // the default table AWS creates with the TGW
  std::vector<TransitGatewayPropagation> propagations;
  // Declared static routes; after finalize() also the propagated routes
  // (semantics/transit_gateway.h chooses among them).
  std::vector<TransitGatewayRoute> routes;
  // False when the table's routes are not known (a shared TGW seen from the
  // consumer account): the analyzer cannot decide paths through it.
  bool routes_known = true;
};

// A managed prefix list (AWS::EC2::PrefixList, describe-managed-prefix-lists):
// named CIDR sets that security-group rules, VPC routes and TGW routes
// reference by id; a rule or route to it stands for each entry.
struct PrefixListEntry {
  std::optional<Ipv4Cidr> cidr;  // IPv4 entries; IPv6 ones keep only `text`
  std::string text;
  std::string description;
  SourceLoc loc;
  // An entry as an input writes it: an IPv4 CIDR is kept parsed and normalised.
  static PrefixListEntry of(const std::string& text, const std::string& description, SourceLoc loc = {}) {
    PrefixListEntry e{Ipv4Cidr::parse(text), text, description, loc};
    if (e.cidr) e.text = e.cidr->str();
    return e;
  }
};
struct PrefixList {
  std::string id;  // pl-
  Origin origin;
  std::string name;
  std::string address_family = "IPv4";  // IPv4 | IPv6
  int max_entries = 0;
  std::vector<PrefixListEntry> entries;
  std::string owner_id;  // account id, or "AWS" for an AWS-managed list
  SourceLoc loc;
};

// A VPC endpoint (AWS::EC2::VPCEndpoint, describe-vpc-endpoints; rules in
// semantics/vpc_endpoint.h). Gateway (S3, DynamoDB): a route in each of
// route_tables to the service's AWS-managed prefix list; Interface: one ENI
// per subnet with the endpoint's groups, and with private DNS the service's
// public name answering those ENIs inside the VPC; GatewayLoadBalancer:
// read, not modelled (paths through it are undecidable).
struct VpcEndpoint {
  std::string id;  // vpce-
  Origin origin;
  std::string name;
  std::string vpc;
  std::string service_name;  // com.amazonaws.us-east-1.s3
  SourceLoc service_name_loc;
  std::string type = "Gateway";  // Gateway | Interface | GatewayLoadBalancer (VpcEndpointType)
  std::vector<std::string> route_tables;  // Gateway: RouteTableIds
  std::vector<SourceLoc> route_table_locs;
  std::vector<std::string> subnets;  // Interface, GatewayLoadBalancer: SubnetIds
  std::vector<SourceLoc> subnet_locs;
  std::vector<std::string> security_groups;  // Interface: SecurityGroupIds (none: the VPC's default)
  bool private_dns_enabled = false;
  std::string policy_document;  // noted as written, not evaluated
  std::string state = "available";
  // A snapshot reports the routes (describe-route-tables) and the ENIs
  // (NetworkInterfaceIds) as they are: finalize() adds neither.
  bool from_input = false;
  // After finalize(): an interface endpoint's ENIs (one per subnet, in
  // subnet order), a gateway endpoint's prefix list, and the service's
  // public name (what private DNS answers).
  std::vector<std::string> network_interfaces;
  std::string prefix_list;  // pl-
  std::string dns_name;     // s3.us-east-1.amazonaws.com
  bool is_gateway() const { return type == "Gateway"; }
  bool is_interface() const { return type == "Interface"; }
};

// ---- Site-to-site VPN (aws-tgw-nlb.md section 7) ---------------------------
// The customer's device (AWS::EC2::CustomerGateway).
struct CustomerGateway {
  std::string id;  // cgw-
  Origin origin;
  std::string name;
  std::string ip_address;  // the device's public IPv4 address
  uint32_t bgp_asn = 65000;
  std::string type = "ipsec.1";
  std::string state = "available";
};

// A virtual private gateway (AWS::EC2::VPNGateway), the VPN end of a VPC.
struct VpnGateway {
  std::string id;  // vgw-
  Origin origin;
  std::string name;
  std::string type = "ipsec.1";
  uint32_t amazon_side_asn = 64512;
  std::string vpc;  // attached VPC (AWS::EC2::VPCGatewayAttachment), or empty
  SourceLoc attachment_loc;
  std::string state = "available";
  // After finalize(): what the VGW knows, per connection (semantics/vpn.h).
  std::vector<VpnRoute> routes;
};

struct VpnStaticRoute {
  Ipv4Cidr destination;  // an on-premises CIDR
  SourceLoc loc;
  std::string state = "available";
};

// A site-to-site VPN connection (AWS::EC2::VPNConnection) between a customer
// gateway and either a VGW or a TGW (then it is a TGW attachment of type vpn).
struct VpnConnection {
  std::string id;  // vpn-
  Origin origin;
  std::string name;
  std::string customer_gateway;  // cgw-
  std::string vpn_gateway;       // vgw-, or empty
  std::string transit_gateway;   // tgw-, or empty
  std::string type = "ipsec.1";
  bool static_routes_only = false;  // false: BGP
  std::string state = "available";
  // Tunnel states (two per connection); "UP" carries traffic.
  std::vector<std::string> tunnels{"UP", "UP"};
  std::vector<VpnStaticRoute> routes;  // AWS::EC2::VPNConnectionRoute (VGW connections)
  // After finalize(): the TGW attachment (resource type vpn) of a TGW
  // connection, and the CIDRs the AWS side advertises to the customer
  // gateway (the VPC's, or those the TGW's table routes elsewhere).
  std::string transit_gateway_attachment;
  std::vector<Ipv4Cidr> advertised;
  bool available() const { return state == "available"; }
};

// A VPC route table into which a VGW propagates its routes
// (AWS::EC2::VPNGatewayRoutePropagation).
struct VpnGatewayRoutePropagation {
  std::string vpn_gateway;
  std::string route_table;
  SourceLoc loc;
  // A snapshot reports the propagated routes themselves: finalize() adds none.
  bool from_input = false;
};

// The on-premises network behind a customer gateway: what the lab manifest
// gives (`on_premises:`), a snapshot derives from the VPN's static routes.
struct OnPremisesNetwork {
  std::string name;              // "office": also the lab namespace's name
  std::string customer_gateway;  // cgw-
  std::vector<Ipv4Cidr> cidrs;
  SourceLoc loc;
  std::vector<SourceLoc> cidr_locs;
  bool contains(Ipv4Address a) const {
    for (const auto& c : cidrs)
      if (c.contains(a)) return true;
    return false;
  }
  // The host vpclab stands for the network: the first CIDR's base + 10.
  Ipv4Address host_address() const { return Ipv4Address{cidrs.at(0).base.value + 10}; }
};

// A bucket of the lab's S3 (the lab manifest's `s3:`): what `vpclab up`
// serves at S3's addresses in its Region; the objects are the files under
// `directory`. Not an AWS resource of the templates: analysis ignores it.
struct S3Bucket {
  std::string name;
  std::string region;
  std::string directory;  // absolute
  SourceLoc loc;
};

struct SecurityGroup {
  std::string id;  // sg-
  Origin origin;
  std::string group_name;
  std::string vpc;
  bool is_default = false;
  std::vector<SecurityGroupRule> ingress;
  std::vector<SecurityGroupRule> egress;
};

struct NetworkAcl {
  std::string id;  // acl-
  Origin origin;
  std::string vpc;
  bool is_default = false;
  std::vector<NetworkAclEntry> ingress;  // sorted by rule_number
  std::vector<NetworkAclEntry> egress;
};

enum class EniOwnerKind { kInstance, kLoadBalancer, kNatGateway, kVpcEndpoint, kStandalone };

struct NetworkInterface {
  std::string id;  // eni-
  Origin origin;
  std::string subnet;
  std::string vpc;
  // 0.0.0.0 until allocated: finalize() gives such interfaces the lowest free
  // address of their subnet after every explicit address is reserved.
  Ipv4Address private_ip;
  std::vector<Ipv4Address> secondary_private_ips;
  std::optional<Ipv4Address> public_ip;
  // After finalize(): the groups that filter it (semantics/eni.h: none given,
  // the VPC default group; never any for a NAT gateway). Empty: unfiltered.
  std::vector<std::string> security_groups;
  EniOwnerKind owner_kind = EniOwnerKind::kStandalone;
  std::string owner_id;  // i-, the load balancer ARN, nat-, vpce-
  bool source_dest_check = true;
};

enum class InstanceState { kRunning, kStopped, kTerminated };

struct Instance {
  std::string id;  // i-
  Origin origin;
  std::string name;  // Name tag
  std::string subnet;
  std::vector<std::string> network_interfaces;  // primary first
  Ipv4Address private_ip;
  std::optional<Ipv4Address> public_ip;
  std::string private_dns_name;  // ip-10-2-1-10.ap-northeast-1.compute.internal
  std::string public_dns_name;   // empty without a public IP or DNS hostnames off
  std::string key_name;
  std::string image_id;
  std::string instance_type;
  std::string user_data;  // decoded script
  InstanceState state = InstanceState::kRunning;
};

struct LoadBalancerNode {
  std::string subnet;
  std::string availability_zone;
  std::string network_interface;  // eni-
  Ipv4Address private_ip;
  std::optional<Ipv4Address> public_ip;  // internet-facing only
};

struct LoadBalancer {
  std::string arn;
  Origin origin;
  std::string name;
  std::string type = "application";  // application | network | gateway
  bool internal = false;              // Scheme internal vs internet-facing
  std::string vpc;
  std::string dns_name;               // [internal-]NAME-ID.REGION.elb.amazonaws.com
  std::string canonical_hosted_zone_id;
  std::string full_name;              // app/NAME/16hex
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  std::vector<LoadBalancerNode> nodes;  // one per subnet
  alb::LoadBalancerAttributes attributes;
  // NLB: EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic (noted; vpclab
  // models no PrivateLink endpoint services yet). Default on.
  bool enforce_sg_inbound_on_privatelink = true;
};

struct Listener {
  std::string arn;
  Origin origin;
  std::string load_balancer;  // ARN
  std::string protocol = "HTTP";
  uint16_t port = 80;
  alb::ListenerRule default_rule;       // priority 0
  std::vector<alb::ListenerRule> rules;  // sorted by priority
};

struct Target {
  std::string id;  // i- for instance targets, an IP for ip targets
  std::optional<uint16_t> port;  // override of the group's port
  std::string availability_zone;  // ip targets outside the VPC: "all"
  SourceLoc loc;
};

struct TargetGroup {
  std::string arn;
  Origin origin;
  std::string name;
  std::string full_name;  // targetgroup/NAME/16hex
  std::string target_type = "instance";  // instance | ip | lambda | alb (the ALB's ARN as Target.id)
  std::string protocol = "HTTP";
  uint16_t port = 80;
  std::string protocol_version = "HTTP1";
  std::string vpc;
  alb::HealthCheck health_check;
  alb::TargetGroupAttributes attributes;
  std::vector<Target> targets;
  std::vector<std::string> load_balancers;  // ARNs of ALBs forwarding to it
};

// ---- Auto Scaling ----------------------------------------------------------
// What an instance is launched with, as far as reachability cares: a launch
// template version's LaunchTemplateData or a launch configuration.
struct LaunchSpecification {
  std::string image_id;
  std::string instance_type;
  std::string key_name;
  std::vector<std::string> security_groups;  // sg- ids (front ends resolve names)
  std::optional<bool> associate_public_ip;   // absent: the subnet's MapPublicIpOnLaunch
  std::string user_data;                     // decoded script
};

struct LaunchTemplateVersion {
  long number = 1;
  LaunchSpecification data;
  SourceLoc loc;
};

struct LaunchTemplate {
  std::string id;  // lt-
  Origin origin;
  std::string name;
  long default_version = 1;
  std::vector<LaunchTemplateVersion> versions;  // ascending by number
  long latest_version() const { return versions.empty() ? 0 : versions.back().number; }
  const LaunchTemplateVersion* version(long n) const {
    for (const auto& v : versions)
      if (v.number == n) return &v;
    return nullptr;
  }
};

struct LaunchConfiguration {
  std::string name;
  Origin origin;
  LaunchSpecification data;
};

// A member the lab launches when one is terminated (emulator/): prepared by
// finalize() with the next free address of each of the group's subnets, so a
// replacement gets a new id and the next address, as EC2 gives it.
struct AutoScalingReplacement {
  std::string instance_id;
  std::string network_interface;
  size_t subnet_index = 0;  // into AutoScalingGroup::subnets
  Ipv4Address private_ip;
};

struct AutoScalingGroup {
  std::string name;  // AutoScalingGroupName
  std::string arn;
  Origin origin;
  std::vector<std::string> subnets;  // VPCZoneIdentifier, in order
  std::vector<SourceLoc> subnet_locs;
  long min_size = 0;
  long max_size = 0;
  std::optional<long> desired_capacity;
  SourceLoc capacity_loc;
  std::vector<std::string> target_groups;  // ARNs
  std::vector<SourceLoc> target_group_locs;
  std::string health_check_type = "EC2";  // EC2 | ELB
  // What it launches: a launch template (id or name; version as written,
  // "" = $Default) or a launch configuration (by name).
  std::string launch_template_id;
  std::string launch_template_name;
  std::string launch_template_version;
  std::string launch_configuration;
  SourceLoc launch_loc;
  std::string member_name_tag;  // a Name tag with PropagateAtLaunch
  // After finalize(): the spec its members were launched with, the version
  // of the template, and the members in launch order (member k is named
  // "<group>/k": origin.logical_id of the instance).
  LaunchSpecification launched;
  std::optional<long> launched_version;
  std::vector<std::string> instances;
  // A snapshot lists the members as they are: finalize() launches none.
  bool instances_from_input = false;
  std::vector<AutoScalingReplacement> replacements;
  // "GROUP" in member names: the logical id, else the group's name.
  std::string member_base() const { return origin.logical_id.empty() ? name : origin.logical_id; }
};

struct HostedZoneVpc {
  std::string vpc;
  std::string region;
};

struct HostedZone {
  std::string id;  // Z + 13..21 uppercase alphanumerics
  Origin origin;
  std::string name;  // normalized, no trailing dot
  bool is_private = false;
  std::vector<HostedZoneVpc> vpcs;
  std::vector<dns::Record> records;
};

struct Account {
  std::string id;
  std::vector<std::string> regions;
};

// A resource type the front end saw but vpclab does not model (a transit
// gateway, an NLB, ...). Kept so the analyzer can say a path crosses it.
struct UnmodeledResource {
  std::string type;  // "AWS::EC2::TransitGateway"
  std::string id;
  Origin origin;
};

// The whole network. Built once by a NetworkBuilder, then read-only.
class Network {
 public:
  std::vector<Account> accounts;
  std::vector<Vpc> vpcs;
  std::vector<Subnet> subnets;
  std::vector<RouteTable> route_tables;
  std::vector<InternetGateway> internet_gateways;
  std::vector<NatGateway> nat_gateways;
  std::vector<ElasticIp> elastic_ips;
  std::vector<VpcPeeringConnection> peerings;
  std::vector<TransitGateway> transit_gateways;
  std::vector<TransitGatewayAttachment> transit_gateway_attachments;
  std::vector<ResourceShare> resource_shares;
  std::vector<TransitGatewayRouteTable> transit_gateway_route_tables;
  std::vector<CustomerGateway> customer_gateways;
  std::vector<VpnGateway> vpn_gateways;
  std::vector<VpnConnection> vpn_connections;
  std::vector<VpnGatewayRoutePropagation> vpn_gateway_route_propagations;
  std::vector<OnPremisesNetwork> on_premises;
  std::vector<S3Bucket> s3_buckets;  // the lab manifest's `s3:`
  std::optional<Organization> organization;
  std::vector<SecurityGroup> security_groups;
  std::vector<PrefixList> prefix_lists;
  std::vector<VpcEndpoint> vpc_endpoints;
  std::vector<NetworkAcl> network_acls;
  std::vector<NetworkInterface> network_interfaces;
  std::vector<Instance> instances;
  std::vector<LoadBalancer> load_balancers;
  std::vector<Listener> listeners;
  std::vector<TargetGroup> target_groups;
  std::vector<HostedZone> hosted_zones;
  std::vector<LaunchTemplate> launch_templates;
  std::vector<LaunchConfiguration> launch_configurations;
  std::vector<AutoScalingGroup> auto_scaling_groups;
  std::vector<UnmodeledResource> unmodeled;
  // The templates' own Network Access Analyzer scopes and Reachability
  // Analyzer paths (questions about the network, not part of it).
  Assertions assertions;

  // Lookups by id (nullptr when absent). Valid after index().
  const Vpc* vpc(const std::string& id) const;
  const Subnet* subnet(const std::string& id) const;
  const RouteTable* route_table(const std::string& id) const;
  const InternetGateway* internet_gateway(const std::string& id) const;
  const NatGateway* nat_gateway(const std::string& id) const;
  const VpcPeeringConnection* peering(const std::string& id) const;
  const TransitGateway* transit_gateway(const std::string& id) const;
  const TransitGatewayAttachment* transit_gateway_attachment(const std::string& id) const;
  const TransitGatewayRouteTable* transit_gateway_route_table(const std::string& id) const;
  // The available-or-not VPC attachment of `vpc` to `tgw` (nullptr when none).
  const TransitGatewayAttachment* vpc_attachment(const std::string& tgw, const std::string& vpc) const;
  const CustomerGateway* customer_gateway(const std::string& id) const;
  const VpnGateway* vpn_gateway(const std::string& id) const;
  const VpnConnection* vpn_connection(const std::string& id) const;
  // The on-premises network by name, or the one holding `a` (nullptr when none).
  const OnPremisesNetwork* on_premises_network(const std::string& name) const;
  const OnPremisesNetwork* on_premises_network_of(Ipv4Address a) const;
  // The VPN connections of a customer gateway, in declaration order.
  std::vector<const VpnConnection*> vpn_connections_of_customer_gateway(const std::string& cgw) const;
  const SecurityGroup* security_group(const std::string& id) const;
  const PrefixList* prefix_list(const std::string& id) const;
  const VpcEndpoint* vpc_endpoint(const std::string& id) const;
  const NetworkAcl* network_acl(const std::string& id) const;
  const NetworkInterface* network_interface(const std::string& id) const;
  const Instance* instance(const std::string& id) const;
  const LoadBalancer* load_balancer(const std::string& arn) const;
  const TargetGroup* target_group(const std::string& arn) const;
  const HostedZone* hosted_zone(const std::string& id) const;
  const AutoScalingGroup* auto_scaling_group(const std::string& name) const;
  // The group an instance is a member of (nullptr when none).
  const AutoScalingGroup* auto_scaling_group_of(const std::string& instance_id) const;
  // The ENI holding a private IP in a VPC (nullptr when none).
  const NetworkInterface* interface_by_private_ip(const std::string& vpc, Ipv4Address ip) const;
  // The ENI holding a public or elastic IP (nullptr when none).
  const NetworkInterface* interface_by_public_ip(Ipv4Address ip) const;
  std::vector<const Subnet*> subnets_of(const std::string& vpc) const;
  std::vector<const Listener*> listeners_of(const std::string& lb_arn) const;

  // Builds the lookup tables; called once by the builder after filling vectors.
  void index();

 private:
  // Hash maps: ids share long prefixes ("sg-0..."), which makes ordered
  // string comparisons the cost of a lookup in large networks.
  std::unordered_map<std::string, size_t> vpc_ix_, subnet_ix_, rtb_ix_, igw_ix_, nat_ix_, pcx_ix_, sg_ix_, acl_ix_,
      eni_ix_, instance_ix_, lb_ix_, tg_ix_, zone_ix_, tgw_ix_, tgw_attach_ix_, tgw_rtb_ix_, pl_ix_, vpce_ix_, cgw_ix_, vgw_ix_,
      vpn_ix_, asg_ix_, asg_member_ix_;
  std::unordered_map<std::string, size_t> vpc_attach_ix_;  // "tgw/vpc" -> VPC attachment
  std::map<std::pair<std::string, uint32_t>, size_t> eni_by_private_ip_;
  std::map<uint32_t, size_t> eni_by_public_ip_;
};

}  // namespace vpclab::model
