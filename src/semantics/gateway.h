// VPC peering, internet gateway and NAT gateway rules (aws-vpc.md sections
// 3 and 6), as pure functions over addresses.
#pragma once
#include <optional>
#include <vector>

#include "vocab/ip.h"
#include "vocab/protocol.h"

namespace vpclab::semantics {

bool in_cidrs(const std::vector<Ipv4Cidr>& cidrs, Ipv4Address a);

// No transit over a peering: a packet may cross a peering connection only
// if, seen from each end, the far address lies in the peer VPC's CIDRs:
// leaving VPC `from` the destination must be in `to`'s CIDRs, and arriving
// in `to` the source must be in `from`'s CIDRs. So A-B-C peering does not
// connect A and C, and a VPC cannot use its peer's IGW or NAT gateway
// (Reachability Analyzer: PCX_REQUIRES_ADDRESS_IN_VPC_CIDR).
enum class PeeringCrossing { kAllowed, kDestinationOutsidePeer, kSourceOutsideVpc };
PeeringCrossing peering_crossing(const std::vector<Ipv4Cidr>& from_vpc_cidrs,
                                 const std::vector<Ipv4Cidr>& to_vpc_cidrs, Ipv4Address src, Ipv4Address dst);

// A peering between VPCs whose CIDR blocks (any block, primary or secondary)
// overlap fails (state `failed`): the first overlapping pair (requester's,
// accepter's), if any.
struct CidrOverlap {
  Ipv4Cidr requester, accepter;
};
std::optional<CidrOverlap> peering_cidr_overlap(const std::vector<Ipv4Cidr>& requester_cidrs,
                                                const std::vector<Ipv4Cidr>& accepter_cidrs);

// Internet gateway, outbound: the sender's ENI needs a public or elastic IP
// (1:1 NAT of its private IP); destinations in RFC 1918 / RFC 6598 space
// are dropped.
enum class IgwVerdict { kAllowed, kNoPublicIp, kPrivateDestination, kPrivateSource, kNoSuchPublicIp };
IgwVerdict igw_egress(bool sender_has_public_ip, Ipv4Address dst);
// Internet gateway, inbound: sources in RFC 1918 / RFC 6598 space are
// dropped; the destination must be a public IP mapped to an ENI of the VPC.
IgwVerdict igw_ingress(Ipv4Address src, bool dst_maps_to_eni);

// NAT gateway: accepts only sources inside its own VPC (not through a
// peering, VPN or Direct Connect); translates the source to its private IP
// and the source port into kNatGatewaySourcePorts.
enum class NatVerdict { kAllowed, kSourceOutsideVpc };
NatVerdict nat_gateway_accepts(const std::vector<Ipv4Cidr>& nat_vpc_cidrs, Ipv4Address src);

// NAT gateway: forwards TCP, UDP and ICMP only (AWS "NAT gateway basics");
// packets of any other IP protocol stop there. True when `p` passes.
bool nat_gateway_forwards_protocol(IpProtocol p);

}  // namespace vpclab::semantics
