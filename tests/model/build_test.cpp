#include "model/build.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace vpclab::model {
namespace {

Ipv4Cidr cidr(const char* s) { return *Ipv4Cidr::parse(s); }
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

SourceLoc loc(uint32_t line) { return SourceLoc{intern_file("t.yaml"), line, 1}; }

// A small network builder for tests: declares resources as a front end would.
struct Net {
  Network net;
  AddressPlan plan;
  Diagnostics diags;
  uint32_t line = 1;

  Origin origin(const std::string& logical, const std::string& account = "123456789012") {
    Origin o;
    o.account = account;
    o.region = "ap-northeast-1";
    o.stack = "s";
    o.logical_id = logical;
    o.loc = loc(line++);
    return o;
  }
  Vpc& vpc(const std::string& name, const char* block, const std::string& account = "123456789012") {
    Vpc v;
    v.origin = origin(name, account);
    v.id = make_id("vpc", {account, name});
    v.name = name;
    v.cidrs.push_back(cidr(block));
    v.cidr_locs.push_back(v.origin.loc);
    net.vpcs.push_back(v);
    return net.vpcs.back();
  }
  Subnet& subnet(const std::string& name, const std::string& vpc_id, const char* block, const char* az = "ap-northeast-1a") {
    Subnet s;
    s.origin = origin(name);
    s.id = make_id("subnet", {name});
    s.vpc = vpc_id;
    s.cidr = cidr(block);
    s.availability_zone = az;
    net.subnets.push_back(s);
    return net.subnets.back();
  }
  NetworkInterface& eni(const std::string& name, const std::string& subnet_id, const char* addr = nullptr) {
    NetworkInterface e;
    e.origin = origin(name);
    e.id = make_id("eni", {name});
    e.subnet = subnet_id;
    if (addr) e.private_ip = ip(addr);
    net.network_interfaces.push_back(e);
    return net.network_interfaces.back();
  }
  Instance& instance(const std::string& name, const std::string& subnet_id, const char* addr = nullptr) {
    auto& e = eni(name + "Eni", subnet_id, addr);
    e.owner_kind = EniOwnerKind::kInstance;
    Instance i;
    i.origin = origin(name);
    i.id = make_id("i", {name});
    e.owner_id = i.id;
    i.network_interfaces.push_back(e.id);
    net.instances.push_back(i);
    return net.instances.back();
  }
  bool finalize() { return model::finalize(net, plan, diags); }
  bool has(const std::string& code) const {
    for (const auto& d : diags.items())
      if (d.code == code) return true;
    return false;
  }
  std::string codes() const {
    std::string s;
    for (const auto& d : diags.items()) s += d.str() + "\n";
    return s;
  }
};

// --- ids -------------------------------------------------------------------

TEST(MakeId, IsDeterministicAndAwsShaped) {
  std::string a = make_id("vpc", {"123456789012", "foo", "Vpc"});
  EXPECT_EQ(a, make_id("vpc", {"123456789012", "foo", "Vpc"}));
  ASSERT_EQ(a.size(), 4 + 17u);
  EXPECT_EQ(a.substr(0, 5), "vpc-0");
  for (char c : a.substr(4)) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(c)) << a;
}

TEST(MakeId, DiffersByKeyPrefixAndPartBoundaries) {
  std::set<std::string> ids = {make_id("vpc", {"a", "bc"}), make_id("vpc", {"ab", "c"}), make_id("subnet", {"a", "bc"}),
                               make_id("vpc", {"a", "bd"})};
  EXPECT_EQ(ids.size(), 4u);
}

TEST(MakeId, NoCollisionsOverManyKeys) {
  std::set<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.insert(make_id("eni", {"stack", std::to_string(i)}));
  EXPECT_EQ(ids.size(), 20000u);
}

TEST(MakeDigits, HasRequestedLengthAndNoLeadingZero) {
  for (int i = 0; i < 200; ++i) {
    std::string d = make_digits(10, {"lb", std::to_string(i)});
    ASSERT_EQ(d.size(), 10u);
    EXPECT_NE(d[0], '0');
    for (char c : d) EXPECT_TRUE(c >= '0' && c <= '9');
  }
  EXPECT_EQ(make_digits(25, {"x"}).size(), 25u);
  EXPECT_EQ(make_hex(40, {"x"}).size(), 40u);
  EXPECT_EQ(make_hex(16, {"x"}), make_hex(16, {"x"}));
}

// --- addresses -------------------------------------------------------------

TEST(AddressPlan, SkipsTheFiveReservedAddresses) {
  Subnet s;
  s.id = "subnet-1";
  s.cidr = cidr("10.2.1.0/28");
  AddressPlan plan;
  std::vector<std::string> got;
  while (auto a = plan.allocate(s)) got.push_back(a->str());
  ASSERT_EQ(got.size(), 11u);  // 16 - 5
  EXPECT_EQ(got.front(), "10.2.1.4");
  EXPECT_EQ(got.back(), "10.2.1.14");
  EXPECT_FALSE(plan.allocate(s));
}

TEST(AddressPlan, ReservedExplicitAddressesAreSkipped) {
  Subnet s;
  s.id = "subnet-1";
  s.cidr = cidr("10.2.1.0/24");
  AddressPlan plan;
  EXPECT_TRUE(plan.reserve(s, ip("10.2.1.5")));
  EXPECT_FALSE(plan.reserve(s, ip("10.2.1.5")));    // taken
  EXPECT_FALSE(plan.reserve(s, ip("10.2.1.3")));    // reserved by AWS
  EXPECT_FALSE(plan.reserve(s, ip("10.2.1.255")));  // broadcast
  EXPECT_FALSE(plan.reserve(s, ip("10.2.2.9")));    // outside
  EXPECT_EQ(plan.allocate(s)->str(), "10.2.1.4");
  EXPECT_EQ(plan.allocate(s)->str(), "10.2.1.6");
  EXPECT_EQ(plan.used("subnet-1"), 3u);
}

TEST(AddressPlan, PublicAddressesAreDocumentationRangesAndNotPrivate) {
  AddressPlan plan;
  auto a = plan.allocate_public();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "203.0.113.1");
  EXPECT_FALSE(is_private_or_shared(*a));
  EXPECT_TRUE(plan.reserve_public(ip("203.0.113.2")) );
  EXPECT_EQ(plan.allocate_public()->str(), "203.0.113.3");
  std::optional<Ipv4Address> last;
  for (int i = 0; i < 1000; ++i) last = plan.allocate_public();
  ASSERT_TRUE(last);
  EXPECT_FALSE(is_private_or_shared(*last));
  EXPECT_TRUE(cidr("198.18.0.0/15").contains(*last));
}

TEST(Names, InstanceDnsNamesFollowTheRegion) {
  EXPECT_EQ(private_dns_name(ip("10.2.1.10"), "ap-northeast-1"), "ip-10-2-1-10.ap-northeast-1.compute.internal");
  EXPECT_EQ(private_dns_name(ip("10.2.1.10"), "us-east-1"), "ip-10-2-1-10.ec2.internal");
  EXPECT_EQ(public_dns_name(ip("203.0.113.5"), "ap-northeast-1"), "ec2-203-0-113-5.ap-northeast-1.compute.amazonaws.com");
  EXPECT_EQ(public_dns_name(ip("203.0.113.5"), "us-east-1"), "ec2-203-0-113-5.compute-1.amazonaws.com");
}

TEST(Names, ElbHostedZoneIds) {
  EXPECT_EQ(elb_canonical_hosted_zone_id("ap-northeast-1", "application"), "Z14GRHDCWA56QT");
  EXPECT_EQ(elb_canonical_hosted_zone_id("us-east-1", "application"), "Z35SXDOTRQ7X7K");
  EXPECT_EQ(elb_canonical_hosted_zone_id("ap-northeast-1", "network"), "Z31USIVHYNEOWT");
  EXPECT_EQ(elb_canonical_hosted_zone_id("xx-nowhere-1", "application"), "");
}

TEST(Names, LoadBalancerNames) {
  LoadBalancer lb;
  lb.name = "foo-internal-alb";
  lb.internal = true;
  assign_load_balancer_names(lb, "123456789012", "ap-northeast-1");
  EXPECT_EQ(lb.arn.rfind("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/foo-internal-alb/", 0), 0u);
  EXPECT_EQ(lb.full_name.rfind("app/foo-internal-alb/", 0), 0u);
  EXPECT_EQ(lb.full_name.size(), std::string("app/foo-internal-alb/").size() + 16);
  // internal-NAME-<10 digits>.REGION.elb.amazonaws.com
  const std::string prefix = "internal-foo-internal-alb-";
  ASSERT_EQ(lb.dns_name.rfind(prefix, 0), 0u) << lb.dns_name;
  std::string digits = lb.dns_name.substr(prefix.size(), 10);
  for (char c : digits) EXPECT_TRUE(c >= '0' && c <= '9') << lb.dns_name;
  EXPECT_EQ(lb.dns_name.substr(prefix.size() + 10), ".ap-northeast-1.elb.amazonaws.com");
  EXPECT_EQ(lb.canonical_hosted_zone_id, "Z14GRHDCWA56QT");
  LoadBalancer again = lb;
  again.arn.clear(), again.dns_name.clear(), again.full_name.clear();
  assign_load_balancer_names(again, "123456789012", "ap-northeast-1");
  EXPECT_EQ(again.dns_name, lb.dns_name);
  EXPECT_EQ(again.arn, lb.arn);
}

// --- implicit resources ----------------------------------------------------

TEST(Finalize, AddsMainRouteTableDefaultSgAndDefaultNacl) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  n.net.vpcs.back().cidrs.push_back(cidr("10.3.0.0/16"));
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  ASSERT_TRUE(n.finalize()) << n.codes();
  const Vpc* v = n.net.vpc(vid);
  ASSERT_TRUE(v);
  const RouteTable* main = n.net.route_table(v->main_route_table);
  ASSERT_TRUE(main);
  EXPECT_TRUE(main->main);
  ASSERT_EQ(main->routes.size(), 2u);  // one local route per CIDR block
  EXPECT_EQ(main->routes[0].target_id, "local");
  EXPECT_EQ(main->routes[0].destination->str(), "10.2.0.0/16");
  EXPECT_EQ(main->routes[1].destination->str(), "10.3.0.0/16");
  const SecurityGroup* sg = n.net.security_group(v->default_security_group);
  ASSERT_TRUE(sg);
  EXPECT_TRUE(sg->is_default);
  EXPECT_EQ(sg->group_name, "default");
  ASSERT_EQ(sg->ingress.size(), 1u);
  EXPECT_EQ(sg->ingress[0].group_id, sg->id);  // self reference
  ASSERT_EQ(sg->egress.size(), 1u);
  EXPECT_EQ(sg->egress[0].cidr->str(), "0.0.0.0/0");
  EXPECT_EQ(sg->egress[0].protocol, kAllProtocols);
  const NetworkAcl* acl = n.net.network_acl(v->default_network_acl);
  ASSERT_TRUE(acl);
  for (const auto* entries : {&acl->ingress, &acl->egress}) {
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].rule_number, 100);
    EXPECT_TRUE((*entries)[0].allow);
    EXPECT_EQ((*entries)[1].rule_number, 32767);
    EXPECT_FALSE((*entries)[1].allow);
  }
  const Subnet* s = n.net.subnet(sid);
  EXPECT_EQ(s->route_table, v->main_route_table);
  EXPECT_FALSE(s->route_table_explicit);
  EXPECT_EQ(s->network_acl, v->default_network_acl);
  ASSERT_EQ(n.net.accounts.size(), 1u);
  EXPECT_EQ(n.net.accounts[0].id, "123456789012");
}

TEST(Finalize, ImplicitIdsAreDeterministic) {
  auto build = [] {
    Net n;
    auto vid = n.vpc("Foo", "10.2.0.0/16").id;
    n.subnet("A", vid, "10.2.1.0/24");
    n.instance("Web", n.net.subnets.back().id);
    EXPECT_TRUE(n.finalize());
    return n.net;
  };
  Network a = build(), b = build();
  EXPECT_EQ(a.vpcs[0].main_route_table, b.vpcs[0].main_route_table);
  EXPECT_EQ(a.vpcs[0].default_security_group, b.vpcs[0].default_security_group);
  EXPECT_EQ(a.instances[0].private_ip, b.instances[0].private_ip);
  EXPECT_EQ(a.vpcs[0].main_route_table.substr(0, 4), "rtb-");
  EXPECT_EQ(a.vpcs[0].default_network_acl.substr(0, 4), "acl-");
}

TEST(Finalize, CustomNaclGetsFinalDenyAndSortedEntries) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  NetworkAcl a;
  a.id = "acl-custom";
  a.origin = n.origin("Acl");
  a.vpc = vid;
  for (int num : {200, 100}) {
    NetworkAclEntry e;
    e.rule_number = num;
    e.allow = true;
    e.loc = loc(50);
    a.ingress.push_back(e);
  }
  n.net.network_acls.push_back(a);
  ASSERT_TRUE(n.finalize()) << n.codes();
  const NetworkAcl* acl = n.net.network_acl("acl-custom");
  ASSERT_EQ(acl->ingress.size(), 3u);
  EXPECT_EQ(acl->ingress[0].rule_number, 100);
  EXPECT_EQ(acl->ingress[1].rule_number, 200);
  EXPECT_EQ(acl->ingress[2].rule_number, 32767);
  ASSERT_EQ(acl->egress.size(), 1u);  // a custom NACL denies everything
  EXPECT_FALSE(acl->egress[0].allow);
}

// --- addresses in finalize -------------------------------------------------

TEST(Finalize, ExplicitAddressesAreReservedBeforeAllocation) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  n.instance("Auto", sid);               // declared first, no address
  n.instance("Fixed", sid, "10.2.1.4");  // explicit: the lowest free one
  ASSERT_TRUE(n.finalize()) << n.codes();
  EXPECT_EQ(n.net.instances[1].private_ip.str(), "10.2.1.4");
  EXPECT_EQ(n.net.instances[0].private_ip.str(), "10.2.1.5");
  EXPECT_EQ(n.net.instances[0].private_dns_name, "ip-10-2-1-5.ap-northeast-1.compute.internal");
  EXPECT_EQ(n.net.interface_by_private_ip(vid, ip("10.2.1.4"))->owner_id, n.net.instances[1].id);
}

struct AddressCase {
  const char* address;
  const char* code;
};

class ExplicitAddress : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ExplicitAddress, IsRejected) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  n.instance("Other", sid, "10.2.1.10");
  n.instance("Bad", sid, GetParam().address);
  EXPECT_FALSE(n.finalize());
  EXPECT_TRUE(n.has(GetParam().code)) << n.codes();
  // Reported at the instance's interface declaration.
  for (const auto& d : n.diags.items()) {
    if (d.code == GetParam().code) {
      EXPECT_EQ(d.loc.line, n.net.network_interfaces[1].origin.loc.line);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ExplicitAddress,
                         ::testing::Values(AddressCase{"10.2.2.10", "ENI_ADDRESS_OUTSIDE_SUBNET"},
                                           AddressCase{"10.2.1.0", "ENI_ADDRESS_RESERVED"},
                                           AddressCase{"10.2.1.1", "ENI_ADDRESS_RESERVED"},
                                           AddressCase{"10.2.1.2", "ENI_ADDRESS_RESERVED"},
                                           AddressCase{"10.2.1.3", "ENI_ADDRESS_RESERVED"},
                                           AddressCase{"10.2.1.255", "ENI_ADDRESS_RESERVED"},
                                           AddressCase{"10.2.1.10", "ENI_ADDRESS_IN_USE"}));

TEST(Finalize, SubnetFull) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/28").id;
  for (int i = 0; i < 12; ++i) n.instance(std::string("I").append(std::to_string(i)), sid);
  EXPECT_FALSE(n.finalize());
  EXPECT_TRUE(n.has("SUBNET_FULL"));
}

TEST(Finalize, PublicDnsNameOnlyWithDnsHostnames) {
  for (bool hostnames : {false, true}) {
    Net n;
    auto& v = n.vpc("Foo", "10.2.0.0/16");
    v.enable_dns_hostnames = hostnames;
    auto vid = v.id;
    auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
    n.instance("Web", sid);
    n.net.network_interfaces.back().public_ip = n.plan.allocate_public();
    ASSERT_TRUE(n.finalize()) << n.codes();
    const auto& i = n.net.instances[0];
    ASSERT_TRUE(i.public_ip);
    EXPECT_EQ(i.public_dns_name.empty(), !hostnames);
    if (hostnames) {
      EXPECT_EQ(i.public_dns_name, "ec2-203-0-113-1.ap-northeast-1.compute.amazonaws.com");
    }
  }
}

TEST(Finalize, ElasticIpReplacesPublicIp) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  n.instance("Web", sid);
  n.net.network_interfaces.back().public_ip = n.plan.allocate_public();
  ElasticIp eip;
  eip.allocation_id = "eipalloc-1";
  eip.origin = n.origin("Eip");
  eip.public_ip = *n.plan.allocate_public();
  eip.network_interface = n.net.network_interfaces.back().id;
  n.net.elastic_ips.push_back(eip);
  ASSERT_TRUE(n.finalize()) << n.codes();
  EXPECT_EQ(n.net.instances[0].public_ip->str(), "203.0.113.2");
  EXPECT_TRUE(n.net.interface_by_public_ip(ip("203.0.113.2")));
}

// --- VPC and subnet validation --------------------------------------------

struct CidrCase {
  const char* vpc;
  const char* subnet;
  const char* code;  // nullptr: valid
};

class CidrValidation : public ::testing::TestWithParam<CidrCase> {};

TEST_P(CidrValidation, ReportsCode) {
  Net n;
  auto vid = n.vpc("Foo", GetParam().vpc).id;
  if (GetParam().subnet) n.subnet("A", vid, GetParam().subnet);
  bool ok = n.finalize();
  if (!GetParam().code) {
    EXPECT_TRUE(ok) << n.codes();
  } else {
    EXPECT_FALSE(ok);
    EXPECT_TRUE(n.has(GetParam().code)) << n.codes();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CidrValidation,
                         ::testing::Values(CidrCase{"10.0.0.0/16", "10.0.0.0/28", nullptr},
                                           CidrCase{"10.0.0.0/28", nullptr, nullptr},
                                           CidrCase{"10.0.0.0/15", nullptr, "VPC_CIDR_SIZE"},
                                           CidrCase{"10.0.0.0/29", nullptr, "VPC_CIDR_SIZE"},
                                           CidrCase{"10.0.0.0/16", "10.0.0.0/29", "SUBNET_CIDR_SIZE"},
                                           CidrCase{"10.0.0.0/16", "10.1.0.0/24", "SUBNET_OUTSIDE_VPC"},
                                           CidrCase{"10.0.0.0/24", "10.0.0.0/23", "SUBNET_OUTSIDE_VPC"}));

TEST(Finalize, OverlappingSubnetsReportedAtTheLaterOne) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  n.subnet("A", vid, "10.2.0.0/20");
  n.subnet("B", vid, "10.2.16.0/24");
  n.subnet("C", vid, "10.2.3.0/24");  // inside A
  EXPECT_FALSE(n.finalize());
  int count = 0;
  for (const auto& d : n.diags.items())
    if (d.code == "SUBNET_OVERLAP") {
      ++count;
      EXPECT_EQ(d.loc.line, n.net.subnets[2].origin.loc.line);
    }
  EXPECT_EQ(count, 1);
}

TEST(Finalize, SubnetsInDifferentVpcsMayShareCidrs) {
  Net n;
  auto a = n.vpc("A", "10.2.0.0/16").id;
  auto b = n.vpc("B", "10.2.0.0/16").id;
  n.subnet("SA", a, "10.2.1.0/24");
  n.subnet("SB", b, "10.2.1.0/24");
  EXPECT_TRUE(n.finalize()) << n.codes();
}

TEST(Finalize, SecondaryCidrOverlap) {
  Net n;
  auto& v = n.vpc("Foo", "10.2.0.0/16");
  v.cidrs.push_back(cidr("10.2.128.0/17"));
  v.cidr_locs.push_back(loc(99));
  EXPECT_FALSE(n.finalize());
  ASSERT_TRUE(n.has("VPC_CIDR_OVERLAP"));
  for (const auto& d : n.diags.items()) {
    if (d.code == "VPC_CIDR_OVERLAP") {
      EXPECT_EQ(d.loc.line, 99u);
    }
  }
}

TEST(Finalize, SubnetInSecondaryCidrIsFine) {
  Net n;
  auto& v = n.vpc("Foo", "10.2.0.0/16");
  v.cidrs.push_back(cidr("100.64.0.0/16"));
  auto vid = v.id;
  n.subnet("A", vid, "100.64.1.0/24");
  EXPECT_TRUE(n.finalize()) << n.codes();
}

TEST(Finalize, UnknownReferences) {
  Net n;
  n.subnet("A", "vpc-nope", "10.2.1.0/24");
  EXPECT_FALSE(n.finalize());
  EXPECT_TRUE(n.has("SUBNET_UNKNOWN_VPC"));
}

// --- routes -------------------------------------------------------------------

struct RouteFixture {
  Net n;
  std::string vid, sid, rtb, igw;
  RouteFixture() {
    vid = n.vpc("Foo", "10.2.0.0/16").id;
    sid = n.subnet("A", vid, "10.2.1.0/24").id;
    RouteTable t;
    t.id = rtb = "rtb-custom";
    t.origin = n.origin("Rt");
    t.vpc = vid;
    n.net.route_tables.push_back(t);
    n.net.subnets.back().route_table = rtb;
    InternetGateway g;
    g.id = igw = "igw-1";
    g.origin = n.origin("Igw");
    n.net.internet_gateways.push_back(g);
  }
  Route& add(const char* dest, RouteTargetKind kind, const std::string& target) {
    Route r;
    r.destination = cidr(dest);
    r.target_kind = kind;
    r.target_id = target;
    r.loc = loc(n.line++);
    n.net.route_tables[0].routes.push_back(r);
    return n.net.route_tables[0].routes.back();
  }
  const RouteTable* table() const { return n.net.route_table(rtb); }
};

TEST(Routes, LocalFirstThenDeclared_IgwActiveWhenAttached) {
  RouteFixture f;
  f.n.net.internet_gateways[0].vpc = f.vid;
  f.add("0.0.0.0/0", RouteTargetKind::kInternetGateway, f.igw);
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  const auto* t = f.table();
  ASSERT_EQ(t->routes.size(), 2u);
  EXPECT_EQ(t->routes[0].target_kind, RouteTargetKind::kLocal);
  EXPECT_EQ(t->routes[1].state, RouteState::kActive);
  EXPECT_EQ(f.n.net.vpc(f.vid)->internet_gateway, f.igw);
  EXPECT_TRUE(f.n.net.subnet(f.sid)->route_table_explicit);
  EXPECT_EQ(f.n.net.subnet(f.sid)->route_table, f.rtb);
}

TEST(Routes, UnattachedIgwIsBlackhole) {
  RouteFixture f;
  f.add("0.0.0.0/0", RouteTargetKind::kInternetGateway, f.igw);
  EXPECT_TRUE(f.n.finalize());  // a warning, not an error
  EXPECT_TRUE(f.n.has("ROUTE_TARGET_NOT_ATTACHED"));
  EXPECT_EQ(f.table()->routes[1].state, RouteState::kBlackhole);
}

TEST(Routes, BlackholeFromTheFrontEndStaysBlackhole) {
  // A snapshot says blackhole (e.g. the IGW was detached and reattached, or
  // AWS says so): finalize must not turn it active even though the IGW is attached.
  RouteFixture f;
  f.n.net.internet_gateways[0].vpc = f.vid;
  f.add("0.0.0.0/0", RouteTargetKind::kInternetGateway, f.igw).state = RouteState::kBlackhole;
  f.add("192.0.2.0/24", RouteTargetKind::kInternetGateway, f.igw);  // a template route: derived
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  ASSERT_EQ(f.table()->routes.size(), 3u);
  EXPECT_EQ(f.table()->routes[1].state, RouteState::kBlackhole);
  EXPECT_EQ(f.table()->routes[2].state, RouteState::kActive);
}

TEST(Routes, MissingTargetIsBlackhole) {
  RouteFixture f;
  f.add("0.0.0.0/0", RouteTargetKind::kNatGateway, "nat-gone");
  EXPECT_TRUE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ROUTE_TARGET_UNKNOWN"));
  EXPECT_EQ(f.table()->routes[1].state, RouteState::kBlackhole);
}

TEST(Routes, DuplicateDestination) {
  RouteFixture f;
  f.n.net.internet_gateways[0].vpc = f.vid;
  f.add("0.0.0.0/0", RouteTargetKind::kInternetGateway, f.igw);
  f.add("0.0.0.0/0", RouteTargetKind::kInternetGateway, f.igw);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ROUTE_DUPLICATE_DESTINATION"));
}

TEST(Routes, SameAsLocalIsDuplicate) {
  RouteFixture f;
  f.n.net.internet_gateways[0].vpc = f.vid;
  f.add("10.2.0.0/16", RouteTargetKind::kInternetGateway, f.igw);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ROUTE_DUPLICATE_DESTINATION"));
}

TEST(Routes, MoreSpecificThanLocal) {
  RouteFixture f;
  f.n.net.internet_gateways[0].vpc = f.vid;
  f.add("10.2.5.0/24", RouteTargetKind::kInternetGateway, f.igw);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ROUTE_MORE_SPECIFIC_THAN_LOCAL"));
}

TEST(Routes, WholeSubnetToEniIsAllowed) {
  RouteFixture f;
  auto& e = f.n.eni("Appliance", f.sid);
  std::string eni = e.id;
  f.n.subnet("B", f.vid, "10.2.2.0/24");
  f.add("10.2.2.0/24", RouteTargetKind::kNetworkInterface, eni);
  EXPECT_TRUE(f.n.finalize()) << f.n.codes();
}

TEST(Routes, TargetInAnotherVpc) {
  RouteFixture f;
  auto other = f.n.vpc("Other", "10.9.0.0/16").id;
  f.n.net.internet_gateways[0].vpc = other;
  f.add("0.0.0.0/0", RouteTargetKind::kInternetGateway, f.igw);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ROUTE_TARGET_OTHER_VPC"));
}

// --- peering ----------------------------------------------------------------

struct PeeringFixture {
  Net n;
  std::string bar, foo;
  PeeringFixture(const char* bar_cidr = "10.1.0.0/16", const std::string& foo_account = "123456789012") {
    bar = n.vpc("Bar", bar_cidr).id;
    foo = n.vpc("Foo", "10.2.0.0/16", foo_account).id;
  }
  VpcPeeringConnection& peer(const std::string& a, const std::string& b, const std::string& peer_owner = {}) {
    VpcPeeringConnection p;
    p.id = make_id("pcx", {a, b, std::to_string(n.net.peerings.size())});
    p.origin = n.origin("Pcx");
    p.requester.vpc = a;
    p.accepter.vpc = b;
    p.accepter.account = peer_owner;
    n.net.peerings.push_back(p);
    return n.net.peerings.back();
  }
};

TEST(Peering, SameAccountIsActive) {
  PeeringFixture f;
  f.peer(f.bar, f.foo);
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  EXPECT_EQ(f.n.net.peerings[0].state, PeeringState::kActive);
  EXPECT_EQ(f.n.net.peerings[0].accepter.account, "123456789012");
}

TEST(Peering, CrossAccountPendingUntilAccepted) {
  for (bool accepted : {false, true}) {
    PeeringFixture f("10.1.0.0/16", "210987654321");
    f.peer(f.bar, f.foo, "210987654321").accepted = accepted;
    EXPECT_TRUE(f.n.finalize()) << f.n.codes();
    EXPECT_EQ(f.n.net.peerings[0].state, accepted ? PeeringState::kActive : PeeringState::kPendingAcceptance);
    EXPECT_EQ(f.n.has("PCX_PENDING_ACCEPTANCE"), !accepted);
    ASSERT_EQ(f.n.net.accounts.size(), 2u);
  }
}

TEST(Peering, OverlapFails) {
  PeeringFixture f("10.2.128.0/17");
  f.peer(f.bar, f.foo);
  f.n.finalize();
  EXPECT_EQ(f.n.net.peerings[0].state, PeeringState::kFailed);
  EXPECT_TRUE(f.n.has("PCX_CIDR_OVERLAP"));
  EXPECT_NE(f.n.net.peerings[0].state_reason.find("overlapping"), std::string::npos);
}

TEST(Peering, OverlapOfSecondaryBlockFails) {
  PeeringFixture f;
  f.n.net.vpcs[0].cidrs.push_back(cidr("10.2.0.0/24"));
  f.peer(f.bar, f.foo);
  f.n.finalize();
  EXPECT_EQ(f.n.net.peerings[0].state, PeeringState::kFailed);
}

TEST(Peering, DuplicatePairIsAnErrorEitherDirection) {
  PeeringFixture f;
  f.peer(f.bar, f.foo);
  f.peer(f.foo, f.bar);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("PCX_DUPLICATE"));
}

TEST(Peering, RouteToPendingPeeringIsBlackhole) {
  PeeringFixture f("10.1.0.0/16", "210987654321");
  std::string pcx = f.peer(f.bar, f.foo, "210987654321").id;
  RouteTable t;
  t.id = "rtb-bar";
  t.origin = f.n.origin("BarRt");
  t.vpc = f.bar;
  Route r;
  r.destination = cidr("10.2.0.0/16");
  r.target_kind = RouteTargetKind::kVpcPeeringConnection;
  r.target_id = pcx;
  t.routes.push_back(r);
  f.n.net.route_tables.push_back(t);
  f.n.finalize();
  EXPECT_EQ(f.n.net.route_table("rtb-bar")->routes.back().state, RouteState::kBlackhole);
  EXPECT_TRUE(f.n.has("ROUTE_TARGET_NOT_ACTIVE"));
}

TEST(Peering, SnapshotStateIsKept) {
  PeeringFixture f;
  auto& p = f.peer(f.bar, f.foo);
  p.state = PeeringState::kRejected;
  p.state_from_input = true;
  f.n.finalize();
  EXPECT_EQ(f.n.net.peerings[0].state, PeeringState::kRejected);
}

// --- security groups and NACLs ------------------------------------------------

TEST(SecurityGroups, UnknownReferenceIsAnError) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  SecurityGroup g;
  g.id = "sg-web";
  g.origin = n.origin("WebSg");
  g.vpc = vid;
  SecurityGroupRule r;
  r.protocol = kTcp;
  r.ports = PortRange::single(8080);
  r.group_id = "sg-missing";
  r.loc = loc(77);
  g.ingress.push_back(r);
  n.net.security_groups.push_back(g);
  EXPECT_FALSE(n.finalize());
  ASSERT_TRUE(n.has("SG_UNKNOWN_REFERENCE"));
  EXPECT_EQ(n.diags.items()[0].loc.line, 77u);
}

TEST(SecurityGroups, InstanceWithoutGroupsGetsTheDefault) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  n.instance("Web", sid);
  ASSERT_TRUE(n.finalize());
  ASSERT_EQ(n.net.network_interfaces[0].security_groups.size(), 1u);
  EXPECT_EQ(n.net.network_interfaces[0].security_groups[0], n.net.vpcs[0].default_security_group);
}

TEST(SecurityGroups, GroupOfAnotherVpcOnAnInterface) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto other = n.vpc("Bar", "10.1.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  SecurityGroup g;
  g.id = "sg-bar";
  g.origin = n.origin("BarSg");
  g.vpc = other;
  n.net.security_groups.push_back(g);
  n.instance("Web", sid);
  n.net.network_interfaces.back().security_groups = {"sg-bar"};
  EXPECT_FALSE(n.finalize());
  EXPECT_TRUE(n.has("ENI_SG_OTHER_VPC"));
}

TEST(Quotas, RuleCountsAboveDefaultQuotasWarn) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  SecurityGroup g;
  g.id = "sg-big";
  g.origin = n.origin("Big");
  g.vpc = vid;
  NetworkAcl a;
  a.id = "acl-big";
  a.origin = n.origin("BigAcl");
  a.vpc = vid;
  for (int i = 0; i < 61; ++i) {
    SecurityGroupRule r;
    r.protocol = kTcp;
    r.ports = PortRange::single(static_cast<uint16_t>(1000 + i));
    r.cidr = Ipv4Cidr{};
    g.ingress.push_back(r);
    NetworkAclEntry e;
    e.rule_number = 100 + i;
    e.allow = true;
    e.cidr = Ipv4Cidr{};
    if (i < 21) a.ingress.push_back(e);
  }
  n.net.security_groups.push_back(g);
  n.net.network_acls.push_back(a);
  EXPECT_TRUE(n.finalize()) << n.codes();  // quotas can be raised: warnings
  EXPECT_TRUE(n.has("SG_RULE_LIMIT"));
  EXPECT_TRUE(n.has("NACL_RULE_LIMIT"));
}

class NaclNumbers : public ::testing::TestWithParam<std::pair<std::vector<int>, const char*>> {};

TEST_P(NaclNumbers, Validate) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  NetworkAcl a;
  a.id = "acl-x";
  a.origin = n.origin("Acl");
  a.vpc = vid;
  for (int num : GetParam().first) {
    NetworkAclEntry e;
    e.rule_number = num;
    e.allow = true;
    a.egress.push_back(e);
  }
  n.net.network_acls.push_back(a);
  bool ok = n.finalize();
  if (GetParam().second) {
    EXPECT_FALSE(ok);
    EXPECT_TRUE(n.has(GetParam().second)) << n.codes();
  } else {
    EXPECT_TRUE(ok) << n.codes();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, NaclNumbers,
                         ::testing::Values(std::make_pair(std::vector<int>{1, 32766}, nullptr),
                                           std::make_pair(std::vector<int>{0}, "NACL_RULE_NUMBER"),
                                           std::make_pair(std::vector<int>{32768}, "NACL_RULE_NUMBER"),
                                           std::make_pair(std::vector<int>{100, 100}, "NACL_DUPLICATE_RULE")));

// --- load balancers ---------------------------------------------------------------

struct AlbFixture {
  Net n;
  std::string vid, a, c, tg_arn;
  AlbFixture() {
    vid = n.vpc("Foo", "10.2.0.0/16").id;
    a = n.subnet("PrivA", vid, "10.2.1.0/24", "ap-northeast-1a").id;
    c = n.subnet("PrivC", vid, "10.2.2.0/24", "ap-northeast-1c").id;
  }
  LoadBalancer& alb(std::vector<std::string> subnets, bool internal = true) {
    LoadBalancer lb;
    lb.origin = n.origin("Alb");
    lb.name = "foo-internal-alb";
    lb.internal = internal;
    lb.subnets = std::move(subnets);
    n.net.load_balancers.push_back(lb);
    return n.net.load_balancers.back();
  }
  TargetGroup& tg() {
    TargetGroup t;
    t.origin = n.origin("Tg");
    t.name = "web";
    t.vpc = vid;
    t.port = 8080;
    assign_target_group_names(t, "123456789012", "ap-northeast-1");
    tg_arn = t.arn;
    n.net.target_groups.push_back(t);
    return n.net.target_groups.back();
  }
  Listener& listener(uint16_t port) {
    Listener l;
    l.origin = n.origin("Listener");
    l.arn = "arn:listener/" + std::to_string(port) + "/" + std::to_string(n.net.listeners.size());
    l.load_balancer = n.net.load_balancers.at(0).arn;
    l.port = port;
    alb::Action fwd;
    fwd.target_groups.push_back({tg_arn, 1});
    l.default_rule.actions.push_back(fwd);
    n.net.listeners.push_back(l);
    return n.net.listeners.back();
  }
};

TEST(LoadBalancers, OneNodePerSubnetWithPrivateAddresses) {
  AlbFixture f;
  auto& lb = f.alb({f.a, f.c});
  assign_load_balancer_names(lb, "123456789012", "ap-northeast-1");
  f.tg();
  f.listener(80);
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  const auto& out = f.n.net.load_balancers[0];
  ASSERT_EQ(out.nodes.size(), 2u);
  EXPECT_TRUE(cidr("10.2.1.0/24").contains(out.nodes[0].private_ip));
  EXPECT_TRUE(cidr("10.2.2.0/24").contains(out.nodes[1].private_ip));
  EXPECT_EQ(out.nodes[0].private_ip.str(), "10.2.1.4");
  EXPECT_EQ(out.nodes[0].availability_zone, "ap-northeast-1a");
  EXPECT_FALSE(out.nodes[0].public_ip);
  EXPECT_EQ(out.vpc, f.vid);
  EXPECT_EQ(out.dns_name.rfind("internal-foo-internal-alb-", 0), 0u);
  const NetworkInterface* e = f.n.net.network_interface(out.nodes[1].network_interface);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->owner_kind, EniOwnerKind::kLoadBalancer);
  EXPECT_EQ(e->owner_id, out.arn);
  ASSERT_EQ(f.n.net.target_groups[0].load_balancers.size(), 1u);
  EXPECT_EQ(f.n.net.target_groups[0].load_balancers[0], out.arn);
}

TEST(LoadBalancers, NlbNodesWithoutGroupsGetNoDefaultGroup) {
  AlbFixture f;
  auto& nlb = f.alb({f.a});
  nlb.type = "network";
  nlb.name = "foo-nlb";
  assign_load_balancer_names(nlb, "123456789012", "ap-northeast-1");
  auto& alb = f.alb({f.a, f.c});
  alb.name = "foo-alb";
  alb.origin.logical_id = "Alb2";
  assign_load_balancer_names(alb, "123456789012", "ap-northeast-1");
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  const auto& lbs = f.n.net.load_balancers;
  const NetworkInterface* ne = f.n.net.network_interface(lbs[0].nodes.at(0).network_interface);
  const NetworkInterface* ae = f.n.net.network_interface(lbs[1].nodes.at(1).network_interface);
  ASSERT_TRUE(ne && ae);
  EXPECT_TRUE(ne->security_groups.empty());  // an NLB without groups filters nothing
  ASSERT_EQ(ae->security_groups.size(), 1u);  // an ALB falls back to the default group
  EXPECT_EQ(ae->security_groups[0], f.n.net.vpc(f.vid)->default_security_group);
}

TEST(LoadBalancers, InternetFacingNeedsAnInternetGateway) {
  AlbFixture f;
  f.alb({f.a, f.c}, false);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("LB_VPC_NO_INTERNET_GATEWAY")) << f.n.codes();
}

TEST(LoadBalancers, InternetFacingNodesGetPublicAddresses) {
  AlbFixture f;
  InternetGateway igw;
  igw.id = "igw-1";
  igw.vpc = f.vid;
  f.n.net.internet_gateways.push_back(igw);
  auto& lb = f.alb({f.a, f.c}, false);
  assign_load_balancer_names(lb, "123456789012", "ap-northeast-1");
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  const auto& out = f.n.net.load_balancers[0];
  ASSERT_TRUE(out.nodes[0].public_ip && out.nodes[1].public_ip);
  EXPECT_NE(*out.nodes[0].public_ip, *out.nodes[1].public_ip);
  EXPECT_FALSE(is_private_or_shared(*out.nodes[0].public_ip));
  EXPECT_EQ(out.dns_name.rfind("foo-internal-alb-", 0), 0u);
}

TEST(LoadBalancers, NeedsTwoAvailabilityZones) {
  AlbFixture f;
  f.alb({f.a});
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("LB_AZ_COUNT"));
}

TEST(LoadBalancers, TwoSubnetsInOneZone) {
  AlbFixture f;
  auto a2 = f.n.subnet("PrivA2", f.vid, "10.2.3.0/24", "ap-northeast-1a").id;
  f.alb({f.a, a2, f.c});
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("LB_SUBNET_SAME_AZ"));
}

TEST(LoadBalancers, SubnetSmallerThanSlash27) {
  AlbFixture f;
  auto small = f.n.subnet("Small", f.vid, "10.2.3.0/28", "ap-northeast-1d").id;
  f.alb({f.a, small});
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("LB_SUBNET_SIZE"));
}

TEST(LoadBalancers, SubnetWithoutEightFreeAddresses) {
  AlbFixture f;
  auto small = f.n.subnet("Small", f.vid, "10.2.3.0/27", "ap-northeast-1d").id;  // 27 usable
  for (int i = 0; i < 21; ++i) f.n.instance(std::string("I").append(std::to_string(i)), small);
  f.alb({f.a, small});
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("LB_SUBNET_FREE_ADDRESSES")) << f.n.codes();
}

TEST(LoadBalancers, SlashTwentySevenWithRoomIsFine) {
  AlbFixture f;
  auto small = f.n.subnet("Small", f.vid, "10.2.3.0/27", "ap-northeast-1d").id;
  for (int i = 0; i < 19; ++i) f.n.instance(std::string("I").append(std::to_string(i)), small);
  f.alb({f.a, small});
  EXPECT_TRUE(f.n.finalize()) << f.n.codes();
}

TEST(LoadBalancers, InvalidName) {
  for (const char* name : {"internal-x", "-x", "x-", "a_b", "012345678901234567890123456789012"}) {
    AlbFixture f;
    f.alb({f.a, f.c}).name = name;
    EXPECT_FALSE(f.n.finalize()) << name;
    EXPECT_TRUE(f.n.has("LB_NAME")) << name;
  }
}

TEST(Listeners, DuplicatePort) {
  AlbFixture f;
  assign_load_balancer_names(f.alb({f.a, f.c}), "123456789012", "ap-northeast-1");
  f.tg();
  f.listener(80);
  f.listener(80);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("LISTENER_DUPLICATE_PORT"));
}

TEST(Listeners, RulePrioritiesSortedValidatedAndUnique) {
  for (auto [priorities, code] : std::vector<std::pair<std::vector<int>, const char*>>{
           {{20, 10, 50000}, nullptr}, {{0}, "RULE_PRIORITY"}, {{50001}, "RULE_PRIORITY"}, {{5, 5}, "RULE_DUPLICATE_PRIORITY"}}) {
    AlbFixture f;
    assign_load_balancer_names(f.alb({f.a, f.c}), "123456789012", "ap-northeast-1");
    f.tg();
    auto& l = f.listener(80);
    for (int p : priorities) {
      alb::ListenerRule r;
      r.priority = p;
      r.actions = l.default_rule.actions;
      l.rules.push_back(r);
    }
    bool ok = f.n.finalize();
    if (!code) {
      EXPECT_TRUE(ok) << f.n.codes();
      EXPECT_EQ(f.n.net.listeners[0].rules[0].priority, 10);
      EXPECT_EQ(f.n.net.listeners[0].rules[2].priority, 50000);
    } else {
      EXPECT_FALSE(ok);
      EXPECT_TRUE(f.n.has(code)) << f.n.codes();
    }
  }
}

TEST(Listeners, ForwardToUnknownTargetGroupAndBadWeight) {
  AlbFixture f;
  assign_load_balancer_names(f.alb({f.a, f.c}), "123456789012", "ap-northeast-1");
  f.tg();
  auto& l = f.listener(80);
  l.default_rule.actions[0].target_groups.push_back({"arn:nope", 1000});
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ACTION_UNKNOWN_TG"));
  EXPECT_TRUE(f.n.has("ACTION_WEIGHT"));
}

TEST(Listeners, TerminalActionMustBeLast) {
  AlbFixture f;
  assign_load_balancer_names(f.alb({f.a, f.c}), "123456789012", "ap-northeast-1");
  f.tg();
  auto& l = f.listener(80);
  alb::Action fixed;
  fixed.type = alb::ActionType::kFixedResponse;
  fixed.order = 2;
  l.default_rule.actions[0].order = 1;
  l.default_rule.actions.push_back(fixed);
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("ACTION_TERMINAL"));
}

TEST(TargetGroups, PortHealthCheckAndTargets) {
  AlbFixture f;
  auto& t = f.tg();
  t.port = 0;
  t.health_check.interval_seconds = 4;
  t.targets.push_back({"i-missing", std::nullopt, "", loc(300)});
  EXPECT_FALSE(f.n.finalize());
  EXPECT_TRUE(f.n.has("TG_PORT"));
  EXPECT_TRUE(f.n.has("TG_HEALTH_CHECK"));
  EXPECT_TRUE(f.n.has("TG_UNKNOWN_TARGET"));
}

TEST(TargetGroups, InstanceTargetsGetTheirZone) {
  AlbFixture f;
  auto iid = f.n.instance("Web1", f.c).id;
  f.tg().targets.push_back({iid, std::nullopt, "", loc(300)});
  ASSERT_TRUE(f.n.finalize()) << f.n.codes();
  EXPECT_EQ(f.n.net.target_groups[0].targets[0].availability_zone, "ap-northeast-1c");
  EXPECT_EQ(f.n.net.target_groups[0].full_name.rfind("targetgroup/web/", 0), 0u);
}

TEST(HostedZones, RecordOutsideZone) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  HostedZone z;
  z.id = "Z123";
  z.origin = n.origin("Zone");
  z.name = "Home.";
  z.vpcs.push_back({vid, ""});
  dns::Record ok, bad;
  ok.name = "alb.home.";
  ok.type = "A";
  bad.name = "alb.example.com";
  bad.type = "A";
  bad.loc = loc(400);
  z.records = {ok, bad};
  n.net.hosted_zones.push_back(z);
  EXPECT_FALSE(n.finalize());
  EXPECT_TRUE(n.has("RECORD_OUTSIDE_ZONE"));
  EXPECT_EQ(n.net.hosted_zones[0].name, "home");
  EXPECT_TRUE(n.net.hosted_zones[0].is_private);
  EXPECT_EQ(n.net.hosted_zones[0].records[0].name, "alb.home");
}

// --- scale -------------------------------------------------------------------------

TEST(Finalize, ThousandVpcsInWellUnderASecond) {
  Net n;
  for (int i = 0; i < 1000; ++i) {
    std::string name = std::string("V").append(std::to_string(i));
    std::string block = "10." + std::to_string(i % 250) + ".0.0/16";
    auto vid = n.vpc(name, block.c_str()).id;
    for (int s = 0; s < 4; ++s) {
      std::string sb = "10." + std::to_string(i % 250) + "." + std::to_string(s) + ".0/24";
      auto sid = n.subnet(name + std::string("S").append(std::to_string(s)), vid, sb.c_str(), s % 2 ? "ap-northeast-1c" : "ap-northeast-1a").id;
      n.instance(name + std::string("I").append(std::to_string(s)), sid);
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  bool ok = n.finalize();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(ok) << n.codes().substr(0, 500);
  EXPECT_EQ(n.net.route_tables.size(), 1000u);
  EXPECT_LT(ms, 1500.0);  // ~50 ms idle; generous for a loaded machine
}

}  // namespace
}  // namespace vpclab::model

namespace vpclab::model {
namespace {

// --- effective state decided once (issue 10 items 3, 4) --------------------

TEST(Effective, NatGatewayInterfaceHasNoGroupsEvenWhenDeclaredElsewhere) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("Pub", vid, "10.2.0.0/24").id;
  // A front end that declared the gateway's interface itself (as a snapshot
  // does), without saying who owns it.
  auto& e = n.eni("NatEni", sid, "10.2.0.9");
  e.security_groups = {n.net.vpcs[0].default_security_group};
  std::string eni = e.id;
  NatGateway g;
  g.id = "nat-0123456789abcdef0";
  g.origin = n.origin("Nat");
  g.subnet = sid;
  g.network_interface = eni;
  g.is_public = false;
  n.net.nat_gateways.push_back(g);
  ASSERT_TRUE(n.finalize()) << n.codes();
  const NetworkInterface* out = n.net.network_interface(eni);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->owner_kind, EniOwnerKind::kNatGateway);
  EXPECT_EQ(out->owner_id, g.id);
  EXPECT_TRUE(out->security_groups.empty()) << "a NAT gateway is never filtered by a security group";
}

TEST(Effective, StandaloneInterfaceWithoutGroupsGetsTheDefault) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto sid = n.subnet("A", vid, "10.2.1.0/24").id;
  n.eni("Appliance", sid);
  ASSERT_TRUE(n.finalize()) << n.codes();
  EXPECT_EQ(n.net.network_interfaces[0].security_groups,
            std::vector<std::string>{n.net.vpcs[0].default_security_group});
}

TEST(Effective, AlbWithoutGroupsWearsTheDefaultOnTheBalancerAndItsNodes) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  auto a = n.subnet("A", vid, "10.2.1.0/24", "ap-northeast-1a").id;
  auto c = n.subnet("C", vid, "10.2.2.0/24", "ap-northeast-1c").id;
  LoadBalancer lb;
  lb.origin = n.origin("Alb");
  lb.name = "alb";
  lb.internal = true;
  lb.subnets = {a, c};
  n.net.load_balancers.push_back(lb);
  ASSERT_TRUE(n.finalize()) << n.codes();
  const auto& out = n.net.load_balancers[0];
  const std::vector<std::string> def{n.net.vpcs[0].default_security_group};
  EXPECT_EQ(out.security_groups, def);
  for (const auto& node : out.nodes) EXPECT_EQ(n.net.network_interface(node.network_interface)->security_groups, def);
}

TEST(Effective, SubnetAssociationsAreSetEvenWhenItsCidrIsRejected) {
  Net n;
  auto vid = n.vpc("Foo", "10.2.0.0/16").id;
  n.subnet("TooSmall", vid, "10.2.1.0/29");
  n.subnet("Outside", vid, "10.9.1.0/24");
  EXPECT_FALSE(n.finalize());
  ASSERT_TRUE(n.has("SUBNET_CIDR_SIZE"));
  ASSERT_TRUE(n.has("SUBNET_OUTSIDE_VPC"));
  for (const auto& s : n.net.subnets) {
    EXPECT_EQ(s.route_table, n.net.vpcs[0].main_route_table) << s.id;
    EXPECT_FALSE(s.route_table_explicit) << s.id;
    EXPECT_EQ(s.network_acl, n.net.vpcs[0].default_network_acl) << s.id;
  }
}

TEST(Effective, NaclFinalDenyIsTheSemanticsEntry) {
  Net n;
  n.vpc("Foo", "10.2.0.0/16");
  ASSERT_TRUE(n.finalize()) << n.codes();
  const NetworkAcl* acl = n.net.network_acl(n.net.vpcs[0].default_network_acl);
  ASSERT_TRUE(acl);
  for (const auto* entries : {&acl->ingress, &acl->egress}) {
    ASSERT_FALSE(entries->empty());
    const auto& last = entries->back();
    EXPECT_EQ(last.rule_number, 32767);  // "*" as the console shows it
    EXPECT_FALSE(last.allow);
    ASSERT_TRUE(last.cidr);
    EXPECT_EQ(last.cidr->length, 0);
  }
}

// --- overlapping peering: a template cannot deploy it, a snapshot shows it --

TEST(Peering, OverlapDeclaredInAStackIsAnError) {
  Net n;
  auto bar = n.vpc("Bar", "10.1.0.0/16").id;
  auto& foo = n.vpc("Foo", "10.2.0.0/16");
  foo.cidrs.push_back(cidr("10.1.128.0/17"));  // an AWS::EC2::VPCCidrBlock
  std::string foo_id = foo.id;
  VpcPeeringConnection p;
  p.id = make_id("pcx", {"bar-foo"});
  p.origin = n.origin("Pcx");
  p.requester.vpc = bar;
  p.accepter.vpc = foo_id;
  n.net.peerings.push_back(p);
  EXPECT_FALSE(n.finalize()) << "CloudFormation fails the peering and rolls the stack back";
  bool error = false;
  for (const auto& d : n.diags.items())
    if (d.code == "PCX_CIDR_OVERLAP") {
      error = d.severity == Severity::kError;
      EXPECT_EQ(d.loc.line, n.net.peerings[0].origin.loc.line);
      EXPECT_NE(d.message.find("10.1.128.0/17"), std::string::npos) << d.message;
    }
  EXPECT_TRUE(error) << n.codes();
  EXPECT_EQ(n.net.peerings[0].state, PeeringState::kFailed);
}

TEST(Peering, FailedOverlapReadFromASnapshotIsAState) {
  Net n;
  auto bar = n.vpc("Bar", "10.1.0.0/16").id;
  auto foo = n.vpc("Foo", "10.1.0.0/16").id;
  VpcPeeringConnection p;
  p.id = "pcx-0123456789abcdef0";
  p.origin.loc = loc(99);  // a snapshot: no stack
  p.requester.vpc = bar;
  p.accepter.vpc = foo;
  p.state = PeeringState::kFailed;
  p.state_reason = "Overlapping CIDR";
  p.state_from_input = true;
  n.net.peerings.push_back(p);
  EXPECT_FALSE(n.has("PCX_CIDR_OVERLAP"));
  n.finalize();
  EXPECT_FALSE(n.has("PCX_CIDR_OVERLAP")) << n.codes();
  EXPECT_EQ(n.net.peerings[0].state, PeeringState::kFailed);
  EXPECT_EQ(n.net.peerings[0].state_reason, "Overlapping CIDR");
}

}  // namespace
}  // namespace vpclab::model
