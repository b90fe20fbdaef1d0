// The VPC DNS view (aws-vpc.md section 7): what the Amazon-provided resolver
// of a VPC, or public DNS for the internet, answers for a name, and why.
// One rule for both users: the analyzer renders its DNS hops and explanation
// codes from the reason (analysis/dns_view.cpp), the lab's resolver encodes
// the answer on the wire (dataplane/dns/resolver.cpp).
//
// A VPC's resolver answers, in this order:
//   0. EnableDnsSupport off: nothing at all (the query is dropped).
//   1. Private hosted zones associated with the VPC (support and hostnames
//      on): the most specific zone equal to or above the name answers; a
//      zone without the name gives NXDOMAIN, never a fallback.
//   2. Amazon-provided names (support and hostnames on): private hostnames
//      of the VPC's own instances, public hostnames of its own instances and
//      of instances behind an active peering whose side allows DNS resolution
//      from the remote VPC (both VPCs with support and hostnames): the
//      private IP.
//   2b. An interface endpoint's private DNS (support and hostnames on): the
//      service's public name -> the endpoint's ENI addresses, this VPC only.
//   3. Public DNS, which is also what the internet sees: AWS services'
//      public names (S3, DynamoDB: a stand-in address), ELB names (and
//      dualstack.NAME) to their nodes (an internal ALB's to private IPs),
//      public hostnames to the public IP, public hosted zones (most specific
//      zone, no fallback); other names under the lab's hosted zones or
//      Amazon's own domains (amazonaws.com, compute.internal, ec2.internal)
//      NXDOMAIN; anything else SERVFAIL: AWS's resolver would ask the
//      internet's DNS, which a lab does not have (UNCONFIRMED: the name is
//      outside what the lab can know, so it answers "cannot resolve", not
//      "does not exist").
// UNCONFIRMED: AWS documents no order between private hosted zones and
// Amazon-provided names; a private hosted zone takes precedence (a zone
// named compute.internal overrides the private hostnames under it).
// UNCONFIRMED: private hostnames resolve only inside their own VPC (other
// VPCs ask public DNS, which does not know them).
// CNAME targets are resolved again from the querying client (a recursive
// resolver); alias targets from the zone's side (the client for a private
// zone, public DNS for a public zone), flattened to the alias's name, TTL 60.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "semantics/hosted_zone.h"
#include "vocab/dns.h"
#include "vocab/ip.h"

namespace vpclab::semantics {

// ---- the DNS facts of a network (plain values) ------------------------------

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
  std::string instance;          // i-..., for reasons
};

// An active peering's DNS options: `requester_allows` means the requester
// side set AllowDnsResolutionFromRemoteVpc, so the requester's public
// hostnames resolve to private IPs when queried from the accepter VPC.
struct PeeringDnsOptions {
  std::string requester_vpc;
  std::string accepter_vpc;
  bool requester_allows = false;
  bool accepter_allows = false;
  std::string id;  // pcx-..., for reasons
};

struct HostedZoneFacts {
  std::string id;    // Z..., for reasons
  std::string name;  // normalized on construction of the view
  bool is_private = false;
  std::vector<std::string> vpcs;  // associated VPCs (private zones)
  std::vector<dns::Record> records;
};

// A load balancer's public DNS name and what it resolves to: the nodes'
// public IPs, or private IPs for an internal one.
struct LoadBalancerName {
  std::string dns_name;
  std::vector<Ipv4Address> addresses;
  bool internal = false;
  std::string id;  // ARN, for reasons
};

// An AWS service's public name (s3.us-east-1.amazonaws.com) and what it
// answers: with `vpc` set, an interface endpoint's private DNS (AWS's hidden
// private zone: the endpoint's ENI addresses, in that VPC only, which needs
// support and hostnames on); with `vpc` empty, public DNS (one stand-in
// address of the service's prefix list, semantics/vpc_endpoint.h).
struct ServiceDnsName {
  std::string name;
  std::string vpc;
  std::vector<Ipv4Address> addresses;
  std::string id;  // vpce- (private DNS) or pl- (public), for reasons
};

struct DnsFacts {
  std::vector<VpcDnsAttributes> vpcs;
  std::vector<Ec2HostNames> hosts;
  std::vector<PeeringDnsOptions> peerings;  // active ones only
  std::vector<HostedZoneFacts> zones;
  std::vector<LoadBalancerName> load_balancers;
  std::vector<ServiceDnsName> services;
};

// ---- the answer and its reason ---------------------------------------------

enum class DnsRcode : uint8_t { kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5 };
const char* rcode_name(DnsRcode r);  // "NOERROR", "NXDOMAIN", ... (dig's spelling)

// One resource record of an answer, in presentation form.
struct DnsAnswerRecord {
  std::string name;   // normalized owner
  std::string type;   // "A", "AAAA", "CNAME", "TXT"
  uint32_t ttl = 0;
  std::string value;  // address, target name, or TXT text without quotes
};

enum class DnsRule : uint8_t {
  kResolverDisabled,           // the VPC's EnableDnsSupport is false: no answer
  kHostnamesDisabled,          // an associated private zone matches, but EnableDnsHostnames is false
  kPrivateZone,                // `zone` (private, associated) answers `name`
  kPublicZone,                 // `zone` (public) answers `name`
  kZoneLacksName,              // `zone` matches but has no such record: NXDOMAIN (or NODATA)
  kRecord,                     // `record` of `zone` gives `values`
  kCname,                      // `record` of `zone` is a CNAME to `target`, followed
  kAlias,                      // `record` of `zone` is an alias to `target`, followed
  kPrivateHostname,            // `host`'s private name, asked from its own VPC
  kPrivateHostnameOutOfScope,  // `host`'s private name, asked from elsewhere: NXDOMAIN
  kPublicHostnameSameVpc,      // `host`'s public name from its own VPC: private IP
  kPublicHostnameViaPeering,   // ... from a peer VPC through `peering`'s DNS option: private IP
  kPublicHostnamePublicIp,     // ... from elsewhere: public IP
  kPublicHostnameNoPublicIp,   // ... from elsewhere, without a public IP: NXDOMAIN
  kLoadBalancer,               // `load_balancer`'s name (or dualstack.) gives `values`
  kEndpointPrivateDns,         // `service`: an interface endpoint's private DNS in the client's VPC
  kServicePublicName,          // `service`: an AWS service's public name in public DNS
  kNotAssociated,              // not found; `name` exists only in private `zone`, not associated
  kNxDomain,                   // nothing answers `name`, which lies in the lab's zones or Amazon's domains
  kOutsideLab,                 // `name` is outside every zone of the lab and Amazon's domains: SERVFAIL
  kChainTooLong,               // CNAME/alias chain longer than the limit: SERVFAIL
};

struct DnsStep {
  DnsStep(DnsRule r, std::string n, int z = -1, int rec = -1) : rule(r), name(std::move(n)), zone(z), record(rec) {}
  DnsRule rule;
  std::string name;  // the name resolved at this step (normalized)
  int zone = -1;           // index into DnsFacts::zones
  int record = -1;         // index into that zone's records
  int host = -1;           // index into DnsFacts::hosts
  int peering = -1;        // index into DnsFacts::peerings
  int load_balancer = -1;  // index into DnsFacts::load_balancers
  int service = -1;        // index into DnsFacts::services
  std::string target;      // CNAME / alias target
  std::vector<std::string> values;  // what this step answered
};

struct DnsAnswer {
  bool drop = false;  // EnableDnsSupport off (or unknown VPC): nothing is sent
  DnsRcode rcode = DnsRcode::kNoError;
  std::vector<DnsAnswerRecord> answers;  // CNAME chain first, then the final records
  std::string zone;  // hosted zone of a negative answer (its SOA goes to the authority section)
  std::vector<DnsStep> steps;  // the reason, when asked for

  std::vector<Ipv4Address> addresses() const;  // the A answers
};

// The facts with an index per view, built once; resolve() is the rule.
class VpcDns {
 public:
  explicit VpcDns(DnsFacts facts);
  VpcDns(const VpcDns&) = delete;
  VpcDns& operator=(const VpcDns&) = delete;

  const DnsFacts& facts() const { return facts_; }
  bool knows_vpc(std::string_view vpc) const { return vpc_index_.count(std::string(vpc)) > 0; }
  // Whether `vpc` has a resolver at all (known, EnableDnsSupport on).
  bool has_resolver(std::string_view vpc) const {
    auto it = vpc_index_.find(std::string(vpc));
    return it != vpc_index_.end() && views_[it->second].support;
  }

  // The answer to (qname, qtype) asked from `vpc`'s resolver, or from the
  // internet when `vpc` is empty. `qtype` upper case ("A", "ANY", ...).
  // `with_reason` fills DnsAnswer::steps (the resolver leaves it off).
  DnsAnswer resolve(std::string_view vpc, std::string_view qname, std::string_view qtype,
                    bool with_reason = false) const;

  // Chains longer than this answer SERVFAIL (CNAME loops, alias loops).
  static constexpr int kMaxDepth = 8;

 private:
  struct Name {  // an Amazon-provided or ELB name, decided for one view
    std::vector<Ipv4Address> addresses;
    DnsRule rule = DnsRule::kNxDomain;
    int host = -1, peering = -1, load_balancer = -1, service = -1;
  };
  struct View {
    bool support = true;
    bool full = false;  // support and hostnames: private zones and Amazon names apply
    std::vector<ZoneCandidate> zones;  // private zones associated with the VPC
    std::vector<int> zone_index;       // into facts_.zones
    std::unordered_map<std::string, Name> names;
  };
  friend struct DnsWalk;

  DnsFacts facts_;
  std::unordered_map<std::string, size_t> vpc_index_;  // VPC id -> views_
  std::vector<View> views_;
  View public_;  // public DNS: ELB names, public hostnames, public zones
  std::unordered_map<std::string, int> private_names_;  // private hostname -> host (reasons only)
  std::unordered_set<std::string> authoritative_;  // the lab's zone names and Amazon's domains: NXDOMAIN below them
};

// TTL Route 53 gives answers of an alias to an ELB.
inline constexpr uint32_t kElbAliasTtl = 60;
// TTL of Amazon-provided hostnames and ELB names.
inline constexpr uint32_t kHostnameTtl = 60;

}  // namespace vpclab::semantics
