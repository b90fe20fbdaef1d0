// The VPC resolver engine ("AmazonProvidedDNS" at base+2 and 169.254.169.253):
// the wire format around semantics::VpcDns, which decides every answer (the
// same function the analyzer renders its DNS hops from). One view per VPC
// (id = the VPC id) plus kPublicDnsView, what the internet resolves.
// Negative answers from a hosted zone carry its SOA, as Route 53's do.
// The engine never throws and never crashes on bad packets: malformed
// queries get FORMERR when a header can be read, otherwise are dropped.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "semantics/vpc_dns.h"

namespace vpclab::dataplane {

// View id of the lab's public DNS (what "the internet" resolves).
inline constexpr const char* kPublicDnsView = "public";

// The lab's DNS facts; the emulator fills them from the model
// (analysis::dns_facts), tests by hand.
struct ResolverConfig {
  semantics::DnsFacts facts;
};

using semantics::DnsAnswerRecord;
using semantics::DnsRcode;
using DnsLookup = semantics::DnsAnswer;
using semantics::kElbAliasTtl;
using semantics::kHostnameTtl;

class Resolver {
 public:
  explicit Resolver(ResolverConfig config);
  explicit Resolver(semantics::DnsFacts facts);

  // The decision for one question, without wire format (semantics::VpcDns
  // without the reason). `type` is "A", "AAAA", "CNAME", "TXT", "ANY"...
  DnsLookup lookup(std::string_view view, std::string_view qname, std::string_view type) const;

  // Wire format: a query in, the response out. Returns false when nothing
  // must be sent (unknown view, DNS support off, unparseable header, a
  // response instead of a query). `max_udp` is the payload limit for UDP
  // (0 = TCP: no limit but 65535); answers that do not fit set TC.
  bool answer(std::string_view view, std::span<const uint8_t> query, std::vector<uint8_t>& response,
              size_t max_udp) const;

  bool has_view(std::string_view view) const;

 private:
  semantics::VpcDns dns_;
};

}  // namespace vpclab::dataplane
