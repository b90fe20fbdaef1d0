// The JSON writer (template/edit_writer.h) on every JSON template of the
// shared corpus, in whatever layout its authors wrote: a resource added after
// each resource, a rule appended to each security group, a property replaced,
// a rule removed. Each result must parse as JSON and as a template, and be
// the original document with exactly that change, in order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/template_corpus.h"
#include "template/edit_writer.h"
#include "template/engine.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using tmpl::Value;
using Json = nlohmann::ordered_json;

struct Run {
  bool ok = false;
  std::string text, error;
};

Run edit(const std::string& text, const Value& resources, const std::string& logical,
         const std::function<bool(tmpl::edit::Writer&)>& op) {
  Run r;
  tmpl::edit::Target t{"corpus", resources, *resources.get(logical), logical};
  auto w = tmpl::edit::json_writer(t, text, r.error);
  r.ok = op(*w);
  r.text = w->text();
  return r;
}

// The edited document, read back by both parsers; null when either fails.
Json reread(const Run& r, const std::string& what) {
  EXPECT_TRUE(r.ok) << what << ": " << r.error;
  Diagnostics d;
  EXPECT_TRUE(tmpl::parse_template_text(r.text, "corpus-edited", d).has_value()) << what << "\n" << r.text;
  try {
    return Json::parse(r.text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": not JSON (" << e.what() << ")\n" << r.text;
    return nullptr;
  }
}

TEST(EditJsonCorpus, EveryEditIsTheOriginalDocumentWithThatChange) {
  if (!fs::exists(testing::kTemplateCorpus)) GTEST_SKIP() << "no corpus at " << testing::kTemplateCorpus;
  int files = 0, edits = 0;
  for (const auto& entry : fs::recursive_directory_iterator(testing::kTemplateCorpus)) {
    if (!entry.is_regular_file() || (entry.path().extension() != ".json" && entry.path().extension() != ".template"))
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (!tmpl::edit::is_json_text(text)) continue;
    Json before;
    try {
      before = Json::parse(text);
    } catch (const std::exception&) {
      continue;  // cfn-lint's broken fixtures
    }
    Diagnostics d;
    auto root = tmpl::parse_template_text(text, entry.path().string(), d);
    const Value* resources = root ? root->get("Resources") : nullptr;
    if (!resources || !resources->is_map() || !before["Resources"].is_object()) continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    int n = 0;
    for (const auto& [key, res] : resources->entries()) {
      const std::string& logical = key.first;
      if (!res.is_map() || ++n > 25) continue;
      // A resource after it: the next key of Resources, the rest as it was.
      Json after = reread(edit(text, *resources, logical, [&](auto& w) {
                            return w.add_resource("VpclabNew", "AWS::EC2::Route",
                                                  {"RouteTableId: !Ref Table", "DestinationCidrBlock: 10.9.0.0/16",
                                                   "GatewayId: !GetAtt Gw.Id"});
                          }),
                          "add_resource after " + logical);
      ++edits;
      if (after.is_null()) continue;
      Json want = Json::object();
      for (const auto& [k, v] : before.items()) {
        if (k != "Resources") {
          want[k] = v;
          continue;
        }
        Json rs = Json::object();
        for (const auto& [rk, rv] : v.items()) {
          rs[rk] = rv;
          if (rk == logical)
            rs["VpclabNew"] = Json::parse(R"({"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "Table"},
                "DestinationCidrBlock": "10.9.0.0/16", "GatewayId": {"Fn::GetAtt": ["Gw", "Id"]}}})");
        }
        want[k] = rs;
      }
      EXPECT_EQ(after, want) << logical;

      const Value* props = res.get("Properties");
      if (props && props->is_map() && !props->entries().empty()) {
        // The first property's value replaced, over as many lines as it takes.
        const std::string& first = props->entries().front().first.first;
        after = reread(edit(text, *resources, logical, [&](auto& w) { return w.replace_value(first, "[!Ref A, 8080, true]"); }),
                       "replace_value " + logical + "." + first);
        ++edits;
        Json w2 = before;
        w2["Resources"][logical]["Properties"][first] = Json::parse(R"([{"Ref": "A"}, 8080, true])");
        if (!after.is_null()) {
          EXPECT_EQ(after, w2) << logical;
        }
      }
      if (res.get("Type") && res.get("Type")->text() == "AWS::EC2::SecurityGroup") {
        const Value* rules = props && props->is_map() ? props->get("SecurityGroupIngress") : nullptr;
        if (rules && !rules->is_list()) continue;
        after = reread(edit(text, *resources, logical, [&](auto& w) {
                         return w.append_item("SecurityGroupIngress", "{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.0.0.0/8}");
                       }),
                       "append_item " + logical);
        ++edits;
        Json w3 = before;
        Json rule = Json::parse(R"({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8"})");
        if (!props) w3["Resources"][logical]["Properties"] = Json{{"SecurityGroupIngress", Json::array({rule})}};
        else w3["Resources"][logical]["Properties"]["SecurityGroupIngress"].push_back(rule);
        if (!after.is_null()) {
          EXPECT_EQ(after, w3) << logical;
        }
        if (rules && rules->items().size() >= 2)
          for (size_t i : {size_t{0}, rules->items().size() - 1}) {
            after = reread(edit(text, *resources, logical, [&](auto& w) { return w.remove_item(rules->items()[i]); }),
                           "remove_item " + logical);
            ++edits;
            Json w4 = before;
            auto& list = w4["Resources"][logical]["Properties"]["SecurityGroupIngress"];
            list.erase(list.begin() + static_cast<long>(i));
            if (!after.is_null()) {
              EXPECT_EQ(after, w4) << logical << " rule " << i;
            }
          }
      }
    }
  }
  std::cout << files << " JSON templates, " << edits << " edits\n";
  EXPECT_GT(files, 50);
  EXPECT_GT(edits, 1000);
}

}  // namespace
}  // namespace vpclab
