// AWS CLI JSON -> model: route53 list-hosted-zones, get-hosted-zone (its VPCs),
// list-resource-record-sets.
#include <cctype>

#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace {

// "/hostedzone/Z123" -> "Z123"
std::string zone_id_of(const std::string& id) {
  auto slash = id.rfind('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

// Route 53 prints some characters as \ooo octal escapes ("\052" for "*").
std::string unescape_dns(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 2])) && std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

model::HostedZone* Loader::hosted_zone(const Doc& d, const json& z, const std::string& path) {
  std::string id = zone_id_of(str(z, "Id"));
  if (id.empty()) {
    warn(d, path + ".Id", "SNAP_MISSING", "hosted zone without Id; skipped");
    return nullptr;
  }
  auto it = zone_ix_.find(id);
  if (it != zone_ix_.end()) return &net_.hosted_zones[it->second];
  model::HostedZone hz;
  hz.id = id;
  hz.origin = origin(d);
  hz.name = dns::normalize_name(unescape_dns(str(z, "Name")));
  if (const json* cfg = field(z, "Config")) hz.is_private = boolean(*cfg, "PrivateZone").value_or(false);
  zone_ix_[id] = net_.hosted_zones.size();
  net_.hosted_zones.push_back(std::move(hz));
  return &net_.hosted_zones.back();
}

void Loader::hosted_zones(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) hosted_zone(d, a[i], at(path, i));
}

void Loader::zone_vpcs(const Doc& d, model::HostedZone& z, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    model::HostedZoneVpc v{str(a[i], "VPCId"), str(a[i], "VPCRegion")};
    if (v.vpc.empty()) continue;
    if (!vpc_ix_.count(v.vpc)) {
      note(d, at(path, i), "SNAP_OUTSIDE",
           "hosted zone " + z.name + " is associated with VPC " + v.vpc + ", which is not in the snapshot");
      continue;
    }
    bool dup = false;
    for (const auto& x : z.vpcs) dup |= x.vpc == v.vpc;
    if (!dup) z.vpcs.push_back(v);
  }
}

void Loader::record_sets(const Doc& d, const std::string& zone_id_in, const json& a, const std::string& path) {
  std::string zone_id = zone_id_of(zone_id_in);
  if (zone_id.empty()) {
    // Raw list-resource-record-sets output: the zone is the apex of its SOA.
    for (const auto& r : a) {
      if (str(r, "Type") != "SOA") continue;
      std::string apex = dns::normalize_name(unescape_dns(str(r, "Name")));
      int matches = 0;
      for (const auto& z : net_.hosted_zones)
        if (z.name == apex) {
          zone_id = z.id;
          ++matches;
        }
      if (matches != 1) zone_id.clear();
    }
  }
  auto it = zone_ix_.find(zone_id);
  if (it == zone_ix_.end()) {
    warn(d, path, "SNAP_NO_OWNER",
         "record sets of an unknown hosted zone '" + zone_id + "'; not read (save them as scripts/snapshot does)");
    return;
  }
  auto& z = net_.hosted_zones[it->second];
  for (size_t i = 0; i < a.size(); ++i) {
    const json& r = a[i];
    dns::Record rec;
    rec.name = dns::normalize_name(unescape_dns(str(r, "Name")));
    rec.type = str(r, "Type");
    rec.ttl = static_cast<int>(integer(r, "TTL").value_or(300));
    rec.set_identifier = str(r, "SetIdentifier");
    rec.loc = loc(d);
    if (const json* vals = array(r, "ResourceRecords"))
      for (const auto& v : *vals) rec.values.push_back(str(v, "Value"));
    if (const json* alias = field(r, "AliasTarget")) {
      rec.is_alias = true;
      rec.alias.dns_name = dns::normalize_name(str(*alias, "DNSName"));
      rec.alias.hosted_zone_id = str(*alias, "HostedZoneId");
      rec.alias.evaluate_target_health = boolean(*alias, "EvaluateTargetHealth").value_or(false);
    }
    if (rec.name.empty() || rec.type.empty()) {
      warn(d, at(path, i), "SNAP_MISSING", "record without Name or Type; skipped");
      continue;
    }
    bool dup = false;
    for (const auto& x : z.records)
      dup |= x.name == rec.name && x.type == rec.type && x.set_identifier == rec.set_identifier;
    if (!dup) z.records.push_back(std::move(rec));
  }
}

}  // namespace vpclab::snapshot
