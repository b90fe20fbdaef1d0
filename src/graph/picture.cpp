#include "graph/picture.h"

#include "analysis/analyzer.h"
#include "graph/dot.h"
#include "graph/graphviz.h"
#include "graph/html.h"
#include "graph/overlay.h"

namespace vpclab::graph {

bool known_format(const std::string& f) { return f == "svg" || f == "png" || f == "dot" || f == "html"; }

Picture draw_picture(const model::Network& net, const PictureRequest& req) {
  Picture p;
  if (!known_format(req.format)) {
    p.error = "unknown format '" + req.format + "' (svg, png, dot or html)";
    return p;
  }
  p.diagram = build_diagram(net);
  if (req.trace) {
    analysis::TraceOptions opts;
    if (req.port) opts.port = *req.port;
    auto r = analysis::Analyzer(net).trace(req.from, req.to, opts);
    if (!r.ok) {
      p.error = r.error;
      return p;
    }
    draw_trace(p.diagram, net, r, req.from, req.to);
    p.trace_exit = r.exit_code();
    if (!p.diagram.legend.empty()) p.verdict = p.diagram.legend.front();
  }
  std::string dot = to_dot(p.diagram);
  if (req.format == "dot") {
    p.data = std::move(dot);
    p.ok = true;
    return p;
  }
  auto drawn = render(dot, req.format == "png" ? "png" : "svg");
  if (!drawn.ok) {
    p.error = drawn.error;
    p.missing_package = !graphviz_problem().empty();
    return p;
  }
  if (req.format == "html") {
    p.svg = std::move(drawn.data);
    p.data = html_page(p.diagram, p.svg, PageOptions{req.title, req.live});
  } else {
    if (req.format == "svg") p.svg = drawn.data;
    p.data = std::move(drawn.data);
  }
  p.ok = true;
  return p;
}

}  // namespace vpclab::graph
