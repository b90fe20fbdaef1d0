#include "semantics/gateway.h"

namespace vpclab::semantics {

bool in_cidrs(const std::vector<Ipv4Cidr>& cidrs, Ipv4Address a) {
  for (const auto& c : cidrs)
    if (c.contains(a)) return true;
  return false;
}

std::optional<CidrOverlap> peering_cidr_overlap(const std::vector<Ipv4Cidr>& requester_cidrs,
                                                const std::vector<Ipv4Cidr>& accepter_cidrs) {
  for (const auto& r : requester_cidrs)
    for (const auto& a : accepter_cidrs)
      if (r.overlaps(a)) return CidrOverlap{r, a};
  return std::nullopt;
}

PeeringCrossing peering_crossing(const std::vector<Ipv4Cidr>& from_vpc_cidrs,
                                 const std::vector<Ipv4Cidr>& to_vpc_cidrs, Ipv4Address src, Ipv4Address dst) {
  if (!in_cidrs(to_vpc_cidrs, dst)) return PeeringCrossing::kDestinationOutsidePeer;
  if (!in_cidrs(from_vpc_cidrs, src)) return PeeringCrossing::kSourceOutsideVpc;
  return PeeringCrossing::kAllowed;
}

IgwVerdict igw_egress(bool sender_has_public_ip, Ipv4Address dst) {
  if (is_private_or_shared(dst)) return IgwVerdict::kPrivateDestination;
  if (!sender_has_public_ip) return IgwVerdict::kNoPublicIp;
  return IgwVerdict::kAllowed;
}

IgwVerdict igw_ingress(Ipv4Address src, bool dst_maps_to_eni) {
  if (is_private_or_shared(src)) return IgwVerdict::kPrivateSource;
  if (!dst_maps_to_eni) return IgwVerdict::kNoSuchPublicIp;
  return IgwVerdict::kAllowed;
}

NatVerdict nat_gateway_accepts(const std::vector<Ipv4Cidr>& nat_vpc_cidrs, Ipv4Address src) {
  return in_cidrs(nat_vpc_cidrs, src) ? NatVerdict::kAllowed : NatVerdict::kSourceOutsideVpc;
}

bool nat_gateway_forwards_protocol(IpProtocol p) { return p == kTcp || p == kUdp || p == kIcmp; }

}  // namespace vpclab::semantics
