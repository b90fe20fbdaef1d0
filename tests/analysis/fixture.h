// Builds model::Network values in code for analyzer tests: effective fields
// filled the way model::finalize would (local routes, main tables, default
// SG and NACL, ENIs for instances, NAT gateways and ALB nodes).
#pragma once
#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/network.h"

namespace vpclab::testing {

inline Ipv4Address ip(const std::string& s) { return *Ipv4Address::parse(s); }
inline Ipv4Cidr cidr(const std::string& s) { return *Ipv4Cidr::parse(s); }

class Fx {
 public:
  model::Network net;

  model::Origin origin(const std::string& logical) {
    model::Origin o;
    o.account = "123456789012";
    o.region = "ap-northeast-1";
    o.stack = "T";
    o.logical_id = logical;
    o.loc = SourceLoc{intern_file("t.yaml"), ++line_, 3};
    return o;
  }

  // A VPC with its main route table, default SG and default NACL.
  std::string vpc(const std::string& name, const std::string& block, bool dns_support = true, bool hostnames = true) {
    model::Vpc v;
    v.id = "vpc-" + name;
    v.origin = origin(name);
    v.cidrs.push_back(cidr(block));
    v.enable_dns_support = dns_support;
    v.enable_dns_hostnames = hostnames;
    v.main_route_table = route_table(v.id, name + "Main", true);
    model::SecurityGroup sg;
    sg.id = "sg-" + name + "default";
    sg.origin = origin(name + "DefaultSg");
    sg.vpc = v.id;
    sg.is_default = true;
    sg.ingress.push_back(sg_rule(Direction::kIngress, kAllProtocols, PortRange::all(), "", sg.id));
    sg.egress.push_back(sg_rule(Direction::kEgress, kAllProtocols, PortRange::all(), "0.0.0.0/0"));
    net.security_groups.push_back(sg);
    v.default_security_group = sg.id;
    v.default_network_acl = acl(v.id, name + "DefaultAcl", true);
    net.vpcs.push_back(v);
    return v.id;
  }

  std::string route_table(const std::string& vpc_id, const std::string& name, bool main = false) {
    model::RouteTable rt;
    rt.id = "rtb-" + name;
    rt.origin = origin(name);
    rt.vpc = vpc_id;
    rt.main = main;
    net.route_tables.push_back(rt);
    return rt.id;
  }

  void route(const std::string& rtb, const std::string& dst, RouteTargetKind kind, const std::string& target,
             RouteState state = RouteState::kActive) {
    Route r;
    r.destination = cidr(dst);
    r.target_kind = kind;
    r.target_id = target;
    r.state = state;
    r.loc = SourceLoc{intern_file("t.yaml"), ++line_, 5};
    find(net.route_tables, rtb).routes.push_back(r);
  }

  std::string subnet(const std::string& vpc_id, const std::string& name, const std::string& block,
                     const std::string& az = "ap-northeast-1a") {
    model::Subnet s;
    s.id = "subnet-" + name;
    s.origin = origin(name);
    s.vpc = vpc_id;
    s.cidr = cidr(block);
    s.availability_zone = az;
    s.route_table = find(net.vpcs, vpc_id).main_route_table;
    s.network_acl = find(net.vpcs, vpc_id).default_network_acl;
    net.subnets.push_back(s);
    return s.id;
  }
  void associate(const std::string& subnet_id, const std::string& rtb) {
    auto& s = find(net.subnets, subnet_id);
    s.route_table = rtb;
    s.route_table_explicit = true;
  }

  std::string igw(const std::string& vpc_id, const std::string& name) {
    model::InternetGateway g;
    g.id = "igw-" + name;
    g.origin = origin(name);
    g.vpc = vpc_id;
    net.internet_gateways.push_back(g);
    find(net.vpcs, vpc_id).internet_gateway = g.id;
    return g.id;
  }

  static SecurityGroupRule sg_rule(Direction d, IpProtocol p, PortRange ports, const std::string& peer,
                                   const std::string& group = "") {
    SecurityGroupRule r;
    r.direction = d;
    r.protocol = p;
    r.ports = ports;
    if (!peer.empty()) r.cidr = cidr(peer);
    r.group_id = group;
    return r;
  }

  // A new group: no inbound rules, outbound all (as AWS creates it).
  std::string sg(const std::string& vpc_id, const std::string& name, bool egress_all = true) {
    model::SecurityGroup g;
    g.id = "sg-" + name;
    g.origin = origin(name);
    g.vpc = vpc_id;
    if (egress_all) g.egress.push_back(sg_rule(Direction::kEgress, kAllProtocols, PortRange::all(), "0.0.0.0/0"));
    net.security_groups.push_back(g);
    return g.id;
  }
  // peer: a CIDR, or "sg-..." for a group reference.
  void allow_in(const std::string& sg_id, IpProtocol p, PortRange ports, const std::string& peer) {
    auto r = peer.rfind("sg-", 0) == 0 ? sg_rule(Direction::kIngress, p, ports, "", peer)
                                       : sg_rule(Direction::kIngress, p, ports, peer);
    r.loc = SourceLoc{intern_file("t.yaml"), ++line_, 7};
    find(net.security_groups, sg_id).ingress.push_back(r);
  }
  void allow_out(const std::string& sg_id, IpProtocol p, PortRange ports, const std::string& peer) {
    auto r = peer.rfind("sg-", 0) == 0 ? sg_rule(Direction::kEgress, p, ports, "", peer)
                                       : sg_rule(Direction::kEgress, p, ports, peer);
    r.loc = SourceLoc{intern_file("t.yaml"), ++line_, 7};
    find(net.security_groups, sg_id).egress.push_back(r);
  }

  // A custom NACL: denies everything until entries are added.
  std::string acl(const std::string& vpc_id, const std::string& name, bool is_default = false) {
    model::NetworkAcl a;
    a.id = "acl-" + name;
    a.origin = origin(name);
    a.vpc = vpc_id;
    a.is_default = is_default;
    if (is_default) {
      for (auto d : {Direction::kIngress, Direction::kEgress}) {
        NetworkAclEntry e;
        e.rule_number = 100;
        e.direction = d;
        e.allow = true;
        e.cidr = cidr("0.0.0.0/0");
        (d == Direction::kIngress ? a.ingress : a.egress).push_back(e);
      }
    }
    net.network_acls.push_back(a);
    return a.id;
  }
  void acl_entry(const std::string& acl_id, int n, Direction d, bool allow, IpProtocol p, PortRange ports,
                 const std::string& block) {
    NetworkAclEntry e;
    e.rule_number = n;
    e.direction = d;
    e.allow = allow;
    e.protocol = p;
    e.ports = ports;
    e.cidr = cidr(block);
    e.loc = SourceLoc{intern_file("t.yaml"), ++line_, 9};
    auto& a = find(net.network_acls, acl_id);
    auto& list = d == Direction::kIngress ? a.ingress : a.egress;
    list.push_back(e);
    std::stable_sort(list.begin(), list.end(), [](const auto& x, const auto& y) { return x.rule_number < y.rule_number; });
  }
  void associate_acl(const std::string& subnet_id, const std::string& acl_id) {
    find(net.subnets, subnet_id).network_acl = acl_id;
  }

  std::string instance(const std::string& name, const std::string& subnet_id, const std::string& addr,
                       std::vector<std::string> sgs, const std::string& public_ip = "") {
    const auto& s = find(net.subnets, subnet_id);
    model::Instance i;
    i.id = "i-" + name;
    i.origin = origin(name);
    i.name = name;
    i.subnet = subnet_id;
    i.private_ip = ip(addr);
    if (!public_ip.empty()) i.public_ip = ip(public_ip);
    model::NetworkInterface e;
    e.id = "eni-" + name;
    e.origin = i.origin;
    e.subnet = subnet_id;
    e.vpc = s.vpc;
    e.private_ip = i.private_ip;
    e.public_ip = i.public_ip;
    // As finalize() decides (semantics/eni.h): none given, the VPC's default group.
    if (sgs.empty()) sgs.push_back(find(net.vpcs, s.vpc).default_security_group);
    e.security_groups = std::move(sgs);
    e.owner_kind = model::EniOwnerKind::kInstance;
    e.owner_id = i.id;
    i.network_interfaces.push_back(e.id);
    std::string a = addr;
    for (char& c : a)
      if (c == '.') c = '-';
    i.private_dns_name = "ip-" + a + ".ap-northeast-1.compute.internal";
    if (i.public_ip) {
      std::string p = public_ip;
      for (char& c : p)
        if (c == '.') c = '-';
      i.public_dns_name = "ec2-" + p + ".ap-northeast-1.compute.amazonaws.com";
    }
    net.network_interfaces.push_back(e);
    net.instances.push_back(i);
    return i.id;
  }

  std::string nat(const std::string& name, const std::string& subnet_id, const std::string& addr,
                  const std::string& eip) {
    const auto& s = find(net.subnets, subnet_id);
    model::NatGateway g;
    g.id = "nat-" + name;
    g.origin = origin(name);
    g.subnet = subnet_id;
    g.private_ip = ip(addr);
    if (!eip.empty()) g.public_ip = ip(eip);
    g.is_public = !eip.empty();
    g.network_interface = "eni-" + name;
    model::NetworkInterface e;
    e.id = g.network_interface;
    e.origin = g.origin;
    e.subnet = subnet_id;
    e.vpc = s.vpc;
    e.private_ip = g.private_ip;
    e.public_ip = g.public_ip;
    e.owner_kind = model::EniOwnerKind::kNatGateway;
    e.owner_id = g.id;
    net.network_interfaces.push_back(e);
    net.nat_gateways.push_back(g);
    return g.id;
  }

  std::string peering(const std::string& requester, const std::string& accepter, const std::string& name,
                      model::PeeringState state = model::PeeringState::kActive) {
    model::VpcPeeringConnection p;
    p.id = "pcx-" + name;
    p.origin = origin(name);
    p.requester.vpc = requester;
    p.accepter.vpc = accepter;
    p.state = state;
    net.peerings.push_back(p);
    return p.id;
  }

  // A transit gateway with its default route table (effective state, as
  // finalize leaves it: attachments associate with it and propagate).
  std::string tgw(const std::string& name) {
    model::TransitGateway g;
    g.id = "tgw-" + name;
    g.origin = origin(name);
    g.name = name;
    model::TransitGatewayRouteTable t;
    t.id = "tgw-rtb-" + name;
    t.origin = origin(name + "Table");
    t.transit_gateway = g.id;
    t.implicit = true;
    g.association_default_route_table = g.propagation_default_route_table = t.id;
    net.transit_gateways.push_back(g);
    net.transit_gateway_route_tables.push_back(t);
    return g.id;
  }
  // A VPC attachment in `subnets` (one per AZ), associated with the TGW's
  // default table; `propagate` adds the VPC's blocks there.
  std::string tgw_attachment(const std::string& tgw_id, const std::string& vpc_id, const std::string& name,
                             std::vector<std::string> subnets, bool propagate = true, const std::string& state = "available") {
    model::TransitGatewayAttachment a;
    a.id = "tgw-attach-" + name;
    a.origin = origin(name);
    a.transit_gateway = tgw_id;
    a.resource_id = vpc_id;
    a.subnets = std::move(subnets);
    a.state = state;
    auto& t = find(net.transit_gateway_route_tables, find(net.transit_gateways, tgw_id).association_default_route_table);
    a.route_table = t.id;
    if (propagate && state == "available") {
      t.propagations.push_back({a.id, a.origin.loc, true});
      for (const auto& c : find(net.vpcs, vpc_id).cidrs) {
        TransitGatewayRoute r;
        r.destination = c;
        r.attachment = a.id;
        r.propagated = true;
        t.routes.push_back(r);
      }
    }
    net.transit_gateway_attachments.push_back(a);
    return a.id;
  }
  // A static route (or blackhole: empty attachment) in the TGW's default table.
  void tgw_route(const std::string& tgw_id, const std::string& block, const std::string& attachment) {
    TransitGatewayRoute r;
    r.destination = cidr(block);
    r.attachment = attachment;
    r.blackhole = attachment.empty();
    find(net.transit_gateway_route_tables, find(net.transit_gateways, tgw_id).association_default_route_table)
        .routes.push_back(r);
  }

  // An ALB with one node per (subnet, address); returns its ARN.
  std::string alb(const std::string& name, const std::string& vpc_id,
                  std::vector<std::pair<std::string, std::string>> subnet_addrs, std::vector<std::string> sgs,
                  bool internal = true) {
    model::LoadBalancer lb;
    lb.arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/" + name + "/0123456789abcdef";
    lb.origin = origin(name);
    lb.name = name;
    lb.internal = internal;
    lb.vpc = vpc_id;
    lb.dns_name = std::string(internal ? "internal-" : "") + name + "-1234567890.ap-northeast-1.elb.amazonaws.com";
    lb.security_groups = sgs;
    int k = 0;
    for (const auto& [sub, addr] : subnet_addrs) {
      const auto& s = find(net.subnets, sub);
      model::LoadBalancerNode n;
      n.subnet = sub;
      n.availability_zone = s.availability_zone;
      n.network_interface = "eni-" + name + std::to_string(k++);
      n.private_ip = ip(addr);
      if (!internal) n.public_ip = Ipv4Address{ip("54.0.0.0").value + static_cast<uint32_t>(k)};
      lb.subnets.push_back(sub);
      lb.nodes.push_back(n);
      model::NetworkInterface e;
      e.id = n.network_interface;
      e.origin = lb.origin;
      e.subnet = sub;
      e.vpc = vpc_id;
      e.private_ip = n.private_ip;
      e.public_ip = n.public_ip;
      e.security_groups = sgs;
      e.owner_kind = model::EniOwnerKind::kLoadBalancer;
      e.owner_id = lb.arn;
      net.network_interfaces.push_back(e);
    }
    net.load_balancers.push_back(lb);
    return lb.arn;
  }

  std::string target_group(const std::string& name, const std::string& vpc_id, uint16_t port,
                           std::vector<std::string> instance_ids) {
    model::TargetGroup tg;
    tg.arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/" + name + "/0123456789abcdef";
    tg.origin = origin(name);
    tg.name = name;
    tg.vpc = vpc_id;
    tg.port = port;
    for (const auto& i : instance_ids) tg.targets.push_back(model::Target{i, std::nullopt, "", {}});
    net.target_groups.push_back(tg);
    return tg.arn;
  }

  // A listener whose default rule forwards to `tg_arn`.
  std::string listener(const std::string& lb_arn, const std::string& name, uint16_t port, const std::string& tg_arn) {
    model::Listener l;
    l.arn = lb_arn + "/listener-" + name;
    l.origin = origin(name);
    l.load_balancer = lb_arn;
    l.port = port;
    alb::Action a;
    a.type = alb::ActionType::kForward;
    a.target_groups.push_back({tg_arn, 1});
    l.default_rule.actions.push_back(a);
    l.default_rule.loc = l.origin.loc;
    net.listeners.push_back(l);
    return l.arn;
  }

  std::string zone(const std::string& name, std::vector<std::string> vpcs, bool is_private = true) {
    model::HostedZone z;
    z.id = "Z" + std::to_string(net.hosted_zones.size() + 100000000);
    z.origin = origin("Zone" + name);
    z.name = name;
    z.is_private = is_private;
    for (const auto& v : vpcs) z.vpcs.push_back({v, "ap-northeast-1"});
    net.hosted_zones.push_back(z);
    return z.id;
  }
  void alias(const std::string& zone_id, const std::string& name, const std::string& target_dns) {
    dns::Record r;
    r.name = name;
    r.type = "A";
    r.is_alias = true;
    r.alias.dns_name = target_dns;
    r.loc = SourceLoc{intern_file("t.yaml"), ++line_, 11};
    find(net.hosted_zones, zone_id).records.push_back(r);
  }
  void a_record(const std::string& zone_id, const std::string& name, const std::string& value) {
    dns::Record r;
    r.name = name;
    r.type = "A";
    r.values.push_back(value);
    find(net.hosted_zones, zone_id).records.push_back(r);
  }

  // Local routes first in every table, then index.
  const model::Network& finish() {
    for (auto& rt : net.route_tables) {
      const auto& v = find(net.vpcs, rt.vpc);
      std::vector<Route> routes;
      for (const auto& c : v.cidrs) {
        Route r;
        r.destination = c;
        r.target_kind = RouteTargetKind::kLocal;
        r.target_id = "local";
        routes.push_back(r);
      }
      for (auto& r : rt.routes)
        if (r.target_kind != RouteTargetKind::kLocal) routes.push_back(r);
      rt.routes = routes;
    }
    net.index();
    return net;
  }

  template <class T>
  static T& find(std::vector<T>& v, const std::string& id) {
    for (auto& x : v) {
      if constexpr (requires { x.arn; }) {
        if (x.arn == id) return x;
      } else {
        if (x.id == id) return x;
      }
    }
    throw std::runtime_error("fixture: no " + id);
  }

 private:
  uint32_t line_ = 0;
};

}  // namespace vpclab::testing
