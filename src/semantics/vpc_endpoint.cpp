#include "semantics/vpc_endpoint.h"

#include <fmt/format.h>

#include <cstdint>
#include <regex>
#include <set>

#include "semantics/gateway.h"

namespace vpclab::semantics {

std::optional<VpcEndpointType> parse_vpc_endpoint_type(std::string_view s) {
  if (s == "Gateway") return VpcEndpointType::kGateway;
  if (s == "Interface") return VpcEndpointType::kInterface;
  if (s == "GatewayLoadBalancer") return VpcEndpointType::kGatewayLoadBalancer;
  return std::nullopt;
}

const char* vpc_endpoint_type_name(VpcEndpointType t) {
  switch (t) {
    case VpcEndpointType::kGateway: return "Gateway";
    case VpcEndpointType::kInterface: return "Interface";
    case VpcEndpointType::kGatewayLoadBalancer: return "GatewayLoadBalancer";
  }
  return "?";
}

std::optional<ServiceName> parse_service_name(std::string_view name) {
  static const std::regex kRegion("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+");
  static const std::regex kAws("(com\\.amazonaws|aws\\.sagemaker)\\.([a-z0-9-]+)\\.([a-z0-9][a-z0-9.-]*)");
  static const std::regex kVpce("com\\.amazonaws\\.vpce\\.([a-z0-9-]+)\\.(vpce-svc-[0-9a-f]+)");
  std::string n(name);
  std::smatch m;
  if (std::regex_match(n, m, kVpce)) {
    if (!std::regex_match(m[1].str(), kRegion)) return std::nullopt;
    return ServiceName{m[1], m[2], true};
  }
  if (std::regex_match(n, m, kAws)) {
    if (!std::regex_match(m[2].str(), kRegion) || m[3].str().back() == '.') return std::nullopt;
    return ServiceName{m[2], m[3], false};
  }
  return std::nullopt;
}

bool has_gateway_endpoint(const ServiceName& s) {
  return !s.endpoint_service && (s.service == "s3" || s.service == "dynamodb" || s.service == "s3express");
}

namespace {

// FNV-1a: a stable hash for stand-in ids (no dependence on std::hash).
uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

Ipv4Cidr cidr(const char* text) { return *Ipv4Cidr::parse(text); }

// The Regions whose stand-in ranges are placed by position (others by hash).
const char* const kStandInRegions[] = {
    "us-east-2",      "us-west-1",    "us-west-2",    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ap-south-1", "eu-west-1",      "eu-west-2",      "eu-west-3",
    "eu-central-1",   "eu-north-1",   "sa-east-1",    "ca-central-1",
};

}  // namespace

std::optional<ManagedPrefixList> aws_managed_prefix_list(const ServiceName& s) {
  if (!has_gateway_endpoint(s)) return std::nullopt;
  ManagedPrefixList pl;
  pl.name = "com.amazonaws." + s.region + "." + s.service;
  // us-east-1: AWS's lists as recorded in Batfish's snapshots
  // (test-vpc-endpoint-gateway/aws_configs/us-east-1/PrefixLists.json).
  if (s.region == "us-east-1" && s.service != "s3express") {
    pl.confirmed = true;
    if (s.service == "s3") {
      pl.id = "pl-63a5400a";
      pl.cidrs = {cidr("54.231.0.0/17"), cidr("52.216.0.0/15"), cidr("3.5.16.0/21"), cidr("3.5.0.0/20")};
    } else {
      pl.id = "pl-02cd2c6b";
      pl.cidrs = {cidr("52.94.0.0/22"), cidr("52.119.224.0/20")};
    }
    return pl;
  }
  // UNCONFIRMED stand-ins (see the header).
  pl.id = fmt::format("pl-{:08x}", fnv1a(pl.name));
  uint32_t place = 0;
  bool listed = false;
  for (const char* r : kStandInRegions) {
    if (s.region == r) {
      listed = true;
      break;
    }
    ++place;
  }
  if (!listed) place = 16 + fnv1a(s.region) % 48;
  uint32_t second = s.service == "s3" ? 92 : s.service == "dynamodb" ? 93 : 91;
  pl.cidrs = {Ipv4Cidr{Ipv4Address{(52u << 24) | (second << 16) | ((place * 4) << 8)}, 22}};
  return pl;
}

std::string service_public_dns_name(const ServiceName& s) { return s.service + "." + s.region + ".amazonaws.com"; }

Ipv4Address service_public_address(const std::vector<Ipv4Cidr>& prefix_list_cidrs) {
  if (prefix_list_cidrs.empty()) return Ipv4Address{};
  return Ipv4Address{prefix_list_cidrs.front().base.value + 10};
}

bool gateway_endpoint_forwards_protocol(IpProtocol p) { return p == kTcp || p == kIcmp; }

bool gateway_endpoint_accepts(const std::vector<Ipv4Cidr>& vpc_cidrs, Ipv4Address src) {
  return in_cidrs(vpc_cidrs, src);
}

std::optional<size_t> second_subnet_in_zone(const std::vector<std::string>& subnet_zones) {
  std::set<std::string> seen;
  for (size_t i = 0; i < subnet_zones.size(); ++i)
    if (!subnet_zones[i].empty() && !seen.insert(subnet_zones[i]).second) return i;
  return std::nullopt;
}

}  // namespace vpclab::semantics
