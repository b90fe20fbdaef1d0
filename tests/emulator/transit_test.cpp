// Transit gateways compiled into a lab plan (compile_transit.cpp), on the
// examples (examples/tgw/): the hub's namespace, one link per attachment
// subnet, the hub's kernel tables selected by the ingress link, the VPC
// route tables split per AZ so the hub is entered only where the attachment
// has a subnet, and what the broken copies and a static blackhole compile
// to. Then a plan that fails in the hub's namespace leaves nothing behind.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <fstream>
#include <optional>

#include "../support/process.h"
#include "emulator/compile.h"
#include "emulator/lab.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

std::string example(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/examples/tgw/" + rel; }

struct Lab {
  std::shared_ptr<const model::Network> net;
  CompiledLab c;
  const model::Vpc* vpc(const std::string& name) const {
    for (const auto& v : net->vpcs)
      if (v.name == name) return &v;
    return nullptr;
  }
  const model::Subnet* subnet(const std::string& name) const {
    for (const auto& s : net->subnets)
      if (s.name == name) return &s;
    return nullptr;
  }
  const std::string& tgw() const { return net->transit_gateways.at(0).id; }
  // The bridge standing for a subnet: the device holding its router address.
  std::string bridge(const model::Subnet& s) const {
    for (const auto& a : c.plan.addresses)
      if (a.netns == s.vpc && a.address == s.router_address()) return a.dev;
    return "";
  }
  // The table `ip rule iif dev` selects in `ns` (nullopt: none or blackhole).
  std::optional<uint32_t> table(const std::string& ns, const std::string& dev) const {
    for (const auto& r : c.plan.rules)
      if (r.netns == ns && r.iif == dev) return r.table;
    return std::nullopt;
  }
  uint32_t table_of_subnet(const std::string& name) const {
    const auto* s = subnet(name);
    EXPECT_TRUE(s) << name;
    auto t = s ? table(s->vpc, bridge(*s)) : std::nullopt;
    EXPECT_TRUE(t) << name << " selects no table";
    return t.value_or(0);
  }
  // The route for exactly `cidr` in table `t` of `ns`.
  const RoutePlan* route(const std::string& ns, uint32_t t, const char* cidr) const {
    for (const auto& r : c.plan.routes)
      if (r.netns == ns && r.table == t && r.destination.str() == cidr) return &r;
    return nullptr;
  }
  // Links (veths) between a VPC's router and the hub.
  std::vector<std::string> links(const std::string& vpc) const {
    std::vector<std::string> out;
    for (const auto& v : c.plan.veths)
      if (v.netns_a == vpc && v.netns_b == tgw()) out.push_back(v.name_a);
    return out;
  }
};

Lab compile_example(const std::string& path) {
  auto loaded = tmpl::load_network({path});
  EXPECT_TRUE(loaded.network) << path;
  EXPECT_FALSE(loaded.diags.has_errors()) << path;
  Lab l{loaded.network, loaded.network ? compile_network(*loaded.network) : CompiledLab{}};
  return l;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(TransitCompile, HubAndSpokeLinksTablesAndRules) {
  Lab l = compile_example(example("hub-and-spoke.yaml"));
  ASSERT_TRUE(l.net);
  EXPECT_TRUE(check_plan(l.c.plan).empty()) << check_plan(l.c.plan).front();
  // Everything in the example is emulated now, the hub included.
  for (const auto& u : l.c.unsupported) ADD_FAILURE() << "not emulated: " << u;
  const NetnsPlan* hub = l.c.plan.netns(l.tgw());
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->role, NetnsRole::kTransitGateway);
  EXPECT_EQ(l.c.targets.at("Hub"), l.tgw());  // `vpclab exec Hub -- ...`
  const auto* foo = l.vpc("foo");
  const auto* bar = l.vpc("bar");
  ASSERT_TRUE(foo && bar);
  // One link per attachment subnet: foo's attachment has two AZs, bar's one.
  auto foo_links = l.links(foo->id), bar_links = l.links(bar->id);
  ASSERT_EQ(foo_links.size(), 2u);
  ASSERT_EQ(bar_links.size(), 1u);

  // bar-app's subnet routes foo's block to bar's link into the hub.
  uint32_t bar_private = l.table_of_subnet("bar-private");
  const RoutePlan* to_foo = l.route(bar->id, bar_private, "10.2.0.0/16");
  ASSERT_TRUE(to_foo);
  EXPECT_EQ(to_foo->type, RouteType::kUnicast);
  EXPECT_EQ(to_foo->dev, bar_links[0]);
  // The public subnet has no such route (its table says nothing of foo).
  EXPECT_FALSE(l.route(bar->id, l.table_of_subnet("bar-public"), "10.2.0.0/16"));

  // In the hub, bar's link selects the default table: foo's and bar's
  // propagated blocks, each to its VPC's link.
  auto hub_bar = l.table(l.tgw(), bar_links[0]);
  ASSERT_TRUE(hub_bar);
  const RoutePlan* hub_to_foo = l.route(l.tgw(), *hub_bar, "10.2.0.0/16");
  ASSERT_TRUE(hub_to_foo);
  ASSERT_TRUE(contains(foo_links, hub_to_foo->dev)) << hub_to_foo->dev;
  const RoutePlan* hub_to_bar = l.route(l.tgw(), *hub_bar, "10.1.0.0/16");
  ASSERT_TRUE(hub_to_bar);
  EXPECT_EQ(hub_to_bar->dev, bar_links[0]);
  // Exit in the entry AZ (bar-app's, the first): what leaves the hub by that
  // foo link is routed by foo-private-1a's table, which reaches both subnets.
  const std::string foo_1a_link = hub_to_foo->dev;
  uint32_t foo_1a = l.table_of_subnet("foo-private-1a"), foo_1c = l.table_of_subnet("foo-private-1c");
  EXPECT_EQ(l.table(foo->id, foo_1a_link), std::optional<uint32_t>(foo_1a));
  EXPECT_TRUE(l.route(foo->id, foo_1a, "10.2.2.0/24"));

  // One foo route table, two AZs: two kernel tables, each entering the hub
  // by the attachment's link in its own AZ.
  EXPECT_NE(foo_1a, foo_1c);
  const RoutePlan* back_1a = l.route(foo->id, foo_1a, "10.1.0.0/16");
  const RoutePlan* back_1c = l.route(foo->id, foo_1c, "10.1.0.0/16");
  ASSERT_TRUE(back_1a && back_1c);
  EXPECT_EQ(back_1a->dev, foo_1a_link);
  EXPECT_NE(back_1c->dev, foo_1a_link);
  EXPECT_TRUE(contains(foo_links, back_1c->dev));
  // Replies from 1c leave the hub by bar's only ENI (in 1a): AZ crossed.
  auto hub_foo_1c = l.table(l.tgw(), back_1c->dev);
  ASSERT_TRUE(hub_foo_1c);
  const RoutePlan* reply = l.route(l.tgw(), *hub_foo_1c, "10.1.0.0/16");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->dev, bar_links[0]);

  // Every link's rule in the hub is followed by a drop: nothing reaches main.
  for (const auto& dev : {bar_links[0], foo_links[0], foo_links[1]}) {
    int lookups = 0, drops = 0;
    for (const auto& r : l.c.plan.rules)
      if (r.netns == l.tgw() && r.iif == dev) (r.table ? lookups : drops) += 1;
    EXPECT_EQ(lookups, 1) << dev;
    EXPECT_EQ(drops, 1) << dev;
  }
}

TEST(TransitCompile, BrokenCopiesDropWhereAwsDrops) {
  {
    // bar's attachment only in the second AZ: bar-app's AZ has no way in.
    Lab l = compile_example(example("broken/attachment-az.yaml"));
    ASSERT_TRUE(l.net);
    const auto* bar = l.vpc("bar");
    const RoutePlan* app = l.route(bar->id, l.table_of_subnet("bar-private"), "10.2.0.0/16");
    ASSERT_TRUE(app);
    EXPECT_EQ(app->type, RouteType::kBlackhole);
    const RoutePlan* transit = l.route(bar->id, l.table_of_subnet("bar-transit-1c"), "10.2.0.0/16");
    ASSERT_TRUE(transit);
    EXPECT_EQ(transit->type, RouteType::kUnicast);
    EXPECT_EQ(transit->dev, l.links(bar->id).at(0));
  }
  {
    // foo never propagates: the hub's table for bar has no route to foo.
    Lab l = compile_example(example("broken/missing-propagation.yaml"));
    ASSERT_TRUE(l.net);
    auto t = l.table(l.tgw(), l.links(l.vpc("bar")->id).at(0));
    ASSERT_TRUE(t);
    EXPECT_TRUE(l.route(l.tgw(), *t, "10.1.0.0/16"));
    for (const auto& r : l.c.plan.routes)
      if (r.netns == l.tgw() && r.table == *t) {
        EXPECT_FALSE(r.destination.contains(*Ipv4Address::parse("10.2.1.175"))) << r.destination.str();
      }
  }
  {
    // foo's route table has nothing towards the hub: replies take 0.0.0.0/0.
    Lab l = compile_example(example("broken/missing-vpc-route.yaml"));
    ASSERT_TRUE(l.net);
    for (const char* s : {"foo-private-1a", "foo-private-1c"}) {
      EXPECT_FALSE(l.route(l.vpc("foo")->id, l.table_of_subnet(s), "10.1.0.0/16")) << s;
    }
  }
}

// The example with the defaults off and one table: both associated, both
// propagating, and a static blackhole for foo's block.
std::string static_blackhole_copy() {
  std::ifstream in(example("hub-and-spoke.yaml"));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto swap = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  };
  swap("      DefaultRouteTableAssociation: enable\n      DefaultRouteTablePropagation: enable\n",
       "      DefaultRouteTableAssociation: disable\n      DefaultRouteTablePropagation: disable\n");
  swap("  HomeZone:\n",
       "  HubTable:\n    Type: AWS::EC2::TransitGatewayRouteTable\n    Properties: {TransitGatewayId: !Ref Hub}\n"
       "  FooAssoc:\n    Type: AWS::EC2::TransitGatewayRouteTableAssociation\n"
       "    Properties: {TransitGatewayAttachmentId: !Ref FooAttachment, TransitGatewayRouteTableId: !Ref HubTable}\n"
       "  BarAssoc:\n    Type: AWS::EC2::TransitGatewayRouteTableAssociation\n"
       "    Properties: {TransitGatewayAttachmentId: !Ref BarAttachment, TransitGatewayRouteTableId: !Ref HubTable}\n"
       "  FooProp:\n    Type: AWS::EC2::TransitGatewayRouteTablePropagation\n"
       "    Properties: {TransitGatewayAttachmentId: !Ref FooAttachment, TransitGatewayRouteTableId: !Ref HubTable}\n"
       "  BarProp:\n    Type: AWS::EC2::TransitGatewayRouteTablePropagation\n"
       "    Properties: {TransitGatewayAttachmentId: !Ref BarAttachment, TransitGatewayRouteTableId: !Ref HubTable}\n"
       "  FooDrop:\n    Type: AWS::EC2::TransitGatewayRoute\n"
       "    Properties: {TransitGatewayRouteTableId: !Ref HubTable, DestinationCidrBlock: 10.2.0.0/16, Blackhole: true}\n"
       "  HomeZone:\n");
  std::string p = ::testing::TempDir() + "/tgw-static-blackhole.yaml";
  std::ofstream(p) << text;
  return p;
}

TEST(TransitCompile, StaticBlackholeBeatsThePropagatedRoute) {
  Lab l = compile_example(static_blackhole_copy());
  ASSERT_TRUE(l.net);
  auto t = l.table(l.tgw(), l.links(l.vpc("bar")->id).at(0));
  ASSERT_TRUE(t);
  // Same prefix, static and propagated: AWS uses the static one, a drop.
  const RoutePlan* r = l.route(l.tgw(), *t, "10.2.0.0/16");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, RouteType::kBlackhole);
  const RoutePlan* back = l.route(l.tgw(), *t, "10.1.0.0/16");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, RouteType::kUnicast);
}

TEST(TransitCompile, AFailingStepInTheHubLeavesNothing) {
  std::string why = namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  Lab l = compile_example(example("hub-and-spoke.yaml"));
  ASSERT_TRUE(l.net);
  // The same hub route twice: `ip route add` fails in the hub's namespace.
  const RoutePlan* dup = nullptr;
  for (const auto& r : l.c.plan.routes)
    if (r.netns == l.tgw() && r.type == RouteType::kUnicast) dup = &r;
  ASSERT_TRUE(dup);
  l.c.plan.routes.push_back(RoutePlan(*dup));
  const std::string before = vpclab::testing::run_command("ip netns list").out;
  LabOptions o;
  o.name = "tgw-fail-" + std::to_string(getpid());
  o.die_with_parent = true;
  LabStart s = start_lab(l.c.plan, o);
  ASSERT_FALSE(s.ok);
  EXPECT_NE(s.error.find("in " + l.tgw()), std::string::npos) << s.error;
  EXPECT_FALSE(lab_status(o.name, nullptr));
  struct stat sb {};
  EXPECT_NE(stat(lab_dir(o.name).c_str(), &sb), 0) << "lab directory left behind";
  EXPECT_EQ(vpclab::testing::run_command("ip netns list").out, before);
  auto ps = vpclab::testing::run_command("ps -eo args");
  EXPECT_EQ(ps.out.find(lab_dir(o.name)), std::string::npos) << "a process still refers to the lab";
}

}  // namespace
