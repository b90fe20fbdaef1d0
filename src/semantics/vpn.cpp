#include "semantics/vpn.h"

namespace vpclab::semantics {

std::vector<VpnRoute> vpn_connection_routes(const std::string& connection, bool static_routes_only,
                                            const std::vector<std::pair<Ipv4Cidr, SourceLoc>>& static_routes,
                                            const std::vector<Ipv4Cidr>& bgp_prefixes, SourceLoc bgp_loc) {
  std::vector<VpnRoute> out;
  if (static_routes_only) {
    for (const auto& [c, loc] : static_routes) out.push_back(VpnRoute{c, connection, true, loc});
  } else {
    for (const auto& c : bgp_prefixes) out.push_back(VpnRoute{c, connection, false, bgp_loc});
  }
  return out;
}

const VpnRoute* select_vpn_route(const std::vector<VpnRoute>& routes, Ipv4Address dst) {
  const VpnRoute* best = nullptr;
  for (const auto& r : routes) {
    if (!r.destination.contains(dst)) continue;
    if (!best || r.destination.length > best->destination.length ||
        (r.destination.length == best->destination.length && r.static_route && !best->static_route))
      best = &r;
  }
  return best;
}

std::vector<Route> vgw_propagated_routes(const std::string& vgw, const std::vector<VpnRoute>& routes) {
  std::vector<Route> out;
  for (const auto& r : routes) {
    bool dup = false;
    for (const auto& o : out) dup = dup || *o.destination == r.destination;
    if (dup) continue;
    Route x;
    x.destination = r.destination;
    x.target_kind = RouteTargetKind::kVpnGateway;
    x.target_id = vgw;
    x.propagated = true;
    x.loc = r.loc;
    out.push_back(x);
  }
  return out;
}

std::vector<TransitGatewayRoute> tgw_vpn_propagated_routes(bool static_routes_only,
                                                           const std::vector<Ipv4Cidr>& bgp_prefixes,
                                                           const std::string& attachment, SourceLoc loc) {
  std::vector<TransitGatewayRoute> out;
  if (static_routes_only) return out;
  for (const auto& c : bgp_prefixes) {
    TransitGatewayRoute r;
    r.destination = c;
    r.attachment = attachment;
    r.propagated = true;
    r.loc = loc;
    out.push_back(r);
  }
  return out;
}

bool vpn_connection_forwards(const std::string& state, const std::vector<std::string>& tunnels) {
  if (state != "available") return false;
  for (const auto& t : tunnels)
    if (t == "UP") return true;
  return false;
}

std::optional<size_t> customer_gateway_route(const std::vector<std::vector<Ipv4Cidr>>& advertised, Ipv4Address dst) {
  std::optional<size_t> best;
  int best_len = -1;
  for (size_t i = 0; i < advertised.size(); ++i)
    for (const auto& c : advertised[i])
      if (c.contains(dst) && static_cast<int>(c.length) > best_len) {
        best = i;
        best_len = c.length;
      }
  return best;
}

}  // namespace vpclab::semantics
