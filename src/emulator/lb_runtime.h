// Internal to emulator/: what the supervisor sees of a running load balancer
// of either kind (AlbRuntime, NlbRuntime): start and stop, EC2 instance
// changes of its targets, health per node, describe-style JSON. And the
// sockets its engine opens inside its nodes' namespaces.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
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

// What both kinds do the same way around their engine (Engine: start, run,
// stop, target_health, metrics_json, register/deregister_target,
// set_target_stopped), given the plan and the engine's target type.
template <class Engine, class Plan, class TargetConfig>
class EngineRuntime : public LoadBalancerRuntime {
 public:
  explicit EngineRuntime(const Plan& plan) : plan_(plan) {}
  ~EngineRuntime() override { halt(); }
  EngineRuntime(const EngineRuntime&) = delete;
  EngineRuntime& operator=(const EngineRuntime&) = delete;

  void stop() override { halt(); }
  const LoadBalancerPlanBase& plan_base() const override { return plan_; }
  std::vector<std::pair<std::string, std::string>> target_groups() const override {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& tg : plan_.config.target_groups) out.push_back({tg.arn, tg.name});
    return out;
  }
  void instance_stopped(const std::string& instance_id, bool stopped) override {
    if (engine_) engine_->set_target_stopped(instance_id, stopped);
  }
  void instance_terminated(const std::string& instance_id) override {
    if (!engine_) return;
    for (const auto& tg : plan_.config.target_groups) engine_->deregister_target(tg.arn, instance_id);
  }
  // A new member is `initial` until its health checks pass.
  void instance_registered(const std::string& target_group, const std::string& instance_id, Ipv4Address address,
                           const std::string& availability_zone) override {
    if (!engine_) return;
    for (const auto& tg : plan_.config.target_groups)
      if (tg.arn == target_group) engine_->register_target(tg.arn, TargetConfig{instance_id, address, 0, availability_zone});
  }
  dataplane::alb::HealthSnapshot per_node_health() override { return engine_ ? engine_->target_health() : dataplane::alb::HealthSnapshot{}; }
  nlohmann::json metrics() override {
    return engine_ ? nlohmann::json::parse(engine_->metrics_json(), nullptr, false) : nlohmann::json();
  }

 protected:
  // Opens the nodes' namespaces, starts `cfg` (its socket_for_node set by
  // the caller from sockets_) and runs it on its own thread. False with
  // "KIND NAME: why".
  template <class Config>
  bool launch(Config cfg, const std::string& kind, std::string* error) {
    engine_ = std::make_unique<Engine>(std::move(cfg));
    std::string e;
    if (!engine_->start(&e)) {
      *error = kind + " " + plan_.name + ": " + e;
      engine_.reset();
      return false;
    }
    thread_ = std::thread([this] { engine_->run(); });
    return true;
  }
  void halt() {
    if (!engine_) return;
    engine_->stop();
    if (thread_.joinable()) thread_.join();
  }

  const Plan& plan_;
  NodeSockets sockets_;
  std::unique_ptr<Engine> engine_;
  std::thread thread_;
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
