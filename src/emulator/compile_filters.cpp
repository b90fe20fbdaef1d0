// Security groups and network ACLs as nftables (compile_context.h).
#include "emulator/compile_context.h"

namespace vpclab::emulator {

void compile_filters(CompileContext& ctx) {
  if (!ctx.net.security_groups.empty())
    ctx.out.unsupported.push_back("security groups and network ACLs are not enforced yet (everything routed is allowed)");
}

}  // namespace vpclab::emulator
