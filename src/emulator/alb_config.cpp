#include "emulator/alb_config.h"

#include <algorithm>

namespace vpclab::emulator {

namespace alb = dataplane::alb;

const model::LoadBalancer* find_load_balancer(const model::Network& net, const std::string& key) {
  for (const auto& l : net.load_balancers)
    if (l.origin.logical_id == key || l.name == key || l.arn == key) return &l;
  return nullptr;
}

std::string known_load_balancers(const model::Network& net) {
  std::string out;
  for (const auto& l : net.load_balancers) out += " " + (l.origin.logical_id.empty() ? l.name : l.origin.logical_id);
  return out;
}

namespace {

std::optional<std::pair<Ipv4Address, uint16_t>> private_address(const model::Network& net,
                                                                 const model::TargetGroup& tg,
                                                                 const model::Target& target, std::string& error) {
  uint16_t port = target.port.value_or(tg.port);
  if (tg.target_type == "ip") {
    auto ip = Ipv4Address::parse(target.id);
    if (!ip) {
      error = "target " + target.id + " of " + tg.name + " is not an IPv4 address";
      return std::nullopt;
    }
    return std::pair{*ip, port};
  }
  if (tg.target_type != "instance") {
    error = tg.target_type + " targets of " + tg.name + " are not served";
    return std::nullopt;
  }
  const model::Instance* i = net.instance(target.id);
  if (!i || !i->private_ip.value) {
    error = "target " + target.id + " of " + tg.name + " is not an instance of this network";
    return std::nullopt;
  }
  return std::pair{i->private_ip, port};
}

}  // namespace

AlbConfigResult engine_config_from_model(const model::Network& net, const model::LoadBalancer& lb,
                                         const AlbConfigOptions& o) {
  AlbConfigResult r;
  auto fail = [&](std::string e) {
    r.config.reset();
    r.error = std::move(e);
    return r;
  };
  alb::EngineConfig c;
  c.name = lb.name;
  size_t slash = lb.full_name.rfind('/');
  if (slash != std::string::npos) c.id = lb.full_name.substr(slash + 1);
  c.region = lb.origin.region.empty() ? c.region : lb.origin.region;
  c.account = lb.origin.account.empty() ? c.account : lb.origin.account;
  c.attributes = lb.attributes;
  c.access_log.clear();
  if (!o.nodes.empty()) {
    c.nodes = o.nodes;
  } else {
    for (const auto& n : lb.nodes)
      if (n.private_ip.value) c.nodes.push_back(alb::NodeConfig{n.network_interface, n.private_ip, n.availability_zone});
    if (c.nodes.empty()) return fail("load balancer " + lb.name + " has no node with a private IP");
  }
  std::vector<std::string> used_tgs;
  for (const model::Listener* l : net.listeners_of(lb.arn)) {
    if (l->protocol != "HTTP") {
      r.notes.push_back(l->protocol + " listener on port " + std::to_string(l->port) + " (only HTTP is served)");
      continue;
    }
    alb::ListenerConfig lc;
    lc.arn = l->arn;
    int port = l->port + o.port_offset;
    if (port < 1 || port > 65535)
      return fail("listener port " + std::to_string(l->port) + " + offset is out of range");
    lc.port = static_cast<uint16_t>(port);
    lc.default_rule = l->default_rule;
    lc.rules = l->rules;
    auto note = [&](const vpclab::alb::ListenerRule& rule) {
      for (const auto& a : rule.actions)
        for (const auto& g : a.target_groups)
          if (std::find(used_tgs.begin(), used_tgs.end(), g.target_group_arn) == used_tgs.end())
            used_tgs.push_back(g.target_group_arn);
    };
    note(lc.default_rule);
    for (const auto& rule : lc.rules) note(rule);
    c.listeners.push_back(std::move(lc));
  }
  if (c.listeners.empty()) return fail("load balancer " + lb.name + " has no HTTP listener");
  for (const auto& arn : used_tgs) {
    const model::TargetGroup* tg = net.target_group(arn);
    if (!tg) return fail("unknown target group " + arn);
    alb::TargetGroupConfig t;
    t.arn = tg->arn;
    t.name = tg->name;
    t.protocol = tg->protocol;
    t.port = tg->port;
    t.health_check = tg->health_check;
    // Targets may be remapped: a health-check port equal to the traffic port follows the mapping.
    if (t.health_check.port.empty() || t.health_check.port == std::to_string(tg->port))
      t.health_check.port = "traffic-port";
    t.attributes = tg->attributes;
    for (const auto& target : tg->targets) {
      std::string e;
      auto where = o.target_address ? o.target_address(*tg, target, e) : private_address(net, *tg, target, e);
      if (!where) return fail(e);
      alb::TargetConfig tc;
      tc.id = target.id;
      tc.address = where->first;
      tc.port = where->second;
      tc.availability_zone = target.availability_zone;
      t.targets.push_back(tc);
    }
    c.target_groups.push_back(std::move(t));
  }
  r.config = std::move(c);
  return r;
}

}  // namespace vpclab::emulator
