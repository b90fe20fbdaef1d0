// The CloudFormation front end's entry point: template or lab-manifest paths
// in, a finished Network (or diagnostics) out.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "model/build.h"
#include "model/network.h"
#include "template/stack.h"
#include "template/value.h"
#include "vocab/diagnostic.h"

namespace vpclab::tmpl {

struct LoadResult {
  // Null when an error prevented building the model; check diags.
  std::shared_ptr<const model::Network> network;
  Diagnostics diags;
};

// A front end for stacks that are not CloudFormation (terraform/ gives
// Terraform plan and state JSON): the caller passes it, so template/ knows
// only this interface. A lab manifest names such a stack's file under
// `manifest_key` instead of `template:`.
struct StackFrontEnd {
  const char* manifest_key;                   // "terraform"
  const char* what;                           // "a Terraform plan or state (terraform show -json)"
  bool (*accepts)(const Value& root);         // the parsed file is of this format
  // Adds the stack's resources; manifest_stack: named in a lab manifest.
  void (*add)(const StackContext& ctx, const Value& root, bool manifest_stack, model::Network& net,
              model::AddressPlan& plan, Diagnostics& diags);
};

// Each path is a template (YAML or JSON; one stack in account 123456789012,
// region ap-northeast-1, stack name from the file name), a file `other`
// accepts, or a lab manifest (vpclab.yaml, docs/lab-manifest.md). Several
// paths make one network.
LoadResult load_network(const std::vector<std::string>& paths, const StackFrontEnd* other = nullptr);

}  // namespace vpclab::tmpl
