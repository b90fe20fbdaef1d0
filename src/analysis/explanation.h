// Explanation codes for blocked or undecidable paths. Reachability
// Analyzer's names where the meaning matches, vpclab's own otherwise; the
// full list with meanings is docs/explanation-codes.md.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vocab/ip.h"
#include "vocab/protocol.h"
#include "vocab/source_loc.h"

namespace vpclab::analysis {

struct CodeInfo {
  const char* code;
  const char* meaning;  // one line: what the code says
  const char* fix;      // one line: the usual fix
  bool reachability_analyzer;  // true when AWS Reachability Analyzer uses the same name
  bool undecidable;            // the path crosses something vpclab does not model
};

// Every code, in documentation order.
const std::vector<CodeInfo>& all_codes();
// nullptr for an unknown code.
const CodeInfo* code_info(std::string_view code);

// What a template change has to touch to open a blocked path, in the model's
// terms (`vpclab fix`, analysis/fix.h). Set on the explanations a change
// to the user's own resources can answer.
struct Blocker {
  enum class Kind {
    kSecurityGroup, kNetworkAcl, kRouteTable, kVpcDnsSupport, kVpcDnsHostnames, kZoneAssociation,
    kNatGatewaySubnet,  // a NAT gateway whose subnet routes the traffic back to it (a loop)
    kListener,          // a load balancer with no listener on the port (resource: its ARN; ports: the port)
    kInternetGateway,   // a VPC with no internet gateway attached (resource: the VPC)
    kPublicAddress,     // an interface with no public or Elastic IP (resource: the ENI)
    kPeering,           // two VPCs nothing connects (resource: the sender's VPC; vpc: the other)
    kLoadBalancerSubnets,  // an internet-facing load balancer in subnets with no internet route (resource: its ARN)
    kTransitGatewayPropagation,  // a TGW route table (tgw-rtb-) lacking the destination's propagation
    kTransitGatewayAssociation,  // a TGW attachment (tgw-attach-) associated with no table
  };
  Kind kind = Kind::kSecurityGroup;
  std::string resource;  // the ENI (security groups, addresses), acl-, rtb-, vpc-, nat-, tgw-rtb-, tgw-attach-, hosted zone id, or ARN
  bool egress = false;   // security groups and network ACLs: the outbound rules
  bool reply = false;    // on the reply leg
  IpProtocol protocol = kTcp;
  PortRange ports;       // what has to pass (on a reply leg: the client's ephemeral ports)
  Ipv4Address peer;      // the other end as the component sees it; routes: the address looked up
  std::string vpc;       // zone association: the VPC to associate; peering: the other VPC
};

// One reason a path is blocked (or undecidable, or a warning on a reachable
// path): the code, the blocking component ("Stack.LogicalId (sg-...)"), a
// message about this network, and a one-line fix.
struct Explanation {
  std::string code;
  std::string component;
  std::string message;
  std::string fix;
  SourceLoc loc;       // the declaration to change, when known
  bool warning = false;  // does not block the path
  std::optional<Blocker> blocker;  // what to change, when a template change can open it
  bool health_check = false;  // on a health check's leg (a warning: the group fails open)
};

}  // namespace vpclab::analysis
