// The corpus templates with Auto Scaling groups (AWS's ELB and Auto Scaling
// samples, the ECS clusters, widdix's aws-cf-templates): each group's members
// as the model holds them, printed per template; where a template loads
// cleanly every group has DesiredCapacity (else MinSize) members.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "model/build.h"
#include "semantics/auto_scaling.h"
#include "template/engine.h"
#include "template/to_model.h"
#include "../support/template_corpus.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

TEST(AutoScalingCorpus, GroupsLoadTheirMembers) {
  const std::string& corpus = testing::kTemplateCorpus;
  if (!fs::exists(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(corpus)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), corpus).string();
    auto ext = e.path().extension().string();
    if ((ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".template") || rel.find("/bad/") != std::string::npos)
      continue;
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    if (ss.str().find("AWS::AutoScaling::AutoScalingGroup") != std::string::npos) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  size_t templates = 0, clean = 0, groups = 0, members = 0;
  for (const auto& p : files) {
    Diagnostics d;
    auto root = parse_template_file(p.string(), d);
    if (!root || !root->is_map() || !root->get("Resources")) continue;
    ++templates;
    std::map<std::string, Value> params;
    if (const Value* ps = root->get("Parameters"); ps && ps->is_map())
      for (const auto& [k, def] : ps->entries())
        if (def.is_map() && !def.get("Default")) params.emplace(k.first, testing::guess_parameter(def));
    StackContext ctx{"corpus", "123456789012", "us-east-1", p.string()};
    model::Network net;
    model::AddressPlan plan;
    ModelSink sink(net, plan);
    ResolvedStack out;
    bool ok = resolve_stack(ctx, *root, params, {}, sink, out, d) && !d.has_errors();
    if (ok) ok = model::finalize(net, plan, d);
    std::string rel = fs::relative(p, corpus).string();
    std::cout << rel << (ok ? "" : " (does not load cleanly)") << ":";
    for (const auto& g : net.auto_scaling_groups) {
      ++groups;
      members += g.instances.size();
      long want = semantics::auto_scaling_initial_capacity(g.desired_capacity, g.min_size);
      std::cout << " " << g.origin.logical_id << "=" << g.instances.size() << "/" << want;
      if (ok) {
        EXPECT_EQ(static_cast<long>(g.instances.size()), want) << rel << " " << g.origin.logical_id;
        if (want > 0) {
          EXPECT_GT(g.instances.size(), 0u) << rel << " " << g.origin.logical_id;
        }
        // Each member is an instance of the model in one of the group's subnets.
        for (const auto& id : g.instances) {
          const model::Instance* i = net.instance(id);
          ASSERT_TRUE(i) << rel;
          EXPECT_NE(std::find(g.subnets.begin(), g.subnets.end(), i->subnet), g.subnets.end()) << rel;
        }
      }
    }
    if (ok) ++clean;
    std::cout << "\n";
    if (!ok && getenv("VPCLAB_CORPUS_VERBOSE"))
      for (const auto& x : d.items())
        if (x.severity == Severity::kError) std::cout << "    " << x.str() << "\n";
  }
  std::cout << "auto scaling corpus: templates=" << templates << " clean=" << clean << " groups=" << groups
            << " members=" << members << "\n";
  EXPECT_GT(templates, 20u);
  EXPECT_GT(clean, 0u);
  EXPECT_GT(members, 0u);
}

}  // namespace
}  // namespace vpclab::tmpl
