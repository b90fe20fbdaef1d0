// Terraform -> model, Route 53: aws_route53_zone (any `vpc` block makes it
// private), aws_route53_zone_association, aws_route53_record (records or alias).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "terraform/reader.h"
#include "vocab/dns.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kZoneTypes = {"aws_route53_zone"};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

void Reader::add_zone(Resource& r) {
  Node n = top(r);
  Want quiet, wv;
  quiet.quiet = true;
  wv.types = kVpcTypes;
  model::HostedZone z;
  z.id = str(n, "zone_id", quiet).value_or("");
  if (z.id.empty()) z.id = "Z0" + upper(model::make_hex(19, {ctx_.account, ctx_.name, r.address, "zone"}));
  z.origin = origin(r);
  z.name = dns::normalize_name(str(n, "name").value_or(""));
  for (const Node& b : blocks(n, "vpc")) {
    auto vid = str(b, "vpc_id", wv);
    if (!vid) continue;
    std::string region = str(b, "vpc_region", quiet).value_or("");
    z.vpcs.push_back({*vid, region.empty() ? ctx_.region : region});
  }
  z.is_private = !blocks(n, "vpc").empty();
  r.id = z.id;
  by_id_[z.id] = &r;
  r.attrs["zone_id"] = z.id;
  r.attrs["id"] = z.id;
  zone_ix_[z.id] = net_.hosted_zones.size();
  net_.hosted_zones.push_back(std::move(z));
}

void Reader::add_zone_association(Resource& r) {
  Node n = top(r);
  Want wz, wv, quiet;
  wz.types = kZoneTypes;
  wz.attr = "zone_id";
  wv.types = kVpcTypes;
  quiet.quiet = true;
  auto zid = str(n, "zone_id", wz);
  model::HostedZone* z = zid ? find(net_.hosted_zones, zone_ix_, *zid) : nullptr;
  if (!z) return ref_missing(n, "zone_id", zid.value_or("?"), "hosted zone");
  auto vid = str(n, "vpc_id", wv);
  if (!vid) return;
  std::string region = str(n, "vpc_region", quiet).value_or("");
  z->vpcs.push_back({*vid, region.empty() ? ctx_.region : region});
  z->is_private = true;
}

void Reader::add_record(Resource& r) {
  Node n = top(r);
  Want wz, quiet;
  wz.types = kZoneTypes;
  wz.attr = "zone_id";
  quiet.quiet = true;
  auto zid = str(n, "zone_id", wz);
  std::string zone = zid.value_or("");
  if (zone.rfind("/hostedzone/", 0) == 0) zone = zone.substr(12);
  model::HostedZone* z = find(net_.hosted_zones, zone_ix_, zone);
  if (!z) return ref_missing(n, "zone_id", zone.empty() ? "?" : zone, "hosted zone");
  dns::Record rec;
  std::string name = str(n, "name").value_or("");
  // A relative name is within the zone (the provider appends the zone name).
  std::string norm = dns::normalize_name(name);
  if (norm != z->name && !(norm.size() > z->name.size() && norm.ends_with("." + z->name)))
    norm = norm.empty() ? z->name : norm + "." + z->name;
  rec.name = norm;
  rec.type = upper(str(n, "type").value_or(""));
  rec.loc = loc_of(n);
  rec.set_identifier = str(n, "set_identifier", quiet).value_or("");
  auto aliases = blocks(n, "alias");
  if (!aliases.empty()) {
    Want wn, wzid;
    wn.types = {"aws_lb", "aws_alb"};
    wn.attr = "dns_name";
    wzid.types = {"aws_lb", "aws_alb"};
    wzid.attr = "zone_id";
    const Node& a = aliases.front();
    rec.is_alias = true;
    rec.alias.dns_name = dns::normalize_name(str(a, "name", wn).value_or(""));
    rec.alias.hosted_zone_id = str(a, "zone_id", wzid).value_or("");
    rec.alias.evaluate_target_health = str(a, "evaluate_target_health", quiet).value_or("false") == "true";
    rec.ttl = 60;
    if (rec.alias.dns_name.empty()) return;  // TF_UNKNOWN noted
  } else {
    rec.values = strs(n, "records");
    rec.ttl = static_cast<int>(integer(n, "ttl").value_or(300));
    if (rec.type == "A")
      for (const auto& v : rec.values)
        if (!Ipv4Address::parse(v)) return error(n, "records", "TF_VALUE", fmt::format("A record value '{}' is not an IPv4 address", v));
  }
  z->records.push_back(std::move(rec));
}

}  // namespace vpclab::terraform
