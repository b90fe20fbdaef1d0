// VPC endpoints (semantics/vpc_endpoint.h): what AWS adds for them and the
// checks CreateVpcEndpoint makes. A gateway endpoint gets the service's
// AWS-managed prefix list (the snapshot's, else AWS's known one or a
// stand-in) and, for a template, a route to it in each of its route tables;
// an interface endpoint gets one ENI per subnet with its security groups
// (none: the VPC's default group, decided in check_interfaces).
#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "model/finalizer.h"
#include "model/ids.h"
#include "semantics/vpc_endpoint.h"

namespace vpclab::model {

namespace {
bool in_stack(const Origin& o) { return !o.stack.empty(); }
}  // namespace

// The AWS-managed list of a gateway service in a Region, added to the
// network unless it holds that list already (by name); its id.
std::string Finalizer::add_aws_managed_prefix_list(const std::string& id, const std::string& name,
                                                   const std::vector<Ipv4Cidr>& cidrs, const Origin& where,
                                                   SourceLoc loc) {
  for (const auto& pl : net_.prefix_lists)
    if (pl.name == name || pl.id == id) return pl.id;
  PrefixList pl;
  pl.id = id;
  pl.origin = Origin{where.account, where.region, "", "", {}};
  pl.name = name;
  pl.owner_id = "AWS";
  pl.max_entries = static_cast<int>(cidrs.size());
  for (const auto& c : cidrs) pl.entries.push_back(PrefixListEntry::of(c.str(), ""));
  pl.loc = loc;
  net_.prefix_lists.push_back(std::move(pl));
  return id;
}

void Finalizer::add_vpc_endpoint_resources() {
  // A template may name S3's or DynamoDB's AWS-managed list by id (an SG rule's
  // DestinationPrefixListId: pl-63a5400a) without any endpoint: vpclab knows
  // those lists in each Region of the network (semantics/vpc_endpoint.h).
  {
    std::map<std::string, std::pair<semantics::ManagedPrefixList, Origin>> managed;
    for (const auto& v : net_.vpcs)
      for (const char* service : {"s3", "dynamodb"})
        if (auto k = semantics::aws_managed_prefix_list({v.origin.region, service, false}))
          managed.emplace(k->id, std::pair{*k, v.origin});
    auto want = [&](const std::string& id, SourceLoc loc) {
      auto it = managed.find(id);
      if (it != managed.end()) {
        const auto& k = it->second.first;
        add_aws_managed_prefix_list(k.id, k.name, k.cidrs, it->second.second, loc);
      }
    };
    for (const auto& g : net_.security_groups)
      for (const auto* rules : {&g.ingress, &g.egress})
        for (const auto& r : *rules)
          if (!r.prefix_list_id.empty()) want(r.prefix_list_id, r.loc);
    for (const auto& t : net_.route_tables)
      for (const auto& r : t.routes)
        if (!r.destination_prefix_list.empty()) want(r.destination_prefix_list, r.loc);
  }
  if (net_.vpc_endpoints.empty()) return;
  // Before index(): the lookups are local.
  std::unordered_map<std::string, RouteTable*> tables;
  for (auto& t : net_.route_tables) tables.emplace(t.id, &t);
  std::unordered_map<std::string, const Subnet*> subnets;
  for (const auto& s : net_.subnets) subnets.emplace(s.id, &s);
  std::unordered_map<std::string, size_t> enis;
  for (size_t i = 0; i < net_.network_interfaces.size(); ++i) enis.emplace(net_.network_interfaces[i].id, i);
  for (auto& ep : net_.vpc_endpoints) {
    auto problem = [&](SourceLoc loc, const char* code, std::string msg) {
      if (in_stack(ep.origin)) error(loc, code, std::move(msg));
      else warning(loc, code, std::move(msg));
    };
    auto svc = semantics::parse_service_name(ep.service_name);
    if (svc) ep.dns_name = semantics::service_public_dns_name(*svc);
    if (ep.is_gateway()) {
      if (!svc || !semantics::has_gateway_endpoint(*svc)) {
        if (svc)
          problem(ep.service_name_loc, "VPCE_SERVICE_NO_GATEWAY",
                  fmt::format("VPC endpoint {}: {} offers no gateway endpoint (only S3 and DynamoDB do); use "
                              "VpcEndpointType: Interface",
                              who(ep), ep.service_name));
        continue;
      }
      auto known = semantics::aws_managed_prefix_list(*svc);
      bool have = false;
      for (const auto& pl : net_.prefix_lists) have |= pl.name == known->name;
      if (!have && !known->confirmed)
        diags_.note(ep.service_name_loc, "VPCE_PREFIX_LIST_STAND_IN",
                    fmt::format("VPC endpoint {}: vpclab does not know AWS's prefix list {} in {}; it uses stand-in "
                                "id {} and CIDRs {} (a snapshot's describe-prefix-lists gives the real ones)",
                                who(ep), known->name, svc->region, known->id, known->cidrs.front().str()));
      ep.prefix_list = add_aws_managed_prefix_list(known->id, known->name, known->cidrs, ep.origin, ep.origin.loc);
      if (ep.from_input) continue;  // the snapshot's route tables hold the routes
      for (size_t i = 0; i < ep.route_tables.size(); ++i) {
        SourceLoc loc = i < ep.route_table_locs.size() ? ep.route_table_locs[i] : ep.origin.loc;
        auto it = tables.find(ep.route_tables[i]);
        if (it == tables.end()) {
          problem(loc, "VPCE_UNKNOWN_ROUTE_TABLE",
                  fmt::format("VPC endpoint {} names route table '{}', which is not defined", who(ep),
                              ep.route_tables[i]));
          continue;
        }
        if (it->second->vpc != ep.vpc) {
          problem(loc, "VPCE_ROUTE_TABLE_OTHER_VPC",
                  fmt::format("VPC endpoint {}: route table {} is not in VPC {}", who(ep), who(*it->second), ep.vpc));
          continue;
        }
        Route r;
        r.destination_prefix_list = ep.prefix_list;
        r.target_kind = RouteTargetKind::kVpcEndpoint;
        r.target_id = ep.id;
        r.loc = loc;
        it->second->routes.push_back(std::move(r));
      }
      continue;
    }
    if (!ep.is_interface()) continue;  // GatewayLoadBalancer: noted, not modelled
    if (ep.from_input) {
      // describe-network-interfaces lists them (InterfaceType vpc_endpoint).
      for (const auto& id : ep.network_interfaces)
        if (auto it = enis.find(id); it != enis.end()) {
          auto& e = net_.network_interfaces[it->second];
          e.owner_kind = EniOwnerKind::kVpcEndpoint;
          e.owner_id = ep.id;
        }
      continue;
    }
    ep.network_interfaces.clear();
    for (size_t i = 0; i < ep.subnets.size(); ++i) {
      auto it = subnets.find(ep.subnets[i]);
      if (it == subnets.end()) {
        problem(i < ep.subnet_locs.size() ? ep.subnet_locs[i] : ep.origin.loc, "VPCE_UNKNOWN_SUBNET",
                fmt::format("VPC endpoint {} names subnet '{}', which is not defined", who(ep), ep.subnets[i]));
        continue;
      }
      NetworkInterface e;
      e.id = make_id("eni", {ep.id, ep.subnets[i]});
      e.origin = ep.origin;
      e.subnet = it->second->id;
      e.vpc = it->second->vpc;
      e.security_groups = ep.security_groups;
      e.owner_kind = EniOwnerKind::kVpcEndpoint;
      e.owner_id = ep.id;
      ep.network_interfaces.push_back(e.id);
      net_.network_interfaces.push_back(std::move(e));
    }
  }
}

void Finalizer::check_vpc_endpoints() {
  for (auto& ep : net_.vpc_endpoints) {
    auto problem = [&](SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
      if (in_stack(ep.origin)) error(loc, code, std::move(msg), std::move(fix));
      else warning(loc, code, std::move(msg), std::move(fix));
    };
    const Vpc* v = net_.vpc(ep.vpc);
    if (!v) {
      if (in_stack(ep.origin))
        error(ep.origin.loc, "VPCE_UNKNOWN_VPC",
              fmt::format("VPC endpoint {} names VPC '{}', which is not defined", who(ep), ep.vpc));
      continue;
    }
    if (!ep.is_gateway() && !ep.is_interface())
      diags_.note(ep.origin.loc, "VPCE_NOT_MODELED",
                  fmt::format("VPC endpoint {} is a {} endpoint, which vpclab does not model: a path through it is "
                              "undecidable (UNMODELED_COMPONENT)",
                              who(ep), ep.type));
    if (!ep.is_interface()) continue;
    std::vector<std::string> zones;
    for (size_t i = 0; i < ep.subnets.size(); ++i) {
      const Subnet* s = net_.subnet(ep.subnets[i]);
      zones.push_back(s ? s->availability_zone : "");
      if (s && s->vpc != ep.vpc)
        problem(i < ep.subnet_locs.size() ? ep.subnet_locs[i] : ep.origin.loc, "VPCE_SUBNET_OTHER_VPC",
                fmt::format("VPC endpoint {}: subnet {} is not in VPC {}", who(ep), who(*s), who(*v)));
    }
    if (auto dup = semantics::second_subnet_in_zone(zones)) {
      const Subnet* s = net_.subnet(ep.subnets[*dup]);
      problem(*dup < ep.subnet_locs.size() ? ep.subnet_locs[*dup] : ep.origin.loc, "VPCE_SUBNET_SAME_AZ",
              fmt::format("VPC endpoint {}: subnet {} is a second subnet in {}; an interface endpoint takes one "
                          "subnet per Availability Zone",
                          who(ep), who(*s), s->availability_zone),
              "keep one subnet of each Availability Zone in SubnetIds");
    }
    if (ep.private_dns_enabled && (!v->enable_dns_support || !v->enable_dns_hostnames))
      problem(ep.origin.loc, "VPCE_PRIVATE_DNS_VPC_ATTRIBUTES",
              fmt::format("VPC endpoint {}: PrivateDnsEnabled needs EnableDnsSupport and EnableDnsHostnames on VPC {}",
                          who(ep), who(*v)),
              "set EnableDnsHostnames: true (and EnableDnsSupport) on the VPC");
  }
}

RouteState Finalizer::vpc_endpoint_route_state(const RouteTable& t, const Vpc& v, const Route& r) {
  const VpcEndpoint* ep = net_.vpc_endpoint(r.target_id);
  if (!ep) {
    // A snapshot without describe-vpc-endpoints, or a front end that lists the
    // endpoint as unmodeled (Terraform): the analyzer says it cannot tell.
    if (!in_stack(t.origin)) return r.state;
    for (const auto& u : net_.unmodeled)
      if (u.id == r.target_id) return r.state;
    warning(r.loc, "ROUTE_TARGET_UNKNOWN",
            fmt::format("route to {} in {} targets VPC endpoint '{}', which is not in the model: blackhole", dest(r),
                        who(t), r.target_id));
    return RouteState::kBlackhole;
  }
  if (ep->vpc != v.id) {
    error(r.loc, "ROUTE_TARGET_OTHER_VPC",
          fmt::format("route to {} in {} targets VPC endpoint {}, which is not in VPC {}", dest(r), who(t), who(*ep),
                      who(v)));
    return RouteState::kBlackhole;
  }
  return ep->state == "available" ? RouteState::kActive : RouteState::kBlackhole;
}

}  // namespace vpclab::model
