// The CloudFormation front end's entry point: template or lab-manifest paths
// in, a finished Network (or diagnostics) out.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::tmpl {

struct LoadResult {
  // Null when an error prevented building the model; check diags.
  std::shared_ptr<const model::Network> network;
  Diagnostics diags;
};

// Each path is a template (YAML or JSON; one stack in account 123456789012,
// region ap-northeast-1, stack name from the file name) or a lab manifest
// (vpclab.yaml, docs/lab-manifest.md). Several paths make one network.
LoadResult load_network(const std::vector<std::string>& paths);

}  // namespace vpclab::tmpl
