// Route choice, security groups, NACLs, peering, IGW/NAT, hosted zones.
#include <gtest/gtest.h>

#include "semantics/gateway.h"
#include "semantics/hosted_zone.h"
#include "semantics/network_acl.h"
#include "semantics/route.h"
#include "semantics/security_group.h"

using namespace vpclab;
using namespace vpclab::semantics;

namespace {
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
Ipv4Cidr cidr(const char* s) { return *Ipv4Cidr::parse(s); }

Route route(const char* dst, RouteTargetKind kind, const char* target, bool propagated = false,
            RouteState state = RouteState::kActive) {
  Route r;
  r.destination = cidr(dst);
  r.target_kind = kind;
  r.target_id = target;
  r.propagated = propagated;
  r.state = state;
  return r;
}
}  // namespace

TEST(SelectRoute, LongestPrefixBlackholeAndTies) {
  std::vector<Route> rt{
      route("10.2.0.0/16", RouteTargetKind::kLocal, "local"),
      route("0.0.0.0/0", RouteTargetKind::kNatGateway, "nat-1"),
      route("10.1.0.0/16", RouteTargetKind::kVpcPeeringConnection, "pcx-1"),
      route("10.1.5.0/24", RouteTargetKind::kVpcPeeringConnection, "pcx-2", false, RouteState::kBlackhole),
      route("192.168.0.0/16", RouteTargetKind::kVpnGateway, "vgw-1", true),
      route("192.168.0.0/16", RouteTargetKind::kNetworkInterface, "eni-1"),
  };
  struct Case {
    const char* dst;
    const char* target;  // nullptr: no route
  } cases[] = {
      {"10.2.3.4", "local"},   {"8.8.8.8", "nat-1"},      {"10.1.0.9", "pcx-1"},
      {"10.1.5.9", "pcx-2"},   {"192.168.1.1", "eni-1"},  // static beats propagated
  };
  for (const auto& c : cases) {
    const Route* r = select_route(rt, ip(c.dst));
    ASSERT_NE(r, nullptr) << c.dst;
    EXPECT_EQ(r->target_id, c.target) << c.dst;
  }
  EXPECT_EQ(select_route(rt, ip("10.1.5.9"))->state, RouteState::kBlackhole);
  std::vector<Route> only_local{route("10.2.0.0/16", RouteTargetKind::kLocal, "local")};
  EXPECT_EQ(select_route(only_local, ip("10.3.0.1")), nullptr);
  // IPv6-only routes never match IPv4.
  Route v6;
  v6.destination_ipv6 = "::/0";
  EXPECT_EQ(select_route({v6}, ip("1.2.3.4")), nullptr);
}

namespace {
SecurityGroupRule sg_rule(Direction d, IpProtocol p, PortRange ports, const char* peer, const char* group = "") {
  SecurityGroupRule r;
  r.direction = d;
  r.protocol = p;
  r.ports = ports;
  if (*peer) r.cidr = cidr(peer);
  r.group_id = group;
  return r;
}
Packet tcp(const char* src, const char* dst, uint16_t port) { return Packet{kTcp, ip(src), ip(dst), port}; }
}  // namespace

TEST(SecurityGroup, UnionOfGroupsAndGroupReferences) {
  std::vector<SecurityGroupRule> web{
      sg_rule(Direction::kIngress, kTcp, PortRange::single(8080), "", "sg-alb"),
      sg_rule(Direction::kIngress, kTcp, PortRange{20, 22}, "10.0.0.0/8"),
  };
  std::vector<SecurityGroupRule> mgmt{sg_rule(Direction::kIngress, kIcmp, {}, "0.0.0.0/0")};
  mgmt[0].icmp_type = 8;
  std::vector<SecurityGroupRule> all_out{sg_rule(Direction::kEgress, kAllProtocols, {}, "0.0.0.0/0")};
  // sg-alb's members: the ALB nodes.
  GroupAddressResolver members = [](const SecurityGroupRule& r) {
    IntervalSet s;
    if (r.group_id == "sg-alb") {
      s.add(ip("10.2.1.175").value, ip("10.2.1.175").value);
      s.add(ip("10.2.2.171").value, ip("10.2.2.171").value);
    }
    return s;
  };
  std::vector<NormalizedSgRule> rules;
  normalize_security_group_rules(web, "sg-web", members, rules);
  normalize_security_group_rules(mgmt, "sg-mgmt", members, rules);
  normalize_security_group_rules(all_out, "sg-web", members, rules);

  struct Case {
    Packet p;
    Direction d;
    bool allowed;
  } cases[] = {
      {tcp("10.2.1.175", "10.2.1.10", 8080), Direction::kIngress, true},
      {tcp("10.2.2.171", "10.2.1.10", 8080), Direction::kIngress, true},
      {tcp("10.2.1.176", "10.2.1.10", 8080), Direction::kIngress, false},  // not a member
      {tcp("10.2.1.175", "10.2.1.10", 8081), Direction::kIngress, false},
      {tcp("10.9.9.9", "10.2.1.10", 22), Direction::kIngress, true},
      {tcp("11.0.0.1", "10.2.1.10", 22), Direction::kIngress, false},
      {Packet{kUdp, ip("10.9.9.9"), ip("10.2.1.10"), 22}, Direction::kIngress, false},
      {Packet{kIcmp, ip("1.2.3.4"), ip("10.2.1.10"), 0, 8, 0}, Direction::kIngress, true},
      {Packet{kIcmp, ip("1.2.3.4"), ip("10.2.1.10"), 0, 0, 0}, Direction::kIngress, false},
      {tcp("10.2.1.10", "1.1.1.1", 443), Direction::kEgress, true},
  };
  for (const auto& c : cases) {
    const NormalizedSgRule* m = sg_match(rules, c.d, c.p);
    EXPECT_EQ(m != nullptr, c.allowed) << c.p.src.str() << "->" << c.p.dst.str() << ":" << c.p.dst_port;
  }
  EXPECT_EQ(sg_match(rules, Direction::kIngress, tcp("10.2.1.175", "10.2.1.10", 8080))->group_id, "sg-web");
  EXPECT_EQ(sg_allowed_ports(rules, Direction::kIngress, kTcp, ip("10.2.1.175")).str(), "20-22,8080");
  EXPECT_EQ(sg_allowed_ports(rules, Direction::kIngress, kTcp, ip("8.8.8.8")).str(), "none");
  EXPECT_TRUE(sg_allowed_ports(rules, Direction::kIngress, kIcmp, ip("8.8.8.8"), 8, 0).contains(0));
  EXPECT_FALSE(sg_allowed_ports(rules, Direction::kIngress, kIcmp, ip("8.8.8.8"), 0, 0).contains(0));
  EXPECT_EQ(sg_allowed_ports(rules, Direction::kEgress, kUdp, ip("8.8.8.8")).str(), "0-65535");
}

TEST(SecurityGroup, NoEgressRulesMeansNothingLeaves) {
  std::vector<NormalizedSgRule> rules;
  std::vector<SecurityGroupRule> in{sg_rule(Direction::kIngress, kAllProtocols, {}, "0.0.0.0/0")};
  normalize_security_group_rules(in, "sg-1", {}, rules);
  EXPECT_EQ(sg_match(rules, Direction::kEgress, tcp("10.0.0.5", "10.0.0.6", 80)), nullptr);
  // A -1 rule covers every protocol and port, even ones without ports.
  EXPECT_NE(sg_match(rules, Direction::kIngress, Packet{50, ip("1.1.1.1"), ip("10.0.0.5"), 0}), nullptr);
}

namespace {
NetworkAclEntry acl(int n, Direction d, bool allow, IpProtocol p, PortRange ports, const char* c) {
  NetworkAclEntry e;
  e.rule_number = n;
  e.direction = d;
  e.allow = allow;
  e.protocol = p;
  e.ports = ports;
  e.cidr = cidr(c);
  return e;
}
}  // namespace

TEST(NetworkAcl, FirstMatchWinsThenImplicitDeny) {
  auto in = Direction::kIngress;
  std::vector<NetworkAclEntry> entries{
      acl(90, in, false, kTcp, PortRange::single(22), "0.0.0.0/0"),
      acl(100, in, true, kTcp, PortRange{0, 1023}, "10.0.0.0/8"),
      acl(110, in, true, kTcp, PortRange{1024, 65535}, "0.0.0.0/0"),
      acl(120, in, true, kIcmp, {}, "10.0.0.0/8"),
  };
  entries[3].icmp_type = -1;
  struct Case {
    Packet p;
    int rule;  // matched entry
  } cases[] = {
      {tcp("10.1.1.1", "10.2.1.10", 22), 90},   {tcp("10.1.1.1", "10.2.1.10", 80), 100},
      {tcp("8.8.8.8", "10.2.1.10", 80), 32767}, {tcp("8.8.8.8", "10.2.1.10", 40000), 110},
      {Packet{kUdp, ip("10.1.1.1"), ip("10.2.1.10"), 53}, 32767},
      {Packet{kIcmp, ip("10.1.1.1"), ip("10.2.1.10"), 0, 8, 0}, 120},
  };
  for (const auto& c : cases) {
    const auto& e = nacl_match(entries, in, c.p);
    EXPECT_EQ(e.rule_number, c.rule) << c.p.src.str() << ":" << c.p.dst_port;
    EXPECT_EQ(e.allow, c.rule == 100 || c.rule == 110 || c.rule == 120);
  }
  // Egress entries are not consulted for ingress packets.
  EXPECT_EQ(nacl_match(entries, Direction::kEgress, tcp("10.2.1.10", "10.1.1.1", 80)).rule_number, 32767);
  EXPECT_EQ(nacl_allowed_ports(entries, in, kTcp, ip("10.1.1.1")).str(), "0-21,23-65535");
  EXPECT_EQ(nacl_allowed_ports(entries, in, kTcp, ip("8.8.8.8")).str(), "1024-65535");
  EXPECT_TRUE(nacl_allowed_ports(entries, in, kUdp, ip("10.1.1.1")).empty());
}

TEST(NetworkAcl, DenyAllBeforeAllowShadowsIt) {
  auto out = Direction::kEgress;
  std::vector<NetworkAclEntry> entries{acl(1, out, false, kAllProtocols, {}, "10.1.0.0/16"),
                                       acl(100, out, true, kAllProtocols, {}, "0.0.0.0/0")};
  EXPECT_FALSE(nacl_match(entries, out, tcp("10.2.1.10", "10.1.0.5", 80)).allow);
  EXPECT_TRUE(nacl_match(entries, out, tcp("10.2.1.10", "10.3.0.5", 80)).allow);
  EXPECT_TRUE(nacl_allowed_ports(entries, out, kTcp, ip("10.1.0.5")).empty());
}

TEST(Peering, NoTransitTable) {
  std::vector<Ipv4Cidr> a{cidr("10.1.0.0/16")}, b{cidr("10.2.0.0/16"), cidr("10.20.0.0/16")};
  struct Case {
    const char *src, *dst;
    PeeringCrossing want;
  } cases[] = {
      {"10.1.0.5", "10.2.0.5", PeeringCrossing::kAllowed},
      {"10.1.0.5", "10.20.0.5", PeeringCrossing::kAllowed},  // secondary CIDR
      {"10.1.0.5", "10.3.0.5", PeeringCrossing::kDestinationOutsidePeer},  // A -> C through B
      {"10.1.0.5", "8.8.8.8", PeeringCrossing::kDestinationOutsidePeer},  // peer's IGW/NAT
      {"10.3.0.5", "10.2.0.5", PeeringCrossing::kSourceOutsideVpc},   // C -> B through A
  };
  for (const auto& c : cases) EXPECT_EQ(peering_crossing(a, b, ip(c.src), ip(c.dst)), c.want) << c.src << c.dst;
}

TEST(Peering, OverlappingBlocksFailThePeering) {
  auto c = [](std::initializer_list<const char*> v) {
    std::vector<Ipv4Cidr> out;
    for (const char* x : v) out.push_back(*Ipv4Cidr::parse(x));
    return out;
  };
  EXPECT_FALSE(peering_cidr_overlap(c({"10.1.0.0/16"}), c({"10.2.0.0/16"})));
  auto o = peering_cidr_overlap(c({"10.1.0.0/16", "10.9.0.0/16"}), c({"10.2.0.0/16", "10.9.128.0/17"}));
  ASSERT_TRUE(o);  // a secondary block counts
  EXPECT_EQ(o->requester.str(), "10.9.0.0/16");
  EXPECT_EQ(o->accepter.str(), "10.9.128.0/17");
}

TEST(Gateways, InternetAndNat) {
  EXPECT_EQ(igw_egress(true, ip("8.8.8.8")), IgwVerdict::kAllowed);
  EXPECT_EQ(igw_egress(false, ip("8.8.8.8")), IgwVerdict::kNoPublicIp);
  EXPECT_EQ(igw_egress(true, ip("192.168.1.1")), IgwVerdict::kPrivateDestination);
  EXPECT_EQ(igw_egress(true, ip("100.64.0.1")), IgwVerdict::kPrivateDestination);  // RFC 6598
  EXPECT_EQ(igw_ingress(ip("172.16.0.1"), true), IgwVerdict::kPrivateSource);
  EXPECT_EQ(igw_ingress(ip("203.0.113.9"), false), IgwVerdict::kNoSuchPublicIp);
  EXPECT_EQ(igw_ingress(ip("203.0.113.9"), true), IgwVerdict::kAllowed);
  std::vector<Ipv4Cidr> vpc{cidr("10.2.0.0/16")};
  EXPECT_EQ(nat_gateway_accepts(vpc, ip("10.2.9.9")), NatVerdict::kAllowed);
  EXPECT_EQ(nat_gateway_accepts(vpc, ip("10.1.0.5")), NatVerdict::kSourceOutsideVpc);
}

TEST(HostedZone, MostSpecificAssociatedZoneWins) {
  std::vector<ZoneCandidate> zones{{"home", true}, {"corp.home", true}, {"x.corp.home", false}, {"other", true}};
  EXPECT_EQ(select_private_zone("alb.home", zones), 0);
  EXPECT_EQ(select_private_zone("db.corp.home", zones), 1);
  EXPECT_EQ(select_private_zone("a.x.corp.home", zones), 1);  // the more specific one is not associated
  EXPECT_EQ(select_private_zone("home", zones), 0);
  EXPECT_EQ(select_private_zone("myhome", zones), -1);  // label boundary
  EXPECT_EQ(select_private_zone("example.com", zones), -1);
}

TEST(HostedZone, FindRecordsExactCnameWildcard) {
  auto rec = [](const char* n, const char* t) {
    dns::Record r;
    r.name = n;
    r.type = t;
    return r;
  };
  std::vector<dns::Record> rs{rec("alb.home", "A"), rec("www.home", "CNAME"), rec("*.apps.home", "A"),
                              rec("txt.home", "TXT")};
  EXPECT_EQ(find_records(rs, "alb.home", "A").size(), 1u);
  EXPECT_EQ(find_records(rs, "www.home", "A")[0]->type, "CNAME");
  EXPECT_EQ(find_records(rs, "x.apps.home", "A")[0]->name, "*.apps.home");
  EXPECT_TRUE(find_records(rs, "nope.home", "A").empty());
  EXPECT_TRUE(find_records(rs, "txt.home", "A").empty());  // NODATA
}
