#include "semantics/route.h"

namespace vpclab::semantics {

namespace {
// Higher is preferred among routes of equal prefix length.
int preference(const Route& r) {
  return (r.propagated ? 0 : 2) + (r.target_kind == RouteTargetKind::kLocal ? 1 : 0);
}
}  // namespace

const Route* select_route(const std::vector<Route>& routes, Ipv4Address dst) {
  const Route* best = nullptr;
  for (const auto& r : routes) {
    if (!r.destination || !r.destination->contains(dst)) continue;
    if (!best || r.destination->length > best->destination->length ||
        (r.destination->length == best->destination->length && preference(r) > preference(*best)))
      best = &r;
  }
  return best;
}

const std::string& effective_route_table(const std::string& associated, const std::string& vpc_main_table) {
  return associated.empty() ? vpc_main_table : associated;
}

}  // namespace vpclab::semantics
