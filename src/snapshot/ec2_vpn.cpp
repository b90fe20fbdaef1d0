// AWS CLI JSON -> model, site-to-site VPN: describe-customer-gateways,
// describe-vpn-gateways (with their VPC attachments),
// describe-vpn-connections (options, static routes, tunnel telemetry), and
// the route tables' PropagatingVgws. A snapshot has no lab manifest: the
// on-premises network behind each customer gateway is derived from what AWS
// routes to it (the connections' static routes, the VGW-propagated routes).
#include <set>

#include "snapshot/loader.h"

namespace vpclab::snapshot {

void Loader::customer_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    model::CustomerGateway g;
    g.id = str(x, "CustomerGatewayId");
    if (g.id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "customer gateway without CustomerGatewayId; skipped");
      continue;
    }
    g.state = str(x, "State");
    bool seen = false;
    for (const auto& o : net_.customer_gateways) seen = seen || o.id == g.id;
    if (g.state == "deleted" || seen) continue;
    if (g.state.empty()) g.state = "available";
    g.origin = origin(d);
    g.name = name_tag(x);
    g.ip_address = str(x, "IpAddress");
    if (auto asn = integer(x, "BgpAsn")) g.bgp_asn = static_cast<uint32_t>(*asn);
    std::string type = str(x, "Type");
    if (!type.empty()) g.type = type;
    net_.customer_gateways.push_back(std::move(g));
  }
}

void Loader::vpn_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    model::VpnGateway g;
    g.id = str(x, "VpnGatewayId");
    if (g.id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "VPN gateway without VpnGatewayId; skipped");
      continue;
    }
    g.state = str(x, "State");
    if (g.state == "deleted") continue;
    bool seen = false;
    for (const auto& o : net_.vpn_gateways) seen = seen || o.id == g.id;
    if (seen) continue;
    if (g.state.empty()) g.state = "available";
    g.origin = origin(d);
    g.name = name_tag(x);
    if (auto asn = integer(x, "AmazonSideAsn")) g.amazon_side_asn = static_cast<uint32_t>(*asn);
    if (const json* atts = array(x, "VpcAttachments"))
      for (const auto& at : *atts)
        if (str(at, "State") == "attached") g.vpc = str(at, "VpcId");
    g.attachment_loc = loc(d);
    net_.vpn_gateways.push_back(std::move(g));
  }
}

void Loader::vpn_connections(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::VpnConnection c;
    c.id = str(x, "VpnConnectionId");
    if (c.id.empty()) {
      warn(d, p, "SNAP_SHAPE", "VPN connection without VpnConnectionId; skipped");
      continue;
    }
    c.state = str(x, "State");
    if (c.state == "deleted") continue;
    bool seen = false;
    for (const auto& o : net_.vpn_connections) seen = seen || o.id == c.id;
    if (seen) continue;
    if (c.state.empty()) c.state = "available";
    c.origin = origin(d);
    c.name = name_tag(x);
    c.customer_gateway = str(x, "CustomerGatewayId");
    c.vpn_gateway = str(x, "VpnGatewayId");
    c.transit_gateway = str(x, "TransitGatewayId");
    std::string type = str(x, "Type");
    if (!type.empty()) c.type = type;
    if (const json* o = field(x, "Options")) c.static_routes_only = boolean(*o, "StaticRoutesOnly").value_or(false);
    // Tunnels as the telemetry reports them; none listed: both UP.
    if (const json* t = array(x, "VgwTelemetry"); t && !t->empty()) {
      c.tunnels.clear();
      for (const auto& v : *t) c.tunnels.push_back(str(v, "Status"));
    }
    if (const json* rs = array(x, "Routes"))
      for (size_t k = 0; k < rs->size(); ++k) {
        const json& r = (*rs)[k];
        std::string dest = str(r, "DestinationCidrBlock");
        if (str(r, "State") == "deleted" || dest.empty()) continue;
        auto cidr = cidr_of(dest);
        if (!cidr) {
          warn(d, at(p + ".Routes", k), "SNAP_BAD_VALUE", "'" + dest + "' is not an IPv4 CIDR; route skipped");
          continue;
        }
        c.routes.push_back(model::VpnStaticRoute{*cidr, loc(d), str(r, "State")});
      }
    net_.vpn_connections.push_back(std::move(c));
  }
}

void Loader::derive_on_premises() {
  for (const auto& g : net_.customer_gateways) {
    std::set<Ipv4Cidr> cidrs;
    SourceLoc where = g.origin.loc;
    for (const auto& c : net_.vpn_connections) {
      if (c.customer_gateway != g.id) continue;
      for (const auto& r : c.routes) cidrs.insert(r.destination);
      for (const auto& [vpn, cidr] : learned_by_vpn_)
        if (vpn == c.id) cidrs.insert(cidr);
      if (c.vpn_gateway.empty() || c.static_routes_only) continue;
      // BGP: what the VGW propagated into the route tables.
      for (const auto& t : net_.route_tables)
        for (const auto& r : t.routes)
          if (r.propagated && r.target_id == c.vpn_gateway && r.destination) cidrs.insert(*r.destination);
    }
    cidrs.erase(Ipv4Cidr{});  // a default route learned by BGP is not the office's network
    if (cidrs.empty()) continue;
    model::OnPremisesNetwork o;
    o.name = g.id;
    o.customer_gateway = g.id;
    o.cidrs.assign(cidrs.begin(), cidrs.end());
    o.loc = where;
    net_.on_premises.push_back(std::move(o));
  }
}

}  // namespace vpclab::snapshot
