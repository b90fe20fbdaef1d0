// Transit gateways on the examples (examples/tgw/): the canonical scenario
// hub-and-spoke traced through the TGW hop by hop, matrix agreeing, the
// broken copies each blocked with their Reachability Analyzer code, and the
// checks AWS would make on a template (the VPC route to a TGW it is not
// attached to, an attachment with two subnets in one AZ, a second
// association).
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/analyzer.h"
#include "example_variants.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::analysis::testing::dump;
using vpclab::analysis::testing::has_code;

namespace {

std::string path(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/" + rel; }

struct Loaded {
  std::shared_ptr<const model::Network> net;
  Diagnostics diags;
};

Loaded load_file(const std::string& p) {
  auto res = tmpl::load_network({p});
  return {res.network, res.diags};
}

std::string errors(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items())
    if (x.severity == Severity::kError) s += x.str() + "\n";
  return s;
}

// The hops of a path with this component, in order.
std::vector<const Hop*> hops_of(const PathTrace& p, const std::string& component) {
  std::vector<const Hop*> out;
  for (const auto& h : p.hops)
    if (h.component == component) out.push_back(&h);
  return out;
}

// A copy of the hub-and-spoke example with `from` replaced by `to`.
std::string variant(const std::string& name, const std::string& from, const std::string& to) {
  std::ifstream in(path("examples/tgw/hub-and-spoke.yaml"));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::string p = ::testing::TempDir() + "/" + name + ".yaml";
  std::ofstream(p) << text;
  return p;
}

bool has_diag(const Diagnostics& d, const std::string& code, Severity sev) {
  for (const auto& x : d.items())
    if (x.code == code && x.severity == sev) return true;
  return false;
}

}  // namespace

TEST(TransitGateway, HubAndSpokeReachesTheAlbThroughTheTgw) {
  auto l = load_file(path("examples/tgw/hub-and-spoke.yaml"));
  ASSERT_TRUE(l.net);
  ASSERT_FALSE(l.diags.has_errors()) << errors(l.diags);
  ASSERT_EQ(l.net->transit_gateways.size(), 1u);
  // One default table, both attachments associated with it and propagating into it.
  ASSERT_EQ(l.net->transit_gateway_route_tables.size(), 1u);
  const auto& t = l.net->transit_gateway_route_tables[0];
  EXPECT_TRUE(t.implicit);
  EXPECT_EQ(t.routes.size(), 2u);
  for (const auto& a : l.net->transit_gateway_attachments) EXPECT_EQ(a.route_table, t.id) << a.id;
  Analyzer a(*l.net);
  auto r = a.trace("BarApp", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_FALSE(r.undecidable);
  ASSERT_EQ(r.paths.size(), 2u);  // both ALB nodes
  for (const auto& p : r.paths) {
    // Request: bar's attachment in, the default table's propagated route, foo's attachment out;
    // the reply the other way.
    auto atts = hops_of(p, "transit-gateway-attachment");
    auto tables = hops_of(p, "transit-gateway-route-table");
    ASSERT_EQ(atts.size(), 4u) << dump(r);
    ASSERT_EQ(tables.size(), 2u) << dump(r);
    EXPECT_NE(atts[0]->display.find("BarAttachment"), std::string::npos);
    EXPECT_NE(atts[1]->display.find("FooAttachment"), std::string::npos);
    EXPECT_NE(tables[0]->matched.find("10.2.0.0/16 -> tgw-attach-"), std::string::npos) << tables[0]->matched;
    EXPECT_NE(tables[0]->matched.find("(propagated)"), std::string::npos);
    EXPECT_EQ(atts[2]->leg, "reply");
    EXPECT_NE(atts[2]->display.find("FooAttachment"), std::string::npos);
    EXPECT_NE(tables[1]->matched.find("10.1.0.0/16"), std::string::npos);
    for (const auto* h : atts) EXPECT_TRUE(h->allowed);
  }
  // The node in the second AZ answers through foo's ENI there, and bar's attachment has only
  // the first AZ: the reply crosses AZs, and the hop says so.
  bool crossed = false;
  for (const auto& p : r.paths)
    for (const auto* h : hops_of(p, "transit-gateway-attachment"))
      crossed |= h->matched.find("AVAILABILITY_ZONE_CROSSED") != std::string::npos;
  EXPECT_TRUE(crossed) << dump(r);
}

TEST(TransitGateway, MatrixAgreesWithTrace) {
  auto l = load_file(path("examples/tgw/hub-and-spoke.yaml"));
  ASSERT_TRUE(l.net);
  Analyzer a(*l.net);
  auto m = a.matrix("BarApp", "FooInternalAlb", "80");
  ASSERT_TRUE(m.ok) << m.error;
  bool any = false;
  for (const auto& c : m.cells) any |= c.tcp.contains(80);
  EXPECT_TRUE(any);
  // Without the TGW's propagation the same cell is empty.
  auto b = load_file(path("examples/tgw/broken/missing-propagation.yaml"));
  ASSERT_TRUE(b.net);
  ASSERT_FALSE(b.diags.has_errors()) << errors(b.diags);
  auto mb = Analyzer(*b.net).matrix("BarApp", "FooInternalAlb", "80");
  for (const auto& c : mb.cells) EXPECT_FALSE(c.tcp.contains(80)) << c.from << " -> " << c.to;
}

TEST(TransitGateway, BrokenCopiesAreBlockedWithTheirCode) {
  struct Case {
    const char* file;
    const char* code;
    const char* component;  // a part of the blocking component's name
  } cases[] = {
      {"examples/tgw/broken/missing-propagation.yaml", "TGW_RTB_CANNOT_ROUTE", "HubRouteTable"},
      {"examples/tgw/broken/missing-vpc-route.yaml", "RETURN_ROUTE_MISMATCH", "FooNatGateway"},
      {"examples/tgw/broken/attachment-az.yaml", "TGW_ROUTE_AZ_RESTRICTION", "BarAttachment"},
  };
  for (const auto& c : cases) {
    auto l = load_file(path(c.file));
    ASSERT_TRUE(l.net) << c.file;
    ASSERT_FALSE(l.diags.has_errors()) << c.file << "\n" << errors(l.diags);
    Analyzer a(*l.net);
    auto r = a.trace("BarApp", "http://alb.home/");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.reachable) << c.file << "\n" << dump(r);
    EXPECT_FALSE(r.undecidable) << c.file;
    EXPECT_EQ(r.exit_code(), 1);
    bool found = false;
    for (const auto& p : r.paths)
      for (const auto& e : p.explanations)
        found |= e.code == c.code && e.component.find(c.component) != std::string::npos;
    EXPECT_TRUE(found) << c.file << "\n" << dump(r);
  }
}

TEST(TransitGateway, BlackholeAndMissingAssociation) {
  // A table with a blackhole that no attachment is associated with changes nothing.
  {
    auto p = variant("blackhole", "  FooAttachment:\n",
                     "  FooBlackhole:\n    Type: AWS::EC2::TransitGatewayRoute\n    Properties:\n"
                     "      TransitGatewayRouteTableId: !Ref HubTable\n      DestinationCidrBlock: 10.2.0.0/17\n"
                     "      Blackhole: true\n"
                     "  HubTable:\n    Type: AWS::EC2::TransitGatewayRouteTable\n    Properties:\n"
                     "      TransitGatewayId: !Ref Hub\n"
                     "  FooAttachment:\n");
    auto l = load_file(p);
    ASSERT_TRUE(l.net);
    // HubTable is not associated with anything: traffic still uses the default table.
    auto r = Analyzer(*l.net).trace("BarApp", "http://alb.home/");
    EXPECT_TRUE(r.reachable) << dump(r);
  }
  {
    auto p = variant("no-association", "      DefaultRouteTableAssociation: enable\n",
                     "      DefaultRouteTableAssociation: disable\n");
    auto l = load_file(p);
    ASSERT_TRUE(l.net);
    ASSERT_FALSE(l.diags.has_errors()) << errors(l.diags);
    auto r = Analyzer(*l.net).trace("BarApp", "http://alb.home/");
    EXPECT_FALSE(r.reachable);
    EXPECT_TRUE(has_code(r, "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION")) << dump(r);
  }
}

TEST(TransitGateway, StaticBlackholeRouteDrops) {
  auto p = variant("static-blackhole", "      DefaultRouteTableAssociation: enable\n      DefaultRouteTablePropagation: enable\n",
                   "      DefaultRouteTableAssociation: disable\n      DefaultRouteTablePropagation: disable\n");
  // Append a table with both associations, bar's propagation, and a blackhole for foo.
  std::ifstream in(p);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto at = text.find("  HomeZone:\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at,
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
              "    Properties: {TransitGatewayRouteTableId: !Ref HubTable, DestinationCidrBlock: 10.2.0.0/16, Blackhole: true}\n");
  std::ofstream(p) << text;
  auto l = load_file(p);
  ASSERT_TRUE(l.net);
  ASSERT_FALSE(l.diags.has_errors()) << errors(l.diags);
  auto r = Analyzer(*l.net).trace("BarApp", "http://alb.home/");
  EXPECT_FALSE(r.reachable);
  // Same prefix: the static blackhole beats foo's propagated route.
  EXPECT_TRUE(has_code(r, "TGW_RTB_BAD_STATE_ROUTE")) << dump(r);
}

TEST(TransitGateway, TemplateChecksAsTheEc2Api) {
  // A route to the TGW from a VPC that is not attached: CreateRoute fails.
  {
    // Bar's attachment pointed at foo's VPC: bar is attached nowhere (and foo twice).
    auto q = variant("not-attached2", "      VpcId: !Ref BarVpc\n      SubnetIds: [!Ref BarPrivateSubnet]",
                     "      VpcId: !Ref FooVpc\n      SubnetIds: [!Ref FooPublicSubnet]");
    auto l = load_file(q);
    EXPECT_TRUE(has_diag(l.diags, "ROUTE_TGW_NOT_ATTACHED", Severity::kError)) << errors(l.diags);
    EXPECT_TRUE(has_diag(l.diags, "TGW_ATTACH_DUPLICATE_VPC", Severity::kError)) << errors(l.diags);
  }
  // Two subnets of one AZ in one attachment.
  {
    auto p = variant("same-az", "SubnetIds: [!Ref FooPrivateSubnet1, !Ref FooPrivateSubnet2]",
                     "SubnetIds: [!Ref FooPrivateSubnet1, !Ref FooPublicSubnet]");
    auto l = load_file(p);
    EXPECT_TRUE(has_diag(l.diags, "TGW_ATTACH_SUBNET_SAME_AZ", Severity::kError)) << errors(l.diags);
  }
  // An explicit association while the default association is on: AWS refuses it.
  {
    auto p = variant("already-associated", "  HomeZone:\n",
                     "  HubTable:\n    Type: AWS::EC2::TransitGatewayRouteTable\n    Properties: {TransitGatewayId: !Ref Hub}\n"
                     "  FooAssoc:\n    Type: AWS::EC2::TransitGatewayRouteTableAssociation\n"
                     "    Properties: {TransitGatewayAttachmentId: !Ref FooAttachment, TransitGatewayRouteTableId: !Ref HubTable}\n"
                     "  HomeZone:\n");
    auto l = load_file(p);
    EXPECT_TRUE(has_diag(l.diags, "TGW_ATTACH_ALREADY_ASSOCIATED", Severity::kError)) << errors(l.diags);
  }
  // enable/disable are strings; a boolean-looking value is refused at its place.
  {
    auto p = variant("bad-option", "DefaultRouteTablePropagation: enable", "DefaultRouteTablePropagation: yes");
    auto l = load_file(p);
    EXPECT_TRUE(has_diag(l.diags, "E3030", Severity::kError)) << errors(l.diags);
  }
}
