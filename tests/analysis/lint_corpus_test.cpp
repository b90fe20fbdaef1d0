// Every lint over the shared template corpus (AWS's sample templates, other
// real-world templates and cfn-lint's accepted fixtures), each template
// resolved and finalized as `vpclab check` does. Each finding below was
// confirmed by reading the template (docs/lint.md lists them); a lint that
// starts to fire on another template, or stops firing on one of these, fails
// the test with the list of findings to review.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "analysis/lint.h"
#include "template/engine.h"
#include "template/to_model.h"
#include "../support/template_corpus.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;

const std::string& kCorpus = testing::kTemplateCorpus;

struct Finding {
  std::string file;  // relative to the corpus
  std::string message;
};

// Lint findings per code over the corpus templates that `check` would lint
// (resolved and finalized without an error).
struct CorpusLint {
  std::set<std::string> linted;
  std::map<std::string, std::vector<Finding>> findings;
};

CorpusLint walk_corpus() {
  CorpusLint result;
  auto& out = result.findings;
  auto& linted = result.linted;
  for (const auto& [rel, cls] : testing::corpus_classes()) {
    if (cls != "good" && cls != "-") continue;
    fs::path p = fs::path(kCorpus) / rel;
    if (!fs::is_regular_file(p)) continue;
    Diagnostics d;
    auto root = tmpl::parse_template_file(p.string(), d);
    if (!root || !root->is_map() || !root->get("Resources")) continue;
    std::map<std::string, tmpl::Value> params;
    if (const tmpl::Value* ps = root->get("Parameters"); ps && ps->is_map())
      for (const auto& [k, def] : ps->entries())
        if (def.is_map() && !def.get("Default")) params.emplace(k.first, testing::guess_parameter(def));
    tmpl::StackContext ctx{"corpus", "123456789012", "us-east-1", p.string()};
    model::Network net;
    model::AddressPlan plan;
    tmpl::ModelSink sink(net, plan);
    tmpl::ResolvedStack resolved;
    tmpl::resolve_stack(ctx, *root, params, {}, sink, resolved, d);
    const bool verbose = getenv("VPCLAB_CORPUS_VERBOSE") != nullptr;
    auto first_error = [](const Diagnostics& x) {
      for (const auto& i : x.items())
        if (i.severity == Severity::kError) return i.str();
      return std::string{};
    };
    if (d.has_errors()) {
      if (verbose) std::cout << "  not linted (template): " << first_error(d) << "\n";
      continue;
    }
    Diagnostics fd;
    if (!model::finalize(net, plan, fd)) {
      if (verbose) std::cout << "  not linted (model): " << first_error(fd) << "\n";
      continue;
    }
    linted.insert(rel);
    Diagnostics ld;
    analysis::lint(net, ld);
    for (const auto& x : ld.items()) out[x.code].push_back({rel, x.message});
  }
  return result;
}

// Walked once for the tests below.
const CorpusLint& corpus_lint() {
  static const CorpusLint c = walk_corpus();
  return c;
}

// The findings that stand, each confirmed by reading the template (with its
// default parameters), per lint code.
const std::map<std::string, std::set<std::string>>& confirmed() {
  static const std::map<std::string, std::set<std::string>> m = {
      // InstanceSecurityGroup admits tcp 22 from SecurityAccessCIDR, whose
      // Default is 0.0.0.0/0, and is worn by GreengrassInstance (not a bastion).
      {"SSH_OPEN_TO_WORLD",
       {"aws-cloudformation-templates/IoT/amzn2-greengrass-cfn-pkg.json",
        "aws-cloudformation-templates/IoT/amzn2-greengrass-cfn-pkg.yaml",
        "aws-cloudformation-templates/IoT/amzn2-greengrass-cfn.json",
        // AWS's Auto Scaling and ELB samples: the launch configuration's
        // InstanceSecurityGroup admits tcp 22 from SSHLocation, Default
        // 0.0.0.0/0 (192.168.1.0/0, also all addresses, in the rolling
        // upgrade sample), worn by the group's two members (WebServerGroup/1, /2).
        "aws-cloudformation-templates/AutoScaling/AutoScalingRollingUpdates.json",
        "aws-cloudformation-templates/AutoScaling/AutoScalingRollingUpdates.yaml",
        "aws-cloudformation-templates/AutoScaling/AutoScalingScheduledAction.json",
        "aws-cloudformation-templates/AutoScaling/AutoScalingScheduledAction.yaml",
        "aws-cloudformation-templates/ElasticLoadBalancing/ELBGuidedAutoScalingRollingUpgrade.json",
        "aws-cloudformation-templates/ElasticLoadBalancing/ELBGuidedAutoScalingRollingUpgrade.yaml",
        "aws-cloudformation-templates/ElasticLoadBalancing/ELBWithLockedDownAutoScaledInstances.json",
        "aws-cloudformation-templates/ElasticLoadBalancing/ELBWithLockedDownAutoScaledInstances.yaml",
        "aws-cloudformation-templates/ElasticLoadBalancing/ELB_Access_Logs_And_Connection_Draining.json",
        "aws-cloudformation-templates/ElasticLoadBalancing/ELB_Access_Logs_And_Connection_Draining.yaml"}},
  };
  return m;
}

TEST(LintCorpus, EveryFindingIsOneThatWasConfirmed) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
  const auto& [linted, findings] = corpus_lint();
  std::cout << "lint corpus: templates linted=" << linted.size() << "\n";
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& [code, list] : findings) {
    std::cout << "  " << code << ": " << list.size() << "\n";
    for (const auto& f : list) {
      std::cout << "    " << f.file << ": " << f.message << "\n";
      seen[code].insert(f.file);
    }
  }
  EXPECT_GT(linted.size(), 150u);
  // Counts per code, then the very files.
  std::map<std::string, size_t> counts, want_counts;
  for (const auto& [code, list] : findings) counts[code] = list.size();
  for (const auto& [code, files] : confirmed()) want_counts[code] = files.size();
  EXPECT_EQ(counts, want_counts);
  EXPECT_EQ(seen, confirmed());
}

// AWS's ECS samples: the private load balancer's group admits all traffic
// from the ECS hosts' group, whose members Auto Scaling launches (issue 10).
TEST(LintCorpus, EcsPrivateVpcSamplesHaveNoMissingListenerPort) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
  const auto& [linted, findings] = corpus_lint();
  auto missing = findings.find("ALB_SG_MISSING_LISTENER_PORT");
  for (const char* launch : {"EC2LaunchType", "FargateLaunchType"})
    for (const char* ext : {"yaml", "json"}) {
      std::string rel = std::string("aws-cloudformation-templates/ECS/") + launch + "/clusters/private-vpc." + ext;
      EXPECT_TRUE(linted.count(rel)) << rel << " was not linted";
      if (missing != findings.end()) {
        for (const auto& f : missing->second) EXPECT_NE(f.file, rel) << f.message;
      }
    }
}

}  // namespace
}  // namespace vpclab
