// CloudFormation -> model, EC2 transit gateways: TransitGateway, the two VPC
// attachment types (TransitGatewayAttachment, TransitGatewayVpcAttachment),
// TransitGatewayRouteTable, its associations, propagations and routes.
// Defaults and effective values are decided in model/finalize_transit.cpp.
#include <fmt/format.h>

#include "semantics/transit_gateway.h"
#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kTransitGateway = {{"AmazonSideAsn", K::kInt},
                                {"AutoAcceptSharedAttachments", K::kString},
                                {"DefaultRouteTableAssociation", K::kString},
                                {"DefaultRouteTablePropagation", K::kString},
                                {"AssociationDefaultRouteTableId", K::kString},
                                {"PropagationDefaultRouteTableId", K::kString},
                                {"DnsSupport", K::kString},
                                {"VpnEcmpSupport", K::kString},
                                {"MulticastSupport", K::kString},
                                {"SecurityGroupReferencingSupport", K::kString},
                                {"TransitGatewayCidrBlocks", K::kStringList},
                                {"Description", K::kString},
                                {"Tags", K::kList, false, &kTag}};
const Schema kAttachmentOptions = {{"ApplianceModeSupport", K::kString},
                                   {"DnsSupport", K::kString},
                                   {"Ipv6Support", K::kString},
                                   {"SecurityGroupReferencingSupport", K::kString}};
const Schema kAttachment = {{"SubnetIds", K::kStringList, true},
                            {"TransitGatewayId", K::kString, true},
                            {"VpcId", K::kString, true},
                            {"Options", K::kMap, false, &kAttachmentOptions},
                            {"Tags", K::kList, false, &kTag}};
const Schema kVpcAttachment = {{"SubnetIds", K::kStringList, true},
                               {"TransitGatewayId", K::kString, true},
                               {"VpcId", K::kString, true},
                               {"AddSubnetIds", K::kStringList},
                               {"RemoveSubnetIds", K::kStringList},
                               {"Options", K::kMap, false, &kAttachmentOptions},
                               {"Tags", K::kList, false, &kTag}};
const Schema kPeeringOptions = {{"DynamicRouting", K::kString}};
const Schema kPeeringAttachment = {{"TransitGatewayId", K::kString, true},
                                   {"PeerTransitGatewayId", K::kString, true},
                                   {"PeerAccountId", K::kString, true},
                                   {"PeerRegion", K::kString, true},
                                   {"Options", K::kMap, false, &kPeeringOptions},
                                   {"Tags", K::kList, false, &kTag}};
const Schema kResourceShare = {{"Name", K::kString, true},
                                {"ResourceArns", K::kStringList},
                                {"Principals", K::kStringList},
                                {"AllowExternalPrincipals", K::kBool},
                                {"PermissionArns", K::kStringList},
                                {"Sources", K::kStringList},
                                {"Tags", K::kList, false, &kTag}};
const Schema kTgwRouteTable = {{"TransitGatewayId", K::kString, true}, {"Tags", K::kList, false, &kTag}};
const Schema kTgwTableLink = {{"TransitGatewayAttachmentId", K::kString, true},
                              {"TransitGatewayRouteTableId", K::kString, true}};
const Schema kTgwRoute = {{"TransitGatewayRouteTableId", K::kString, true},
                          {"DestinationCidrBlock", K::kString},
                          {"TransitGatewayAttachmentId", K::kString},
                          {"Blackhole", K::kBool}};

// `enable` / `disable` (the API's strings); anything else is an error at the value.
bool enabled(const ResourceContext& c, const Value* v, const char* what, bool def) {
  if (!v) return def;
  std::string s = text(v);
  if (s == "enable") return true;
  if (s == "disable") return false;
  c.error(v->loc(), "E3030", fmt::format("{}: {} must be enable or disable, not '{}'", c.who(), what, s));
  return def;
}

}  // namespace

void ModelSink::Impl::ec2_transit_types(TypeTable& t) {
  t["AWS::EC2::TransitGateway"] = {&kTransitGateway, &Impl::add_transit_gateway};
  t["AWS::EC2::TransitGatewayAttachment"] = {&kAttachment, &Impl::add_tgw_attachment};
  t["AWS::EC2::TransitGatewayVpcAttachment"] = {&kVpcAttachment, &Impl::add_tgw_attachment};
  t["AWS::EC2::TransitGatewayPeeringAttachment"] = {&kPeeringAttachment, &Impl::add_tgw_peering_attachment};
  t["AWS::EC2::TransitGatewayRouteTable"] = {&kTgwRouteTable, &Impl::add_tgw_route_table};
  t["AWS::EC2::TransitGatewayRouteTableAssociation"] = {&kTgwTableLink, &Impl::add_tgw_association};
  t["AWS::EC2::TransitGatewayRouteTablePropagation"] = {&kTgwTableLink, &Impl::add_tgw_propagation};
  t["AWS::EC2::TransitGatewayRoute"] = {&kTgwRoute, &Impl::add_tgw_route};
  t["AWS::RAM::ResourceShare"] = {&kResourceShare, &Impl::add_resource_share};
}

std::optional<Value> ModelSink::Impl::ec2_transit_att(const StackContext& stack, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kTransitGateway:
      if (a == "Id") return str_value(e.id);
      if (a == "TransitGatewayArn")
        return str_value(fmt::format("arn:aws:ec2:{}:{}:transit-gateway/{}", stack.region, stack.account, e.id));
      break;
    case Kind::kTgwAttachment:
      if (a == "Id" || a == "TransitGatewayAttachmentId") return str_value(e.id);
      break;
    case Kind::kTgwRouteTable:
      if (a == "TransitGatewayRouteTableId") return str_value(e.id);
      break;
    case Kind::kTgwAssociation:
    case Kind::kTgwPropagation:
      if (a == "Id") return str_value(e.id);
      break;
    case Kind::kResourceShare:
      if (a == "Arn") return str_value(e.id);
      break;
    default:
      break;
  }
  return std::nullopt;
}

void ModelSink::Impl::add_transit_gateway(C& c) {
  model::TransitGateway g;
  g.id = c.id("tgw");
  g.origin = c.origin;
  g.name = name_tag(c.prop("Tags"));
  if (auto asn = to_int(c.prop("AmazonSideAsn"))) {
    if (semantics::valid_amazon_side_asn(*asn))
      g.amazon_side_asn = static_cast<uint32_t>(*asn);
    else
      c.error(c.loc_of("AmazonSideAsn"), "E3034",
              fmt::format("{}: AmazonSideAsn {} is outside 64512-65534 and 4200000000-4294967294", c.who(), *asn));
  }
  g.default_route_table_association =
      enabled(c, c.prop("DefaultRouteTableAssociation"), "DefaultRouteTableAssociation", true);
  g.default_route_table_propagation =
      enabled(c, c.prop("DefaultRouteTablePropagation"), "DefaultRouteTablePropagation", true);
  g.auto_accept_shared_attachments =
      enabled(c, c.prop("AutoAcceptSharedAttachments"), "AutoAcceptSharedAttachments", false);
  g.dns_support = enabled(c, c.prop("DnsSupport"), "DnsSupport", true);
  for (const char* p : {"VpnEcmpSupport", "MulticastSupport", "SecurityGroupReferencingSupport"})
    enabled(c, c.prop(p), p, false);
  g.association_default_route_table = c.str("AssociationDefaultRouteTableId");
  g.propagation_default_route_table = c.str("PropagationDefaultRouteTableId");
  tgw_ix[g.id] = net.transit_gateways.size();
  reg(c, Kind::kTransitGateway, g.id, net.transit_gateways.size());
  net.transit_gateways.push_back(std::move(g));
}

void ModelSink::Impl::add_tgw_attachment(C& c) {
  model::TransitGatewayAttachment a;
  a.id = c.id("tgw-attach");
  a.origin = c.origin;
  a.name = name_tag(c.prop("Tags"));
  a.transit_gateway = c.str("TransitGatewayId");
  a.resource_type = "vpc";
  a.resource_id = c.str("VpcId");
  a.subnets = strings(c.prop("SubnetIds"));
  // AddSubnetIds / RemoveSubnetIds change the set on update; the stack as written holds both.
  for (const auto& s : strings(c.prop("AddSubnetIds"))) a.subnets.push_back(s);
  for (const auto& s : strings(c.prop("RemoveSubnetIds"))) std::erase(a.subnets, s);
  if (const Value* o = c.prop("Options"); o && o->is_map()) {
    a.appliance_mode_support = enabled(c, o->get("ApplianceModeSupport"), "Options.ApplianceModeSupport", false);
    a.dns_support = enabled(c, o->get("DnsSupport"), "Options.DnsSupport", true);
    enabled(c, o->get("Ipv6Support"), "Options.Ipv6Support", false);
    enabled(c, o->get("SecurityGroupReferencingSupport"), "Options.SecurityGroupReferencingSupport", false);
  }
  if (const model::Vpc* v = vpc(a.resource_id)) a.resource_owner = v->origin.account;
  tgw_attach_ix[a.id] = net.transit_gateway_attachments.size();
  reg(c, Kind::kTgwAttachment, a.id, net.transit_gateway_attachments.size());
  net.transit_gateway_attachments.push_back(std::move(a));
}

// The requester's side; the accepter's association is written in the
// accepter's stack, its acceptance in the lab manifest.
void ModelSink::Impl::add_tgw_peering_attachment(C& c) {
  model::TransitGatewayAttachment a;
  a.id = c.id("tgw-attach");
  a.origin = c.origin;
  a.name = name_tag(c.prop("Tags"));
  a.transit_gateway = c.str("TransitGatewayId");
  a.resource_type = "peering";
  a.resource_id = c.str("PeerTransitGatewayId");
  a.resource_owner = c.str("PeerAccountId");
  a.peer_region = c.str("PeerRegion");
  // CreateTransitGatewayPeeringAttachment refuses a TGW peered with itself.
  if (!a.transit_gateway.empty() && a.resource_id == a.transit_gateway)
    c.error(c.r.loc, "TGW_PEERING_SELF",
            fmt::format("{}: PeerTransitGatewayId is its own TransitGatewayId ({}); a transit gateway cannot peer "
                        "with itself",
                        c.who(), a.transit_gateway));
  if (const Value* o = c.prop("Options"); o && o->is_map())
    enabled(c, o->get("DynamicRouting"), "Options.DynamicRouting", false);
  tgw_attach_ix[a.id] = net.transit_gateway_attachments.size();
  reg(c, Kind::kTgwAttachment, a.id, net.transit_gateway_attachments.size());
  net.transit_gateway_attachments.push_back(std::move(a));
}

void ModelSink::Impl::add_tgw_route_table(C& c) {
  model::TransitGatewayRouteTable t;
  t.id = c.id("tgw-rtb");
  t.origin = c.origin;
  t.name = name_tag(c.prop("Tags"));
  t.transit_gateway = c.str("TransitGatewayId");
  tgw_rtb_ix[t.id] = net.transit_gateway_route_tables.size();
  reg(c, Kind::kTgwRouteTable, t.id, net.transit_gateway_route_tables.size());
  net.transit_gateway_route_tables.push_back(std::move(t));
}

void ModelSink::Impl::add_tgw_association(C& c) {
  reg(c, Kind::kTgwAssociation, c.id("tgw-rtb-assoc"), SIZE_MAX);
  auto* a = find(net.transit_gateway_attachments, tgw_attach_ix, c.str("TransitGatewayAttachmentId"));
  if (!a) return not_modeled(c, c.prop("TransitGatewayAttachmentId"), "transit gateway attachment");
  const auto* t = find(net.transit_gateway_route_tables, tgw_rtb_ix, c.str("TransitGatewayRouteTableId"));
  if (!t) return not_modeled(c, c.prop("TransitGatewayRouteTableId"), "transit gateway route table");
  // A peering attachment is associated once on each side: the table's TGW says which.
  bool accepter_side = a->accepter_side(t->transit_gateway);
  std::string& table = accepter_side ? a->peer_route_table : a->route_table;
  bool& expl = accepter_side ? a->peer_route_table_explicit : a->route_table_explicit;
  if (expl) {
    c.error(c.r.loc, "TGW_ATTACH_ASSOCIATED",
            fmt::format("{}: attachment {} is already associated with route table {}; an attachment has one", c.who(),
                        a->origin.display(a->id), table));
    return;
  }
  table = c.str("TransitGatewayRouteTableId");
  expl = true;
  (accepter_side ? a->peer_association_loc : a->association_loc) = c.r.loc;
}

void ModelSink::Impl::add_tgw_propagation(C& c) {
  reg(c, Kind::kTgwPropagation, c.id("tgw-rtb-prop"), SIZE_MAX);
  auto* t = find(net.transit_gateway_route_tables, tgw_rtb_ix, c.str("TransitGatewayRouteTableId"));
  if (!t) return not_modeled(c, c.prop("TransitGatewayRouteTableId"), "transit gateway route table");
  if (!find(net.transit_gateway_attachments, tgw_attach_ix, c.str("TransitGatewayAttachmentId")))
    return not_modeled(c, c.prop("TransitGatewayAttachmentId"), "transit gateway attachment");
  t->propagations.push_back({c.str("TransitGatewayAttachmentId"), c.r.loc, false});
}

void ModelSink::Impl::add_tgw_route(C& c) {
  reg(c, Kind::kTgwRoute, "", SIZE_MAX);
  auto* t = find(net.transit_gateway_route_tables, tgw_rtb_ix, c.str("TransitGatewayRouteTableId"));
  if (!t) return not_modeled(c, c.prop("TransitGatewayRouteTableId"), "transit gateway route table");
  TransitGatewayRoute r;
  r.loc = c.r.loc;
  if (!c.prop("DestinationCidrBlock"))
    return c.error(c.r.loc, "E3003", fmt::format("{}: DestinationCidrBlock is required", c.who()));
  r.destination = cidr(c, c.prop("DestinationCidrBlock"), "DestinationCidrBlock");
  if (!r.destination) return;
  r.blackhole = to_bool(c.prop("Blackhole"), false);
  r.attachment = c.str("TransitGatewayAttachmentId");
  if (r.blackhole == !r.attachment.empty())
    return c.error(c.r.loc, "E3014",
                   fmt::format("{}: give exactly one of TransitGatewayAttachmentId and Blackhole: true", c.who()));
  t->routes.push_back(std::move(r));
}

// Ref is the share's ARN. Whom a TGW is shared with is checked in
// model/finalize_transit.cpp, where accounts are known.
void ModelSink::Impl::add_resource_share(C& c) {
  model::ResourceShare r;
  std::string uid = c.id("rs");  // "rs-" + hex: a stable stand-in for RAM's UUID
  r.arn = fmt::format("arn:aws:ram:{}:{}:resource-share/{}", c.stack.region, c.stack.account, uid.substr(3));
  r.origin = c.origin;
  r.name = c.str("Name");
  r.resource_arns = strings(c.prop("ResourceArns"));
  r.principals = strings(c.prop("Principals"));
  if (const Value* v = c.prop("AllowExternalPrincipals"); v && v->is_scalar()) r.allow_external_principals = v->text() == "true";
  r.loc = c.r.loc;
  reg(c, Kind::kResourceShare, r.arn, net.resource_shares.size());
  net.resource_shares.push_back(std::move(r));
}

}  // namespace vpclab::tmpl
