#include "semantics/network_acl.h"

namespace vpclab::semantics {

const NetworkAclEntry& implicit_deny_entry(Direction d) {
  static const NetworkAclEntry kIn = [] {
    NetworkAclEntry e;
    e.rule_number = kNaclImplicitDenyRuleNumber;
    e.direction = Direction::kIngress;
    e.allow = false;
    e.cidr = Ipv4Cidr{};
    return e;
  }();
  static const NetworkAclEntry kOut = [] {
    NetworkAclEntry e = kIn;
    e.direction = Direction::kEgress;
    return e;
  }();
  return d == Direction::kIngress ? kIn : kOut;
}

const std::string& effective_network_acl(const std::string& associated, const std::string& vpc_default_acl) {
  return associated.empty() ? vpc_default_acl : associated;
}

namespace {
bool matches_protocol(const NetworkAclEntry& e, IpProtocol protocol, int type, int code) {
  if (!protocol_matches(e.protocol, protocol)) return false;
  if (e.protocol == kIcmp) return icmp_matches(e.icmp_type, e.icmp_code, type, code);
  return true;
}
}  // namespace

bool nacl_entry_matches(const NetworkAclEntry& e, const Packet& p) {
  if (!e.cidr || !e.cidr->contains(p.peer(e.direction))) return false;  // IPv6 entries never match IPv4
  if (!matches_protocol(e, p.protocol, p.icmp_type, p.icmp_code)) return false;
  if (e.protocol != kAllProtocols && protocol_has_ports(e.protocol) && !e.ports.contains(p.dst_port)) return false;
  return true;
}

const NetworkAclEntry& nacl_match(const std::vector<NetworkAclEntry>& entries, Direction d, const Packet& p) {
  for (const auto& e : entries)
    if (e.direction == d && nacl_entry_matches(e, p)) return e;
  return implicit_deny_entry(d);
}

IntervalSet nacl_allowed_ports(const std::vector<NetworkAclEntry>& entries, Direction d, IpProtocol protocol,
                               Ipv4Address peer, int icmp_type, int icmp_code) {
  IntervalSet allowed;
  IntervalSet undecided = IntervalSet::all_ports();
  for (const auto& e : entries) {
    if (undecided.empty()) break;
    if (e.direction != d || !e.cidr || !e.cidr->contains(peer)) continue;
    if (!matches_protocol(e, protocol, icmp_type, icmp_code)) continue;
    IntervalSet covered = (e.protocol != kAllProtocols && protocol_has_ports(e.protocol))
                              ? undecided.intersect(IntervalSet::of(e.ports))
                              : undecided;
    if (e.allow) allowed.add(covered);
    undecided = undecided.subtract(covered);
  }
  return allowed;
}

}  // namespace vpclab::semantics
