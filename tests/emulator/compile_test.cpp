// The model compiled into a lab: VPC routers, subnets, route tables and
// peerings carrying real packets, and the no-transit rule enforced by the
// kernel (A-B-C: A reaches B, not C).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "emulator/compile.h"
#include "emulator/lab.h"
#include "model/build.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

struct Builder {
  model::Network net;
  void vpc(const std::string& id, const char* cidr) {
    model::Vpc v;
    v.id = id;
    v.cidrs = {*Ipv4Cidr::parse(cidr)};
    v.enable_dns_hostnames = true;
    net.vpcs.push_back(v);
    model::RouteTable rt;
    rt.id = "rtb-" + id.substr(4);
    rt.vpc = id;
    net.route_tables.push_back(rt);
  }
  void subnet(const std::string& vpc, const std::string& id, const char* cidr) {
    model::Subnet s;
    s.id = id;
    s.vpc = vpc;
    s.cidr = *Ipv4Cidr::parse(cidr);
    s.availability_zone = "ap-northeast-1a";
    s.route_table = "rtb-" + vpc.substr(4);
    s.route_table_explicit = true;
    net.subnets.push_back(s);
  }
  void route(const std::string& vpc, const char* dst, const std::string& pcx) {
    for (auto& rt : net.route_tables)
      if (rt.vpc == vpc) {
        Route r;
        r.destination = *Ipv4Cidr::parse(dst);
        r.target_kind = RouteTargetKind::kVpcPeeringConnection;
        r.target_id = pcx;
        rt.routes.push_back(r);
      }
  }
  void peering(const std::string& id, const std::string& requester, const std::string& accepter) {
    model::VpcPeeringConnection p;
    p.id = id;
    p.requester.vpc = requester;
    p.accepter.vpc = accepter;
    net.peerings.push_back(p);
  }
  void instance(const std::string& id, const std::string& subnet, const char* ip, const std::string& user_data) {
    model::NetworkInterface e;
    e.id = "eni-" + id.substr(2);
    e.subnet = subnet;
    for (const auto& s : net.subnets)
      if (s.id == subnet) e.vpc = s.vpc;
    e.private_ip = *Ipv4Address::parse(ip);
    e.owner_kind = model::EniOwnerKind::kInstance;
    e.owner_id = id;
    net.network_interfaces.push_back(e);
    model::Instance i;
    i.id = id;
    i.subnet = subnet;
    i.network_interfaces = {e.id};
    i.user_data = user_data;
    net.instances.push_back(i);
  }
};

const char* kListen = "exec python3 -m http.server 8080";

// A-B-C: peerings A-B and B-C; A routes C's block to the A-B peering (as a
// user hoping for transit would). B and C listen on 8080.
model::Network abc() {
  Builder b;
  b.vpc("vpc-aaa", "10.1.0.0/16");
  b.vpc("vpc-bbb", "10.2.0.0/16");
  b.vpc("vpc-ccc", "10.3.0.0/16");
  b.subnet("vpc-aaa", "subnet-a1", "10.1.1.0/24");
  b.subnet("vpc-aaa", "subnet-a2", "10.1.2.0/24");
  b.subnet("vpc-bbb", "subnet-b1", "10.2.1.0/24");
  b.subnet("vpc-ccc", "subnet-c1", "10.3.1.0/24");
  b.peering("pcx-ab", "vpc-aaa", "vpc-bbb");
  b.peering("pcx-bc", "vpc-bbb", "vpc-ccc");
  b.route("vpc-aaa", "10.2.0.0/16", "pcx-ab");
  b.route("vpc-aaa", "10.3.0.0/16", "pcx-ab");  // transit attempt
  b.route("vpc-bbb", "10.1.0.0/16", "pcx-ab");
  b.route("vpc-bbb", "10.3.0.0/16", "pcx-bc");
  b.route("vpc-ccc", "10.2.0.0/16", "pcx-bc");
  b.route("vpc-ccc", "10.1.0.0/16", "pcx-bc");  // transit attempt back
  model::HostedZone home;  // private, associated with A only
  home.id = "Z0HOME";
  home.name = "home";
  home.vpcs = {{"vpc-aaa", ""}};
  dns::Record rec;
  rec.name = "b.home";
  rec.type = "A";
  rec.ttl = 300;
  rec.values = {"10.2.1.10"};
  home.records = {rec};
  b.net.hosted_zones.push_back(home);
  b.instance("i-a", "subnet-a1", "10.1.1.10", "");
  b.instance("i-a2", "subnet-a2", "10.1.2.10", kListen);
  b.instance("i-b", "subnet-b1", "10.2.1.10", kListen);
  b.instance("i-c", "subnet-c1", "10.3.1.10", kListen);
  model::AddressPlan plan;
  Diagnostics diags;
  bool ok = model::finalize(b.net, plan, diags);
  EXPECT_TRUE(ok);
  for (const auto& d : diags.items()) ADD_FAILURE() << d.str();
  // Default groups admit only their own members: open 8080 to all three
  // VPCs, so what these tests see is routing's doing.
  for (auto& g : b.net.security_groups) {
    SecurityGroupRule r;
    r.direction = Direction::kIngress;
    r.protocol = kTcp;
    r.ports = PortRange::single(8080);
    r.cidr = *Ipv4Cidr::parse("10.0.0.0/8");
    g.ingress.push_back(r);
  }
  return std::move(b.net);
}

TEST(CompileNetwork, RoutersBridgesTablesAndRules) {
  CompiledLab lab = compile_network(abc());
  EXPECT_TRUE(check_plan(lab.plan).empty());
  const LabPlan& p = lab.plan;
  ASSERT_NE(p.netns("vpc-aaa"), nullptr);
  EXPECT_EQ(p.netns("vpc-aaa")->role, NetnsRole::kVpcRouter);
  ASSERT_NE(p.netns("i-b"), nullptr);
  EXPECT_EQ(lab.targets.at("i-b"), "i-b");
  // Subnet bridges carry base+1; the resolver addresses sit on lo.
  auto has_addr = [&](const char* ns, const char* dev, const char* a, int len) {
    for (const auto& x : p.addresses)
      if (x.netns == ns && x.dev == dev && x.address.str() == a && x.prefix == len) return true;
    return false;
  };
  EXPECT_TRUE(has_addr("vpc-aaa", "br0", "10.1.1.1", 24));
  EXPECT_TRUE(has_addr("vpc-aaa", "br1", "10.1.2.1", 24));
  EXPECT_TRUE(has_addr("vpc-aaa", "lo", "10.1.0.2", 32));
  EXPECT_TRUE(has_addr("vpc-aaa", "lo", "169.254.169.253", 32));
  EXPECT_TRUE(has_addr("i-b", "eth0", "10.2.1.10", 24));
  // Each subnet's bridge selects its table, then a silent drop.
  int lookups = 0, drops = 0;
  for (const auto& r : p.rules)
    if (r.netns == "vpc-aaa") (r.table ? lookups : drops)++;
  EXPECT_EQ(lookups, 3);       // br0, br1, px0
  EXPECT_EQ(drops, 3);
  // The peering-ingress table holds only the VPC's own subnets.
  for (const auto& r : p.routes) {
    if (r.table == kPeeringLocalTable && r.netns == "vpc-bbb") {
      EXPECT_EQ(r.destination.str(), "10.2.1.0/24");
    }
  }
  bool forwarding = false;
  for (const auto& s : p.sysctls)
    if (s.netns == "vpc-ccc" && s.key == "net.ipv4.ip_forward" && s.value == "1") forwarding = true;
  EXPECT_TRUE(forwarding);
}

std::string capture_in(const std::string& lab, const std::string& ns, const std::string& cmd) {
  int p[2];
  if (pipe(p) != 0) return {};
  int devnull = open("/dev/null", O_RDWR);
  std::string err, out;
  lab_exec(lab, ns, {"bash", "-c", cmd}, devnull, p[1], p[1], &err);
  close(p[1]);
  close(devnull);
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  return out;
}

int run_in(const std::string& lab, const std::string& ns, const std::string& cmd) {
  int devnull = open("/dev/null", O_RDWR);
  std::string err;
  int rc = lab_exec(lab, ns, {"timeout", "1", "bash", "-c", cmd}, devnull, devnull, devnull, &err);
  close(devnull);
  return rc;
}

bool connects(const std::string& lab, const std::string& from, const char* addr, int tries) {
  for (int i = 0; i < tries; ++i) {
    if (run_in(lab, from, std::string("exec 3<>/dev/tcp/") + addr + "/8080") == 0) return true;
    if (i + 1 < tries) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

TEST(CompileNetwork, PeeringCarriesTrafficButNotTransit) {
  std::string why = namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  CompiledLab compiled = compile_network(abc());
  LabOptions o;
  o.name = "abc-" + std::to_string(getpid());
  o.die_with_parent = true;
  LabStart s = start_lab(compiled.plan, o);
  ASSERT_TRUE(s.ok) << s.error;
  // Listeners start with the lab; wait until the one in B answers.
  EXPECT_TRUE(connects(o.name, "i-a", "10.2.1.10", 25)) << "A -> B over the peering; B's UserData log:\n"
                                                        << capture_in(o.name, "i-b", "cat " + s.dir + "/logs/i-b.log");
  EXPECT_TRUE(connects(o.name, "i-a", "10.1.2.10", 10)) << "A -> A's other subnet through the router";
  EXPECT_TRUE(connects(o.name, "i-c", "10.2.1.10", 10)) << "C -> B over the peering";
  EXPECT_TRUE(connects(o.name, "i-b", "10.3.1.10", 10)) << "B -> C";
  // Transit: A's route sends C's block to the A-B peering; B must drop it.
  EXPECT_FALSE(connects(o.name, "i-a", "10.3.1.10", 1)) << "A -> B -> C transit must fail";
  EXPECT_FALSE(connects(o.name, "i-c", "10.1.2.10", 1)) << "C -> B -> A transit must fail";
  // The VPC resolver answers at base+2 and 169.254.169.253, per VPC view.
  const char* dig = "dig +time=1 +tries=2 ";
  EXPECT_EQ(capture_in(o.name, "i-a", std::string(dig) + "+short @10.1.0.2 b.home"), "10.2.1.10\n");
  EXPECT_EQ(capture_in(o.name, "i-a", std::string(dig) + "+short +tcp @169.254.169.253 b.home"), "10.2.1.10\n");
  EXPECT_EQ(capture_in(o.name, "i-a", std::string(dig) + "+short @10.1.0.2 ip-10-1-2-10.ap-northeast-1.compute.internal"),
            "10.1.2.10\n");
  std::string from_b = capture_in(o.name, "i-b", std::string(dig) + "@10.2.0.2 b.home");
  EXPECT_NE(from_b.find("status: NXDOMAIN"), std::string::npos) << "B is not associated with the zone\n" << from_b;
  // A VPC cannot use its peer's resolver.
  std::string cross = capture_in(o.name, "i-a", std::string(dig) + "@10.2.0.2 b.home");
  EXPECT_NE(cross.find("timed out"), std::string::npos) << cross;

  // Control: let B's peering-ingress table forward to A and C, and the same
  // packets go through, so the failures above are the no-transit table's.
  std::string t = std::to_string(kPeeringLocalTable);
  ASSERT_EQ(run_in(o.name, "vpc-bbb", "ip route add 10.3.0.0/16 via 169.254.128.6 dev px1 table " + t +
                                          " && ip route add 10.1.0.0/16 via 169.254.128.1 dev px0 table " + t), 0);
  EXPECT_TRUE(connects(o.name, "i-a", "10.3.1.10", 5)) << "with transit allowed by hand, A reaches C";
  // The router's resolver address answers ARP/ICMP from its subnets later;
  // here only that nothing in the lab can reach an address outside it.
  EXPECT_FALSE(connects(o.name, "i-a", "127.0.0.53", 1));
  EXPECT_TRUE(stop_lab(o.name, nullptr));
}

}  // namespace
