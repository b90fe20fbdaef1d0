// Public vs private subnet (aws-vpc.md section 1): a subnet is public when
// its route table has an active route to an internet gateway.
#pragma once
#include <vector>

#include "vocab/rules.h"

namespace vpclab::semantics {

// True when `routes` (a subnet's effective route table) has an active route
// whose target is an internet gateway.
inline bool routes_to_internet_gateway(const std::vector<Route>& routes) {
  for (const auto& r : routes)
    if (r.target_kind == RouteTargetKind::kInternetGateway && r.state == RouteState::kActive) return true;
  return false;
}

}  // namespace vpclab::semantics
