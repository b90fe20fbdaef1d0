// Value types for the rules AWS evaluates on packets: routes, security-group
// rules and network-ACL entries. Evaluation lives in semantics/.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "vocab/ip.h"
#include "vocab/protocol.h"
#include "vocab/source_loc.h"

namespace vpclab {

enum class RouteTargetKind {
  kLocal,
  kInternetGateway,
  kNatGateway,
  kVpcPeeringConnection,
  kNetworkInterface,
  kInstance,
  kVpnGateway,
  kTransitGateway,
  kVpcEndpoint,
  kEgressOnlyInternetGateway,
  kCarrierGateway,
  kLocalGateway,
  kCoreNetwork,
};
const char* route_target_kind_name(RouteTargetKind k);  // the CloudFormation property name

enum class RouteState { kActive, kBlackhole };

struct Route {
  std::optional<Ipv4Cidr> destination;  // IPv4 destination; empty when IPv6 or prefix list
  std::string destination_ipv6;         // text, not routed yet
  std::string destination_prefix_list;  // pl-...: routes to each of prefix_list_cidrs
  std::vector<Ipv4Cidr> prefix_list_cidrs;  // the list's IPv4 entries (model::finalize() fills them)
  RouteTargetKind target_kind = RouteTargetKind::kLocal;
  std::string target_id;                // "local", igw-..., nat-..., pcx-..., eni-..., i-...
  RouteState state = RouteState::kActive;
  bool propagated = false;
  SourceLoc loc;
};

// A route of a transit gateway route table (aws-tgw-nlb.md section 3): a
// destination to one attachment, or a blackhole. Static routes are declared;
// propagated ones are what an attachment's propagation adds (a VPC's CIDRs).
struct TransitGatewayRoute {
  std::optional<Ipv4Cidr> destination;  // empty for a prefix-list reference
  std::string destination_prefix_list;
  std::vector<Ipv4Cidr> prefix_list_cidrs;  // the list's IPv4 entries (model::finalize() fills them)
  std::string attachment;               // tgw-attach-...; empty for a blackhole
  bool blackhole = false;
  bool propagated = false;
  SourceLoc loc;
};

// A route a virtual private gateway knows (aws-tgw-nlb.md section 7): an
// on-premises prefix reached by one VPN connection, from a static route
// (AWS::EC2::VPNConnectionRoute) or learned by BGP.
struct VpnRoute {
  Ipv4Cidr destination;
  std::string connection;  // vpn-
  bool static_route = false;
  SourceLoc loc;
};

enum class Direction { kIngress, kEgress };

// One permission of a security group, in one direction. The peer is exactly
// one of: an IPv4 CIDR, an IPv6 CIDR, a security group, a prefix list.
struct SecurityGroupRule {
  Direction direction = Direction::kIngress;
  IpProtocol protocol = kAllProtocols;
  PortRange ports = PortRange::all();  // tcp/udp only
  int icmp_type = -1;                  // icmp only; -1 = any
  int icmp_code = -1;
  std::optional<Ipv4Cidr> cidr;
  std::string cidr_ipv6;
  std::string group_id;     // sg-...
  std::string group_owner;  // account id for a cross-account reference, else empty
  std::string prefix_list_id;
  std::vector<Ipv4Cidr> prefix_list_cidrs;  // the list's IPv4 entries (model::finalize() fills them)
  std::string description;
  SourceLoc loc;
};

// One NACL entry. Ordered by rule_number within its direction; first match wins.
struct NetworkAclEntry {
  int rule_number = 0;  // 1..32766; 32767 = the final "*" deny
  Direction direction = Direction::kIngress;
  bool allow = false;
  IpProtocol protocol = kAllProtocols;
  PortRange ports = PortRange::all();
  int icmp_type = -1;
  int icmp_code = -1;
  std::optional<Ipv4Cidr> cidr;
  std::string cidr_ipv6;
  SourceLoc loc;
};

}  // namespace vpclab
