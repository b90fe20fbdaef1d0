// A trace's forms: JSON (docs/trace-json.md) and text, shared by `vpclab
// trace` and `vpclab assert`.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <vector>

#include "analysis/analyzer.h"

namespace vpclab::cli {

nlohmann::json loc_json(const SourceLoc& l);  // "file:line:col" or null
nlohmann::json hop_json(const analysis::Hop& h);
nlohmann::json expl_json(const analysis::Explanation& e);
nlohmann::json response_json(const std::optional<analysis::Response>& r);
nlohmann::json trace_json(const analysis::TraceResult& r);

void print_hop(std::ostream& os, int n, const analysis::Hop& h);
void print_explanations(std::ostream& os, const std::vector<analysis::Explanation>& ex);
void print_trace(std::ostream& os, const analysis::TraceResult& r);

}  // namespace vpclab::cli
