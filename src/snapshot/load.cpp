#include "snapshot/load.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "model/build.h"
#include "semantics/network_acl.h"
#include "snapshot/json_util.h"

namespace vpclab::snapshot {
namespace fs = std::filesystem;

namespace {

// Bounds on what one load reads: a real account is a few hundred files.
constexpr size_t kMaxFiles = 20000;
constexpr uintmax_t kMaxFileBytes = uintmax_t{512} << 20;
constexpr int kMaxDepth = 8;

// ---------------------------------------------------------------- keys

// What a top-level key holds. The kind is decided by the key alone.
enum class Kind {
  kVpcs, kSubnets, kRouteTables, kSecurityGroups, kNetworkAcls, kPeerings, kReservations,
  kInstances, kNetworkInterfaces, kInternetGateways, kNatGateways, kAddresses, kLoadBalancers,
  kListeners, kLoadBalancerListeners, kRules, kTargetGroups, kTargetHealthDescriptions,
  kLoadBalancerTargetHealth, kAttributes, kLoadBalancerAttributes, kHostedZones, kHostedZone,
  kResourceRecordSets, kVpcAttribute,
  kUnmodeled,   // resources vpclab does not model: listed in Network::unmodeled
  kCompanion,   // a key read together with another one (TargetGroupArn beside Attributes, ...)
  kIgnored,     // known, carries nothing for reachability
};

struct KeyInfo {
  Kind kind;
  const char* unmodeled_type = nullptr;  // kUnmodeled: the CloudFormation type
  const char* id_field = nullptr;        // kUnmodeled: the item's id member
};

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
      {"transitgateways", {Kind::kUnmodeled, "AWS::EC2::TransitGateway", "TransitGatewayId"}},
      {"transitgatewayattachments",
       {Kind::kUnmodeled, "AWS::EC2::TransitGatewayAttachment", "TransitGatewayAttachmentId"}},
      {"transitgatewayvpcattachments",
       {Kind::kUnmodeled, "AWS::EC2::TransitGatewayVpcAttachment", "TransitGatewayAttachmentId"}},
      {"transitgatewayroutetables",
       {Kind::kUnmodeled, "AWS::EC2::TransitGatewayRouteTable", "TransitGatewayRouteTableId"}},
      {"transitgatewaypropagations", {Kind::kIgnored}},
      {"transitgatewaystaticroutes", {Kind::kIgnored}},
      {"vpngateways", {Kind::kUnmodeled, "AWS::EC2::VPNGateway", "VpnGatewayId"}},
      {"vpnconnections", {Kind::kUnmodeled, "AWS::EC2::VPNConnection", "VpnConnectionId"}},
      {"customergateways", {Kind::kUnmodeled, "AWS::EC2::CustomerGateway", "CustomerGatewayId"}},
      {"vpcendpoints", {Kind::kUnmodeled, "AWS::EC2::VPCEndpoint", "VpcEndpointId"}},
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
      {"prefixlists", {Kind::kIgnored}},
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

const KeyInfo* lookup_key(const json& root, const std::string& key) {
  std::string n = normalize_key(key);
  // get-hosted-zone prints {"HostedZone": {...}, "VPCs": [...]}: "VPCs" is
  // the zone's associations there, not describe-vpcs output.
  if (n == "vpcs" && root.contains("HostedZone")) n = "vpcs_of_zone";
  const auto& t = key_table();
  auto it = t.find(n);
  return it == t.end() ? nullptr : &it->second;
}

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

// ---------------------------------------------------------------- files

struct Doc {
  std::string display;  // path as shown in messages
  const char* file = nullptr;
  std::string dir;      // folder key for per-folder defaults
  std::string account;  // from the layout, or "" until defaulted
  std::string region;
  json root;
};

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

// ---------------------------------------------------------------- loader

struct RouteRef {
  size_t table;
  size_t route;
  const char* file;
  std::string path;
};

class Loader {
 public:
  explicit Loader(Diagnostics& diags) : diags_(diags) {}

  std::shared_ptr<const model::Network> run(const std::string& path);

 private:
  Diagnostics& diags_;
  model::Network net_;
  std::vector<Doc> docs_;
  std::map<std::string, size_t> vpc_ix_, subnet_ix_, rtb_ix_, igw_ix_, nat_ix_, pcx_ix_, sg_ix_, acl_ix_,
      eni_ix_, inst_ix_, lb_ix_, listener_ix_, tg_ix_, zone_ix_, eip_ix_;
  std::set<std::string> unmodeled_ids_;
  std::vector<RouteRef> route_refs_;
  // Explicit associations read from route tables and NACLs, applied once
  // every subnet is known.
  struct Assoc {
    std::string subnet, target;
    const char* file;
    std::string path;
  };
  std::vector<Assoc> rtb_assocs_, acl_assocs_;
  std::vector<Assoc> instance_refs_;  // instance id -> subnet, checked after
  std::set<std::string> inactive_peerings_;
  std::set<std::string> dns_attribute_read_;  // VPCs whose describe-vpc-attribute was read

  SourceLoc loc(const Doc& d) const { return SourceLoc{d.file, 0, 0}; }
  void warn(const Doc& d, const std::string& path, const std::string& code, const std::string& msg) {
    diags_.warning(loc(d), code, path + ": " + msg);
  }
  void warn(const char* file, const std::string& path, const std::string& code, const std::string& msg) {
    diags_.warning(SourceLoc{file, 0, 0}, code, path + ": " + msg);
  }
  void note(const Doc& d, const std::string& path, const std::string& code, const std::string& msg) {
    diags_.note(loc(d), code, path + ": " + msg);
  }
  model::Origin origin(const Doc& d) const {
    model::Origin o;
    o.account = d.account;
    o.region = d.region;
    o.loc = loc(d);
    return o;
  }

  void read_docs(const fs::path& root);
  void default_folders();
  void dispatch();
  // Each reads one list; `path` is the JSON path of the list ("$.Vpcs").
  void vpcs(const Doc& d, const json& a, const std::string& path);
  void subnets(const Doc& d, const json& a, const std::string& path);
  void route_tables(const Doc& d, const json& a, const std::string& path);
  void security_groups(const Doc& d, const json& a, const std::string& path);
  void network_acls(const Doc& d, const json& a, const std::string& path);
  void peerings(const Doc& d, const json& a, const std::string& path);
  void reservations(const Doc& d, const json& a, const std::string& path);
  void instance(const Doc& d, const json& i, const std::string& path);
  void network_interface(const Doc& d, const json& e, const std::string& path, const std::string& instance_id);
  void internet_gateways(const Doc& d, const json& a, const std::string& path);
  void nat_gateways(const Doc& d, const json& a, const std::string& path);
  void addresses(const Doc& d, const json& a, const std::string& path);
  void load_balancers(const Doc& d, const json& a, const std::string& path);
  void listeners(const Doc& d, const json& a, const std::string& path);
  void rules(const Doc& d, const json& a, const std::string& path);
  void target_groups(const Doc& d, const json& a, const std::string& path);
  void target_health(const Doc& d, const std::string& tg_arn, const json& a, const std::string& path);
  void attributes(const Doc& d, const std::string& owner_arn, const json& a, const std::string& path);
  void hosted_zones(const Doc& d, const json& a, const std::string& path);
  model::HostedZone* hosted_zone(const Doc& d, const json& z, const std::string& path);
  void zone_vpcs(const Doc& d, model::HostedZone& z, const json& a, const std::string& path);
  void record_sets(const Doc& d, const std::string& zone_id, const json& a, const std::string& path);
  void vpc_attribute(const Doc& d, const json& root);
  void unmodeled(const Doc& d, const KeyInfo& k, const json& a, const std::string& path);

  bool parse_sg_permission(const Doc& d, const json& p, const std::string& path, Direction dir,
                           const std::string& owner, std::vector<SecurityGroupRule>& out);
  std::optional<alb::Action> action(const Doc& d, const json& a, const std::string& path);
  std::optional<alb::RuleCondition> condition(const Doc& d, const json& c, const std::string& path);

  void link();
};

// ---------------------------------------------------------------- reading

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

void Loader::dispatch() {
  // Kinds are read in dependency order (ENIs before the load balancers that
  // own them, listeners before rules), whatever the file order.
  static const Kind order[] = {
      Kind::kVpcs, Kind::kVpcAttribute, Kind::kSubnets, Kind::kInternetGateways, Kind::kPeerings,
      Kind::kRouteTables, Kind::kSecurityGroups, Kind::kNetworkAcls, Kind::kNetworkInterfaces,
      Kind::kReservations, Kind::kInstances, Kind::kNatGateways, Kind::kAddresses, Kind::kLoadBalancers,
      Kind::kTargetGroups, Kind::kListeners, Kind::kLoadBalancerListeners, Kind::kRules,
      Kind::kTargetHealthDescriptions, Kind::kLoadBalancerTargetHealth, Kind::kAttributes,
      Kind::kLoadBalancerAttributes, Kind::kHostedZones, Kind::kHostedZone, Kind::kResourceRecordSets,
      Kind::kUnmodeled};
  // Unknown keys first, once per file.
  for (const auto& d : docs_) {
    for (const auto& [key, val] : d.root.items()) {
      if (!lookup_key(d.root, key))
        note(d, "$." + key, "SNAP_UNKNOWN_KEY", "top-level key '" + key + "' is not read by vpclab");
    }
  }
  for (Kind k : order) {
    for (const auto& d : docs_) {
      for (const auto& [key, val] : d.root.items()) {
        const KeyInfo* info = lookup_key(d.root, key);
        if (!info || info->kind != k) continue;
        std::string path = "$." + key;
        if (k == Kind::kVpcAttribute) {
          if (key == "EnableDnsSupport" || !d.root.contains("EnableDnsSupport")) vpc_attribute(d, d.root);
          continue;
        }
        if (k == Kind::kHostedZone) {
          if (model::HostedZone* z = hosted_zone(d, val, path)) {
            if (const json* v = array(d.root, "VPCs")) zone_vpcs(d, *z, *v, "$.VPCs");
          }
          continue;
        }
        if (!val.is_array()) {
          warn(d, path, "SNAP_SHAPE", "expected a list; skipped");
          continue;
        }
        switch (k) {
          case Kind::kVpcs: vpcs(d, val, path); break;
          case Kind::kSubnets: subnets(d, val, path); break;
          case Kind::kRouteTables: route_tables(d, val, path); break;
          case Kind::kSecurityGroups: security_groups(d, val, path); break;
          case Kind::kNetworkAcls: network_acls(d, val, path); break;
          case Kind::kPeerings: peerings(d, val, path); break;
          case Kind::kReservations: reservations(d, val, path); break;
          case Kind::kInstances:
            for (size_t i = 0; i < val.size(); ++i) instance(d, val[i], path + "[" + std::to_string(i) + "]");
            break;
          case Kind::kNetworkInterfaces:
            for (size_t i = 0; i < val.size(); ++i)
              network_interface(d, val[i], path + "[" + std::to_string(i) + "]", "");
            break;
          case Kind::kInternetGateways: internet_gateways(d, val, path); break;
          case Kind::kNatGateways: nat_gateways(d, val, path); break;
          case Kind::kAddresses: addresses(d, val, path); break;
          case Kind::kLoadBalancers: load_balancers(d, val, path); break;
          case Kind::kListeners: listeners(d, val, path); break;
          case Kind::kLoadBalancerListeners:
            for (size_t i = 0; i < val.size(); ++i)
              if (const json* l = array(val[i], "Listeners"))
                listeners(d, *l, path + "[" + std::to_string(i) + "].Listeners");
            break;
          case Kind::kRules: rules(d, val, path); break;
          case Kind::kTargetGroups: target_groups(d, val, path); break;
          case Kind::kTargetHealthDescriptions: {
            std::string tg = str(d.root, "TargetGroupArn");
            if (tg.empty() && net_.target_groups.size() == 1) tg = net_.target_groups[0].arn;
            if (tg.empty()) {
              warn(d, path, "SNAP_NO_OWNER",
                   "describe-target-health output without TargetGroupArn; targets not read (save it as "
                   "scripts/snapshot does, with --query adding TargetGroupArn)");
              break;
            }
            target_health(d, tg, val, path);
            break;
          }
          case Kind::kLoadBalancerTargetHealth:
            for (size_t i = 0; i < val.size(); ++i) {
              std::string p = path + "[" + std::to_string(i) + "]";
              if (const json* t = array(val[i], "TargetHealthDescriptions"))
                target_health(d, str(val[i], "TargetGroupArn"), *t, p + ".TargetHealthDescriptions");
            }
            break;
          case Kind::kAttributes: {
            std::string owner = str(d.root, "LoadBalancerArn");
            if (owner.empty()) owner = str(d.root, "TargetGroupArn");
            if (owner.empty()) {
              warn(d, path, "SNAP_NO_OWNER",
                   "attributes without LoadBalancerArn or TargetGroupArn; not read (save them as "
                   "scripts/snapshot does)");
              break;
            }
            attributes(d, owner, val, path);
            break;
          }
          case Kind::kLoadBalancerAttributes:
            for (size_t i = 0; i < val.size(); ++i) {
              std::string owner = str(val[i], "LoadBalancerArn");
              if (owner.empty()) owner = str(val[i], "TargetGroupArn");
              if (const json* a = array(val[i], "Attributes"))
                attributes(d, owner, *a, path + "[" + std::to_string(i) + "].Attributes");
            }
            break;
          case Kind::kHostedZones: hosted_zones(d, val, path); break;
          case Kind::kResourceRecordSets: record_sets(d, str(d.root, "HostedZoneId"), val, path); break;
          case Kind::kUnmodeled: unmodeled(d, *info, val, path); break;
          default: break;
        }
      }
    }
  }
}

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::optional<Ipv4Cidr> cidr_of(const std::string& text) { return Ipv4Cidr::parse(text); }

void Loader::vpcs(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& v = a[i];
    std::string p = at(path, i);
    model::Vpc vpc;
    vpc.id = str(v, "VpcId");
    if (vpc.id.empty()) {
      warn(d, p, "SNAP_MISSING", "VPC without VpcId; skipped");
      continue;
    }
    if (vpc_ix_.count(vpc.id)) continue;  // the same VPC seen from another file
    vpc.origin = origin(d);
    vpc.name = name_tag(v);
    std::string primary = str(v, "CidrBlock");
    auto c = cidr_of(primary);
    if (!c) {
      warn(d, p + ".CidrBlock", "SNAP_BAD_VALUE", "VPC " + vpc.id + " has no valid IPv4 CidrBlock; skipped");
      continue;
    }
    vpc.cidrs.push_back(*c);
    vpc.cidr_locs.push_back(vpc.origin.loc);
    if (const json* set = array(v, "CidrBlockAssociationSet")) {
      for (size_t k = 0; k < set->size(); ++k) {
        const json& assoc = (*set)[k];
        std::string state;
        if (const json* s = field(assoc, "CidrBlockState")) state = str(*s, "State");
        if (!state.empty() && state != "associated") continue;
        auto sc = cidr_of(str(assoc, "CidrBlock"));
        if (!sc || *sc == *c) continue;
        vpc.cidrs.push_back(*sc);
        vpc.cidr_locs.push_back(vpc.origin.loc);
      }
    }
    // describe-vpcs does not print the DNS attributes (describe-vpc-attribute
    // does); AWS's defaults: support on, hostnames on only in a default VPC.
    vpc.enable_dns_hostnames = boolean(v, "IsDefault").value_or(false);
    vpc_ix_[vpc.id] = net_.vpcs.size();
    net_.vpcs.push_back(std::move(vpc));
  }
}

void Loader::vpc_attribute(const Doc& d, const json& root) {
  std::string id = str(root, "VpcId");
  auto it = vpc_ix_.find(id);
  if (it == vpc_ix_.end()) {
    warn(d, "$.VpcId", "SNAP_DANGLING", "attributes of unknown VPC " + id + "; ignored");
    return;
  }
  auto& vpc = net_.vpcs[it->second];
  if (field(root, "EnableDnsHostnames")) dns_attribute_read_.insert(id);
  if (const json* s = field(root, "EnableDnsSupport")) {
    if (auto b = boolean(*s, "Value")) vpc.enable_dns_support = *b;
  }
  if (const json* s = field(root, "EnableDnsHostnames")) {
    if (auto b = boolean(*s, "Value")) vpc.enable_dns_hostnames = *b;
  }
}

void Loader::subnets(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& s = a[i];
    std::string p = at(path, i);
    model::Subnet sn;
    sn.id = str(s, "SubnetId");
    if (sn.id.empty()) {
      warn(d, p, "SNAP_MISSING", "subnet without SubnetId; skipped");
      continue;
    }
    if (subnet_ix_.count(sn.id)) continue;
    sn.origin = origin(d);
    sn.name = name_tag(s);
    sn.vpc = str(s, "VpcId");
    auto c = cidr_of(str(s, "CidrBlock"));
    if (!c) {
      warn(d, p + ".CidrBlock", "SNAP_BAD_VALUE", "subnet " + sn.id + " has no valid IPv4 CidrBlock; skipped");
      continue;
    }
    if (!vpc_ix_.count(sn.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "subnet " + sn.id + " in unknown VPC " + sn.vpc + "; skipped");
      continue;
    }
    sn.cidr = *c;
    sn.cidr_loc = sn.origin.loc;
    sn.availability_zone = str(s, "AvailabilityZone");
    sn.map_public_ip_on_launch = boolean(s, "MapPublicIpOnLaunch").value_or(false);
    subnet_ix_[sn.id] = net_.subnets.size();
    net_.subnets.push_back(std::move(sn));
  }
}

void Loader::internet_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& g = a[i];
    model::InternetGateway igw;
    igw.id = str(g, "InternetGatewayId");
    if (igw.id.empty() || igw_ix_.count(igw.id)) continue;
    igw.origin = origin(d);
    if (const json* att = array(g, "Attachments")) {
      for (size_t k = 0; k < att->size(); ++k) {
        std::string state = str((*att)[k], "State");
        std::string vpc = str((*att)[k], "VpcId");
        if (state != "available" && state != "attached" && !state.empty()) continue;
        if (!vpc_ix_.count(vpc)) {
          warn(d, at(path, i) + ".Attachments[" + std::to_string(k) + "]", "SNAP_DANGLING",
               "internet gateway " + igw.id + " attached to unknown VPC " + vpc + "; treated as detached");
          continue;
        }
        igw.vpc = vpc;
        net_.vpcs[vpc_ix_[vpc]].internet_gateway = igw.id;
      }
    }
    igw_ix_[igw.id] = net_.internet_gateways.size();
    net_.internet_gateways.push_back(std::move(igw));
  }
}

model::PeeringState peering_state(const std::string& code, bool& known) {
  known = true;
  if (code == "active") return model::PeeringState::kActive;
  if (code == "pending-acceptance" || code == "initiating-request" || code == "provisioning")
    return model::PeeringState::kPendingAcceptance;
  if (code == "failed") return model::PeeringState::kFailed;
  if (code == "rejected") return model::PeeringState::kRejected;
  if (code == "deleted" || code == "deleting" || code == "expired") return model::PeeringState::kDeleted;
  known = false;
  return model::PeeringState::kFailed;
}

void Loader::peerings(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::VpcPeeringConnection pcx;
    pcx.id = str(x, "VpcPeeringConnectionId");
    if (pcx.id.empty() || pcx_ix_.count(pcx.id) || inactive_peerings_.count(pcx.id)) continue;
    pcx.origin = origin(d);
    auto side = [&](const char* key, model::PeeringSide& s) {
      const json* info = field(x, key);
      if (!info) return;
      s.vpc = str(*info, "VpcId");
      s.account = str(*info, "OwnerId");
      s.region = str(*info, "Region");
      if (s.account.empty()) s.account = d.account;
      if (s.region.empty()) s.region = d.region;
      if (const json* o = field(*info, "PeeringOptions"))
        s.allow_dns_resolution_from_remote_vpc = boolean(*o, "AllowDnsResolutionFromRemoteVpc").value_or(false);
    };
    side("RequesterVpcInfo", pcx.requester);
    side("AccepterVpcInfo", pcx.accepter);
    std::string code, message;
    if (const json* st = field(x, "Status")) {
      code = str(*st, "Code");
      message = str(*st, "Message");
    }
    bool known = false;
    pcx.state = peering_state(code, known);
    if (!known) warn(d, p + ".Status.Code", "SNAP_BAD_VALUE", "unknown peering state '" + code + "'; treated as failed");
    pcx.state_reason = message;
    pcx.state_from_input = true;
    pcx.accepted = pcx.state == model::PeeringState::kActive;
    // Deleted, rejected and failed peerings carry nothing and usually name
    // VPCs that are gone: AWS keeps them listed for a while only.
    if (pcx.state == model::PeeringState::kDeleted || pcx.state == model::PeeringState::kRejected ||
        pcx.state == model::PeeringState::kFailed) {
      note(d, p, "SNAP_INACTIVE", "peering " + pcx.id + " is " + code + "; not modeled");
      inactive_peerings_.insert(pcx.id);
      continue;
    }
    bool req = vpc_ix_.count(pcx.requester.vpc), acc = vpc_ix_.count(pcx.accepter.vpc);
    if (!req || !acc) {
      const auto& missing = req ? pcx.accepter : pcx.requester;
      warn(d, p, "SNAP_OUTSIDE",
           "peering " + pcx.id + ": VPC " + missing.vpc + " (account " + missing.account + ", " + missing.region +
               ") is not in the snapshot; paths across this peering are not modeled");
      if (unmodeled_ids_.insert(pcx.id).second)
        net_.unmodeled.push_back({"AWS::EC2::VPCPeeringConnection", pcx.id, pcx.origin});
      continue;
    }
    pcx_ix_[pcx.id] = net_.peerings.size();
    net_.peerings.push_back(std::move(pcx));
  }
}

RouteTargetKind target_kind_of_gateway(const std::string& id) {
  if (id.rfind("igw-", 0) == 0) return RouteTargetKind::kInternetGateway;
  if (id.rfind("vgw-", 0) == 0) return RouteTargetKind::kVpnGateway;
  if (id.rfind("vpce-", 0) == 0) return RouteTargetKind::kVpcEndpoint;
  if (id.rfind("eigw-", 0) == 0) return RouteTargetKind::kEgressOnlyInternetGateway;
  return RouteTargetKind::kInternetGateway;
}

void Loader::route_tables(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& t = a[i];
    std::string p = at(path, i);
    model::RouteTable rt;
    rt.id = str(t, "RouteTableId");
    if (rt.id.empty() || rtb_ix_.count(rt.id)) continue;
    rt.origin = origin(d);
    rt.name = name_tag(t);
    rt.vpc = str(t, "VpcId");
    if (!vpc_ix_.count(rt.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "route table " + rt.id + " in unknown VPC " + rt.vpc + "; skipped");
      continue;
    }
    size_t table_ix = net_.route_tables.size();
    if (const json* as = array(t, "Associations")) {
      for (size_t k = 0; k < as->size(); ++k) {
        const json& assoc = (*as)[k];
        std::string state;
        if (const json* s = field(assoc, "AssociationState")) state = str(*s, "State");
        if (!state.empty() && state != "associated") continue;
        if (boolean(assoc, "Main").value_or(false)) {
          rt.main = true;
          net_.vpcs[vpc_ix_[rt.vpc]].main_route_table = rt.id;
        }
        std::string subnet = str(assoc, "SubnetId");
        if (!subnet.empty())
          rtb_assocs_.push_back({subnet, rt.id, d.file, p + ".Associations[" + std::to_string(k) + "]"});
      }
    }
    if (const json* routes = array(t, "Routes")) {
      for (size_t k = 0; k < routes->size(); ++k) {
        const json& r = (*routes)[k];
        std::string rp = p + ".Routes[" + std::to_string(k) + "]";
        Route route;
        route.loc = rt.origin.loc;
        std::string dest = str(r, "DestinationCidrBlock");
        if (!dest.empty()) {
          route.destination = cidr_of(dest);
          if (!route.destination) {
            warn(d, rp + ".DestinationCidrBlock", "SNAP_BAD_VALUE", "invalid CIDR '" + dest + "'; route skipped");
            continue;
          }
        }
        route.destination_ipv6 = str(r, "DestinationIpv6CidrBlock");
        route.destination_prefix_list = str(r, "DestinationPrefixListId");
        if (!route.destination && route.destination_ipv6.empty() && route.destination_prefix_list.empty()) {
          warn(d, rp, "SNAP_MISSING", "route without a destination; skipped");
          continue;
        }
        std::string gw = str(r, "GatewayId");
        // finalize() adds the local route of every VPC CIDR block itself.
        if (gw == "local") continue;
        struct T { const char* key; RouteTargetKind kind; };
        // InstanceId before NetworkInterfaceId: AWS prints both for a route
        // to an instance, and the template front end keeps the instance.
        static const T targets[] = {
            {"InstanceId", RouteTargetKind::kInstance},
            {"NatGatewayId", RouteTargetKind::kNatGateway},
            {"VpcPeeringConnectionId", RouteTargetKind::kVpcPeeringConnection},
            {"NetworkInterfaceId", RouteTargetKind::kNetworkInterface},
            {"TransitGatewayId", RouteTargetKind::kTransitGateway},
            {"EgressOnlyInternetGatewayId", RouteTargetKind::kEgressOnlyInternetGateway},
            {"CarrierGatewayId", RouteTargetKind::kCarrierGateway},
            {"LocalGatewayId", RouteTargetKind::kLocalGateway},
            {"CoreNetworkArn", RouteTargetKind::kCoreNetwork},
        };
        bool found = false;
        if (!gw.empty()) {
          route.target_kind = target_kind_of_gateway(gw);
          route.target_id = gw;
          found = true;
        } else {
          for (const auto& tk : targets) {
            std::string id = str(r, tk.key);
            if (id.empty()) continue;
            route.target_kind = tk.kind;
            route.target_id = id;
            found = true;
            break;
          }
        }
        if (!found) {
          // A route whose target was deleted prints no target, state blackhole.
          route.target_kind = RouteTargetKind::kInternetGateway;
          route.state = RouteState::kBlackhole;
          if (str(r, "State") != "blackhole")
            warn(d, rp, "SNAP_MISSING", "route without a target; treated as blackhole");
        }
        if (str(r, "State") == "blackhole") route.state = RouteState::kBlackhole;
        std::string origin_text = str(r, "Origin");
        route.propagated = origin_text == "EnableVgwRoutePropagation";
        route_refs_.push_back({table_ix, rt.routes.size(), d.file, rp});
        rt.routes.push_back(std::move(route));
      }
    }
    rtb_ix_[rt.id] = table_ix;
    net_.route_tables.push_back(std::move(rt));
  }
}

bool Loader::parse_sg_permission(const Doc& d, const json& p, const std::string& path, Direction dir,
                                 const std::string& owner, std::vector<SecurityGroupRule>& out) {
  SecurityGroupRule base;
  base.direction = dir;
  base.loc = loc(d);
  std::string proto_text = str(p, "IpProtocol");
  if (proto_text.empty()) {
    if (auto n = integer(p, "IpProtocol")) proto_text = std::to_string(*n);
  }
  auto proto = parse_protocol(proto_text);
  if (!proto) {
    warn(d, path + ".IpProtocol", "SNAP_BAD_VALUE", "unknown protocol '" + proto_text + "'; permission skipped");
    return false;
  }
  base.protocol = *proto;
  auto from = integer(p, "FromPort"), to = integer(p, "ToPort");
  if (protocol_has_ports(base.protocol)) {
    if (from && to && *from >= 0 && *to <= 65535 && *from <= *to) {
      base.ports = PortRange{static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
    } else if (from && to && *from == -1 && *to == -1) {
      base.ports = PortRange::all();
    } else if (from || to) {
      warn(d, path, "SNAP_BAD_VALUE", "invalid port range; permission skipped");
      return false;
    }
  } else if (base.protocol == kIcmp || base.protocol == kIcmpv6) {
    base.icmp_type = static_cast<int>(from.value_or(-1));
    base.icmp_code = static_cast<int>(to.value_or(-1));
  }
  size_t before = out.size();
  if (const json* r = array(p, "IpRanges")) {
    for (size_t k = 0; k < r->size(); ++k) {
      auto c = cidr_of(str((*r)[k], "CidrIp"));
      if (!c) {
        warn(d, path + ".IpRanges[" + std::to_string(k) + "]", "SNAP_BAD_VALUE", "invalid CidrIp; skipped");
        continue;
      }
      SecurityGroupRule rule = base;
      rule.cidr = c;
      rule.description = str((*r)[k], "Description");
      out.push_back(rule);
    }
  }
  if (const json* r = array(p, "Ipv6Ranges")) {
    for (const auto& x : *r) {
      SecurityGroupRule rule = base;
      rule.cidr_ipv6 = str(x, "CidrIpv6");
      rule.description = str(x, "Description");
      out.push_back(rule);
    }
  }
  if (const json* r = array(p, "PrefixListIds")) {
    for (const auto& x : *r) {
      SecurityGroupRule rule = base;
      rule.prefix_list_id = str(x, "PrefixListId");
      rule.description = str(x, "Description");
      out.push_back(rule);
    }
  }
  if (const json* r = array(p, "UserIdGroupPairs")) {
    for (const auto& x : *r) {
      SecurityGroupRule rule = base;
      rule.group_id = str(x, "GroupId");
      std::string user = str(x, "UserId");
      if (!user.empty() && user != owner) rule.group_owner = user;
      rule.description = str(x, "Description");
      out.push_back(rule);
    }
  }
  return out.size() > before;
}

void Loader::security_groups(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& g = a[i];
    std::string p = at(path, i);
    model::SecurityGroup sg;
    sg.id = str(g, "GroupId");
    if (sg.id.empty() || sg_ix_.count(sg.id)) continue;
    sg.origin = origin(d);
    sg.group_name = str(g, "GroupName");
    sg.vpc = str(g, "VpcId");
    if (!vpc_ix_.count(sg.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "security group " + sg.id + " in unknown VPC '" + sg.vpc + "'; skipped");
      continue;
    }
    std::string owner = str(g, "OwnerId");
    sg.is_default = sg.group_name == "default";
    for (auto [key, dir] : {std::pair{"IpPermissions", Direction::kIngress},
                            std::pair{"IpPermissionsEgress", Direction::kEgress}}) {
      const json* perms = array(g, key);
      if (!perms) continue;
      auto& rules = dir == Direction::kIngress ? sg.ingress : sg.egress;
      for (size_t k = 0; k < perms->size(); ++k)
        parse_sg_permission(d, (*perms)[k], p + "." + key + "[" + std::to_string(k) + "]", dir, owner, rules);
    }
    if (sg.is_default) net_.vpcs[vpc_ix_[sg.vpc]].default_security_group = sg.id;
    sg_ix_[sg.id] = net_.security_groups.size();
    net_.security_groups.push_back(std::move(sg));
  }
}

void Loader::network_acls(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& n = a[i];
    std::string p = at(path, i);
    model::NetworkAcl acl;
    acl.id = str(n, "NetworkAclId");
    if (acl.id.empty() || acl_ix_.count(acl.id)) continue;
    acl.origin = origin(d);
    acl.vpc = str(n, "VpcId");
    if (!vpc_ix_.count(acl.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "network ACL " + acl.id + " in unknown VPC " + acl.vpc + "; skipped");
      continue;
    }
    acl.is_default = boolean(n, "IsDefault").value_or(false);
    if (const json* entries = array(n, "Entries")) {
      for (size_t k = 0; k < entries->size(); ++k) {
        const json& e = (*entries)[k];
        std::string ep = p + ".Entries[" + std::to_string(k) + "]";
        NetworkAclEntry entry;
        entry.loc = acl.origin.loc;
        auto num = integer(e, "RuleNumber");
        if (!num || *num < semantics::kNaclMinRuleNumber || *num > semantics::kNaclImplicitDenyRuleNumber) {
          warn(d, ep + ".RuleNumber", "SNAP_BAD_VALUE", "invalid rule number; entry skipped");
          continue;
        }
        // The "*" entry every NACL ends with: finalize() adds it, as for templates.
        if (*num == semantics::kNaclImplicitDenyRuleNumber) continue;
        entry.rule_number = static_cast<int>(*num);
        entry.direction = boolean(e, "Egress").value_or(false) ? Direction::kEgress : Direction::kIngress;
        entry.allow = str(e, "RuleAction") == "allow";
        std::string proto_text = str(e, "Protocol");
        if (proto_text.empty()) {
          if (auto pn = integer(e, "Protocol")) proto_text = std::to_string(*pn);
        }
        auto proto = parse_protocol(proto_text);
        if (!proto) {
          warn(d, ep + ".Protocol", "SNAP_BAD_VALUE", "unknown protocol '" + proto_text + "'; entry skipped");
          continue;
        }
        entry.protocol = *proto;
        if (const json* pr = field(e, "PortRange")) {
          auto f = integer(*pr, "From"), t = integer(*pr, "To");
          if (f && t && *f >= 0 && *t <= 65535 && *f <= *t)
            entry.ports = PortRange{static_cast<uint16_t>(*f), static_cast<uint16_t>(*t)};
        }
        if (const json* ic = field(e, "IcmpTypeCode")) {
          entry.icmp_type = static_cast<int>(integer(*ic, "Type").value_or(-1));
          entry.icmp_code = static_cast<int>(integer(*ic, "Code").value_or(-1));
        }
        std::string c = str(e, "CidrBlock");
        if (!c.empty()) {
          entry.cidr = cidr_of(c);
          if (!entry.cidr) {
            warn(d, ep + ".CidrBlock", "SNAP_BAD_VALUE", "invalid CIDR; entry skipped");
            continue;
          }
        }
        entry.cidr_ipv6 = str(e, "Ipv6CidrBlock");
        (entry.direction == Direction::kIngress ? acl.ingress : acl.egress).push_back(entry);
      }
    }
    auto by_number = [](const NetworkAclEntry& x, const NetworkAclEntry& y) { return x.rule_number < y.rule_number; };
    std::stable_sort(acl.ingress.begin(), acl.ingress.end(), by_number);
    std::stable_sort(acl.egress.begin(), acl.egress.end(), by_number);
    if (const json* as = array(n, "Associations")) {
      for (size_t k = 0; k < as->size(); ++k)
        acl_assocs_.push_back({str((*as)[k], "SubnetId"), acl.id, d.file,
                               p + ".Associations[" + std::to_string(k) + "]"});
    }
    if (acl.is_default) net_.vpcs[vpc_ix_[acl.vpc]].default_network_acl = acl.id;
    acl_ix_[acl.id] = net_.network_acls.size();
    net_.network_acls.push_back(std::move(acl));
  }
}

// "ELB app/NAME/ID" -> "app/NAME/ID"
std::string elb_full_name_of(const std::string& description) {
  if (description.rfind("ELB ", 0) != 0) return {};
  return description.substr(4);
}

void Loader::network_interface(const Doc& d, const json& e, const std::string& p, const std::string& instance_id) {
  std::string id = str(e, "NetworkInterfaceId");
  if (id.empty()) {
    warn(d, p, "SNAP_MISSING", "network interface without NetworkInterfaceId; skipped");
    return;
  }
  auto existing = eni_ix_.find(id);
  if (existing != eni_ix_.end()) {
    // Seen in describe-network-interfaces already: describe-instances only
    // adds who owns it.
    auto& eni = net_.network_interfaces[existing->second];
    if (!instance_id.empty()) {
      eni.owner_kind = model::EniOwnerKind::kInstance;
      eni.owner_id = instance_id;
    }
    return;
  }
  model::NetworkInterface eni;
  eni.id = id;
  eni.origin = origin(d);
  eni.subnet = str(e, "SubnetId");
  auto sit = subnet_ix_.find(eni.subnet);
  if (sit == subnet_ix_.end()) {
    warn(d, p + ".SubnetId", "SNAP_DANGLING", "network interface " + id + " in unknown subnet '" + eni.subnet + "'; skipped");
    return;
  }
  eni.vpc = net_.subnets[sit->second].vpc;
  auto ip = Ipv4Address::parse(str(e, "PrivateIpAddress"));
  if (!ip) {
    warn(d, p + ".PrivateIpAddress", "SNAP_BAD_VALUE", "network interface " + id + " has no private IPv4 address; skipped");
    return;
  }
  eni.private_ip = *ip;
  if (const json* assoc = field(e, "Association")) {
    if (auto pub = Ipv4Address::parse(str(*assoc, "PublicIp"))) eni.public_ip = pub;
  }
  if (const json* ips = array(e, "PrivateIpAddresses")) {
    for (const auto& x : *ips) {
      if (boolean(x, "Primary").value_or(false)) continue;
      if (auto s = Ipv4Address::parse(str(x, "PrivateIpAddress")); s && *s != eni.private_ip)
        eni.secondary_private_ips.push_back(*s);
    }
  }
  if (const json* groups = array(e, "Groups")) {
    for (const auto& g : *groups) {
      std::string gid = str(g, "GroupId");
      if (!gid.empty()) eni.security_groups.push_back(gid);
    }
  }
  eni.source_dest_check = boolean(e, "SourceDestCheck").value_or(true);
  std::string type = str(e, "InterfaceType");
  std::string desc = str(e, "Description");
  std::string attached_instance;
  if (const json* att = field(e, "Attachment")) attached_instance = str(*att, "InstanceId");
  if (!instance_id.empty() || !attached_instance.empty()) {
    eni.owner_kind = model::EniOwnerKind::kInstance;
    eni.owner_id = instance_id.empty() ? attached_instance : instance_id;
  } else if (type == "nat_gateway" || desc.rfind("Interface for NAT Gateway ", 0) == 0) {
    eni.owner_kind = model::EniOwnerKind::kNatGateway;
    if (desc.rfind("Interface for NAT Gateway ", 0) == 0) eni.owner_id = desc.substr(26);
  } else if (!elb_full_name_of(desc).empty()) {
    eni.owner_kind = model::EniOwnerKind::kLoadBalancer;
    eni.owner_id = elb_full_name_of(desc);  // replaced by the ARN in link()
  }
  eni_ix_[id] = net_.network_interfaces.size();
  net_.network_interfaces.push_back(std::move(eni));
}

model::InstanceState instance_state(const std::string& name) {
  if (name == "stopped" || name == "stopping") return model::InstanceState::kStopped;
  if (name == "terminated" || name == "shutting-down") return model::InstanceState::kTerminated;
  return model::InstanceState::kRunning;
}

void Loader::instance(const Doc& d, const json& i, const std::string& p) {
  model::Instance inst;
  inst.id = str(i, "InstanceId");
  if (inst.id.empty() || inst_ix_.count(inst.id)) return;
  std::string state;
  if (const json* s = field(i, "State")) state = str(*s, "Name");
  inst.state = instance_state(state);
  if (inst.state == model::InstanceState::kTerminated) {
    note(d, p, "SNAP_INACTIVE", "instance " + inst.id + " is " + state + "; not modeled");
    return;
  }
  inst.origin = origin(d);
  inst.name = name_tag(i);
  inst.subnet = str(i, "SubnetId");
  if (!subnet_ix_.count(inst.subnet)) {
    warn(d, p + ".SubnetId", "SNAP_DANGLING", "instance " + inst.id + " in unknown subnet '" + inst.subnet + "'; skipped");
    return;
  }
  auto ip = Ipv4Address::parse(str(i, "PrivateIpAddress"));
  if (!ip) {
    warn(d, p + ".PrivateIpAddress", "SNAP_BAD_VALUE", "instance " + inst.id + " has no private IPv4 address; skipped");
    return;
  }
  inst.private_ip = *ip;
  if (auto pub = Ipv4Address::parse(str(i, "PublicIpAddress"))) inst.public_ip = pub;
  inst.private_dns_name = str(i, "PrivateDnsName");
  inst.public_dns_name = str(i, "PublicDnsName");
  inst.key_name = str(i, "KeyName");
  inst.image_id = str(i, "ImageId");
  inst.instance_type = str(i, "InstanceType");
  if (const json* enis = array(i, "NetworkInterfaces")) {
    std::vector<std::pair<long long, std::string>> by_index;
    for (size_t k = 0; k < enis->size(); ++k) {
      const json& e = (*enis)[k];
      size_t before = net_.network_interfaces.size();
      network_interface(d, e, p + ".NetworkInterfaces[" + std::to_string(k) + "]", inst.id);
      (void)before;
      std::string eid = str(e, "NetworkInterfaceId");
      if (!eni_ix_.count(eid)) continue;
      long long dev = 0;
      if (const json* att = field(e, "Attachment")) dev = integer(*att, "DeviceIndex").value_or(0);
      by_index.emplace_back(dev, eid);
    }
    std::stable_sort(by_index.begin(), by_index.end());
    for (auto& [dev, eid] : by_index) inst.network_interfaces.push_back(eid);
  }
  if (inst.network_interfaces.empty()) {
    // Older dumps without NetworkInterfaces: one interface from the
    // instance's own fields, so the instance still has an address.
    json e = {{"NetworkInterfaceId", "eni-of-" + inst.id}, {"SubnetId", inst.subnet},
              {"PrivateIpAddress", ip->str()}};
    if (inst.public_ip) e["Association"] = {{"PublicIp", inst.public_ip->str()}};
    json groups = json::array();
    if (const json* sgs = array(i, "SecurityGroups"))
      for (const auto& g : *sgs) groups.push_back({{"GroupId", str(g, "GroupId")}});
    e["Groups"] = groups;
    network_interface(d, e, p, inst.id);
    inst.network_interfaces.push_back("eni-of-" + inst.id);
  }
  inst_ix_[inst.id] = net_.instances.size();
  net_.instances.push_back(std::move(inst));
}

void Loader::reservations(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json* insts = array(a[i], "Instances");
    if (!insts) {
      warn(d, at(path, i), "SNAP_SHAPE", "reservation without Instances; skipped");
      continue;
    }
    for (size_t k = 0; k < insts->size(); ++k)
      instance(d, (*insts)[k], at(path, i) + ".Instances[" + std::to_string(k) + "]");
  }
}

void Loader::nat_gateways(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& n = a[i];
    std::string p = at(path, i);
    model::NatGateway nat;
    nat.id = str(n, "NatGatewayId");
    if (nat.id.empty() || nat_ix_.count(nat.id)) continue;
    std::string state = str(n, "State");
    if (state != "available" && state != "pending" && !state.empty()) {
      note(d, p, "SNAP_INACTIVE", "NAT gateway " + nat.id + " is " + state + "; not modeled");
      continue;
    }
    nat.origin = origin(d);
    nat.subnet = str(n, "SubnetId");
    if (!subnet_ix_.count(nat.subnet)) {
      warn(d, p + ".SubnetId", "SNAP_DANGLING", "NAT gateway " + nat.id + " in unknown subnet; skipped");
      continue;
    }
    nat.is_public = str(n, "ConnectivityType") != "private";
    const json* addrs = array(n, "NatGatewayAddresses");
    if (!addrs || addrs->empty()) {
      warn(d, p, "SNAP_MISSING", "NAT gateway " + nat.id + " without NatGatewayAddresses; skipped");
      continue;
    }
    const json& primary = (*addrs)[0];
    auto ip = Ipv4Address::parse(str(primary, "PrivateIp"));
    if (!ip) {
      warn(d, p + ".NatGatewayAddresses[0].PrivateIp", "SNAP_BAD_VALUE", "NAT gateway without private IP; skipped");
      continue;
    }
    nat.private_ip = *ip;
    nat.public_ip = Ipv4Address::parse(str(primary, "PublicIp"));
    nat.network_interface = str(primary, "NetworkInterfaceId");
    if (nat.network_interface.empty()) nat.network_interface = "eni-of-" + nat.id;
    auto eit = eni_ix_.find(nat.network_interface);
    if (eit == eni_ix_.end()) {
      // describe-network-interfaces not in the snapshot: the NAT gateway's
      // interface is known from its own description.
      model::NetworkInterface eni;
      eni.id = nat.network_interface;
      eni.origin = nat.origin;
      eni.subnet = nat.subnet;
      eni.vpc = net_.subnets[subnet_ix_[nat.subnet]].vpc;
      eni.private_ip = nat.private_ip;
      eni.public_ip = nat.public_ip;
      eni.owner_kind = model::EniOwnerKind::kNatGateway;
      eni.owner_id = nat.id;
      eni.source_dest_check = false;
      eni_ix_[eni.id] = net_.network_interfaces.size();
      net_.network_interfaces.push_back(std::move(eni));
    } else {
      auto& eni = net_.network_interfaces[eit->second];
      eni.owner_kind = model::EniOwnerKind::kNatGateway;
      eni.owner_id = nat.id;
      if (!eni.public_ip) eni.public_ip = nat.public_ip;
    }
    nat_ix_[nat.id] = net_.nat_gateways.size();
    net_.nat_gateways.push_back(std::move(nat));
  }
}

void Loader::addresses(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::ElasticIp eip;
    eip.allocation_id = str(x, "AllocationId");
    auto pub = Ipv4Address::parse(str(x, "PublicIp"));
    if (!pub) {
      warn(d, p + ".PublicIp", "SNAP_BAD_VALUE", "address without a valid PublicIp; skipped");
      continue;
    }
    if (eip.allocation_id.empty()) eip.allocation_id = "eipalloc-of-" + pub->str();
    if (eip_ix_.count(eip.allocation_id)) continue;
    eip.origin = origin(d);
    eip.public_ip = *pub;
    eip.network_interface = str(x, "NetworkInterfaceId");
    if (!eip.network_interface.empty()) {
      auto it = eni_ix_.find(eip.network_interface);
      if (it == eni_ix_.end()) {
        warn(d, p + ".NetworkInterfaceId", "SNAP_DANGLING",
             "elastic IP " + pub->str() + " associated with unknown interface " + eip.network_interface +
                 "; treated as unassociated");
        eip.network_interface.clear();
      } else if (!net_.network_interfaces[it->second].public_ip) {
        net_.network_interfaces[it->second].public_ip = *pub;
      }
    }
    eip_ix_[eip.allocation_id] = net_.elastic_ips.size();
    net_.elastic_ips.push_back(std::move(eip));
  }
}

// "arn:...:loadbalancer/app/NAME/ID" -> "app/NAME/ID"
std::string after(const std::string& arn, const std::string& marker) {
  auto pos = arn.find(marker);
  return pos == std::string::npos ? std::string() : arn.substr(pos + marker.size());
}

void Loader::load_balancers(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::LoadBalancer lb;
    lb.arn = str(x, "LoadBalancerArn");
    if (lb.arn.empty() || lb_ix_.count(lb.arn)) continue;
    std::string state;
    if (const json* s = field(x, "State")) state = str(*s, "Code");
    if (!state.empty() && state != "active" && state != "active_impaired" && state != "provisioning") {
      note(d, p, "SNAP_INACTIVE", "load balancer " + lb.arn + " is " + state + "; not modeled");
      continue;
    }
    lb.origin = origin(d);
    lb.name = str(x, "LoadBalancerName");
    lb.type = str(x, "Type");
    if (lb.type.empty()) lb.type = "application";
    lb.internal = str(x, "Scheme") == "internal";
    lb.vpc = str(x, "VpcId");
    lb.dns_name = str(x, "DNSName");
    lb.canonical_hosted_zone_id = str(x, "CanonicalHostedZoneId");
    lb.full_name = after(lb.arn, ":loadbalancer/");
    if (!vpc_ix_.count(lb.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "load balancer " + lb.name + " in unknown VPC " + lb.vpc + "; skipped");
      continue;
    }
    if (const json* sgs = array(x, "SecurityGroups"))
      for (const auto& g : *sgs)
        if (g.is_string()) lb.security_groups.push_back(g.get<std::string>());
    if (const json* azs = array(x, "AvailabilityZones")) {
      for (size_t k = 0; k < azs->size(); ++k) {
        const json& z = (*azs)[k];
        std::string subnet = str(z, "SubnetId");
        if (!subnet_ix_.count(subnet)) {
          warn(d, p + ".AvailabilityZones[" + std::to_string(k) + "].SubnetId", "SNAP_DANGLING",
               "load balancer " + lb.name + " in unknown subnet " + subnet + "; that zone is left out");
          continue;
        }
        lb.subnets.push_back(subnet);
        // Node addresses: the ELB's interfaces in that subnet (below), or
        // what an NLB lists as its per-zone addresses.
        model::LoadBalancerNode node;
        node.subnet = subnet;
        node.availability_zone = str(z, "ZoneName");
        for (const auto& e : net_.network_interfaces) {
          if (e.owner_kind == model::EniOwnerKind::kLoadBalancer && e.owner_id == lb.full_name && e.subnet == subnet) {
            node.network_interface = e.id;
            node.private_ip = e.private_ip;
            node.public_ip = e.public_ip;
            break;
          }
        }
        if (node.network_interface.empty()) {
          if (const json* addrs = array(z, "LoadBalancerAddresses")) {
            for (const auto& la : *addrs) {
              if (auto pip = Ipv4Address::parse(str(la, "PrivateIPv4Address"))) node.private_ip = *pip;
              if (auto pub = Ipv4Address::parse(str(la, "IpAddress"))) node.public_ip = pub;
            }
          }
        }
        if (!node.network_interface.empty() || node.private_ip.value != 0) lb.nodes.push_back(node);
      }
    }
    // Some zones without a known node address: leave all nodes to finalize(),
    // which fills them only when none are given.
    if (lb.nodes.size() != lb.subnets.size()) lb.nodes.clear();
    for (auto& e : net_.network_interfaces)
      if (e.owner_kind == model::EniOwnerKind::kLoadBalancer && e.owner_id == lb.full_name) e.owner_id = lb.arn;
    if (lb.type != "application") {
      std::string what = lb.type == "network" ? "Network Load Balancer" : lb.type + " load balancer";
      warn(d, p, "SNAP_UNMODELED",
           what + " " + lb.name + " is not modeled; paths through it are reported unknown");
      if (unmodeled_ids_.insert(lb.arn).second)
        net_.unmodeled.push_back({"AWS::ElasticLoadBalancingV2::LoadBalancer", lb.arn, lb.origin});
    }
    lb_ix_[lb.arn] = net_.load_balancers.size();
    net_.load_balancers.push_back(std::move(lb));
  }
}

std::optional<alb::RuleCondition> Loader::condition(const Doc& d, const json& c, const std::string& p) {
  alb::RuleCondition rc;
  std::string f = str(c, "Field");
  auto values_of = [&](const char* config) {
    std::vector<std::string> v;
    const json* cfg = field(c, config);
    const json* vals = cfg ? array(*cfg, "Values") : array(c, "Values");
    if (vals)
      for (const auto& x : *vals)
        if (x.is_string()) v.push_back(x.get<std::string>());
    return v;
  };
  if (f == "host-header") {
    rc.field = alb::ConditionField::kHostHeader;
    rc.values = values_of("HostHeaderConfig");
  } else if (f == "path-pattern") {
    rc.field = alb::ConditionField::kPathPattern;
    rc.values = values_of("PathPatternConfig");
  } else if (f == "http-header") {
    rc.field = alb::ConditionField::kHttpHeader;
    if (const json* cfg = field(c, "HttpHeaderConfig")) rc.header_name = str(*cfg, "HttpHeaderName");
    rc.values = values_of("HttpHeaderConfig");
  } else if (f == "http-request-method") {
    rc.field = alb::ConditionField::kHttpRequestMethod;
    rc.values = values_of("HttpRequestMethodConfig");
  } else if (f == "query-string") {
    rc.field = alb::ConditionField::kQueryString;
    if (const json* cfg = field(c, "QueryStringConfig"))
      if (const json* vals = array(*cfg, "Values"))
        for (const auto& kv : *vals) {
          alb::QueryStringPair q;
          if (const json* k = field(kv, "Key"); k && k->is_string()) q.key = k->get<std::string>();
          q.value = str(kv, "Value");
          rc.query.push_back(q);
        }
  } else if (f == "source-ip") {
    rc.field = alb::ConditionField::kSourceIp;
    for (const auto& v : values_of("SourceIpConfig")) {
      if (auto cidr = cidr_of(v)) rc.source_cidrs.push_back(*cidr);
      else
        warn(d, p, "SNAP_BAD_VALUE", "source-ip value '" + v + "' is not an IPv4 CIDR; left out");
    }
  } else {
    warn(d, p + ".Field", "SNAP_BAD_VALUE", "unknown condition field '" + f + "'; rule skipped");
    return std::nullopt;
  }
  return rc;
}

std::optional<alb::Action> Loader::action(const Doc& d, const json& a, const std::string& p) {
  alb::Action act;
  std::string type = str(a, "Type");
  act.order = static_cast<int>(integer(a, "Order").value_or(0));
  if (type == "forward") {
    act.type = alb::ActionType::kForward;
    const json* fc = field(a, "ForwardConfig");
    if (const json* tgs = fc ? array(*fc, "TargetGroups") : nullptr) {
      for (const auto& t : *tgs)
        act.target_groups.push_back({str(t, "TargetGroupArn"), static_cast<int>(integer(t, "Weight").value_or(1))});
      if (const json* st = field(*fc, "TargetGroupStickinessConfig")) {
        act.group_stickiness = boolean(*st, "Enabled").value_or(false);
        act.group_stickiness_seconds = static_cast<int>(integer(*st, "DurationSeconds").value_or(3600));
      }
    }
    if (act.target_groups.empty()) {
      std::string tg = str(a, "TargetGroupArn");
      if (tg.empty()) {
        warn(d, p, "SNAP_MISSING", "forward action without a target group; skipped");
        return std::nullopt;
      }
      act.target_groups.push_back({tg, 1});
    }
  } else if (type == "redirect") {
    act.type = alb::ActionType::kRedirect;
    if (const json* rc = field(a, "RedirectConfig")) {
      auto set = [&](const char* key, std::string& out) {
        std::string v = str(*rc, key);
        if (!v.empty()) out = v;
      };
      set("Protocol", act.redirect.protocol);
      set("Host", act.redirect.host);
      set("Port", act.redirect.port);
      set("Path", act.redirect.path);
      if (field(*rc, "Query")) act.redirect.query = str(*rc, "Query");
      act.redirect.status_code = str(*rc, "StatusCode") == "HTTP_302" ? 302 : 301;
    }
  } else if (type == "fixed-response") {
    act.type = alb::ActionType::kFixedResponse;
    if (const json* fr = field(a, "FixedResponseConfig")) {
      act.fixed_response.status_code = static_cast<int>(integer(*fr, "StatusCode").value_or(200));
      act.fixed_response.content_type = str(*fr, "ContentType");
      act.fixed_response.body = str(*fr, "MessageBody");
    }
  } else if (type == "authenticate-oidc") {
    act.type = alb::ActionType::kAuthenticateOidc;
  } else if (type == "authenticate-cognito") {
    act.type = alb::ActionType::kAuthenticateCognito;
  } else {
    warn(d, p + ".Type", "SNAP_BAD_VALUE", "unknown action type '" + type + "'; skipped");
    return std::nullopt;
  }
  return act;
}

std::vector<alb::Action> sorted_actions(std::vector<alb::Action> v) {
  std::stable_sort(v.begin(), v.end(), [](const alb::Action& a, const alb::Action& b) { return a.order < b.order; });
  return v;
}

void Loader::listeners(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::Listener l;
    l.arn = str(x, "ListenerArn");
    if (l.arn.empty() || listener_ix_.count(l.arn)) continue;
    l.origin = origin(d);
    l.load_balancer = str(x, "LoadBalancerArn");
    if (!lb_ix_.count(l.load_balancer)) {
      warn(d, p + ".LoadBalancerArn", "SNAP_DANGLING", "listener of unknown load balancer " + l.load_balancer + "; skipped");
      continue;
    }
    l.protocol = str(x, "Protocol");
    auto port = integer(x, "Port");
    if (!port || *port < 1 || *port > 65535) {
      warn(d, p + ".Port", "SNAP_BAD_VALUE", "listener without a valid port; skipped");
      continue;
    }
    l.port = static_cast<uint16_t>(*port);
    l.default_rule.arn = l.arn;
    l.default_rule.priority = 0;
    l.default_rule.loc = l.origin.loc;
    if (const json* acts = array(x, "DefaultActions")) {
      std::vector<alb::Action> v;
      for (size_t k = 0; k < acts->size(); ++k)
        if (auto act = action(d, (*acts)[k], p + ".DefaultActions[" + std::to_string(k) + "]")) v.push_back(*act);
      l.default_rule.actions = sorted_actions(std::move(v));
    }
    listener_ix_[l.arn] = net_.listeners.size();
    net_.listeners.push_back(std::move(l));
  }
}

void Loader::rules(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    if (boolean(x, "IsDefault").value_or(false) || str(x, "Priority") == "default") continue;  // the listener's own
    alb::ListenerRule rule;
    rule.arn = str(x, "RuleArn");
    rule.loc = loc(d);
    // arn:...:listener-rule/app/NAME/LB/LISTENER/RULE -> arn:...:listener/app/NAME/LB/LISTENER
    std::string listener_arn;
    auto pos = rule.arn.find(":listener-rule/");
    auto slash = rule.arn.rfind('/');
    if (pos != std::string::npos && slash != std::string::npos && slash > pos)
      listener_arn = rule.arn.substr(0, pos) + ":listener/" + rule.arn.substr(pos + 15, slash - pos - 15);
    auto lit = listener_ix_.find(listener_arn);
    if (lit == listener_ix_.end()) {
      warn(d, p + ".RuleArn", "SNAP_DANGLING", "rule of unknown listener '" + listener_arn + "'; skipped");
      continue;
    }
    auto prio = integer(x, "Priority");
    if (!prio || *prio < 1 || *prio > 50000) {
      warn(d, p + ".Priority", "SNAP_BAD_VALUE", "rule without a valid priority; skipped");
      continue;
    }
    rule.priority = static_cast<int>(*prio);
    bool ok = true;
    if (const json* cs = array(x, "Conditions")) {
      for (size_t k = 0; k < cs->size() && ok; ++k) {
        auto c = condition(d, (*cs)[k], p + ".Conditions[" + std::to_string(k) + "]");
        if (c) rule.conditions.push_back(*c);
        else ok = false;
      }
    }
    std::vector<alb::Action> acts;
    if (const json* as = array(x, "Actions"))
      for (size_t k = 0; k < as->size(); ++k)
        if (auto act = action(d, (*as)[k], p + ".Actions[" + std::to_string(k) + "]")) acts.push_back(*act);
    if (!ok || acts.empty()) continue;
    rule.actions = sorted_actions(std::move(acts));
    auto& l = net_.listeners[lit->second];
    bool dup = false;
    for (const auto& r : l.rules) dup |= r.arn == rule.arn;
    if (dup) continue;
    l.rules.push_back(std::move(rule));
    std::stable_sort(l.rules.begin(), l.rules.end(),
                     [](const alb::ListenerRule& a, const alb::ListenerRule& b) { return a.priority < b.priority; });
  }
}

void Loader::target_groups(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::TargetGroup tg;
    tg.arn = str(x, "TargetGroupArn");
    if (tg.arn.empty() || tg_ix_.count(tg.arn)) continue;
    tg.origin = origin(d);
    tg.name = str(x, "TargetGroupName");
    tg.full_name = after(tg.arn, ":targetgroup/");
    if (!tg.full_name.empty()) tg.full_name = "targetgroup/" + tg.full_name;
    tg.target_type = str(x, "TargetType");
    if (tg.target_type.empty()) tg.target_type = "instance";
    tg.protocol = str(x, "Protocol");
    tg.port = static_cast<uint16_t>(integer(x, "Port").value_or(0));
    std::string pv = str(x, "ProtocolVersion");
    if (!pv.empty()) tg.protocol_version = pv;
    tg.vpc = str(x, "VpcId");
    auto& hc = tg.health_check;
    hc.enabled = boolean(x, "HealthCheckEnabled").value_or(true);
    if (auto s = str(x, "HealthCheckProtocol"); !s.empty()) hc.protocol = s;
    if (auto s = str(x, "HealthCheckPort"); !s.empty()) hc.port = s;
    if (auto s = str(x, "HealthCheckPath"); !s.empty()) hc.path = s;
    if (auto n = integer(x, "HealthCheckIntervalSeconds")) hc.interval_seconds = static_cast<int>(*n);
    if (auto n = integer(x, "HealthCheckTimeoutSeconds")) hc.timeout_seconds = static_cast<int>(*n);
    if (auto n = integer(x, "HealthyThresholdCount")) hc.healthy_threshold = static_cast<int>(*n);
    if (auto n = integer(x, "UnhealthyThresholdCount")) hc.unhealthy_threshold = static_cast<int>(*n);
    if (const json* m = field(x, "Matcher")) {
      if (auto s = str(*m, "HttpCode"); !s.empty()) hc.matcher = s;
    }
    if (const json* lbs = array(x, "LoadBalancerArns"))
      for (const auto& l : *lbs)
        if (l.is_string()) tg.load_balancers.push_back(l.get<std::string>());
    tg_ix_[tg.arn] = net_.target_groups.size();
    net_.target_groups.push_back(std::move(tg));
  }
}

void Loader::target_health(const Doc& d, const std::string& tg_arn, const json& a, const std::string& path) {
  auto it = tg_ix_.find(tg_arn);
  if (it == tg_ix_.end()) {
    warn(d, path, "SNAP_DANGLING", "target health of unknown target group '" + tg_arn + "'; skipped");
    return;
  }
  auto& tg = net_.target_groups[it->second];
  for (size_t i = 0; i < a.size(); ++i) {
    const json* t = field(a[i], "Target");
    if (!t) continue;
    model::Target target;
    target.id = str(*t, "Id");
    if (target.id.empty()) continue;
    // describe-target-health prints the port of every target; the model
    // keeps only overrides of the group's port.
    if (auto port = integer(*t, "Port"); port && *port > 0 && *port <= 65535 && *port != tg.port)
      target.port = static_cast<uint16_t>(*port);
    target.availability_zone = str(*t, "AvailabilityZone");
    target.loc = loc(d);
    bool dup = false;
    for (const auto& x : tg.targets) dup |= x.id == target.id && x.port == target.port;
    if (!dup) tg.targets.push_back(std::move(target));
  }
}

void Loader::attributes(const Doc& d, const std::string& owner, const json& a, const std::string& path) {
  std::map<std::string, std::string> kv;
  for (const auto& x : a) kv[str(x, "Key")] = str(x, "Value");
  auto get = [&](const char* k) -> const std::string* {
    auto it = kv.find(k);
    return it == kv.end() || it->second.empty() ? nullptr : &it->second;
  };
  auto as_int = [](const std::string& s, int def) {
    try {
      return std::stoi(s);
    } catch (...) {
      return def;
    }
  };
  if (auto lit = lb_ix_.find(owner); lit != lb_ix_.end()) {
    auto& at = net_.load_balancers[lit->second].attributes;
    if (auto v = get("idle_timeout.timeout_seconds")) at.idle_timeout_seconds = as_int(*v, at.idle_timeout_seconds);
    if (auto v = get("routing.http.xff_header_processing.mode")) at.xff_header_processing_mode = *v;
    if (auto v = get("routing.http.xff_client_port.enabled")) at.xff_client_port = *v == "true";
    if (auto v = get("routing.http.preserve_host_header.enabled")) at.preserve_host_header = *v == "true";
    if (auto v = get("routing.http.drop_invalid_header_fields.enabled")) at.drop_invalid_header_fields = *v == "true";
    if (auto v = get("routing.http.desync_mitigation_mode")) at.desync_mitigation_mode = *v;
    if (auto v = get("routing.http2.enabled")) at.http2_enabled = *v == "true";
    return;
  }
  if (auto tit = tg_ix_.find(owner); tit != tg_ix_.end()) {
    auto& at = net_.target_groups[tit->second].attributes;
    if (auto v = get("deregistration_delay.timeout_seconds"))
      at.deregistration_delay_seconds = as_int(*v, at.deregistration_delay_seconds);
    if (auto v = get("slow_start.duration_seconds")) at.slow_start_seconds = as_int(*v, at.slow_start_seconds);
    if (auto v = get("load_balancing.algorithm.type")) at.algorithm = *v;
    if (auto v = get("stickiness.enabled")) at.stickiness_enabled = *v == "true";
    if (auto v = get("stickiness.type")) at.stickiness_type = *v;
    if (auto v = get("stickiness.lb_cookie.duration_seconds"))
      at.lb_cookie_duration_seconds = as_int(*v, at.lb_cookie_duration_seconds);
    if (auto v = get("stickiness.app_cookie.cookie_name")) at.app_cookie_name = *v;
    if (auto v = get("stickiness.app_cookie.duration_seconds"))
      at.app_cookie_duration_seconds = as_int(*v, at.app_cookie_duration_seconds);
    if (auto v = get("load_balancing.cross_zone.enabled")) at.cross_zone = *v;
    return;
  }
  warn(d, path, "SNAP_DANGLING", "attributes of unknown load balancer or target group '" + owner + "'; skipped");
}

// "/hostedzone/Z123" -> "Z123"
std::string zone_id_of(const std::string& id) {
  auto slash = id.rfind('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

// Route 53 prints some characters as \ooo octal escapes ("\052" for "*").
std::string unescape_dns(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 2])) && std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

model::HostedZone* Loader::hosted_zone(const Doc& d, const json& z, const std::string& path) {
  std::string id = zone_id_of(str(z, "Id"));
  if (id.empty()) {
    warn(d, path + ".Id", "SNAP_MISSING", "hosted zone without Id; skipped");
    return nullptr;
  }
  auto it = zone_ix_.find(id);
  if (it != zone_ix_.end()) return &net_.hosted_zones[it->second];
  model::HostedZone hz;
  hz.id = id;
  hz.origin = origin(d);
  hz.name = dns::normalize_name(unescape_dns(str(z, "Name")));
  if (const json* cfg = field(z, "Config")) hz.is_private = boolean(*cfg, "PrivateZone").value_or(false);
  zone_ix_[id] = net_.hosted_zones.size();
  net_.hosted_zones.push_back(std::move(hz));
  return &net_.hosted_zones.back();
}

void Loader::hosted_zones(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) hosted_zone(d, a[i], at(path, i));
}

void Loader::zone_vpcs(const Doc& d, model::HostedZone& z, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    model::HostedZoneVpc v{str(a[i], "VPCId"), str(a[i], "VPCRegion")};
    if (v.vpc.empty()) continue;
    if (!vpc_ix_.count(v.vpc)) {
      note(d, at(path, i), "SNAP_OUTSIDE",
           "hosted zone " + z.name + " is associated with VPC " + v.vpc + ", which is not in the snapshot");
      continue;
    }
    bool dup = false;
    for (const auto& x : z.vpcs) dup |= x.vpc == v.vpc;
    if (!dup) z.vpcs.push_back(v);
  }
}

void Loader::record_sets(const Doc& d, const std::string& zone_id_in, const json& a, const std::string& path) {
  std::string zone_id = zone_id_of(zone_id_in);
  if (zone_id.empty()) {
    // Raw list-resource-record-sets output: the zone is the apex of its SOA.
    for (const auto& r : a) {
      if (str(r, "Type") != "SOA") continue;
      std::string apex = dns::normalize_name(unescape_dns(str(r, "Name")));
      int matches = 0;
      for (const auto& z : net_.hosted_zones)
        if (z.name == apex) {
          zone_id = z.id;
          ++matches;
        }
      if (matches != 1) zone_id.clear();
    }
  }
  auto it = zone_ix_.find(zone_id);
  if (it == zone_ix_.end()) {
    warn(d, path, "SNAP_NO_OWNER",
         "record sets of an unknown hosted zone '" + zone_id + "'; not read (save them as scripts/snapshot does)");
    return;
  }
  auto& z = net_.hosted_zones[it->second];
  for (size_t i = 0; i < a.size(); ++i) {
    const json& r = a[i];
    dns::Record rec;
    rec.name = dns::normalize_name(unescape_dns(str(r, "Name")));
    rec.type = str(r, "Type");
    rec.ttl = static_cast<int>(integer(r, "TTL").value_or(300));
    rec.set_identifier = str(r, "SetIdentifier");
    rec.loc = loc(d);
    if (const json* vals = array(r, "ResourceRecords"))
      for (const auto& v : *vals) rec.values.push_back(str(v, "Value"));
    if (const json* alias = field(r, "AliasTarget")) {
      rec.is_alias = true;
      rec.alias.dns_name = dns::normalize_name(str(*alias, "DNSName"));
      rec.alias.hosted_zone_id = str(*alias, "HostedZoneId");
      rec.alias.evaluate_target_health = boolean(*alias, "EvaluateTargetHealth").value_or(false);
    }
    if (rec.name.empty() || rec.type.empty()) {
      warn(d, at(path, i), "SNAP_MISSING", "record without Name or Type; skipped");
      continue;
    }
    bool dup = false;
    for (const auto& x : z.records)
      dup |= x.name == rec.name && x.type == rec.type && x.set_identifier == rec.set_identifier;
    if (!dup) z.records.push_back(std::move(rec));
  }
}

void Loader::unmodeled(const Doc& d, const KeyInfo& k, const json& a, const std::string& path) {
  size_t n = 0;
  for (const auto& x : a) {
    std::string id = str(x, k.id_field);
    if (id.empty() || !unmodeled_ids_.insert(id).second) continue;
    net_.unmodeled.push_back({k.unmodeled_type, id, origin(d)});
    ++n;
  }
  if (n)
    note(d, path, "SNAP_UNMODELED",
         std::to_string(n) + " " + k.unmodeled_type + " not modeled; paths through them are reported unknown");
}

// ---------------------------------------------------------------- linking

bool unmodeled_target(RouteTargetKind k) {
  switch (k) {
    case RouteTargetKind::kVpnGateway:
    case RouteTargetKind::kTransitGateway:
    case RouteTargetKind::kVpcEndpoint:
    case RouteTargetKind::kEgressOnlyInternetGateway:
    case RouteTargetKind::kCarrierGateway:
    case RouteTargetKind::kLocalGateway:
    case RouteTargetKind::kCoreNetwork:
      return true;
    default:
      return false;
  }
}

void Loader::link() {
  for (const auto& a : rtb_assocs_) {
    auto it = subnet_ix_.find(a.subnet);
    if (it == subnet_ix_.end()) {
      warn(a.file, a.path, "SNAP_DANGLING", "association with unknown subnet " + a.subnet + "; ignored");
      continue;
    }
    auto& s = net_.subnets[it->second];
    s.route_table = a.target;
    s.route_table_explicit = true;
  }
  for (const auto& a : acl_assocs_) {
    auto it = subnet_ix_.find(a.subnet);
    if (it == subnet_ix_.end()) {
      warn(a.file, a.path, "SNAP_DANGLING", "association with unknown subnet " + a.subnet + "; ignored");
      continue;
    }
    net_.subnets[it->second].network_acl = a.target;
  }
  // Routes whose target is not in the snapshot: AWS shows them as blackhole.
  for (const auto& ref : route_refs_) {
    auto& rt = net_.route_tables[ref.table];
    auto& r = rt.routes[ref.route];
    if (r.target_id.empty()) continue;
    bool exists = true;
    switch (r.target_kind) {
      case RouteTargetKind::kInternetGateway: {
        auto it = igw_ix_.find(r.target_id);
        exists = it != igw_ix_.end() && net_.internet_gateways[it->second].vpc == rt.vpc;
        break;
      }
      case RouteTargetKind::kNatGateway: exists = nat_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kVpcPeeringConnection: exists = pcx_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kNetworkInterface: exists = eni_ix_.count(r.target_id) > 0; break;
      case RouteTargetKind::kInstance: exists = inst_ix_.count(r.target_id) > 0; break;
      default: exists = true; break;
    }
    if (exists || unmodeled_target(r.target_kind)) continue;
    if (r.state == RouteState::kBlackhole) continue;  // AWS says so too
    std::string why = unmodeled_ids_.count(r.target_id) ? " (outside the snapshot)" : "";
    warn(ref.file, ref.path, "SNAP_DANGLING",
         "route to missing " + r.target_id + why + "; treated as blackhole");
    r.state = RouteState::kBlackhole;
  }
  // Rules referencing a group that is not in the snapshot (deleted, or in a
  // region or account not captured) match nothing.
  for (auto& g : net_.security_groups) {
    for (auto* rules : {&g.ingress, &g.egress}) {
      std::erase_if(*rules, [&](const SecurityGroupRule& r) {
        if (r.group_id.empty() || sg_ix_.count(r.group_id)) return false;
        diags_.warning(r.loc, "SNAP_DANGLING",
                       "security group " + g.id + " has a rule referencing " +
                           (r.group_owner.empty() ? "" : r.group_owner + "/") + r.group_id +
                           ", which is not in the snapshot; the rule matches nothing here");
        return true;
      });
    }
  }
  // DNS hostnames: describe-vpcs does not print the attribute, but a public
  // DNS name on an instance shows it is on.
  for (const auto& i : net_.instances) {
    if (i.public_dns_name.empty()) continue;
    auto sit = subnet_ix_.find(i.subnet);
    if (sit == subnet_ix_.end()) continue;
    auto vit = vpc_ix_.find(net_.subnets[sit->second].vpc);
    if (vit != vpc_ix_.end() && !dns_attribute_read_.count(vit->first)) net_.vpcs[vit->second].enable_dns_hostnames = true;
  }
  // Target groups in a VPC that is not in the snapshot.
  std::erase_if(net_.target_groups, [&](const model::TargetGroup& tg) {
    if (tg.target_type == "lambda" || vpc_ix_.count(tg.vpc)) return false;
    diags_.warning(tg.origin.loc, "SNAP_DANGLING",
                   "target group " + tg.name + " is in VPC " + tg.vpc + ", which is not in the snapshot; skipped");
    return true;
  });
  tg_ix_.clear();
  for (size_t i = 0; i < net_.target_groups.size(); ++i) tg_ix_[net_.target_groups[i].arn] = i;
  // Security groups named by interfaces and load balancers.
  for (auto& e : net_.network_interfaces) {
    std::vector<std::string> kept;
    for (const auto& g : e.security_groups) {
      if (sg_ix_.count(g)) kept.push_back(g);
      else
        diags_.warning(e.origin.loc, "SNAP_DANGLING",
                       "network interface " + e.id + " names unknown security group " + g + "; left out");
    }
    e.security_groups = kept;
  }
  for (auto& lb : net_.load_balancers) {
    std::vector<std::string> kept;
    for (const auto& g : lb.security_groups) {
      if (sg_ix_.count(g)) kept.push_back(g);
      else
        diags_.warning(lb.origin.loc, "SNAP_DANGLING",
                       "load balancer " + lb.name + " names unknown security group " + g + "; left out");
    }
    lb.security_groups = kept;
  }
  // Target groups: which load balancers forward to them (when describe-
  // target-groups' LoadBalancerArns is missing), and targets that exist.
  for (const auto& l : net_.listeners) {
    auto note_tg = [&](const alb::ListenerRule& r) {
      for (const auto& act : r.actions)
        for (const auto& w : act.target_groups) {
          auto it = tg_ix_.find(w.target_group_arn);
          if (it == tg_ix_.end()) {
            diags_.warning(l.origin.loc, "SNAP_DANGLING",
                           "listener " + l.arn + " forwards to unknown target group " + w.target_group_arn);
            continue;
          }
          auto& lbs = net_.target_groups[it->second].load_balancers;
          if (std::find(lbs.begin(), lbs.end(), l.load_balancer) == lbs.end()) lbs.push_back(l.load_balancer);
        }
    };
    note_tg(l.default_rule);
    for (const auto& r : l.rules) note_tg(r);
  }
  for (auto& tg : net_.target_groups) {
    if (tg.target_type != "instance") continue;
    std::erase_if(tg.targets, [&](const model::Target& t) {
      if (inst_ix_.count(t.id)) return false;
      diags_.warning(t.loc, "SNAP_DANGLING",
                     "target group " + tg.name + " registers instance " + t.id + ", which is not in the snapshot; left out");
      return true;
    });
  }
  // Accounts and their regions.
  std::map<std::string, std::set<std::string>> regions;
  for (const auto& d : docs_) regions[d.account].insert(d.region);
  for (const auto& [acct, rs] : regions) net_.accounts.push_back({acct, {rs.begin(), rs.end()}});
}

std::shared_ptr<const model::Network> Loader::run(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    diags_.error(SourceLoc{intern_file(path), 0, 0}, "SNAP_NOT_DIR", "not a snapshot directory");
    return nullptr;
  }
  read_docs(path);
  if (docs_.empty()) {
    diags_.error(SourceLoc{intern_file(path), 0, 0}, "SNAP_EMPTY", "no JSON files found");
    return nullptr;
  }
  default_folders();
  dispatch();
  link();
  if (net_.vpcs.empty())
    diags_.warning(SourceLoc{intern_file(path), 0, 0}, "SNAP_NO_VPCS", "the snapshot holds no VPC");
  model::AddressPlan plan;
  model::FinalizeOptions opts;
  // finalize() checks what the AWS APIs would reject. A snapshot shows what
  // AWS did accept (older rules, or data edited by hand), so its findings are
  // warnings here and the model carries on.
  Diagnostics checks;
  model::finalize(net_, plan, checks, opts);
  for (auto d : checks.items()) {
    // link() reported those with their JSON path already.
    if (d.code == "ROUTE_TARGET_UNKNOWN") continue;
    if (d.severity == Severity::kError) {
      d.severity = Severity::kWarning;
      d.message += " (as deployed; carried on)";
    }
    diags_.add(std::move(d));
  }
  return std::make_shared<const model::Network>(std::move(net_));
}

}  // namespace

bool is_snapshot_dir(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return false;
  size_t seen = 0;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end && seen < 200; it.increment(ec)) {
    if (it->is_directory(ec)) {
      if (it.depth() >= 4) it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() != ".json") continue;
    ++seen;
    Diagnostics ignored;
    auto j = parse_file(it->path(), it->path().string(), ignored);
    if (!j || !j->is_object()) continue;
    for (const auto& [key, val] : j->items()) {
      const KeyInfo* k = lookup_key(*j, key);
      if (k && k->kind != Kind::kCompanion && k->kind != Kind::kIgnored) return true;
    }
  }
  return false;
}

LoadResult load_snapshot(const std::string& path) {
  LoadResult r;
  Loader loader(r.diags);
  r.network = loader.run(path);
  if (r.diags.has_errors()) r.network.reset();
  return r;
}

}  // namespace vpclab::snapshot
