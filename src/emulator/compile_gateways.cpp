// Internet gateways, the internet namespace and NAT gateways (compile_context.h).
#include "emulator/compile_context.h"

namespace vpclab::emulator {

bool compile_gateway_route(CompileContext&, const model::RouteTable&, const Route&, uint32_t) { return false; }

void compile_gateways(CompileContext& ctx) {
  // Not emulated yet: say so rather than pretend.
  for (const auto& igw : ctx.net.internet_gateways)
    if (!igw.vpc.empty()) ctx.out.unsupported.push_back("internet gateway " + igw.id + " (no internet namespace yet)");
  for (const auto& nat : ctx.net.nat_gateways) ctx.out.unsupported.push_back("NAT gateway " + nat.id + " (no SNAT yet)");
}

}  // namespace vpclab::emulator
