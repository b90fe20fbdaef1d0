// Seeded DNS facts on top of a random network (random_network.h): VPC DNS
// attributes, the peering DNS options, overlapping private hosted zones
// (home, corp.home, a zone over compute.internal), a public zone, and
// records of every kind (A, wildcard, CNAME in and out of a zone, alias).
// Used by the DNS differential test.
#pragma once
#include <string>
#include <vector>

#include "random_network.h"

namespace vpclab::testing {

inline dns::Record dns_record(std::string name, std::string type, std::vector<std::string> values) {
  dns::Record r;
  r.name = std::move(name);
  r.type = std::move(type);
  r.values = std::move(values);
  r.ttl = 300;
  return r;
}

inline void add_random_dns(Built& b, Gen& g) {
  Fx& fx = b.fx;
  model::Network& net = fx.net;
  for (auto& v : net.vpcs) {
    v.enable_dns_support = !g.coin(20);
    v.enable_dns_hostnames = v.enable_dns_support && !g.coin(25);
  }
  for (auto& p : net.peerings) {
    p.requester.allow_dns_resolution_from_remote_vpc = g.coin(50);
    p.accepter.allow_dns_resolution_from_remote_vpc = g.coin(50);
  }
  auto some_vpcs = [&](int percent) {
    std::vector<std::string> out;
    for (const auto& v : net.vpcs)
      if (g.coin(percent)) out.push_back(v.id);
    if (out.empty()) out.push_back(net.vpcs[static_cast<size_t>(g.pick(static_cast<int>(net.vpcs.size())))].id);
    return out;
  };
  auto any_instance = [&]() -> const model::Instance& {
    return net.instances[static_cast<size_t>(g.pick(static_cast<int>(net.instances.size())))];
  };
  std::string public_name;  // some instance's public hostname, if any has one
  for (const auto& i : net.instances)
    if (!i.public_dns_name.empty()) public_name = i.public_dns_name;

  auto home = fx.zone("home", some_vpcs(60));
  auto corp = fx.zone("corp.home", some_vpcs(50));
  auto pub = fx.zone("example.com", {}, false);
  auto add = [&](const std::string& zone, dns::Record r) { Fx::find(net.hosted_zones, zone).records.push_back(r); };
  fx.a_record(home, "app.home", any_instance().private_ip.str());
  fx.a_record(home, "db.corp.home", "10.9.9.9");  // shadowed where corp.home is associated too
  fx.a_record(home, "*.wild.home", any_instance().private_ip.str());
  add(home, dns_record("www.home", "CNAME", {"app.home"}));
  add(home, dns_record("ext.home", "CNAME", {"www.example.com"}));
  add(home, dns_record("loop.home", "CNAME", {"loop.home"}));
  if (!public_name.empty()) add(home, dns_record("ec2.home", "CNAME", {public_name}));
  fx.alias(home, "alias.home", "app.home");
  fx.a_record(corp, "db.corp.home", any_instance().private_ip.str());
  add(corp, dns_record("api.corp.home", "CNAME", {"www.home"}));
  fx.a_record(pub, "www.example.com", "198.51.100." + std::to_string(1 + g.pick(200)));
  add(pub, dns_record("app.example.com", "CNAME", {"app.home"}));  // resolved again from the client
  // A private zone over the Amazon private names of one VPC's instances.
  if (g.coin(40)) {
    const auto& i = any_instance();
    auto ci = fx.zone("ap-northeast-1.compute.internal", some_vpcs(40));
    fx.a_record(ci, i.private_dns_name, "10.200.0.1");
  }
}

}  // namespace vpclab::testing
