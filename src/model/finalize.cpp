// finalize(): the order of the passes (finalize_*.cpp), and the implicit resources AWS adds, effective state, and the
// checks the AWS APIs would make, over a Network a front end filled in.
//
// Diagnostic codes (stable; each reported at the declaration's SourceLoc):
//   VPC_CIDR_SIZE VPC_CIDR_OVERLAP VPC_CIDR_LIMIT(w) VPC_DNS_HOSTNAMES_WITHOUT_SUPPORT(w)
//   SUBNET_UNKNOWN_VPC SUBNET_CIDR_SIZE SUBNET_OUTSIDE_VPC SUBNET_OVERLAP SUBNET_FULL
//   SUBNET_RTB_UNKNOWN SUBNET_RTB_OTHER_VPC SUBNET_NACL_UNKNOWN SUBNET_NACL_OTHER_VPC
//   RTB_UNKNOWN_VPC ROUTE_NO_DESTINATION ROUTE_DUPLICATE_DESTINATION ROUTE_MORE_SPECIFIC_THAN_LOCAL
//   ROUTE_TARGET_UNKNOWN(w) ROUTE_TARGET_OTHER_VPC ROUTE_TARGET_NOT_ATTACHED(w) ROUTE_TARGET_NOT_ACTIVE(w)
//   IGW_UNKNOWN_VPC IGW_VPC_HAS_GATEWAY
//   NAT_UNKNOWN_SUBNET NAT_NO_ELASTIC_IP
//   EIP_UNKNOWN_ENI
//   PCX_UNKNOWN_VPC PCX_SAME_VPC PCX_DUPLICATE PCX_CIDR_OVERLAP(state failed; error when declared in a
//   stack, warning otherwise)
//   PCX_PENDING_ACCEPTANCE(w) PCX_PEER_NOT_MODELED(n)
//   SG_UNKNOWN_VPC SG_UNKNOWN_REFERENCE SG_REFERENCE_NOT_PEERED(w) SG_RULE_PORTS SG_RULE_LIMIT(w)
//   NACL_UNKNOWN_VPC NACL_RULE_NUMBER NACL_DUPLICATE_RULE NACL_RULE_LIMIT(w)
//   ENI_UNKNOWN_SUBNET ENI_ADDRESS_OUTSIDE_SUBNET ENI_ADDRESS_RESERVED ENI_ADDRESS_IN_USE
//   ENI_UNKNOWN_SG ENI_SG_OTHER_VPC ENI_SG_LIMIT
//   INSTANCE_UNKNOWN_ENI
//   LB_NAME LB_UNKNOWN_SUBNET LB_SUBNET_OTHER_VPC LB_AZ_COUNT LB_SUBNET_SAME_AZ LB_SUBNET_SIZE
//   LB_SUBNET_FREE_ADDRESSES LB_VPC_NO_INTERNET_GATEWAY
//   LB_UNKNOWN_SG
//   LISTENER_UNKNOWN_LB LISTENER_PORT LISTENER_PROTOCOL LISTENER_DUPLICATE_PORT
//   RULE_PRIORITY RULE_DUPLICATE_PRIORITY ACTION_NONE ACTION_TERMINAL ACTION_UNKNOWN_TG
//   ACTION_TG_OTHER_VPC ACTION_WEIGHT ACTION_TG_COUNT
//   TG_UNKNOWN_VPC TG_PORT TG_PROTOCOL TG_HEALTH_CHECK TG_UNKNOWN_TARGET TG_TARGET_OTHER_VPC
//   TG_TARGET_PORT
//   ZONE_UNKNOWN_VPC(w) RECORD_OUTSIDE_ZONE
//   TGW_RTB_UNKNOWN_TGW TGW_DEFAULT_RTB_UNKNOWN TGW_ATTACH_UNKNOWN_TGW TGW_ATTACH_UNKNOWN_VPC
//   TGW_ATTACH_NO_SUBNET TGW_ATTACH_SUBNET_UNKNOWN TGW_ATTACH_SUBNET_OTHER_VPC TGW_ATTACH_SUBNET_SAME_AZ
//   TGW_ATTACH_DUPLICATE_VPC TGW_ATTACH_PENDING_ACCEPTANCE(w) TGW_ATTACH_ALREADY_ASSOCIATED
//   TGW_ASSOCIATION_UNKNOWN_RTB TGW_PROPAGATION_UNKNOWN_ATTACHMENT TGW_PROPAGATION_DUPLICATE
//   TGW_PROPAGATION_CIDR_CONFLICT(w) TGW_ROUTE_UNKNOWN_ATTACHMENT TGW_ROUTE_DUPLICATE
//   ROUTE_TGW_NOT_ATTACHED (TGW errors: warnings for what a snapshot reports)
//   VGW_UNKNOWN_VPC VGW_VPC_HAS_GATEWAY VPN_UNKNOWN_CGW VPN_UNKNOWN_VGW VPN_UNKNOWN_TGW VPN_VGW_NOT_ATTACHED(w)
//   VPN_ROUTE_TGW_CONNECTION VPN_ROUTE_NOT_STATIC VPN_ROUTE_DUPLICATE ONPREM_UNKNOWN_CGW ONPREM_NO_VPN(w)
//   ONPREM_CIDR_OVERLAP VGW_PROPAGATION_UNKNOWN_VGW VGW_PROPAGATION_UNKNOWN_RTB VGW_PROPAGATION_NOT_ATTACHED
//   VGW_PROPAGATION_DUPLICATE ROUTE_VGW_NOT_ATTACHED (VPN errors: warnings for what a snapshot reports)
//   ASG_UNKNOWN_LAUNCH_TEMPLATE ASG_LAUNCH_TEMPLATE_VERSION ASG_UNKNOWN_LAUNCH_CONFIGURATION ASG_NO_LAUNCH
//   ASG_UNKNOWN_SUBNET ASG_SUBNET_OTHER_VPC ASG_NO_SUBNET ASG_UNKNOWN_TARGET_GROUP ASG_TARGET_GROUP_TYPE
//   ASG_TARGET_GROUP_OTHER_VPC ASG_CAPACITY
//   VPCE_SERVICE_NO_GATEWAY VPCE_UNKNOWN_ROUTE_TABLE VPCE_ROUTE_TABLE_OTHER_VPC VPCE_UNKNOWN_SUBNET VPCE_UNKNOWN_VPC
//   VPCE_SUBNET_OTHER_VPC VPCE_SUBNET_SAME_AZ VPCE_PRIVATE_DNS_VPC_ATTRIBUTES VPCE_PREFIX_LIST_STAND_IN(n) VPCE_NOT_MODELED(n)
//   (endpoint errors: warnings for what a snapshot reports)
// (w) = warning, (n) = note; all others are errors.
#include "model/build.h"

#include "model/finalizer.h"

#include <map>
#include <set>

namespace vpclab::model {

bool Finalizer::run() {
  size_t errors_before = diags_.count(Severity::kError);
  fill_origins();
  check_vpcs();
  add_implicit_vpc_resources();
  create_service_interfaces();
  add_vpc_endpoint_resources();
  launch_auto_scaling_groups();
  add_implicit_transit_resources();
  add_implicit_vpn_attachments();
  // Every element exists from here on: lookups stay valid until the end
  // (only fields change), and index() runs once more for the final state.
  net_.index();
  resolve_prefix_lists();
  check_subnets();
  attach_internet_gateways();
  assign_addresses();
  prepare_auto_scaling_replacements();
  associate_elastic_ips();
  check_interfaces();
  check_vpc_endpoints();
  finish_instances();
  finish_nat_gateways();
  derive_peerings();
  finish_transit_gateways();
  finish_vpn();
  finish_route_tables();
  add_vgw_propagated_routes();
  check_security_groups();
  finish_network_acls();
  check_load_balancers();
  check_target_groups();
  check_listeners();
  check_hosted_zones();
  collect_accounts();
  net_.index();
  return diags_.count(Severity::kError) == errors_before;
}

void Finalizer::fill_origins() {
  for (auto& x : net_.vpcs) fill(x.origin);
  for (auto& x : net_.subnets) fill(x.origin);
  for (auto& x : net_.route_tables) fill(x.origin);
  for (auto& x : net_.internet_gateways) fill(x.origin);
  for (auto& x : net_.nat_gateways) fill(x.origin);
  for (auto& x : net_.elastic_ips) fill(x.origin);
  for (auto& x : net_.peerings) fill(x.origin);
  for (auto& x : net_.security_groups) fill(x.origin);
  for (auto& x : net_.network_acls) fill(x.origin);
  for (auto& x : net_.network_interfaces) fill(x.origin);
  for (auto& x : net_.instances) fill(x.origin);
  for (auto& x : net_.load_balancers) fill(x.origin);
  for (auto& x : net_.listeners) fill(x.origin);
  for (auto& x : net_.target_groups) fill(x.origin);
  for (auto& x : net_.hosted_zones) fill(x.origin);
  for (auto& x : net_.unmodeled) fill(x.origin);
  for (auto& x : net_.transit_gateways) fill(x.origin);
  for (auto& x : net_.transit_gateway_attachments) fill(x.origin);
  for (auto& x : net_.transit_gateway_route_tables) fill(x.origin);
  for (auto& x : net_.resource_shares) fill(x.origin);
  for (auto& x : net_.prefix_lists) fill(x.origin);
  for (auto& x : net_.vpc_endpoints) fill(x.origin);
  for (auto& x : net_.customer_gateways) fill(x.origin);
  for (auto& x : net_.vpn_gateways) fill(x.origin);
  for (auto& x : net_.vpn_connections) fill(x.origin);
  for (auto& x : net_.launch_templates) fill(x.origin);
  for (auto& x : net_.launch_configurations) fill(x.origin);
  for (auto& x : net_.auto_scaling_groups) fill(x.origin);
}

void Finalizer::collect_accounts() {
  std::map<std::string, std::set<std::string>> regions;
  for (const auto& a : net_.accounts) regions[a.id].insert(a.regions.begin(), a.regions.end());
  for (const auto& v : net_.vpcs) regions[v.origin.account].insert(v.origin.region);
  for (const auto& z : net_.hosted_zones) regions[z.origin.account];
  net_.accounts.clear();
  for (auto& [id, rs] : regions) net_.accounts.push_back({id, {rs.begin(), rs.end()}});
}

bool finalize(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts) {
  return Finalizer(net, plan, diags, opts).run();
}

}  // namespace vpclab::model
