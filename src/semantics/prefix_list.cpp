#include "semantics/prefix_list.h"

namespace vpclab::semantics {

int route_match_length(const std::optional<Ipv4Cidr>& destination, const std::vector<Ipv4Cidr>& prefix_list_cidrs,
                       Ipv4Address dst) {
  if (destination) return destination->contains(dst) ? destination->length : -1;
  int best = -1;
  for (const auto& c : prefix_list_cidrs)
    if (c.contains(dst) && c.length > best) best = c.length;
  return best;
}

int security_group_rule_weight(const SecurityGroupRule& r, int referenced_max_entries) {
  return !r.prefix_list_id.empty() && referenced_max_entries > 0 ? referenced_max_entries : 1;
}

}  // namespace vpclab::semantics
