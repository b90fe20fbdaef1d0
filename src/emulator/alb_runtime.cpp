#include "emulator/alb_runtime.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "emulator/netns.h"
#include "semantics/target_health.h"

namespace vpclab::emulator {

using json = nlohmann::json;

bool AlbRuntime::start(std::string* error) {
  if (!sockets_.open(plan_.node_netns, error)) return false;
  dataplane::alb::EngineConfig cfg = plan_.config;
  if (!cfg.access_log.empty() && cfg.access_log != "-" && cfg.access_log[0] != '/')
    cfg.access_log = lab_dir_ + "/" + cfg.access_log;
  cfg.socket_for_node = [this](size_t node) { return sockets_.socket(node, SOCK_STREAM, "ALB " + plan_.name); };
  return launch(std::move(cfg), "ALB", error);
}

json AlbRuntime::describe() {
  json j = describe_base(plan_, "application", plan_.config.access_log);
  for (size_t i = 0; i < plan_.config.nodes.size(); ++i) {
    const auto& n = plan_.config.nodes[i];
    j["nodes"].push_back(describe_node(plan_, i, n.name, n.address, n.availability_zone));
  }
  for (const auto& l : plan_.config.listeners) j["listeners"].push_back({{"protocol", l.protocol}, {"port", l.port}});
  j["target_groups"] = describe_target_groups(plan_, target_groups(), per_node_health());
  return j;
}

namespace {

// One TargetHealthDescription, as DescribeTargetHealth prints it.
json description(const dataplane::alb::TargetHealthSnapshot& t, const semantics::TargetHealth& h, bool with_az) {
  json target = {{"Id", t.id}, {"Port", t.port}};
  if (with_az && !t.availability_zone.empty()) target["AvailabilityZone"] = t.availability_zone;
  json th = {{"State", semantics::target_health_state_name(h.state)}};
  if (h.reason != semantics::TargetHealthReason::kNone) {
    th["Reason"] = semantics::target_health_reason_code(h.reason);
    th["Description"] = semantics::target_health_reason_description(h.reason);
  }
  return {{"Target", target}, {"HealthCheckPort", t.health_check_port}, {"TargetHealth", th}};
}

}  // namespace

json aggregate_target_health(const dataplane::alb::HealthSnapshot& per_node, const std::string& arn) {
  json out = json::array();
  const auto* g = per_node.find(arn);
  if (!g || per_node.nodes.empty()) return out;
  for (const auto& t : g->targets) {
    // AWS takes no Availability Zone for instance targets (the instance's
    // own applies) and shows none; the engine keeps it for cross-zone off.
    bool instance = t.id.rfind("i-", 0) == 0;
    out.push_back(description(t, semantics::worst_node_health(t.nodes), !instance));
  }
  return out;
}

json per_node_health_json(const dataplane::alb::HealthSnapshot& per_node, const std::string& arn) {
  json nodes = json::array();
  const auto* g = per_node.find(arn);
  if (!g) return nodes;
  for (size_t n = 0; n < per_node.nodes.size(); ++n) {
    json descs = json::array();
    for (const auto& t : g->targets) descs.push_back(description(t, t.nodes[n], true));
    nodes.push_back({{"Node", per_node.nodes[n].name},
                     {"Address", per_node.nodes[n].address.str()},
                     {"TargetHealthDescriptions", descs}});
  }
  return nodes;
}

bool first_health_checks_done(const dataplane::alb::HealthSnapshot& per_node) {
  for (const auto& g : per_node.target_groups)
    for (const auto& t : g.targets)
      if (!semantics::first_checks_done(t.nodes)) return false;
  return true;
}

bool listening_in(const std::string& netns, uint16_t port) {
  bool found = false;
  in_netns(netns, [&] {
    // /proc/thread-self/net is this thread's (now the target's) namespace.
    char want[8];
    std::snprintf(want, sizeof want, ":%04X", port);
    for (const char* file : {"/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"}) {
      std::ifstream f(file);
      std::string line;
      std::getline(f, line);  // header
      while (!found && std::getline(f, line)) {
        std::istringstream ls(line);
        std::string sl, local, remote, state;
        ls >> sl >> local >> remote >> state;
        found = state == "0A" && local.size() > 5 && local.compare(local.size() - 5, 5, want) == 0;
      }
    }
  });
  return found;
}

json alb_request(std::vector<std::unique_ptr<LoadBalancerRuntime>>& lbs, const json& req) {
  std::string op = req.value("op", "");
  if (op == "load-balancers") {
    json list = json::array();
    for (auto& a : lbs) list.push_back(a->describe());
    return {{"ok", true}, {"load_balancers", list}};
  }
  // target-health
  std::string key = req.value("target_group", "");
  std::string known;
  for (auto& a : lbs) {
    const LoadBalancerPlanBase& p = a->plan_base();
    for (const auto& [arn, name] : a->target_groups()) {
      std::string logical;
      bool match = key == arn || key == name;
      for (const auto& [lid, tg_arn] : p.target_group_logical_ids)
        if (tg_arn == arn) {
          if (logical.empty()) logical = lid;
          match = match || key == lid;
        }
      known += " " + (logical.empty() ? name : logical);
      if (!match) continue;
      dataplane::alb::HealthSnapshot per_node = a->per_node_health();
      json nodes = per_node_health_json(per_node, arn);
      return {{"ok", true},
              {"TargetGroupArn", arn},
              {"LoadBalancer", p.name},
              {"TargetHealthDescriptions", aggregate_target_health(per_node, arn)},
              {"Nodes", nodes}};
    }
  }
  return {{"ok", false},
          {"error", "no target group '" + key + "' behind a load balancer of this lab" +
                        (known.empty() ? std::string(" (none)") : " (known:" + known + ")")}};
}

}  // namespace vpclab::emulator
