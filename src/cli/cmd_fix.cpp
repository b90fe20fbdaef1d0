// `vpclab fix LAB --from X --to Y [--port P] [--protocol tcp|udp] [--apply]`:
// the smallest change to the user's own templates that opens a blocked path,
// as a unified diff, verified before it is printed: the patched copy loads
// with no error, the trace is reachable, and `diff` of the original against
// it newly allows nothing but the intended class. Exit 0 fix found (or the
// path is already open), 1 no fix, 2 usage or input error.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "analysis/analyzer.h"
#include "analysis/diff.h"
#include "analysis/fix.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/output.h"
#include "cli/unified_diff.h"
#include "cli/work_copy.h"
#include "semantics/packet.h"
#include "snapshot/write.h"
#include "template/edit.h"
#include "template/engine.h"
#include "terraform/hcl.h"
#include "terraform/load.h"

namespace vpclab::cli {
namespace {

namespace fs = std::filesystem;

struct FixCli {
  std::string lab, from, to, protocol = "tcp";
  std::optional<int> port;
  bool apply = false;
};

// Rounds of changes: a path can be shut in eight places at once (both groups, both ACLs
// each way, a route on each side); the copy is traced once more after the last round.
constexpr int kMaxRounds = 8;

// Every word of a trace label ("Stack.Name (i-...) 10.0.0.4"), and "Name" for "Stack.Name".
void label_names(const std::string& s, std::set<std::string>& out) {
  std::string w;
  for (char c : s + " ") {
    if (c == ' ' || c == '(' || c == ')' || c == ',') {
      if (!w.empty()) out.insert(w);
      // "Stack.LogicalId": the diff names resources by logical id too.
      if (auto dot = w.rfind('.'); dot != std::string::npos && !Ipv4Address::parse(w)) out.insert(w.substr(dot + 1));
      w.clear();
    } else {
      w += c;
    }
  }
}

// The names a diff may give the intended class's ends: every word of the
// trace's source and destination labels, the load balancer and its targets.
std::set<std::string> intended_names(const model::Network& net, const analysis::TraceResult& t) {
  std::set<std::string> out;
  auto words = [&](const std::string& s) { label_names(s, out); };
  words(t.source);
  words(t.destination);
  for (const auto& p : t.paths) {
    if (!p.response) continue;
    words(p.response->load_balancer);
    for (const auto& lb : net.load_balancers)
      if (lb.origin.display(lb.name) == p.response->load_balancer) {
        out.insert(lb.origin.logical_id);
        out.insert(lb.arn);
      }
    for (const auto& tg : p.response->targets) {
      out.insert(tg.id);
      if (const auto* i = net.instance(tg.id)) {
        out.insert(i->origin.logical_id);
        out.insert(i->origin.display(i->id));
      }
    }
  }
  return out;
}

bool named(const std::set<std::string>& names, const std::string& key) {
  if (names.count(key)) return true;
  auto dot = key.rfind('.');
  return dot != std::string::npos && names.count(key.substr(dot + 1));
}

struct Outcome {
  bool reachable = false;
  analysis::TraceResult trace;      // the last trace (of the patched copy when there is one)
  std::vector<std::string> unfixable;
  std::vector<tmpl::FileEdit> edits;
  std::vector<std::string> why;     // what each change answers
  analysis::DiffResult diff;
  std::string wider;                // why the change opens more than the intended class ("" = narrow)
  bool routed = false;              // a change other than a rule or an entry (routes carry every port)
  bool listeners_only = true;       // every change adds a listener (no filter is touched)
};

Outcome attempt(const FixCli& o, const model::Network& net0, const analysis::TraceOptions& topts,
                const analysis::FixOptions& fopts, const WorkCopy& copy) {
  Outcome out;
  tmpl::TemplateEditor editor(copy.to_user());
  std::shared_ptr<const model::Network> net = std::shared_ptr<const model::Network>(&net0, [](const model::Network*) {});
  analysis::TraceResult t;
  for (int round = 0; round <= kMaxRounds; ++round) {
    analysis::Analyzer an(*net);
    t = an.trace(o.from, o.to, topts);
    if (t.reachable && !t.undecidable && !analysis::health_checks_blocked(t)) {
      out.reachable = true;
      break;
    }
    if (round == kMaxRounds) break;
    analysis::FixStep step = analysis::plan_fix(an, t, fopts);
    out.unfixable = step.unfixable;
    size_t applied = 0;
    for (const auto& c : step.changes) {
      std::string err;
      if (editor.apply(c, err)) {
        ++applied;
        out.why.push_back(c.why);
        out.routed |= c.kind != model::Change::Kind::kAddSecurityGroupRule &&
                      c.kind != model::Change::Kind::kAddNetworkAclEntry;
        out.listeners_only &= c.kind == model::Change::Kind::kAddListener;
      } else {
        out.unfixable.push_back(err);
      }
    }
    if (applied == 0) break;
    for (const auto& e : editor.edits()) copy.write(e.path, e.after);
    auto loaded = load_any({copy.lab()});
    if (!loaded.network || loaded.diags.has_errors()) {
      std::string first;
      for (const auto& d : loaded.diags.items())
        if (d.severity == Severity::kError && first.empty()) first = d.code + ": " + d.message;
      out.unfixable.push_back("the change that would open it makes the templates invalid (" + first + ")");
      return out;
    }
    net = loaded.network;
  }
  out.edits = editor.edits();
  out.trace = t;
  if (!out.reachable || out.edits.empty()) return out;
  analysis::DiffOptions dopts;
  dopts.changed = snapshot::changed_resources(net0, *net);  // only what the patch touches is recomputed
  out.diff = analysis::diff_networks(net0, *net, dopts);
  std::set<std::string> names = intended_names(*net, t);
  std::set<std::string> client;
  label_names(t.source, client);
  for (const auto& f : out.diff.flows) {
    if (!f.allowed) continue;
    // From the internet the class is "anyone" (a rule from 0.0.0.0/0 admits the network's own
    // hosts too): any source to the destination on the port asked for.
    bool to_intended = std::all_of(f.destinations.begin(), f.destinations.end(), [&](const auto& k) { return named(names, k); });
    if (fopts.source_is_internet && to_intended && t.flow == f.protocol + "/" + f.ports) continue;
    // A new listener answers on its port whoever the unchanged filters already let reach the
    // load balancer: nothing narrower opens the port for the client.
    if (out.listeners_only && to_intended && t.flow == f.protocol + "/" + f.ports) continue;
    for (const auto* side : {&f.sources, &f.destinations})
      for (const auto& k : *side)
        if (!named(names, k) && out.wider.empty())
          out.wider = "it also allows " + f.protocol + "/" + f.ports + " for " + k;
    // Toward the client only replies belong to the class: a flow from the far end to the
    // client on other ports (a group that admits itself) is a new path, not the one asked for.
    bool to_client = std::any_of(f.destinations.begin(), f.destinations.end(), [&](const auto& k) { return named(client, k); });
    bool from_client = std::any_of(f.sources.begin(), f.sources.end(), [&](const auto& k) { return named(client, k); });
    auto ports = analysis::parse_port_spec(f.ports);
    bool reply = ports && semantics::IntervalSet::of(semantics::kLinuxEphemeralPorts).contains(*ports);
    if (to_client && !from_client && !reply && out.wider.empty())
      out.wider = "it also allows " + f.protocol + "/" + f.ports + " back to the client";
    // From the client, only the port asked for: a NACL's reply entry cannot tell replies apart,
    // so it may open the client's other requests to the peer. A route carries every port.
    bool asked = ports && t.flow == f.protocol + "/" + f.ports;
    if (from_client && !to_client && !asked && !out.routed && out.wider.empty())
      out.wider = "it also allows " + f.protocol + "/" + f.ports + " from the client";
  }
  for (const auto& e : out.diff.exposure) {
    if (!e.gained || !out.wider.empty()) continue;
    if (e.scope == "internet" ? !fopts.source_is_internet : !named(names, e.resource))
      out.wider = "it exposes " + e.resource + " to " + (e.scope == "internet" ? "the internet" : "other VPCs");
  }
  return out;
}

bool is_terraform_input(const std::string& path) {
  Diagnostics d;
  auto root = fs::is_regular_file(path) ? tmpl::parse_template_file(path, d) : std::nullopt;
  return root && terraform::is_terraform_json(*root);
}

// A plan has no positions in the .tf files: the changes are printed as HCL
// to add to the named addresses, one round (each address's first blocker),
// not verified by re-planning.
int terraform_fix(const FixCli& o, const analysis::Analyzer& an, const analysis::TraceResult& t) {
  analysis::FixOptions fopts;
  fopts.source_is_internet = o.from == "internet";
  analysis::FixStep step = analysis::plan_fix(an, t, fopts);
  for (const auto& u : step.unfixable) std::cerr << "  " << u << "\n";
  if (step.changes.empty()) {
    std::cerr << "no fix: " << t.source << " -> " << t.destination << " (" << t.flow << ")\n";
    return 1;
  }
  for (size_t i = 0; i < step.changes.size(); ++i)
    std::cout << (i ? "\n" : "") << terraform::hcl_snippet(step.changes[i]);
  std::cerr << "not verified: " << o.lab << " is a Terraform plan (no positions in the .tf files to patch); add the "
            << "HCL above to the configuration, plan again and re-run vpclab trace\n";
  return 0;
}

int run_fix(const FixCli& o) {
  auto net0 = load_or_report({o.lab}, "fix");
  if (!net0) return 2;
  analysis::TraceOptions topts;
  topts.protocol = o.protocol == "udp" ? kUdp : kTcp;
  if (o.port) topts.port = static_cast<uint16_t>(*o.port);
  analysis::Analyzer an0(*net0);
  auto t0 = an0.trace(o.from, o.to, topts);
  if (!t0.ok) {
    std::cerr << "vpclab fix: " << t0.error << "\n";
    return 2;
  }
  bool fails_open = t0.reachable && analysis::health_checks_blocked(t0);
  if (t0.reachable && !fails_open) {
    std::cout << "already reachable: " << t0.source << " -> " << t0.destination << " (" << t0.flow << "); nothing to fix\n";
    return 0;
  }
  if (t0.undecidable) {
    std::cerr << "undecidable: the path crosses a component vpclab does not model; no fix\n";
    return 1;
  }
  if (is_terraform_input(o.lab)) return terraform_fix(o, an0, t0);
  WorkCopy copy;
  std::string err;
  if (!copy.make(o.lab, err)) {
    std::cerr << "vpclab fix: " << err << "\n";
    return 2;
  }
  analysis::FixOptions fopts;
  fopts.source_is_internet = o.from == "internet";
  Outcome out = attempt(o, *net0, topts, fopts, copy);
  if (out.reachable && !out.wider.empty() && fopts.group_references) {
    // The client's group has other members: name the client by address instead.
    WorkCopy again;
    if (again.make(o.lab, err)) {
      fopts.group_references = false;
      Outcome narrow = attempt(o, *net0, topts, fopts, again);
      if (narrow.reachable && narrow.wider.empty()) out = std::move(narrow);
    }
  }
  if (!out.reachable || !out.wider.empty()) {
    // On stderr, as the verification: `fix > change.patch` leaves no reason in the patch.
    std::cerr << (fails_open ? "reachable only because the target group fails open; no fix for its health checks: "
                             : "no fix: ")
              << t0.source << " -> " << t0.destination << " (" << t0.flow << ")\n";
    if (!out.wider.empty()) std::cerr << "  the change that opens it is wider than the path: " << out.wider << "\n";
    for (const auto& u : out.unfixable) std::cerr << "  " << u << "\n";
    if (!out.reachable && out.unfixable.empty() && out.wider.empty()) {
      // Every change applied and the path is still shut: say what still blocks it.
      for (const auto& p : out.trace.paths)
        for (const auto& e : p.explanations)
          std::cerr << "  " << e.code << " at " << e.component << ": " << e.message << " (still, after "
                    << out.why.size() << " change(s))\n";
      for (const auto& w : out.why) std::cerr << "  tried: " << w << "\n";
    }
    return fails_open ? 0 : 1;
  }
  for (const auto& e : out.edits) std::cout << unified_diff(e.path, e.before, e.after);
  size_t allowed = 0;
  for (const auto& f : out.diff.flows) allowed += f.allowed ? 1 : 0;
  const auto& tf = out.trace;
  std::cerr << "verified: the patched templates load with no error; " << tf.source << " -> " << tf.destination << " ("
            << tf.flow << ") is reachable; vpclab diff: " << allowed << " newly allowed class(es), all between them:\n";
  for (const auto& f : out.diff.flows)
    if (f.allowed) {
      std::string s, d;
      for (const auto& x : f.sources) s += (s.empty() ? "" : ", ") + x;
      for (const auto& x : f.destinations) d += (d.empty() ? "" : ", ") + x;
      std::cerr << "  + " << f.protocol << "/" << f.ports << "  " << s << " -> " << d << "\n";
    }
  for (const auto& w : out.why) std::cerr << "  answers " << w << "\n";
  if (o.apply) {
    for (const auto& e : out.edits) {
      std::ofstream(e.path, std::ios::binary) << e.after;
      std::cerr << "applied to " << e.path << "\n";
    }
  }
  return 0;
}

}  // namespace

void register_fix(CLI::App& app, Runner& run) {
  auto o = std::make_shared<FixCli>();
  auto* cmd = app.add_subcommand("fix", "The smallest verified template change that opens a blocked path");
  cmd->add_option("LAB", o->lab, "template or lab manifest")->required();
  cmd->add_option("--from", o->from, "source, as trace takes it (name, id, address, internet)")->required();
  cmd->add_option("--to", o->to, "destination, as trace takes it (name, id, address, URL)")->required();
  cmd->add_option("--port", o->port, "destination port (default: the URL's, else 80)")->check(CLI::Range(1, 65535));
  cmd->add_option("--protocol", o->protocol, "tcp | udp")->check(CLI::IsMember({"tcp", "udp"}));
  cmd->add_flag("--apply", o->apply, "write the patch into the templates");
  cmd->callback([o, &run] { run = [o] { return run_fix(*o); }; });
}

}  // namespace vpclab::cli
