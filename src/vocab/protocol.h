// IP protocols and port ranges as security groups and NACLs write them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpclab {

// IANA protocol number; kAllProtocols (-1) means every protocol and port.
using IpProtocol = int;
constexpr IpProtocol kAllProtocols = -1;
constexpr IpProtocol kIcmp = 1;
constexpr IpProtocol kTcp = 6;
constexpr IpProtocol kUdp = 17;
constexpr IpProtocol kIcmpv6 = 58;

// Accepts AWS's spellings: "tcp", "udp", "icmp", "icmpv6", "-1", "all", or a
// number 0..255 (case-insensitive names).
std::optional<IpProtocol> parse_protocol(std::string_view text);
std::string protocol_name(IpProtocol p);  // "tcp", "udp", "icmp", "all", or the number
// Protocols whose rules carry ports (tcp, udp); others match any port.
inline bool protocol_has_ports(IpProtocol p) { return p == kTcp || p == kUdp; }

// Inclusive port range. For ICMP rules AWS reuses from/to as type/code.
struct PortRange {
  uint16_t from = 0;
  uint16_t to = 65535;

  static PortRange all() { return {0, 65535}; }
  static PortRange single(uint16_t p) { return {p, p}; }
  bool contains(uint16_t p) const { return p >= from && p <= to; }
  bool is_all() const { return from == 0 && to == 65535; }
  std::string str() const;  // "80", "1024-65535", "all"
  auto operator<=>(const PortRange&) const = default;
};

}  // namespace vpclab
