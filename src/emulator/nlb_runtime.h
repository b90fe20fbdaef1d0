// Internal to emulator/: the Network Load Balancers of a running lab, inside
// the supervisor. One dataplane::nlb::Engine per load balancer, on its own
// thread; engine node i opens its sockets (listeners, target flows, health
// checks) inside namespace node_netns[i], the node's ENI.
#pragma once
#include <memory>
#include <string>
#include <thread>

#include "dataplane/nlb/engine.h"
#include "emulator/lb_runtime.h"

namespace vpclab::emulator {

class NlbRuntime : public LoadBalancerRuntime {
 public:
  explicit NlbRuntime(const NetworkLoadBalancerPlan& plan);
  ~NlbRuntime() override;
  NlbRuntime(const NlbRuntime&) = delete;
  NlbRuntime& operator=(const NlbRuntime&) = delete;

  bool start(std::string* error) override;
  void stop() override;  // open flows are closed
  const LoadBalancerPlanBase& plan_base() const override { return plan_; }
  std::vector<std::pair<std::string, std::string>> target_groups() const override;
  void instance_stopped(const std::string& instance_id, bool stopped) override;
  void instance_terminated(const std::string& instance_id) override;
  void instance_registered(const std::string& target_group, const std::string& instance_id, Ipv4Address address,
                           const std::string& availability_zone) override;
  dataplane::alb::HealthSnapshot per_node_health() override;
  nlohmann::json describe() override;
  nlohmann::json metrics() override;

 private:
  const NetworkLoadBalancerPlan& plan_;
  NodeSockets sockets_;
  std::unique_ptr<dataplane::nlb::Engine> engine_;
  std::thread thread_;
};

}  // namespace vpclab::emulator
