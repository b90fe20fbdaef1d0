// The deployed-network front end: a folder of JSON as the AWS CLI prints it
// (`aws ec2 describe-*`, `aws elbv2 describe-*`, `aws route53 ...`) in, the
// same Network model the CloudFormation front end builds out.
//
// Layouts (the one Batfish uses, so its snapshots load unchanged):
//   DIR/accounts/<account-id>/<region>/*.json
//   DIR/aws_configs/...            (any of these layouts below aws_configs/)
//   DIR/<region>/*.json            (one account)
//   DIR/*.json                     (one account and region, taken from the
//                                   resources' OwnerId and AvailabilityZone)
// The kind of each file is decided by its top-level keys, never its name.
// Ids are kept as they appear in the JSON (physical ids, real addresses).
#pragma once
#include <memory>
#include <string>

#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::snapshot {

struct LoadResult {
  // Null when an error prevented building the model; check diags.
  std::shared_ptr<const model::Network> network;
  Diagnostics diags;
};

// True when `path` is a directory holding (below it, a few levels deep) a
// JSON file whose top level carries a describe-* key (Vpcs, Subnets, ...).
bool is_snapshot_dir(const std::string& path);

// Loads a snapshot folder. Malformed or inconsistent data is a warning naming
// the file and the JSON path ($.RouteTables[2].Routes[0]) and the model
// carries on where AWS would (a route to a missing gateway is a blackhole,
// an interface in an unknown subnet is left out); unknown top-level keys are
// notes; resources vpclab does not model (transit gateways, VPN gateways,
// endpoints, Network Load Balancers) are listed in Network::unmodeled.
LoadResult load_snapshot(const std::string& path);

}  // namespace vpclab::snapshot
