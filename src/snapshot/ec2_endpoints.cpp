// AWS CLI JSON -> model, VPC endpoints (describe-vpc-endpoints): the
// endpoint as AWS reports it. Its routes are in describe-route-tables
// (DestinationPrefixListId + GatewayId vpce-) and its ENIs in
// describe-network-interfaces (InterfaceType vpc_endpoint); finalize() adds
// neither, it only marks the ENIs as the endpoint's.
#include <algorithm>

#include "snapshot/loader.h"

namespace vpclab::snapshot {

void Loader::vpc_endpoints(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string id = str(x, "VpcEndpointId");
    if (id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "VPC endpoint without VpcEndpointId; skipped");
      continue;
    }
    std::string state = str(x, "State");
    std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::tolower(c); });
    if (state == "deleted" || state == "deleting") continue;
    bool seen = false;
    for (const auto& e : net_.vpc_endpoints) seen |= e.id == id;
    if (seen) continue;  // the same account listed twice
    model::VpcEndpoint ep;
    ep.id = id;
    ep.origin = origin(d);
    ep.name = name_tag(x);
    ep.vpc = str(x, "VpcId");
    ep.service_name = str(x, "ServiceName");
    ep.service_name_loc = loc(d);
    ep.type = x.contains("VpcEndpointType") ? str(x, "VpcEndpointType") : "Gateway";
    ep.state = state.empty() ? "available" : state;
    auto list = [&](const char* key, std::vector<std::string>& out) {
      if (const json* l = array(x, key))
        for (const auto& v : *l)
          if (v.is_string()) out.push_back(v.get<std::string>());
    };
    list("RouteTableIds", ep.route_tables);
    list("SubnetIds", ep.subnets);
    list("NetworkInterfaceIds", ep.network_interfaces);
    if (const json* groups = array(x, "Groups"))
      for (const auto& g : *groups)
        if (std::string gid = str(g, "GroupId"); !gid.empty()) ep.security_groups.push_back(gid);
    ep.private_dns_enabled = boolean(x, "PrivateDnsEnabled").value_or(false);
    ep.policy_document = str(x, "PolicyDocument");
    ep.from_input = true;
    net_.vpc_endpoints.push_back(std::move(ep));
  }
}

}  // namespace vpclab::snapshot
