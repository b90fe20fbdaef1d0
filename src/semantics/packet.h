// The packet description every filter in semantics/ evaluates, and the port
// ranges AWS documents for the client side of connections.
#pragma once
#include <cstdint>

#include "semantics/interval_set.h"
#include "vocab/ip.h"
#include "vocab/protocol.h"
#include "vocab/rules.h"

namespace vpclab::semantics {

// One packet as filters see it. Only the destination port is filtered by
// security groups and NACLs; icmp_type/icmp_code are used for ICMP only
// (-1 = unspecified, matched only by "all" rules).
struct Packet {
  IpProtocol protocol = kTcp;
  Ipv4Address src;
  Ipv4Address dst;
  uint16_t dst_port = 0;
  int icmp_type = -1;
  int icmp_code = -1;
  // The address a rule of the given direction compares with: the source of
  // inbound traffic, the destination of outbound traffic.
  Ipv4Address peer(Direction d) const { return d == Direction::kIngress ? src : dst; }
};

// Ephemeral (client) port ranges that replies are addressed to. Linux
// instances use net.ipv4.ip_local_port_range's default; ELB nodes and NAT
// gateways use 1024-65535 (aws-vpc.md section 5).
inline constexpr PortRange kLinuxEphemeralPorts{32768, 60999};
inline constexpr PortRange kElbEphemeralPorts{1024, 65535};
inline constexpr PortRange kNatGatewaySourcePorts{1024, 65535};

// ICMP echo request/reply: the ICMP flow vpclab traces ("ping").
inline constexpr int kIcmpEchoRequest = 8;
inline constexpr int kIcmpEchoReply = 0;

// True when a rule written for `rule_protocol` (kAllProtocols = any) covers
// packets of `packet_protocol`.
inline bool protocol_matches(IpProtocol rule_protocol, IpProtocol packet_protocol) {
  return rule_protocol == kAllProtocols || rule_protocol == packet_protocol;
}

// True when an ICMP rule (type/code, -1 = any) covers the packet's type/code.
inline bool icmp_matches(int rule_type, int rule_code, int type, int code) {
  if (rule_type == -1) return true;
  if (rule_type != type) return false;
  return rule_code == -1 || rule_code == code;
}

}  // namespace vpclab::semantics
