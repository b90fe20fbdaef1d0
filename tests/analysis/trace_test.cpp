// The canonical scenario and its variants, traced from code-built networks.
#include <gtest/gtest.h>

#include "analysis/analyzer.h"
#include "scenario.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::testing::Canonical;

namespace {

bool has_code(const PathTrace& p, const std::string& code) {
  for (const auto& e : p.explanations)
    if (e.code == code) return true;
  return false;
}
bool has_code(const TraceResult& r, const std::string& code) {
  for (const auto& e : r.dns_explanations)
    if (e.code == code) return true;
  for (const auto& p : r.paths)
    if (has_code(p, code)) return true;
  return false;
}
// The first blocking (non-warning) explanation of the result.
const Explanation* blocker(const TraceResult& r) {
  for (const auto& e : r.dns_explanations)
    if (!e.warning) return &e;
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations)
      if (!e.warning) return &e;
  return nullptr;
}
std::string dump(const TraceResult& r) {
  std::string s = r.error + "\n";
  for (const auto& h : r.dns) s += "  dns " + h.check + " => " + h.matched + "\n";
  for (const auto& e : r.dns_explanations) s += "  ! " + e.code + " " + e.message + "\n";
  for (const auto& p : r.paths) {
    s += p.address + (p.reachable ? " reachable\n" : " blocked\n");
    for (const auto& h : p.hops)
      s += "  [" + h.leg + "] " + h.component + " " + h.display + ": " + h.check + " => " + h.matched +
           (h.allowed ? "" : "  BLOCKED") + "\n";
    for (const auto& e : p.explanations) s += "  ! " + e.code + " " + e.component + ": " + e.message + "\n";
  }
  return s;
}

TraceResult run(Canonical& c, const std::string& from, const std::string& to, TraceOptions o = {}) {
  Analyzer a(c.fx.finish());
  return a.trace(from, to, o);
}

// Expects a blocked trace whose first explanation is `code` naming `component`.
void expect_blocked(const TraceResult& r, const std::string& code, const std::string& component) {
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable) << dump(r);
  const Explanation* e = blocker(r);
  ASSERT_NE(e, nullptr) << dump(r);
  EXPECT_EQ(e->code, code) << dump(r);
  EXPECT_NE(e->component.find(component), std::string::npos) << e->component << "\n" << dump(r);
  EXPECT_FALSE(e->fix.empty());
  EXPECT_EQ(r.exit_code(), 1);
}

}  // namespace

TEST(TraceCanonical, BarInstanceReachesAlbHomeThroughBothNodes) {
  Canonical c;
  auto r = run(c, "BarApp", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.addresses, (std::vector<std::string>{"10.2.1.175", "10.2.2.171"}));
  ASSERT_EQ(r.paths.size(), 2u);
  for (const auto& p : r.paths) {
    EXPECT_TRUE(p.reachable) << dump(r);
    ASSERT_TRUE(p.response);
    EXPECT_EQ(p.response->kind, "target");
    ASSERT_EQ(p.response->targets.size(), 2u);
    for (const auto& t : p.response->targets) {
      EXPECT_TRUE(t.reachable) << t.id;
      EXPECT_TRUE(t.health_check_ok) << t.id;
      EXPECT_EQ(t.port, 8080);
    }
  }
  // DNS view: the private zone, then the alias to the ALB name.
  ASSERT_GE(r.dns.size(), 2u);
  EXPECT_NE(r.dns[0].matched.find("private hosted zone home"), std::string::npos);
  // The hops name the peering and the listener, in order.
  std::vector<std::string> kinds;
  for (const auto& h : r.paths[0].hops) kinds.push_back(h.component);
  auto pos = [&](const std::string& k) { return std::find(kinds.begin(), kinds.end(), k) - kinds.begin(); };
  EXPECT_LT(pos("security-group"), pos("vpc-peering-connection"));
  EXPECT_LT(pos("vpc-peering-connection"), pos("listener"));
  EXPECT_LT(pos("listener"), pos("target-group"));
}

TEST(TraceCanonical, AlbDnsNameResolvesToNodePrivateIps) {
  Canonical c;
  auto r = run(c, "T.BarApp", "internal-foo-internal-alb-1234567890.ap-northeast-1.elb.amazonaws.com");
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_EQ(r.addresses, (std::vector<std::string>{"10.2.1.175", "10.2.2.171"}));
  auto by_resource = run(c, "10.1.1.10", "foo-internal-alb");
  EXPECT_TRUE(by_resource.reachable) << dump(by_resource);
  EXPECT_EQ(by_resource.addresses.size(), 2u);
}

TEST(TraceCanonical, EachTargetOn8080ViaTheNodes) {
  Canonical c;
  auto r = run(c, "BarApp", "http://alb.home/");
  int legs = 0;
  for (const auto& h : r.paths[0].hops)
    if (h.leg.find("node 10.2.1.175 -> T.Web") == 0 && h.leg.find(":8080") != std::string::npos &&
        h.component == "security-group" && h.allowed)
      ++legs;
  EXPECT_EQ(legs, 4) << dump(r);  // node SG egress + target SG ingress, for each of 2 targets
}

// ---- one test per explanation code -----------------------------------------

TEST(TraceCodes, AlbSecurityGroupWithoutHttpIsEniSgRulesMismatch) {
  Canonical c;
  c.fx.find(c.net().security_groups, c.alb_sg).ingress.clear();
  auto r = run(c, "BarApp", "http://alb.home/");
  expect_blocked(r, "ENI_SG_RULES_MISMATCH", "T.AlbSg");
  EXPECT_NE(blocker(r)->message.find("inbound rule allows tcp/80 from 10.1.1.10"), std::string::npos);
  EXPECT_TRUE(blocker(r)->loc.known());
}

TEST(TraceCodes, MissingRouteToPeerIsNoRouteToDestination) {
  Canonical c;
  c.fx.find(c.net().route_tables, c.bar_private_rt).routes.clear();
  expect_blocked(run(c, "BarApp", "http://alb.home/"), "NO_ROUTE_TO_DESTINATION", "T.BarPrivateRt");
}

TEST(TraceCodes, MissingReturnRouteIsNoRouteOnTheReply) {
  Canonical c;
  auto& routes = c.fx.find(c.net().route_tables, c.foo_private_rt).routes;
  std::erase_if(routes, [](const Route& r) { return r.target_kind == RouteTargetKind::kVpcPeeringConnection; });
  // The reply now follows 0.0.0.0/0 to the NAT gateway, which would rewrite it.
  expect_blocked(run(c, "BarApp", "http://alb.home/"), "RETURN_ROUTE_MISMATCH", "T.FooNat");
  routes.clear();
  auto r = run(c, "BarApp", "http://alb.home/");
  expect_blocked(r, "NO_ROUTE_TO_DESTINATION", "T.FooPrivateRt");
  bool reply_hop = false;
  for (const auto& h : r.paths[0].hops) reply_hop |= (!h.allowed && h.leg == "reply");
  EXPECT_TRUE(reply_hop) << dump(r);
}

TEST(TraceCodes, BlackholeRouteIsBadStateRoute) {
  Canonical c;
  for (auto& rt : c.fx.find(c.net().route_tables, c.bar_private_rt).routes) rt.state = RouteState::kBlackhole;
  expect_blocked(run(c, "BarApp", "10.2.1.10"), "BAD_STATE_ROUTE", "T.BarPrivateRt");
}

TEST(TraceCodes, NaclWithoutEphemeralReplyIsSubnetAclRestriction) {
  Canonical c;
  auto acl = c.fx.acl(c.foo, "FooPrivateAcl");
  c.fx.acl_entry(acl, 100, Direction::kIngress, true, kTcp, PortRange::single(80), "10.1.0.0/16");
  c.fx.acl_entry(acl, 100, Direction::kEgress, true, kTcp, PortRange::single(80), "10.1.0.0/16");
  c.fx.associate_acl(c.foo_a, acl);
  auto r = run(c, "BarApp", "10.2.1.175");
  expect_blocked(r, "SUBNET_ACL_RESTRICTION", "T.FooPrivateAcl");
  EXPECT_NE(blocker(r)->message.find("replies"), std::string::npos) << dump(r);
  // Opening 1024-65535 towards the client fixes the reply.
  c.fx.acl_entry(acl, 110, Direction::kEgress, true, kTcp, PortRange{1024, 65535}, "10.1.0.0/16");
  auto fixed = run(c, "BarApp", "10.2.1.175");
  // Node A still reaches Web1 in its own subnet (no NACL there), not Web2
  // (the ACL blocks 8080 out): reachable, with a warning about Web2.
  EXPECT_TRUE(fixed.reachable) << dump(fixed);
  ASSERT_TRUE(fixed.response);
  ASSERT_EQ(fixed.response->targets.size(), 2u);
  EXPECT_TRUE(fixed.response->targets[0].reachable);
  EXPECT_FALSE(fixed.response->targets[1].reachable);
  EXPECT_TRUE(has_code(fixed, "SUBNET_ACL_RESTRICTION"));
}

TEST(TraceCodes, PendingPeeringIsBadState) {
  Canonical c;
  c.fx.find(c.net().peerings, c.pcx).state = model::PeeringState::kPendingAcceptance;
  expect_blocked(run(c, "BarApp", "10.2.1.10"), "BAD_STATE", "T.BarToFoo");
}

TEST(TraceCodes, StoppedInstanceIsBadState) {
  Canonical c;
  c.fx.allow_in(c.web_sg, kTcp, PortRange::single(80), "10.1.0.0/16");
  c.fx.find(c.net().instances, c.web1).state = model::InstanceState::kStopped;
  expect_blocked(run(c, "BarApp", "10.2.1.10"), "BAD_STATE", "10.2.1.10");
}

TEST(TraceCodes, ThreeVpcTransitIsPcxRequiresAddressInVpcCidr) {
  vpclab::testing::Fx fx;
  auto a = fx.vpc("A", "10.10.0.0/16"), b = fx.vpc("B", "10.20.0.0/16"), cc = fx.vpc("C", "10.30.0.0/16");
  auto sa = fx.subnet(a, "SA", "10.10.1.0/24"), sb = fx.subnet(b, "SB", "10.20.1.0/24"), sc = fx.subnet(cc, "SC", "10.30.1.0/24");
  auto ab = fx.peering(a, b, "AB"), bc = fx.peering(b, cc, "BC");
  auto rta = fx.route_table(a, "RtA"), rtb = fx.route_table(b, "RtB"), rtc = fx.route_table(cc, "RtC");
  fx.route(rta, "10.20.0.0/16", RouteTargetKind::kVpcPeeringConnection, ab);
  fx.route(rta, "10.30.0.0/16", RouteTargetKind::kVpcPeeringConnection, ab);  // "via B"
  fx.route(rtb, "10.10.0.0/16", RouteTargetKind::kVpcPeeringConnection, ab);
  fx.route(rtb, "10.30.0.0/16", RouteTargetKind::kVpcPeeringConnection, bc);
  fx.route(rtc, "10.20.0.0/16", RouteTargetKind::kVpcPeeringConnection, bc);
  fx.route(rtc, "10.10.0.0/16", RouteTargetKind::kVpcPeeringConnection, bc);
  fx.associate(sa, rta);
  fx.associate(sb, rtb);
  fx.associate(sc, rtc);
  auto open = [&](const std::string& vpc, const std::string& n) {
    auto g = fx.sg(vpc, n);
    fx.allow_in(g, kAllProtocols, PortRange::all(), "10.0.0.0/8");
    return g;
  };
  fx.instance("HostA", sa, "10.10.1.10", {open(a, "SgA")});
  fx.instance("HostB", sb, "10.20.1.10", {open(b, "SgB")});
  fx.instance("HostC", sc, "10.30.1.10", {open(cc, "SgC")});
  Analyzer an(fx.finish());
  EXPECT_TRUE(an.trace("HostA", "HostB:22").reachable);
  EXPECT_TRUE(an.trace("HostB", "HostC:22").reachable);
  auto r = an.trace("HostA", "10.30.1.10:22");
  expect_blocked(r, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", "T.AB");
  auto back = an.trace("HostC", "10.10.1.10:22");
  expect_blocked(back, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", "T.BC");
  // The matrix agrees: A reaches B, not C.
  auto m = an.matrix("HostA", "HostB,HostC", "22");
  ASSERT_EQ(m.cells.size(), 1u);
  EXPECT_EQ(m.cells[0].to, "T.HostB");
}

TEST(TraceCodes, InstanceWithoutPublicIpBehindIgwIsIgwPublicIpAssociationForEgress) {
  Canonical c;
  auto r = run(c, "Bastion", "8.8.8.8:443");
  EXPECT_TRUE(r.reachable) << dump(r);
  c.fx.find(c.net().network_interfaces, "eni-Bastion").public_ip.reset();
  expect_blocked(run(c, "Bastion", "8.8.8.8:443"), "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "T.FooIgw");
}

TEST(TraceCodes, UsingThePeersNatGatewayIsBlockedAndNamed) {
  Canonical c;
  c.fx.route(c.bar_private_rt, "0.0.0.0/0", RouteTargetKind::kVpcPeeringConnection, c.pcx);
  auto r = run(c, "BarApp", "8.8.8.8:443");
  expect_blocked(r, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", "T.BarToFoo");
  EXPECT_TRUE(has_code(r, "NGW_REQUIRES_SOURCE_IN_VPC")) << dump(r);
}

TEST(TraceCodes, UnpeeredVpcsAreDisconnected) {
  Canonical c;
  auto other = c.fx.vpc("Other", "10.9.0.0/16");
  auto s = c.fx.subnet(other, "OtherSubnet", "10.9.1.0/24");
  c.fx.instance("OtherHost", s, "10.9.1.10", {c.fx.sg(other, "OtherSg")});
  expect_blocked(run(c, "OtherHost", "10.2.1.10:22"), "DISCONNECTED_VPCS", "T.OtherMain");
  // With a default route to the NAT the packet dies at the IGW: still disconnected.
  expect_blocked(run(c, "Web1", "10.9.1.10:22"), "DISCONNECTED_VPCS", "");
}

TEST(TraceCodes, AddressWithoutInterfaceIsUnknownDestination) {
  Canonical c;
  expect_blocked(run(c, "BarApp", "10.2.1.99:80"), "UNKNOWN_DESTINATION", "10.2.1.99");
}

TEST(TraceCodes, NoListenerOnPortIsElbv2ListenerPortRestriction) {
  Canonical c;
  c.fx.allow_in(c.alb_sg, kTcp, PortRange::single(8080), "0.0.0.0/0");
  TraceOptions o;
  o.port = 8080;
  expect_blocked(run(c, "BarApp", "http://alb.home/", o), "ELBV2_LISTENER_PORT_RESTRICTION", "foo-internal-alb");
}

TEST(TraceCodes, ForwardToMissingGroupIsElbv2ListenerHasNoTg) {
  Canonical c;
  c.fx.find(c.net().listeners, c.listener).default_rule.actions[0].target_groups[0].target_group_arn = "arn:missing";
  expect_blocked(run(c, "BarApp", "http://alb.home/"), "ELBV2_LISTENER_HAS_NO_TG", "foo-internal-alb");
}

TEST(TraceCodes, TargetsBlockingTrafficPortIsTargetPortRestrictionAnd504) {
  Canonical c;
  c.fx.find(c.net().security_groups, c.web_sg).ingress.clear();
  auto r = run(c, "BarApp", "http://alb.home/");
  expect_blocked(r, "TARGET_PORT_RESTRICTION", "T.WebTg");
  EXPECT_TRUE(has_code(r, "ENI_SG_RULES_MISMATCH")) << dump(r);  // the target leg names the group
  bool names_group = false;
  for (const auto& e : r.paths[0].explanations) names_group |= e.component.find("T.WebSg") != std::string::npos;
  EXPECT_TRUE(names_group);
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, 504);
}

TEST(TraceCodes, EmptyTargetGroupIs503) {
  Canonical c;
  c.fx.find(c.net().target_groups, c.tg).targets.clear();
  auto r = run(c, "BarApp", "http://alb.home/");
  expect_blocked(r, "ELBV2_NO_REGISTERED_TARGETS", "WebTg");
  EXPECT_EQ(r.response->status, 503);
}

TEST(TraceCodes, HealthCheckPortBlockedIsAWarningWhileFailOpen) {
  Canonical c;
  c.fx.find(c.net().target_groups, c.tg).health_check.port = "8081";
  auto r = run(c, "BarApp", "http://alb.home/");
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_TRUE(has_code(r, "ELBV2_HEALTH_CHECK_BLOCKED")) << dump(r);
  for (const auto& t : r.response->targets) EXPECT_FALSE(t.health_check_ok);
}

TEST(TraceCodes, UdpToAlbIsProtocolRestriction) {
  Canonical c;
  c.fx.allow_in(c.alb_sg, kAllProtocols, PortRange::all(), "10.1.0.0/16");
  TraceOptions o;
  o.protocol = kUdp;
  expect_blocked(run(c, "BarApp", "http://alb.home/", o), "PROTOCOL_RESTRICTION", "foo-internal-alb");
}

TEST(TraceCodes, DnsSupportOffIsDnsResolutionDisabled) {
  Canonical c;
  c.fx.find(c.net().vpcs, c.bar).enable_dns_support = false;
  expect_blocked(run(c, "BarApp", "http://alb.home/"), "DNS_RESOLUTION_DISABLED", "T.Bar");
}

TEST(TraceCodes, DnsHostnamesOffDisablesPrivateZones) {
  Canonical c;
  c.fx.find(c.net().vpcs, c.bar).enable_dns_hostnames = false;
  expect_blocked(run(c, "BarApp", "http://alb.home/"), "DNS_HOSTNAMES_DISABLED", "T.Bar");
}

TEST(TraceCodes, MissingRecordInMatchingZoneIsNxdomain) {
  Canonical c;
  auto r = run(c, "BarApp", "http://web.home/");
  expect_blocked(r, "DNS_NXDOMAIN", "T.Zonehome");
  EXPECT_TRUE(r.addresses.empty());
}

// A name outside every zone of the network: only the internet's DNS knows it, so the trace
// cannot decide (exit 2), and says so; a name under Amazon's own domains is NXDOMAIN.
TEST(TraceCodes, ANameOutsideTheNetworksZonesIsUndecidable) {
  Canonical c;
  auto r = run(c, "BarApp", "https://www.example.com/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable);
  EXPECT_TRUE(r.undecidable) << dump(r);
  EXPECT_EQ(r.exit_code(), 2);
  ASSERT_FALSE(r.dns_explanations.empty()) << dump(r);
  EXPECT_EQ(r.dns_explanations.front().code, "DNS_NAME_OUTSIDE_LAB") << dump(r);
  EXPECT_NE(r.dns_explanations.front().message.find("www.example.com"), std::string::npos);
  auto amazon = run(c, "BarApp", "http://ip-10-9-9-9.ec2.internal/");
  EXPECT_EQ(amazon.exit_code(), 1) << dump(amazon);
  ASSERT_FALSE(amazon.dns_explanations.empty());
  EXPECT_EQ(amazon.dns_explanations.front().code, "DNS_NXDOMAIN");
}

TEST(TraceCodes, ZoneOnlyAssociatedWithFooIsDnsZoneNotAssociated) {
  Canonical c;
  c.fx.find(c.net().hosted_zones, c.zone).vpcs = {{c.foo, "ap-northeast-1"}};
  expect_blocked(run(c, "BarApp", "http://alb.home/"), "DNS_ZONE_NOT_ASSOCIATED", "T.Zonehome");
  // From foo itself the name resolves.
  EXPECT_TRUE(run(c, "Bastion", "http://alb.home/").ok);
}

TEST(TraceCodes, IgwDropsPrivateDestination) {
  Canonical c;
  expect_blocked(run(c, "Bastion", "192.168.1.1:80"), "IGW_PRIVATE_DESTINATION", "T.FooIgw");
}

TEST(TraceCodes, PublicIpInVpcWithoutIgwIsNoInternetGateway) {
  Canonical c;
  c.fx.find(c.net().vpcs, c.foo).internet_gateway.clear();
  expect_blocked(run(c, "internet", "52.0.0.20:22"), "NO_INTERNET_GATEWAY", "T.Foo");
}

TEST(TraceCodes, InternetToPrivateInstanceIsDestinationNotPublic) {
  Canonical c;
  expect_blocked(run(c, "internet", "Web1:22"), "DESTINATION_NOT_PUBLIC", "Web1");
  expect_blocked(run(c, "internet", "10.2.1.10:22"), "DESTINATION_NOT_PUBLIC", "10.2.1.10");
}

TEST(TraceCodes, RepliesThroughNatAreReturnRouteMismatch) {
  Canonical c;
  // The bastion's subnet now sends 0.0.0.0/0 to the NAT gateway.
  auto rt = c.fx.route_table(c.foo, "Odd");
  c.fx.route(rt, "0.0.0.0/0", RouteTargetKind::kNatGateway, c.nat);
  auto pub2 = c.fx.subnet(c.foo, "FooPublic2", "10.2.3.0/24");
  c.fx.associate(pub2, rt);
  c.fx.instance("Odd", pub2, "10.2.3.10", {c.bastion_sg}, "52.0.0.30");
  expect_blocked(run(c, "internet", "52.0.0.30:22"), "RETURN_ROUTE_MISMATCH", "T.FooNat");
}

TEST(TraceCodes, VpnGatewayRouteIsUndecidable) {
  Canonical c;
  c.fx.route(c.bar_private_rt, "172.16.0.0/12", RouteTargetKind::kVpnGateway, "vgw-1");
  c.net().unmodeled.push_back(model::UnmodeledResource{"AWS::EC2::VPNGateway", "vgw-1", c.fx.origin("Vgw")});
  auto r = run(c, "BarApp", "172.16.0.5:443");
  EXPECT_EQ(r.exit_code(), 2) << dump(r);
  EXPECT_TRUE(has_code(r, "UNMODELED_COMPONENT"));
  EXPECT_NE(blocker(r)->message.find("AWS::EC2::VPNGateway"), std::string::npos);
}

// ---- scenarios from the issue -------------------------------------------------

TEST(TraceScenarios, NatGatewayEgressOneWay) {
  Canonical c;
  auto r = run(c, "Web1", "8.8.8.8:443");
  EXPECT_TRUE(r.reachable) << dump(r);
  bool nat_hop = false;
  for (const auto& h : r.paths[0].hops) nat_hop |= h.component == "nat-gateway";
  EXPECT_TRUE(nat_hop);
  // The internet cannot reach the private web server, not even via the NAT's EIP.
  EXPECT_FALSE(run(c, "internet", "Web1:8080").reachable);
  expect_blocked(run(c, "8.8.8.8", "52.0.0.10:8080"), "NGW_NO_INBOUND", "T.FooNat");
  // A NACL that drops replies on the NAT's ports breaks egress.
  auto acl = c.fx.acl(c.foo, "FooPublicAcl");
  c.fx.acl_entry(acl, 100, Direction::kIngress, true, kAllProtocols, PortRange::all(), "10.0.0.0/8");
  c.fx.acl_entry(acl, 100, Direction::kEgress, true, kAllProtocols, PortRange::all(), "0.0.0.0/0");
  c.fx.associate_acl(c.foo_pub, acl);
  expect_blocked(run(c, "Web1", "8.8.8.8:443"), "SUBNET_ACL_RESTRICTION", "T.FooPublicAcl");
}

TEST(TraceScenarios, BastionIsTheOnlyWayIn) {
  Canonical c;
  EXPECT_TRUE(run(c, "internet", "Bastion:22").reachable);
  EXPECT_TRUE(run(c, "203.0.113.5", "52.0.0.20:22").reachable);
  expect_blocked(run(c, "internet", "Bastion:80"), "ENI_SG_RULES_MISMATCH", "T.BastionSg");
  EXPECT_TRUE(run(c, "Bastion", "Web1:22").reachable);
  EXPECT_TRUE(run(c, "Bastion", "Web2:22").reachable);
  EXPECT_FALSE(run(c, "internet", "Web1:22").reachable);
  EXPECT_FALSE(run(c, "BarApp", "Web1:22").reachable);
  // Public hostname of the bastion: split horizon.
  auto in = run(c, "Web1", "ec2-52-0-0-20.ap-northeast-1.compute.amazonaws.com:22");
  EXPECT_EQ(in.addresses, std::vector<std::string>{"10.2.0.10"});
  auto out = run(c, "internet", "ec2-52-0-0-20.ap-northeast-1.compute.amazonaws.com:22");
  EXPECT_EQ(out.addresses, std::vector<std::string>{"52.0.0.20"});
  EXPECT_TRUE(out.reachable);
}

TEST(TraceScenarios, PeeringDnsOptionGivesPrivateAddress) {
  Canonical c;
  c.fx.allow_in(c.bastion_sg, kTcp, PortRange::single(22), "10.1.0.0/16");
  auto off = run(c, "BarApp", "ec2-52-0-0-20.ap-northeast-1.compute.amazonaws.com:22");
  EXPECT_EQ(off.addresses, std::vector<std::string>{"52.0.0.20"});
  EXPECT_FALSE(off.reachable);  // BarApp has no way to the internet
  c.fx.find(c.net().peerings, c.pcx).accepter.allow_dns_resolution_from_remote_vpc = true;
  auto on = run(c, "BarApp", "ec2-52-0-0-20.ap-northeast-1.compute.amazonaws.com:22");
  EXPECT_EQ(on.addresses, std::vector<std::string>{"10.2.0.10"});
  EXPECT_TRUE(on.reachable) << dump(on);
}

TEST(TraceScenarios, SameSubnetSkipsRoutesAndNacls) {
  Canonical c;
  auto acl = c.fx.acl(c.foo, "DenyAll");
  c.fx.associate_acl(c.foo_pub, acl);
  c.fx.allow_in(c.bastion_sg, kTcp, PortRange::single(5000), "10.2.0.0/24");
  c.fx.instance("Peer", c.foo_pub, "10.2.0.11", {c.bastion_sg});
  auto r = run(c, "Peer", "10.2.0.10:5000");
  EXPECT_TRUE(r.reachable) << dump(r);
  for (const auto& h : r.paths[0].hops) EXPECT_NE(h.component, "network-acl");
}

TEST(TraceAlb, RulesFixedResponseRedirectAndHeaders) {
  Canonical c;
  auto& l = c.fx.find(c.net().listeners, c.listener);
  alb::ListenerRule fixed;
  fixed.priority = 10;
  alb::RuleCondition path;
  path.field = alb::ConditionField::kPathPattern;
  path.values = {"/health*"};
  fixed.conditions.push_back(path);
  alb::Action fa;
  fa.type = alb::ActionType::kFixedResponse;
  fa.fixed_response.status_code = 418;
  fixed.actions.push_back(fa);
  alb::ListenerRule redirect;
  redirect.priority = 20;
  alb::RuleCondition hdr;
  hdr.field = alb::ConditionField::kHttpHeader;
  hdr.header_name = "X-Old";
  hdr.values = {"yes"};
  redirect.conditions.push_back(hdr);
  alb::Action ra;
  ra.type = alb::ActionType::kRedirect;
  ra.redirect.protocol = "HTTPS";
  ra.redirect.port = "443";
  ra.redirect.status_code = 302;
  redirect.actions.push_back(ra);
  l.rules = {fixed, redirect};
  auto f = run(c, "BarApp", "http://alb.home/healthz");
  ASSERT_TRUE(f.response);
  EXPECT_EQ(f.response->kind, "fixed-response");
  EXPECT_EQ(f.response->status, 418);
  EXPECT_EQ(f.response->rule_priority, 10);
  EXPECT_TRUE(f.reachable);
  TraceOptions o;
  o.headers = {{"x-old", "YES"}};
  auto rd = run(c, "BarApp", "http://alb.home/a/b?q=1", o);
  ASSERT_TRUE(rd.response);
  EXPECT_EQ(rd.response->kind, "redirect");
  EXPECT_EQ(rd.response->status, 302);
  EXPECT_EQ(rd.response->detail, "https://alb.home/a/b?q=1");
  auto plain = run(c, "BarApp", "http://alb.home/other");
  EXPECT_EQ(plain.response->kind, "target");
  EXPECT_EQ(plain.response->rule_priority, 0);
}

TEST(TraceInput, BadReferencesAreExit2) {
  Canonical c;
  auto r = run(c, "NoSuchThing", "http://alb.home/");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.exit_code(), 2);
  auto d = run(c, "BarApp", "http://alb.home:99999/");
  EXPECT_EQ(d.exit_code(), 2);
}

TEST(TraceAlb, InternetFacingAlbFromTheInternet) {
  Canonical c;
  auto pub2 = c.fx.subnet(c.foo, "FooPublicC", "10.2.3.0/24", "ap-northeast-1c");
  c.fx.associate(pub2, c.foo_public_rt);
  auto web_alb_sg = c.fx.sg(c.foo, "PublicAlbSg");
  c.fx.allow_in(web_alb_sg, kTcp, PortRange::single(80), "0.0.0.0/0");
  c.fx.allow_in(c.web_sg, kTcp, PortRange::single(8080), web_alb_sg);
  auto lb = c.fx.alb("public-alb", c.foo, {{c.foo_pub, "10.2.0.50"}, {pub2, "10.2.3.50"}}, {web_alb_sg}, false);
  c.fx.listener(lb, "PublicHttp", 80, c.tg);
  auto r = run(c, "internet", "public-alb-1234567890.ap-northeast-1.elb.amazonaws.com");
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_EQ(r.addresses.size(), 2u);  // the nodes' public IPs
  for (const auto& a : r.addresses) EXPECT_EQ(a.rfind("54.0.0.", 0), 0u) << a;
  // Without the IGW route on the second subnet, replies from that node are lost.
  auto rt = c.fx.route_table(c.foo, "NoIgw");
  c.fx.associate(pub2, rt);
  auto broken = run(c, "internet", "public-alb-1234567890.ap-northeast-1.elb.amazonaws.com");
  EXPECT_FALSE(broken.reachable);
  int ok = 0;
  for (const auto& p : broken.paths) ok += p.reachable;
  EXPECT_EQ(ok, 1) << dump(broken);
}

// ---- NAT gateway protocols, NLBs, instance:port destinations -------------------

TEST(TraceCodes, NatGatewayForwardsTcpUdpIcmpOnly) {
  Canonical c;
  TraceOptions o;
  o.protocol = 107;  // not TCP, UDP or ICMP: the NAT gateway drops it
  auto r = run(c, "Web1", "8.8.8.8", o);
  expect_blocked(r, "PROTOCOL_RESTRICTION", "T.FooNat");
  EXPECT_EQ(r.exit_code(), 1);
  for (IpProtocol p : {kTcp, kUdp, kIcmp}) {
    o.protocol = p;
    EXPECT_TRUE(run(c, "Web1", "8.8.8.8:53", o).reachable) << protocol_name(p);
  }
  // The rule is the NAT gateway's: through an internet gateway protocol 107 passes.
  o.protocol = 107;
  EXPECT_TRUE(run(c, "Bastion", "8.8.8.8", o).reachable);
}

namespace {
// Turns the canonical ALB's twin into a Network Load Balancer without
// security groups (its nodes filter nothing) and returns its node address.
std::string add_nlb(Canonical& c, bool with_sg = false) {
  auto arn = c.fx.alb("foo-nlb", c.foo, {{c.foo_a, "10.2.1.200"}}, with_sg ? std::vector<std::string>{c.web_sg}
                                                                          : std::vector<std::string>{});
  for (auto& lb : c.net().load_balancers)
    if (lb.arn == arn) lb.type = "network";
  return "10.2.1.200";
}
}  // namespace

TEST(TraceCodes, PathsIntoANetworkLoadBalancerAreDecided) {
  Canonical c;
  std::string node = add_nlb(c);
  for (const char* from : {"Bastion", "Web2"}) {
    // Nothing filters at the node; the NLB has no listener on 80 (walk_nlb.cpp; examples/nlb for listeners).
    auto r = run(c, from, node + ":80");
    EXPECT_EQ(r.exit_code(), 1) << from << "\n" << dump(r);
    ASSERT_NE(blocker(r), nullptr) << dump(r);
    EXPECT_EQ(blocker(r)->code, "ELBV2_LISTENER_PORT_RESTRICTION") << dump(r);
    EXPECT_NE(blocker(r)->component.find("T.foo-nlb"), std::string::npos) << blocker(r)->component;
  }
  // Not the default security group: it would only admit members of itself.
  EXPECT_FALSE(has_code(run(c, "Bastion", node + ":81"), "ENI_SG_RULES_MISMATCH"));
}

TEST(TraceCodes, NetworkLoadBalancerSecurityGroupsStillFilter) {
  Canonical c;
  std::string node = add_nlb(c, true);  // WebSg: 8080 from the ALB group, 22 from the bastion group
  expect_blocked(run(c, "BarApp", node + ":80"), "ENI_SG_RULES_MISMATCH", "T.WebSg");
  // Admitted by the group, then refused for want of a listener on 22.
  auto r = run(c, "Bastion", node + ":22");
  EXPECT_EQ(r.exit_code(), 1) << dump(r);
  EXPECT_FALSE(has_code(r, "ENI_SG_RULES_MISMATCH")) << dump(r);
  EXPECT_TRUE(has_code(r, "ELBV2_LISTENER_PORT_RESTRICTION")) << dump(r);
}

TEST(TraceInput, InstanceColonPortIsInstanceAndPort) {
  Canonical c;
  // WebSg admits 22 from the bastion only: reachable proves port 22 was used, not 80.
  for (const char* to : {"i-Web1:22", "Web1:22", "T.Web1:22"}) {
    auto r = run(c, "Bastion", to);
    ASSERT_TRUE(r.ok) << to << ": " << r.error;
    EXPECT_TRUE(r.reachable) << to << "\n" << dump(r);
    EXPECT_EQ(r.flow, "tcp/22") << to;
    ASSERT_EQ(r.addresses.size(), 1u) << to;
    EXPECT_EQ(r.addresses[0], "10.2.1.10") << to;
  }
  auto blocked = run(c, "Bastion", "i-Web1:80");
  ASSERT_TRUE(blocked.ok) << blocked.error;
  EXPECT_FALSE(blocked.reachable);
  EXPECT_EQ(blocked.flow, "tcp/80");
  EXPECT_EQ(run(c, "Bastion", "i-Web1:99999").exit_code(), 2);
  EXPECT_EQ(run(c, "Bastion", "i-Web1:").exit_code(), 2);
}

TEST(TraceCanonical, DestinationsByArnAndTheInternet) {
  Canonical c;
  // A load balancer by its ARN (colons are not host:port).
  auto by_arn = run(c, "BarApp", c.alb);
  ASSERT_TRUE(by_arn.ok) << by_arn.error;
  EXPECT_TRUE(by_arn.reachable) << dump(by_arn);
  // "internet" as a destination: a web server's HTTPS out through the NAT gateway.
  TraceOptions o;
  o.port = 443;
  auto out = run(c, "Web1", "internet", o);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.reachable) << dump(out);
  EXPECT_EQ(out.addresses, std::vector<std::string>{"198.18.0.7"});
  bool nat = false;
  for (const auto& h : out.paths.at(0).hops) nat |= h.component == "nat-gateway";
  EXPECT_TRUE(nat) << dump(out);
}
