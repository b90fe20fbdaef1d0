#include "dataplane/dns/resolver.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace vpclab::dataplane {

Resolver::Resolver(ResolverConfig config) : dns_(std::move(config.facts)) {}
Resolver::Resolver(semantics::DnsFacts facts) : dns_(std::move(facts)) {}

bool Resolver::has_view(std::string_view view) const { return view == kPublicDnsView || dns_.knows_vpc(view); }

DnsLookup Resolver::lookup(std::string_view view, std::string_view qname, std::string_view type) const {
  if (view == kPublicDnsView) return dns_.resolve("", qname, type);
  if (view.empty()) {  // "" is not a view name (it is the internet to VpcDns)
    DnsLookup out;
    out.drop = true;
    return out;
  }
  return dns_.resolve(view, qname, type);
}

// ---------------------------------------------------------------- wire format

namespace {

struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

// A response carrying only a header: for queries ldns cannot parse.
void header_only(std::span<const uint8_t> q, DnsRcode rcode, std::vector<uint8_t>& resp) {
  resp.assign(12, 0);
  resp[0] = q[0];
  resp[1] = q[1];
  // QR=1, opcode and RD copied from the query.
  resp[2] = static_cast<uint8_t>(0x80 | (q[2] & 0x79));
  resp[3] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(rcode));  // RA=1
}

ldns_rdf* absolute_dname(const std::string& name) {
  return ldns_dname_new_frm_str((name + ".").c_str());
}

ldns_rr* make_rr(ldns_rdf* owner, const DnsAnswerRecord& a) {
  ldns_rr_type t = ldns_get_rr_type_by_name(a.type.c_str());
  ldns_rdf* rd = nullptr;
  switch (t) {
    case LDNS_RR_TYPE_A: rd = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, a.value.c_str()); break;
    case LDNS_RR_TYPE_AAAA: rd = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, a.value.c_str()); break;
    case LDNS_RR_TYPE_CNAME: rd = absolute_dname(a.value); break;
    case LDNS_RR_TYPE_TXT:
      // One character-string holds at most 255 bytes.
      if (a.value.size() <= 255) {
        std::string esc;
        for (char c : a.value) {
          if (c == '"' || c == '\\') esc.push_back('\\');
          esc.push_back(c);
        }
        rd = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, esc.c_str());
      }
      break;
    default: break;
  }
  if (!rd || !owner) {
    if (rd) ldns_rdf_deep_free(rd);
    if (owner) ldns_rdf_deep_free(owner);
    return nullptr;  // a value the producer got wrong: left out, not a crash
  }
  ldns_rr* rr = ldns_rr_new();
  ldns_rr_set_owner(rr, owner);
  ldns_rr_set_type(rr, t);
  ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
  ldns_rr_set_ttl(rr, a.ttl);
  ldns_rr_push_rdf(rr, rd);
  return rr;
}

// The SOA Route 53 puts in negative answers of a hosted zone.
ldns_rr* zone_soa(const std::string& zone) {
  ldns_rr* rr = nullptr;
  std::string text = zone + ". 900 IN SOA ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400";
  if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) return nullptr;
  return rr;
}

}  // namespace

bool Resolver::answer(std::string_view view, std::span<const uint8_t> query, std::vector<uint8_t>& response,
                      size_t max_udp) const {
  response.clear();
  if (query.size() < 12) return false;
  if (query[2] & 0x80) return false;  // a response, not a query: never answer (no loops)
  // No resolver (unknown view, EnableDnsSupport off): silence, so clients time out as in AWS.
  if (view != kPublicDnsView && !dns_.has_resolver(view)) return false;

  uint8_t opcode = (query[2] >> 3) & 0x0f;
  if (opcode != 0) {
    header_only(query, DnsRcode::kNotImp, response);
    return true;
  }
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, query.data(), query.size()) != LDNS_STATUS_OK || !raw) {
    header_only(query, DnsRcode::kFormErr, response);
    return true;
  }
  PktPtr q(raw);
  ldns_rr_list* qs = ldns_pkt_question(q.get());
  if (ldns_pkt_qdcount(q.get()) != 1 || !qs || ldns_rr_list_rr_count(qs) != 1) {
    header_only(query, DnsRcode::kFormErr, response);
    return true;
  }
  ldns_rr* question = ldns_rr_list_rr(qs, 0);

  PktPtr r(ldns_pkt_new());
  ldns_pkt_set_id(r.get(), ldns_pkt_id(q.get()));
  ldns_pkt_set_qr(r.get(), true);
  ldns_pkt_set_opcode(r.get(), LDNS_PACKET_QUERY);
  ldns_pkt_set_rd(r.get(), ldns_pkt_rd(q.get()));
  ldns_pkt_set_ra(r.get(), true);
  ldns_pkt_push_rr(r.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(question));
  if (ldns_pkt_edns(q.get())) ldns_pkt_set_edns_udp_size(r.get(), 1232);

  DnsRcode rcode = DnsRcode::kNoError;
  if (ldns_rr_get_class(question) != LDNS_RR_CLASS_IN || !ldns_pkt_rd(q.get())) {
    // Other classes, and non-recursive queries (the Amazon DNS server
    // answers recursive queries only), are refused.
    rcode = DnsRcode::kRefused;
  } else {
    char* owner_c = ldns_rdf2str(ldns_rr_owner(question));
    char* type_c = ldns_rr_type2str(ldns_rr_get_type(question));
    std::string qname = owner_c ? owner_c : "";
    std::string qtype = type_c ? type_c : "";
    free(owner_c);
    free(type_c);
    DnsLookup res = lookup(view, qname, qtype);
    rcode = res.rcode;
    std::string norm = dns::normalize_name(qname);
    for (const auto& a : res.answers) {
      // The owner keeps the query's spelling (0x20 case randomisation).
      ldns_rdf* owner = a.name == norm ? ldns_rdf_clone(ldns_rr_owner(question)) : absolute_dname(a.name);
      if (ldns_rr* rr = make_rr(owner, a)) ldns_pkt_push_rr(r.get(), LDNS_SECTION_ANSWER, rr);
    }
    bool negative = res.rcode == DnsRcode::kNxDomain || (res.rcode == DnsRcode::kNoError && res.answers.empty());
    if (negative && !res.zone.empty())
      if (ldns_rr* soa = zone_soa(res.zone)) ldns_pkt_push_rr(r.get(), LDNS_SECTION_AUTHORITY, soa);
  }
  ldns_pkt_set_rcode(r.get(), static_cast<uint8_t>(rcode));

  size_t limit = max_udp == 0 ? 65535 : std::max<size_t>(max_udp, 512);
  if (max_udp && ldns_pkt_edns(q.get())) limit = std::max<size_t>(limit, std::min<size_t>(ldns_pkt_edns_udp_size(q.get()), 1232));
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&wire, r.get(), &size) != LDNS_STATUS_OK || !wire) {
    header_only(query, DnsRcode::kServFail, response);
    return true;
  }
  if (size > limit) {
    // Too big for UDP: answer with TC so the client retries over TCP.
    free(wire);
    wire = nullptr;
    ldns_rr_list_deep_free(ldns_pkt_answer(r.get()));
    ldns_pkt_set_answer(r.get(), ldns_rr_list_new());
    ldns_rr_list_deep_free(ldns_pkt_authority(r.get()));
    ldns_pkt_set_authority(r.get(), ldns_rr_list_new());
    ldns_pkt_set_ancount(r.get(), 0);
    ldns_pkt_set_nscount(r.get(), 0);
    ldns_pkt_set_tc(r.get(), true);
    if (ldns_pkt2wire(&wire, r.get(), &size) != LDNS_STATUS_OK || !wire) {
      header_only(query, DnsRcode::kServFail, response);
      return true;
    }
  }
  response.assign(wire, wire + size);
  free(wire);
  return true;
}

}  // namespace vpclab::dataplane
