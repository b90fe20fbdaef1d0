// CloudFormation -> model: the dispatch by resource type (each AWS service
// family registers its types in its own file, see model_sink.h), Ref and
// GetAtt over what was added, and the types vpclab does not model.
#include "template/to_model.h"

#include <fmt/format.h>

#include "template/model_sink.h"
#include "vocab/base64.h"

namespace vpclab::tmpl {
using namespace cfn;

std::optional<std::string> decode_base64(std::string_view text) { return base64_decode(text); }

namespace {

// Types vpclab does not model but that change what can reach what; kept in
// the model so the analyzer can say a path leaves through one.
bool network_relevant(const std::string& type) {
  static const char* kPrefixes[] = {
      "AWS::EC2::TransitGateway", "AWS::EC2::VPNGateway",   "AWS::EC2::VPNConnection", "AWS::EC2::CustomerGateway",
      "AWS::EC2::VPCEndpointService", "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::CarrierGateway",
      "AWS::EC2::LocalGateway",   "AWS::EC2::ClientVpn",    "AWS::EC2::SubnetCidrBlock", "AWS::EC2::PrefixList",
      "AWS::EC2::DHCPOptions",    "AWS::EC2::VPCDHCPOptionsAssociation", "AWS::EC2::GatewayRouteTableAssociation",
      "AWS::EC2::VPNGatewayRoutePropagation", "AWS::EC2::SpotFleet", "AWS::EC2::EC2Fleet",
      "AWS::NetworkFirewall::",   "AWS::ElasticLoadBalancing::",
      "AWS::Route53Resolver::",   "AWS::GlobalAccelerator::", "AWS::NetworkManager::", "AWS::ECS::Service",
      "AWS::RDS::DBInstance",     "AWS::RDS::DBCluster",    "AWS::Lambda::Function", "AWS::EKS::",
  };
  for (const char* p : kPrefixes)
    if (type.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------

void ModelSink::Impl::not_modeled(const C& c, const Value* v, const char* what) {
  std::string msg = fmt::format("{} names {} '{}', which is not in the loaded stacks", c.who(), what, text(v));
  // After an earlier error the engine skips the failed resource and Refs
  // to it get a made-up id: say so quietly instead of a second error.
  if (c.diags.has_errors())
    c.diags.note(v ? v->loc() : c.r.loc, "REF_NOT_MODELED", msg + " (perhaps because of an earlier error)");
  else
    c.error(v ? v->loc() : c.r.loc, "REF_NOT_MODELED", msg);
}

void ModelSink::Impl::reg(const C& c, Kind kind, std::string id, size_t index, std::string extra) {
  entries[key(c.stack.name, c.r.logical_id)] = Entry{c.r.type, kind, std::move(id), index, std::move(extra)};
}

model::ElasticIp* ModelSink::Impl::attach_eip(const C& c, const Value* alloc, model::NetworkInterface& e) {
  model::ElasticIp* eip = find(net.elastic_ips, eip_alloc_ix, text(alloc));
  if (!eip) {
    not_modeled(c, alloc, "Elastic IP allocation");
    return nullptr;
  }
  eip->network_interface = e.id;
  e.public_ip = eip->public_ip;
  return eip;
}

void ModelSink::Impl::add_unmodeled(C& c) {
  const bool elbv2 = c.r.type.rfind("AWS::ElasticLoadBalancingV2::", 0) == 0;
  // Only gateway load balancers (and their listeners) reach here from ELBv2.
  std::string what = elbv2 ? "Gateway Load Balancer" : c.r.type;
  if (noted_types.insert(what).second)
    c.diags.note(c.r.loc, "UNMODELED_TYPE",
                 fmt::format("{} resources are not modeled by vpclab; paths through them are not analyzed", what));
  if (network_relevant(c.r.type) || elbv2) {
    model::UnmodeledResource u;
    u.type = c.r.type;
    u.id = fabricated_physical_id(c.stack, c.r.type, c.r.logical_id);
    u.origin = c.origin;
    net.unmodeled.push_back(std::move(u));
  }
  entries[key(c.stack.name, c.r.logical_id)] = Entry{c.r.type, Kind::kUnmodeled, "", SIZE_MAX, {}};
}

const ModelSink::Impl::TypeTable& ModelSink::Impl::types() {
  static const TypeTable t = [] {
    TypeTable t;
    ec2_network_types(t);
    ec2_transit_types(t);
    ec2_vpn_types(t);
    ec2_filters_types(t);
    ec2_prefix_list_types(t);
    ec2_endpoint_types(t);
    ec2_instances_types(t);
    elbv2_types(t);
    route53_types(t);
    ec2_insights_types(t);
    autoscaling_types(t);
    return t;
  }();
  return t;
}

void ModelSink::Impl::add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) {
  model::Origin origin{stack.account, stack.region, stack.name, r.logical_id, r.loc};
  C c{stack, r, diags, origin};
  auto it = types().find(r.type);
  if (it == types().end()) {
    fallback.add(stack, r, diags);
    add_unmodeled(c);
    return;
  }
  static const Value kEmpty = Value::map({});
  if (r.properties.is_null()) {
    // No Properties: only required ones can be missing.
    check(c, kEmpty, *it->second.schema, c.who(), r.loc);
  } else {
    check(c, r.properties, *it->second.schema, c.who(), r.loc);
  }
  if (!r.properties.is_map() && !r.properties.is_null()) return;
  (this->*(it->second.add))(c);
}

std::optional<Value> ModelSink::Impl::ref(const StackContext& stack, const std::string& logical_id) {
  auto it = entries.find(key(stack.name, logical_id));
  if (it == entries.end()) return std::nullopt;
  if (it->second.kind == Kind::kUnmodeled) return fallback.ref(stack, logical_id);
  if (it->second.id.empty()) return std::nullopt;  // the engine fabricates one
  return Value::string(it->second.id);
}

std::optional<Value> ModelSink::Impl::get_att(const StackContext& stack, const std::string& logical_id,
                                              const std::string& a) {
  auto it = entries.find(key(stack.name, logical_id));
  if (it == entries.end()) return std::nullopt;
  const Entry& e = it->second;
  if (e.kind == Kind::kUnmodeled || e.kind == Kind::kInsights) return fallback.get_att(stack, logical_id, a);
  // Each family answers for the kinds it made, nullopt for the others.
  for (auto att : {&Impl::ec2_network_att, &Impl::ec2_transit_att, &Impl::ec2_vpn_att, &Impl::ec2_filters_att,
                   &Impl::ec2_prefix_list_att, &Impl::ec2_endpoint_att, &Impl::ec2_instances_att, &Impl::elbv2_att,
                   &Impl::route53_att, &Impl::autoscaling_att})
    if (auto v = (this->*att)(stack, e, a)) return v;
  return std::nullopt;
}

ModelSink::ModelSink(model::Network& net, model::AddressPlan& plan) : impl_(std::make_unique<Impl>(net, plan)) {}
ModelSink::~ModelSink() = default;

void ModelSink::add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) {
  impl_->add(stack, r, diags);
}
std::optional<Value> ModelSink::ref(const StackContext& stack, const std::string& logical_id) {
  return impl_->ref(stack, logical_id);
}
std::optional<Value> ModelSink::get_att(const StackContext& stack, const std::string& logical_id,
                                        const std::string& attribute) {
  return impl_->get_att(stack, logical_id, attribute);
}

model::VpcPeeringConnection* ModelSink::peering(const std::string& stack, const std::string& logical_id) {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  if (it == impl_->entries.end() || it->second.kind != Impl::Kind::kPeering) return nullptr;
  return &impl_->net.peerings[it->second.index];
}

model::TransitGatewayAttachment* ModelSink::tgw_attachment(const std::string& stack, const std::string& logical_id) {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  if (it == impl_->entries.end() || it->second.kind != Impl::Kind::kTgwAttachment) return nullptr;
  return &impl_->net.transit_gateway_attachments[it->second.index];
}

model::ResourceShare* ModelSink::resource_share(const std::string& stack, const std::string& logical_id) {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  if (it == impl_->entries.end() || it->second.kind != Impl::Kind::kResourceShare) return nullptr;
  return &impl_->net.resource_shares[it->second.index];
}

model::CustomerGateway* ModelSink::customer_gateway(const std::string& stack, const std::string& logical_id) {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  if (it == impl_->entries.end() || it->second.kind != Impl::Kind::kCustomerGateway) return nullptr;
  return &impl_->net.customer_gateways[it->second.index];
}

std::string ModelSink::type_of(const std::string& stack, const std::string& logical_id) const {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  return it == impl_->entries.end() ? std::string{} : it->second.type;
}

}  // namespace vpclab::tmpl
