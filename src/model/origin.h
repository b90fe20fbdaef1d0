// Where a model element came from (stack and logical id, or a snapshot
// file): names in messages and the place every diagnostic points at.
#pragma once
#include <string>

#include "vocab/source_loc.h"

namespace vpclab::model {

// Where a resource came from: stack and logical id for templates, or the
// snapshot file; used in messages ("foo.AlbSecurityGroup").
struct Origin {
  std::string account;
  std::string region;
  std::string stack;       // empty for snapshots
  std::string logical_id;  // empty for snapshots
  SourceLoc loc;
  std::string display(const std::string& id) const;  // "Stack.LogicalId" or the id
  // Declared in an input the user writes (a template, a Terraform plan or
  // state: those have a logical id or address), not read from a snapshot of
  // what AWS holds: what AWS would refuse there is an error, not a state.
  bool declared() const { return !stack.empty() || !logical_id.empty(); }
};

}  // namespace vpclab::model
