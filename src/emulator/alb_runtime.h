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
#include "emulator/plan.h"

namespace vpclab::emulator {

class AlbRuntime {
 public:
  // `lab_dir`: where logs/ is (the access log goes to logs/<name>.access.log).
  AlbRuntime(const LoadBalancerPlan& plan, const std::string& lab_dir);
  ~AlbRuntime();  // stops the engine
  AlbRuntime(const AlbRuntime&) = delete;
  AlbRuntime& operator=(const AlbRuntime&) = delete;

  // Opens the node sockets and starts serving (health checks begin at once).
  bool start(std::string* error);
  // Graceful stop (in-flight requests answered, at most the plan's grace).
  void stop();

  const LoadBalancerPlan& plan() const { return plan_; }
  // EC2 state changes of a target instance (`vpclab instance`): stopped ->
  // unused / Target.InvalidState, started -> initial, terminated ->
  // deregistered (draining), as AWS does with registered instances.
  void instance_stopped(const std::string& instance_id, bool stopped);
  void instance_terminated(const std::string& instance_id);
  // An Auto Scaling group registered a new member in `target_group` (ARN;
  // ignored when this load balancer does not serve it): `initial` until its
  // health checks pass.
  void instance_registered(const std::string& target_group, const std::string& instance_id, Ipv4Address address,
                           const std::string& availability_zone);
  // What every node's checks found (Engine::target_health); empty before start.
  dataplane::alb::HealthSnapshot per_node_health();
  // {"name", "logical_id", "arn", "dns_name", "access_log", "nodes": [{name,
  // netns, address, availability_zone}], "target_groups": [{name, arn,
  // logical_id, TargetHealthDescriptions}]} with health aggregated.
  nlohmann::json describe();
  // The engine's CloudWatch-named metrics (Engine::metrics_json), parsed;
  // null before start.
  nlohmann::json metrics();

 private:
  const LoadBalancerPlan& plan_;
  std::string lab_dir_;
  std::vector<int> netns_fds_;
  int home_fd_ = -1;
  std::unique_ptr<dataplane::alb::Engine> engine_;
  std::thread thread_;
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

// Control-socket requests about load balancers (supervisor.cpp):
//   {"op":"load-balancers"}                      -> {"ok":true,"load_balancers":[describe()...]}
//   {"op":"target-health","target_group":KEY}    -> {"ok":true,"TargetHealthDescriptions":[...],
//        "TargetGroupArn":..., "Nodes":[per-node descriptions]}   KEY: logical id, name or ARN
nlohmann::json alb_request(std::vector<std::unique_ptr<AlbRuntime>>& albs, const nlohmann::json& req);

}  // namespace vpclab::emulator
