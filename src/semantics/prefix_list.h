// Managed prefix lists (vpc/latest/userguide/managed-prefix-lists.html): a
// reference stands for each entry (routes: route.h; TGW routes:
// transit_gateway.h; rules: security_group.h); a security-group rule that
// references a list counts against the group's rule quota as the list's
// MaxEntries, not its current entries.
#pragma once
#include <optional>
#include <vector>

#include "vocab/rules.h"

namespace vpclab::semantics {

// Default quota of inbound (and of outbound) rules per security group.
constexpr int kSecurityGroupRulesPerDirection = 60;

// The prefix length by which a route matches `dst`: its destination's, or
// the longest of its prefix list's entries that holds `dst`; -1 for none.
int route_match_length(const std::optional<Ipv4Cidr>& destination, const std::vector<Ipv4Cidr>& prefix_list_cidrs,
                       Ipv4Address dst);

// How many rules `r` counts as against the quota: the MaxEntries of the list
// it references (`referenced_max_entries`, 0 when unknown or none), else 1.
int security_group_rule_weight(const SecurityGroupRule& r, int referenced_max_entries);

}  // namespace vpclab::semantics
