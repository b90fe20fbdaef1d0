// CloudFormation -> model, Route 53: hosted zones, record sets and record set groups.
#include <fmt/format.h>

#include <algorithm>

#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kZoneVpc = {{"VPCId", K::kString, true}, {"VPCRegion", K::kString, true}};
const Schema kHostedZone = {{"Name", K::kString, true},
                            {"HostedZoneConfig", K::kMap},
                            {"HostedZoneTags", K::kList, false, &kTag},
                            {"QueryLoggingConfig", K::kMap},
                            {"VPCs", K::kList, false, &kZoneVpc},
                            {"HostedZoneFeatures", K::kMap}};
const Schema kAliasTarget = {
    {"DNSName", K::kString, true}, {"HostedZoneId", K::kString, true}, {"EvaluateTargetHealth", K::kBool}};
const Schema kRecordCommon = {{"Name", K::kString, true},
                              {"Type", K::kString, true},
                              {"HostedZoneId", K::kString},
                              {"HostedZoneName", K::kString},
                              {"AliasTarget", K::kMap, false, &kAliasTarget},
                              {"ResourceRecords", K::kStringList},
                              {"TTL", K::kInt},
                              {"SetIdentifier", K::kString},
                              {"Weight", K::kInt},
                              {"Region", K::kString},
                              {"Failover", K::kString},
                              {"GeoLocation", K::kMap},
                              {"GeoProximityLocation", K::kMap},
                              {"CidrRoutingConfig", K::kMap},
                              {"MultiValueAnswer", K::kBool},
                              {"HealthCheckId", K::kString},
                              {"Comment", K::kString}};
const Schema kRecordSetGroup = {{"HostedZoneId", K::kString},
                                {"HostedZoneName", K::kString},
                                {"Comment", K::kString},
                                {"RecordSets", K::kList, false, &kRecordCommon}};

// Types vpclab does not model but that change what can reach what; kept in

}  // namespace

void ModelSink::Impl::route53_types(TypeTable& t) {
  t["AWS::Route53::HostedZone"] = {&kHostedZone, &Impl::add_hosted_zone};
  t["AWS::Route53::RecordSet"] = {&kRecordCommon, &Impl::add_record_set};
  t["AWS::Route53::RecordSetGroup"] = {&kRecordSetGroup, &Impl::add_record_set_group};
}

std::optional<Value> ModelSink::Impl::route53_att(const StackContext&, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kHostedZone: {
      const auto& z = net.hosted_zones[e.index];
      if (a == "Id") return str_value(z.id);
      if (a == "NameServers") {
        if (z.is_private) return list_value({});
        std::string n = model::make_digits(4, {z.id});
        return list_value({fmt::format("ns-{}.awsdns-{}.com", n.substr(0, 3), n.substr(1, 2)),
                           fmt::format("ns-{}.awsdns-{}.net", n.substr(1, 3), n.substr(2, 2)),
                           fmt::format("ns-{}.awsdns-{}.org", n.substr(0, 4), n.substr(0, 2)),
                           fmt::format("ns-{}.awsdns-{}.co.uk", n.substr(2, 2), n.substr(1, 2))});
      }
      break;
    }
    default:
      break;
  }
  return std::nullopt;
}

// ---- Route 53 -------------------------------------------------------------
void ModelSink::Impl::add_hosted_zone(C& c) {
  model::HostedZone z;
  z.id = "Z0" + upper(model::make_hex(19, {c.stack.account, c.stack.name, c.r.logical_id, "zone"}));
  z.origin = c.origin;
  z.name = dns::normalize_name(c.str("Name"));
  if (const Value* vpcs = c.prop("VPCs"); vpcs && vpcs->is_list())
    for (const auto& v : vpcs->items()) z.vpcs.push_back({text(v.get("VPCId")), text(v.get("VPCRegion"))});
  z.is_private = !z.vpcs.empty();
  zone_ix[z.id] = net.hosted_zones.size();
  reg(c, Kind::kHostedZone, z.id, net.hosted_zones.size());
  net.hosted_zones.push_back(std::move(z));
}

model::HostedZone* ModelSink::Impl::zone_for(const C& c, const Value& m, const Value* fallback_map) {
  const Value* id = m.get("HostedZoneId");
  const Value* name = m.get("HostedZoneName");
  if (!id && !name && fallback_map) {
    id = fallback_map->get("HostedZoneId");
    name = fallback_map->get("HostedZoneName");
  }
  if ((id != nullptr) == (name != nullptr)) {
    c.error(m.loc(), "E3014", fmt::format("{}: give exactly one of HostedZoneId, HostedZoneName", c.who()));
    return nullptr;
  }
  if (id) {
    std::string zid = text(id);
    if (zid.rfind("/hostedzone/", 0) == 0) zid = zid.substr(12);
    model::HostedZone* z = find(net.hosted_zones, zone_ix, zid);
    if (!z) not_modeled(c, id, "hosted zone");
    return z;
  }
  std::string want = dns::normalize_name(text(name));
  model::HostedZone* found = nullptr;
  for (auto& z : net.hosted_zones)
    if (z.name == want) {
      if (found) {
        c.error(name->loc(), "E3014",
                fmt::format("{}: several hosted zones are named {}; use HostedZoneId", c.who(), want));
        return nullptr;
      }
      found = &z;
    }
  if (!found) not_modeled(c, name, "hosted zone");
  return found;
}

std::optional<dns::Record> ModelSink::Impl::record(const C& c, const Value& m) {
  dns::Record rec;
  rec.name = dns::normalize_name(text(m.get("Name")));
  rec.type = upper(text(m.get("Type")));
  rec.loc = m.loc();
  rec.set_identifier = text(m.get("SetIdentifier"));
  const Value* alias = m.get("AliasTarget");
  const Value* values = m.get("ResourceRecords");
  if ((alias != nullptr) == (values != nullptr)) {
    c.error(m.loc(), "E3014", fmt::format("{}: record {} needs exactly one of AliasTarget, ResourceRecords", c.who(), rec.name));
    return std::nullopt;
  }
  if (alias) {
    if (m.get("TTL")) c.error(m.get("TTL")->loc(), "E3014", "an alias record takes its TTL from the target; remove TTL");
    rec.is_alias = true;
    rec.alias.dns_name = dns::normalize_name(text(alias->get("DNSName")));
    rec.alias.hosted_zone_id = text(alias->get("HostedZoneId"));
    rec.alias.evaluate_target_health = to_bool(alias->get("EvaluateTargetHealth"), false);
    rec.ttl = 60;
  } else {
    rec.values = strings(values);
    auto ttl = to_int(m.get("TTL"));
    if (!ttl) {
      c.error(m.loc(), "E3003", fmt::format("{}: record {} needs TTL", c.who(), rec.name));
    } else {
      rec.ttl = static_cast<int>(*ttl);
    }
    if (rec.type == "A")
      for (const auto& v : rec.values)
        if (!Ipv4Address::parse(v)) c.error(values->loc(), "E3031", fmt::format("A record value '{}' is not an IPv4 address", v));
  }
  return rec;
}

void ModelSink::Impl::add_record_set(C& c) {
  reg(c, Kind::kRecordSet, c.str("Name"), SIZE_MAX);
  model::HostedZone* z = zone_for(c, c.r.properties, nullptr);
  if (!z) return;
  if (auto rec = record(c, c.r.properties)) {
    rec->loc = c.r.loc;
    z->records.push_back(std::move(*rec));
  }
}

void ModelSink::Impl::add_record_set_group(C& c) {
  reg(c, Kind::kRecordSetGroup, "", SIZE_MAX);
  const Value* sets = c.prop("RecordSets");
  if (!sets || !sets->is_list()) return;
  for (const auto& m : sets->items()) {
    if (!m.is_map()) continue;
    model::HostedZone* z = zone_for(c, m, &c.r.properties);
    if (!z) continue;
    if (auto rec = record(c, m)) z->records.push_back(std::move(*rec));
  }
}

}  // namespace vpclab::tmpl
