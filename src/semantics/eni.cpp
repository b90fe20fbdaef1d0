#include "semantics/eni.h"

namespace vpclab::semantics {

std::vector<std::string> eni_security_groups(EniSecurityGroupOwner owner, const std::vector<std::string>& declared,
                                             const std::string& vpc_default_group) {
  switch (owner) {
    case EniSecurityGroupOwner::kNatGateway: return {};
    case EniSecurityGroupOwner::kOtherLoadBalancer: return declared;
    case EniSecurityGroupOwner::kInstanceOrStandalone:
    case EniSecurityGroupOwner::kApplicationLoadBalancer: break;
  }
  if (!declared.empty() || vpc_default_group.empty()) return declared;
  return {vpc_default_group};
}

}  // namespace vpclab::semantics

namespace vpclab::semantics {

bool public_ip_at_launch(int device_index, bool has_setting, bool setting, bool subnet_maps_public,
                         size_t interfaces_at_launch) {
  if (device_index != 0) return false;
  if (has_setting) return setting;
  return subnet_maps_public && interfaces_at_launch == 1;
}

}  // namespace vpclab::semantics
