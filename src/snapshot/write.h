// The model written back as the AWS CLI prints it: the folder scripts/snapshot
// produces for a deployed account, so a network built from templates can be
// loaded again through load_snapshot() (round-trip tests), or handed to
// tools that read describe-* output (Batfish).
#pragma once
#include <map>
#include <set>
#include <string>

#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::snapshot {

// Writes `net` (finalized) under DIR/accounts/<account>/<region>/, one file
// per CLI call as scripts/snapshot names them (vpcs.json, subnets.json,
// route-tables.json, ..., elbv2-listeners-<lb>.json, route53-records-<zone>.json),
// 4-space indented JSON with AWS's key names. A peering is written in the
// folders of both its accounts, as each account's describe call lists it.
// Returns false (and reports to diags) when a file cannot be written.
bool write_snapshot(const model::Network& net, const std::string& dir, Diagnostics& diags);

// Every resource as those files describe it, keyed by its AWS id (ARN for
// load balancers, listeners and target groups; the zone id): two versions
// of a network differ in a resource exactly when its text differs, locations
// apart (`vpclab diff` recomputes only what such resources touch).
std::map<std::string, std::string> describe_resources(const model::Network& net);

// The keys of describe_resources() whose text differs between the two
// networks, or that only one has (the two are described in parallel).
std::set<std::string> changed_resources(const model::Network& a, const model::Network& b);

}  // namespace vpclab::snapshot
