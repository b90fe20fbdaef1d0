#include "semantics/hosted_zone.h"

#include <string>

namespace vpclab::semantics {

int select_private_zone(std::string_view qname, const std::vector<ZoneCandidate>& zones) {
  int best = -1;
  for (size_t i = 0; i < zones.size(); ++i) {
    if (!zones[i].associated || !dns::name_in_zone(qname, zones[i].name)) continue;
    if (best < 0 || zones[i].name.size() > zones[static_cast<size_t>(best)].name.size()) best = static_cast<int>(i);
  }
  return best;
}

namespace {
std::vector<const dns::Record*> at_name(const std::vector<dns::Record>& records, std::string_view name,
                                        std::string_view type) {
  std::vector<const dns::Record*> out;
  for (const auto& r : records)
    if (r.name == name && r.type == type) out.push_back(&r);
  if (out.empty())
    for (const auto& r : records)
      if (r.name == name && r.type == "CNAME") out.push_back(&r);
  return out;
}
bool name_exists(const std::vector<dns::Record>& records, std::string_view name) {
  for (const auto& r : records)
    if (r.name == name) return true;
  return false;
}
}  // namespace

std::vector<const dns::Record*> find_records(const std::vector<dns::Record>& records, std::string_view qname,
                                             std::string_view type) {
  auto out = at_name(records, qname, type);
  if (!out.empty() || name_exists(records, qname)) return out;
  // Wildcard: "*.<closest ancestor>".
  std::string_view rest = qname;
  while (true) {
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
    std::string wild = "*." + std::string(rest);
    if (name_exists(records, wild)) return at_name(records, wild, type);
    if (name_exists(records, rest)) break;  // an existing name stops wildcard search
  }
  return {};
}

}  // namespace vpclab::semantics
