// `vpclab fix` on a Terraform plan prints each change as HCL for the named
// addresses (terraform/hcl.h): the resource a user pastes into the module.
#include <gtest/gtest.h>

#include "terraform/hcl.h"

namespace vpclab::terraform {
namespace {

model::ChangeRef tf(const std::string& id, const std::string& address) {
  model::ChangeRef r;
  r.id = id;
  r.origin.logical_id = address;
  return r;
}

TEST(HclSnippet, AListenerForwardsToTheTargetGroup) {
  model::Change c;
  c.kind = model::Change::Kind::kAddListener;
  c.target = tf("arn:aws:elasticloadbalancing:x", "aws_lb.foo_internal");
  c.ports = PortRange::single(8443);
  c.value = "HTTP";
  c.peer = tf("arn:tg", "aws_lb_target_group.web");
  std::string h = hcl_snippet(c);
  EXPECT_NE(h.find("resource \"aws_lb_listener\" \"foo_internal_8443\" {\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  load_balancer_arn = aws_lb.foo_internal.arn\n  port              = 8443\n"), std::string::npos) << h;
  EXPECT_NE(h.find("    target_group_arn = aws_lb_target_group.web.arn\n"), std::string::npos) << h;
}

TEST(HclSnippet, GatewayAddressPeeringAndTransitGateway) {
  model::Change igw;
  igw.kind = model::Change::Kind::kAddInternetGateway;
  igw.target = tf("vpc-1", "aws_vpc.main");
  EXPECT_NE(hcl_snippet(igw).find("resource \"aws_internet_gateway\" \"main\" {\n  vpc_id = aws_vpc.main.id\n}"),
            std::string::npos)
      << hcl_snippet(igw);
  model::Change eip;
  eip.kind = model::Change::Kind::kAddElasticIp;
  eip.target = tf("i-1", "module.app.aws_instance.web[0]");
  eip.attribute = "InstanceId";
  std::string e = hcl_snippet(eip);
  EXPECT_NE(e.find("# in the configuration of module.app"), std::string::npos) << e;
  EXPECT_NE(e.find("instance          = aws_instance.web[0].id"), std::string::npos) << e;
  model::Change pcx;
  pcx.kind = model::Change::Kind::kAddPeeringConnection;
  pcx.target = tf("vpc-1", "aws_vpc.app");
  pcx.peer = tf("vpc-2", "aws_vpc.data");
  EXPECT_NE(hcl_snippet(pcx).find("  vpc_id      = aws_vpc.app.id\n  peer_vpc_id = aws_vpc.data.id\n  auto_accept = true\n"),
            std::string::npos)
      << hcl_snippet(pcx);
  model::Change route;
  route.kind = model::Change::Kind::kAddRoute;
  route.target = tf("rtb-1", "aws_route_table.private");
  route.destination = *Ipv4Cidr::parse("10.1.0.0/16");
  route.route_target = tf("tgw-1", "aws_ec2_transit_gateway.hub");
  EXPECT_NE(hcl_snippet(route).find("  transit_gateway_id        = aws_ec2_transit_gateway.hub.id\n"), std::string::npos)
      << hcl_snippet(route);
}

}  // namespace
}  // namespace vpclab::terraform
