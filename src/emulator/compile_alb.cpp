// ALB nodes (compile_context.h): each node's ENI already has a namespace at
// its private IP; here the load balancer becomes an engine configuration
// the supervisor runs with one engine node per ALB node (docs/emulator.md,
// "ALB nodes").

#include "emulator/alb_config.h"
#include "emulator/compile_context.h"

namespace vpclab::emulator {

void compile_load_balancers(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  for (const auto& lb : net.load_balancers) {
    std::string what = "load balancer " + lb.origin.display(lb.name);
    if (lb.type == "network") continue;  // compile_nlb.cpp
    if (lb.type != "application") {
      ctx.out.unsupported.push_back(what + " (" + lb.type + " load balancers have no data plane yet)");
      continue;
    }
    AlbConfigOptions opts;
    LoadBalancerPlan p;
    for (const auto& n : lb.nodes) {
      auto place = ctx.eni_place.find(n.network_interface);
      if (place == ctx.eni_place.end() || !n.private_ip.value) {
        ctx.out.unsupported.push_back(what + ": node in " + n.subnet + " (its subnet is not in the lab)");
        continue;
      }
      opts.nodes.push_back(dataplane::alb::NodeConfig{n.network_interface, n.private_ip, n.availability_zone});
      p.node_netns.push_back(place->second.netns);
    }
    if (opts.nodes.empty()) {
      ctx.out.unsupported.push_back(what + " (no node in the lab)");
      continue;
    }
    AlbConfigResult r = engine_config_from_model(net, lb, opts);
    for (const auto& n : r.notes) ctx.out.unsupported.push_back(what + ": " + n);
    if (!r.config) {
      ctx.out.unsupported.push_back(what + " (" + r.error + ")");
      continue;
    }
    p.name = lb.name;
    p.logical_id = lb.origin.logical_id;
    p.stack = lb.origin.stack;
    p.arn = lb.arn;
    p.dns_name = lb.dns_name;
    p.config = std::move(*r.config);
    p.config.access_log = "logs/" + lb.name + ".access.log";
    // Quick shutdown: `down` should not wait 30 s for clients.
    p.config.shutdown_grace_ms = 1000;
    name_groups_and_wait_for_targets(net, p.config.target_groups, p);
    ctx.plan().load_balancers.push_back(std::move(p));
  }
}

}  // namespace vpclab::emulator
