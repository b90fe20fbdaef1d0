// One entry for every picture vpclab draws (`vpclab graph`, the page of
// `vpclab up --ui`): the network's diagram, with a traced path drawn on it
// when asked, rendered in one format.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "graph/diagram.h"
#include "model/network.h"

namespace vpclab::graph {

struct PictureRequest {
  std::string format = "svg";  // svg | png | dot | html
  std::string title = "vpclab";
  bool trace = false;          // draw the path from `from` to `to`
  std::string from, to;
  std::optional<uint16_t> port;
  bool live = false;           // html: the page of `vpclab up --ui`
};

struct Picture {
  bool ok = false;
  std::string error;           // bad trace input, or what to install
  bool missing_package = false;  // error names a Debian package to install
  std::string data;            // in the requested format
  Diagram diagram;
  std::string svg;             // Graphviz's SVG (svg and html formats)
  std::string verdict;         // the trace's legend line ("" without a trace)
  int trace_exit = -1;         // the trace's exit code (0, 1, 2), -1 without one
};

// Deterministic for the same network and request.
Picture draw_picture(const model::Network& net, const PictureRequest& req);

// The formats draw_picture() knows, for usage errors.
bool known_format(const std::string& format);

}  // namespace vpclab::graph
