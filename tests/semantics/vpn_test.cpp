// Site-to-site VPN rules (semantics/vpn.h) and the VPC route rule they
// bring: a VGW-propagated route never beats `local`.
#include <gtest/gtest.h>

#include "semantics/route.h"
#include "semantics/vpn.h"

using namespace vpclab;
using namespace vpclab::semantics;

namespace {
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
Ipv4Cidr cidr(const char* s) { return *Ipv4Cidr::parse(s); }
}  // namespace

TEST(VpnRoutes, StaticRoutesOnlyUsesStaticRoutesElseBgpPrefixes) {
  std::vector<std::pair<Ipv4Cidr, SourceLoc>> statics{{cidr("172.16.0.0/16"), {}}};
  std::vector<Ipv4Cidr> bgp{cidr("192.168.0.0/16"), cidr("192.168.9.0/24")};
  auto s = vpn_connection_routes("vpn-1", true, statics, bgp, {});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].destination.str(), "172.16.0.0/16");
  EXPECT_TRUE(s[0].static_route);
  auto b = vpn_connection_routes("vpn-1", false, statics, bgp, {});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_FALSE(b[0].static_route);
  // What a TGW vpn attachment propagates: nothing with static routes only.
  EXPECT_TRUE(tgw_vpn_propagated_routes(true, bgp, "tgw-attach-1", {}).empty());
  auto t = tgw_vpn_propagated_routes(false, bgp, "tgw-attach-1", {});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(t[0].propagated);
  EXPECT_EQ(t[1].attachment, "tgw-attach-1");
}

TEST(VpnRoutes, VgwPicksLongestPrefixThenStaticOverBgp) {
  std::vector<VpnRoute> routes{{cidr("192.168.0.0/16"), "vpn-bgp", false, {}},
                               {cidr("192.168.9.0/24"), "vpn-bgp", false, {}},
                               {cidr("192.168.9.0/24"), "vpn-static", true, {}}};
  EXPECT_EQ(select_vpn_route(routes, ip("192.168.1.1"))->connection, "vpn-bgp");
  EXPECT_EQ(select_vpn_route(routes, ip("192.168.9.1"))->connection, "vpn-static");
  EXPECT_EQ(select_vpn_route(routes, ip("10.0.0.1")), nullptr);
  // Propagated into a VPC route table: one route per prefix, to the VGW.
  auto vpc = vgw_propagated_routes("vgw-1", routes);
  ASSERT_EQ(vpc.size(), 2u);
  EXPECT_EQ(vpc[0].target_kind, RouteTargetKind::kVpnGateway);
  EXPECT_TRUE(vpc[1].propagated);
}

TEST(VpnRoutes, PropagatedRouteNeverBeatsLocal) {
  Route local;
  local.destination = cidr("10.5.0.0/16");
  local.target_kind = RouteTargetKind::kLocal;
  local.target_id = "local";
  Route vpn = vgw_propagated_routes("vgw-1", {{cidr("10.5.7.0/24"), "vpn-1", false, {}}})[0];
  Route vpn_outside = vgw_propagated_routes("vgw-1", {{cidr("172.16.0.0/16"), "vpn-1", false, {}}})[0];
  std::vector<Route> rt{local, vpn, vpn_outside};
  EXPECT_EQ(select_route(rt, ip("10.5.7.1"))->target_id, "local");
  EXPECT_EQ(select_route(rt, ip("172.16.0.1"))->target_id, "vgw-1");
  // A static route more specific than local still wins (middlebox routing).
  Route eni;
  eni.destination = cidr("10.5.7.0/24");
  eni.target_kind = RouteTargetKind::kNetworkInterface;
  eni.target_id = "eni-1";
  rt.push_back(eni);
  EXPECT_EQ(select_route(rt, ip("10.5.7.1"))->target_id, "eni-1");
}

TEST(VpnConnection, ForwardsWhenAvailableWithATunnelUp) {
  EXPECT_TRUE(vpn_connection_forwards("available", {"DOWN", "UP"}));
  EXPECT_FALSE(vpn_connection_forwards("available", {"DOWN", "DOWN"}));
  EXPECT_FALSE(vpn_connection_forwards("pending", {"UP", "UP"}));
}

TEST(CustomerGateway, LongestAdvertisedPrefixFirstConnectionOnATie) {
  std::vector<std::vector<Ipv4Cidr>> adv{{cidr("10.0.0.0/8")}, {cidr("10.2.0.0/16"), cidr("10.1.0.0/16")},
                                         {cidr("10.2.0.0/16")}};
  EXPECT_EQ(customer_gateway_route(adv, ip("10.9.0.1")), 0u);
  EXPECT_EQ(customer_gateway_route(adv, ip("10.2.0.1")), 1u);
  EXPECT_FALSE(customer_gateway_route(adv, ip("172.16.0.1")).has_value());
}
