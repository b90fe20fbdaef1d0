// `vpclab check --fix-lint`: the lints that have a safe fix, as model::Changes
// for template/edit.h. Safe: the change closes what the lint warns of and
// nothing the lab uses, so reachability between the lab's resources stays as
// it is (the caller verifies that with diff_networks before printing).
//
// ALB_SG_OPEN_TO_WORLD: the internal ALB's rule from 0.0.0.0/0 is replaced by
// rules for the clients that reach the ALB through it in the lab (those whose
// routes, NACLs and own security groups already let them reach its listener
// ports): each client's security group where AWS allows the reference, else
// its address, only the listener ports (the rules `vpclab fix` writes). No
// other lint has one: each needs a decision the lab does not hold.
#pragma once
#include <string>
#include <vector>

#include "analysis/fix.h"
#include "model/change.h"
#include "model/network.h"

namespace vpclab::analysis {

struct LintFix {
  std::string code;                    // the lint's code
  SourceLoc loc;                       // the finding's location
  std::string security_group;          // display name of the group narrowed
  std::vector<model::Change> changes;  // the clients' rules first, then the removal
  std::vector<std::string> clients;    // "BarApp tcp/80", who the new rules admit
  std::string unfixable;               // non-empty: why there is no safe fix
};

std::vector<LintFix> plan_lint_fixes(const model::Network& net, const FixOptions& opts = {});

}  // namespace vpclab::analysis
