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

struct Candidate {
  const Route* route = nullptr;
  int length = -1;
  bool better_than(const Candidate& b) const {
    return !b.route || length > b.length || (length == b.length && preference(*route) > preference(*b.route));
  }
};
}  // namespace

const Route* select_route(const std::vector<Route>& routes, Ipv4Address dst) {
  // A propagated (VPN) route never beats `local`, even when more specific
  // (aws-tgw-nlb.md section 7): the best non-propagated route is kept beside.
  Candidate best, best_static;
  bool in_local = false;
  for (const auto& r : routes) {
    Candidate c{&r, route_match_length(r.destination, r.prefix_list_cidrs, dst)};
    if (c.length < 0) continue;
    in_local = in_local || r.target_kind == RouteTargetKind::kLocal;
    if (c.better_than(best)) best = c;
    if (!r.propagated && c.better_than(best_static)) best_static = c;
  }
  return in_local && best.route && best.route->propagated ? best_static.route : best.route;
}

const std::string& effective_route_table(const std::string& associated, const std::string& vpc_main_table) {
  return associated.empty() ? vpc_main_table : associated;
}

}  // namespace vpclab::semantics
