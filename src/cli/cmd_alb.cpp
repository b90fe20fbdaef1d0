#include "cli/commands.h"

namespace vpclab::cli {
void register_alb(CLI::App&, Runner&) {}  // issue 4
}  // namespace vpclab::cli
