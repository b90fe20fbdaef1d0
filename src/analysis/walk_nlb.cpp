// trace at a Network Load Balancer node (aws-tgw-nlb.md section 8): the
// listener by port and protocol, the target groups of its forward action,
// each target the node may send to (cross-zone), the address the target's
// security group and NACLs see (the client's when client IP preservation is
// on, the node's otherwise), health checks from every node's own address,
// fail-open when no target is healthy, and an ALB as target. The rules are
// semantics/network_load_balancer.h's.

#include "analysis/impl.h"
#include "semantics/network_load_balancer.h"

namespace vpclab::analysis {

using semantics::IntervalSet;

namespace {

// The node forwards to `dst`; the target sees `seen` (the client's address,
// or the node's). Routing is the node's both ways: the target answers the
// client's address, and AWS returns that flow through the node that opened
// it, so only the filters see the preserved address.
Evaluation connect_from_node(const Analyzer::Impl& im, const EniInfo& node, Ipv4Address seen, PortRange seen_ports,
                             Ipv4Address dst, const Flow& flow, const std::string& leg, std::vector<Hop>* hops,
                             std::vector<Explanation>* expl) {
  const Ipv4Address own = node.eni->private_ip;
  WalkStart from{&node, node.subnet, false, own, node.eni->public_ip, semantics::kElbEphemeralPorts};
  if (seen == own) return im.connect(from, dst, flow, leg, hops, expl);
  Leg req = im.walk(from, dst, nullptr);
  for (auto& s : req.steps)
    if (s.src == own) s.src = seen;
  Evaluation fe = im.evaluate(req, flow, false, leg, hops, expl);
  if (!fe.ok || req.end != Leg::End::kDelivered || !req.to) return fe;
  ReplyContext rc = reply_context(from, req);
  rc.client_ports = seen_ports;
  WalkStart back{req.to, req.to->subnet, false, req.to->eni->private_ip, req.to->eni->public_ip};
  Leg rep = im.walk(back, own, &rc);
  for (auto& s : rep.steps)
    if (s.dst == own) s.dst = seen;
  Evaluation re = im.evaluate(rep, flow, true, leg + " (reply)", hops, expl);
  if (!re.ok) {
    fe.ok = false;
    fe.undecidable = fe.undecidable || re.undecidable;
  }
  return fe;
}

struct NlbTarget {
  const model::Target* t = nullptr;
  std::string display;
  std::optional<Ipv4Address> address;
  std::string zone;  // "" unknown, "all" any zone
};

NlbTarget resolve_target(const Analyzer::Impl& im, const model::TargetGroup& tg, const model::Target& t) {
  NlbTarget r{&t, t.id, std::nullopt, t.availability_zone};
  if (const auto* inst = im.net.instance(t.id)) {
    r.address = inst->private_ip;
    r.display = inst->origin.display(inst->id);
    if (const auto* s = im.subnet_info(inst->subnet)) r.zone = s->subnet->availability_zone;
    return r;
  }
  r.address = Ipv4Address::parse(t.id);
  if (r.address && r.zone.empty())
    for (const auto& s : im.subnets)
      if (s.subnet->vpc == tg.vpc && s.subnet->cidr.contains(*r.address)) r.zone = s.subnet->availability_zone;
  return r;
}


}  // namespace

void trace_nlb(const Analyzer::Impl& im, const EniInfo& node, const WalkStart& client, Ipv4Address client_seen,
               const Flow& flow, const RequestInfo& rq, PathTrace& p) {
  const model::LoadBalancer& lb = *node.lb;
  const std::string node_ip = node.eni->private_ip.str();
  const std::string node_az = node.node ? node.node->availability_zone : node.subnet->subnet->availability_zone;
  auto hop = [&](std::string comp, std::string id, std::string disp, std::string check, std::string matched, SourceLoc loc,
                 bool ok, std::string leg = "load balancer") {
    p.hops.push_back(Hop{std::move(comp), std::move(id), std::move(disp), std::move(leg), std::move(check),
                         std::move(matched), loc, ok});
  };
  auto explain = [&](const char* code, std::string comp, std::string msg, SourceLoc loc, bool warning = false) {
    const CodeInfo* ci = code_info(code);
    p.explanations.push_back(Explanation{code, std::move(comp), std::move(msg), ci ? ci->fix : "", loc, warning});
  };
  const std::string lb_comp = im.component(lb.origin, lb.name);
  if (flow.protocol != kTcp && flow.protocol != kUdp) {
    hop("load-balancer", lb.arn, lb.origin.display(lb.name), protocol_name(flow.protocol), "TCP and UDP only",
        lb.origin.loc, false);
    explain("PROTOCOL_RESTRICTION", lb_comp,
            "a Network Load Balancer forwards TCP and UDP only, not " + protocol_name(flow.protocol), lb.origin.loc);
    return;
  }
  // The listener on the port that carries the protocol (TCP, TLS, UDP, TCP_UDP).
  const model::Listener* listener = nullptr;
  const model::Listener* other_protocol = nullptr;
  std::string ports;
  auto it = im.listeners.find(lb.arn);
  if (it != im.listeners.end())
    for (const auto* l : it->second) {
      ports += (ports.empty() ? "" : ", ") + l->protocol + ":" + std::to_string(l->port);
      if (l->port != rq.port) continue;
      if (semantics::nlb_protocol_carries(l->protocol, flow.protocol)) listener = l;
      else other_protocol = l;
    }
  const std::string listeners_text = ports.empty() ? std::string("none") : ports;
  if (!listener && other_protocol) {
    hop("listener", other_protocol->arn, other_protocol->origin.display(other_protocol->arn),
        protocol_name(flow.protocol) + "/" + std::to_string(rq.port),
        other_protocol->protocol + " listener does not carry " + protocol_name(flow.protocol),
        other_protocol->origin.loc, false);
    explain("PROTOCOL_RESTRICTION", lb_comp,
            "the listener on port " + std::to_string(rq.port) + " is " + other_protocol->protocol + ", which carries no " +
                protocol_name(flow.protocol),
            other_protocol->origin.loc);
    return;
  }
  if (!listener) {
    hop("listener", lb.arn, lb.origin.display(lb.name),
        protocol_name(flow.protocol) + " listener on port " + std::to_string(rq.port),
        "none (listeners: " + listeners_text + ")", lb.origin.loc, false);
    explain("ELBV2_LISTENER_PORT_RESTRICTION", lb_comp,
            "no listener on port " + std::to_string(rq.port) + " (listeners: " + listeners_text + ")", lb.origin.loc);
    p.explanations.back().blocker =
        Blocker{Blocker::Kind::kListener, lb.arn, false, false, flow.protocol, PortRange::single(rq.port)};
    return;
  }
  hop("listener", listener->arn, listener->origin.display(listener->arn),
      listener->protocol + ":" + std::to_string(listener->port) + " on node " + node_ip + " (" + node_az + ")",
      "listening", listener->origin.loc, true);
  // An NLB listener's one action is forward (finalize() rejects others).
  std::vector<const model::TargetGroup*> groups;
  for (const auto& act : listener->default_rule.actions) {
    if (act.type != alb::ActionType::kForward) continue;
    for (const auto& w : act.target_groups) {
      if (act.target_groups.size() > 1 && w.weight == 0) continue;
      if (const auto* tg = im.net.target_group(w.target_group_arn)) groups.push_back(tg);
    }
  }
  if (groups.empty()) {
    hop("target-group", "", "", "forward", "no target group", listener->origin.loc, false);
    explain("ELBV2_LISTENER_HAS_NO_TG", lb_comp, "the listener forwards to no existing target group",
            listener->origin.loc);
    return;
  }
  Response resp;
  resp.kind = "target";
  resp.load_balancer = lb.origin.display(lb.name);
  resp.rule_priority = -1;  // no rules at an NLB
  bool any_ok = false;
  std::vector<Explanation> leg_expl;
  for (const auto* tg : groups) {
    resp.target_groups.push_back(tg->origin.display(tg->name));
    const std::string tg_comp = im.component(tg->origin, tg->name);
    const bool preserve = semantics::nlb_preserves_client_ip(tg->target_type, tg->protocol, tg->attributes.preserve_client_ip);
    const bool cross = semantics::nlb_cross_zone(tg->attributes, lb.attributes);
    const Ipv4Address seen = preserve ? client_seen : node.eni->private_ip;
    const PortRange seen_ports = preserve ? client.ephemeral : semantics::kElbEphemeralPorts;
    const uint16_t tg_port_default = tg->port;
    hop("target-group", tg->arn, tg->origin.display(tg->name),
        tg->protocol + ":" + std::to_string(tg->port) + ", " + std::to_string(tg->targets.size()) + " " +
            tg->target_type + " target(s), cross-zone " + (cross ? "on" : "off") + ", client IP " +
            (preserve ? "preserved (targets see " + client_seen.str() + ")" : "not preserved (targets see " + node_ip + ")"),
        tg->targets.empty() ? "no registered targets" : "forward", tg->origin.loc, !tg->targets.empty());
    if (tg->targets.empty()) {
      explain("ELBV2_NO_REGISTERED_TARGETS", tg_comp,
              "target group " + tg->name + " has no registered targets: connections to the listener fail", tg->origin.loc);
      continue;
    }
    if (tg->target_type == "alb") {
      // The NLB connects to the ALB's nodes (in its own zone unless cross-zone) and the ALB takes over.
      const model::LoadBalancer* alb_lb = im.net.load_balancer(tg->targets.front().id);
      if (!alb_lb) {
        hop("target", tg->targets.front().id, tg->targets.front().id, "alb target", "unknown load balancer",
            tg->targets.front().loc, false);
        continue;
      }
      const uint16_t port = tg->targets.front().port.value_or(tg_port_default);
      const EniInfo* chosen = nullptr;
      std::vector<Explanation> tried;
      std::vector<Hop> first_hops;
      for (const auto& e : im.enis) {
        if (e.lb != alb_lb || (!cross && e.node && e.node->availability_zone != node_az)) continue;
        std::string leg = "node " + node_ip + " -> " + e.display() + ":" + std::to_string(port);
        std::vector<Explanation> ex;
        std::vector<Hop> hx;
        if (connect_from_node(im, node, seen, seen_ports, e.eni->private_ip, Flow{kTcp, IntervalSet::of(port, port)}, leg,
                              &hx, &ex)
                .ok) {
          chosen = &e;
          p.hops.insert(p.hops.end(), hx.begin(), hx.end());
          break;
        }
        if (first_hops.empty()) first_hops = std::move(hx);
        tried.insert(tried.end(), ex.begin(), ex.end());
      }
      if (!chosen) {
        p.hops.insert(p.hops.end(), first_hops.begin(), first_hops.end());
        leg_expl.insert(leg_expl.end(), tried.begin(), tried.end());
        explain("TARGET_PORT_RESTRICTION", tg_comp,
                "node " + node_ip + " cannot reach a node of Application Load Balancer " + alb_lb->name + " on port " +
                    std::to_string(port) + (preserve ? " from the client's address " + client_seen.str() : ""),
                tg->origin.loc);
        continue;
      }
      RequestInfo arq = rq;
      arq.port = port;
      PathTrace at;
      trace_alb(im, *chosen, client_seen, Flow{kTcp, IntervalSet::of(port, port)}, arq, at);
      p.hops.insert(p.hops.end(), at.hops.begin(), at.hops.end());
      p.explanations.insert(p.explanations.end(), at.explanations.begin(), at.explanations.end());
      p.undecidable = p.undecidable || at.undecidable;
      if (at.reachable) any_ok = true;
      if (at.response && !p.response) p.response = at.response;
      continue;
    }
    // Instance and ip targets.
    bool in_zone = false, any_healthy = false, healthy_reach = false, any_reach = false;
    bool preservation_blamed = false;
    std::vector<Explanation> tg_expl;
    for (const auto& t : tg->targets) {
      NlbTarget nt = resolve_target(im, *tg, t);
      Response::Target rt;
      rt.id = t.id;
      rt.port = t.port.value_or(tg_port_default);
      if (!nt.address) {
        hop("target", t.id, nt.display, "target address", "unknown target", t.loc, false);
        resp.targets.push_back(rt);
        continue;
      }
      rt.address = nt.address->str();
      // Health checks from every node's own address (never the client's), TCP for TCP/HTTP/HTTPS checks.
      const uint16_t hc_port = semantics::health_check_port(tg->health_check, rt.port);
      std::string hc_summary;
      std::vector<Explanation> hc_expl;
      for (const auto& other : im.enis) {
        if (other.lb != &lb) continue;
        WalkStart hf{&other, other.subnet, false, other.eni->private_ip, other.eni->public_ip,
                     semantics::kElbEphemeralPorts};
        std::vector<Explanation> hx;
        bool ok = tg->health_check.enabled &&
                  im.connect(hf, *nt.address, Flow{kTcp, IntervalSet::of(hc_port, hc_port)}, "", nullptr, &hx).ok;
        rt.health_check_ok = rt.health_check_ok || ok;
        hc_summary += (hc_summary.empty() ? "" : ", ") + other.eni->private_ip.str() + (ok ? " ok" : " blocked");
        if (!ok && &other == &node) hc_expl = std::move(hx);
      }
      any_healthy |= rt.health_check_ok;
      const bool zone_ok = cross || nt.zone.empty() || nt.zone == "all" || nt.zone == node_az;
      if (!zone_ok) {
        hop("target", t.id, nt.display, "cross-zone load balancing off",
            "node in " + node_az + " does not send to " + nt.zone, t.loc, false);
        resp.targets.push_back(rt);
        continue;
      }
      in_zone = true;
      if (preserve && *nt.address == client_seen) {
        // Loopback: the target would see a packet from itself to itself and drop it (troubleshooting, loopback-timeout).
        hop("target", t.id, nt.display, "client IP preserved: the client is this target",
            "the connection times out when it lands here (no loopback through an NLB)", t.loc, false);
        explain("ELBV2_SOURCE_ADDRESS_PRESERVATION", tg_comp,
                "target group " + tg->name + " preserves the client IP and " + nt.display +
                    " is the client itself: a connection that lands on it times out (use ip targets or turn preservation off)",
                tg->origin.loc, true);
        resp.targets.push_back(rt);
        continue;
      }
      std::string leg = "node " + node_ip + " -> " + nt.display + " " + nt.address->str() + ":" + std::to_string(rt.port) +
                        (preserve ? " (from client " + client_seen.str() + ")" : "");
      std::vector<Explanation> ex;
      Evaluation ev = connect_from_node(im, node, seen, seen_ports, *nt.address,
                                        Flow{flow.protocol, IntervalSet::of(rt.port, rt.port)}, leg, &p.hops, &ex);
      rt.reachable = ev.ok;
      if (!ev.ok) {
        // Would the node's own address have passed? Then preservation is why.
        if (preserve && !preservation_blamed &&
            connect_from_node(im, node, node.eni->private_ip, semantics::kElbEphemeralPorts, *nt.address,
                              Flow{flow.protocol, IntervalSet::of(rt.port, rt.port)}, "", nullptr, nullptr)
                .ok) {
          preservation_blamed = true;
          explain("ELBV2_SOURCE_ADDRESS_PRESERVATION", tg_comp,
                  "target group " + tg->name + " preserves the client IP (" + tg->target_type + " targets, " +
                      tg->protocol + "): " + nt.display + " sees " + client_seen.str() +
                      ", not the node's address " + node_ip + "; its security group and NACLs admit the node but not the client",
                  tg->origin.loc);
        }
        tg_expl.insert(tg_expl.end(), ex.begin(), ex.end());
      }
      hop("target", t.id, nt.display,
          "health check " + tg->health_check.protocol + " on port " + std::to_string(hc_port) + " from nodes", hc_summary,
          tg->origin.loc, rt.health_check_ok, leg);
      if (!rt.health_check_ok && (hc_port != rt.port || rt.reachable))
        for (auto& e : hc_expl) {
          e.warning = true;
          e.health_check = true;
          e.message = "health check: " + e.message;
          tg_expl.push_back(std::move(e));
        }
      any_reach |= rt.reachable;
      healthy_reach |= rt.health_check_ok && rt.reachable;
      resp.targets.push_back(rt);
    }
    if (!in_zone) {
      explain("ELBV2_NO_TARGETS_IN_AZ", tg_comp,
              "cross-zone load balancing is off and target group " + tg->name + " has no target in " + node_az +
                  ", the zone of node " + node_ip,
              tg->origin.loc);
      continue;
    }
    // Healthy targets get the traffic; none healthy in any zone: fail open to all.
    bool ok = any_healthy ? healthy_reach : any_reach;
    if (ok) any_ok = true;
    if (ok && !any_healthy)
      explain("ELBV2_HEALTH_CHECK_BLOCKED", tg_comp,
              "no target of " + tg->name + " passes health checks from the nodes; the group fails open and traffic still "
              "reaches the targets",
              tg->origin.loc, true);
    if (!ok)
      explain("TARGET_PORT_RESTRICTION", tg_comp,
              "node " + node_ip + " cannot reach any " + (any_healthy ? "healthy " : "") + "target of " + tg->name +
                  " on its traffic port" + (preserve ? " from the client's address " + client_seen.str() : "") +
                  ": the connection times out",
              tg->origin.loc);
    leg_expl.insert(leg_expl.end(), tg_expl.begin(), tg_expl.end());
  }
  for (auto& e : leg_expl) {
    if (any_ok) e.warning = true;
    p.explanations.push_back(std::move(e));
  }
  p.reachable = p.reachable || any_ok;
  if (any_ok && !p.response) {
    resp.detail = "forwarded to a target";
    p.response = resp;
  }
}

}  // namespace vpclab::analysis
