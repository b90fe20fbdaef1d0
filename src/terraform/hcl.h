// A model::Change (what `vpclab fix` decides) written as Terraform: the HCL a
// user adds to the configuration of the resource's address. Plan JSON has no
// positions in the .tf files, so this is a snippet to paste, not an edit.
#pragma once
#include <string>

#include "model/change.h"
#include "vocab/diagnostic.h"

namespace vpclab::terraform {

// The snippet for one change; resources are referenced by their addresses
// (`aws_security_group.web.id`), or by id when not declared in Terraform.
std::string hcl_snippet(const model::Change& c);

// The Terraform argument for a CloudFormation property name vpclab's
// changes and lints use ("EnableDnsHostnames" -> "enable_dns_hostnames").
std::string argument_name(const std::string& cfn_property);

// Lint and validation advice for diagnostics in files read as Terraform,
// reworded from CloudFormation's property names to the provider's arguments
// ("set EnableDnsSupport: true" -> "set enable_dns_support = true").
std::string in_terraform_terms(const std::string& text);
// Rewrites the message and fix of every diagnostic located in a file the
// terraform reader read (in this process).
void use_terraform_terms(Diagnostics& diags);

}  // namespace vpclab::terraform
