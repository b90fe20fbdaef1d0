// `vpclab diff OLD NEW`: the flows a change newly allows and newly blocks,
// grouped into classes, each with the component and rule that made the
// difference; exposure gained and lost. OLD and NEW: a template, a lab
// manifest, a snapshot folder, or git:REV[:PATH]. Exit 0 no difference,
// 1 differences (as --fail-on says), 2 usage or input error (diff(1)).
// JSON: docs/diff-json.md.
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/diff.h"
#include "cli/commands.h"
#include "cli/git_input.h"
#include "cli/load.h"
#include "cli/version.h"
#include "snapshot/write.h"

namespace vpclab::cli {
namespace {

using nlohmann::json;

struct DiffCli {
  std::string old_arg, new_arg;
  std::string from, to, port, protocol;
  bool json = false;
  std::string format = "text";
  std::string fail_on = "any";
  bool full = false;
};

struct Side {
  std::string label;  // as the user wrote it
  GitInput git;
  std::vector<std::string> paths;
  std::string display(const SourceLoc& loc) const { return loc.known() ? git.display(loc.str()) : ""; }
};

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

json cause_json(const analysis::DiffCause& c, const Side& side) {
  json j{{"component", c.component}, {"display", c.display}, {"check", c.check}, {"matched", c.matched}};
  std::string loc = side.display(c.loc);
  j["location"] = loc.empty() ? json(nullptr) : json(loc);
  j["code"] = c.code.empty() ? json(nullptr) : json(c.code);
  return j;
}

std::string summary(const analysis::FlowChange& f, const Side& before, const Side& after) {
  // The summary names locations by their temporary paths for git inputs.
  std::string s = f.summary;
  for (const Side* side : {&before, &after})
    for (const auto* c : {&f.before, &f.after}) {
      if (!c->loc.known()) continue;
      std::string raw = c->loc.str(), shown = side->display(c->loc);
      for (size_t at = s.find(raw); raw != shown && at != std::string::npos; at = s.find(raw, at + shown.size()))
        s.replace(at, raw.size(), shown);
    }
  return s;
}

json diff_json(const analysis::DiffResult& r, const Side& before, const Side& after) {
  json flows = json::array();
  for (const auto& f : r.flows)
    flows.push_back({{"change", f.allowed ? "allowed" : "blocked"},
                     {"protocol", f.protocol},
                     {"ports", f.ports},
                     {"sources", f.sources},
                     {"destinations", f.destinations},
                     {"before", cause_json(f.before, before)},
                     {"after", cause_json(f.after, after)},
                     {"summary", summary(f, before, after)}});
  json exposure = json::array();
  for (const auto& e : r.exposure)
    exposure.push_back({{"change", e.gained ? "gained" : "lost"}, {"resource", e.resource}, {"scope", e.scope},
                        {"protocol", e.protocol}, {"ports", e.ports}, {"sources", e.sources}, {"through", e.through}});
  json health = json::array();
  for (const auto& h : r.health_checks)
    health.push_back({{"change", h.reachable ? "reachable" : "unreachable"}, {"load_balancer", h.load_balancer},
                      {"target_group", h.target_group}, {"target", h.target}, {"port", h.port}});
  json egress = json::array();
  for (const auto& e : r.egress)
    egress.push_back({{"change", e.gained ? "gained" : "lost"}, {"resource", e.resource}, {"protocol", e.protocol},
                      {"ports", e.ports}, {"destinations", e.destinations}, {"through", e.through}});
  json dns = json::array();
  for (const auto& d : r.dns)
    dns.push_back({{"vpc", d.vpc}, {"name", d.name}, {"type", d.type}, {"before", d.before}, {"after", d.after}});
  size_t allowed = 0;
  for (const auto& f : r.flows) allowed += f.allowed ? 1 : 0;
  return with_metadata({{"old", before.label},
                        {"new", after.label},
                        {"differences", r.any()},
                        {"allowed_classes", allowed},
                        {"blocked_classes", r.flows.size() - allowed},
                        {"flows", flows},
                        {"exposure", exposure},
                        {"health_checks", health},
                        {"egress", egress},
                        {"dns", dns}});
}

void print_text(const analysis::DiffResult& r, const Side& before, const Side& after) {
  if (!r.any()) {
    std::cout << "no reachability difference between " << before.label << " and " << after.label << "\n";
    return;
  }
  for (const auto& f : r.flows) {
    std::cout << (f.allowed ? "+ allowed " : "- blocked ") << f.protocol << "/" << f.ports << "  "
              << join(f.sources) << " -> " << join(f.destinations) << "\n    " << summary(f, before, after) << "\n";
  }
  for (const auto& e : r.exposure)
    std::cout << (e.gained ? "+ exposure " : "- exposure ") << e.resource << " from "
              << (e.scope == "internet" ? "the internet" : "outside its VPC") << ": " << e.protocol << " "
              << e.ports << " from " << e.sources << (e.through.empty() ? "" : " via " + e.through) << "\n";
  for (const auto& h : r.health_checks)
    std::cout << (h.reachable ? "+ health checks reach " : "- health checks no longer reach ") << h.target
              << " tcp/" << h.port << " from " << h.load_balancer << " (target group " << h.target_group << ")\n";
  for (const auto& e : r.egress)
    std::cout << (e.gained ? "+ egress " : "- egress ") << e.resource << " to the internet: " << e.protocol << " "
              << e.ports << " to " << e.destinations << (e.through.empty() ? "" : " via " + e.through) << "\n";
  for (const auto& d : r.dns)
    std::cout << "~ dns " << d.name << " " << d.type << " from " << d.vpc << ": now " << d.after << "; before: " << d.before
              << "\n";
}

std::string md_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

void print_markdown(const analysis::DiffResult& r, const Side& before, const Side& after) {
  std::cout << "### vpclab diff: `" << before.label << "` → `" << after.label << "`\n\n";
  if (!r.any()) {
    std::cout << "No reachability difference.\n";
    return;
  }
  if (!r.flows.empty()) {
    std::cout << "| | flow | from | to | why |\n|---|---|---|---|---|\n";
    for (const auto& f : r.flows)
      std::cout << "| " << (f.allowed ? "➕ allowed" : "➖ blocked") << " | " << f.protocol << "/" << f.ports << " | "
                << md_cell(join(f.sources)) << " | " << md_cell(join(f.destinations)) << " | "
                << md_cell(summary(f, before, after)) << " |\n";
    std::cout << "\n";
  }
  if (!r.exposure.empty()) {
    std::cout << "| | exposure | resource | flow | sources |\n|---|---|---|---|---|\n";
    for (const auto& e : r.exposure)
      std::cout << "| " << (e.gained ? "➕ gained" : "➖ lost") << " | " << e.scope << " | " << md_cell(e.resource)
                << " | " << e.protocol << " " << e.ports << " | " << md_cell(e.sources) << " |\n";
  }
  if (!r.health_checks.empty()) {
    std::cout << "\n| | health checks | load balancer | target group | target |\n|---|---|---|---|---|\n";
    for (const auto& h : r.health_checks)
      std::cout << "| " << (h.reachable ? "➕ reach" : "➖ no longer reach") << " | tcp/" << h.port << " | "
                << md_cell(h.load_balancer) << " | " << md_cell(h.target_group) << " | " << md_cell(h.target) << " |\n";
  }
  if (!r.egress.empty()) {
    std::cout << "\n| | internet egress | instance | flow | destinations |\n|---|---|---|---|---|\n";
    for (const auto& e : r.egress)
      std::cout << "| " << (e.gained ? "➕ gained" : "➖ lost") << " | via " << md_cell(e.through) << " | "
                << md_cell(e.resource) << " | " << e.protocol << " " << e.ports << " | " << md_cell(e.destinations)
                << " |\n";
  }
  if (!r.dns.empty()) {
    std::cout << "\n| | DNS name | asked from | now | before |\n|---|---|---|---|---|\n";
    for (const auto& d : r.dns)
      std::cout << "| 🔁 answer | " << md_cell(d.name + " " + d.type) << " | " << md_cell(d.vpc) << " | " << md_cell(d.after)
                << " | " << md_cell(d.before) << " |\n";
  }
}

json sarif(const analysis::DiffResult& r, const Side& before, const Side& after) {
  json results = json::array();
  auto loc_of = [](const std::string& shown) {
    auto c1 = shown.rfind(':');
    auto c2 = c1 == std::string::npos || c1 == 0 ? std::string::npos : shown.rfind(':', c1 - 1);
    json region = json::object();
    std::string file = shown;
    if (c2 != std::string::npos) {
      file = shown.substr(0, c2);
      region = {{"startLine", std::stoi(shown.substr(c2 + 1, c1 - c2 - 1))}, {"startColumn", std::stoi(shown.substr(c1 + 1))}};
    }
    json phys = {{"artifactLocation", {{"uri", file}}}};
    if (!region.empty()) phys["region"] = region;
    return json::array({{{"physicalLocation", phys}}});
  };
  for (const auto& f : r.flows) {
    json res{{"ruleId", f.allowed ? "FLOW_NEWLY_ALLOWED" : "FLOW_NEWLY_BLOCKED"},
             {"level", f.allowed ? "warning" : "note"},
             {"message", {{"text", f.protocol + "/" + f.ports + " " + join(f.sources) + " -> " + join(f.destinations) +
                                       ": " + summary(f, before, after)}}}};
    const auto& c = f.allowed ? f.after : f.before;
    std::string shown = (f.allowed ? after : before).display(c.loc);
    if (!shown.empty() && shown.rfind("git:", 0) != 0) res["locations"] = loc_of(shown);
    results.push_back(res);
  }
  for (const auto& e : r.exposure)
    results.push_back({{"ruleId", e.gained ? "EXPOSURE_GAINED" : "EXPOSURE_LOST"},
                       {"level", e.gained ? "warning" : "note"},
                       {"message", {{"text", e.resource + " reachable from " + e.scope + ": " + e.protocol + " " +
                                                 e.ports + " from " + e.sources}}}});
  for (const auto& h : r.health_checks)
    results.push_back({{"ruleId", h.reachable ? "HEALTH_CHECK_REACHABLE" : "HEALTH_CHECK_UNREACHABLE"},
                       {"level", h.reachable ? "note" : "warning"},
                       {"message", {{"text", h.load_balancer + " health checks of " + h.target + " tcp/" +
                                                 std::to_string(h.port) + " (target group " + h.target_group + ")" +
                                                 (h.reachable ? " now reach it" : " no longer reach it")}}}});
  for (const auto& e : r.egress)
    results.push_back({{"ruleId", e.gained ? "EGRESS_GAINED" : "EGRESS_LOST"},
                       {"level", "note"},
                       {"message", {{"text", e.resource + " reaches the internet: " + e.protocol + " " + e.ports +
                                                 " to " + e.destinations + (e.gained ? " (gained)" : " (lost)")}}}});
  for (const auto& d : r.dns)
    results.push_back({{"ruleId", "DNS_ANSWER_CHANGED"},
                       {"level", "note"},
                       {"message", {{"text", d.name + " " + d.type + " asked from " + d.vpc + ": now " + d.after +
                                                 "; before: " + d.before}}}});
  json rules = json::array();
  for (const char* id : {"FLOW_NEWLY_ALLOWED", "FLOW_NEWLY_BLOCKED", "EXPOSURE_GAINED", "EXPOSURE_LOST",
                         "HEALTH_CHECK_REACHABLE", "HEALTH_CHECK_UNREACHABLE", "DNS_ANSWER_CHANGED",
                         "EGRESS_GAINED", "EGRESS_LOST"})
    rules.push_back({{"id", id}});
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", {{"name", "vpclab"}, {"version", version()}, {"rules", rules}}}}},
                                 {"results", results}}})}};
}

bool open_side(Side& side, const std::string& arg, const std::vector<std::string>& other_paths) {
  side.label = arg;
  if (!GitInput::is_git_spec(arg)) {
    side.paths = {arg};
    return true;
  }
  std::string err;
  if (!side.git.open(arg, other_paths, &err)) {
    std::cerr << "vpclab diff: " << err << "\n";
    return false;
  }
  side.paths = side.git.paths();
  return true;
}

int run_diff(const DiffCli& o) {
  std::string format = o.json ? "json" : o.format;
  if (GitInput::is_git_spec(o.old_arg) && GitInput::is_git_spec(o.new_arg) &&
      (o.old_arg.find(':', 4) == std::string::npos || o.new_arg.find(':', 4) == std::string::npos)) {
    std::cerr << "vpclab diff: when both sides are git revisions, name the path: git:REV:PATH\n";
    return 2;
  }
  Side before, after;
  // A bare git:REV takes the other side's path(s).
  if (GitInput::is_git_spec(o.new_arg)) {
    if (!open_side(before, o.old_arg, {}) || !open_side(after, o.new_arg, before.paths)) return 2;
  } else {
    if (!open_side(after, o.new_arg, {}) || !open_side(before, o.old_arg, after.paths)) return 2;
  }
  // The versions load independently: one per core.
  auto loading = std::async(std::launch::async, [&after] { return load_or_report(after.paths, "diff"); });
  auto n0 = load_or_report(before.paths, "diff");
  auto n1 = loading.get();
  if (!n0 || !n1) return 2;
  analysis::DiffOptions opts{o.from, o.to, o.port, o.protocol, {}};
  if (!o.full) opts.changed = snapshot::changed_resources(*n0, *n1);
  auto r = analysis::diff_networks(*n0, *n1, opts);
  if (!r.ok) {
    std::cerr << "vpclab diff: " << r.error << "\n";
    return 2;
  }
  if (format == "json") std::cout << diff_json(r, before, after).dump(2) << "\n";
  else if (format == "markdown") print_markdown(r, before, after);
  else if (format == "sarif") std::cout << sarif(r, before, after).dump(2) << "\n";
  else print_text(r, before, after);
  if (o.fail_on == "none") return 0;
  if (o.fail_on == "exposure") return r.exposure_gained() ? 1 : 0;
  return r.any() ? 1 : 0;
}

}  // namespace

void register_diff(CLI::App& app, Runner& run) {
  auto o = std::make_shared<DiffCli>();
  auto* cmd = app.add_subcommand("diff", "What a change newly allows and blocks, and why (a pull-request gate)");
  cmd->add_option("OLD", o->old_arg, "before: template, lab manifest, snapshot folder, or git:REV[:PATH]")->required();
  cmd->add_option("NEW", o->new_arg, "after: template, lab manifest, snapshot folder, or git:REV[:PATH]")->required();
  cmd->add_option("--from", o->from, "comma-separated sources (logical ids, ids; default all)");
  cmd->add_option("--to", o->to, "comma-separated destinations (default all)");
  cmd->add_option("--port", o->port, "ports: 22 | 80,443 | 1024-65535 (default all)");
  cmd->add_option("--protocol", o->protocol, "tcp | udp | icmp (default all)")
      ->check(CLI::IsMember({"tcp", "udp", "icmp"}));
  cmd->add_flag("--json", o->json, "print JSON (docs/diff-json.md)");
  cmd->add_option("--format", o->format, "text | json | markdown | sarif")
      ->check(CLI::IsMember({"text", "json", "markdown", "sarif"}));
  cmd->add_option("--fail-on", o->fail_on, "exit 1 on: any difference (default), exposure gained, or none")
      ->check(CLI::IsMember({"any", "exposure", "none"}));
  cmd->add_flag("--full", o->full, "recompute every pair, not only those the changed resources touch");
  cmd->callback([o, &run] { run = [o] { return run_diff(*o); }; });
}

}  // namespace vpclab::cli
