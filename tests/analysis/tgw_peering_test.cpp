// Transit gateway peering on the cross-Region example (examples/tgw/cross-region/):
// the trace through both TGWs hop by hop (bar's table, the peering, foo's
// table, and back), and what AWS refuses or leaves pending: a peering nobody
// accepted (pendingAcceptance: BAD_STATE_ATTACHMENT), a propagation of a
// peering attachment, PeerRegion not the peer's Region, a TGW peered with
// itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/analyzer.h"
#include "example_variants.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;
using namespace vpclab::analysis::testing;
namespace fs = std::filesystem;

namespace {

const fs::path kExample = fs::path(VPCLAB_SOURCE_DIR) / "examples/tgw/cross-region";

const std::string kPeeringAccepted =
    "peerings:\n"
    "  # The accepter TGW's owner accepts the peering attachment (AcceptTransitGatewayPeeringAttachment).\n"
    "  - connection: {stack: bar, resource: BarToFooPeering}\n"
    "    accepted: true\n";

}  // namespace

TEST(TransitGatewayPeering, CrossRegionReachesTheAlbThroughBothTgws) {
  auto l = tmpl::load_network({(kExample / "vpclab.yaml").string()});
  ASSERT_TRUE(l.network);
  ASSERT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  EXPECT_FALSE(has_diag(l.diags, "TGW_PEERING_PENDING_ACCEPTANCE", Severity::kWarning)) << diags_text(l.diags);
  const auto& n = *l.network;
  ASSERT_EQ(n.transit_gateways.size(), 2u);
  EXPECT_NE(n.transit_gateways[0].origin.region, n.transit_gateways[1].origin.region);
  const model::TransitGatewayAttachment* peering = nullptr;
  for (const auto& a : n.transit_gateway_attachments)
    if (a.is_peering()) peering = &a;
  ASSERT_NE(peering, nullptr);
  EXPECT_TRUE(peering->available());
  // One association on each side, each in its own TGW's table.
  EXPECT_FALSE(peering->route_table.empty());
  EXPECT_FALSE(peering->peer_route_table.empty());
  EXPECT_NE(peering->route_table, peering->peer_route_table);

  Analyzer a(n);
  auto r = a.trace("BarApp", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << dump(r);
  ASSERT_EQ(r.paths.size(), 2u);  // both ALB nodes
  for (const auto& p : r.paths) {
    // Request: bar's table, then foo's; the reply: foo's, then bar's.
    std::vector<std::string> tables;
    for (const auto& h : p.hops)
      if (h.component == "transit-gateway-route-table") tables.push_back(h.leg + " " + h.display);
    ASSERT_EQ(tables.size(), 4u) << dump(r);
    EXPECT_NE(tables[0].find("request bar."), std::string::npos) << tables[0];
    EXPECT_NE(tables[1].find("request foo."), std::string::npos) << tables[1];
    EXPECT_NE(tables[2].find("reply foo."), std::string::npos) << tables[2];
    EXPECT_NE(tables[3].find("reply bar."), std::string::npos) << tables[3];
    bool over_peering = false;
    for (const auto& h : p.hops)
      over_peering |= h.component == "transit-gateway-attachment" && h.display.find("BarToFooPeering") != std::string::npos;
    EXPECT_TRUE(over_peering) << dump(r);
  }
}

TEST(TransitGatewayPeering, UnacceptedPeeringIsPendingAndCarriesNothing) {
  auto p = variant(kExample, "tgw-peering-unaccepted", {{"vpclab.yaml", kPeeringAccepted, ""}});
  auto l = tmpl::load_network({p});
  ASSERT_TRUE(l.network);
  EXPECT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  EXPECT_TRUE(has_diag(l.diags, "TGW_PEERING_PENDING_ACCEPTANCE", Severity::kWarning)) << diags_text(l.diags);
  Analyzer a(*l.network);
  auto r = a.trace("BarApp", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable) << dump(r);
  EXPECT_FALSE(r.undecidable);
  EXPECT_TRUE(has_code(r, "BAD_STATE_ATTACHMENT")) << dump(r);
}

TEST(TransitGatewayPeering, TemplateChecksAsTheEc2Api) {
  // A peering attachment does not propagate: EnableTransitGatewayRouteTablePropagation refuses it.
  {
    auto p = variant(kExample, "tgw-peering-propagation", {{"foo-routes.yaml", "  FooToBarTgwRoute:\n",
                                      "  FooPeeringPropagation:\n"
                                      "    Type: AWS::EC2::TransitGatewayRouteTablePropagation\n"
                                      "    Properties:\n"
                                      "      TransitGatewayAttachmentId: !Ref PeeringAttachmentId\n"
                                      "      TransitGatewayRouteTableId: !Ref FooTgwRouteTableId\n"
                                      "  FooToBarTgwRoute:\n"}});
    auto l = tmpl::load_network({p});
    EXPECT_TRUE(has_diag(l.diags, "TGW_PROPAGATION_PEERING", Severity::kError)) << diags_text(l.diags);
  }
  // PeerRegion is the accepter's Region; another one names a TGW that is not there.
  {
    auto p = variant(kExample, "tgw-peering-region", {{"bar.yaml", "PeerRegion: !Ref FooRegion", "PeerRegion: eu-west-1"}});
    auto l = tmpl::load_network({p});
    EXPECT_TRUE(has_diag(l.diags, "TGW_PEERING_REGION_MISMATCH", Severity::kError)) << diags_text(l.diags);
  }
  // A TGW cannot peer with itself.
  {
    auto p = variant(kExample, "tgw-peering-self", {{"bar.yaml", "PeerTransitGatewayId: !Ref FooTransitGatewayId",
                               "PeerTransitGatewayId: !Ref BarTgw"}});
    auto l = tmpl::load_network({p});
    EXPECT_TRUE(has_diag(l.diags, "TGW_PEERING_SELF", Severity::kError)) << diags_text(l.diags);
  }
}
