// A short, deterministic fuzz run inside the unit tests: thousands of
// mutated templates (from the fuzz seeds and small corpus files) go through
// parse and resolve. Malformed input must end in diagnostics with a
// location, never in a crash or hang. (scripts/fuzz-template runs the real
// libFuzzer target with sanitizers.)
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "template/engine.h"
#include "template/manifest.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  auto add_dir = [&](const fs::path& dir, size_t max_files) {
    if (!fs::exists(dir)) return;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      auto ext = e.path().extension().string();
      if (e.is_regular_file() && e.file_size() < 6000 && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < files.size() && i < max_files; ++i) {
      std::ifstream f(files[i]);
      std::stringstream ss;
      ss << f.rdbuf();
      out.push_back(ss.str());
    }
  };
  add_dir(fs::path(VPCLAB_SOURCE_DIR) / "fuzz/template-seeds", 50);
  add_dir(fs::path(VPCLAB_SHARED_DIR) / "corpus/templates/cfn-lint/test/fixtures/templates/good/functions", 40);
  add_dir(fs::path(VPCLAB_SOURCE_DIR) / "examples", 20);
  if (out.empty())
    out.push_back("Resources:\n  A:\n    Type: Custom::T\n    Properties: {X: !Sub '${AWS::Region}', Y: !Ref A}\n");
  return out;
}

const char* kFragments[] = {"!Ref ", "!GetAtt ", "!Sub ", "!Join ", "!Select ", "!Split ", "!If ", "!Equals ",
                            "!Not ", "!And ", "!Or ", "!FindInMap ", "!Base64 ", "!Cidr ", "!GetAZs ",
                            "!ImportValue ", "!Condition ", "${", "${!", "}", "Fn::If", "AWS::NoValue", "&a ",
                            "*a", ": ", "- ", "[", "]", "{", "}", "'", "\"", "\t", "\n", "  ", "#", "|", ">",
                            "10.0.0.0/16", "-1", "999999999999999999999", "Resources", "Condition", "DependsOn"};

std::string mutate(std::string s, std::mt19937& rng) {
  int n = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < n; ++i) {
    size_t len = s.size();
    size_t pos = len ? rng() % len : 0;
    switch (rng() % 6) {
      case 0:  // delete a range
        if (len) s.erase(pos, 1 + rng() % std::min<size_t>(40, len - pos));
        break;
      case 1:  // insert a fragment
        s.insert(pos, kFragments[rng() % (sizeof kFragments / sizeof *kFragments)]);
        break;
      case 2:  // duplicate a range
        if (len) s.insert(rng() % len, s.substr(pos, 1 + rng() % 60));
        break;
      case 3:  // flip a byte
        if (len) s[pos] = static_cast<char>(rng() % 256);
        break;
      case 4: {  // swap two lines
        std::vector<std::string> lines;
        std::stringstream ss(s);
        std::string l;
        while (std::getline(ss, l)) lines.push_back(l);
        if (lines.size() > 1) std::swap(lines[rng() % lines.size()], lines[rng() % lines.size()]);
        s.clear();
        for (const auto& x : lines) s += x + "\n";
        break;
      }
      case 5:  // truncate
        s.resize(pos);
        break;
    }
  }
  return s;
}

TEST(Mutation, MutatedTemplatesNeverCrash) {
  auto base = seeds();
  std::mt19937 rng(12345);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t runs = 0, parsed = 0, resolved_ok = 0;
  for (; runs < 3000 && std::chrono::steady_clock::now() < deadline; ++runs) {
    std::string text = mutate(base[runs % base.size()], rng);
    Diagnostics d;
    auto root = parse_template_text(text, "m.yaml", d);
    if (!root) {
      ASSERT_TRUE(d.has_errors()) << "parse failed silently on:\n" << text;
      continue;
    }
    ++parsed;
    if (is_manifest(*root)) {
      Manifest m;
      manifest_from_value(*root, "/m/vpclab.yaml", m, d);
      continue;
    }
    FabricatingSink sink;
    ResolvedStack out;
    std::map<std::string, Value> params;
    if (const Value* ps = root->get("Parameters"); ps && ps->is_map())
      for (const auto& [k, def] : ps->entries())
        if (def.is_map() && !def.get("Default")) params.emplace(k.first, Value::string("x"));
    bool ok = resolve_stack({"m", "123456789012", "ap-northeast-1", "m.yaml"}, *root, params, {}, sink, out, d);
    if (ok) {
      ++resolved_ok;
    } else {
      ASSERT_TRUE(d.has_errors()) << "resolve failed silently on:\n" << text;
    }
    for (const auto& x : d.items()) ASSERT_TRUE(x.loc.known()) << x.str() << "\n" << text;
  }
  std::cout << "mutation: runs=" << runs << " parsed=" << parsed << " resolved_ok=" << resolved_ok << "\n";
  EXPECT_GE(runs, 1000u);
}

}  // namespace
}  // namespace vpclab::tmpl
