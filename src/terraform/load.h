// The Terraform front end: `terraform show -json` output (a saved plan or a
// state, HashiCorp's "JSON Output Format") in, the same Network model the
// CloudFormation front end builds out.
//
// A file is Terraform JSON when its top level has `format_version` and
// `planned_values` (a plan) or `values` (a state). Values come from
// `planned_values` / `values`; what a plan knows only after apply is filled
// from `configuration` references (resources, modules, count/for_each keys).
// Resources keep their Terraform address as logical id, so
// `--from aws_instance.web` and `module.vpc.aws_subnet.private[0]` work
// wherever a logical id does. Diagnostics name the address and the JSON path.
//
// Diagnostic codes:
//   TF_FORMAT         not a plan/state, or an unsupported format_version major (error)
//   TF_VALUE          a malformed value: CIDR, address, port, protocol (error)
//   TF_UNKNOWN        a value known only after apply that the configuration does not
//                     tell (a local, a function, a data source without values) (note)
//   TF_ASSUMED        the reader chose where the plan is silent (the only VPC of the
//                     module, ...) (note)
//   TF_REF_MISSING    a resource names one the plan does not hold (warning)
//   TF_RULES_MIXED    inline rules and separate rule resources on one group, ACL or
//                     route table: the provider warns they overwrite each other (warning)
//   UNMODELED_TYPE    a resource type vpclab does not model (note, once per type)
// finalize() adds its own (model/finalize_*.cpp).
#pragma once
#include <cstddef>
#include <string>

#include "model/build.h"
#include "model/network.h"
#include "template/load.h"
#include "template/stack.h"
#include "template/value.h"
#include "vocab/diagnostic.h"

namespace vpclab::terraform {

// True when a parsed file is a Terraform plan or state JSON.
bool is_terraform_json(const tmpl::Value& root);

// What a read did, for tests and `vpclab check` on a corpus.
struct Counts {
  size_t resources = 0;        // managed resource instances in the file
  size_t modeled = 0;          // of them, turned into the model
  size_t unmodeled = 0;        // of them, of types vpclab does not model
  size_t unknowns_filled = 0;  // unknown-after-apply values taken from configuration
  size_t unknowns_left = 0;    // unknown values the reader could not tell (TF_UNKNOWN)
  size_t assumed = 0;          // unknown values the reader chose (TF_ASSUMED)
};

// Adds the resources of one plan or state to `net` as one stack: ctx.name
// keys the generated ids, ctx.account and ctx.region place them;
// `stack_in_names` sets Origin::stack (a lab manifest's stack) so messages
// read "stack.aws_vpc.main"; a file given alone keeps bare addresses.
Counts add_to_network(const tmpl::StackContext& ctx, const tmpl::Value& root, bool stack_in_names,
                      model::Network& net, model::AddressPlan& plan, Diagnostics& diags);

// The front end as template/load.cpp takes it (for lab manifests and paths).
const tmpl::StackFrontEnd& front_end();

// True when `file` (interned, as SourceLoc holds it) was read by this front
// end in this process (thread-safe): its diagnostics speak Terraform.
bool read_as_terraform(const char* file);

// One file alone, parsed, read and finalized (tests, the fuzz target).
tmpl::LoadResult load_file(const std::string& path, Counts* counts = nullptr);
tmpl::LoadResult load_text(const std::string& text, const std::string& display, Counts* counts = nullptr);

}  // namespace vpclab::terraform
