// Lint: advice about networks that AWS accepts but that do not do what the
// canonical scenario's authors meant (open internal ALBs, missing ports,
// one-sided peering routes, ...). Each finding is a warning with a stable
// code and a suggested fix; docs/lint.md lists them.
#pragma once
#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::analysis {

// Appends one warning per finding to `diags`, at the declaration to change.
void lint(const model::Network& net, Diagnostics& diags);

}  // namespace vpclab::analysis
