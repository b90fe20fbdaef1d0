// A trace as text and as JSON (docs/trace-json.md), for trace and assert.
#include "cli/trace_output.h"

namespace vpclab::cli {

using nlohmann::json;

json loc_json(const SourceLoc& l) { return l.known() ? json(l.str()) : json(nullptr); }

json hop_json(const analysis::Hop& h) {
  return json{{"component", h.component}, {"id", h.id},           {"display", h.display},
              {"leg", h.leg},             {"check", h.check},     {"matched", h.matched},
              {"location", loc_json(h.loc)}, {"allowed", h.allowed}};
}

json expl_json(const analysis::Explanation& e) {
  return json{{"code", e.code}, {"component", e.component}, {"message", e.message},
              {"fix", e.fix},   {"location", loc_json(e.loc)}, {"warning", e.warning}};
}

json response_json(const std::optional<analysis::Response>& r) {
  if (!r) return nullptr;
  json targets = json::array();
  for (const auto& t : r->targets)
    targets.push_back({{"id", t.id}, {"address", t.address}, {"port", t.port}, {"reachable", t.reachable},
                       {"health_check_ok", t.health_check_ok}});
  return json{{"kind", r->kind},
              {"status", r->status},
              {"detail", r->detail},
              {"load_balancer", r->load_balancer},
              {"rule_priority", r->rule_priority},
              {"target_groups", r->target_groups},
              {"targets", targets}};
}

json trace_json(const analysis::TraceResult& r) {
  json paths = json::array();
  for (const auto& p : r.paths) {
    json hops = json::array(), ex = json::array();
    for (const auto& h : p.hops) hops.push_back(hop_json(h));
    for (const auto& e : p.explanations) ex.push_back(expl_json(e));
    paths.push_back({{"address", p.address},
                     {"reachable", p.reachable},
                     {"undecidable", p.undecidable},
                     {"hops", hops},
                     {"explanations", ex},
                     {"response", response_json(p.response)}});
  }
  json dns = json::array(), dex = json::array();
  for (const auto& h : r.dns) dns.push_back(hop_json(h));
  for (const auto& e : r.dns_explanations) dex.push_back(expl_json(e));
  return json{{"reachable", r.reachable},       {"undecidable", r.undecidable}, {"source", r.source},
              {"source_id", r.source_id},
              {"destination", r.destination},   {"flow", r.flow},               {"dns", dns},                   {"dns_explanations", dex},
              {"addresses", r.addresses},       {"paths", paths},               {"response", response_json(r.response)}};
}

void print_explanations(std::ostream& os, const std::vector<analysis::Explanation>& ex) {
  for (const auto& e : ex) {
    os << "  " << (e.warning ? "warning " : "blocked: ") << e.code << " at " << e.component << ": " << e.message;
    if (e.loc.known()) os << " [" << e.loc.str() << "]";
    os << "\n";
    if (!e.fix.empty()) os << "    fix: " << e.fix << "\n";
  }
}

void print_hop(std::ostream& os, int n, const analysis::Hop& h) {
  os << "  " << n << ". [" << h.leg << "] " << h.component << " " << h.display << ": " << h.check;
  if (!h.matched.empty()) os << " -> " << (h.allowed ? "" : "BLOCKED: ") << h.matched;
  else if (!h.allowed) os << " -> BLOCKED";
  if (h.loc.known()) os << "  (" << h.loc.str() << ")";
  os << "\n";
}

void print_trace(std::ostream& os, const analysis::TraceResult& r) {
  os << "trace " << r.source << " -> " << r.destination << " (" << r.flow << ")\n";
  if (!r.dns.empty()) {
    os << "DNS:\n";
    int n = 0;
    for (const auto& h : r.dns) print_hop(os, ++n, h);
    print_explanations(os, r.dns_explanations);
  }
  if (!r.addresses.empty()) {
    os << "addresses:";
    for (const auto& a : r.addresses) os << " " << a;
    os << "\n";
  }
  int reachable = 0;
  for (const auto& p : r.paths) {
    os << "\npath to " << p.address << ": "
       << (p.undecidable ? "UNDECIDABLE" : p.reachable ? "REACHABLE" : "NOT REACHABLE") << "\n";
    int n = 0;
    for (const auto& h : p.hops) print_hop(os, ++n, h);
    if (p.response) {
      const auto& resp = *p.response;
      os << "  response: ";
      if (resp.kind == "target") os << "forwarded to a target of " << (resp.target_groups.empty() ? "?" : resp.target_groups[0]) << " (the target answers)";
      else os << resp.status << " " << resp.kind << (resp.detail.empty() ? "" : ": " + resp.detail);
      // An NLB has no rules (-1).
      if (resp.rule_priority >= 0)
        os << " [rule " << (resp.rule_priority == 0 ? std::string("default") : std::to_string(resp.rule_priority)) << "]";
      os << "\n";
    }
    print_explanations(os, p.explanations);
    reachable += p.reachable ? 1 : 0;
  }
  os << "\nverdict: "
     << (r.undecidable ? "undecidable" : r.reachable ? "reachable" : "not reachable");
  if (!r.paths.empty()) os << " (" << reachable << "/" << r.paths.size() << " addresses)";
  os << "\n";
}

}  // namespace vpclab::cli
