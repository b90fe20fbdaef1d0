// Deterministic ids and the private/public address plan shared by the front
// ends (template/, snapshot/) and finalize().
#pragma once
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "model/network.h"

namespace vpclab::model {

// Deterministic AWS-style id: prefix + 17 hex digits, derived from the key
// parts by the one stable hash (vocab/aws_id.h), so the same input gives the
// same id on every machine.
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

}  // namespace vpclab::model
