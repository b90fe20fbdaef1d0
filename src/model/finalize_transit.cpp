// finalize(): transit gateways (the default route table AWS creates),
// VPC attachments (subnets, one per AZ; state; the one association),
// propagations and the routes they add, static routes, and VPC routes to a
// TGW (the VPC must be attached). Rules from semantics/transit_gateway.h.
// A declaration in a stack that AWS would refuse is an error; the same found
// in a snapshot (what AWS reports) is a warning.
#include <algorithm>
#include <map>
#include <set>

#include "model/finalizer.h"
#include "model/ids.h"
#include "semantics/transit_gateway.h"
#include "semantics/vpn.h"

namespace vpclab::model {

namespace {
bool in_stack(const Origin& o) { return o.declared(); }
}  // namespace

void Finalizer::add_implicit_transit_resources() {
  std::set<std::string> tables;
  for (const auto& t : net_.transit_gateway_route_tables) tables.insert(t.id);
  for (auto& g : net_.transit_gateways) {
    if (!g.default_route_table_association && !g.default_route_table_propagation) continue;
    // One default table serves both defaults (aws-tgw-nlb.md section 1).
    std::string id = !g.association_default_route_table.empty() ? g.association_default_route_table
                     : !g.propagation_default_route_table.empty() ? g.propagation_default_route_table
                                                                  : make_id("tgw-rtb", {g.id, "default"});
    if (g.association_default_route_table.empty() && g.default_route_table_association)
      g.association_default_route_table = id;
    if (g.propagation_default_route_table.empty() && g.default_route_table_propagation)
      g.propagation_default_route_table = id;
    if (tables.count(id) || in_stack(g.origin) == false) continue;  // a snapshot lists its tables
    TransitGatewayRouteTable t;
    t.id = id;
    t.origin = g.origin;
    t.origin.logical_id.clear();  // AWS made it, no template declares it
    t.name = "default";
    t.transit_gateway = g.id;
    t.implicit = true;
    tables.insert(id);
    net_.transit_gateway_route_tables.push_back(std::move(t));
  }
}

void Finalizer::finish_transit_gateways() {
  auto problem = [&](const Origin& o, SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    if (in_stack(o)) error(loc, code, std::move(msg), std::move(fix));
    else warning(loc, code, std::move(msg), std::move(fix));
  };
  for (const auto& t : net_.transit_gateway_route_tables)
    if (!net_.transit_gateway(t.transit_gateway))
      problem(t.origin, t.origin.loc, "TGW_RTB_UNKNOWN_TGW",
              fmt::format("transit gateway route table {} names transit gateway '{}', which is not defined", who(t),
                          t.transit_gateway));
  for (const auto& g : net_.transit_gateways)
    for (const auto* id : {&g.association_default_route_table, &g.propagation_default_route_table}) {
      const auto* t = id->empty() ? nullptr : net_.transit_gateway_route_table(*id);
      if (!id->empty() && (!t || t->transit_gateway != g.id))
        problem(g.origin, g.origin.loc, "TGW_DEFAULT_RTB_UNKNOWN",
                fmt::format("transit gateway {} names default route table '{}', which is not one of its tables",
                            who(g), *id));
    }
  std::set<std::pair<std::string, std::string>> attached;  // (tgw, vpc)
  for (auto& a : net_.transit_gateway_attachments) {
    const TransitGateway* g = net_.transit_gateway(a.transit_gateway);
    if (!g) {
      problem(a.origin, a.origin.loc, "TGW_ATTACH_UNKNOWN_TGW",
              fmt::format("transit gateway attachment {} names transit gateway '{}', which is not defined", who(a),
                          a.transit_gateway));
      a.state = "failed";
      continue;
    }
    if (a.resource_type == "vpc" && !attached.insert({g->id, a.resource_id}).second)
      problem(a.origin, a.origin.loc, "TGW_ATTACH_DUPLICATE_VPC",
              fmt::format("VPC {} is attached to transit gateway {} twice; AWS allows one VPC attachment per VPC and "
                          "transit gateway",
                          a.resource_id, who(*g)));
    check_transit_attachment(a, *g);
  }
  finish_transit_route_tables();
}

void Finalizer::check_transit_attachment(TransitGatewayAttachment& a, const TransitGateway& g) {
  auto problem = [&](SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    if (in_stack(a.origin)) error(loc, code, std::move(msg), std::move(fix));
    else warning(loc, code, std::move(msg), std::move(fix));
  };
  if (a.resource_type == "vpc") {
    const Vpc* v = net_.vpc(a.resource_id);
    if (!v) {
      if (in_stack(a.origin))
        error(a.origin.loc, "TGW_ATTACH_UNKNOWN_VPC",
              fmt::format("transit gateway attachment {} names VPC '{}', which is not defined", who(a), a.resource_id));
      // A snapshot may hold one account's side only: the VPC is outside it.
    } else {
      if (a.resource_owner.empty()) a.resource_owner = v->origin.account;
      if (a.subnets.empty())
        problem(a.origin.loc, "TGW_ATTACH_NO_SUBNET",
                fmt::format("transit gateway attachment {} names no subnet; a VPC attachment needs one subnet per "
                            "Availability Zone it serves",
                            who(a)));
      std::map<std::string, std::string> by_az;
      for (const auto& sid : a.subnets) {
        const Subnet* s = net_.subnet(sid);
        if (!s) {
          problem(a.origin.loc, "TGW_ATTACH_SUBNET_UNKNOWN",
                  fmt::format("transit gateway attachment {} names subnet '{}', which is not defined", who(a), sid));
          continue;
        }
        if (s->vpc != v->id) {
          problem(a.origin.loc, "TGW_ATTACH_SUBNET_OTHER_VPC",
                  fmt::format("transit gateway attachment {}: subnet {} is not in VPC {}", who(a), who(*s), who(*v)));
          continue;
        }
        auto [it, fresh] = by_az.emplace(s->availability_zone, s->id);
        if (!fresh)
          problem(a.origin.loc, "TGW_ATTACH_SUBNET_SAME_AZ",
                  fmt::format("transit gateway attachment {}: subnets {} and {} are both in {}; a VPC attachment takes "
                              "one subnet per Availability Zone",
                              who(a), it->second, s->id, s->availability_zone));
      }
    }
  }
  if (a.is_peering()) return check_transit_peering(a, g);
  if (a.from_input) return;  // association, propagations and state as AWS reported them
  // Another account's VPC attaches only to a TGW shared with it (AWS RAM),
  // then waits for the owner to accept, unless the TGW accepts shared
  // attachments automatically or the lab manifest accepts it.
  std::string tgw_account = g.origin.account;
  bool foreign = !a.resource_owner.empty() && !tgw_account.empty() && a.resource_owner != tgw_account;
  auto share = foreign && a.resource_type == "vpc" ? share_of(g, a.resource_owner) : ShareResult{semantics::ShareAccess::kShared, nullptr};
  if (share.access == semantics::ShareAccess::kInvitationPending) {
    problem(a.origin.loc, "RAM_SHARE_INVITATION_PENDING",
            fmt::format("transit gateway attachment {}: account {} has not accepted resource share {}'s invitation, "
                        "so transit gateway {} is not shared with it yet (EC2 answers InvalidTransitGatewayID.NotFound)",
                        who(a), a.resource_owner, share.share->origin.display(share.share->arn), who(g)),
            fmt::format("accept it (aws ram accept-resource-share-invitation): in the lab manifest, a peerings: entry "
                        "naming {}.{} with accepted: true",
                        share.share->origin.stack, share.share->origin.logical_id));
    a.state = "failed";
  } else if (share.access == semantics::ShareAccess::kExternalNotAllowed) {
    problem(a.origin.loc, "RAM_EXTERNAL_PRINCIPAL_NOT_ALLOWED",
            fmt::format("transit gateway attachment {}: resource share {} names account {}, which is outside the "
                        "organization, but does not allow external principals: RAM does not share with it",
                        who(a), share.share->origin.display(share.share->arn), a.resource_owner),
            "set AllowExternalPrincipals: true on the resource share, or add the account to the organization "
            "(the lab manifest's organization: accounts)");
    a.state = "failed";
  } else if (share.access == semantics::ShareAccess::kNotShared) {
    problem(a.origin.loc, "TGW_NOT_SHARED",
            fmt::format("transit gateway attachment {}: transit gateway {} belongs to account {} and is not shared "
                        "with account {} (EC2 answers InvalidTransitGatewayID.NotFound)",
                        who(a), who(g), tgw_account, a.resource_owner),
            fmt::format("share it from account {}: an AWS::RAM::ResourceShare with ResourceArns "
                        "[arn:aws:ec2:{}:{}:transit-gateway/{}] and Principals [\"{}\"]",
                        tgw_account, g.origin.region, tgw_account, g.id, a.resource_owner));
    a.state = "failed";
  }
  if (foreign && !g.auto_accept_shared_attachments && !a.accepted && a.state == "available") {
    a.state = "pendingAcceptance";
    warning(a.origin.loc, "TGW_ATTACH_PENDING_ACCEPTANCE",
            fmt::format("transit gateway attachment {} from account {} stays pendingAcceptance: transit gateway {} "
                        "(account {}) does not accept shared attachments automatically",
                        who(a), a.resource_owner, who(g), tgw_account),
            fmt::format("set AutoAcceptSharedAttachments: enable on the transit gateway, or accept it in the lab "
                        "manifest: peerings: [{{connection: {{stack: {}, resource: {}}}, accepted: true}}]",
                        a.origin.stack, a.origin.logical_id));
  }
  if (a.route_table_explicit) {
    const auto* t = net_.transit_gateway_route_table(a.route_table);
    if (!t || t->transit_gateway != g.id)
      problem(a.association_loc, "TGW_ASSOCIATION_UNKNOWN_RTB",
              fmt::format("association of {} names route table '{}', which is not a table of transit gateway {}",
                          who(a), a.route_table, who(g)));
    else if (g.default_route_table_association && a.default_association && !g.association_default_route_table.empty())
      // The attachment was associated with the default table when it was
      // created; a second association fails (Resource.AlreadyAssociated).
      problem(a.association_loc, "TGW_ATTACH_ALREADY_ASSOCIATED",
              fmt::format("attachment {} is already associated with the default route table of transit gateway {} "
                          "(DefaultRouteTableAssociation is enabled); AWS refuses a second association with {}",
                          who(a), who(g), who(*t)),
              "set DefaultRouteTableAssociation: disable on the transit gateway");
  } else {
    a.route_table = semantics::effective_transit_gateway_association(
        a.route_table, g.default_route_table_association && a.default_association, g.association_default_route_table);
  }
  if (semantics::propagates_by_default(g.default_route_table_propagation && a.default_propagation,
                                       g.propagation_default_route_table))
    for (auto& t : net_.transit_gateway_route_tables)
      if (t.id == g.propagation_default_route_table) {
        TransitGatewayPropagation p;
        p.attachment = a.id;
        p.loc = a.origin.loc;
        p.implicit = true;
        t.propagations.push_back(p);
      }
}

// A peering attachment (aws-tgw-nlb.md section 4): the accepter's TGW, the
// acceptance CloudFormation cannot give, and one association on each side.
void Finalizer::check_transit_peering(TransitGatewayAttachment& a, const TransitGateway& g) {
  auto problem = [&](SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    if (in_stack(a.origin)) error(loc, code, std::move(msg), std::move(fix));
    else warning(loc, code, std::move(msg), std::move(fix));
  };
  const TransitGateway* peer = net_.transit_gateway(a.resource_id);
  if (!peer) {
    if (in_stack(a.origin))
      warning(a.origin.loc, "TGW_PEER_OUTSIDE",
              fmt::format("peering attachment {} names transit gateway '{}', which is not in the lab: paths over it "
                          "are undecidable",
                          who(a), a.resource_id));
  } else if (peer->id != g.id) {  // a TGW peered with itself is refused as the template is read
    if (a.peer_region.empty()) a.peer_region = peer->origin.region;
    if (a.resource_owner.empty()) a.resource_owner = peer->origin.account;
    if (!peer->origin.region.empty() && a.peer_region != peer->origin.region)
      problem(a.origin.loc, "TGW_PEERING_REGION_MISMATCH",
              fmt::format("peering attachment {}: PeerRegion is {}, but transit gateway {} is in {}", who(a),
                          a.peer_region, who(*peer), peer->origin.region));
    if (!a.resource_owner.empty() && !peer->origin.account.empty() && a.resource_owner != peer->origin.account)
      problem(a.origin.loc, "TGW_PEERING_ACCOUNT_MISMATCH",
              fmt::format("peering attachment {}: PeerAccountId is {}, but transit gateway {} belongs to {}", who(a),
                          a.resource_owner, who(*peer), peer->origin.account));
  }
  if (a.from_input) return;
  // The accepter's owner accepts, even within one account; no resource type does.
  if (!a.accepted && a.state == "available") {
    a.state = "pendingAcceptance";
    warning(a.origin.loc, "TGW_PEERING_PENDING_ACCEPTANCE",
            fmt::format("peering attachment {} stays pendingAcceptance until the owner of transit gateway {} accepts "
                        "it (CloudFormation cannot)",
                        who(a), a.resource_id),
            fmt::format("accept it in the lab manifest: peerings: [{{connection: {{stack: {}, resource: {}}}, "
                        "accepted: true}}]",
                        a.origin.stack, a.origin.logical_id));
  }
  // Each side: the association written, else its TGW's default table (an
  // explicit one is not refused here: whether AWS associates peering
  // attachments by default is UNCONFIRMED, aws-tgw-nlb.md section 4).
  auto side = [&](const TransitGateway* t, std::string& table, bool expl, SourceLoc loc) {
    if (!t) return;
    if (expl) {
      const auto* rt = net_.transit_gateway_route_table(table);
      if (!rt || rt->transit_gateway != t->id)
        problem(loc, "TGW_ASSOCIATION_UNKNOWN_RTB",
                fmt::format("association of {} names route table '{}', which is not a table of transit gateway {}",
                            who(a), table, who(*t)));
      return;
    }
    table = semantics::effective_transit_gateway_association(table, t->default_route_table_association,
                                                             t->association_default_route_table);
  };
  side(&g, a.route_table, a.route_table_explicit, a.association_loc);
  side(peer && peer != &g ? peer : nullptr, a.peer_route_table, a.peer_route_table_explicit, a.peer_association_loc);
}

// What the resource shares of g's owner give `account` (semantics/resource_share.h):
// the TGW's ARN among a share's resources, the best of those shares. The
// lab manifest's `organization:` says who is in the owner's organization;
// without it every account of the lab is (one organization, RAM sharing on).
Finalizer::ShareResult Finalizer::share_of(const TransitGateway& g, const std::string& account) const {
  const std::string arn = fmt::format("arn:aws:ec2:{}:{}:transit-gateway/{}", g.origin.region, g.origin.account, g.id);
  auto in_org = [this](const std::string& a) {
    const auto& org = net_.organization;
    return !org || std::find(org->accounts.begin(), org->accounts.end(), a) != org->accounts.end();
  };
  ShareResult best;
  for (const auto& r : net_.resource_shares) {
    if (r.origin.account != g.origin.account) continue;
    if (std::find(r.resource_arns.begin(), r.resource_arns.end(), arn) == r.resource_arns.end()) continue;
    semantics::ShareFacts f{r.principals, r.allow_external_principals, r.invitation_accepted,
                            in_org(account) && in_org(g.origin.account),
                            !net_.organization || net_.organization->ram_sharing};
    auto access = semantics::share_access(f, account);
    if (static_cast<int>(access) < static_cast<int>(best.access)) best = ShareResult{access, &r};
  }
  return best;
}

void Finalizer::finish_transit_route_tables() {
  for (auto& t : net_.transit_gateway_route_tables) {
    auto problem = [&](SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
      if (in_stack(t.origin) && !t.implicit) error(loc, code, std::move(msg), std::move(fix));
      else warning(loc, code, std::move(msg), std::move(fix));
    };
    std::vector<TransitGatewayRoute> routes;
    std::set<std::string> dests;
    for (auto& r : t.routes) {
      std::string key = r.destination ? r.destination->str() : r.destination_prefix_list;
      if (!dests.insert(key).second) {
        problem(r.loc, "TGW_ROUTE_DUPLICATE", fmt::format("route table {} already has a static route to {}", who(t), key));
        continue;
      }
      if (!r.blackhole) {
        const auto* a = net_.transit_gateway_attachment(r.attachment);
        if (!a || !a->joins(t.transit_gateway)) {
          problem(r.loc, "TGW_ROUTE_UNKNOWN_ATTACHMENT",
                  fmt::format("route to {} in {} names attachment '{}', which is not an attachment of its transit "
                              "gateway: blackhole",
                              key, who(t), r.attachment));
          r.blackhole = true;
        }
      }
      r.propagated = false;
      routes.push_back(r);
    }
    // Propagated routes: an available VPC attachment adds its VPC's CIDRs;
    // a CIDR another attachment already propagates here is not added.
    std::map<std::string, std::string> propagated;  // cidr -> attachment
    std::set<std::string> seen;
    for (const auto& p : t.propagations) {
      const auto* a = net_.transit_gateway_attachment(p.attachment);
      if (!a || !a->joins(t.transit_gateway)) {
        problem(p.loc, "TGW_PROPAGATION_UNKNOWN_ATTACHMENT",
                fmt::format("propagation into {} names attachment '{}', which is not an attachment of its transit "
                            "gateway",
                            who(t), p.attachment));
        continue;
      }
      if (!seen.insert(a->id).second) {
        problem(p.loc, "TGW_PROPAGATION_DUPLICATE",
                fmt::format("attachment {} already propagates into {}{}", who(*a), who(t),
                            p.implicit || !a->from_input ? " (DefaultRouteTablePropagation is enabled)" : ""),
                "remove the propagation, or set DefaultRouteTablePropagation: disable on the transit gateway");
        continue;
      }
      if (a->is_peering()) {
        problem(p.loc, "TGW_PROPAGATION_PEERING",
                fmt::format("propagation of peering attachment {} into {}: peering attachments do not propagate routes",
                            who(*a), who(t)),
                "add a static route (AWS::EC2::TransitGatewayRoute) to the peering attachment instead");
        continue;
      }
      if (!a->available()) continue;
      std::vector<TransitGatewayRoute> adds;
      if (a->resource_type == "vpc") {
        const Vpc* v = net_.vpc(a->resource_id);
        if (!v) continue;
        adds = semantics::vpc_propagated_routes(v->cidrs, a->id, p.loc);
      } else if (a->resource_type == "vpn") {
        // Static routes only: nothing; BGP: the on-premises prefixes (semantics/vpn.h).
        const VpnConnection* c = net_.vpn_connection(a->resource_id);
        if (!c) continue;
        adds = semantics::tgw_vpn_propagated_routes(c->static_routes_only, on_premises_prefixes(c->customer_gateway),
                                                    a->id, p.loc);
      }
      for (auto& r : adds) {
        auto [it, fresh] = propagated.emplace(r.destination->str(), a->id);
        if (!fresh) {
          warning(p.loc, "TGW_PROPAGATION_CIDR_CONFLICT",
                  fmt::format("{} is propagated into {} by {} already; {} does not get its route propagated",
                              r.destination->str(), who(t), it->second, who(*a)));
          continue;
        }
        routes.push_back(r);
      }
    }
    t.routes = std::move(routes);
  }
}

RouteState Finalizer::transit_gateway_route_state(const RouteTable& t, const Vpc& v, const Route& r) {
  const TransitGateway* g = net_.transit_gateway(r.target_id);
  if (!g) {
    warning(r.loc, "ROUTE_TARGET_UNKNOWN",
            fmt::format("route to {} in {} targets transit gateway '{}', which is not in the model: blackhole", dest(r),
                        who(t), r.target_id));
    return RouteState::kBlackhole;
  }
  if (!net_.vpc_attachment(g->id, v.id)) {
    // CreateRoute: InvalidTransitGatewayID.NotFound until the VPC is attached.
    std::string msg = fmt::format("route to {} in {} targets transit gateway {}, but VPC {} has no attachment to it",
                                  dest(r), who(t), who(*g), who(v));
    if (in_stack(t.origin)) error(r.loc, "ROUTE_TGW_NOT_ATTACHED", msg + " (AWS: InvalidTransitGatewayID.NotFound)",
                                  "add an AWS::EC2::TransitGatewayVpcAttachment of this VPC (and DependsOn it)");
    else warning(r.loc, "ROUTE_TGW_NOT_ATTACHED", msg + ": blackhole");
    return RouteState::kBlackhole;
  }
  return r.state;
}

}  // namespace vpclab::model
