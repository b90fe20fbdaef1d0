// Terraform -> model, EC2 filters: aws_security_group (inline rules),
// aws_default_security_group, aws_security_group_rule,
// aws_vpc_security_group_ingress_rule / _egress_rule, aws_network_acl
// (inline rules, subnet_ids), aws_default_network_acl, aws_network_acl_rule,
// aws_network_acl_association.
//
// Terraform's semantics, not CloudFormation's: a group the provider creates
// loses AWS's allow-all egress rule (only written egress remains), and the
// aws_default_* resources empty what they adopt before adding their rules.
#include <fmt/format.h>

#include <algorithm>

#include "terraform/reader.h"
#include "vocab/protocol.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kAclTypes = {"aws_network_acl", "aws_default_network_acl"};
}  // namespace

void Reader::mixed_rules(const std::string& id, const Node& n, const char* what) {
  if (!inline_rules_.count(id) || !mixed_reported_.insert(id).second) return;
  Resource* owner = by_id(id);
  warning(n, "", "TF_RULES_MIXED",
          fmt::format("{} {} has inline rules and separate rule resources; the provider warns that they conflict and "
                      "overwrite each other (vpclab reads both)",
                      what, owner ? owner->address : id));
}

// ---- security groups -----------------------------------------------------------------

namespace {
struct RuleShape {
  std::optional<IpProtocol> protocol;
  PortRange ports = PortRange::all();
  int icmp_type = -1, icmp_code = -1;
};
}  // namespace

// A rule's protocol and ports (or ICMP type and code) from `proto_key`,
// from_port and to_port; false, said, when the rule cannot be read.
bool Reader::rule_head(const Node& n, const char* proto_key, SecurityGroupRule& base) {
  base.loc = loc_of(n);
  auto proto_text = str(n, proto_key);
  if (!proto_text) return false;
  auto p = parse_protocol(*proto_text);
  if (!p) {
    error(n, proto_key, "TF_VALUE", fmt::format("{} '{}' is not tcp, udp, icmp, icmpv6, -1 or 0-255", proto_key, *proto_text));
    return false;
  }
  base.protocol = *p;
  auto from = integer(n, "from_port"), to = integer(n, "to_port");
  if (protocol_has_ports(*p)) {
    if (!from || !to || *from < 0 || *to > 65535 || *from > *to) {
      warning(n, "from_port", "TF_VALUE",
              fmt::format("ports {}-{} are not a range in 0-65535 (AWS rejects it at apply); rule left out",
                          from.value_or(-1), to.value_or(-1)));
      return false;
    }
    base.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
  } else if (*p == kIcmp || *p == kIcmpv6) {
    base.icmp_type = static_cast<int>(from.value_or(-1));
    base.icmp_code = static_cast<int>(to.value_or(-1));
  }
  return true;
}

// One rule per address peer: cidr_blocks, ipv6_cidr_blocks, prefix_list_ids.
void Reader::address_peers(const Node& n, const SecurityGroupRule& base, std::vector<SecurityGroupRule>& out) {
  Want quiet;
  quiet.quiet = true;
  for (const auto& c : strs(n, "cidr_blocks", quiet)) {
    SecurityGroupRule x = base;
    x.cidr = cidr(n, "cidr_blocks", c);
    if (x.cidr) out.push_back(x);
  }
  for (const auto& c : strs(n, "ipv6_cidr_blocks", quiet)) {
    SecurityGroupRule x = base;
    x.cidr_ipv6 = c;
    out.push_back(x);
  }
  for (const auto& c : strs(n, "prefix_list_ids", quiet)) {
    SecurityGroupRule x = base;
    x.prefix_list_id = c;
    out.push_back(x);
  }
}

void Reader::inline_sg_rules(model::SecurityGroup& g, const Node& n, Direction dir) {
  for (const Node& b : blocks(n, dir == Direction::kIngress ? "ingress" : "egress")) {
    SecurityGroupRule base;
    base.direction = dir;
    base.loc = loc_of(b);
    if (!rule_head(b, "protocol", base)) continue;
    base.description = str(b, "description", Want{{}, "id", false, true}).value_or("");
    auto& out = dir == Direction::kIngress ? g.ingress : g.egress;
    Want quiet;
    quiet.quiet = true;
    address_peers(b, base, out);
    Want sgs;
    sgs.types = kSgTypes;
    sgs.many = true;
    for (const auto& c : strs(b, "security_groups", sgs)) {
      SecurityGroupRule x = base;
      x.group_id = c;
      out.push_back(x);
    }
    if (str(b, "self", quiet).value_or("false") == "true") {
      SecurityGroupRule x = base;
      x.group_id = g.id;
      out.push_back(x);
    }
  }
}

void Reader::add_security_group(Resource& r) {
  Node n = top(r);
  model::SecurityGroup g;
  g.id = r.id;
  g.origin = origin(r);
  g.vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  Want quiet;
  quiet.quiet = true;
  g.group_name = str(n, "name", quiet).value_or("");
  if (g.group_name.empty())
    g.group_name = str(n, "name_prefix", quiet).value_or("terraform-") + model::make_digits(26, {r.id});
  if (g.vpc.empty()) {
    warning(n, "vpc_id", "TF_REF_MISSING", "the group's VPC is not known from the plan; group left out");
  } else if (!vpc_ix_.count(g.vpc)) {
    // An existing VPC the plan names by id: nothing to place the group in.
    ref_missing(n, "vpc_id", g.vpc, "VPC");
    g.vpc.clear();
  }
  inline_sg_rules(g, n, Direction::kIngress);
  // No egress blocks: no egress. The provider revokes the allow-all rule AWS
  // adds to a new group (unlike CloudFormation, which keeps it).
  inline_sg_rules(g, n, Direction::kEgress);
  if (!g.ingress.empty() || !g.egress.empty()) inline_rules_.insert(g.id);
  if (g.vpc.empty()) return;
  sg_ix_[g.id] = net_.security_groups.size();
  net_.security_groups.push_back(std::move(g));
}

// Adopting the VPC's default group removes every rule, then adds the written
// ones: without blocks it admits and sends nothing.
void Reader::add_default_security_group(Resource& r) {
  Node n = top(r);
  std::string vid = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  model::Vpc* v = find(net_.vpcs, vpc_ix_, vid);
  if (!v) return ref_missing(n, "vpc_id", vid, "VPC");
  model::SecurityGroup g;
  g.id = r.id.empty() ? v->default_security_group : r.id;
  v->default_security_group = g.id;
  r.id = g.id;
  by_id_[g.id] = &r;
  g.origin = origin(r);
  g.group_name = "default";
  g.vpc = v->id;
  g.is_default = true;
  inline_sg_rules(g, n, Direction::kIngress);
  inline_sg_rules(g, n, Direction::kEgress);
  inline_rules_.insert(g.id);  // its rules are absolute: separate rules conflict
  sg_ix_[g.id] = net_.security_groups.size();
  net_.security_groups.push_back(std::move(g));
}

// The group a separate rule resource belongs to (security_group_id), said
// when missing, and the provider's warning when the group has inline rules.
model::SecurityGroup* Reader::rule_group(const Node& n) {
  Want w;
  w.types = kSgTypes;
  auto gid = str(n, "security_group_id", w);
  model::SecurityGroup* g = gid ? find(net_.security_groups, sg_ix_, *gid) : nullptr;
  if (!g) {
    ref_missing(n, "security_group_id", gid.value_or("?"), "security group");
    return nullptr;
  }
  mixed_rules(g->id, n, "security group");
  return g;
}

void Reader::add_sg_rule(Resource& r) {
  Node n = top(r);
  model::SecurityGroup* g = rule_group(n);
  if (!g) return;
  auto type = str(n, "type");
  if (!type || (*type != "ingress" && *type != "egress"))
    return error(n, "type", "TF_VALUE", fmt::format("type '{}' is not ingress or egress", type.value_or("")));
  Direction dir = *type == "ingress" ? Direction::kIngress : Direction::kEgress;
  SecurityGroupRule base;
  base.direction = dir;
  if (!rule_head(n, "protocol", base)) return;
  Want quiet;
  quiet.quiet = true;
  base.description = str(n, "description", quiet).value_or("");
  auto& out = dir == Direction::kIngress ? g->ingress : g->egress;
  size_t before = out.size();
  address_peers(n, base, out);
  Want sgs;
  sgs.types = kSgTypes;
  if (auto src = str(n, "source_security_group_id", sgs)) {
    SecurityGroupRule x = base;
    x.group_id = *src;
    out.push_back(x);
  }
  if (str(n, "self", quiet).value_or("false") == "true") {
    SecurityGroupRule x = base;
    x.group_id = g->id;
    out.push_back(x);
  }
  if (out.size() == before)
    warning(n, "", "TF_UNKNOWN", "the rule's peer (cidr_blocks, source_security_group_id, self, ...) is not known; rule left out");
}

void Reader::add_vpc_sg_rule(Resource& r, Direction dir) {
  Node n = top(r);
  model::SecurityGroup* g = rule_group(n);
  if (!g) return;
  SecurityGroupRule x;
  x.direction = dir;
  x.loc = loc_of(n);
  auto proto_text = str(n, "ip_protocol");
  if (!proto_text) return;
  auto p = parse_protocol(*proto_text);
  if (!p) return error(n, "ip_protocol", "TF_VALUE", fmt::format("ip_protocol '{}' is not a protocol", *proto_text));
  x.protocol = *p;
  Want quiet;
  quiet.quiet = true;
  auto from = integer(n, "from_port"), to = integer(n, "to_port");
  if (protocol_has_ports(*p)) {
    if (!from || !to || *from < 0 || *to > 65535 || *from > *to)
      return warning(n, "from_port", "TF_VALUE",
                     fmt::format("ports {}-{} are not a range in 0-65535 (AWS rejects it at apply); rule left out",
                                 from.value_or(-1), to.value_or(-1)));
    x.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
  } else if (*p == kIcmp || *p == kIcmpv6) {
    x.icmp_type = static_cast<int>(from.value_or(-1));
    x.icmp_code = static_cast<int>(to.value_or(-1));
  }
  x.description = str(n, "description", quiet).value_or("");
  int peers = 0;
  if (auto c = str(n, "cidr_ipv4", quiet)) {
    ++peers;
    x.cidr = cidr(n, "cidr_ipv4", *c);
    if (!x.cidr) return;
  }
  if (auto c = str(n, "cidr_ipv6", quiet)) ++peers, x.cidr_ipv6 = *c;
  if (auto c = str(n, "prefix_list_id", quiet)) ++peers, x.prefix_list_id = *c;
  Want sgs;
  sgs.types = kSgTypes;
  if (auto c = str(n, "referenced_security_group_id", sgs)) ++peers, x.group_id = *c;
  if (peers != 1)
    return warning(n, "", peers ? "TF_VALUE" : "TF_UNKNOWN",
                   fmt::format("a rule needs exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, "
                               "referenced_security_group_id ({} known); rule left out",
                               peers));
  (dir == Direction::kIngress ? g->ingress : g->egress).push_back(x);
}

// ---- network ACLs ------------------------------------------------------------------------

void Reader::inline_acl_entries(model::NetworkAcl& a, const Node& n, Direction dir) {
  for (const Node& b : blocks(n, dir == Direction::kIngress ? "ingress" : "egress")) {
    NetworkAclEntry e;
    e.direction = dir;
    e.loc = loc_of(b);
    auto num = integer(b, "rule_no");
    auto action = str(b, "action");
    auto proto_text = str(b, "protocol");
    if (!num || !action || !proto_text) continue;
    e.rule_number = static_cast<int>(*num);
    if (*action != "allow" && *action != "deny") {
      error(b, "action", "TF_VALUE", fmt::format("action '{}' is not allow or deny", *action));
      continue;
    }
    e.allow = *action == "allow";
    auto p = parse_protocol(*proto_text);
    if (!p) {
      error(b, "protocol", "TF_VALUE", fmt::format("protocol '{}' is not a protocol", *proto_text));
      continue;
    }
    e.protocol = *p;
    if (protocol_has_ports(*p)) {
      auto from = integer(b, "from_port"), to = integer(b, "to_port");
      if (from && to && *from >= 0 && *to <= 65535 && *from <= *to)
        e.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
    } else if (*p == kIcmp) {
      e.icmp_type = static_cast<int>(integer(b, "icmp_type").value_or(-1));
      e.icmp_code = static_cast<int>(integer(b, "icmp_code").value_or(-1));
    }
    Want quiet;
    quiet.quiet = true;
    if (auto c = str(b, "cidr_block", quiet); c && !c->empty()) {
      e.cidr = cidr(b, "cidr_block", *c);
      if (!e.cidr) continue;
    } else if (auto c6 = str(b, "ipv6_cidr_block", quiet)) {
      e.cidr_ipv6 = *c6;
    } else {
      continue;
    }
    (dir == Direction::kIngress ? a.ingress : a.egress).push_back(e);
  }
  for (auto* list : {&a.ingress, &a.egress})
    std::stable_sort(list->begin(), list->end(),
                     [](const NetworkAclEntry& x, const NetworkAclEntry& y) { return x.rule_number < y.rule_number; });
}

void Reader::associate_acl(const Node& n, const std::string& key, const std::string& subnet_id,
                           const std::string& acl_id) {
  model::Subnet* s = find(net_.subnets, subnet_ix_, subnet_id);
  if (!s) return ref_missing(n, key, subnet_id, "subnet");
  s->network_acl = acl_id;
}

void Reader::add_network_acl(Resource& r) {
  Node n = top(r);
  model::NetworkAcl a;
  a.id = r.id;
  a.origin = origin(r);
  a.vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  // No rules: only the final deny entries (finalize adds them): deny all.
  inline_acl_entries(a, n, Direction::kIngress);
  inline_acl_entries(a, n, Direction::kEgress);
  if (!a.ingress.empty() || !a.egress.empty()) inline_rules_.insert(a.id);
  std::string id = a.id;
  acl_ix_[a.id] = net_.network_acls.size();
  net_.network_acls.push_back(std::move(a));
  Want ws;
  ws.types = kSubnetTypes;
  ws.many = true;
  ws.quiet = true;
  for (const auto& sid : strs(n, "subnet_ids", ws)) associate_acl(n, "subnet_ids", sid, id);
}

// Adopting the default ACL removes its rules (AWS's allow-all at 100), then
// adds the written ones: without blocks it denies everything.
void Reader::add_default_network_acl(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = kVpcTypes;
  w.attr = "default_network_acl_id";
  auto id = str(n, "default_network_acl_id", w);
  if (!id) return;
  model::NetworkAcl a;
  a.id = *id;
  a.origin = origin(r);
  a.is_default = true;
  for (auto& v : net_.vpcs)
    if (v.default_network_acl == a.id) a.vpc = v.id;
  if (a.vpc.empty()) return ref_missing(n, "default_network_acl_id", a.id, "VPC default network ACL");
  r.id = a.id;
  by_id_[a.id] = &r;
  inline_acl_entries(a, n, Direction::kIngress);
  inline_acl_entries(a, n, Direction::kEgress);
  inline_rules_.insert(a.id);
  acl_ix_[a.id] = net_.network_acls.size();
  net_.network_acls.push_back(std::move(a));
  Want ws;
  ws.types = kSubnetTypes;
  ws.many = true;
  ws.quiet = true;
  for (const auto& sid : strs(n, "subnet_ids", ws)) associate_acl(n, "subnet_ids", sid, *id);
}

void Reader::add_network_acl_rule(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = kAclTypes;
  auto aid = str(n, "network_acl_id", w);
  model::NetworkAcl* a = aid ? find(net_.network_acls, acl_ix_, *aid) : nullptr;
  if (!a) return ref_missing(n, "network_acl_id", aid.value_or("?"), "network ACL");
  mixed_rules(a->id, n, "network ACL");
  NetworkAclEntry e;
  e.loc = loc_of(n);
  Want quiet;
  quiet.quiet = true;
  auto num = integer(n, "rule_number");
  auto action = str(n, "rule_action");
  auto proto_text = str(n, "protocol");
  if (!num || !action || !proto_text) return;
  e.rule_number = static_cast<int>(*num);
  e.direction = str(n, "egress", quiet).value_or("false") == "true" ? Direction::kEgress : Direction::kIngress;
  if (*action != "allow" && *action != "deny")
    return error(n, "rule_action", "TF_VALUE", fmt::format("rule_action '{}' is not allow or deny", *action));
  e.allow = *action == "allow";
  auto p = parse_protocol(*proto_text);
  if (!p) return error(n, "protocol", "TF_VALUE", fmt::format("protocol '{}' is not a protocol", *proto_text));
  e.protocol = *p;
  if (protocol_has_ports(*p)) {
    auto from = integer(n, "from_port"), to = integer(n, "to_port");
    if (!from || !to || *from < 0 || *to > 65535 || *from > *to)
      return error(n, "from_port", "TF_VALUE", "a tcp or udp rule needs from_port and to_port in 0-65535");
    e.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
  } else if (*p == kIcmp) {
    e.icmp_type = static_cast<int>(integer(n, "icmp_type").value_or(-1));
    e.icmp_code = static_cast<int>(integer(n, "icmp_code").value_or(-1));
  }
  if (auto c = str(n, "cidr_block", quiet)) {
    e.cidr = cidr(n, "cidr_block", *c);
    if (!e.cidr) return;
  } else if (auto c6 = str(n, "ipv6_cidr_block", quiet)) {
    e.cidr_ipv6 = *c6;
  } else {
    return warning(n, "cidr_block", "TF_UNKNOWN", "the rule's CIDR block is not known; rule left out");
  }
  auto& list = e.direction == Direction::kIngress ? a->ingress : a->egress;
  list.push_back(e);
  std::stable_sort(list.begin(), list.end(),
                   [](const NetworkAclEntry& x, const NetworkAclEntry& y) { return x.rule_number < y.rule_number; });
}

void Reader::add_network_acl_association(Resource& r) {
  Node n = top(r);
  Want w, ws;
  w.types = kAclTypes;
  ws.types = kSubnetTypes;
  auto aid = str(n, "network_acl_id", w);
  auto sid = str(n, "subnet_id", ws);
  if (!aid || !acl_ix_.count(*aid)) return ref_missing(n, "network_acl_id", aid.value_or("?"), "network ACL");
  if (!sid) return;
  associate_acl(n, "subnet_id", *sid, *aid);
}

}  // namespace vpclab::terraform
