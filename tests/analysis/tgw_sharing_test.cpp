// A transit gateway shared across accounts (examples/tgw/cross-account/):
// bar's account attaches its VPC to foo's TGW, which foo shares through AWS
// RAM and whose owner accepts the attachment in the lab manifest. Without the
// share EC2 cannot find the TGW (TGW_NOT_SHARED); without the acceptance the
// attachment stays pendingAcceptance and carries nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/analyzer.h"
#include "example_variants.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;
using namespace vpclab::analysis::testing;
namespace fs = std::filesystem;

namespace {

const fs::path kExample = fs::path(VPCLAB_SOURCE_DIR) / "examples/tgw/cross-account";

const std::string kAcceptance =
    "peerings:\n"
    "  # foo's owner accepts bar's attachment to the shared TGW (accept-transit-gateway-vpc-attachment).\n"
    "  - connection: {stack: bar, resource: BarAttachment}\n"
    "    accepted: true\n";

}  // namespace

TEST(TransitGatewaySharing, SharedAndAcceptedCarriesBarToTheAlb) {
  auto l = tmpl::load_network({(kExample / "vpclab.yaml").string()});
  ASSERT_TRUE(l.network) << diags_text(l.diags);
  EXPECT_EQ(l.diags.items().size(), 0u) << diags_text(l.diags);
  ASSERT_EQ(l.network->resource_shares.size(), 1u);
  const auto& share = l.network->resource_shares[0];
  EXPECT_EQ(share.origin.account, "111111111111");
  EXPECT_EQ(share.principals, std::vector<std::string>{"222222222222"});
  ASSERT_EQ(share.resource_arns.size(), 1u);
  EXPECT_EQ(share.resource_arns[0].rfind("arn:aws:ec2:ap-northeast-1:111111111111:transit-gateway/tgw-", 0), 0u)
      << share.resource_arns[0];
  Analyzer a(*l.network);
  auto r = a.trace("BarApp", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable);
  EXPECT_EQ(r.paths.size(), 2u);
}

TEST(TransitGatewaySharing, WithoutTheShareEc2CannotFindTheTgw) {
  auto p = variant(kExample, "tgw-sharing-unshared", {{"foo.yaml", "      Principals: [!Ref BarAccountId]", "      Principals: [\"333333333333\"]"}});
  auto l = tmpl::load_network({p});
  const Diagnostic* d = find_diag(l.diags, "TGW_NOT_SHARED");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_NE(d->loc.str().find("bar.yaml:"), std::string::npos) << d->str();  // at bar's attachment
  EXPECT_NE(d->message.find("not shared with account 222222222222"), std::string::npos) << d->message;
  EXPECT_NE(d->fix.find("AWS::RAM::ResourceShare"), std::string::npos) << d->fix;
  // Shared with the organization: attachable.
  auto org = variant(kExample, "tgw-sharing-org", {{"foo.yaml", "      Principals: [!Ref BarAccountId]",
                              "      Principals: [\"arn:aws:organizations::111111111111:organization/o-exampleorgid\"]"}});
  auto lo = tmpl::load_network({org});
  EXPECT_FALSE(lo.diags.has_errors()) << diags_text(lo.diags);
}

TEST(TransitGatewaySharing, UnacceptedAttachmentIsPendingAndCarriesNothing) {
  auto p = variant(kExample, "tgw-sharing-unaccepted", {{"vpclab.yaml", kAcceptance, ""}});
  auto l = tmpl::load_network({p});
  ASSERT_TRUE(l.network) << diags_text(l.diags);
  EXPECT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  const Diagnostic* d = find_diag(l.diags, "TGW_ATTACH_PENDING_ACCEPTANCE");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);
  EXPECT_NE(d->fix.find("accepted: true"), std::string::npos) << d->fix;
  Analyzer a(*l.network);
  auto r = a.trace("BarApp", "http://alb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable);
  EXPECT_TRUE(has_code(r, "BAD_STATE_ATTACHMENT"));
  // AutoAcceptSharedAttachments instead of the manifest: available again.
  auto aa = variant(kExample, "tgw-sharing-auto-accept", {{"vpclab.yaml", kAcceptance, ""},
                                    {"foo.yaml", "AutoAcceptSharedAttachments: disable", "AutoAcceptSharedAttachments: enable"}});
  auto la = tmpl::load_network({aa});
  ASSERT_TRUE(la.network) << diags_text(la.diags);
  EXPECT_EQ(find_diag(la.diags, "TGW_ATTACH_PENDING_ACCEPTANCE"), nullptr) << diags_text(la.diags);
  EXPECT_TRUE(Analyzer(*la.network).trace("BarApp", "http://alb.home/").reachable);
}

TEST(TransitGatewaySharing, ResourceShareSchemaErrorsNameThePlace) {
  auto p = variant(kExample, "tgw-sharing-bad-share", {{"foo.yaml", "      AllowExternalPrincipals: false", "      AllowExternalPrincipal: false"}});
  auto l = tmpl::load_network({p});
  EXPECT_TRUE(l.diags.has_errors());
  std::string text = diags_text(l.diags);
  EXPECT_NE(text.find("AllowExternalPrincipal"), std::string::npos) << text;
  EXPECT_NE(text.find("foo.yaml:"), std::string::npos) << text;
}

// Accounts outside the owner's organization (the manifest's `organization:`):
// RAM sends an invitation, and the TGW is shared only once it is accepted
// (the manifest's `peerings:` entry naming the share); a share that allows
// no external principals does not reach them at all.
namespace {

const std::string kFooOnlyOrganization =
    "organization:\n"
    "  accounts: [\"111111111111\"]\n";

}  // namespace

TEST(TransitGatewaySharing, OutsideTheOrganizationTheInvitationMustBeAccepted) {
  // bar outside foo's organization, the share allowing external principals, no acceptance.
  auto p = variant(kExample, "tgw-sharing-outside",
                   {{"vpclab.yaml", kAcceptance, kAcceptance + kFooOnlyOrganization},
                    {"foo.yaml", "      AllowExternalPrincipals: false", "      AllowExternalPrincipals: true"}});
  auto l = tmpl::load_network({p});
  const Diagnostic* d = find_diag(l.diags, "RAM_SHARE_INVITATION_PENDING");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_NE(d->loc.str().find("bar.yaml:"), std::string::npos) << d->str();
  EXPECT_NE(d->message.find("account 222222222222 has not accepted"), std::string::npos) << d->message;
  EXPECT_NE(d->fix.find("foo.FooTgwShare with accepted: true"), std::string::npos) << d->fix;
  // Accepted: shared, attachable, and bar reaches the ALB.
  auto acc = variant(kExample, "tgw-sharing-outside-accepted",
                     {{"vpclab.yaml", kAcceptance,
                       kAcceptance + "  - connection: {stack: foo, resource: FooTgwShare}\n    accepted: true\n" +
                           kFooOnlyOrganization},
                      {"foo.yaml", "      AllowExternalPrincipals: false", "      AllowExternalPrincipals: true"}});
  auto la = tmpl::load_network({acc});
  ASSERT_TRUE(la.network) << diags_text(la.diags);
  EXPECT_FALSE(la.diags.has_errors()) << diags_text(la.diags);
  ASSERT_EQ(la.network->resource_shares.size(), 1u);
  EXPECT_TRUE(la.network->resource_shares[0].invitation_accepted);
  EXPECT_TRUE(Analyzer(*la.network).trace("BarApp", "http://alb.home/").reachable);
}

TEST(TransitGatewaySharing, OutsideTheOrganizationNeedsExternalPrincipalsAllowed) {
  // The example's share says AllowExternalPrincipals: false; bar outside: RAM does not share.
  auto p = variant(kExample, "tgw-sharing-external-refused",
                   {{"vpclab.yaml", kAcceptance,
                     kAcceptance + "  - connection: {stack: foo, resource: FooTgwShare}\n    accepted: true\n" +
                         kFooOnlyOrganization}});
  auto l = tmpl::load_network({p});
  const Diagnostic* d = find_diag(l.diags, "RAM_EXTERNAL_PRINCIPAL_NOT_ALLOWED");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_NE(d->fix.find("AllowExternalPrincipals: true"), std::string::npos) << d->fix;
  // Both accounts in the organization: the example as it is, shared at once.
  auto both = variant(kExample, "tgw-sharing-one-org",
                      {{"vpclab.yaml", kAcceptance,
                        kAcceptance + "organization:\n  accounts: [\"111111111111\", \"222222222222\"]\n"}});
  auto lb = tmpl::load_network({both});
  EXPECT_FALSE(lb.diags.has_errors()) << diags_text(lb.diags);
}

TEST(TransitGatewaySharing, WithoutOrganizationSharingOrganizationPrincipalsShareNothing) {
  auto p = variant(kExample, "tgw-sharing-no-ram-org",
                   {{"vpclab.yaml", kAcceptance,
                     kAcceptance + "organization:\n  accounts: [\"111111111111\", \"222222222222\"]\n  ram_sharing: false\n"},
                    {"foo.yaml", "      Principals: [!Ref BarAccountId]",
                     "      Principals: [\"arn:aws:organizations::111111111111:organization/o-exampleorgid\"]"}});
  auto l = tmpl::load_network({p});
  const Diagnostic* d = find_diag(l.diags, "TGW_NOT_SHARED");
  ASSERT_NE(d, nullptr) << diags_text(l.diags);
}

TEST(TransitGatewaySharing, OrganizationEntryErrorsNameThePlace) {
  auto p = variant(kExample, "tgw-sharing-bad-org",
                   {{"vpclab.yaml", kAcceptance, kAcceptance + "organization:\n  accounts: [\"12345\"]\n  members: []\n"}});
  auto l = tmpl::load_network({p});
  std::string text = diags_text(l.diags);
  EXPECT_NE(text.find("organization account '12345' must be 12 digits"), std::string::npos) << text;
  EXPECT_NE(text.find("members"), std::string::npos) << text;
  EXPECT_NE(text.find("vpclab.yaml:"), std::string::npos) << text;
}
