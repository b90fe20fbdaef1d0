// A Diagram as Graphviz DOT text: frames as clusters, AWS-style colours per
// kind, element ids and classes carried to the SVG (Graphviz writes `id` and
// `class` attributes on each <g>), details as tooltips. Deterministic.
#pragma once
#include <string>

#include "graph/diagram.h"

namespace vpclab::graph {

std::string to_dot(const Diagram& d);

}  // namespace vpclab::graph
