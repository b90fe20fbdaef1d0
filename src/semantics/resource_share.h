// AWS RAM (aws-tgw-nlb.md "sharing"; RAM User Guide, "Sharing with accounts
// outside your organization"): whether a resource share gives an account
// access to what it shares. With sharing with AWS Organizations enabled, an
// account of the owner's organization (named, or through an organization or
// OU principal) has access at once; an account outside it only when the
// share allows external principals and that account accepted the share's
// invitation. Without organization sharing, organization and OU principals
// cannot be used and every named account gets an invitation.
#pragma once
#include <string>
#include <vector>

namespace vpclab::semantics {

enum class ShareAccess {
  kShared,              // the account can use the shared resources
  kInvitationPending,   // an invitation waits for the account to accept it
  kExternalNotAllowed,  // the account is outside the organization, the share allows no external principals
  kNotShared,           // no principal names the account (or its organization)
};

struct ShareFacts {
  std::vector<std::string> principals;  // account ids, organization or OU ARNs
  bool allow_external_principals = true;
  bool invitation_accepted = false;     // the account accepted the share's invitation
  bool same_organization = true;        // the account is in the owner's organization
  bool organization_sharing = true;     // RAM sharing with AWS Organizations is enabled there
};

// What the share gives `account` (the best of its principals).
ShareAccess share_access(const ShareFacts& share, const std::string& account);

// An organization ("arn:aws:organizations::ACCOUNT:organization/o-...") or
// OU ("...:ou/o-.../ou-...") ARN.
bool is_organization_principal(const std::string& principal);

}  // namespace vpclab::semantics
