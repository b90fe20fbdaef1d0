// draw_trace(): hops are mapped onto the picture's components. Checks that
// have no box of their own (security groups, NACLs, route tables) mark the
// component they guard: the interface's owner, the subnet frames.
#include "graph/overlay.h"

#include <algorithm>
#include <map>
#include <set>

namespace vpclab::graph {
namespace {

// Words of `text` in lines of at most `width` characters (a note stays narrow).
void wrap_into(std::vector<std::string>& lines, const std::string& text, size_t width = 44) {
  std::string line;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    std::string word = text.substr(i, j - i);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    i = j + 1;
  }
  if (!line.empty()) lines.push_back(line);
}

void add_class(std::vector<std::string>& classes, const char* c) {
  if (std::find(classes.begin(), classes.end(), c) == classes.end()) classes.push_back(c);
}

class Overlay {
 public:
  Overlay(Diagram& d, const model::Network& net) : d_(d), net_(net) {
    for (const auto& l : net.listeners) {
      lb_of_[l.arn] = l.load_balancer;
      lb_of_[l.default_rule.arn] = l.load_balancer;
      for (const auto& r : l.rules) lb_of_[r.arn] = l.load_balancer;
    }
    // Target groups by ARN, and by name as explanations name them ("Stack.Tg (foo-web)").
    for (const auto& tg : net.target_groups)
      if (!tg.load_balancers.empty()) lb_of_[tg.arn] = lb_of_[tg.name] = tg.load_balancers[0];
  }

  void draw(const analysis::TraceResult& r, const std::string& from, const std::string& to) {
    std::string verdict = r.undecidable ? "undecidable" : r.reachable ? "reachable" : "NOT reachable";
    d_.legend.push_back("Trace from " + from + " to " + to + " (" + r.flow + "): " + verdict);
    std::string src = node_of_source(r.source_id);
    if (!src.empty()) mark(src, "on-path");
    for (const auto& h : r.dns) {
      for (const auto& id : d_.elements_of(h.id)) mark(id, "on-path");
    }
    int step = 1;
    for (const auto& p : r.paths) draw_path(p, src, step);
    for (const auto& e : r.dns_explanations) explain(e, nullptr);
    if (r.response) {
      const auto& resp = *r.response;
      std::string line = "Load balancer " + resp.load_balancer + ": " +
                         (resp.rule_priority == 0 ? std::string("default rule")
                          : resp.rule_priority > 0 ? "rule priority " + std::to_string(resp.rule_priority)
                                                   : std::string("no rule"));
      for (const auto& tg : resp.target_groups) line += " -> " + tg;
      d_.legend.push_back(line + " (" + resp.detail + (resp.status ? ", HTTP " + std::to_string(resp.status) : "") + ")");
      for (const auto& t : resp.targets)
        d_.legend.push_back("  target " + t.id + " " + t.address + ":" + std::to_string(t.port) +
                            (t.reachable ? " reachable" : " not reachable") +
                            (t.health_check_ok ? ", health checks pass" : ", health checks fail"));
    }
  }

 private:
  // The picture's box for an interface: its instance, load balancer node or NAT gateway.
  std::string node_of_eni(const std::string& eni_id) {
    const auto* eni = net_.network_interface(eni_id);
    if (!eni) return "";
    if (auto own = d_.elements_of(eni_id); !own.empty()) return own[0];  // load balancer nodes
    if (!eni->owner_id.empty() && d_.node(element_id(eni->owner_id))) return element_id(eni->owner_id);
    return "";
  }

  std::string node_of_source(const std::string& id) {
    if (id.empty()) return "";
    if (id.starts_with("eni-")) return node_of_eni(id);
    if (id == "internet") return d_.node("internet") ? "internet" : "";
    if (id.starts_with("on-prem:")) {
      std::string n = "on-prem-" + element_id(id.substr(8));
      return d_.node(n) ? n : "";
    }
    auto e = d_.elements_of(id);
    return e.empty() ? "" : e[0];
  }

  std::string node_of_address(const std::string& text) {
    auto a = Ipv4Address::parse(text);
    if (!a) return "";
    for (const auto& v : net_.vpcs)
      if (const auto* eni = net_.interface_by_private_ip(v.id, *a)) return node_of_eni(eni->id);
    if (const auto* eni = net_.interface_by_public_ip(*a)) return node_of_eni(eni->id);
    return "";
  }

  // The box a hop stands for on the picture ("" when it has none).
  std::string node_of_hop(const analysis::Hop& h) {
    const std::string& c = h.component;
    if (c == "listener" || c == "listener-rule" || c == "target-group" || c == "load-balancer") {
      auto it = lb_of_.find(h.id);
      const std::string& lb = it == lb_of_.end() ? h.id : it->second;
      auto e = d_.elements_of(lb);
      return e.empty() ? "" : e[0];
    }
    if (c == "transit-gateway-attachment") {
      if (const auto* a = net_.transit_gateway_attachment(h.id)) {
        if (Edge* e = d_.edge(element_id(h.id))) add_class(e->classes, "on-path");
        return element_id(a->transit_gateway);
      }
      return "";
    }
    if (c == "transit-gateway-route-table") {
      const auto* t = net_.transit_gateway_route_table(h.id);
      return t ? element_id(t->transit_gateway) : "";
    }
    if (c == "network-interface") return node_of_eni(h.id);
    if (c == "target") {
      if (d_.node(element_id(h.id))) return element_id(h.id);
      return node_of_address(h.id);
    }
    if (c == "internet") return d_.node("internet") ? "internet" : "";
    if (c == "security-group" || c == "network-acl" || c == "route-table" || c == "subnet" || c == "dns") return "";
    for (const auto& id : d_.elements_of(h.id))
      if (d_.node(id)) return id;
    return "";
  }

  // Marks the frames and edges a check-only hop stands for.
  void mark_checks(const analysis::Hop& h) {
    if (h.component == "vpc-peering-connection" || h.component == "vpn-connection") {
      if (Edge* e = d_.edge(element_id(h.id))) add_class(e->classes, h.allowed ? "on-path" : "blocked");
    } else if (h.component == "subnet") {
      if (Frame* f = d_.frame(element_id(h.id))) add_class(f->classes, "on-path");
    }
  }

  void mark(const std::string& id, const char* c) {
    if (Node* n = d_.node(id)) add_class(n->classes, c);
    else if (Frame* f = d_.frame(id)) add_class(f->classes, c);
    else if (Edge* e = d_.edge(id)) add_class(e->classes, c);
  }

  void link(const std::string& kind, const std::string& from, const std::string& to, const std::string& label) {
    if (from.empty() || to.empty() || from == to) return;
    std::string id = kind + "-" + std::to_string(d_.edges.size());
    d_.edges.push_back(Edge{id, kind, from, to, "", "", label, "", {}, {"on-path"}});
  }

  // The subnet frame of a node's interface, marked on the path.
  void mark_subnet_of(const std::string& node_id) {
    const Node* n = d_.node(node_id);
    if (!n) return;
    std::string subnet;
    if (const auto* i = net_.instance(n->aws_id)) subnet = i->subnet;
    else if (const auto* e = net_.network_interface(n->aws_id)) subnet = e->subnet;
    else if (const auto* g = net_.nat_gateway(n->aws_id)) subnet = g->subnet;
    if (Frame* f = d_.frame(element_id(subnet))) add_class(f->classes, "on-path");
  }

  void draw_path(const analysis::PathTrace& p, const std::string& src, int& step) {
    std::string dst = node_of_address(p.address);
    std::vector<std::string> request{src}, reply{dst};
    std::map<std::string, std::vector<std::string>> to_targets;  // node address -> targets
    for (const auto& h : p.hops) {
      mark_checks(h);
      std::string n = node_of_hop(h);
      if (!n.empty() && h.allowed) mark(n, "on-path");
      if (h.leg == "request") {
        if (!n.empty() && n != request.back()) request.push_back(n);
      } else if (h.leg == "reply") {
        if (!n.empty() && n != reply.back()) reply.push_back(n);
      } else if (h.leg.starts_with("node ") && h.component == "target") {
        // "node 10.2.1.5 -> Stack.Web 10.2.1.4:8080": the node's leg to one target.
        std::string node_ip = h.leg.substr(5, h.leg.find(' ', 5) - 5);
        std::string from = node_of_address(node_ip);
        if (!from.empty() && !n.empty()) {
          std::string id = "target-" + std::to_string(d_.edges.size());
          Edge e{id, "path-target", from, n, "", "", "", "", {}, {h.allowed ? "on-path" : "blocked"}};
          d_.edges.push_back(std::move(e));
        }
      }
      if (!h.allowed) blocked_hops_.push_back(&h);
    }
    if (!dst.empty() && dst != request.back()) request.push_back(dst);
    if (!src.empty() && src != reply.back()) reply.push_back(src);
    mark_subnet_of(src);
    mark_subnet_of(dst);
    if (!dst.empty()) mark(dst, "on-path");
    for (size_t i = 1; i < request.size(); ++i)
      link("path-request", request[i - 1], request[i], std::to_string(step++) + " " + p.address);
    bool reply_reached = p.reachable || std::none_of(p.hops.begin(), p.hops.end(), [](const analysis::Hop& h) {
                           return !h.allowed && h.leg == "request";
                         });
    if (reply_reached)
      for (size_t i = 1; i < reply.size(); ++i) {
        // One "reply" label for the picture: the legs are told apart by the dashes.
        link("path-reply", reply[i - 1], reply[i], reply_labelled_ ? "" : "reply");
        reply_labelled_ = true;
      }
    for (const auto& e : p.explanations) explain(e, &p);
  }

  // Elements a blocker stands for.
  std::vector<std::string> blocked_elements(const analysis::Explanation& e, const analysis::PathTrace* p) {
    std::vector<std::string> out;
    if (e.blocker) {
      const std::string& res = e.blocker->resource;
      if (res.starts_with("eni-")) {
        if (auto n = node_of_eni(res); !n.empty()) out.push_back(n);
      } else if (res.starts_with("acl-") || res.starts_with("rtb-")) {
        for (const auto& s : net_.subnets)
          if ((s.network_acl == res || s.route_table == res) && d_.frame(element_id(s.id))) {
            Frame* f = d_.frame(element_id(s.id));
            if (std::find(f->classes.begin(), f->classes.end(), "on-path") != f->classes.end())
              out.push_back(f->id);
          }
      } else {
        if (auto it = lb_of_.find(res); it != lb_of_.end()) {
          auto lb = d_.elements_of(it->second);
          out.insert(out.end(), lb.begin(), lb.end());
        }
        auto el = d_.elements_of(res);
        out.insert(out.end(), el.begin(), el.end());
      }
    }
    if (!out.empty() || !p) return out;
    // No blocker: the blocked hop named by the explanation's component, else
    // the component's own box ("Stack.Web (i-...)": the id in parentheses).
    auto open = e.component.rfind('(');
    if (open != std::string::npos) {
      std::string id = e.component.substr(open + 1, e.component.size() - open - 2);
      if (auto lb = lb_of_.find(id); lb != lb_of_.end()) id = lb->second;
      out = d_.elements_of(id);
    }
    if (out.empty())
      for (const auto* h : blocked_hops_)
        if (auto n = node_of_hop(*h); !n.empty()) {
          out.push_back(n);
          break;
        }
    return out;
  }

  void explain(const analysis::Explanation& e, const analysis::PathTrace* p) {
    if (e.warning) return;
    std::string key = e.code + "|" + e.component;
    if (!explained_.insert(key).second) return;
    auto elements = blocked_elements(e, p);
    for (const auto& id : elements) mark(id, "blocked");
    d_.legend.push_back(e.code + ": " + e.component + ": " + e.message);
    Node note;
    note.id = "note-" + std::to_string(explained_.size());
    note.kind = "note";
    note.label = {e.code};
    wrap_into(note.label, e.component);
    if (!e.fix.empty()) wrap_into(note.label, "fix: " + e.fix);
    note.details.title = e.code;
    note.details.rows = {{"Component", e.component}, {"Message", e.message}, {"Fix", e.fix}};
    if (e.loc.known()) note.details.rows.emplace_back("Declared at", e.loc.str());
    note.classes = {"explanation"};
    std::string nid = note.id;
    d_.nodes.push_back(std::move(note));
    if (elements.empty()) return;
    Edge edge{"edge-" + nid, "note", nid, elements[0], "", "", "", "", {}, {}};
    if (!d_.node(elements[0])) {  // a frame: clip at it, ending on one of its nodes
      if (Frame* f = d_.frame(elements[0]); f && !f->nodes.empty()) {
        edge.to = f->nodes[0];
        edge.to_frame = f->id;
      } else {
        return;
      }
    }
    d_.edges.push_back(std::move(edge));
  }

  Diagram& d_;
  const model::Network& net_;
  std::map<std::string, std::string> lb_of_;  // listener, rule, target group (ARN or name) -> load balancer ARN
  std::vector<const analysis::Hop*> blocked_hops_;
  bool reply_labelled_ = false;
  std::set<std::string> explained_;
};

}  // namespace

void draw_trace(Diagram& d, const model::Network& net, const analysis::TraceResult& r, const std::string& from,
                const std::string& to) {
  Overlay(d, net).draw(r, from, to);
}

}  // namespace vpclab::graph
