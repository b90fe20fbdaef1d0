// Terraform -> model, VPC endpoints: aws_vpc_endpoint and its association
// resources (aws_vpc_endpoint_route_table_association, _subnet_association,
// _security_group_association). What AWS adds for an endpoint (the routes to
// a gateway endpoint's prefix list, an interface endpoint's ENIs) and the
// checks both front ends share are model::finalize()'s (finalize_endpoints.cpp).
#include <fmt/format.h>

#include <algorithm>

#include "semantics/vpc_endpoint.h"
#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kEndpointTypes = {"aws_vpc_endpoint"};

void add_unique(std::vector<std::string>& v, const std::string& id) {
  if (!id.empty() && std::find(v.begin(), v.end(), id) == v.end()) v.push_back(id);
}
}  // namespace

void Reader::add_vpc_endpoint(Resource& r) {
  Node n = top(r);
  model::VpcEndpoint ep;
  ep.id = r.id;
  ep.origin = origin(r);
  ep.name = name_tag(n);
  ep.vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  if (!vpc_ix_.count(ep.vpc)) return ref_missing(n, "vpc_id", ep.vpc, "VPC");
  Want quiet;
  quiet.quiet = true;
  ep.service_name = str(n, "service_name").value_or("");
  ep.service_name_loc = loc_of(n, "service_name");
  // The provider's default, as CloudFormation's: Gateway.
  std::string type = str(n, "vpc_endpoint_type", quiet).value_or("Gateway");
  auto kind = semantics::parse_vpc_endpoint_type(type);
  if (!kind) {
    error(n, "vpc_endpoint_type", "TF_VALUE",
          fmt::format("vpc_endpoint_type must be Gateway, Interface or GatewayLoadBalancer, not '{}'", type));
    return;
  }
  ep.type = semantics::vpc_endpoint_type_name(*kind);
  if (!ep.service_name.empty() && !semantics::parse_service_name(ep.service_name)) {
    error(n, "service_name", "VPCE_SERVICE_NAME",
          fmt::format("service_name '{}' is not a service name (com.amazonaws.REGION.SERVICE)", ep.service_name));
    return;
  }
  Want rts;
  rts.types = kRtbTypes;
  rts.many = true;
  ep.route_tables = strs(n, "route_table_ids", rts);
  ep.route_table_locs.assign(ep.route_tables.size(), loc_of(n, "route_table_ids"));
  Want subnets;
  subnets.types = kSubnetTypes;
  subnets.many = true;
  ep.subnets = strs(n, "subnet_ids", subnets);
  ep.subnet_locs.assign(ep.subnets.size(), loc_of(n, "subnet_ids"));
  Want sgs;
  sgs.types = kSgTypes;
  sgs.many = true;
  ep.security_groups = strs(n, "security_group_ids", sgs);
  ep.private_dns_enabled = boolean(n, "private_dns_enabled").value_or(false);  // the provider's default
  ep.policy_document = str(n, "policy", quiet).value_or("");
  if (ep.is_gateway() && (!ep.subnets.empty() || !ep.security_groups.empty()))
    error(n, ep.subnets.empty() ? "security_group_ids" : "subnet_ids", "VPCE_PROPERTY_TYPE",
          "subnet_ids and security_group_ids are for Interface endpoints; a Gateway endpoint is a route");
  if (!ep.is_gateway() && !ep.route_tables.empty())
    error(n, "route_table_ids", "VPCE_PROPERTY_TYPE", "route_table_ids are for Gateway endpoints");
  net_.vpc_endpoints.push_back(std::move(ep));
}

model::VpcEndpoint* Reader::vpc_endpoint_of(const Node& n) {
  Want w;
  w.types = kEndpointTypes;
  std::string id = str(n, "vpc_endpoint_id", w).value_or("");
  for (auto& e : net_.vpc_endpoints)
    if (e.id == id) return &e;
  ref_missing(n, "vpc_endpoint_id", id, "VPC endpoint");
  return nullptr;
}

void Reader::add_vpc_endpoint_route_table_association(Resource& r) {
  Node n = top(r);
  if (model::VpcEndpoint* e = vpc_endpoint_of(n)) {
    std::string rt = id_or_only(n, "route_table_id", kRtbTypes, "route table");
    size_t before = e->route_tables.size();
    add_unique(e->route_tables, rt);
    if (e->route_tables.size() != before) e->route_table_locs.push_back(loc_of(n, "route_table_id"));
  }
}

void Reader::add_vpc_endpoint_subnet_association(Resource& r) {
  Node n = top(r);
  if (model::VpcEndpoint* e = vpc_endpoint_of(n)) {
    std::string s = id_or_only(n, "subnet_id", kSubnetTypes, "subnet");
    size_t before = e->subnets.size();
    add_unique(e->subnets, s);
    if (e->subnets.size() != before) e->subnet_locs.push_back(loc_of(n, "subnet_id"));
  }
}

void Reader::add_vpc_endpoint_security_group_association(Resource& r) {
  Node n = top(r);
  if (model::VpcEndpoint* e = vpc_endpoint_of(n))
    add_unique(e->security_groups, id_or_only(n, "security_group_id", kSgTypes, "security group"));
}

}  // namespace vpclab::terraform
