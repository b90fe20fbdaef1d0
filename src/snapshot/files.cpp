// AWS CLI JSON -> model: which files of a snapshot folder are read and what their top-level keys hold
// (decided by the key, never the file name); the account and region of each
// file from the folder layout, or from the resources it holds.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

#include "model/build.h"
#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace {

// Bounds on what one load reads: a real account is a few hundred files.
constexpr size_t kMaxFiles = 20000;
constexpr uintmax_t kMaxFileBytes = uintmax_t{512} << 20;
constexpr int kMaxDepth = 8;

// Keys compared lower-case without '_' and '-', so np-guard's collector
// output (`security_groups`, `instances`) reads like the AWS CLI's.
std::string normalize_key(const std::string& k) {
  std::string out;
  for (char c : k)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::map<std::string, KeyInfo>& key_table() {
  static const std::map<std::string, KeyInfo> t = {
      {"vpcs", {Kind::kVpcs}},
      {"subnets", {Kind::kSubnets}},
      {"routetables", {Kind::kRouteTables}},
      {"securitygroups", {Kind::kSecurityGroups}},
      {"networkacls", {Kind::kNetworkAcls}},
      {"vpcpeeringconnections", {Kind::kPeerings}},
      {"reservations", {Kind::kReservations}},
      {"instances", {Kind::kInstances}},
      {"networkinterfaces", {Kind::kNetworkInterfaces}},
      {"internetgateways", {Kind::kInternetGateways}},
      {"natgateways", {Kind::kNatGateways}},
      {"addresses", {Kind::kAddresses}},
      {"loadbalancers", {Kind::kLoadBalancers}},
      {"listeners", {Kind::kListeners}},
      {"loadbalancerlisteners", {Kind::kLoadBalancerListeners}},
      {"rules", {Kind::kRules}},
      {"targetgroups", {Kind::kTargetGroups}},
      {"targethealthdescriptions", {Kind::kTargetHealthDescriptions}},
      {"loadbalancertargethealth", {Kind::kLoadBalancerTargetHealth}},
      {"attributes", {Kind::kAttributes}},
      {"loadbalancerattributes", {Kind::kLoadBalancerAttributes}},
      {"targetgroupattributes", {Kind::kLoadBalancerAttributes}},
      {"hostedzones", {Kind::kHostedZones}},
      {"hostedzone", {Kind::kHostedZone}},
      {"resourcerecordsets", {Kind::kResourceRecordSets}},
      {"enablednssupport", {Kind::kVpcAttribute}},
      {"enablednshostnames", {Kind::kVpcAttribute}},
      {"transitgateways", {Kind::kTransitGateways}},
      {"transitgatewayattachments", {Kind::kTgwAttachments}},
      {"transitgatewayvpcattachments", {Kind::kTgwVpcAttachments}},
      {"transitgatewayroutetables", {Kind::kTgwRouteTables}},
      {"transitgatewaypropagations", {Kind::kTgwPropagationsWrapped}},
      {"transitgatewaystaticroutes", {Kind::kTgwStaticRoutesWrapped}},
      // get-transit-gateway-route-table-associations / -propagations and
      // search-transit-gateway-routes, with TransitGatewayRouteTableId beside.
      {"associations", {Kind::kTgwAssociations}},
      {"transitgatewayroutetablepropagations", {Kind::kTgwPropagations}},
      {"routes", {Kind::kTgwRoutes}},
      {"transitgatewayroutetableid", {Kind::kCompanion}},
      {"additionalroutesavailable", {Kind::kCompanion}},
      {"transitgatewaypeeringattachments", {Kind::kTgwPeeringAttachments}},
      {"vpngateways", {Kind::kVpnGateways}},
      {"vpnconnections", {Kind::kVpnConnections}},
      {"customergateways", {Kind::kCustomerGateways}},
      {"launchtemplates", {Kind::kLaunchTemplates}},
      {"launchtemplateversions", {Kind::kLaunchTemplateVersions}},
      {"launchconfigurations", {Kind::kLaunchConfigurations}},
      {"autoscalinggroups", {Kind::kAutoScalingGroups}},
      {"vpcendpoints", {Kind::kVpcEndpoints}},
      {"egressonlyinternetgateways",
       {Kind::kUnmodeled, "AWS::EC2::EgressOnlyInternetGateway", "EgressOnlyInternetGatewayId"}},
      {"directconnectgateways",
       {Kind::kUnmodeled, "AWS::DirectConnect::Gateway", "directConnectGatewayId"}},
      {"virtualinterfaces", {Kind::kUnmodeled, "AWS::DirectConnect::VirtualInterface", "virtualInterfaceId"}},
      {"directconnectgatewayassociations", {Kind::kIgnored}},
      {"dbinstances", {Kind::kUnmodeled, "AWS::RDS::DBInstance", "DBInstanceIdentifier"}},
      {"domainstatuslist", {Kind::kUnmodeled, "AWS::Elasticsearch::Domain", "DomainName"}},
      // Carry nothing for reachability (Batfish skips the same ones).
      {"availabilityzones", {Kind::kIgnored}},
      {"dhcpoptions", {Kind::kIgnored}},
      {"regions", {Kind::kIgnored}},
      {"instancestatuses", {Kind::kIgnored}},
      {"placementgroups", {Kind::kIgnored}},
      {"servicenames", {Kind::kIgnored}},
      {"servicedetails", {Kind::kIgnored}},
      {"tags", {Kind::kIgnored}},
      {"prefixlists", {Kind::kPrefixLists}},
      {"entries", {Kind::kPrefixListEntries}},
      {"prefixlistid", {Kind::kCompanion}},
      {"delegationset", {Kind::kIgnored}},
      // Read beside the key they qualify, or paging markers.
      {"loadbalancerarn", {Kind::kCompanion}},
      {"targetgrouparn", {Kind::kCompanion}},
      {"hostedzoneid", {Kind::kCompanion}},
      {"vpcs_of_zone", {Kind::kCompanion}},
      {"vpcid", {Kind::kCompanion}},
      {"nexttoken", {Kind::kCompanion}},
      {"nextmarker", {Kind::kCompanion}},
      {"marker", {Kind::kCompanion}},
      {"istruncated", {Kind::kCompanion}},
      {"maxitems", {Kind::kCompanion}},
      {"nextrecordname", {Kind::kCompanion}},
      {"nextrecordtype", {Kind::kCompanion}},
      {"nextrecordidentifier", {Kind::kCompanion}},
      {"responsemetadata", {Kind::kCompanion}},
  };
  return t;
}

}  // namespace

const KeyInfo* lookup_key(const json& root, const std::string& key) {
  std::string n = normalize_key(key);
  // get-hosted-zone prints {"HostedZone": {...}, "VPCs": [...]}: "VPCs" is
  // the zone's associations there, not describe-vpcs output.
  if (n == "vpcs" && root.contains("HostedZone")) n = "vpcs_of_zone";
  const auto& t = key_table();
  auto it = t.find(n);
  return it == t.end() ? nullptr : &it->second;
}

namespace {

bool looks_like_region(const std::string& s) {
  static const std::regex re("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$");
  return std::regex_match(s, re);
}

// "us-east-2a" -> "us-east-2"; "" when it does not look like an AZ.
std::string region_of_zone(const std::string& az) {
  static const std::regex re("^([a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+)[a-z0-9-]*$");
  std::smatch m;
  if (std::regex_match(az, m, re)) return m[1];
  return {};
}

std::vector<fs::path> json_files(const fs::path& root, Diagnostics& diags) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec)) {
      if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
      continue;
    }
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext != ".json" || !it->is_regular_file(ec)) continue;
    if (out.size() >= kMaxFiles) {
      diags.warning(SourceLoc{intern_file(root.string()), 0, 0}, "SNAP_TOO_MANY_FILES",
                    "more than " + std::to_string(kMaxFiles) + " JSON files; the rest are not read");
      break;
    }
    out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::optional<json> parse_file(const fs::path& p, const std::string& display, Diagnostics& diags) {
  SourceLoc loc{intern_file(display), 0, 0};
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec || size > kMaxFileBytes) {
    diags.warning(loc, "SNAP_FILE", ec ? "cannot read: " + ec.message() : "file too large; skipped");
    return std::nullopt;
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    diags.warning(loc, "SNAP_FILE", "cannot open; skipped");
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    diags.warning(loc, "SNAP_JSON", "not valid JSON; skipped");
    return std::nullopt;
  }
  return j;
}

namespace {

// The account and region a file's location gives, per the Batfish layout:
// .../accounts/<id>/<region>/file or .../<region>/file. The folders above the
// root count too, so `snap/accounts/1/us-east-1` given directly still knows
// its account and region.
void layout_of(const fs::path& file, std::string& account, std::string& region) {
  std::vector<std::string> all;
  for (const auto& c : fs::absolute(file.parent_path()).lexically_normal()) {
    std::string s = c.string();
    if (!s.empty() && s != "/") all.push_back(s);
  }
  size_t n = all.size();
  if (n >= 3 && all[n - 3] == "accounts") {
    account = all[n - 2];
    region = all[n - 1];
    return;
  }
  if (n >= 1 && looks_like_region(all[n - 1])) region = all[n - 1];
}

}  // namespace

void Loader::read_docs(const fs::path& input) {
  fs::path root = input;
  std::error_code ec;
  if (fs::is_directory(input / "aws_configs", ec)) root = input / "aws_configs";
  for (const auto& p : json_files(root, diags_)) {
    Doc d;
    d.display = p.string();
    d.file = intern_file(d.display);
    d.dir = p.parent_path().string();
    auto j = parse_file(p, d.display, diags_);
    if (!j) continue;
    if (!j->is_object()) {
      diags_.warning(loc(d), "SNAP_JSON", "$: top level is not an object; skipped");
      continue;
    }
    d.root = std::move(*j);
    layout_of(p, d.account, d.region);
    docs_.push_back(std::move(d));
  }
}

// Files outside the accounts/<id>/<region> layout take their account from
// the resources' OwnerId or ARNs and their region from ARNs or availability
// zones, per folder; else the FinalizeOptions defaults.
void Loader::default_folders() {
  std::map<std::string, std::pair<std::string, std::string>> guess;  // dir -> account, region
  static const std::regex acct("^[0-9]{12}$");
  for (const auto& d : docs_) {
    auto& g = guess[d.dir];
    for (const auto& [key, val] : d.root.items()) {
      if (!val.is_array()) continue;
      for (const auto& item : val) {
        if (!item.is_object()) continue;
        std::string owner = str(item, "OwnerId");
        if (g.first.empty() && std::regex_match(owner, acct)) g.first = owner;
        for (const char* arn_key : {"SubnetArn", "LoadBalancerArn", "TargetGroupArn", "ListenerArn"}) {
          std::string arn = str(item, arn_key);
          // arn:aws:SERVICE:REGION:ACCOUNT:...
          std::vector<std::string> parts;
          std::stringstream ss(arn);
          std::string part;
          while (std::getline(ss, part, ':') && parts.size() < 5) parts.push_back(part);
          if (parts.size() == 5) {
            if (g.second.empty() && looks_like_region(parts[3])) g.second = parts[3];
            if (g.first.empty() && std::regex_match(parts[4], acct)) g.first = parts[4];
          }
        }
        std::string az = str(item, "AvailabilityZone");
        if (az.empty()) {
          if (const json* pl = field(item, "Placement")) az = str(*pl, "AvailabilityZone");
        }
        if (g.second.empty() && !az.empty()) g.second = region_of_zone(az);
      }
    }
  }
  model::FinalizeOptions defaults;
  for (auto& d : docs_) {
    const auto& g = guess[d.dir];
    if (d.account.empty()) d.account = g.first.empty() ? defaults.default_account : g.first;
    if (d.region.empty()) d.region = g.second.empty() ? defaults.default_region : g.second;
  }
}

}  // namespace vpclab::snapshot
