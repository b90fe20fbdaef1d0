// CloudFormation -> model, EC2 site-to-site VPN: CustomerGateway,
// VPNGateway (attached by VPCGatewayAttachment, ec2_network.cpp),
// VPNConnection, VPNConnectionRoute, VPNGatewayRoutePropagation. What AWS
// decides from them (routes, propagation, the TGW attachment) is decided in
// model/finalize_vpn.cpp.
#include <fmt/format.h>

#include "semantics/transit_gateway.h"
#include "semantics/vpn.h"
#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kCustomerGateway = {{"BgpAsn", K::kInt},           {"BgpAsnExtended", K::kInt},
                                 {"IpAddress", K::kString, true}, {"Type", K::kString, true},
                                 {"CertificateArn", K::kString},  {"DeviceName", K::kString},
                                 {"Tags", K::kList, false, &kTag}};
const Schema kVpnGateway = {
    {"Type", K::kString, true}, {"AmazonSideAsn", K::kInt}, {"Tags", K::kList, false, &kTag}};
const Schema kVpnConnection = {{"CustomerGatewayId", K::kString, true},
                               {"Type", K::kString, true},
                               {"StaticRoutesOnly", K::kBool},
                               {"TransitGatewayId", K::kString},
                               {"VpnGatewayId", K::kString},
                               {"VpnTunnelOptionsSpecifications", K::kList},
                               {"EnableAcceleration", K::kBool},
                               {"LocalIpv4NetworkCidr", K::kString},
                               {"RemoteIpv4NetworkCidr", K::kString},
                               {"LocalIpv6NetworkCidr", K::kString},
                               {"RemoteIpv6NetworkCidr", K::kString},
                               {"OutsideIpAddressType", K::kString},
                               {"TransportTransitGatewayAttachmentId", K::kString},
                               {"TunnelInsideIpVersion", K::kString},
                               {"PreSharedKeyStorage", K::kString},
                               {"Tags", K::kList, false, &kTag}};
const Schema kVpnConnectionRoute = {{"DestinationCidrBlock", K::kString, true},
                                    {"VpnConnectionId", K::kString, true}};
const Schema kVgwRoutePropagation = {{"RouteTableIds", K::kStringList, true}, {"VpnGatewayId", K::kString, true}};

// The one VPN type AWS supports.
std::string ipsec_type(const ResourceContext& c) {
  std::string t = c.str("Type");
  if (!semantics::supported_vpn_type(t))
    c.error(c.loc_of("Type"), "VPN_TYPE", fmt::format("{}: Type must be ipsec.1, not '{}'", c.who(), t));
  return t;
}

}  // namespace

void ModelSink::Impl::ec2_vpn_types(TypeTable& t) {
  t["AWS::EC2::CustomerGateway"] = {&kCustomerGateway, &Impl::add_customer_gateway};
  t["AWS::EC2::VPNGateway"] = {&kVpnGateway, &Impl::add_vpn_gateway};
  t["AWS::EC2::VPNConnection"] = {&kVpnConnection, &Impl::add_vpn_connection};
  t["AWS::EC2::VPNConnectionRoute"] = {&kVpnConnectionRoute, &Impl::add_vpn_connection_route};
  t["AWS::EC2::VPNGatewayRoutePropagation"] = {&kVgwRoutePropagation, &Impl::add_vgw_route_propagation};
}

std::optional<Value> ModelSink::Impl::ec2_vpn_att(const StackContext&, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kCustomerGateway:
      if (a == "CustomerGatewayId") return str_value(e.id);
      break;
    case Kind::kVpnGateway:
      if (a == "VPNGatewayId") return str_value(e.id);
      break;
    case Kind::kVpnConnection:
      if (a == "VpnConnectionId") return str_value(e.id);
      break;
    case Kind::kVgwRoutePropagation:
      if (a == "Id") return str_value(e.id);
      break;
    default:
      break;
  }
  return std::nullopt;
}

void ModelSink::Impl::add_customer_gateway(C& c) {
  model::CustomerGateway g;
  g.id = c.id("cgw");
  g.origin = c.origin;
  g.name = name_tag(c.prop("Tags"));
  g.type = ipsec_type(c);
  g.ip_address = c.str("IpAddress");
  if (!Ipv4Address::parse(g.ip_address))
    c.error(c.loc_of("IpAddress"), "CGW_IP_ADDRESS",
            fmt::format("{}: IpAddress '{}' is not an IPv4 address", c.who(), g.ip_address));
  // BgpAsn 1-2147483647 (default 65000); BgpAsnExtended for 2147483648-4294967295.
  if (auto asn = to_int(c.prop("BgpAsn"))) {
    if (semantics::valid_customer_gateway_asn(*asn, false)) g.bgp_asn = static_cast<uint32_t>(*asn);
    else c.error(c.loc_of("BgpAsn"), "CGW_BGP_ASN", fmt::format("{}: BgpAsn {} is outside 1-2147483647", c.who(), *asn));
  }
  if (auto asn = to_int(c.prop("BgpAsnExtended"))) {
    if (c.prop("BgpAsn"))
      c.error(c.loc_of("BgpAsnExtended"), "E3014", fmt::format("{}: give BgpAsn or BgpAsnExtended, not both", c.who()));
    else if (semantics::valid_customer_gateway_asn(*asn, true)) g.bgp_asn = static_cast<uint32_t>(*asn);
    else
      c.error(c.loc_of("BgpAsnExtended"), "CGW_BGP_ASN",
              fmt::format("{}: BgpAsnExtended {} is outside 2147483648-4294967295", c.who(), *asn));
  }
  cgw_ix[g.id] = net.customer_gateways.size();
  reg(c, Kind::kCustomerGateway, g.id, net.customer_gateways.size());
  net.customer_gateways.push_back(std::move(g));
}

void ModelSink::Impl::add_vpn_gateway(C& c) {
  model::VpnGateway g;
  g.id = c.id("vgw");
  g.origin = c.origin;
  g.name = name_tag(c.prop("Tags"));
  g.type = ipsec_type(c);
  if (auto asn = to_int(c.prop("AmazonSideAsn"))) {
    if (semantics::valid_amazon_side_asn(*asn))
      g.amazon_side_asn = static_cast<uint32_t>(*asn);
    else
      c.error(c.loc_of("AmazonSideAsn"), "E3034",
              fmt::format("{}: AmazonSideAsn {} is outside 64512-65534 and 4200000000-4294967294", c.who(), *asn));
  }
  vgw_ix[g.id] = net.vpn_gateways.size();
  reg(c, Kind::kVpnGateway, g.id, net.vpn_gateways.size());
  net.vpn_gateways.push_back(std::move(g));
}

void ModelSink::Impl::attach_vpn_gateway(C& c) {
  model::VpnGateway* g = find(net.vpn_gateways, vgw_ix, c.str("VpnGatewayId"));
  if (!g) return not_modeled(c, c.prop("VpnGatewayId"), "virtual private gateway");
  if (!g->vpc.empty()) {
    // AttachVpnGateway: a VGW is attached to one VPC at a time.
    c.error(c.r.loc, "VGW_ATTACHED",
            fmt::format("{}: virtual private gateway {} is already attached to {}", c.who(), g->origin.display(g->id),
                        g->vpc));
    return;
  }
  g->vpc = c.str("VpcId");
  g->attachment_loc = c.r.loc;
}

void ModelSink::Impl::add_vpn_connection(C& c) {
  model::VpnConnection v;
  v.id = c.id("vpn");
  v.origin = c.origin;
  v.name = name_tag(c.prop("Tags"));
  v.type = ipsec_type(c);
  v.customer_gateway = c.str("CustomerGatewayId");
  v.vpn_gateway = c.str("VpnGatewayId");
  v.transit_gateway = c.str("TransitGatewayId");
  if (v.vpn_gateway.empty() == v.transit_gateway.empty())
    c.error(c.r.loc, "E3014", fmt::format("{}: give exactly one of VpnGatewayId and TransitGatewayId", c.who()));
  v.static_routes_only = to_bool(c.prop("StaticRoutesOnly"), false);
  vpn_ix[v.id] = net.vpn_connections.size();
  reg(c, Kind::kVpnConnection, v.id, net.vpn_connections.size());
  net.vpn_connections.push_back(std::move(v));
}

void ModelSink::Impl::add_vpn_connection_route(C& c) {
  reg(c, Kind::kVpnConnectionRoute, "", SIZE_MAX);
  model::VpnConnection* v = find(net.vpn_connections, vpn_ix, c.str("VpnConnectionId"));
  if (!v) return not_modeled(c, c.prop("VpnConnectionId"), "VPN connection");
  auto d = cidr(c, c.prop("DestinationCidrBlock"), "DestinationCidrBlock");
  if (!d) return;
  v->routes.push_back(model::VpnStaticRoute{*d, c.r.loc, "available"});
}

void ModelSink::Impl::add_vgw_route_propagation(C& c) {
  reg(c, Kind::kVgwRoutePropagation, c.id("vgwprop"), SIZE_MAX);
  if (!find(net.vpn_gateways, vgw_ix, c.str("VpnGatewayId")))
    return not_modeled(c, c.prop("VpnGatewayId"), "virtual private gateway");
  for (const auto& rt : strings(c.prop("RouteTableIds")))
    net.vpn_gateway_route_propagations.push_back({c.str("VpnGatewayId"), rt, c.r.loc, false});
}

}  // namespace vpclab::tmpl
