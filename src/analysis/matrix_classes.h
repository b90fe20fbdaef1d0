// Internal to analysis/: classes of matrix parties that behave alike, for
// `matrix --group-by` (Analyzer::matrix_by_class).
//
// Two instances fall in one class when the walker cannot tell them apart:
// the grouping's key (the VPC, the subnet, or the exact set of security
// groups), and always the same VPC shape (matrix_shapes.h: VPCs alike up to
// their own CIDRs and resources), and within it the same subnet route table,
// network ACL, Availability Zone, security groups, instance state and
// public-IP presence; the same groups whose members hold their private
// address (rules that reference a group); and addresses on the same side of
// every CIDR boundary any rule or route of the network draws (security-group
// and NACL CIDRs, prefix lists, VPC, transit gateway and VPN routes, VPC and
// on-premises CIDRs, the private ranges), relative to their VPC's block.
// Subnets a packet can pass through on its way (a transit gateway
// attachment's, a NAT gateway's) are kept apart too. Resources of a VPC are
// compared by their index in it, so a class spans the VPCs of one shape.
//
// Subnet CIDRs are no boundary: inside one subnet traffic skips route table
// and NACL, so whether two members share a subnet is a property of the pair,
// and so is whether they share a VPC. A class pair is evaluated once per such
// situation (one subnet, one VPC, two VPCs); when the same-VPC situations'
// answers differ, the classes involved are split by subnet and evaluated
// again; when members of one VPC and of two answer differently the class pair
// has a cell for each. A load balancer or an on-premises network is a class
// of its own.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/matrix_parties.h"

namespace vpclab::analysis {

enum class GroupBy { kVpc, kSubnet, kSecurityGroup };
std::optional<GroupBy> parse_group_by(std::string_view text);  // "vpc", "subnet", "security-group"
const char* group_by_name(GroupBy g);

// Where a member is: its VPC (nullptr for an on-premises network), its
// subnet (nullptr unless an instance with one interface), and the subnet's
// role (its index among its VPC's resources, alike in every VPC of a shape).
struct Place {
  const model::Vpc* vpc = nullptr;
  const SubnetInfo* subnet = nullptr;
  std::string role;
};

struct PartyClass {
  std::string kind;  // group_by_name(), "load-balancer" or "on-premises"
  std::vector<const Party*> members;
  std::vector<Place> places;  // parallel to members
  // The members by subnet role, in member order (one entry for a load
  // balancer or an on-premises network); `subnet`: the first member's.
  struct Role {
    std::string role;
    const SubnetInfo* subnet;
    std::vector<const Party*> members;
  };
  std::vector<Role> by_subnet;
  // The members by VPC, each VPC's by subnet, in member order.
  struct InVpc {
    const model::Vpc* vpc;
    std::vector<std::pair<const SubnetInfo*, std::vector<const Party*>>> subnets;
  };
  std::vector<InVpc> by_vpc;
  std::unordered_map<const model::Vpc*, size_t> vpc_index;  // into by_vpc
  void add(const Party* p, Place where);
};

class VpcShapes;
// `parties` partitioned into classes, in the order of their first members.
std::vector<PartyClass> classify(const Analyzer::Impl& im, const VpcShapes& shapes, GroupBy by,
                                 const std::vector<const Party*>& parties);

// `c` split into one class per subnet role.
std::vector<PartyClass> split_by_subnet(const PartyClass& c);

}  // namespace vpclab::analysis
