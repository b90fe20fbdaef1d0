// The Terraform reader's state, shared by the files that read one AWS
// service family each (internal to the terraform layer):
//   plan.cpp           the file's shape: resources of planned_values/values,
//                      resource_changes' after_unknown, configuration modules;
//                      references from configuration (resources, var., module.
//                      outputs, count/for_each keys) and the field readers
//   reader.cpp         reading order, dispatch by type, unmodeled types, the API
//   ec2_network.cpp    VPCs, subnets, internet and NAT gateways, Elastic IPs,
//                      peering, route tables, routes, associations
//   ec2_filters.cpp    security groups and their rules, network ACLs and rules
//   ec2_instances.cpp  network interfaces, instances, attachments
//   elbv2.cpp          load balancers, listeners, rules, target groups, attachments
//   route53.cpp        hosted zones, VPC associations, records
//   ec2_transit.cpp    transit gateways, attachments, TGW route tables,
//                      associations, propagations, routes
//   ec2_vpn.cpp        customer gateways, virtual private gateways, VPN
//                      connections and routes, VGW route propagation
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "terraform/load.h"

namespace vpclab::terraform {

// The Terraform types a reference may name for each kind of EC2 resource
// (the default_* resources stand for the same AWS objects).
inline const std::vector<std::string_view> kVpcTypes = {"aws_vpc", "aws_default_vpc"};
inline const std::vector<std::string_view> kSubnetTypes = {"aws_subnet", "aws_default_subnet"};
inline const std::vector<std::string_view> kSgTypes = {"aws_security_group", "aws_default_security_group"};
inline const std::vector<std::string_view> kRtbTypes = {"aws_route_table", "aws_default_route_table"};

using tmpl::Value;

// A module of `configuration` (root_module, or module_calls.X.module).
struct ConfigModule {
  const Value* node = nullptr;
  const ConfigModule* parent = nullptr;
  std::string call_name;  // its name in the parent's module_calls
  std::map<std::string, const Value*> resources;  // "aws_vpc.main", "data.aws_ami.x" -> resource
  std::map<std::string, std::unique_ptr<ConfigModule>> calls;
};

// One resource instance of planned_values (or a state's values).
struct Resource {
  std::string address;  // module.vpc.aws_subnet.private[0]
  std::string module;   // module.vpc ("" = root)
  std::string type, name;
  std::string key;      // index as written in addresses: 0, "a" (with quotes); "" without
  bool data = false;
  const Value* values = nullptr;   // null: wholly unknown (no `values` key)
  const Value* unknown = nullptr;  // resource_changes[].change.after_unknown
  const Value* config = nullptr;   // the configuration resource (expressions, ...)
  const ConfigModule* cmod = nullptr;
  std::string path;  // JSON path of the resource object
  SourceLoc loc;
  std::string id;  // the id the model knows it by (read, or made from the address)
  std::map<std::string, std::string> attrs;  // attributes computed by the reader
  std::string base() const { return (module.empty() ? "" : module + ".") + (data ? "data." : "") + type + "." + name; }
};

// A place in a resource to read fields from: a resource's values, or one
// nested block of them, with its after_unknown and configuration twins.
struct Node {
  Resource* r = nullptr;
  const Value* v = nullptr;          // values (a map), may be null
  const Value* unknown = nullptr;    // after_unknown twin (map, or `true`)
  const Value* config = nullptr;     // expressions map twin, may be null
  const Value* list_expr = nullptr;  // the whole block list's expression (attribute-as-blocks)
  std::string path;                  // JSON path of `v`
  SourceLoc loc;
};

// What a field names: resource types it may reference and the attribute
// a bare object reference stands for.
struct Want {
  std::vector<std::string_view> types;  // empty: any
  std::string attr = "id";
  bool many = false;   // a list field: every instance of a bare reference
  bool quiet = false;  // unknown without configuration is AWS's default: no note
};

class Reader {
 public:
  Reader(const tmpl::StackContext& ctx, const Value& root, bool stack_in_names, model::Network& net,
         model::AddressPlan& plan, Diagnostics& diags);
  Counts run();

  // ---- plan.cpp: the file and its references ---------------------------------
  void collect();
  void collect_module(const Value& m, const std::string& path, bool prior);
  void collect_config(const Value& m, ConfigModule& cm);
  const ConfigModule* config_module(const std::string& module_address) const;
  Node top(Resource& r) const;
  // Nested blocks `block` of n (values' list; configuration-only when values lack it).
  std::vector<Node> blocks(const Node& n, const std::string& block) const;
  bool is_unknown(const Node& n, const std::string& key) const;  // after_unknown says so
  // The id for `key`, else the only resource of `types` in the module (or
  // the file), with a TF_ASSUMED note; "" when neither.
  std::string id_or_only(const Node& n, const std::string& key, std::vector<std::string_view> types,
                         const char* what);
  const Value* expr(const Node& n, const std::string& key) const;
  // A string field: known value, else filled from configuration, else nullopt (TF_UNKNOWN).
  std::optional<std::string> str(const Node& n, const std::string& key, const Want& want = {});
  std::vector<std::string> strs(const Node& n, const std::string& key, const Want& want = {});
  std::optional<bool> boolean(const Node& n, const std::string& key);
  std::optional<long long> integer(const Node& n, const std::string& key);
  std::optional<uint32_t> amazon_side_asn(const Node& n);  // ec2_transit.cpp: TGWs and VGWs
  // The resolved strings of a configuration expression in module `module`.
  std::vector<std::string> resolve(const Value* e, const std::string& module, const ConfigModule* cm,
                                   const Resource* from, const Want& want, std::string* unknown_why,
                                   int depth = 0);
  std::vector<std::string> resolve_ref(std::string_view ref, const std::string& module, const ConfigModule* cm,
                                       const Resource* from, const Want& want, bool index_from_caller,
                                       std::string* unknown_why, int depth);
  std::string attr_of(Resource& r, const std::string& attr) const;
  std::string name_tag(const Node& n);

  // ---- reader.cpp: diagnostics, ids, dispatch --------------------------------
  std::string where(const Node& n, const std::string& key = {}) const;
  SourceLoc loc_of(const Node& n, const std::string& key = {}) const;
  void error(const Node& n, const std::string& key, const std::string& code, const std::string& msg);
  void warning(const Node& n, const std::string& key, const std::string& code, const std::string& msg);
  void note(const Node& n, const std::string& key, const std::string& code, const std::string& msg);
  void unknown_note(const Node& n, const std::string& key, const std::string& why);
  model::Origin origin(const Resource& r) const;
  std::string make_id(const std::string& prefix, const Resource& r, std::string_view salt = {}) const;
  void assign_ids();
  void eip_targets(Resource& r);
  void dispatch();
  Resource* by_id(const std::string& id);
  std::optional<Ipv4Cidr> cidr(const Node& n, const std::string& key, const std::string& text);
  std::optional<Ipv4Address> address(const Node& n, const std::string& key, const std::string& text);
  void ref_missing(const Node& n, const std::string& key, const std::string& id, const char* what);

  // ---- ec2_network.cpp ------------------------------------------------------
  void add_vpc(Resource& r);
  void add_vpc_cidr(Resource& r);
  void add_subnet(Resource& r);
  void add_internet_gateway(Resource& r);
  void add_igw_attachment(Resource& r);
  void add_eip(Resource& r);
  void add_eip_association(Resource& r);
  void add_nat_gateway(Resource& r);
  void add_peering(Resource& r);
  void add_peering_accepter(Resource& r);
  void add_peering_options(Resource& r);
  void add_route_table(Resource& r);
  void add_default_route_table(Resource& r);
  void add_table_with_inline_routes(model::RouteTable t, const Node& n);
  void add_route(Resource& r);
  void add_rtb_association(Resource& r);
  void add_main_rtb_association(Resource& r);
  std::optional<Route> route_of(const Node& n, bool standalone);
  // The requester / accepter blocks' allow_remote_vpc_dns_resolution.
  void set_peering_dns(const Node& n, model::VpcPeeringConnection& p);

  // ---- ec2_filters.cpp ------------------------------------------------------
  void add_security_group(Resource& r);
  void add_default_security_group(Resource& r);
  void add_sg_rule(Resource& r);
  void add_vpc_sg_rule(Resource& r, Direction dir);
  void add_vpc_sg_ingress(Resource& r) { add_vpc_sg_rule(r, Direction::kIngress); }
  void add_vpc_sg_egress(Resource& r) { add_vpc_sg_rule(r, Direction::kEgress); }
  void add_network_acl(Resource& r);
  void add_default_network_acl(Resource& r);
  void add_network_acl_rule(Resource& r);
  void add_network_acl_association(Resource& r);
  // ec2_prefix_lists.cpp
  void add_prefix_list(Resource& r);
  // ec2_endpoints.cpp
  void add_vpc_endpoint(Resource& r);
  void add_vpc_endpoint_route_table_association(Resource& r);
  void add_vpc_endpoint_subnet_association(Resource& r);
  void add_vpc_endpoint_security_group_association(Resource& r);
  model::VpcEndpoint* vpc_endpoint_of(const Node& n);  // its vpc_endpoint_id, or nullptr (TF_REF_MISSING)
  void add_prefix_list_entry(Resource& r);
  void inline_sg_rules(model::SecurityGroup& g, const Node& n, Direction dir);
  bool rule_head(const Node& n, const char* proto_key, SecurityGroupRule& base);
  model::SecurityGroup* rule_group(const Node& n);
  void address_peers(const Node& n, const SecurityGroupRule& base, std::vector<SecurityGroupRule>& out);
  void inline_acl_entries(model::NetworkAcl& a, const Node& n, Direction dir);
  void associate_acl(const Node& n, const std::string& key, const std::string& subnet_id, const std::string& acl_id);
  void mixed_rules(const std::string& id, const Node& n, const char* what);

  // ---- ec2_instances.cpp ----------------------------------------------------
  void add_network_interface(Resource& r);
  void add_eni_attachment(Resource& r);
  void add_instance(Resource& r);

  // ---- elbv2.cpp ------------------------------------------------------------
  void add_load_balancer(Resource& r);
  void add_target_group(Resource& r);
  void add_tg_attachment(Resource& r);
  void add_listener(Resource& r);
  void add_listener_rule(Resource& r);
  std::vector<alb::Action> actions(const Node& n, const std::string& block, std::string_view listener_protocol);
  std::optional<alb::RuleCondition> condition(const Node& n);

  // ---- ec2_transit.cpp ------------------------------------------------------
  void add_transit_gateway(Resource& r);
  void add_tgw_vpc_attachment(Resource& r);
  void add_tgw_vpc_attachment_accepter(Resource& r);
  void add_tgw_peering_attachment(Resource& r);
  void add_tgw_peering_accepter(Resource& r);
  void add_tgw_route_table(Resource& r);
  void add_tgw_association(Resource& r);
  void add_tgw_propagation(Resource& r);
  void add_tgw_route(Resource& r);
  // `enable` / `disable` (the API's strings, as the provider keeps them).
  bool enabled(const Node& n, const std::string& key, bool dflt);
  // The attachment and the TGW route table a resource names (the TGW's
  // default table made when first named), or null after a warning.
  model::TransitGatewayAttachment* tgw_attachment_of(const Node& n);
  model::TransitGatewayRouteTable* tgw_route_table_of(const Node& n);

  // ---- ec2_vpn.cpp ------------------------------------------------------------
  void add_customer_gateway(Resource& r);
  void add_vpn_gateway(Resource& r);
  void add_vpn_gateway_attachment(Resource& r);
  void add_vpn_connection(Resource& r);
  void add_vpn_connection_route(Resource& r);
  void add_vgw_route_propagation(Resource& r);
  void attach_vpn_gateway(const Node& n, const std::string& key, model::VpnGateway& g, const std::string& vpc);
  // A route table's `propagating_vgws`.
  void propagating_vgws(const Node& n, const std::string& table);

  // ---- route53.cpp ----------------------------------------------------------
  void add_zone(Resource& r);
  void add_zone_association(Resource& r);
  void add_record(Resource& r);

  // ---- state ----------------------------------------------------------------
  const tmpl::StackContext& ctx_;
  const Value& root_;
  bool stack_in_names_;
  model::Network& net_;
  model::AddressPlan& plan_;
  Diagnostics& diags_;
  Counts counts_;
  const char* file_ = nullptr;
  bool is_state_ = false;

  std::vector<std::unique_ptr<Resource>> resources_;      // managed and data, planned order
  std::unordered_map<std::string, std::vector<Resource*>> by_base_;  // base() -> instances
  std::unordered_map<std::string, Resource*> by_address_;
  std::unordered_map<std::string, Resource*> by_id_;
  std::unordered_map<std::string, const Value*> unknown_by_address_;
  ConfigModule config_root_;
  bool have_config_ = false;
  const Value* variables_ = nullptr;  // the plan's root `variables`
  std::set<std::string> noted_types_, noted_unknowns_;
  std::set<std::string> modules_;
  std::string last_why_;  // what the last unresolved expression came from (local.x)  // module instance addresses of planned_values

  // Model indexes: id -> position in the Network vector.
  std::unordered_map<std::string, size_t> pl_ix_;  // managed prefix list id -> index
  std::unordered_map<std::string, size_t> vpc_ix_, subnet_ix_, igw_ix_, eip_ix_, nat_ix_, pcx_ix_, sg_ix_, acl_ix_,
      rtb_ix_, eni_ix_, instance_ix_, lb_ix_, tg_ix_, listener_ix_, zone_ix_, tgw_ix_, tgw_attach_ix_, tgw_rtb_ix_,
      cgw_ix_, vgw_ix_, vpn_ix_;
  // Groups, ACLs and tables written with inline rules / routes: a separate
  // rule resource on one of them is TF_RULES_MIXED.
  std::set<std::string> inline_rules_;
  std::set<std::string> mixed_reported_;

  template <class T>
  T* find(std::vector<T>& v, const std::unordered_map<std::string, size_t>& ix, const std::string& id) {
    auto it = ix.find(id);
    return it == ix.end() ? nullptr : &v[it->second];
  }
};

}  // namespace vpclab::terraform
