#include "semantics/vpc_dns.h"

#include <algorithm>

namespace vpclab::semantics {

const char* rcode_name(DnsRcode r) {
  switch (r) {
    case DnsRcode::kNoError: return "NOERROR";
    case DnsRcode::kFormErr: return "FORMERR";
    case DnsRcode::kServFail: return "SERVFAIL";
    case DnsRcode::kNxDomain: return "NXDOMAIN";
    case DnsRcode::kNotImp: return "NOTIMP";
    case DnsRcode::kRefused: return "REFUSED";
  }
  return "?";
}

std::vector<Ipv4Address> DnsAnswer::addresses() const {
  std::vector<Ipv4Address> out;
  for (const auto& a : answers)
    if (a.type == "A")
      if (auto ip = Ipv4Address::parse(a.value)) out.push_back(*ip);
  return out;
}

namespace {

bool type_matches(std::string_view want, std::string_view have) { return want == "ANY" || want == have; }

std::string strip_txt_quotes(const std::string& v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// Whether `name` exists in the zone (NODATA) or not (NXDOMAIN): records at
// the name, below it (an empty non-terminal), or a wildcard covering it.
bool name_exists(const HostedZoneFacts& zone, const std::string& name) {
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

std::vector<std::string> texts(const std::vector<Ipv4Address>& ips) {
  std::vector<std::string> v;
  v.reserve(ips.size());
  for (const auto& ip : ips) v.push_back(ip.str());
  return v;
}

}  // namespace

VpcDns::VpcDns(DnsFacts facts) : facts_(std::move(facts)) {
  for (const char* amazon : {"amazonaws.com", "compute.internal", "ec2.internal"}) authoritative_.insert(amazon);
  for (auto& z : facts_.zones) {
    z.name = dns::normalize_name(z.name);
    authoritative_.insert(z.name);
    for (auto& r : z.records) r.name = dns::normalize_name(r.name);
  }
  auto full_dns = [&](const std::string& vpc) {
    for (const auto& v : facts_.vpcs)
      if (v.vpc == vpc) return v.enable_dns_support && v.enable_dns_hostnames;
    return false;
  };
  // Does `owner`'s side let `querier` resolve owner's public names privately?
  auto private_from_peer = [&](const std::string& owner, const std::string& querier) -> int {
    if (!full_dns(owner) || !full_dns(querier)) return -1;
    for (size_t i = 0; i < facts_.peerings.size(); ++i) {
      const auto& p = facts_.peerings[i];
      if (p.requester_vpc == owner && p.accepter_vpc == querier && p.requester_allows) return static_cast<int>(i);
      if (p.accepter_vpc == owner && p.requester_vpc == querier && p.accepter_allows) return static_cast<int>(i);
    }
    return -1;
  };
  auto add = [](View& v, const std::string& raw, Name n) {
    auto [it, fresh] = v.names.try_emplace(dns::normalize_name(raw), n);
    if (!fresh) it->second.addresses.insert(it->second.addresses.end(), n.addresses.begin(), n.addresses.end());
  };

  views_.resize(facts_.vpcs.size());
  for (size_t vi = 0; vi < facts_.vpcs.size(); ++vi) {
    const auto& a = facts_.vpcs[vi];
    View& v = views_[vi];
    vpc_index_.emplace(a.vpc, vi);
    v.support = a.enable_dns_support;
    v.full = a.enable_dns_support && a.enable_dns_hostnames;
    // Kept even with hostnames off: the reason names the zone that would answer.
    for (size_t zi = 0; zi < facts_.zones.size(); ++zi) {
      const auto& z = facts_.zones[zi];
      if (z.is_private && std::find(z.vpcs.begin(), z.vpcs.end(), a.vpc) != z.vpcs.end()) {
        v.zones.push_back({z.name, true});
        v.zone_index.push_back(static_cast<int>(zi));
      }
    }
    if (!v.full) continue;
    for (size_t si = 0; si < facts_.services.size(); ++si)
      if (facts_.services[si].vpc == a.vpc)
        add(v, facts_.services[si].name, {facts_.services[si].addresses, DnsRule::kEndpointPrivateDns, -1, -1, -1,
                                          static_cast<int>(si)});
    for (size_t hi = 0; hi < facts_.hosts.size(); ++hi) {
      const auto& h = facts_.hosts[hi];
      int host = static_cast<int>(hi);
      if (h.vpc == a.vpc) {
        if (!h.private_dns_name.empty()) add(v, h.private_dns_name, {{h.private_ip}, DnsRule::kPrivateHostname, host});
        if (!h.public_dns_name.empty())
          add(v, h.public_dns_name, {{h.private_ip}, DnsRule::kPublicHostnameSameVpc, host});
      } else if (!h.public_dns_name.empty()) {
        int pcx = private_from_peer(h.vpc, a.vpc);
        if (pcx >= 0) add(v, h.public_dns_name, {{h.private_ip}, DnsRule::kPublicHostnameViaPeering, host, pcx});
      }
    }
  }

  public_.full = false;
  for (size_t li = 0; li < facts_.load_balancers.size(); ++li) {
    const auto& lb = facts_.load_balancers[li];
    std::string n = dns::normalize_name(lb.dns_name);
    if (n.empty()) continue;
    Name name{lb.addresses, DnsRule::kLoadBalancer, -1, -1, static_cast<int>(li)};
    add(public_, n, name);
    add(public_, "dualstack." + n, name);
  }
  for (size_t si = 0; si < facts_.services.size(); ++si)
    if (facts_.services[si].vpc.empty())
      add(public_, facts_.services[si].name,
          {facts_.services[si].addresses, DnsRule::kServicePublicName, -1, -1, -1, static_cast<int>(si)});
  for (size_t hi = 0; hi < facts_.hosts.size(); ++hi) {
    const auto& h = facts_.hosts[hi];
    int host = static_cast<int>(hi);
    if (!h.public_dns_name.empty()) {
      if (h.public_ip) add(public_, h.public_dns_name, {{*h.public_ip}, DnsRule::kPublicHostnamePublicIp, host});
      else add(public_, h.public_dns_name, {{}, DnsRule::kPublicHostnameNoPublicIp, host});
    }
    if (!h.private_dns_name.empty()) private_names_.try_emplace(dns::normalize_name(h.private_dns_name), host);
  }
  for (size_t zi = 0; zi < facts_.zones.size(); ++zi)
    if (!facts_.zones[zi].is_private) {
      public_.zones.push_back({facts_.zones[zi].name, true});
      public_.zone_index.push_back(static_cast<int>(zi));
    }
}

// One resolution: the client's view, the type asked, where the reason goes.
struct DnsWalk {
  const VpcDns& d;
  const VpcDns::View* client;
  std::string_view type;
  std::vector<DnsStep>* steps;  // null: no reason wanted (the resolver's hot path)

  void note(DnsRule rule, const std::string& name, int zone = -1, int record = -1) {
    if (steps) steps->emplace_back(rule, name, zone, record);
  }

  void name(const VpcDns::View* v, const std::string& n, int depth, DnsAnswer& out) {
    if (depth > VpcDns::kMaxDepth) {
      out.rcode = DnsRcode::kServFail;
      note(DnsRule::kChainTooLong, n);
      return;
    }
    out.rcode = DnsRcode::kNoError;
    out.zone.clear();
    if (v != &d.public_) {
      int zi = select_private_zone(n, v->zones);
      if (v->full) {
        // 1. Private hosted zones (UNCONFIRMED: before Amazon-provided names).
        if (zi >= 0) return zone(v->zone_index[static_cast<size_t>(zi)], true, n, depth, out);
        // 2. Amazon-provided names as this VPC sees them.
        if (auto it = v->names.find(n); it != v->names.end()) return amazon_name(n, it->second, out);
      } else if (zi >= 0) {
        note(DnsRule::kHostnamesDisabled, n, v->zone_index[static_cast<size_t>(zi)]);
      }
    }
    // 3. Public DNS.
    if (auto it = d.public_.names.find(n); it != d.public_.names.end()) return amazon_name(n, it->second, out);
    if (int zi = select_private_zone(n, d.public_.zones); zi >= 0)  // the same most-specific rule
      return zone(d.public_.zone_index[static_cast<size_t>(zi)], false, n, depth, out);
    if (!in_lab(n)) {
      out.rcode = DnsRcode::kServFail;
      note(DnsRule::kOutsideLab, n);
      return;
    }
    out.rcode = DnsRcode::kNxDomain;
    if (steps) explain_nxdomain(n);
  }

  // Whether the lab can know that `n` does not exist: it lies in one of the
  // lab's hosted zones or under a domain AWS answers for itself.
  // One set lookup per label of the name (a miss must not scan every zone).
  bool in_lab(const std::string& n) const {
    for (size_t at = 0;; ++at) {
      if (d.authoritative_.count(n.substr(at))) return true;
      if ((at = n.find('.', at)) == std::string::npos) return false;
    }
  }

  void amazon_name(const std::string& n, const VpcDns::Name& name, DnsAnswer& out) {
    bool none = name.rule == DnsRule::kPublicHostnameNoPublicIp || name.addresses.empty();
    if (none) out.rcode = DnsRcode::kNxDomain;
    else if (type_matches(type, "A"))
      for (const auto& ip : name.addresses) out.answers.push_back({n, "A", kHostnameTtl, ip.str()});
    if (!steps) return;
    DnsStep s(name.rule, n);
    s.host = name.host;
    s.peering = name.peering;
    s.load_balancer = name.load_balancer;
    s.service = name.service;
    s.values = texts(name.addresses);
    steps->push_back(std::move(s));
  }

  // Why public DNS had nothing: a private hostname asked from outside its
  // VPC, a name only in a private zone the client is not associated with.
  void explain_nxdomain(const std::string& n) {
    if (auto it = d.private_names_.find(n); it != d.private_names_.end()) {
      DnsStep s(DnsRule::kPrivateHostnameOutOfScope, n);
      s.host = it->second;
      steps->push_back(std::move(s));
      return;
    }
    for (size_t zi = 0; zi < d.facts_.zones.size(); ++zi) {
      const auto& z = d.facts_.zones[zi];
      if (!z.is_private || !dns::name_in_zone(n, z.name)) continue;
      if (client && std::find(client->zone_index.begin(), client->zone_index.end(), static_cast<int>(zi)) !=
                        client->zone_index.end())
        continue;
      if (find_records(z.records, n, type == "ANY" ? "A" : type).empty()) continue;
      note(DnsRule::kNotAssociated, n, static_cast<int>(zi));
      return;
    }
    note(DnsRule::kNxDomain, n);
  }

  void zone(int zi, bool is_private, const std::string& n, int depth, DnsAnswer& out) {
    const HostedZoneFacts& z = d.facts_.zones[static_cast<size_t>(zi)];
    out.zone = z.name;
    std::vector<const dns::Record*> at;
    if (type == "ANY") {
      for (const auto& r : z.records)
        if (r.name == n) at.push_back(&r);
    } else {
      at = find_records(z.records, n, type);
    }
    if (at.empty()) {
      if (!name_exists(z, n)) out.rcode = DnsRcode::kNxDomain;  // else NODATA: NOERROR, empty
      note(DnsRule::kZoneLacksName, n, zi);
      return;
    }
    note(is_private ? DnsRule::kPrivateZone : DnsRule::kPublicZone, n, zi);
    auto index = [&](const dns::Record* r) { return static_cast<int>(r - z.records.data()); };

    // A CNAME owns its name: follow it for every other type, from the client.
    for (const auto* r : at) {
      if (r->type != "CNAME" || r->is_alias || r->values.empty() || type == "CNAME") continue;
      std::string target = dns::normalize_name(r->values.front());
      out.answers.push_back({n, "CNAME", static_cast<uint32_t>(std::max(r->ttl, 0)), target});
      if (steps) {
        DnsStep s(DnsRule::kCname, n, zi, index(r));
        s.target = target;
        steps->push_back(std::move(s));
      }
      return name(client, target, depth + 1, out);
    }

    for (const auto* r : at) {
      if (!type_matches(type, r->type)) continue;
      if (r->is_alias) {
        if (!r->values.empty()) {  // the producer already resolved the target
          for (const auto& val : r->values) out.answers.push_back({n, r->type, kElbAliasTtl, val});
          if (steps) {
            DnsStep s(DnsRule::kAlias, n, zi, index(r));
            s.target = r->alias.dns_name;
            s.values = r->values;
            steps->push_back(std::move(s));
          }
          continue;
        }
        std::string target = dns::normalize_name(r->alias.dns_name);
        if (target.empty()) continue;
        if (steps) {
          DnsStep s(DnsRule::kAlias, n, zi, index(r));
          s.target = target;
          steps->push_back(std::move(s));
        }
        // Route 53 resolves an alias on the zone's side.
        DnsAnswer sub;
        DnsWalk w{d, client, r->type, steps};
        w.name(is_private ? client : &d.public_, target, depth + 1, sub);
        if (sub.rcode == DnsRcode::kServFail) {
          out.rcode = DnsRcode::kServFail;
          return;
        }
        for (const auto& a : sub.answers)
          if (a.type == r->type) out.answers.push_back({n, r->type, kElbAliasTtl, a.value});
        continue;
      }
      uint32_t ttl = static_cast<uint32_t>(std::max(r->ttl, 0));
      for (const auto& val : r->values)
        out.answers.push_back({n, r->type, ttl, r->type == "TXT" ? strip_txt_quotes(val) : val});
      if (steps) {
        DnsStep s(DnsRule::kRecord, n, zi, index(r));
        s.values = r->values;
        steps->push_back(std::move(s));
      }
    }
  }
};

DnsAnswer VpcDns::resolve(std::string_view vpc, std::string_view qname, std::string_view qtype,
                          bool with_reason) const {
  DnsAnswer out;
  std::string n = dns::normalize_name(qname);
  const View* v = &public_;
  if (!vpc.empty()) {
    auto it = vpc_index_.find(std::string(vpc));
    if (it == vpc_index_.end()) {
      out.drop = true;
      return out;
    }
    v = &views_[it->second];
    if (!v->support) {
      out.drop = true;
      if (with_reason) out.steps.emplace_back(DnsRule::kResolverDisabled, n);
      return out;
    }
  }
  DnsWalk w{*this, v, qtype, with_reason ? &out.steps : nullptr};
  w.name(v, n, 0, out);
  return out;
}

}  // namespace vpclab::semantics
