// `vpclab assert`: AWS's own assertion language evaluated on the model.
// Network Access Analyzer scopes: every path (source ENI or internet gateway,
// destination ENI, internet gateway or, behind a load balancer, its target)
// that matches a MatchPaths entry and no ExcludePaths entry is a finding.
// Reachability Analyzer paths: traced; judged against their expectation.
//
// Paths are classes, as `matrix` computes them: one source, one destination,
// the components crossed in order, one protocol, and sets of source
// addresses, destination addresses and destination ports; a packet header
// statement narrows those sets, an exclusion removes what it covers.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "model/insights.h"
#include "vocab/diagnostic.h"

namespace vpclab::analysis {

struct ScopeFinding {
  std::string source, source_id;            // "bar.BarApp (i-...)", the ENI or internet gateway id
  std::string destination, destination_id;  // the ENI, internet gateway or target reached
  std::vector<std::string> through;         // components crossed, in order ("bar-to-foo (pcx-...)")
  std::string protocol;                     // tcp | udp
  std::string source_addresses;             // "10.1.1.10", "0.0.0.0/0 (any public address)"
  std::string destination_addresses;        // as the packet leaves the source
  std::string ports;                        // destination ports as the packet leaves the source
  std::string destination_port;             // at the target, when a load balancer forwards (else "")
  std::vector<Hop> hops;                    // one packet of the class, as `trace` shows it
};

enum class AssertionKind { kAccessScope, kPath };

struct AssertionResult {
  AssertionKind kind = AssertionKind::kAccessScope;
  std::string name, id;
  SourceLoc loc;
  bool holds = true;    // scope: no findings; path: verdict as expected (or no expectation)
  bool judged = true;   // false: a path without an expectation (reported, not judged)
  std::vector<ScopeFinding> findings;  // scopes (at most kMaxFindings kept; `finding_count` counts all)
  size_t finding_count = 0;
  std::string expected;  // paths: "reachable" | "unreachable" | ""
  std::string verdict;   // paths: "reachable" | "unreachable" | "undecidable"
  std::optional<TraceResult> trace;   // paths
  std::vector<std::string> notes;     // what the result assumed (a component vpclab does not model)
};

struct AssertReport {
  Diagnostics errors;  // names that name nothing, ambiguous names (exit 2)
  std::vector<AssertionResult> results;
  bool all_hold() const;
  int exit_code() const { return errors.has_errors() ? 2 : all_hold() ? 0 : 1; }
};

inline constexpr size_t kMaxFindings = 50;

// Evaluates every scope and path of `a` on the analyzer's network.
AssertReport check_assertions(const Analyzer& analyzer, const model::Assertions& a);

}  // namespace vpclab::analysis
