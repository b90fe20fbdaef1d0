#include "cli/commands.h"

namespace vpclab::cli {
void register_check(CLI::App&, Runner&) {}  // issue 2
}  // namespace vpclab::cli
