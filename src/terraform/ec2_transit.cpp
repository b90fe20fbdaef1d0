// Terraform -> model, EC2 transit gateways: aws_ec2_transit_gateway,
// aws_ec2_transit_gateway_vpc_attachment (+ _accepter),
// aws_ec2_transit_gateway_peering_attachment (+ _accepter),
// aws_ec2_transit_gateway_route_table, its _association, _propagation, and
// aws_ec2_transit_gateway_route. The model is the one the CloudFormation
// reader fills (template/ec2_transit.cpp); defaults and effective values are
// decided in model/finalize_transit.cpp, AWS's rules in semantics/.
#include <fmt/format.h>

#include "semantics/transit_gateway.h"
#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kTgwTypes = {"aws_ec2_transit_gateway"};
// What a transit_gateway_attachment_id names (a VPN connection by its
// transit_gateway_attachment_id attribute).
const std::vector<std::string_view> kAttachmentTypes = {
    "aws_ec2_transit_gateway_vpc_attachment", "aws_ec2_transit_gateway_vpc_attachment_accepter",
    "aws_ec2_transit_gateway_peering_attachment", "aws_ec2_transit_gateway_peering_attachment_accepter",
    "aws_vpn_connection"};
// A TGW route table, or a TGW's association_default_route_table_id.
const std::vector<std::string_view> kTgwRtbTypes = {"aws_ec2_transit_gateway_route_table", "aws_ec2_transit_gateway"};
}  // namespace

bool Reader::enabled(const Node& n, const std::string& key, bool dflt) {
  Want quiet;
  quiet.quiet = true;
  auto s = str(n, key, quiet);
  if (!s || s->empty()) return dflt;
  if (*s == "enable") return true;
  if (*s == "disable") return false;
  error(n, key, "TF_VALUE", fmt::format("{} must be \"enable\" or \"disable\", not '{}'", key, *s));
  return dflt;
}

// amazon_side_asn of a TGW or a VGW: nullopt when unset (AWS's default) or
// outside AWS's ranges (TF_VALUE).
std::optional<uint32_t> Reader::amazon_side_asn(const Node& n) {
  Want quiet;
  quiet.quiet = true;
  auto s = str(n, "amazon_side_asn", quiet);
  if (!s || s->empty()) return std::nullopt;
  auto asn = integer(n, "amazon_side_asn");
  if (asn && semantics::valid_amazon_side_asn(*asn)) return static_cast<uint32_t>(*asn);
  error(n, "amazon_side_asn", "TF_VALUE",
        fmt::format("amazon_side_asn {} is outside 64512-65534 and 4200000000-4294967294", *s));
  return std::nullopt;
}

void Reader::add_transit_gateway(Resource& r) {
  Node n = top(r);
  model::TransitGateway g;
  g.id = r.id;
  g.origin = origin(r);
  g.name = name_tag(n);
  if (auto asn = amazon_side_asn(n)) g.amazon_side_asn = *asn;
  // The provider's defaults are AWS's: defaults enabled, no auto-accept.
  g.default_route_table_association = enabled(n, "default_route_table_association", true);
  g.default_route_table_propagation = enabled(n, "default_route_table_propagation", true);
  g.auto_accept_shared_attachments = enabled(n, "auto_accept_shared_attachments", false);
  g.dns_support = enabled(n, "dns_support", true);
  for (const char* k : {"vpn_ecmp_support", "multicast_support", "security_group_referencing_support"})
    enabled(n, k, false);
  // The default table's id, as references to the TGW's attributes read it.
  if (g.default_route_table_association) g.association_default_route_table = r.attrs["association_default_route_table_id"];
  if (g.default_route_table_propagation) g.propagation_default_route_table = r.attrs["propagation_default_route_table_id"];
  tgw_ix_[g.id] = net_.transit_gateways.size();
  net_.transit_gateways.push_back(std::move(g));
}

void Reader::add_tgw_vpc_attachment(Resource& r) {
  Node n = top(r);
  model::TransitGatewayAttachment a;
  a.id = r.id;
  a.origin = origin(r);
  a.name = name_tag(n);
  a.transit_gateway = id_or_only(n, "transit_gateway_id", kTgwTypes, "transit gateway");
  if (!tgw_ix_.count(a.transit_gateway)) return ref_missing(n, "transit_gateway_id", a.transit_gateway, "transit gateway");
  a.resource_type = "vpc";
  a.resource_id = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  if (!vpc_ix_.count(a.resource_id)) return ref_missing(n, "vpc_id", a.resource_id, "VPC");
  Want ws;
  ws.types = kSubnetTypes;
  ws.many = true;
  // A subnet id the plan does not hold is kept: finalize() names it
  // (TGW_ATTACH_SUBNET_UNKNOWN), since the VPC, in the plan, must hold it.
  a.subnets = strs(n, "subnet_ids", ws);
  if (a.subnets.empty() && (expr(n, "subnet_ids") || is_unknown(n, "subnet_ids"))) {
    // One subnet per AZ: when the VPC has exactly that, they are the only candidates.
    std::map<std::string, std::vector<const model::Subnet*>> by_az;
    for (const auto& s : net_.subnets)
      if (s.vpc == a.resource_id) by_az[s.availability_zone].push_back(&s);
    bool one_each = !by_az.empty();
    for (const auto& [az, ss] : by_az) one_each = one_each && ss.size() == 1;
    if (!one_each) {
      warning(n, "subnet_ids", "TF_UNKNOWN", "the attachment's subnets are not known from the plan; attachment left out");
      return;
    }
    std::string names;
    for (const auto& [az, ss] : by_az) {
      a.subnets.push_back(ss.front()->id);
      names += (names.empty() ? "" : ", ") + ss.front()->origin.display(ss.front()->id);
    }
    ++counts_.assumed;
    note(n, "subnet_ids", "TF_ASSUMED",
         fmt::format("subnet_ids is not known from the plan; assumed {}, the VPC's only subnet in each of its "
                     "Availability Zones",
                     names));
  }
  a.appliance_mode_support = enabled(n, "appliance_mode_support", false);
  a.dns_support = enabled(n, "dns_support", true);
  for (const char* k : {"ipv6_support", "security_group_referencing_support"}) enabled(n, k, false);
  // false takes the attachment out of the TGW's default association / propagation.
  a.default_association = boolean(n, "transit_gateway_default_route_table_association").value_or(true);
  a.default_propagation = boolean(n, "transit_gateway_default_route_table_propagation").value_or(true);
  tgw_attach_ix_[a.id] = net_.transit_gateway_attachments.size();
  net_.transit_gateway_attachments.push_back(std::move(a));
}

model::TransitGatewayAttachment* Reader::tgw_attachment_of(const Node& n) {
  Want w;
  w.types = kAttachmentTypes;
  auto id = str(n, "transit_gateway_attachment_id", w);
  model::TransitGatewayAttachment* a = id ? find(net_.transit_gateway_attachments, tgw_attach_ix_, *id) : nullptr;
  if (!a) ref_missing(n, "transit_gateway_attachment_id", id.value_or("?"), "transit gateway attachment");
  return a;
}

// The owner of the TGW accepts another account's VPC attachment.
void Reader::add_tgw_vpc_attachment_accepter(Resource& r) {
  Node n = top(r);
  model::TransitGatewayAttachment* a = tgw_attachment_of(n);
  if (!a) return;
  r.attrs["id"] = a->id;
  a->accepted = true;
  a->default_association = boolean(n, "transit_gateway_default_route_table_association").value_or(true);
  a->default_propagation = boolean(n, "transit_gateway_default_route_table_propagation").value_or(true);
}

// The requester's side; the accepter's association names a table of the
// peer TGW; the attachment is pendingAcceptance until an
// aws_ec2_transit_gateway_peering_attachment_accepter accepts it.
void Reader::add_tgw_peering_attachment(Resource& r) {
  Node n = top(r);
  model::TransitGatewayAttachment a;
  a.id = r.id;
  a.origin = origin(r);
  a.name = name_tag(n);
  Want wt, quiet;
  wt.types = kTgwTypes;
  quiet.quiet = true;
  a.transit_gateway = str(n, "transit_gateway_id", wt).value_or("");
  if (!tgw_ix_.count(a.transit_gateway)) return ref_missing(n, "transit_gateway_id", a.transit_gateway, "transit gateway");
  a.resource_type = "peering";
  // The peer may be outside the plan (another Region or account): finalize() says so.
  a.resource_id = str(n, "peer_transit_gateway_id", wt).value_or("");
  if (a.resource_id.empty()) {
    warning(n, "peer_transit_gateway_id", "TF_UNKNOWN",
            "the peer transit gateway is not known from the plan; attachment left out");
    return;
  }
  // CreateTransitGatewayPeeringAttachment refuses a TGW peered with itself.
  if (a.resource_id == a.transit_gateway)
    return error(n, "peer_transit_gateway_id", "TGW_PEERING_SELF",
                 fmt::format("peer_transit_gateway_id is its own transit_gateway_id ({}); a transit gateway cannot "
                             "peer with itself",
                             a.transit_gateway));
  a.resource_owner = str(n, "peer_account_id", quiet).value_or("");
  a.peer_region = str(n, "peer_region", quiet).value_or(ctx_.region);
  tgw_attach_ix_[a.id] = net_.transit_gateway_attachments.size();
  net_.transit_gateway_attachments.push_back(std::move(a));
}

void Reader::add_tgw_peering_accepter(Resource& r) {
  Node n = top(r);
  model::TransitGatewayAttachment* a = tgw_attachment_of(n);
  if (!a) return;
  if (!a->is_peering())
    return error(n, "transit_gateway_attachment_id", "TF_VALUE",
                 fmt::format("{} is a {} attachment, not a peering attachment", a->origin.display(a->id),
                             a->resource_type));
  r.attrs["id"] = a->id;
  a->accepted = true;
}

void Reader::add_tgw_route_table(Resource& r) {
  Node n = top(r);
  model::TransitGatewayRouteTable t;
  t.id = r.id;
  t.origin = origin(r);
  t.name = name_tag(n);
  t.transit_gateway = id_or_only(n, "transit_gateway_id", kTgwTypes, "transit gateway");
  if (!tgw_ix_.count(t.transit_gateway)) return ref_missing(n, "transit_gateway_id", t.transit_gateway, "transit gateway");
  tgw_rtb_ix_[t.id] = net_.transit_gateway_route_tables.size();
  net_.transit_gateway_route_tables.push_back(std::move(t));
}

model::TransitGatewayRouteTable* Reader::tgw_route_table_of(const Node& n) {
  Want w;
  w.types = kTgwRtbTypes;
  auto id = str(n, "transit_gateway_route_table_id", w);
  if (!id) {
    ref_missing(n, "transit_gateway_route_table_id", "?", "transit gateway route table");
    return nullptr;
  }
  if (auto* t = find(net_.transit_gateway_route_tables, tgw_rtb_ix_, *id)) return t;
  // The TGW's default table (association_default_route_table_id), which AWS
  // makes with the TGW: made here when first named, as finalize() would.
  for (const auto& g : net_.transit_gateways)
    if (*id == g.association_default_route_table || *id == g.propagation_default_route_table) {
      model::TransitGatewayRouteTable t;
      t.id = *id;
      t.origin = g.origin;
      t.origin.logical_id.clear();
      t.name = "default";
      t.transit_gateway = g.id;
      t.implicit = true;
      tgw_rtb_ix_[t.id] = net_.transit_gateway_route_tables.size();
      net_.transit_gateway_route_tables.push_back(std::move(t));
      return &net_.transit_gateway_route_tables.back();
    }
  ref_missing(n, "transit_gateway_route_table_id", *id, "transit gateway route table");
  return nullptr;
}

void Reader::add_tgw_association(Resource& r) {
  Node n = top(r);
  model::TransitGatewayAttachment* a = tgw_attachment_of(n);
  model::TransitGatewayRouteTable* t = a ? tgw_route_table_of(n) : nullptr;
  if (!t) return;
  // A peering attachment is associated once on each side: the table's TGW says which.
  bool accepter = a->accepter_side(t->transit_gateway);
  std::string& table = accepter ? a->peer_route_table : a->route_table;
  bool& expl = accepter ? a->peer_route_table_explicit : a->route_table_explicit;
  if (expl)
    return error(n, "transit_gateway_route_table_id", "TGW_ATTACH_ASSOCIATED",
                 fmt::format("attachment {} is already associated with route table {}; an attachment has one",
                             a->origin.display(a->id), table));
  table = t->id;
  expl = true;
  (accepter ? a->peer_association_loc : a->association_loc) = loc_of(n);
  // replace_existing_association: the default association is replaced, not refused.
  Want quiet;
  quiet.quiet = true;
  if (!accepter && str(n, "replace_existing_association", quiet).value_or("false") == "true")
    a->default_association = false;
}

void Reader::add_tgw_propagation(Resource& r) {
  Node n = top(r);
  model::TransitGatewayAttachment* a = tgw_attachment_of(n);
  model::TransitGatewayRouteTable* t = a ? tgw_route_table_of(n) : nullptr;
  if (!t) return;
  t->propagations.push_back({a->id, loc_of(n), false});
}

void Reader::add_tgw_route(Resource& r) {
  Node n = top(r);
  model::TransitGatewayRouteTable* t = tgw_route_table_of(n);
  if (!t) return;
  TransitGatewayRoute route;
  route.loc = loc_of(n);
  auto dest = str(n, "destination_cidr_block");
  if (!dest) return;  // TF_UNKNOWN noted
  if (dest->find(':') != std::string::npos) return;  // IPv6 routes are not modeled
  route.destination = cidr(n, "destination_cidr_block", *dest);
  if (!route.destination) return;
  route.blackhole = boolean(n, "blackhole").value_or(false);
  Want w;
  w.types = kAttachmentTypes;
  w.quiet = true;
  route.attachment = str(n, "transit_gateway_attachment_id", w).value_or("");
  if (route.blackhole && !route.attachment.empty())
    return error(n, "blackhole", "TF_VALUE", "give transit_gateway_attachment_id or blackhole = true, not both");
  if (!route.blackhole && route.attachment.empty()) {
    if (expr(n, "transit_gateway_attachment_id") || is_unknown(n, "transit_gateway_attachment_id"))
      return warning(n, "transit_gateway_attachment_id", "TF_UNKNOWN",
                     "the route's attachment is not known from the plan; route left out");
    return error(n, "transit_gateway_attachment_id", "TF_VALUE",
                 "a transit gateway route needs transit_gateway_attachment_id or blackhole = true");
  }
  t->routes.push_back(std::move(route));
}

}  // namespace vpclab::terraform
