// The model's transit gateways written as the AWS CLI prints them (with
// Batfish's wrappers for a table's propagations and static routes), so a
// written snapshot loads back into the same model (snapshot/ec2_transit.cpp).
#include "snapshot/write_folder.h"

namespace vpclab::snapshot {

namespace {
const char* enable(bool b) { return b ? "enable" : "disable"; }
}  // namespace

void write_transit_gateways(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at) {
  for (const auto& g : net.transit_gateways) {
    ojson options = {{"AmazonSideAsn", g.amazon_side_asn},
                     {"AutoAcceptSharedAttachments", enable(g.auto_accept_shared_attachments)},
                     {"DefaultRouteTableAssociation", enable(g.default_route_table_association)},
                     {"DefaultRouteTablePropagation", enable(g.default_route_table_propagation)},
                     {"DnsSupport", enable(g.dns_support)}};
    if (!g.association_default_route_table.empty())
      options["AssociationDefaultRouteTableId"] = g.association_default_route_table;
    if (!g.propagation_default_route_table.empty())
      options["PropagationDefaultRouteTableId"] = g.propagation_default_route_table;
    at(g.origin).list("transit-gateways.json", "TransitGateways")
        .push_back({{"TransitGatewayId", g.id},
                    {"TransitGatewayArn", "arn:aws:ec2:" + g.origin.region + ":" + g.origin.account +
                                              ":transit-gateway/" + g.id},
                    {"State", g.state},
                    {"OwnerId", g.origin.account},
                    {"Options", options},
                    {"Tags", tags(g.name)}});
  }
  for (const auto& a : net.transit_gateway_attachments) {
    const auto* g = net.transit_gateway(a.transit_gateway);
    ojson j = {{"TransitGatewayAttachmentId", a.id},
               {"TransitGatewayId", a.transit_gateway},
               {"TransitGatewayOwnerId", g ? g->origin.account : a.origin.account},
               {"ResourceOwnerId", a.resource_owner.empty() ? a.origin.account : a.resource_owner},
               {"ResourceType", a.resource_type},
               {"ResourceId", a.resource_id},
               {"State", a.state}};
    if (!a.route_table.empty())
      j["Association"] = {{"TransitGatewayRouteTableId", a.route_table}, {"State", "associated"}};
    j["Tags"] = tags(a.name);
    Folder& f = at(a.origin);
    f.list("transit-gateway-attachments.json", "TransitGatewayAttachments").push_back(j);
    if (a.is_peering()) {
      // The accepter's account lists it too, from its TGW's side.
      const auto* pg = net.transit_gateway(a.resource_id);
      ojson k = j;
      k["TransitGatewayId"] = a.resource_id;
      k["TransitGatewayOwnerId"] = pg ? pg->origin.account : a.resource_owner;
      k["ResourceId"] = a.transit_gateway;
      k["ResourceOwnerId"] = j["TransitGatewayOwnerId"];
      k.erase("Association");
      if (!a.peer_route_table.empty())
        k["Association"] = {{"TransitGatewayRouteTableId", a.peer_route_table}, {"State", "associated"}};
      Folder& pf = pg ? at(pg->origin) : f;
      pf.list("transit-gateway-attachments.json", "TransitGatewayAttachments").push_back(k);
      f.list("transit-gateway-peering-attachments.json", "TransitGatewayPeeringAttachments")
          .push_back({{"TransitGatewayAttachmentId", a.id},
                      {"RequesterTgwInfo",
                       {{"TransitGatewayId", a.transit_gateway},
                        {"OwnerId", j["TransitGatewayOwnerId"]},
                        {"Region", g ? g->origin.region : a.origin.region}}},
                      {"AccepterTgwInfo",
                       {{"TransitGatewayId", a.resource_id},
                        {"OwnerId", k["TransitGatewayOwnerId"]},
                        {"Region", a.peer_region}}},
                      {"State", a.state},
                      {"Tags", tags(a.name)}});
    }
    if (a.resource_type != "vpc") continue;
    f.list("transit-gateway-vpc-attachments.json", "TransitGatewayVpcAttachments")
        .push_back({{"TransitGatewayAttachmentId", a.id},
                    {"TransitGatewayId", a.transit_gateway},
                    {"VpcId", a.resource_id},
                    {"VpcOwnerId", a.resource_owner.empty() ? a.origin.account : a.resource_owner},
                    {"State", a.state},
                    {"SubnetIds", a.subnets},
                    {"Options",
                     {{"DnsSupport", enable(a.dns_support)},
                      {"Ipv6Support", "disable"},
                      {"ApplianceModeSupport", enable(a.appliance_mode_support)}}},
                    {"Tags", tags(a.name)}});
  }
  for (const auto& t : net.transit_gateway_route_tables) {
    const auto* g = net.transit_gateway(t.transit_gateway);
    Folder& f = at(t.origin);
    f.list("transit-gateway-route-tables.json", "TransitGatewayRouteTables")
        .push_back({{"TransitGatewayRouteTableId", t.id},
                    {"TransitGatewayId", t.transit_gateway},
                    {"State", "available"},
                    {"DefaultAssociationRouteTable", g && g->association_default_route_table == t.id},
                    {"DefaultPropagationRouteTable", g && g->propagation_default_route_table == t.id},
                    {"Tags", tags(t.name)}});
    ojson props = ojson::array();
    for (const auto& p : t.propagations) {
      const auto* a = net.transit_gateway_attachment(p.attachment);
      props.push_back({{"TransitGatewayAttachmentId", p.attachment},
                       {"ResourceId", a ? a->resource_id : ""},
                       {"ResourceType", a ? a->resource_type : "vpc"},
                       {"State", "enabled"}});
    }
    f.list("transit-gateway-propagations.json", "TransitGatewayPropagations")
        .push_back({{"TransitGatewayRouteTableId", t.id}, {"TransitGatewayRouteTablePropagations", props}});
    ojson routes = ojson::array();
    for (const auto& r : t.routes) {
      // Derived from the propagations when read back; a vpn attachment's are
      // written all the same: they tell the loader the office's CIDRs.
      const auto* pa = r.propagated ? net.transit_gateway_attachment(r.attachment) : nullptr;
      if (r.propagated && (!pa || pa->resource_type != "vpn")) continue;
      ojson j = ojson::object();
      if (r.destination) j["DestinationCidrBlock"] = r.destination->str();
      else j["PrefixListId"] = r.destination_prefix_list;
      if (!r.attachment.empty()) {
        const auto* a = net.transit_gateway_attachment(r.attachment);
        j["TransitGatewayAttachments"] = ojson::array(
            {{{"ResourceId", a ? a->resource_id : ""}, {"TransitGatewayAttachmentId", r.attachment},
              {"ResourceType", a ? a->resource_type : "vpc"}}});
      }
      j["Type"] = r.propagated ? "propagated" : "static";
      j["State"] = r.blackhole ? "blackhole" : "active";
      routes.push_back(j);
    }
    f.list("transit-gateway-static-routes.json", "TransitGatewayStaticRoutes")
        .push_back({{"TransitGatewayRouteTableId", t.id}, {"Routes", routes}, {"AdditionalRoutesAvailable", false}});
  }
}

void write_vpn(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at) {
  for (const auto& g : net.customer_gateways)
    at(g.origin).list("customer-gateways.json", "CustomerGateways")
        .push_back({{"CustomerGatewayId", g.id},
                    {"BgpAsn", std::to_string(g.bgp_asn)},
                    {"IpAddress", g.ip_address},
                    {"State", g.state},
                    {"Type", g.type},
                    {"Tags", tags(g.name)}});
  for (const auto& g : net.vpn_gateways) {
    ojson atts = ojson::array();
    if (!g.vpc.empty()) atts.push_back({{"State", "attached"}, {"VpcId", g.vpc}});
    at(g.origin).list("vpn-gateways.json", "VpnGateways")
        .push_back({{"VpnGatewayId", g.id},
                    {"State", g.state},
                    {"Type", g.type},
                    {"AmazonSideAsn", g.amazon_side_asn},
                    {"VpcAttachments", atts},
                    {"Tags", tags(g.name)}});
  }
  for (const auto& c : net.vpn_connections) {
    ojson routes = ojson::array();
    for (const auto& r : c.routes)
      routes.push_back({{"DestinationCidrBlock", r.destination.str()}, {"Source", "Static"}, {"State", r.state}});
    ojson telemetry = ojson::array();
    for (const auto& t : c.tunnels) telemetry.push_back({{"Status", t}});
    ojson j = {{"VpnConnectionId", c.id},
               {"CustomerGatewayId", c.customer_gateway},
               {"State", c.state},
               {"Type", c.type},
               {"Category", "VPN"},
               {"Options", {{"StaticRoutesOnly", c.static_routes_only}}},
               {"Routes", routes},
               {"VgwTelemetry", telemetry},
               {"Tags", tags(c.name)}};
    if (!c.vpn_gateway.empty()) j["VpnGatewayId"] = c.vpn_gateway;
    if (!c.transit_gateway.empty()) j["TransitGatewayId"] = c.transit_gateway;
    at(c.origin).list("vpn-connections.json", "VpnConnections").push_back(j);
  }
}

}  // namespace vpclab::snapshot
