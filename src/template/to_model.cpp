#include "template/to_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "template/intrinsics.h"
#include "vocab/protocol.h"

namespace vpclab::tmpl {

std::optional<std::string> decode_base64(std::string_view text) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;  // line breaks (MIME style); spaces are not base64
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // A dangling sextet, or leftover bits that are not zero, is not base64
  // an encoder wrote (plain text such as "echohi" would otherwise decode).
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

namespace {

// ---------------------------------------------------------------------------
// Property schemas: one table per type (and per nested structure).

enum class K { kString, kBool, kInt, kList, kStringList, kMap, kJson, kAny };

struct Prop {
  std::string_view name;
  K kind;
  bool required = false;
  const std::vector<Prop>* item = nullptr;  // schema of a map, or of each list item
};
using Schema = std::vector<Prop>;

const char* kind_text(K k) {
  switch (k) {
    case K::kString: return "a string";
    case K::kBool: return "a boolean";
    case K::kInt: return "an integer";
    case K::kList: return "a list";
    case K::kStringList: return "a list of strings";
    case K::kMap: return "a map";
    case K::kJson: return "a map or a JSON string";
    case K::kAny: return "a value";
  }
  return "?";
}

const Schema kTag = {{"Key", K::kString, true}, {"Value", K::kString, true}};
const Schema kKeyValue = {{"Key", K::kString}, {"Value", K::kString}};

const Schema kVpc = {{"CidrBlock", K::kString},
                     {"EnableDnsHostnames", K::kBool},
                     {"EnableDnsSupport", K::kBool},
                     {"InstanceTenancy", K::kString},
                     {"Ipv4IpamPoolId", K::kString},
                     {"Ipv4NetmaskLength", K::kInt},
                     {"Tags", K::kList, false, &kTag}};
const Schema kVpcCidrBlock = {{"VpcId", K::kString, true},
                              {"CidrBlock", K::kString},
                              {"AmazonProvidedIpv6CidrBlock", K::kBool},
                              {"Ipv6CidrBlock", K::kString},
                              {"Ipv4IpamPoolId", K::kString},
                              {"Ipv4NetmaskLength", K::kInt},
                              {"Ipv6IpamPoolId", K::kString},
                              {"Ipv6NetmaskLength", K::kInt},
                              {"Ipv6Pool", K::kString},
                              {"Ipv6CidrBlockNetworkBorderGroup", K::kString}};
const Schema kSubnet = {{"VpcId", K::kString, true},
                        {"CidrBlock", K::kString},
                        {"AvailabilityZone", K::kString},
                        {"AvailabilityZoneId", K::kString},
                        {"MapPublicIpOnLaunch", K::kBool},
                        {"AssignIpv6AddressOnCreation", K::kBool},
                        {"Ipv6CidrBlock", K::kString},
                        {"Ipv6Native", K::kBool},
                        {"EnableDns64", K::kBool},
                        {"EnableLniAtDeviceIndex", K::kInt},
                        {"OutpostArn", K::kString},
                        {"PrivateDnsNameOptionsOnLaunch", K::kMap},
                        {"Ipv4IpamPoolId", K::kString},
                        {"Ipv4NetmaskLength", K::kInt},
                        {"Ipv6IpamPoolId", K::kString},
                        {"Ipv6NetmaskLength", K::kInt},
                        {"Tags", K::kList, false, &kTag}};
const Schema kRouteTable = {{"VpcId", K::kString, true}, {"Tags", K::kList, false, &kTag}};
const Schema kRoute = {{"RouteTableId", K::kString, true},
                       {"DestinationCidrBlock", K::kString},
                       {"DestinationIpv6CidrBlock", K::kString},
                       {"DestinationPrefixListId", K::kString},
                       {"GatewayId", K::kString},
                       {"NatGatewayId", K::kString},
                       {"VpcPeeringConnectionId", K::kString},
                       {"NetworkInterfaceId", K::kString},
                       {"InstanceId", K::kString},
                       {"TransitGatewayId", K::kString},
                       {"VpcEndpointId", K::kString},
                       {"EgressOnlyInternetGatewayId", K::kString},
                       {"CarrierGatewayId", K::kString},
                       {"LocalGatewayId", K::kString},
                       {"CoreNetworkArn", K::kString}};
const Schema kSubnetRtbAssoc = {{"SubnetId", K::kString, true}, {"RouteTableId", K::kString, true}};
const Schema kInternetGateway = {{"Tags", K::kList, false, &kTag}};
const Schema kGatewayAttachment = {
    {"VpcId", K::kString, true}, {"InternetGatewayId", K::kString}, {"VpnGatewayId", K::kString}};
const Schema kNatGateway = {{"SubnetId", K::kString, true},
                            {"AllocationId", K::kString},
                            {"ConnectivityType", K::kString},
                            {"PrivateIpAddress", K::kString},
                            {"SecondaryAllocationIds", K::kStringList},
                            {"SecondaryPrivateIpAddresses", K::kStringList},
                            {"SecondaryPrivateIpAddressCount", K::kInt},
                            {"MaxDrainDurationSeconds", K::kInt},
                            {"Tags", K::kList, false, &kTag}};
const Schema kEip = {{"Domain", K::kString},           {"InstanceId", K::kString},
                     {"NetworkBorderGroup", K::kString}, {"PublicIpv4Pool", K::kString},
                     {"TransferAddress", K::kString},  {"Address", K::kString},
                     {"IpamPoolId", K::kString},       {"Tags", K::kList, false, &kTag}};
const Schema kEipAssociation = {{"AllocationId", K::kString},
                                {"EIP", K::kString},
                                {"InstanceId", K::kString},
                                {"NetworkInterfaceId", K::kString},
                                {"PrivateIpAddress", K::kString}};
const Schema kPeering = {{"VpcId", K::kString, true},     {"PeerVpcId", K::kString, true},
                         {"PeerOwnerId", K::kString},     {"PeerRegion", K::kString},
                         {"PeerRoleArn", K::kString},     {"Tags", K::kList, false, &kTag}};
const Schema kSgIngressItem = {{"IpProtocol", K::kString, true},
                               {"CidrIp", K::kString},
                               {"CidrIpv6", K::kString},
                               {"Description", K::kString},
                               {"FromPort", K::kInt},
                               {"ToPort", K::kInt},
                               {"SourcePrefixListId", K::kString},
                               {"SourceSecurityGroupId", K::kString},
                               {"SourceSecurityGroupName", K::kString},
                               {"SourceSecurityGroupOwnerId", K::kString}};
const Schema kSgEgressItem = {{"IpProtocol", K::kString, true},
                              {"CidrIp", K::kString},
                              {"CidrIpv6", K::kString},
                              {"Description", K::kString},
                              {"FromPort", K::kInt},
                              {"ToPort", K::kInt},
                              {"DestinationPrefixListId", K::kString},
                              {"DestinationSecurityGroupId", K::kString}};
const Schema kSecurityGroup = {{"GroupDescription", K::kString, true},
                               {"GroupName", K::kString},
                               {"VpcId", K::kString},
                               {"SecurityGroupIngress", K::kList, false, &kSgIngressItem},
                               {"SecurityGroupEgress", K::kList, false, &kSgEgressItem},
                               {"Tags", K::kList, false, &kTag}};
const Schema kSgIngress = [] {
  Schema s = kSgIngressItem;
  s.push_back({"GroupId", K::kString});
  s.push_back({"GroupName", K::kString});
  return s;
}();
const Schema kSgEgress = [] {
  Schema s = kSgEgressItem;
  s.push_back({"GroupId", K::kString, true});
  return s;
}();
const Schema kNetworkAcl = {{"VpcId", K::kString, true}, {"Tags", K::kList, false, &kTag}};
const Schema kIcmpSpec = {{"Code", K::kInt}, {"Type", K::kInt}};
const Schema kPortRange = {{"From", K::kInt}, {"To", K::kInt}};
const Schema kNetworkAclEntry = {{"NetworkAclId", K::kString, true},
                                 {"RuleNumber", K::kInt, true},
                                 {"Protocol", K::kInt, true},
                                 {"RuleAction", K::kString, true},
                                 {"CidrBlock", K::kString},
                                 {"Ipv6CidrBlock", K::kString},
                                 {"Egress", K::kBool},
                                 {"Icmp", K::kMap, false, &kIcmpSpec},
                                 {"PortRange", K::kMap, false, &kPortRange}};
const Schema kSubnetAclAssoc = {{"SubnetId", K::kString, true}, {"NetworkAclId", K::kString, true}};
const Schema kPrivateIpSpec = {{"PrivateIpAddress", K::kString, true}, {"Primary", K::kBool, true}};
const Schema kNetworkInterface = {{"SubnetId", K::kString, true},
                                  {"Description", K::kString},
                                  {"GroupSet", K::kStringList},
                                  {"PrivateIpAddress", K::kString},
                                  {"PrivateIpAddresses", K::kList, false, &kPrivateIpSpec},
                                  {"SecondaryPrivateIpAddressCount", K::kInt},
                                  {"SourceDestCheck", K::kBool},
                                  {"InterfaceType", K::kString},
                                  {"Ipv6AddressCount", K::kInt},
                                  {"Ipv6Addresses", K::kList},
                                  {"Ipv4Prefixes", K::kList},
                                  {"Ipv4PrefixCount", K::kInt},
                                  {"Ipv6Prefixes", K::kList},
                                  {"Ipv6PrefixCount", K::kInt},
                                  {"EnablePrimaryIpv6", K::kBool},
                                  {"ConnectionTrackingSpecification", K::kMap},
                                  {"Tags", K::kList, false, &kTag}};
const Schema kNetworkInterfaceAttachment = {{"InstanceId", K::kString, true},
                                            {"NetworkInterfaceId", K::kString, true},
                                            {"DeviceIndex", K::kInt, true},
                                            {"DeleteOnTermination", K::kBool},
                                            {"EnaSrdSpecification", K::kMap}};
const Schema kInstanceNic = {{"DeviceIndex", K::kInt, true},
                             {"AssociatePublicIpAddress", K::kBool},
                             {"AssociateCarrierIpAddress", K::kBool},
                             {"DeleteOnTermination", K::kBool},
                             {"Description", K::kString},
                             {"GroupSet", K::kStringList},
                             {"NetworkInterfaceId", K::kString},
                             {"PrivateIpAddress", K::kString},
                             {"PrivateIpAddresses", K::kList, false, &kPrivateIpSpec},
                             {"SecondaryPrivateIpAddressCount", K::kInt},
                             {"SubnetId", K::kString},
                             {"Ipv6AddressCount", K::kInt},
                             {"Ipv6Addresses", K::kList},
                             {"NetworkCardIndex", K::kInt},
                             {"EnaSrdSpecification", K::kMap}};
const Schema kInstance = {{"ImageId", K::kString},
                          {"InstanceType", K::kString},
                          {"KeyName", K::kString},
                          {"SubnetId", K::kString},
                          {"SecurityGroupIds", K::kStringList},
                          {"SecurityGroups", K::kStringList},
                          {"PrivateIpAddress", K::kString},
                          {"NetworkInterfaces", K::kList, false, &kInstanceNic},
                          {"UserData", K::kString},
                          {"SourceDestCheck", K::kBool},
                          {"AvailabilityZone", K::kString},
                          {"Tags", K::kList, false, &kTag},
                          {"AdditionalInfo", K::kString},
                          {"Affinity", K::kString},
                          {"BlockDeviceMappings", K::kList},
                          {"CpuOptions", K::kMap},
                          {"CreditSpecification", K::kMap},
                          {"DisableApiTermination", K::kBool},
                          {"EbsOptimized", K::kBool},
                          {"ElasticGpuSpecifications", K::kList},
                          {"ElasticInferenceAccelerators", K::kList},
                          {"EnclaveOptions", K::kMap},
                          {"HibernationOptions", K::kMap},
                          {"HostId", K::kString},
                          {"HostResourceGroupArn", K::kString},
                          {"IamInstanceProfile", K::kString},
                          {"InstanceInitiatedShutdownBehavior", K::kString},
                          {"Ipv6AddressCount", K::kInt},
                          {"Ipv6Addresses", K::kList},
                          {"KernelId", K::kString},
                          {"LaunchTemplate", K::kMap},
                          {"LicenseSpecifications", K::kList},
                          {"MetadataOptions", K::kMap},
                          {"Monitoring", K::kBool},
                          {"PlacementGroupName", K::kString},
                          {"PrivateDnsNameOptions", K::kMap},
                          {"PropagateTagsToVolumeOnCreation", K::kBool},
                          {"RamdiskId", K::kString},
                          {"SsmAssociations", K::kList},
                          {"Tenancy", K::kString},
                          {"Volumes", K::kList}};

const Schema kSubnetMapping = {{"SubnetId", K::kString, true},
                               {"AllocationId", K::kString},
                               {"PrivateIPv4Address", K::kString},
                               {"IPv6Address", K::kString},
                               {"SourceNatIpv6Prefix", K::kString}};
const Schema kLoadBalancer = {{"Name", K::kString},
                              {"Scheme", K::kString},
                              {"Type", K::kString},
                              {"Subnets", K::kStringList},
                              {"SubnetMappings", K::kList, false, &kSubnetMapping},
                              {"SecurityGroups", K::kStringList},
                              {"LoadBalancerAttributes", K::kList, false, &kKeyValue},
                              {"IpAddressType", K::kString},
                              {"CustomerOwnedIpv4Pool", K::kString},
                              {"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", K::kString},
                              {"EnablePrefixForIpv6SourceNat", K::kString},
                              {"MinimumLoadBalancerCapacity", K::kMap},
                              {"Ipv4IpamPoolId", K::kString},
                              {"Tags", K::kList, false, &kTag}};
const Schema kTgTuple = {{"TargetGroupArn", K::kString}, {"Weight", K::kInt}};
const Schema kStickiness = {{"Enabled", K::kBool}, {"DurationSeconds", K::kInt}};
const Schema kForwardConfig = {{"TargetGroups", K::kList, false, &kTgTuple},
                               {"TargetGroupStickinessConfig", K::kMap, false, &kStickiness}};
const Schema kRedirectConfig = {{"StatusCode", K::kString, true}, {"Protocol", K::kString}, {"Host", K::kString},
                                {"Port", K::kString},             {"Path", K::kString},     {"Query", K::kString}};
const Schema kFixedResponseConfig = {
    {"StatusCode", K::kString, true}, {"ContentType", K::kString}, {"MessageBody", K::kString}};
const Schema kAction = {{"Type", K::kString, true},
                        {"Order", K::kInt},
                        {"TargetGroupArn", K::kString},
                        {"ForwardConfig", K::kMap, false, &kForwardConfig},
                        {"RedirectConfig", K::kMap, false, &kRedirectConfig},
                        {"FixedResponseConfig", K::kMap, false, &kFixedResponseConfig},
                        {"AuthenticateOidcConfig", K::kMap},
                        {"AuthenticateCognitoConfig", K::kMap},
                        {"JwtValidationConfig", K::kMap}};
const Schema kValues = {{"Values", K::kStringList}};
const Schema kHeaderConfig = {{"HttpHeaderName", K::kString}, {"Values", K::kStringList}};
const Schema kQueryPair = {{"Key", K::kString}, {"Value", K::kString}};
const Schema kQueryConfig = {{"Values", K::kList, false, &kQueryPair}};
const Schema kCondition = {{"Field", K::kString},
                           {"Values", K::kStringList},
                           {"HostHeaderConfig", K::kMap, false, &kValues},
                           {"PathPatternConfig", K::kMap, false, &kValues},
                           {"HttpHeaderConfig", K::kMap, false, &kHeaderConfig},
                           {"HttpRequestMethodConfig", K::kMap, false, &kValues},
                           {"QueryStringConfig", K::kMap, false, &kQueryConfig},
                           {"SourceIpConfig", K::kMap, false, &kValues}};
const Schema kListener = {{"LoadBalancerArn", K::kString, true},
                          {"DefaultActions", K::kList, true, &kAction},
                          {"Port", K::kInt},
                          {"Protocol", K::kString},
                          {"Certificates", K::kList},
                          {"SslPolicy", K::kString},
                          {"AlpnPolicy", K::kStringList},
                          {"MutualAuthentication", K::kMap},
                          {"ListenerAttributes", K::kList, false, &kKeyValue}};
const Schema kListenerRule = {{"ListenerArn", K::kString, true},
                              {"Priority", K::kInt, true},
                              {"Actions", K::kList, true, &kAction},
                              {"Conditions", K::kList, true, &kCondition},
                              {"Transforms", K::kList}};
const Schema kMatcher = {{"HttpCode", K::kString}, {"GrpcCode", K::kString}};
const Schema kTargetDescription = {{"Id", K::kString, true}, {"Port", K::kInt}, {"AvailabilityZone", K::kString},
                                   {"QuicServerId", K::kString}};
const Schema kTargetGroup = {{"Name", K::kString},
                             {"Port", K::kInt},
                             {"Protocol", K::kString},
                             {"ProtocolVersion", K::kString},
                             {"VpcId", K::kString},
                             {"TargetType", K::kString},
                             {"IpAddressType", K::kString},
                             {"HealthCheckEnabled", K::kBool},
                             {"HealthCheckIntervalSeconds", K::kInt},
                             {"HealthCheckPath", K::kString},
                             {"HealthCheckPort", K::kString},
                             {"HealthCheckProtocol", K::kString},
                             {"HealthCheckTimeoutSeconds", K::kInt},
                             {"HealthyThresholdCount", K::kInt},
                             {"UnhealthyThresholdCount", K::kInt},
                             {"Matcher", K::kMap, false, &kMatcher},
                             {"Targets", K::kList, false, &kTargetDescription},
                             {"TargetGroupAttributes", K::kList, false, &kKeyValue},
                             {"Tags", K::kList, false, &kTag}};
const Schema kZoneVpc = {{"VPCId", K::kString, true}, {"VPCRegion", K::kString, true}};
const Schema kHostedZone = {{"Name", K::kString, true},
                            {"HostedZoneConfig", K::kMap},
                            {"HostedZoneTags", K::kList, false, &kTag},
                            {"QueryLoggingConfig", K::kMap},
                            {"VPCs", K::kList, false, &kZoneVpc},
                            {"HostedZoneFeatures", K::kMap}};
const Schema kAliasTarget = {
    {"DNSName", K::kString, true}, {"HostedZoneId", K::kString, true}, {"EvaluateTargetHealth", K::kBool}};
const Schema kRecordCommon = {{"Name", K::kString, true},
                              {"Type", K::kString, true},
                              {"HostedZoneId", K::kString},
                              {"HostedZoneName", K::kString},
                              {"AliasTarget", K::kMap, false, &kAliasTarget},
                              {"ResourceRecords", K::kStringList},
                              {"TTL", K::kInt},
                              {"SetIdentifier", K::kString},
                              {"Weight", K::kInt},
                              {"Region", K::kString},
                              {"Failover", K::kString},
                              {"GeoLocation", K::kMap},
                              {"GeoProximityLocation", K::kMap},
                              {"CidrRoutingConfig", K::kMap},
                              {"MultiValueAnswer", K::kBool},
                              {"HealthCheckId", K::kString},
                              {"Comment", K::kString}};
const Schema kRecordSetGroup = {{"HostedZoneId", K::kString},
                                {"HostedZoneName", K::kString},
                                {"Comment", K::kString},
                                {"RecordSets", K::kList, false, &kRecordCommon}};

// Types vpclab does not model but that change what can reach what; kept in
// the model so the analyzer can say a path leaves through one.
bool network_relevant(const std::string& type) {
  static const char* kPrefixes[] = {
      "AWS::EC2::TransitGateway", "AWS::EC2::VPNGateway",   "AWS::EC2::VPNConnection", "AWS::EC2::CustomerGateway",
      "AWS::EC2::VPCEndpoint",    "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::CarrierGateway",
      "AWS::EC2::LocalGateway",   "AWS::EC2::ClientVpn",    "AWS::EC2::SubnetCidrBlock", "AWS::EC2::PrefixList",
      "AWS::EC2::DHCPOptions",    "AWS::EC2::VPCDHCPOptionsAssociation", "AWS::EC2::GatewayRouteTableAssociation",
      "AWS::EC2::VPNGatewayRoutePropagation", "AWS::EC2::LaunchTemplate", "AWS::EC2::SpotFleet", "AWS::EC2::EC2Fleet",
      "AWS::NetworkFirewall::",   "AWS::ElasticLoadBalancing::", "AWS::AutoScaling::AutoScalingGroup",
      "AWS::Route53Resolver::",   "AWS::GlobalAccelerator::", "AWS::NetworkManager::", "AWS::ECS::Service",
      "AWS::RDS::DBInstance",     "AWS::RDS::DBCluster",    "AWS::Lambda::Function", "AWS::EKS::",
  };
  for (const char* p : kPrefixes)
    if (type.rfind(p, 0) == 0) return true;
  return false;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------

struct ModelSink::Impl {
  model::Network& net;
  model::AddressPlan& plan;
  FabricatingSink fallback;

  enum class Kind {
    kVpc, kVpcCidrBlock, kSubnet, kRouteTable, kRoute, kSubnetRtbAssoc, kInternetGateway, kGatewayAttachment,
    kNatGateway, kEip, kEipAssociation, kPeering, kSecurityGroup, kSgIngress, kSgEgress, kNetworkAcl,
    kNetworkAclEntry, kSubnetAclAssoc, kNetworkInterface, kNetworkInterfaceAttachment, kInstance, kLoadBalancer,
    kListener, kListenerRule, kTargetGroup, kHostedZone, kRecordSet, kRecordSetGroup, kUnmodeled,
  };
  struct Entry {
    std::string type;
    Kind kind = Kind::kUnmodeled;
    std::string id;          // Ref value ("" = let the engine fabricate one)
    size_t index = SIZE_MAX;  // into the Network vector of its kind
    std::string extra;       // kind-specific: VPC CIDR association id, rule ARN, ...
  };
  std::unordered_map<std::string, Entry> entries;  // stack + "/" + logical id
  std::unordered_map<std::string, size_t> vpc_ix, subnet_ix, rtb_ix, igw_ix, nat_ix, eip_alloc_ix, eip_ip_ix, pcx_ix,
      sg_ix, acl_ix, eni_ix, instance_ix, lb_ix, listener_ix, tg_ix, zone_ix;
  std::set<std::string> noted_types;
  std::set<std::string> unmodeled_lbs;  // ARNs of gateway load balancers
  // IPv6 blocks are carried as text (not routed): VPC id -> blocks, for GetAtt.
  std::unordered_map<std::string, std::vector<std::string>> vpc_ipv6, subnet_ipv6;

  Impl(model::Network& n, model::AddressPlan& p) : net(n), plan(p) {}

  // Per-resource context.
  struct C {
    const StackContext& stack;
    const ResolvedResource& r;
    Diagnostics& diags;
    model::Origin origin;
    const Value* prop(const char* name) const { return r.properties.get(name); }
    std::string str(const char* name) const {
      const Value* v = prop(name);
      return v && v->is_scalar() ? v->text() : std::string{};
    }
    SourceLoc loc_of(const char* name) const {
      const Value* v = prop(name);
      return v ? v->loc() : r.loc;
    }
    std::string id(std::string_view prefix) const {
      return model::make_id(prefix, {stack.account, stack.region, stack.name, r.logical_id});
    }
    void error(SourceLoc loc, const char* code, std::string msg) const { diags.error(loc, code, std::move(msg)); }
    std::string who() const { return stack.name + "." + r.logical_id; }
  };

  static std::string key(const std::string& stack, const std::string& logical) { return stack + "/" + logical; }

  // ---- value helpers ------------------------------------------------------
  static std::string text(const Value* v) { return v && v->is_scalar() ? v->text() : std::string{}; }

  static std::optional<long> to_int(const Value* v) {
    if (!v || !v->is_scalar() || v->is_bool()) return std::nullopt;
    const std::string& t = v->text();
    long out = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
    return out;
  }
  static bool to_bool(const Value* v, bool def) {
    if (!v) return def;
    if (v->is_bool()) return v->as_bool();
    std::string t = v->text();
    std::transform(t.begin(), t.end(), t.begin(), ::tolower);
    return t == "true";
  }
  static std::string name_tag(const Value* tags) {
    if (!tags || !tags->is_list()) return {};
    for (const auto& t : tags->items())
      if (text(t.get("Key")) == "Name") return text(t.get("Value"));
    return {};
  }
  static std::vector<std::string> strings(const Value* v) {
    std::vector<std::string> out;
    if (v && v->is_list())
      for (const auto& i : v->items())
        if (i.is_scalar()) out.push_back(i.text());
    return out;
  }

  std::optional<Ipv4Cidr> cidr(const C& c, const Value* v, const char* what) {
    if (!v) return std::nullopt;
    bool host_bits = false;
    auto out = Ipv4Cidr::parse(text(v), &host_bits);
    if (!out) {
      c.error(v->loc(), "E3031", fmt::format("{} '{}' is not an IPv4 CIDR block (a.b.c.d/n)", what, text(v)));
      return std::nullopt;
    }
    if (host_bits)
      c.diags.warning(v->loc(), "CIDR_HOST_BITS",
                      fmt::format("{} {} has host bits set; AWS stores it as {}", what, text(v), out->str()));
    return out;
  }
  std::optional<Ipv4Address> address(const C& c, const Value* v, const char* what) {
    if (!v) return std::nullopt;
    auto out = Ipv4Address::parse(text(v));
    if (!out) c.error(v->loc(), "E3031", fmt::format("{} '{}' is not an IPv4 address", what, text(v)));
    return out;
  }

  // ---- schema check -------------------------------------------------------
  bool kind_ok(const Value& v, K k) {
    switch (k) {
      case K::kString: return v.is_scalar();
      case K::kBool: {
        if (v.is_bool()) return true;
        if (!v.is_string()) return false;
        std::string t = v.text();
        std::transform(t.begin(), t.end(), t.begin(), ::tolower);
        return t == "true" || t == "false";
      }
      case K::kInt: return to_int(&v).has_value();
      case K::kList: return v.is_list();
      case K::kStringList:
        return v.is_list() && std::all_of(v.items().begin(), v.items().end(), [](const Value& i) { return i.is_scalar(); });
      case K::kMap: return v.is_map();
      case K::kJson: return v.is_map() || v.is_string();
      case K::kAny: return true;
    }
    return false;
  }

  void check(const C& c, const Value& map, const Schema& schema, const std::string& where, SourceLoc missing_loc) {
    if (!map.is_map()) {
      c.error(map.loc(), "E3012", fmt::format("{} should be a map, not {}", where, map.kind_name()));
      return;
    }
    for (const auto& [k, v] : map.entries()) {
      const auto& name = k.first;
      auto it = std::find_if(schema.begin(), schema.end(), [&](const Prop& p) { return p.name == name; });
      if (it == schema.end()) {
        c.error(k.second, "E3002", fmt::format("{}: unknown property '{}'", where, name));
        continue;
      }
      if (!kind_ok(v, it->kind)) {
        c.error(v.loc(), "E3012",
                fmt::format("{}: property {} should be {}, not {}", where, name, kind_text(it->kind),
                            v.is_scalar() ? fmt::format("'{}'", v.text()) : std::string(v.kind_name())));
        continue;
      }
      if (!it->item) continue;
      if (it->kind == K::kMap) check(c, v, *it->item, where + "." + name, v.loc());
      if (it->kind == K::kList)
        for (size_t i = 0; i < v.items().size(); ++i)
          check(c, v.items()[i], *it->item, fmt::format("{}.{}[{}]", where, name, i), v.items()[i].loc());
    }
    for (const auto& p : schema)
      if (p.required && !map.get(std::string(p.name)))
        c.error(missing_loc, "E3003", fmt::format("{}: required property {} is missing", where, p.name));
  }

  // ---- lookups by physical id ---------------------------------------------
  template <class T>
  T* find(std::vector<T>& v, const std::unordered_map<std::string, size_t>& ix, const std::string& id) {
    auto it = ix.find(id);
    return it == ix.end() ? nullptr : &v[it->second];
  }
  model::Vpc* vpc(const std::string& id) { return find(net.vpcs, vpc_ix, id); }
  model::Subnet* subnet(const std::string& id) { return find(net.subnets, subnet_ix, id); }
  model::SecurityGroup* sg(const std::string& id) { return find(net.security_groups, sg_ix, id); }
  model::NetworkInterface* eni(const std::string& id) { return find(net.network_interfaces, eni_ix, id); }
  model::Instance* instance(const std::string& id) { return find(net.instances, instance_ix, id); }
  model::LoadBalancer* lb(const std::string& arn) { return find(net.load_balancers, lb_ix, arn); }

  void not_modeled(const C& c, const Value* v, const char* what) {
    std::string msg = fmt::format("{} names {} '{}', which is not in the loaded stacks", c.who(), what, text(v));
    // After an earlier error the engine skips the failed resource and Refs
    // to it get a made-up id: say so quietly instead of a second error.
    if (c.diags.has_errors())
      c.diags.note(v ? v->loc() : c.r.loc, "REF_NOT_MODELED", msg + " (perhaps because of an earlier error)");
    else
      c.error(v ? v->loc() : c.r.loc, "REF_NOT_MODELED", msg);
  }

  void reg(const C& c, Kind kind, std::string id, size_t index, std::string extra = {}) {
    entries[key(c.stack.name, c.r.logical_id)] = Entry{c.r.type, kind, std::move(id), index, std::move(extra)};
  }

  // ---- EC2: VPC, subnets, routing ----------------------------------------
  void add_vpc(C& c) {
    model::Vpc v;
    v.id = c.id("vpc");
    v.origin = c.origin;
    v.name = name_tag(c.prop("Tags"));
    if (auto b = cidr(c, c.prop("CidrBlock"), "CidrBlock")) {
      v.cidrs.push_back(*b);
      v.cidr_locs.push_back(c.loc_of("CidrBlock"));
    } else if (!c.prop("CidrBlock")) {
      c.error(c.r.loc, "E3003",
              fmt::format("{}: CidrBlock is required (vpclab does not model IPAM pools)", c.who()));
    }
    v.enable_dns_support = to_bool(c.prop("EnableDnsSupport"), true);
    v.enable_dns_hostnames = to_bool(c.prop("EnableDnsHostnames"), false);
    // The same ids finalize() would give; known now for GetAtt.
    v.main_route_table = model::make_id("rtb", {v.id, "main"});
    v.default_security_group = model::make_id("sg", {v.id, "default"});
    v.default_network_acl = model::make_id("acl", {v.id, "default"});
    vpc_ix[v.id] = net.vpcs.size();
    reg(c, Kind::kVpc, v.id, net.vpcs.size(), model::make_id("vpc-cidr-assoc", {v.id, "0"}));
    net.vpcs.push_back(std::move(v));
  }

  void add_vpc_cidr_block(C& c) {
    model::Vpc* v = vpc(c.str("VpcId"));
    std::string assoc = c.id("vpc-cidr-assoc");
    reg(c, Kind::kVpcCidrBlock, assoc, SIZE_MAX);
    if (!v) return not_modeled(c, c.prop("VpcId"), "VPC");
    if (!c.prop("CidrBlock")) {
      if (c.prop("Ipv6CidrBlock")) {
        vpc_ipv6[v->id].push_back(c.str("Ipv6CidrBlock"));
        return;
      }
      if (c.prop("AmazonProvidedIpv6CidrBlock") || c.prop("Ipv6IpamPoolId") || c.prop("Ipv6Pool")) {
        // Amazon gives a /56 from its pool; vpclab a deterministic one in 2600:1f00::/24 style.
        std::string h = model::make_hex(6, {v->id, "ipv6", std::to_string(vpc_ipv6[v->id].size())});
        vpc_ipv6[v->id].push_back(fmt::format("2600:1f{}:{}:{}00::/56", h.substr(0, 2), h.substr(2, 4), h.substr(0, 2)));
        return;
      }
      c.error(c.r.loc, "E3003", fmt::format("{}: CidrBlock is required (vpclab does not model IPAM pools)", c.who()));
      return;
    }
    if (auto b = cidr(c, c.prop("CidrBlock"), "CidrBlock")) {
      v->cidrs.push_back(*b);
      v->cidr_locs.push_back(c.loc_of("CidrBlock"));
    }
  }

  void add_subnet(C& c) {
    model::Subnet s;
    s.id = c.id("subnet");
    s.origin = c.origin;
    s.name = name_tag(c.prop("Tags"));
    s.vpc = c.str("VpcId");
    if (auto b = cidr(c, c.prop("CidrBlock"), "CidrBlock")) s.cidr = *b;
    else if (!c.prop("CidrBlock"))
      c.error(c.r.loc, "E3003", fmt::format("{}: CidrBlock is required (vpclab does not model IPAM pools)", c.who()));
    s.cidr_loc = c.loc_of("CidrBlock");
    s.availability_zone = c.str("AvailabilityZone");
    if (s.availability_zone.empty()) {
      // AvailabilityZoneId "apne1-az4" -> a zone name; the name<->id mapping
      // differs per account in AWS, vpclab maps az1->a, az2->b, ...
      std::string az_id = c.str("AvailabilityZoneId");
      auto p = az_id.rfind("-az");
      char letter = 'a';
      if (p != std::string::npos && p + 3 < az_id.size() && std::isdigit(static_cast<unsigned char>(az_id[p + 3])))
        letter = static_cast<char>('a' + (az_id[p + 3] - '1'));
      s.availability_zone = c.stack.region + letter;
    }
    s.map_public_ip_on_launch = to_bool(c.prop("MapPublicIpOnLaunch"), false);
    if (c.prop("Ipv6CidrBlock")) subnet_ipv6[s.id].push_back(c.str("Ipv6CidrBlock"));
    subnet_ix[s.id] = net.subnets.size();
    reg(c, Kind::kSubnet, s.id, net.subnets.size());
    net.subnets.push_back(std::move(s));
  }

  void add_route_table(C& c) {
    model::RouteTable t;
    t.id = c.id("rtb");
    t.origin = c.origin;
    t.name = name_tag(c.prop("Tags"));
    t.vpc = c.str("VpcId");
    rtb_ix[t.id] = net.route_tables.size();
    reg(c, Kind::kRouteTable, t.id, net.route_tables.size());
    net.route_tables.push_back(std::move(t));
  }

  void add_route(C& c) {
    reg(c, Kind::kRoute, "", SIZE_MAX, c.str("DestinationCidrBlock"));
    model::RouteTable* t = find(net.route_tables, rtb_ix, c.str("RouteTableId"));
    if (!t) return not_modeled(c, c.prop("RouteTableId"), "route table");
    Route route;
    route.loc = c.r.loc;
    int dests = 0;
    if (const Value* d = c.prop("DestinationCidrBlock")) {
      ++dests;
      route.destination = cidr(c, d, "DestinationCidrBlock");
      if (!route.destination) return;
    }
    if (c.prop("DestinationIpv6CidrBlock")) ++dests, route.destination_ipv6 = c.str("DestinationIpv6CidrBlock");
    if (c.prop("DestinationPrefixListId")) ++dests, route.destination_prefix_list = c.str("DestinationPrefixListId");
    if (dests != 1) {
      c.error(c.r.loc, "E3014",
              fmt::format("{}: a route needs exactly one of DestinationCidrBlock, DestinationIpv6CidrBlock, "
                          "DestinationPrefixListId ({} given)",
                          c.who(), dests));
      return;
    }
    static const std::pair<const char*, RouteTargetKind> kTargets[] = {
        {"GatewayId", RouteTargetKind::kInternetGateway},
        {"NatGatewayId", RouteTargetKind::kNatGateway},
        {"VpcPeeringConnectionId", RouteTargetKind::kVpcPeeringConnection},
        {"NetworkInterfaceId", RouteTargetKind::kNetworkInterface},
        {"InstanceId", RouteTargetKind::kInstance},
        {"TransitGatewayId", RouteTargetKind::kTransitGateway},
        {"VpcEndpointId", RouteTargetKind::kVpcEndpoint},
        {"EgressOnlyInternetGatewayId", RouteTargetKind::kEgressOnlyInternetGateway},
        {"CarrierGatewayId", RouteTargetKind::kCarrierGateway},
        {"LocalGatewayId", RouteTargetKind::kLocalGateway},
        {"CoreNetworkArn", RouteTargetKind::kCoreNetwork},
    };
    int targets = 0;
    for (const auto& [name, kind] : kTargets)
      if (c.prop(name)) {
        ++targets;
        route.target_kind = kind;
        route.target_id = c.str(name);
      }
    if (targets != 1) {
      c.error(c.r.loc, "E3014",
              fmt::format("{}: a route needs exactly one target (GatewayId, NatGatewayId, VpcPeeringConnectionId, "
                          "NetworkInterfaceId, InstanceId, TransitGatewayId, ...); {} given",
                          c.who(), targets));
      return;
    }
    if (route.target_kind == RouteTargetKind::kInternetGateway && route.target_id.rfind("vgw-", 0) == 0)
      route.target_kind = RouteTargetKind::kVpnGateway;
    t->routes.push_back(std::move(route));
  }

  void add_subnet_rtb_assoc(C& c) {
    reg(c, Kind::kSubnetRtbAssoc, c.id("rtbassoc"), SIZE_MAX);
    model::Subnet* s = subnet(c.str("SubnetId"));
    if (!s) return not_modeled(c, c.prop("SubnetId"), "subnet");
    if (s->route_table_explicit) {
      c.error(c.r.loc, "SUBNET_RTB_ASSOCIATED",
              fmt::format("{}: subnet {} is already associated with route table {}; a subnet has one route table",
                          c.who(), s->origin.display(s->id), s->route_table));
      return;
    }
    s->route_table = c.str("RouteTableId");
    s->route_table_explicit = true;
  }

  void add_internet_gateway(C& c) {
    model::InternetGateway g;
    g.id = c.id("igw");
    g.origin = c.origin;
    igw_ix[g.id] = net.internet_gateways.size();
    reg(c, Kind::kInternetGateway, g.id, net.internet_gateways.size());
    net.internet_gateways.push_back(std::move(g));
  }

  void add_gateway_attachment(C& c) {
    reg(c, Kind::kGatewayAttachment, "", SIZE_MAX);
    bool igw = c.prop("InternetGatewayId") != nullptr, vgw = c.prop("VpnGatewayId") != nullptr;
    if (igw == vgw) {
      c.error(c.r.loc, "E3014", fmt::format("{}: give exactly one of InternetGatewayId, VpnGatewayId", c.who()));
      return;
    }
    if (vgw) return;  // VPN gateways are not modeled; the route targets stay unmodeled
    model::InternetGateway* g = find(net.internet_gateways, igw_ix, c.str("InternetGatewayId"));
    if (!g) return not_modeled(c, c.prop("InternetGatewayId"), "internet gateway");
    if (!g->vpc.empty()) {
      c.error(c.r.loc, "IGW_VPC_HAS_GATEWAY",
              fmt::format("{}: internet gateway {} is already attached to {}", c.who(), g->origin.display(g->id), g->vpc));
      return;
    }
    g->vpc = c.str("VpcId");
  }

  void add_eip(C& c) {
    model::ElasticIp e;
    e.allocation_id = c.id("eipalloc");
    e.origin = c.origin;
    if (auto a = plan.allocate_public()) e.public_ip = *a;
    if (const Value* i = c.prop("InstanceId")) {
      model::Instance* inst = instance(text(i));
      if (!inst) not_modeled(c, i, "instance");
      else if (!inst->network_interfaces.empty()) e.network_interface = inst->network_interfaces.front();
    }
    eip_alloc_ix[e.allocation_id] = net.elastic_ips.size();
    eip_ip_ix[e.public_ip.str()] = net.elastic_ips.size();
    // Ref of an EIP is its address (AWS).
    reg(c, Kind::kEip, e.public_ip.str(), net.elastic_ips.size());
    net.elastic_ips.push_back(std::move(e));
  }

  void add_eip_association(C& c) {
    reg(c, Kind::kEipAssociation, c.id("eipassoc"), SIZE_MAX);
    model::ElasticIp* e = nullptr;
    if (c.prop("AllocationId")) e = find(net.elastic_ips, eip_alloc_ix, c.str("AllocationId"));
    else if (c.prop("EIP")) e = find(net.elastic_ips, eip_ip_ix, c.str("EIP"));
    else
      return c.error(c.r.loc, "E3014", fmt::format("{}: give AllocationId (or EIP)", c.who()));
    if (!e) return not_modeled(c, c.prop("AllocationId") ? c.prop("AllocationId") : c.prop("EIP"), "Elastic IP");
    if (c.prop("NetworkInterfaceId")) {
      model::NetworkInterface* n = eni(c.str("NetworkInterfaceId"));
      if (!n) return not_modeled(c, c.prop("NetworkInterfaceId"), "network interface");
      e->network_interface = n->id;
    } else if (c.prop("InstanceId")) {
      model::Instance* i = instance(c.str("InstanceId"));
      if (!i) return not_modeled(c, c.prop("InstanceId"), "instance");
      if (!i->network_interfaces.empty()) e->network_interface = i->network_interfaces.front();
    } else {
      c.error(c.r.loc, "E3014", fmt::format("{}: give InstanceId or NetworkInterfaceId", c.who()));
    }
  }

  void add_nat_gateway(C& c) {
    model::NatGateway n;
    n.id = c.id("nat");
    n.origin = c.origin;
    n.subnet = c.str("SubnetId");
    std::string type = c.str("ConnectivityType");
    if (!type.empty() && type != "public" && type != "private")
      c.error(c.loc_of("ConnectivityType"), "E3031", "ConnectivityType must be public or private");
    n.is_public = type != "private";
    if (auto a = address(c, c.prop("PrivateIpAddress"), "PrivateIpAddress")) n.private_ip = *a;
    // Its interface now, so an Elastic IP association and addresses are known.
    model::NetworkInterface e;
    e.id = model::make_id("eni", {n.id});
    e.origin = c.origin;
    e.subnet = n.subnet;
    e.private_ip = n.private_ip;
    e.owner_kind = model::EniOwnerKind::kNatGateway;
    e.owner_id = n.id;
    e.source_dest_check = false;
    if (model::Subnet* s = subnet(n.subnet)) {
      e.vpc = s->vpc;
      if (e.private_ip.value) plan.reserve(*s, e.private_ip);
    }
    if (const Value* alloc = c.prop("AllocationId")) {
      model::ElasticIp* eip = find(net.elastic_ips, eip_alloc_ix, text(alloc));
      if (!eip) not_modeled(c, alloc, "Elastic IP allocation");
      else {
        eip->network_interface = e.id;
        e.public_ip = eip->public_ip;
        n.public_ip = eip->public_ip;
      }
    }
    n.network_interface = e.id;
    eni_ix[e.id] = net.network_interfaces.size();
    net.network_interfaces.push_back(std::move(e));
    nat_ix[n.id] = net.nat_gateways.size();
    reg(c, Kind::kNatGateway, n.id, net.nat_gateways.size());
    net.nat_gateways.push_back(std::move(n));
  }

  void add_peering(C& c) {
    model::VpcPeeringConnection p;
    p.id = c.id("pcx");
    p.origin = c.origin;
    p.requester.vpc = c.str("VpcId");
    p.requester.account = c.stack.account;
    p.requester.region = c.stack.region;
    p.accepter.vpc = c.str("PeerVpcId");
    p.accepter.account = c.prop("PeerOwnerId") ? c.str("PeerOwnerId") : c.stack.account;
    p.accepter.region = c.prop("PeerRegion") ? c.str("PeerRegion") : c.stack.region;
    // PeerRoleArn: a role in the accepter account CloudFormation assumes to accept.
    p.accepted = c.prop("PeerRoleArn") != nullptr;
    pcx_ix[p.id] = net.peerings.size();
    reg(c, Kind::kPeering, p.id, net.peerings.size());
    net.peerings.push_back(std::move(p));
  }

  // ---- security groups and NACLs -------------------------------------------
  std::optional<SecurityGroupRule> sg_rule(const C& c, const Value& m, Direction dir, const std::string& own_vpc) {
    SecurityGroupRule rule;
    rule.direction = dir;
    rule.loc = m.loc();
    const Value* proto = m.get("IpProtocol");
    if (!proto) return std::nullopt;  // E3003 reported by the schema check
    auto p = parse_protocol(text(proto));
    if (!p) {
      c.error(proto->loc(), "E3031", fmt::format("IpProtocol '{}' is not tcp, udp, icmp, icmpv6, -1 or 0-255", text(proto)));
      return std::nullopt;
    }
    rule.protocol = *p;
    auto from = to_int(m.get("FromPort")), to = to_int(m.get("ToPort"));
    if (protocol_has_ports(*p)) {
      if (!from || !to) {
        c.error(m.loc(), "E3003", fmt::format("{}: a {} rule needs FromPort and ToPort", c.who(), protocol_name(*p)));
        return std::nullopt;
      }
      if (*from == -1 && *to == -1) {
        rule.ports = PortRange::all();
      } else if (*from < 0 || *from > 65535 || *to < 0 || *to > 65535) {
        c.error(m.loc(), "E3031", fmt::format("{}: ports {}-{} are outside 0-65535", c.who(), *from, *to));
        return std::nullopt;
      } else {
        rule.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
      }
    } else if (*p == kIcmp || *p == kIcmpv6) {
      rule.icmp_type = from ? static_cast<int>(*from) : -1;
      rule.icmp_code = to ? static_cast<int>(*to) : -1;
    }
    const bool in = dir == Direction::kIngress;
    int peers = 0;
    if (const Value* v = m.get("CidrIp")) {
      ++peers;
      rule.cidr = cidr(c, v, "CidrIp");
      if (!rule.cidr) return std::nullopt;
    }
    if (const Value* v = m.get("CidrIpv6")) ++peers, rule.cidr_ipv6 = text(v);
    if (const Value* v = m.get(in ? "SourceSecurityGroupId" : "DestinationSecurityGroupId")) ++peers, rule.group_id = text(v);
    if (const Value* v = m.get(in ? "SourcePrefixListId" : "DestinationPrefixListId")) ++peers, rule.prefix_list_id = text(v);
    if (const Value* v = in ? m.get("SourceSecurityGroupName") : nullptr) {
      ++peers;
      for (const auto& g : net.security_groups)
        if (g.group_name == text(v) && (own_vpc.empty() || g.vpc == own_vpc)) rule.group_id = g.id;
      if (rule.group_id.empty()) {
        // Often the group of something unmodeled (a Classic ELB's source group).
        c.diags.warning(v->loc(), "SG_UNKNOWN_REFERENCE",
                        fmt::format("{}: no security group named '{}' in the loaded stacks; rule ignored", c.who(),
                                    text(v)));
        return std::nullopt;
      }
    }
    if (peers != 1) {
      c.error(m.loc(), "E3014",
              fmt::format("{}: a rule needs exactly one of CidrIp, CidrIpv6, {}SecurityGroupId, {}PrefixListId ({} given)",
                          c.who(), in ? "Source" : "Destination", in ? "Source" : "Destination", peers));
      return std::nullopt;
    }
    if (in) rule.group_owner = text(m.get("SourceSecurityGroupOwnerId"));
    rule.description = text(m.get("Description"));
    return rule;
  }

  // ---- the default VPC --------------------------------------------------------
  // Resources without VpcId/SubnetId go to the account's default VPC in that
  // region. It is built the way AWS builds it: 172.31.0.0/16, DNS support and
  // hostnames on, an attached internet gateway, the main route table sending
  // 0.0.0.0/0 to it, and one public /20 default subnet per Availability Zone.
  std::map<std::string, std::string> default_vpcs;  // account/region -> vpc id

  std::string default_vpc(const C& c) {
    auto [it, fresh] = default_vpcs.try_emplace(c.stack.account + "/" + c.stack.region);
    if (!fresh) return it->second;
    model::Origin o{c.stack.account, c.stack.region, "", "", c.r.loc};
    model::Vpc v;
    v.id = model::make_id("vpc", {c.stack.account, c.stack.region, "default-vpc"});
    v.origin = o;
    v.name = "default";
    v.cidrs.push_back(*Ipv4Cidr::parse("172.31.0.0/16"));
    v.cidr_locs.push_back(o.loc);
    v.enable_dns_hostnames = true;
    v.main_route_table = model::make_id("rtb", {v.id, "main"});
    v.default_security_group = model::make_id("sg", {v.id, "default"});
    v.default_network_acl = model::make_id("acl", {v.id, "default"});
    model::InternetGateway g;
    g.id = model::make_id("igw", {v.id});
    g.origin = o;
    g.vpc = v.id;
    model::RouteTable main;
    main.id = v.main_route_table;
    main.origin = o;
    main.vpc = v.id;
    main.main = true;
    Route r;
    r.destination = Ipv4Cidr{};
    r.target_kind = RouteTargetKind::kInternetGateway;
    r.target_id = g.id;
    r.loc = o.loc;
    main.routes.push_back(r);
    auto zones = availability_zones(c.stack.region);
    for (size_t i = 0; i < zones.size(); ++i) {
      model::Subnet s;
      s.id = model::make_id("subnet", {v.id, zones[i]});
      s.origin = o;
      s.name = "default " + zones[i];
      s.vpc = v.id;
      s.cidr = Ipv4Cidr::of(Ipv4Address{v.cidrs[0].base.value + static_cast<uint32_t>(i << 12)}, 20);
      s.availability_zone = zones[i];
      s.map_public_ip_on_launch = true;
      subnet_ix[s.id] = net.subnets.size();
      net.subnets.push_back(std::move(s));
    }
    igw_ix[g.id] = net.internet_gateways.size();
    net.internet_gateways.push_back(std::move(g));
    rtb_ix[main.id] = net.route_tables.size();
    net.route_tables.push_back(std::move(main));
    vpc_ix[v.id] = net.vpcs.size();
    it->second = v.id;
    c.diags.note(c.r.loc, "DEFAULT_VPC",
                 fmt::format("{} has no VPC or subnet: it goes to the default VPC of {} {} (172.31.0.0/16), "
                             "which vpclab models as AWS creates it",
                             c.who(), c.stack.account, c.stack.region));
    net.vpcs.push_back(std::move(v));
    return it->second;
  }

  // The default subnet of `az` (or of the first zone) in the default VPC.
  std::string default_subnet(const C& c, const std::string& az) {
    std::string vpc_id = default_vpc(c);
    std::string first;
    for (const auto& s : net.subnets) {
      if (s.vpc != vpc_id) continue;
      if (first.empty()) first = s.id;
      if (s.availability_zone == az) return s.id;
    }
    return first;
  }

  model::SecurityGroup* sg_by_name(const std::string& name) {
    for (auto& g : net.security_groups)
      if (g.group_name == name) return &g;
    return nullptr;
  }

  void add_security_group(C& c) {
    model::SecurityGroup g;
    g.id = c.id("sg");
    g.origin = c.origin;
    g.vpc = c.str("VpcId");
    // CloudFormation names unnamed groups STACK-LOGICALID-RANDOM.
    g.group_name = c.prop("GroupName") ? c.str("GroupName")
                                      : fmt::format("{}-{}-{}", c.stack.name, c.r.logical_id,
                                                    upper(model::make_hex(12, {c.stack.account, c.stack.name, c.r.logical_id})));
    if (g.vpc.empty()) g.vpc = default_vpc(c);
    if (const Value* in = c.prop("SecurityGroupIngress"); in && in->is_list())
      for (const auto& item : in->items())
        if (item.is_map())
          if (auto rule = sg_rule(c, item, Direction::kIngress, g.vpc)) g.ingress.push_back(*rule);
    if (const Value* out = c.prop("SecurityGroupEgress"); out && out->is_list()) {
      for (const auto& item : out->items())
        if (item.is_map())
          if (auto rule = sg_rule(c, item, Direction::kEgress, g.vpc)) g.egress.push_back(*rule);
    } else {
      // No SecurityGroupEgress: AWS's default outbound rule, allow all.
      SecurityGroupRule all;
      all.direction = Direction::kEgress;
      all.cidr = Ipv4Cidr{};
      all.loc = c.r.loc;
      g.egress.push_back(all);
    }
    sg_ix[g.id] = net.security_groups.size();
    reg(c, Kind::kSecurityGroup, g.id, net.security_groups.size());
    net.security_groups.push_back(std::move(g));
  }

  void add_sg_rule_resource(C& c, Direction dir) {
    reg(c, dir == Direction::kIngress ? Kind::kSgIngress : Kind::kSgEgress, c.id("sgr"), SIZE_MAX);
    model::SecurityGroup* g = nullptr;
    if (c.prop("GroupId")) {
      g = sg(c.str("GroupId"));
      if (!g) return not_modeled(c, c.prop("GroupId"), "security group");
    } else if (c.prop("GroupName")) {
      g = sg_by_name(c.str("GroupName"));
      if (!g) return not_modeled(c, c.prop("GroupName"), "security group");
    } else {
      return c.error(c.r.loc, "E3003", fmt::format("{}: GroupId is required", c.who()));
    }
    auto rule = sg_rule(c, c.r.properties, dir, g->vpc);
    if (!rule) return;
    rule->loc = c.r.loc;
    // A standalone egress rule adds to what the group has: AWS's default
    // allow-all outbound rule stays (only SecurityGroupEgress on the group
    // itself replaces it).
    (dir == Direction::kEgress ? g->egress : g->ingress).push_back(*rule);
  }

  void add_network_acl(C& c) {
    model::NetworkAcl a;
    a.id = c.id("acl");
    a.origin = c.origin;
    a.vpc = c.str("VpcId");
    acl_ix[a.id] = net.network_acls.size();
    reg(c, Kind::kNetworkAcl, a.id, net.network_acls.size());
    net.network_acls.push_back(std::move(a));
  }

  void add_network_acl_entry(C& c) {
    reg(c, Kind::kNetworkAclEntry, c.id("aclentry"), SIZE_MAX);
    model::NetworkAcl* a = find(net.network_acls, acl_ix, c.str("NetworkAclId"));
    if (!a) return not_modeled(c, c.prop("NetworkAclId"), "network ACL");
    NetworkAclEntry e;
    e.loc = c.r.loc;
    auto num = to_int(c.prop("RuleNumber"));
    if (!num) return;
    e.rule_number = static_cast<int>(*num);
    e.direction = to_bool(c.prop("Egress"), false) ? Direction::kEgress : Direction::kIngress;
    std::string action = c.str("RuleAction");
    std::transform(action.begin(), action.end(), action.begin(), ::tolower);
    if (action != "allow" && action != "deny")
      return c.error(c.loc_of("RuleAction"), "E3031", fmt::format("RuleAction '{}' must be allow or deny", c.str("RuleAction")));
    e.allow = action == "allow";
    auto p = parse_protocol(c.str("Protocol"));
    if (!p) return c.error(c.loc_of("Protocol"), "E3031", fmt::format("Protocol '{}' is not -1 or 0-255", c.str("Protocol")));
    e.protocol = *p;
    int peers = 0;
    if (const Value* v = c.prop("CidrBlock")) {
      ++peers;
      e.cidr = cidr(c, v, "CidrBlock");
      if (!e.cidr) return;
    }
    if (c.prop("Ipv6CidrBlock")) ++peers, e.cidr_ipv6 = c.str("Ipv6CidrBlock");
    if (peers != 1) return c.error(c.r.loc, "E3014", fmt::format("{}: give exactly one of CidrBlock, Ipv6CidrBlock", c.who()));
    if (protocol_has_ports(e.protocol)) {
      const Value* range = c.prop("PortRange");
      auto from = to_int(range ? range->get("From") : nullptr), to = to_int(range ? range->get("To") : nullptr);
      if (!from || !to)
        return c.error(c.r.loc, "E3003", fmt::format("{}: a {} entry needs PortRange From and To", c.who(), protocol_name(e.protocol)));
      if (*from < 0 || *from > 65535 || *to < 0 || *to > 65535)
        return c.error(range->loc(), "E3031", fmt::format("{}: ports {}-{} are outside 0-65535", c.who(), *from, *to));
      e.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
    } else if (e.protocol == kIcmp || e.protocol == kIcmpv6) {
      const Value* icmp = c.prop("Icmp");
      e.icmp_type = static_cast<int>(to_int(icmp ? icmp->get("Type") : nullptr).value_or(-1));
      e.icmp_code = static_cast<int>(to_int(icmp ? icmp->get("Code") : nullptr).value_or(-1));
    }
    (e.direction == Direction::kIngress ? a->ingress : a->egress).push_back(e);
  }

  void add_subnet_acl_assoc(C& c) {
    reg(c, Kind::kSubnetAclAssoc, c.id("aclassoc"), SIZE_MAX);
    model::Subnet* s = subnet(c.str("SubnetId"));
    if (!s) return not_modeled(c, c.prop("SubnetId"), "subnet");
    if (!s->network_acl.empty()) {
      c.error(c.r.loc, "SUBNET_NACL_ASSOCIATED",
              fmt::format("{}: subnet {} is already associated with network ACL {}", c.who(), s->origin.display(s->id),
                          s->network_acl));
      return;
    }
    s->network_acl = c.str("NetworkAclId");
  }

  // ---- interfaces and instances -------------------------------------------
  // Reads PrivateIpAddress / PrivateIpAddresses of an interface spec.
  void interface_addresses(const C& c, const Value& spec, model::NetworkInterface& e) {
    if (auto a = address(c, spec.get("PrivateIpAddress"), "PrivateIpAddress")) e.private_ip = *a;
    if (const Value* list = spec.get("PrivateIpAddresses"); list && list->is_list()) {
      int primaries = 0;
      for (const auto& item : list->items()) {
        auto a = address(c, item.get("PrivateIpAddress"), "PrivateIpAddress");
        if (!a) continue;
        if (to_bool(item.get("Primary"), false)) {
          ++primaries;
          if (e.private_ip.value && e.private_ip != *a)
            c.error(item.loc(), "E3014", "the primary address differs from PrivateIpAddress");
          e.private_ip = *a;
        } else {
          e.secondary_private_ips.push_back(*a);
        }
      }
      if (primaries > 1) c.error(list->loc(), "E3014", "only one address may be Primary");
    }
    // Explicit addresses are reserved the moment they are seen, so automatic
    // allocations (done at finalize, or earlier when a GetAtt asks) avoid
    // them. An automatic address handed out for a GetAtt before a later
    // resource asks for the same explicit address makes that resource fail
    // with ENI_ADDRESS_IN_USE, as its creation would in AWS.
    if (model::Subnet* s = subnet(e.subnet)) {
      if (e.private_ip.value) plan.reserve(*s, e.private_ip);
      for (auto a : e.secondary_private_ips) plan.reserve(*s, a);
    }
  }

  std::vector<std::string> group_ids(const Value* v, const std::string& vpc) {
    std::vector<std::string> out;
    for (const auto& s : strings(v)) {
      if (s.rfind("sg-", 0) == 0) {
        out.push_back(s);
        continue;
      }
      // A group name (SecurityGroups): look it up in the instance's VPC.
      std::string id;
      for (const auto& g : net.security_groups)
        if (g.group_name == s && (vpc.empty() || g.vpc == vpc)) id = g.id;
      out.push_back(id.empty() ? s : id);
    }
    return out;
  }

  void add_network_interface(C& c) {
    model::NetworkInterface e;
    e.id = c.id("eni");
    e.origin = c.origin;
    e.subnet = c.str("SubnetId");
    if (model::Subnet* s = subnet(e.subnet)) e.vpc = s->vpc;
    e.security_groups = group_ids(c.prop("GroupSet"), e.vpc);
    e.source_dest_check = to_bool(c.prop("SourceDestCheck"), true);
    interface_addresses(c, c.r.properties, e);
    eni_ix[e.id] = net.network_interfaces.size();
    reg(c, Kind::kNetworkInterface, e.id, net.network_interfaces.size());
    net.network_interfaces.push_back(std::move(e));
  }

  void add_network_interface_attachment(C& c) {
    reg(c, Kind::kNetworkInterfaceAttachment, c.id("eni-attach"), SIZE_MAX);
    model::Instance* i = instance(c.str("InstanceId"));
    if (!i) return not_modeled(c, c.prop("InstanceId"), "instance");
    model::NetworkInterface* e = eni(c.str("NetworkInterfaceId"));
    if (!e) return not_modeled(c, c.prop("NetworkInterfaceId"), "network interface");
    e->owner_kind = model::EniOwnerKind::kInstance;
    e->owner_id = i->id;
    i->network_interfaces.push_back(e->id);
  }

  void add_instance(C& c) {
    model::Instance inst;
    inst.id = c.id("i");
    inst.origin = c.origin;
    inst.name = name_tag(c.prop("Tags"));
    inst.key_name = c.str("KeyName");
    inst.image_id = c.str("ImageId");
    inst.instance_type = c.str("InstanceType");
    if (const Value* ud = c.prop("UserData")) {
      if (auto decoded = decode_base64(text(ud))) {
        inst.user_data = *decoded;
      } else {
        inst.user_data = text(ud);
        c.diags.warning(ud->loc(), "USERDATA_BASE64",
                        fmt::format("{}: UserData is not base64 (wrap it in Fn::Base64); kept as written", c.who()),
                        "UserData: !Base64 |");
      }
    }
    const Value* nics = c.prop("NetworkInterfaces");
    std::vector<model::NetworkInterface> created;
    std::vector<std::string> attached;
    if (nics && nics->is_list() && !nics->items().empty()) {
      for (const char* conflicting : {"SubnetId", "SecurityGroupIds", "SecurityGroups", "PrivateIpAddress"})
        if (c.prop(conflicting))
          c.error(c.loc_of(conflicting), "E3014",
                  fmt::format("{}: {} cannot be given together with NetworkInterfaces", c.who(), conflicting));
      std::vector<const Value*> items;
      for (const auto& item : nics->items())
        if (item.is_map()) items.push_back(&item);
      std::stable_sort(items.begin(), items.end(), [](const Value* a, const Value* b) {
        return to_int(a->get("DeviceIndex")).value_or(0) < to_int(b->get("DeviceIndex")).value_or(0);
      });
      for (const Value* item : items) {
        if (const Value* existing = item->get("NetworkInterfaceId")) {
          model::NetworkInterface* e = eni(text(existing));
          if (!e) {
            not_modeled(c, existing, "network interface");
            continue;
          }
          e->owner_kind = model::EniOwnerKind::kInstance;
          e->owner_id = inst.id;
          attached.push_back(e->id);
          continue;
        }
        model::NetworkInterface e;
        e.id = model::make_id("eni", {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id,
                                      text(item->get("DeviceIndex"))});
        e.origin = c.origin;
        e.subnet = text(item->get("SubnetId"));
        if (e.subnet.empty()) e.subnet = default_subnet(c, c.str("AvailabilityZone"));
        model::Subnet* s = subnet(e.subnet);
        if (s) e.vpc = s->vpc;
        e.security_groups = group_ids(item->get("GroupSet"), e.vpc);
        interface_addresses(c, *item, e);
        bool public_ip = item->get("AssociatePublicIpAddress") ? to_bool(item->get("AssociatePublicIpAddress"), false)
                                                              : (s && s->map_public_ip_on_launch && items.size() == 1);
        if (public_ip && to_int(item->get("DeviceIndex")).value_or(0) == 0) e.public_ip = plan.allocate_public();
        created.push_back(std::move(e));
      }
    } else {
      model::NetworkInterface e;
      e.id = model::make_id("eni", {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id, "0"});
      e.origin = c.origin;
      e.subnet = c.str("SubnetId");
      if (e.subnet.empty()) e.subnet = default_subnet(c, c.str("AvailabilityZone"));
      model::Subnet* s = subnet(e.subnet);
      if (s) e.vpc = s->vpc;
      auto ids = group_ids(c.prop("SecurityGroupIds"), e.vpc);
      auto named = group_ids(c.prop("SecurityGroups"), e.vpc);
      ids.insert(ids.end(), named.begin(), named.end());
      e.security_groups = ids;
      interface_addresses(c, c.r.properties, e);
      if (s && s->map_public_ip_on_launch) e.public_ip = plan.allocate_public();
      created.push_back(std::move(e));
    }
    e_source_dest(c, created);
    // Interfaces in device order: created ones were sorted, attached ones
    // (existing ENIs) keep their place after the created primary.
    for (auto& e : created) {
      e.owner_kind = model::EniOwnerKind::kInstance;
      e.owner_id = inst.id;
      inst.network_interfaces.push_back(e.id);
      eni_ix[e.id] = net.network_interfaces.size();
      net.network_interfaces.push_back(std::move(e));
    }
    for (auto& id : attached) inst.network_interfaces.push_back(id);
    if (!inst.network_interfaces.empty()) {
      if (model::NetworkInterface* primary = eni(inst.network_interfaces.front())) {
        inst.subnet = primary->subnet;
        inst.private_ip = primary->private_ip;
        inst.public_ip = primary->public_ip;
      }
    }
    instance_ix[inst.id] = net.instances.size();
    reg(c, Kind::kInstance, inst.id, net.instances.size());
    net.instances.push_back(std::move(inst));
  }

  void e_source_dest(const C& c, std::vector<model::NetworkInterface>& created) {
    if (const Value* v = c.prop("SourceDestCheck"))
      for (auto& e : created) e.source_dest_check = to_bool(v, true);
  }

  // The instance's primary private IP, allocated now if still open (GetAtt).
  Ipv4Address ensure_private_ip(model::Instance& inst) {
    if (inst.network_interfaces.empty()) return {};
    model::NetworkInterface* e = eni(inst.network_interfaces.front());
    if (!e) return {};
    if (e->private_ip.value == 0)
      if (model::Subnet* s = subnet(e->subnet))
        if (auto a = plan.allocate(*s)) e->private_ip = *a;
    inst.private_ip = e->private_ip;
    return e->private_ip;
  }

  // ---- ELBv2 ----------------------------------------------------------------
  // CloudFormation's generated names: STACK-LOGICA-RANDOM, within 32 chars.
  static std::string generated_name(const C& c, size_t max) {
    std::string suffix = upper(model::make_hex(12, {c.stack.account, c.stack.name, c.r.logical_id, "name"}));
    std::string head = c.stack.name.substr(0, 8) + "-" + c.r.logical_id.substr(0, 5);
    std::string name = head + "-" + suffix;
    if (name.size() > max) name = name.substr(0, max);
    while (!name.empty() && name.back() == '-') name.pop_back();
    return name;
  }

  void add_load_balancer(C& c) {
    std::string type = c.prop("Type") ? c.str("Type") : "application";
    if (type != "application" && type != "network" && type != "gateway") {
      c.error(c.loc_of("Type"), "E3031", fmt::format("Type '{}' must be application, network or gateway", type));
      type = "application";
    }
    if (type == "gateway") {
      // Gateway Load Balancers are not modeled; their listeners follow them.
      fallback.add(c.stack, c.r, c.diags);
      add_unmodeled(c);
      if (auto arn = fallback.ref(c.stack, c.r.logical_id); arn && arn->is_scalar()) unmodeled_lbs.insert(arn->text());
      return;
    }
    model::LoadBalancer lb;
    lb.origin = c.origin;
    lb.type = type;
    lb.name = c.prop("Name") ? c.str("Name") : generated_name(c, 32);
    std::string scheme = c.prop("Scheme") ? c.str("Scheme") : "internet-facing";
    if (scheme != "internal" && scheme != "internet-facing")
      c.error(c.loc_of("Scheme"), "E3031", fmt::format("Scheme '{}' must be internal or internet-facing", scheme));
    lb.internal = scheme == "internal";
    lb.subnets = strings(c.prop("Subnets"));
    if (const Value* maps = c.prop("SubnetMappings"); maps && maps->is_list()) {
      if (c.prop("Subnets"))
        c.error(maps->loc(), "E3014", fmt::format("{}: give Subnets or SubnetMappings, not both", c.who()));
      for (const auto& m : maps->items()) lb.subnets.push_back(text(m.get("SubnetId")));
    }
    if (lb.subnets.empty())
      c.error(c.r.loc, "E3003", fmt::format("{}: Subnets (or SubnetMappings) is required", c.who()));
    lb.security_groups = strings(c.prop("SecurityGroups"));
    if (const Value* attrs = c.prop("LoadBalancerAttributes"); attrs && attrs->is_list())
      for (const auto& kv : attrs->items()) lb_attribute(c, lb.attributes, kv);
    model::assign_load_balancer_names(lb, c.stack.account, c.stack.region);
    if (!lb.subnets.empty())
      if (model::Subnet* s = subnet(lb.subnets.front())) lb.vpc = s->vpc;
    if (const Value* maps = c.prop("SubnetMappings"); maps && maps->is_list()) subnet_mapping_nodes(c, lb, *maps);
    lb_ix[lb.arn] = net.load_balancers.size();
    reg(c, Kind::kLoadBalancer, lb.arn, net.load_balancers.size());
    net.load_balancers.push_back(std::move(lb));
  }

  // SubnetMappings may fix a node's private address (internal NLB) or give
  // it an Elastic IP (internet-facing NLB): then the nodes are made here,
  // with the same ids finalize() would give; otherwise finalize makes them.
  void subnet_mapping_nodes(const C& c, model::LoadBalancer& lb, const Value& maps) {
    bool any = false;
    for (const auto& m : maps.items()) any = any || m.get("PrivateIPv4Address") || m.get("AllocationId");
    if (!any) return;
    if (lb.type != "network")
      c.error(maps.loc(), "E3014", "PrivateIPv4Address and AllocationId in SubnetMappings are for Network Load Balancers");
    for (const auto& m : maps.items()) {
      std::string sid = text(m.get("SubnetId"));
      model::Subnet* s = subnet(sid);
      if (!s) continue;  // finalize reports LB_UNKNOWN_SUBNET
      model::NetworkInterface e;
      e.id = model::make_id("eni", {lb.arn, sid});
      e.origin = c.origin;
      e.subnet = sid;
      e.vpc = s->vpc;
      e.security_groups = lb.security_groups;
      e.owner_kind = model::EniOwnerKind::kLoadBalancer;
      e.owner_id = lb.arn;
      if (auto a = address(c, m.get("PrivateIPv4Address"), "PrivateIPv4Address")) {
        e.private_ip = *a;
        plan.reserve(*s, *a);
      }
      if (const Value* alloc = m.get("AllocationId")) {
        model::ElasticIp* eip = find(net.elastic_ips, eip_alloc_ix, text(alloc));
        if (!eip) not_modeled(c, alloc, "Elastic IP allocation");
        else {
          eip->network_interface = e.id;
          e.public_ip = eip->public_ip;
        }
      }
      lb.nodes.push_back({sid, s->availability_zone, e.id, e.private_ip, e.public_ip});
      eni_ix[e.id] = net.network_interfaces.size();
      net.network_interfaces.push_back(std::move(e));
    }
  }

  void lb_attribute(const C& c, alb::LoadBalancerAttributes& a, const Value& kv) {
    std::string k = text(kv.get("Key")), v = text(kv.get("Value"));
    auto bad = [&](const char* expect) {
      c.error(kv.loc(), "LB_ATTRIBUTE", fmt::format("load balancer attribute {}: '{}' is not {}", k, v, expect));
    };
    auto boolean = [&](bool& out) {
      if (v == "true" || v == "false") out = v == "true";
      else bad("true or false");
    };
    if (k == "idle_timeout.timeout_seconds") {
      auto n = to_int(kv.get("Value"));
      if (!n || *n < 1 || *n > 4000) return bad("1-4000");
      a.idle_timeout_seconds = static_cast<int>(*n);
    } else if (k == "routing.http.xff_header_processing.mode") {
      if (v != "append" && v != "preserve" && v != "remove") return bad("append, preserve or remove");
      a.xff_header_processing_mode = v;
    } else if (k == "routing.http.xff_client_port.enabled") {
      boolean(a.xff_client_port);
    } else if (k == "routing.http.preserve_host_header.enabled") {
      boolean(a.preserve_host_header);
    } else if (k == "routing.http.drop_invalid_header_fields.enabled") {
      boolean(a.drop_invalid_header_fields);
    } else if (k == "routing.http.desync_mitigation_mode") {
      if (v != "monitor" && v != "defensive" && v != "strictest") return bad("monitor, defensive or strictest");
      a.desync_mitigation_mode = v;
    } else if (k == "routing.http2.enabled") {
      boolean(a.http2_enabled);
    } else {
      static const char* kAccepted[] = {
          "deletion_protection.enabled", "access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix",
          "connection_logs.s3.enabled", "connection_logs.s3.bucket", "connection_logs.s3.prefix",
          "health_check_logs.s3.enabled", "health_check_logs.s3.bucket", "health_check_logs.s3.prefix",
          "load_balancing.cross_zone.enabled", "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
          "routing.http.x_amzn_mtls_clientcert_serial_number.header_name", "waf.fail_open.enabled",
          "client_keep_alive.seconds", "zonal_shift.config.enabled", "ipv6.deny_all_igw_traffic",
          "dns_record.client_routing_policy", "secondary_ips.auto_assigned.per_subnet"};
      if (std::none_of(std::begin(kAccepted), std::end(kAccepted), [&](const char* s) { return k == s; }))
        c.error(kv.loc(), "LB_ATTRIBUTE", fmt::format("unknown load balancer attribute '{}'", k));
    }
  }

  void add_target_group(C& c) {
    model::TargetGroup tg;
    tg.origin = c.origin;
    tg.name = c.prop("Name") ? c.str("Name") : generated_name(c, 32);
    tg.target_type = c.prop("TargetType") ? c.str("TargetType") : "instance";
    static const std::set<std::string> kTypes = {"instance", "ip", "lambda", "alb"};
    if (!kTypes.count(tg.target_type))
      c.error(c.loc_of("TargetType"), "E3031", fmt::format("TargetType '{}' must be instance, ip, lambda or alb", tg.target_type));
    tg.vpc = c.str("VpcId");
    if (tg.target_type != "lambda") {
      for (const char* required : {"Port", "Protocol", "VpcId"})
        if (!c.prop(required))
          c.error(c.r.loc, "E3003", fmt::format("{}: {} is required for target type {}", c.who(), required, tg.target_type));
    }
    tg.protocol = c.prop("Protocol") ? c.str("Protocol") : "HTTP";
    if (auto port = to_int(c.prop("Port"))) {
      if (*port < 1 || *port > 65535) c.error(c.loc_of("Port"), "E3031", fmt::format("Port {} is outside 1-65535", *port));
      else tg.port = static_cast<uint16_t>(*port);
    }
    if (c.prop("ProtocolVersion")) tg.protocol_version = c.str("ProtocolVersion");
    auto& hc = tg.health_check;
    hc.protocol = tg.protocol == "HTTPS" ? "HTTPS" : "HTTP";
    if (c.prop("HealthCheckProtocol")) hc.protocol = c.str("HealthCheckProtocol");
    hc.enabled = to_bool(c.prop("HealthCheckEnabled"), true);
    if (c.prop("HealthCheckPath")) hc.path = c.str("HealthCheckPath");
    if (c.prop("HealthCheckPort")) hc.port = c.str("HealthCheckPort");
    auto int_prop = [&](const char* name, int& out) {
      if (auto n = to_int(c.prop(name))) out = static_cast<int>(*n);
    };
    int_prop("HealthCheckIntervalSeconds", hc.interval_seconds);
    int_prop("HealthCheckTimeoutSeconds", hc.timeout_seconds);
    int_prop("HealthyThresholdCount", hc.healthy_threshold);
    int_prop("UnhealthyThresholdCount", hc.unhealthy_threshold);
    if (const Value* m = c.prop("Matcher"); m && m->get("HttpCode")) hc.matcher = text(m->get("HttpCode"));
    if (const Value* attrs = c.prop("TargetGroupAttributes"); attrs && attrs->is_list())
      for (const auto& kv : attrs->items()) tg_attribute(c, tg.attributes, kv);
    if (const Value* targets = c.prop("Targets"); targets && targets->is_list())
      for (const auto& t : targets->items()) {
        model::Target target;
        target.id = text(t.get("Id"));
        target.loc = t.loc();
        if (auto p = to_int(t.get("Port"))) {
          if (*p < 1 || *p > 65535) c.error(t.get("Port")->loc(), "E3031", fmt::format("target port {} is outside 1-65535", *p));
          else target.port = static_cast<uint16_t>(*p);
        }
        target.availability_zone = text(t.get("AvailabilityZone"));
        tg.targets.push_back(std::move(target));
      }
    model::assign_target_group_names(tg, c.stack.account, c.stack.region);
    tg_ix[tg.arn] = net.target_groups.size();
    reg(c, Kind::kTargetGroup, tg.arn, net.target_groups.size());
    net.target_groups.push_back(std::move(tg));
  }

  void tg_attribute(const C& c, alb::TargetGroupAttributes& a, const Value& kv) {
    std::string k = text(kv.get("Key")), v = text(kv.get("Value"));
    auto bad = [&](const char* expect) {
      c.error(kv.loc(), "TG_ATTRIBUTE", fmt::format("target group attribute {}: '{}' is not {}", k, v, expect));
    };
    auto number = [&](int& out, int lo, int hi) {
      auto n = to_int(kv.get("Value"));
      if (!n || *n < lo || *n > hi) return bad(fmt::format("{}-{}", lo, hi).c_str());
      out = static_cast<int>(*n);
    };
    if (k == "deregistration_delay.timeout_seconds") {
      number(a.deregistration_delay_seconds, 0, 3600);
    } else if (k == "slow_start.duration_seconds") {
      number(a.slow_start_seconds, 0, 900);
      if (a.slow_start_seconds != 0 && a.slow_start_seconds < 30) bad("0 or 30-900");
    } else if (k == "load_balancing.algorithm.type") {
      if (v != "round_robin" && v != "least_outstanding_requests" && v != "weighted_random")
        return bad("round_robin, least_outstanding_requests or weighted_random");
      a.algorithm = v;
    } else if (k == "stickiness.enabled") {
      if (v != "true" && v != "false") return bad("true or false");
      a.stickiness_enabled = v == "true";
    } else if (k == "stickiness.type") {
      if (v != "lb_cookie" && v != "app_cookie" && v != "source_ip" && v != "source_ip_dest_ip" &&
          v != "source_ip_dest_ip_proto")
        return bad("lb_cookie or app_cookie");
      a.stickiness_type = v;
    } else if (k == "stickiness.lb_cookie.duration_seconds") {
      number(a.lb_cookie_duration_seconds, 1, 604800);
    } else if (k == "stickiness.app_cookie.cookie_name") {
      a.app_cookie_name = v;
    } else if (k == "stickiness.app_cookie.duration_seconds") {
      number(a.app_cookie_duration_seconds, 1, 604800);
    } else if (k == "load_balancing.cross_zone.enabled") {
      if (v != "true" && v != "false" && v != "use_load_balancer_configuration")
        return bad("true, false or use_load_balancer_configuration");
      a.cross_zone = v;
    } else {
      static const char* kAccepted[] = {
          "load_balancing.algorithm.anomaly_mitigation", "lambda.multi_value_headers.enabled",
          "preserve_client_ip.enabled", "proxy_protocol_v2.enabled", "connection_termination.enabled",
          "deregistration_delay.connection_termination.enabled", "target_group_health.dns_failover.minimum_healthy_targets.count",
          "target_group_health.dns_failover.minimum_healthy_targets.percentage",
          "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
          "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
          "target_health_state.unhealthy.connection_termination.enabled",
          "target_health_state.unhealthy.draining_interval_seconds", "target_failover.on_deregistration",
          "target_failover.on_unhealthy"};
      if (std::none_of(std::begin(kAccepted), std::end(kAccepted), [&](const char* s) { return k == s; }))
        c.error(kv.loc(), "TG_ATTRIBUTE", fmt::format("unknown target group attribute '{}'", k));
    }
  }

  std::optional<alb::Action> action(const C& c, const Value& m) {
    alb::Action a;
    std::string type = text(m.get("Type"));
    static const std::pair<const char*, alb::ActionType> kTypes[] = {
        {"forward", alb::ActionType::kForward},
        {"redirect", alb::ActionType::kRedirect},
        {"fixed-response", alb::ActionType::kFixedResponse},
        {"authenticate-oidc", alb::ActionType::kAuthenticateOidc},
        {"authenticate-cognito", alb::ActionType::kAuthenticateCognito},
    };
    auto it = std::find_if(std::begin(kTypes), std::end(kTypes), [&](const auto& p) { return type == p.first; });
    if (it == std::end(kTypes)) {
      if (m.get("Type"))
        c.error(m.get("Type")->loc(), "E3031",
                fmt::format("action Type '{}' must be forward, redirect, fixed-response, authenticate-oidc or "
                            "authenticate-cognito",
                            type));
      return std::nullopt;
    }
    a.type = it->second;
    a.order = static_cast<int>(to_int(m.get("Order")).value_or(0));
    switch (a.type) {
      case alb::ActionType::kForward: {
        const Value* fc = m.get("ForwardConfig");
        if (const Value* arn = m.get("TargetGroupArn")) a.target_groups.push_back({text(arn), 1});
        if (fc) {
          const Value* groups = fc->get("TargetGroups");
          if (groups && groups->is_list()) {
            std::vector<alb::WeightedTargetGroup> weighted;
            for (const auto& g : groups->items())
              weighted.push_back({text(g.get("TargetGroupArn")), static_cast<int>(to_int(g.get("Weight")).value_or(1))});
            // TargetGroupArn and ForwardConfig may both name the same group.
            if (!a.target_groups.empty() &&
                !(weighted.size() == 1 && weighted[0].target_group_arn == a.target_groups[0].target_group_arn))
              c.error(m.loc(), "E3014", "TargetGroupArn and ForwardConfig name different target groups");
            a.target_groups = weighted;
          }
          if (const Value* st = fc->get("TargetGroupStickinessConfig")) {
            a.group_stickiness = to_bool(st->get("Enabled"), false);
            if (auto d = to_int(st->get("DurationSeconds"))) {
              if (*d < 1 || *d > 604800) c.error(st->loc(), "E3031", "DurationSeconds must be 1-604800");
              a.group_stickiness_seconds = static_cast<int>(*d);
            }
          }
        }
        if (a.target_groups.empty())
          c.error(m.loc(), "E3003", "a forward action needs TargetGroupArn or ForwardConfig.TargetGroups");
        break;
      }
      case alb::ActionType::kRedirect: {
        const Value* rc = m.get("RedirectConfig");
        if (!rc) {
          c.error(m.loc(), "E3003", "a redirect action needs RedirectConfig");
          return std::nullopt;
        }
        auto& r = a.redirect;
        if (rc->get("Protocol")) r.protocol = text(rc->get("Protocol"));
        if (rc->get("Host")) r.host = text(rc->get("Host"));
        if (rc->get("Port")) r.port = text(rc->get("Port"));
        if (rc->get("Path")) r.path = text(rc->get("Path"));
        if (rc->get("Query")) r.query = text(rc->get("Query"));
        std::string code = text(rc->get("StatusCode"));
        if (code == "HTTP_301") r.status_code = 301;
        else if (code == "HTTP_302") r.status_code = 302;
        else if (rc->get("StatusCode"))
          c.error(rc->get("StatusCode")->loc(), "E3031", fmt::format("StatusCode '{}' must be HTTP_301 or HTTP_302", code));
        if (r.protocol != "#{protocol}" && r.protocol != "HTTP" && r.protocol != "HTTPS")
          c.error(rc->loc(), "E3031", fmt::format("redirect Protocol '{}' must be HTTP, HTTPS or #{{protocol}}", r.protocol));
        if (r.protocol == "#{protocol}" && r.host == "#{host}" && r.port == "#{port}" && r.path == "/#{path}" &&
            r.query == "#{query}")
          c.error(rc->loc(), "E3031", "a redirect must change at least one of protocol, host, port or path (it would loop)");
        break;
      }
      case alb::ActionType::kFixedResponse: {
        const Value* fr = m.get("FixedResponseConfig");
        if (!fr) {
          c.error(m.loc(), "E3003", "a fixed-response action needs FixedResponseConfig");
          return std::nullopt;
        }
        auto code = to_int(fr->get("StatusCode"));
        if (!code || !((*code >= 200 && *code <= 299) || (*code >= 400 && *code <= 599)))
          c.error(fr->loc(), "E3031", fmt::format("fixed-response StatusCode '{}' must be 2XX, 4XX or 5XX", text(fr->get("StatusCode"))));
        else
          a.fixed_response.status_code = static_cast<int>(*code);
        a.fixed_response.content_type = text(fr->get("ContentType"));
        static const std::set<std::string> kTypes = {"",          "text/plain",             "text/css",
                                                      "text/html", "application/javascript", "application/json"};
        if (!kTypes.count(a.fixed_response.content_type))
          c.error(fr->loc(), "E3031", fmt::format("ContentType '{}' is not one ALB allows", a.fixed_response.content_type));
        a.fixed_response.body = text(fr->get("MessageBody"));
        if (a.fixed_response.body.size() > 1024) c.error(fr->loc(), "E3031", "MessageBody is longer than 1024 characters");
        break;
      }
      default:
        break;
    }
    return a;
  }

  std::vector<alb::Action> actions(const C& c, const Value* list) {
    std::vector<alb::Action> out;
    if (list && list->is_list())
      for (const auto& m : list->items())
        if (m.is_map())
          if (auto a = action(c, m)) out.push_back(*a);
    return out;
  }

  std::optional<alb::RuleCondition> condition(const C& c, const Value& m) {
    alb::RuleCondition rc;
    std::string field = text(m.get("Field"));
    static const std::pair<const char*, alb::ConditionField> kFields[] = {
        {"host-header", alb::ConditionField::kHostHeader},
        {"path-pattern", alb::ConditionField::kPathPattern},
        {"http-header", alb::ConditionField::kHttpHeader},
        {"http-request-method", alb::ConditionField::kHttpRequestMethod},
        {"query-string", alb::ConditionField::kQueryString},
        {"source-ip", alb::ConditionField::kSourceIp},
    };
    auto it = std::find_if(std::begin(kFields), std::end(kFields), [&](const auto& p) { return field == p.first; });
    if (it == std::end(kFields)) {
      c.error(m.get("Field") ? m.get("Field")->loc() : m.loc(), m.get("Field") ? "E3031" : "E3003",
              fmt::format("condition Field '{}' must be host-header, path-pattern, http-header, http-request-method, "
                          "query-string or source-ip",
                          field));
      return std::nullopt;
    }
    rc.field = it->second;
    static const std::map<alb::ConditionField, const char*> kConfig = {
        {alb::ConditionField::kHostHeader, "HostHeaderConfig"},
        {alb::ConditionField::kPathPattern, "PathPatternConfig"},
        {alb::ConditionField::kHttpHeader, "HttpHeaderConfig"},
        {alb::ConditionField::kHttpRequestMethod, "HttpRequestMethodConfig"},
        {alb::ConditionField::kQueryString, "QueryStringConfig"},
        {alb::ConditionField::kSourceIp, "SourceIpConfig"},
    };
    const char* config_name = kConfig.at(rc.field);
    for (const auto& [other_field, other] : kConfig)
      if (other_field != rc.field && m.get(other))
        c.error(m.get(other)->loc(), "E3014", fmt::format("{} does not go with Field {}", other, field));
    const Value* config = m.get(config_name);
    const Value* old_values = m.get("Values");
    // The old form (Field + Values) exists for host-header and path-pattern only.
    if (old_values && config) {
      c.error(m.loc(), "E3014", fmt::format("give Values or {}, not both", config_name));
      return std::nullopt;
    }
    if (old_values && rc.field != alb::ConditionField::kHostHeader && rc.field != alb::ConditionField::kPathPattern) {
      c.error(old_values->loc(), "E3014", fmt::format("Field {} needs {} (Values is for host-header and path-pattern)", field, config_name));
      return std::nullopt;
    }
    if (!old_values && !config) {
      c.error(m.loc(), "E3003", fmt::format("condition {} needs {}", field, config_name));
      return std::nullopt;
    }
    switch (rc.field) {
      case alb::ConditionField::kQueryString:
        if (const Value* vs = config->get("Values"); vs && vs->is_list())
          for (const auto& kv : vs->items()) {
            alb::QueryStringPair q;
            if (kv.get("Key")) q.key = text(kv.get("Key"));
            q.value = text(kv.get("Value"));
            rc.query.push_back(q);
          }
        break;
      case alb::ConditionField::kSourceIp:
        for (const auto& s : strings(config->get("Values"))) {
          auto b = Ipv4Cidr::parse(s);
          if (!b) {
            if (s.find(':') != std::string::npos) continue;  // IPv6 source: not routed by vpclab yet
            c.error(config->loc(), "E3031", fmt::format("source-ip value '{}' is not a CIDR block", s));
            continue;
          }
          rc.source_cidrs.push_back(*b);
          rc.values.push_back(s);
        }
        break;
      case alb::ConditionField::kHttpHeader:
        rc.header_name = text(config->get("HttpHeaderName"));
        if (rc.header_name.empty()) c.error(config->loc(), "E3003", "HttpHeaderConfig needs HttpHeaderName");
        rc.values = strings(config->get("Values"));
        break;
      default:
        rc.values = strings(config ? config->get("Values") : old_values);
    }
    if (rc.values.empty() && rc.query.empty())
      c.error(m.loc(), "E3003", fmt::format("condition {} has no values", field));
    return rc;
  }

  static std::string child_arn(const std::string& parent, std::string_view from, std::string_view to,
                               const std::string& hex) {
    std::string out = parent;
    auto p = out.find(from);
    if (p != std::string::npos) out.replace(p, from.size(), to);
    return out + "/" + hex;
  }

  void add_listener(C& c) {
    if (unmodeled_lbs.count(c.str("LoadBalancerArn"))) {
      fallback.add(c.stack, c.r, c.diags);
      return add_unmodeled(c);
    }
    model::Listener l;
    l.origin = c.origin;
    l.load_balancer = c.str("LoadBalancerArn");
    model::LoadBalancer* owner = lb(l.load_balancer);
    bool alb_owner = !owner || owner->type == "application";
    l.protocol = c.prop("Protocol") ? c.str("Protocol") : (alb_owner ? "HTTP" : "TCP");
    if (auto port = to_int(c.prop("Port"))) {
      if (*port < 1 || *port > 65535) c.error(c.loc_of("Port"), "E3031", fmt::format("listener Port {} is outside 1-65535", *port));
      else l.port = static_cast<uint16_t>(*port);
    } else {
      c.error(c.r.loc, "E3003", fmt::format("{}: Port is required", c.who()));
    }
    if (l.protocol == "HTTPS" && !c.prop("Certificates"))
      c.error(c.r.loc, "E3003", fmt::format("{}: an HTTPS listener needs Certificates", c.who()));
    l.default_rule.actions = actions(c, c.prop("DefaultActions"));
    l.default_rule.loc = c.loc_of("DefaultActions");
    l.arn = child_arn(l.load_balancer, ":loadbalancer/", ":listener/",
                      model::make_hex(16, {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id}));
    l.default_rule.arn = child_arn(l.arn, ":listener/", ":listener-rule/", model::make_hex(16, {l.arn, "default"}));
    if (!owner) not_modeled(c, c.prop("LoadBalancerArn"), "load balancer");
    listener_ix[l.arn] = net.listeners.size();
    reg(c, Kind::kListener, l.arn, net.listeners.size());
    net.listeners.push_back(std::move(l));
  }

  void add_listener_rule(C& c) {
    model::Listener* l = find(net.listeners, listener_ix, c.str("ListenerArn"));
    std::string arn = child_arn(c.str("ListenerArn"), ":listener/", ":listener-rule/",
                                model::make_hex(16, {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id}));
    reg(c, Kind::kListenerRule, arn, SIZE_MAX);
    if (!l) return not_modeled(c, c.prop("ListenerArn"), "listener");
    alb::ListenerRule rule;
    rule.arn = arn;
    rule.loc = c.r.loc;
    rule.priority = static_cast<int>(to_int(c.prop("Priority")).value_or(0));
    rule.actions = actions(c, c.prop("Actions"));
    int values = 0;
    std::set<alb::ConditionField> seen;
    if (const Value* conds = c.prop("Conditions"); conds && conds->is_list()) {
      for (const auto& m : conds->items()) {
        if (!m.is_map()) continue;
        auto rc = condition(c, m);
        if (!rc) continue;
        bool single = rc->field != alb::ConditionField::kHttpHeader && rc->field != alb::ConditionField::kQueryString;
        if (single && !seen.insert(rc->field).second)
          c.error(m.loc(), "RULE_CONDITION",
                  fmt::format("{}: only one {} condition per rule", c.who(), alb::condition_field_name(rc->field)));
        values += static_cast<int>(rc->values.size() + rc->query.size());
        rule.conditions.push_back(std::move(*rc));
      }
      if (rule.conditions.empty() && conds->items().empty())
        c.error(conds->loc(), "E3003", fmt::format("{}: a rule needs at least one condition", c.who()));
    }
    if (values > 5)
      c.error(c.loc_of("Conditions"), "RULE_CONDITION",
              fmt::format("{}: {} condition values; a rule allows 5 in total", c.who(), values));
    l->rules.push_back(std::move(rule));
  }

  // ---- Route 53 -------------------------------------------------------------
  void add_hosted_zone(C& c) {
    model::HostedZone z;
    z.id = "Z0" + upper(model::make_hex(19, {c.stack.account, c.stack.name, c.r.logical_id, "zone"}));
    z.origin = c.origin;
    z.name = dns::normalize_name(c.str("Name"));
    if (const Value* vpcs = c.prop("VPCs"); vpcs && vpcs->is_list())
      for (const auto& v : vpcs->items()) z.vpcs.push_back({text(v.get("VPCId")), text(v.get("VPCRegion"))});
    z.is_private = !z.vpcs.empty();
    zone_ix[z.id] = net.hosted_zones.size();
    reg(c, Kind::kHostedZone, z.id, net.hosted_zones.size());
    net.hosted_zones.push_back(std::move(z));
  }

  model::HostedZone* zone_for(const C& c, const Value& m, const Value* fallback_map) {
    const Value* id = m.get("HostedZoneId");
    const Value* name = m.get("HostedZoneName");
    if (!id && !name && fallback_map) {
      id = fallback_map->get("HostedZoneId");
      name = fallback_map->get("HostedZoneName");
    }
    if ((id != nullptr) == (name != nullptr)) {
      c.error(m.loc(), "E3014", fmt::format("{}: give exactly one of HostedZoneId, HostedZoneName", c.who()));
      return nullptr;
    }
    if (id) {
      std::string zid = text(id);
      if (zid.rfind("/hostedzone/", 0) == 0) zid = zid.substr(12);
      model::HostedZone* z = find(net.hosted_zones, zone_ix, zid);
      if (!z) not_modeled(c, id, "hosted zone");
      return z;
    }
    std::string want = dns::normalize_name(text(name));
    model::HostedZone* found = nullptr;
    for (auto& z : net.hosted_zones)
      if (z.name == want) {
        if (found) {
          c.error(name->loc(), "E3014",
                  fmt::format("{}: several hosted zones are named {}; use HostedZoneId", c.who(), want));
          return nullptr;
        }
        found = &z;
      }
    if (!found) not_modeled(c, name, "hosted zone");
    return found;
  }

  std::optional<dns::Record> record(const C& c, const Value& m) {
    dns::Record rec;
    rec.name = dns::normalize_name(text(m.get("Name")));
    rec.type = upper(text(m.get("Type")));
    rec.loc = m.loc();
    rec.set_identifier = text(m.get("SetIdentifier"));
    const Value* alias = m.get("AliasTarget");
    const Value* values = m.get("ResourceRecords");
    if ((alias != nullptr) == (values != nullptr)) {
      c.error(m.loc(), "E3014", fmt::format("{}: record {} needs exactly one of AliasTarget, ResourceRecords", c.who(), rec.name));
      return std::nullopt;
    }
    if (alias) {
      if (m.get("TTL")) c.error(m.get("TTL")->loc(), "E3014", "an alias record takes its TTL from the target; remove TTL");
      rec.is_alias = true;
      rec.alias.dns_name = dns::normalize_name(text(alias->get("DNSName")));
      rec.alias.hosted_zone_id = text(alias->get("HostedZoneId"));
      rec.alias.evaluate_target_health = to_bool(alias->get("EvaluateTargetHealth"), false);
      rec.ttl = 60;
    } else {
      rec.values = strings(values);
      auto ttl = to_int(m.get("TTL"));
      if (!ttl) {
        c.error(m.loc(), "E3003", fmt::format("{}: record {} needs TTL", c.who(), rec.name));
      } else {
        rec.ttl = static_cast<int>(*ttl);
      }
      if (rec.type == "A")
        for (const auto& v : rec.values)
          if (!Ipv4Address::parse(v)) c.error(values->loc(), "E3031", fmt::format("A record value '{}' is not an IPv4 address", v));
    }
    return rec;
  }

  void add_record_set(C& c) {
    reg(c, Kind::kRecordSet, c.str("Name"), SIZE_MAX);
    model::HostedZone* z = zone_for(c, c.r.properties, nullptr);
    if (!z) return;
    if (auto rec = record(c, c.r.properties)) {
      rec->loc = c.r.loc;
      z->records.push_back(std::move(*rec));
    }
  }

  void add_record_set_group(C& c) {
    reg(c, Kind::kRecordSetGroup, "", SIZE_MAX);
    const Value* sets = c.prop("RecordSets");
    if (!sets || !sets->is_list()) return;
    for (const auto& m : sets->items()) {
      if (!m.is_map()) continue;
      model::HostedZone* z = zone_for(c, m, &c.r.properties);
      if (!z) continue;
      if (auto rec = record(c, m)) z->records.push_back(std::move(*rec));
    }
  }

  // ---- not modeled ------------------------------------------------------------
  void add_unmodeled(C& c) {
    const bool elbv2 = c.r.type.rfind("AWS::ElasticLoadBalancingV2::", 0) == 0;
    // Only gateway load balancers (and their listeners) reach here from ELBv2.
    std::string what = elbv2 ? "Gateway Load Balancer" : c.r.type;
    if (noted_types.insert(what).second)
      c.diags.note(c.r.loc, "UNMODELED_TYPE",
                   fmt::format("{} resources are not modeled by vpclab; paths through them are not analyzed", what));
    if (network_relevant(c.r.type) || elbv2) {
      model::UnmodeledResource u;
      u.type = c.r.type;
      u.id = fabricated_physical_id(c.stack, c.r.type, c.r.logical_id);
      u.origin = c.origin;
      net.unmodeled.push_back(std::move(u));
    }
    entries[key(c.stack.name, c.r.logical_id)] = Entry{c.r.type, Kind::kUnmodeled, "", SIZE_MAX, {}};
  }

  // ---- dispatch ---------------------------------------------------------------
  struct TypeEntry {
    const Schema* schema;
    void (Impl::*add)(C&);
  };
  void add_sg_ingress(C& c) { add_sg_rule_resource(c, Direction::kIngress); }
  void add_sg_egress(C& c) { add_sg_rule_resource(c, Direction::kEgress); }

  static const std::map<std::string, TypeEntry>& types() {
    static const std::map<std::string, TypeEntry> t = {
        {"AWS::EC2::VPC", {&kVpc, &Impl::add_vpc}},
        {"AWS::EC2::VPCCidrBlock", {&kVpcCidrBlock, &Impl::add_vpc_cidr_block}},
        {"AWS::EC2::Subnet", {&kSubnet, &Impl::add_subnet}},
        {"AWS::EC2::RouteTable", {&kRouteTable, &Impl::add_route_table}},
        {"AWS::EC2::Route", {&kRoute, &Impl::add_route}},
        {"AWS::EC2::SubnetRouteTableAssociation", {&kSubnetRtbAssoc, &Impl::add_subnet_rtb_assoc}},
        {"AWS::EC2::InternetGateway", {&kInternetGateway, &Impl::add_internet_gateway}},
        {"AWS::EC2::VPCGatewayAttachment", {&kGatewayAttachment, &Impl::add_gateway_attachment}},
        {"AWS::EC2::NatGateway", {&kNatGateway, &Impl::add_nat_gateway}},
        {"AWS::EC2::EIP", {&kEip, &Impl::add_eip}},
        {"AWS::EC2::EIPAssociation", {&kEipAssociation, &Impl::add_eip_association}},
        {"AWS::EC2::VPCPeeringConnection", {&kPeering, &Impl::add_peering}},
        {"AWS::EC2::SecurityGroup", {&kSecurityGroup, &Impl::add_security_group}},
        {"AWS::EC2::SecurityGroupIngress", {&kSgIngress, &Impl::add_sg_ingress}},
        {"AWS::EC2::SecurityGroupEgress", {&kSgEgress, &Impl::add_sg_egress}},
        {"AWS::EC2::NetworkAcl", {&kNetworkAcl, &Impl::add_network_acl}},
        {"AWS::EC2::NetworkAclEntry", {&kNetworkAclEntry, &Impl::add_network_acl_entry}},
        {"AWS::EC2::SubnetNetworkAclAssociation", {&kSubnetAclAssoc, &Impl::add_subnet_acl_assoc}},
        {"AWS::EC2::NetworkInterface", {&kNetworkInterface, &Impl::add_network_interface}},
        {"AWS::EC2::NetworkInterfaceAttachment", {&kNetworkInterfaceAttachment, &Impl::add_network_interface_attachment}},
        {"AWS::EC2::Instance", {&kInstance, &Impl::add_instance}},
        {"AWS::ElasticLoadBalancingV2::LoadBalancer", {&kLoadBalancer, &Impl::add_load_balancer}},
        {"AWS::ElasticLoadBalancingV2::Listener", {&kListener, &Impl::add_listener}},
        {"AWS::ElasticLoadBalancingV2::ListenerRule", {&kListenerRule, &Impl::add_listener_rule}},
        {"AWS::ElasticLoadBalancingV2::TargetGroup", {&kTargetGroup, &Impl::add_target_group}},
        {"AWS::Route53::HostedZone", {&kHostedZone, &Impl::add_hosted_zone}},
        {"AWS::Route53::RecordSet", {&kRecordCommon, &Impl::add_record_set}},
        {"AWS::Route53::RecordSetGroup", {&kRecordSetGroup, &Impl::add_record_set_group}},
    };
    return t;
  }

  void add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) {
    model::Origin origin{stack.account, stack.region, stack.name, r.logical_id, r.loc};
    C c{stack, r, diags, origin};
    auto it = types().find(r.type);
    if (it == types().end()) {
      fallback.add(stack, r, diags);
      add_unmodeled(c);
      return;
    }
    static const Value kEmpty = Value::map({});
    if (r.properties.is_null()) {
      // No Properties: only required ones can be missing.
      check(c, kEmpty, *it->second.schema, c.who(), r.loc);
    } else {
      check(c, r.properties, *it->second.schema, c.who(), r.loc);
    }
    if (!r.properties.is_map() && !r.properties.is_null()) return;
    (this->*(it->second.add))(c);
  }

  // ---- Ref / GetAtt -----------------------------------------------------------
  std::optional<Value> ref(const StackContext& stack, const std::string& logical_id) {
    auto it = entries.find(key(stack.name, logical_id));
    if (it == entries.end()) return std::nullopt;
    if (it->second.kind == Kind::kUnmodeled) return fallback.ref(stack, logical_id);
    if (it->second.id.empty()) return std::nullopt;  // the engine fabricates one
    return Value::string(it->second.id);
  }

  static Value str_value(std::string s) { return Value::string(std::move(s)); }
  static Value list_value(const std::vector<std::string>& items) {
    Value::List l;
    for (const auto& s : items) l.push_back(Value::string(s));
    return Value::list(std::move(l));
  }

  std::optional<Value> get_att(const StackContext& stack, const std::string& logical_id, const std::string& a) {
    auto it = entries.find(key(stack.name, logical_id));
    if (it == entries.end()) return std::nullopt;
    const Entry& e = it->second;
    if (e.kind == Kind::kUnmodeled) return fallback.get_att(stack, logical_id, a);
    switch (e.kind) {
      case Kind::kVpc: {
        const auto& v = net.vpcs[e.index];
        if (a == "VpcId") return str_value(v.id);
        if (a == "CidrBlock") return str_value(v.cidrs.empty() ? "" : v.cidrs[0].str());
        if (a == "CidrBlockAssociations") return list_value({e.extra});
        if (a == "DefaultSecurityGroup") return str_value(v.default_security_group);
        if (a == "DefaultNetworkAcl") return str_value(v.default_network_acl);
        if (a == "Ipv6CidrBlocks") return list_value(vpc_ipv6[v.id]);
        break;
      }
      case Kind::kVpcCidrBlock:
        if (a == "Id") return str_value(e.id);
        if (a == "IpSource") return str_value("private");
        if (a == "Ipv6AddressAttribute") return str_value("");
        break;
      case Kind::kSubnet: {
        const auto& s = net.subnets[e.index];
        if (a == "SubnetId") return str_value(s.id);
        if (a == "VpcId") return str_value(s.vpc);
        if (a == "CidrBlock") return str_value(s.cidr.str());
        if (a == "AvailabilityZone") return str_value(s.availability_zone);
        if (a == "AvailabilityZoneId") return str_value(az_id(s.availability_zone));
        if (a == "Ipv6CidrBlocks") return list_value(subnet_ipv6[s.id]);
        if (a == "NetworkAclAssociationId") return str_value(model::make_id("aclassoc", {s.id, "default"}));
        if (a == "OutpostArn") return str_value("");
        break;
      }
      case Kind::kRouteTable:
        if (a == "RouteTableId") return str_value(e.id);
        break;
      case Kind::kRoute:
        if (a == "CidrBlock") return str_value(e.extra);
        break;
      case Kind::kInternetGateway:
        if (a == "InternetGatewayId") return str_value(e.id);
        break;
      case Kind::kNatGateway:
        if (a == "NatGatewayId") return str_value(e.id);
        break;
      case Kind::kEip: {
        const auto& x = net.elastic_ips[e.index];
        if (a == "AllocationId") return str_value(x.allocation_id);
        if (a == "PublicIp") return str_value(x.public_ip.str());
        break;
      }
      case Kind::kEipAssociation:
        if (a == "Id") return str_value(e.id);
        break;
      case Kind::kPeering:
        if (a == "Id") return str_value(e.id);
        break;
      case Kind::kSecurityGroup: {
        const auto& g = net.security_groups[e.index];
        if (a == "GroupId") return str_value(g.id);
        if (a == "VpcId") return str_value(g.vpc);
        break;
      }
      case Kind::kSgIngress:
      case Kind::kSgEgress:
        if (a == "Id") return str_value(e.id);
        break;
      case Kind::kNetworkAcl:
        if (a == "Id") return str_value(e.id);
        break;
      case Kind::kNetworkAclEntry:
      case Kind::kSubnetAclAssoc:
      case Kind::kSubnetRtbAssoc:
        if (a == "Id" || a == "AssociationId") return str_value(e.id);
        break;
      case Kind::kNetworkInterface: {
        auto& n = net.network_interfaces[e.index];
        if (a == "Id") return str_value(n.id);
        if (a == "PrimaryPrivateIpAddress") {
          if (n.private_ip.value == 0)
            if (model::Subnet* s = subnet(n.subnet))
              if (auto ip = plan.allocate(*s)) n.private_ip = *ip;
          return str_value(n.private_ip.str());
        }
        if (a == "SecondaryPrivateIpAddresses") {
          std::vector<std::string> ips;
          for (auto ip : n.secondary_private_ips) ips.push_back(ip.str());
          return list_value(ips);
        }
        if (a == "PrimaryIpv6Address") return str_value("");
        if (a == "Ipv6Addresses") return list_value({});
        if (a == "VpcId") return str_value(n.vpc);
        break;
      }
      case Kind::kInstance: {
        auto& i = net.instances[e.index];
        if (a == "InstanceId") return str_value(i.id);
        if (a == "PrivateIp") return str_value(ensure_private_ip(i).str());
        if (a == "PrivateDnsName") return str_value(model::private_dns_name(ensure_private_ip(i), stack.region));
        if (a == "PublicIp") return str_value(i.public_ip ? i.public_ip->str() : "");
        if (a == "PublicDnsName") {
          const model::Subnet* s = subnet(i.subnet);
          const model::Vpc* v = s ? vpc(s->vpc) : nullptr;
          bool named = i.public_ip && v && v->enable_dns_hostnames;
          return str_value(named ? model::public_dns_name(*i.public_ip, stack.region) : "");
        }
        if (a == "AvailabilityZone") {
          const model::Subnet* s = subnet(i.subnet);
          return str_value(s ? s->availability_zone : stack.region + "a");
        }
        if (a == "VpcId") {
          const model::Subnet* s = subnet(i.subnet);
          return str_value(s ? s->vpc : "");
        }
        break;
      }
      case Kind::kLoadBalancer: {
        const auto& l = net.load_balancers[e.index];
        if (a == "DNSName") return str_value(l.dns_name);
        if (a == "CanonicalHostedZoneID") return str_value(l.canonical_hosted_zone_id);
        if (a == "LoadBalancerFullName") return str_value(l.full_name);
        if (a == "LoadBalancerName") return str_value(l.name);
        if (a == "LoadBalancerArn") return str_value(l.arn);
        if (a == "SecurityGroups") return list_value(l.security_groups);
        break;
      }
      case Kind::kListener:
        if (a == "ListenerArn") return str_value(e.id);
        break;
      case Kind::kListenerRule:
        if (a == "RuleArn") return str_value(e.id);
        if (a == "IsDefault") return Value::boolean(false);
        break;
      case Kind::kTargetGroup: {
        const auto& t = net.target_groups[e.index];
        if (a == "TargetGroupArn") return str_value(t.arn);
        if (a == "TargetGroupFullName") return str_value(t.full_name);
        if (a == "TargetGroupName") return str_value(t.name);
        if (a == "LoadBalancerArns") {
          // The load balancers whose listeners forward here so far.
          std::vector<std::string> arns;
          for (const auto& l : net.listeners) {
            auto uses = [&](const alb::ListenerRule& r) {
              for (const auto& act : r.actions)
                for (const auto& w : act.target_groups)
                  if (w.target_group_arn == t.arn) return true;
              return false;
            };
            bool hit = uses(l.default_rule);
            for (const auto& r : l.rules) hit = hit || uses(r);
            if (hit && std::find(arns.begin(), arns.end(), l.load_balancer) == arns.end()) arns.push_back(l.load_balancer);
          }
          return list_value(arns);
        }
        break;
      }
      case Kind::kHostedZone: {
        const auto& z = net.hosted_zones[e.index];
        if (a == "Id") return str_value(z.id);
        if (a == "NameServers") {
          if (z.is_private) return list_value({});
          std::string n = model::make_digits(4, {z.id});
          return list_value({fmt::format("ns-{}.awsdns-{}.com", n.substr(0, 3), n.substr(1, 2)),
                             fmt::format("ns-{}.awsdns-{}.net", n.substr(1, 3), n.substr(2, 2)),
                             fmt::format("ns-{}.awsdns-{}.org", n.substr(0, 4), n.substr(0, 2)),
                             fmt::format("ns-{}.awsdns-{}.co.uk", n.substr(2, 2), n.substr(1, 2))});
        }
        break;
      }
      default:
        break;
    }
    return std::nullopt;
  }

  static std::string az_id(const std::string& az) {
    // ap-northeast-1a -> apne1-az1 (vpclab's fixed mapping, see add_subnet).
    if (az.size() < 2) return {};
    std::string region = az.substr(0, az.size() - 1);
    std::string shortr;
    size_t start = 0;
    for (size_t i = 0; i <= region.size(); ++i) {
      if (i == region.size() || region[i] == '-') {
        std::string part = region.substr(start, i - start);
        if (!part.empty()) {
          if (std::isdigit(static_cast<unsigned char>(part[0]))) shortr += part;
          else if (part == "northeast" || part == "southeast" || part == "northwest" || part == "southwest")
            shortr += std::string(1, part[0]) + part[5];
          else
            shortr += part.substr(0, part == "ap" || part == "us" || part == "eu" || part == "sa" || part == "ca" ||
                                             part == "me" || part == "af" || part == "il" || part == "mx"
                                         ? 2
                                         : 1);
        }
        start = i + 1;
      }
    }
    return shortr + "-az" + std::to_string(az.back() - 'a' + 1);
  }
};

ModelSink::ModelSink(model::Network& net, model::AddressPlan& plan) : impl_(std::make_unique<Impl>(net, plan)) {}
ModelSink::~ModelSink() = default;

void ModelSink::add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) {
  impl_->add(stack, r, diags);
}
std::optional<Value> ModelSink::ref(const StackContext& stack, const std::string& logical_id) {
  return impl_->ref(stack, logical_id);
}
std::optional<Value> ModelSink::get_att(const StackContext& stack, const std::string& logical_id,
                                        const std::string& attribute) {
  return impl_->get_att(stack, logical_id, attribute);
}

model::VpcPeeringConnection* ModelSink::peering(const std::string& stack, const std::string& logical_id) {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  if (it == impl_->entries.end() || it->second.kind != Impl::Kind::kPeering) return nullptr;
  return &impl_->net.peerings[it->second.index];
}

std::string ModelSink::type_of(const std::string& stack, const std::string& logical_id) const {
  auto it = impl_->entries.find(Impl::key(stack, logical_id));
  return it == impl_->entries.end() ? std::string{} : it->second.type;
}

}  // namespace vpclab::tmpl
