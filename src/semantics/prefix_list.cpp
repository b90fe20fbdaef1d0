#include "semantics/prefix_list.h"

namespace vpclab::semantics {

int security_group_rule_weight(const SecurityGroupRule& r, int referenced_max_entries) {
  return !r.prefix_list_id.empty() && referenced_max_entries > 0 ? referenced_max_entries : 1;
}

}  // namespace vpclab::semantics
