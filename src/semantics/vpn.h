// Site-to-site VPN rules (aws-tgw-nlb.md section 7): what a VPN connection
// tells its virtual private gateway (static routes or BGP), how the VGW picks
// a connection, what it propagates into VPC route tables and into a TGW,
// when a connection carries traffic, and how the customer gateway picks a
// connection towards the lab (the customer's side: vpclab's choice).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vocab/ip.h"
#include "vocab/rules.h"

namespace vpclab::semantics {

// The one VPN type AWS supports, for customer gateways, virtual private
// gateways and connections.
inline bool supported_vpn_type(std::string_view type) { return type == "ipsec.1"; }

// A customer gateway's BGP ASN (CreateCustomerGateway): BgpAsn takes
// 1-2147483647 (default 65000), BgpAsnExtended 2147483648-4294967295.
inline bool valid_customer_gateway_asn(long long asn, bool extended) {
  return extended ? asn >= 2147483648LL && asn <= 4294967295LL : asn >= 1 && asn <= 2147483647LL;
}

// The routes a VPN connection gives its VGW: with StaticRoutesOnly its
// static routes (VPNConnectionRoute); with BGP the prefixes the customer
// gateway advertises (the on-premises CIDRs), and static routes are not used.
std::vector<VpnRoute> vpn_connection_routes(const std::string& connection, bool static_routes_only,
                                            const std::vector<std::pair<Ipv4Cidr, SourceLoc>>& static_routes,
                                            const std::vector<Ipv4Cidr>& bgp_prefixes, SourceLoc bgp_loc);

// The route a VGW uses for `dst`: longest prefix; for one prefix a static
// VPN route beats a BGP one, then the first listed (AWS then compares
// AS_PATH and MED, which vpclab does not model). nullptr: the VGW does not
// know the prefix and drops the packet.
const VpnRoute* select_vpn_route(const std::vector<VpnRoute>& routes, Ipv4Address dst);

// The VPC routes a VGW's route propagation adds to a route table: one
// propagated route per prefix it knows, targeting the VGW.
std::vector<Route> vgw_propagated_routes(const std::string& vgw, const std::vector<VpnRoute>& routes);

// The TGW routes a VPN attachment's propagation adds: nothing with static
// routes only (static TGW routes are needed), else the BGP-learned prefixes.
std::vector<TransitGatewayRoute> tgw_vpn_propagated_routes(bool static_routes_only,
                                                           const std::vector<Ipv4Cidr>& bgp_prefixes,
                                                           const std::string& attachment, SourceLoc loc);

// A connection carries traffic when it is available and a tunnel is UP
// (Reachability Analyzer BAD_STATE_VPN / TGW_BAD_STATE_VPN otherwise).
bool vpn_connection_forwards(const std::string& state, const std::vector<std::string>& tunnels);

// The customer's side (not AWS's rule; vpclab's choice, documented in
// docs/lab-manifest.md): the customer gateway sends a packet for `dst` over
// the connection whose AWS side advertises the longest prefix holding it
// (VGW: the VPC's CIDRs; TGW: the CIDRs of its route table), the first such
// connection on a tie. `advertised[i]`: what connection i advertises.
std::optional<size_t> customer_gateway_route(const std::vector<std::vector<Ipv4Cidr>>& advertised, Ipv4Address dst);

}  // namespace vpclab::semantics
