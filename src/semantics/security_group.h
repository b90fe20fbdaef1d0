// Security-group evaluation (aws-vpc.md section 4).
//
// Semantics: allow rules only; the rules of every group on an ENI are
// unioned; a packet passes a direction when at least one rule of that
// direction matches its protocol, destination port (tcp/udp) or ICMP
// type/code, and peer address (source for ingress, destination for egress).
// Stateful: once a flow is allowed in one direction its replies pass both
// directions whatever the rules say, so callers evaluate only the direction
// that opens the flow. A rule referencing a group matches the PRIVATE
// addresses of that group's ENIs; the caller resolves the reference.
//
// Rules are first normalised (peer resolved into an address set, ports into
// a port set); both the analyzer and the emulator's nftables compiler take
// that form, so they cannot disagree on what a rule means.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "semantics/interval_set.h"
#include "semantics/packet.h"
#include "vocab/rules.h"

namespace vpclab::semantics {

// One rule in normalised form. `ports` is the destination-port set for tcp
// and udp, and all_ports() for every other protocol (the rule matches all
// ports). `peers` is the set of peer addresses (a prefix list's: the union
// of its IPv4 entries); empty when the rule can never match (IPv6-only, an
// unknown or empty prefix list, a group without members).
struct NormalizedSgRule {
  Direction direction = Direction::kIngress;
  IpProtocol protocol = kAllProtocols;
  IntervalSet ports;
  int icmp_type = -1;
  int icmp_code = -1;
  IntervalSet peers;
  const SecurityGroupRule* rule = nullptr;  // the declaration (SourceLoc, description)
  std::string group_id;                     // the group the rule belongs to
};

// Resolves a group-reference peer (rule.group_id, rule.group_owner) into the
// set of private addresses it stands for; an empty set when unknown.
using GroupAddressResolver = std::function<IntervalSet(const SecurityGroupRule& rule)>;

// Appends the normalised form of `rules` (one group's ingress or egress list).
void normalize_security_group_rules(const std::vector<SecurityGroupRule>& rules, const std::string& group_id,
                                    const GroupAddressResolver& resolve, std::vector<NormalizedSgRule>& out);

// True when `r` allows `p` in r.direction.
bool sg_rule_matches(const NormalizedSgRule& r, const Packet& p);

// The first rule of `rules` (of direction `d`) that allows `p`, or nullptr
// when the packet is denied (no rule matches).
const NormalizedSgRule* sg_match(const std::vector<NormalizedSgRule>& rules, Direction d, const Packet& p);

// Destination ports allowed for `protocol` to/from `peer` in direction `d`:
// the union over matching rules. For protocols without ports the result is
// all_ports() (allowed) or empty (denied); for ICMP the given type/code is
// checked.
IntervalSet sg_allowed_ports(const std::vector<NormalizedSgRule>& rules, Direction d, IpProtocol protocol,
                             Ipv4Address peer, int icmp_type = -1, int icmp_code = -1);

}  // namespace vpclab::semantics
