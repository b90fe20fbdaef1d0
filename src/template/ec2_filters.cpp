// CloudFormation -> model, EC2 filters: security groups, their inline and standalone rules, network ACLs,
// their entries and subnet associations.
#include <fmt/format.h>

#include <algorithm>

#include "template/model_sink.h"
#include "vocab/protocol.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kSgIngressItem = {{"IpProtocol", K::kString, true},
                               {"CidrIp", K::kString},
                               {"CidrIpv6", K::kString},
                               {"Description", K::kString},
                               {"FromPort", K::kInt},
                               {"ToPort", K::kInt},
                               {"SourcePrefixListId", K::kString},
                               {"SourceSecurityGroupId", K::kString},
                               {"SourceSecurityGroupName", K::kString},
                               {"SourceSecurityGroupOwnerId", K::kString}};
const Schema kSgEgressItem = {{"IpProtocol", K::kString, true},
                              {"CidrIp", K::kString},
                              {"CidrIpv6", K::kString},
                              {"Description", K::kString},
                              {"FromPort", K::kInt},
                              {"ToPort", K::kInt},
                              {"DestinationPrefixListId", K::kString},
                              {"DestinationSecurityGroupId", K::kString}};
const Schema kSecurityGroup = {{"GroupDescription", K::kString, true},
                               {"GroupName", K::kString},
                               {"VpcId", K::kString},
                               {"SecurityGroupIngress", K::kList, false, &kSgIngressItem},
                               {"SecurityGroupEgress", K::kList, false, &kSgEgressItem},
                               {"Tags", K::kList, false, &kTag}};
const Schema kSgIngress = [] {
  Schema s = kSgIngressItem;
  s.push_back({"GroupId", K::kString});
  s.push_back({"GroupName", K::kString});
  return s;
}();
const Schema kSgEgress = [] {
  Schema s = kSgEgressItem;
  s.push_back({"GroupId", K::kString, true});
  return s;
}();
const Schema kNetworkAcl = {{"VpcId", K::kString, true}, {"Tags", K::kList, false, &kTag}};
const Schema kIcmpSpec = {{"Code", K::kInt}, {"Type", K::kInt}};
const Schema kPortRange = {{"From", K::kInt}, {"To", K::kInt}};
const Schema kNetworkAclEntry = {{"NetworkAclId", K::kString, true},
                                 {"RuleNumber", K::kInt, true},
                                 {"Protocol", K::kInt, true},
                                 {"RuleAction", K::kString, true},
                                 {"CidrBlock", K::kString},
                                 {"Ipv6CidrBlock", K::kString},
                                 {"Egress", K::kBool},
                                 {"Icmp", K::kMap, false, &kIcmpSpec},
                                 {"PortRange", K::kMap, false, &kPortRange}};
const Schema kSubnetAclAssoc = {{"SubnetId", K::kString, true}, {"NetworkAclId", K::kString, true}};

}  // namespace

void ModelSink::Impl::ec2_filters_types(TypeTable& t) {
  t["AWS::EC2::SecurityGroup"] = {&kSecurityGroup, &Impl::add_security_group};
  t["AWS::EC2::SecurityGroupIngress"] = {&kSgIngress, &Impl::add_sg_ingress};
  t["AWS::EC2::SecurityGroupEgress"] = {&kSgEgress, &Impl::add_sg_egress};
  t["AWS::EC2::NetworkAcl"] = {&kNetworkAcl, &Impl::add_network_acl};
  t["AWS::EC2::NetworkAclEntry"] = {&kNetworkAclEntry, &Impl::add_network_acl_entry};
  t["AWS::EC2::SubnetNetworkAclAssociation"] = {&kSubnetAclAssoc, &Impl::add_subnet_acl_assoc};
}

std::optional<Value> ModelSink::Impl::ec2_filters_att(const StackContext&, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kSecurityGroup: {
      const auto& g = net.security_groups[e.index];
      if (a == "GroupId") return str_value(g.id);
      if (a == "VpcId") return str_value(g.vpc);
      break;
    }
    case Kind::kSgIngress:
    case Kind::kSgEgress:
      if (a == "Id") return str_value(e.id);
      break;
    case Kind::kNetworkAcl:
      if (a == "Id") return str_value(e.id);
      break;
    case Kind::kNetworkAclEntry:
    case Kind::kSubnetAclAssoc:
      if (a == "Id" || a == "AssociationId") return str_value(e.id);
      break;
    default:
      break;
  }
  return std::nullopt;
}

// ---- security groups and NACLs -------------------------------------------
std::optional<SecurityGroupRule> ModelSink::Impl::sg_rule(const C& c, const Value& m, Direction dir, const std::string& own_vpc) {
  SecurityGroupRule rule;
  rule.direction = dir;
  rule.loc = m.loc();
  const Value* proto = m.get("IpProtocol");
  if (!proto) return std::nullopt;  // E3003 reported by the schema check
  auto p = parse_protocol(text(proto));
  if (!p) {
    c.error(proto->loc(), "E3031", fmt::format("IpProtocol '{}' is not tcp, udp, icmp, icmpv6, -1 or 0-255", text(proto)));
    return std::nullopt;
  }
  rule.protocol = *p;
  auto from = to_int(m.get("FromPort")), to = to_int(m.get("ToPort"));
  if (protocol_has_ports(*p)) {
    if (!from || !to) {
      c.error(m.loc(), "E3003", fmt::format("{}: a {} rule needs FromPort and ToPort", c.who(), protocol_name(*p)));
      return std::nullopt;
    }
    if (*from == -1 && *to == -1) {
      rule.ports = PortRange::all();
    } else if (*from < 0 || *from > 65535 || *to < 0 || *to > 65535) {
      c.error(m.loc(), "E3031", fmt::format("{}: ports {}-{} are outside 0-65535", c.who(), *from, *to));
      return std::nullopt;
    } else {
      rule.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
    }
  } else if (*p == kIcmp || *p == kIcmpv6) {
    rule.icmp_type = from ? static_cast<int>(*from) : -1;
    rule.icmp_code = to ? static_cast<int>(*to) : -1;
  }
  const bool in = dir == Direction::kIngress;
  int peers = 0;
  if (const Value* v = m.get("CidrIp")) {
    ++peers;
    rule.cidr = cidr(c, v, "CidrIp");
    if (!rule.cidr) return std::nullopt;
  }
  if (const Value* v = m.get("CidrIpv6")) ++peers, rule.cidr_ipv6 = text(v);
  if (const Value* v = m.get(in ? "SourceSecurityGroupId" : "DestinationSecurityGroupId")) ++peers, rule.group_id = text(v);
  if (const Value* v = m.get(in ? "SourcePrefixListId" : "DestinationPrefixListId")) ++peers, rule.prefix_list_id = text(v);
  if (const Value* v = in ? m.get("SourceSecurityGroupName") : nullptr) {
    ++peers;
    rule.group_id = group_id_by_name(text(v), own_vpc);
    if (rule.group_id.empty()) {
      // Often the group of something unmodeled (a Classic ELB's source group).
      c.diags.warning(v->loc(), "SG_UNKNOWN_REFERENCE",
                      fmt::format("{}: no security group named '{}' in the loaded stacks; rule ignored", c.who(),
                                  text(v)));
      return std::nullopt;
    }
  }
  if (peers != 1) {
    c.error(m.loc(), "E3014",
            fmt::format("{}: a rule needs exactly one of CidrIp, CidrIpv6, {}SecurityGroupId, {}PrefixListId ({} given)",
                        c.who(), in ? "Source" : "Destination", in ? "Source" : "Destination", peers));
    return std::nullopt;
  }
  if (in) rule.group_owner = text(m.get("SourceSecurityGroupOwnerId"));
  rule.description = text(m.get("Description"));
  return rule;
}

std::string ModelSink::Impl::group_id_by_name(const std::string& name, const std::string& vpc) const {
  std::string id;
  for (const auto& g : net.security_groups)
    if (g.group_name == name && (vpc.empty() || g.vpc == vpc)) id = g.id;
  return id;
}

model::SecurityGroup* ModelSink::Impl::sg_by_name(const std::string& name) {
  for (auto& g : net.security_groups)
    if (g.group_name == name) return &g;
  return nullptr;
}

void ModelSink::Impl::add_security_group(C& c) {
  model::SecurityGroup g;
  g.id = c.id("sg");
  g.origin = c.origin;
  g.vpc = c.str("VpcId");
  // CloudFormation names unnamed groups STACK-LOGICALID-RANDOM.
  g.group_name = c.prop("GroupName") ? c.str("GroupName")
                                    : fmt::format("{}-{}-{}", c.stack.name, c.r.logical_id,
                                                  upper(model::make_hex(12, {c.stack.account, c.stack.name, c.r.logical_id})));
  if (g.vpc.empty()) g.vpc = default_vpc(c);
  auto read_rules = [&](const Value& list, Direction dir, std::vector<SecurityGroupRule>& rules) {
    for (const auto& item : list.items())
      if (item.is_map())
        if (auto rule = sg_rule(c, item, dir, g.vpc)) rules.push_back(*rule);
  };
  if (const Value* in = c.prop("SecurityGroupIngress"); in && in->is_list()) read_rules(*in, Direction::kIngress, g.ingress);
  if (const Value* out = c.prop("SecurityGroupEgress"); out && out->is_list()) {
    read_rules(*out, Direction::kEgress, g.egress);
  } else {
    // No SecurityGroupEgress: AWS's default outbound rule, allow all.
    SecurityGroupRule all;
    all.direction = Direction::kEgress;
    all.cidr = Ipv4Cidr{};
    all.loc = c.r.loc;
    g.egress.push_back(all);
  }
  sg_ix[g.id] = net.security_groups.size();
  reg(c, Kind::kSecurityGroup, g.id, net.security_groups.size());
  net.security_groups.push_back(std::move(g));
}

void ModelSink::Impl::add_sg_rule_resource(C& c, Direction dir) {
  reg(c, dir == Direction::kIngress ? Kind::kSgIngress : Kind::kSgEgress, c.id("sgr"), SIZE_MAX);
  model::SecurityGroup* g = nullptr;
  if (c.prop("GroupId")) {
    g = sg(c.str("GroupId"));
    if (!g) return not_modeled(c, c.prop("GroupId"), "security group");
  } else if (c.prop("GroupName")) {
    g = sg_by_name(c.str("GroupName"));
    if (!g) return not_modeled(c, c.prop("GroupName"), "security group");
  } else {
    return c.error(c.r.loc, "E3003", fmt::format("{}: GroupId is required", c.who()));
  }
  auto rule = sg_rule(c, c.r.properties, dir, g->vpc);
  if (!rule) return;
  rule->loc = c.r.loc;
  // A standalone egress rule adds to what the group has: AWS's default
  // allow-all outbound rule stays (only SecurityGroupEgress on the group
  // itself replaces it).
  (dir == Direction::kEgress ? g->egress : g->ingress).push_back(*rule);
}

void ModelSink::Impl::add_network_acl(C& c) {
  model::NetworkAcl a;
  a.id = c.id("acl");
  a.origin = c.origin;
  a.vpc = c.str("VpcId");
  acl_ix[a.id] = net.network_acls.size();
  reg(c, Kind::kNetworkAcl, a.id, net.network_acls.size());
  net.network_acls.push_back(std::move(a));
}

void ModelSink::Impl::add_network_acl_entry(C& c) {
  reg(c, Kind::kNetworkAclEntry, c.id("aclentry"), SIZE_MAX);
  model::NetworkAcl* a = find(net.network_acls, acl_ix, c.str("NetworkAclId"));
  if (!a) return not_modeled(c, c.prop("NetworkAclId"), "network ACL");
  NetworkAclEntry e;
  e.loc = c.r.loc;
  auto num = to_int(c.prop("RuleNumber"));
  if (!num) return;
  e.rule_number = static_cast<int>(*num);
  e.direction = to_bool(c.prop("Egress"), false) ? Direction::kEgress : Direction::kIngress;
  std::string action = c.str("RuleAction");
  std::transform(action.begin(), action.end(), action.begin(), ::tolower);
  if (action != "allow" && action != "deny")
    return c.error(c.loc_of("RuleAction"), "E3031", fmt::format("RuleAction '{}' must be allow or deny", c.str("RuleAction")));
  e.allow = action == "allow";
  auto p = parse_protocol(c.str("Protocol"));
  if (!p) return c.error(c.loc_of("Protocol"), "E3031", fmt::format("Protocol '{}' is not -1 or 0-255", c.str("Protocol")));
  e.protocol = *p;
  int peers = 0;
  if (const Value* v = c.prop("CidrBlock")) {
    ++peers;
    e.cidr = cidr(c, v, "CidrBlock");
    if (!e.cidr) return;
  }
  if (c.prop("Ipv6CidrBlock")) ++peers, e.cidr_ipv6 = c.str("Ipv6CidrBlock");
  if (peers != 1) return c.error(c.r.loc, "E3014", fmt::format("{}: give exactly one of CidrBlock, Ipv6CidrBlock", c.who()));
  if (protocol_has_ports(e.protocol)) {
    const Value* range = c.prop("PortRange");
    auto from = to_int(range ? range->get("From") : nullptr), to = to_int(range ? range->get("To") : nullptr);
    if (!from || !to)
      return c.error(c.r.loc, "E3003", fmt::format("{}: a {} entry needs PortRange From and To", c.who(), protocol_name(e.protocol)));
    if (*from < 0 || *from > 65535 || *to < 0 || *to > 65535)
      return c.error(range->loc(), "E3031", fmt::format("{}: ports {}-{} are outside 0-65535", c.who(), *from, *to));
    e.ports = {static_cast<uint16_t>(*from), static_cast<uint16_t>(*to)};
  } else if (e.protocol == kIcmp || e.protocol == kIcmpv6) {
    const Value* icmp = c.prop("Icmp");
    e.icmp_type = static_cast<int>(to_int(icmp ? icmp->get("Type") : nullptr).value_or(-1));
    e.icmp_code = static_cast<int>(to_int(icmp ? icmp->get("Code") : nullptr).value_or(-1));
  }
  (e.direction == Direction::kIngress ? a->ingress : a->egress).push_back(e);
}

void ModelSink::Impl::add_subnet_acl_assoc(C& c) {
  reg(c, Kind::kSubnetAclAssoc, c.id("aclassoc"), SIZE_MAX);
  model::Subnet* s = subnet(c.str("SubnetId"));
  if (!s) return not_modeled(c, c.prop("SubnetId"), "subnet");
  if (!s->network_acl.empty()) {
    c.error(c.r.loc, "SUBNET_NACL_ASSOCIATED",
            fmt::format("{}: subnet {} is already associated with network ACL {}", c.who(), s->origin.display(s->id),
                        s->network_acl));
    return;
  }
  s->network_acl = c.str("NetworkAclId");
}

void ModelSink::Impl::add_sg_ingress(C& c) { add_sg_rule_resource(c, Direction::kIngress); }

void ModelSink::Impl::add_sg_egress(C& c) { add_sg_rule_resource(c, Direction::kEgress); }

}  // namespace vpclab::tmpl
