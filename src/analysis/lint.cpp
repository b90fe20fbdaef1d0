#include "analysis/lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "semantics/network_load_balancer.h"
#include "semantics/route.h"
#include "semantics/transit_gateway.h"
#include "semantics/vpc_endpoint.h"
#include "semantics/interval_set.h"
#include "semantics/security_group.h"
#include "semantics/subnet_kind.h"

namespace vpclab::analysis {
namespace {

using semantics::IntervalSet;
using semantics::NormalizedSgRule;

// Lint codes (docs/lint.md). Stable: scripts match on them.
constexpr const char* kAlbSgOpenToWorld = "ALB_SG_OPEN_TO_WORLD";
constexpr const char* kTargetSgMissingPort = "TARGET_SG_MISSING_PORT";
constexpr const char* kAlbSgMissingListenerPort = "ALB_SG_MISSING_LISTENER_PORT";
constexpr const char* kPeeringRouteOneSide = "PEERING_ROUTE_ONE_SIDE";
constexpr const char* kTgwRouteAzUnserved = "TGW_ROUTE_AZ_UNSERVED";
constexpr const char* kTgwRouteOneSide = "TGW_ROUTE_ONE_SIDE";
constexpr const char* kVpnStaticNoRoute = "VPN_STATIC_NO_ROUTE";
constexpr const char* kTgwVpnNotRouted = "TGW_VPN_NOT_ROUTED";
constexpr const char* kVgwNotRouted = "VGW_NOT_ROUTED";
constexpr const char* kPhzVpcDnsDisabled = "PHZ_VPC_DNS_DISABLED";
constexpr const char* kInternetFacingAlbNoIgw = "INTERNET_FACING_ALB_NO_IGW";
constexpr const char* kNatGatewayNoIgwRoute = "NAT_GATEWAY_NO_IGW_ROUTE";
constexpr const char* kSshOpenToWorld = "SSH_OPEN_TO_WORLD";
constexpr const char* kVpceRouteTableMissing = "VPCE_ROUTE_TABLE_MISSING";

bool is_world(const SecurityGroupRule& r) { return r.cidr && r.cidr->length == 0; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A jump host by its name, the convention the memo and AWS's quick starts use.
bool is_bastion(const model::Instance& i) {
  for (const std::string& n : {lower(i.name), lower(i.origin.logical_id)})
    if (n.find("bastion") != std::string::npos || n.find("jump") != std::string::npos) return true;
  return false;
}

// Security-group state shared by the lints: who is in each group, and the
// normalised rules of each group, resolved through the same semantics the
// analyzer and the emulator use.
class SgIndex {
 public:
  explicit SgIndex(const model::Network& net) : net_(net) {
    for (const auto& eni : net.network_interfaces)
      for (const auto& sg : eni.security_groups) members_[sg].add(eni.private_ip.value, eni.private_ip.value);
  }

  const std::vector<NormalizedSgRule>& rules(const std::string& sg_id) {
    auto it = rules_.find(sg_id);
    if (it != rules_.end()) return it->second;
    auto& out = rules_[sg_id];
    if (const auto* sg = net_.security_group(sg_id)) {
      auto resolve = [this](const SecurityGroupRule& r) {
        auto m = members_.find(r.group_id);
        return m == members_.end() ? IntervalSet{} : m->second;
      };
      semantics::normalize_security_group_rules(sg->ingress, sg->id, resolve, out);
      semantics::normalize_security_group_rules(sg->egress, sg->id, resolve, out);
    }
    return out;
  }

  // Union of the rules of several groups (an ENI's view).
  std::vector<NormalizedSgRule> rules(const std::vector<std::string>& sg_ids) {
    std::vector<NormalizedSgRule> all;
    for (const auto& id : sg_ids) {
      const auto& r = rules(id);
      all.insert(all.end(), r.begin(), r.end());
    }
    return all;
  }

 private:
  const model::Network& net_;
  std::map<std::string, IntervalSet> members_;
  std::map<std::string, std::vector<NormalizedSgRule>> rules_;
};

// True when the rule can admit a peer: an IPv4 range it matches, or a
// source the model cannot enumerate (a security group, including one whose
// members AWS launches later, a prefix list, an IPv6 range). A reference to
// a group of a VPC that is neither this one nor actively peered matches
// nothing (SG_REFERENCE_NOT_PEERED).
bool admits_someone(const model::Network& net, const std::string& vpc, const NormalizedSgRule& r) {
  if (!r.peers.empty()) return true;
  const SecurityGroupRule& d = *r.rule;
  if (d.cidr) return false;  // an empty IPv4 range cannot happen; stay exact
  if (!d.group_id.empty()) {
    const auto* g = net.security_group(d.group_id);
    if (!g || g->vpc == vpc) return true;  // unknown: another account's group
    for (const auto& p : net.peerings)
      if (p.state == model::PeeringState::kActive &&
          ((p.requester.vpc == vpc && p.accepter.vpc == g->vpc) || (p.accepter.vpc == vpc && p.requester.vpc == g->vpc)))
        return true;
    return false;
  }
  return !d.prefix_list_id.empty() || !d.cidr_ipv6.empty();
}

bool subnet_is_public(const model::Network& net, const std::string& subnet_id) {
  const auto* s = net.subnet(subnet_id);
  if (!s) return false;
  const auto* rt = net.route_table(s->route_table);
  return rt && semantics::routes_to_internet_gateway(rt->routes);
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// CIDRs of the VPCs that can reach `vpc`: itself and its active peers.
std::vector<std::string> client_cidrs(const model::Network& net, const std::string& vpc) {
  std::vector<std::string> out;
  auto add = [&](const std::string& id) {
    if (const auto* v = net.vpc(id))
      for (const auto& c : v->cidrs) out.push_back(c.str());
  };
  add(vpc);
  for (const auto& p : net.peerings) {
    if (p.state != model::PeeringState::kActive) continue;
    if (p.requester.vpc == vpc) add(p.accepter.vpc);
    if (p.accepter.vpc == vpc) add(p.requester.vpc);
  }
  return out;
}

void lint_load_balancers(const model::Network& net, SgIndex& sgs, Diagnostics& diags) {
  for (const auto& lb : net.load_balancers) {
    if (lb.type != "application") continue;
    auto listeners = net.listeners_of(lb.arn);
    std::string who = lb.origin.display(lb.name);

    for (const auto& f : alb_rules_open_to_world(net, lb)) {
      const auto& r = f.rule;
      const auto* sg = net.security_group(f.security_group);
      diags.warning(r.loc, kAlbSgOpenToWorld,
                    "security group " + sg->origin.display(sg->id) + " of internal load balancer " + who + " allows " +
                        protocol_name(r.protocol) + (protocol_has_ports(r.protocol) ? " " + r.ports.str() : "") +
                        " from 0.0.0.0/0",
                    "allow the listener port only from the clients' CIDRs (" + join(client_cidrs(net, lb.vpc)) +
                        ") or their security group");
    }

    // Listener port not allowed by any ALB security-group rule. A rule that
    // admits the port from a security group allows it even when the group's
    // members are not in the model (Auto Scaling, ECS): that is who the
    // author meant, not "no rule".
    auto lb_rules = sgs.rules(lb.security_groups);
    for (const auto* l : listeners) {
      bool allowed = false;
      for (const auto& r : lb_rules)
        if (r.direction == Direction::kIngress && semantics::protocol_matches(r.protocol, kTcp) &&
            r.ports.contains(l->port) && admits_someone(net, lb.vpc, r))
          allowed = true;
      if (!allowed)
        diags.warning(l->origin.loc, kAlbSgMissingListenerPort,
                      "no security group of load balancer " + who + " (" + join(lb.security_groups) +
                          ") allows inbound tcp " + std::to_string(l->port) +
                          ": clients' connections to the listener time out",
                      "add an ingress rule tcp " + std::to_string(l->port) + " from the clients (" +
                          join(client_cidrs(net, lb.vpc)) + ") to " +
                          (lb.security_groups.empty() ? "the load balancer's security group"
                                                      : lb.security_groups.front()));
    }

    // Internet-facing ALB in subnets without a route to an internet gateway.
    if (!lb.internal) {
      std::vector<std::string> private_subnets;
      for (const auto& s : lb.subnets)
        if (!subnet_is_public(net, s)) {
          const auto* sub = net.subnet(s);
          private_subnets.push_back(sub ? sub->origin.display(s) : s);
        }
      if (!private_subnets.empty())
        diags.warning(lb.origin.loc, kInternetFacingAlbNoIgw,
                      "internet-facing load balancer " + who + " is in subnets whose route table has no route "
                      "to an internet gateway: " + join(private_subnets),
                      "place it in public subnets (route 0.0.0.0/0 to the VPC's internet gateway), or make it "
                      "Scheme: internal");
    }
  }
}

// Targets whose security groups do not admit the ALB nodes on the traffic
// or health-check port.
void lint_targets(const model::Network& net, SgIndex& sgs, Diagnostics& diags) {
  for (const auto& tg : net.target_groups) {
    if (tg.target_type != "instance" && tg.target_type != "ip") continue;
    for (const auto& lb_arn : tg.load_balancers) {
      const auto* lb = net.load_balancer(lb_arn);
      if (!lb || lb->nodes.empty()) continue;
      for (const auto& t : tg.targets) {
        const model::NetworkInterface* eni = nullptr;
        if (tg.target_type == "instance") {
          const auto* inst = net.instance(t.id);
          if (inst && !inst->network_interfaces.empty()) eni = net.network_interface(inst->network_interfaces[0]);
        } else if (auto ip = Ipv4Address::parse(t.id)) {
          eni = net.interface_by_private_ip(tg.vpc, *ip);
        }
        if (!eni) continue;
        uint16_t traffic = t.port.value_or(tg.port);
        std::set<uint16_t> ports;
        // An NLB node connects on the traffic port from its own address only
        // when the group does not keep the client's and carries TCP; its checks
        // (TCP, HTTP) go to the health-check port, a UDP group's too.
        const bool nlb = lb->type == "network";
        if (!nlb || (!semantics::nlb_preserves_client_ip(tg.target_type, tg.protocol, tg.attributes.preserve_client_ip) &&
                     semantics::nlb_protocol_carries(tg.protocol, kTcp)))
          ports.insert(traffic);
        if (tg.health_check.port == "traffic-port") ports.insert(traffic);
        else if (int hc = std::atoi(tg.health_check.port.c_str()); hc > 0 && hc < 65536) ports.insert(uint16_t(hc));
        auto rules = sgs.rules(eni->security_groups);
        for (uint16_t port : ports) {
          std::vector<std::string> blocked;
          for (const auto& node : lb->nodes) {
            auto allowed = semantics::sg_allowed_ports(rules, Direction::kIngress, kTcp, node.private_ip);
            if (!allowed.contains(port)) blocked.push_back(node.private_ip.str());
          }
          if (blocked.empty()) continue;
          const auto* inst = net.instance(t.id);
          std::string target = inst ? inst->origin.display(inst->id) : t.id;
          std::string lb_sg = lb->security_groups.empty() ? "the load balancer's subnets" : lb->security_groups.front();
          diags.warning(t.loc.known() ? t.loc : tg.origin.loc, kTargetSgMissingPort,
                        "target " + target + " of target group " + tg.origin.display(tg.name) + " does not allow tcp " +
                            std::to_string(port) + (port == traffic ? " (traffic port)" : " (health-check port)") +
                            " from load balancer " + lb->origin.display(lb->name) + " nodes " + join(blocked) +
                            (lb->type == "network" ? std::string(": its health checks from the nodes fail")
                                                   : std::string(": health checks fail and requests get 502/504")),
                        "add an ingress rule tcp " + std::to_string(port) + " from " + lb_sg + " to " +
                            join(eni->security_groups));
        }
      }
    }
  }
}

// A peering used by routes on one side only: the other side cannot reply.
void lint_peerings(const model::Network& net, Diagnostics& diags) {
  for (const auto& p : net.peerings) {
    if (p.state != model::PeeringState::kActive) continue;
    std::map<std::string, const Route*> first_route;  // vpc -> a route via this pcx
    for (const auto& rt : net.route_tables)
      for (const auto& r : rt.routes)
        if (r.target_kind == RouteTargetKind::kVpcPeeringConnection && r.target_id == p.id &&
            !first_route.count(rt.vpc))
          first_route[rt.vpc] = &r;
    for (const auto* side : {&p.requester, &p.accepter}) {
      const auto& other = p.peer_of(side->vpc);
      if (!first_route.count(side->vpc) || first_route.count(other.vpc)) continue;
      const auto* from = net.vpc(side->vpc);
      const auto* to = net.vpc(other.vpc);
      std::string from_cidrs, to_name = to ? to->origin.display(to->id) : other.vpc;
      if (from)
        for (const auto& c : from->cidrs) from_cidrs += (from_cidrs.empty() ? "" : ", ") + c.str();
      diags.warning(first_route[side->vpc]->loc.known() ? first_route[side->vpc]->loc : p.origin.loc,
                    kPeeringRouteOneSide,
                    "peering " + p.origin.display(p.id) + " is routed from " +
                        (from ? from->origin.display(from->id) : side->vpc) + " only: " + to_name +
                        " has no route back through it, so replies are dropped",
                    "add a route to " + from_cidrs + " via " + p.id + " in " + to_name +
                        "'s route tables of the subnets that must answer");
    }
  }
}

// A subnet whose table routes to a TGW in an AZ where the VPC's attachment has
// no subnet (its traffic cannot enter: TGW_ROUTE_AZ_RESTRICTION), and a TGW
// routed from one attached VPC to another that has no route back through it.
void lint_transit_gateways(const model::Network& net, Diagnostics& diags) {
  std::map<std::pair<std::string, std::string>, const Route*> routed;  // (vpc, tgw) -> a route
  for (const auto& rt : net.route_tables)
    for (const auto& r : rt.routes)
      if (r.target_kind == RouteTargetKind::kTransitGateway && r.state == RouteState::kActive)
        routed.emplace(std::make_pair(rt.vpc, r.target_id), &r);
  for (const auto& s : net.subnets) {
    const auto* rt = net.route_table(s.route_table);
    if (!rt) continue;
    for (const auto& r : rt->routes) {
      if (r.target_kind != RouteTargetKind::kTransitGateway || r.state != RouteState::kActive) continue;
      const auto* a = net.vpc_attachment(r.target_id, s.vpc);
      if (!a) continue;
      std::vector<std::string> azs;
      for (const auto& id : a->subnets)
        if (const auto* as = net.subnet(id)) azs.push_back(as->availability_zone);
      if (semantics::transit_gateway_entry(azs, s.availability_zone)) continue;
      diags.warning(a->origin.loc, kTgwRouteAzUnserved,
                    "subnet " + s.origin.display(s.id) + " routes " + (r.destination ? r.destination->str() : "") +
                        " to transit gateway " + r.target_id + ", but attachment " + a->origin.display(a->id) +
                        " has no subnet in " + s.availability_zone + ": that traffic cannot enter the TGW",
                    "add a subnet of " + s.availability_zone + " to the attachment's SubnetIds");
      break;
    }
  }
  // Per TGW, the attached VPCs with no route to it (usually none): only they
  // can be the far side of a one-sided route.
  std::map<std::string, std::vector<const model::Vpc*>> unrouted;
  std::set<std::pair<std::string, std::string>> listed;
  for (const auto& a : net.transit_gateway_attachments) {
    const auto* v = a.resource_type == "vpc" ? net.vpc(a.resource_id) : nullptr;
    if (v && !v->cidrs.empty() && !routed.count({v->id, a.transit_gateway}) &&
        listed.insert({v->id, a.transit_gateway}).second)
      unrouted[a.transit_gateway].push_back(v);
  }
  for (const auto& [key, r] : routed) {
    const auto& [vpc, tgw] = key;
    auto far = unrouted.find(tgw);
    if (far == unrouted.end() || !r->destination) continue;
    for (const auto* vp : far->second) {
      const auto& v = *vp;
      if (v.id == vpc || !r->destination->overlaps(v.cidrs[0])) continue;
      const auto* from = net.vpc(vpc);
      diags.warning(r->loc, kTgwRouteOneSide,
                    "transit gateway " + tgw + " is routed from " + (from ? from->origin.display(from->id) : vpc) +
                        " to " + v.origin.display(v.id) + " only: " + v.origin.display(v.id) +
                        " has no route back through it, so replies are dropped",
                    "add a route to " + (from && !from->cidrs.empty() ? from->cidrs[0].str() : vpc) + " via " + tgw +
                        " in " + v.origin.display(v.id) + "'s route tables of the subnets that must answer");
    }
  }
}

// Site-to-site VPN: a static VGW connection without static routes (the VGW
// knows no on-premises prefix), a TGW whose VPC attachments' tables have no
// route to the on-premises CIDRs of a VPN attachment (static routes only:
// nothing propagates), and a VGW no route table of its VPC routes to.
void lint_vpn(const model::Network& net, Diagnostics& diags) {
  for (const auto& c : net.vpn_connections) {
    std::vector<Ipv4Cidr> office;
    for (const auto& o : net.on_premises)
      if (o.customer_gateway == c.customer_gateway) office.insert(office.end(), o.cidrs.begin(), o.cidrs.end());
    if (!c.vpn_gateway.empty() && c.static_routes_only && c.routes.empty())
      diags.warning(c.origin.loc, kVpnStaticNoRoute,
                    "VPN connection " + c.origin.display(c.id) +
                        " uses static routes only but has none: its virtual private gateway sends nothing over it",
                    office.empty() ? std::string("add an AWS::EC2::VPNConnectionRoute for each on-premises CIDR")
                                   : "add an AWS::EC2::VPNConnectionRoute with DestinationCidrBlock " +
                                         office[0].str());
    if (c.transit_gateway.empty() || office.empty()) continue;
    std::set<std::string> tables;
    for (const auto& a : net.transit_gateway_attachments)
      if (a.transit_gateway == c.transit_gateway && a.resource_type == "vpc" && !a.route_table.empty())
        tables.insert(a.route_table);
    for (const auto& id : tables) {
      const auto* t = net.transit_gateway_route_table(id);
      if (!t || !t->routes_known) continue;
      for (const auto& cidr : office) {
        const auto* r = semantics::select_transit_gateway_route(t->routes, cidr.base);
        if (r && !r->blackhole && r->attachment == c.transit_gateway_attachment) continue;
        diags.warning(c.origin.loc, kTgwVpnNotRouted,
                      "transit gateway route table " + t->origin.display(t->id) + " has no route to " + cidr.str() +
                          " by VPN connection " + c.origin.display(c.id) +
                          (c.static_routes_only ? " (static routes only: its attachment propagates nothing)" : "") +
                          ": the attached VPCs cannot reach the office",
                      c.static_routes_only
                          ? "add an AWS::EC2::TransitGatewayRoute for " + cidr.str() +
                                " to the VPN attachment, or use BGP (StaticRoutesOnly: false)"
                          : "propagate the VPN attachment into " + t->origin.display(t->id));
        break;
      }
    }
  }
  for (const auto& g : net.vpn_gateways) {
    if (g.vpc.empty() || g.routes.empty()) continue;
    bool routed = false;
    for (const auto& rt : net.route_tables)
      for (const auto& r : rt.routes) routed = routed || (rt.vpc == g.vpc && r.target_id == g.id);
    if (!routed)
      diags.warning(g.origin.loc, kVgwNotRouted,
                    "no route table of VPC " + g.vpc + " routes to virtual private gateway " + g.origin.display(g.id) +
                        ": the VPC cannot reach " + g.routes[0].destination.str() + " over its VPN",
                    "add an AWS::EC2::VPNGatewayRoutePropagation of the VGW into the subnets' route tables");
  }
}

void lint_hosted_zones(const model::Network& net, Diagnostics& diags) {
  for (const auto& z : net.hosted_zones) {
    if (!z.is_private) continue;
    for (const auto& assoc : z.vpcs) {
      const auto* v = net.vpc(assoc.vpc);
      if (!v || (v->enable_dns_support && v->enable_dns_hostnames)) continue;
      std::string off = !v->enable_dns_support ? "EnableDnsSupport" : "EnableDnsHostnames";
      if (!v->enable_dns_support && !v->enable_dns_hostnames) off = "EnableDnsSupport and EnableDnsHostnames";
      diags.warning(z.origin.loc, kPhzVpcDnsDisabled,
                    "private hosted zone " + z.name + " is associated with " + v->origin.display(v->id) +
                        ", whose " + off + " is off: the zone's names do not resolve there",
                    "set EnableDnsSupport: true and EnableDnsHostnames: true on " + v->origin.display(v->id));
    }
  }
}

void lint_nat_gateways(const model::Network& net, Diagnostics& diags) {
  for (const auto& nat : net.nat_gateways) {
    if (!nat.is_public || subnet_is_public(net, nat.subnet)) continue;
    const auto* s = net.subnet(nat.subnet);
    diags.warning(nat.origin.loc, kNatGatewayNoIgwRoute,
                  "NAT gateway " + nat.origin.display(nat.id) + " is in subnet " +
                      (s ? s->origin.display(s->id) : nat.subnet) +
                      ", whose route table has no route to an internet gateway: private subnets routed to it "
                      "reach nothing",
                  "put the NAT gateway in a public subnet (one whose route table sends 0.0.0.0/0 to the "
                  "internet gateway)");
  }
}

// A gateway endpoint the VPC has, but not on the route table of a subnet
// whose instances send the service's addresses to a NAT gateway instead: it
// works, through the NAT gateway (charged per GB), not the endpoint the author
// meant them to use. (A public subnet reaching S3 by its internet gateway is
// the usual design, not flagged.)
void lint_vpc_endpoints(const model::Network& net, Diagnostics& diags) {
  for (const auto& ep : net.vpc_endpoints) {
    if (!ep.is_gateway()) continue;
    const auto* pl = net.prefix_list(ep.prefix_list);
    if (!pl) continue;
    std::vector<Ipv4Cidr> cidrs;
    for (const auto& e : pl->entries)
      if (e.cidr) cidrs.push_back(*e.cidr);
    if (cidrs.empty()) continue;
    Ipv4Address probe = semantics::service_public_address(cidrs);
    std::set<std::string> warned;
    for (const auto& inst : net.instances) {
      const auto* s = net.subnet(inst.subnet);
      if (!s || s->vpc != ep.vpc || warned.count(s->route_table)) continue;
      if (std::find(ep.route_tables.begin(), ep.route_tables.end(), s->route_table) != ep.route_tables.end()) continue;
      const auto* t = net.route_table(s->route_table);
      const Route* r = t ? semantics::select_route(t->routes, probe) : nullptr;
      if (!r || r->target_kind != RouteTargetKind::kNatGateway) continue;
      warned.insert(s->route_table);
      diags.warning(ep.origin.loc, kVpceRouteTableMissing,
                    "gateway endpoint " + ep.origin.display(ep.id) + " (" + ep.service_name + ") is not on route table " +
                        t->origin.display(t->id) + " of subnet " + s->origin.display(s->id) + ", which sends " +
                        ep.service_name + "'s addresses (" + pl->id + ") to " + r->target_id + ": " +
                        inst.origin.display(inst.id) + " reaches the service through the NAT gateway, not the "
                        "endpoint",
                    "add " + t->origin.display(t->id) + " to the endpoint's RouteTableIds");
    }
  }
}

void lint_ssh(const model::Network& net, Diagnostics& diags) {
  // Which groups are worn by instances that are not bastions.
  std::map<std::string, std::vector<std::string>> non_bastion_users;
  for (const auto& inst : net.instances) {
    if (is_bastion(inst)) continue;
    for (const auto& eni_id : inst.network_interfaces)
      if (const auto* eni = net.network_interface(eni_id))
        for (const auto& sg : eni->security_groups) non_bastion_users[sg].push_back(inst.origin.display(inst.id));
  }
  for (const auto& sg : net.security_groups) {
    auto users = non_bastion_users.find(sg.id);
    if (users == non_bastion_users.end()) continue;
    for (const auto& r : sg.ingress) {
      if (!is_world(r) || !semantics::protocol_matches(r.protocol, kTcp)) continue;
      if (protocol_has_ports(r.protocol) && !r.ports.contains(22)) continue;
      diags.warning(r.loc, kSshOpenToWorld,
                    "security group " + sg.origin.display(sg.id) + " allows SSH (tcp 22) from 0.0.0.0/0 to " +
                        join(users->second) + ", which are not bastions",
                    "allow tcp 22 only from the bastion's security group");
    }
  }
}

}  // namespace

std::vector<OpenAlbRule> alb_rules_open_to_world(const model::Network& net, const model::LoadBalancer& lb) {
  std::vector<OpenAlbRule> out;
  if (lb.type != "application" || !lb.internal) return out;
  auto listeners = net.listeners_of(lb.arn);
  for (const auto& sg_id : lb.security_groups) {
    const auto* sg = net.security_group(sg_id);
    if (!sg) continue;
    for (const auto& r : sg->ingress) {
      if (!is_world(r)) continue;
      OpenAlbRule f{lb.arn, sg_id, r, {}};
      for (const auto* l : listeners)
        if (!protocol_has_ports(r.protocol) || r.ports.contains(l->port)) f.listener_ports.push_back(l->port);
      if (listeners.empty() || !f.listener_ports.empty()) out.push_back(std::move(f));
    }
  }
  return out;
}

void lint(const model::Network& net, Diagnostics& diags) {
  SgIndex sgs(net);
  lint_load_balancers(net, sgs, diags);
  lint_targets(net, sgs, diags);
  lint_peerings(net, diags);
  lint_transit_gateways(net, diags);
  lint_vpn(net, diags);
  lint_hosted_zones(net, diags);
  lint_nat_gateways(net, diags);
  lint_ssh(net, diags);
  lint_vpc_endpoints(net, diags);
}

}  // namespace vpclab::analysis
