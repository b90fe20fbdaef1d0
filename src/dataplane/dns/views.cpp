#include "dataplane/dns/views.h"

#include <map>

#include "vocab/dns.h"

namespace vpclab::dataplane {

ResolverConfig build_lab_views(const LabDnsInput& in) {
  std::map<std::string, const VpcDnsAttributes*> attrs;
  for (const auto& v : in.vpcs) attrs[v.vpc] = &v;
  auto full_dns = [&](const std::string& vpc) {
    auto it = attrs.find(vpc);
    return it != attrs.end() && it->second->enable_dns_support && it->second->enable_dns_hostnames;
  };
  // Does `owner`'s side let `querier` resolve owner's public names privately?
  auto private_from_peer = [&](const std::string& owner, const std::string& querier) {
    if (!full_dns(owner) || !full_dns(querier)) return false;
    for (const auto& p : in.peerings) {
      if (p.requester_vpc == owner && p.accepter_vpc == querier && p.requester_allows) return true;
      if (p.accepter_vpc == owner && p.requester_vpc == querier && p.accepter_allows) return true;
    }
    return false;
  };

  ResolverConfig cfg;
  for (const auto& v : in.vpcs) {
    DnsView view;
    view.id = v.vpc;
    view.dns_support = v.enable_dns_support;
    view.upstream = kPublicDnsView;
    if (full_dns(v.vpc)) {
      for (const auto& h : in.hosts) {
        if (h.vpc == v.vpc) {
          if (!h.private_dns_name.empty()) view.hosts[dns::normalize_name(h.private_dns_name)].push_back(h.private_ip);
          if (!h.public_dns_name.empty()) view.hosts[dns::normalize_name(h.public_dns_name)].push_back(h.private_ip);
        } else if (!h.public_dns_name.empty() && private_from_peer(h.vpc, v.vpc)) {
          view.hosts[dns::normalize_name(h.public_dns_name)].push_back(h.private_ip);
        }
      }
      for (const auto& z : in.zones) {
        if (!z.is_private) continue;
        for (const auto& assoc : z.vpcs)
          if (assoc == v.vpc) {
            view.zones.push_back(z.zone);
            break;
          }
      }
    }
    cfg.views.push_back(std::move(view));
  }

  DnsView pub;
  pub.id = kPublicDnsView;
  for (const auto& h : in.hosts)
    if (!h.public_dns_name.empty() && h.public_ip) pub.hosts[dns::normalize_name(h.public_dns_name)].push_back(*h.public_ip);
  for (const auto& [name, ips] : in.public_names) {
    auto& v = pub.hosts[dns::normalize_name(name)];
    v.insert(v.end(), ips.begin(), ips.end());
  }
  for (const auto& z : in.zones)
    if (!z.is_private) pub.zones.push_back(z.zone);
  cfg.views.push_back(std::move(pub));
  return cfg;
}

}  // namespace vpclab::dataplane
