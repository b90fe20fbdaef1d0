// `vpclab check [--json|--format sarif] PATH...`: validate templates or lab
// manifests as AWS would, then lint. Exit 0 no errors, 1 errors, 2 usage.
// `--fix-lint [--apply]`: the lints with a safe fix, as a patch (cli/fix_lint.h).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analysis/lint.h"
#include "cli/commands.h"
#include "cli/fix_lint.h"
#include "cli/output.h"
#include "cli/load.h"
#include "terraform/hcl.h"

namespace vpclab::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  bool json = false;
  std::string format = "text";
  bool fix_lint = false, apply = false;
};

int run_check(const CheckOptions& o) {
  std::string format = o.json ? "json" : o.format;
  for (const auto& p : o.paths) {
    if (!std::filesystem::exists(p)) {
      std::cerr << "vpclab check: " << p << ": no such file\n";
      return 2;
    }
  }
  if (o.fix_lint) {
    if (o.paths.size() != 1) {
      std::cerr << "vpclab check: --fix-lint takes one LAB (a template, a lab manifest or its folder)\n";
      return 2;
    }
    return run_fix_lint(o.paths.front(), o.apply);
  }
  auto result = load_any(o.paths);
  if (result.network) analysis::lint(*result.network, result.diags);
  terraform::use_terraform_terms(result.diags);  // advice on a plan names the provider's arguments
  result.diags.sort();
  if (format == "json") {
    std::cout << diagnostics_json(result.diags).dump(2) << "\n";
  } else if (format == "sarif") {
    std::cout << diagnostics_sarif(result.diags).dump(2) << "\n";
  } else {
    print_diagnostics(std::cout, result.diags);
    std::cout << summary_line(result.diags) << "\n";
  }
  return result.diags.has_errors() ? 1 : 0;
}

}  // namespace

void register_check(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "Validate CloudFormation templates or a lab manifest as AWS would, then lint");
  cmd->add_option("PATH", opts->paths, "template (YAML/JSON), lab manifest (vpclab.yaml), or snapshot folder")->required();
  cmd->add_flag("--json", opts->json, "print diagnostics as JSON");
  cmd->add_option("--format", opts->format, "text | json | sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  auto* fix = cmd->add_flag("--fix-lint", opts->fix_lint,
                            "print a verified patch for the lints with a safe fix (docs/lint.md); the report goes to stderr");
  cmd->add_flag("--apply", opts->apply, "with --fix-lint: write the patch into the templates")->needs(fix);
  fix->excludes("--json")->excludes("--format");
  cmd->callback([opts, &run] { run = [opts] { return run_check(*opts); }; });
}

}  // namespace vpclab::cli
