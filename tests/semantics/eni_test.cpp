// semantics::eni_security_groups: which groups filter an interface.
#include "semantics/eni.h"
#include "semantics/network_acl.h"
#include "semantics/route.h"

#include <gtest/gtest.h>

namespace vpclab::semantics {
namespace {

using Groups = std::vector<std::string>;
const std::string kDefault = "sg-default";

TEST(EniSecurityGroups, DeclaredGroupsAreKept) {
  for (auto owner : {EniSecurityGroupOwner::kInstanceOrStandalone, EniSecurityGroupOwner::kApplicationLoadBalancer,
                     EniSecurityGroupOwner::kOtherLoadBalancer})
    EXPECT_EQ(eni_security_groups(owner, {"sg-a", "sg-b"}, kDefault), (Groups{"sg-a", "sg-b"}));
}

TEST(EniSecurityGroups, NoneGivenMeansTheVpcDefaultForInstancesAndAlbNodes) {
  EXPECT_EQ(eni_security_groups(EniSecurityGroupOwner::kInstanceOrStandalone, {}, kDefault), Groups{kDefault});
  EXPECT_EQ(eni_security_groups(EniSecurityGroupOwner::kApplicationLoadBalancer, {}, kDefault), Groups{kDefault});
}

TEST(EniSecurityGroups, NlbNodesWithoutGroupsAndNatGatewaysAreUnfiltered) {
  EXPECT_TRUE(eni_security_groups(EniSecurityGroupOwner::kOtherLoadBalancer, {}, kDefault).empty());
  EXPECT_TRUE(eni_security_groups(EniSecurityGroupOwner::kNatGateway, {}, kDefault).empty());
  // A NAT gateway never has a group, whatever a front end listed.
  EXPECT_TRUE(eni_security_groups(EniSecurityGroupOwner::kNatGateway, {"sg-a"}, kDefault).empty());
}

TEST(EniSecurityGroups, UnknownDefaultGroupAddsNothing) {
  EXPECT_TRUE(eni_security_groups(EniSecurityGroupOwner::kInstanceOrStandalone, {}, "").empty());
}

TEST(EffectiveAssociations, ExplicitElseTheVpcsDefault) {
  EXPECT_EQ(effective_route_table("rtb-explicit", "rtb-main"), "rtb-explicit");
  EXPECT_EQ(effective_route_table("", "rtb-main"), "rtb-main");
  EXPECT_EQ(effective_network_acl("acl-explicit", "acl-default"), "acl-explicit");
  EXPECT_EQ(effective_network_acl("", "acl-default"), "acl-default");
}

TEST(NetworkAclNumbers, ImplicitDenyFollowsTheLastDeclarableNumber) {
  EXPECT_EQ(kNaclImplicitDenyRuleNumber, kNaclMaxRuleNumber + 1);
  EXPECT_EQ(implicit_deny_entry(Direction::kIngress).rule_number, kNaclImplicitDenyRuleNumber);
  EXPECT_FALSE(implicit_deny_entry(Direction::kEgress).allow);
  EXPECT_EQ(implicit_deny_entry(Direction::kEgress).direction, Direction::kEgress);
}

}  // namespace
}  // namespace vpclab::semantics
