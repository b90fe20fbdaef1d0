// IPv4 addresses and CIDR blocks as values. IPv6 is carried as text by the
// layers above where AWS allows it, and not routed by vpclab yet.
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vpclab {

struct Ipv4Address {
  uint32_t value = 0;  // host byte order

  static std::optional<Ipv4Address> parse(std::string_view text);  // strict dotted quad
  std::string str() const;
  auto operator<=>(const Ipv4Address&) const = default;
};

struct Ipv4Cidr {
  Ipv4Address base;   // canonical: host bits cleared
  uint8_t length = 0; // 0..32

  // Parses "a.b.c.d/n". Host bits set are cleared (AWS stores
  // 100.68.0.18/18 as 100.68.0.0/18); `had_host_bits` tells the caller.
  static std::optional<Ipv4Cidr> parse(std::string_view text, bool* had_host_bits = nullptr);
  static Ipv4Cidr of(Ipv4Address a, uint8_t length);

  uint32_t mask() const { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }
  Ipv4Address first() const { return base; }
  Ipv4Address last() const { return Ipv4Address{base.value | ~mask()}; }
  uint64_t size() const { return uint64_t{1} << (32 - length); }
  bool contains(Ipv4Address a) const { return (a.value & mask()) == base.value; }
  bool contains(const Ipv4Cidr& c) const { return c.length >= length && contains(c.base); }
  bool overlaps(const Ipv4Cidr& c) const { return contains(c.base) || c.contains(base); }
  // Address at offset i from the base (i < size()).
  Ipv4Address at(uint64_t i) const { return Ipv4Address{base.value + static_cast<uint32_t>(i)}; }
  std::string str() const;
  auto operator<=>(const Ipv4Cidr&) const = default;
};

// RFC 1918 private and RFC 6598 shared address space: an IGW drops them.
// The one list of these ranges (10/8, 172.16/12, 192.168/16, 100.64/10).
std::span<const Ipv4Cidr> private_and_shared_ranges();
bool is_private_or_shared(Ipv4Address a);

}  // namespace vpclab
