// One self-contained HTML page around a drawn diagram: the SVG inline, CSS
// and a little JavaScript (pan, zoom, click a component for its details),
// no network access. With `live`, the page also follows a running lab
// (server-sent events from /events) and has a trace form (GET /trace), as
// `vpclab up --ui` serves it (emulator/ui_server.h).
#pragma once
#include <string>

#include "graph/diagram.h"

namespace vpclab::graph {

struct PageOptions {
  std::string title = "vpclab";
  bool live = false;
};

// SVG: Graphviz's output for `d` (its XML prologue is dropped).
std::string html_page(const Diagram& d, const std::string& svg, const PageOptions& opts);

// The inline <svg> element of Graphviz's SVG output (prologue dropped).
std::string svg_element(const std::string& svg);

// The details of every element as a JSON object keyed by element id.
std::string details_json(const Diagram& d);

}  // namespace vpclab::graph
