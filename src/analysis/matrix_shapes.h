// Internal to analysis/: VPCs alike up to their own CIDRs and resources
// ("shapes"), so that `matrix --group-by` classes may span VPCs.
//
// Two VPCs share a shape only when swapping them (their CIDR blocks, address
// for address, and their resources, one for one) maps the network onto
// itself; then every pair of parties answers as the swapped pair does. Each
// VPC's signature is every element of the network that mentions it (its own
// subnets, route tables and routes, NACL entries, security groups and rules,
// interfaces, instances, attachments; and elsewhere: TGW routes, associations
// and propagations, peerings, prefix-list entries, VPN routes, on-premises
// CIDRs, rules of other VPCs naming its CIDRs or groups), written with the
// VPC's own blocks and resources as SELF (block + offset, own index) and
// everything else as it is, plus every CIDR anywhere that covers its blocks.
// Equal signatures make the swap an automorphism: an element mentioning one
// of the two has its image among those mentioning the other, an element
// mentioning both cannot be written alike from either side (the other is
// named outright), and an element mentioning neither covers both or neither.
// What the walk reads but this does not write out (load balancers, target
// groups) keeps its VPC a shape of its own.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/impl.h"

namespace vpclab::analysis {

// Every CIDR boundary a rule or route of the network draws (subnet CIDRs
// aside): two addresses in one piece match the same CIDR rules.
class AddressPieces {
 public:
  explicit AddressPieces(const Analyzer::Impl& im);
  size_t piece(Ipv4Address a) const;

 private:
  void add(const Ipv4Cidr& c) { add(c.first().value, c.last().value); }
  void add(uint32_t lo, uint32_t hi);
  std::vector<uint32_t> starts_;
};

class VpcShapes {
 public:
  VpcShapes(const Analyzer::Impl& im, const AddressPieces& pieces);
  // The shape of `vpc` (nullptr: none), its VPCs in model order.
  uint32_t shape(const model::Vpc* vpc) const;
  const std::vector<const model::Vpc*>& alike(uint32_t shape) const { return members_[shape]; }
  size_t count() const { return members_.size(); }
  // A VPC's resource (subnet, route table, group, ...) as its index among
  // the VPC's resources: the same for its image in a VPC alike. Other ids as they are.
  std::string local(const std::string& id) const;
  // `a` (inside `vpc`) as its block and piece relative to the block's first address.
  std::string relative_piece(const model::Vpc* vpc, Ipv4Address a) const;
  const AddressPieces& pieces() const { return pieces_; }

 private:
  const Analyzer::Impl& im_;
  const AddressPieces& pieces_;
  std::vector<uint32_t> shape_;  // by VPC index
  std::vector<std::vector<const model::Vpc*>> members_;
  std::unordered_map<std::string_view, uint32_t> local_;  // VPC-owned id (the model's) -> index in its VPC
};

}  // namespace vpclab::analysis
