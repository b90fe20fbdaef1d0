// `vpclab fix`: blockers of a trace -> the narrowest changes (analysis/fix.h).
#include "analysis/fix.h"

#include <algorithm>
#include <climits>
#include <optional>

#include "analysis/impl.h"
#include "semantics/gateway.h"
#include "semantics/network_load_balancer.h"
#include "semantics/route.h"
#include "semantics/transit_gateway.h"

namespace vpclab::analysis {

namespace {

model::ChangeRef ref(const std::string& id, const model::Origin& o) { return {id, o}; }

class Planner {
 public:
  Planner(const Analyzer::Impl& im, const FixOptions& opts, FixStep& out) : im_(im), opts_(opts), out_(out) {}

  void answer(const Explanation& e) {
    if (e.warning && !e.health_check) return;
    if (!e.blocker) {
      unfixable(e, "no change to the templates' own resources opens this here");
      return;
    }
    const Blocker& b = *e.blocker;
    std::string why = e.code + " at " + e.component + ": " + e.message;
    switch (b.kind) {
      case Blocker::Kind::kSecurityGroup: return security_group(e, b, why);
      case Blocker::Kind::kNetworkAcl: return network_acl(e, b, why);
      case Blocker::Kind::kRouteTable: return route(e, b, why);
      case Blocker::Kind::kVpcDnsSupport:
      case Blocker::Kind::kVpcDnsHostnames: {
        const auto* v = im_.net.vpc(b.resource);
        if (!v) return unfixable(e, "the VPC is not in the network");
        model::Change c;
        c.kind = model::Change::Kind::kSetProperty;
        c.target = ref(v->id, v->origin);
        c.attribute = b.kind == Blocker::Kind::kVpcDnsSupport ? "EnableDnsSupport" : "EnableDnsHostnames";
        c.value = "true";
        c.why = why;
        return add(std::move(c));
      }
      case Blocker::Kind::kNatGatewaySubnet: return nat_gateway_subnet(e, b, why);
      case Blocker::Kind::kListener: return listener(e, b, why);
      case Blocker::Kind::kInternetGateway: return internet_gateway(e, b, why);
      case Blocker::Kind::kPublicAddress: return public_address(e, b, why);
      case Blocker::Kind::kPeering: return peering(e, b, why);
      case Blocker::Kind::kLoadBalancerSubnets: return load_balancer_subnets(e, b, why);
      case Blocker::Kind::kTransitGatewayPropagation:
      case Blocker::Kind::kTransitGatewayAssociation: return transit_gateway(e, b, why);
      case Blocker::Kind::kZoneAssociation: {
        const auto* z = im_.net.hosted_zone(b.resource);
        const auto* v = im_.net.vpc(b.vpc);
        if (!z || !v) return unfixable(e, "the zone or the VPC is not in the network");
        model::Change c;
        c.kind = model::Change::Kind::kAssociateHostedZone;
        c.target = ref(z->id, z->origin);
        c.peer = ref(v->id, v->origin);
        c.why = why;
        return add(std::move(c));
      }
    }
  }

 private:
  void unfixable(const Explanation& e, const std::string& reason) {
    std::string line = e.code + " at " + e.component + ": " + reason;
    if (std::find(out_.unfixable.begin(), out_.unfixable.end(), line) == out_.unfixable.end())
      out_.unfixable.push_back(line);
  }

  void add(model::Change c) {
    for (const auto& x : out_.changes)
      if (x.kind == c.kind && x.target.id == c.target.id && x.egress == c.egress && x.ports == c.ports &&
          x.attribute == c.attribute && x.destination == c.destination &&
          (x.peer_cidr ? x.peer_cidr->str() : "") == (c.peer_cidr ? c.peer_cidr->str() : "") &&
          (x.peer_group ? x.peer_group->id : "") == (c.peer_group ? c.peer_group->id : ""))
        return;
    out_.changes.push_back(std::move(c));
  }

  // The ENI holding `a` (private address in any VPC, or a public one).
  const EniInfo* eni_of(Ipv4Address a) const {
    for (const auto& v : im_.net.vpcs)
      if (v.contains(a))
        if (const auto* e = im_.eni_at(&v, a)) return e;
    return im_.eni_public(a);
  }

  const model::VpcPeeringConnection* active_peering(const std::string& a, const std::string& b) const {
    return peering_between(im_.net, a, b, /*active_only=*/true);
  }

  // The rule's peer by address: the whole internet only when the source is
  // "internet" and the address public, else the one address.
  Ipv4Cidr peer_cidr(const Blocker& b, bool inbound) const {
    bool whole_internet = opts_.source_is_internet && inbound && !is_private_or_shared(b.peer);
    return whole_internet ? *Ipv4Cidr::parse("0.0.0.0/0") : Ipv4Cidr::of(b.peer, 32);
  }

  void security_group(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* eni = im_.net.network_interface(b.resource);
    const EniInfo* ei = eni ? im_.eni_info(eni) : nullptr;
    if (!ei || ei->groups.empty()) return unfixable(e, "the interface has no security group of the templates");
    const model::SecurityGroup* group = ei->groups.front();
    model::Change c;
    c.kind = model::Change::Kind::kAddSecurityGroupRule;
    c.target = ref(group->id, group->origin);
    c.egress = b.egress;
    c.protocol = b.protocol;
    c.ports = b.ports;
    c.why = why;
    // The peer's own group, where AWS lets a rule name it and the template can !Ref it.
    const EniInfo* peer = eni_of(b.peer);
    if (opts_.group_references && peer && !peer->groups.empty() && peer->vpc && ei->vpc &&
        peer->eni->private_ip == b.peer) {
      const model::SecurityGroup* pg = peer->groups.front();
      const auto* pcx = peer->vpc == ei->vpc ? nullptr : active_peering(peer->vpc->id, ei->vpc->id);
      bool same_region = !pcx || pcx->requester.region == pcx->accepter.region;
      bool same_account = !pcx || pcx->requester.account == pcx->accepter.account;
      if ((peer->vpc == ei->vpc || (pcx && same_region && same_account)) && !pg->origin.logical_id.empty() &&
          pg->origin.stack == group->origin.stack)
        c.peer_group = ref(pg->id, pg->origin);
    }
    if (!c.peer_group) c.peer_cidr = peer_cidr(b, !b.egress);
    add(std::move(c));
  }

  void network_acl(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* acl = im_.net.network_acl(b.resource);
    if (!acl) return unfixable(e, "the network ACL is not in the network");
    const auto& entries = b.egress ? acl->egress : acl->ingress;
    int first = INT_MAX;
    for (const auto& en : entries)
      if (en.rule_number < 32767) first = std::min(first, en.rule_number);
    int number = first == INT_MAX ? 100 : first - 1;
    if (number < 1) return unfixable(e, "no rule number is free before the ACL's first entry");
    model::Change c;
    c.kind = model::Change::Kind::kAddNetworkAclEntry;
    c.target = ref(acl->id, acl->origin);
    c.egress = b.egress;
    c.protocol = b.protocol;
    c.ports = b.ports;
    c.rule_number = number;
    c.peer_cidr = peer_cidr(b, /*inbound=*/true);  // either direction names the internet peer
    c.why = why;
    add(std::move(c));
  }

  void route(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* rtb = im_.net.route_table(b.resource);
    const auto* vpc = rtb ? im_.net.vpc(rtb->vpc) : nullptr;
    if (!rtb || !vpc) return unfixable(e, "the route table is not in the network");
    model::Change c;
    c.kind = model::Change::Kind::kAddRoute;
    c.target = ref(rtb->id, rtb->origin);
    c.why = why;
    for (const auto& other : im_.net.vpcs) {
      if (&other == vpc || !other.contains(b.peer)) continue;
      for (const auto& cidr : other.cidrs)
        if (cidr.contains(b.peer)) c.destination = cidr;
      if (const auto* pcx = active_peering(vpc->id, other.id)) {
        c.route_target = ref(pcx->id, pcx->origin);
        return add(std::move(c));
      }
      // Both VPCs attached to one transit gateway: route through it.
      for (const auto& g : im_.net.transit_gateways)
        if (im_.net.vpc_attachment(g.id, vpc->id) && im_.net.vpc_attachment(g.id, other.id)) {
          c.route_target = ref(g.id, g.origin);
          return add(std::move(c));
        }
      return unfixable(e, "no active peering connection or transit gateway joins the two VPCs (DISCONNECTED_VPCS)");
    }
    if (!is_private_or_shared(b.peer) && !vpc->internet_gateway.empty()) {
      const auto* igw = im_.net.internet_gateway(vpc->internet_gateway);
      c.destination = *Ipv4Cidr::parse("0.0.0.0/0");
      c.route_target = ref(vpc->internet_gateway, igw ? igw->origin : model::Origin{});
      return add(std::move(c));
    }
    unfixable(e, "no peering connection or internet gateway of this VPC leads to " + b.peer.str());
  }

  // A TGW route table without a route to the destination: propagate the
  // attachment of the destination's VPC into it. An attachment with no
  // table: associate it with the table that routes the destination.
  void transit_gateway(const Explanation& e, const Blocker& b, const std::string& why) {
    const model::TransitGatewayAttachment* att = nullptr;
    const model::TransitGatewayRouteTable* rtb = nullptr;
    model::Change c;
    c.why = why;
    if (b.kind == Blocker::Kind::kTransitGatewayPropagation) {
      rtb = im_.net.transit_gateway_route_table(b.resource);
      if (!rtb) return unfixable(e, "the transit gateway route table is not in the network");
      for (const auto& v : im_.net.vpcs)
        if (v.contains(b.peer)) att = im_.net.vpc_attachment(rtb->transit_gateway, v.id);
      if (!att) {
        // On premises behind a VPN attachment: CloudFormation cannot name the
        // attachment (VPNConnection has no GetAtt for it), so no template
        // edit can add the static route or the propagation.
        if (const auto* o = im_.net.on_premises_network_of(b.peer))
          for (const auto* vpn : im_.net.vpn_connections_of_customer_gateway(o->customer_gateway))
            if (vpn->transit_gateway == rtb->transit_gateway)
              return unfixable(e, "the destination is on-premises network " + o->name + " behind VPN connection " +
                                      vpn->origin.display(vpn->id) +
                                      (vpn->static_routes_only ? ", which uses static routes only" : "") +
                                      ": its TGW attachment has no id a template can name; use BGP "
                                      "(StaticRoutesOnly: false) or add the TGW route outside CloudFormation");
        return unfixable(e, "the destination's VPC has no attachment to the transit gateway");
      }
      c.kind = model::Change::Kind::kAddTransitGatewayPropagation;
    } else {
      att = im_.net.transit_gateway_attachment(b.resource);
      if (!att) return unfixable(e, "the attachment is not in the network");
      for (const auto& t : im_.net.transit_gateway_route_tables)
        if (t.transit_gateway == att->transit_gateway && !t.implicit &&
            (!rtb || semantics::select_transit_gateway_route(t.routes, b.peer)))
          rtb = &t;
      if (!rtb) return unfixable(e, "the transit gateway has no route table a template can name");
      c.kind = model::Change::Kind::kAddTransitGatewayAssociation;
    }
    if (rtb->implicit)
      return unfixable(e, "the TGW's default route table cannot be named in a template (set DefaultRouteTablePropagation: enable)");
    c.target = ref(rtb->id, rtb->origin);
    c.peer = ref(att->id, att->origin);
    add(std::move(c));
  }

  // Moves the NAT gateway to a subnet of its VPC whose table routes the
  // destination to an internet gateway (its own AZ first).
  void nat_gateway_subnet(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* nat = im_.net.nat_gateway(b.resource);
    const auto* here = nat ? im_.subnet_info(nat->subnet) : nullptr;
    if (!here || !here->vpc) return unfixable(e, "the NAT gateway's subnet is not in the network");
    const model::Subnet* best = nullptr;
    for (const auto& s : im_.subnets) {
      if (s.vpc != here->vpc || !s.rtb || s.subnet == here->subnet) continue;
      const Route* r = semantics::select_route(s.rtb->routes, b.peer);
      if (!r || r->target_kind != RouteTargetKind::kInternetGateway) continue;
      if (!best || (s.subnet->availability_zone == here->subnet->availability_zone &&
                    best->availability_zone != here->subnet->availability_zone))
        best = s.subnet;
    }
    if (!best) return unfixable(e, "no subnet of the NAT gateway's VPC routes to an internet gateway");
    model::Change c;
    c.kind = model::Change::Kind::kSetProperty;
    c.target = ref(nat->id, nat->origin);
    c.attribute = "SubnetId";
    c.peer = ref(best->id, best->origin);
    c.why = why;
    add(std::move(c));
  }

  // A listener on the port asked for, forwarding to the target group the
  // load balancer's other listeners forward to by default. HTTP: an HTTPS
  // listener needs a certificate no template change can conjure.
  void listener(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* lb = im_.net.load_balancer(b.resource);
    if (!lb) return unfixable(e, "the load balancer is not in the network");
    if (lb->type != "application" && lb->type != "network")
      return unfixable(e, "vpclab writes listeners for Application and Network Load Balancers only");
    const model::TargetGroup* tg = nullptr;
    if (auto it = im_.listeners.find(lb->arn); it != im_.listeners.end())
      for (const auto* l : it->second)
        for (const auto& a : l->default_rule.actions)
          if (!tg && a.type == alb::ActionType::kForward && !a.target_groups.empty())
            tg = im_.net.target_group(a.target_groups.front().target_group_arn);
    if (!tg) return unfixable(e, "no listener of the load balancer forwards to a target group to forward to");
    // An NLB: TCP (UDP) when the group takes it, else the group's own protocol (TCP_UDP).
    std::string protocol = "HTTP";
    if (lb->type == "network") {
      protocol = b.protocol == kUdp ? "UDP" : "TCP";
      if (semantics::listener_target_group_mismatch(protocol, tg->protocol)) protocol = tg->protocol;
      if (protocol == "TLS") return unfixable(e, "a TLS listener needs a certificate no template change can conjure");
    }
    model::Change c;
    c.kind = model::Change::Kind::kAddListener;
    c.target = ref(lb->arn, lb->origin);
    c.ports = b.ports;
    c.value = protocol;
    c.peer = ref(tg->arn, tg->origin);
    c.why = why;
    add(std::move(c));
  }

  void internet_gateway(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* v = im_.net.vpc(b.resource);
    if (!v) return unfixable(e, "the VPC is not in the network");
    model::Change c;
    c.kind = model::Change::Kind::kAddInternetGateway;
    c.target = ref(v->id, v->origin);
    c.why = why;
    add(std::move(c));
  }

  // An Elastic IP for the instance (or the standalone interface) that needs a public address.
  void public_address(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* eni = im_.net.network_interface(b.resource);
    if (!eni) return unfixable(e, "the interface is not in the network");
    model::Change c;
    c.kind = model::Change::Kind::kAddElasticIp;
    c.why = why;
    if (eni->owner_kind == model::EniOwnerKind::kInstance) {
      const auto* i = im_.net.instance(eni->owner_id);
      if (!i) return unfixable(e, "the interface's instance is not in the network");
      if (i->network_interfaces.empty() || i->network_interfaces.front() != eni->id)
        return unfixable(e, "the address is on a secondary interface; give that interface an Elastic IP by hand");
      if (const auto* g = im_.net.auto_scaling_group_of(i->id))
        return unfixable(e, "the instance is a member of Auto Scaling group " + g->origin.display(g->name) +
                                ", which replaces its members; set AssociatePublicIpAddress in its launch template "
                                "and launch into a public subnet instead");
      c.target = ref(i->id, i->origin);
      c.attribute = "InstanceId";
    } else if (eni->owner_kind == model::EniOwnerKind::kStandalone) {
      c.target = ref(eni->id, eni->origin);
      c.attribute = "NetworkInterfaceId";
    } else {
      return unfixable(e, "the interface belongs to a load balancer or NAT gateway, whose addresses AWS assigns");
    }
    add(std::move(c));
  }

  // A peering connection between the two VPCs, where one template can make
  // it accepted: same account and region, CIDR blocks apart.
  void peering(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* a = im_.net.vpc(b.resource);
    const auto* z = im_.net.vpc(b.vpc);
    if (!a || !z) return unfixable(e, "the VPCs are not in the network");
    if (a->origin.account != z->origin.account || a->origin.region != z->origin.region)
      return unfixable(e, "the VPCs are in different accounts or regions: the peering needs the accepter's consent");
    if (auto o = semantics::peering_cidr_overlap(a->cidrs, z->cidrs))
      return unfixable(e, "the VPCs' CIDR blocks overlap (" + o->requester.str() + ", " + o->accepter.str() +
                              "): AWS fails the peering");
    model::Change c;
    c.kind = model::Change::Kind::kAddPeeringConnection;
    c.target = ref(a->id, a->origin);
    c.peer = ref(z->id, z->origin);
    c.why = why;
    add(std::move(c));
  }

  // An internet-facing load balancer answers through its subnets' route
  // tables: each of its Availability Zones gets a subnet whose table routes
  // to the internet gateway (one the VPC has, or a new one of the node's
  // size in free address space, on a table that routes there).
  void load_balancer_subnets(const Explanation& e, const Blocker& b, const std::string& why) {
    const auto* lb = im_.net.load_balancer(b.resource);
    const auto* vpc = lb ? im_.net.vpc(lb->vpc) : nullptr;
    if (!lb || !vpc) return unfixable(e, "the load balancer or its VPC is not in the network");
    auto routes_out = [&](const model::RouteTable* t) {
      const Route* r = t ? semantics::select_route(t->routes, b.peer) : nullptr;
      return r && r->target_kind == RouteTargetKind::kInternetGateway;
    };
    const model::RouteTable* public_table = nullptr;
    for (const auto& s : im_.subnets)
      if (s.vpc == vpc && s.rtb && routes_out(s.rtb) && !s.rtb->origin.logical_id.empty()) {
        public_table = s.rtb;
        break;
      }
    model::Change c;
    c.kind = model::Change::Kind::kSetLoadBalancerSubnets;
    c.target = ref(lb->arn, lb->origin);
    c.why = why;
    std::vector<Ipv4Cidr> taken;
    for (const auto& s : im_.net.subnets)
      if (s.vpc == vpc->id) taken.push_back(s.cidr);
    for (const auto& id : lb->subnets) {
      const auto* sub = im_.subnet_info(id);
      if (!sub) return unfixable(e, "a subnet of the load balancer is not in the network");
      if (routes_out(sub->rtb)) {
        c.subnets.push_back(ref(sub->subnet->id, sub->subnet->origin));
        continue;
      }
      const model::Subnet* same_az = nullptr;
      for (const auto& s : im_.subnets)
        if (s.vpc == vpc && routes_out(s.rtb) && s.subnet->availability_zone == sub->subnet->availability_zone &&
            !s.subnet->origin.logical_id.empty())
          same_az = same_az ? same_az : s.subnet;
      if (same_az) {
        c.subnets.push_back(ref(same_az->id, same_az->origin));
        continue;
      }
      if (!public_table) return unfixable(e, "no route table of the VPC routes to an internet gateway");
      auto free = free_block(*vpc, sub->subnet->cidr.length, taken);
      if (!free) return unfixable(e, "no free /" + std::to_string(sub->subnet->cidr.length) + " in the VPC's CIDR blocks");
      taken.push_back(*free);
      c.new_subnets.push_back({*free, ref(sub->subnet->id, sub->subnet->origin), ref(public_table->id, public_table->origin)});
    }
    add(std::move(c));
  }

  // The lowest block of /len in the VPC's CIDR blocks that overlaps none of `taken`.
  static std::optional<Ipv4Cidr> free_block(const model::Vpc& v, int len, const std::vector<Ipv4Cidr>& taken) {
    for (const auto& cidr : v.cidrs) {
      if (len < cidr.length) continue;
      uint64_t step = uint64_t{1} << (32 - len);
      uint64_t end = uint64_t{cidr.base.value} + (uint64_t{1} << (32 - cidr.length));
      for (uint64_t a = cidr.base.value; a < end; a += step) {
        Ipv4Cidr c = Ipv4Cidr::of(Ipv4Address{static_cast<uint32_t>(a)}, static_cast<uint8_t>(len));
        if (std::none_of(taken.begin(), taken.end(), [&](const Ipv4Cidr& t) { return t.overlaps(c); })) return c;
      }
    }
    return std::nullopt;
  }

  const Analyzer::Impl& im_;
  const FixOptions& opts_;
  FixStep& out_;
};

}  // namespace

FixStep plan_fix(const Analyzer& analyzer, const TraceResult& trace, const FixOptions& opts) {
  FixStep step;
  Planner p(analyzer.impl(), opts, step);
  // Where a blocker is known, the explanations without one are its consequences
  // (TARGET_PORT_RESTRICTION after the target legs' security groups).
  auto answer_all = [&](const std::vector<Explanation>& ex) {
    bool any = std::any_of(ex.begin(), ex.end(), [](const Explanation& e) { return !e.warning && e.blocker; });
    for (const auto& e : ex)
      if (!any || e.blocker) p.answer(e);
  };
  answer_all(trace.dns_explanations);
  for (const auto& path : trace.paths)
    if (!path.reachable) answer_all(path.explanations);
  // Open only because the target group fails open: the health checks next.
  if (step.changes.empty() && step.unfixable.empty())
    for (const auto& path : trace.paths)
      for (const auto& e : path.explanations)
        if (e.health_check && e.blocker) p.answer(e);
  return step;
}

bool health_checks_blocked(const TraceResult& trace) {
  for (const auto& path : trace.paths)
    for (const auto& e : path.explanations)
      if (e.health_check && e.blocker) return true;
  return false;
}

}  // namespace vpclab::analysis
