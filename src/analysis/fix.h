// `vpclab fix`: the narrowest change to the user's own declarations that
// answers what blocks a traced path. One step: the blocking explanations of
// one trace (each address's first blocker, and DNS's) become model::Changes;
// the caller applies them, traces again, and repeats until the path opens
// or nothing more can be changed (cli/cmd_fix.cpp), then verifies the result.
//
// Narrowest: a security-group rule names the client's own security group
// (same stack, same VPC or a peered VPC in the same region, as AWS allows)
// or else the client's address /32, never 0.0.0.0/0 unless the source is the
// whole internet; only the port needed. A network ACL entry admits the pair
// and the port (replies: the client's ephemeral ports), numbered before every
// existing entry. A missing route goes to the peer VPC's CIDR block through
// the peering that joins them. DNS: the VPC attribute, or the zone's association.
// A missing listener, internet gateway, public address or peering connection
// is added; an internet-facing load balancer gets public subnets. A path open
// only because its target group fails open gets its health checks opened.
#pragma once
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "model/change.h"

namespace vpclab::analysis {

struct FixOptions {
  bool source_is_internet = false;  // the client is "internet" (any public address), not one host
  bool group_references = true;     // false: name peers by address only
};

struct FixStep {
  std::vector<model::Change> changes;
  std::vector<std::string> unfixable;  // "CODE at component: why no template change here opens it"
};

FixStep plan_fix(const Analyzer& analyzer, const TraceResult& trace, const FixOptions& opts = {});

// Whether a health check of the path's targets is blocked where a template
// change can open it (the path may still be reachable: the group fails open).
bool health_checks_blocked(const TraceResult& trace);

}  // namespace vpclab::analysis
