// The packet walker: phase 1 follows routes (protocol independent), phase 2
// evaluates security groups and NACLs on port sets. All AWS rules come from
// semantics/.
#include <cassert>

#include "analysis/impl.h"
#include "semantics/gateway.h"
#include "semantics/network_acl.h"
#include "semantics/route.h"

namespace vpclab::analysis {

using semantics::IntervalSet;


std::string EniInfo::display() const {
  if (instance) return instance->origin.display(instance->id) + " (" + instance->id + ")";
  if (lb) return lb->origin.display(lb->name) + " node " + eni->private_ip.str();
  if (endpoint) return "interface endpoint " + endpoint->origin.display(endpoint->id) + " " + eni->private_ip.str() + " (" + eni->id + ")";
  if (nat) return nat->origin.display(nat->id) + " (" + nat->id + ")";
  return eni->origin.display(eni->id) + " (" + eni->id + ")";
}

PortRange EniInfo::ephemeral() const {
  return (lb || nat) ? semantics::kElbEphemeralPorts : semantics::kLinuxEphemeralPorts;
}

std::string ports_text(IpProtocol p, const IntervalSet& ports) {
  if (p == kIcmp) return "icmp echo";
  if (!protocol_has_ports(p)) return protocol_name(p);
  return protocol_name(p) + "/" + ports.str();
}

std::string Analyzer::Impl::component(const model::Origin& o, const std::string& id) const {
  std::string d = o.display(id);
  return d == id ? id : d + " (" + id + ")";
}

Analyzer::Impl::Impl(const model::Network& n) : net(n) {
  subnets.resize(net.subnets.size());
  for (const auto& v : net.vpcs) vpc_by_id.emplace(v.id, &v);
  for (size_t i = 0; i < net.subnets.size(); ++i) {
    const auto& s = net.subnets[i];
    auto& si = subnets[i];
    si.subnet = &s;
    si.vpc = vpc(s.vpc);
    // Effective associations, decided by model::finalize().
    si.rtb = net.route_table(s.route_table);
    si.acl = net.network_acl(s.network_acl);
    subnet_by_id.emplace(s.id, &si);
  }
  for (const auto& u : net.unmodeled) unmodeled.emplace(u.id, &u);
  for (const auto& l : net.listeners) listeners[l.load_balancer].push_back(&l);
  // Security-group members: the private addresses of every ENI in the group
  // (e.security_groups as model::finalize() decided them, semantics/eni.h).
  for (const auto& e : net.network_interfaces) {
    for (const auto& g : e.security_groups) {
      auto& m = sg_members[g];
      m.add(e.private_ip.value, e.private_ip.value);
      for (auto a : e.secondary_private_ips) m.add(a.value, a.value);
    }
  }
  semantics::GroupAddressResolver resolve = [this](const SecurityGroupRule& r) {
    auto it = sg_members.find(r.group_id);
    return it == sg_members.end() ? IntervalSet{} : it->second;
  };
  std::unordered_map<std::string, std::vector<semantics::NormalizedSgRule>> sg_rules;
  enis.resize(net.network_interfaces.size());
  for (size_t i = 0; i < net.network_interfaces.size(); ++i) {
    const auto& e = net.network_interfaces[i];
    auto& ei = enis[i];
    ei.eni = &e;
    ei.subnet = subnet_info(e.subnet);
    ei.vpc = vpc(e.vpc);
    if (!ei.vpc && ei.subnet) ei.vpc = ei.subnet->vpc;
    switch (e.owner_kind) {
      case model::EniOwnerKind::kInstance: ei.instance = net.instance(e.owner_id); break;
      case model::EniOwnerKind::kLoadBalancer:
        ei.lb = net.load_balancer(e.owner_id);
        if (ei.lb)
          for (const auto& nd : ei.lb->nodes)
            if (nd.network_interface == e.id || nd.private_ip == e.private_ip) ei.node = &nd;
        break;
      case model::EniOwnerKind::kNatGateway: ei.nat = net.nat_gateway(e.owner_id); break;
      case model::EniOwnerKind::kVpcEndpoint: ei.endpoint = net.vpc_endpoint(e.owner_id); break;
      case model::EniOwnerKind::kStandalone: break;
    }
    // No group (a NAT gateway, an NLB node without groups): nothing filters it.
    ei.filtered = !e.security_groups.empty();
    if (ei.has_sg()) {
      for (const auto& g : e.security_groups) {
        const auto* sg = net.security_group(g);
        if (!sg) continue;
        ei.groups.push_back(sg);
        auto it = sg_rules.find(g);
        if (it == sg_rules.end()) {
          std::vector<semantics::NormalizedSgRule> rules;
          semantics::normalize_security_group_rules(sg->ingress, sg->id, resolve, rules);
          semantics::normalize_security_group_rules(sg->egress, sg->id, resolve, rules);
          it = sg_rules.emplace(g, std::move(rules)).first;
        }
        ei.rules.insert(ei.rules.end(), it->second.begin(), it->second.end());
      }
    }
    if (ei.vpc) {
      uint64_t vi = vpc_index(ei.vpc);
      by_private.emplace((vi << 32) | e.private_ip.value, &ei);
      for (auto a : e.secondary_private_ips) by_private.emplace((vi << 32) | a.value, &ei);
    }
    if (e.public_ip) by_public.emplace(e.public_ip->value, &ei);
  }
}

const EniInfo* Analyzer::Impl::eni_at(const model::Vpc* v, Ipv4Address a) const {
  if (!v) return nullptr;
  auto it = by_private.find((uint64_t{vpc_index(v)} << 32) | a.value);
  return it == by_private.end() ? nullptr : it->second;
}

const EniInfo* Analyzer::Impl::eni_public(Ipv4Address a) const {
  auto it = by_public.find(a.value);
  return it == by_public.end() ? nullptr : it->second;
}

const SubnetInfo* Analyzer::Impl::subnet_info(const std::string& id) const {
  auto it = subnet_by_id.find(id);
  return it == subnet_by_id.end() ? nullptr : it->second;
}

const model::Vpc* Analyzer::Impl::vpc(const std::string& id) const {
  auto it = vpc_by_id.find(id);
  return it == vpc_by_id.end() ? nullptr : it->second;
}

Step make_step(StepKind k, const EniInfo* e, const SubnetInfo* sub, Ipv4Address src, Ipv4Address dst,
               PortRange reply_ports) {
  Step s;
  s.kind = k;
  s.eni = e;
  s.subnet = sub;
  s.src = src;
  s.dst = dst;
  s.reply_ports = reply_ports;
  return s;
}

namespace {

// Something joins the two VPCs (a peering in any state, or a transit gateway).
bool vpcs_peered(const model::Network& net, const std::string& a, const std::string& b) {
  return peering_between(net, a, b, /*active_only=*/false) != nullptr || vpcs_share_transit_gateway(net, a, b);
}
}  // namespace

const model::VpcPeeringConnection* peering_between(const model::Network& net, const std::string& a,
                                                   const std::string& b, bool active_only) {
  for (const auto& p : net.peerings)
    if (((p.requester.vpc == a && p.accepter.vpc == b) || (p.requester.vpc == b && p.accepter.vpc == a)) &&
        (!active_only || p.state == model::PeeringState::kActive))
      return &p;
  return nullptr;
}

Leg Analyzer::Impl::walk(const WalkStart& from, Ipv4Address dst, const ReplyContext* reply, bool detail) const {
  Leg leg;
  leg.steps.reserve(12);
  leg.from = from.eni;
  Ipv4Address src = from.address;
  std::optional<Ipv4Address> pub = from.public_ip;
  PortRange reply_ports = reply ? (reply->nat ? semantics::kNatGatewaySourcePorts : reply->client_ports) : PortRange{};
  const model::NatGateway* pending_denat = reply ? reply->nat : nullptr;
  auto push = [&](Step s) -> Step& {
    leg.steps.push_back(std::move(s));
    return leg.steps.back();
  };
  auto fail = [&](const char* code, std::string msg, Leg::End end = Leg::End::kBlocked, std::string comp = {}) {
    Step s;
    s.extra_component = std::move(comp);
    s.kind = StepKind::kFail;
    s.src = src;
    s.dst = dst;
    s.code = code;
    s.message = std::move(msg);
    push(std::move(s));
    leg.end = end;
    return leg;
  };
  // A reply reaching a subnet-host client (no ENI behind the address).
  auto host_reply = [&](const model::Vpc* vv) {
    return reply && !reply->client_eni && reply->client_subnet && reply->client_subnet->vpc == vv &&
           dst == reply->client;
  };
  auto deliver_host = [&](bool same_subnet) {
    if (!same_subnet) push(make_step(StepKind::kNaclIn, nullptr, reply->client_subnet, src, dst, reply_ports));
    leg.end = Leg::End::kDelivered;
    leg.seen_src = src;
    return leg;
  };
  if (!reply && from.eni && from.eni->has_sg()) push(make_step(StepKind::kSgOut, from.eni, from.subnet, src, dst));

  const SubnetInfo* cur = from.subnet;
  bool from_tgw = false;  // the packet just left a transit gateway into `cur`
  bool at_internet = from.internet;
  const EniInfo* arrived = nullptr;  // set when the packet reaches an ENI
  if (from.on_prem) {  // in over the customer gateway's VPN connection (walk_vpn.cpp)
    cur = nullptr;
    if (!enter_from_on_premises(leg, from, dst, reply_ports, detail, reply, arrived, cur)) return leg;
    from_tgw = !arrived;
  }
  if (from.endpoint) {  // the service's reply, in through the gateway endpoint (walk_vpce.cpp)
    cur = nullptr;
    if (!enter_from_vpc_endpoint(leg, from, dst, reply_ports, detail, arrived)) return leg;
  }
  for (int hops = 0; hops < 16; ++hops) {
    if (at_internet) {
      const EniInfo* e = eni_public(dst);
      if (!e) {
        if (reply && !reply->client_eni && !reply->client_subnet && dst == reply->client) {
          leg.end = Leg::End::kInternet;
          leg.seen_src = src;
          return leg;
        }
        if (!reply && !is_private_or_shared(dst) && !from.internet) {
          Step s = make_step(StepKind::kInternet);
          s.src = src;
          s.dst = dst;
          push(std::move(s));
          leg.end = Leg::End::kInternet;
          leg.seen_src = src;
          return leg;
        }
        if (is_private_or_shared(dst))
          return fail("DESTINATION_NOT_PUBLIC", dst.str() + " is a private address; the internet cannot reach it");
        if (reply) return fail("RETURN_ROUTE_MISMATCH", "replies to " + dst.str() + " leave to the internet");
        return fail("UNKNOWN_DESTINATION", dst.str() + " is not a public IP of this network");
      }
      Step s = make_step(StepKind::kIgwIn);
      s.src = src;
      s.dst = dst;
      s.eni = e;
      if (!e->vpc || e->vpc->internet_gateway.empty()) {
        s.code = "NO_INTERNET_GATEWAY";
        if (detail) s.message = "VPC " + (e->vpc ? e->vpc->origin.display(e->vpc->id) : std::string("?")) +
                    " has no internet gateway attached; " + dst.str() + " is unreachable";
        push(std::move(s));
        leg.end = Leg::End::kBlocked;
        return leg;
      }
      s.igw = e->vpc->internet_gateway;
      if (semantics::igw_ingress(src, true) != semantics::IgwVerdict::kAllowed) {
        s.code = "IGW_PRIVATE_DESTINATION";
        if (detail) s.message = "the internet gateway drops traffic from private source " + src.str();
      }
      bool failed = s.code != nullptr;
      push(std::move(s));
      if (failed) {
        leg.end = Leg::End::kBlocked;
        return leg;
      }
      dst = e->eni->private_ip;  // 1:1 NAT to the private address
      push(make_step(StepKind::kNaclIn, nullptr, e->subnet, src, dst, reply_ports));
      arrived = e;
      at_internet = false;
    }
    if (!arrived) {
      if (!cur || !cur->vpc) return fail("UNKNOWN_DESTINATION", "the source has no subnet");
      const model::Vpc* v = cur->vpc;
      if (cur->subnet->cidr.contains(dst)) {
        if (host_reply(v) && reply->client_subnet == cur) return deliver_host(true);
        const EniInfo* e = eni_at(v, dst);
        if (!e || e->subnet != cur)
          return fail("UNKNOWN_DESTINATION", "no interface holds " + dst.str() + " in subnet " +
                                                 cur->subnet->origin.display(cur->subnet->id));
        // From the TGW's ENI the subnet's inbound NACL rules apply (aws-tgw-nlb.md section 2).
        push(from_tgw ? make_step(StepKind::kNaclIn, nullptr, cur, src, dst, reply_ports)
                      : make_step(StepKind::kSameSubnet, e, cur, src, dst));
        arrived = e;
      } else {
        from_tgw = false;
        push(make_step(StepKind::kNaclOut, nullptr, cur, src, dst, reply_ports));
        const Route* r = cur->rtb ? semantics::select_route(cur->rtb->routes, dst) : nullptr;
        Step rs = make_step(StepKind::kRoute, nullptr, cur, src, dst);
        rs.route = r;
        if (!r) {
          // Another VPC holds the address and nothing connects them: say so.
          const model::Vpc* other = nullptr;
          if (detail)
            for (const auto& ov : net.vpcs)
              if (&ov != v && ov.contains(dst)) other = &ov;
          if (other && !vpcs_peered(net, v->id, other->id)) {
            rs.code = "DISCONNECTED_VPCS";
            if (detail) rs.message = dst.str() + " is in VPC " + component(other->origin, other->id) + ", which is not connected to " +
                         component(v->origin, v->id);
          } else {
            rs.code = "NO_ROUTE_TO_DESTINATION";
            if (detail) rs.message = "route table " + (cur->rtb ? component(cur->rtb->origin, cur->rtb->id) : std::string("(none)")) +
                         " has no route for " + dst.str();
          }
          push(std::move(rs));
          leg.end = Leg::End::kBlocked;
          return leg;
        }
        if (r->state == RouteState::kBlackhole) {
          rs.code = "BAD_STATE_ROUTE";
          if (detail) rs.message = "route " + route_destination(*r) + " -> " + r->target_id +
                       " is a blackhole (target missing or not attached)";
          push(std::move(rs));
          leg.end = Leg::End::kBlocked;
          return leg;
        }
        push(std::move(rs));
        if (r->target_kind == RouteTargetKind::kVpcEndpoint) {
          cross_vpc_endpoint(leg, cur, src, dst, r, reply, detail);  // walk_vpce.cpp
          return leg;
        }
        if (r->target_kind == RouteTargetKind::kVpnGateway && net.vpn_gateway(r->target_id)) {
          cross_vpn_out(leg, cur, src, dst, r, nullptr, reply, detail);  // walk_vpn.cpp
          return leg;
        }
        switch (r->target_kind) {
          case RouteTargetKind::kLocal: {
            if (host_reply(v)) return deliver_host(false);
            const EniInfo* e = eni_at(v, dst);
            if (!e) return fail("UNKNOWN_DESTINATION", "no interface holds " + dst.str() + " in VPC " + component(v->origin, v->id));
            push(make_step(StepKind::kNaclIn, nullptr, e->subnet, src, dst, reply_ports));
            arrived = e;
            break;
          }
          case RouteTargetKind::kVpcPeeringConnection: {
            const auto* pcx = net.peering(r->target_id);
            Step ps = make_step(StepKind::kPeering, nullptr, cur, src, dst);
            ps.pcx = pcx;
            if (!pcx) {
              ps.code = "BAD_STATE_ROUTE";
              if (detail) ps.message = "peering connection " + r->target_id + " does not exist";
            } else if (pcx->state != model::PeeringState::kActive) {
              ps.code = "BAD_STATE";
              if (detail) ps.message = "peering connection " + component(pcx->origin, pcx->id) + " is " +
                           model::peering_state_name(pcx->state) +
                           (pcx->state_reason.empty() ? std::string() : " (" + pcx->state_reason + ")");
            }
            const model::Vpc* peer = nullptr;
            if (!ps.code) {
              if (pcx->requester.vpc != v->id && pcx->accepter.vpc != v->id) {
                ps.code = "BAD_STATE_ROUTE";
                if (detail) ps.message = "peering connection " + pcx->id + " does not involve this VPC";
              } else {
                peer = vpc(pcx->peer_of(v->id).vpc);
                if (!peer) {
                  ps.code = "UNMODELED_COMPONENT";
                  if (detail) ps.message = "the peer VPC " + pcx->peer_of(v->id).vpc + " is not part of the model";
                }
              }
            }
            if (!ps.code) {
              auto c = semantics::peering_crossing(v->cidrs, peer->cidrs, src, dst);
              if (c != semantics::PeeringCrossing::kAllowed) {
                ps.code = "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR";
                if (detail) ps.message = c == semantics::PeeringCrossing::kDestinationOutsidePeer
                                 ? dst.str() + " is not in the peer VPC " + component(peer->origin, peer->id) +
                                       "'s CIDRs: peering is not transitive"
                                 : src.str() + " is not in " + component(v->origin, v->id) +
                                       "'s CIDRs: peering carries no transit traffic";
              }
            }
            if (detail && ps.code && peer && std::string_view(ps.code) == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR" &&
                !peer->contains(dst)) {
              // Hoping to use the peer's NAT gateway? Name that rule too.
              for (const auto& rt : net.route_tables) {
                if (rt.vpc != peer->id) continue;
                const Route* pr = semantics::select_route(rt.routes, dst);
                if (pr && pr->target_kind == RouteTargetKind::kNatGateway) {
                  const auto* nat = net.nat_gateway(pr->target_id);
                  ps.extra_code = "NGW_REQUIRES_SOURCE_IN_VPC";
                  ps.extra_component = nat ? component(nat->origin, nat->id) : pr->target_id;
                  ps.extra_message = "NAT gateway " + ps.extra_component + " in the peer VPC only translates traffic from its own VPC, not " + src.str();
                  ps.extra_loc = nat ? nat->origin.loc : SourceLoc{};
                  break;
                }
              }
            }
            bool undecidable = ps.code && std::string_view(ps.code) == "UNMODELED_COMPONENT";
            bool failed = ps.code != nullptr;
            push(std::move(ps));
            if (failed) {
              leg.end = undecidable ? Leg::End::kUndecidable : Leg::End::kBlocked;
              return leg;
            }
            if (host_reply(peer)) return deliver_host(false);
            const EniInfo* e = eni_at(peer, dst);
            if (!e) return fail("UNKNOWN_DESTINATION", "no interface holds " + dst.str() + " in VPC " + component(peer->origin, peer->id));
            push(make_step(StepKind::kNaclIn, nullptr, e->subnet, src, dst, reply_ports));
            arrived = e;
            break;
          }
          case RouteTargetKind::kInternetGateway: {
            Step is = make_step(StepKind::kIgwOut, nullptr, cur, src, dst);
            is.igw = r->target_id;
            auto verdict = semantics::igw_egress(pub.has_value(), dst);
            if (verdict == semantics::IgwVerdict::kPrivateDestination) {
              is.code = "IGW_PRIVATE_DESTINATION";
              if (detail) is.message = "the internet gateway drops traffic to private address " + dst.str();
              for (const auto& ov : net.vpcs)
                if (detail && &ov != v && ov.contains(dst) && !vpcs_peered(net, v->id, ov.id)) {
                  is.code = "DISCONNECTED_VPCS";
                  if (detail) is.message = dst.str() + " is in VPC " + component(ov.origin, ov.id) + ", which is not connected to " +
                               component(v->origin, v->id) + " (the default route to " + r->target_id + " cannot reach it)";
                }
            } else if (verdict == semantics::IgwVerdict::kNoPublicIp) {
              is.code = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS";
              if (detail) is.message = src.str() + " has no public or Elastic IP; the internet gateway " + r->target_id + " drops it";
            }
            bool failed = is.code != nullptr;
            push(std::move(is));
            if (failed) {
              leg.end = Leg::End::kBlocked;
              return leg;
            }
            src = *pub;
            at_internet = true;
            continue;
          }
          case RouteTargetKind::kNatGateway: {
            const auto* nat = net.nat_gateway(r->target_id);
            Step ns = make_step(StepKind::kNat, nullptr, cur, src, dst);
            ns.nat = nat;
            const SubnetInfo* nat_subnet = nat ? subnet_info(nat->subnet) : nullptr;
            const model::Vpc* nat_vpc = nat_subnet ? nat_subnet->vpc : nullptr;
            if (!nat || !nat_subnet || !nat_vpc) {
              ns.code = "BAD_STATE_ROUTE";
              if (detail) ns.message = "NAT gateway " + r->target_id + " does not exist";
            } else if (reply) {
              ns.code = "RETURN_ROUTE_MISMATCH";
              if (detail) ns.message = "replies to " + dst.str() + " are routed to NAT gateway " + component(nat->origin, nat->id) +
                           ", which rewrites their source; the client drops them";
            } else if (semantics::nat_gateway_accepts(nat_vpc->cidrs, src) != semantics::NatVerdict::kAllowed) {
              ns.code = "NGW_REQUIRES_SOURCE_IN_VPC";
              if (detail) ns.message = src.str() + " is not in NAT gateway " + component(nat->origin, nat->id) + "'s VPC";
            }
            bool failed = ns.code != nullptr;
            push(std::move(ns));
            if (failed) {
              leg.end = Leg::End::kBlocked;
              return leg;
            }
            if (nat_subnet != cur) push(make_step(StepKind::kNaclIn, nullptr, nat_subnet, src, dst, reply_ports));
            src = nat->private_ip;
            pub = nat->public_ip;
            leg.nat = nat;
            cur = nat_subnet;
            continue;
          }
          case RouteTargetKind::kTransitGateway: {
            const SubnetInfo* next = cross_transit_gateway(leg, cur, src, dst, r, reply_ports, detail, reply);
            if (!next) return leg;
            if (host_reply(next->vpc) && next->vpc != v && next->subnet->cidr.contains(dst) &&
                reply->client_subnet == next) {
              push(make_step(StepKind::kNaclIn, nullptr, next, src, dst, reply_ports));
              leg.end = Leg::End::kDelivered;
              leg.seen_src = src;
              return leg;
            }
            cur = next;
            from_tgw = true;
            continue;
          }
          default: {
            std::string what = route_target_kind_name(r->target_kind);
            auto u = unmodeled.find(r->target_id);
            if (u != unmodeled.end()) what = u->second->type + " " + u->second->origin.display(u->second->id);
            return fail("UNMODELED_COMPONENT",
                        "the route " + route_destination(*r) + " -> " +
                            r->target_id + " crosses " + what + ", which vpclab does not model",
                        Leg::End::kUndecidable);
          }
        }
      }
    }
    // The packet reached an interface.
    const EniInfo* e = arrived;
    arrived = nullptr;
    if (reply && pending_denat && e->nat == pending_denat) {
      // Back at the NAT gateway that translated the request: undo it.
      Step d = make_step(StepKind::kDeNat, e, e->subnet, src, reply->client);
      d.nat = pending_denat;
      push(std::move(d));
      pending_denat = nullptr;
      dst = reply->client;
      reply_ports = reply->client_ports;
      cur = e->subnet;
      pub.reset();
      continue;
    }
    if (reply) {
      if (e != reply->client_eni) return fail("RETURN_ROUTE_MISMATCH", "replies reach " + e->display() + " instead of the client");
    }
    if (!reply && e->nat)
      return fail("NGW_NO_INBOUND",
                  "NAT gateway " + component(e->nat->origin, e->nat->id) + " does not accept connections initiated towards it",
                  Leg::End::kBlocked, component(e->nat->origin, e->nat->id));
    if (e->instance && e->instance->state != model::InstanceState::kRunning)
      return fail("BAD_STATE", "instance " + component(e->instance->origin, e->instance->id) + " is not running",
                  Leg::End::kBlocked, component(e->instance->origin, e->instance->id) + " " + dst.str());
    if (!reply && e->has_sg()) push(make_step(StepKind::kSgIn, e, e->subnet, src, dst));
    leg.to = e;
    leg.seen_src = src;
    leg.end = Leg::End::kDelivered;
    return leg;
  }
  return fail("BAD_STATE_ROUTE", "routing loop towards " + dst.str());
}

namespace {

std::string join_groups(const EniInfo& e) {
  std::string s;
  for (const auto* g : e.groups) {
    if (!s.empty()) s += ", ";
    s += g->origin.display(g->id);
  }
  return s.empty() ? "(no security group)" : s;
}

std::string group_ids(const EniInfo& e) {
  std::string s;
  for (const auto* g : e.groups) {
    if (!s.empty()) s += ",";
    s += g->id;
  }
  return s;
}

std::string describe_acl_entry(const NetworkAclEntry& e) {
  const bool implicit = e.rule_number == semantics::kNaclImplicitDenyRuleNumber;
  std::string s = implicit ? std::string("rule * deny all") :
      "rule " + std::to_string(e.rule_number) + (e.allow ? " allow " : " deny ") + protocol_name(e.protocol);
  if (!implicit) {
    if (protocol_has_ports(e.protocol)) s += " " + e.ports.str();
    s += " " + (e.cidr ? e.cidr->str() : e.cidr_ipv6);
  }
  return s;
}

const char* dir_word(Direction d) { return d == Direction::kIngress ? "inbound" : "outbound"; }

}  // namespace

std::string Analyzer::Impl::describe_sg(const semantics::NormalizedSgRule& r) const {
  const SecurityGroupRule& d = *r.rule;
  const auto* sg = net.security_group(r.group_id);
  std::string s = (sg ? sg->origin.display(sg->id) : r.group_id) + ": " + protocol_name(d.protocol);
  if (protocol_has_ports(d.protocol)) s += " " + d.ports.str();
  if (d.protocol == kIcmp && d.icmp_type >= 0) s += " type " + std::to_string(d.icmp_type);
  s += d.direction == Direction::kIngress ? " from " : " to ";
  if (d.cidr) s += d.cidr->str();
  else if (!d.group_id.empty()) {
    const auto* peer = net.security_group(d.group_id);
    s += peer ? peer->origin.display(peer->id) : d.group_id;
  } else if (!d.prefix_list_id.empty()) s += d.prefix_list_id;
  else s += d.cidr_ipv6;
  return s;
}

Evaluation Analyzer::Impl::evaluate(const Leg& leg, const Flow& flow, bool reply, const std::string& leg_name,
                                    std::vector<Hop>* hops, std::vector<Explanation>* expl) const {
  Evaluation ev;
  const bool portless = !protocol_has_ports(flow.protocol);
  IntervalSet cur = portless ? IntervalSet::all_ports() : flow.ports;
  const int itype = reply ? semantics::kIcmpEchoReply : semantics::kIcmpEchoRequest;
  const int icode = 0;
  auto pkt = [&](const Step& s, uint32_t port) {
    return semantics::Packet{flow.protocol, s.src, s.dst, static_cast<uint16_t>(port), itype, icode};
  };
  auto hop = [&](std::string component, std::string id, std::string display, std::string check, std::string matched,
                 SourceLoc loc, bool allowed) {
    if (!hops) return;
    hops->push_back(Hop{std::move(component), std::move(id), std::move(display), leg_name, std::move(check),
                        std::move(matched), loc, allowed});
  };
  auto explain = [&](const char* code, std::string component, std::string message, SourceLoc loc) {
    if (!expl) return;
    const CodeInfo* ci = code_info(code);
    expl->push_back(Explanation{code, std::move(component), std::move(message), ci ? ci->fix : "", loc});
  };
  // The blocker of the explanation just made.
  auto block = [&](Blocker b) {
    if (expl && !expl->empty()) expl->back().blocker = std::move(b);
  };
  // Replies of an internet-facing load balancer that do not go back to the
  // internet gateway: its subnets are not public (AWS wants an IGW route there).
  auto lb_subnets = [&](const Step& s) {
    const EniInfo* f = leg.from;
    if (reply && f && f->lb && !f->lb->internal && !is_private_or_shared(s.dst))
      block(Blocker{Blocker::Kind::kLoadBalancerSubnets, f->lb->arn, false, true, flow.protocol, {}, s.dst, {}});
  };
  // DISCONNECTED_VPCS: the sender's VPC and the one that holds the destination.
  auto disconnected = [&](const Step& s) {
    if (!s.subnet || !s.subnet->vpc) return;
    for (const auto& ov : net.vpcs)
      if (&ov != s.subnet->vpc && ov.contains(s.dst))
        return block(Blocker{Blocker::Kind::kPeering, s.subnet->vpc->id, false, reply, flow.protocol, {}, s.dst, ov.id});
  };
  auto route_component = [&](const Step& s) -> std::string {
    return s.subnet && s.subnet->rtb ? component(s.subnet->rtb->origin, s.subnet->rtb->id) : std::string("route table");
  };
  for (const Step& s : leg.steps) {
    switch (s.kind) {
      case StepKind::kSgOut:
      case StepKind::kSgIn: {
        Direction d = s.kind == StepKind::kSgOut ? Direction::kEgress : Direction::kIngress;
        Ipv4Address peer = d == Direction::kEgress ? s.dst : s.src;
        IntervalSet next = cur.intersect(
            semantics::sg_allowed_ports(s.eni->rules, d, flow.protocol, peer, itype, icode));
        if (hops || (next.empty() && expl)) {
          std::string check = std::string(dir_word(d)) + " " + ports_text(flow.protocol, cur) +
                              (d == Direction::kEgress ? " to " : " from ") + peer.str();
          std::string matched = "no rule matches";
          SourceLoc loc = s.eni->groups.empty() ? SourceLoc{} : s.eni->groups.front()->origin.loc;
          if (!next.empty()) {
            if (const auto* r = semantics::sg_match(s.eni->rules, d, pkt(s, next.intervals().front().lo))) {
              matched = describe_sg(*r);
              loc = r->rule->loc.known() ? r->rule->loc : loc;
            }
          }
          hop("security-group", group_ids(*s.eni), join_groups(*s.eni) + " on " + s.eni->display(), check, matched, loc,
              !next.empty());
          if (next.empty()) {
            explain("ENI_SG_RULES_MISMATCH", join_groups(*s.eni) + " on " + s.eni->display(),
                    std::string("no ") + dir_word(d) + " rule allows " + ports_text(flow.protocol, cur) +
                        (d == Direction::kEgress ? " to " : " from ") + peer.str(),
                    loc);
            const auto& iv = cur.intervals().front();
            block(Blocker{Blocker::Kind::kSecurityGroup, s.eni->eni->id, d == Direction::kEgress, reply,
                          flow.protocol, PortRange{static_cast<uint16_t>(iv.lo), static_cast<uint16_t>(iv.hi)},
                          peer, {}});
          }
        }
        if (next.empty()) return ev;
        cur = next;
        break;
      }
      case StepKind::kNaclOut:
      case StepKind::kNaclIn: {
        const model::NetworkAcl* acl = s.subnet ? s.subnet->acl : nullptr;
        if (!acl) break;
        Direction d = s.kind == StepKind::kNaclOut ? Direction::kEgress : Direction::kIngress;
        Ipv4Address peer = d == Direction::kEgress ? s.dst : s.src;
        const auto& entries = d == Direction::kEgress ? acl->egress : acl->ingress;
        IntervalSet allowed = semantics::nacl_allowed_ports(entries, d, flow.protocol, peer, itype, icode);
        bool ok;
        IntervalSet shown;
        uint32_t probe;
        if (reply) {
          IntervalSet required = portless ? IntervalSet::all_ports() : IntervalSet::of(s.reply_ports);
          IntervalSet missing = required.subtract(allowed);
          ok = missing.empty();
          shown = required;
          probe = ok ? required.intervals().front().lo : missing.intervals().front().lo;
        } else {
          IntervalSet next = cur.intersect(allowed);
          ok = !next.empty();
          shown = cur;
          probe = ok ? next.intervals().front().lo : cur.intervals().front().lo;
          if (ok) cur = next;
        }
        if (hops || (!ok && expl)) {
          const NetworkAclEntry& m = semantics::nacl_match(entries, d, pkt(s, probe));
          std::string what = std::string(dir_word(d)) + " " + ports_text(flow.protocol, shown) +
                             (d == Direction::kEgress ? " to " : " from ") + peer.str() + " (subnet " +
                             s.subnet->subnet->origin.display(s.subnet->subnet->id) + ")";
          SourceLoc loc = m.loc.known() ? m.loc : acl->origin.loc;
          hop("network-acl", acl->id, acl->origin.display(acl->id), what, describe_acl_entry(m), loc, ok);
          if (!ok) {
            explain("SUBNET_ACL_RESTRICTION", component(acl->origin, acl->id),
                    (reply ? "replies: " : "") + what + " is denied by " + describe_acl_entry(m) +
                        (reply ? " (replies go to ephemeral ports " + s.reply_ports.str() + ")" : ""),
                    loc);
            PortRange need = reply ? s.reply_ports : PortRange::single(static_cast<uint16_t>(probe));
            block(Blocker{Blocker::Kind::kNetworkAcl, acl->id, d == Direction::kEgress, reply, flow.protocol, need,
                          peer, {}});
          }
        }
        if (!ok) return ev;
        break;
      }
      case StepKind::kSameSubnet:
        hop("subnet", s.subnet->subnet->id, s.subnet->subnet->origin.display(s.subnet->subnet->id),
            "destination " + s.dst.str() + " in the same subnet", "delivered locally (no route table, no NACL)", {}, true);
        break;
      case StepKind::kRoute: {
        std::string matched = "no route";
        SourceLoc loc = s.subnet && s.subnet->rtb ? s.subnet->rtb->origin.loc : SourceLoc{};
        if (s.route) {
          matched = route_destination(*s.route) + " -> " + s.route->target_id;
          if (s.route->state == RouteState::kBlackhole) matched += " (blackhole)";
          if (s.route->loc.known()) loc = s.route->loc;
        }
        hop("route-table", s.subnet && s.subnet->rtb ? s.subnet->rtb->id : "", route_component(s),
            "route for " + s.dst.str(), matched, loc, s.code == nullptr);
        if (s.code) {
          explain(s.code, route_component(s), s.message, loc);
          if (s.subnet && s.subnet->rtb &&
              (std::string_view(s.code) == "NO_ROUTE_TO_DESTINATION" || std::string_view(s.code) == "RETURN_ROUTE_MISMATCH"))
            block(Blocker{Blocker::Kind::kRouteTable, s.subnet->rtb->id, false, reply, flow.protocol, {}, s.dst, {}});
          lb_subnets(s);
          if (std::string_view(s.code) == "DISCONNECTED_VPCS") disconnected(s);
          return ev;
        }
        break;
      }
      case StepKind::kPeering: {
        std::string id = s.pcx ? s.pcx->id : (s.route ? s.route->target_id : "");
        std::string disp = s.pcx ? s.pcx->origin.display(s.pcx->id) : id;
        SourceLoc loc = s.pcx ? s.pcx->origin.loc : SourceLoc{};
        hop("vpc-peering-connection", id, disp, s.src.str() + " -> " + s.dst.str(),
            s.pcx ? std::string("state ") + model::peering_state_name(s.pcx->state) : "", loc, s.code == nullptr);
        if (s.code) {
          explain(s.code, s.pcx ? component(s.pcx->origin, s.pcx->id) : id, s.message, loc);
          if (s.extra_code) explain(s.extra_code, s.extra_component, s.extra_message, s.extra_loc);
          if (std::string_view(s.code) == "UNMODELED_COMPONENT") ev.undecidable = true;
          return ev;
        }
        break;
      }
      case StepKind::kIgwOut:
      case StepKind::kIgwIn: {
        std::string id = s.igw;
        const auto* igw = net.internet_gateway(id);
        std::string disp = igw ? igw->origin.display(id) : id;
        SourceLoc loc = igw ? igw->origin.loc : SourceLoc{};
        std::string check = s.kind == StepKind::kIgwOut ? "outbound " + s.src.str() + " -> " + s.dst.str()
                                                        : "inbound " + s.src.str() + " -> " + s.dst.str();
        std::string matched;
        if (!s.code) {
          if (s.kind == StepKind::kIgwOut) matched = "1:1 NAT to the sender's public IP";
          else matched = "1:1 NAT to " + s.eni->eni->private_ip.str();
        }
        hop("internet-gateway", id, disp, check, matched, loc, s.code == nullptr);
        if (s.code) {
          std::string comp = id.empty() ? (s.eni && s.eni->vpc ? component(s.eni->vpc->origin, s.eni->vpc->id) : "")
                                        : (igw ? component(igw->origin, id) : id);
          explain(s.code, comp, s.message, loc);
          std::string_view code = s.code;
          if (code == "NO_INTERNET_GATEWAY" && s.eni && s.eni->vpc)
            block(Blocker{Blocker::Kind::kInternetGateway, s.eni->vpc->id, false, reply, flow.protocol, {}, s.dst, {}});
          if (code == "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS" && s.subnet && s.subnet->vpc)
            if (const EniInfo* sender = eni_at(s.subnet->vpc, s.src))
              block(Blocker{Blocker::Kind::kPublicAddress, sender->eni->id, true, reply, flow.protocol, {}, s.dst, {}});
          if (code == "DISCONNECTED_VPCS") disconnected(s);
          return ev;
        }
        break;
      }
      case StepKind::kNat:
      case StepKind::kDeNat: {
        std::string id = s.nat ? s.nat->id : (s.route ? s.route->target_id : "");
        std::string disp = s.nat ? s.nat->origin.display(s.nat->id) : id;
        SourceLoc loc = s.nat ? s.nat->origin.loc : SourceLoc{};
        if (s.kind == StepKind::kNat && !s.code && s.nat && !semantics::nat_gateway_forwards_protocol(flow.protocol)) {
          hop("nat-gateway", id, disp, protocol_name(flow.protocol) + " " + s.src.str() + " -> " + s.dst.str(),
              "TCP, UDP and ICMP only", loc, false);
          explain("PROTOCOL_RESTRICTION", component(s.nat->origin, s.nat->id),
                  "a NAT gateway forwards TCP, UDP and ICMP only, not " + protocol_name(flow.protocol), loc);
          return ev;
        }
        std::string matched;
        if (!s.code && s.nat)
          matched = s.kind == StepKind::kNat ? "source " + s.src.str() + " -> " + s.nat->private_ip.str() + " (ports " +
                                                    semantics::kNatGatewaySourcePorts.str() + ")"
                                              : "destination back to " + s.dst.str();
        hop("nat-gateway", id, disp, s.src.str() + " -> " + s.dst.str(), matched, loc, s.code == nullptr);
        if (s.code) {
          explain(s.code, s.nat ? component(s.nat->origin, s.nat->id) : id, s.message, loc);
          // Replies routed to a NAT gateway: the route table that sent them there lacks a route back.
          if (reply && std::string_view(s.code) == "RETURN_ROUTE_MISMATCH" && s.subnet && s.subnet->rtb)
            block(Blocker{Blocker::Kind::kRouteTable, s.subnet->rtb->id, false, true, flow.protocol, {}, s.dst, {}});
          lb_subnets(s);
          return ev;
        }
        break;
      }
      case StepKind::kInternet:
        hop("internet", "", "internet", "destination " + s.dst.str(), "delivered to the internet", {}, true);
        break;
      case StepKind::kTransitGateway: {
        bool undecidable = false;
        if (!evaluate_transit_gateway(s, reply, leg_name, hops, expl, undecidable)) {
          ev.undecidable = undecidable;
          return ev;
        }
        break;
      }
      case StepKind::kVpn: {
        bool undecidable = false;
        if (!evaluate_vpn(s, reply, leg_name, hops, expl, undecidable)) {
          ev.undecidable = undecidable;
          return ev;
        }
        break;
      }
      case StepKind::kVpcEndpoint: {
        bool undecidable = false;
        if (!evaluate_vpc_endpoint(s, flow, reply, leg_name, hops, expl, undecidable)) {
          ev.undecidable = undecidable;
          return ev;
        }
        break;
      }
      case StepKind::kDeliver:
        break;
      case StepKind::kFail: {
        hop("network", "", "", s.src.str() + " -> " + s.dst.str(), s.message, {}, false);
        explain(s.code, s.extra_component.empty() ? s.dst.str() : s.extra_component, s.message, {});
        if (std::string_view(s.code) == "UNMODELED_COMPONENT") ev.undecidable = true;
        // A loop through a NAT gateway: its subnet sends the traffic back to it.
        if (std::string_view(s.code) == "BAD_STATE_ROUTE")
          for (const Step& prev : leg.steps)
            if (prev.kind == StepKind::kNat && prev.nat) {
              block(Blocker{Blocker::Kind::kNatGatewaySubnet, prev.nat->id, false, reply, flow.protocol, {}, s.dst, {}});
              break;
            }
        return ev;
      }
    }
  }
  ev.ok = leg.end == Leg::End::kDelivered || leg.end == Leg::End::kInternet;
  ev.ports = cur;
  return ev;
}

Evaluation Analyzer::Impl::connect(const WalkStart& from, Ipv4Address dst, const Flow& flow, const std::string& leg_name,
                                   std::vector<Hop>* hops, std::vector<Explanation>* expl, Leg* request_leg) const {
  Leg req = walk(from, dst, nullptr);
  Evaluation fe = evaluate(req, flow, false, leg_name.empty() ? "request" : leg_name, hops, expl);
  if (request_leg) *request_leg = req;
  if (!fe.ok) return fe;
  ReplyContext rc = reply_context(from, req);
  WalkStart back;
  if (req.end == Leg::End::kInternet) {
    back.internet = true;
    back.address = dst;
  } else if (req.endpoint) {
    back.endpoint = req.endpoint;
    back.address = dst;
  } else if (req.on_prem) {
    back.on_prem = req.on_prem;
    back.address = dst;
  } else {
    back.eni = req.to;
    back.subnet = req.to->subnet;
    back.address = req.to->eni->private_ip;
    back.public_ip = req.to->eni->public_ip;
  }
  Leg rep = walk(back, req.seen_src, &rc);
  Evaluation re = evaluate(rep, flow, true, leg_name.empty() ? "reply" : leg_name + " (reply)", hops, expl);
  if (!re.ok) {
    fe.ok = false;
    fe.undecidable = fe.undecidable || re.undecidable;
  }
  return fe;
}

}  // namespace vpclab::analysis
