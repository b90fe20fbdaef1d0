// Site-to-site VPN compiled into a lab plan (compile_vpn.cpp): the office's
// namespace with its host address and DNS server, the link from the hub's
// namespace (the vpn attachment's table selected by it), the TGW's route to
// the office over it, the office's routes to what the TGW advertises; a VGW
// connection's link into the VPC router and the VPC route to the VGW split
// into the VGW's prefixes; the broken copy's TGW table dropping the office.
#include <gtest/gtest.h>

#include <optional>

#include "emulator/compile.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

std::string example(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/examples/" + rel; }

struct Lab {
  std::shared_ptr<const model::Network> net;
  CompiledLab c;
  const RoutePlan* route(const std::string& ns, const std::string& dst, std::optional<uint32_t> table = {}) const {
    for (const auto& r : c.plan.routes)
      if (r.netns == ns && r.destination.str() == dst && (!table || r.table == *table)) return &r;
    return nullptr;
  }
  std::optional<uint32_t> rule_table(const std::string& ns, const std::string& dev) const {
    for (const auto& r : c.plan.rules)
      if (r.netns == ns && r.iif == dev) return r.table;
    return std::nullopt;
  }
  bool has_namespace(const std::string& n) const {
    for (const auto& x : c.plan.namespaces)
      if (x.name == n) return true;
    return false;
  }
};

Lab compile(const std::string& path) {
  auto res = tmpl::load_network({path});
  EXPECT_TRUE(res.network);
  Lab l{res.network, {}};
  if (res.network) l.c = compile_network(*res.network);
  return l;
}

TEST(VpnCompile, OfficeIsLinkedToTheHubByItsVpnAttachment) {
  Lab l = compile(example("tgw/vpn/vpclab.yaml"));
  ASSERT_TRUE(l.net);
  ASSERT_TRUE(l.has_namespace("office"));
  EXPECT_EQ(l.c.targets.at("office"), "office");
  bool host = false, dns = false;
  for (const auto& a : l.c.plan.addresses) host = host || (a.netns == "office" && a.address.str() == "192.168.0.10");
  for (const auto& d : l.c.plan.dns_listen) dns = dns || (d.netns == "office" && d.address.str() == "192.168.0.10");
  EXPECT_TRUE(host);
  EXPECT_TRUE(dns);
  const std::string& tgw = l.net->transit_gateways.at(0).id;
  // The veth between the hub and the office.
  std::string dev;
  for (const auto& v : l.c.plan.veths)
    if (v.netns_a == "office" && v.netns_b == tgw) dev = v.name_a;
  ASSERT_FALSE(dev.empty());
  // What arrives from the office: the vpn attachment's table; the TGW routes the office over the link.
  auto t = l.rule_table(tgw, dev);
  ASSERT_TRUE(t);
  const RoutePlan* to_office = l.route(tgw, "192.168.0.0/16", *t);
  ASSERT_NE(to_office, nullptr);
  EXPECT_EQ(to_office->type, RouteType::kUnicast);
  EXPECT_EQ(to_office->dev, dev);
  // The office routes what the TGW's table advertises (foo and bar) over the link.
  for (const char* cidr : {"10.1.0.0/16", "10.2.0.0/16"}) {
    const RoutePlan* r = l.route("office", cidr);
    ASSERT_NE(r, nullptr) << cidr;
    EXPECT_EQ(r->dev, dev) << cidr;
  }
  EXPECT_EQ(l.route("office", "192.168.0.0/16"), nullptr);  // its own network is not routed away
  for (const auto& u : l.c.unsupported) EXPECT_EQ(u.find("not emulated"), std::string::npos) << u;
}

TEST(VpnCompile, StaticOnlyConnectionLeavesTheHubWithoutARouteToTheOffice) {
  Lab l = compile(example("tgw/vpn/broken/vpclab.yaml"));
  ASSERT_TRUE(l.net);
  const std::string& tgw = l.net->transit_gateways.at(0).id;
  EXPECT_EQ(l.route(tgw, "192.168.0.0/16"), nullptr);  // nothing propagates, no static route
  EXPECT_NE(l.route("office", "10.2.0.0/16"), nullptr);  // the office still sends
}

TEST(VpnCompile, VgwConnectionIsALinkIntoTheVpcRouter) {
  Lab l = compile(example("vpn/vpclab.yaml"));
  ASSERT_TRUE(l.net);
  ASSERT_TRUE(l.has_namespace("branch"));
  const std::string& vpc = l.net->vpcs.at(0).id;
  std::string dev;
  for (const auto& v : l.c.plan.veths)
    if (v.netns_a == "branch" && v.netns_b == vpc) dev = v.name_b;
  ASSERT_FALSE(dev.empty());
  EXPECT_EQ(l.rule_table(vpc, dev), std::optional<uint32_t>(kPeeringLocalTable));  // only to the VPC's subnets
  const RoutePlan* r = l.route(vpc, "172.16.0.0/16");
  ASSERT_NE(r, nullptr);  // the propagated route, to the connection's link
  EXPECT_EQ(r->type, RouteType::kUnicast);
  EXPECT_EQ(r->dev, dev);
  const RoutePlan* back = l.route("branch", "10.5.0.0/16");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->dev, dev);
}

}  // namespace
