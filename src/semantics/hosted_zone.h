// Route 53 private hosted zone choice (aws-vpc.md section 7).
#pragma once
#include <string_view>
#include <vector>

#include "vocab/dns.h"

namespace vpclab::semantics {

// A private hosted zone as the resolver of one VPC sees it.
struct ZoneCandidate {
  std::string_view name;  // normalized
  bool associated = false;  // associated with the querying VPC
};

// The zone that answers `qname` (normalized) for the querying VPC: among
// the zones associated with it whose name equals qname or is a parent of
// it, the most specific (longest name); the first declared on a tie.
// Returns its index in `zones`, or -1 when none matches (the query goes to
// public DNS). When the chosen zone lacks the record the answer is NXDOMAIN:
// there is no fallback to a less specific zone or to public DNS.
int select_private_zone(std::string_view qname, const std::vector<ZoneCandidate>& zones);

// Records answering (qname, type) in one zone: records of that type with
// that exact name; else a CNAME at that name; else the records of a
// wildcard "*.parent" at the nearest enclosing name (of the type, or a
// CNAME). Empty: the name has no such record (NXDOMAIN / NODATA).
std::vector<const dns::Record*> find_records(const std::vector<dns::Record>& records, std::string_view qname,
                                             std::string_view type);

}  // namespace vpclab::semantics
