// From a lab's DNS facts (plain values, no model/) to resolver views: the
// split-horizon and attribute rules of aws-vpc.md section 7 in one place.
// The emulator fills LabDnsInput from the model; tests fill it by hand.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "dataplane/dns/resolver.h"
#include "vocab/ip.h"

namespace vpclab::dataplane {

// View id of the lab's public DNS (what "the internet" resolves).
inline constexpr const char* kPublicDnsView = "public";

struct VpcDnsAttributes {
  std::string vpc;
  bool enable_dns_support = true;
  bool enable_dns_hostnames = false;
};

// An instance's Amazon-provided names. Names may be empty.
struct Ec2HostNames {
  std::string vpc;
  Ipv4Address private_ip;
  std::string private_dns_name;  // ip-10-2-1-10.ap-northeast-1.compute.internal
  std::optional<Ipv4Address> public_ip;
  std::string public_dns_name;   // ec2-203-0-113-5.ap-northeast-1.compute.amazonaws.com
};

// An active peering's DNS options: `requester_allows` means the requester
// side set AllowDnsResolutionFromRemoteVpc, so the requester's public
// hostnames resolve to private IPs when queried from the accepter VPC.
struct PeeringDnsOptions {
  std::string requester_vpc;
  std::string accepter_vpc;
  bool requester_allows = false;
  bool accepter_allows = false;
};

struct HostedZoneInput {
  DnsZone zone;
  bool is_private = false;
  std::vector<std::string> vpcs;  // associated VPCs (private zones)
};

struct LabDnsInput {
  std::vector<VpcDnsAttributes> vpcs;
  std::vector<Ec2HostNames> hosts;
  std::vector<PeeringDnsOptions> peerings;  // active ones only
  std::vector<HostedZoneInput> zones;
  // Publicly resolvable names outside any zone: ELB DNS names -> node IPs
  // (an internal ALB's name resolves publicly to private IPs).
  std::vector<std::pair<std::string, std::vector<Ipv4Address>>> public_names;
};

// One view per VPC (id = VPC id, upstream = kPublicDnsView) and the public
// view. Rules:
// - EnableDnsSupport off: the VPC's view does not answer at all.
// - Amazon-provided names and private hosted zones need both EnableDnsSupport
//   and EnableDnsHostnames on the querying VPC.
// - A public hostname resolves to the private IP from its own VPC, and from a
//   peer VPC when the instance's side of the peering allows DNS resolution
//   from the remote VPC (both VPCs with support and hostnames); to the public
//   IP everywhere else (the public view).
// - Private hostnames of other VPCs are not answered (they go to public DNS,
//   which does not know them: NXDOMAIN). UNCONFIRMED: AWS documents private
//   names as resolvable inside their own VPC only.
ResolverConfig build_lab_views(const LabDnsInput& in);

}  // namespace vpclab::dataplane
