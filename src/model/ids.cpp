// Deterministic ids (the one derivation is vocab/aws_id.h) and the address
// plan of the front ends and finalize().
#include "model/ids.h"

#include "vocab/aws_id.h"

namespace vpclab::model {

std::string make_id(std::string_view prefix, std::initializer_list<std::string_view> key) {
  return aws_id::resource_id(prefix, key);
}

std::string make_hex(size_t n, std::initializer_list<std::string_view> key) { return aws_id::stable_hex(n, key); }

std::string make_digits(size_t n, std::initializer_list<std::string_view> key) {
  return aws_id::stable_digits(n, key);
}

// ---------------------------------------------------------------------------
// Address plan

bool AddressPlan::reserve(const Subnet& subnet, Ipv4Address a) {
  if (!subnet.cidr.contains(a) || subnet.is_reserved(a)) return false;
  return taken_[subnet.id].insert(a.value).second;
}

std::optional<Ipv4Address> AddressPlan::allocate(const Subnet& subnet) {
  auto& taken = taken_[subnet.id];
  // Invariant: every usable address below next_ is taken, so the cursor
  // gives the lowest free address without rescanning.
  auto [it, fresh] = next_.try_emplace(subnet.id, 4);
  uint32_t& off = it->second;
  (void)fresh;
  const uint64_t size = subnet.cidr.size();
  while (off + 1 < size) {
    uint32_t a = subnet.cidr.base.value + off;
    ++off;
    if (taken.insert(a).second) return Ipv4Address{a};
  }
  return std::nullopt;
}

size_t AddressPlan::used(const std::string& subnet_id) const {
  auto it = taken_.find(subnet_id);
  return it == taken_.end() ? 0 : it->second.size();
}

bool AddressPlan::taken(const std::string& subnet_id, Ipv4Address a) const {
  auto it = taken_.find(subnet_id);
  return it != taken_.end() && it->second.count(a.value) > 0;
}

namespace {
struct PublicRange {
  uint32_t base;
  uint32_t count;  // usable addresses, from base+1
};
// 203.0.113.0/24, 198.51.100.0/24, 192.0.2.0/24, 198.18.0.0/15 (see build.h).
constexpr PublicRange kPublicRanges[] = {
    {(203u << 24) | (0u << 16) | (113u << 8), 254},
    {(198u << 24) | (51u << 16) | (100u << 8), 254},
    {(192u << 24) | (0u << 16) | (2u << 8), 254},
    {(198u << 24) | (18u << 16), 131070},
};
std::optional<Ipv4Address> public_at(uint64_t i) {
  for (const auto& r : kPublicRanges) {
    if (i < r.count) return Ipv4Address{r.base + 1 + static_cast<uint32_t>(i)};
    i -= r.count;
  }
  return std::nullopt;
}
}  // namespace

std::optional<Ipv4Address> AddressPlan::allocate_public() {
  while (auto a = public_at(public_next_)) {
    ++public_next_;
    if (public_taken_.insert(a->value).second) return a;
  }
  return std::nullopt;
}

bool AddressPlan::reserve_public(Ipv4Address a) { return public_taken_.insert(a.value).second; }

}  // namespace vpclab::model
