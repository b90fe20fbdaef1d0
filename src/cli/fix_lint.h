// `vpclab check --fix-lint [--apply] LAB`: the lints with a safe fix
// (analysis/lint_fix.h), written as `vpclab fix` writes its changes and
// verified before printed. Exit codes as check's: 0 no error, 1 errors,
// 2 usage or input error.
#pragma once
#include <string>

namespace vpclab::cli {

int run_fix_lint(const std::string& lab, bool apply);

}  // namespace vpclab::cli
