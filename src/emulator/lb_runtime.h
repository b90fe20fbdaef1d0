// Internal to emulator/: what the supervisor sees of a running load balancer
// of either kind (AlbRuntime, NlbRuntime): start and stop, EC2 instance
// changes of its targets, health per node, describe-style JSON. And the
// sockets its engine opens inside its nodes' namespaces.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/alb/health.h"
#include "emulator/plan.h"
#include "vocab/ip.h"

namespace vpclab::emulator {

class LoadBalancerRuntime {
 public:
  virtual ~LoadBalancerRuntime() = default;
  // Opens the node sockets and starts serving (health checks begin at once).
  virtual bool start(std::string* error) = 0;
  virtual void stop() = 0;
  virtual const LoadBalancerPlanBase& plan_base() const = 0;
  // (ARN, name) of each target group it serves.
  virtual std::vector<std::pair<std::string, std::string>> target_groups() const = 0;
  // EC2 state changes of a target instance (`vpclab instance`): stopped ->
  // unused / Target.InvalidState, started -> initial, terminated ->
  // deregistered (draining), as AWS does with registered instances.
  virtual void instance_stopped(const std::string& instance_id, bool stopped) = 0;
  virtual void instance_terminated(const std::string& instance_id) = 0;
  // An Auto Scaling group registered a new member in `target_group` (ARN;
  // ignored when this load balancer does not serve it).
  virtual void instance_registered(const std::string& target_group, const std::string& instance_id,
                                   Ipv4Address address, const std::string& availability_zone) = 0;
  // What every node's checks found; empty before start.
  virtual dataplane::alb::HealthSnapshot per_node_health() = 0;
  // {"name", "type", "logical_id", "arn", "dns_name", "access_log", "nodes": [{name,
  // netns, address, availability_zone}], "listeners", "target_groups": [{name, arn,
  // logical_id, TargetHealthDescriptions}]} with health aggregated.
  virtual nlohmann::json describe() = 0;
  // The engine's CloudWatch-named metrics, parsed; null before start.
  virtual nlohmann::json metrics() = 0;
};

// Sockets in the nodes' namespaces, from any thread: setns affects only the
// calling thread, which returns to the supervisor's namespace at once.
class NodeSockets {
 public:
  NodeSockets() = default;
  ~NodeSockets();
  NodeSockets(const NodeSockets&) = delete;
  NodeSockets& operator=(const NodeSockets&) = delete;
  // Opens /run/netns/<ns> for every node. False with a message.
  bool open(const std::vector<std::string>& node_netns, std::string* error);
  // socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC) in node `node`'s
  // namespace; -1 with errno. Aborts when the thread cannot return home.
  int socket(size_t node, int type, const std::string& owner);

 private:
  std::vector<int> netns_fds_;
  int home_fd_ = -1;
};

// The `describe()` fields both kinds share (all but nodes, listeners and target groups).
nlohmann::json describe_base(const LoadBalancerPlanBase& p, const std::string& type, const std::string& access_log);
// One entry of describe()'s "nodes".
nlohmann::json describe_node(const LoadBalancerPlanBase& p, size_t i, const std::string& name, Ipv4Address address,
                             const std::string& availability_zone);
// The target groups of describe(): aggregated health per group.
nlohmann::json describe_target_groups(const LoadBalancerPlanBase& p,
                                      const std::vector<std::pair<std::string, std::string>>& groups,
                                      const dataplane::alb::HealthSnapshot& health);

}  // namespace vpclab::emulator
