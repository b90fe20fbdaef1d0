#include "analysis/diff_scope.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace vpclab::analysis {

namespace {

class Scope {
 public:
  explicit Scope(const model::Network& net) : net_(net) {
    for (const auto& e : net.network_interfaces) {
      enis_by_subnet_[e.subnet].push_back(&e);
      enis_by_vpc_[e.vpc].push_back(&e);
      for (const auto& g : e.security_groups) enis_by_group_[g].push_back(&e);
    }
    for (const auto& s : net.subnets) {
      subnets_by_table_[s.route_table].push_back(s.id);
      subnets_by_acl_[s.network_acl].push_back(s.id);
    }
    for (const auto& t : net.route_tables)
      for (const auto& r : t.routes)
        if (!r.target_id.empty()) tables_by_target_[r.target_id].push_back(t.id);
    for (const auto& l : net.listeners) listeners_[l.arn] = &l;
    for (const auto& a : net.elastic_ips) eips_[a.allocation_id] = &a;
  }

  // false: `id` names nothing in this version.
  bool touch(const std::string& id) {
    // Whatever routes through the resource (an appliance instance or ENI, a
    // NAT gateway, a peering, a gateway) is touched where those routes start.
    if (auto t = tables_by_target_.find(id); t != tables_by_target_.end())
      for (const auto& rtb : t->second) table(rtb);
    if (const auto* v = net_.vpc(id)) return vpc(v->id), true;
    if (net_.subnet(id)) return subnet(id), true;
    if (net_.route_table(id)) return table(id), true;
    if (net_.network_acl(id)) {
      for (const auto& s : subnets_by_acl_[id]) subnet(s);
      return true;
    }
    if (net_.security_group(id)) {
      for (const auto* e : enis_by_group_[id]) eni(*e);
      return true;
    }
    if (const auto* e = net_.network_interface(id)) return eni(*e), true;
    if (const auto* i = net_.instance(id)) {
      parties_.insert(i->id);
      for (const auto& e : i->network_interfaces) touch(e);
      return true;
    }
    if (const auto* g = net_.internet_gateway(id)) return vpc(g->vpc), true;
    if (const auto* n = net_.nat_gateway(id)) {
      if (const auto* s = net_.subnet(n->subnet)) vpc(s->vpc);
      return true;
    }
    if (const auto* p = net_.peering(id)) return vpc(p->requester.vpc), vpc(p->accepter.vpc), true;
    // A transit gateway, its attachments or route tables: every VPC attached
    // to that TGW (a table or an association decides between all of them).
    std::string tgw;
    if (const auto* g = net_.transit_gateway(id)) tgw = g->id;
    else if (const auto* a = net_.transit_gateway_attachment(id)) tgw = a->transit_gateway;
    else if (const auto* t = net_.transit_gateway_route_table(id)) tgw = t->transit_gateway;
    if (!tgw.empty()) {
      for (const auto& a : net_.transit_gateway_attachments)
        if (a.transit_gateway == tgw && a.resource_type == "vpc") vpc(a.resource_id);
      return true;
    }
    if (auto a = eips_.find(id); a != eips_.end()) {
      if (const auto* e = net_.network_interface(a->second->network_interface)) eni(*e);
      return true;
    }
    if (const auto* lb = net_.load_balancer(id)) return parties_.insert(lb->arn), true;
    if (auto l = listeners_.find(id); l != listeners_.end()) return parties_.insert(l->second->load_balancer), true;
    if (const auto* tg = net_.target_group(id)) {
      for (const auto& lb : tg->load_balancers) parties_.insert(lb);
      for (const auto& t : tg->targets) touch(t.id);  // instance targets; an IP target names nothing
      return true;
    }
    // A VPN's parts decide flows to and from on premises, which has no
    // party here (what a VGW propagates changes the route tables themselves).
    if (net_.customer_gateway(id) || net_.vpn_gateway(id) || net_.vpn_connection(id)) return true;
    // A private hosted zone decides names, not flows between addresses.
    return net_.hosted_zone(id) != nullptr;
  }

  std::set<std::string> parties() const { return parties_; }

 private:
  const model::Network& net_;
  std::unordered_map<std::string, std::vector<const model::NetworkInterface*>> enis_by_subnet_, enis_by_vpc_,
      enis_by_group_;
  std::unordered_map<std::string, std::vector<std::string>> subnets_by_table_, subnets_by_acl_, tables_by_target_;
  std::unordered_map<std::string, const model::Listener*> listeners_;
  std::unordered_map<std::string, const model::ElasticIp*> eips_;
  std::set<std::string> parties_, vpcs_done_;

  void eni(const model::NetworkInterface& e) {
    switch (e.owner_kind) {
      case model::EniOwnerKind::kInstance:
      case model::EniOwnerKind::kLoadBalancer: parties_.insert(e.owner_id); break;
      // A NAT gateway's, an interface endpoint's or a free-standing interface: whatever its VPC holds.
      case model::EniOwnerKind::kNatGateway:
      case model::EniOwnerKind::kVpcEndpoint:
      case model::EniOwnerKind::kStandalone: vpc(e.vpc); break;
    }
  }
  void subnet(const std::string& id) {
    for (const auto* e : enis_by_subnet_[id]) eni(*e);
  }
  void table(const std::string& id) {
    for (const auto& s : subnets_by_table_[id]) subnet(s);
  }
  void vpc(const std::string& id) {
    if (!vpcs_done_.insert(id).second) return;
    for (const auto* e : enis_by_vpc_[id])
      if (e->owner_kind == model::EniOwnerKind::kInstance || e->owner_kind == model::EniOwnerKind::kLoadBalancer)
        parties_.insert(e->owner_id);
  }
};

}  // namespace

std::set<std::string> touched_parties(const model::Network& net, const std::set<std::string>& changed,
                                      std::set<std::string>& unknown) {
  Scope scope(net);
  for (const auto& id : changed)
    if (!scope.touch(id)) unknown.insert(id);
  return scope.parties();
}

}  // namespace vpclab::analysis
