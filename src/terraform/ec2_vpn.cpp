// Terraform -> model, EC2 site-to-site VPN: aws_customer_gateway,
// aws_vpn_gateway (+ aws_vpn_gateway_attachment), aws_vpn_connection,
// aws_vpn_connection_route, aws_vpn_gateway_route_propagation and route
// tables' `propagating_vgws`. The model is the one the CloudFormation reader
// fills (template/ec2_vpn.cpp); what AWS decides from it (routes,
// propagation, advertised prefixes) is decided in model/finalize_vpn.cpp.
#include <fmt/format.h>

#include "semantics/transit_gateway.h"
#include "semantics/vpn.h"
#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kVgwTypes = {"aws_vpn_gateway"};
}  // namespace

void Reader::add_customer_gateway(Resource& r) {
  Node n = top(r);
  model::CustomerGateway g;
  g.id = r.id;
  g.origin = origin(r);
  g.name = name_tag(n);
  Want quiet;
  quiet.quiet = true;
  g.type = str(n, "type", quiet).value_or("ipsec.1");
  if (!semantics::supported_vpn_type(g.type))
    error(n, "type", "TF_VALUE", fmt::format("type must be \"ipsec.1\", not '{}'", g.type));
  g.ip_address = str(n, "ip_address").value_or("");
  if (!g.ip_address.empty() && !address(n, "ip_address", g.ip_address)) g.ip_address.clear();
  // bgp_asn (1-2147483647) or bgp_asn_extended (above), strings in the provider's schema.
  for (bool extended : {false, true}) {
    const char* key = extended ? "bgp_asn_extended" : "bgp_asn";
    auto s = str(n, key, quiet);
    if (!s || s->empty() || *s == "0") continue;
    auto asn = integer(n, key);
    if (asn && semantics::valid_customer_gateway_asn(*asn, extended))
      g.bgp_asn = static_cast<uint32_t>(*asn);
    else
      error(n, key, "TF_VALUE",
            fmt::format("{} {} is outside {}", key, *s, extended ? "2147483648-4294967295" : "1-2147483647"));
  }
  cgw_ix_[g.id] = net_.customer_gateways.size();
  net_.customer_gateways.push_back(std::move(g));
}

void Reader::add_vpn_gateway(Resource& r) {
  Node n = top(r);
  model::VpnGateway g;
  g.id = r.id;
  g.origin = origin(r);
  g.name = name_tag(n);
  if (auto asn = amazon_side_asn(n)) g.amazon_side_asn = *asn;
  // vpc_id attaches it (AttachVpnGateway); aws_vpn_gateway_attachment is the other way.
  if (expr(n, "vpc_id") || (n.v && n.v->get("vpc_id") && !n.v->get("vpc_id")->text().empty())) {
    std::string vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
    if (vpc_ix_.count(vpc)) attach_vpn_gateway(n, "vpc_id", g, vpc);
    else ref_missing(n, "vpc_id", vpc, "VPC");
  }
  vgw_ix_[g.id] = net_.vpn_gateways.size();
  net_.vpn_gateways.push_back(std::move(g));
}

// AttachVpnGateway: a VGW is attached to one VPC at a time.
void Reader::attach_vpn_gateway(const Node& n, const std::string& key, model::VpnGateway& g, const std::string& vpc) {
  if (!g.vpc.empty())
    return error(n, key, "VGW_ATTACHED",
                 fmt::format("virtual private gateway {} is already attached to {}", g.origin.display(g.id), g.vpc));
  g.vpc = vpc;
  g.attachment_loc = loc_of(n, key);
}

void Reader::add_vpn_gateway_attachment(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = kVgwTypes;
  auto id = str(n, "vpn_gateway_id", w);
  model::VpnGateway* g = id ? find(net_.vpn_gateways, vgw_ix_, *id) : nullptr;
  if (!g) return ref_missing(n, "vpn_gateway_id", id.value_or("?"), "virtual private gateway");
  std::string vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  if (!vpc_ix_.count(vpc)) return ref_missing(n, "vpc_id", vpc, "VPC");
  attach_vpn_gateway(n, "vpc_id", *g, vpc);
}

void Reader::add_vpn_connection(Resource& r) {
  Node n = top(r);
  model::VpnConnection v;
  v.id = r.id;
  v.origin = origin(r);
  v.name = name_tag(n);
  Want quiet, wc, wv, wt;
  quiet.quiet = true;
  wc.types = {"aws_customer_gateway"};
  wv.types = kVgwTypes;
  wt.types = {"aws_ec2_transit_gateway"};
  wv.quiet = wt.quiet = true;
  v.type = str(n, "type", quiet).value_or("ipsec.1");
  if (!semantics::supported_vpn_type(v.type))
    error(n, "type", "TF_VALUE", fmt::format("type must be \"ipsec.1\", not '{}'", v.type));
  v.customer_gateway = str(n, "customer_gateway_id", wc).value_or("");
  if (!cgw_ix_.count(v.customer_gateway))
    return ref_missing(n, "customer_gateway_id", v.customer_gateway, "customer gateway");
  v.vpn_gateway = str(n, "vpn_gateway_id", wv).value_or("");
  v.transit_gateway = str(n, "transit_gateway_id", wt).value_or("");
  if (v.vpn_gateway.empty() == v.transit_gateway.empty())
    return error(n, "", "TF_VALUE", "a VPN connection needs exactly one of vpn_gateway_id and transit_gateway_id");
  if (!v.vpn_gateway.empty() && !vgw_ix_.count(v.vpn_gateway))
    return ref_missing(n, "vpn_gateway_id", v.vpn_gateway, "virtual private gateway");
  if (!v.transit_gateway.empty() && !tgw_ix_.count(v.transit_gateway))
    return ref_missing(n, "transit_gateway_id", v.transit_gateway, "transit gateway");
  v.static_routes_only = boolean(n, "static_routes_only").value_or(false);
  if (!v.transit_gateway.empty()) {
    // AWS makes the connection's TGW attachment (type vpn) with it; Terraform
    // names it transit_gateway_attachment_id, which associations, propagations
    // and TGW routes reference. finalize() takes it as the connection's.
    model::TransitGatewayAttachment a;
    a.id = r.attrs["transit_gateway_attachment_id"];
    a.origin = v.origin;
    a.name = v.name;
    a.transit_gateway = v.transit_gateway;
    a.resource_type = "vpn";
    a.resource_id = v.id;
    a.resource_owner = ctx_.account;
    v.transit_gateway_attachment = a.id;
    tgw_attach_ix_[a.id] = net_.transit_gateway_attachments.size();
    net_.transit_gateway_attachments.push_back(std::move(a));
  }
  vpn_ix_[v.id] = net_.vpn_connections.size();
  net_.vpn_connections.push_back(std::move(v));
}

void Reader::add_vpn_connection_route(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = {"aws_vpn_connection"};
  auto id = str(n, "vpn_connection_id", w);
  model::VpnConnection* v = id ? find(net_.vpn_connections, vpn_ix_, *id) : nullptr;
  if (!v) return ref_missing(n, "vpn_connection_id", id.value_or("?"), "VPN connection");
  auto dest = str(n, "destination_cidr_block");
  if (!dest) return;  // TF_UNKNOWN noted
  if (auto c = cidr(n, "destination_cidr_block", *dest)) v->routes.push_back(model::VpnStaticRoute{*c, loc_of(n), "available"});
}

void Reader::add_vgw_route_propagation(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = kVgwTypes;
  auto id = str(n, "vpn_gateway_id", w);
  if (!id || !vgw_ix_.count(*id)) return ref_missing(n, "vpn_gateway_id", id.value_or("?"), "virtual private gateway");
  std::string table = id_or_only(n, "route_table_id", {"aws_route_table", "aws_default_route_table"}, "route table");
  if (table.empty()) return;
  net_.vpn_gateway_route_propagations.push_back({*id, table, loc_of(n), false});
}

// Inline propagation (never together with aws_vpn_gateway_route_propagation
// on one table, the provider's docs say).
void Reader::propagating_vgws(const Node& n, const std::string& table) {
  Want w;
  w.types = kVgwTypes;
  w.many = true;
  w.quiet = true;
  for (const auto& id : strs(n, "propagating_vgws", w)) {
    if (!vgw_ix_.count(id)) {
      ref_missing(n, "propagating_vgws", id, "virtual private gateway");
      continue;
    }
    net_.vpn_gateway_route_propagations.push_back({id, table, loc_of(n, "propagating_vgws"), false});
  }
}

}  // namespace vpclab::terraform
