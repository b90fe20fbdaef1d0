// AWS RAM's rules, case by case as the RAM User Guide states them (see
// semantics/resource_share.h).
#include "semantics/resource_share.h"

#include <gtest/gtest.h>

namespace vpclab::semantics {
namespace {

const std::string kOrg = "arn:aws:organizations::111111111111:organization/o-exampleorgid";
const std::string kOu = "arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cdef3456";

ShareFacts facts(std::vector<std::string> principals, bool same_org, bool org_sharing = true, bool external = true,
                 bool accepted = false) {
  return ShareFacts{std::move(principals), external, accepted, same_org, org_sharing};
}

TEST(ResourceShare, AnAccountOfTheOrganizationHasAccessAtOnce) {
  EXPECT_EQ(share_access(facts({"222222222222"}, true), "222222222222"), ShareAccess::kShared);
  EXPECT_EQ(share_access(facts({kOrg}, true), "222222222222"), ShareAccess::kShared);
  EXPECT_EQ(share_access(facts({kOu}, true), "222222222222"), ShareAccess::kShared);
}

TEST(ResourceShare, AnAccountOutsideWaitsForItsInvitationThenHasAccess) {
  EXPECT_EQ(share_access(facts({"222222222222"}, false), "222222222222"), ShareAccess::kInvitationPending);
  EXPECT_EQ(share_access(facts({"222222222222"}, false, true, true, true), "222222222222"), ShareAccess::kShared);
}

TEST(ResourceShare, OutsideTheOrganizationNeedsExternalPrincipalsAllowed) {
  EXPECT_EQ(share_access(facts({"222222222222"}, false, true, false, true), "222222222222"),
            ShareAccess::kExternalNotAllowed);
  // Inside it, AllowExternalPrincipals false does not matter.
  EXPECT_EQ(share_access(facts({"222222222222"}, true, true, false), "222222222222"), ShareAccess::kShared);
}

TEST(ResourceShare, OrganizationPrincipalsReachOnlyTheOrganization) {
  EXPECT_EQ(share_access(facts({kOrg}, false), "222222222222"), ShareAccess::kNotShared);
  // Without organization sharing they cannot be used at all.
  EXPECT_EQ(share_access(facts({kOrg}, true, false), "222222222222"), ShareAccess::kNotShared);
}

TEST(ResourceShare, WithoutOrganizationSharingEveryAccountIsInvited) {
  EXPECT_EQ(share_access(facts({"222222222222"}, true, false), "222222222222"), ShareAccess::kInvitationPending);
  EXPECT_EQ(share_access(facts({"222222222222"}, true, false, true, true), "222222222222"), ShareAccess::kShared);
}

TEST(ResourceShare, OtherAccountsAreNotShared) {
  EXPECT_EQ(share_access(facts({"333333333333"}, true), "222222222222"), ShareAccess::kNotShared);
  EXPECT_EQ(share_access(facts({}, true), "222222222222"), ShareAccess::kNotShared);
  // The best principal wins: a pending one and an organization one.
  EXPECT_EQ(share_access(facts({"222222222222", kOrg}, true, true), "222222222222"), ShareAccess::kShared);
}

}  // namespace
}  // namespace vpclab::semantics
