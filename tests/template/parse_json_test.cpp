// JSON is read straight to the tree (parse_json.cpp); the tree, every
// location included, is the one libyaml's path builds for the same text,
// and whatever the direct reader does not take is left to libyaml's
// diagnostics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "template/engine.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

// The libyaml path: a leading comment line keeps the direct reader out;
// lines then shift by one.
std::optional<Value> via_libyaml(const std::string& text, Diagnostics& d) {
  return parse_template_text("# libyaml\n" + text, "x.json", d);
}

void same(const Value& a, const Value& b, const std::string& path, int& diffs) {
  if (diffs > 5) return;
  auto report = [&](const std::string& what) {
    ++diffs;
    ADD_FAILURE() << path << ": " << what;
  };
  if (a.kind() != b.kind()) return report(std::string("kind ") + a.kind_name() + " vs " + b.kind_name());
  if (a.loc().line + 1 != b.loc().line || a.loc().col != b.loc().col)
    return report("at " + std::to_string(a.loc().line) + ":" + std::to_string(a.loc().col) + " vs " +
                  std::to_string(b.loc().line - 1) + ":" + std::to_string(b.loc().col));
  if (a.is_scalar() && a.text() != b.text()) return report("'" + a.text() + "' vs '" + b.text() + "'");
  if (a.is_list()) {
    if (a.items().size() != b.items().size()) return report("list sizes");
    for (size_t i = 0; i < a.items().size(); ++i)
      same(a.items()[i], b.items()[i], path + "[" + std::to_string(i) + "]", diffs);
  }
  if (a.is_map()) {
    if (a.entries().size() != b.entries().size()) return report("map sizes");
    for (size_t i = 0; i < a.entries().size(); ++i) {
      const auto& [ka, va] = a.entries()[i];
      const auto& [kb, vb] = b.entries()[i];
      if (ka.first != kb.first) return report("key '" + ka.first + "' vs '" + kb.first + "'");
      if (ka.second.line + 1 != kb.second.line || ka.second.col != kb.second.col) return report("key place " + ka.first);
      same(va, vb, path + "." + ka.first, diffs);
    }
  }
}

void expect_same_tree(const std::string& text, const std::string& what) {
  auto direct = parse_json_text(text, intern_file("x.json"));
  ASSERT_TRUE(direct) << what << ": the direct reader refused well-formed JSON";
  Diagnostics d;
  auto yaml = via_libyaml(text, d);
  ASSERT_TRUE(yaml) << what;
  int diffs = 0;
  same(*direct, *yaml, what, diffs);
}

TEST(ParseJson, SameTreeAsLibyaml) {
  expect_same_tree(R"({"a": [1, -0.5e+3, true, false, null, "x"], "b": {}, "c": [], "d": {"e": [[{}]]}})", "mixed");
  expect_same_tree("{\n  \"s\": \"tab\\tnl\\nq\\\"bs\\\\sl\\/\",\n\t\"u\": \"\\u00e9\\u20ac\"\n}", "escapes");
  // Columns count characters: a multi-byte character before a value on its line.
  expect_same_tree("{\"\xC3\xA9t\xC3\xA9\": \"\xE2\x82\xAC\", \"n\": 1}", "utf-8 columns");
  expect_same_tree("[\"x\", {\"k\": \"v\"}]", "list root");
}

TEST(ParseJson, SameTreeOnEveryExampleAndCorpusFile) {
  std::vector<fs::path> files;
  for (const char* dir : {"examples", "tests/cli/data/json", VPCLAB_SHARED_DIR "/corpus/terraform",
                          VPCLAB_SHARED_DIR "/corpus/templates"}) {
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  ASSERT_FALSE(files.empty());
  size_t compared = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    Diagnostics d;
    auto yaml = via_libyaml(text, d);
    auto direct = parse_json_text(text, intern_file("x.json"));
    if (!yaml) {
      EXPECT_FALSE(direct) << f << ": libyaml refuses it, the direct reader must leave it to libyaml";
      continue;
    }
    if (!direct) continue;  // e.g. a duplicate key: libyaml's path reports it
    int diffs = 0;
    same(*direct, *yaml, f.string(), diffs);
    ++compared;
  }
  // The repository's own JSON (the Terraform example, the fix tests' templates); with the
  // shared corpus beside the checkout, its plans and templates too.
  EXPECT_GT(compared, fs::exists(VPCLAB_SHARED_DIR "/corpus/templates") ? 40u : 5u);
}

// What the direct reader does not take still gets libyaml's diagnostics.
TEST(ParseJson, MalformedJsonKeepsLibyamlDiagnostics) {
  for (const char* text : {R"({"a": 1, "a": 2})", R"({"a": [1, 2})", R"({"a": 01})", R"({"a": "\ud83d\ude00"})"}) {
    EXPECT_FALSE(parse_json_text(text, intern_file("x.json"))) << text;
    Diagnostics via_template, via_yaml;
    auto a = parse_template_text(text, "x.json", via_template);
    auto b = via_libyaml(text, via_yaml);
    EXPECT_EQ(a.has_value(), b.has_value()) << text;
    ASSERT_EQ(via_template.items().size(), via_yaml.items().size()) << text;
    for (size_t i = 0; i < via_yaml.items().size(); ++i)
      EXPECT_EQ(via_template.items()[i].message, via_yaml.items()[i].message) << text;
  }
  Diagnostics dup;
  EXPECT_FALSE(parse_template_text(R"({"a": 1, "a": 2})", "x.json", dup));
  EXPECT_TRUE(dup.has_errors());
}

}  // namespace
}  // namespace vpclab::tmpl
