// VPC endpoints on the scenario's VPC bar (examples/endpoints/): bar-app
// reaches S3 through the gateway endpoint (the prefix-list route beats the
// 0.0.0.0/0 NAT route for S3's addresses), through the NAT gateway first when
// the endpoint is on the public route table, SQS through the interface endpoint's
// network interfaces that private DNS answers, blocked by their security
// group when it does not admit bar; a gateway endpoint carries TCP and ICMP
// only.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "analysis/analyzer.h"
#include "analysis/lint.h"
#include "example_variants.h"
#include "semantics/route.h"
#include "semantics/vpc_endpoint.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::analysis::testing::diags_text;
namespace fs = std::filesystem;

namespace {

const fs::path kExample = fs::path(VPCLAB_SOURCE_DIR) / "examples/endpoints";

// The lab (vpclab.yaml, endpoints.yaml) with `from` replaced by `to` in the template; its manifest.
std::string variant(const std::string& name, const std::string& from, const std::string& to) {
  fs::path dir = fs::path(::testing::TempDir()) / ("vpce-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kExample / "vpclab.yaml", dir / "vpclab.yaml");
  fs::copy_file(kExample / "endpoints.yaml", dir / "endpoints.yaml");
  fs::copy(kExample / "s3", dir / "s3", fs::copy_options::recursive);  // the manifest's s3: bucket
  return vpclab::analysis::testing::variant(dir, "vpce-edited-" + name, {{"endpoints.yaml", from, to}});
}

std::string hops(const TraceResult& r) {
  std::string s;
  for (const auto& h : r.dns) s += "dns " + h.check + " " + h.matched + "\n";
  for (const auto& p : r.paths)
    for (const auto& h : p.hops) s += h.leg + " " + h.component + " " + h.id + " " + h.matched + "\n";
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations) s += e.code + ": " + e.message + "\n";
  return s;
}

bool has_hop(const TraceResult& r, const std::string& component, const std::string& id = "") {
  for (const auto& p : r.paths)
    for (const auto& h : p.hops)
      if (h.component == component && (id.empty() || h.id == id)) return true;
  return false;
}

const model::VpcEndpoint& endpoint(const model::Network& n, const std::string& logical_id) {
  for (const auto& e : n.vpc_endpoints)
    if (e.origin.logical_id == logical_id) return e;
  ADD_FAILURE() << "no endpoint " << logical_id;
  static model::VpcEndpoint none;
  return none;
}

struct Loaded {
  tmpl::LoadResult l;
  std::unique_ptr<Analyzer> a;
};
Loaded load(const std::string& path) {
  Loaded x{tmpl::load_network({path}), nullptr};
  EXPECT_TRUE(x.l.network) << diags_text(x.l.diags);
  if (x.l.network) x.a = std::make_unique<Analyzer>(*x.l.network);
  return x;
}

}  // namespace

TEST(VpcEndpoints, S3ThroughTheGatewayEndpointNotTheNatGateway) {
  auto x = load((kExample / "vpclab.yaml").string());
  ASSERT_TRUE(x.a);
  EXPECT_EQ(x.l.diags.count(Severity::kError) + x.l.diags.count(Severity::kWarning), 0u) << diags_text(x.l.diags);
  Diagnostics lints;
  lint(*x.l.network, lints);
  EXPECT_EQ(lints.items().size(), 0u) << diags_text(lints);
  const auto& net = *x.l.network;
  const auto& s3 = endpoint(net, "S3Endpoint");
  const auto* pl = net.prefix_list(s3.prefix_list);
  ASSERT_NE(pl, nullptr);
  EXPECT_EQ(pl->name, "com.amazonaws.us-east-1.s3");
  // The public name answers the representative address of the list (its first entry's base + 10).
  std::vector<Ipv4Cidr> cidrs;
  for (const auto& e : pl->entries) cidrs.push_back(*e.cidr);
  std::string s3_address = semantics::service_public_address(cidrs).str();
  auto r = x.a->trace("bar-app", "https://s3.us-east-1.amazonaws.com/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << hops(r);
  EXPECT_EQ(r.addresses, std::vector<std::string>{s3_address}) << hops(r);
  EXPECT_EQ(r.flow, "tcp/443");
  EXPECT_TRUE(has_hop(r, "vpc-endpoint", s3.id)) << hops(r);
  EXPECT_FALSE(has_hop(r, "nat-gateway")) << hops(r);
  // The route chosen is the prefix-list route (its /15 or /17 beats 0.0.0.0/0 -> nat-).
  bool via_list = false;
  for (const auto& h : r.paths.at(0).hops)
    if (h.component == "route-table" && h.leg == "request") via_list = h.matched.rfind(pl->id, 0) == 0;
  EXPECT_TRUE(via_list) << hops(r);
  // The reply comes back through the endpoint to bar-app.
  bool back = false;
  for (const auto& h : r.paths.at(0).hops) back |= h.component == "vpc-endpoint" && h.leg == "reply" && h.allowed;
  EXPECT_TRUE(back) << hops(r);
  // bar-app's table: S3's addresses to the endpoint, any other public address to the NAT gateway.
  const auto* app = net.subnet(net.instances.at(0).subnet);
  const auto* rtb = net.route_table(app->route_table);
  ASSERT_NE(rtb, nullptr);
  const Route* to_s3 = semantics::select_route(rtb->routes, *Ipv4Address::parse(s3_address));
  const Route* to_other = semantics::select_route(rtb->routes, *Ipv4Address::parse("8.8.8.8"));
  ASSERT_TRUE(to_s3 && to_other);
  EXPECT_EQ(to_s3->target_id, s3.id);
  EXPECT_EQ(to_other->target_kind, RouteTargetKind::kNatGateway);
}

TEST(VpcEndpoints, EndpointOnTheWrongRouteTableLeavesS3ToTheNatGateway) {
  auto x = load((kExample / "broken/vpclab.yaml").string());
  ASSERT_TRUE(x.a);
  auto r = x.a->trace("bar-app", "https://s3.us-east-1.amazonaws.com/");
  ASSERT_TRUE(r.ok) << r.error;
  // Still reachable, but bar-app's table sends it to the NAT gateway (charged per GB); the NAT
  // gateway's own (public) subnet has the endpoint route, so the translated packet takes it there.
  EXPECT_TRUE(r.reachable) << hops(r);
  std::vector<std::string> order;
  for (const auto& h : r.paths.at(0).hops)
    if (h.leg == "request" && (h.component == "nat-gateway" || h.component == "vpc-endpoint")) order.push_back(h.component);
  EXPECT_EQ(order, (std::vector<std::string>{"nat-gateway", "vpc-endpoint"})) << hops(r);
  EXPECT_FALSE(has_hop(r, "internet-gateway")) << hops(r);
  // check says so: the lint names the endpoint, at its declaration, and the table to add.
  Diagnostics lints;
  lint(*x.l.network, lints);
  const Diagnostic* found = vpclab::analysis::testing::find_diag(lints, "VPCE_ROUTE_TABLE_MISSING");
  ASSERT_NE(found, nullptr) << diags_text(lints);
  EXPECT_EQ(found->severity, Severity::kWarning);
  EXPECT_NE(found->message.find("BarPrivateRouteTable"), std::string::npos) << found->message;
  EXPECT_NE(found->message.find("the NAT gateway"), std::string::npos) << found->message;
  EXPECT_NE(found->loc.str().find("endpoint-wrong-route-table.yaml:"), std::string::npos) << found->str();
  // The endpoint's route is in the public route table instead.
  const auto& net = *x.l.network;
  const auto& s3 = endpoint(net, "S3Endpoint");
  ASSERT_EQ(s3.route_tables.size(), 1u);
  const auto* rt = net.route_table(s3.route_tables[0]);
  ASSERT_NE(rt, nullptr);
  EXPECT_EQ(rt->name, "bar-public");
}

TEST(VpcEndpoints, InterfaceEndpointPrivateDnsAnswersItsInterfaces) {
  auto x = load((kExample / "vpclab.yaml").string());
  ASSERT_TRUE(x.a);
  const auto& net = *x.l.network;
  const auto& sqs = endpoint(net, "SqsEndpoint");
  ASSERT_EQ(sqs.network_interfaces.size(), 2u);
  std::vector<std::string> want;
  for (const auto& id : sqs.network_interfaces) want.push_back(net.network_interface(id)->private_ip.str());
  std::sort(want.begin(), want.end());
  auto d = x.a->resolve("bar-app", sqs.dns_name);
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.rcode, "NOERROR");
  auto got = d.addresses;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  // From the internet the name is not the endpoint's (the hidden zone is bar's only).
  auto pub = x.a->resolve("internet", sqs.dns_name);
  EXPECT_TRUE(pub.addresses.empty());
  auto r = x.a->trace("bar-app", "https://" + sqs.dns_name + "/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << hops(r);
  EXPECT_EQ(r.paths.size(), 2u);
  // Each path ends at the endpoint's interface, through its security group.
  for (const auto& p : r.paths) {
    bool sg = false;
    for (const auto& h : p.hops) sg |= h.component == "security-group" && h.display.find("interface endpoint") != std::string::npos;
    EXPECT_TRUE(sg) << hops(r);
  }
}

TEST(VpcEndpoints, InterfaceEndpointSecurityGroupBlocks) {
  auto x = load(variant("sg", "CidrIp: !Ref BarCidr, Description: VPC bar", "CidrIp: 10.9.0.0/16, Description: not bar"));
  ASSERT_TRUE(x.a);
  const auto& sqs = endpoint(*x.l.network, "SqsEndpoint");
  auto r = x.a->trace("bar-app", "https://" + sqs.dns_name + "/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable) << hops(r);
  for (const auto& p : r.paths) {
    ASSERT_FALSE(p.explanations.empty()) << hops(r);
    EXPECT_EQ(p.explanations[0].code, "ENI_SG_RULES_MISMATCH") << hops(r);
    EXPECT_NE(p.explanations[0].component.find("SqsEndpointSecurityGroup"), std::string::npos) << hops(r);
    EXPECT_NE(p.explanations[0].component.find("interface endpoint"), std::string::npos) << hops(r);
  }
}

TEST(VpcEndpoints, WithoutPrivateDnsTheServiceNameIsNotTheEndpoints) {
  auto x = load(variant("no-private-dns", "PrivateDnsEnabled: true", "PrivateDnsEnabled: false"));
  ASSERT_TRUE(x.a);
  const auto& sqs = endpoint(*x.l.network, "SqsEndpoint");
  auto d = x.a->resolve("bar-app", sqs.dns_name);
  for (const auto& id : sqs.network_interfaces) {
    std::string ip = x.l.network->network_interface(id)->private_ip.str();
    EXPECT_EQ(std::count(d.addresses.begin(), d.addresses.end(), ip), 0) << ip;
  }
}

TEST(VpcEndpoints, GatewayEndpointCarriesTcpAndIcmpOnly) {
  auto x = load(variant("udp", "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref BarCidr, Description: interface endpoints}",
                        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref BarCidr, Description: interface endpoints}\n"
                        "        - {IpProtocol: \"-1\", CidrIp: 0.0.0.0/0}"));
  ASSERT_TRUE(x.a);
  TraceOptions udp;
  udp.protocol = kUdp;
  udp.port = 53;
  auto r = x.a->trace("bar-app", "s3.us-east-1.amazonaws.com", udp);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable) << hops(r);
  ASSERT_FALSE(r.paths.empty());
  ASSERT_FALSE(r.paths[0].explanations.empty()) << hops(r);
  EXPECT_EQ(r.paths[0].explanations[0].code, "VPCE_GATEWAY_PROTOCOL_RESTRICTION") << hops(r);
  auto icmp = x.a->trace("bar-app", "s3.us-east-1.amazonaws.com", TraceOptions{kIcmp});
  EXPECT_TRUE(icmp.reachable) << hops(icmp);
}

TEST(VpcEndpoints, GatewayLoadBalancerEndpointIsUndecidable) {
  // bar's private default route to a Gateway Load Balancer endpoint (an inspection appliance).
  fs::path dir = fs::path(::testing::TempDir()) / "vpce-gwlb";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kExample / "vpclab.yaml", dir / "vpclab.yaml");
  fs::copy_file(kExample / "endpoints.yaml", dir / "endpoints.yaml");
  fs::copy(kExample / "s3", dir / "s3", fs::copy_options::recursive);
  std::string lab = vpclab::analysis::testing::variant(
      dir, "vpce-gwlb-edited",
      {{"endpoints.yaml", "      NatGatewayId: !Ref BarNatGateway", "      VpcEndpointId: !Ref InspectionEndpoint"},
       {"endpoints.yaml", "  # ---------------------------------------------------------------- the endpoints",
        "  InspectionEndpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref BarVpc\n"
        "      VpcEndpointType: GatewayLoadBalancer\n"
        "      ServiceName: com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0\n"
        "      SubnetIds: [!Ref BarPublicSubnet]"},
       {"endpoints.yaml", "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref BarCidr, Description: interface endpoints}",
        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref BarCidr, Description: interface endpoints}\n"
        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}"}});
  auto x = load(lab);
  ASSERT_TRUE(x.a);
  EXPECT_NE(vpclab::analysis::testing::find_diag(x.l.diags, "VPCE_NOT_MODELED"), nullptr) << diags_text(x.l.diags);
  auto r = x.a->trace("bar-app", "https://198.51.100.7/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.undecidable) << hops(r);
  EXPECT_EQ(r.exit_code(), 2);
  ASSERT_FALSE(r.paths.empty());
  ASSERT_FALSE(r.paths[0].explanations.empty()) << hops(r);
  EXPECT_EQ(r.paths[0].explanations[0].code, "UNMODELED_COMPONENT") << hops(r);
  // S3 still takes its gateway endpoint (its prefix-list route is more specific).
  EXPECT_TRUE(x.a->trace("bar-app", "https://s3.us-east-1.amazonaws.com/").reachable);
}

TEST(VpcEndpoints, GatewayEndpointCarriesOnlyItsOwnVpcsTraffic) {
  // Centralised egress on examples/tgw/isolated-spokes.yaml: bar sends everything to the TGW, the
  // spokes' table sends 0.0.0.0/0 to foo, and foo's private table has an S3 gateway endpoint.
  std::string path = vpclab::analysis::testing::variant(
      fs::path(VPCLAB_SOURCE_DIR) / "examples/tgw/isolated-spokes.yaml", "vpce-central-egress",
      {{"", "DestinationCidrBlock: 10.0.0.0/8   # every other VPC: the TGW's tables decide", "DestinationCidrBlock: 0.0.0.0/0"},
       {"", "  HomeZone:\n",
        "  SpokesDefaultRoute:\n    Type: AWS::EC2::TransitGatewayRoute\n    Properties:\n"
        "      TransitGatewayRouteTableId: !Ref SpokesRouteTable\n      DestinationCidrBlock: 0.0.0.0/0\n"
        "      TransitGatewayAttachmentId: !Ref FooAttachment\n"
        "  FooS3Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref FooVpc\n"
        "      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3\n      RouteTableIds: [!Ref FooPrivateRouteTable]\n"
        "  HomeZone:\n"}});
  auto x = load(path);
  ASSERT_TRUE(x.a);
  const auto& s3 = endpoint(*x.l.network, "FooS3Endpoint");
  std::string name = "https://s3." + s3.origin.region + ".amazonaws.com/";
  // From foo's own instance: through the endpoint.
  auto own = x.a->trace("foo-web1", name);
  ASSERT_TRUE(own.ok) << own.error;
  EXPECT_TRUE(own.reachable) << hops(own);
  EXPECT_TRUE(has_hop(own, "vpc-endpoint", s3.id)) << hops(own);
  // From bar, arriving in foo over the TGW: the endpoint refuses it.
  auto spoke = x.a->trace("bar-app", name);
  ASSERT_TRUE(spoke.ok) << spoke.error;
  EXPECT_FALSE(spoke.reachable) << hops(spoke);
  EXPECT_TRUE(has_hop(spoke, "transit-gateway-route-table")) << hops(spoke);
  ASSERT_FALSE(spoke.paths.empty());
  ASSERT_FALSE(spoke.paths[0].explanations.empty()) << hops(spoke);
  EXPECT_EQ(spoke.paths[0].explanations[0].code, "VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION") << hops(spoke);
}
