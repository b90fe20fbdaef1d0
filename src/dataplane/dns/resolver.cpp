#include "dataplane/dns/resolver.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace vpclab::dataplane {

namespace {

// Chains longer than this answer SERVFAIL (CNAME loops, alias loops).
constexpr int kMaxDepth = 8;

bool type_matches(std::string_view want, std::string_view have) { return want == "ANY" || want == have; }

std::string strip_txt_quotes(const std::string& v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// Whether `name` exists in the zone (NODATA) or not (NXDOMAIN): records at
// the name, below it (an empty non-terminal), or a wildcard covering it.
bool name_exists(const DnsZone& zone, const std::string& name) {
  for (const auto& r : zone.records)
    if (r.name == name || (r.name.size() > name.size() && dns::name_in_zone(r.name, name))) return true;
  std::string_view rest = name;
  while (rest.size() > zone.name.size()) {
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
    std::string wild = "*." + std::string(rest);
    for (const auto& r : zone.records)
      if (r.name == wild) return true;
  }
  return false;
}

}  // namespace

Resolver::Resolver(ResolverConfig config) {
  for (auto& v : config.views) {
    View view;
    for (auto& z : v.zones) {
      z.name = dns::normalize_name(z.name);
      for (auto& r : z.records) r.name = dns::normalize_name(r.name);
    }
    std::map<std::string, std::vector<Ipv4Address>> hosts;
    for (auto& [name, ips] : v.hosts) hosts[dns::normalize_name(name)] = ips;
    v.hosts = std::move(hosts);
    view.cfg = std::move(v);
    std::string id = view.cfg.id;
    View& stored = views_[id] = std::move(view);
    // Candidates point into the stored view (map nodes do not move).
    for (const auto& z : stored.cfg.zones) stored.candidates.push_back({z.name, true});
  }
}

bool Resolver::has_view(std::string_view view) const { return find(view) != nullptr; }

const Resolver::View* Resolver::find(std::string_view id) const {
  auto it = views_.find(id);
  return it == views_.end() ? nullptr : &it->second;
}

DnsLookup Resolver::lookup(std::string_view view, std::string_view qname, std::string_view type) const {
  DnsLookup out;
  const View* v = find(view);
  if (!v || !v->cfg.dns_support) {
    out.drop = true;
    return out;
  }
  resolve(*v, dns::normalize_name(qname), type, 0, out);
  return out;
}

void Resolver::resolve(const View& v, const std::string& name, std::string_view type, int depth,
                       DnsLookup& out) const {
  if (depth > kMaxDepth) {
    out.rcode = DnsRcode::kServFail;
    return;
  }
  out.answered_by = v.cfg.id;
  out.zone.clear();
  out.rcode = DnsRcode::kNoError;

  // 1. Amazon-provided hostnames.
  if (auto it = v.cfg.hosts.find(name); it != v.cfg.hosts.end()) {
    if (type_matches(type, "A"))
      for (const auto& ip : it->second) out.answers.push_back({name, "A", kHostnameTtl, ip.str()});
    return;
  }

  // 2. Hosted zones, most specific first; no fallback once one matches.
  int zi = semantics::select_private_zone(name, v.candidates);
  if (zi < 0) {
    // 3. Upstream.
    const View* up = v.cfg.upstream.empty() ? nullptr : find(v.cfg.upstream);
    if (up && up != &v) {
      resolve(*up, name, type, depth + 1, out);
      return;
    }
    out.rcode = DnsRcode::kNxDomain;
    return;
  }
  const DnsZone& zone = v.cfg.zones[static_cast<size_t>(zi)];
  out.zone = zone.name;

  std::vector<const dns::Record*> at;
  if (type == "ANY") {
    for (const auto& r : zone.records)
      if (r.name == name) at.push_back(&r);
  } else {
    at = semantics::find_records(zone.records, name, type);
  }
  if (at.empty()) {
    if (!name_exists(zone, name)) out.rcode = DnsRcode::kNxDomain;
    return;  // else NODATA: NOERROR with an empty answer
  }

  // A CNAME owns its name: follow it for every other type.
  for (const auto* r : at) {
    if (r->type != "CNAME" || r->is_alias || r->values.empty() || type == "CNAME") continue;
    std::string target = dns::normalize_name(r->values.front());
    out.answers.push_back({name, "CNAME", static_cast<uint32_t>(std::max(r->ttl, 0)), target});
    resolve(v, target, type, depth + 1, out);
    return;
  }

  for (const auto* r : at) {
    if (!type_matches(type, r->type)) continue;
    if (r->is_alias) {
      if (!r->values.empty()) {  // producer already resolved the target
        for (const auto& val : r->values) out.answers.push_back({name, r->type, kElbAliasTtl, val});
        continue;
      }
      std::string target = dns::normalize_name(r->alias.dns_name);
      if (target.empty()) continue;
      DnsLookup sub;
      resolve(v, target, r->type, depth + 1, sub);
      if (sub.rcode == DnsRcode::kServFail) {
        out.rcode = DnsRcode::kServFail;
        return;
      }
      for (const auto& a : sub.answers)
        if (a.type == r->type) out.answers.push_back({name, r->type, kElbAliasTtl, a.value});
      out.answered_by = v.cfg.id;
      out.zone = zone.name;
      continue;
    }
    uint32_t ttl = static_cast<uint32_t>(std::max(r->ttl, 0));
    for (const auto& val : r->values)
      out.answers.push_back({name, r->type, ttl, r->type == "TXT" ? strip_txt_quotes(val) : val});
  }
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
  const View* v = find(view);
  if (!v || !v->cfg.dns_support) return false;

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
