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
