// AWS CLI JSON -> model: describe-security-groups, describe-network-acls.
#include <algorithm>

#include "semantics/network_acl.h"
#include "snapshot/loader.h"

namespace vpclab::snapshot {

bool Loader::parse_sg_permission(const Doc& d, const json& p, const std::string& path, Direction dir,
                                 const std::string& owner, std::vector<SecurityGroupRule>& out) {
  SecurityGroupRule base;
  base.direction = dir;
  base.loc = loc(d);
  std::string proto_text = str_or_integer(p, "IpProtocol");
  auto proto = parse_protocol(proto_text);
  if (!proto) {
    warn(d, path + ".IpProtocol", "SNAP_BAD_VALUE", "unknown protocol '" + proto_text + "'; permission skipped");
    return false;
  }
  base.protocol = *proto;
  auto from = integer(p, "FromPort"), to = integer(p, "ToPort");
  if (protocol_has_ports(base.protocol)) {
    if (from && to && *from >= 0 && *to <= 65535 && *from <= *to) {
      base.ports = PortRange{static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
    } else if (from && to && *from == -1 && *to == -1) {
      base.ports = PortRange::all();
    } else if (from || to) {
      warn(d, path, "SNAP_BAD_VALUE", "invalid port range; permission skipped");
      return false;
    }
  } else if (base.protocol == kIcmp || base.protocol == kIcmpv6) {
    base.icmp_type = static_cast<int>(from.value_or(-1));
    base.icmp_code = static_cast<int>(to.value_or(-1));
  }
  size_t before = out.size();
  if (const json* r = array(p, "IpRanges")) {
    for (size_t k = 0; k < r->size(); ++k) {
      auto c = cidr_of(str((*r)[k], "CidrIp"));
      if (!c) {
        warn(d, at(path + ".IpRanges", k), "SNAP_BAD_VALUE", "invalid CidrIp; skipped");
        continue;
      }
      SecurityGroupRule rule = base;
      rule.cidr = c;
      rule.description = str((*r)[k], "Description");
      out.push_back(rule);
    }
  }
  // One rule per peer of the permission, each with its own description.
  auto each_peer = [&](const char* list, auto set_peer) {
    if (const json* r = array(p, list))
      for (const auto& x : *r) {
        SecurityGroupRule rule = base;
        set_peer(rule, x);
        rule.description = str(x, "Description");
        out.push_back(rule);
      }
  };
  each_peer("Ipv6Ranges", [](SecurityGroupRule& rule, const json& x) { rule.cidr_ipv6 = str(x, "CidrIpv6"); });
  each_peer("PrefixListIds", [](SecurityGroupRule& rule, const json& x) { rule.prefix_list_id = str(x, "PrefixListId"); });
  each_peer("UserIdGroupPairs", [&](SecurityGroupRule& rule, const json& x) {
    rule.group_id = str(x, "GroupId");
    std::string user = str(x, "UserId");
    if (!user.empty() && user != owner) rule.group_owner = user;
  });
  return out.size() > before;
}

void Loader::security_groups(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& g = a[i];
    std::string p = at(path, i);
    model::SecurityGroup sg;
    sg.id = str(g, "GroupId");
    if (sg.id.empty() || sg_ix_.count(sg.id)) continue;
    sg.origin = origin(d);
    sg.group_name = str(g, "GroupName");
    sg.vpc = str(g, "VpcId");
    if (!vpc_ix_.count(sg.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "security group " + sg.id + " in unknown VPC '" + sg.vpc + "'; skipped");
      continue;
    }
    std::string owner = str(g, "OwnerId");
    sg.is_default = sg.group_name == "default";
    for (auto [key, dir] : {std::pair{"IpPermissions", Direction::kIngress},
                            std::pair{"IpPermissionsEgress", Direction::kEgress}}) {
      const json* perms = array(g, key);
      if (!perms) continue;
      auto& rules = dir == Direction::kIngress ? sg.ingress : sg.egress;
      for (size_t k = 0; k < perms->size(); ++k)
        parse_sg_permission(d, (*perms)[k], p + "." + at(key, k), dir, owner, rules);
    }
    if (sg.is_default) net_.vpcs[vpc_ix_[sg.vpc]].default_security_group = sg.id;
    sg_ix_[sg.id] = net_.security_groups.size();
    net_.security_groups.push_back(std::move(sg));
  }
}

void Loader::network_acls(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& n = a[i];
    std::string p = at(path, i);
    model::NetworkAcl acl;
    acl.id = str(n, "NetworkAclId");
    if (acl.id.empty() || acl_ix_.count(acl.id)) continue;
    acl.origin = origin(d);
    acl.vpc = str(n, "VpcId");
    if (!vpc_ix_.count(acl.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "network ACL " + acl.id + " in unknown VPC " + acl.vpc + "; skipped");
      continue;
    }
    acl.is_default = boolean(n, "IsDefault").value_or(false);
    if (const json* entries = array(n, "Entries")) {
      for (size_t k = 0; k < entries->size(); ++k) {
        const json& e = (*entries)[k];
        std::string ep = at(p + ".Entries", k);
        NetworkAclEntry entry;
        entry.loc = acl.origin.loc;
        auto num = integer(e, "RuleNumber");
        if (!num || *num < semantics::kNaclMinRuleNumber || *num > semantics::kNaclImplicitDenyRuleNumber) {
          warn(d, ep + ".RuleNumber", "SNAP_BAD_VALUE", "invalid rule number; entry skipped");
          continue;
        }
        // The "*" entry every NACL ends with: finalize() adds it, as for templates.
        if (*num == semantics::kNaclImplicitDenyRuleNumber) continue;
        entry.rule_number = static_cast<int>(*num);
        entry.direction = boolean(e, "Egress").value_or(false) ? Direction::kEgress : Direction::kIngress;
        entry.allow = str(e, "RuleAction") == "allow";
        std::string proto_text = str_or_integer(e, "Protocol");
        auto proto = parse_protocol(proto_text);
        if (!proto) {
          warn(d, ep + ".Protocol", "SNAP_BAD_VALUE", "unknown protocol '" + proto_text + "'; entry skipped");
          continue;
        }
        entry.protocol = *proto;
        if (const json* pr = field(e, "PortRange")) {
          auto f = integer(*pr, "From"), t = integer(*pr, "To");
          if (f && t && *f >= 0 && *t <= 65535 && *f <= *t)
            entry.ports = PortRange{static_cast<uint16_t>(*f), static_cast<uint16_t>(*t)};
        }
        if (const json* ic = field(e, "IcmpTypeCode")) {
          entry.icmp_type = static_cast<int>(integer(*ic, "Type").value_or(-1));
          entry.icmp_code = static_cast<int>(integer(*ic, "Code").value_or(-1));
        }
        std::string c = str(e, "CidrBlock");
        if (!c.empty()) {
          entry.cidr = cidr_of(c);
          if (!entry.cidr) {
            warn(d, ep + ".CidrBlock", "SNAP_BAD_VALUE", "invalid CIDR; entry skipped");
            continue;
          }
        }
        entry.cidr_ipv6 = str(e, "Ipv6CidrBlock");
        (entry.direction == Direction::kIngress ? acl.ingress : acl.egress).push_back(entry);
      }
    }
    auto by_number = [](const NetworkAclEntry& x, const NetworkAclEntry& y) { return x.rule_number < y.rule_number; };
    std::stable_sort(acl.ingress.begin(), acl.ingress.end(), by_number);
    std::stable_sort(acl.egress.begin(), acl.egress.end(), by_number);
    if (const json* as = array(n, "Associations")) {
      for (size_t k = 0; k < as->size(); ++k)
        acl_assocs_.push_back({str((*as)[k], "SubnetId"), acl.id, d.file,
                               at(p + ".Associations", k)});
    }
    if (acl.is_default) net_.vpcs[vpc_ix_[acl.vpc]].default_network_acl = acl.id;
    acl_ix_[acl.id] = net_.network_acls.size();
    net_.network_acls.push_back(std::move(acl));
  }
}

}  // namespace vpclab::snapshot
