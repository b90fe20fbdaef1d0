// Auto Scaling group sizes and Availability Zone balance (auto_scaling.h).
#include "semantics/auto_scaling.h"

#include <algorithm>
#include <charconv>

namespace vpclab::semantics {

long auto_scaling_initial_capacity(std::optional<long> desired_capacity, long min_size) {
  return std::max(0L, desired_capacity.value_or(min_size));
}

namespace {

// The AZs in first-appearance order, each with its subnets in order.
std::vector<std::vector<size_t>> zones_in_order(const std::vector<std::string>& subnet_azs) {
  std::vector<std::string> names;
  std::vector<std::vector<size_t>> zones;
  for (size_t i = 0; i < subnet_azs.size(); ++i) {
    auto it = std::find(names.begin(), names.end(), subnet_azs[i]);
    if (it == names.end()) {
      names.push_back(subnet_azs[i]);
      zones.push_back({i});
    } else {
      zones[static_cast<size_t>(it - names.begin())].push_back(i);
    }
  }
  return zones;
}

}  // namespace

std::vector<size_t> auto_scaling_placement(const std::vector<std::string>& subnet_azs, size_t count) {
  std::vector<size_t> out;
  auto zones = zones_in_order(subnet_azs);
  if (zones.empty()) return out;
  std::vector<size_t> next(zones.size(), 0);  // round-robin cursor inside each AZ
  for (size_t k = 0; k < count; ++k) {
    size_t z = k % zones.size();
    out.push_back(zones[z][next[z]++ % zones[z].size()]);
  }
  return out;
}

std::optional<size_t> auto_scaling_replacement_subnet(const std::vector<std::string>& subnet_azs,
                                                      const std::vector<size_t>& running_member_subnets) {
  auto zones = zones_in_order(subnet_azs);
  if (zones.empty()) return std::nullopt;
  std::vector<size_t> per_subnet(subnet_azs.size(), 0);
  for (size_t s : running_member_subnets)
    if (s < per_subnet.size()) ++per_subnet[s];
  size_t best_zone = 0, best_count = SIZE_MAX;
  for (size_t z = 0; z < zones.size(); ++z) {
    size_t n = 0;
    for (size_t s : zones[z]) n += per_subnet[s];
    if (n < best_count) best_zone = z, best_count = n;
  }
  size_t best = zones[best_zone].front();
  for (size_t s : zones[best_zone])
    if (per_subnet[s] < per_subnet[best]) best = s;
  return best;
}

std::optional<long> launch_template_version(const std::string& requested, long default_version, long latest_version) {
  if (requested.empty() || requested == "$Default") return default_version;
  if (requested == "$Latest") return latest_version;
  long v = 0;
  auto [p, ec] = std::from_chars(requested.data(), requested.data() + requested.size(), v);
  if (ec != std::errc() || p != requested.data() + requested.size() || v < 1 || v > latest_version) return std::nullopt;
  return v;
}

}  // namespace vpclab::semantics
