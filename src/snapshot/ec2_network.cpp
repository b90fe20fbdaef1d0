// AWS CLI JSON -> model: describe-vpcs, describe-vpc-attribute, describe-subnets,
// describe-internet-gateways, describe-vpc-peering-connections,
// describe-route-tables, describe-nat-gateways, describe-addresses.
#include <algorithm>

#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace {

model::PeeringState peering_state(const std::string& code, bool& known) {
  known = true;
  if (code == "active") return model::PeeringState::kActive;
  if (code == "pending-acceptance" || code == "initiating-request" || code == "provisioning")
    return model::PeeringState::kPendingAcceptance;
  if (code == "failed") return model::PeeringState::kFailed;
  if (code == "rejected") return model::PeeringState::kRejected;
  if (code == "deleted" || code == "deleting" || code == "expired") return model::PeeringState::kDeleted;
  known = false;
  return model::PeeringState::kFailed;
}

RouteTargetKind target_kind_of_gateway(const std::string& id) {
  if (id.rfind("igw-", 0) == 0) return RouteTargetKind::kInternetGateway;
  if (id.rfind("vgw-", 0) == 0) return RouteTargetKind::kVpnGateway;
  if (id.rfind("vpce-", 0) == 0) return RouteTargetKind::kVpcEndpoint;
  if (id.rfind("eigw-", 0) == 0) return RouteTargetKind::kEgressOnlyInternetGateway;
  return RouteTargetKind::kInternetGateway;
}

}  // namespace

void Loader::vpcs(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& v = a[i];
    std::string p = at(path, i);
    model::Vpc vpc;
    vpc.id = str(v, "VpcId");
    if (vpc.id.empty()) {
      warn(d, p, "SNAP_MISSING", "VPC without VpcId; skipped");
      continue;
    }
    if (vpc_ix_.count(vpc.id)) continue;  // the same VPC seen from another file
    vpc.origin = origin(d);
    vpc.name = name_tag(v);
    std::string primary = str(v, "CidrBlock");
    auto c = cidr_of(primary);
    if (!c) {
      warn(d, p + ".CidrBlock", "SNAP_BAD_VALUE", "VPC " + vpc.id + " has no valid IPv4 CidrBlock; skipped");
      continue;
    }
    vpc.cidrs.push_back(*c);
    vpc.cidr_locs.push_back(vpc.origin.loc);
    if (const json* set = array(v, "CidrBlockAssociationSet")) {
      for (size_t k = 0; k < set->size(); ++k) {
        const json& assoc = (*set)[k];
        std::string state;
        if (const json* s = field(assoc, "CidrBlockState")) state = str(*s, "State");
        if (!state.empty() && state != "associated") continue;
        auto sc = cidr_of(str(assoc, "CidrBlock"));
        if (!sc || *sc == *c) continue;
        vpc.cidrs.push_back(*sc);
        vpc.cidr_locs.push_back(vpc.origin.loc);
      }
    }
    // describe-vpcs does not print the DNS attributes (describe-vpc-attribute
    // does); AWS's defaults: support on, hostnames on only in a default VPC.
    vpc.enable_dns_hostnames = boolean(v, "IsDefault").value_or(false);
    vpc_ix_[vpc.id] = net_.vpcs.size();
    net_.vpcs.push_back(std::move(vpc));
  }
}

void Loader::vpc_attribute(const Doc& d, const json& root) {
  std::string id = str(root, "VpcId");
  auto it = vpc_ix_.find(id);
  if (it == vpc_ix_.end()) {
    warn(d, "$.VpcId", "SNAP_DANGLING", "attributes of unknown VPC " + id + "; ignored");
    return;
  }
  auto& vpc = net_.vpcs[it->second];
  if (field(root, "EnableDnsHostnames")) dns_attribute_read_.insert(id);
  if (const json* s = field(root, "EnableDnsSupport")) {
    if (auto b = boolean(*s, "Value")) vpc.enable_dns_support = *b;
  }
  if (const json* s = field(root, "EnableDnsHostnames")) {
    if (auto b = boolean(*s, "Value")) vpc.enable_dns_hostnames = *b;
  }
}

void Loader::subnets(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& s = a[i];
    std::string p = at(path, i);
    model::Subnet sn;
    sn.id = str(s, "SubnetId");
    if (sn.id.empty()) {
      warn(d, p, "SNAP_MISSING", "subnet without SubnetId; skipped");
      continue;
    }
    if (subnet_ix_.count(sn.id)) continue;
    sn.origin = origin(d);
    sn.name = name_tag(s);
    sn.vpc = str(s, "VpcId");
    auto c = cidr_of(str(s, "CidrBlock"));
    if (!c) {
      warn(d, p + ".CidrBlock", "SNAP_BAD_VALUE", "subnet " + sn.id + " has no valid IPv4 CidrBlock; skipped");
      continue;
    }
    if (!vpc_ix_.count(sn.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "subnet " + sn.id + " in unknown VPC " + sn.vpc + "; skipped");
      continue;
    }
    sn.cidr = *c;
    sn.cidr_loc = sn.origin.loc;
    sn.availability_zone = str(s, "AvailabilityZone");
    sn.map_public_ip_on_launch = boolean(s, "MapPublicIpOnLaunch").value_or(false);
    subnet_ix_[sn.id] = net_.subnets.size();
    net_.subnets.push_back(std::move(sn));
  }
}

void Loader::internet_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& g = a[i];
    model::InternetGateway igw;
    igw.id = str(g, "InternetGatewayId");
    if (igw.id.empty() || igw_ix_.count(igw.id)) continue;
    igw.origin = origin(d);
    if (const json* att = array(g, "Attachments")) {
      for (size_t k = 0; k < att->size(); ++k) {
        std::string state = str((*att)[k], "State");
        std::string vpc = str((*att)[k], "VpcId");
        if (state != "available" && state != "attached" && !state.empty()) continue;
        if (!vpc_ix_.count(vpc)) {
          warn(d, at(at(path, i) + ".Attachments", k), "SNAP_DANGLING",
               "internet gateway " + igw.id + " attached to unknown VPC " + vpc + "; treated as detached");
          continue;
        }
        igw.vpc = vpc;
        net_.vpcs[vpc_ix_[vpc]].internet_gateway = igw.id;
      }
    }
    igw_ix_[igw.id] = net_.internet_gateways.size();
    net_.internet_gateways.push_back(std::move(igw));
  }
}

void Loader::peerings(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::VpcPeeringConnection pcx;
    pcx.id = str(x, "VpcPeeringConnectionId");
    if (pcx.id.empty() || pcx_ix_.count(pcx.id) || inactive_peerings_.count(pcx.id)) continue;
    pcx.origin = origin(d);
    auto side = [&](const char* key, model::PeeringSide& s) {
      const json* info = field(x, key);
      if (!info) return;
      s.vpc = str(*info, "VpcId");
      s.account = str(*info, "OwnerId");
      s.region = str(*info, "Region");
      if (s.account.empty()) s.account = d.account;
      if (s.region.empty()) s.region = d.region;
      if (const json* o = field(*info, "PeeringOptions"))
        s.allow_dns_resolution_from_remote_vpc = boolean(*o, "AllowDnsResolutionFromRemoteVpc").value_or(false);
    };
    side("RequesterVpcInfo", pcx.requester);
    side("AccepterVpcInfo", pcx.accepter);
    std::string code, message;
    if (const json* st = field(x, "Status")) {
      code = str(*st, "Code");
      message = str(*st, "Message");
    }
    bool known = false;
    pcx.state = peering_state(code, known);
    if (!known) warn(d, p + ".Status.Code", "SNAP_BAD_VALUE", "unknown peering state '" + code + "'; treated as failed");
    pcx.state_reason = message;
    pcx.state_from_input = true;
    pcx.accepted = pcx.state == model::PeeringState::kActive;
    // Deleted, rejected and failed peerings carry nothing and usually name
    // VPCs that are gone: AWS keeps them listed for a while only.
    if (pcx.state == model::PeeringState::kDeleted || pcx.state == model::PeeringState::kRejected ||
        pcx.state == model::PeeringState::kFailed) {
      note(d, p, "SNAP_INACTIVE", "peering " + pcx.id + " is " + code + "; not modeled");
      inactive_peerings_.insert(pcx.id);
      continue;
    }
    bool req = vpc_ix_.count(pcx.requester.vpc), acc = vpc_ix_.count(pcx.accepter.vpc);
    if (!req || !acc) {
      const auto& missing = req ? pcx.accepter : pcx.requester;
      warn(d, p, "SNAP_OUTSIDE",
           "peering " + pcx.id + ": VPC " + missing.vpc + " (account " + missing.account + ", " + missing.region +
               ") is not in the snapshot; paths across this peering are not modeled");
      add_unmodeled("AWS::EC2::VPCPeeringConnection", pcx.id, pcx.origin);
      continue;
    }
    pcx_ix_[pcx.id] = net_.peerings.size();
    net_.peerings.push_back(std::move(pcx));
  }
}

void Loader::route_tables(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& t = a[i];
    std::string p = at(path, i);
    model::RouteTable rt;
    rt.id = str(t, "RouteTableId");
    if (rt.id.empty() || rtb_ix_.count(rt.id)) continue;
    rt.origin = origin(d);
    rt.name = name_tag(t);
    rt.vpc = str(t, "VpcId");
    if (!vpc_ix_.count(rt.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "route table " + rt.id + " in unknown VPC " + rt.vpc + "; skipped");
      continue;
    }
    size_t table_ix = net_.route_tables.size();
    // The VGWs that propagate here: their routes are listed below already.
    if (const json* pv = array(t, "PropagatingVgws"))
      for (const auto& g : *pv)
        if (!str(g, "GatewayId").empty())
          net_.vpn_gateway_route_propagations.push_back({str(g, "GatewayId"), rt.id, loc(d), true});
    if (const json* as = array(t, "Associations")) {
      for (size_t k = 0; k < as->size(); ++k) {
        const json& assoc = (*as)[k];
        std::string state;
        if (const json* s = field(assoc, "AssociationState")) state = str(*s, "State");
        if (!state.empty() && state != "associated") continue;
        if (boolean(assoc, "Main").value_or(false)) {
          rt.main = true;
          net_.vpcs[vpc_ix_[rt.vpc]].main_route_table = rt.id;
        }
        std::string subnet = str(assoc, "SubnetId");
        if (!subnet.empty())
          rtb_assocs_.push_back({subnet, rt.id, d.file, at(p + ".Associations", k)});
      }
    }
    if (const json* routes = array(t, "Routes")) {
      for (size_t k = 0; k < routes->size(); ++k) {
        const json& r = (*routes)[k];
        std::string rp = at(p + ".Routes", k);
        Route route;
        route.loc = rt.origin.loc;
        std::string dest = str(r, "DestinationCidrBlock");
        if (!dest.empty()) {
          route.destination = cidr_of(dest);
          if (!route.destination) {
            warn(d, rp + ".DestinationCidrBlock", "SNAP_BAD_VALUE", "invalid CIDR '" + dest + "'; route skipped");
            continue;
          }
        }
        route.destination_ipv6 = str(r, "DestinationIpv6CidrBlock");
        route.destination_prefix_list = str(r, "DestinationPrefixListId");
        if (!route.destination && route.destination_ipv6.empty() && route.destination_prefix_list.empty()) {
          warn(d, rp, "SNAP_MISSING", "route without a destination; skipped");
          continue;
        }
        std::string gw = str(r, "GatewayId");
        // finalize() adds the local route of every VPC CIDR block itself.
        if (gw == "local") continue;
        struct T { const char* key; RouteTargetKind kind; };
        // InstanceId before NetworkInterfaceId: AWS prints both for a route
        // to an instance, and the template front end keeps the instance.
        static const T targets[] = {
            {"InstanceId", RouteTargetKind::kInstance},
            {"NatGatewayId", RouteTargetKind::kNatGateway},
            {"VpcPeeringConnectionId", RouteTargetKind::kVpcPeeringConnection},
            {"NetworkInterfaceId", RouteTargetKind::kNetworkInterface},
            {"TransitGatewayId", RouteTargetKind::kTransitGateway},
            {"EgressOnlyInternetGatewayId", RouteTargetKind::kEgressOnlyInternetGateway},
            {"CarrierGatewayId", RouteTargetKind::kCarrierGateway},
            {"LocalGatewayId", RouteTargetKind::kLocalGateway},
            {"CoreNetworkArn", RouteTargetKind::kCoreNetwork},
        };
        bool found = false;
        if (!gw.empty()) {
          route.target_kind = target_kind_of_gateway(gw);
          route.target_id = gw;
          found = true;
        } else {
          for (const auto& tk : targets) {
            std::string id = str(r, tk.key);
            if (id.empty()) continue;
            route.target_kind = tk.kind;
            route.target_id = id;
            found = true;
            break;
          }
        }
        if (!found) {
          // A route whose target was deleted prints no target, state blackhole.
          route.target_kind = RouteTargetKind::kInternetGateway;
          route.state = RouteState::kBlackhole;
          if (str(r, "State") != "blackhole")
            warn(d, rp, "SNAP_MISSING", "route without a target; treated as blackhole");
        }
        if (str(r, "State") == "blackhole") route.state = RouteState::kBlackhole;
        std::string origin_text = str(r, "Origin");
        route.propagated = origin_text == "EnableVgwRoutePropagation";
        route_refs_.push_back({table_ix, rt.routes.size(), d.file, rp});
        rt.routes.push_back(std::move(route));
      }
    }
    rtb_ix_[rt.id] = table_ix;
    net_.route_tables.push_back(std::move(rt));
  }
}

void Loader::nat_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& n = a[i];
    std::string p = at(path, i);
    model::NatGateway nat;
    nat.id = str(n, "NatGatewayId");
    if (nat.id.empty() || nat_ix_.count(nat.id)) continue;
    std::string state = str(n, "State");
    if (state != "available" && state != "pending" && !state.empty()) {
      note(d, p, "SNAP_INACTIVE", "NAT gateway " + nat.id + " is " + state + "; not modeled");
      continue;
    }
    nat.origin = origin(d);
    nat.subnet = str(n, "SubnetId");
    if (!subnet_ix_.count(nat.subnet)) {
      warn(d, p + ".SubnetId", "SNAP_DANGLING", "NAT gateway " + nat.id + " in unknown subnet; skipped");
      continue;
    }
    nat.is_public = str(n, "ConnectivityType") != "private";
    const json* addrs = array(n, "NatGatewayAddresses");
    if (!addrs || addrs->empty()) {
      warn(d, p, "SNAP_MISSING", "NAT gateway " + nat.id + " without NatGatewayAddresses; skipped");
      continue;
    }
    const json& primary = (*addrs)[0];
    auto ip = Ipv4Address::parse(str(primary, "PrivateIp"));
    if (!ip) {
      warn(d, p + ".NatGatewayAddresses[0].PrivateIp", "SNAP_BAD_VALUE", "NAT gateway without private IP; skipped");
      continue;
    }
    nat.private_ip = *ip;
    nat.public_ip = Ipv4Address::parse(str(primary, "PublicIp"));
    nat.network_interface = str(primary, "NetworkInterfaceId");
    if (nat.network_interface.empty()) nat.network_interface = "eni-of-" + nat.id;
    auto eit = eni_ix_.find(nat.network_interface);
    if (eit == eni_ix_.end()) {
      // describe-network-interfaces not in the snapshot: the NAT gateway's
      // interface is known from its own description.
      model::NetworkInterface eni;
      eni.id = nat.network_interface;
      eni.origin = nat.origin;
      eni.subnet = nat.subnet;
      eni.vpc = net_.subnets[subnet_ix_[nat.subnet]].vpc;
      eni.private_ip = nat.private_ip;
      eni.public_ip = nat.public_ip;
      eni.owner_kind = model::EniOwnerKind::kNatGateway;
      eni.owner_id = nat.id;
      eni.source_dest_check = false;
      eni_ix_[eni.id] = net_.network_interfaces.size();
      net_.network_interfaces.push_back(std::move(eni));
    } else {
      auto& eni = net_.network_interfaces[eit->second];
      eni.owner_kind = model::EniOwnerKind::kNatGateway;
      eni.owner_id = nat.id;
      if (!eni.public_ip) eni.public_ip = nat.public_ip;
    }
    nat_ix_[nat.id] = net_.nat_gateways.size();
    net_.nat_gateways.push_back(std::move(nat));
  }
}

void Loader::addresses(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::ElasticIp eip;
    eip.allocation_id = str(x, "AllocationId");
    auto pub = Ipv4Address::parse(str(x, "PublicIp"));
    if (!pub) {
      warn(d, p + ".PublicIp", "SNAP_BAD_VALUE", "address without a valid PublicIp; skipped");
      continue;
    }
    if (eip.allocation_id.empty()) eip.allocation_id = "eipalloc-of-" + pub->str();
    if (eip_ix_.count(eip.allocation_id)) continue;
    eip.origin = origin(d);
    eip.public_ip = *pub;
    eip.network_interface = str(x, "NetworkInterfaceId");
    if (!eip.network_interface.empty()) {
      auto it = eni_ix_.find(eip.network_interface);
      if (it == eni_ix_.end()) {
        warn(d, p + ".NetworkInterfaceId", "SNAP_DANGLING",
             "elastic IP " + pub->str() + " associated with unknown interface " + eip.network_interface +
                 "; treated as unassociated");
        eip.network_interface.clear();
      } else if (!net_.network_interfaces[it->second].public_ip) {
        net_.network_interfaces[it->second].public_ip = *pub;
      }
    }
    eip_ix_[eip.allocation_id] = net_.elastic_ips.size();
    net_.elastic_ips.push_back(std::move(eip));
  }
}

}  // namespace vpclab::snapshot
