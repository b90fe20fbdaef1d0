// `vpclab matrix --group-by` as a user sees it: the JSON classes and cells
// stand for exactly the cells of `vpclab matrix --json` (every member pair of
// a class pair has its answer, nothing else is reachable), the text has one
// line per class pair with member counts, the office of examples/tgw/vpn is a
// party of both, and an unknown KIND is a usage error naming the allowed ones.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

std::string answer(const nlohmann::json& c) {
  return c["tcp"].get<std::string>() + "|" + c["udp"].get<std::string>() + "|" + (c["icmp"].get<bool>() ? "icmp" : "");
}

TEST(MatrixGroupByCli, ClassesStandForEveryCellOfTheMatrix) {
  for (const std::string lab :
       {"examples/tgw/vpn/vpclab.yaml", "examples/scenario/vpclab.yaml", "tests/cli/data/org-spokes/vpclab.yaml"})
    for (const std::string kind : {"vpc", "subnet", "security-group"}) {
      auto plain = vpclab("matrix " + lab + " --json", false);
      ASSERT_EQ(plain.exit_code, 0) << plain.out;
      auto every = nlohmann::json::parse(plain.out);
      std::map<std::pair<std::string, std::string>, std::string> cells;
      for (const auto& c : every["cells"]) cells[{c["from_id"], c["to_id"]}] = answer(c);
      auto grouped = vpclab("matrix " + lab + " --group-by " + kind + " --json", false);
      ASSERT_EQ(grouped.exit_code, 0) << grouped.out;
      auto g = nlohmann::json::parse(grouped.out);
      EXPECT_EQ(g["group_by"], kind);
      std::map<std::string, std::vector<std::string>> members, vpcs;
      size_t parties = 0;
      for (const auto& c : g["classes"]) {
        EXPECT_EQ(c["count"].get<size_t>(), c["members"].size()) << c.dump();
        members[c["id"]] = c["members"].get<std::vector<std::string>>();
        vpcs[c["id"]] = c["member_vpcs"].get<std::vector<std::string>>();
        EXPECT_EQ(vpcs[c["id"]].size(), c["members"].size()) << c.dump();
        parties += c["members"].size();
      }
      EXPECT_EQ(parties, every["rows"].size()) << lab << " " << kind;
      size_t covered = 0;
      // A cell with "vpc": "same" / "other" stands for the member pairs in one VPC / in two.
      for (const auto& c : g["cells"]) {
        const std::string scope = c.value("vpc", "");
        EXPECT_TRUE(scope.empty() || scope == "same" || scope == "other") << c.dump();
        const auto& from = members.at(c["from_class"]);
        const auto& to = members.at(c["to_class"]);
        for (size_t i = 0; i < from.size(); ++i)
          for (size_t j = 0; j < to.size(); ++j) {
            const std::string& x = from[i];
            const std::string& y = to[j];
            if (x == y) continue;
            const bool one_vpc = vpcs.at(c["from_class"])[i] == vpcs.at(c["to_class"])[j];
            if ((scope == "same" && !one_vpc) || (scope == "other" && one_vpc)) continue;
            auto it = cells.find({x, y});
            EXPECT_TRUE(it != cells.end() && it->second == answer(c)) << lab << " " << kind << ": " << x << " -> " << y;
            ++covered;
          }
      }
      EXPECT_EQ(covered, cells.size()) << lab << " " << kind << ": reachable pairs outside every class cell";
      // The text: a header counting class pairs, then one line per cell with member counts.
      auto text = vpclab("matrix " + lab + " --group-by " + kind, false);
      ASSERT_EQ(text.exit_code, 0);
      std::istringstream in(text.out);
      std::string line;
      std::getline(in, line);
      std::set<std::pair<std::string, std::string>> pairs;
      for (const auto& c : g["cells"]) pairs.insert({c["from_class"].get<std::string>(), c["to_class"].get<std::string>()});
      EXPECT_EQ(line.rfind("reachable class pairs (" + std::to_string(pairs.size()) + " of ", 0), 0u) << line;
      static const std::regex kLine(
          R"(  .+ \(\d+ members?\) -> .+( in the same VPC| in another VPC)? \(\d+ members?\):( tcp \S+)?( udp \S+)?( icmp)?)");
      size_t lines = 0;
      while (std::getline(in, line)) {
        EXPECT_TRUE(std::regex_match(line, kLine)) << line;
        ++lines;
      }
      EXPECT_EQ(lines, g["cells"].size());
    }
}

// Spokes alike (bench/org/gen_org.py's shape, two Regions of three): one class
// per tier and Region spanning its three VPCs, named by the first with the
// count of the others; where a group admits its own VPC's tier below it, the
// class pair has a cell for one VPC and another for two.
TEST(MatrixGroupByCli, ClassesSpanSpokesAlike) {
  const std::string lab = "tests/cli/data/org-spokes/vpclab.yaml";
  auto g = nlohmann::json::parse(vpclab("matrix " + lab + " --group-by vpc --json", false).out);
  ASSERT_EQ(g["classes"].size(), 8u) << g["classes"].dump();  // 4 tiers x 2 Regions
  for (const auto& c : g["classes"]) {
    EXPECT_EQ(c["vpcs"], 3) << c.dump();
    EXPECT_NE(c["label"].get<std::string>().find("(+2 VPCs alike)"), std::string::npos) << c.dump();
  }
  std::map<std::string, std::string> label;
  for (const auto& c : g["classes"]) label[c["id"]] = c["label"];
  std::map<std::string, std::string> web_to_app;  // scope -> answer, Web -> App in Region 0
  for (const auto& c : g["cells"]) {
    const std::string& from = label[c["from_class"]];
    const std::string& to = label[c["to_class"]];
    if (from.starts_with("r0-vpcs0000.Vpc0 [r0-vpcs0000.Vpc0WebSg]") && to.starts_with("r0-vpcs0000.Vpc0 [r0-vpcs0000.Vpc0AppSg]"))
      web_to_app[c.value("vpc", "")] = c["tcp"];
  }
  // App admits tcp/8001 from 10.0.0.0/8 and tcp/9001 from its own VPC's Web group.
  EXPECT_EQ(web_to_app, (std::map<std::string, std::string>{{"same", "8001,9001"}, {"other", "8001"}}));
  auto text = vpclab("matrix " + lab + " --group-by vpc", false);
  EXPECT_NE(text.out.find("[r0-vpcs0000.Vpc0AppSg] (+2 VPCs alike) in the same VPC (3 members): tcp 8001,9001"),
            std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[r0-vpcs0000.Vpc0AppSg] (+2 VPCs alike) in another VPC (3 members): tcp 8001"),
            std::string::npos) << text.out;
}

TEST(MatrixGroupByCli, TheOfficeIsAPartyAndItsOwnClass) {
  const std::string lab = "examples/tgw/vpn/vpclab.yaml";
  auto plain = nlohmann::json::parse(vpclab("matrix " + lab + " --json", false).out);
  auto rows = plain["rows"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(rows.begin(), rows.end(), "on-prem:office"), rows.end());
  // What trace says from the office to BarApp on 22 is what the matrix says.
  bool cell22 = false;
  for (const auto& c : plain["cells"])
    if (c["from_id"] == "on-prem:office" && c["to"].get<std::string>().ends_with("BarApp"))
      cell22 = c["tcp"].get<std::string>().find("22") != std::string::npos;
  auto t = vpclab("trace " + lab + " --from on-prem:office --to BarApp --port 22");
  EXPECT_EQ(cell22, t.exit_code == 0) << t.out;
  auto only = vpclab("matrix " + lab + " --from office --to BarApp");
  EXPECT_EQ(only.exit_code, 0) << only.out;
  auto g = nlohmann::json::parse(vpclab("matrix " + lab + " --group-by vpc --json", false).out);
  bool own = false;
  for (const auto& c : g["classes"])
    own = own || (c["kind"] == "on-premises" && c["label"] == "on-prem:office" && c["count"] == 1);
  EXPECT_TRUE(own) << g["classes"].dump();
}

TEST(MatrixGroupByCli, UnknownKindIsAUsageError) {
  auto r = vpclab("matrix examples/scenario/vpclab.yaml --group-by az");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  for (const char* k : {"vpc", "subnet", "security-group"}) EXPECT_NE(r.out.find(k), std::string::npos) << r.out;
  auto bad = vpclab("matrix examples/scenario/vpclab.yaml --group-by vpc --from Nope");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("Nope"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace vpclab
