// CloudFormation -> model, EC2 network: VPCs and their CIDR blocks, subnets, route tables, routes and
// subnet associations, internet gateways and attachments, NAT gateways, Elastic
// IPs and associations, VPC peering connections; the default VPC.
#include <fmt/format.h>

#include <algorithm>

#include "template/intrinsics.h"
#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kVpc = {{"CidrBlock", K::kString},
                     {"EnableDnsHostnames", K::kBool},
                     {"EnableDnsSupport", K::kBool},
                     {"InstanceTenancy", K::kString},
                     {"Ipv4IpamPoolId", K::kString},
                     {"Ipv4NetmaskLength", K::kInt},
                     {"Tags", K::kList, false, &kTag}};
const Schema kVpcCidrBlock = {{"VpcId", K::kString, true},
                              {"CidrBlock", K::kString},
                              {"AmazonProvidedIpv6CidrBlock", K::kBool},
                              {"Ipv6CidrBlock", K::kString},
                              {"Ipv4IpamPoolId", K::kString},
                              {"Ipv4NetmaskLength", K::kInt},
                              {"Ipv6IpamPoolId", K::kString},
                              {"Ipv6NetmaskLength", K::kInt},
                              {"Ipv6Pool", K::kString},
                              {"Ipv6CidrBlockNetworkBorderGroup", K::kString}};
const Schema kSubnet = {{"VpcId", K::kString, true},
                        {"CidrBlock", K::kString},
                        {"AvailabilityZone", K::kString},
                        {"AvailabilityZoneId", K::kString},
                        {"MapPublicIpOnLaunch", K::kBool},
                        {"AssignIpv6AddressOnCreation", K::kBool},
                        {"Ipv6CidrBlock", K::kString},
                        {"Ipv6Native", K::kBool},
                        {"EnableDns64", K::kBool},
                        {"EnableLniAtDeviceIndex", K::kInt},
                        {"OutpostArn", K::kString},
                        {"PrivateDnsNameOptionsOnLaunch", K::kMap},
                        {"Ipv4IpamPoolId", K::kString},
                        {"Ipv4NetmaskLength", K::kInt},
                        {"Ipv6IpamPoolId", K::kString},
                        {"Ipv6NetmaskLength", K::kInt},
                        {"Tags", K::kList, false, &kTag}};
const Schema kRouteTable = {{"VpcId", K::kString, true}, {"Tags", K::kList, false, &kTag}};
const Schema kRoute = {{"RouteTableId", K::kString, true},
                       {"DestinationCidrBlock", K::kString},
                       {"DestinationIpv6CidrBlock", K::kString},
                       {"DestinationPrefixListId", K::kString},
                       {"GatewayId", K::kString},
                       {"NatGatewayId", K::kString},
                       {"VpcPeeringConnectionId", K::kString},
                       {"NetworkInterfaceId", K::kString},
                       {"InstanceId", K::kString},
                       {"TransitGatewayId", K::kString},
                       {"VpcEndpointId", K::kString},
                       {"EgressOnlyInternetGatewayId", K::kString},
                       {"CarrierGatewayId", K::kString},
                       {"LocalGatewayId", K::kString},
                       {"CoreNetworkArn", K::kString}};
const Schema kSubnetRtbAssoc = {{"SubnetId", K::kString, true}, {"RouteTableId", K::kString, true}};
const Schema kInternetGateway = {{"Tags", K::kList, false, &kTag}};
const Schema kGatewayAttachment = {
    {"VpcId", K::kString, true}, {"InternetGatewayId", K::kString}, {"VpnGatewayId", K::kString}};
const Schema kNatGateway = {{"SubnetId", K::kString, true},
                            {"AllocationId", K::kString},
                            {"ConnectivityType", K::kString},
                            {"PrivateIpAddress", K::kString},
                            {"SecondaryAllocationIds", K::kStringList},
                            {"SecondaryPrivateIpAddresses", K::kStringList},
                            {"SecondaryPrivateIpAddressCount", K::kInt},
                            {"MaxDrainDurationSeconds", K::kInt},
                            {"Tags", K::kList, false, &kTag}};
const Schema kEip = {{"Domain", K::kString},           {"InstanceId", K::kString},
                     {"NetworkBorderGroup", K::kString}, {"PublicIpv4Pool", K::kString},
                     {"TransferAddress", K::kString},  {"Address", K::kString},
                     {"IpamPoolId", K::kString},       {"Tags", K::kList, false, &kTag}};
const Schema kEipAssociation = {{"AllocationId", K::kString},
                                {"EIP", K::kString},
                                {"InstanceId", K::kString},
                                {"NetworkInterfaceId", K::kString},
                                {"PrivateIpAddress", K::kString}};
const Schema kPeering = {{"VpcId", K::kString, true},     {"PeerVpcId", K::kString, true},
                         {"PeerOwnerId", K::kString},     {"PeerRegion", K::kString},
                         {"PeerRoleArn", K::kString},     {"Tags", K::kList, false, &kTag}};

// VPCs and subnets from an IPAM pool have no CidrBlock to read.
void cidr_required(const ResourceContext& c) {
  c.error(c.r.loc, "E3003", fmt::format("{}: CidrBlock is required (vpclab does not model IPAM pools)", c.who()));
}

}  // namespace

void ModelSink::Impl::ec2_network_types(TypeTable& t) {
  t["AWS::EC2::VPC"] = {&kVpc, &Impl::add_vpc};
  t["AWS::EC2::VPCCidrBlock"] = {&kVpcCidrBlock, &Impl::add_vpc_cidr_block};
  t["AWS::EC2::Subnet"] = {&kSubnet, &Impl::add_subnet};
  t["AWS::EC2::RouteTable"] = {&kRouteTable, &Impl::add_route_table};
  t["AWS::EC2::Route"] = {&kRoute, &Impl::add_route};
  t["AWS::EC2::SubnetRouteTableAssociation"] = {&kSubnetRtbAssoc, &Impl::add_subnet_rtb_assoc};
  t["AWS::EC2::InternetGateway"] = {&kInternetGateway, &Impl::add_internet_gateway};
  t["AWS::EC2::VPCGatewayAttachment"] = {&kGatewayAttachment, &Impl::add_gateway_attachment};
  t["AWS::EC2::NatGateway"] = {&kNatGateway, &Impl::add_nat_gateway};
  t["AWS::EC2::EIP"] = {&kEip, &Impl::add_eip};
  t["AWS::EC2::EIPAssociation"] = {&kEipAssociation, &Impl::add_eip_association};
  t["AWS::EC2::VPCPeeringConnection"] = {&kPeering, &Impl::add_peering};
}

std::optional<Value> ModelSink::Impl::ec2_network_att(const StackContext&, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kVpc: {
      const auto& v = net.vpcs[e.index];
      if (a == "VpcId") return str_value(v.id);
      if (a == "CidrBlock") return str_value(v.cidrs.empty() ? "" : v.cidrs[0].str());
      if (a == "CidrBlockAssociations") return list_value({e.extra});
      if (a == "DefaultSecurityGroup") return str_value(v.default_security_group);
      if (a == "DefaultNetworkAcl") return str_value(v.default_network_acl);
      if (a == "Ipv6CidrBlocks") return list_value(vpc_ipv6[v.id]);
      break;
    }
    case Kind::kVpcCidrBlock:
      if (a == "Id") return str_value(e.id);
      if (a == "IpSource") return str_value("private");
      if (a == "Ipv6AddressAttribute") return str_value("");
      break;
    case Kind::kSubnet: {
      const auto& s = net.subnets[e.index];
      if (a == "SubnetId") return str_value(s.id);
      if (a == "VpcId") return str_value(s.vpc);
      if (a == "CidrBlock") return str_value(s.cidr.str());
      if (a == "AvailabilityZone") return str_value(s.availability_zone);
      if (a == "AvailabilityZoneId") return str_value(az_id(s.availability_zone));
      if (a == "Ipv6CidrBlocks") return list_value(subnet_ipv6[s.id]);
      if (a == "NetworkAclAssociationId") return str_value(model::make_id("aclassoc", {s.id, "default"}));
      if (a == "OutpostArn") return str_value("");
      break;
    }
    case Kind::kRouteTable:
      if (a == "RouteTableId") return str_value(e.id);
      break;
    case Kind::kRoute:
      if (a == "CidrBlock") return str_value(e.extra);
      break;
    case Kind::kInternetGateway:
      if (a == "InternetGatewayId") return str_value(e.id);
      break;
    case Kind::kNatGateway:
      if (a == "NatGatewayId") return str_value(e.id);
      break;
    case Kind::kEip: {
      const auto& x = net.elastic_ips[e.index];
      if (a == "AllocationId") return str_value(x.allocation_id);
      if (a == "PublicIp") return str_value(x.public_ip.str());
      break;
    }
    case Kind::kEipAssociation:
      if (a == "Id") return str_value(e.id);
      break;
    case Kind::kPeering:
      if (a == "Id") return str_value(e.id);
      break;
    case Kind::kSubnetRtbAssoc:
      if (a == "Id" || a == "AssociationId") return str_value(e.id);
      break;
    default:
      break;
  }
  return std::nullopt;
}

// ---- EC2: VPC, subnets, routing ----------------------------------------
void ModelSink::Impl::add_vpc(C& c) {
  model::Vpc v;
  v.id = c.id("vpc");
  v.origin = c.origin;
  v.name = name_tag(c.prop("Tags"));
  if (auto b = cidr(c, c.prop("CidrBlock"), "CidrBlock")) {
    v.cidrs.push_back(*b);
    v.cidr_locs.push_back(c.loc_of("CidrBlock"));
  } else if (!c.prop("CidrBlock")) {
    cidr_required(c);
  }
  v.enable_dns_support = to_bool(c.prop("EnableDnsSupport"), true);
  v.enable_dns_hostnames = to_bool(c.prop("EnableDnsHostnames"), false);
  // The same ids finalize() would give; known now for GetAtt.
  v.main_route_table = model::make_id("rtb", {v.id, "main"});
  v.default_security_group = model::make_id("sg", {v.id, "default"});
  v.default_network_acl = model::make_id("acl", {v.id, "default"});
  vpc_ix[v.id] = net.vpcs.size();
  reg(c, Kind::kVpc, v.id, net.vpcs.size(), model::make_id("vpc-cidr-assoc", {v.id, "0"}));
  net.vpcs.push_back(std::move(v));
}

void ModelSink::Impl::add_vpc_cidr_block(C& c) {
  model::Vpc* v = vpc(c.str("VpcId"));
  std::string assoc = c.id("vpc-cidr-assoc");
  reg(c, Kind::kVpcCidrBlock, assoc, SIZE_MAX);
  if (!v) return not_modeled(c, c.prop("VpcId"), "VPC");
  if (!c.prop("CidrBlock")) {
    if (c.prop("Ipv6CidrBlock")) {
      vpc_ipv6[v->id].push_back(c.str("Ipv6CidrBlock"));
      return;
    }
    if (c.prop("AmazonProvidedIpv6CidrBlock") || c.prop("Ipv6IpamPoolId") || c.prop("Ipv6Pool")) {
      // Amazon gives a /56 from its pool; vpclab a deterministic one in 2600:1f00::/24 style.
      std::string h = model::make_hex(6, {v->id, "ipv6", std::to_string(vpc_ipv6[v->id].size())});
      vpc_ipv6[v->id].push_back(fmt::format("2600:1f{}:{}:{}00::/56", h.substr(0, 2), h.substr(2, 4), h.substr(0, 2)));
      return;
    }
    cidr_required(c);
    return;
  }
  if (auto b = cidr(c, c.prop("CidrBlock"), "CidrBlock")) {
    v->cidrs.push_back(*b);
    v->cidr_locs.push_back(c.loc_of("CidrBlock"));
  }
}

void ModelSink::Impl::add_subnet(C& c) {
  model::Subnet s;
  s.id = c.id("subnet");
  s.origin = c.origin;
  s.name = name_tag(c.prop("Tags"));
  s.vpc = c.str("VpcId");
  if (auto b = cidr(c, c.prop("CidrBlock"), "CidrBlock")) s.cidr = *b;
  else if (!c.prop("CidrBlock"))
    cidr_required(c);
  s.cidr_loc = c.loc_of("CidrBlock");
  s.availability_zone = c.str("AvailabilityZone");
  if (s.availability_zone.empty()) {
    // AvailabilityZoneId "apne1-az4" -> a zone name; the name<->id mapping
    // differs per account in AWS, vpclab maps az1->a, az2->b, ...
    std::string az_id = c.str("AvailabilityZoneId");
    auto p = az_id.rfind("-az");
    char letter = 'a';
    if (p != std::string::npos && p + 3 < az_id.size() && std::isdigit(static_cast<unsigned char>(az_id[p + 3])))
      letter = static_cast<char>('a' + (az_id[p + 3] - '1'));
    s.availability_zone = c.stack.region + letter;
  }
  s.map_public_ip_on_launch = to_bool(c.prop("MapPublicIpOnLaunch"), false);
  if (c.prop("Ipv6CidrBlock")) subnet_ipv6[s.id].push_back(c.str("Ipv6CidrBlock"));
  subnet_ix[s.id] = net.subnets.size();
  reg(c, Kind::kSubnet, s.id, net.subnets.size());
  net.subnets.push_back(std::move(s));
}

void ModelSink::Impl::add_route_table(C& c) {
  model::RouteTable t;
  t.id = c.id("rtb");
  t.origin = c.origin;
  t.name = name_tag(c.prop("Tags"));
  t.vpc = c.str("VpcId");
  rtb_ix[t.id] = net.route_tables.size();
  reg(c, Kind::kRouteTable, t.id, net.route_tables.size());
  net.route_tables.push_back(std::move(t));
}

void ModelSink::Impl::add_route(C& c) {
  reg(c, Kind::kRoute, "", SIZE_MAX, c.str("DestinationCidrBlock"));
  model::RouteTable* t = find(net.route_tables, rtb_ix, c.str("RouteTableId"));
  if (!t) return not_modeled(c, c.prop("RouteTableId"), "route table");
  Route route;
  route.loc = c.r.loc;
  int dests = 0;
  if (const Value* d = c.prop("DestinationCidrBlock")) {
    ++dests;
    route.destination = cidr(c, d, "DestinationCidrBlock");
    if (!route.destination) return;
  }
  if (c.prop("DestinationIpv6CidrBlock")) ++dests, route.destination_ipv6 = c.str("DestinationIpv6CidrBlock");
  if (c.prop("DestinationPrefixListId")) ++dests, route.destination_prefix_list = c.str("DestinationPrefixListId");
  if (dests != 1) {
    c.error(c.r.loc, "E3014",
            fmt::format("{}: a route needs exactly one of DestinationCidrBlock, DestinationIpv6CidrBlock, "
                        "DestinationPrefixListId ({} given)",
                        c.who(), dests));
    return;
  }
  static const std::pair<const char*, RouteTargetKind> kTargets[] = {
      {"GatewayId", RouteTargetKind::kInternetGateway},
      {"NatGatewayId", RouteTargetKind::kNatGateway},
      {"VpcPeeringConnectionId", RouteTargetKind::kVpcPeeringConnection},
      {"NetworkInterfaceId", RouteTargetKind::kNetworkInterface},
      {"InstanceId", RouteTargetKind::kInstance},
      {"TransitGatewayId", RouteTargetKind::kTransitGateway},
      {"VpcEndpointId", RouteTargetKind::kVpcEndpoint},
      {"EgressOnlyInternetGatewayId", RouteTargetKind::kEgressOnlyInternetGateway},
      {"CarrierGatewayId", RouteTargetKind::kCarrierGateway},
      {"LocalGatewayId", RouteTargetKind::kLocalGateway},
      {"CoreNetworkArn", RouteTargetKind::kCoreNetwork},
  };
  int targets = 0;
  for (const auto& [name, kind] : kTargets)
    if (c.prop(name)) {
      ++targets;
      route.target_kind = kind;
      route.target_id = c.str(name);
    }
  if (targets != 1) {
    c.error(c.r.loc, "E3014",
            fmt::format("{}: a route needs exactly one target (GatewayId, NatGatewayId, VpcPeeringConnectionId, "
                        "NetworkInterfaceId, InstanceId, TransitGatewayId, ...); {} given",
                        c.who(), targets));
    return;
  }
  if (route.target_kind == RouteTargetKind::kInternetGateway && route.target_id.rfind("vgw-", 0) == 0)
    route.target_kind = RouteTargetKind::kVpnGateway;
  t->routes.push_back(std::move(route));
}

void ModelSink::Impl::add_subnet_rtb_assoc(C& c) {
  reg(c, Kind::kSubnetRtbAssoc, c.id("rtbassoc"), SIZE_MAX);
  model::Subnet* s = subnet(c.str("SubnetId"));
  if (!s) return not_modeled(c, c.prop("SubnetId"), "subnet");
  if (s->route_table_explicit) {
    c.error(c.r.loc, "SUBNET_RTB_ASSOCIATED",
            fmt::format("{}: subnet {} is already associated with route table {}; a subnet has one route table",
                        c.who(), s->origin.display(s->id), s->route_table));
    return;
  }
  s->route_table = c.str("RouteTableId");
  s->route_table_explicit = true;
}

void ModelSink::Impl::add_internet_gateway(C& c) {
  model::InternetGateway g;
  g.id = c.id("igw");
  g.origin = c.origin;
  igw_ix[g.id] = net.internet_gateways.size();
  reg(c, Kind::kInternetGateway, g.id, net.internet_gateways.size());
  net.internet_gateways.push_back(std::move(g));
}

void ModelSink::Impl::add_gateway_attachment(C& c) {
  reg(c, Kind::kGatewayAttachment, "", SIZE_MAX);
  bool igw = c.prop("InternetGatewayId") != nullptr, vgw = c.prop("VpnGatewayId") != nullptr;
  if (igw == vgw) {
    c.error(c.r.loc, "E3014", fmt::format("{}: give exactly one of InternetGatewayId, VpnGatewayId", c.who()));
    return;
  }
  if (vgw) return attach_vpn_gateway(c);
  model::InternetGateway* g = find(net.internet_gateways, igw_ix, c.str("InternetGatewayId"));
  if (!g) return not_modeled(c, c.prop("InternetGatewayId"), "internet gateway");
  if (!g->vpc.empty()) {
    c.error(c.r.loc, "IGW_VPC_HAS_GATEWAY",
            fmt::format("{}: internet gateway {} is already attached to {}", c.who(), g->origin.display(g->id), g->vpc));
    return;
  }
  g->vpc = c.str("VpcId");
}

void ModelSink::Impl::add_eip(C& c) {
  model::ElasticIp e;
  e.allocation_id = c.id("eipalloc");
  e.origin = c.origin;
  if (auto a = plan.allocate_public()) e.public_ip = *a;
  if (const Value* i = c.prop("InstanceId")) {
    model::Instance* inst = instance(text(i));
    if (!inst) not_modeled(c, i, "instance");
    else if (!inst->network_interfaces.empty()) e.network_interface = inst->network_interfaces.front();
  }
  eip_alloc_ix[e.allocation_id] = net.elastic_ips.size();
  eip_ip_ix[e.public_ip.str()] = net.elastic_ips.size();
  // Ref of an EIP is its address (AWS).
  reg(c, Kind::kEip, e.public_ip.str(), net.elastic_ips.size());
  net.elastic_ips.push_back(std::move(e));
}

void ModelSink::Impl::add_eip_association(C& c) {
  reg(c, Kind::kEipAssociation, c.id("eipassoc"), SIZE_MAX);
  model::ElasticIp* e = nullptr;
  if (c.prop("AllocationId")) e = find(net.elastic_ips, eip_alloc_ix, c.str("AllocationId"));
  else if (c.prop("EIP")) e = find(net.elastic_ips, eip_ip_ix, c.str("EIP"));
  else
    return c.error(c.r.loc, "E3014", fmt::format("{}: give AllocationId (or EIP)", c.who()));
  if (!e) return not_modeled(c, c.prop("AllocationId") ? c.prop("AllocationId") : c.prop("EIP"), "Elastic IP");
  if (c.prop("NetworkInterfaceId")) {
    model::NetworkInterface* n = eni(c.str("NetworkInterfaceId"));
    if (!n) return not_modeled(c, c.prop("NetworkInterfaceId"), "network interface");
    e->network_interface = n->id;
  } else if (c.prop("InstanceId")) {
    model::Instance* i = instance(c.str("InstanceId"));
    if (!i) return not_modeled(c, c.prop("InstanceId"), "instance");
    if (!i->network_interfaces.empty()) e->network_interface = i->network_interfaces.front();
  } else {
    c.error(c.r.loc, "E3014", fmt::format("{}: give InstanceId or NetworkInterfaceId", c.who()));
  }
}

void ModelSink::Impl::add_nat_gateway(C& c) {
  model::NatGateway n;
  n.id = c.id("nat");
  n.origin = c.origin;
  n.subnet = c.str("SubnetId");
  std::string type = c.str("ConnectivityType");
  if (!type.empty() && type != "public" && type != "private")
    c.error(c.loc_of("ConnectivityType"), "E3031", "ConnectivityType must be public or private");
  n.is_public = type != "private";
  if (auto a = address(c, c.prop("PrivateIpAddress"), "PrivateIpAddress")) n.private_ip = *a;
  // Its interface now, so an Elastic IP association and addresses are known.
  model::NetworkInterface e;
  e.id = model::make_id("eni", {n.id});
  e.origin = c.origin;
  e.subnet = n.subnet;
  e.private_ip = n.private_ip;
  e.owner_kind = model::EniOwnerKind::kNatGateway;
  e.owner_id = n.id;
  e.source_dest_check = false;
  if (model::Subnet* s = subnet(n.subnet)) {
    e.vpc = s->vpc;
    if (e.private_ip.value) plan.reserve(*s, e.private_ip);
  }
  if (const Value* alloc = c.prop("AllocationId"))
    if (attach_eip(c, alloc, e)) n.public_ip = e.public_ip;
  n.network_interface = e.id;
  eni_ix[e.id] = net.network_interfaces.size();
  net.network_interfaces.push_back(std::move(e));
  nat_ix[n.id] = net.nat_gateways.size();
  reg(c, Kind::kNatGateway, n.id, net.nat_gateways.size());
  net.nat_gateways.push_back(std::move(n));
}

void ModelSink::Impl::add_peering(C& c) {
  model::VpcPeeringConnection p;
  p.id = c.id("pcx");
  p.origin = c.origin;
  p.requester.vpc = c.str("VpcId");
  p.requester.account = c.stack.account;
  p.requester.region = c.stack.region;
  p.accepter.vpc = c.str("PeerVpcId");
  p.accepter.account = c.prop("PeerOwnerId") ? c.str("PeerOwnerId") : c.stack.account;
  p.accepter.region = c.prop("PeerRegion") ? c.str("PeerRegion") : c.stack.region;
  // PeerRoleArn: a role in the accepter account CloudFormation assumes to accept.
  p.accepted = c.prop("PeerRoleArn") != nullptr;
  pcx_ix[p.id] = net.peerings.size();
  reg(c, Kind::kPeering, p.id, net.peerings.size());
  net.peerings.push_back(std::move(p));
}

std::string ModelSink::Impl::default_vpc(const C& c) {
  auto [it, fresh] = default_vpcs.try_emplace(c.stack.account + "/" + c.stack.region);
  if (!fresh) return it->second;
  model::Origin o{c.stack.account, c.stack.region, "", "", c.r.loc};
  model::Vpc v;
  v.id = model::make_id("vpc", {c.stack.account, c.stack.region, "default-vpc"});
  v.origin = o;
  v.name = "default";
  v.cidrs.push_back(*Ipv4Cidr::parse("172.31.0.0/16"));
  v.cidr_locs.push_back(o.loc);
  v.enable_dns_hostnames = true;
  v.main_route_table = model::make_id("rtb", {v.id, "main"});
  v.default_security_group = model::make_id("sg", {v.id, "default"});
  v.default_network_acl = model::make_id("acl", {v.id, "default"});
  model::InternetGateway g;
  g.id = model::make_id("igw", {v.id});
  g.origin = o;
  g.vpc = v.id;
  model::RouteTable main;
  main.id = v.main_route_table;
  main.origin = o;
  main.vpc = v.id;
  main.main = true;
  Route r;
  r.destination = Ipv4Cidr{};
  r.target_kind = RouteTargetKind::kInternetGateway;
  r.target_id = g.id;
  r.loc = o.loc;
  main.routes.push_back(r);
  auto zones = availability_zones(c.stack.region);
  for (size_t i = 0; i < zones.size(); ++i) {
    model::Subnet s;
    s.id = model::make_id("subnet", {v.id, zones[i]});
    s.origin = o;
    s.name = "default " + zones[i];
    s.vpc = v.id;
    s.cidr = Ipv4Cidr::of(Ipv4Address{v.cidrs[0].base.value + static_cast<uint32_t>(i << 12)}, 20);
    s.availability_zone = zones[i];
    s.map_public_ip_on_launch = true;
    subnet_ix[s.id] = net.subnets.size();
    net.subnets.push_back(std::move(s));
  }
  igw_ix[g.id] = net.internet_gateways.size();
  net.internet_gateways.push_back(std::move(g));
  rtb_ix[main.id] = net.route_tables.size();
  net.route_tables.push_back(std::move(main));
  vpc_ix[v.id] = net.vpcs.size();
  it->second = v.id;
  c.diags.note(c.r.loc, "DEFAULT_VPC",
               fmt::format("{} has no VPC or subnet: it goes to the default VPC of {} {} (172.31.0.0/16), "
                           "which vpclab models as AWS creates it",
                           c.who(), c.stack.account, c.stack.region));
  net.vpcs.push_back(std::move(v));
  return it->second;
}

// The default subnet of `az` (or of the first zone) in the default VPC.
std::string ModelSink::Impl::default_subnet(const C& c, const std::string& az) {
  std::string vpc_id = default_vpc(c);
  std::string first;
  for (const auto& s : net.subnets) {
    if (s.vpc != vpc_id) continue;
    if (first.empty()) first = s.id;
    if (s.availability_zone == az) return s.id;
  }
  return first;
}

std::string ModelSink::Impl::az_id(const std::string& az) {
  // ap-northeast-1a -> apne1-az1 (vpclab's fixed mapping, see add_subnet).
  if (az.size() < 2) return {};
  std::string region = az.substr(0, az.size() - 1);
  std::string shortr;
  size_t start = 0;
  for (size_t i = 0; i <= region.size(); ++i) {
    if (i == region.size() || region[i] == '-') {
      std::string part = region.substr(start, i - start);
      if (!part.empty()) {
        if (std::isdigit(static_cast<unsigned char>(part[0]))) shortr += part;
        else if (part == "northeast" || part == "southeast" || part == "northwest" || part == "southwest")
          shortr += std::string(1, part[0]) + part[5];
        else
          shortr += part.substr(0, part == "ap" || part == "us" || part == "eu" || part == "sa" || part == "ca" ||
                                           part == "me" || part == "af" || part == "il" || part == "mx"
                                       ? 2
                                       : 1);
      }
      start = i + 1;
    }
  }
  return shortr + "-az" + std::to_string(az.back() - 'a' + 1);
}

}  // namespace vpclab::tmpl
