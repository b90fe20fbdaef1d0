// ALB nodes (compile_context.h).
#include "emulator/compile_context.h"

namespace vpclab::emulator {

void compile_load_balancers(CompileContext& ctx) {
  for (const auto& lb : ctx.net.load_balancers)
    ctx.out.unsupported.push_back("load balancer " + lb.name + " (nodes have addresses, no data plane yet)");
}

}  // namespace vpclab::emulator
