// ModelSink's state, shared by the files that translate one AWS service
// family each (internal to the template layer):
//   to_model.cpp       dispatch by type, Ref, GetAtt, types vpclab does not model
//   ec2_network.cpp    VPCs, CIDR blocks, subnets, route tables and routes,
//                      internet and NAT gateways, Elastic IPs, peering, the default VPC
//   ec2_transit.cpp    transit gateways, VPC attachments, TGW route tables,
//                      associations, propagations and routes; RAM resource shares
//   ec2_vpn.cpp        customer gateways, VPN gateways, VPN connections and
//                      their static routes, VGW route propagation
//   ec2_filters.cpp    security groups and their rules, network ACLs and entries
//   ec2_prefix_lists.cpp  managed prefix lists and their entries
//   ec2_endpoints.cpp  VPC endpoints (gateway, interface; GWLB noted)
//   ec2_instances.cpp  network interfaces and attachments, instances
//   elbv2.cpp          load balancers, listeners, listener rules, target groups
//   route53.cpp        hosted zones, record sets
//   ec2_insights.cpp   network insights access scopes and paths (assertions)
//   autoscaling.cpp    launch templates, launch configurations, Auto Scaling groups
// Each family file holds its property schemas, registers its types (schema
// and reader) and answers GetAtt for the resources it made.
#pragma once
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "template/cfn_fields.h"
#include "template/to_model.h"

namespace vpclab::tmpl {

struct ModelSink::Impl {
  using C = cfn::ResourceContext;

  model::Network& net;
  model::AddressPlan& plan;
  FabricatingSink fallback;

  enum class Kind {
    kVpc, kVpcCidrBlock, kSubnet, kRouteTable, kRoute, kSubnetRtbAssoc, kInternetGateway, kGatewayAttachment,
    kNatGateway, kEip, kEipAssociation, kPeering, kSecurityGroup, kSgIngress, kSgEgress, kNetworkAcl,
    kNetworkAclEntry, kSubnetAclAssoc, kNetworkInterface, kNetworkInterfaceAttachment, kInstance, kLoadBalancer,
    kListener, kListenerRule, kTargetGroup, kHostedZone, kRecordSet, kRecordSetGroup, kInsights, kUnmodeled,
    kTransitGateway, kTgwAttachment, kTgwRouteTable, kTgwAssociation, kTgwPropagation, kTgwRoute,
    kResourceShare, kPrefixList, kVpcEndpoint,
    kCustomerGateway, kVpnGateway, kVpnConnection, kVpnConnectionRoute, kVgwRoutePropagation,
    kLaunchTemplate, kLaunchConfiguration, kAutoScalingGroup,
  };
  struct Entry {
    std::string type;
    Kind kind = Kind::kUnmodeled;
    std::string id;          // Ref value ("" = let the engine fabricate one)
    size_t index = SIZE_MAX;  // into the Network vector of its kind
    std::string extra;       // kind-specific: VPC CIDR association id, rule ARN, ...
  };
  std::unordered_map<std::string, Entry> entries;  // stack + "/" + logical id
  std::unordered_map<std::string, size_t> vpc_ix, subnet_ix, rtb_ix, igw_ix, nat_ix, eip_alloc_ix, eip_ip_ix, pcx_ix,
      sg_ix, acl_ix, eni_ix, instance_ix, lb_ix, listener_ix, tg_ix, zone_ix, tgw_ix, tgw_attach_ix, tgw_rtb_ix,
      cgw_ix, vgw_ix, vpn_ix;
  std::set<std::string> noted_types;
  std::set<std::string> unmodeled_lbs;  // ARNs of gateway load balancers
  // IPv6 blocks are carried as text (not routed): VPC id -> blocks, for GetAtt.
  std::unordered_map<std::string, std::vector<std::string>> vpc_ipv6, subnet_ipv6;
  std::map<std::string, std::string> default_vpcs;  // account/region -> vpc id

  Impl(model::Network& n, model::AddressPlan& p) : net(n), plan(p) {}

  static std::string key(const std::string& stack, const std::string& logical) { return stack + "/" + logical; }

  // ---- lookups by physical id ---------------------------------------------
  template <class T>
  T* find(std::vector<T>& v, const std::unordered_map<std::string, size_t>& ix, const std::string& id) {
    auto it = ix.find(id);
    return it == ix.end() ? nullptr : &v[it->second];
  }
  model::Vpc* vpc(const std::string& id) { return find(net.vpcs, vpc_ix, id); }
  model::Subnet* subnet(const std::string& id) { return find(net.subnets, subnet_ix, id); }
  model::SecurityGroup* sg(const std::string& id) { return find(net.security_groups, sg_ix, id); }
  model::NetworkInterface* eni(const std::string& id) { return find(net.network_interfaces, eni_ix, id); }
  model::Instance* instance(const std::string& id) { return find(net.instances, instance_ix, id); }
  model::LoadBalancer* lb(const std::string& arn) { return find(net.load_balancers, lb_ix, arn); }

  // ---- to_model.cpp: shared steps and dispatch ------------------------------
  // REF_NOT_MODELED at `v`: the resource names a `what` the stacks do not hold.
  void not_modeled(const C& c, const Value* v, const char* what);
  // Records the resource for Ref/GetAtt.
  void reg(const C& c, Kind kind, std::string id, size_t index, std::string extra = {});
  // Points the Elastic IP of allocation `alloc` at `e` (REF_NOT_MODELED when
  // unknown); the EIP or nullptr.
  model::ElasticIp* attach_eip(const C& c, const Value* alloc, model::NetworkInterface& e);
  void add_unmodeled(C& c);

  struct TypeEntry {
    const cfn::Schema* schema;
    void (Impl::*add)(C&);
  };
  using TypeTable = std::map<std::string, TypeEntry>;
  static const TypeTable& types();
  void add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags);
  std::optional<Value> ref(const StackContext& stack, const std::string& logical_id);
  std::optional<Value> get_att(const StackContext& stack, const std::string& logical_id, const std::string& a);

  // ---- ec2_network.cpp --------------------------------------------------------
  static void ec2_network_types(TypeTable& t);
  std::optional<Value> ec2_network_att(const StackContext& stack, const Entry& e, const std::string& a);
  void add_vpc(C& c);
  void add_vpc_cidr_block(C& c);
  void add_subnet(C& c);
  void add_route_table(C& c);
  void add_route(C& c);
  void add_subnet_rtb_assoc(C& c);
  void add_internet_gateway(C& c);
  void add_gateway_attachment(C& c);
  void add_eip(C& c);
  void add_eip_association(C& c);
  void add_nat_gateway(C& c);
  void add_peering(C& c);
  // Resources without VpcId/SubnetId go to the account's default VPC in that
  // region, built on first use as AWS builds it.
  std::string default_vpc(const C& c);
  std::string default_subnet(const C& c, const std::string& az);
  static std::string az_id(const std::string& az);

  // ---- ec2_transit.cpp --------------------------------------------------------
  static void ec2_transit_types(TypeTable& t);
  std::optional<Value> ec2_transit_att(const StackContext& stack, const Entry& e, const std::string& a);
  void add_transit_gateway(C& c);
  void add_tgw_attachment(C& c);
  void add_tgw_peering_attachment(C& c);
  void add_tgw_route_table(C& c);
  void add_tgw_association(C& c);
  void add_tgw_propagation(C& c);
  void add_tgw_route(C& c);
  void add_resource_share(C& c);

  // ---- ec2_prefix_lists.cpp ---------------------------------------------------
  static void ec2_prefix_list_types(TypeTable& t);
  std::optional<Value> ec2_prefix_list_att(const StackContext& stack, const Entry& e, const std::string& a);
  void add_prefix_list(C& c);

  // ---- ec2_endpoints.cpp ------------------------------------------------------
  static void ec2_endpoint_types(TypeTable& t);
  std::optional<Value> ec2_endpoint_att(const StackContext& stack, const Entry& e, const std::string& a);
  void add_vpc_endpoint(C& c);

  // ---- ec2_vpn.cpp ------------------------------------------------------------
  static void ec2_vpn_types(TypeTable& t);
  std::optional<Value> ec2_vpn_att(const StackContext& stack, const Entry& e, const std::string& a);
  void add_customer_gateway(C& c);
  void add_vpn_gateway(C& c);
  void attach_vpn_gateway(C& c);  // VPCGatewayAttachment with VpnGatewayId
  void add_vpn_connection(C& c);
  void add_vpn_connection_route(C& c);
  void add_vgw_route_propagation(C& c);

  // ---- ec2_filters.cpp --------------------------------------------------------
  static void ec2_filters_types(TypeTable& t);
  std::optional<Value> ec2_filters_att(const StackContext& stack, const Entry& e, const std::string& a);
  std::optional<SecurityGroupRule> sg_rule(const C& c, const Value& m, Direction dir, const std::string& own_vpc);
  // The id of the group named `name` in `vpc` (any VPC when empty); "" when none.
  std::string group_id_by_name(const std::string& name, const std::string& vpc) const;
  model::SecurityGroup* sg_by_name(const std::string& name);
  void add_security_group(C& c);
  void add_sg_rule_resource(C& c, Direction dir);
  void add_sg_ingress(C& c);
  void add_sg_egress(C& c);
  void add_network_acl(C& c);
  void add_network_acl_entry(C& c);
  void add_subnet_acl_assoc(C& c);

  // ---- ec2_instances.cpp ------------------------------------------------------
  static void ec2_instances_types(TypeTable& t);
  std::optional<Value> ec2_instances_att(const StackContext& stack, const Entry& e, const std::string& a);
  void interface_addresses(const C& c, const Value& spec, model::NetworkInterface& e);
  std::vector<std::string> group_ids(const Value* v, const std::string& vpc);
  void add_network_interface(C& c);
  void add_network_interface_attachment(C& c);
  void add_instance(C& c);
  // A new interface of the instance being added, at `device`, in `subnet_id`
  // (the default subnet when empty); `s` is set to its subnet (or nullptr).
  model::NetworkInterface instance_interface(const C& c, const std::string& device, std::string subnet_id,
                                             model::Subnet*& s);
  void e_source_dest(const C& c, std::vector<model::NetworkInterface>& created);
  // The primary private IP, allocated now if still open (GetAtt).
  Ipv4Address ensure_private_ip(model::NetworkInterface& e);
  Ipv4Address ensure_private_ip(model::Instance& inst);

  // ---- elbv2.cpp --------------------------------------------------------------
  static void elbv2_types(TypeTable& t);
  std::optional<Value> elbv2_att(const StackContext& stack, const Entry& e, const std::string& a);
  static std::string generated_name(const C& c, size_t max);
  void add_load_balancer(C& c);
  void subnet_mapping_nodes(const C& c, model::LoadBalancer& lb, const Value& maps);
  void add_target_group(C& c);
  // `listener_protocol`: HTTP or HTTPS (a redirect may not go from HTTPS to HTTP).
  std::optional<alb::Action> action(const C& c, const Value& m, std::string_view listener_protocol);
  std::vector<alb::Action> actions(const C& c, const Value* list, std::string_view listener_protocol);
  std::optional<alb::RuleCondition> condition(const C& c, const Value& m);
  void add_listener(C& c);
  void add_listener_rule(C& c);
  // ALB settings (the checks a semantics function will take over).
  void lb_attribute(const C& c, alb::LoadBalancerAttributes& a, const Value& kv);
  void tg_attribute(const C& c, alb::TargetGroupAttributes& a, const Value& kv);
  void redirect_config(const C& c, const Value& rc, alb::Action& a, std::string_view listener_protocol);
  void fixed_response_config(const C& c, const Value& fr, alb::Action& a);

  // ---- autoscaling.cpp ----------------------------------------------------------
  static void autoscaling_types(TypeTable& t);
  std::optional<Value> autoscaling_att(const StackContext& stack, const Entry& e, const std::string& a);
  // UserData decoded from base64 (USERDATA_BASE64 warning and kept when it is not).
  std::string user_data(const C& c, const Value* ud);
  void add_launch_template(C& c);
  void add_launch_configuration(C& c);
  void add_auto_scaling_group(C& c);

  // ---- ec2_insights.cpp ---------------------------------------------------------
  static void ec2_insights_types(TypeTable& t);
  void add_access_scope(C& c);
  void add_insights_path(C& c);

  // ---- route53.cpp ------------------------------------------------------------
  static void route53_types(TypeTable& t);
  std::optional<Value> route53_att(const StackContext& stack, const Entry& e, const std::string& a);
  void add_hosted_zone(C& c);
  model::HostedZone* zone_for(const C& c, const Value& m, const Value* fallback_map);
  std::optional<dns::Record> record(const C& c, const Value& m);
  void add_record_set(C& c);
  void add_record_set_group(C& c);
};

}  // namespace vpclab::tmpl
