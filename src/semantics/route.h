// Route choice in a VPC route table (aws-vpc.md section 2).
#pragma once
#include <string>
#include <vector>

#include "vocab/ip.h"
#include "vocab/rules.h"

namespace vpclab::semantics {

// The route a table uses for `dst`: longest prefix match over the IPv4
// routes, a route to a prefix list matching by each of its entries (IPv6
// routes never match an IPv4 address). Among equal prefixes a static route
// beats a prefix-list route, which beats a propagated one, then `local`
// beats other targets, then the first declared wins. A propagated route never
// beats `local`, even when more specific. A blackhole route is chosen
// like any other (traffic is then dropped: check route->state). Returns
// nullptr when no route matches.
const Route* select_route(const std::vector<Route>& routes, Ipv4Address dst);

// The route table of a subnet: its explicit association, else the VPC's
// main route table.
const std::string& effective_route_table(const std::string& associated, const std::string& vpc_main_table);

}  // namespace vpclab::semantics
