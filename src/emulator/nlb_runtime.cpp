#include "emulator/nlb_runtime.h"

#include <sys/socket.h>

namespace vpclab::emulator {

using json = nlohmann::json;

bool NlbRuntime::start(std::string* error) {
  if (!sockets_.open(plan_.node_netns, error)) return false;
  dataplane::nlb::EngineConfig cfg = plan_.config;
  cfg.socket_for_node = [this](size_t node, int type) { return sockets_.socket(node, type, "NLB " + plan_.name); };
  return launch(std::move(cfg), "NLB", error);
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
