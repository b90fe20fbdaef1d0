#include "semantics/security_group.h"

namespace vpclab::semantics {

namespace {
bool icmp_protocol(IpProtocol p) { return p == kIcmp || p == kIcmpv6; }
}  // namespace

void normalize_security_group_rules(const std::vector<SecurityGroupRule>& rules, const std::string& group_id,
                                    const GroupAddressResolver& resolve, std::vector<NormalizedSgRule>& out) {
  for (const auto& r : rules) {
    NormalizedSgRule n;
    n.direction = r.direction;
    n.protocol = r.protocol;
    n.ports = protocol_has_ports(r.protocol) ? IntervalSet::of(r.ports) : IntervalSet::all_ports();
    n.icmp_type = icmp_protocol(r.protocol) ? r.icmp_type : -1;
    n.icmp_code = icmp_protocol(r.protocol) ? r.icmp_code : -1;
    if (r.cidr) n.peers = IntervalSet::of(*r.cidr);
    else if (!r.group_id.empty() && resolve) n.peers = resolve(r);
    else
      for (const auto& c : r.prefix_list_cidrs) n.peers.add(IntervalSet::of(c));  // a prefix list: each entry
    n.rule = &r;
    n.group_id = group_id;
    out.push_back(std::move(n));
  }
}

namespace {
bool matches_protocol_and_icmp(const NormalizedSgRule& r, IpProtocol protocol, int type, int code) {
  if (!protocol_matches(r.protocol, protocol)) return false;
  if (r.protocol != kAllProtocols && icmp_protocol(r.protocol)) return icmp_matches(r.icmp_type, r.icmp_code, type, code);
  return true;
}
}  // namespace

bool sg_rule_matches(const NormalizedSgRule& r, const Packet& p) {
  if (!matches_protocol_and_icmp(r, p.protocol, p.icmp_type, p.icmp_code)) return false;
  if (protocol_has_ports(p.protocol) && !r.ports.contains(p.dst_port)) return false;
  return r.peers.contains(p.peer(r.direction).value);
}

const NormalizedSgRule* sg_match(const std::vector<NormalizedSgRule>& rules, Direction d, const Packet& p) {
  for (const auto& r : rules)
    if (r.direction == d && sg_rule_matches(r, p)) return &r;
  return nullptr;
}

IntervalSet sg_allowed_ports(const std::vector<NormalizedSgRule>& rules, Direction d, IpProtocol protocol,
                             Ipv4Address peer, int icmp_type, int icmp_code) {
  IntervalSet out;
  for (const auto& r : rules) {
    if (r.direction != d || !matches_protocol_and_icmp(r, protocol, icmp_type, icmp_code)) continue;
    if (!r.peers.contains(peer.value)) continue;
    if (protocol_has_ports(protocol)) out.add(r.ports);
    else return IntervalSet::all_ports();
  }
  return out;
}

}  // namespace vpclab::semantics
