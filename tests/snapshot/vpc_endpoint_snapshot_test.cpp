// VPC endpoints read from a deployed account (Batfish's recorded snapshots
// test-vpc-endpoint-gateway and -interface): the endpoint as describe-vpc-
// endpoints reports it, its route from describe-route-tables and its ENI from
// describe-network-interfaces; private DNS answering that ENI; a gateway
// endpoint carrying TCP only; and without describe-vpc-endpoints a route to
// the endpoint is undecidable, not blocked.
#include <gtest/gtest.h>

#include <filesystem>

#include "analysis/analyzer.h"
#include "snapshot/load.h"

namespace fs = std::filesystem;
using namespace vpclab;

namespace {

const fs::path kBatfish = fs::path(VPCLAB_SHARED_DIR) / "corpus/snapshots/batfish";

std::string why(const analysis::TraceResult& t) {
  std::string s = t.error;
  for (const auto& p : t.paths)
    for (const auto& e : p.explanations) s += " [" + e.code + ": " + e.message + "]";
  return s;
}

}  // namespace

TEST(VpcEndpointSnapshot, GatewayEndpointFromDescribeOutput) {
  fs::path dir = kBatfish / "test-vpc-endpoint-gateway";
  if (!fs::exists(dir)) GTEST_SKIP() << "no corpus at " << dir;
  auto l = snapshot::load_snapshot(dir.string());
  ASSERT_TRUE(l.network);
  const auto& net = *l.network;
  const auto* ep = net.vpc_endpoint("vpce-0b7357542bb7b83ec");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->type, "Gateway");
  EXPECT_EQ(ep->service_name, "com.amazonaws.us-east-1.s3");
  EXPECT_EQ(ep->route_tables.size(), 2u);
  // The snapshot's own list (describe-prefix-lists), and each table's route to it (not added twice).
  EXPECT_EQ(ep->prefix_list, "pl-63a5400a");
  for (const auto& id : ep->route_tables) {
    const auto* t = net.route_table(id);
    ASSERT_NE(t, nullptr) << id;
    int routes = 0;
    for (const auto& r : t->routes)
      if (r.target_id == ep->id) {
        ++routes;
        EXPECT_EQ(r.destination_prefix_list, "pl-63a5400a");
        EXPECT_EQ(r.prefix_list_cidrs.size(), net.prefix_list("pl-63a5400a")->entries.size());
        EXPECT_EQ(r.state, RouteState::kActive);
      }
    EXPECT_EQ(routes, 1) << id;
  }
  analysis::Analyzer a(net);
  analysis::TraceOptions tcp;
  tcp.port = 443;
  auto t = a.trace("i-01c6c0647fdccc89e", "52.216.237.77", tcp);
  EXPECT_TRUE(t.reachable) << why(t);
  bool hop = false;
  for (const auto& p : t.paths)
    for (const auto& h : p.hops) hop |= h.component == "vpc-endpoint" && h.id == ep->id;
  EXPECT_TRUE(hop);
  analysis::TraceOptions udp;
  udp.protocol = kUdp;
  udp.port = 53;
  auto u = a.trace("i-01c6c0647fdccc89e", "52.216.237.77", udp);
  EXPECT_FALSE(u.reachable);
  ASSERT_FALSE(u.paths.empty());
  ASSERT_FALSE(u.paths[0].explanations.empty()) << why(u);
  EXPECT_EQ(u.paths[0].explanations[0].code, "VPCE_GATEWAY_PROTOCOL_RESTRICTION") << why(u);
}

TEST(VpcEndpointSnapshot, WithoutDescribeVpcEndpointsTheRouteIsUndecidable) {
  fs::path src = kBatfish / "test-vpc-endpoint-gateway";
  if (!fs::exists(src)) GTEST_SKIP() << "no corpus at " << src;
  fs::path dir = fs::path(::testing::TempDir()) / "vpce-no-endpoints";
  fs::remove_all(dir);
  fs::copy(src, dir, fs::copy_options::recursive);
  fs::remove(dir / "aws_configs/us-east-1/VpcEndpoints.json");
  auto l = snapshot::load_snapshot(dir.string());
  ASSERT_TRUE(l.network);
  EXPECT_TRUE(l.network->vpc_endpoints.empty());
  analysis::Analyzer a(*l.network);
  analysis::TraceOptions tcp;
  tcp.port = 443;
  auto t = a.trace("i-01c6c0647fdccc89e", "52.216.237.77", tcp);
  EXPECT_TRUE(t.undecidable) << why(t);
  EXPECT_EQ(t.exit_code(), 2);
  ASSERT_FALSE(t.paths.empty());
  ASSERT_FALSE(t.paths[0].explanations.empty());
  EXPECT_EQ(t.paths[0].explanations[0].code, "UNMODELED_COMPONENT");
}

TEST(VpcEndpointSnapshot, InterfaceEndpointAndItsPrivateDns) {
  fs::path dir = kBatfish / "test-vpc-endpoint-interface";
  if (!fs::exists(dir)) GTEST_SKIP() << "no corpus at " << dir;
  auto l = snapshot::load_snapshot(dir.string());
  ASSERT_TRUE(l.network);
  const auto& net = *l.network;
  const auto* ep = net.vpc_endpoint("vpce-083c683a6be29b889");
  ASSERT_NE(ep, nullptr);
  EXPECT_TRUE(ep->is_interface());
  EXPECT_TRUE(ep->private_dns_enabled);
  ASSERT_EQ(ep->network_interfaces.size(), 1u);
  const auto* eni = net.network_interface(ep->network_interfaces[0]);
  ASSERT_NE(eni, nullptr);
  EXPECT_EQ(eni->owner_kind, model::EniOwnerKind::kVpcEndpoint);
  EXPECT_EQ(eni->owner_id, ep->id);
  analysis::Analyzer a(net);
  auto d = a.resolve("i-0eb6eb395a0d09117", "cloudtrail.us-east-1.amazonaws.com");
  EXPECT_EQ(d.addresses, std::vector<std::string>{eni->private_ip.str()});
  auto t = a.trace("i-0eb6eb395a0d09117", "https://cloudtrail.us-east-1.amazonaws.com/");
  EXPECT_TRUE(t.reachable) << why(t);
}
