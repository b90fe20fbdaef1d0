// to_dot(): styles per kind in AWS's architecture-icon colours (VPC purple,
// compute orange, networking violet, subnets green when public, blue when
// private); a traced path in blue, its reply leg dashed green, a blocker red.
#include "graph/dot.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace vpclab::graph {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Lines each ending in Graphviz's "\l" (left-justified), quoted: the legend.
std::string quote_left(const std::vector<std::string>& l) {
  std::string out;
  for (const auto& line : l) {
    std::string q = quote(line);
    out += q.substr(1, q.size() - 2) + "\\l";
  }
  return "\"" + out + "\"";
}

std::string lines(const std::vector<std::string>& l) {
  std::string out;
  for (size_t i = 0; i < l.size(); ++i) out += (i ? "\n" : "") + l[i];
  return out;
}

bool has(const std::vector<std::string>& v, const char* c) { return std::find(v.begin(), v.end(), c) != v.end(); }

std::string classes(const std::string& kind, const std::vector<std::string>& extra) {
  std::string out = kind;
  for (const auto& c : extra) out += " " + c;
  return out;
}

// The tooltip: the details as "Key: value" lines (SVG hover text).
std::string tooltip(const Details& d) {
  std::string out = d.title;
  for (const auto& [k, v] : d.rows) out += "\n" + k + ": " + v;
  return out;
}

struct Style {
  const char* color;
  const char* fill;
  const char* shape;
};

Style node_style(const std::string& kind) {
  static const std::map<std::string, Style> styles = {
      {"instance", {"#ed7100", "#fff4e8", "box"}},
      {"load-balancer", {"#8c4fff", "#f3edff", "box"}},
      {"load-balancer-node", {"#8c4fff", "#ffffff", "box"}},
      {"nat-gateway", {"#8c4fff", "#ffffff", "box"}},
      {"internet-gateway", {"#8c4fff", "#ffffff", "box"}},
      {"vpc-endpoint", {"#8c4fff", "#ffffff", "box"}},
      {"transit-gateway", {"#8c4fff", "#f3edff", "box"}},
      {"vpn-gateway", {"#8c4fff", "#ffffff", "box"}},
      {"customer-gateway", {"#545b64", "#ffffff", "box"}},
      {"on-premises", {"#545b64", "#f2f3f3", "box3d"}},
      {"hosted-zone", {"#8c4fff", "#ffffff", "note"}},
      {"internet", {"#545b64", "#f2f3f3", "ellipse"}},
      {"note", {"#d13212", "#fdecea", "note"}},
  };
  auto it = styles.find(kind);
  return it == styles.end() ? Style{"#545b64", "#ffffff", "box"} : it->second;
}

class Writer {
 public:
  explicit Writer(const Diagram& d) : d_(d) {
    for (const auto& n : d.nodes) nodes_[n.id] = &n;
  }

  std::string write() {
    o_ << "digraph vpclab {\n"
       << "  graph [compound=true, newrank=true, rankdir=TB, fontname=\"DejaVu Sans\", fontsize=12, nodesep=0.3, "
          "ranksep=0.45, pad=0.2, id=\"diagram\", label="
       << quote_left(d_.legend) << ", labelloc=b, labeljust=l];\n"
       << "  node [fontname=\"DejaVu Sans\", fontsize=10, style=\"rounded,filled\", penwidth=1.4, margin=\"0.12,0.05\"];\n"
       << "  edge [fontname=\"DejaVu Sans\", fontsize=9, color=\"#545b64\", arrowsize=0.7];\n";
    for (const auto& f : d_.frames) frame(f, 1);
    for (const auto& n : d_.nodes)
      if (!placed_.count(n.id)) node(n, 1);
    for (const auto& e : d_.edges) edge(e);
    for (const auto& f : d_.frames) wrap_rows(f);
    o_ << "}\n";
    return o_.str();
  }

 private:
  void indent(int depth) {
    for (int i = 0; i < depth; ++i) o_ << "  ";
  }

  void frame(const Frame& f, int depth) {
    indent(depth);
    o_ << "subgraph " << quote("cluster_" + f.id) << " {\n";
    indent(depth + 1);
    o_ << "id=" << quote(f.id) << "; class=" << quote(classes("frame " + f.kind, f.classes))
       << "; label=" << quote(lines(f.label)) << "; tooltip=" << quote(tooltip(f.details))
       << "; labeljust=l; fontsize=" << (f.kind == "subnet" ? 10 : 12) << ";";
    bool blocked = has(f.classes, "blocked"), on_path = has(f.classes, "on-path");
    if (f.kind == "account") o_ << " style=\"rounded\"; color=\"#232f3e\"; penwidth=1.5;";
    else if (f.kind == "region") o_ << " style=\"dashed,rounded\"; color=\"#00a4a6\"; fontcolor=\"#007d7f\";";
    else if (f.kind == "vpc") o_ << " style=\"rounded\"; color=\"#8c4fff\"; penwidth=2; fontcolor=\"#6b37cc\";";
    else if (f.kind == "availability-zone") o_ << " style=\"dashed,rounded\"; color=\"#147eba\"; fontcolor=\"#147eba\";";
    else if (f.kind == "subnet")
      o_ << " style=\"filled,rounded\"; fillcolor=" << (has(f.classes, "public") ? "\"#e9f3e6\"; color=\"#7aa116\";"
                                                                                 : "\"#e6f2f8\"; color=\"#147eba\";");
    if (blocked) o_ << " color=\"#d13212\"; penwidth=4;";
    else if (on_path) o_ << " penwidth=3;";
    o_ << "\n";
    for (const auto& c : f.frames) frame(c, depth + 1);
    for (const auto& id : f.nodes)
      if (auto it = nodes_.find(id); it != nodes_.end()) node(*it->second, depth + 1);
    indent(depth);
    o_ << "}\n";
  }

  void node(const Node& n, int depth) {
    placed_.insert(n.id);
    indent(depth);
    o_ << quote(n.id) << " [id=" << quote(n.id) << ", class=" << quote(classes("component " + n.kind, n.classes));
    if (n.kind == "anchor") {
      // Where edges between VPCs end; not drawn.
      o_ << ", shape=point, width=0.01, style=invis, label=\"\"];\n";
      return;
    }
    Style s = node_style(n.kind);
    bool blocked = has(n.classes, "blocked"), on_path = has(n.classes, "on-path");
    bool stopped = has(n.classes, "stopped") || has(n.classes, "terminated");
    o_ << ", label=" << quote(lines(n.label)) << ", tooltip=" << quote(tooltip(n.details)) << ", shape=" << s.shape
       << ", color=\"" << (blocked ? "#d13212" : on_path ? "#0073bb" : s.color) << "\", fillcolor=\""
       << (stopped ? "#eaeded" : s.fill) << "\"";
    if (stopped) o_ << ", fontcolor=\"#879196\"";
    if (blocked) o_ << ", penwidth=4";
    else if (on_path) o_ << ", penwidth=3";
    if (n.kind == "note") o_ << ", style=filled, fontcolor=\"#a4260f\"";
    o_ << "];\n";
  }

  void edge(const Edge& e) {
    o_ << "  " << quote(e.from) << " -> " << quote(e.to) << " [id=" << quote(e.id)
       << ", class=" << quote(classes("link " + e.kind, e.classes));
    // Path legs fan out from one box to several: their labels sit at the end
    // that differs (the request's head, the reply's tail, on the other side),
    // not at the middle, where parallel legs would put them on top of each other.
    if (!e.label.empty()) {
      bool reply = e.kind == "path-reply", path = reply || e.kind == "path-request" || e.kind == "path-target";
      o_ << ", " << (!path ? "label" : reply ? "taillabel" : "headlabel") << "=" << quote(e.label);
      if (path) o_ << ", labeldistance=2.2, labelangle=" << (reply ? -35 : 25);
    }
    if (!e.details.title.empty()) o_ << ", tooltip=" << quote(tooltip(e.details));
    if (!e.from_frame.empty()) o_ << ", ltail=" << quote("cluster_" + e.from_frame);
    if (!e.to_frame.empty()) o_ << ", lhead=" << quote("cluster_" + e.to_frame);
    bool on_path = has(e.classes, "on-path"), inactive = has(e.classes, "inactive");
    if (e.kind == "peering" || e.kind == "tgw-peering" || e.kind == "vpn")
      o_ << ", dir=both, color=\"" << (on_path ? "#0073bb" : "#8c4fff") << "\", penwidth=" << (on_path ? 3.5 : 2)
         << ", fontcolor=\"#6b37cc\"";
    else if (e.kind == "tgw-attachment")
      o_ << ", dir=both, color=\"" << (on_path ? "#0073bb" : "#8c4fff") << "\", penwidth=" << (on_path ? 3 : 1.5);
    else if (e.kind == "zone-association") o_ << ", style=dashed, arrowhead=none, color=\"#a166ff\"";
    else if (e.kind == "lb-node") o_ << ", style=dotted, arrowhead=none";
    else if (e.kind == "path-request")
      o_ << ", color=\"#0073bb\", fontcolor=\"#0073bb\", penwidth=2.5, constraint=false";
    else if (e.kind == "path-reply")
      o_ << ", color=\"#1d8102\", fontcolor=\"#1d8102\", style=dashed, penwidth=2, constraint=false";
    else if (e.kind == "path-target")  // a node's leg to one target: red where it is blocked
      o_ << ", color=\"" << (has(e.classes, "blocked") ? "#d13212" : "#0073bb") << "\", penwidth=2, constraint=false"
         << (has(e.classes, "blocked") ? ", style=dashed" : "");
    else if (e.kind == "note") o_ << ", color=\"#d13212\", style=dashed, arrowhead=none";
    if (inactive) o_ << ", style=dashed, color=\"#aab7b8\"";
    o_ << "];\n";
  }

  static void nodes_in(const Frame& f, std::vector<std::string>& out) {
    out.insert(out.end(), f.nodes.begin(), f.nodes.end());
    for (const auto& c : f.frames) nodes_in(c, out);
  }

  // Graphviz puts frames without edges between them side by side: a Region
  // with many VPCs becomes one row thousands of pixels wide. Invisible edges
  // from every node of VPC i to every node of VPC i+k put the second below
  // the first: a new row every k VPCs (k about the square root of their number).
  void wrap_rows(const Frame& f) {
    if (f.kind != "region") {
      for (const auto& c : f.frames) wrap_rows(c);
      return;
    }
    std::vector<const Frame*> vpcs;
    for (const auto& c : f.frames)
      if (c.kind == "vpc") vpcs.push_back(&c);
    size_t k = 1;
    while (k * k < vpcs.size()) ++k;
    if (vpcs.size() <= 3) return;
    for (size_t i = 0; i + k < vpcs.size(); ++i) {
      std::vector<std::string> above, below;
      nodes_in(*vpcs[i], above);
      nodes_in(*vpcs[i + k], below);
      for (const auto& a : above)
        for (const auto& b : below) o_ << "  " << quote(a) << " -> " << quote(b) << " [style=invis, weight=0];\n";
    }
  }

  const Diagram& d_;
  std::ostringstream o_;
  std::map<std::string, const Node*> nodes_;
  std::set<std::string> placed_;
};

}  // namespace

std::string to_dot(const Diagram& d) { return Writer(d).write(); }

}  // namespace vpclab::graph
