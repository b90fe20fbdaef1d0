// Network Access Analyzer scopes and Reachability Analyzer paths, read from
// AWS's own shapes: the template resources AWS::EC2::NetworkInsightsAccessScope
// and AWS::EC2::NetworkInsightsPath (template/ec2_insights.cpp, through the
// ModelSink), and `vpclab assert` POLICY files (YAML or JSON):
//
//   AccessScopes: [{Name, MatchPaths: [...], ExcludePaths: [...]}]   # each item as
//                  # `aws ec2 create-network-insights-access-scope --cli-input-json` takes it
//   Paths: [{Name, Source, Destination, DestinationIp, Protocol, DestinationPort,
//            FilterAtSource, FilterAtDestination, Expect: reachable|unreachable}]
//
// A file holding one bare --cli-input-json object (MatchPaths at the top, or
// Source and Protocol) is one scope or one path. Errors name file:line:col.
//
// Diagnostic codes: E3002/E3012/E3003 as in templates (unknown property, wrong
// type, missing), E3031 malformed value (CIDR, port, protocol, resource type,
// Expect), POLICY_EMPTY a file that asserts nothing.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "model/insights.h"
#include "vocab/diagnostic.h"

namespace vpclab::tmpl {

// The assertions of a POLICY file; nullopt (and errors in `diags`) when the
// file cannot be read or is malformed.
std::optional<model::Assertions> read_policy_file(const std::string& path, Diagnostics& diags);
std::optional<model::Assertions> read_policy_text(std::string_view text, const std::string& file_name,
                                                  Diagnostics& diags);

}  // namespace vpclab::tmpl
