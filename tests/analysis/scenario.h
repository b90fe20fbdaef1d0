// The canonical scenario (shared/reference/scenario.md) built in code, so
// each explanation-code test can break exactly one thing in it.
#pragma once
#include "fixture.h"

namespace vpclab::testing {

struct Canonical {
  Fx fx;
  std::string foo, bar, foo_a, foo_c, foo_pub, bar_priv, bar_pub;
  std::string foo_private_rt, foo_public_rt, bar_private_rt, bar_public_rt;
  std::string alb_sg, web_sg, bastion_sg, app_sg;
  std::string web1, web2, bastion, app, nat, pcx, alb, tg, listener, zone;

  Canonical() {
    foo = fx.vpc("Foo", "10.2.0.0/16");
    bar = fx.vpc("Bar", "10.1.0.0/16");
    foo_a = fx.subnet(foo, "FooPrivateA", "10.2.1.0/24", "ap-northeast-1a");
    foo_c = fx.subnet(foo, "FooPrivateC", "10.2.2.0/24", "ap-northeast-1c");
    foo_pub = fx.subnet(foo, "FooPublic", "10.2.0.0/24", "ap-northeast-1a");
    bar_priv = fx.subnet(bar, "BarPrivate", "10.1.1.0/24", "ap-northeast-1a");
    bar_pub = fx.subnet(bar, "BarPublic", "10.1.0.0/24", "ap-northeast-1a");
    fx.igw(foo, "FooIgw");
    fx.igw(bar, "BarIgw");
    pcx = fx.peering(bar, foo, "BarToFoo");
    nat = fx.nat("FooNat", foo_pub, "10.2.0.100", "52.0.0.10");
    foo_public_rt = fx.route_table(foo, "FooPublicRt");
    fx.route(foo_public_rt, "0.0.0.0/0", RouteTargetKind::kInternetGateway, "igw-FooIgw");
    fx.route(foo_public_rt, "10.1.0.0/16", RouteTargetKind::kVpcPeeringConnection, pcx);
    fx.associate(foo_pub, foo_public_rt);
    foo_private_rt = fx.route_table(foo, "FooPrivateRt");
    fx.route(foo_private_rt, "0.0.0.0/0", RouteTargetKind::kNatGateway, nat);
    fx.route(foo_private_rt, "10.1.0.0/16", RouteTargetKind::kVpcPeeringConnection, pcx);
    fx.associate(foo_a, foo_private_rt);
    fx.associate(foo_c, foo_private_rt);
    bar_private_rt = fx.route_table(bar, "BarPrivateRt");
    fx.route(bar_private_rt, "10.2.0.0/16", RouteTargetKind::kVpcPeeringConnection, pcx);
    fx.associate(bar_priv, bar_private_rt);
    bar_public_rt = fx.route_table(bar, "BarPublicRt");
    fx.route(bar_public_rt, "0.0.0.0/0", RouteTargetKind::kInternetGateway, "igw-BarIgw");
    fx.associate(bar_pub, bar_public_rt);

    alb_sg = fx.sg(foo, "AlbSg");
    fx.allow_in(alb_sg, kTcp, PortRange::single(80), "0.0.0.0/0");
    bastion_sg = fx.sg(foo, "BastionSg");
    fx.allow_in(bastion_sg, kTcp, PortRange::single(22), "0.0.0.0/0");
    web_sg = fx.sg(foo, "WebSg");
    fx.allow_in(web_sg, kTcp, PortRange::single(8080), alb_sg);
    fx.allow_in(web_sg, kTcp, PortRange::single(22), bastion_sg);
    app_sg = fx.sg(bar, "AppSg");

    web1 = fx.instance("Web1", foo_a, "10.2.1.10", {web_sg});
    web2 = fx.instance("Web2", foo_c, "10.2.2.10", {web_sg});
    bastion = fx.instance("Bastion", foo_pub, "10.2.0.10", {bastion_sg}, "52.0.0.20");
    app = fx.instance("BarApp", bar_priv, "10.1.1.10", {app_sg});

    alb = fx.alb("foo-internal-alb", foo, {{foo_a, "10.2.1.175"}, {foo_c, "10.2.2.171"}}, {alb_sg});
    tg = fx.target_group("WebTg", foo, 8080, {web1, web2});
    listener = fx.listener(alb, "HttpListener", 80, tg);
    zone = fx.zone("home", {bar});
    fx.alias(zone, "alb.home", "internal-foo-internal-alb-1234567890.ap-northeast-1.elb.amazonaws.com");
  }
  model::Network& net() { return fx.net; }
};

}  // namespace vpclab::testing
