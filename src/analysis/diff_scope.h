// Which flows a change can touch: `vpclab diff` recomputes the matrix rows
// and columns of these parties only, so a one-rule change to a 1,000-VPC
// network costs a few thousand pairs instead of millions.
//
// Why a pair (X, Y) not listed keeps its verdict: a flow from X to Y is
// decided by X's and Y's interfaces, subnets, route tables, network ACLs,
// security groups (their rules; a group reference tests X's or Y's own
// membership), their VPCs with what is attached to them (gateways,
// peerings), the routes' targets on the way, and for a load balancer its
// listeners and target groups. Each changed resource maps to the parties it
// is one of those for, in either version.
#pragma once
#include <set>
#include <string>

#include "model/network.h"

namespace vpclab::analysis {

// The instances (i-) and load balancers (ARNs) of `net` that the changed
// resources (ids; snapshot::describe_resources's keys) touch. Ids that name
// nothing in `net` go to `unknown` (a resource of the other version only, or
// of a kind not bounded this way: then the caller recomputes everything).
std::set<std::string> touched_parties(const model::Network& net, const std::set<std::string>& changed,
                                      std::set<std::string>& unknown);

}  // namespace vpclab::analysis
