// Route 53 records and addresses for DNS tests, written once.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "vocab/dns.h"
#include "vocab/ip.h"

namespace vpclab::testing {

inline dns::Record rec(std::string name, std::string type, std::vector<std::string> values, int ttl = 300) {
  dns::Record r;
  r.name = std::move(name);
  r.type = std::move(type);
  r.values = std::move(values);
  r.ttl = ttl;
  return r;
}

// An alias A record to a DNS name (an ELB's, usually).
inline dns::Record alias(std::string name, std::string target) {
  dns::Record r;
  r.name = std::move(name);
  r.type = "A";
  r.is_alias = true;
  r.alias.dns_name = std::move(target);
  return r;
}

inline Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

}  // namespace vpclab::testing
