// AWS CLI JSON -> model, EC2 transit gateways: describe-transit-gateways,
// describe-transit-gateway-attachments (state, association),
// describe-transit-gateway-vpc-attachments (subnets, options),
// describe-transit-gateway-route-tables,
// get-transit-gateway-route-table-associations / -propagations and
// search-transit-gateway-routes (each saved with TransitGatewayRouteTableId
// beside its list, as scripts/snapshot does), and Batfish's wrappers
// TransitGatewayPropagations / TransitGatewayStaticRoutes. A TGW shared with
// another account appears in both accounts' folders: one model element each.
#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace {
bool enabled(const json& x, const char* key, bool def) {
  std::string v = str(x, key);
  return v.empty() ? def : v == "enable";
}
}  // namespace

model::TransitGatewayAttachment& Loader::tgw_attachment(const Doc& d, const std::string& id) {
  auto it = tgw_attach_ix_.find(id);
  if (it != tgw_attach_ix_.end()) return net_.transit_gateway_attachments[it->second];
  model::TransitGatewayAttachment a;
  a.id = id;
  a.origin = origin(d);
  a.from_input = true;
  a.route_table_explicit = true;  // as reported: none when the listing shows none
  tgw_attach_ix_[id] = net_.transit_gateway_attachments.size();
  net_.transit_gateway_attachments.push_back(std::move(a));
  return net_.transit_gateway_attachments.back();
}

void Loader::transit_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string id = str(x, "TransitGatewayId");
    if (id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "transit gateway without TransitGatewayId; skipped");
      continue;
    }
    std::string owner = str(x, "OwnerId");
    auto it = tgw_ix_.find(id);
    if (it != tgw_ix_.end()) {
      // Seen from another account already: the owner's listing wins.
      auto& g = net_.transit_gateways[it->second];
      if (!owner.empty() && owner == d.account) g.origin = origin(d);
      continue;
    }
    model::TransitGateway g;
    g.id = id;
    g.origin = origin(d);
    if (!owner.empty()) g.origin.account = owner;
    g.name = name_tag(x);
    g.state = str(x, "State");
    if (g.state.empty()) g.state = "available";
    if (const json* o = field(x, "Options")) {
      if (auto asn = integer(*o, "AmazonSideAsn")) g.amazon_side_asn = static_cast<uint32_t>(*asn);
      g.default_route_table_association = enabled(*o, "DefaultRouteTableAssociation", true);
      g.default_route_table_propagation = enabled(*o, "DefaultRouteTablePropagation", true);
      g.auto_accept_shared_attachments = enabled(*o, "AutoAcceptSharedAttachments", false);
      g.dns_support = enabled(*o, "DnsSupport", true);
      g.association_default_route_table = str(*o, "AssociationDefaultRouteTableId");
      g.propagation_default_route_table = str(*o, "PropagationDefaultRouteTableId");
    }
    tgw_ix_[id] = net_.transit_gateways.size();
    net_.transit_gateways.push_back(std::move(g));
  }
}

void Loader::tgw_route_tables(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string id = str(x, "TransitGatewayRouteTableId");
    if (id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "transit gateway route table without TransitGatewayRouteTableId; skipped");
      continue;
    }
    if (tgw_rtb_ix_.count(id) || str(x, "State") == "deleted") continue;
    model::TransitGatewayRouteTable t;
    t.id = id;
    t.origin = origin(d);
    t.name = name_tag(x);
    t.transit_gateway = str(x, "TransitGatewayId");
    tgw_rtb_ix_[id] = net_.transit_gateway_route_tables.size();
    net_.transit_gateway_route_tables.push_back(std::move(t));
  }
}

void Loader::tgw_attachments(const Doc& d, const json& a, const std::string& path, bool vpc_listing) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string id = str(x, "TransitGatewayAttachmentId");
    if (id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "transit gateway attachment without TransitGatewayAttachmentId; skipped");
      continue;
    }
    std::string state = str(x, "State");
    // Deleted attachments stay listed for a while and carry nothing.
    if (state == "deleted") continue;
    auto& t = tgw_attachment(d, id);
    if (t.name.empty()) t.name = name_tag(x);
    if (!state.empty()) t.state = state;
    if (t.transit_gateway.empty()) t.transit_gateway = str(x, "TransitGatewayId");
    if (vpc_listing) {
      t.resource_type = "vpc";
      t.resource_id = str(x, "VpcId");
      if (t.resource_owner.empty()) t.resource_owner = str(x, "VpcOwnerId");
      if (const json* s = array(x, "SubnetIds")) {
        t.subnets.clear();
        for (const auto& v : *s)
          if (v.is_string()) t.subnets.push_back(v.get<std::string>());
      }
      if (const json* o = field(x, "Options")) {
        t.appliance_mode_support = enabled(*o, "ApplianceModeSupport", false);
        t.dns_support = enabled(*o, "DnsSupport", true);
      }
    } else {
      std::string type = str(x, "ResourceType");
      if (!type.empty()) t.resource_type = type;
      // A peering attachment is listed by both TGWs' accounts, each with its
      // own TransitGatewayId and association: the first names the requester side.
      std::string own = str(x, "TransitGatewayId");
      bool far_side = t.is_peering() && !own.empty() && own != t.transit_gateway;
      if (far_side) {
        if (t.resource_id.empty()) t.resource_id = own;
      } else {
        if (t.resource_id.empty()) t.resource_id = str(x, "ResourceId");
        if (t.resource_owner.empty()) t.resource_owner = str(x, "ResourceOwnerId");
      }
      if (const json* as = field(x, "Association"))
        if (str(*as, "State") == "associated")
          (far_side ? t.peer_route_table : t.route_table) = str(*as, "TransitGatewayRouteTableId");
    }
  }
}

void Loader::tgw_associations(const Doc& d, const std::string& table, const json& a, const std::string& path) {
  if (!tgw_rtb_ix_.count(table)) {
    warn(d, path, "SNAP_DANGLING", "associations of unknown transit gateway route table '" + table + "'; ignored");
    return;
  }
  const std::string& table_tgw = net_.transit_gateway_route_tables[tgw_rtb_ix_.at(table)].transit_gateway;
  for (size_t i = 0; i < a.size(); ++i) {
    std::string id = str(a[i], "TransitGatewayAttachmentId");
    if (id.empty() || str(a[i], "State") != "associated") continue;
    auto& t = tgw_attachment(d, id);
    if (str(a[i], "ResourceType") == "peering") t.resource_type = "peering";
    if (t.transit_gateway.empty()) t.transit_gateway = table_tgw;
    if (t.is_peering() && table_tgw != t.transit_gateway) {
      if (t.resource_id.empty()) t.resource_id = table_tgw;
      t.peer_route_table = table;
    } else {
      t.route_table = table;
    }
  }
}

// describe-transit-gateway-peering-attachments: which side requested, the
// accepter's account and Region, the state. Sides read from the attachment
// listings before are turned round when they named the accepter first.
void Loader::tgw_peering_attachments(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string id = str(x, "TransitGatewayAttachmentId");
    const json* req = field(x, "RequesterTgwInfo");
    const json* acc = field(x, "AccepterTgwInfo");
    if (id.empty() || !req || !acc) {
      warn(d, at(path, i), "SNAP_SHAPE", "peering attachment without TransitGatewayAttachmentId or TGW infos; skipped");
      continue;
    }
    std::string state = str(x, "State");
    if (state == "deleted") continue;
    auto& t = tgw_attachment(d, id);
    std::string requester = str(*req, "TransitGatewayId"), accepter = str(*acc, "TransitGatewayId");
    if (t.transit_gateway == accepter && !accepter.empty()) std::swap(t.route_table, t.peer_route_table);
    t.resource_type = "peering";
    t.transit_gateway = requester;
    t.resource_id = accepter;
    t.resource_owner = str(*acc, "OwnerId");
    t.peer_region = str(*acc, "Region");
    if (!state.empty()) t.state = state;
    if (t.name.empty()) t.name = name_tag(x);
  }
}

void Loader::tgw_propagations(const Doc& d, const std::string& table, const json& a, const std::string& path) {
  auto it = tgw_rtb_ix_.find(table);
  if (it == tgw_rtb_ix_.end()) {
    warn(d, path, "SNAP_DANGLING", "propagations of unknown transit gateway route table '" + table + "'; ignored");
    return;
  }
  auto& t = net_.transit_gateway_route_tables[it->second];
  for (size_t i = 0; i < a.size(); ++i) {
    std::string id = str(a[i], "TransitGatewayAttachmentId");
    if (id.empty() || str(a[i], "State") != "enabled") continue;
    bool dup = false;
    for (const auto& p : t.propagations) dup = dup || p.attachment == id;
    if (!dup) t.propagations.push_back({id, loc(d), false});
  }
}

// Static routes only: propagated ones are derived from the propagations
// (model/finalize_transit.cpp), so one rule decides both inputs.
void Loader::tgw_routes(const Doc& d, const std::string& table, const json& a, const std::string& path) {
  auto it = tgw_rtb_ix_.find(table);
  if (it == tgw_rtb_ix_.end()) {
    warn(d, path, "SNAP_DANGLING", "routes of unknown transit gateway route table '" + table + "'; ignored");
    return;
  }
  auto& t = net_.transit_gateway_route_tables[it->second];
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    if (str(x, "Type") == "propagated") {
      // A VPN attachment's propagated routes are what BGP learned on premises.
      if (const json* atts = array(x, "TransitGatewayAttachments"))
        for (const auto& at : *atts)
          if (str(at, "ResourceType") == "vpn")
            if (auto c = cidr_of(str(x, "DestinationCidrBlock"))) learned_by_vpn_.push_back({str(at, "ResourceId"), *c});
      continue;
    }
    TransitGatewayRoute r;
    r.loc = loc(d);
    std::string dest = str(x, "DestinationCidrBlock");
    if (dest.empty()) {
      r.destination_prefix_list = str(x, "PrefixListId");
      if (r.destination_prefix_list.empty()) continue;
    } else {
      r.destination = cidr_of(dest);
      if (!r.destination) {
        warn(d, p + ".DestinationCidrBlock", "SNAP_BAD_VALUE", "'" + dest + "' is not an IPv4 CIDR; route skipped");
        continue;
      }
    }
    r.blackhole = str(x, "State") == "blackhole";
    if (const json* atts = array(x, "TransitGatewayAttachments"))
      for (const auto& at : *atts)
        if (r.attachment.empty()) r.attachment = str(at, "TransitGatewayAttachmentId");
    if (r.attachment.empty()) r.blackhole = true;
    t.routes.push_back(std::move(r));
  }
}

}  // namespace vpclab::snapshot
