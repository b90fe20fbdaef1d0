// `--map TARGET=HOST:PORT` of `vpclab alb` and `vpclab nlb`: where the
// targets of a template really listen on this machine.
#pragma once
#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/alb_config.h"
#include "semantics/alb_settings.h"
#include "model/network.h"

namespace vpclab::cli {

using TargetMap = std::map<std::string, std::pair<Ipv4Address, uint16_t>>;

// nullopt with `error` naming the bad --map.
std::optional<TargetMap> parse_target_maps(const std::vector<std::string>& maps, std::string& error);

// A target found by its id, or its instance's logical id or Name tag; an
// unmapped one is an error naming the --map to add.
emulator::TargetAddressFn mapped_target_address(const model::Network& net, const TargetMap& map);

// `--health-check-interval SECONDS` of both commands: every group checked at
// that interval (below AWS's 5 s minimum is fine: fast tests; its maximum is
// AWS's), each timeout kept within it so a check ends in its slot. 0: as the
// template says, with a note where a target failing its first check (its
// backend not up yet) stays initial for a whole interval, as on AWS. False
// after the message when SECONDS is out of range (exit 2).
template <class TargetGroups>
bool apply_health_check_interval(const std::string& command, double seconds, TargetGroups& groups) {
  if (seconds == 0) {
    for (const auto& tg : groups)
      if (tg.health_check.enabled && tg.interval_ms() >= 5000)
        std::cerr << "vpclab " << command << ": " << tg.name << ": health checks every " << tg.interval_ms() / 1000
                  << " s; a target failing its first check stays initial until the next one "
                     "(--health-check-interval to check sooner)\n";
    return true;
  }
  const auto max = semantics::alb_limit(semantics::AlbNumber::kHealthCheckIntervalSeconds).max;
  if (seconds < 0.01 || seconds > static_cast<double>(max)) {
    std::cerr << "vpclab " << command << ": --health-check-interval: expected 0.01 to " << max << " seconds\n";
    return false;
  }
  auto ms = static_cast<int64_t>(seconds * 1000 + 0.5);
  for (auto& tg : groups) {
    tg.health_check_interval_ms = ms;
    tg.health_check_timeout_ms = std::min(tg.timeout_ms(), ms);
  }
  return true;
}

}  // namespace vpclab::cli
