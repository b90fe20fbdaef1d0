// finalize(): network interfaces (the ones AWS creates for NAT gateways and
// load balancer nodes, private addresses, security groups), Elastic IPs,
// instances and NAT gateways.
#include "model/finalizer.h"

#include "semantics/eni.h"

#include <unordered_map>
#include <unordered_set>

namespace vpclab::model {

// ENIs AWS creates for NAT gateways and load balancer nodes. Runs before
// the first index(): subnets are looked up in a local table.
void Finalizer::create_service_interfaces() {
  std::unordered_map<std::string, const Subnet*> subnets;
  for (const auto& s : net_.subnets) subnets.emplace(s.id, &s);
  auto subnet_of = [&](const std::string& id) -> const Subnet* {
    auto it = subnets.find(id);
    return it == subnets.end() ? nullptr : it->second;
  };
  for (auto& n : net_.nat_gateways) {
    const Subnet* s = subnet_of(n.subnet);
    if (!s) {
      error(n.origin.loc, "NAT_UNKNOWN_SUBNET",
            fmt::format("NAT gateway {} names subnet '{}', which is not defined", who(n), n.subnet));
      continue;
    }
    if (!n.network_interface.empty()) continue;
    NetworkInterface e;
    e.id = make_id("eni", {n.id});
    e.origin = n.origin;
    e.subnet = s->id;
    e.vpc = s->vpc;
    e.private_ip = n.private_ip;
    e.public_ip = n.public_ip;
    e.owner_kind = EniOwnerKind::kNatGateway;
    e.owner_id = n.id;
    e.source_dest_check = false;
    n.network_interface = e.id;
    net_.network_interfaces.push_back(std::move(e));
  }
  for (auto& lb : net_.load_balancers) {
    if (!lb.nodes.empty()) continue;
    for (const auto& sid : lb.subnets) {
      const Subnet* s = subnet_of(sid);
      if (!s) continue;  // reported by check_load_balancers
      if (lb.vpc.empty()) lb.vpc = s->vpc;
      LoadBalancerNode node;
      node.subnet = sid;
      node.availability_zone = s->availability_zone;
      NetworkInterface e;
      e.id = make_id("eni", {lb.arn, sid});
      e.origin = lb.origin;
      e.subnet = sid;
      e.vpc = s->vpc;
      e.security_groups = lb.security_groups;
      e.owner_kind = EniOwnerKind::kLoadBalancer;
      e.owner_id = lb.arn;
      node.network_interface = e.id;
      lb.nodes.push_back(node);
      net_.network_interfaces.push_back(std::move(e));
    }
  }
}

void Finalizer::assign_addresses() {
  // Explicit addresses first (AWS rejects one that is in use), then the
  // lowest free address for the rest, in declaration order.
  std::unordered_map<std::string, std::unordered_set<uint32_t>> seen_by_vpc;
  auto seen_insert = [&](const std::string& vpc, uint32_t a) { return seen_by_vpc[vpc].insert(a).second; };
  auto seen_has = [&](const std::string& vpc, uint32_t a) {
    auto it = seen_by_vpc.find(vpc);
    return it != seen_by_vpc.end() && it->second.count(a) > 0;
  };
  auto claim = [&](NetworkInterface& e, const Subnet& s, Ipv4Address a, bool primary) {
    if (!s.cidr.contains(a)) {
      error(e.origin.loc, "ENI_ADDRESS_OUTSIDE_SUBNET",
            fmt::format("{} asks for private IP {}, outside its subnet {} ({})", e.origin.display(e.id), a.str(),
                        who(s), s.cidr.str()));
      return;
    }
    if (s.is_reserved(a)) {
      error(e.origin.loc, "ENI_ADDRESS_RESERVED",
            fmt::format("{} asks for private IP {}, one of the five addresses AWS reserves in {} ({})",
                        e.origin.display(e.id), a.str(), who(s), s.cidr.str()),
            fmt::format("use an address from {} to {}", Ipv4Address{s.cidr.base.value + 4}.str(),
                        Ipv4Address{s.cidr.last().value - 1}.str()));
      return;
    }
    if (!seen_insert(s.vpc, a.value)) {
      error(e.origin.loc, "ENI_ADDRESS_IN_USE",
            fmt::format("{} asks for private IP {}, already in use in subnet {}", e.origin.display(e.id), a.str(), who(s)));
      return;
    }
    plan_.reserve(s, a);  // may already hold it when the front end allocated it early
    (void)primary;
  };
  for (auto& e : net_.network_interfaces) {
    const Subnet* s = net_.subnet(e.subnet);
    if (!s) continue;
    if (e.private_ip.value != 0) claim(e, *s, e.private_ip, true);
    for (auto a : e.secondary_private_ips) claim(e, *s, a, false);
  }
  for (auto& e : net_.network_interfaces) {
    const Subnet* s = net_.subnet(e.subnet);
    if (!s || e.private_ip.value != 0) continue;
    std::optional<Ipv4Address> a;
    // Skip anything an earlier explicit claim or front-end allocation holds.
    while ((a = plan_.allocate(*s)) && seen_has(s->vpc, a->value)) {
    }
    if (!a) {
      error(e.origin.loc, "SUBNET_FULL",
            fmt::format("subnet {} ({}) has no free address left for {}", who(*s), s->cidr.str(), e.origin.display(e.id)));
      continue;
    }
    seen_insert(s->vpc, a->value);
    e.private_ip = *a;
  }
  // Internet-facing load balancer nodes: one public address each.
  std::unordered_map<std::string, const LoadBalancer*> lb_of;
  for (const auto& lb : net_.load_balancers) lb_of[lb.arn] = &lb;
  for (auto& e : net_.network_interfaces) {
    if (e.owner_kind != EniOwnerKind::kLoadBalancer || e.public_ip) continue;
    auto it = lb_of.find(e.owner_id);
    if (it != lb_of.end() && !it->second->internal) e.public_ip = plan_.allocate_public();
  }
  for (auto& lb : net_.load_balancers)
    for (auto& n : lb.nodes)
      if (const NetworkInterface* e = net_.network_interface(n.network_interface)) {
        n.private_ip = e->private_ip;
        n.public_ip = e->public_ip;
      }
}

void Finalizer::associate_elastic_ips() {
  for (auto& eip : net_.elastic_ips) {
    if (eip.network_interface.empty()) continue;
    auto* e = const_cast<NetworkInterface*>(net_.network_interface(eip.network_interface));
    if (!e) {
      error(eip.origin.loc, "EIP_UNKNOWN_ENI",
            fmt::format("Elastic IP {} is associated with '{}', which is not defined", eip.origin.display(eip.allocation_id),
                        eip.network_interface));
      continue;
    }
    // An Elastic IP replaces the auto-assigned public IP.
    e->public_ip = eip.public_ip;
  }
}

// Who owns an interface, for semantics::eni_security_groups.
semantics::EniSecurityGroupOwner Finalizer::security_group_owner(const NetworkInterface& e) const {
  using O = semantics::EniSecurityGroupOwner;
  switch (e.owner_kind) {
    case EniOwnerKind::kNatGateway: return O::kNatGateway;
    case EniOwnerKind::kLoadBalancer: {
      const LoadBalancer* lb = net_.load_balancer(e.owner_id);
      return lb && lb->type != "application" ? O::kOtherLoadBalancer : O::kApplicationLoadBalancer;
    }
    case EniOwnerKind::kInstance:
    case EniOwnerKind::kVpcEndpoint:  // an interface endpoint's: its groups, else the default group
    case EniOwnerKind::kStandalone: break;
  }
  return O::kInstanceOrStandalone;
}

void Finalizer::check_interfaces() {
  // An interface a NAT gateway names is the gateway's, whoever declared it.
  for (const auto& n : net_.nat_gateways)
    if (auto* e = const_cast<NetworkInterface*>(net_.network_interface(n.network_interface));
        e && e->owner_kind != EniOwnerKind::kNatGateway) {
      e->owner_kind = EniOwnerKind::kNatGateway;
      e->owner_id = n.id;
    }
  for (auto& e : net_.network_interfaces) {
    const Subnet* s = net_.subnet(e.subnet);
    if (!s) {
      error(e.origin.loc, "ENI_UNKNOWN_SUBNET",
            fmt::format("{} names subnet '{}', which is not defined", e.origin.display(e.id), e.subnet));
      continue;
    }
    e.vpc = s->vpc;
    // Decided once here; readers take e.security_groups as they are (empty:
    // nothing filters the interface).
    const Vpc* v = net_.vpc(s->vpc);
    e.security_groups = semantics::eni_security_groups(security_group_owner(e), e.security_groups,
                                                       v ? v->default_security_group : std::string{});
    if (e.security_groups.size() > 5)
      error(e.origin.loc, "ENI_SG_LIMIT",
            fmt::format("{} has {} security groups; at most 5 per network interface", e.origin.display(e.id),
                        e.security_groups.size()));
    if (e.owner_kind == EniOwnerKind::kLoadBalancer) continue;  // reported per load balancer
    for (const auto& gid : e.security_groups) {
      const SecurityGroup* g = net_.security_group(gid);
      if (!g)
        error(e.origin.loc, "ENI_UNKNOWN_SG",
              fmt::format("{} uses security group '{}', which is not defined", e.origin.display(e.id), gid));
      else if (g->vpc != e.vpc)
        error(e.origin.loc, "ENI_SG_OTHER_VPC",
              fmt::format("{} is in VPC {} but uses security group {} of VPC {}", e.origin.display(e.id), e.vpc,
                          who(*g), g->vpc));
    }
  }
}

void Finalizer::finish_instances() {
  for (auto& i : net_.instances) {
    if (i.network_interfaces.empty()) {
      error(i.origin.loc, "INSTANCE_UNKNOWN_ENI", fmt::format("instance {} has no network interface", who(i)));
      continue;
    }
    const NetworkInterface* e = net_.network_interface(i.network_interfaces.front());
    if (!e) {
      error(i.origin.loc, "INSTANCE_UNKNOWN_ENI",
            fmt::format("instance {} names network interface '{}', which is not defined", who(i),
                        i.network_interfaces.front()));
      continue;
    }
    i.subnet = e->subnet;
    i.private_ip = e->private_ip;
    i.public_ip = e->public_ip;
    const Vpc* v = net_.vpc(e->vpc);
    const std::string& region = i.origin.region;
    // Names a front end read (snapshots) are kept; templates leave them empty.
    if (i.private_dns_name.empty() && e->private_ip.value != 0)
      i.private_dns_name = private_dns_name(e->private_ip, region);
    if (i.public_dns_name.empty() && i.public_ip && v && v->enable_dns_hostnames)
      i.public_dns_name = public_dns_name(*i.public_ip, region);
  }
}

void Finalizer::finish_nat_gateways() {
  for (auto& n : net_.nat_gateways) {
    const NetworkInterface* e = net_.network_interface(n.network_interface);
    if (!e) continue;
    n.private_ip = e->private_ip;
    if (e->public_ip) n.public_ip = e->public_ip;
    if (n.is_public && !n.public_ip)
      error(n.origin.loc, "NAT_NO_ELASTIC_IP",
            fmt::format("public NAT gateway {} has no Elastic IP", who(n)), "set AllocationId to an AWS::EC2::EIP");
  }
}

}  // namespace vpclab::model
