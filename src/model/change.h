// A change to the network's declarations, in the model's terms: what
// `vpclab fix` decides (analysis/fix.h) and a front end writes into the
// user's own files (template/edit.h). Each names the resource to change by
// its Origin (stack, logical id, file) and the resources it refers to the
// same way, so the text edit can write `!Ref LogicalId`.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/origin.h"
#include "vocab/ip.h"
#include "vocab/protocol.h"
#include "vocab/source_loc.h"

namespace vpclab::model {

// A resource the change names: its AWS id and, when a template declared it, where.
struct ChangeRef {
  std::string id;
  Origin origin;
};

struct Change {
  enum class Kind {
    kAddSecurityGroupRule,  // target: the security group
    kAddNetworkAclEntry,    // target: the network ACL
    kAddRoute,              // target: the route table
    kSetProperty,           // target's `attribute` := `value`, or a reference to `peer`
    kAssociateHostedZone,   // target: the private hosted zone; peer: the VPC
    kRemoveSecurityGroupRule,  // target: the security group; rule_loc: the rule's list item
    kAddListener,           // target: the load balancer; ports.from: the port; peer: the target group to forward to
    kAddInternetGateway,    // target: the VPC (an InternetGateway and its VPCGatewayAttachment)
    kAddElasticIp,          // target: the instance or network interface (an EIP associated with it)
    kAddPeeringConnection,  // target: the requester VPC; peer: the accepter VPC
    kSetLoadBalancerSubnets,  // target: the load balancer; subnets, and new_subnets made first
    kAddTransitGatewayPropagation,  // target: the TGW route table; peer: the attachment
    kAddTransitGatewayAssociation,  // target: the TGW route table; peer: the attachment
  };
  // A subnet `vpclab fix` creates: in the VPC and Availability Zone of `like`,
  // associated with `route_table`.
  struct NewSubnet {
    Ipv4Cidr cidr;
    ChangeRef like;
    ChangeRef route_table;
  };
  Kind kind = Kind::kAddSecurityGroupRule;
  ChangeRef target;
  // Rules and entries.
  bool egress = false;
  IpProtocol protocol = kTcp;
  PortRange ports;
  std::optional<ChangeRef> peer_group;  // a rule naming a security group
  std::optional<Ipv4Cidr> peer_cidr;    // a rule or entry naming addresses
  int rule_number = 0;                  // NACL entries
  SourceLoc rule_loc;                   // the rule to remove
  // Routes.
  Ipv4Cidr destination;
  ChangeRef route_target;               // pcx-, igw- or tgw-
  // Properties and associations.
  std::string attribute;                // "EnableDnsHostnames", "SubnetId", ...
  std::string value;                    // "true"; empty: a reference to `peer`
  std::optional<ChangeRef> peer;        // the VPC to associate, the subnet to move to, the target group, the peer VPC
  // Load balancer subnets.
  std::vector<ChangeRef> subnets;       // existing subnets, in order
  std::vector<NewSubnet> new_subnets;   // made and listed after them
  std::string why;                      // one line: which explanation this answers
};

}  // namespace vpclab::model
