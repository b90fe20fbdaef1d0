// Turning what a front end filled in into a finished, validated Network.
//
// A front end (template/, snapshot/) fills the vectors of a Network with the
// resources as declared, using make_id() for resources that have no physical
// id yet and an AddressPlan for private IPs, then calls finalize(). finalize()
// adds what AWS adds implicitly, computes effective state, validates what
// the AWS APIs would reject, and indexes. Problems go to `diags` with the
// source location of the offending declaration.
#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::model {

// Deterministic AWS-style id: prefix + 17 hex digits (8 for "igw"-style
// short ids is not used: AWS issues 17 today), derived from the key parts by
// a stable hash, so the same input gives the same id on every machine.
// make_id("vpc", {account, stack, logical_id}) -> "vpc-0a1b2c3d4e5f60718".
std::string make_id(std::string_view prefix, std::initializer_list<std::string_view> key);
// Deterministic decimal digits / hex digits of a given length from a key.
std::string make_digits(size_t n, std::initializer_list<std::string_view> key);
std::string make_hex(size_t n, std::initializer_list<std::string_view> key);

// Private-address allocation per subnet, the way AWS does it in effect:
// explicit addresses are reserved first, then each request gets the lowest
// free non-reserved address of its subnet, so results are deterministic.
class AddressPlan {
 public:
  // Reserves an explicit address; false if outside the subnet, reserved by
  // AWS, or already taken.
  bool reserve(const Subnet& subnet, Ipv4Address a);
  // Next free address, or nullopt when the subnet is full.
  std::optional<Ipv4Address> allocate(const Subnet& subnet);
  size_t used(const std::string& subnet_id) const;

 private:
  std::map<std::string, std::set<uint32_t>> taken_;
  std::map<std::string, uint32_t> next_;
};

struct FinalizeOptions {
  std::string default_account = "123456789012";
  std::string default_region = "ap-northeast-1";
};

// Completes and validates `net` in place:
// - per VPC: main route table, default security group (self ingress, all
//   egress) and default NACL (rule 100 allow all, both directions) when the
//   front end did not supply them; the IGW attachment;
// - per route table: `local` routes for every VPC CIDR block, route state
//   (blackhole when the target does not exist or is not attached);
// - per subnet: effective route table and NACL;
// - peering states (overlap -> failed, cross-account without acceptance ->
//   pending-acceptance), duplicate peerings (error);
// - ALB nodes (one per subnet, with ENIs and addresses), DNS names;
// - validation of what AWS rejects (CIDR sizes, subnet outside its VPC,
//   overlapping subnets, ALB subnets/AZs, listener ports and rule
//   priorities, route targets, ...).
// Then calls net.index(). Returns false when any error was reported.
bool finalize(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts = {});

}  // namespace vpclab::model
