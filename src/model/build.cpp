// finalize(): the implicit resources AWS adds, effective state, and the
// checks the AWS APIs would make, over a Network a front end filled in.
//
// Diagnostic codes (stable; each reported at the declaration's SourceLoc):
//   VPC_CIDR_SIZE VPC_CIDR_OVERLAP VPC_CIDR_LIMIT(w) VPC_DNS_HOSTNAMES_WITHOUT_SUPPORT(w)
//   SUBNET_UNKNOWN_VPC SUBNET_CIDR_SIZE SUBNET_OUTSIDE_VPC SUBNET_OVERLAP SUBNET_FULL
//   SUBNET_RTB_UNKNOWN SUBNET_RTB_OTHER_VPC SUBNET_NACL_UNKNOWN SUBNET_NACL_OTHER_VPC
//   RTB_UNKNOWN_VPC ROUTE_NO_DESTINATION ROUTE_DUPLICATE_DESTINATION ROUTE_MORE_SPECIFIC_THAN_LOCAL
//   ROUTE_TARGET_UNKNOWN(w) ROUTE_TARGET_OTHER_VPC ROUTE_TARGET_NOT_ATTACHED(w) ROUTE_TARGET_NOT_ACTIVE(w)
//   IGW_UNKNOWN_VPC IGW_VPC_HAS_GATEWAY
//   NAT_UNKNOWN_SUBNET NAT_NO_ELASTIC_IP
//   EIP_UNKNOWN_ENI
//   PCX_UNKNOWN_VPC PCX_SAME_VPC PCX_DUPLICATE PCX_CIDR_OVERLAP(w, state failed)
//   PCX_PENDING_ACCEPTANCE(w) PCX_PEER_NOT_MODELED(n)
//   SG_UNKNOWN_VPC SG_UNKNOWN_REFERENCE SG_REFERENCE_NOT_PEERED(w) SG_RULE_PORTS SG_RULE_LIMIT(w)
//   NACL_UNKNOWN_VPC NACL_RULE_NUMBER NACL_DUPLICATE_RULE NACL_RULE_LIMIT(w)
//   ENI_UNKNOWN_SUBNET ENI_ADDRESS_OUTSIDE_SUBNET ENI_ADDRESS_RESERVED ENI_ADDRESS_IN_USE
//   ENI_UNKNOWN_SG ENI_SG_OTHER_VPC ENI_SG_LIMIT
//   INSTANCE_UNKNOWN_ENI
//   LB_NAME LB_UNKNOWN_SUBNET LB_SUBNET_OTHER_VPC LB_AZ_COUNT LB_SUBNET_SAME_AZ LB_SUBNET_SIZE
//   LB_SUBNET_FREE_ADDRESSES LB_VPC_NO_INTERNET_GATEWAY
//   LB_UNKNOWN_SG
//   LISTENER_UNKNOWN_LB LISTENER_PORT LISTENER_PROTOCOL LISTENER_DUPLICATE_PORT
//   RULE_PRIORITY RULE_DUPLICATE_PRIORITY ACTION_NONE ACTION_TERMINAL ACTION_UNKNOWN_TG
//   ACTION_TG_OTHER_VPC ACTION_WEIGHT ACTION_TG_COUNT
//   TG_UNKNOWN_VPC TG_PORT TG_PROTOCOL TG_HEALTH_CHECK TG_UNKNOWN_TARGET TG_TARGET_OTHER_VPC
//   TG_TARGET_PORT
//   ZONE_UNKNOWN_VPC(w) RECORD_OUTSIDE_ZONE
// (w) = warning, (n) = note; all others are errors.
#include "model/build.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace vpclab::model {

// ---------------------------------------------------------------------------
// Deterministic ids

namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// splitmix64's finalizer: spreads FNV's weak low bits over the whole word.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Hash of (salt, key parts, block); parts are length-prefixed so that
// {"ab","c"} and {"a","bc"} differ.
uint64_t key_hash(std::string_view salt, std::initializer_list<std::string_view> key, uint64_t block) {
  uint64_t h = fnv1a(kFnvOffset, salt);
  for (auto part : key) {
    h = fnv1a(h, std::to_string(part.size()));
    h = fnv1a(h, ":");
    h = fnv1a(h, part);
  }
  h = fnv1a(h, std::to_string(block));
  return mix(h);
}

std::string hex_of(std::string_view salt, size_t n, std::initializer_list<std::string_view> key) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n);
  for (uint64_t block = 0; out.size() < n; ++block) {
    uint64_t h = key_hash(salt, key, block);
    for (int i = 0; i < 16 && out.size() < n; ++i) out += kHex[(h >> (60 - 4 * i)) & 15];
  }
  return out;
}

}  // namespace

std::string make_id(std::string_view prefix, std::initializer_list<std::string_view> key) {
  // AWS's 17-digit ids start with 0 in practice (vpc-0a1b...): 0 + 64 bits.
  return std::string(prefix) + "-0" + hex_of(prefix, 16, key);
}

std::string make_hex(size_t n, std::initializer_list<std::string_view> key) { return hex_of("hex", n, key); }

std::string make_digits(size_t n, std::initializer_list<std::string_view> key) {
  std::string out;
  out.reserve(n);
  for (uint64_t block = 0; out.size() < n; ++block) {
    uint64_t h = key_hash("digits", key, block);
    for (int i = 0; i < 16 && out.size() < n; ++i, h /= 10) out += static_cast<char>('0' + h % 10);
  }
  // A number as AWS prints it never starts with 0.
  if (!out.empty() && out[0] == '0') out[0] = static_cast<char>('1' + key_hash("lead", key, 0) % 9);
  return out;
}

// ---------------------------------------------------------------------------
// Address plan

bool AddressPlan::reserve(const Subnet& subnet, Ipv4Address a) {
  if (!subnet.cidr.contains(a) || subnet.is_reserved(a)) return false;
  return taken_[subnet.id].insert(a.value).second;
}

std::optional<Ipv4Address> AddressPlan::allocate(const Subnet& subnet) {
  auto& taken = taken_[subnet.id];
  // Invariant: every usable address below next_ is taken, so the cursor
  // gives the lowest free address without rescanning.
  auto [it, fresh] = next_.try_emplace(subnet.id, 4);
  uint32_t& off = it->second;
  (void)fresh;
  const uint64_t size = subnet.cidr.size();
  while (off + 1 < size) {
    uint32_t a = subnet.cidr.base.value + off;
    ++off;
    if (taken.insert(a).second) return Ipv4Address{a};
  }
  return std::nullopt;
}

size_t AddressPlan::used(const std::string& subnet_id) const {
  auto it = taken_.find(subnet_id);
  return it == taken_.end() ? 0 : it->second.size();
}

bool AddressPlan::taken(const std::string& subnet_id, Ipv4Address a) const {
  auto it = taken_.find(subnet_id);
  return it != taken_.end() && it->second.count(a.value) > 0;
}

namespace {
struct PublicRange {
  uint32_t base;
  uint32_t count;  // usable addresses, from base+1
};
// 203.0.113.0/24, 198.51.100.0/24, 192.0.2.0/24, 198.18.0.0/15 (see build.h).
constexpr PublicRange kPublicRanges[] = {
    {(203u << 24) | (0u << 16) | (113u << 8), 254},
    {(198u << 24) | (51u << 16) | (100u << 8), 254},
    {(192u << 24) | (0u << 16) | (2u << 8), 254},
    {(198u << 24) | (18u << 16), 131070},
};
std::optional<Ipv4Address> public_at(uint64_t i) {
  for (const auto& r : kPublicRanges) {
    if (i < r.count) return Ipv4Address{r.base + 1 + static_cast<uint32_t>(i)};
    i -= r.count;
  }
  return std::nullopt;
}
}  // namespace

std::optional<Ipv4Address> AddressPlan::allocate_public() {
  while (auto a = public_at(public_next_)) {
    ++public_next_;
    if (public_taken_.insert(a->value).second) return a;
  }
  return std::nullopt;
}

bool AddressPlan::reserve_public(Ipv4Address a) { return public_taken_.insert(a.value).second; }

// ---------------------------------------------------------------------------
// Names

namespace {
std::string dashed(Ipv4Address a) {
  std::string s = a.str();
  std::replace(s.begin(), s.end(), '.', '-');
  return s;
}

// Full name from an ELBv2 ARN: everything after "loadbalancer/" or ":".
std::string arn_resource(const std::string& arn, std::string_view marker) {
  auto p = arn.find(marker);
  return p == std::string::npos ? std::string{} : arn.substr(p + marker.size());
}
}  // namespace

std::string private_dns_name(Ipv4Address a, const std::string& region) {
  if (region == "us-east-1") return "ip-" + dashed(a) + ".ec2.internal";
  return "ip-" + dashed(a) + "." + region + ".compute.internal";
}

std::string public_dns_name(Ipv4Address a, const std::string& region) {
  if (region == "us-east-1") return "ec2-" + dashed(a) + ".compute-1.amazonaws.com";
  return "ec2-" + dashed(a) + "." + region + ".compute.amazonaws.com";
}

std::string elb_canonical_hosted_zone_id(const std::string& region, const std::string& lb_type) {
  // ELB service endpoints table (AWS General Reference): {ALB/CLB, NLB}.
  struct Row {
    const char* region;
    const char* alb;
    const char* nlb;
  };
  static const Row kRows[] = {
      {"af-south-1", "Z268VQBMOI5EKX", "Z203XCE67M25HM"},
      {"ap-east-1", "Z3DQVH9N71FHZ0", "Z12Y7K3UBGUAD1"},
      {"ap-northeast-1", "Z14GRHDCWA56QT", "Z31USIVHYNEOWT"},
      {"ap-northeast-2", "ZWKZPGTI48KDX", "ZIBE1TIR4HY56"},
      {"ap-northeast-3", "Z5LXEXXYW11ES", "Z1GWIQ4HH19I5X"},
      {"ap-south-1", "ZP97RAFLXTNZK", "ZVDDRBQ08TROA"},
      {"ap-southeast-1", "Z1LMS91P8CMLE5", "ZKVM4W9LS7TM"},
      {"ap-southeast-2", "Z1GM3OXH4ZPM65", "ZCT6FZBF4DROD"},
      {"ca-central-1", "ZQSVJUPU6J1EY", "Z2EPGBW3API2WT"},
      {"cn-north-1", "Z1GDH35T77C1KE", "Z3QFB96KMJ7ED6"},
      {"cn-northwest-1", "ZM7IZAIOVVDZF", "ZQEIKTCZ8352D"},
      {"eu-central-1", "Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"},
      {"eu-north-1", "Z23TAZ6LKFMNIO", "Z1UDT6IFJ4EJM"},
      {"eu-south-1", "Z3ULH7SSC9OV64", "Z23146JA1KNAFP"},
      {"eu-west-1", "Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"},
      {"eu-west-2", "ZHURV8PSTC4K8", "ZD4D7Y8KGAS4G"},
      {"eu-west-3", "Z3Q77PNBQS71R4", "Z1CMS0P5QUZ6D5"},
      {"me-south-1", "ZS929ML54UICD", "Z3QSRYVP46NYYV"},
      {"sa-east-1", "Z2P70J7HTTTPLU", "ZTK26PT1VY4CU"},
      {"us-east-1", "Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"},
      {"us-east-2", "Z3AADJGX6KTTL2", "ZLMOA37VPKANP"},
      {"us-gov-east-1", "Z166TLBEWOO7G0", "Z1ZSMQQ6Q24QQ8"},
      {"us-gov-west-1", "Z33AYJ8TM3BH4J", "ZMG1MZ2THAWF1"},
      {"us-west-1", "Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"},
      {"us-west-2", "Z1H1FL5HABSF5", "Z18D5FSROUN65G"},
  };
  for (const auto& r : kRows)
    if (region == r.region) return lb_type == "network" ? r.nlb : r.alb;
  return {};
}

namespace {
const char* lb_type_short(const std::string& type) {
  if (type == "network") return "net";
  if (type == "gateway") return "gwy";
  return "app";
}
}  // namespace

void assign_load_balancer_names(LoadBalancer& lb, const std::string& account, const std::string& region) {
  if (lb.arn.empty()) {
    lb.arn = fmt::format("arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{}/{}/{}", region, account,
                         lb_type_short(lb.type), lb.name, make_hex(16, {account, region, "lb", lb.name}));
  }
  if (lb.full_name.empty()) lb.full_name = arn_resource(lb.arn, ":loadbalancer/");
  if (lb.dns_name.empty()) {
    // NLBs use NAME-<hex>.elb.REGION.amazonaws.com; ALBs the form below.
    std::string digits = make_digits(10, {account, region, "lb-dns", lb.name});
    if (lb.type == "network")
      lb.dns_name = fmt::format("{}{}-{}.elb.{}.amazonaws.com", lb.internal ? "internal-" : "", lb.name,
                                make_hex(16, {account, region, "nlb-dns", lb.name}), region);
    else
      lb.dns_name =
          fmt::format("{}{}-{}.{}.elb.amazonaws.com", lb.internal ? "internal-" : "", lb.name, digits, region);
  }
  if (lb.canonical_hosted_zone_id.empty())
    lb.canonical_hosted_zone_id = elb_canonical_hosted_zone_id(region, lb.type);
}

void assign_target_group_names(TargetGroup& tg, const std::string& account, const std::string& region) {
  if (tg.arn.empty()) {
    tg.arn = fmt::format("arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{}", region, account, tg.name,
                         make_hex(16, {account, region, "tg", tg.name}));
  }
  if (tg.full_name.empty()) tg.full_name = arn_resource(tg.arn, ":");
  if (tg.full_name.rfind("targetgroup/", 0) != 0) {
    auto p = tg.arn.find("targetgroup/");
    if (p != std::string::npos) tg.full_name = tg.arn.substr(p);
  }
}

// ---------------------------------------------------------------------------
// finalize

namespace {

class Finalizer {
 public:
  Finalizer(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts)
      : net_(net), plan_(plan), diags_(diags), opts_(opts) {}

  bool run() {
    size_t errors_before = diags_.count(Severity::kError);
    fill_origins();
    check_vpcs();
    add_implicit_vpc_resources();
    create_service_interfaces();
    // Every element exists from here on: lookups stay valid until the end
    // (only fields change), and index() runs once more for the final state.
    net_.index();
    check_subnets();
    attach_internet_gateways();
    assign_addresses();
    associate_elastic_ips();
    check_interfaces();
    finish_instances();
    finish_nat_gateways();
    derive_peerings();
    finish_route_tables();
    check_security_groups();
    finish_network_acls();
    check_load_balancers();
    check_target_groups();
    check_listeners();
    check_hosted_zones();
    collect_accounts();
    net_.index();
    return diags_.count(Severity::kError) == errors_before;
  }

 private:
  Network& net_;
  AddressPlan& plan_;
  Diagnostics& diags_;
  const FinalizeOptions& opts_;

  void error(SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    diags_.error(loc, code, std::move(msg), std::move(fix));
  }
  void warning(SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    diags_.warning(loc, code, std::move(msg), std::move(fix));
  }

  template <class T>
  static std::string who(const T& x) {
    return x.origin.display(x.id);
  }

  // --- origins and accounts ------------------------------------------------
  void fill(Origin& o) {
    if (o.account.empty()) o.account = opts_.default_account;
    if (o.region.empty()) o.region = opts_.default_region;
  }
  void fill_origins() {
    for (auto& x : net_.vpcs) fill(x.origin);
    for (auto& x : net_.subnets) fill(x.origin);
    for (auto& x : net_.route_tables) fill(x.origin);
    for (auto& x : net_.internet_gateways) fill(x.origin);
    for (auto& x : net_.nat_gateways) fill(x.origin);
    for (auto& x : net_.elastic_ips) fill(x.origin);
    for (auto& x : net_.peerings) fill(x.origin);
    for (auto& x : net_.security_groups) fill(x.origin);
    for (auto& x : net_.network_acls) fill(x.origin);
    for (auto& x : net_.network_interfaces) fill(x.origin);
    for (auto& x : net_.instances) fill(x.origin);
    for (auto& x : net_.load_balancers) fill(x.origin);
    for (auto& x : net_.listeners) fill(x.origin);
    for (auto& x : net_.target_groups) fill(x.origin);
    for (auto& x : net_.hosted_zones) fill(x.origin);
    for (auto& x : net_.unmodeled) fill(x.origin);
  }

  void collect_accounts() {
    std::map<std::string, std::set<std::string>> regions;
    for (const auto& a : net_.accounts) regions[a.id].insert(a.regions.begin(), a.regions.end());
    for (const auto& v : net_.vpcs) regions[v.origin.account].insert(v.origin.region);
    for (const auto& z : net_.hosted_zones) regions[z.origin.account];
    net_.accounts.clear();
    for (auto& [id, rs] : regions) net_.accounts.push_back({id, {rs.begin(), rs.end()}});
  }

  // --- VPCs ----------------------------------------------------------------
  static bool size_ok(const Ipv4Cidr& c) { return c.length >= 16 && c.length <= 28; }

  SourceLoc cidr_loc(const Vpc& v, size_t i) const {
    return i < v.cidr_locs.size() && v.cidr_locs[i].known() ? v.cidr_locs[i] : v.origin.loc;
  }

  void check_vpcs() {
    for (auto& v : net_.vpcs) {
      if (v.cidrs.empty()) {
        error(v.origin.loc, "VPC_CIDR_SIZE", fmt::format("VPC {} has no IPv4 CIDR block", who(v)));
        continue;
      }
      for (size_t i = 0; i < v.cidrs.size(); ++i) {
        const auto& c = v.cidrs[i];
        if (!size_ok(c))
          error(cidr_loc(v, i), "VPC_CIDR_SIZE",
                fmt::format("CIDR block {} of VPC {} is a /{}; AWS allows /16 to /28", c.str(), who(v), c.length));
        for (size_t j = 0; j < i; ++j)
          if (c.overlaps(v.cidrs[j]))
            error(cidr_loc(v, i), "VPC_CIDR_OVERLAP",
                  fmt::format("CIDR block {} of VPC {} overlaps its block {}", c.str(), who(v), v.cidrs[j].str()));
      }
      if (v.cidrs.size() > 5)
        warning(cidr_loc(v, 5), "VPC_CIDR_LIMIT",
                fmt::format("VPC {} has {} IPv4 CIDR blocks; the default quota is 5", who(v), v.cidrs.size()));
      if (v.enable_dns_hostnames && !v.enable_dns_support)
        warning(v.origin.loc, "VPC_DNS_HOSTNAMES_WITHOUT_SUPPORT",
                fmt::format("VPC {} enables DNS hostnames without DNS support: names will not resolve", who(v)),
                "set EnableDnsSupport: true");
    }
  }

  void add_implicit_vpc_resources() {
    std::unordered_set<std::string> have_rtb, have_sg, have_acl;
    for (const auto& t : net_.route_tables) have_rtb.insert(t.id);
    for (const auto& g : net_.security_groups) have_sg.insert(g.id);
    for (const auto& a : net_.network_acls) have_acl.insert(a.id);
    for (auto& v : net_.vpcs) {
      if (v.main_route_table.empty()) v.main_route_table = make_id("rtb", {v.id, "main"});
      if (!have_rtb.count(v.main_route_table)) {
        RouteTable t;
        t.id = v.main_route_table;
        t.origin = v.origin;
        t.origin.logical_id.clear();
        t.vpc = v.id;
        t.main = true;
        net_.route_tables.push_back(std::move(t));
        have_rtb.insert(v.main_route_table);
      }
      if (v.default_security_group.empty()) v.default_security_group = make_id("sg", {v.id, "default"});
      if (!have_sg.count(v.default_security_group)) {
        SecurityGroup g;
        g.id = v.default_security_group;
        g.origin = v.origin;
        g.origin.logical_id.clear();
        g.group_name = "default";
        g.vpc = v.id;
        g.is_default = true;
        SecurityGroupRule in;
        in.direction = Direction::kIngress;
        in.group_id = g.id;
        in.loc = v.origin.loc;
        g.ingress.push_back(in);
        SecurityGroupRule out;
        out.direction = Direction::kEgress;
        out.cidr = Ipv4Cidr{};  // 0.0.0.0/0
        out.loc = v.origin.loc;
        g.egress.push_back(out);
        net_.security_groups.push_back(std::move(g));
        have_sg.insert(v.default_security_group);
      }
      if (v.default_network_acl.empty()) v.default_network_acl = make_id("acl", {v.id, "default"});
      if (!have_acl.count(v.default_network_acl)) {
        NetworkAcl a;
        a.id = v.default_network_acl;
        a.origin = v.origin;
        a.origin.logical_id.clear();
        a.vpc = v.id;
        a.is_default = true;
        for (Direction d : {Direction::kIngress, Direction::kEgress}) {
          NetworkAclEntry e;
          e.rule_number = 100;
          e.direction = d;
          e.allow = true;
          e.cidr = Ipv4Cidr{};
          e.loc = v.origin.loc;
          (d == Direction::kIngress ? a.ingress : a.egress).push_back(e);
        }
        net_.network_acls.push_back(std::move(a));
        have_acl.insert(v.default_network_acl);
      }
    }
    // Mark main tables and defaults (a front end may only set the VPC's field).
    std::unordered_set<std::string> mains;
    for (const auto& v : net_.vpcs) mains.insert(v.main_route_table);
    for (auto& t : net_.route_tables)
      if (mains.count(t.id)) t.main = true;
    std::unordered_set<std::string> default_sgs, default_acls;
    for (const auto& v : net_.vpcs) {
      default_sgs.insert(v.default_security_group);
      default_acls.insert(v.default_network_acl);
    }
    for (auto& g : net_.security_groups)
      if (default_sgs.count(g.id)) g.is_default = true;
    for (auto& a : net_.network_acls)
      if (default_acls.count(a.id)) a.is_default = true;
  }

  // --- subnets -------------------------------------------------------------
  void check_subnets() {
    struct Span {
      uint32_t first, last;
      size_t index;
    };
    std::map<std::string, std::vector<Span>> per_vpc;
    for (size_t i = 0; i < net_.subnets.size(); ++i) {
      auto& s = net_.subnets[i];
      SourceLoc loc = s.cidr_loc.known() ? s.cidr_loc : s.origin.loc;
      const Vpc* v = net_.vpc(s.vpc);
      if (!v) {
        error(s.origin.loc, "SUBNET_UNKNOWN_VPC", fmt::format("subnet {} names VPC '{}', which is not defined", who(s), s.vpc));
        continue;
      }
      if (!size_ok(s.cidr)) {
        error(loc, "SUBNET_CIDR_SIZE",
              fmt::format("subnet {} CIDR {} is a /{}; AWS allows /16 to /28", who(s), s.cidr.str(), s.cidr.length));
        continue;
      }
      bool inside = false;
      for (const auto& c : v->cidrs) inside = inside || c.contains(s.cidr);
      if (!inside) {
        std::string blocks;
        for (const auto& c : v->cidrs) blocks += (blocks.empty() ? "" : ", ") + c.str();
        error(loc, "SUBNET_OUTSIDE_VPC",
              fmt::format("subnet {} CIDR {} is not inside a CIDR block of VPC {} ({})", who(s), s.cidr.str(),
                          who(*v), blocks));
        continue;
      }
      per_vpc[s.vpc].push_back({s.cidr.first().value, s.cidr.last().value, i});
      // Effective route table and NACL.
      if (s.route_table.empty()) {
        s.route_table = v->main_route_table;
        s.route_table_explicit = false;
      } else {
        // A table other than the main one can only come from an explicit
        // association; an association with the main table is the front
        // end's to say (route_table_explicit as given).
        if (s.route_table != v->main_route_table) s.route_table_explicit = true;
        const RouteTable* t = net_.route_table(s.route_table);
        if (!t)
          error(s.origin.loc, "SUBNET_RTB_UNKNOWN",
                fmt::format("subnet {} is associated with route table '{}', which is not defined", who(s), s.route_table));
        else if (t->vpc != s.vpc)
          error(s.origin.loc, "SUBNET_RTB_OTHER_VPC",
                fmt::format("subnet {} is associated with route table {} of another VPC", who(s), who(*t)));
      }
      if (s.network_acl.empty()) {
        s.network_acl = v->default_network_acl;
      } else {
        const NetworkAcl* a = net_.network_acl(s.network_acl);
        if (!a)
          error(s.origin.loc, "SUBNET_NACL_UNKNOWN",
                fmt::format("subnet {} is associated with network ACL '{}', which is not defined", who(s), s.network_acl));
        else if (a->vpc != s.vpc)
          error(s.origin.loc, "SUBNET_NACL_OTHER_VPC",
                fmt::format("subnet {} is associated with network ACL {} of another VPC", who(s), who(*a)));
      }
    }
    // Overlaps: sorted by first address, each subnet against the furthest
    // reaching one before it. O(n log n) per VPC.
    for (auto& [vpc, spans] : per_vpc) {
      std::sort(spans.begin(), spans.end(),
                [](const Span& a, const Span& b) { return a.first != b.first ? a.first < b.first : a.index < b.index; });
      const Span* reach = nullptr;
      for (const auto& sp : spans) {
        if (reach && sp.first <= reach->last) {
          const auto& s = net_.subnets[sp.index];
          const auto& o = net_.subnets[reach->index];
          // Report at the later declaration.
          const auto& later = sp.index > reach->index ? s : o;
          const auto& earlier = sp.index > reach->index ? o : s;
          error(later.cidr_loc.known() ? later.cidr_loc : later.origin.loc, "SUBNET_OVERLAP",
                fmt::format("subnet {} CIDR {} overlaps subnet {} ({})", who(later), later.cidr.str(), who(earlier),
                            earlier.cidr.str()));
        }
        if (!reach || sp.last > reach->last) reach = &sp;
      }
    }
  }

  // --- gateways ------------------------------------------------------------
  void attach_internet_gateways() {
    for (auto& g : net_.internet_gateways) {
      if (g.vpc.empty()) continue;
      Vpc* v = const_cast<Vpc*>(net_.vpc(g.vpc));
      if (!v) {
        error(g.origin.loc, "IGW_UNKNOWN_VPC",
              fmt::format("internet gateway {} is attached to VPC '{}', which is not defined", who(g), g.vpc));
        continue;
      }
      if (!v->internet_gateway.empty() && v->internet_gateway != g.id) {
        error(g.origin.loc, "IGW_VPC_HAS_GATEWAY",
              fmt::format("VPC {} already has internet gateway {}; a VPC has at most one", who(*v), v->internet_gateway));
        continue;
      }
      v->internet_gateway = g.id;
    }
  }

  // ENIs AWS creates for NAT gateways and load balancer nodes. Runs before
  // the first index(): subnets are looked up in a local table.
  void create_service_interfaces() {
    std::unordered_map<std::string, const Subnet*> subnets;
    for (const auto& s : net_.subnets) subnets.emplace(s.id, &s);
    auto subnet_of = [&](const std::string& id) -> const Subnet* {
      auto it = subnets.find(id);
      return it == subnets.end() ? nullptr : it->second;
    };
    for (auto& n : net_.nat_gateways) {
      const Subnet* s = subnet_of(n.subnet);
      if (!s) {
        error(n.origin.loc, "NAT_UNKNOWN_SUBNET",
              fmt::format("NAT gateway {} names subnet '{}', which is not defined", who(n), n.subnet));
        continue;
      }
      if (!n.network_interface.empty()) continue;
      NetworkInterface e;
      e.id = make_id("eni", {n.id});
      e.origin = n.origin;
      e.subnet = s->id;
      e.vpc = s->vpc;
      e.private_ip = n.private_ip;
      e.public_ip = n.public_ip;
      e.owner_kind = EniOwnerKind::kNatGateway;
      e.owner_id = n.id;
      e.source_dest_check = false;
      n.network_interface = e.id;
      net_.network_interfaces.push_back(std::move(e));
    }
    for (auto& lb : net_.load_balancers) {
      if (!lb.nodes.empty()) continue;
      for (const auto& sid : lb.subnets) {
        const Subnet* s = subnet_of(sid);
        if (!s) continue;  // reported by check_load_balancers
        if (lb.vpc.empty()) lb.vpc = s->vpc;
        LoadBalancerNode node;
        node.subnet = sid;
        node.availability_zone = s->availability_zone;
        NetworkInterface e;
        e.id = make_id("eni", {lb.arn, sid});
        e.origin = lb.origin;
        e.subnet = sid;
        e.vpc = s->vpc;
        e.security_groups = lb.security_groups;
        e.owner_kind = EniOwnerKind::kLoadBalancer;
        e.owner_id = lb.arn;
        node.network_interface = e.id;
        lb.nodes.push_back(node);
        net_.network_interfaces.push_back(std::move(e));
      }
    }
  }

  // --- addresses -----------------------------------------------------------
  void assign_addresses() {
    // Explicit addresses first (AWS rejects one that is in use), then the
    // lowest free address for the rest, in declaration order.
    std::unordered_map<std::string, std::unordered_set<uint32_t>> seen_by_vpc;
    auto seen_insert = [&](const std::string& vpc, uint32_t a) { return seen_by_vpc[vpc].insert(a).second; };
    auto seen_has = [&](const std::string& vpc, uint32_t a) {
      auto it = seen_by_vpc.find(vpc);
      return it != seen_by_vpc.end() && it->second.count(a) > 0;
    };
    auto claim = [&](NetworkInterface& e, const Subnet& s, Ipv4Address a, bool primary) {
      if (!s.cidr.contains(a)) {
        error(e.origin.loc, "ENI_ADDRESS_OUTSIDE_SUBNET",
              fmt::format("{} asks for private IP {}, outside its subnet {} ({})", e.origin.display(e.id), a.str(),
                          who(s), s.cidr.str()));
        return;
      }
      if (s.is_reserved(a)) {
        error(e.origin.loc, "ENI_ADDRESS_RESERVED",
              fmt::format("{} asks for private IP {}, one of the five addresses AWS reserves in {} ({})",
                          e.origin.display(e.id), a.str(), who(s), s.cidr.str()),
              fmt::format("use an address from {} to {}", Ipv4Address{s.cidr.base.value + 4}.str(),
                          Ipv4Address{s.cidr.last().value - 1}.str()));
        return;
      }
      if (!seen_insert(s.vpc, a.value)) {
        error(e.origin.loc, "ENI_ADDRESS_IN_USE",
              fmt::format("{} asks for private IP {}, already in use in subnet {}", e.origin.display(e.id), a.str(), who(s)));
        return;
      }
      plan_.reserve(s, a);  // may already hold it when the front end allocated it early
      (void)primary;
    };
    for (auto& e : net_.network_interfaces) {
      const Subnet* s = net_.subnet(e.subnet);
      if (!s) continue;
      if (e.private_ip.value != 0) claim(e, *s, e.private_ip, true);
      for (auto a : e.secondary_private_ips) claim(e, *s, a, false);
    }
    for (auto& e : net_.network_interfaces) {
      const Subnet* s = net_.subnet(e.subnet);
      if (!s || e.private_ip.value != 0) continue;
      std::optional<Ipv4Address> a;
      // Skip anything an earlier explicit claim or front-end allocation holds.
      while ((a = plan_.allocate(*s)) && seen_has(s->vpc, a->value)) {
      }
      if (!a) {
        error(e.origin.loc, "SUBNET_FULL",
              fmt::format("subnet {} ({}) has no free address left for {}", who(*s), s->cidr.str(), e.origin.display(e.id)));
        continue;
      }
      seen_insert(s->vpc, a->value);
      e.private_ip = *a;
    }
    // Internet-facing load balancer nodes: one public address each.
    std::unordered_map<std::string, const LoadBalancer*> lb_of;
    for (const auto& lb : net_.load_balancers) lb_of[lb.arn] = &lb;
    for (auto& e : net_.network_interfaces) {
      if (e.owner_kind != EniOwnerKind::kLoadBalancer || e.public_ip) continue;
      auto it = lb_of.find(e.owner_id);
      if (it != lb_of.end() && !it->second->internal) e.public_ip = plan_.allocate_public();
    }
    for (auto& lb : net_.load_balancers)
      for (auto& n : lb.nodes)
        if (const NetworkInterface* e = net_.network_interface(n.network_interface)) {
          n.private_ip = e->private_ip;
          n.public_ip = e->public_ip;
        }
  }

  void associate_elastic_ips() {
    for (auto& eip : net_.elastic_ips) {
      if (eip.network_interface.empty()) continue;
      auto* e = const_cast<NetworkInterface*>(net_.network_interface(eip.network_interface));
      if (!e) {
        error(eip.origin.loc, "EIP_UNKNOWN_ENI",
              fmt::format("Elastic IP {} is associated with '{}', which is not defined", eip.origin.display(eip.allocation_id),
                          eip.network_interface));
        continue;
      }
      // An Elastic IP replaces the auto-assigned public IP.
      e->public_ip = eip.public_ip;
    }
  }

  void check_interfaces() {
    for (auto& e : net_.network_interfaces) {
      const Subnet* s = net_.subnet(e.subnet);
      if (!s) {
        error(e.origin.loc, "ENI_UNKNOWN_SUBNET",
              fmt::format("{} names subnet '{}', which is not defined", e.origin.display(e.id), e.subnet));
        continue;
      }
      e.vpc = s->vpc;
      // NAT gateways have no security group; NLB/GWLB nodes without groups
      // filter nothing. Everything else falls back to the default group.
      const LoadBalancer* owner_lb =
          e.owner_kind == EniOwnerKind::kLoadBalancer ? net_.load_balancer(e.owner_id) : nullptr;
      bool groupless = e.owner_kind == EniOwnerKind::kNatGateway || (owner_lb && owner_lb->type != "application");
      if (e.security_groups.empty() && !groupless) {
        if (const Vpc* v = net_.vpc(s->vpc)) e.security_groups.push_back(v->default_security_group);
      }
      if (e.security_groups.size() > 5)
        error(e.origin.loc, "ENI_SG_LIMIT",
              fmt::format("{} has {} security groups; at most 5 per network interface", e.origin.display(e.id),
                          e.security_groups.size()));
      if (e.owner_kind == EniOwnerKind::kLoadBalancer) continue;  // reported per load balancer
      for (const auto& gid : e.security_groups) {
        const SecurityGroup* g = net_.security_group(gid);
        if (!g)
          error(e.origin.loc, "ENI_UNKNOWN_SG",
                fmt::format("{} uses security group '{}', which is not defined", e.origin.display(e.id), gid));
        else if (g->vpc != e.vpc)
          error(e.origin.loc, "ENI_SG_OTHER_VPC",
                fmt::format("{} is in VPC {} but uses security group {} of VPC {}", e.origin.display(e.id), e.vpc,
                            who(*g), g->vpc));
      }
    }
  }

  void finish_instances() {
    for (auto& i : net_.instances) {
      if (i.network_interfaces.empty()) {
        error(i.origin.loc, "INSTANCE_UNKNOWN_ENI", fmt::format("instance {} has no network interface", who(i)));
        continue;
      }
      const NetworkInterface* e = net_.network_interface(i.network_interfaces.front());
      if (!e) {
        error(i.origin.loc, "INSTANCE_UNKNOWN_ENI",
              fmt::format("instance {} names network interface '{}', which is not defined", who(i),
                          i.network_interfaces.front()));
        continue;
      }
      i.subnet = e->subnet;
      i.private_ip = e->private_ip;
      i.public_ip = e->public_ip;
      const Vpc* v = net_.vpc(e->vpc);
      const std::string& region = i.origin.region;
      // Names a front end read (snapshots) are kept; templates leave them empty.
      if (i.private_dns_name.empty() && e->private_ip.value != 0)
        i.private_dns_name = private_dns_name(e->private_ip, region);
      if (i.public_dns_name.empty() && i.public_ip && v && v->enable_dns_hostnames)
        i.public_dns_name = public_dns_name(*i.public_ip, region);
    }
  }

  void finish_nat_gateways() {
    for (auto& n : net_.nat_gateways) {
      const NetworkInterface* e = net_.network_interface(n.network_interface);
      if (!e) continue;
      n.private_ip = e->private_ip;
      if (e->public_ip) n.public_ip = e->public_ip;
      if (n.is_public && !n.public_ip)
        error(n.origin.loc, "NAT_NO_ELASTIC_IP",
              fmt::format("public NAT gateway {} has no Elastic IP", who(n)), "set AllocationId to an AWS::EC2::EIP");
    }
  }

  // --- peering -------------------------------------------------------------
  void derive_peerings() {
    std::set<std::pair<std::string, std::string>> pairs;
    for (auto& p : net_.peerings) {
      if (p.requester.account.empty()) p.requester.account = p.origin.account;
      if (p.requester.region.empty()) p.requester.region = p.origin.region;
      if (p.accepter.account.empty()) p.accepter.account = p.requester.account;
      if (p.accepter.region.empty()) p.accepter.region = p.requester.region;
      const Vpc* r = net_.vpc(p.requester.vpc);
      const Vpc* a = net_.vpc(p.accepter.vpc);
      if (!r) {
        error(p.origin.loc, "PCX_UNKNOWN_VPC",
              fmt::format("peering {} names requester VPC '{}', which is not defined", who(p), p.requester.vpc));
        continue;
      }
      if (p.requester.vpc == p.accepter.vpc) {
        error(p.origin.loc, "PCX_SAME_VPC", fmt::format("peering {} connects VPC {} with itself", who(p), who(*r)));
        continue;
      }
      auto key = std::minmax(p.requester.vpc, p.accepter.vpc);
      if (!pairs.insert({key.first, key.second}).second) {
        error(p.origin.loc, "PCX_DUPLICATE",
              fmt::format("peering {} duplicates another peering between {} and {}; AWS allows one per pair", who(p),
                          p.requester.vpc, p.accepter.vpc));
        continue;
      }
      if (p.state_from_input) continue;
      if (!a) {
        diags_.note(p.origin.loc, "PCX_PEER_NOT_MODELED",
                    fmt::format("peering {}: accepter VPC '{}' is not in the loaded stacks; its side is not modeled",
                                who(p), p.accepter.vpc));
      }
      if (a) {
        for (const auto& rc : r->cidrs)
          for (const auto& ac : a->cidrs)
            if (p.state != PeeringState::kFailed && rc.overlaps(ac)) {
              p.state = PeeringState::kFailed;
              p.state_reason = fmt::format("overlapping CIDR blocks {} ({}) and {} ({})", rc.str(), who(*r), ac.str(), who(*a));
            }
        if (p.state == PeeringState::kFailed) {
          warning(p.origin.loc, "PCX_CIDR_OVERLAP",
                  fmt::format("peering {} fails: {}", who(p), p.state_reason), "use non-overlapping CIDR blocks");
          continue;
        }
      }
      bool same_account = p.requester.account == p.accepter.account;
      // Same account (any region) is accepted automatically by CloudFormation.
      if (same_account || p.accepted) {
        p.state = PeeringState::kActive;
        p.state_reason.clear();
      } else {
        p.state = PeeringState::kPendingAcceptance;
        p.state_reason = fmt::format("cross-account request to {} not accepted", p.accepter.account);
        warning(p.origin.loc, "PCX_PENDING_ACCEPTANCE",
                fmt::format("peering {} stays pending-acceptance: account {} has not accepted it", who(p),
                            p.accepter.account),
                "set PeerRoleArn, or `accepted: true` for the peering in the lab manifest");
      }
    }
  }

  // --- route tables --------------------------------------------------------
  void finish_route_tables() {
    for (auto& t : net_.route_tables) {
      const Vpc* v = net_.vpc(t.vpc);
      if (!v) {
        error(t.origin.loc, "RTB_UNKNOWN_VPC",
              fmt::format("route table {} names VPC '{}', which is not defined", who(t), t.vpc));
        continue;
      }
      std::vector<Route> routes;
      routes.reserve(v->cidrs.size() + t.routes.size());
      for (const auto& c : v->cidrs) {
        Route r;
        r.destination = c;
        r.target_kind = RouteTargetKind::kLocal;
        r.target_id = "local";
        r.loc = v->origin.loc;
        routes.push_back(r);
      }
      std::set<std::string> dests;
      for (const auto& c : v->cidrs) dests.insert(c.str());
      for (auto& r : t.routes) {
        if (r.target_kind == RouteTargetKind::kLocal) continue;  // ours replace any supplied
        std::string key = r.destination ? r.destination->str()
                          : !r.destination_ipv6.empty() ? r.destination_ipv6
                                                        : r.destination_prefix_list;
        if (key.empty()) {
          error(r.loc, "ROUTE_NO_DESTINATION", fmt::format("route in {} has no destination", who(t)));
          continue;
        }
        if (!dests.insert(key).second) {
          error(r.loc, "ROUTE_DUPLICATE_DESTINATION",
                fmt::format("route table {} already has a route to {}", who(t), key));
          continue;
        }
        if (r.destination) check_more_specific(t, *v, r);
        // A blackhole the front end saw (a snapshot's State) stays one; the
        // checks still run for their diagnostics.
        RouteState derived = route_state(t, *v, r);
        if (r.state != RouteState::kBlackhole) r.state = derived;
        routes.push_back(r);
      }
      t.routes = std::move(routes);
    }
  }

  // A route inside a VPC block, longer than it, replaces part of `local`:
  // AWS allows it only for a whole subnet's CIDR via a NAT gateway or ENI
  // (middlebox routing).
  std::set<std::pair<std::string, Ipv4Cidr>> subnet_cidrs_;  // (vpc, cidr), filled on first use

  void check_more_specific(const RouteTable& t, const Vpc& v, const Route& r) {
    if (subnet_cidrs_.empty())
      for (const auto& s : net_.subnets) subnet_cidrs_.insert({s.vpc, s.cidr});
    for (const auto& c : v.cidrs) {
      if (!c.contains(*r.destination) || r.destination->length == c.length) continue;
      bool whole_subnet = subnet_cidrs_.count({v.id, *r.destination}) > 0;
      bool middlebox = r.target_kind == RouteTargetKind::kNatGateway ||
                       r.target_kind == RouteTargetKind::kNetworkInterface ||
                       r.target_kind == RouteTargetKind::kVpcEndpoint;
      if (!(whole_subnet && middlebox))
        error(r.loc, "ROUTE_MORE_SPECIFIC_THAN_LOCAL",
              fmt::format("route to {} in {} is more specific than the local route {}", r.destination->str(), who(t),
                          c.str()),
              "only a whole subnet CIDR may be routed to a NAT gateway or network interface inside the VPC");
      return;
    }
  }

  RouteState route_state(const RouteTable& t, const Vpc& v, const Route& r) {
    auto unknown = [&](const char* what) {
      warning(r.loc, "ROUTE_TARGET_UNKNOWN",
              fmt::format("route to {} in {} targets {} '{}', which is not in the model: blackhole", dest(r), who(t),
                          what, r.target_id));
      return RouteState::kBlackhole;
    };
    auto other_vpc = [&](const std::string& what) {
      error(r.loc, "ROUTE_TARGET_OTHER_VPC",
            fmt::format("route to {} in {} targets {}, which is not in VPC {}", dest(r), who(t), what, who(v)));
      return RouteState::kBlackhole;
    };
    switch (r.target_kind) {
      case RouteTargetKind::kInternetGateway: {
        const InternetGateway* g = net_.internet_gateway(r.target_id);
        if (!g) return unknown("internet gateway");
        if (g->vpc.empty()) {
          warning(r.loc, "ROUTE_TARGET_NOT_ATTACHED",
                  fmt::format("route to {} in {} targets internet gateway {}, which is not attached to a VPC: blackhole",
                              dest(r), who(t), who(*g)),
                  "add an AWS::EC2::VPCGatewayAttachment");
          return RouteState::kBlackhole;
        }
        if (g->vpc != v.id) return other_vpc("internet gateway " + who(*g));
        return RouteState::kActive;
      }
      case RouteTargetKind::kNatGateway: {
        const NatGateway* n = net_.nat_gateway(r.target_id);
        if (!n) return unknown("NAT gateway");
        const Subnet* s = net_.subnet(n->subnet);
        if (s && s->vpc != v.id) return other_vpc("NAT gateway " + who(*n));
        return RouteState::kActive;
      }
      case RouteTargetKind::kVpcPeeringConnection: {
        const VpcPeeringConnection* p = net_.peering(r.target_id);
        if (!p) return unknown("peering connection");
        if (p->requester.vpc != v.id && p->accepter.vpc != v.id) return other_vpc("peering " + who(*p));
        if (p->state != PeeringState::kActive) {
          warning(r.loc, "ROUTE_TARGET_NOT_ACTIVE",
                  fmt::format("route to {} in {} targets peering {}, which is {}: blackhole", dest(r), who(t), who(*p),
                              peering_state_name(p->state)));
          return RouteState::kBlackhole;
        }
        return RouteState::kActive;
      }
      case RouteTargetKind::kNetworkInterface: {
        const NetworkInterface* e = net_.network_interface(r.target_id);
        if (!e) return unknown("network interface");
        if (e->vpc != v.id) return other_vpc("network interface " + e->origin.display(e->id));
        return RouteState::kActive;
      }
      case RouteTargetKind::kInstance: {
        const Instance* i = net_.instance(r.target_id);
        if (!i) return unknown("instance");
        const Subnet* s = net_.subnet(i->subnet);
        if (s && s->vpc != v.id) return other_vpc("instance " + who(*i));
        return i->state == InstanceState::kRunning ? RouteState::kActive : RouteState::kBlackhole;
      }
      default:
        // Transit gateways, VPN gateways, endpoints...: not modeled; the
        // analyzer reports paths that leave through them.
        return r.state;
    }
  }

  static std::string dest(const Route& r) {
    if (r.destination) return r.destination->str();
    return !r.destination_ipv6.empty() ? r.destination_ipv6 : r.destination_prefix_list;
  }

  // --- security groups -----------------------------------------------------
  void check_security_groups() {
    // Peered VPC pairs (active), for references across a peering.
    std::set<std::pair<std::string, std::string>> peered;
    for (const auto& p : net_.peerings)
      if (p.state == PeeringState::kActive) {
        peered.insert({p.requester.vpc, p.accepter.vpc});
        peered.insert({p.accepter.vpc, p.requester.vpc});
      }
    for (auto& g : net_.security_groups) {
      if (!net_.vpc(g.vpc)) {
        error(g.origin.loc, "SG_UNKNOWN_VPC",
              fmt::format("security group {} names VPC '{}', which is not defined", who(g), g.vpc));
        continue;
      }
      for (auto* rules : {&g.ingress, &g.egress})
        if (rules->size() > 60)
          warning(g.origin.loc, "SG_RULE_LIMIT",
                  fmt::format("security group {} has {} {} rules; the default quota is 60", who(g), rules->size(),
                              rules == &g.ingress ? "inbound" : "outbound"));
      for (auto* rules : {&g.ingress, &g.egress})
        for (const auto& rule : *rules) {
          if (protocol_has_ports(rule.protocol) && rule.ports.from > rule.ports.to)
            error(rule.loc, "SG_RULE_PORTS",
                  fmt::format("rule of {} has FromPort {} above ToPort {}", who(g), rule.ports.from, rule.ports.to));
          if (rule.group_id.empty()) continue;
          const SecurityGroup* ref = net_.security_group(rule.group_id);
          bool cross_account = !rule.group_owner.empty() && rule.group_owner != g.origin.account;
          if (!ref) {
            if (cross_account)
              warning(rule.loc, "SG_UNKNOWN_REFERENCE",
                      fmt::format("rule of {} references {}/{}, which is not in the loaded stacks", who(g),
                                  rule.group_owner, rule.group_id));
            else
              error(rule.loc, "SG_UNKNOWN_REFERENCE",
                    fmt::format("rule of {} references security group '{}', which is not defined", who(g), rule.group_id));
            continue;
          }
          if (ref->vpc != g.vpc && !peered.count({g.vpc, ref->vpc}))
            warning(rule.loc, "SG_REFERENCE_NOT_PEERED",
                    fmt::format("rule of {} references {} of VPC {}, which is not peered (actively) with {}: it matches nothing",
                                who(g), who(*ref), ref->vpc, g.vpc));
        }
    }
  }

  // --- network ACLs --------------------------------------------------------
  void finish_network_acls() {
    for (auto& a : net_.network_acls) {
      if (!net_.vpc(a.vpc)) {
        error(a.origin.loc, "NACL_UNKNOWN_VPC",
              fmt::format("network ACL {} names VPC '{}', which is not defined", who(a), a.vpc));
        continue;
      }
      for (auto* entries : {&a.ingress, &a.egress}) {
        const Direction dir = entries == &a.ingress ? Direction::kIngress : Direction::kEgress;
        // The final "*" deny is ours to add.
        std::erase_if(*entries, [](const NetworkAclEntry& e) { return e.rule_number == 32767; });
        std::set<int> numbers;
        for (const auto& e : *entries) {
          if (e.rule_number < 1 || e.rule_number > 32766)
            error(e.loc, "NACL_RULE_NUMBER",
                  fmt::format("network ACL {} entry has rule number {}; AWS allows 1 to 32766", who(a), e.rule_number));
          else if (!numbers.insert(e.rule_number).second)
            error(e.loc, "NACL_DUPLICATE_RULE",
                  fmt::format("network ACL {} already has {} rule number {}", who(a),
                              dir == Direction::kIngress ? "an inbound" : "an outbound", e.rule_number));
          if (protocol_has_ports(e.protocol) && e.ports.from > e.ports.to)
            error(e.loc, "NACL_RULE_NUMBER",
                  fmt::format("network ACL {} rule {} has port range {}-{} reversed", who(a), e.rule_number, e.ports.from,
                              e.ports.to));
        }
        if (entries->size() > 20)
          warning(a.origin.loc, "NACL_RULE_LIMIT",
                  fmt::format("network ACL {} has {} {} entries; the default quota is 20", who(a), entries->size(),
                              dir == Direction::kIngress ? "inbound" : "outbound"));
        std::stable_sort(entries->begin(), entries->end(),
                         [](const NetworkAclEntry& x, const NetworkAclEntry& y) { return x.rule_number < y.rule_number; });
        NetworkAclEntry deny;
        deny.rule_number = 32767;
        deny.direction = dir;
        deny.allow = false;
        deny.cidr = Ipv4Cidr{};
        deny.loc = a.origin.loc;
        entries->push_back(deny);
      }
    }
  }

  // --- load balancers ------------------------------------------------------
  static bool valid_lb_name(const std::string& n) {
    if (n.empty() || n.size() > 32 || n.front() == '-' || n.back() == '-') return false;
    if (n.rfind("internal-", 0) == 0) return false;
    return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
  }

  void check_load_balancers() {
    for (auto& lb : net_.load_balancers) {
      assign_load_balancer_names(lb, lb.origin.account, lb.origin.region);
      if (!valid_lb_name(lb.name))
        error(lb.origin.loc, "LB_NAME",
              fmt::format("load balancer name '{}' is invalid: 1-32 alphanumerics or hyphens, no hyphen at either end, "
                          "not starting with internal-",
                          lb.name));
      std::map<std::string, std::string> az_subnet;
      bool subnets_ok = true;
      for (const auto& sid : lb.subnets) {
        const Subnet* s = net_.subnet(sid);
        if (!s) {
          error(lb.origin.loc, "LB_UNKNOWN_SUBNET",
                fmt::format("load balancer {} names subnet '{}', which is not defined", lb.origin.display(lb.arn), sid));
          subnets_ok = false;
          continue;
        }
        if (s->vpc != lb.vpc) {
          error(lb.origin.loc, "LB_SUBNET_OTHER_VPC",
                fmt::format("load balancer {}: subnet {} is in VPC {}, the others in {}", lb.origin.display(lb.arn),
                            who(*s), s->vpc, lb.vpc));
          subnets_ok = false;
        }
        auto [it, fresh] = az_subnet.emplace(s->availability_zone, sid);
        if (!fresh) {
          error(lb.origin.loc, "LB_SUBNET_SAME_AZ",
                fmt::format("load balancer {} has two subnets in {} ({} and {}); one subnet per Availability Zone",
                            lb.origin.display(lb.arn), s->availability_zone, it->second, who(*s)));
          subnets_ok = false;
        }
        if (lb.type == "application" && s->cidr.length > 27) {
          error(lb.origin.loc, "LB_SUBNET_SIZE",
                fmt::format("load balancer {} subnet {} is a /{}; ALB subnets need at least a /27 with 8 free addresses",
                            lb.origin.display(lb.arn), who(*s), s->cidr.length));
        } else if (lb.type == "application") {
          // 8 free addresses when the ALB is created; its node holds one of them now.
          uint64_t free = s->cidr.size() - 5 - std::min<uint64_t>(plan_.used(s->id), s->cidr.size() - 5);
          if (free + 1 < 8)
            error(lb.origin.loc, "LB_SUBNET_FREE_ADDRESSES",
                  fmt::format("load balancer {}: subnet {} has {} free addresses; an ALB needs 8 in each subnet",
                              lb.origin.display(lb.arn), who(*s), free + 1));
        }
      }
      if (lb.type == "application" && subnets_ok && az_subnet.size() < 2)
        error(lb.origin.loc, "LB_AZ_COUNT",
              fmt::format("Application Load Balancer {} spans {} Availability Zone(s); it needs subnets in at least two",
                          lb.origin.display(lb.arn), az_subnet.size()),
              "add a subnet in another Availability Zone to Subnets");
      // CreateLoadBalancer: "InvalidSubnet: VPC ... has no internet gateway".
      if (!lb.internal && subnets_ok)
        if (const Vpc* v = net_.vpc(lb.vpc); v && v->internet_gateway.empty())
          error(lb.origin.loc, "LB_VPC_NO_INTERNET_GATEWAY",
                fmt::format("internet-facing load balancer {}: VPC {} has no internet gateway attached",
                            lb.origin.display(lb.arn), who(*v)),
                "attach an internet gateway to the VPC, or make the load balancer internal");
      for (const auto& gid : lb.security_groups) {
        const SecurityGroup* g = net_.security_group(gid);
        if (!g)
          error(lb.origin.loc, "LB_UNKNOWN_SG",
                fmt::format("load balancer {} uses security group '{}', which is not defined", lb.origin.display(lb.arn), gid));
        else if (!lb.vpc.empty() && g->vpc != lb.vpc)
          error(lb.origin.loc, "ENI_SG_OTHER_VPC",
                fmt::format("load balancer {} is in VPC {} but uses security group {} of VPC {}", lb.origin.display(lb.arn),
                            lb.vpc, who(*g), g->vpc));
      }
      if (lb.security_groups.empty() && lb.type == "application")
        if (const Vpc* v = net_.vpc(lb.vpc)) lb.security_groups.push_back(v->default_security_group);
    }
  }

  // --- target groups and listeners ----------------------------------------
  void check_target_groups() {
    for (auto& tg : net_.target_groups) {
      assign_target_group_names(tg, tg.origin.account, tg.origin.region);
      tg.load_balancers.clear();
      if (tg.target_type == "lambda") continue;
      if (!net_.vpc(tg.vpc))
        error(tg.origin.loc, "TG_UNKNOWN_VPC",
              fmt::format("target group {} names VPC '{}', which is not defined", tg.origin.display(tg.arn), tg.vpc));
      if (tg.port == 0)
        error(tg.origin.loc, "TG_PORT", fmt::format("target group {} port must be 1-65535", tg.origin.display(tg.arn)));
      static const std::set<std::string> kProtocols = {"HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"};
      if (!kProtocols.count(tg.protocol))
        error(tg.origin.loc, "TG_PROTOCOL",
              fmt::format("target group {} protocol '{}' is not one of HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE",
                          tg.origin.display(tg.arn), tg.protocol));
      const auto& hc = tg.health_check;
      auto range = [&](int v, int lo, int hi, const char* what) {
        if (v < lo || v > hi)
          error(tg.origin.loc, "TG_HEALTH_CHECK",
                fmt::format("target group {} {} is {}; AWS allows {}-{}", tg.origin.display(tg.arn), what, v, lo, hi));
      };
      range(hc.interval_seconds, 5, 300, "HealthCheckIntervalSeconds");
      range(hc.timeout_seconds, 2, 120, "HealthCheckTimeoutSeconds");
      range(hc.healthy_threshold, 2, 10, "HealthyThresholdCount");
      range(hc.unhealthy_threshold, 2, 10, "UnhealthyThresholdCount");
      if (hc.timeout_seconds >= hc.interval_seconds)
        error(tg.origin.loc, "TG_HEALTH_CHECK",
              fmt::format("target group {} health check timeout ({} s) must be shorter than the interval ({} s)",
                          tg.origin.display(tg.arn), hc.timeout_seconds, hc.interval_seconds));
      for (auto& t : tg.targets) {
        SourceLoc loc = t.loc.known() ? t.loc : tg.origin.loc;
        if (t.port && *t.port == 0)
          error(loc, "TG_TARGET_PORT", fmt::format("target {} port must be 1-65535", t.id));
        if (tg.target_type == "instance") {
          const Instance* i = net_.instance(t.id);
          if (!i) {
            error(loc, "TG_UNKNOWN_TARGET",
                  fmt::format("target group {} registers instance '{}', which is not defined", tg.origin.display(tg.arn), t.id));
            continue;
          }
          const Subnet* s = net_.subnet(i->subnet);
          if (s && s->vpc != tg.vpc)
            error(loc, "TG_TARGET_OTHER_VPC",
                  fmt::format("instance {} is not in the VPC of target group {}", who(*i), tg.origin.display(tg.arn)));
          if (s && t.availability_zone.empty()) t.availability_zone = s->availability_zone;
        } else if (tg.target_type == "ip") {
          auto a = Ipv4Address::parse(t.id);
          if (!a) {
            error(loc, "TG_UNKNOWN_TARGET", fmt::format("ip target '{}' is not an IPv4 address", t.id));
            continue;
          }
          const Vpc* v = net_.vpc(tg.vpc);
          if (v && !v->contains(*a) && t.availability_zone != "all")
            error(loc, "TG_TARGET_OTHER_VPC",
                  fmt::format("ip target {} is outside VPC {}; targets outside the VPC need AvailabilityZone: all", t.id,
                              who(*v)));
        }
      }
    }
  }

  void check_listeners() {
    std::unordered_map<std::string, TargetGroup*> tgs;
    for (auto& tg : net_.target_groups) tgs[tg.arn] = &tg;
    std::set<std::pair<std::string, int>> ports;
    for (auto& l : net_.listeners) {
      const LoadBalancer* lb = net_.load_balancer(l.load_balancer);
      if (!lb) {
        error(l.origin.loc, "LISTENER_UNKNOWN_LB",
              fmt::format("listener {} names load balancer '{}', which is not defined", l.origin.display(l.arn),
                          l.load_balancer));
        continue;
      }
      if (l.port == 0) error(l.origin.loc, "LISTENER_PORT", "listener port must be 1-65535");
      bool alb = lb->type == "application";
      static const std::set<std::string> kAlb = {"HTTP", "HTTPS"};
      static const std::set<std::string> kNlb = {"TCP", "TLS", "UDP", "TCP_UDP"};
      if (!(alb ? kAlb : kNlb).count(l.protocol))
        error(l.origin.loc, "LISTENER_PROTOCOL",
              fmt::format("listener {} protocol '{}' is not valid for a {} load balancer", l.origin.display(l.arn),
                          l.protocol, lb->type));
      if (!ports.insert({l.load_balancer, l.port}).second)
        error(l.origin.loc, "LISTENER_DUPLICATE_PORT",
              fmt::format("load balancer {} already has a listener on port {}", lb->origin.display(lb->arn), l.port));
      std::set<int> priorities;
      for (const auto& r : l.rules) {
        SourceLoc loc = r.loc.known() ? r.loc : l.origin.loc;
        if (r.priority < 1 || r.priority > 50000)
          error(loc, "RULE_PRIORITY", fmt::format("rule priority {} is outside 1-50000", r.priority));
        else if (!priorities.insert(r.priority).second)
          error(loc, "RULE_DUPLICATE_PRIORITY",
                fmt::format("listener {} already has a rule with priority {}", l.origin.display(l.arn), r.priority));
      }
      std::stable_sort(l.rules.begin(), l.rules.end(),
                       [](const alb::ListenerRule& a, const alb::ListenerRule& b) { return a.priority < b.priority; });
      check_actions(l, *lb, l.default_rule, tgs);
      for (auto& r : l.rules) check_actions(l, *lb, r, tgs);
    }
  }

  void check_actions(const Listener& l, const LoadBalancer& lb, alb::ListenerRule& rule,
                     std::unordered_map<std::string, TargetGroup*>& tgs) {
    SourceLoc loc = rule.loc.known() ? rule.loc : l.origin.loc;
    if (rule.actions.empty()) {
      error(loc, "ACTION_NONE", "rule has no action");
      return;
    }
    std::stable_sort(rule.actions.begin(), rule.actions.end(),
                     [](const alb::Action& a, const alb::Action& b) { return a.order < b.order; });
    auto terminal = [](alb::ActionType t) {
      return t == alb::ActionType::kForward || t == alb::ActionType::kRedirect ||
             t == alb::ActionType::kFixedResponse;
    };
    for (size_t i = 0; i < rule.actions.size(); ++i) {
      bool last = i + 1 == rule.actions.size();
      if (terminal(rule.actions[i].type) != last)
        error(loc, "ACTION_TERMINAL",
              "a rule needs exactly one forward, redirect or fixed-response action, and it must be the last");
    }
    for (auto& a : rule.actions) {
      if (a.type != alb::ActionType::kForward) continue;
      if (a.target_groups.empty() || a.target_groups.size() > 5)
        error(loc, "ACTION_TG_COUNT", fmt::format("forward action has {} target groups; 1 to 5 allowed", a.target_groups.size()));
      for (const auto& w : a.target_groups) {
        if (w.weight < 0 || w.weight > 999)
          error(loc, "ACTION_WEIGHT", fmt::format("target group weight {} is outside 0-999", w.weight));
        auto it = tgs.find(w.target_group_arn);
        if (it == tgs.end()) {
          error(loc, "ACTION_UNKNOWN_TG",
                fmt::format("forward action names target group '{}', which is not defined", w.target_group_arn));
          continue;
        }
        TargetGroup& tg = *it->second;
        if (!lb.vpc.empty() && tg.target_type != "lambda" && tg.vpc != lb.vpc)
          error(loc, "ACTION_TG_OTHER_VPC",
                fmt::format("target group {} is in VPC {}, load balancer {} in {}", tg.origin.display(tg.arn), tg.vpc,
                            lb.origin.display(lb.arn), lb.vpc));
        if (std::find(tg.load_balancers.begin(), tg.load_balancers.end(), lb.arn) == tg.load_balancers.end())
          tg.load_balancers.push_back(lb.arn);
      }
    }
  }

  // --- hosted zones --------------------------------------------------------
  void check_hosted_zones() {
    for (auto& z : net_.hosted_zones) {
      z.name = dns::normalize_name(z.name);
      if (!z.vpcs.empty()) z.is_private = true;
      for (auto& hv : z.vpcs) {
        if (hv.region.empty()) hv.region = z.origin.region;
        if (!net_.vpc(hv.vpc))
          warning(z.origin.loc, "ZONE_UNKNOWN_VPC",
                  fmt::format("hosted zone {} is associated with VPC '{}', which is not in the loaded stacks",
                              z.origin.display(z.id), hv.vpc));
      }
      for (auto& r : z.records) {
        r.name = dns::normalize_name(r.name);
        if (!dns::name_in_zone(r.name, z.name))
          error(r.loc.known() ? r.loc : z.origin.loc, "RECORD_OUTSIDE_ZONE",
                fmt::format("record {} is not in hosted zone {}", r.name, z.name));
      }
    }
  }
};

}  // namespace

bool finalize(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts) {
  return Finalizer(net, plan, diags, opts).run();
}

}  // namespace vpclab::model
