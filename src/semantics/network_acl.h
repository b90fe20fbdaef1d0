// Network-ACL evaluation (aws-vpc.md section 5): stateless, per subnet and
// direction, entries in ascending RuleNumber, the first entry matching
// protocol, destination port (tcp/udp) or ICMP type/code, and peer CIDR
// (source for ingress, destination for egress) decides; when none matches,
// the final "*" entry denies. Replies are separate packets and need their
// own allowing entries (ephemeral ports).
#pragma once
#include <string>
#include <vector>

#include "semantics/interval_set.h"
#include "semantics/packet.h"
#include "vocab/rules.h"

namespace vpclab::semantics {

// Rule numbers a declared entry may use, and the number of the implicit final
// entry ("*", deny all) that follows them.
constexpr int kNaclMinRuleNumber = 1;
constexpr int kNaclMaxRuleNumber = 32766;
constexpr int kNaclImplicitDenyRuleNumber = 32767;

// The implicit final entry: rule number kNaclImplicitDenyRuleNumber ("*"), deny all.
const NetworkAclEntry& implicit_deny_entry(Direction d);

// The NACL that filters a subnet: its explicit association, else the VPC's
// default network ACL.
const std::string& effective_network_acl(const std::string& associated, const std::string& vpc_default_acl);

// True when `e` matches `p` (direction not checked).
bool nacl_entry_matches(const NetworkAclEntry& e, const Packet& p);

// The entry that decides `p` among `entries` of direction `d` (entries of
// the other direction are skipped; they must be sorted by rule_number).
// Never null: the implicit "*" deny when nothing matches. Check ->allow.
const NetworkAclEntry& nacl_match(const std::vector<NetworkAclEntry>& entries, Direction d, const Packet& p);

// The destination ports that the ACL allows for `protocol` and `peer`,
// first match wins per port. For protocols without ports: all_ports() or
// empty. For ICMP the given type/code is used.
IntervalSet nacl_allowed_ports(const std::vector<NetworkAclEntry>& entries, Direction d, IpProtocol protocol,
                               Ipv4Address peer, int icmp_type = -1, int icmp_code = -1);

}  // namespace vpclab::semantics
