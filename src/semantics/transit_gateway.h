// Transit gateway rules (aws-tgw-nlb.md sections 1-3): route choice in a TGW
// route table, the association a new attachment gets, what a VPC attachment
// propagates, and the Availability Zones a packet may enter and leave by.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "vocab/ip.h"
#include "vocab/rules.h"

namespace vpclab::semantics {

// The route a TGW route table uses for `dst`: longest prefix first; for one
// prefix a static route beats a propagated one (static > prefix-list
// reference > VPC-propagated > ...), then the first listed wins. A blackhole
// is chosen like any other route (the packet is then dropped). nullptr: no
// route matches.
const TransitGatewayRoute* select_transit_gateway_route(const std::vector<TransitGatewayRoute>& routes,
                                                        Ipv4Address dst);

// The TGW route table a new attachment is associated with: the one given,
// else the TGW's association default table when DefaultRouteTableAssociation
// is enabled, else none ("" : the attachment forwards nothing).
std::string effective_transit_gateway_association(const std::string& given, bool default_association_enabled,
                                                  const std::string& default_table);

// Whether a new attachment propagates into the TGW's propagation default
// table (DefaultRouteTablePropagation enable).
inline bool propagates_by_default(bool default_propagation_enabled, const std::string& default_table) {
  return default_propagation_enabled && !default_table.empty();
}

// The routes a VPC attachment's propagation adds: one per VPC CIDR block.
std::vector<TransitGatewayRoute> vpc_propagated_routes(const std::vector<Ipv4Cidr>& vpc_cidrs,
                                                       const std::string& attachment, SourceLoc loc);

// Entry: a subnet's route to the TGW works only if the VPC attachment has a
// subnet in the sender's AZ (Reachability Analyzer TGW_ROUTE_AZ_RESTRICTION).
// The index into `attachment_azs` of the entry ENI, or nullopt.
// The Amazon-side ASN a TGW or a virtual private gateway may take: a private
// ASN, 64512-65534 or 4200000000-4294967294 (aws-tgw-nlb.md sections 1, 7).
inline bool valid_amazon_side_asn(long long asn) {
  return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000LL && asn <= 4294967294LL);
}

std::optional<size_t> transit_gateway_entry(const std::vector<std::string>& attachment_azs,
                                            const std::string& source_az);

// Exit: the destination attachment's ENI in the AZ where the packet entered
// (AZ affinity, default mode); without one there, an ENI in another AZ: the
// first in AZ-name order (which one AWS picks is UNCONFIRMED). With appliance
// mode AWS picks one per flow by hash: the same rule stands for it here
// (one flow is traced). nullopt: the attachment has no subnet.
std::optional<size_t> transit_gateway_exit(const std::vector<std::string>& attachment_azs,
                                           const std::string& entry_az);

// Only an `available` attachment carries traffic (BAD_STATE_ATTACHMENT).
inline bool transit_gateway_attachment_forwards(const std::string& state) { return state == "available"; }

}  // namespace vpclab::semantics
