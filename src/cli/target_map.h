// `--map TARGET=HOST:PORT` of `vpclab alb` and `vpclab nlb`: where the
// targets of a template really listen on this machine.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/alb_config.h"
#include "model/network.h"

namespace vpclab::cli {

using TargetMap = std::map<std::string, std::pair<Ipv4Address, uint16_t>>;

// nullopt with `error` naming the bad --map.
std::optional<TargetMap> parse_target_maps(const std::vector<std::string>& maps, std::string& error);

// A target found by its id, or its instance's logical id or Name tag; an
// unmapped one is an error naming the --map to add.
emulator::TargetAddressFn mapped_target_address(const model::Network& net, const TargetMap& map);

}  // namespace vpclab::cli
