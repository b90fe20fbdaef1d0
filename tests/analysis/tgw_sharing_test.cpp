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
