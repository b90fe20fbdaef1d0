// Internet gateways, the internet namespace, NAT gateways, sshd and
// --publish as compiled into a lab plan (no namespaces needed): what `up`
// will build for tests/e2e/data/gateways/gateways.yaml and hand-made edge cases.
#include <gtest/gtest.h>

#include <algorithm>

#include "emulator/compile.h"
#include "emulator/gateways.h"
#include "emulator/publish.h"
#include "emulator/ssh.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

const std::string kTemplate = std::string(VPCLAB_SOURCE_DIR) + "/tests/e2e/data/gateways/gateways.yaml";

struct Lab {
  std::shared_ptr<const model::Network> net;
  CompiledLab c;
  const model::Instance& instance(const std::string& name) const {
    for (const auto& i : net->instances)
      if (i.name == name) return i;
    throw std::runtime_error("no instance " + name);
  }
  const model::RouteTable& table_of_subnet_of(const std::string& name) const {
    return *net->route_table(net->subnet(instance(name).subnet)->route_table);
  }
  uint32_t kernel_table(const model::RouteTable& rt) const {
    for (size_t i = 0; i < net->route_tables.size(); ++i)
      if (net->route_tables[i].id == rt.id) return kFirstRouteTable + static_cast<uint32_t>(i);
    return 0;
  }
  const RoutePlan* route(const std::string& ns, uint32_t table, const char* dst) const {
    for (const auto& r : c.plan.routes)
      if (r.netns == ns && r.table == table && r.destination.str() == dst) return &r;
    return nullptr;
  }
  std::string nft(const std::string& ns, const std::string& what_prefix) const {
    for (const auto& n : c.plan.nft)
      if (n.netns == ns && n.what.rfind(what_prefix, 0) == 0) return n.script;
    return "";
  }
  const ProcessPlan* process(const std::string& name) const {
    for (const auto& p : c.plan.processes)
      if (p.name == name) return &p;
    return nullptr;
  }
};

Lab load() {
  auto loaded = tmpl::load_network({kTemplate});
  EXPECT_TRUE(loaded.network) << "gateways.yaml does not load";
  EXPECT_FALSE(loaded.diags.has_errors());
  Lab lab{loaded.network, {}};
  lab.c = compile_network(*lab.net);
  return lab;
}

TEST(Gateways, TheInternetIsANamespaceBehindEachAttachedIgw) {
  Lab lab = load();
  EXPECT_TRUE(check_plan(lab.c.plan).empty());
  const NetnsPlan* inet = lab.c.plan.netns("internet");
  ASSERT_TRUE(inet);
  EXPECT_EQ(inet->role, NetnsRole::kInternet);
  EXPECT_EQ(lab.c.targets.at("internet"), "internet");
  const std::string vpc = lab.net->vpcs.at(0).id;
  auto veth = std::find_if(lab.c.plan.veths.begin(), lab.c.plan.veths.end(),
                           [](const VethPlan& v) { return v.netns_b == "internet"; });
  ASSERT_NE(veth, lab.c.plan.veths.end());
  EXPECT_EQ(veth->netns_a, vpc);
  EXPECT_EQ(veth->name_a, "ig0");
  // The public subnet's table sends the internet to the IGW veth.
  const RoutePlan* r = lab.route(vpc, lab.kernel_table(lab.table_of_subnet_of("web")), "0.0.0.0/0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->dev, "ig0");
  ASSERT_TRUE(r->via);
  EXPECT_EQ(*r->via, igw_internet_address(0));
  // No internet route in the isolated subnet's table.
  EXPECT_FALSE(lab.route(vpc, lab.kernel_table(lab.table_of_subnet_of("isolated")), "0.0.0.0/0"));
  // What the IGW delivers looks up the VPC's own subnets only.
  bool from_igw = false;
  for (const auto& rule : lab.c.plan.rules)
    if (rule.netns == vpc && rule.iif == "ig0" && rule.table == kPeeringLocalTable) from_igw = true;
  EXPECT_TRUE(from_igw);
  // IGWs and NAT gateways are no longer "not emulated".
  for (const auto& u : lab.c.unsupported) {
    EXPECT_EQ(u.find("internet gateway"), std::string::npos) << u;
    EXPECT_EQ(u.find("NAT gateway"), std::string::npos) << u;
    EXPECT_EQ(u.find("NatGatewayId"), std::string::npos) << u;
    EXPECT_EQ(u.find("GatewayId"), std::string::npos) << u;
  }
}

TEST(Gateways, InternetRoutesOnlyPublicIpsBackToTheirVpc) {
  Lab lab = load();
  size_t n = 0;
  for (const auto& r : lab.c.plan.routes) {
    if (r.netns != "internet") continue;
    EXPECT_FALSE(is_private_or_shared(r.destination.base)) << r.destination.str();
    // AWS's side of the Region (S3's and DynamoDB's prefix lists, compile_endpoints.cpp): public ranges.
    if (r.dev.rfind("sv", 0) == 0) continue;
    ++n;
    // Never a default route: nothing leads out of the lab, private space is unreachable.
    EXPECT_EQ(r.destination.length, 32) << r.destination.str();
    EXPECT_FALSE(is_private_or_shared(r.destination.base)) << r.destination.str();
    EXPECT_EQ(r.dev, "ig0");
  }
  // web, bastion, isolated, the NAT gateway's EIP, the internet-facing ALB's two nodes.
  EXPECT_EQ(n, 6u);
  for (const auto& node : lab.net->load_balancers.at(0).nodes) {
    ASSERT_TRUE(node.public_ip);
    EXPECT_TRUE(lab.route("internet", 254, (node.public_ip->str() + "/32").c_str()));
  }
  EXPECT_TRUE(lab.route("internet", 254, (lab.instance("web").public_ip->str() + "/32").c_str()));
  EXPECT_FALSE(lab.instance("app").public_ip);
}

TEST(Gateways, RouterDoesOneToOneNatForPublicIpsOnly) {
  Lab lab = load();
  const std::string vpc = lab.net->vpcs.at(0).id;
  std::string nft = lab.nft(vpc, "internet gateway");
  ASSERT_FALSE(nft.empty());
  const auto& web = lab.instance("web");
  EXPECT_NE(nft.find(web.public_ip->str() + " : " + web.private_ip.str()), std::string::npos) << nft;
  EXPECT_NE(nft.find(web.private_ip.str() + " : " + web.public_ip->str()), std::string::npos) << nft;
  const auto& nat = lab.net->nat_gateways.at(0);
  ASSERT_TRUE(nat.public_ip);
  EXPECT_NE(nft.find(nat.private_ip.str() + " : " + nat.public_ip->str()), std::string::npos) << nft;
  // The private instance has no public IP: nothing maps it, its packets are dropped at the IGW.
  EXPECT_EQ(nft.find(lab.instance("app").private_ip.str()), std::string::npos) << nft;
  EXPECT_NE(nft.find("oifname \"ig0\" drop"), std::string::npos) << nft;
}

TEST(Gateways, NatGatewayForwardsAndTranslatesFromItsVpcOnly) {
  Lab lab = load();
  const auto& nat = lab.net->nat_gateways.at(0);
  const std::string ns = nat.network_interface;
  ASSERT_TRUE(lab.c.plan.netns(ns));
  bool forwards = false;
  for (const auto& s : lab.c.plan.sysctls)
    if (s.netns == ns && s.key == "net.ipv4.ip_forward" && s.value == "1") forwards = true;
  EXPECT_TRUE(forwards);
  std::string nft = lab.nft(ns, "NAT gateway");
  EXPECT_NE(nft.find("ip saddr { 10.2.0.0/16 }"), std::string::npos) << nft;
  EXPECT_NE(nft.find("meta l4proto { 1, 6, 17 }"), std::string::npos) << nft;
  EXPECT_NE(nft.find("snat to " + nat.private_ip.str() + ":1024-65535"), std::string::npos) << nft;
  EXPECT_NE(nft.find("policy drop"), std::string::npos) << nft;
  // The private table routes the internet via the NAT gateway, on the NAT's subnet bridge.
  const std::string vpc = lab.net->vpcs.at(0).id;
  const RoutePlan* r = lab.route(vpc, lab.kernel_table(lab.table_of_subnet_of("app")), "0.0.0.0/0");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->via);
  EXPECT_EQ(*r->via, nat.private_ip);
  const RoutePlan* to_public = lab.route(vpc, lab.kernel_table(lab.table_of_subnet_of("app")),
                                         lab.net->subnet(nat.subnet)->cidr.str().c_str());
  ASSERT_TRUE(to_public);
  EXPECT_EQ(r->dev, to_public->dev);
}

TEST(Gateways, PublicDnsAndAHostOnTheInternet) {
  Lab lab = load();
  Ipv4Address host = internet_host_address(*lab.net);
  EXPECT_EQ(host.str(), "192.0.2.254");
  bool on_lo = false, dns = false;
  for (const auto& a : lab.c.plan.addresses)
    if (a.netns == "internet" && a.dev == "lo" && a.address == host) on_lo = true;
  for (const auto& l : lab.c.plan.dns_listen)
    if (l.netns == "internet" && l.address == host && l.view == "public" && l.port == 53) dns = true;
  EXPECT_TRUE(on_lo);
  EXPECT_TRUE(dns);
  const NetnsPlan* inet = lab.c.plan.netns("internet");
  auto rc = std::find_if(inet->etc_files.begin(), inet->etc_files.end(), [](auto& f) { return f.first == "resolv.conf"; });
  ASSERT_NE(rc, inet->etc_files.end());
  EXPECT_NE(rc->second.find("nameserver 192.0.2.254"), std::string::npos);
}

TEST(Gateways, InternetHostAvoidsAddressesTheLabUses) {
  model::Network net;
  EXPECT_EQ(internet_host_address(net).str(), "192.0.2.254");
  model::ElasticIp e;
  e.public_ip = *Ipv4Address::parse("192.0.2.254");
  net.elastic_ips.push_back(e);
  EXPECT_EQ(internet_host_address(net).str(), "192.0.2.253");
  for (uint32_t k = 1; k < 254; ++k) {
    e.public_ip = Ipv4Address{Ipv4Address::parse("192.0.2.254")->value - k};
    net.elastic_ips.push_back(e);
  }
  EXPECT_EQ(internet_host_address(net).str(), "198.19.255.254");
}

TEST(Gateways, InstancesWithAKeyNameRunSshdAsEc2User) {
  Lab lab = load();
  const auto& bastion = lab.instance("bastion");
  const ProcessPlan* sshd = lab.process(bastion.id + "/sshd");
  ASSERT_TRUE(sshd);
  EXPECT_EQ(sshd->netns, bastion.id);
  EXPECT_NE(sshd->argv.back().find("/usr/sbin/sshd -D"), std::string::npos);
  EXPECT_NE(sshd->argv.back().find("keys/lab-key"), std::string::npos);
  EXPECT_NE(sshd->argv.back().find("AllowUsers=ec2-user"), std::string::npos);
  EXPECT_FALSE(lab.process(lab.instance("web").id + "/sshd"));  // no KeyName, no sshd
  const NetnsPlan* ns = lab.c.plan.netns(bastion.id);
  auto pw = std::find_if(ns->etc_files.begin(), ns->etc_files.end(), [](auto& f) { return f.first == "passwd"; });
  ASSERT_NE(pw, ns->etc_files.end());
  EXPECT_NE(pw->second.find("\nec2-user:x:1000:1000:"), std::string::npos);
  EXPECT_NE(pw->second.find("\nsshd:x:"), std::string::npos);
  // ssh from the internet finds the lab's key also for jump hosts (-J).
  const NetnsPlan* inet = lab.c.plan.netns("internet");
  auto cfg = std::find_if(inet->etc_files.begin(), inet->etc_files.end(), [](auto& f) { return f.first == "ssh/ssh_config"; });
  ASSERT_NE(cfg, inet->etc_files.end());
  EXPECT_NE(cfg->second.find(std::string("IdentityFile ") + kLabDirToken + "/keys/lab-key"), std::string::npos);
}

TEST(Gateways, KeyFileNames) {
  EXPECT_EQ(key_file_name("lab-key"), "lab-key");
  EXPECT_EQ(key_file_name("my key/../x"), "my_key_.._x");
  EXPECT_EQ(key_file_name(".hidden"), "_hidden");
  EXPECT_EQ(key_file_name(""), "_");
}

TEST(Gateways, RoutesToGatewaysOfAnotherVpcOrToUnemulatedTargets) {
  Lab lab = load();
  model::Network net = *lab.net;
  // A second VPC routes to the first VPC's IGW (AWS: blackhole) and to a VPN gateway.
  model::Vpc v;
  v.id = "vpc-0other";
  v.cidrs = {*Ipv4Cidr::parse("10.9.0.0/16")};
  net.vpcs.push_back(v);
  model::RouteTable rt;
  rt.id = "rtb-0other";
  rt.vpc = v.id;
  Route igw;
  igw.destination = *Ipv4Cidr::parse("0.0.0.0/0");
  igw.target_kind = RouteTargetKind::kInternetGateway;
  igw.target_id = net.internet_gateways.at(0).id;
  Route vgw;
  vgw.destination = *Ipv4Cidr::parse("172.16.0.0/12");
  vgw.target_kind = RouteTargetKind::kVpnGateway;
  vgw.target_id = "vgw-0123";
  rt.routes = {igw, vgw};
  net.route_tables.push_back(rt);
  net.index();
  CompiledLab c = compile_network(net);
  uint32_t t = kFirstRouteTable + static_cast<uint32_t>(net.route_tables.size() - 1);
  bool blackholed = false;
  for (const auto& r : c.plan.routes)
    if (r.netns == v.id && r.table == t && r.destination.str() == "0.0.0.0/0") blackholed = r.type == RouteType::kBlackhole;
  EXPECT_TRUE(blackholed);
  bool vpn_noted = false;
  for (const auto& u : c.unsupported) vpn_noted = vpn_noted || u.find("vgw-0123") != std::string::npos;
  EXPECT_TRUE(vpn_noted);
}

TEST(Gateways, RoutesToAnInstanceGoViaItsPrivateIpAndHonourTheSourceDestCheck) {
  Lab lab = load();
  for (bool check : {true, false}) {
    model::Network net = *lab.net;
    const model::Instance* web = nullptr;
    for (const auto& i : net.instances)
      if (i.name == "web") web = &i;
    ASSERT_TRUE(web);
    for (auto& e : net.network_interfaces)
      if (e.id == web->network_interfaces.at(0)) e.source_dest_check = check;
    // The isolated subnet's table: the internet via the web instance (a NAT instance).
    const std::string isolated_rt = lab.table_of_subnet_of("isolated").id;
    for (auto& rt : net.route_tables)
      if (rt.id == isolated_rt) {
        Route r;
        r.destination = *Ipv4Cidr::parse("0.0.0.0/0");
        r.target_kind = RouteTargetKind::kInstance;
        r.target_id = web->id;
        rt.routes.push_back(r);
      }
    net.index();
    CompiledLab c = compile_network(net);
    Lab l2{lab.net, c};
    const RoutePlan* r = l2.route(net.vpcs.at(0).id, lab.kernel_table(lab.table_of_subnet_of("isolated")), "0.0.0.0/0");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->via);
    EXPECT_EQ(*r->via, web->private_ip);
    const RoutePlan* to_public = l2.route(net.vpcs.at(0).id, lab.kernel_table(lab.table_of_subnet_of("isolated")),
                                          net.subnet(web->subnet)->cidr.str().c_str());
    ASSERT_TRUE(to_public);
    EXPECT_EQ(r->dev, to_public->dev);
    // With the check on, AWS drops what the instance would forward.
    EXPECT_EQ(!l2.nft(web->id, "source/destination check").empty(), check);
    for (const auto& u : c.unsupported) EXPECT_EQ(u.find(web->id), std::string::npos) << u;
  }
}

TEST(Gateways, PublishSpecs) {
  Lab lab = load();
  struct Case {
    const char* spec;
    bool ok;
    const char* error_part;
  };
  const Case cases[] = {
      {"8080=web:80", true, ""},
      {"8080=Web:80", true, ""},                 // logical id
      {"8080=203.0.113.77:8000", true, ""},     // any public IP
      {"8080=app:80", false, "no public IP"},    // private instance
      {"8080=nosuch:80", false, "no public IP, instance or load balancer"},
      {"web:80", false, "HOSTPORT=TARGET:PORT"},
      {"8080=web", false, "HOSTPORT=TARGET:PORT"},
      {"0=web:80", false, "1-65535"},
      {"8080=web:70000", false, "1-65535"},
      {"x=web:80", false, "1-65535"},
  };
  for (const auto& k : cases) {
    std::string err;
    auto p = publish_plan(*lab.net, k.spec, &err);
    EXPECT_EQ(p.has_value(), k.ok) << k.spec << ": " << err;
    if (!k.ok) {
      EXPECT_NE(err.find(k.error_part), std::string::npos) << k.spec << ": " << err;
    }
  }
  std::string err;
  auto p = publish_plan(*lab.net, "8080=web:80", &err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host_port, 8080);
  EXPECT_EQ(p->port, 80);
  EXPECT_EQ(p->netns, "internet");
  ASSERT_EQ(p->targets.size(), 1u);
  EXPECT_EQ(p->targets[0], *lab.instance("web").public_ip);
}

}  // namespace
