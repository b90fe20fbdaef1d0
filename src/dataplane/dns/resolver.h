// The VPC resolver engine ("AmazonProvidedDNS" at base+2 and 169.254.169.253)
// on plain configuration: one "view" per VPC, plus views for the lab's public
// DNS. A view answers, in this order:
//   1. Amazon-provided hostnames (private names, and public names with the
//      split-horizon choice already made by the config producer, views.h);
//   2. the private hosted zones associated with the VPC, with Route 53
//      precedence (semantics::select_private_zone, shared with the analyzer):
//      the most specific zone whose name equals or is a parent of the query
//      name answers; a matching zone without the record gives NXDOMAIN,
//      never a fallback to public DNS;
//   3. everything else goes to the view's upstream (another view in the same
//      process, normally the lab's public DNS); no upstream -> NXDOMAIN.
// Alias records are answered as the target's A/AAAA records (flattened, owner
// = the query name) with TTL 60, the ELB alias TTL.
// The engine never throws and never crashes on bad packets: malformed
// queries get FORMERR when a header can be read, otherwise are dropped.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "semantics/hosted_zone.h"
#include "vocab/dns.h"
#include "vocab/ip.h"

namespace vpclab::dataplane {

// A hosted zone as the resolver sees it. Record names normalized
// (vocab dns::normalize_name), inside the zone.
struct DnsZone {
  std::string name;
  std::vector<dns::Record> records;
};

struct DnsView {
  std::string id;  // a VPC id, or e.g. "public"
  // EnableDnsSupport: false -> the resolver does not answer at all (queries
  // are dropped, so clients time out as they do in AWS).
  bool dns_support = true;
  // Amazon-provided names -> addresses (A records, TTL 60), decided by the
  // producer (split horizon is in views.h).
  std::map<std::string, std::vector<Ipv4Address>> hosts;
  // Zones this view may answer from (private hosted zones associated with the
  // VPC; for the public view, public zones and the ELB names zone).
  std::vector<DnsZone> zones;
  // View asked for names no zone matches; empty -> NXDOMAIN.
  std::string upstream;
};

struct ResolverConfig {
  std::vector<DnsView> views;
};

enum class DnsRcode : uint8_t { kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5 };

// One resource record of an answer, in presentation form.
struct DnsAnswerRecord {
  std::string name;   // normalized owner
  std::string type;   // "A", "AAAA", "CNAME", "TXT"
  uint32_t ttl = 0;
  std::string value;  // address, target name, or TXT text without quotes
};

struct DnsLookup {
  bool drop = false;  // view unknown or DNS support off: send nothing
  DnsRcode rcode = DnsRcode::kNoError;
  std::vector<DnsAnswerRecord> answers;  // CNAME chain first, then the final records
  std::string zone;  // the zone that answered ("" for hosts/upstream-less NXDOMAIN), for SOA and logs
  std::string answered_by;  // view id that produced the final answer
};

class Resolver {
 public:
  explicit Resolver(ResolverConfig config);

  // The decision for one question, without wire format. `type` is "A",
  // "AAAA", "CNAME", "TXT", "ANY"... (upper case).
  DnsLookup lookup(std::string_view view, std::string_view qname, std::string_view type) const;

  // Wire format: a query in, the response out. Returns false when nothing
  // must be sent (unknown view, DNS support off, unparseable header, a
  // response instead of a query). `max_udp` is the payload limit for UDP
  // (0 = TCP: no limit but 65535); answers that do not fit set TC.
  bool answer(std::string_view view, std::span<const uint8_t> query, std::vector<uint8_t>& response,
              size_t max_udp) const;

  bool has_view(std::string_view view) const;

 private:
  struct View {
    DnsView cfg;
    std::vector<semantics::ZoneCandidate> candidates;  // views into cfg.zones' names
  };
  const View* find(std::string_view id) const;
  void resolve(const View& v, const std::string& name, std::string_view type, int depth, DnsLookup& out) const;

  std::map<std::string, View, std::less<>> views_;
};

// TTL Route 53 gives answers of an alias to an ELB.
inline constexpr uint32_t kElbAliasTtl = 60;
// TTL of Amazon-provided hostnames.
inline constexpr uint32_t kHostnameTtl = 60;

}  // namespace vpclab::dataplane
