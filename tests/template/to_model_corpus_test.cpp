// The model translation over the shared corpus of real-world templates and
// cfn-lint's accepted fixtures: a property AWS documents must never be
// reported as unknown (E3002) or of the wrong type (E3012) by our schema
// tables, and translation must never crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "template/engine.h"
#include "template/to_model.h"
#include "../support/template_corpus.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

const std::string& kCorpus = testing::kTemplateCorpus;

TEST(ToModelCorpus, DocumentedPropertiesAreKnown) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
  auto index = testing::corpus_classes();
  std::vector<std::string> problems;
  size_t translated = 0, resources = 0, finalized = 0;
  for (const auto& [rel, cls] : index) {
    if (cls != "good" && cls != "-") continue;
    fs::path p = fs::path(kCorpus) / rel;
    if (!fs::is_regular_file(p)) continue;
    Diagnostics d;
    auto root = parse_template_file(p.string(), d);
    if (!root || !root->is_map() || !root->get("Resources")) continue;
    std::map<std::string, Value> params;
    if (const Value* ps = root->get("Parameters"); ps && ps->is_map())
      for (const auto& [k, def] : ps->entries())
        if (def.is_map() && !def.get("Default")) params.emplace(k.first, testing::guess_parameter(def));
    StackContext ctx{"corpus", "123456789012", "us-east-1", p.string()};
    model::Network net;
    model::AddressPlan plan;
    ModelSink sink(net, plan);
    ResolvedStack out;
    resolve_stack(ctx, *root, params, {}, sink, out, d);
    ++translated;
    if (!d.has_errors()) {
      // The model must also finalize without crashing; its findings are
      // printed for inspection (real templates may break AWS rules).
      Diagnostics fd;
      if (model::finalize(net, plan, fd)) ++finalized;
      if (getenv("VPCLAB_CORPUS_VERBOSE"))
        for (const auto& x : fd.items())
          if (x.severity == Severity::kError) std::cout << "  [finalize " << x.code << "] " << rel << ": " << x.message << "\n";
    }
    resources += net.vpcs.size() + net.subnets.size() + net.security_groups.size() + net.instances.size() +
                 net.load_balancers.size() + net.target_groups.size() + net.listeners.size() + net.hosted_zones.size();
    for (const auto& x : d.items())
      if (x.code == "E3002" || x.code == "E3012") problems.push_back(rel + ": " + x.str());
      else if (getenv("VPCLAB_CORPUS_VERBOSE") && (x.code.rfind("E30", 0) == 0 || x.code.find('_') != std::string::npos))
        std::cout << "  [" << x.code << "] " << rel << ": " << x.message << "\n";
  }
  std::cout << "to_model corpus: templates=" << translated << " modeled resources=" << resources
            << " finalized=" << finalized << " schema problems=" << problems.size() << "\n";
  for (const auto& s : problems) std::cout << "  " << s << "\n";
  EXPECT_GT(translated, 300u);
  EXPECT_GT(resources, 900u);
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace vpclab::tmpl
