// `vpclab check --fix-lint` (cli/fix_lint.h): the patch on stdout, as a
// unified diff; the check report and the verification on stderr. Verified
// on a scratch copy: it loads with no error, the lints it answers are gone,
// and `diff` of the original against it shows no flow newly allowed or
// blocked and no exposure gained.
#include "cli/fix_lint.h"

#include <fstream>
#include <iostream>
#include <set>

#include "analysis/diff.h"
#include "analysis/lint.h"
#include "analysis/lint_fix.h"
#include "cli/load.h"
#include "cli/output.h"
#include "cli/unified_diff.h"
#include "cli/work_copy.h"
#include "snapshot/load.h"
#include "snapshot/write.h"
#include "template/edit.h"

namespace vpclab::cli {
namespace {

// Why the other lints have no safe fix (docs/lint.md).
const char* no_safe_fix(const std::string& code) {
  if (code == "SSH_OPEN_TO_WORLD")
    return "whom to let log in is a decision: the sources that reach it in the lab are what the lint warns of, and "
           "the bastions' group (the lint's advice) closes paths the lab has; restrict the rule by hand";
  if (code == "INTERNET_FACING_ALB_NO_IGW") return "public or private subnets for the load balancer is a design choice";
  if (code == "ALB_SG_MISSING_LISTENER_PORT" || code == "TARGET_SG_MISSING_PORT" ||
      code == "PEERING_ROUTE_ONE_SIDE" || code == "PHZ_VPC_DNS_DISABLED" || code == "NAT_GATEWAY_NO_IGW_ROUTE")
    return "its fix opens a path (a newly allowed flow), which --fix-lint never does: "
           "vpclab fix LAB --from CLIENT --to DESTINATION opens it, verified";
  return nullptr;
}

struct Attempt {
  std::vector<tmpl::FileEdit> edits;
  std::vector<std::string> unfixable;  // per finding, "" when its changes were written
  analysis::DiffResult diff;
  std::string failed;                  // why the patched copy is not verified ("" = verified)
};

Attempt attempt(const std::string& lab, const model::Network& net0, std::vector<analysis::LintFix>& fixes) {
  Attempt out;
  WorkCopy copy;
  std::string err;
  if (!copy.make(lab, err)) {
    out.failed = err;
    return out;
  }
  tmpl::TemplateEditor editor(copy.to_user());
  std::set<std::string> fixed_groups;
  for (auto& f : fixes) {
    out.unfixable.push_back(f.unfixable);
    if (!f.unfixable.empty()) continue;
    tmpl::TemplateEditor trial = editor;  // all of a finding's changes or none
    bool written = true;
    for (const auto& c : f.changes)
      if (!(written = trial.apply(c, err))) break;
    if (!written) {
      out.unfixable.back() = err;
      continue;
    }
    editor = trial;
    fixed_groups.insert(f.security_group);
  }
  out.edits = editor.edits();
  if (out.edits.empty()) return out;
  for (const auto& e : out.edits) copy.write(e.path, e.after);
  auto loaded = load_any({copy.lab()});
  if (!loaded.network || loaded.diags.has_errors()) {
    for (const auto& d : loaded.diags.items())
      if (d.severity == Severity::kError && out.failed.empty())
        out.failed = "the patched templates do not load (" + d.code + ": " + d.message + ")";
    if (out.failed.empty()) out.failed = "the patched templates do not load";
    return out;
  }
  const model::Network& net1 = *loaded.network;
  for (const auto& lb : net1.load_balancers)
    for (const auto& f : analysis::alb_rules_open_to_world(net1, lb)) {
      const auto* sg = net1.security_group(f.security_group);
      if (sg && fixed_groups.count(sg->origin.display(sg->id)) && out.failed.empty())
        out.failed = "ALB_SG_OPEN_TO_WORLD is still reported for " + sg->origin.display(sg->id);
    }
  analysis::DiffOptions dopts;
  dopts.changed = snapshot::changed_resources(net0, net1);  // only what the patch touches is recomputed
  out.diff = analysis::diff_networks(net0, net1, dopts);
  for (const auto& fl : out.diff.flows)
    if (out.failed.empty()) {
      std::string who;
      for (const auto& s : fl.sources) who += (who.empty() ? "" : ", ") + s;
      out.failed = std::string(fl.allowed ? "it newly allows " : "it newly blocks ") + fl.protocol + "/" + fl.ports +
                   " from " + who;
    }
  for (const auto& e : out.diff.exposure)
    if (e.gained && out.failed.empty()) out.failed = "it exposes " + e.resource + " (" + e.scope + ")";
  for (const auto& h : out.diff.health_checks)
    if (out.failed.empty()) out.failed = "it changes " + h.load_balancer + "'s health checks of " + h.target;
  return out;
}

}  // namespace

int run_fix_lint(const std::string& given, bool apply) {
  const std::string lab = manifests_for_folders({given}).front();
  if (snapshot::is_snapshot_dir(lab)) {
    std::cerr << "vpclab check: --fix-lint edits templates; " << lab << " is a snapshot folder\n";
    return 2;
  }
  auto result = load_any({lab});
  if (result.network) analysis::lint(*result.network, result.diags);
  result.diags.sort();
  print_diagnostics(std::cerr, result.diags);
  std::cerr << summary_line(result.diags) << "\n";
  if (!result.network || result.diags.has_errors()) {
    std::cerr << "vpclab check: errors first; --fix-lint fixes lints of a network with no error\n";
    return 1;
  }
  const model::Network& net0 = *result.network;
  for (const auto& d : result.diags.items())
    if (const char* why = no_safe_fix(d.code)) std::cerr << "no safe fix: " << d.code << " at " << d.loc.str() << ": " << why << "\n";

  analysis::FixOptions fopts;
  auto fixes = analysis::plan_lint_fixes(net0, fopts);
  if (fixes.empty()) {
    std::cerr << "nothing to fix: no lint with a safe fix\n";
    return 0;
  }
  Attempt a = attempt(lab, net0, fixes);
  if (!a.failed.empty() && !a.edits.empty()) {
    // A client's group has other members the new rule would admit: name the clients by address.
    fopts.group_references = false;
    auto by_address = analysis::plan_lint_fixes(net0, fopts);
    Attempt b = attempt(lab, net0, by_address);
    if (b.failed.empty()) {
      std::cerr << "naming the clients' security groups is wider (" << a.failed << "): named by address\n";
      a = std::move(b);
      fixes = std::move(by_address);
    }
  }
  for (size_t i = 0; i < fixes.size(); ++i)
    if (i < a.unfixable.size() && !a.unfixable[i].empty())
      std::cerr << "no fix: " << fixes[i].code << " at " << fixes[i].loc.str() << ": " << a.unfixable[i] << "\n";
  if (!a.failed.empty()) {
    std::cerr << "no fix: the change that narrows it is not safe: " << a.failed << "\n";
    return 0;
  }
  if (a.edits.empty()) return 0;
  for (const auto& e : a.edits) std::cout << unified_diff(e.path, e.before, e.after);
  std::cerr << "verified: the patched templates load with no error; ";
  for (size_t i = 0; i < fixes.size(); ++i) {
    if (!a.unfixable[i].empty()) continue;
    std::cerr << fixes[i].code << " at " << fixes[i].security_group << " is gone; ";
  }
  std::cerr << "vpclab diff: no flow newly allowed or blocked (" << a.diff.pairs_compared << " pairs compared)\n";
  for (size_t i = 0; i < fixes.size(); ++i)
    if (a.unfixable[i].empty()) {
      std::cerr << "  " << fixes[i].security_group << ": 0.0.0.0/0 narrowed to";
      for (const auto& c : fixes[i].clients) std::cerr << "\n    " << c;
      std::cerr << "\n";
    }
  if (apply)
    for (const auto& e : a.edits) {
      std::ofstream(e.path, std::ios::binary) << e.after;
      std::cerr << "applied to " << e.path << "\n";
    }
  return 0;
}

}  // namespace vpclab::cli
