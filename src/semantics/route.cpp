#include "semantics/route.h"

namespace vpclab::semantics {

namespace {
// Higher is preferred among routes of equal prefix length.
int preference(const Route& r) {
  return (r.propagated ? 0 : 2) + (r.target_kind == RouteTargetKind::kLocal ? 1 : 0);
}
}  // namespace

const Route* select_route(const std::vector<Route>& routes, Ipv4Address dst) {
  // A propagated (VPN) route never beats `local`, even when more specific
  // (aws-tgw-nlb.md section 7): the best static route is kept beside.
  auto better = [](const Route& r, const Route* b) {
    return !b || r.destination->length > b->destination->length ||
           (r.destination->length == b->destination->length && preference(r) > preference(*b));
  };
  const Route* best = nullptr;
  const Route* best_static = nullptr;
  bool in_local = false;
  for (const auto& r : routes) {
    if (!r.destination || !r.destination->contains(dst)) continue;
    in_local = in_local || r.target_kind == RouteTargetKind::kLocal;
    if (better(r, best)) best = &r;
    if (!r.propagated && better(r, best_static)) best_static = &r;
  }
  return in_local && best && best->propagated ? best_static : best;
}

const std::string& effective_route_table(const std::string& associated, const std::string& vpc_main_table) {
  return associated.empty() ? vpc_main_table : associated;
}

}  // namespace vpclab::semantics
