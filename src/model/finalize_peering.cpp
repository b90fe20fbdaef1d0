// finalize(): VPC peering connections (sides, duplicates, state).
#include "model/finalizer.h"

#include <algorithm>
#include <set>

#include "semantics/gateway.h"

namespace vpclab::model {

void Finalizer::derive_peerings() {
  std::set<std::pair<std::string, std::string>> pairs;
  for (auto& p : net_.peerings) {
    if (p.requester.account.empty()) p.requester.account = p.origin.account;
    if (p.requester.region.empty()) p.requester.region = p.origin.region;
    if (p.accepter.account.empty()) p.accepter.account = p.requester.account;
    if (p.accepter.region.empty()) p.accepter.region = p.requester.region;
    const Vpc* r = net_.vpc(p.requester.vpc);
    const Vpc* a = net_.vpc(p.accepter.vpc);
    if (!r) {
      error(p.origin.loc, "PCX_UNKNOWN_VPC",
            fmt::format("peering {} names requester VPC '{}', which is not defined", who(p), p.requester.vpc));
      continue;
    }
    if (p.requester.vpc == p.accepter.vpc) {
      error(p.origin.loc, "PCX_SAME_VPC", fmt::format("peering {} connects VPC {} with itself", who(p), who(*r)));
      continue;
    }
    auto key = std::minmax(p.requester.vpc, p.accepter.vpc);
    if (!pairs.insert({key.first, key.second}).second) {
      error(p.origin.loc, "PCX_DUPLICATE",
            fmt::format("peering {} duplicates another peering between {} and {}; AWS allows one per pair", who(p),
                        p.requester.vpc, p.accepter.vpc));
      continue;
    }
    // Overlapping CIDR blocks: AWS fails the request (semantics/gateway.h).
    std::string overlap;
    if (a)
      if (auto o = semantics::peering_cidr_overlap(r->cidrs, a->cidrs))
        overlap = fmt::format("overlapping CIDR blocks {} ({}) and {} ({})", o->requester.str(), who(*r),
                              o->accepter.str(), who(*a));
    // A peering declared in a stack is a request CloudFormation makes: the
    // failure fails the resource and rolls the stack back, so the template
    // cannot be deployed. One read from a deployed account (a snapshot, no
    // stack) is a state, as the reader found it.
    if (!overlap.empty() && !p.origin.stack.empty()) {
      p.state = PeeringState::kFailed;
      p.state_reason = overlap;
      error(p.origin.loc, "PCX_CIDR_OVERLAP",
            fmt::format("peering {} cannot be created: {}; CloudFormation fails the resource and rolls the stack back",
                        who(p), overlap),
            "use non-overlapping CIDR blocks in the two VPCs (including AWS::EC2::VPCCidrBlock secondary blocks)");
      continue;
    }
    if (p.state_from_input) continue;
    if (!a) {
      diags_.note(p.origin.loc, "PCX_PEER_NOT_MODELED",
                  fmt::format("peering {}: accepter VPC '{}' is not in the loaded stacks; its side is not modeled",
                              who(p), p.accepter.vpc));
    }
    if (!overlap.empty()) {
      p.state = PeeringState::kFailed;
      p.state_reason = overlap;
      warning(p.origin.loc, "PCX_CIDR_OVERLAP", fmt::format("peering {} fails: {}", who(p), p.state_reason),
              "use non-overlapping CIDR blocks");
      continue;
    }
    bool same_account = p.requester.account == p.accepter.account;
    // Same account (any region) is accepted automatically by CloudFormation.
    if (same_account || p.accepted) {
      p.state = PeeringState::kActive;
      p.state_reason.clear();
    } else {
      p.state = PeeringState::kPendingAcceptance;
      p.state_reason = fmt::format("cross-account request to {} not accepted", p.accepter.account);
      warning(p.origin.loc, "PCX_PENDING_ACCEPTANCE",
              fmt::format("peering {} stays pending-acceptance: account {} has not accepted it", who(p),
                          p.accepter.account),
              "set PeerRoleArn, or `accepted: true` for the peering in the lab manifest");
    }
  }
}

}  // namespace vpclab::model
