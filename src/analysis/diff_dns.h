// Change review, DNS: the private-zone names whose answers a change alters,
// asked from every VPC the zone is associated with in either version
// (semantics/vpc_dns.h decides each answer, as the lab's resolver does).
#pragma once
#include <string>
#include <vector>

#include "model/network.h"

namespace vpclab::analysis {

struct DnsChange {
  std::string vpc;     // key: logical id (Stack.LogicalId when two stacks share it), or the VPC id
  std::string name;    // asked name, normalized
  std::string type;    // "A", "CNAME", ...
  std::string before;  // "A 10.2.1.10, A 10.2.2.10" | "NXDOMAIN" | "no answer (EnableDnsSupport off)"
  std::string after;
};

std::vector<DnsChange> dns_changes(const model::Network& before, const model::Network& after);

}  // namespace vpclab::analysis
