// A traced path on the picture: the components it crosses marked
// "on-path", the request leg drawn in order (numbered), the reply leg
// dashed, the load balancer's chosen rule and its targets, and each
// blocking component outlined red ("blocked") with a note carrying its
// explanation code and fix text. The trace is analysis::Analyzer's.
#pragma once
#include <string>

#include "analysis/analyzer.h"
#include "graph/diagram.h"

namespace vpclab::graph {

// `from`/`to` as the user wrote them (the legend's first line).
void draw_trace(Diagram& d, const model::Network& net, const analysis::TraceResult& r, const std::string& from,
                const std::string& to);

}  // namespace vpclab::graph
