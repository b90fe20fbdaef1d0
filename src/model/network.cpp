#include "model/network.h"

#include <cassert>

namespace vpclab::model {

std::string Origin::display(const std::string& id) const {
  if (!stack.empty() && !logical_id.empty()) return stack + "." + logical_id;
  if (!logical_id.empty()) return logical_id;
  return id;
}

bool Vpc::contains(Ipv4Address a) const {
  for (const auto& c : cidrs)
    if (c.contains(a)) return true;
  return false;
}

bool Subnet::is_reserved(Ipv4Address a) const {
  uint32_t off = a.value - cidr.base.value;
  return off <= 3 || a == cidr.last();
}

const char* peering_state_name(PeeringState s) {
  switch (s) {
    case PeeringState::kActive: return "active";
    case PeeringState::kPendingAcceptance: return "pending-acceptance";
    case PeeringState::kFailed: return "failed";
    case PeeringState::kRejected: return "rejected";
    case PeeringState::kDeleted: return "deleted";
  }
  return "?";
}

const PeeringSide& VpcPeeringConnection::side_of(const std::string& vpc) const {
  assert(vpc == requester.vpc || vpc == accepter.vpc);
  return vpc == requester.vpc ? requester : accepter;
}

const PeeringSide& VpcPeeringConnection::peer_of(const std::string& vpc) const {
  assert(vpc == requester.vpc || vpc == accepter.vpc);
  return vpc == requester.vpc ? accepter : requester;
}

namespace {
template <class T, class Key>
void build_index(const std::vector<T>& v, Key key, std::unordered_map<std::string, size_t>& ix) {
  ix.clear();
  ix.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) ix.emplace(key(v[i]), i);
}

template <class T>
const T* find(const std::vector<T>& v, const std::unordered_map<std::string, size_t>& ix,
              const std::string& id) {
  auto it = ix.find(id);
  return it == ix.end() ? nullptr : &v[it->second];
}
}  // namespace

void Network::index() {
  auto by_id = [](const auto& x) { return x.id; };
  auto by_arn = [](const auto& x) { return x.arn; };
  build_index(vpcs, by_id, vpc_ix_);
  build_index(subnets, by_id, subnet_ix_);
  build_index(route_tables, by_id, rtb_ix_);
  build_index(internet_gateways, by_id, igw_ix_);
  build_index(nat_gateways, by_id, nat_ix_);
  build_index(peerings, by_id, pcx_ix_);
  build_index(security_groups, by_id, sg_ix_);
  build_index(network_acls, by_id, acl_ix_);
  build_index(network_interfaces, by_id, eni_ix_);
  build_index(instances, by_id, instance_ix_);
  build_index(load_balancers, by_arn, lb_ix_);
  build_index(target_groups, by_arn, tg_ix_);
  build_index(hosted_zones, by_id, zone_ix_);
  build_index(transit_gateways, by_id, tgw_ix_);
  build_index(transit_gateway_attachments, by_id, tgw_attach_ix_);
  build_index(transit_gateway_route_tables, by_id, tgw_rtb_ix_);
  build_index(prefix_lists, by_id, pl_ix_);
  build_index(vpc_endpoints, by_id, vpce_ix_);
  // The first VPC attachment of each (TGW, VPC), as a scan in order would find it.
  vpc_attach_ix_.clear();
  for (size_t i = 0; i < transit_gateway_attachments.size(); ++i) {
    const auto& a = transit_gateway_attachments[i];
    if (a.resource_type == "vpc") vpc_attach_ix_.emplace(a.transit_gateway + "/" + a.resource_id, i);
  }
  build_index(customer_gateways, by_id, cgw_ix_);
  build_index(vpn_gateways, by_id, vgw_ix_);
  build_index(vpn_connections, by_id, vpn_ix_);
  build_index(auto_scaling_groups, [](const auto& x) { return x.name; }, asg_ix_);
  asg_member_ix_.clear();
  for (size_t i = 0; i < auto_scaling_groups.size(); ++i)
    for (const auto& m : auto_scaling_groups[i].instances) asg_member_ix_.emplace(m, i);
  eni_by_private_ip_.clear();
  eni_by_public_ip_.clear();
  for (size_t i = 0; i < network_interfaces.size(); ++i) {
    const auto& e = network_interfaces[i];
    eni_by_private_ip_.emplace(std::make_pair(e.vpc, e.private_ip.value), i);
    for (auto a : e.secondary_private_ips) eni_by_private_ip_.emplace(std::make_pair(e.vpc, a.value), i);
    if (e.public_ip) eni_by_public_ip_.emplace(e.public_ip->value, i);
  }
}

const Vpc* Network::vpc(const std::string& id) const { return find(vpcs, vpc_ix_, id); }
const Subnet* Network::subnet(const std::string& id) const { return find(subnets, subnet_ix_, id); }
const RouteTable* Network::route_table(const std::string& id) const { return find(route_tables, rtb_ix_, id); }
const InternetGateway* Network::internet_gateway(const std::string& id) const {
  return find(internet_gateways, igw_ix_, id);
}
const NatGateway* Network::nat_gateway(const std::string& id) const { return find(nat_gateways, nat_ix_, id); }
const VpcPeeringConnection* Network::peering(const std::string& id) const { return find(peerings, pcx_ix_, id); }
const TransitGateway* Network::transit_gateway(const std::string& id) const {
  return find(transit_gateways, tgw_ix_, id);
}
const TransitGatewayAttachment* Network::transit_gateway_attachment(const std::string& id) const {
  return find(transit_gateway_attachments, tgw_attach_ix_, id);
}
const TransitGatewayRouteTable* Network::transit_gateway_route_table(const std::string& id) const {
  return find(transit_gateway_route_tables, tgw_rtb_ix_, id);
}
const TransitGatewayAttachment* Network::vpc_attachment(const std::string& tgw, const std::string& vpc) const {
  auto it = vpc_attach_ix_.find(tgw + "/" + vpc);
  return it == vpc_attach_ix_.end() ? nullptr : &transit_gateway_attachments[it->second];
}
const CustomerGateway* Network::customer_gateway(const std::string& id) const {
  return find(customer_gateways, cgw_ix_, id);
}
const VpnGateway* Network::vpn_gateway(const std::string& id) const { return find(vpn_gateways, vgw_ix_, id); }
const VpnConnection* Network::vpn_connection(const std::string& id) const {
  return find(vpn_connections, vpn_ix_, id);
}
const OnPremisesNetwork* Network::on_premises_network(const std::string& name) const {
  for (const auto& o : on_premises)
    if (o.name == name) return &o;
  return nullptr;
}
const OnPremisesNetwork* Network::on_premises_network_of(Ipv4Address a) const {
  for (const auto& o : on_premises)
    if (o.contains(a)) return &o;
  return nullptr;
}
std::vector<const VpnConnection*> Network::vpn_connections_of_customer_gateway(const std::string& cgw) const {
  std::vector<const VpnConnection*> out;
  for (const auto& v : vpn_connections)
    if (v.customer_gateway == cgw) out.push_back(&v);
  return out;
}
const SecurityGroup* Network::security_group(const std::string& id) const {
  return find(security_groups, sg_ix_, id);
}
const PrefixList* Network::prefix_list(const std::string& id) const { return find(prefix_lists, pl_ix_, id); }
const VpcEndpoint* Network::vpc_endpoint(const std::string& id) const { return find(vpc_endpoints, vpce_ix_, id); }
const NetworkAcl* Network::network_acl(const std::string& id) const { return find(network_acls, acl_ix_, id); }
const NetworkInterface* Network::network_interface(const std::string& id) const {
  return find(network_interfaces, eni_ix_, id);
}
const Instance* Network::instance(const std::string& id) const { return find(instances, instance_ix_, id); }
const LoadBalancer* Network::load_balancer(const std::string& arn) const {
  return find(load_balancers, lb_ix_, arn);
}
const TargetGroup* Network::target_group(const std::string& arn) const { return find(target_groups, tg_ix_, arn); }
const HostedZone* Network::hosted_zone(const std::string& id) const { return find(hosted_zones, zone_ix_, id); }
const AutoScalingGroup* Network::auto_scaling_group(const std::string& name) const {
  return find(auto_scaling_groups, asg_ix_, name);
}
const AutoScalingGroup* Network::auto_scaling_group_of(const std::string& instance_id) const {
  return find(auto_scaling_groups, asg_member_ix_, instance_id);
}

const NetworkInterface* Network::interface_by_private_ip(const std::string& vpc, Ipv4Address ip) const {
  auto it = eni_by_private_ip_.find({vpc, ip.value});
  return it == eni_by_private_ip_.end() ? nullptr : &network_interfaces[it->second];
}

const NetworkInterface* Network::interface_by_public_ip(Ipv4Address ip) const {
  auto it = eni_by_public_ip_.find(ip.value);
  return it == eni_by_public_ip_.end() ? nullptr : &network_interfaces[it->second];
}

std::vector<const Subnet*> Network::subnets_of(const std::string& vpc) const {
  std::vector<const Subnet*> out;
  for (const auto& s : subnets)
    if (s.vpc == vpc) out.push_back(&s);
  return out;
}

std::vector<const Listener*> Network::listeners_of(const std::string& lb_arn) const {
  std::vector<const Listener*> out;
  for (const auto& l : listeners)
    if (l.load_balancer == lb_arn) out.push_back(&l);
  return out;
}

}  // namespace vpclab::model
