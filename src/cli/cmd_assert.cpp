// `vpclab assert LAB [POLICY...]`: the lab's Network Access Analyzer scopes
// and Reachability Analyzer paths (its templates' own and the POLICY files'),
// evaluated offline (analysis/assertions.h). Exit 0 all hold, 1 some fail,
// 2 usage or input error. Formats: text, --json (docs/assert.md), sarif, junit.
#include <iostream>
#include <nlohmann/json.hpp>

#include "analysis/assertions.h"
#include "cli/commands.h"
#include "vocab/markup.h"
#include "cli/load.h"
#include "cli/output.h"
#include "cli/trace_output.h"
#include "cli/version.h"
#include "template/insights.h"

namespace vpclab::cli {
namespace {

using nlohmann::json;

struct AssertCli {
  std::vector<std::string> args;  // LAB, then POLICY files
  bool json = false;
  std::string format = "text";
};

const char* kind_name(analysis::AssertionKind k) {
  return k == analysis::AssertionKind::kAccessScope ? "access-scope" : "path";
}

std::string status(const analysis::AssertionResult& r) { return !r.judged ? "INFO" : r.holds ? "PASS" : "FAIL"; }

std::string headline(const analysis::AssertionResult& r) {
  if (r.kind == analysis::AssertionKind::kAccessScope)
    return r.finding_count == 0 ? "no path matches" : std::to_string(r.finding_count) + " matching path(s)";
  if (!r.judged) return r.verdict + " (no expectation)";
  return r.verdict + " (expected " + r.expected + ")";
}

std::string finding_line(const analysis::ScopeFinding& f) {
  std::string s = f.protocol + "/" + f.ports + "  " + f.source + " [" + f.source_addresses + "] -> " + f.destination;
  if (!f.destination_port.empty()) s += " :" + f.destination_port;
  if (f.destination_id.rfind("igw-", 0) == 0) s += " [" + f.destination_addresses + "]";
  if (!f.through.empty()) {
    s += "  through ";
    for (size_t i = 0; i < f.through.size(); ++i) s += (i ? ", " : "") + f.through[i];
  }
  return s;
}

void print_text(const analysis::AssertReport& rep, const std::string& lab) {
  size_t failed = 0;
  for (const auto& r : rep.results) {
    failed += r.holds ? 0 : 1;
    std::cout << status(r) << "  " << kind_name(r.kind) << " " << r.name;
    if (r.loc.known()) std::cout << " (" << r.loc.str() << ")";
    std::cout << ": " << headline(r) << "\n";
    for (const auto& f : r.findings) std::cout << "    " << finding_line(f) << "\n";
    if (r.findings.size() < r.finding_count)
      std::cout << "    ... " << r.finding_count - r.findings.size() << " more (--json lists "
                << analysis::kMaxFindings << " at most)\n";
    // A failed path says why (the blocking explanation); the hops are in --json.
    if (r.trace && !r.holds) {
      for (const auto& p : r.trace->paths) print_explanations(std::cout, p.explanations);
      print_explanations(std::cout, r.trace->dns_explanations);
    }
    for (const auto& note : r.notes) std::cout << "    note: " << note << "\n";
  }
  std::cout << "\n" << lab << ": " << rep.results.size() << " assertion(s), " << failed << " failed\n";
}

json report_json(const analysis::AssertReport& rep, const std::string& lab) {
  json items = json::array();
  for (const auto& r : rep.results) {
    json findings = json::array();
    for (const auto& f : r.findings) {
      json hops = json::array();
      for (const auto& h : f.hops) hops.push_back(hop_json(h));
      findings.push_back({{"source", f.source},
                          {"source_id", f.source_id},
                          {"destination", f.destination},
                          {"destination_id", f.destination_id},
                          {"through", f.through},
                          {"protocol", f.protocol},
                          {"source_addresses", f.source_addresses},
                          {"destination_addresses", f.destination_addresses},
                          {"ports", f.ports},
                          {"destination_port", f.destination_port.empty() ? json(nullptr) : json(f.destination_port)},
                          {"hops", hops}});
    }
    items.push_back({{"kind", kind_name(r.kind)},
                     {"name", r.name},
                     {"id", r.id},
                     {"location", loc_json(r.loc)},
                     {"holds", r.holds},
                     {"judged", r.judged},
                     {"finding_count", r.finding_count},
                     {"findings", findings},
                     {"expected", r.expected.empty() ? json(nullptr) : json(r.expected)},
                     {"verdict", r.verdict.empty() ? json(nullptr) : json(r.verdict)},
                     {"trace", r.trace ? trace_json(*r.trace) : json(nullptr)},
                     {"notes", r.notes}});
  }
  return with_metadata({{"lab", lab}, {"holds", rep.all_hold()}, {"assertions", items}});
}

void print_junit(const analysis::AssertReport& rep, const std::string& lab) {
  size_t failures = 0;
  for (const auto& r : rep.results) failures += r.holds ? 0 : 1;
  std::cout << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            << "<testsuites name=\"vpclab assert\" tests=\"" << rep.results.size() << "\" failures=\"" << failures
            << "\">\n  <testsuite name=\"" << escape_markup(lab) << "\" tests=\"" << rep.results.size() << "\" failures=\""
            << failures << "\">\n";
  for (const auto& r : rep.results) {
    std::cout << "    <testcase classname=\"" << kind_name(r.kind) << "\" name=\"" << escape_markup(r.name) << "\"";
    if (r.loc.known()) std::cout << " file=\"" << escape_markup(r.loc.file) << "\" line=\"" << r.loc.line << "\"";
    if (r.holds) {
      std::cout << ">";
      if (!r.judged) std::cout << "<system-out>" << escape_markup(headline(r)) << "</system-out>";
      std::cout << "</testcase>\n";
      continue;
    }
    std::string body;
    for (const auto& f : r.findings) body += finding_line(f) + "\n";
    if (r.trace)
      for (const auto& p : r.trace->paths)
        for (const auto& e : p.explanations) body += e.code + ": " + e.message + "\n";
    std::cout << ">\n      <failure message=\"" << escape_markup(headline(r)) << "\">" << escape_markup(body) << "</failure>\n    </testcase>\n";
  }
  std::cout << "  </testsuite>\n</testsuites>\n";
}

json report_sarif(const analysis::AssertReport& rep) {
  json results = json::array();
  for (const auto& r : rep.results) {
    if (r.holds) continue;
    std::string rule = r.kind == analysis::AssertionKind::kAccessScope ? "ACCESS_SCOPE_FINDING" : "PATH_EXPECTATION";
    std::string text = std::string(kind_name(r.kind)) + " " + r.name + ": " + headline(r);
    for (const auto& f : r.findings) text += "\n" + finding_line(f);
    json res{{"ruleId", rule}, {"level", "error"}, {"message", {{"text", text}}}};
    if (r.loc.known()) {
      json phys = {{"artifactLocation", {{"uri", r.loc.file}}},
                   {"region", {{"startLine", r.loc.line}, {"startColumn", std::max<uint32_t>(1, r.loc.col)}}}};
      res["locations"] = json::array({{{"physicalLocation", phys}}});
    }
    results.push_back(res);
  }
  json rules = json::array({{{"id", "ACCESS_SCOPE_FINDING"}}, {{"id", "PATH_EXPECTATION"}}});
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", {{"name", "vpclab"}, {"version", version()}, {"rules", rules}}}}},
                                 {"results", results}}})}};
}

int run_assert(const AssertCli& o) {
  std::string format = o.json ? "json" : o.format;
  const std::string& lab = o.args.front();
  auto net = load_or_report({lab}, "assert");
  if (!net) return 2;
  model::Assertions all = net->assertions;
  Diagnostics diags;
  bool ok = true;
  for (size_t i = 1; i < o.args.size(); ++i) {
    auto p = tmpl::read_policy_file(o.args[i], diags);
    if (!p) {
      ok = false;
      continue;
    }
    all.access_scopes.insert(all.access_scopes.end(), p->access_scopes.begin(), p->access_scopes.end());
    all.paths.insert(all.paths.end(), p->paths.begin(), p->paths.end());
  }
  if (!ok) {
    std::cerr << "vpclab assert: bad policy\n";
    print_diagnostics(std::cerr, diags);
    return 2;
  }
  if (all.access_scopes.empty() && all.paths.empty()) {
    std::cerr << "vpclab assert: " << lab
              << " holds no AWS::EC2::NetworkInsightsAccessScope or NetworkInsightsPath, and no POLICY was given\n";
    return 2;
  }
  analysis::Analyzer an(*net);
  analysis::AssertReport rep = analysis::check_assertions(an, all);
  if (rep.errors.has_errors()) {
    std::cerr << "vpclab assert: a policy names what the lab does not hold\n";
    print_diagnostics(std::cerr, rep.errors);
    if (format == "json") std::cout << with_metadata({{"error", "a policy names what the lab does not hold"}}).dump(2) << "\n";
    return 2;
  }
  if (format == "json") std::cout << report_json(rep, lab).dump(2) << "\n";
  else if (format == "junit") print_junit(rep, lab);
  else if (format == "sarif") std::cout << report_sarif(rep).dump(2) << "\n";
  else print_text(rep, lab);
  return rep.exit_code();
}

}  // namespace

void register_assert(CLI::App& app, Runner& run) {
  auto o = std::make_shared<AssertCli>();
  auto* cmd = app.add_subcommand(
      "assert", "Evaluate Network Access Analyzer scopes and Reachability Analyzer paths (templates' and POLICY files')");
  cmd->add_option("LAB POLICY", o->args,
                  "the lab (template, lab manifest or snapshot folder), then POLICY files (YAML or JSON)")
      ->required();
  cmd->add_flag("--json", o->json, "print JSON (docs/assert.md)");
  cmd->add_option("--format", o->format, "text | json | sarif | junit")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit"}));
  cmd->callback([o, &run] { run = [o] { return run_assert(*o); }; });
}

}  // namespace vpclab::cli
