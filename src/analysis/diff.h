// Change review: what a change to a network opens and closes. Two finished
// networks (before and after) are compared on the questions the analyzer
// answers for each: the reachability matrix (who reaches whom on which
// ports) and internet/peering exposure. Each difference is attributed to
// the component and rule that decided it, on the side where the flow is
// blocked and on the side where it passes.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/diff_dns.h"

namespace vpclab::analysis {

struct DiffOptions {
  std::string from, to;  // as matrix takes them (comma-separated), empty = all
  std::string ports;     // as matrix takes them, empty = all
  std::string protocol;  // "tcp" | "udp" | "icmp" | "" (all)
  // The ids of the resources that differ between the versions (present in
  // one only, or described differently: snapshot::describe_resources). Given,
  // only the flows of instances and load balancers those resources can touch
  // are recomputed; absent, every pair is.
  std::optional<std::set<std::string>> changed;
};

// A hop that decided a flow: which component, what it checked, the rule.
struct DiffCause {
  std::string component;  // "security-group", "network-acl", "route-table", ...
  std::string display;    // "Stack.LogicalId ..."
  std::string check;      // "inbound tcp/80 from 10.1.1.4"
  std::string matched;    // the deciding rule ("no rule matches" on the blocked side)
  SourceLoc loc;          // where that rule is declared
  std::string code;       // the explanation code on the blocked side
};

// A class of flows that changed alike: sources x destinations on the same
// protocol and ports, for the same reason.
struct FlowChange {
  bool allowed = false;                // true: newly allowed; false: newly blocked
  std::string protocol;                // "tcp", "udp", "icmp"
  std::string ports;                   // "80", "1024-65535", "echo"
  std::vector<std::string> sources;    // resource keys (logical ids, Stack.LogicalId, ids)
  std::vector<std::string> destinations;
  DiffCause before, after;             // the deciding hop in each version
  std::string summary;                 // one line: "AlbSg inbound tcp/80 from 10.1.1.4: now ..."
};

struct ExposureChange {
  bool gained = false;
  std::string resource;  // key
  std::string scope;     // "internet" | "outside-vpc"
  std::string protocol, ports, sources, through;
};

// An instance's internet egress (through a NAT gateway or an internet
// gateway) gained or lost: protocol, ports and public destinations.
struct EgressChange {
  bool gained = false;
  std::string resource;  // key
  std::string protocol, ports, destinations;
  std::string through;   // the gateway in the version where it passes
};

// A load balancer's health checks of one target: from its nodes to the
// target's health-check port (instance targets). `reachable` is the new
// version; the old version had the opposite.
struct HealthCheckChange {
  bool reachable = false;
  std::string load_balancer, target_group, target;  // keys (logical ids)
  uint16_t port = 0;
};

struct DiffResult {
  bool ok = true;
  std::string error;
  std::vector<FlowChange> flows;  // newly allowed first, then newly blocked
  std::vector<ExposureChange> exposure;
  std::vector<HealthCheckChange> health_checks;
  std::vector<EgressChange> egress;
  std::vector<DnsChange> dns;  // private-zone answers that changed (only without --from/--to/--port/--protocol)
  size_t pairs_compared = 0;
  bool incremental = false;  // only the touched pairs were recomputed
  bool any() const { return !flows.empty() || !exposure.empty() || !health_checks.empty() || !dns.empty() ||
                                !egress.empty(); }
  bool exposure_gained() const;
};

// Resources are matched across the versions by logical id when every
// stack has a different set of them (one template renamed, as a broken
// copy is), else by Stack.LogicalId, else (snapshots) by AWS id.
DiffResult diff_networks(const model::Network& before, const model::Network& after, const DiffOptions& opts = {});

}  // namespace vpclab::analysis
