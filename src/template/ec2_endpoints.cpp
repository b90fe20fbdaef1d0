// CloudFormation -> model, VPC endpoints (AWS::EC2::VPCEndpoint): the
// endpoint as written, checked as CreateVpcEndpoint checks what it can see
// here (service name, properties of the other endpoint types). What AWS
// derives from it (the prefix-list routes, the interface ENIs) and the checks
// that need other resources (one subnet per zone) are in
// model/finalize_endpoints.cpp.
#include <fmt/format.h>

#include "model/ids.h"
#include "semantics/vpc_endpoint.h"
#include "template/model_sink.h"
#include "template/resolver.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kVpcEndpoint = {{"ServiceName", K::kString},
                             {"ServiceNetworkArn", K::kString},
                             {"ServiceRegion", K::kString},
                             {"ResourceConfigurationArn", K::kString},
                             {"VpcId", K::kString, true},
                             {"VpcEndpointType", K::kString},
                             {"RouteTableIds", K::kStringList},
                             {"SubnetIds", K::kStringList},
                             {"SecurityGroupIds", K::kStringList},
                             {"PrivateDnsEnabled", K::kBool},
                             {"PolicyDocument", K::kJson},
                             {"IpAddressType", K::kString},
                             {"DnsOptions", K::kMap},
                             {"Tags", K::kList, false, &kTag}};

// The ids of a string-list property with the place of each item.
void ids_with_locs(const Value* v, std::vector<std::string>& ids, std::vector<SourceLoc>& locs) {
  if (!v || !v->is_list()) return;
  for (const auto& item : v->items()) {
    if (!item.is_scalar()) continue;
    ids.push_back(item.text());
    locs.push_back(item.loc());
  }
}

}  // namespace

void ModelSink::Impl::ec2_endpoint_types(TypeTable& t) {
  t["AWS::EC2::VPCEndpoint"] = {&kVpcEndpoint, &Impl::add_vpc_endpoint};
}

std::optional<Value> ModelSink::Impl::ec2_endpoint_att(const StackContext&, const Entry& e, const std::string& a) {
  if (e.kind != Kind::kVpcEndpoint) return std::nullopt;
  const auto& ep = net.vpc_endpoints[e.index];
  if (a == "Id") return str_value(ep.id);
  if (a == "CreationTimestamp") return str_value("2024-01-01T00:00:00.000Z");
  // The ENIs exist once finalize() ran; GetAtt is answered while reading, so
  // they are named as finalize() will name them (model/ids.h).
  if (a == "NetworkInterfaceIds") {
    std::vector<std::string> ids;
    if (ep.is_interface())
      for (const auto& s : ep.subnets) ids.push_back(model::make_id("eni", {ep.id, s}));
    return list_value(ids);
  }
  if (a == "DnsEntries") {
    std::vector<std::string> names;
    if (ep.is_interface())
      if (auto svc = semantics::parse_service_name(ep.service_name))
        names.push_back(fmt::format("{}.{}.{}.vpce.amazonaws.com", ep.id, svc->service, svc->region));
    return list_value(names);
  }
  return std::nullopt;
}

void ModelSink::Impl::add_vpc_endpoint(C& c) {
  model::VpcEndpoint ep;
  ep.id = c.id("vpce");
  ep.origin = c.origin;
  ep.name = name_tag(c.prop("Tags"));
  ep.vpc = c.str("VpcId");
  ep.service_name = c.str("ServiceName");
  ep.service_name_loc = c.loc_of("ServiceName");
  std::string type = c.prop("VpcEndpointType") ? c.str("VpcEndpointType") : "Gateway";  // CloudFormation's default
  auto kind = semantics::parse_vpc_endpoint_type(type);
  if (!kind) {
    c.error(c.loc_of("VpcEndpointType"), "E3030",
            fmt::format("{}: VpcEndpointType must be Gateway, Interface or GatewayLoadBalancer, not '{}' (Resource "
                        "and ServiceNetwork endpoints are not modelled)",
                        c.who(), type));
    return;
  }
  ep.type = semantics::vpc_endpoint_type_name(*kind);
  if (ep.service_name.empty()) {
    c.error(c.r.loc, "E3003", fmt::format("{}: ServiceName is required for a {} endpoint", c.who(), ep.type));
  } else if (!semantics::parse_service_name(ep.service_name)) {
    c.error(ep.service_name_loc, "VPCE_SERVICE_NAME",
            fmt::format("{}: ServiceName '{}' is not a service name (com.amazonaws.REGION.SERVICE, or "
                        "com.amazonaws.vpce.REGION.vpce-svc-... for an endpoint service)",
                        c.who(), ep.service_name));
  } else if (auto svc = semantics::parse_service_name(ep.service_name); svc->region != c.stack.region && !c.prop("ServiceRegion")) {
    c.error(ep.service_name_loc, "VPCE_SERVICE_REGION",
            fmt::format("{}: ServiceName '{}' is in {}, the stack in {}; an endpoint reaches services of its own "
                        "Region",
                        c.who(), ep.service_name, svc->region, c.stack.region));
  }
  ids_with_locs(c.prop("RouteTableIds"), ep.route_tables, ep.route_table_locs);
  ids_with_locs(c.prop("SubnetIds"), ep.subnets, ep.subnet_locs);
  ep.security_groups = group_ids(c.prop("SecurityGroupIds"), ep.vpc);
  ep.private_dns_enabled = to_bool(c.prop("PrivateDnsEnabled"), false);
  if (const Value* p = c.prop("PolicyDocument")) ep.policy_document = p->is_string() ? p->text() : detail::Resolver::to_json(*p);
  // Properties of the other endpoint types: AWS refuses them.
  auto refuse = [&](const char* prop, const char* why) {
    if (c.prop(prop))
      c.error(c.loc_of(prop), "VPCE_PROPERTY_TYPE",
              fmt::format("{}: {} is not allowed for {} endpoints ({})", c.who(), prop, ep.type, why));
  };
  if (ep.is_gateway()) {
    refuse("SubnetIds", "a gateway endpoint is a route; subnets are for Interface endpoints");
    refuse("SecurityGroupIds", "a gateway endpoint has no network interface");
    if (ep.private_dns_enabled)
      c.error(c.loc_of("PrivateDnsEnabled"), "VPCE_PROPERTY_TYPE",
              fmt::format("{}: PrivateDnsEnabled is for Interface endpoints, not a Gateway endpoint", c.who()));
  } else {
    refuse("RouteTableIds", "route tables are for Gateway endpoints");
    if (ep.is_interface() && ep.subnets.empty())
      c.error(c.r.loc, "E3003", fmt::format("{}: an Interface endpoint needs SubnetIds (one subnet per Availability "
                                            "Zone it serves)",
                                            c.who()));
  }
  if (!ep.vpc.empty() && !vpc(ep.vpc)) not_modeled(c, c.prop("VpcId"), "VPC");
  reg(c, Kind::kVpcEndpoint, ep.id, net.vpc_endpoints.size());
  net.vpc_endpoints.push_back(std::move(ep));
}

}  // namespace vpclab::tmpl
