// VPC endpoints compiled into a lab plan (compile_endpoints.cpp) from
// examples/endpoints: the Region's service namespace holding S3's prefix-list
// entries and reached from `internet`, the gateway endpoint's link with its
// routes in the endpoint's route table only, the interface endpoint's ENIs
// serving, the manifest's bucket; Gateway Load Balancer endpoints still noted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "emulator/compile.h"
#include "semantics/vpc_endpoint.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

namespace fs = std::filesystem;
const fs::path kExample = fs::path(VPCLAB_SOURCE_DIR) / "examples/endpoints";

struct Lab {
  std::shared_ptr<const model::Network> net;
  CompiledLab c;
};

Lab compile(const fs::path& path) {
  auto res = tmpl::load_network({path.string()});
  EXPECT_TRUE(res.network);
  Lab l{res.network, {}};
  if (res.network) l.c = compile_network(*res.network);
  return l;
}

const model::Subnet* subnet(const model::Network& n, const std::string& name) {
  for (const auto& s : n.subnets)
    if (s.name == name) return &s;
  ADD_FAILURE() << "no subnet " << name;
  return nullptr;
}

// The kernel table a subnet's packets look up in its VPC router (the rule on its bridge).
std::optional<uint32_t> subnet_table(const Lab& l, const model::Subnet& s) {
  size_t k = 0;
  for (const auto* x : l.net->subnets_of(s.vpc)) {
    if (x->id == s.id) break;
    ++k;
  }
  for (const auto& r : l.c.plan.rules)
    if (r.netns == s.vpc && r.iif == "br" + std::to_string(k)) return r.table;
  return std::nullopt;
}

TEST(EndpointsCompile, TheGatewayEndpointRoutesS3IntoTheRegionsNamespaceFromItsRouteTableOnly) {
  Lab l = compile(kExample / "vpclab.yaml");
  ASSERT_TRUE(l.net);
  for (const auto& u : l.c.unsupported) {
    EXPECT_EQ(u.find("VPC endpoint"), std::string::npos) << u;
    EXPECT_EQ(u.find("VpcEndpointId"), std::string::npos) << u;
  }
  EXPECT_TRUE(l.c.plan.netns("aws-us-east-1"));
  EXPECT_TRUE(check_plan(l.c.plan).empty());
  auto pl = semantics::aws_managed_prefix_list({"us-east-1", "s3", false});
  ASSERT_TRUE(pl);
  const std::string vpc = subnet(*l.net, "bar-private-1a")->vpc;
  std::set<uint32_t> tables;
  std::set<std::string> to_endpoint, on_lo, from_internet;
  for (const auto& r : l.c.plan.routes) {
    if (r.netns == vpc && r.dev == "ve0") {
      tables.insert(r.table);
      to_endpoint.insert(r.destination.str());
    }
    if (r.netns == "internet" && r.dev == "sv0") from_internet.insert(r.destination.str());
  }
  for (const auto& a : l.c.plan.addresses)
    if (a.netns == "aws-us-east-1" && a.dev == "lo") on_lo.insert(Ipv4Cidr{a.address, a.prefix}.str());
  for (const auto& c : pl->cidrs) {
    EXPECT_TRUE(to_endpoint.count(c.str())) << c.str();
    EXPECT_TRUE(from_internet.count(c.str())) << c.str();
    bool held = false;
    for (const auto& x : on_lo) held = held || Ipv4Cidr::parse(x)->contains(c) && Ipv4Cidr::parse(x)->length == c.length;
    EXPECT_TRUE(held) << c.str();
  }
  // Only the private route table (both private subnets use it) leads to the endpoint.
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(subnet_table(l, *subnet(*l.net, "bar-private-1a")), *tables.begin());
  EXPECT_EQ(subnet_table(l, *subnet(*l.net, "bar-private-1b")), *tables.begin());
  EXPECT_NE(subnet_table(l, *subnet(*l.net, "bar-public")), *tables.begin());
  EXPECT_NE(subnet_table(l, *subnet(*l.net, "bar-isolated-1a")), *tables.begin());
  // The router lets only the VPC's own sources, TCP and ICMP, into the link.
  bool filtered = false;
  for (const auto& n : l.c.plan.nft)
    if (n.netns == vpc && n.script.find("vpclab_gateway_endpoint") != std::string::npos) {
      filtered = true;
      EXPECT_NE(n.script.find("oifname \"ve0\" ip saddr { 10.1.0.0/16 } meta l4proto { 1, 6 } accept"), std::string::npos)
          << n.script;
    }
  EXPECT_TRUE(filtered);
  ASSERT_EQ(l.c.plan.s3_buckets.size(), 1u);
  EXPECT_EQ(l.c.plan.s3_buckets[0].name, "bar-artifacts");
  EXPECT_EQ(fs::path(l.c.plan.s3_buckets[0].directory), (kExample / "s3/bar-artifacts").lexically_normal());
}

TEST(EndpointsCompile, TheInterfaceEndpointsEnisServeTheirService) {
  Lab l = compile(kExample / "vpclab.yaml");
  ASSERT_TRUE(l.net);
  const model::VpcEndpoint* sqs = nullptr;
  for (const auto& e : l.net->vpc_endpoints)
    if (e.origin.logical_id == "SqsEndpoint") sqs = &e;
  ASSERT_TRUE(sqs);
  ASSERT_EQ(sqs->network_interfaces.size(), 2u);
  for (const auto& id : sqs->network_interfaces) {
    const auto* eni = l.net->network_interface(id);
    const ServiceListenPlan* found = nullptr;
    for (const auto& s : l.c.plan.service_listen)
      if (s.netns == id) found = &s;
    ASSERT_TRUE(found) << id;
    EXPECT_EQ(found->address, eni->private_ip);
    EXPECT_EQ(found->port, 80);
    ASSERT_EQ(found->ranges.size(), 1u);
    EXPECT_EQ(found->ranges[0].service.service, "sqs");
    EXPECT_EQ(found->ranges[0].service.endpoint, sqs->id);
  }
}

TEST(EndpointsCompile, GatewayLoadBalancerEndpointsStayNoted) {
  fs::path dir = fs::path(::testing::TempDir()) / "vpce-compile-gwlb";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(kExample / "s3", dir / "s3", fs::copy_options::recursive);
  fs::copy_file(kExample / "vpclab.yaml", dir / "vpclab.yaml");
  std::ifstream in(kExample / "endpoints.yaml");
  std::string t((std::istreambuf_iterator<char>(in)), {});
  auto edit = [&](const std::string& from, const std::string& to) {
    ASSERT_NE(t.find(from), std::string::npos) << from;
    t.replace(t.find(from), from.size(), to);
  };
  edit("      NatGatewayId: !Ref BarNatGateway", "      VpcEndpointId: !Ref InspectionEndpoint");
  edit("  # ---------------------------------------------------------------- the endpoints",
       "  InspectionEndpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref BarVpc\n"
       "      VpcEndpointType: GatewayLoadBalancer\n"
       "      ServiceName: com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0\n"
       "      SubnetIds: [!Ref BarPublicSubnet]");
  std::ofstream(dir / "endpoints.yaml") << t;
  Lab l = compile(dir / "vpclab.yaml");
  ASSERT_TRUE(l.net);
  std::string notes;
  for (const auto& u : l.c.unsupported) notes += u + "\n";
  EXPECT_NE(notes.find("(GatewayLoadBalancer com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0)"), std::string::npos)
      << notes;
  EXPECT_NE(notes.find("VpcEndpointId targets are not emulated yet"), std::string::npos) << notes;
  // The gateway and interface endpoints are not among the notes.
  EXPECT_EQ(notes.find("com.amazonaws.us-east-1.s3"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("com.amazonaws.us-east-1.sqs"), std::string::npos) << notes;
}

// Two copies of bar (10.1.0.0/16 each) in one Region: one service namespace
// cannot route back to both, so the second VPC's endpoint is noted and its
// routes to it drop (S3 is not reached by a path AWS would not take).
TEST(EndpointsCompile, OverlappingVpcsWithGatewayEndpointsInOneRegionNoteTheSecond) {
  fs::path dir = fs::path(::testing::TempDir()) / "vpce-compile-overlap";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kExample / "endpoints.yaml", dir / "endpoints.yaml");
  std::ofstream(dir / "vpclab.yaml") << "stacks:\n"
                                        "  - {name: one, template: endpoints.yaml, region: us-east-1}\n"
                                        "  - {name: two, template: endpoints.yaml, region: us-east-1}\n";
  Lab l = compile(dir / "vpclab.yaml");
  ASSERT_TRUE(l.net);
  ASSERT_EQ(l.net->vpcs.size(), 2u);
  const std::string second = l.net->vpcs[1].id;
  std::string notes;
  for (const auto& u : l.c.unsupported) notes += u + "\n";
  EXPECT_NE(notes.find("gateway endpoints of VPC " + second + ": its CIDRs overlap"), std::string::npos) << notes;
  EXPECT_TRUE(check_plan(l.c.plan).empty());
  size_t linked = 0, dropped = 0;
  for (const auto& r : l.c.plan.routes) {
    if (r.netns == l.net->vpcs[0].id && r.dev == "ve0") ++linked;
    if (r.netns == second && r.destination.str() == "54.231.0.0/17" && r.type == RouteType::kBlackhole) ++dropped;
  }
  EXPECT_EQ(linked, 4u);  // S3's four prefix-list entries in the first VPC's private table
  EXPECT_EQ(dropped, 1u);
}

}  // namespace
