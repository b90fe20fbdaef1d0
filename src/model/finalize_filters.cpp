// finalize(): security groups (references, limits) and network ACLs (rule
// numbers, order, the final `*` deny).
#include "model/finalizer.h"

#include "semantics/network_acl.h"

#include <algorithm>
#include <set>

namespace vpclab::model {

void Finalizer::check_security_groups() {
  // Peered VPC pairs (active), for references across a peering.
  std::set<std::pair<std::string, std::string>> peered;
  for (const auto& p : net_.peerings)
    if (p.state == PeeringState::kActive) {
      peered.insert({p.requester.vpc, p.accepter.vpc});
      peered.insert({p.accepter.vpc, p.requester.vpc});
    }
  for (auto& g : net_.security_groups) {
    if (!net_.vpc(g.vpc)) {
      error(g.origin.loc, "SG_UNKNOWN_VPC",
            fmt::format("security group {} names VPC '{}', which is not defined", who(g), g.vpc));
      continue;
    }
    for (auto* rules : {&g.ingress, &g.egress})
      if (rules->size() > 60)
        warning(g.origin.loc, "SG_RULE_LIMIT",
                fmt::format("security group {} has {} {} rules; the default quota is 60", who(g), rules->size(),
                            rules == &g.ingress ? "inbound" : "outbound"));
    for (auto* rules : {&g.ingress, &g.egress})
      for (const auto& rule : *rules) {
        if (protocol_has_ports(rule.protocol) && rule.ports.from > rule.ports.to)
          error(rule.loc, "SG_RULE_PORTS",
                fmt::format("rule of {} has FromPort {} above ToPort {}", who(g), rule.ports.from, rule.ports.to));
        if (rule.group_id.empty()) continue;
        const SecurityGroup* ref = net_.security_group(rule.group_id);
        bool cross_account = !rule.group_owner.empty() && rule.group_owner != g.origin.account;
        if (!ref) {
          if (cross_account)
            warning(rule.loc, "SG_UNKNOWN_REFERENCE",
                    fmt::format("rule of {} references {}/{}, which is not in the loaded stacks", who(g),
                                rule.group_owner, rule.group_id));
          else
            error(rule.loc, "SG_UNKNOWN_REFERENCE",
                  fmt::format("rule of {} references security group '{}', which is not defined", who(g), rule.group_id));
          continue;
        }
        if (ref->vpc != g.vpc && !peered.count({g.vpc, ref->vpc}))
          warning(rule.loc, "SG_REFERENCE_NOT_PEERED",
                  fmt::format("rule of {} references {} of VPC {}, which is not peered (actively) with {}: it matches nothing",
                              who(g), who(*ref), ref->vpc, g.vpc));
      }
  }
}

void Finalizer::finish_network_acls() {
  for (auto& a : net_.network_acls) {
    if (!net_.vpc(a.vpc)) {
      error(a.origin.loc, "NACL_UNKNOWN_VPC",
            fmt::format("network ACL {} names VPC '{}', which is not defined", who(a), a.vpc));
      continue;
    }
    for (auto* entries : {&a.ingress, &a.egress}) {
      const Direction dir = entries == &a.ingress ? Direction::kIngress : Direction::kEgress;
      // The final "*" deny is ours to add.
      std::erase_if(*entries,
                    [](const NetworkAclEntry& e) { return e.rule_number == semantics::kNaclImplicitDenyRuleNumber; });
      std::set<int> numbers;
      for (const auto& e : *entries) {
        if (e.rule_number < semantics::kNaclMinRuleNumber || e.rule_number > semantics::kNaclMaxRuleNumber)
          error(e.loc, "NACL_RULE_NUMBER",
                fmt::format("network ACL {} entry has rule number {}; AWS allows {} to {}", who(a), e.rule_number,
                            semantics::kNaclMinRuleNumber, semantics::kNaclMaxRuleNumber));
        else if (!numbers.insert(e.rule_number).second)
          error(e.loc, "NACL_DUPLICATE_RULE",
                fmt::format("network ACL {} already has {} rule number {}", who(a),
                            dir == Direction::kIngress ? "an inbound" : "an outbound", e.rule_number));
        if (protocol_has_ports(e.protocol) && e.ports.from > e.ports.to)
          error(e.loc, "NACL_RULE_NUMBER",
                fmt::format("network ACL {} rule {} has port range {}-{} reversed", who(a), e.rule_number, e.ports.from,
                            e.ports.to));
      }
      if (entries->size() > 20)
        warning(a.origin.loc, "NACL_RULE_LIMIT",
                fmt::format("network ACL {} has {} {} entries; the default quota is 20", who(a), entries->size(),
                            dir == Direction::kIngress ? "inbound" : "outbound"));
      std::stable_sort(entries->begin(), entries->end(),
                       [](const NetworkAclEntry& x, const NetworkAclEntry& y) { return x.rule_number < y.rule_number; });
      NetworkAclEntry deny = semantics::implicit_deny_entry(dir);
      deny.loc = a.origin.loc;
      entries->push_back(deny);
    }
  }
}

}  // namespace vpclab::model
