// Internal to emulator/: the ALBs of a running lab, inside the supervisor.
// One dataplane::alb::Engine per load balancer, on its own thread; engine
// node i opens every socket (listeners, target connections, health checks)
// inside namespace node_netns[i], so it listens on the node's private IP
// and health checks leave from it.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/alb/engine.h"
#include "emulator/lb_runtime.h"
#include "emulator/plan.h"

namespace vpclab::emulator {

class AlbRuntime : public EngineRuntime<dataplane::alb::Engine, LoadBalancerPlan, dataplane::alb::TargetConfig> {
 public:
  // `lab_dir`: where logs/ is (the access log goes to logs/<name>.access.log).
  AlbRuntime(const LoadBalancerPlan& plan, const std::string& lab_dir) : EngineRuntime(plan), lab_dir_(lab_dir) {}
  bool start(std::string* error) override;  // stop(): in-flight requests answered, at most the plan's grace
  nlohmann::json describe() override;

 private:
  std::string lab_dir_;
};

// What `aws elbv2 describe-target-health` shows for one target group: one
// TargetHealthDescription per target, its state the one
// semantics::worst_node_health picks from the nodes. Instance targets show
// no AvailabilityZone, as on AWS. Returns an array; empty when the group is
// not in `per_node`.
nlohmann::json aggregate_target_health(const dataplane::alb::HealthSnapshot& per_node,
                                       const std::string& target_group_arn);

// The group's per-node view as the engine's JSON shows it ("Nodes" of
// target-health): [{"Node", "Address", "TargetHealthDescriptions"}].
nlohmann::json per_node_health_json(const dataplane::alb::HealthSnapshot& per_node,
                                    const std::string& target_group_arn);

// True when every target on every node has left `initial`
// (semantics::first_checks_done).
bool first_health_checks_done(const dataplane::alb::HealthSnapshot& per_node);

// True when a TCP socket listens on `port` (IPv4 or IPv6, any address) in
// network namespace `netns` of the lab (/run/netns/<netns>).
bool listening_in(const std::string& netns, uint16_t port);

// Control-socket requests about load balancers of either kind (supervisor.cpp):
//   {"op":"load-balancers"}                      -> {"ok":true,"load_balancers":[describe()...]}
//   {"op":"target-health","target_group":KEY}    -> {"ok":true,"TargetHealthDescriptions":[...],
//        "TargetGroupArn":..., "Nodes":[per-node descriptions]}   KEY: logical id, name or ARN
nlohmann::json alb_request(std::vector<std::unique_ptr<LoadBalancerRuntime>>& lbs, const nlohmann::json& req);

}  // namespace vpclab::emulator
