// The DNS facts of a model (semantics/vpc_dns.h): the one filling shared by
// the analyzer's DNS view and the lab's resolver (emulator/compile.cpp).
#pragma once
#include "model/network.h"
#include "semantics/vpc_dns.h"

namespace vpclab::analysis {

// Zones in the model's order (facts.zones[i] is net.hosted_zones[i]);
// instances that are not terminated; active peerings; load balancers with a
// DNS name, resolving to their nodes' public IPs (internal: private IPs).
semantics::DnsFacts dns_facts(const model::Network& net);

}  // namespace vpclab::analysis
