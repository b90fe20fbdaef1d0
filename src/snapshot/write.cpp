#include "snapshot/write.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "model/build.h"
#include "snapshot/json_util.h"
#include "snapshot/write_folder.h"
#include "vocab/aws_id.h"

namespace vpclab::snapshot {
namespace fs = std::filesystem;

namespace {

std::string state_code_name(model::InstanceState s) {
  switch (s) {
    case model::InstanceState::kRunning: return "running";
    case model::InstanceState::kStopped: return "stopped";
    case model::InstanceState::kTerminated: return "terminated";
  }
  return "running";
}

int state_code(model::InstanceState s) {
  switch (s) {
    case model::InstanceState::kRunning: return 16;
    case model::InstanceState::kStopped: return 80;
    case model::InstanceState::kTerminated: return 48;
  }
  return 16;
}

class Writer {
 public:
  Writer(const model::Network& net, Diagnostics& diags) : net_(net), diags_(diags) {}
  void collect();
  bool run(const std::string& dir);
  std::map<std::string, std::string> resources() const;

 private:
  const model::Network& net_;
  Diagnostics& diags_;
  std::map<std::pair<std::string, std::string>, Folder> folders_;
  std::unordered_map<std::string, size_t> addresses_used_;                         // subnet -> addresses in use
  std::unordered_map<std::string, std::vector<const model::Subnet*>> explicit_subnets_;  // rtb -> subnets
  std::unordered_map<std::string, std::vector<const model::Subnet*>> acl_subnets_;       // acl -> subnets

  Folder& at(const model::Origin& o) { return folders_[{o.account, o.region}]; }
  std::string owner(const model::Origin& o) const { return o.account; }
  std::string subnet_az(const std::string& subnet) const {
    const auto* s = net_.subnet(subnet);
    return s ? s->availability_zone : std::string();
  }
  std::string group_name(const std::string& id) const {
    const auto* g = net_.security_group(id);
    return g ? g->group_name : std::string();
  }

  void vpcs();
  void subnets();
  void route_tables();
  void internet_gateways();
  void nat_gateways();
  void addresses();
  void peerings();
  void security_groups();
  void network_acls();
  ojson eni_json(const model::NetworkInterface& e, bool in_instance) const;
  void network_interfaces();
  void instances();
  void load_balancers();
  void target_groups();
  void listeners();
  void hosted_zones();
};

void Writer::vpcs() {
  for (const auto& v : net_.vpcs) {
    auto& f = at(v.origin);
    ojson assoc = ojson::array();
    for (size_t i = 0; i < v.cidrs.size(); ++i)
      assoc.push_back({{"AssociationId", model::make_id("vpc-cidr-assoc", {v.id, v.cidrs[i].str()})},
                       {"CidrBlock", v.cidrs[i].str()},
                       {"CidrBlockState", {{"State", "associated"}}}});
    f.list("vpcs.json", "Vpcs")
        .push_back({{"CidrBlock", v.cidrs.empty() ? "" : v.cidrs[0].str()},
                    {"DhcpOptionsId", model::make_id("dopt", {v.origin.account, v.origin.region})},
                    {"State", "available"},
                    {"VpcId", v.id},
                    {"OwnerId", owner(v.origin)},
                    {"InstanceTenancy", "default"},
                    {"CidrBlockAssociationSet", assoc},
                    {"IsDefault", false},
                    {"Tags", tags(v.name)}});
    // aws ec2 describe-vpc-attribute --attribute enableDnsSupport / enableDnsHostnames
    f.file("vpc-attribute-" + v.id + "-enableDnsSupport.json", v.id) =
        ojson{{"VpcId", v.id}, {"EnableDnsSupport", {{"Value", v.enable_dns_support}}}};
    f.file("vpc-attribute-" + v.id + "-enableDnsHostnames.json", v.id) =
        ojson{{"VpcId", v.id}, {"EnableDnsHostnames", {{"Value", v.enable_dns_hostnames}}}};
  }
}

void Writer::subnets() {
  for (const auto& s : net_.subnets) {
    auto& f = at(s.origin);
    // Five addresses are reserved; the rest minus those in use are free.
    size_t used = addresses_used_[s.id];
    long long avail = static_cast<long long>(s.cidr.size()) - 5 - static_cast<long long>(used);
    f.list("subnets.json", "Subnets")
        .push_back({{"AvailabilityZone", s.availability_zone},
                    {"AvailableIpAddressCount", std::max(0LL, avail)},
                    {"CidrBlock", s.cidr.str()},
                    {"DefaultForAz", false},
                    {"MapPublicIpOnLaunch", s.map_public_ip_on_launch},
                    {"State", "available"},
                    {"SubnetId", s.id},
                    {"VpcId", s.vpc},
                    {"OwnerId", owner(s.origin)},
                    {"AssignIpv6AddressOnCreation", false},
                    {"Ipv6CidrBlockAssociationSet", ojson::array()},
                    {"Tags", tags(s.name)},
                    {"SubnetArn", "arn:aws:ec2:" + s.origin.region + ":" + s.origin.account + ":subnet/" + s.id}});
  }
}

void Writer::route_tables() {
  for (const auto& t : net_.route_tables) {
    auto& f = at(t.origin);
    ojson assocs = ojson::array();
    if (t.main)
      assocs.push_back({{"Main", true},
                        {"RouteTableAssociationId", model::make_id("rtbassoc", {t.id, "main"})},
                        {"RouteTableId", t.id},
                        {"AssociationState", {{"State", "associated"}}}});
    for (const auto* s : explicit_subnets_[t.id])
      assocs.push_back({{"Main", false},
                        {"RouteTableAssociationId", model::make_id("rtbassoc", {t.id, s->id})},
                        {"RouteTableId", t.id},
                        {"SubnetId", s->id},
                        {"AssociationState", {{"State", "associated"}}}});
    ojson routes = ojson::array();
    for (const auto& r : t.routes) {
      ojson j = ojson::object();
      if (r.destination) j["DestinationCidrBlock"] = r.destination->str();
      if (!r.destination_ipv6.empty()) j["DestinationIpv6CidrBlock"] = r.destination_ipv6;
      if (!r.destination_prefix_list.empty()) j["DestinationPrefixListId"] = r.destination_prefix_list;
      switch (r.target_kind) {
        case RouteTargetKind::kLocal: j["GatewayId"] = "local"; break;
        case RouteTargetKind::kInternetGateway:
        case RouteTargetKind::kVpnGateway:
        case RouteTargetKind::kVpcEndpoint: j["GatewayId"] = r.target_id; break;
        case RouteTargetKind::kNatGateway: j["NatGatewayId"] = r.target_id; break;
        case RouteTargetKind::kVpcPeeringConnection: j["VpcPeeringConnectionId"] = r.target_id; break;
        case RouteTargetKind::kNetworkInterface: j["NetworkInterfaceId"] = r.target_id; break;
        case RouteTargetKind::kInstance: {
          // AWS prints the instance, its owner and its primary interface.
          j["InstanceId"] = r.target_id;
          j["InstanceOwnerId"] = owner(t.origin);
          if (const auto* i = net_.instance(r.target_id); i && !i->network_interfaces.empty())
            j["NetworkInterfaceId"] = i->network_interfaces.front();
          break;
        }
        case RouteTargetKind::kTransitGateway: j["TransitGatewayId"] = r.target_id; break;
        case RouteTargetKind::kEgressOnlyInternetGateway: j["EgressOnlyInternetGatewayId"] = r.target_id; break;
        case RouteTargetKind::kCarrierGateway: j["CarrierGatewayId"] = r.target_id; break;
        case RouteTargetKind::kLocalGateway: j["LocalGatewayId"] = r.target_id; break;
        case RouteTargetKind::kCoreNetwork: j["CoreNetworkArn"] = r.target_id; break;
      }
      j["Origin"] = r.target_kind == RouteTargetKind::kLocal ? "CreateRouteTable"
                    : r.propagated                          ? "EnableVgwRoutePropagation"
                                                            : "CreateRoute";
      j["State"] = r.state == RouteState::kBlackhole ? "blackhole" : "active";
      routes.push_back(j);
    }
    ojson vgws = ojson::array();
    for (const auto& pv : net_.vpn_gateway_route_propagations)
      if (pv.route_table == t.id) vgws.push_back({{"GatewayId", pv.vpn_gateway}});
    f.list("route-tables.json", "RouteTables")
        .push_back({{"Associations", assocs},
                    {"PropagatingVgws", vgws},
                    {"RouteTableId", t.id},
                    {"Routes", routes},
                    {"Tags", tags(t.name)},
                    {"VpcId", t.vpc},
                    {"OwnerId", owner(t.origin)}});
  }
}

void Writer::internet_gateways() {
  for (const auto& g : net_.internet_gateways) {
    ojson att = ojson::array();
    if (!g.vpc.empty()) att.push_back({{"State", "available"}, {"VpcId", g.vpc}});
    at(g.origin).list("internet-gateways.json", "InternetGateways")
        .push_back({{"Attachments", att}, {"InternetGatewayId", g.id}, {"OwnerId", owner(g.origin)}, {"Tags", tags("")}});
  }
}

void Writer::nat_gateways() {
  for (const auto& n : net_.nat_gateways) {
    const auto* s = net_.subnet(n.subnet);
    ojson addr = {{"NetworkInterfaceId", n.network_interface}, {"PrivateIp", n.private_ip.str()}};
    if (n.public_ip) {
      std::string alloc;
      for (const auto& e : net_.elastic_ips)
        if (e.public_ip == *n.public_ip) alloc = e.allocation_id;
      if (!alloc.empty()) addr["AllocationId"] = alloc;
      addr["PublicIp"] = n.public_ip->str();
    }
    addr["IsPrimary"] = true;
    addr["Status"] = "succeeded";
    at(n.origin).list("nat-gateways.json", "NatGateways")
        .push_back({{"CreateTime", "2024-01-01T00:00:00+00:00"},
                    {"NatGatewayAddresses", ojson::array({addr})},
                    {"NatGatewayId", n.id},
                    {"State", "available"},
                    {"SubnetId", n.subnet},
                    {"VpcId", s ? s->vpc : ""},
                    {"Tags", tags("")},
                    {"ConnectivityType", n.is_public ? "public" : "private"}});
  }
}

void Writer::addresses() {
  for (const auto& a : net_.elastic_ips) {
    ojson j = ojson::object();
    const auto* e = a.network_interface.empty() ? nullptr : net_.network_interface(a.network_interface);
    if (e && e->owner_kind == model::EniOwnerKind::kInstance) j["InstanceId"] = e->owner_id;
    j["PublicIp"] = a.public_ip.str();
    j["AllocationId"] = a.allocation_id;
    if (e) {
      j["AssociationId"] = model::make_id("eipassoc", {a.allocation_id, e->id});
      j["Domain"] = "vpc";
      j["NetworkInterfaceId"] = e->id;
      j["NetworkInterfaceOwnerId"] = owner(a.origin);
      j["PrivateIpAddress"] = e->private_ip.str();
    } else {
      j["Domain"] = "vpc";
    }
    j["PublicIpv4Pool"] = "amazon";
    j["NetworkBorderGroup"] = a.origin.region;
    at(a.origin).list("addresses.json", "Addresses").push_back(j);
  }
}

void Writer::peerings() {
  for (const auto& p : net_.peerings) {
    auto side = [&](const model::PeeringSide& s) {
      ojson info = ojson::object();
      const auto* v = net_.vpc(s.vpc);
      if (v && !v->cidrs.empty()) {
        info["CidrBlock"] = v->cidrs[0].str();
        ojson set = ojson::array();
        for (const auto& c : v->cidrs) set.push_back({{"CidrBlock", c.str()}});
        info["CidrBlockSet"] = set;
      }
      info["OwnerId"] = s.account;
      info["PeeringOptions"] = {{"AllowDnsResolutionFromRemoteVpc", s.allow_dns_resolution_from_remote_vpc},
                                {"AllowEgressFromLocalClassicLinkToRemoteVpc", false},
                                {"AllowEgressFromLocalVpcToRemoteClassicLink", false}};
      info["VpcId"] = s.vpc;
      info["Region"] = s.region;
      return info;
    };
    std::string code = model::peering_state_name(p.state);
    std::string message = p.state_reason.empty() ? (p.state == model::PeeringState::kActive ? "Active" : code)
                                                  : p.state_reason;
    ojson j = {{"AccepterVpcInfo", side(p.accepter)},
               {"RequesterVpcInfo", side(p.requester)},
               {"Status", {{"Code", code}, {"Message", message}}},
               {"Tags", tags("")},
               {"VpcPeeringConnectionId", p.id}};
    // Both accounts' describe-vpc-peering-connections list it.
    std::set<std::pair<std::string, std::string>> where = {{p.requester.account, p.requester.region},
                                                           {p.accepter.account, p.accepter.region}};
    for (const auto& w : where) folders_[w].list("vpc-peering-connections.json", "VpcPeeringConnections").push_back(j);
  }
}

ojson permissions(const std::vector<SecurityGroupRule>& rules, const std::string& own_account) {
  // AWS groups the rules of one protocol and port range into one permission.
  ojson out = ojson::array();
  std::map<std::tuple<int, int, int>, size_t> slot;
  for (const auto& r : rules) {
    int from = -1, to = -1;
    if (protocol_has_ports(r.protocol)) {
      from = r.ports.from;
      to = r.ports.to;
    } else if (r.protocol == kIcmp || r.protocol == kIcmpv6) {
      from = r.icmp_type;
      to = r.icmp_code;
    }
    auto key = std::make_tuple(r.protocol, from, to);
    auto it = slot.find(key);
    if (it == slot.end()) {
      ojson p = ojson::object();
      if (r.protocol != kAllProtocols) p["FromPort"] = from;
      p["IpProtocol"] = r.protocol == kAllProtocols ? "-1" : protocol_name(r.protocol);
      p["IpRanges"] = ojson::array();
      p["Ipv6Ranges"] = ojson::array();
      p["PrefixListIds"] = ojson::array();
      if (r.protocol != kAllProtocols) p["ToPort"] = to;
      p["UserIdGroupPairs"] = ojson::array();
      it = slot.emplace(key, out.size()).first;
      out.push_back(p);
    }
    ojson& p = out[it->second];
    auto with_desc = [&](ojson j) {
      if (!r.description.empty()) j["Description"] = r.description;
      return j;
    };
    if (r.cidr) p["IpRanges"].push_back(with_desc({{"CidrIp", r.cidr->str()}}));
    if (!r.cidr_ipv6.empty()) p["Ipv6Ranges"].push_back(with_desc({{"CidrIpv6", r.cidr_ipv6}}));
    if (!r.prefix_list_id.empty()) p["PrefixListIds"].push_back(with_desc({{"PrefixListId", r.prefix_list_id}}));
    if (!r.group_id.empty())
      p["UserIdGroupPairs"].push_back(
          with_desc({{"GroupId", r.group_id}, {"UserId", r.group_owner.empty() ? own_account : r.group_owner}}));
  }
  return out;
}

void Writer::security_groups() {
  for (const auto& g : net_.security_groups) {
    at(g.origin).list("security-groups.json", "SecurityGroups")
        .push_back({{"Description", g.is_default ? "default VPC security group" : g.group_name},
                    {"GroupName", g.group_name},
                    {"IpPermissions", permissions(g.ingress, g.origin.account)},
                    {"OwnerId", owner(g.origin)},
                    {"GroupId", g.id},
                    {"IpPermissionsEgress", permissions(g.egress, g.origin.account)},
                    {"VpcId", g.vpc}});
  }
}

void Writer::network_acls() {
  for (const auto& a : net_.network_acls) {
    ojson assocs = ojson::array();
    for (const auto* s : acl_subnets_[a.id])
      assocs.push_back({{"NetworkAclAssociationId", model::make_id("aclassoc", {a.id, s->id})},
                        {"NetworkAclId", a.id},
                        {"SubnetId", s->id}});
    ojson entries = ojson::array();
    // AWS lists egress entries first, each direction by rule number.
    for (const auto* list : {&a.egress, &a.ingress})
      for (const auto& e : *list) {
        ojson j = ojson::object();
        if (e.cidr) j["CidrBlock"] = e.cidr->str();
        if (!e.cidr_ipv6.empty()) j["Ipv6CidrBlock"] = e.cidr_ipv6;
        j["Egress"] = e.direction == Direction::kEgress;
        if (e.protocol == kIcmp || e.protocol == kIcmpv6)
          j["IcmpTypeCode"] = {{"Code", e.icmp_code}, {"Type", e.icmp_type}};
        if (protocol_has_ports(e.protocol)) j["PortRange"] = {{"From", e.ports.from}, {"To", e.ports.to}};
        j["Protocol"] = e.protocol == kAllProtocols ? "-1" : std::to_string(e.protocol);
        j["RuleAction"] = e.allow ? "allow" : "deny";
        j["RuleNumber"] = e.rule_number;
        entries.push_back(j);
      }
    at(a.origin).list("network-acls.json", "NetworkAcls")
        .push_back({{"Associations", assocs},
                    {"Entries", entries},
                    {"IsDefault", a.is_default},
                    {"NetworkAclId", a.id},
                    {"Tags", tags("")},
                    {"VpcId", a.vpc},
                    {"OwnerId", owner(a.origin)}});
  }
}

ojson Writer::eni_json(const model::NetworkInterface& e, bool in_instance) const {
  ojson j = ojson::object();
  if (e.public_ip) {
    j["Association"] = {{"IpOwnerId", "amazon"},
                        {"PublicDnsName", model::public_dns_name(*e.public_ip, e.origin.region)},
                        {"PublicIp", e.public_ip->str()}};
  }
  ojson att = ojson::object();
  att["AttachmentId"] = model::make_id("eni-attach", {e.id});
  att["DeleteOnTermination"] = e.owner_kind == model::EniOwnerKind::kInstance;
  size_t index = 0;
  if (e.owner_kind == model::EniOwnerKind::kInstance) {
    if (const auto* i = net_.instance(e.owner_id))
      for (size_t k = 0; k < i->network_interfaces.size(); ++k)
        if (i->network_interfaces[k] == e.id) index = k;
  } else {
    index = 1;
  }
  att["DeviceIndex"] = index;
  if (!in_instance && e.owner_kind == model::EniOwnerKind::kInstance) att["InstanceId"] = e.owner_id;
  att["Status"] = "attached";
  if (e.owner_kind != model::EniOwnerKind::kStandalone) j["Attachment"] = att;
  if (!in_instance) j["AvailabilityZone"] = subnet_az(e.subnet);
  std::string desc;
  std::string type = "interface";
  if (e.owner_kind == model::EniOwnerKind::kLoadBalancer) {
    const auto* lb = net_.load_balancer(e.owner_id);
    desc = "ELB " + (lb ? lb->full_name : e.owner_id);
    if (lb && lb->type == "network") type = "network_load_balancer";
  } else if (e.owner_kind == model::EniOwnerKind::kNatGateway) {
    desc = "Interface for NAT Gateway " + e.owner_id;
    type = "nat_gateway";
  } else if (e.owner_kind == model::EniOwnerKind::kVpcEndpoint) {
    desc = "VPC Endpoint Interface " + e.owner_id;
    type = "vpc_endpoint";
  }
  j["Description"] = desc;
  ojson groups = ojson::array();
  for (const auto& g : e.security_groups) groups.push_back({{"GroupName", group_name(g)}, {"GroupId", g}});
  j["Groups"] = groups;
  j["InterfaceType"] = type;
  j["Ipv6Addresses"] = ojson::array();
  j["NetworkInterfaceId"] = e.id;
  j["OwnerId"] = owner(e.origin);
  j["PrivateDnsName"] = model::private_dns_name(e.private_ip, e.origin.region);
  j["PrivateIpAddress"] = e.private_ip.str();
  ojson ips = ojson::array();
  ojson primary = {{"Primary", true},
                   {"PrivateDnsName", model::private_dns_name(e.private_ip, e.origin.region)},
                   {"PrivateIpAddress", e.private_ip.str()}};
  if (e.public_ip) primary["Association"] = j["Association"];
  ips.push_back(primary);
  for (const auto& s : e.secondary_private_ips)
    ips.push_back({{"Primary", false},
                   {"PrivateDnsName", model::private_dns_name(s, e.origin.region)},
                   {"PrivateIpAddress", s.str()}});
  j["PrivateIpAddresses"] = ips;
  if (e.owner_kind == model::EniOwnerKind::kLoadBalancer || e.owner_kind == model::EniOwnerKind::kNatGateway ||
      e.owner_kind == model::EniOwnerKind::kVpcEndpoint)
    j["RequesterManaged"] = true;
  j["SourceDestCheck"] = e.source_dest_check;
  j["Status"] = "in-use";
  j["SubnetId"] = e.subnet;
  if (!in_instance) j["TagSet"] = ojson::array();
  j["VpcId"] = e.vpc;
  return j;
}

void Writer::network_interfaces() {
  for (const auto& e : net_.network_interfaces)
    at(e.origin).list("network-interfaces.json", "NetworkInterfaces").push_back(eni_json(e, false));
}

void Writer::instances() {
  for (const auto& i : net_.instances) {
    const auto* s = net_.subnet(i.subnet);
    ojson enis = ojson::array();
    ojson groups = ojson::array();
    std::set<std::string> seen_groups;
    for (const auto& id : i.network_interfaces)
      if (const auto* e = net_.network_interface(id)) {
        enis.push_back(eni_json(*e, true));
        for (const auto& g : e->security_groups)
          if (seen_groups.insert(g).second) groups.push_back({{"GroupName", group_name(g)}, {"GroupId", g}});
      }
    ojson inst = ojson::object();
    inst["AmiLaunchIndex"] = 0;
    inst["ImageId"] = i.image_id;
    inst["InstanceId"] = i.id;
    inst["InstanceType"] = i.instance_type;
    if (!i.key_name.empty()) inst["KeyName"] = i.key_name;
    inst["LaunchTime"] = "2024-01-01T00:00:00+00:00";
    inst["Placement"] = {{"AvailabilityZone", s ? s->availability_zone : ""}, {"GroupName", ""}, {"Tenancy", "default"}};
    inst["PrivateDnsName"] = i.private_dns_name;
    inst["PrivateIpAddress"] = i.private_ip.str();
    inst["PublicDnsName"] = i.public_dns_name;
    if (i.public_ip) inst["PublicIpAddress"] = i.public_ip->str();
    inst["State"] = {{"Code", state_code(i.state)}, {"Name", state_code_name(i.state)}};
    inst["SubnetId"] = i.subnet;
    inst["VpcId"] = s ? s->vpc : "";
    inst["NetworkInterfaces"] = enis;
    inst["SecurityGroups"] = groups;
    inst["SourceDestCheck"] = true;
    inst["Tags"] = tags(i.name);
    at(i.origin).list("instances.json", "Reservations")
        .push_back({{"Groups", ojson::array()},
                    {"Instances", ojson::array({inst})},
                    {"OwnerId", owner(i.origin)},
                    {"ReservationId", "r-0" + model::make_hex(16, {"reservation", i.id})}});
  }
}

void Writer::load_balancers() {
  for (const auto& lb : net_.load_balancers) {
    auto& f = at(lb.origin);
    ojson azs = ojson::array();
    for (const auto& sid : lb.subnets) {
      ojson addrs = ojson::array();
      if (lb.type == "network")
        for (const auto& n : lb.nodes)
          if (n.subnet == sid) {
            ojson a = {{"PrivateIPv4Address", n.private_ip.str()}};
            if (n.public_ip) a["IpAddress"] = n.public_ip->str();
            addrs.push_back(a);
          }
      azs.push_back({{"ZoneName", subnet_az(sid)}, {"SubnetId", sid}, {"LoadBalancerAddresses", addrs}});
    }
    ojson j = {{"LoadBalancerArn", lb.arn},
               {"DNSName", lb.dns_name},
               {"CanonicalHostedZoneId", lb.canonical_hosted_zone_id},
               {"CreatedTime", "2024-01-01T00:00:00.000000+00:00"},
               {"LoadBalancerName", lb.name},
               {"Scheme", lb.internal ? "internal" : "internet-facing"},
               {"VpcId", lb.vpc},
               {"State", {{"Code", "active"}}},
               {"Type", lb.type},
               {"AvailabilityZones", azs}};
    if (!lb.security_groups.empty()) j["SecurityGroups"] = lb.security_groups;
    if (lb.type == "network" && !lb.security_groups.empty())
      j["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = lb.enforce_sg_inbound_on_privatelink ? "on" : "off";
    j["IpAddressType"] = "ipv4";
    f.list("elbv2-load-balancers.json", "LoadBalancers").push_back(j);
    const auto& a = lb.attributes;
    auto b = [](bool x) { return x ? "true" : "false"; };
    ojson attrs = ojson::array();
    auto add = [&](const char* k, const std::string& v) { attrs.push_back({{"Key", k}, {"Value", v}}); };
    add("idle_timeout.timeout_seconds", std::to_string(a.idle_timeout_seconds));
    add("routing.http.xff_header_processing.mode", std::string(alb::enum_name(a.xff_header_processing_mode)));
    add("routing.http.xff_client_port.enabled", b(a.xff_client_port));
    add("routing.http.preserve_host_header.enabled", b(a.preserve_host_header));
    add("routing.http.drop_invalid_header_fields.enabled", b(a.drop_invalid_header_fields));
    add("routing.http.desync_mitigation_mode", std::string(alb::enum_name(a.desync_mitigation_mode)));
    add("routing.http2.enabled", b(a.http2_enabled));
    add("deletion_protection.enabled", "false");
    add("access_logs.s3.enabled", "false");
    if (a.cross_zone) add("load_balancing.cross_zone.enabled", b(*a.cross_zone));
    // scripts/snapshot adds LoadBalancerArn with --query, so the file names its owner.
    f.file("elbv2-lb-attributes-" + lb.name + ".json", lb.arn) = ojson{{"LoadBalancerArn", lb.arn}, {"Attributes", attrs}};
  }
}

void Writer::target_groups() {
  for (const auto& tg : net_.target_groups) {
    auto& f = at(tg.origin);
    const auto& hc = tg.health_check;
    ojson j = {{"TargetGroupArn", tg.arn},
               {"TargetGroupName", tg.name},
               {"Protocol", tg.protocol},
               {"Port", tg.port},
               {"VpcId", tg.vpc},
               {"HealthCheckProtocol", hc.protocol},
               {"HealthCheckPort", hc.port},
               {"HealthCheckEnabled", hc.enabled},
               {"HealthCheckIntervalSeconds", hc.interval_seconds},
               {"HealthCheckTimeoutSeconds", hc.timeout_seconds},
               {"HealthyThresholdCount", hc.healthy_threshold},
               {"UnhealthyThresholdCount", hc.unhealthy_threshold},
               {"HealthCheckPath", hc.path},
               {"Matcher", {{"HttpCode", hc.matcher}}},
               {"LoadBalancerArns", tg.load_balancers},
               {"TargetType", tg.target_type},
               {"ProtocolVersion", tg.protocol_version},
               {"IpAddressType", "ipv4"}};
    f.list("elbv2-target-groups.json", "TargetGroups").push_back(j);
    ojson health = ojson::array();
    for (const auto& t : tg.targets) {
      ojson target = {{"Id", t.id}, {"Port", t.port.value_or(tg.port)}};
      if (!t.availability_zone.empty()) target["AvailabilityZone"] = t.availability_zone;
      health.push_back({{"Target", target},
                        {"HealthCheckPort", hc.port == "traffic-port" ? std::to_string(t.port.value_or(tg.port)) : hc.port},
                        {"TargetHealth", {{"State", "healthy"}}}});
    }
    f.file("elbv2-target-health-" + tg.name + ".json", tg.arn) =
        ojson{{"TargetGroupArn", tg.arn}, {"TargetHealthDescriptions", health}};
    const auto& a = tg.attributes;
    ojson attrs = ojson::array();
    auto add = [&](const char* k, const std::string& v) { attrs.push_back({{"Key", k}, {"Value", v}}); };
    add("deregistration_delay.timeout_seconds", std::to_string(a.deregistration_delay_seconds));
    add("slow_start.duration_seconds", std::to_string(a.slow_start_seconds));
    add("load_balancing.algorithm.type", std::string(alb::enum_name(a.algorithm)));
    add("stickiness.enabled", a.stickiness_enabled ? "true" : "false");
    add("stickiness.type", std::string(alb::enum_name(a.stickiness_type)));
    add("stickiness.lb_cookie.duration_seconds", std::to_string(a.lb_cookie_duration_seconds));
    add("stickiness.app_cookie.cookie_name", a.app_cookie_name);
    add("stickiness.app_cookie.duration_seconds", std::to_string(a.app_cookie_duration_seconds));
    add("load_balancing.cross_zone.enabled", std::string(alb::enum_name(a.cross_zone)));
    if (a.preserve_client_ip) add("preserve_client_ip.enabled", *a.preserve_client_ip ? "true" : "false");
    if (a.proxy_protocol_v2) add("proxy_protocol_v2.enabled", "true");
    f.file("elbv2-tg-attributes-" + tg.name + ".json", tg.arn) = ojson{{"TargetGroupArn", tg.arn}, {"Attributes", attrs}};
  }
}

ojson action_json(const alb::Action& a) {
  ojson j = ojson::object();
  j["Type"] = alb::action_type_name(a.type);
  switch (a.type) {
    case alb::ActionType::kForward: {
      if (a.target_groups.size() == 1) j["TargetGroupArn"] = a.target_groups[0].target_group_arn;
      j["Order"] = a.order;
      ojson tgs = ojson::array();
      for (const auto& w : a.target_groups) tgs.push_back({{"TargetGroupArn", w.target_group_arn}, {"Weight", w.weight}});
      ojson stick = {{"Enabled", a.group_stickiness}};
      if (a.group_stickiness) stick["DurationSeconds"] = a.group_stickiness_seconds;
      j["ForwardConfig"] = {{"TargetGroups", tgs}, {"TargetGroupStickinessConfig", stick}};
      break;
    }
    case alb::ActionType::kRedirect:
      j["Order"] = a.order;
      j["RedirectConfig"] = {{"Protocol", a.redirect.protocol}, {"Port", a.redirect.port},
                             {"Host", a.redirect.host},         {"Path", a.redirect.path},
                             {"Query", a.redirect.query},
                             {"StatusCode", a.redirect.status_code == 302 ? "HTTP_302" : "HTTP_301"}};
      break;
    case alb::ActionType::kFixedResponse: {
      j["Order"] = a.order;
      ojson fr = ojson::object();
      if (!a.fixed_response.body.empty()) fr["MessageBody"] = a.fixed_response.body;
      fr["StatusCode"] = std::to_string(a.fixed_response.status_code);
      if (!a.fixed_response.content_type.empty()) fr["ContentType"] = a.fixed_response.content_type;
      j["FixedResponseConfig"] = fr;
      break;
    }
    default:
      j["Order"] = a.order;
      break;
  }
  return j;
}

ojson condition_json(const alb::RuleCondition& c) {
  ojson j = ojson::object();
  j["Field"] = alb::condition_field_name(c.field);
  switch (c.field) {
    case alb::ConditionField::kHostHeader:
      j["Values"] = c.values;
      j["HostHeaderConfig"] = {{"Values", c.values}};
      break;
    case alb::ConditionField::kPathPattern:
      j["Values"] = c.values;
      j["PathPatternConfig"] = {{"Values", c.values}};
      break;
    case alb::ConditionField::kHttpHeader:
      j["HttpHeaderConfig"] = {{"HttpHeaderName", c.header_name}, {"Values", c.values}};
      break;
    case alb::ConditionField::kHttpRequestMethod:
      j["HttpRequestMethodConfig"] = {{"Values", c.values}};
      break;
    case alb::ConditionField::kQueryString: {
      ojson vals = ojson::array();
      for (const auto& q : c.query) {
        ojson kv = ojson::object();
        if (q.key) kv["Key"] = *q.key;
        kv["Value"] = q.value;
        vals.push_back(kv);
      }
      j["QueryStringConfig"] = {{"Values", vals}};
      break;
    }
    case alb::ConditionField::kSourceIp: {
      std::vector<std::string> cidrs;
      for (const auto& x : c.source_cidrs) cidrs.push_back(x.str());
      j["SourceIpConfig"] = {{"Values", cidrs}};
      break;
    }
  }
  return j;
}

// arn:...:listener/app/N/LB/L -> arn:...:listener-rule/app/N/LB/L/<hex>
std::string rule_arn(const std::string& listener_arn, const alb::ListenerRule& r, size_t index) {
  auto pos = listener_arn.find(":listener/");
  if (!r.arn.empty() && r.arn.find(":listener-rule/") != std::string::npos) return r.arn;
  if (pos == std::string::npos) return r.arn;
  return aws_id::listener_rule_arn(listener_arn, model::make_hex(16, {listener_arn, "rule", std::to_string(r.priority),
                                                                      std::to_string(index)}));
}

void Writer::listeners() {
  for (const auto& l : net_.listeners) {
    const auto* lb = net_.load_balancer(l.load_balancer);
    auto& f = at(l.origin);
    std::string lb_name = lb ? lb->name : "unknown";
    ojson acts = ojson::array();
    for (const auto& a : l.default_rule.actions) acts.push_back(action_json(a));
    f.list("elbv2-listeners-" + lb_name + ".json", "Listeners")
        .push_back({{"ListenerArn", l.arn},
                    {"LoadBalancerArn", l.load_balancer},
                    {"Port", l.port},
                    {"Protocol", l.protocol},
                    {"DefaultActions", acts}});
    // describe-rules --listener-arn: the rules by priority, then the default.
    std::string listener_id = l.arn.substr(l.arn.rfind('/') + 1);
    std::string rules_file = "elbv2-rules-" + lb_name + "-" + listener_id + ".json";
    ojson& rules = f.list(rules_file, "Rules");
    f.owner[rules_file] = l.arn;
    for (size_t i = 0; i < l.rules.size(); ++i) {
      const auto& r = l.rules[i];
      ojson conds = ojson::array();
      for (const auto& c : r.conditions) conds.push_back(condition_json(c));
      ojson ra = ojson::array();
      for (const auto& a : r.actions) ra.push_back(action_json(a));
      rules.push_back({{"RuleArn", rule_arn(l.arn, r, i)},
                       {"Priority", std::to_string(r.priority)},
                       {"Conditions", conds},
                       {"Actions", ra},
                       {"IsDefault", false}});
    }
    alb::ListenerRule def = l.default_rule;
    def.arn.clear();
    rules.push_back({{"RuleArn", rule_arn(l.arn, def, l.rules.size())},
                     {"Priority", "default"},
                     {"Conditions", ojson::array()},
                     {"Actions", acts},
                     {"IsDefault", true}});
  }
}

void Writer::hosted_zones() {
  for (const auto& z : net_.hosted_zones) {
    auto& f = at(z.origin);
    ojson zone = {{"Id", "/hostedzone/" + z.id},
                  {"Name", z.name + "."},
                  {"CallerReference", model::make_id("ref", {z.id})},
                  {"Config", {{"PrivateZone", z.is_private}}},
                  {"ResourceRecordSetCount", z.records.size() + 2}};
    f.list("route53-hosted-zones.json", "HostedZones").push_back(zone);
    ojson vpcs = ojson::array();
    for (const auto& v : z.vpcs) vpcs.push_back({{"VPCRegion", v.region}, {"VPCId", v.vpc}});
    ojson get = {{"HostedZone", zone}};
    if (z.is_private) get["VPCs"] = vpcs;
    f.file("route53-hosted-zone-" + z.id + ".json", z.id) = get;
    // list-resource-record-sets: the apex SOA and NS AWS creates, then the
    // records; scripts/snapshot adds HostedZoneId with --query.
    ojson sets = ojson::array();
    bool has_soa = false, has_ns = false;
    for (const auto& r : z.records) {
      has_soa |= r.type == "SOA" && r.name == z.name;
      has_ns |= r.type == "NS" && r.name == z.name;
    }
    if (!has_ns)
      sets.push_back({{"Name", z.name + "."},
                      {"Type", "NS"},
                      {"TTL", 172800},
                      {"ResourceRecords", ojson::array({{{"Value", "ns-1536.awsdns-00.co.uk."}},
                                                        {{"Value", "ns-0.awsdns-00.com."}},
                                                        {{"Value", "ns-1024.awsdns-00.org."}},
                                                        {{"Value", "ns-512.awsdns-00.net."}}})}});
    if (!has_soa)
      sets.push_back({{"Name", z.name + "."},
                      {"Type", "SOA"},
                      {"TTL", 900},
                      {"ResourceRecords",
                       ojson::array({{{"Value", "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 "
                                                "1209600 86400"}}})}});
    for (const auto& r : z.records) {
      ojson j = {{"Name", r.name + "."}, {"Type", r.type}};
      if (!r.set_identifier.empty()) j["SetIdentifier"] = r.set_identifier;
      if (r.is_alias) {
        j["AliasTarget"] = {{"HostedZoneId", r.alias.hosted_zone_id},
                            {"DNSName", r.alias.dns_name + "."},
                            {"EvaluateTargetHealth", r.alias.evaluate_target_health}};
      } else {
        j["TTL"] = r.ttl;
        ojson vals = ojson::array();
        for (const auto& v : r.values) vals.push_back({{"Value", v}});
        j["ResourceRecords"] = vals;
      }
      sets.push_back(j);
    }
    f.file("route53-records-" + z.id + ".json", z.id) = ojson{{"HostedZoneId", "/hostedzone/" + z.id}, {"ResourceRecordSets", sets}};
  }
}

void Writer::collect() {
  // Per subnet and per table, once: large networks have thousands of each.
  for (const auto& e : net_.network_interfaces) addresses_used_[e.subnet] += 1 + e.secondary_private_ips.size();
  for (const auto& s : net_.subnets) {
    if (s.route_table_explicit) explicit_subnets_[s.route_table].push_back(&s);
    acl_subnets_[s.network_acl].push_back(&s);
  }
  vpcs();
  subnets();
  route_tables();
  internet_gateways();
  nat_gateways();
  addresses();
  peerings();
  security_groups();
  network_acls();
  network_interfaces();
  instances();
  load_balancers();
  target_groups();
  listeners();
  hosted_zones();
  write_transit_gateways(net_, [this](const model::Origin& o) -> Folder& { return at(o); });
  write_prefix_lists(net_, [this](const model::Origin& o) -> Folder& { return at(o); });
  write_vpc_endpoints(net_, [this](const model::Origin& o) -> Folder& { return at(o); });
  write_vpn(net_, [this](const model::Origin& o) -> Folder& { return at(o); });
  write_auto_scaling(net_, [this](const model::Origin& o) -> Folder& { return at(o); });
  // Every account/region folder has the EC2 lists, empty ones included, as
  // scripts/snapshot writes them.
  for (auto& [where, f] : folders_) {
    for (auto [file, key] : {std::pair{"vpcs.json", "Vpcs"}, {"subnets.json", "Subnets"},
                             {"route-tables.json", "RouteTables"}, {"security-groups.json", "SecurityGroups"},
                             {"network-acls.json", "NetworkAcls"}, {"instances.json", "Reservations"},
                             {"network-interfaces.json", "NetworkInterfaces"},
                             {"internet-gateways.json", "InternetGateways"}, {"nat-gateways.json", "NatGateways"},
                             {"addresses.json", "Addresses"},
                             {"vpc-peering-connections.json", "VpcPeeringConnections"}})
      f.list(file, key);
  }
}

// Each resource's documents: a list's element keyed by its id field, or a
// whole file about one resource. A document of no known resource keeps its
// file name as key, so a change there is still seen (as unattributed).
std::map<std::string, std::string> Writer::resources() const {
  static const std::map<std::string, std::string> kIdField = {
      {"Vpcs", "VpcId"},
      {"Subnets", "SubnetId"},
      {"RouteTables", "RouteTableId"},
      {"InternetGateways", "InternetGatewayId"},
      {"NatGateways", "NatGatewayId"},
      {"Addresses", "AllocationId"},
      {"VpcPeeringConnections", "VpcPeeringConnectionId"},
      {"SecurityGroups", "GroupId"},
      {"NetworkAcls", "NetworkAclId"},
      {"NetworkInterfaces", "NetworkInterfaceId"},
      {"LoadBalancers", "LoadBalancerArn"},
      {"TargetGroups", "TargetGroupArn"},
      {"Listeners", "ListenerArn"},
      {"HostedZones", "Id"},
      {"TransitGateways", "TransitGatewayId"},
      {"TransitGatewayAttachments", "TransitGatewayAttachmentId"},
      {"TransitGatewayVpcAttachments", "TransitGatewayAttachmentId"},
      {"TransitGatewayRouteTables", "TransitGatewayRouteTableId"},
      {"TransitGatewayPropagations", "TransitGatewayRouteTableId"},
      {"TransitGatewayStaticRoutes", "TransitGatewayRouteTableId"},
      {"CustomerGateways", "CustomerGatewayId"},
      {"VpnGateways", "VpnGatewayId"},
      {"VpnConnections", "VpnConnectionId"},
      {"VpcEndpoints", "VpcEndpointId"},
      {"LaunchTemplates", "LaunchTemplateId"},
      {"LaunchConfigurations", "LaunchConfigurationName"},
      {"AutoScalingGroups", "AutoScalingGroupName"}};
  std::map<std::string, std::string> out;
  for (const auto& [where, f] : folders_)
    for (const auto& [name, doc] : f.files) {
      if (auto o = f.owner.find(name); o != f.owner.end()) {
        out[o->second] += name + doc.dump();
        continue;
      }
      if (!doc.is_object() || doc.size() != 1 || !doc.begin()->is_array()) {
        out[name] += doc.dump();
        continue;
      }
      const std::string& key = doc.begin().key();
      for (const auto& item : *doc.begin()) {
        std::string id;
        if (key == "Reservations" && item.contains("Instances") && !item["Instances"].empty())
          id = item["Instances"][0].value("InstanceId", "");
        else if (auto field = kIdField.find(key); field != kIdField.end())
          id = item.value(field->second, "");
        if (key == "HostedZones" && id.rfind("/hostedzone/", 0) == 0) id = id.substr(12);
        out[id.empty() ? name : id] += name + item.dump();
      }
    }
  return out;
}

bool Writer::run(const std::string& dir) {
  collect();
  bool ok = true;
  for (const auto& [where, f] : folders_) {
    fs::path folder = fs::path(dir) / "accounts" / where.first / where.second;
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
      diags_.error(SourceLoc{intern_file(folder.string()), 0, 0}, "SNAP_WRITE", "cannot create: " + ec.message());
      ok = false;
      continue;
    }
    for (const auto& [name, doc] : f.files) {
      fs::path p = folder / name;
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << doc.dump(4) << "\n";
      if (!out) {
        diags_.error(SourceLoc{intern_file(p.string()), 0, 0}, "SNAP_WRITE", "cannot write");
        ok = false;
      }
    }
  }
  return ok;
}

}  // namespace

bool write_snapshot(const model::Network& net, const std::string& dir, Diagnostics& diags) {
  return Writer(net, diags).run(dir);
}

std::map<std::string, std::string> describe_resources(const model::Network& net) {
  Diagnostics unused;
  Writer w(net, unused);
  w.collect();
  return w.resources();
}

std::set<std::string> changed_resources(const model::Network& a, const model::Network& b) {
  auto later = std::async(std::launch::async, [&b] { return describe_resources(b); });
  auto d0 = describe_resources(a);
  auto d1 = later.get();
  std::set<std::string> out;
  for (const auto& [id, doc] : d0)
    if (auto it = d1.find(id); it == d1.end() || it->second != doc) out.insert(id);
  for (const auto& [id, doc] : d1)
    if (!d0.count(id)) out.insert(id);
  return out;
}

}  // namespace vpclab::snapshot
