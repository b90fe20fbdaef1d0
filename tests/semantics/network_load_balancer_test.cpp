// Network Load Balancer rules: whose address a target sees, cross-zone,
// AWS's health-check defaults and the listener / target group pairings the
// API accepts (aws-tgw-nlb.md section 8).
#include <gtest/gtest.h>

#include "semantics/network_load_balancer.h"

namespace vpclab::semantics {
namespace {

TEST(NetworkLoadBalancer, ClientIpPreservationDefaultsAndOverrides) {
  EXPECT_TRUE(nlb_preserves_client_ip("instance", "TCP", std::nullopt));
  EXPECT_FALSE(nlb_preserves_client_ip("ip", "TCP", std::nullopt));
  EXPECT_FALSE(nlb_preserves_client_ip("ip", "TLS", std::nullopt));
  EXPECT_TRUE(nlb_preserves_client_ip("ip", "UDP", std::nullopt));
  EXPECT_TRUE(nlb_preserves_client_ip("ip", "TCP_UDP", std::nullopt));
  // The attribute switches TCP/TLS groups; UDP keeps the client's address regardless.
  EXPECT_FALSE(nlb_preserves_client_ip("instance", "TCP", false));
  EXPECT_TRUE(nlb_preserves_client_ip("ip", "TCP", true));
  EXPECT_TRUE(nlb_preserves_client_ip("ip", "UDP", false));
  EXPECT_TRUE(nlb_preserves_client_ip("alb", "TCP", std::nullopt));
}

TEST(NetworkLoadBalancer, CrossZoneIsOffUnlessTheLbOrTheGroupSaysSo) {
  alb::TargetGroupAttributes tg;
  alb::LoadBalancerAttributes lb;
  EXPECT_FALSE(nlb_cross_zone(tg, lb));
  lb.cross_zone = true;
  EXPECT_TRUE(nlb_cross_zone(tg, lb));
  tg.cross_zone = alb::CrossZone::kFalse;  // the group overrides the load balancer
  EXPECT_FALSE(nlb_cross_zone(tg, lb));
  lb.cross_zone = false;
  tg.cross_zone = alb::CrossZone::kTrue;
  EXPECT_TRUE(nlb_cross_zone(tg, lb));
}

TEST(NetworkLoadBalancer, HealthCheckDefaults) {
  auto tcp = nlb_default_health_check("instance", "");
  EXPECT_EQ(tcp.protocol, "TCP");
  EXPECT_EQ(tcp.port, "traffic-port");
  EXPECT_EQ(tcp.timeout_seconds, 10);
  EXPECT_EQ(tcp.interval_seconds, 30);
  EXPECT_EQ(tcp.healthy_threshold, 5);
  EXPECT_EQ(tcp.unhealthy_threshold, 2);
  EXPECT_EQ(tcp.matcher, "200-399");
  auto http = nlb_default_health_check("instance", "HTTP");
  EXPECT_EQ(http.protocol, "HTTP");
  EXPECT_EQ(http.timeout_seconds, 6);
  EXPECT_EQ(nlb_default_health_check("alb", "").protocol, "HTTP");
  EXPECT_EQ(nlb_default_health_check("ip", "HTTPS").timeout_seconds, 10);
}

TEST(NetworkLoadBalancer, ListenerAndTargetGroupProtocols) {
  EXPECT_TRUE(nlb_protocol_carries("TCP", kTcp));
  EXPECT_FALSE(nlb_protocol_carries("TCP", kUdp));
  EXPECT_TRUE(nlb_protocol_carries("TLS", kTcp));
  EXPECT_TRUE(nlb_protocol_carries("UDP", kUdp));
  EXPECT_TRUE(nlb_protocol_carries("TCP_UDP", kUdp));
  EXPECT_TRUE(nlb_protocol_carries("TCP_UDP", kTcp));
  EXPECT_FALSE(nlb_protocol_carries("TCP", kIcmp));
  EXPECT_FALSE(listener_target_group_mismatch("TCP", "TCP"));
  EXPECT_FALSE(listener_target_group_mismatch("TCP", "TCP_UDP"));
  EXPECT_FALSE(listener_target_group_mismatch("TLS", "TCP"));
  EXPECT_FALSE(listener_target_group_mismatch("HTTP", "HTTPS"));
  auto bad = listener_target_group_mismatch("TCP", "UDP");
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, "TCP listener forwards to a UDP target group; expected TCP or TCP_UDP");
  EXPECT_TRUE(listener_target_group_mismatch("HTTP", "TCP"));
  EXPECT_TRUE(listener_target_group_mismatch("UDP", "TCP"));
}

TEST(NetworkLoadBalancer, TargetGroupChecks) {
  EXPECT_TRUE(check_nlb_target_group("instance", "TCP", nlb_default_health_check("instance", "")).empty());
  auto udp_hc = nlb_default_health_check("instance", "UDP");
  auto p = check_nlb_target_group("instance", "UDP", udp_hc);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key, "HealthCheckProtocol");
  auto alb = check_nlb_target_group("alb", "TLS", nlb_default_health_check("alb", "TCP"));
  ASSERT_EQ(alb.size(), 2u);
  EXPECT_EQ(alb[0].key, "Protocol");
  EXPECT_EQ(alb[1].key, "HealthCheckProtocol");
}

}  // namespace
}  // namespace vpclab::semantics
