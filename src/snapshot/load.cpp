// The deployed-network front end (load.h): reads every file (files.cpp), each
// top-level key in dependency order by the reader of its service family, links
// what refers across files, and finalizes the model.
#include "snapshot/load.h"

#include <algorithm>

#include "model/build.h"
#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace {

bool unmodeled_target(RouteTargetKind k) {
  switch (k) {
    case RouteTargetKind::kVpnGateway:
    case RouteTargetKind::kVpcEndpoint:
    case RouteTargetKind::kEgressOnlyInternetGateway:
    case RouteTargetKind::kCarrierGateway:
    case RouteTargetKind::kLocalGateway:
    case RouteTargetKind::kCoreNetwork:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Loader::dispatch() {
  // Kinds are read in dependency order (ENIs before the load balancers that
  // own them, listeners before rules), whatever the file order.
  static const Kind order[] = {
      Kind::kVpcs, Kind::kVpcAttribute, Kind::kSubnets, Kind::kInternetGateways, Kind::kPeerings,
      Kind::kRouteTables, Kind::kSecurityGroups, Kind::kNetworkAcls, Kind::kNetworkInterfaces,
      Kind::kReservations, Kind::kInstances, Kind::kNatGateways, Kind::kAddresses, Kind::kLoadBalancers,
      Kind::kTargetGroups, Kind::kListeners, Kind::kLoadBalancerListeners, Kind::kRules,
      Kind::kTargetHealthDescriptions, Kind::kLoadBalancerTargetHealth, Kind::kAttributes,
      Kind::kLoadBalancerAttributes, Kind::kHostedZones, Kind::kHostedZone, Kind::kResourceRecordSets,
      Kind::kTransitGateways, Kind::kTgwRouteTables, Kind::kTgwAttachments, Kind::kTgwVpcAttachments,
      Kind::kTgwAssociations, Kind::kTgwPropagations, Kind::kTgwPropagationsWrapped, Kind::kTgwRoutes,
      Kind::kTgwStaticRoutesWrapped, Kind::kTgwPeeringAttachments, Kind::kPrefixLists, Kind::kPrefixListEntries,
      Kind::kVpcEndpoints, Kind::kCustomerGateways, Kind::kVpnGateways, Kind::kVpnConnections, Kind::kLaunchTemplates,
      Kind::kLaunchTemplateVersions, Kind::kLaunchConfigurations, Kind::kAutoScalingGroups, Kind::kUnmodeled};
  // Unknown keys first, once per file.
  for (const auto& d : docs_) {
    for (const auto& [key, val] : d.root.items()) {
      if (!lookup_key(d.root, key))
        note(d, "$." + key, "SNAP_UNKNOWN_KEY", "top-level key '" + key + "' is not read by vpclab");
    }
  }
  for (Kind k : order) {
    for (const auto& d : docs_) {
      for (const auto& [key, val] : d.root.items()) {
        const KeyInfo* info = lookup_key(d.root, key);
        if (!info || info->kind != k) continue;
        std::string path = "$." + key;
        if (k == Kind::kVpcAttribute) {
          if (key == "EnableDnsSupport" || !d.root.contains("EnableDnsSupport")) vpc_attribute(d, d.root);
          continue;
        }
        if (k == Kind::kHostedZone) {
          if (model::HostedZone* z = hosted_zone(d, val, path)) {
            if (const json* v = array(d.root, "VPCs")) zone_vpcs(d, *z, *v, "$.VPCs");
          }
          continue;
        }
        if (!val.is_array()) {
          warn(d, path, "SNAP_SHAPE", "expected a list; skipped");
          continue;
        }
        switch (k) {
          case Kind::kVpcs: vpcs(d, val, path); break;
          case Kind::kSubnets: subnets(d, val, path); break;
          case Kind::kRouteTables: route_tables(d, val, path); break;
          case Kind::kSecurityGroups: security_groups(d, val, path); break;
          case Kind::kNetworkAcls: network_acls(d, val, path); break;
          case Kind::kPeerings: peerings(d, val, path); break;
          case Kind::kReservations: reservations(d, val, path); break;
          case Kind::kInstances:
            for (size_t i = 0; i < val.size(); ++i) instance(d, val[i], at(path, i));
            break;
          case Kind::kNetworkInterfaces:
            for (size_t i = 0; i < val.size(); ++i)
              network_interface(d, val[i], at(path, i), "");
            break;
          case Kind::kInternetGateways: internet_gateways(d, val, path); break;
          case Kind::kNatGateways: nat_gateways(d, val, path); break;
          case Kind::kAddresses: addresses(d, val, path); break;
          case Kind::kLoadBalancers: load_balancers(d, val, path); break;
          case Kind::kListeners: listeners(d, val, path); break;
          case Kind::kLoadBalancerListeners:
            for (size_t i = 0; i < val.size(); ++i)
              if (const json* l = array(val[i], "Listeners"))
                listeners(d, *l, at(path, i) + ".Listeners");
            break;
          case Kind::kRules: rules(d, val, path); break;
          case Kind::kTargetGroups: target_groups(d, val, path); break;
          case Kind::kLaunchTemplates: launch_templates(d, val, path); break;
          case Kind::kLaunchTemplateVersions: launch_template_versions(d, val, path); break;
          case Kind::kLaunchConfigurations: launch_configurations(d, val, path); break;
          case Kind::kAutoScalingGroups: auto_scaling_groups(d, val, path); break;
          case Kind::kTargetHealthDescriptions: {
            std::string tg = str(d.root, "TargetGroupArn");
            if (tg.empty() && net_.target_groups.size() == 1) tg = net_.target_groups[0].arn;
            if (tg.empty()) {
              warn(d, path, "SNAP_NO_OWNER",
                   "describe-target-health output without TargetGroupArn; targets not read (save it as "
                   "scripts/snapshot does, with --query adding TargetGroupArn)");
              break;
            }
            target_health(d, tg, val, path);
            break;
          }
          case Kind::kLoadBalancerTargetHealth:
            for (size_t i = 0; i < val.size(); ++i) {
              std::string p = at(path, i);
              if (const json* t = array(val[i], "TargetHealthDescriptions"))
                target_health(d, str(val[i], "TargetGroupArn"), *t, p + ".TargetHealthDescriptions");
            }
            break;
          case Kind::kAttributes: {
            std::string owner = str(d.root, "LoadBalancerArn");
            if (owner.empty()) owner = str(d.root, "TargetGroupArn");
            if (owner.empty()) {
              warn(d, path, "SNAP_NO_OWNER",
                   "attributes without LoadBalancerArn or TargetGroupArn; not read (save them as "
                   "scripts/snapshot does)");
              break;
            }
            attributes(d, owner, val, path);
            break;
          }
          case Kind::kLoadBalancerAttributes:
            for (size_t i = 0; i < val.size(); ++i) {
              std::string owner = str(val[i], "LoadBalancerArn");
              if (owner.empty()) owner = str(val[i], "TargetGroupArn");
              if (const json* a = array(val[i], "Attributes"))
                attributes(d, owner, *a, at(path, i) + ".Attributes");
            }
            break;
          case Kind::kHostedZones: hosted_zones(d, val, path); break;
          case Kind::kResourceRecordSets: record_sets(d, str(d.root, "HostedZoneId"), val, path); break;
          case Kind::kTransitGateways: transit_gateways(d, val, path); break;
          case Kind::kTgwRouteTables: tgw_route_tables(d, val, path); break;
          case Kind::kTgwAttachments: tgw_attachments(d, val, path, false); break;
          case Kind::kTgwVpcAttachments: tgw_attachments(d, val, path, true); break;
          case Kind::kTgwPeeringAttachments: tgw_peering_attachments(d, val, path); break;
          case Kind::kCustomerGateways: customer_gateways(d, val, path); break;
          case Kind::kVpnGateways: vpn_gateways(d, val, path); break;
          case Kind::kVpnConnections: vpn_connections(d, val, path); break;
          case Kind::kTgwAssociations:
          case Kind::kTgwPropagations:
          case Kind::kTgwRoutes: {
            std::string table = str(d.root, "TransitGatewayRouteTableId");
            if (table.empty()) {
              warn(d, path, "SNAP_NO_OWNER",
                   "list without TransitGatewayRouteTableId beside it; not read (save it as scripts/snapshot does, "
                   "with --query adding TransitGatewayRouteTableId)");
              break;
            }
            if (k == Kind::kTgwAssociations) tgw_associations(d, table, val, path);
            else if (k == Kind::kTgwPropagations) tgw_propagations(d, table, val, path);
            else tgw_routes(d, table, val, path);
            break;
          }
          case Kind::kTgwPropagationsWrapped:
          case Kind::kTgwStaticRoutesWrapped:
            for (size_t i = 0; i < val.size(); ++i) {
              std::string table = str(val[i], "TransitGatewayRouteTableId");
              const char* list = k == Kind::kTgwPropagationsWrapped ? "TransitGatewayRouteTablePropagations" : "Routes";
              if (const json* l = array(val[i], list)) {
                std::string p = at(path, i) + "." + list;
                if (k == Kind::kTgwPropagationsWrapped) tgw_propagations(d, table, *l, p);
                else tgw_routes(d, table, *l, p);
              }
            }
            break;
          case Kind::kPrefixLists: prefix_lists(d, val, path); break;
          case Kind::kVpcEndpoints: vpc_endpoints(d, val, path); break;
          case Kind::kPrefixListEntries: {
            std::string list = str(d.root, "PrefixListId");
            if (list.empty()) {
              warn(d, path, "SNAP_NO_OWNER",
                   "prefix list entries without PrefixListId beside them; not read (save them as scripts/snapshot "
                   "does, with --query adding PrefixListId)");
              break;
            }
            prefix_list_entries(d, list, val, path);
            break;
          }
          case Kind::kUnmodeled: unmodeled(d, *info, val, path); break;
          default: break;
        }
      }
    }
  }
}

bool Loader::add_unmodeled(const char* type, const std::string& id, const model::Origin& origin) {
  if (!unmodeled_ids_.insert(id).second) return false;
  net_.unmodeled.push_back({type, id, origin});
  return true;
}

void Loader::unmodeled(const Doc& d, const KeyInfo& k, const json& a, const std::string& path) {
  size_t n = 0;
  for (const auto& x : a) {
    std::string id = str(x, k.id_field);
    if (!id.empty() && add_unmodeled(k.unmodeled_type, id, origin(d))) ++n;
  }
  if (n)
    note(d, path, "SNAP_UNMODELED",
         std::to_string(n) + " " + k.unmodeled_type + " not modeled; paths through them are reported unknown");
}

void Loader::apply_associations(const std::vector<Assoc>& assocs, bool route_table) {
  for (const auto& a : assocs) {
    auto it = subnet_ix_.find(a.subnet);
    if (it == subnet_ix_.end()) {
      warn(a.file, a.path, "SNAP_DANGLING", "association with unknown subnet " + a.subnet + "; ignored");
      continue;
    }
    auto& s = net_.subnets[it->second];
    if (route_table) {
      s.route_table = a.target;
      s.route_table_explicit = true;
    } else {
      s.network_acl = a.target;
    }
  }
}

void Loader::keep_known_groups(std::vector<std::string>& groups, const std::string& owner, SourceLoc loc) {
  std::vector<std::string> kept;
  for (const auto& g : groups) {
    if (sg_ix_.count(g)) kept.push_back(g);
    else
      diags_.warning(loc, "SNAP_DANGLING", owner + " names unknown security group " + g + "; left out");
  }
  groups = kept;
}

void Loader::link() {
  apply_associations(rtb_assocs_, true);
  apply_associations(acl_assocs_, false);
  // Routes whose target is not in the snapshot: AWS shows them as blackhole.
  for (const auto& ref : route_refs_) {
    auto& rt = net_.route_tables[ref.table];
    auto& r = rt.routes[ref.route];
    if (r.target_id.empty()) continue;
    bool exists = true;
    switch (r.target_kind) {
      case RouteTargetKind::kInternetGateway: {
        auto it = igw_ix_.find(r.target_id);
        exists = it != igw_ix_.end() && net_.internet_gateways[it->second].vpc == rt.vpc;
        break;
      }
      case RouteTargetKind::kNatGateway: exists = nat_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kVpcPeeringConnection: exists = pcx_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kNetworkInterface: exists = eni_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kInstance: exists = inst_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kTransitGateway: exists = tgw_ix_.count(r.target_id) > 0; break;
      default: exists = true; break;
    }
    if (exists || unmodeled_target(r.target_kind)) continue;
    if (r.state == RouteState::kBlackhole) continue;  // AWS says so too
    std::string why = unmodeled_ids_.count(r.target_id) ? " (outside the snapshot)" : "";
    warn(ref.file, ref.path, "SNAP_DANGLING",
         "route to missing " + r.target_id + why + "; treated as blackhole");
    r.state = RouteState::kBlackhole;
  }
  // Rules referencing a group that is not in the snapshot (deleted, or in a
  // region or account not captured) match nothing.
  for (auto& g : net_.security_groups) {
    for (auto* rules : {&g.ingress, &g.egress}) {
      std::erase_if(*rules, [&](const SecurityGroupRule& r) {
        if (r.group_id.empty() || sg_ix_.count(r.group_id)) return false;
        diags_.warning(r.loc, "SNAP_DANGLING",
                       "security group " + g.id + " has a rule referencing " +
                           (r.group_owner.empty() ? "" : r.group_owner + "/") + r.group_id +
                           ", which is not in the snapshot; the rule matches nothing here");
        return true;
      });
    }
  }
  // DNS hostnames: describe-vpcs does not print the attribute, but a public
  // DNS name on an instance shows it is on.
  for (const auto& i : net_.instances) {
    if (i.public_dns_name.empty()) continue;
    auto sit = subnet_ix_.find(i.subnet);
    if (sit == subnet_ix_.end()) continue;
    auto vit = vpc_ix_.find(net_.subnets[sit->second].vpc);
    if (vit != vpc_ix_.end() && !dns_attribute_read_.count(vit->first)) net_.vpcs[vit->second].enable_dns_hostnames = true;
  }
  // Target groups in a VPC that is not in the snapshot.
  std::erase_if(net_.target_groups, [&](const model::TargetGroup& tg) {
    if (tg.target_type == "lambda" || vpc_ix_.count(tg.vpc)) return false;
    diags_.warning(tg.origin.loc, "SNAP_DANGLING",
                   "target group " + tg.name + " is in VPC " + tg.vpc + ", which is not in the snapshot; skipped");
    return true;
  });
  tg_ix_.clear();
  for (size_t i = 0; i < net_.target_groups.size(); ++i) tg_ix_[net_.target_groups[i].arn] = i;
  // Security groups named by interfaces and load balancers.
  for (auto& e : net_.network_interfaces) keep_known_groups(e.security_groups, "network interface " + e.id, e.origin.loc);
  for (auto& lb : net_.load_balancers)
    keep_known_groups(lb.security_groups, "load balancer " + lb.name, lb.origin.loc);
  // Target groups: which load balancers forward to them (when describe-
  // target-groups' LoadBalancerArns is missing), and targets that exist.
  for (const auto& l : net_.listeners) {
    auto note_tg = [&](const alb::ListenerRule& r) {
      for (const auto& act : r.actions)
        for (const auto& w : act.target_groups) {
          auto it = tg_ix_.find(w.target_group_arn);
          if (it == tg_ix_.end()) {
            diags_.warning(l.origin.loc, "SNAP_DANGLING",
                           "listener " + l.arn + " forwards to unknown target group " + w.target_group_arn);
            continue;
          }
          auto& lbs = net_.target_groups[it->second].load_balancers;
          if (std::find(lbs.begin(), lbs.end(), l.load_balancer) == lbs.end()) lbs.push_back(l.load_balancer);
        }
    };
    note_tg(l.default_rule);
    for (const auto& r : l.rules) note_tg(r);
  }
  for (auto& tg : net_.target_groups) {
    if (tg.target_type != "instance") continue;
    std::erase_if(tg.targets, [&](const model::Target& t) {
      if (inst_ix_.count(t.id)) return false;
      diags_.warning(t.loc, "SNAP_DANGLING",
                     "target group " + tg.name + " registers instance " + t.id + ", which is not in the snapshot; left out");
      return true;
    });
  }
  // Accounts and their regions.
  std::map<std::string, std::set<std::string>> regions;
  for (const auto& d : docs_) regions[d.account].insert(d.region);
  for (const auto& [acct, rs] : regions) net_.accounts.push_back({acct, {rs.begin(), rs.end()}});
}

std::shared_ptr<const model::Network> Loader::run(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    diags_.error(SourceLoc{intern_file(path), 0, 0}, "SNAP_NOT_DIR", "not a snapshot directory");
    return nullptr;
  }
  read_docs(path);
  if (docs_.empty()) {
    diags_.error(SourceLoc{intern_file(path), 0, 0}, "SNAP_EMPTY", "no JSON files found");
    return nullptr;
  }
  default_folders();
  dispatch();
  link();
  derive_on_premises();
  if (net_.vpcs.empty())
    diags_.warning(SourceLoc{intern_file(path), 0, 0}, "SNAP_NO_VPCS", "the snapshot holds no VPC");
  model::AddressPlan plan;
  model::FinalizeOptions opts;
  // finalize() checks what the AWS APIs would reject. A snapshot shows what
  // AWS did accept (older rules, or data edited by hand), so its findings are
  // warnings here and the model carries on.
  Diagnostics checks;
  model::finalize(net_, plan, checks, opts);
  for (auto d : checks.items()) {
    // link() reported those with their JSON path already.
    if (d.code == "ROUTE_TARGET_UNKNOWN") continue;
    if (d.severity == Severity::kError) {
      d.severity = Severity::kWarning;
      d.message += " (as deployed; carried on)";
    }
    diags_.add(std::move(d));
  }
  return std::make_shared<const model::Network>(std::move(net_));
}

bool is_snapshot_dir(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return false;
  size_t seen = 0;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end && seen < 200; it.increment(ec)) {
    if (it->is_directory(ec)) {
      if (it.depth() >= 4) it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() != ".json") continue;
    ++seen;
    Diagnostics ignored;
    auto j = parse_file(it->path(), it->path().string(), ignored);
    if (!j || !j->is_object()) continue;
    for (const auto& [key, val] : j->items()) {
      const KeyInfo* k = lookup_key(*j, key);
      if (k && k->kind != Kind::kCompanion && k->kind != Kind::kIgnored) return true;
    }
  }
  return false;
}

LoadResult load_snapshot(const std::string& path) {
  LoadResult r;
  Loader loader(r.diags);
  r.network = loader.run(path);
  if (r.diags.has_errors()) r.network.reset();
  return r;
}

}  // namespace vpclab::snapshot
