#include "vocab/protocol.h"

#include <charconv>
#include <strings.h>

namespace vpclab {

std::optional<IpProtocol> parse_protocol(std::string_view t) {
  std::string s(t);
  if (strcasecmp(s.c_str(), "tcp") == 0) return kTcp;
  if (strcasecmp(s.c_str(), "udp") == 0) return kUdp;
  if (strcasecmp(s.c_str(), "icmp") == 0) return kIcmp;
  if (strcasecmp(s.c_str(), "icmpv6") == 0) return kIcmpv6;
  if (strcasecmp(s.c_str(), "all") == 0 || s == "-1") return kAllProtocols;
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n < 0 || n > 255) return std::nullopt;
  return n;
}

std::string protocol_name(IpProtocol p) {
  switch (p) {
    case kAllProtocols: return "all";
    case kTcp: return "tcp";
    case kUdp: return "udp";
    case kIcmp: return "icmp";
    case kIcmpv6: return "icmpv6";
    default: return std::to_string(p);
  }
}

std::string PortRange::str() const {
  if (is_all()) return "all";
  if (from == to) return std::to_string(from);
  return std::to_string(from) + "-" + std::to_string(to);
}

}  // namespace vpclab
