#include "semantics/resource_share.h"

namespace vpclab::semantics {

bool is_organization_principal(const std::string& p) { return p.rfind("arn:aws:organizations::", 0) == 0; }

ShareAccess share_access(const ShareFacts& s, const std::string& account) {
  // Best first: a principal that shares outright wins over one that waits.
  ShareAccess best = ShareAccess::kNotShared;
  auto take = [&best](ShareAccess a) {
    if (static_cast<int>(a) < static_cast<int>(best)) best = a;
  };
  for (const auto& p : s.principals) {
    if (is_organization_principal(p)) {
      // Usable only with organization sharing; counts for the organization's accounts.
      if (s.organization_sharing && s.same_organization) take(ShareAccess::kShared);
      continue;
    }
    if (p != account) continue;
    if (!s.same_organization && !s.allow_external_principals) take(ShareAccess::kExternalNotAllowed);
    else if (s.same_organization && s.organization_sharing) take(ShareAccess::kShared);
    else take(s.invitation_accepted ? ShareAccess::kShared : ShareAccess::kInvitationPending);
  }
  return best;
}

}  // namespace vpclab::semantics
