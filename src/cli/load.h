// One entry for every command that reads a network: CloudFormation templates
// and lab manifests (template/), or a folder of AWS CLI describe-* JSON taken
// from a deployed account (snapshot/).
#pragma once
#include <string>
#include <vector>

#include "template/load.h"

namespace vpclab::cli {

// A single PATH that snapshot::is_snapshot_dir() recognises is loaded with
// snapshot::load_snapshot(); any other PATHs with tmpl::load_network(), which
// reads Terraform plan/state JSON with terraform/ (files and manifest
// `terraform:` stacks). A
// snapshot directory mixed with other PATHs is an error (CLI_MIXED_INPUT).
// A folder that is not a snapshot but holds vpclab.yaml stands for that
// manifest. Null network on error, as both loaders.
tmpl::LoadResult load_any(const std::vector<std::string>& paths);

// PATHs as load_any reads them: a folder holding vpclab.yaml (not a snapshot)
// becomes that manifest, so `vpclab diff git:origin/main .` works at the top
// of a lab's repository.
std::vector<std::string> manifests_for_folders(const std::vector<std::string>& paths);

// load_any for commands that need a clean network: a missing file or a
// network with errors prints the diagnostics to stderr ("vpclab CMD: ...")
// and returns null (the command exits 2).
std::shared_ptr<const model::Network> load_or_report(const std::vector<std::string>& paths, const char* cmd);

}  // namespace vpclab::cli
