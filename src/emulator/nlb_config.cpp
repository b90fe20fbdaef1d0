#include "emulator/nlb_config.h"

#include "semantics/network_load_balancer.h"

namespace vpclab::emulator {

namespace nlb = dataplane::nlb;

namespace {

// The zone of an address inside `vpc` (the subnet holding it), "all" outside.
std::string zone_of(const model::Network& net, const std::string& vpc, Ipv4Address a) {
  for (const auto& s : net.subnets)
    if (s.vpc == vpc && s.cidr.contains(a)) return s.availability_zone;
  return "all";
}

}  // namespace

NlbConfigResult nlb_engine_config_from_model(const model::Network& net, const model::LoadBalancer& lb,
                                             const NlbConfigOptions& o) {
  NlbConfigResult r;
  nlb::EngineConfig c;
  c.name = lb.name;
  size_t slash = lb.full_name.rfind('/');
  if (slash != std::string::npos) c.id = lb.full_name.substr(slash + 1);
  if (!o.nodes.empty()) c.nodes = o.nodes;
  else
    for (const auto& n : lb.nodes)
      if (n.private_ip.value) c.nodes.push_back({n.network_interface, n.private_ip, n.availability_zone, 0});
  if (c.nodes.empty()) {
    r.error = "load balancer " + lb.name + " has no node with a private IP";
    return r;
  }
  std::map<std::string, size_t> tg_index;  // ARN -> index in c.target_groups
  for (const auto& l : net.listeners) {
    if (l.load_balancer != lb.arn) continue;
    const std::string where = l.protocol + " listener on port " + std::to_string(l.port);
    if (l.protocol == "TLS") {
      r.notes.push_back(where + " is not served (no TLS termination in the lab)");
      continue;
    }
    const model::TargetGroup* tg = nullptr;
    for (const auto& act : l.default_rule.actions)
      if (act.type == alb::ActionType::kForward && !act.target_groups.empty() && !tg)
        tg = net.target_group(act.target_groups.front().target_group_arn);
    if (!tg) {
      r.notes.push_back(where + " forwards to no target group");
      continue;
    }
    auto [it, fresh] = tg_index.try_emplace(tg->arn, c.target_groups.size());
    if (fresh) {
      nlb::TargetGroupConfig g;
      g.arn = tg->arn;
      g.name = tg->name;
      g.protocol = tg->protocol == "TLS" ? "TCP" : tg->protocol;
      g.port = tg->port;
      g.health_check = tg->health_check;
      if (g.health_check.protocol == "HTTPS") {
        r.notes.push_back("target group " + tg->name + ": HTTPS health checks are made as TCP checks (no TLS in the lab)");
        g.health_check.protocol = "TCP";
      }
      g.preserve_client_ip = semantics::nlb_preserves_client_ip(tg->target_type, tg->protocol, tg->attributes.preserve_client_ip);
      g.proxy_protocol_v2 = tg->attributes.proxy_protocol_v2;
      g.cross_zone = semantics::nlb_cross_zone(tg->attributes, lb.attributes);
      g.deregistration_delay_ms = tg->attributes.deregistration_delay_seconds * 1000LL;
      if (o.target_address && (g.health_check.port.empty() || g.health_check.port == std::to_string(tg->port)))
        g.health_check.port = "traffic-port";  // follows the remapped targets
      for (const auto& t : tg->targets) {
        const uint16_t port = t.port.value_or(tg->port);
        if (o.target_address) {
          std::string e;
          auto where = o.target_address(*tg, t, e);
          if (!where) {
            r.error = e;
            return r;
          }
          g.targets.push_back({t.id, where->first, where->second, t.availability_zone});
        } else if (tg->target_type == "alb") {
          const model::LoadBalancer* alb_lb = net.load_balancer(t.id);
          if (!alb_lb) {
            r.notes.push_back("target group " + tg->name + ": no load balancer " + t.id);
            continue;
          }
          for (const auto& n : alb_lb->nodes)
            if (n.private_ip.value) g.targets.push_back({alb_lb->arn, n.private_ip, port, n.availability_zone});
        } else if (tg->target_type == "ip") {
          auto ip = Ipv4Address::parse(t.id);
          if (!ip) continue;  // finalize() reported it
          std::string az = t.availability_zone.empty() ? zone_of(net, tg->vpc, *ip) : t.availability_zone;
          g.targets.push_back({t.id, *ip, port, az});
        } else if (const model::Instance* i = net.instance(t.id); i && i->private_ip.value) {
          const model::Subnet* s = net.subnet(i->subnet);
          g.targets.push_back({i->id, i->private_ip, port, s ? s->availability_zone : ""});
        }
      }
      c.target_groups.push_back(std::move(g));
    }
    const int port = l.port + o.port_offset;
    if (port < 1 || port > 65535) {
      r.error = "listener port " + std::to_string(l.port) + " + offset is out of range";
      return r;
    }
    c.listeners.push_back({l.arn, l.protocol, static_cast<uint16_t>(port), it->second});
  }
  if (c.listeners.empty()) {
    r.error = "load balancer " + lb.name + " has no listener the lab serves";
    return r;
  }
  r.config = std::move(c);
  return r;
}

}  // namespace vpclab::emulator
