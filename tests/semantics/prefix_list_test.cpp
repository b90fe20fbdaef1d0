// Prefix lists in route choice (VPC and TGW tables), security-group peers and
// the rule quota (semantics/prefix_list.h, route.h, transit_gateway.h).
#include <gtest/gtest.h>

#include "semantics/prefix_list.h"
#include "semantics/route.h"
#include "semantics/security_group.h"
#include "semantics/transit_gateway.h"

using namespace vpclab;
using namespace vpclab::semantics;

namespace {
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
Ipv4Cidr cidr(const char* s) { return *Ipv4Cidr::parse(s); }

Route to_list(std::vector<const char*> entries, const char* target) {
  Route r;
  r.destination_prefix_list = "pl-1";
  for (auto* e : entries) r.prefix_list_cidrs.push_back(cidr(e));
  r.target_kind = RouteTargetKind::kVpcPeeringConnection;
  r.target_id = target;
  return r;
}
Route to_cidr(const char* dst, const char* target, bool propagated = false) {
  Route r;
  r.destination = cidr(dst);
  r.target_kind = RouteTargetKind::kVpcPeeringConnection;
  r.target_id = target;
  r.propagated = propagated;
  return r;
}
}  // namespace

TEST(PrefixListRoute, MatchesByEachEntryBetweenStaticAndPropagated) {
  std::vector<Route> rt{to_cidr("10.0.0.0/8", "pcx-wide"), to_list({"10.2.0.0/16", "172.16.0.0/12"}, "pcx-list"),
                        to_cidr("172.16.0.0/12", "pcx-static"), to_cidr("10.2.0.0/16", "vgw-prop", true)};
  // Longest prefix: the list's /16 beats the static /8.
  EXPECT_EQ(select_route(rt, ip("10.2.3.4"))->target_id, "pcx-list");  // and beats a propagated /16
  EXPECT_EQ(select_route(rt, ip("10.3.0.1"))->target_id, "pcx-wide");
  // Same prefix: the static route beats the prefix-list route.
  EXPECT_EQ(select_route(rt, ip("172.16.0.1"))->target_id, "pcx-static");
  // An empty (or unknown) list matches nothing.
  std::vector<Route> empty{to_list({}, "pcx-list")};
  EXPECT_EQ(select_route(empty, ip("10.2.3.4")), nullptr);
}

TEST(PrefixListRoute, TransitGatewayReferenceRanksBetweenStaticAndPropagated) {
  TransitGatewayRoute st, ref, prop;
  st.destination = cidr("10.9.0.0/16");
  st.attachment = "tgw-attach-static";
  ref.destination_prefix_list = "pl-1";
  ref.prefix_list_cidrs = {cidr("10.9.0.0/16"), cidr("10.8.0.0/16")};
  ref.attachment = "tgw-attach-ref";
  prop.destination = cidr("10.8.0.0/16");
  prop.attachment = "tgw-attach-prop";
  prop.propagated = true;
  std::vector<TransitGatewayRoute> rt{prop, ref, st};
  EXPECT_EQ(select_transit_gateway_route(rt, ip("10.9.1.1"))->attachment, "tgw-attach-static");
  EXPECT_EQ(select_transit_gateway_route(rt, ip("10.8.1.1"))->attachment, "tgw-attach-ref");
  EXPECT_EQ(select_transit_gateway_route(rt, ip("10.7.1.1")), nullptr);
}

TEST(PrefixListRule, PeersAreTheEntriesAndWeightIsMaxEntries) {
  SecurityGroupRule r;
  r.direction = Direction::kIngress;
  r.protocol = kTcp;
  r.ports = PortRange::single(443);
  r.prefix_list_id = "pl-1";
  r.prefix_list_cidrs = {cidr("10.1.0.0/16"), cidr("192.168.0.0/24")};
  std::vector<NormalizedSgRule> out;
  normalize_security_group_rules({r}, "sg-1", nullptr, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].peers.contains(ip("10.1.200.3").value));
  EXPECT_TRUE(out[0].peers.contains(ip("192.168.0.255").value));
  EXPECT_FALSE(out[0].peers.contains(ip("192.168.1.0").value));
  EXPECT_EQ(security_group_rule_weight(r, 20), 20);  // MaxEntries, not the 2 entries
  EXPECT_EQ(security_group_rule_weight(r, 0), 1);    // an unknown list
  SecurityGroupRule plain;
  plain.cidr = cidr("0.0.0.0/0");
  EXPECT_EQ(security_group_rule_weight(plain, 20), 1);
}
