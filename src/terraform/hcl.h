// A model::Change (what `vpclab fix` decides) written as Terraform: the HCL a
// user adds to the configuration of the resource's address. Plan JSON has no
// positions in the .tf files, so this is a snippet to paste, not an edit.
#pragma once
#include <string>

#include "model/change.h"

namespace vpclab::terraform {

// The snippet for one change; resources are referenced by their addresses
// (`aws_security_group.web.id`), or by id when not declared in Terraform.
std::string hcl_snippet(const model::Change& c);

// The Terraform argument for a CloudFormation property name vpclab's
// changes and lints use ("EnableDnsHostnames" -> "enable_dns_hostnames").
std::string argument_name(const std::string& cfn_property);

}  // namespace vpclab::terraform
