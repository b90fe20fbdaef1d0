#include "semantics/transit_gateway.h"

#include "semantics/prefix_list.h"

namespace vpclab::semantics {

namespace {
// Among equal prefixes: static, then a prefix-list reference, then propagated
// (tgw-route-tables.html, route evaluation order).
int preference(const TransitGatewayRoute& r) {
  return r.propagated ? 0 : !r.destination ? 1 : 2;
}
}  // namespace

const TransitGatewayRoute* select_transit_gateway_route(const std::vector<TransitGatewayRoute>& routes,
                                                        Ipv4Address dst) {
  const TransitGatewayRoute* best = nullptr;
  int best_len = -1;
  for (const auto& r : routes) {
    int len = route_match_length(r.destination, r.prefix_list_cidrs, dst);
    if (len < 0) continue;
    if (!best || len > best_len || (len == best_len && preference(r) > preference(*best))) {
      best = &r;
      best_len = len;
    }
  }
  return best;
}

std::string effective_transit_gateway_association(const std::string& given, bool default_association_enabled,
                                                  const std::string& default_table) {
  if (!given.empty()) return given;
  return default_association_enabled ? default_table : std::string();
}

std::vector<TransitGatewayRoute> vpc_propagated_routes(const std::vector<Ipv4Cidr>& vpc_cidrs,
                                                       const std::string& attachment, SourceLoc loc) {
  std::vector<TransitGatewayRoute> out;
  for (const auto& c : vpc_cidrs) {
    TransitGatewayRoute r;
    r.destination = c;
    r.attachment = attachment;
    r.propagated = true;
    r.loc = loc;
    out.push_back(r);
  }
  return out;
}

std::optional<size_t> transit_gateway_entry(const std::vector<std::string>& attachment_azs,
                                            const std::string& source_az) {
  for (size_t i = 0; i < attachment_azs.size(); ++i)
    if (attachment_azs[i] == source_az) return i;
  return std::nullopt;
}

std::optional<size_t> transit_gateway_exit(const std::vector<std::string>& attachment_azs,
                                           const std::string& entry_az) {
  if (auto same = transit_gateway_entry(attachment_azs, entry_az)) return same;
  std::optional<size_t> first;
  for (size_t i = 0; i < attachment_azs.size(); ++i)
    if (!first || attachment_azs[i] < attachment_azs[*first]) first = i;
  return first;
}

}  // namespace vpclab::semantics
