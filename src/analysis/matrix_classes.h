// Internal to analysis/: classes of matrix parties that behave alike, for
// `matrix --group-by` (Analyzer::matrix_by_class).
//
// Two instances fall in one class when the walker cannot tell them apart:
// the grouping's key (the VPC, the subnet, or the exact set of security
// groups), and always the same VPC, subnet route table, network ACL,
// Availability Zone, security groups, instance state and public-IP presence;
// the same groups whose members hold their private address (rules that
// reference a group); and addresses on the same side of every CIDR boundary
// any rule or route of the network draws (security-group and NACL CIDRs,
// prefix lists, VPC, transit gateway and VPN routes, VPC and on-premises
// CIDRs, the private ranges). Subnets a packet can pass through on its way
// (a transit gateway attachment's, a NAT gateway's) are kept apart too.
//
// Subnet CIDRs are no boundary: inside one subnet traffic skips route table
// and NACL, so whether two members share a subnet is a property of the pair.
// A class pair is evaluated once per such situation; when the situations'
// answers differ, the classes involved are split by subnet and evaluated
// again. A load balancer or an on-premises network is a class of its own.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/matrix_parties.h"

namespace vpclab::analysis {

enum class GroupBy { kVpc, kSubnet, kSecurityGroup };
std::optional<GroupBy> parse_group_by(std::string_view text);  // "vpc", "subnet", "security-group"
const char* group_by_name(GroupBy g);

struct PartyClass {
  std::string kind;  // group_by_name(), "load-balancer" or "on-premises"
  std::vector<const Party*> members;
  // The members by subnet, in member order (one entry, nullptr, for a load
  // balancer or an on-premises network).
  std::vector<std::pair<const SubnetInfo*, std::vector<const Party*>>> by_subnet;
};

// `parties` partitioned into classes, in the order of their first members.
std::vector<PartyClass> classify(const Analyzer::Impl& im, GroupBy by, const std::vector<const Party*>& parties);

// `c` split into one class per subnet.
std::vector<PartyClass> split_by_subnet(const PartyClass& c);

}  // namespace vpclab::analysis
