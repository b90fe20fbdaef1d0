// Internal to emulator/: the Network Load Balancers of a running lab, inside
// the supervisor. One dataplane::nlb::Engine per load balancer, on its own
// thread; engine node i opens its sockets (listeners, target flows, health
// checks) inside namespace node_netns[i], the node's ENI.
#pragma once
#include <string>

#include "dataplane/nlb/engine.h"
#include "emulator/lb_runtime.h"

namespace vpclab::emulator {

class NlbRuntime : public EngineRuntime<dataplane::nlb::Engine, NetworkLoadBalancerPlan, dataplane::nlb::TargetConfig> {
 public:
  explicit NlbRuntime(const NetworkLoadBalancerPlan& plan) : EngineRuntime(plan) {}
  bool start(std::string* error) override;  // stop(): open flows are closed
  nlohmann::json describe() override;
};

}  // namespace vpclab::emulator
