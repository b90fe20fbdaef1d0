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
  // True when `a` is already reserved or allocated in that subnet.
  bool taken(const std::string& subnet_id, Ipv4Address a) const;

  // Public addresses (auto-assigned public IPs, Elastic IPs, internet-facing
  // ALB nodes) come from ranges that are never routed on the internet, in
  // this order: 203.0.113.0/24, 198.51.100.0/24, 192.0.2.0/24 (RFC 5737
  // documentation ranges), then 198.18.0.0/15 (RFC 2544 benchmarking). None
  // is private or shared (is_private_or_shared() is false), so IGW rules treat
  // them as public. Sequential in request order: deterministic for one input.
  std::optional<Ipv4Address> allocate_public();
  bool reserve_public(Ipv4Address a);  // false when already taken

 private:
  std::map<std::string, std::set<uint32_t>> taken_;
  std::map<std::string, uint32_t> next_;
  std::set<uint32_t> public_taken_;
  uint64_t public_next_ = 0;  // index into the concatenated public ranges
};

// Names AWS derives, shared by the front ends (which need them at Ref/GetAtt
// time, before finalize) and finalize() (which fills what is still empty).
//
// Private DNS name: ip-10-2-1-10.REGION.compute.internal (us-east-1:
// ip-10-2-1-10.ec2.internal).
std::string private_dns_name(Ipv4Address a, const std::string& region);
// Public DNS name: ec2-203-0-113-5.REGION.compute.amazonaws.com (us-east-1:
// ec2-203-0-113-5.compute-1.amazonaws.com).
std::string public_dns_name(Ipv4Address a, const std::string& region);
// Route 53 zone id of ELB DNS names in a region ("application"/"network");
// empty for an unknown region.
std::string elb_canonical_hosted_zone_id(const std::string& region, const std::string& lb_type);
// Fills lb.arn (when empty), full_name, dns_name and canonical_hosted_zone_id
// from lb.name, lb.type, lb.internal and the account/region:
// arn:aws:elasticloadbalancing:REGION:ACCT:loadbalancer/app/NAME/<16 hex>,
// [internal-]NAME-<10 digits>.REGION.elb.amazonaws.com. Deterministic.
void assign_load_balancer_names(LoadBalancer& lb, const std::string& account, const std::string& region);
// Same for a target group: arn (when empty) and full_name targetgroup/NAME/<16 hex>.
void assign_target_group_names(TargetGroup& tg, const std::string& account, const std::string& region);

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
// Also: every NACL gets its final `*` deny entries (rule number 32767) so
// readers need not add them; network interfaces with private_ip 0.0.0.0 get
// the lowest free address of their subnet (explicit ones reserved first);
// Elastic IP associations set the interface's public IP; instances take
// their primary interface's addresses and get DNS names; target groups'
// load_balancers are recomputed from the listeners' forward actions.
// Route states: a route to a target missing from the model, an internet
// gateway not attached to the table's VPC, a stopped instance or a peering
// that is not active is a blackhole (AWS accepts routes to a
// pending-acceptance peering and shows them as blackhole until it is active).
// Every diagnostic code is listed in model/build.cpp (kCodes comment).
// Then calls net.index(). Returns false when any error was reported.
bool finalize(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts = {});

}  // namespace vpclab::model
