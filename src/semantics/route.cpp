#include "semantics/route.h"

#include "semantics/prefix_list.h"

namespace vpclab::semantics {

namespace {
// Higher is preferred among routes of equal prefix length: static, then a
// prefix-list route, then propagated (route-tables-priority.html).
int preference(const Route& r) {
  int kind = r.propagated ? 0 : !r.destination_prefix_list.empty() ? 2 : 4;
  return kind + (r.target_kind == RouteTargetKind::kLocal ? 1 : 0);
}
}  // namespace

const Route* select_route(const std::vector<Route>& routes, Ipv4Address dst) {
  const Route* best = nullptr;
  int best_len = -1;
  for (const auto& r : routes) {
    int len = route_match_length(r.destination, r.prefix_list_cidrs, dst);
    if (len < 0) continue;
    if (!best || len > best_len || (len == best_len && preference(r) > preference(*best))) {
      best = &r;
      best_len = len;
    }
  }
  return best;
}

const std::string& effective_route_table(const std::string& associated, const std::string& vpc_main_table) {
  return associated.empty() ? vpc_main_table : associated;
}

}  // namespace vpclab::semantics
