// Managed prefix lists on the scenario (examples/prefix-lists/): foo's ALB
// admits a prefix list of clients, bar routes a prefix list over the
// peering. What CreateManagedPrefixList refuses, references to lists the
// input lacks, and the rule quota a list counts against with MaxEntries.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/analyzer.h"
#include "example_variants.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::analysis::testing::diags_text;
using vpclab::analysis::testing::find_diag;
namespace fs = std::filesystem;

namespace {

const std::string kExample = std::string(VPCLAB_SOURCE_DIR) + "/examples/prefix-lists/scenario.yaml";

// The example with `from` replaced by `to` (which must occur).
std::string variant(const std::string& name, const std::string& from, const std::string& to) {
  return vpclab::analysis::testing::variant(kExample, "prefix-list-" + name, {{"", from, to}});
}

std::string hops(const TraceResult& r) {
  std::string s;
  for (const auto& p : r.paths)
    for (const auto& h : p.hops) s += h.leg + " " + h.component + " " + h.matched + "\n";
  return s;
}

}  // namespace

TEST(PrefixLists, TheScenarioWithListsReachesTheAlb) {
  auto l = tmpl::load_network({kExample});
  ASSERT_TRUE(l.network) << diags_text(l.diags);
  EXPECT_EQ(l.diags.items().size(), 0u) << diags_text(l.diags);
  ASSERT_EQ(l.network->prefix_lists.size(), 2u);
  const auto& clients = l.network->prefix_lists[0];
  EXPECT_EQ(clients.name, "clients");
  EXPECT_EQ(clients.max_entries, 5);
  ASSERT_EQ(clients.entries.size(), 2u);
  EXPECT_EQ(clients.entries[0].text, "10.1.0.0/16");
  EXPECT_EQ(clients.id.rfind("pl-", 0), 0u);
  Analyzer a(*l.network);
  auto r = a.trace("bar-app", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << hops(r);
  // The route hop names the list and its entry; the ALB's rule names the list.
  std::string h = hops(r);
  EXPECT_NE(h.find(l.network->prefix_lists[1].id + " (10.2.0.0/16) -> pcx-"), std::string::npos) << h;
  EXPECT_NE(h.find(clients.id), std::string::npos) << h;
  // The office in the list is no VPC here; an address outside both entries is refused.
  auto other = a.trace("foo-bastion", "http://alb.home/");
  EXPECT_FALSE(other.reachable) << hops(other);
}

TEST(PrefixLists, AListWithoutBarsCidrBlocksAtTheAlb) {
  auto l = tmpl::load_network({std::string(VPCLAB_SOURCE_DIR) + "/examples/prefix-lists/broken/clients-without-bar.yaml"});
  ASSERT_TRUE(l.network) << diags_text(l.diags);
  auto r = Analyzer(*l.network).trace("bar-app", "http://alb.home/");
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.exit_code(), 1);
  bool sg = false;
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations) sg |= e.code == "ENI_SG_RULES_MISMATCH";
  EXPECT_TRUE(sg) << hops(r);
}

TEST(PrefixLists, CreateManagedPrefixListRefusals) {
  {
    auto l = tmpl::load_network({variant("max", "      MaxEntries: 5", "      MaxEntries: 1")});
    const Diagnostic* d = find_diag(l.diags, "PREFIX_LIST_MAX_ENTRIES");
    ASSERT_NE(d, nullptr) << diags_text(l.diags);
    EXPECT_NE(d->message.find("2 entries exceed MaxEntries 1"), std::string::npos) << d->message;
    EXPECT_NE(d->loc.str().find("scenario.yaml:"), std::string::npos);
  }
  {
    auto l = tmpl::load_network({variant("dup", "        - {Cidr: 192.168.0.0/16, Description: the office}",
                                         "        - {Cidr: 10.1.0.0/16, Description: again}")});
    EXPECT_NE(find_diag(l.diags, "PREFIX_LIST_DUPLICATE_ENTRY"), nullptr) << diags_text(l.diags);
  }
  {
    auto l = tmpl::load_network({variant("family", "      AddressFamily: IPv4\n      MaxEntries: 5",
                                         "      AddressFamily: ipv4\n      MaxEntries: 5")});
    EXPECT_NE(find_diag(l.diags, "E3030"), nullptr) << diags_text(l.diags);
  }
  {
    auto l = tmpl::load_network({variant("cidr", "{Cidr: 192.168.0.0/16", "{Cidr: 192.168.0.0/33")});
    EXPECT_NE(find_diag(l.diags, "E3031"), nullptr) << diags_text(l.diags);
  }
  {
    auto l = tmpl::load_network({variant("name", "PrefixListName: clients", "PrefixListName: com.amazonaws.clients")});
    EXPECT_NE(find_diag(l.diags, "PREFIX_LIST_NAME_RESERVED"), nullptr) << diags_text(l.diags);
  }
}

TEST(PrefixLists, AnUnknownListMatchesNothingAndSaysSo) {
  auto l = tmpl::load_network({variant("unknown", "SourcePrefixListId: !Ref ClientsPrefixList",
                                       "SourcePrefixListId: pl-0123456789abcdef0")});
  ASSERT_TRUE(l.network) << diags_text(l.diags);
  const Diagnostic* d = find_diag(l.diags, "PREFIX_LIST_UNKNOWN");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);
  EXPECT_EQ(d->severity, Severity::kWarning);
  EXPECT_NE(d->message.find("pl-0123456789abcdef0"), std::string::npos);
  EXPECT_FALSE(Analyzer(*l.network).trace("bar-app", "http://alb.home/").reachable);
}

TEST(PrefixLists, MaxEntriesCountsAgainstTheRuleQuota) {
  auto l = tmpl::load_network({variant("quota", "      MaxEntries: 5", "      MaxEntries: 61")});
  ASSERT_TRUE(l.network) << diags_text(l.diags);
  const Diagnostic* d = find_diag(l.diags, "SG_RULES_QUOTA");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);  // the one rule counts as 61
  EXPECT_NE(d->message.find("61 inbound rules"), std::string::npos) << d->message;
}
