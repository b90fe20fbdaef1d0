// The snapshot loader's state, shared by the files that read one AWS service
// family each (internal to the snapshot layer):
//   files.cpp          which files and top-level keys are read, account/region per folder
//   load.cpp           reading order, linking across files, finalize; load_snapshot()
//   ec2_network.cpp    VPCs and DNS attributes, subnets, internet gateways, peering,
//                      route tables, NAT gateways, Elastic IPs
//   ec2_filters.cpp    security groups, network ACLs
//   ec2_instances.cpp  network interfaces, instances, reservations
//   elbv2.cpp          load balancers, listeners, rules, target groups, target health, attributes
//   ec2_transit.cpp    transit gateways, attachments, TGW route tables, associations,
//                      propagations, routes
//   route53.cpp        hosted zones, their VPCs, record sets
//   autoscaling.cpp    launch templates and their versions, launch configurations, Auto Scaling groups
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/network.h"
#include "snapshot/json_util.h"
#include "vocab/diagnostic.h"

namespace vpclab::snapshot {
namespace fs = std::filesystem;

// ---------------------------------------------------------------- keys (files.cpp)
// What a top-level key holds. The kind is decided by the key alone.
enum class Kind {
  kVpcs, kSubnets, kRouteTables, kSecurityGroups, kNetworkAcls, kPeerings, kReservations,
  kInstances, kNetworkInterfaces, kInternetGateways, kNatGateways, kAddresses, kLoadBalancers,
  kListeners, kLoadBalancerListeners, kRules, kTargetGroups, kTargetHealthDescriptions,
  kLoadBalancerTargetHealth, kAttributes, kLoadBalancerAttributes, kHostedZones, kHostedZone,
  kResourceRecordSets, kVpcAttribute,
  kTransitGateways, kTgwRouteTables, kTgwAttachments, kTgwVpcAttachments, kTgwAssociations, kTgwPropagations,
  kTgwPropagationsWrapped, kTgwRoutes, kTgwStaticRoutesWrapped, kTgwPeeringAttachments,
  kPrefixLists, kPrefixListEntries, kVpcEndpoints,
  kCustomerGateways, kVpnGateways, kVpnConnections,
  kLaunchTemplates, kLaunchTemplateVersions, kLaunchConfigurations, kAutoScalingGroups,
  kUnmodeled,   // resources vpclab does not model: listed in Network::unmodeled
  kCompanion,   // a key read together with another one (TargetGroupArn beside Attributes, ...)
  kIgnored,     // known, carries nothing for reachability
};

struct KeyInfo {
  Kind kind;
  const char* unmodeled_type = nullptr;  // kUnmodeled: the CloudFormation type
  const char* id_field = nullptr;        // kUnmodeled: the item's id member
};

// The kind of a top-level key of `root`, or nullptr when vpclab does not read it.
const KeyInfo* lookup_key(const json& root, const std::string& key);

// ---------------------------------------------------------------- files (files.cpp)

struct Doc {
  std::string display;  // path as shown in messages
  const char* file = nullptr;
  std::string dir;      // folder key for per-folder defaults
  std::string account;  // from the layout, or "" until defaulted
  std::string region;
  json root;
};

// The JSON of one file; nullopt after a warning naming it (unreadable, too large, not JSON).
std::optional<json> parse_file(const fs::path& p, const std::string& display, Diagnostics& diags);

// ---------------------------------------------------------------- field helpers

// "$.Vpcs" , 2 -> "$.Vpcs[2]"
inline std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
inline std::optional<Ipv4Cidr> cidr_of(const std::string& text) { return Ipv4Cidr::parse(text); }

// ---------------------------------------------------------------- loader

struct RouteRef {
  size_t table;
  size_t route;
  const char* file;
  std::string path;
};
class Loader {
 public:
  explicit Loader(Diagnostics& diags) : diags_(diags) {}

  std::shared_ptr<const model::Network> run(const std::string& path);

 private:
  Diagnostics& diags_;
  model::Network net_;
  std::vector<Doc> docs_;
  std::map<std::string, size_t> vpc_ix_, subnet_ix_, rtb_ix_, igw_ix_, nat_ix_, pcx_ix_, sg_ix_, acl_ix_,
      eni_ix_, inst_ix_, lb_ix_, listener_ix_, tg_ix_, zone_ix_, eip_ix_, tgw_ix_, tgw_attach_ix_, tgw_rtb_ix_;
  std::set<std::string> unmodeled_ids_;
  std::vector<RouteRef> route_refs_;
  // Explicit associations read from route tables and NACLs, applied once
  // every subnet is known.
  struct Assoc {
    std::string subnet, target;
    const char* file;
    std::string path;
  };
  std::vector<Assoc> rtb_assocs_, acl_assocs_;
  std::vector<Assoc> instance_refs_;  // instance id -> subnet, checked after
  std::set<std::string> inactive_peerings_;
  std::set<std::string> dns_attribute_read_;  // VPCs whose describe-vpc-attribute was read

  SourceLoc loc(const Doc& d) const { return SourceLoc{d.file, 0, 0}; }
  void warn(const Doc& d, const std::string& path, const std::string& code, const std::string& msg) {
    diags_.warning(loc(d), code, path + ": " + msg);
  }
  void warn(const char* file, const std::string& path, const std::string& code, const std::string& msg) {
    diags_.warning(SourceLoc{file, 0, 0}, code, path + ": " + msg);
  }
  void note(const Doc& d, const std::string& path, const std::string& code, const std::string& msg) {
    diags_.note(loc(d), code, path + ": " + msg);
  }
  model::Origin origin(const Doc& d) const {
    model::Origin o;
    o.account = d.account;
    o.region = d.region;
    o.loc = loc(d);
    return o;
  }

  void read_docs(const fs::path& root);
  void default_folders();
  void dispatch();
  // Each reads one list; `path` is the JSON path of the list ("$.Vpcs").
  void vpcs(const Doc& d, const json& a, const std::string& path);
  void subnets(const Doc& d, const json& a, const std::string& path);
  void route_tables(const Doc& d, const json& a, const std::string& path);
  void security_groups(const Doc& d, const json& a, const std::string& path);
  void network_acls(const Doc& d, const json& a, const std::string& path);
  void peerings(const Doc& d, const json& a, const std::string& path);
  void reservations(const Doc& d, const json& a, const std::string& path);
  void instance(const Doc& d, const json& i, const std::string& path);
  void network_interface(const Doc& d, const json& e, const std::string& path, const std::string& instance_id);
  void internet_gateways(const Doc& d, const json& a, const std::string& path);
  void nat_gateways(const Doc& d, const json& a, const std::string& path);
  void addresses(const Doc& d, const json& a, const std::string& path);
  void load_balancers(const Doc& d, const json& a, const std::string& path);
  void listeners(const Doc& d, const json& a, const std::string& path);
  void rules(const Doc& d, const json& a, const std::string& path);
  void target_groups(const Doc& d, const json& a, const std::string& path);
  void target_health(const Doc& d, const std::string& tg_arn, const json& a, const std::string& path);
  void attributes(const Doc& d, const std::string& owner_arn, const json& a, const std::string& path);
  void hosted_zones(const Doc& d, const json& a, const std::string& path);
  model::HostedZone* hosted_zone(const Doc& d, const json& z, const std::string& path);
  void zone_vpcs(const Doc& d, model::HostedZone& z, const json& a, const std::string& path);
  void record_sets(const Doc& d, const std::string& zone_id, const json& a, const std::string& path);
  void vpc_attribute(const Doc& d, const json& root);
  // ec2_transit.cpp
  void transit_gateways(const Doc& d, const json& a, const std::string& path);
  void tgw_route_tables(const Doc& d, const json& a, const std::string& path);
  void tgw_attachments(const Doc& d, const json& a, const std::string& path, bool vpc_listing);
  void tgw_peering_attachments(const Doc& d, const json& a, const std::string& path);
  // ec2_prefix_lists.cpp: describe-managed-prefix-lists (and describe-prefix-lists, whose
  // AWS-managed lists carry their Cidrs), get-managed-prefix-list-entries with PrefixListId beside.
  void prefix_lists(const Doc& d, const json& a, const std::string& path);
  void prefix_list_entries(const Doc& d, const std::string& list, const json& a, const std::string& path);
  // ec2_endpoints.cpp: describe-vpc-endpoints
  void vpc_endpoints(const Doc& d, const json& a, const std::string& path);
  void tgw_associations(const Doc& d, const std::string& table, const json& a, const std::string& path);
  void tgw_propagations(const Doc& d, const std::string& table, const json& a, const std::string& path);
  void tgw_routes(const Doc& d, const std::string& table, const json& a, const std::string& path);
  model::TransitGatewayAttachment& tgw_attachment(const Doc& d, const std::string& id);
  // ec2_vpn.cpp
  void customer_gateways(const Doc& d, const json& a, const std::string& path);
  void vpn_gateways(const Doc& d, const json& a, const std::string& path);
  void vpn_connections(const Doc& d, const json& a, const std::string& path);
  void derive_on_premises();
  std::vector<std::pair<std::string, Ipv4Cidr>> learned_by_vpn_;  // (vpn-, CIDR) from TGW propagated routes
  // autoscaling.cpp
  model::LaunchTemplate& launch_template(const Doc& d, const std::string& id, const std::string& name);
  void launch_templates(const Doc& d, const json& a, const std::string& path);
  void launch_template_versions(const Doc& d, const json& a, const std::string& path);
  void launch_configurations(const Doc& d, const json& a, const std::string& path);
  void auto_scaling_groups(const Doc& d, const json& a, const std::string& path);
  void unmodeled(const Doc& d, const KeyInfo& k, const json& a, const std::string& path);
  // Lists a resource vpclab does not model (once per id); false when listed already.
  bool add_unmodeled(const char* type, const std::string& id, const model::Origin& origin);

  bool parse_sg_permission(const Doc& d, const json& p, const std::string& path, Direction dir,
                           const std::string& owner, std::vector<SecurityGroupRule>& out);
  std::optional<alb::Action> action(const Doc& d, const json& a, const std::string& path, std::string_view listener_protocol);
  std::optional<alb::RuleCondition> condition(const Doc& d, const json& c, const std::string& path);

  // After every file is read: explicit associations, dangling references.
  void link();
  void apply_associations(const std::vector<Assoc>& assocs, bool route_table);
  // Drops the groups of `groups` that are not in the snapshot, with a warning
  // naming `owner` ("network interface eni-1").
  void keep_known_groups(std::vector<std::string>& groups, const std::string& owner, SourceLoc loc);
};

}  // namespace vpclab::snapshot
