// DNS names and Route 53 records as values.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "vocab/source_loc.h"

namespace vpclab::dns {

// Lower-case, no trailing dot: the form every comparison uses.
std::string normalize_name(std::string_view name);
// True when `zone` equals `name` or is a parent of it ("home" for "alb.home").
bool name_in_zone(std::string_view name, std::string_view zone);

struct AliasTarget {
  std::string dns_name;        // e.g. an ALB's DNS name
  std::string hosted_zone_id;  // the target's canonical hosted zone id
  bool evaluate_target_health = false;
};

struct Record {
  std::string name;  // normalized
  std::string type;  // "A", "AAAA", "CNAME", "TXT", ...
  int ttl = 300;
  std::vector<std::string> values;  // empty for an alias
  bool is_alias = false;
  AliasTarget alias;
  std::string set_identifier;  // routing policies: carried, not evaluated
  SourceLoc loc;
};

}  // namespace vpclab::dns
