#include "vocab/ip.h"

#include <charconv>

namespace vpclab {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view t) {
  uint32_t v = 0;
  const char* p = t.data();
  const char* end = t.data() + t.size();
  for (int i = 0; i < 4; ++i) {
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    // No leading zeros ("010" is octal to some parsers, AWS rejects it).
    if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9') return std::nullopt;
    unsigned octet = 0;
    auto [q, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || octet > 255 || q - p > 3) return std::nullopt;
    v = (v << 8) | octet;
    p = q;
    if (i < 3) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return Ipv4Address{v};
}

std::string Ipv4Address::str() const {
  return std::to_string(value >> 24) + '.' + std::to_string((value >> 16) & 255) + '.' +
         std::to_string((value >> 8) & 255) + '.' + std::to_string(value & 255);
}

std::optional<Ipv4Cidr> Ipv4Cidr::parse(std::string_view t, bool* had_host_bits) {
  auto slash = t.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4Address::parse(t.substr(0, slash));
  if (!addr) return std::nullopt;
  auto len_text = t.substr(slash + 1);
  if (len_text.empty() || len_text.size() > 2) return std::nullopt;
  unsigned len = 0;
  auto [q, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || q != len_text.data() + len_text.size() || len > 32) return std::nullopt;
  Ipv4Cidr c = of(*addr, static_cast<uint8_t>(len));
  if (had_host_bits) *had_host_bits = c.base != *addr;
  return c;
}

Ipv4Cidr Ipv4Cidr::of(Ipv4Address a, uint8_t length) {
  Ipv4Cidr c;
  c.length = length;
  c.base = Ipv4Address{a.value & c.mask()};
  return c;
}

std::string Ipv4Cidr::str() const { return base.str() + '/' + std::to_string(length); }

std::span<const Ipv4Cidr> private_and_shared_ranges() {
  static const Ipv4Cidr kRanges[] = {
      Ipv4Cidr::of(Ipv4Address{10u << 24}, 8), Ipv4Cidr::of(Ipv4Address{(172u << 24) | (16u << 16)}, 12),
      Ipv4Cidr::of(Ipv4Address{(192u << 24) | (168u << 16)}, 16), Ipv4Cidr::of(Ipv4Address{(100u << 24) | (64u << 16)}, 10)};
  return kRanges;
}

bool is_private_or_shared(Ipv4Address a) {
  for (const auto& r : private_and_shared_ranges())
    if (r.contains(a)) return true;
  return false;
}

}  // namespace vpclab
