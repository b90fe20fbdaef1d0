#include "analysis/diff_dns.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "analysis/dns_view.h"
#include "semantics/vpc_dns.h"
#include "vocab/dns.h"

namespace vpclab::analysis {

namespace {

// VPCs named across versions as diff names instances: by logical id.
std::map<std::string, std::string> vpc_ids_by_key(const model::Network& net) {
  std::map<std::string, int> logical;
  for (const auto& v : net.vpcs) ++logical[v.origin.logical_id];
  std::map<std::string, std::string> out;
  for (const auto& v : net.vpcs) {
    const auto& o = v.origin;
    out[o.logical_id.empty() ? v.id : logical[o.logical_id] == 1 ? o.logical_id : o.display(v.id)] = v.id;
  }
  return out;
}

std::string answer_text(const semantics::VpcDns& dns, const std::string& vpc, const std::string& name,
                        const std::string& type) {
  if (vpc.empty()) return "no such VPC";
  auto a = dns.resolve(vpc, name, type);
  if (a.drop) return "no answer (EnableDnsSupport off)";
  if (a.rcode != semantics::DnsRcode::kNoError) return semantics::rcode_name(a.rcode);
  std::vector<std::string> records;
  for (const auto& r : a.answers) records.push_back(r.type + " " + r.value);
  std::sort(records.begin(), records.end());
  if (records.empty()) return "NODATA";
  std::string out;
  for (const auto& r : records) out += (out.empty() ? "" : ", ") + r;
  return out;
}

}  // namespace

std::vector<DnsChange> dns_changes(const model::Network& before, const model::Network& after) {
  auto k0 = vpc_ids_by_key(before), k1 = vpc_ids_by_key(after);
  // (VPC key, name, type) asked: each private zone's names, from its VPCs.
  std::set<std::tuple<std::string, std::string, std::string>> asks;
  for (const auto* net : {&before, &after}) {
    auto& keys = net == &before ? k0 : k1;
    std::map<std::string, std::string> key_of;
    for (const auto& [k, id] : keys) key_of[id] = k;
    for (const auto& z : net->hosted_zones) {
      if (!z.is_private) continue;
      for (const auto& assoc : z.vpcs) {
        auto key = key_of.find(assoc.vpc);
        if (key == key_of.end()) continue;
        for (const auto& r : z.records)
          if (r.name.rfind("*.", 0) != 0 && r.type != "SOA" && r.type != "NS")
            asks.insert({key->second, dns::normalize_name(r.name), r.type});
      }
    }
  }
  std::vector<DnsChange> out;
  if (asks.empty()) return out;
  semantics::VpcDns d0(dns_facts(before)), d1(dns_facts(after));
  auto id = [](const std::map<std::string, std::string>& keys, const std::string& k) {
    auto it = keys.find(k);
    return it == keys.end() ? std::string() : it->second;
  };
  for (const auto& [vpc, name, type] : asks) {
    std::string was = answer_text(d0, id(k0, vpc), name, type), now = answer_text(d1, id(k1, vpc), name, type);
    if (was != now) out.push_back({vpc, name, type, was, now});
  }
  return out;
}

}  // namespace vpclab::analysis
