// A C++ generator of large model::Network values for the analyzer
// benchmarks (same shape as gen_template.py, without the template round
// trip): VPC i gets a /20 in 10.0.0.0/8, two /24 subnets in two AZs, an
// internet gateway and a public route table, four security groups (web,
// app, db, admin) with `rules` ingress rules each, `instances` instances;
// neighbouring VPCs are peered with routes on both sides.
#pragma once
#include <string>

#include "model/network.h"

namespace vpclab::bench {

inline model::Network generate_network(int vpcs, int instances_per_vpc, int rules_per_group) {
  model::Network net;
  auto id = [](const char* p, int i, int j = -1) {
    return std::string(p) + "-" + std::to_string(i) + (j >= 0 ? "x" + std::to_string(j) : "");
  };
  auto origin = [](const std::string& logical) {
    model::Origin o;
    o.stack = "Gen";
    o.logical_id = logical;
    return o;
  };
  auto local_routes = [](const Ipv4Cidr& c) {
    Route r;
    r.destination = c;
    r.target_kind = RouteTargetKind::kLocal;
    r.target_id = "local";
    return r;
  };
  for (int i = 0; i < vpcs; ++i) {
    uint32_t base = (10u << 24) + static_cast<uint32_t>(i) * 4096;
    Ipv4Cidr block = Ipv4Cidr::of(Ipv4Address{base}, 20);
    model::Vpc v;
    v.id = id("vpc", i);
    v.origin = origin("Vpc" + std::to_string(i));
    v.cidrs.push_back(block);
    v.internet_gateway = id("igw", i);
    v.main_route_table = id("rtb", i);
    v.default_network_acl = id("acl", i);
    v.default_security_group = id("sg", i, 0);
    net.vpcs.push_back(v);
    net.internet_gateways.push_back(model::InternetGateway{v.internet_gateway, origin("Igw"), v.id});
    model::RouteTable rt;
    rt.id = v.main_route_table;
    rt.vpc = v.id;
    rt.origin = origin("Rt" + std::to_string(i));
    rt.routes.push_back(local_routes(block));
    Route def;
    def.destination = Ipv4Cidr{};
    def.target_kind = RouteTargetKind::kInternetGateway;
    def.target_id = v.internet_gateway;
    rt.routes.push_back(def);
    for (int n : {i - 1, i + 1}) {
      if (n < 0 || n >= vpcs) continue;
      Route p;
      p.destination = Ipv4Cidr::of(Ipv4Address{(10u << 24) + static_cast<uint32_t>(n) * 4096}, 20);
      p.target_kind = RouteTargetKind::kVpcPeeringConnection;
      p.target_id = id("pcx", std::min(i, n));
      rt.routes.push_back(p);
    }
    net.route_tables.push_back(rt);
    model::NetworkAcl acl;
    acl.id = v.default_network_acl;
    acl.vpc = v.id;
    acl.is_default = true;
    for (auto d : {Direction::kIngress, Direction::kEgress}) {
      NetworkAclEntry e;
      e.rule_number = 100;
      e.direction = d;
      e.allow = true;
      e.cidr = Ipv4Cidr{};
      (d == Direction::kIngress ? acl.ingress : acl.egress).push_back(e);
    }
    net.network_acls.push_back(acl);
    for (int s = 0; s < 2; ++s) {
      model::Subnet sn;
      sn.id = id("subnet", i, s);
      sn.origin = origin("Subnet" + std::to_string(i) + "x" + std::to_string(s));
      sn.vpc = v.id;
      sn.cidr = Ipv4Cidr::of(Ipv4Address{base + static_cast<uint32_t>(s) * 256}, 24);
      sn.availability_zone = s ? "ap-northeast-1c" : "ap-northeast-1a";
      sn.route_table = rt.id;
      sn.network_acl = acl.id;
      net.subnets.push_back(sn);
    }
    const uint16_t kPorts[] = {22, 80, 443, 8080, 5432, 6379, 9090, 3000};
    for (int g = 0; g < 4; ++g) {
      model::SecurityGroup sg;
      sg.id = id("sg", i, g);
      sg.origin = origin("Sg" + std::to_string(i) + "x" + std::to_string(g));
      sg.vpc = v.id;
      SecurityGroupRule out;
      out.direction = Direction::kEgress;
      out.cidr = Ipv4Cidr{};
      sg.egress.push_back(out);
      for (int r = 0; r < rules_per_group; ++r) {
        SecurityGroupRule in;
        in.direction = Direction::kIngress;
        in.protocol = kTcp;
        in.ports = PortRange::single(kPorts[(g + r) % 8]);
        if (r % 3 == 2) in.group_id = id("sg", i, (g + 1) % 4);
        else in.cidr = r % 3 == 0 ? Ipv4Cidr::of(Ipv4Address{10u << 24}, 8) : block;
        sg.ingress.push_back(in);
      }
      net.security_groups.push_back(sg);
    }
    for (int k = 0; k < instances_per_vpc; ++k) {
      int s = k % 2;
      model::Instance inst;
      inst.id = id("i", i, k);
      inst.origin = origin("Inst" + std::to_string(i) + "x" + std::to_string(k));
      inst.subnet = id("subnet", i, s);
      inst.private_ip = Ipv4Address{base + static_cast<uint32_t>(s) * 256 + 10 + static_cast<uint32_t>(k)};
      model::NetworkInterface e;
      e.id = id("eni", i, k);
      e.subnet = inst.subnet;
      e.vpc = v.id;
      e.private_ip = inst.private_ip;
      e.security_groups = {id("sg", i, k % 4)};
      e.owner_kind = model::EniOwnerKind::kInstance;
      e.owner_id = inst.id;
      inst.network_interfaces.push_back(e.id);
      net.network_interfaces.push_back(e);
      net.instances.push_back(inst);
    }
    if (i + 1 < vpcs) {
      model::VpcPeeringConnection p;
      p.id = id("pcx", i);
      p.requester.vpc = v.id;
      p.accepter.vpc = id("vpc", i + 1);
      net.peerings.push_back(p);
    }
  }
  net.index();
  return net;
}

}  // namespace vpclab::bench
