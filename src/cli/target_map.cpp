#include "cli/target_map.h"

#include <cstdlib>

namespace vpclab::cli {

std::optional<TargetMap> parse_target_maps(const std::vector<std::string>& maps, std::string& error) {
  TargetMap map;
  for (const auto& m : maps) {
    size_t eq = m.find('='), colon = m.rfind(':');
    auto addr = eq != std::string::npos && colon != std::string::npos && colon > eq
                    ? Ipv4Address::parse(m.substr(eq + 1, colon - eq - 1))
                    : std::nullopt;
    int port = colon != std::string::npos ? std::atoi(m.c_str() + colon + 1) : 0;
    if (!addr || port < 1 || port > 65535) {
      error = "--map " + m + ": expected TARGET=HOST:PORT";
      return std::nullopt;
    }
    map[m.substr(0, eq)] = {*addr, static_cast<uint16_t>(port)};
  }
  return map;
}

emulator::TargetAddressFn mapped_target_address(const model::Network& net, const TargetMap& map) {
  return [&net, map](const model::TargetGroup& tg, const model::Target& t,
                     std::string& e) -> std::optional<std::pair<Ipv4Address, uint16_t>> {
    if (auto it = map.find(t.id); it != map.end()) return it->second;
    if (const model::Instance* i = net.instance(t.id)) {
      if (auto it = map.find(i->origin.logical_id); it != map.end()) return it->second;
      if (auto it = map.find(i->name); it != map.end()) return it->second;
    }
    if (const model::LoadBalancer* lb = net.load_balancer(t.id))
      if (auto it = map.find(lb->origin.logical_id); it != map.end()) return it->second;
    e = "target " + t.id + " of " + tg.name + " is not mapped: add --map " + t.id +
        "=HOST:PORT (instance logical ids and Name tags work too)";
    return std::nullopt;
  };
}

}  // namespace vpclab::cli
