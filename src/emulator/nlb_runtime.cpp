#include "emulator/nlb_runtime.h"

#include <sys/socket.h>

namespace vpclab::emulator {

using json = nlohmann::json;

NlbRuntime::NlbRuntime(const NetworkLoadBalancerPlan& plan) : plan_(plan) {}

NlbRuntime::~NlbRuntime() { stop(); }

bool NlbRuntime::start(std::string* error) {
  if (!sockets_.open(plan_.node_netns, error)) return false;
  dataplane::nlb::EngineConfig cfg = plan_.config;
  cfg.socket_for_node = [this](size_t node, int type) { return sockets_.socket(node, type, "NLB " + plan_.name); };
  engine_ = std::make_unique<dataplane::nlb::Engine>(std::move(cfg));
  std::string e;
  if (!engine_->start(&e)) {
    *error = "NLB " + plan_.name + ": " + e;
    engine_.reset();
    return false;
  }
  thread_ = std::thread([this] { engine_->run(); });
  return true;
}

void NlbRuntime::stop() {
  if (!engine_) return;
  engine_->stop();
  if (thread_.joinable()) thread_.join();
}

std::vector<std::pair<std::string, std::string>> NlbRuntime::target_groups() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& tg : plan_.config.target_groups) out.push_back({tg.arn, tg.name});
  return out;
}

void NlbRuntime::instance_stopped(const std::string& instance_id, bool stopped) {
  if (engine_) engine_->set_target_stopped(instance_id, stopped);
}

void NlbRuntime::instance_terminated(const std::string& instance_id) {
  if (!engine_) return;
  for (const auto& tg : plan_.config.target_groups) engine_->deregister_target(tg.arn, instance_id);
}

void NlbRuntime::instance_registered(const std::string& target_group, const std::string& instance_id,
                                     Ipv4Address address, const std::string& availability_zone) {
  if (!engine_) return;
  for (const auto& tg : plan_.config.target_groups)
    if (tg.arn == target_group) engine_->register_target(tg.arn, {instance_id, address, 0, availability_zone});
}

dataplane::alb::HealthSnapshot NlbRuntime::per_node_health() {
  if (!engine_) return {};
  return engine_->target_health();
}

json NlbRuntime::metrics() {
  if (!engine_) return nullptr;
  return json::parse(engine_->metrics_json(), nullptr, false);
}

json NlbRuntime::describe() {
  json j = describe_base(plan_, "network", "");
  for (size_t i = 0; i < plan_.config.nodes.size(); ++i) {
    const auto& n = plan_.config.nodes[i];
    j["nodes"].push_back(describe_node(plan_, i, n.name, n.address, n.availability_zone));
  }
  for (const auto& l : plan_.config.listeners) j["listeners"].push_back({{"protocol", l.protocol}, {"port", l.port}});
  j["target_groups"] = describe_target_groups(plan_, target_groups(), per_node_health());
  return j;
}

}  // namespace vpclab::emulator
