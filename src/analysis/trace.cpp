// trace: source and destination parsing, the DNS view from the source, the
// path to every resolved address and back, and the ALB hops.
#include <algorithm>
#include <charconv>

#include "analysis/impl.h"
#include "semantics/listener_rule.h"
#include "semantics/redirect.h"

namespace vpclab::analysis {

using semantics::IntervalSet;


namespace {

// A host on the internet when the user says "internet": an address from
// 198.18.0.0/15 (benchmarking), public but unlikely to appear in rules.
constexpr uint32_t kInternetHost = (198u << 24) | (18u << 16) | 7;

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace

// What the user named as source or destination.
struct Resolved {
  std::string error;
  std::vector<const EniInfo*> enis;  // instance ENIs (primary first) or LB nodes
  const SubnetInfo* subnet = nullptr;
  const model::LoadBalancer* lb = nullptr;
  const model::Instance* instance = nullptr;
  std::string label;
};

const Analyzer::Impl::NameIndex& Analyzer::Impl::names() const {
  std::call_once(names_once, [this] {
    auto idx = std::make_unique<NameIndex>();
    // Every key ref_matches accepts for a resource, once per resource.
    auto add = [](std::unordered_map<std::string, std::vector<size_t>>& m, size_t i, const model::Origin& o,
                  const std::string& id, const std::string& name) {
      std::vector<std::string> keys{id};
      if (!o.logical_id.empty()) {
        keys.push_back(o.logical_id);
        keys.push_back(o.stack + "." + o.logical_id);
      }
      if (!name.empty()) keys.push_back(name);
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (auto& k : keys) m[k].push_back(i);
    };
    for (size_t i = 0; i < net.instances.size(); ++i)
      add(idx->instances, i, net.instances[i].origin, net.instances[i].id, net.instances[i].name);
    for (size_t i = 0; i < net.load_balancers.size(); ++i) {
      const auto& lb = net.load_balancers[i];
      add(idx->load_balancers, i, lb.origin, lb.arn, lb.name);
      auto& v = idx->load_balancers[lb.dns_name];
      if (!lb.dns_name.empty() && (v.empty() || v.back() != i)) v.push_back(i);
    }
    for (size_t i = 0; i < subnets.size(); ++i)
      add(idx->subnets, i, subnets[i].subnet->origin, subnets[i].subnet->id, subnets[i].subnet->name);
    for (size_t i = 0; i < net.network_interfaces.size(); ++i)
      add(idx->interfaces, i, net.network_interfaces[i].origin, net.network_interfaces[i].id, "");
    name_index = std::move(idx);
  });
  return *name_index;
}

static Resolved resolve_ref(const Analyzer::Impl& im, std::string_view ref) {
  Resolved r;
  std::vector<std::string> hits;
  const auto& names = im.names();
  static const std::vector<size_t> kNone;
  auto of = [&](const std::unordered_map<std::string, std::vector<size_t>>& m) -> const std::vector<size_t>& {
    auto it = m.find(std::string(ref));
    return it == m.end() ? kNone : it->second;
  };
  for (size_t k : of(names.instances)) {
    const auto& i = im.net.instances[k];
    r.instance = &i;
    hits.push_back(i.origin.display(i.id));
  }
  for (size_t k : of(names.load_balancers)) {
    const auto& lb = im.net.load_balancers[k];
    r.lb = &lb;
    hits.push_back(lb.origin.display(lb.name));
  }
  for (size_t k : of(names.subnets)) {
    const auto& s = im.subnets[k];
    r.subnet = &s;
    hits.push_back(s.subnet->origin.display(s.subnet->id));
  }
  const model::NetworkInterface* eni = nullptr;
  for (size_t k : of(names.interfaces)) {
    const auto& e = im.net.network_interfaces[k];
    if (e.owner_kind == model::EniOwnerKind::kStandalone || ref == e.id || hits.empty()) {
      eni = &e;
      hits.push_back(e.origin.display(e.id));
    }
  }
  // An ENI that belongs to the instance or LB already matched is the same thing.
  if (eni && (r.instance || r.lb) && ref != eni->id) {
    eni = nullptr;
    hits.pop_back();
  }
  if (hits.size() > 1) {
    std::string all;
    for (const auto& h : hits) all += (all.empty() ? "" : ", ") + h;
    r.error = "'" + std::string(ref) + "' is ambiguous: " + all;
    return r;
  }
  if (r.instance) {
    for (const auto& id : r.instance->network_interfaces)
      if (const auto* e = im.net.network_interface(id)) r.enis.push_back(im.eni_info(e));
    if (r.enis.empty())
      for (const auto& e : im.enis)
        if (e.instance == r.instance) r.enis.push_back(&e);
    r.label = r.instance->origin.display(r.instance->id) + " (" + r.instance->id + ")";
    if (r.enis.empty()) r.error = "instance " + r.label + " has no network interface";
  } else if (r.lb) {
    for (const auto& e : im.enis)
      if (e.lb == r.lb) r.enis.push_back(&e);
    r.label = r.lb->origin.display(r.lb->name);
  } else if (r.subnet) {
    r.label = "subnet " + r.subnet->subnet->origin.display(r.subnet->subnet->id);
  } else if (eni) {
    r.enis.push_back(im.eni_info(eni));
    r.label = r.enis[0]->display();
  } else {
    r.error = "unknown resource '" + std::string(ref) + "'";
  }
  return r;
}

struct Source {
  std::string error;
  WalkStart start;
  const model::Vpc* vpc = nullptr;  // for DNS; nullptr = the internet
  std::string label;
};

// "on-prem:NAME", or NAME when no resource has it: a network of the lab
// manifest's on_premises (nullptr when none).
static const model::OnPremisesNetwork* on_premises_ref(const Analyzer::Impl& im, std::string_view text) {
  if (text.starts_with("on-prem:")) text.remove_prefix(8);
  return im.net.on_premises_network(std::string(text));
}

static Source parse_source(const Analyzer::Impl& im, std::string_view text) {
  Source s;
  auto set_on_prem = [&](const model::OnPremisesNetwork* n, Ipv4Address a) {
    s.start.on_prem = n;
    s.start.address = a;
    s.label = "on-premises network " + n->name + " host " + a.str();
  };
  if (text.starts_with("on-prem:")) {
    if (const auto* n = on_premises_ref(im, text)) set_on_prem(n, n->host_address());
    else s.error = "no on_premises network named '" + std::string(text.substr(8)) + "' in the lab manifest";
    return s;
  }
  if (text == "internet") {
    s.start.internet = true;
    s.start.address = Ipv4Address{kInternetHost};
    s.label = "internet (" + s.start.address.str() + ")";
    return s;
  }
  auto set_eni = [&](const EniInfo* e) {
    s.start.eni = e;
    s.start.subnet = e->subnet;
    s.start.address = e->eni->private_ip;
    s.start.public_ip = e->eni->public_ip;
    s.start.ephemeral = e->ephemeral();
    s.vpc = e->vpc;
    s.label = e->display() + " " + e->eni->private_ip.str();
  };
  if (auto ip = Ipv4Address::parse(text)) {
    if (const EniInfo* e = im.eni_public(*ip)) {
      set_eni(e);
      return s;
    }
    std::vector<const EniInfo*> hits;
    for (const auto& e : im.enis) {
      if (e.eni->private_ip == *ip) hits.push_back(&e);
    }
    if (hits.size() > 1) {
      s.error = "private IP " + ip->str() + " is used in several VPCs; name the instance instead";
      return s;
    }
    if (hits.size() == 1) {
      set_eni(hits[0]);
      return s;
    }
    for (const auto& sub : im.subnets)
      if (sub.subnet->cidr.contains(*ip)) {
        s.start.subnet = &sub;
        s.start.address = *ip;
        s.vpc = sub.vpc;
        s.label = "host " + ip->str() + " in subnet " + sub.subnet->origin.display(sub.subnet->id);
        return s;
      }
    if (const auto* n = im.net.on_premises_network_of(*ip)) {
      set_on_prem(n, *ip);
      return s;
    }
    if (is_private_or_shared(*ip)) {
      s.error = "no subnet contains private IP " + ip->str();
      return s;
    }
    s.start.internet = true;
    s.start.address = *ip;
    s.label = "internet host " + ip->str();
    return s;
  }
  Resolved r = resolve_ref(im, text);
  if (!r.error.empty()) {
    if (const auto* n = r.error.rfind("unknown resource", 0) == 0 ? on_premises_ref(im, text) : nullptr)
      set_on_prem(n, n->host_address());
    else s.error = r.error;
    return s;
  }
  if (!r.enis.empty()) {
    set_eni(r.enis[0]);
    return s;
  }
  if (r.subnet) {
    // A host in the subnet without a security group: its first usable address.
    s.start.subnet = r.subnet;
    s.start.address = Ipv4Address{r.subnet->subnet->cidr.base.value + 4};
    s.vpc = r.subnet->vpc;
    s.label = "host " + s.start.address.str() + " in " + r.label + " (no security group)";
    return s;
  }
  s.error = "'" + std::string(text) + "' cannot be a source";
  return s;
}

struct Destination {
  std::string error;
  std::string scheme = "http";
  std::string host;  // name or address text
  std::optional<uint16_t> port;
  std::string path = "/";
  std::string query;
  std::vector<Ipv4Address> fixed;  // addresses without DNS
  std::string label;
  std::string not_public;  // DESTINATION_NOT_PUBLIC: the interface that has no public IP
};

static std::optional<uint16_t> parse_port(std::string_view t) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

static Destination parse_destination(const Analyzer::Impl& im, std::string_view text, const Source& src) {
  Destination d;
  if (text == "internet") {  // a host on the internet, as for the source
    d.fixed.push_back(Ipv4Address{kInternetHost});
    d.label = "internet (" + d.fixed[0].str() + ")";
    return d;
  }
  if (text.starts_with("on-prem:")) {  // the host vpclab stands for an on-premises network
    const auto* n = on_premises_ref(im, text);
    if (!n) {
      d.error = "no on_premises network named '" + std::string(text.substr(8)) + "' in the lab manifest";
      return d;
    }
    d.fixed.push_back(n->host_address());
    d.host = d.fixed[0].str();
    d.label = "on-premises network " + n->name + " host " + d.fixed[0].str();
    return d;
  }
  std::string_view rest = text;
  bool url = false;
  for (std::string_view sch : {"http://", "https://"})
    if (lower(rest.substr(0, sch.size())) == sch) {
      d.scheme = std::string(sch.substr(0, sch.size() - 3));
      rest.remove_prefix(sch.size());
      url = true;
    }
  std::string_view hostport = rest;
  if (url) {
    auto cut = rest.find_first_of("/?");
    hostport = rest.substr(0, cut);
    if (cut != std::string_view::npos) {
      std::string_view pq = rest.substr(cut);
      auto q = pq.find('?');
      d.path = std::string(pq.substr(0, q));
      if (d.path.empty()) d.path = "/";
      if (q != std::string_view::npos) d.query = std::string(pq.substr(q + 1));
    }
    d.port = d.scheme == "https" ? 443 : 80;
  }
  // An ARN is a resource, not host:port.
  auto colon = !url && hostport.starts_with("arn:") ? std::string_view::npos : hostport.rfind(':');
  if (colon != std::string_view::npos) {
    auto p = parse_port(hostport.substr(colon + 1));
    if (!p) {
      d.error = "bad port in '" + std::string(text) + "'";
      return d;
    }
    d.port = *p;
    hostport = hostport.substr(0, colon);
  }
  d.host = std::string(hostport);
  d.label = std::string(text);
  if (d.host.empty()) {
    d.error = "no host in '" + std::string(text) + "'";
    return d;
  }
  if (auto ip = Ipv4Address::parse(d.host)) {
    d.fixed.push_back(*ip);
    return d;
  }
  if (!url) {
    // A resource reference?
    Resolved r = resolve_ref(im, d.host);
    if (r.error.empty() && r.instance) {
      const EniInfo* e = r.enis[0];
      if (src.start.internet) {
        if (e->eni->public_ip) d.fixed.push_back(*e->eni->public_ip);
        else d.error = "DESTINATION_NOT_PUBLIC", d.not_public = e->eni->id;
      } else {
        d.fixed.push_back(e->eni->private_ip);
      }
      d.label = r.label;
      return d;
    }
    if (r.error.empty() && r.lb) {
      d.host = r.lb->dns_name;
      d.label = r.label + " (" + r.lb->dns_name + ")";
      return d;
    }
    if (r.error.empty() && r.enis.size() == 1) {
      d.fixed.push_back(r.enis[0]->eni->private_ip);
      d.label = r.label;
      return d;
    }
    if (!r.error.empty() && r.error.rfind("unknown resource", 0) != 0) {
      d.error = r.error;
      return d;
    }
    if (const auto* n = on_premises_ref(im, d.host)) {
      d.fixed.push_back(n->host_address());
      d.label = "on-premises network " + n->name + " host " + d.fixed[0].str();
      return d;
    }
  }
  return d;  // a DNS name
}

// The DNS view lives in analysis/dns_view.cpp (trace_dns), its rule in
// semantics/vpc_dns.

namespace {

std::string conditions_text(const alb::ListenerRule& r) {
  if (r.conditions.empty()) return r.priority == 0 ? "default rule" : "no conditions";
  std::string s;
  for (const auto& c : r.conditions) {
    if (!s.empty()) s += " and ";
    s += alb::condition_field_name(c.field);
    if (!c.header_name.empty()) s += " " + c.header_name;
    std::vector<std::string> vals(c.values.begin(), c.values.end());
    for (const auto& q : c.query) vals.push_back(q.key ? *q.key + "=" + q.value : q.value);
    for (const auto& ci : c.source_cidrs) vals.push_back(ci.str());
    s += ' ';
    for (size_t i = 0; i < vals.size(); ++i) {
      if (i) s += '|';
      s += vals[i];
    }
  }
  return s;
}

}  // namespace

// ---- the ALB hops ----------------------------------------------------------

void trace_alb(const Analyzer::Impl& im, const EniInfo& node, Ipv4Address client_seen, const Flow& flow,
                      const RequestInfo& rq, PathTrace& p) {
  const model::LoadBalancer& lb = *node.lb;
  Response resp;
  resp.load_balancer = lb.origin.display(lb.name);
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
  if (lb.type != "application") {  // network is walk_nlb.cpp's; gateway is not modelled
    explain("UNMODELED_COMPONENT", lb_comp, "load balancer type " + lb.type + " is not modelled", lb.origin.loc);
    p.undecidable = true;
    return;
  }
  if (flow.protocol != kTcp) {
    hop("load-balancer", lb.arn, lb.origin.display(lb.name), protocol_name(flow.protocol), "TCP only", lb.origin.loc, false);
    explain("PROTOCOL_RESTRICTION", lb_comp, "an Application Load Balancer accepts TCP only, not " + protocol_name(flow.protocol),
            lb.origin.loc);
    return;
  }
  const model::Listener* listener = nullptr;
  std::string ports;
  auto it = im.listeners.find(lb.arn);
  if (it != im.listeners.end())
    for (const auto* l : it->second) {
      ports += (ports.empty() ? "" : ", ") + std::to_string(l->port);
      if (l->port == rq.port) listener = l;
    }
  if (!listener) {
    hop("listener", lb.arn, lb.origin.display(lb.name), "listener on port " + std::to_string(rq.port),
        "none (listeners: " + (ports.empty() ? std::string("none") : ports) + ")", lb.origin.loc, false);
    explain("ELBV2_LISTENER_PORT_RESTRICTION", lb_comp,
            "no listener on port " + std::to_string(rq.port) + " (listeners: " + (ports.empty() ? "none" : ports) + ")",
            lb.origin.loc);
    p.explanations.back().blocker = Blocker{Blocker::Kind::kListener, lb.arn, false, false, kTcp, PortRange::single(rq.port)};
    return;
  }
  hop("listener", listener->arn, listener->origin.display(listener->arn),
      listener->protocol + ":" + std::to_string(listener->port) + " on node " + node.eni->private_ip.str(), "listening",
      listener->origin.loc, true);
  semantics::HttpRequestView view;
  view.method = rq.method;
  view.host = rq.host_header;
  view.path = rq.path;
  view.query = rq.query;
  view.source_ip = client_seen;
  view.headers.emplace_back("host", rq.host_header);
  for (const auto& [k, v] : rq.headers) view.headers.emplace_back(k, v);
  const alb::ListenerRule& rule = semantics::select_rule(listener->rules, listener->default_rule, view);
  resp.rule_priority = rule.priority;
  hop("listener-rule", rule.arn, rule.priority == 0 ? "default rule" : "priority " + std::to_string(rule.priority),
      rq.method + " " + rq.host_header + rq.path + (rq.query.empty() ? "" : "?" + rq.query), conditions_text(rule),
      rule.loc.known() ? rule.loc : listener->origin.loc, true);
  if (rule.actions.empty()) {
    explain("ELBV2_LISTENER_HAS_NO_TG", lb_comp, "the matched rule has no action", rule.loc);
    return;
  }
  std::vector<alb::Action> actions = rule.actions;
  std::stable_sort(actions.begin(), actions.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  const alb::Action& act = actions.back();  // the terminal action is last
  if (act.type == alb::ActionType::kFixedResponse) {
    resp.kind = "fixed-response";
    resp.status = act.fixed_response.status_code;
    resp.detail = act.fixed_response.body;
    hop("listener-rule", rule.arn, "fixed-response", "action", "fixed response " + std::to_string(resp.status), rule.loc, true);
    p.reachable = true;
    p.response = resp;
    return;
  }
  if (act.type == alb::ActionType::kRedirect) {
    semantics::Redirect red =
        semantics::redirect_location(act.redirect, {rq.scheme, rq.host_header, rq.port, rq.path, rq.query});
    resp.kind = "redirect";
    resp.status = red.status;
    resp.detail = red.location;
    hop("listener-rule", rule.arn, "redirect", "action", std::to_string(red.status) + " Location: " + red.location, rule.loc, true);
    p.reachable = true;
    p.response = resp;
    return;
  }
  if (act.type != alb::ActionType::kForward) {
    explain("UNMODELED_COMPONENT", lb_comp, std::string("action ") + alb::action_type_name(act.type) + " is not modelled",
            rule.loc);
    p.undecidable = true;
    return;
  }
  std::vector<const model::TargetGroup*> groups;
  for (const auto& w : act.target_groups) {
    if (act.target_groups.size() > 1 && w.weight == 0) continue;
    if (const auto* tg = im.net.target_group(w.target_group_arn)) groups.push_back(tg);
  }
  if (groups.empty()) {
    hop("target-group", "", "", "forward", "no target group", rule.loc, false);
    explain("ELBV2_LISTENER_HAS_NO_TG", lb_comp, "the matched rule forwards to no existing target group", rule.loc);
    return;
  }
  resp.kind = "target";
  bool any_ok = false, any_registered = false;
  std::vector<Explanation> leg_expl;
  for (const auto* tg : groups) {
    resp.target_groups.push_back(tg->origin.display(tg->name));
    const std::string tg_comp = im.component(tg->origin, tg->name);
    hop("target-group", tg->arn, tg->origin.display(tg->name),
        tg->protocol + ":" + std::to_string(tg->port) + ", " + std::to_string(tg->targets.size()) + " target(s)",
        tg->targets.empty() ? "no registered targets" : "forward", tg->origin.loc, !tg->targets.empty());
    if (tg->targets.empty()) {
      explain("ELBV2_NO_REGISTERED_TARGETS", tg_comp, "target group " + tg->name + " has no registered targets: 503",
              tg->origin.loc);
      continue;
    }
    any_registered = true;
    bool tg_healthy_reach = false, tg_any_healthy = false, tg_any_reach = false;
    for (const auto& t : tg->targets) {
      Response::Target rt;
      rt.id = t.id;
      rt.port = t.port.value_or(tg->port);
      std::optional<Ipv4Address> addr;
      std::string tdisp = t.id;
      std::string taz;
      if (const auto* inst = im.net.instance(t.id)) {
        addr = inst->private_ip;
        tdisp = inst->origin.display(inst->id);
        if (const auto* s = im.subnet_info(inst->subnet)) taz = s->subnet->availability_zone;
      } else {
        addr = Ipv4Address::parse(t.id);
      }
      if (!addr) {
        hop("target", t.id, tdisp, "target address", "unknown target", t.loc, false);
        resp.targets.push_back(rt);
        continue;
      }
      rt.address = addr->str();
      if (tg->attributes.cross_zone == alb::CrossZone::kFalse && !taz.empty() && node.node && taz != node.node->availability_zone) {
        hop("target", t.id, tdisp, "cross-zone load balancing off", "node in " + node.node->availability_zone +
            " does not send to " + taz, t.loc, false);
        resp.targets.push_back(rt);
        continue;
      }
      std::string leg = "node " + node.eni->private_ip.str() + " -> " + tdisp + " " + addr->str() + ":" +
                        std::to_string(rt.port);
      WalkStart from{&node, node.subnet, false, node.eni->private_ip, node.eni->public_ip, semantics::kElbEphemeralPorts};
      std::vector<Explanation> ex;
      Evaluation ev = im.connect(from, *addr, Flow{kTcp, IntervalSet::of(rt.port, rt.port)}, leg, &p.hops, &ex);
      rt.reachable = ev.ok;
      if (!ev.ok) leg_expl.insert(leg_expl.end(), ex.begin(), ex.end());
      // Health checks from every node of the load balancer.
      uint16_t hc_port = rt.port;
      if (tg->health_check.port != "traffic-port")
        if (auto hp = parse_port(tg->health_check.port)) hc_port = *hp;
      bool hc_this_node = false;
      std::string hc_summary;
      for (const auto& other : im.enis) {
        if (other.lb != &lb) continue;
        WalkStart hf{&other, other.subnet, false, other.eni->private_ip, other.eni->public_ip,
                     semantics::kElbEphemeralPorts};
        std::vector<Explanation> hx;
        bool ok = tg->health_check.enabled &&
                  im.connect(hf, *addr, Flow{kTcp, IntervalSet::of(hc_port, hc_port)}, "", nullptr, &hx).ok;
        if (&other == &node) hc_this_node = ok;
        rt.health_check_ok = rt.health_check_ok || ok;
        hc_summary += (hc_summary.empty() ? "" : ", ") + other.eni->private_ip.str() + (ok ? " ok" : " blocked");
        if (!ok && &other == &node && !hx.empty() && (hc_port != rt.port || rt.reachable)) {
          for (auto& e : hx) {
            e.warning = true;
            e.health_check = true;
            e.message = "health check: " + e.message;
          }
          leg_expl.insert(leg_expl.end(), hx.begin(), hx.end());
        }
      }
      hop("target", t.id, tdisp,
          "health check " + tg->health_check.protocol + " " + tg->health_check.path + " on port " +
              std::to_string(hc_port) + " from nodes",
          hc_summary, tg->origin.loc, rt.health_check_ok, leg);
      tg_any_healthy |= hc_this_node;
      tg_any_reach |= rt.reachable;
      tg_healthy_reach |= hc_this_node && rt.reachable;
      resp.targets.push_back(rt);
    }
    // Healthy targets get the traffic; with none healthy the group fails open.
    bool ok = tg_any_healthy ? tg_healthy_reach : tg_any_reach;
    if (ok) any_ok = true;
    if (ok && !tg_any_healthy)
      explain("ELBV2_HEALTH_CHECK_BLOCKED", tg_comp,
              "no target passes health checks from node " + node.eni->private_ip.str() +
                  "; the group fails open and traffic still reaches the targets",
              tg->origin.loc, true);
    if (!ok)
      explain("TARGET_PORT_RESTRICTION", tg_comp,
              "node " + node.eni->private_ip.str() + " cannot reach any " + (tg_any_healthy ? "healthy " : "") +
                  "target of " + tg->name + " on its traffic port: the client gets 504",
              tg->origin.loc);
  }
  for (auto& e : leg_expl) {
    if (any_ok) e.warning = true;
    p.explanations.push_back(std::move(e));
  }
  if (!any_registered) {
    resp.kind = "elb-error";
    resp.status = 503;
    resp.detail = "no registered targets";
  } else if (!any_ok) {
    resp.kind = "elb-error";
    resp.status = 504;
    resp.detail = "no target reachable from node " + node.eni->private_ip.str();
  } else {
    resp.detail = "forwarded to a target";
  }
  p.reachable = any_ok;
  p.response = resp;
}

// ---- trace -----------------------------------------------------------------

TraceResult Analyzer::trace(std::string_view from, std::string_view to, const TraceOptions& opts) const {
  const Impl& im = *impl_;
  TraceResult res;
  Source src = parse_source(im, from);
  if (!src.error.empty()) {
    res.ok = false;
    res.error = "--from: " + src.error;
    return res;
  }
  res.source = src.label;
  res.source_id = src.start.eni ? src.start.eni->eni->id
                  : src.start.on_prem ? "on-prem:" + src.start.on_prem->name
                  : src.start.internet ? std::string("internet")
                  : src.start.subnet ? src.start.subnet->subnet->id
                                     : std::string();
  Destination dst = parse_destination(im, to, src);
  if (dst.error == "DESTINATION_NOT_PUBLIC") {
    res.destination = std::string(to);
    PathTrace p;
    p.address = "-";
    const CodeInfo* ci = code_info("DESTINATION_NOT_PUBLIC");
    p.explanations.push_back(Explanation{"DESTINATION_NOT_PUBLIC", std::string(to),
                                         std::string(to) + " has no public IP; the internet cannot address it", ci->fix, {}});
    p.explanations.back().blocker = Blocker{Blocker::Kind::kPublicAddress, dst.not_public};
    res.paths.push_back(std::move(p));
    return res;
  }
  if (!dst.error.empty()) {
    res.ok = false;
    res.error = "--to: " + dst.error;
    return res;
  }
  res.destination = dst.label;
  std::vector<Ipv4Address> addrs = dst.fixed;
  if (addrs.empty()) {
    addrs = trace_dns(im, src.start.internet ? nullptr : src.vpc, dst.host, res.dns, res.dns_explanations).addresses();
    std::sort(addrs.begin(), addrs.end());
    addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
    if (addrs.empty()) {  // not reachable: the DNS explanation says why (or that it cannot know)
      for (const auto& e : res.dns_explanations)
        if (const CodeInfo* ci = code_info(e.code); ci && ci->undecidable) res.undecidable = true;
      return res;
    }
  }
  Flow flow;
  flow.protocol = opts.protocol;
  uint16_t port = opts.port.value_or(dst.port.value_or(80));
  flow.ports = protocol_has_ports(opts.protocol) ? IntervalSet::of(port, port) : IntervalSet::all_ports();
  res.flow = protocol_has_ports(opts.protocol) ? protocol_name(opts.protocol) + "/" + std::to_string(port)
                                               : protocol_name(opts.protocol);
  RequestInfo rq;
  rq.method = opts.method;
  rq.scheme = dst.scheme;
  rq.port = port;
  rq.path = dst.path;
  rq.query = dst.query;
  rq.host_header = dst.host;
  if (!((dst.scheme == "http" && port == 80) || (dst.scheme == "https" && port == 443)))
    rq.host_header += ":" + std::to_string(port);
  for (const auto& [k, v] : opts.headers) {
    if (lower(k) == "host") rq.host_header = v;
    else rq.headers.emplace_back(k, v);
  }
  res.reachable = true;
  for (auto a : addrs) {
    res.addresses.push_back(a.str());
    PathTrace p;
    p.address = a.str();
    Leg req;
    Evaluation ev = im.connect(src.start, a, flow, "", &p.hops, &p.explanations, &req);
    p.undecidable = ev.undecidable;
    if (ev.ok) {
      if (req.end == Leg::End::kDelivered && req.to && req.to->lb && req.to->lb->type == "network")
        trace_nlb(im, *req.to, src.start, req.seen_src, flow, rq, p);
      else if (req.end == Leg::End::kDelivered && req.to && req.to->lb) trace_alb(im, *req.to, req.seen_src, flow, rq, p);
      else p.reachable = true;
    }
    if (!p.response && p.reachable == false && req.to && req.to->lb && ev.ok) {
      // trace_alb explained it
    }
    res.reachable = res.reachable && p.reachable;
    res.undecidable = res.undecidable || p.undecidable;
    if (!res.response && p.response) res.response = p.response;
    res.paths.push_back(std::move(p));
  }
  return res;
}

DnsResult Analyzer::resolve(std::string_view from, std::string_view name) const {
  const Impl& im = *impl_;
  DnsResult res;
  Source src = parse_source(im, from);
  if (!src.error.empty()) {
    res.ok = false;
    res.error = "--from: " + src.error;
    return res;
  }
  semantics::DnsAnswer a =
      trace_dns(im, src.start.internet ? nullptr : src.vpc, std::string(name), res.hops, res.explanations);
  if (!a.drop) res.rcode = semantics::rcode_name(a.rcode);
  for (const auto& ip : a.addresses()) res.addresses.push_back(ip.str());
  return res;
}

}  // namespace vpclab::analysis
