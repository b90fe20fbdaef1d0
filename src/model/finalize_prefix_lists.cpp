// Managed prefix lists: what a security-group rule, a VPC route or a TGW
// route naming one stands for (its IPv4 entries, copied into the referrer
// so every layer reads the same CIDRs), and the security-group rule quota
// a prefix list counts against with its MaxEntries (aws-tgw-nlb.md section 9).
#include <fmt/format.h>

#include "model/finalizer.h"
#include "semantics/prefix_list.h"

namespace vpclab::model {

void Finalizer::resolve_prefix_lists() {
  auto entries_of = [&](const std::string& id, SourceLoc loc, const std::string& who) -> std::vector<Ipv4Cidr> {
    const PrefixList* pl = net_.prefix_list(id);
    if (!pl) {
      warning(loc, "PREFIX_LIST_UNKNOWN",
              fmt::format("{} names prefix list '{}', whose entries are not in the input: it matches nothing", who, id),
              "define it (AWS::EC2::PrefixList) or add describe-managed-prefix-lists and "
              "get-managed-prefix-list-entries to the snapshot");
      return {};
    }
    std::vector<Ipv4Cidr> out;
    for (const auto& e : pl->entries)
      if (e.cidr) out.push_back(*e.cidr);  // an IPv6 list matches no IPv4 address
    return out;
  };
  for (auto& g : net_.security_groups)
    for (auto* rules : {&g.ingress, &g.egress}) {
      int weight = 0;
      for (auto& r : *rules) {
        if (!r.prefix_list_id.empty())
          r.prefix_list_cidrs = entries_of(r.prefix_list_id, r.loc, "a rule of security group " + who(g));
        const PrefixList* pl = r.prefix_list_id.empty() ? nullptr : net_.prefix_list(r.prefix_list_id);
        weight += semantics::security_group_rule_weight(r, pl ? pl->max_entries : 0);
      }
      if (weight > semantics::kSecurityGroupRulesPerDirection)
        warning(g.origin.loc, "SG_RULES_QUOTA",
                fmt::format("security group {} has {} {} rules counting prefix lists by MaxEntries; the default "
                            "quota is {} per direction (adjustable), else AuthorizeSecurityGroup{} fails",
                            who(g), weight, rules == &g.ingress ? "inbound" : "outbound",
                            semantics::kSecurityGroupRulesPerDirection, rules == &g.ingress ? "Ingress" : "Egress"));
    }
  for (auto& t : net_.route_tables)
    for (auto& r : t.routes)
      if (!r.destination_prefix_list.empty())
        r.prefix_list_cidrs = entries_of(r.destination_prefix_list, r.loc, "a route of route table " + who(t));
  for (auto& t : net_.transit_gateway_route_tables)
    for (auto& r : t.routes)
      if (!r.destination && !r.destination_prefix_list.empty())
        r.prefix_list_cidrs =
            entries_of(r.destination_prefix_list, r.loc, "a prefix-list reference of transit gateway route table " + who(t));
}

}  // namespace vpclab::model
