#include "analysis/diff.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "analysis/diff_scope.h"

namespace vpclab::analysis {

using semantics::IntervalSet;

namespace {

// Attribution traces one flow per changed pair and protocol; past this many
// the class says so instead (a change that rewires a 1,000-VPC network).
constexpr size_t kMaxTraces = 4000;

// How resources are named across versions (see diff.h).
struct Keys {
  std::map<std::string, std::string> key_of;  // AWS id / ARN -> key
  std::map<std::string, std::string> id_of;   // key -> AWS id / ARN
  std::map<std::string, std::string> trace_name;  // key -> what trace takes (an ARN is not a DST)
};

Keys resource_keys(const model::Network& net) {
  std::map<std::string, int> logical;
  for (const auto& i : net.instances) ++logical[i.origin.logical_id];
  for (const auto& lb : net.load_balancers) ++logical[lb.origin.logical_id];
  Keys k;
  auto add = [&](const std::string& id, const model::Origin& o, const std::string& trace_as) {
    std::string key = o.logical_id.empty() ? id : logical[o.logical_id] == 1 ? o.logical_id : o.display(id);
    k.key_of[id] = key;
    k.id_of[key] = id;
    k.trace_name[key] = trace_as;
  };
  for (const auto& i : net.instances) add(i.id, i.origin, i.id);
  for (const auto& lb : net.load_balancers) add(lb.arn, lb.origin, lb.origin.logical_id.empty() ? lb.name : lb.origin.display(lb.name));
  return k;
}

struct Reach {
  IntervalSet tcp, udp;
  bool icmp = false;
};
using PairKey = std::pair<std::string, std::string>;

std::map<PairKey, Reach> reach_by_key(const MatrixResult& m, const Keys& k) {
  std::map<PairKey, Reach> out;
  for (const auto& c : m.cells) {
    auto f = k.key_of.find(c.from_id), t = k.key_of.find(c.to_id);
    if (f == k.key_of.end() || t == k.key_of.end()) continue;
    out[{f->second, t->second}] = Reach{c.tcp, c.udp, c.icmp};
  }
  return out;
}

// "Stack.LogicalId ..." -> "LogicalId ...": the same component in two
// versions whose stacks are named differently.
std::string without_stack(const std::string& s) {
  auto dot = s.find('.');
  auto space = s.find(' ');
  return dot != std::string::npos && dot < space ? s.substr(dot + 1) : s;
}

DiffCause cause_from(const Hop& h) { return DiffCause{h.component, h.display, h.check, h.matched, h.loc, ""}; }

// The deciding hops of one flow in one version: the blocking hop when it is
// blocked, else the hop of the same kind as `like` when it passes.
struct Traced {
  bool exists = true, reachable = false;
  DiffCause cause;
  std::vector<Hop> hops;
};

Traced trace_flow(const Analyzer& a, const Keys& k, const std::string& from, const std::string& to,
                  const std::string& protocol, uint32_t port) {
  Traced t;
  auto f = k.trace_name.find(from), d = k.trace_name.find(to);
  if (f == k.trace_name.end() || d == k.trace_name.end()) {
    t.exists = false;
    t.cause.matched = (f == k.id_of.end() ? from : to) + " does not exist in this version";
    return t;
  }
  TraceOptions opts;
  opts.protocol = protocol == "udp" ? kUdp : protocol == "icmp" ? kIcmp : kTcp;
  if (protocol != "icmp") opts.port = static_cast<uint16_t>(port);
  TraceResult r = a.trace(f->second, d->second, opts);
  t.reachable = r.reachable;
  for (const auto& p : r.paths) {
    if (!p.reachable) {
      for (const auto& h : p.hops)
        if (!h.allowed) {
          t.cause = cause_from(h);
          break;
        }
      if (!p.explanations.empty()) {
        t.cause.code = p.explanations.front().code;
        if (t.cause.component.empty() || t.cause.matched.empty()) t.cause.matched = p.explanations.front().message;
        if (!t.cause.loc.file) t.cause.loc = p.explanations.front().loc;
      }
      t.hops = p.hops;
      return t;
    }
  }
  if (!r.paths.empty()) t.hops = r.paths.front().hops;
  if (!r.dns_explanations.empty()) {
    t.cause.code = r.dns_explanations.front().code;
    t.cause.matched = r.dns_explanations.front().message;
  }
  return t;
}

// On the passing side, the hop that did what the blocked side's hop did not.
std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

DiffCause matching_hop(const Traced& passing, const DiffCause& blocked) {
  const Hop* best = nullptr;
  for (const auto& h : passing.hops) {
    if (h.component != blocked.component || !h.allowed || first_word(h.check) != first_word(blocked.check)) continue;
    if (!best) best = &h;
    if (without_stack(h.display) == without_stack(blocked.display)) {
      best = &h;
      break;
    }
  }
  if (best) return cause_from(*best);
  return DiffCause{blocked.component, blocked.display, blocked.check, passing.exists ? "reachable" : passing.cause.matched,
                   {}, ""};
}

std::string where(const SourceLoc& loc) { return loc.file ? " (" + loc.str() + ")" : ""; }

// "Stack.Sg on Stack.Web1 (i-...)" -> "Stack.Sg": a class spans many ENIs.
std::string component_name(const std::string& display) { return display.substr(0, display.find(" on ")); }

std::string summary_of(const FlowChange& c) {
  const DiffCause& open = c.allowed ? c.after : c.before;
  const DiffCause& shut = c.allowed ? c.before : c.after;
  std::string what = component_name(shut.display.empty() ? open.display : shut.display);
  std::string s = what.empty() ? "" : shut.component + " " + what + ": ";
  std::string dir = first_word(shut.check);
  if (dir == "inbound" || dir == "outbound") s += dir + " " + c.protocol + "/" + c.ports + ": ";
  std::string opened = (open.matched == "reachable" ? open.matched : "allowed by " + open.matched) + where(open.loc);
  std::string closed = shut.matched + (shut.code.empty() ? "" : " [" + shut.code + "]") + where(shut.loc);
  return s + (c.allowed ? "now " + opened + "; before: " + closed : "now " + closed + "; before: " + opened);
}

// (load balancer, target group, target) -> health-check port, instance targets.
using HealthKey = std::tuple<std::string, std::string, std::string>;
std::map<HealthKey, uint16_t> health_checks_of(const model::Network& net, const Keys& k) {
  std::map<HealthKey, uint16_t> out;
  for (const auto& tg : net.target_groups) {
    if (tg.target_type != "instance" || !tg.health_check.enabled) continue;
    std::string tg_key = tg.origin.logical_id.empty() ? tg.name : tg.origin.logical_id;
    for (const auto& lb_arn : tg.load_balancers) {
      auto lb = k.key_of.find(lb_arn);
      if (lb == k.key_of.end()) continue;
      for (const auto& t : tg.targets) {
        auto target = k.key_of.find(t.id);
        if (target == k.key_of.end()) continue;
        uint16_t traffic = t.port.value_or(tg.port);
        uint16_t port = traffic;
        if (tg.health_check.port != "traffic-port") port = static_cast<uint16_t>(std::atoi(tg.health_check.port.c_str()));
        out[{lb->second, tg_key, target->second}] = port;
      }
    }
  }
  return out;
}

// Unmodelled resources are not described (snapshot/write.h): any change
// among them makes every pair worth recomputing.
bool same_unmodeled(const model::Network& a, const model::Network& b) {
  auto ids = [](const model::Network& n) {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& u : n.unmodeled) out.insert({u.type, u.id});
    return out;
  };
  return ids(a) == ids(b);
}

}  // namespace

bool DiffResult::exposure_gained() const {
  return std::any_of(exposure.begin(), exposure.end(), [](const ExposureChange& e) { return e.gained; });
}

DiffResult diff_networks(const model::Network& before, const model::Network& after, const DiffOptions& opts) {
  DiffResult res;
  if (!opts.protocol.empty() && opts.protocol != "tcp" && opts.protocol != "udp" && opts.protocol != "icmp") {
    res.ok = false;
    res.error = "--protocol: expected tcp, udp or icmp, got " + opts.protocol;
    return res;
  }
  Analyzer a0(before), a1(after);
  Keys k0 = resource_keys(before), k1 = resource_keys(after);
  // FROM/TO name resources by key; each version resolves them to its ids.
  auto resolve = [](const std::string& list, const Keys& k, const model::Network&) {
    if (list.empty()) return std::string();
    std::string out;
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t comma = list.find(',', pos);
      std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      auto it = k.id_of.find(item);
      out += (out.empty() ? "" : ",") + (it != k.id_of.end() ? it->second : item);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    return out;
  };
  // Incremental: the parties (by key) the changed resources touch in either
  // version; every other pair keeps its verdict (diff_scope.h says why).
  std::optional<std::set<std::string>> touched;
  if (opts.changed && opts.from.empty() && opts.to.empty() && same_unmodeled(before, after)) {
    std::set<std::string> u0, u1;
    auto p0 = touched_parties(before, *opts.changed, u0), p1 = touched_parties(after, *opts.changed, u1);
    bool bounded = std::none_of(u0.begin(), u0.end(), [&](const std::string& id) { return u1.count(id) > 0; });
    if (bounded) {
      touched.emplace();
      for (const auto& id : p0)
        if (auto k = k0.key_of.find(id); k != k0.key_of.end()) touched->insert(k->second);
      for (const auto& id : p1)
        if (auto k = k1.key_of.find(id); k != k1.key_of.end()) touched->insert(k->second);
    }
  }
  // One version's reach: every selected pair, or the touched rows and columns.
  auto reach_of = [&](const Analyzer& a, const Keys& k, const model::Network& net,
                      std::map<PairKey, Reach>& out) -> bool {
    std::vector<std::pair<std::string, std::string>> queries;
    if (!touched) {
      queries.emplace_back(resolve(opts.from, k, net), resolve(opts.to, k, net));
    } else {
      std::string ids;
      for (const auto& key : *touched)
        if (auto it = k.id_of.find(key); it != k.id_of.end()) ids += (ids.empty() ? "" : ",") + it->second;
      if (ids.empty()) return true;
      queries = {{ids, ""}, {"", ids}};
    }
    for (const auto& [from, to] : queries) {
      MatrixResult m = a.matrix(from, to, opts.ports);
      if (!m.ok) {
        res.ok = false;
        res.error = m.error;
        return false;
      }
      res.pairs_compared += m.rows.size() * m.columns.size();
      out.merge(reach_by_key(m, k));
    }
    return true;
  };
  std::map<PairKey, Reach> r0, r1;
  // A touched resource that is no matrix party (an instance without its
  // interface, say) is not an input error: recompute every pair instead.
  if (touched && !(reach_of(a0, k0, before, r0) && reach_of(a1, k1, after, r1))) {
    touched.reset();
    r0.clear();
    r1.clear();
    res = DiffResult{};
  }
  if (!touched && !(reach_of(a0, k0, before, r0) && reach_of(a1, k1, after, r1))) return res;
  res.incremental = touched.has_value();
  std::set<PairKey> pairs;
  for (const auto& [p, _] : r0) pairs.insert(p);
  for (const auto& [p, _] : r1) pairs.insert(p);

  // (allowed, protocol, ports, cause signature) -> destination -> sources.
  using ClassKey = std::tuple<bool, std::string, std::string, std::string>;
  struct Pending {
    FlowChange proto;
    std::map<std::string, std::set<std::string>> sources_by_dst;
  };
  std::map<ClassKey, Pending> classes;
  size_t traces = 0;
  static const Reach kNone;
  for (const auto& p : pairs) {
    auto i0 = r0.find(p), i1 = r1.find(p);
    const Reach& x0 = i0 == r0.end() ? kNone : i0->second;
    const Reach& x1 = i1 == r1.end() ? kNone : i1->second;
    struct Delta {
      const char* protocol;
      IntervalSet ports;
      bool allowed;
    };
    std::vector<Delta> deltas;
    auto want = [&](const char* proto) { return opts.protocol.empty() || opts.protocol == proto; };
    if (want("tcp")) {
      deltas.push_back({"tcp", x1.tcp.subtract(x0.tcp), true});
      deltas.push_back({"tcp", x0.tcp.subtract(x1.tcp), false});
    }
    if (want("udp")) {
      deltas.push_back({"udp", x1.udp.subtract(x0.udp), true});
      deltas.push_back({"udp", x0.udp.subtract(x1.udp), false});
    }
    if (want("icmp") && x0.icmp != x1.icmp) deltas.push_back({"icmp", IntervalSet::of(0, 0), x1.icmp});
    for (const auto& d : deltas) {
      if (d.ports.empty()) continue;
      FlowChange c;
      c.allowed = d.allowed;
      c.protocol = d.protocol;
      c.ports = c.protocol == "icmp" ? "echo" : d.ports.str();
      if (traces < kMaxTraces) {
        traces += 2;
        uint32_t port = d.ports.intervals().front().lo;
        Traced t0 = trace_flow(a0, k0, p.first, p.second, c.protocol, port);
        Traced t1 = trace_flow(a1, k1, p.first, p.second, c.protocol, port);
        const Traced& shut = d.allowed ? t0 : t1;
        const Traced& open = d.allowed ? t1 : t0;
        DiffCause blocked = shut.cause;
        DiffCause passed = matching_hop(open, blocked);
        c.before = d.allowed ? blocked : passed;
        c.after = d.allowed ? passed : blocked;
      } else {
        c.after.matched = c.before.matched = "not traced (more than " + std::to_string(kMaxTraces) + " changed flows)";
      }
      c.summary = summary_of(c);
      ClassKey key{c.allowed, c.protocol, c.ports, c.summary};
      auto& pending = classes[key];
      if (pending.sources_by_dst.empty()) pending.proto = c;
      pending.sources_by_dst[p.second].insert(p.first);
    }
  }
  // Destinations with the same sources (and cause) make one class.
  for (auto& [key, pending] : classes) {
    std::map<std::set<std::string>, std::vector<std::string>> by_sources;
    for (const auto& [dst, srcs] : pending.sources_by_dst) by_sources[srcs].push_back(dst);
    for (const auto& [srcs, dsts] : by_sources) {
      FlowChange c = pending.proto;
      c.sources.assign(srcs.begin(), srcs.end());
      c.destinations = dsts;
      res.flows.push_back(std::move(c));
    }
  }
  std::stable_sort(res.flows.begin(), res.flows.end(),
                   [](const FlowChange& a, const FlowChange& b) { return a.allowed > b.allowed; });

  // Health checks: a target the load balancer's nodes can (no longer) reach
  // on its health-check port (the check itself may still fail on the target).
  auto h0 = health_checks_of(before, k0), h1 = health_checks_of(after, k1);
  auto checks = [](const std::map<PairKey, Reach>& r, const HealthKey& key, uint16_t port) {
    auto it = r.find({std::get<0>(key), std::get<2>(key)});
    return it != r.end() && it->second.tcp.contains(port);
  };
  for (const auto& [key, port] : h1) {
    if (touched && !touched->count(std::get<0>(key)) && !touched->count(std::get<2>(key))) continue;
    bool now = checks(r1, key, port);
    auto old = h0.find(key);
    bool was = old != h0.end() && checks(r0, key, old->second);
    if (old != h0.end() && now != was)
      res.health_checks.push_back({now, std::get<0>(key), std::get<1>(key), std::get<2>(key), port});
  }

  // Exposure: what is reachable from the internet or other VPCs.
  auto exposure_keys = [](const ExposureResult& e, const Keys& k) {
    std::map<std::tuple<std::string, std::string, std::string, std::string>, const ExposureItem*> out;
    for (const auto& i : e.items) {
      auto it = k.key_of.find(i.id);
      out[{it != k.key_of.end() ? it->second : i.resource, i.scope, i.protocol, i.ports}] = &i;
    }
    return out;
  };
  if (opts.from.empty() && opts.to.empty() && opts.ports.empty() && opts.protocol.empty())
    res.dns = dns_changes(before, after);

  // Internet egress of every instance (the touched ones, incrementally).
  if (opts.from.empty() && opts.to.empty() && opts.ports.empty() && opts.protocol != "icmp") {
    auto egress_keys = [&](const Analyzer& a, const Keys& k) {
      std::vector<std::string> ids;
      if (touched)
        for (const auto& key : *touched)
          if (auto it = k.id_of.find(key); it != k.id_of.end()) ids.push_back(it->second);
      std::map<std::tuple<std::string, std::string, std::string, std::string>, std::string> out;  // -> through
      for (const auto& i : a.egress(touched ? &ids : nullptr).items) {
        if (!opts.protocol.empty() && i.protocol != opts.protocol) continue;
        auto it = k.key_of.find(i.id);
        out[{it != k.key_of.end() ? it->second : i.id, i.protocol, i.ports, i.destinations}] = i.through;
      }
      return out;
    };
    auto g0 = egress_keys(a0, k0), g1 = egress_keys(a1, k1);
    for (const auto& [key, through] : g1)
      if (!g0.count(key))
        res.egress.push_back({true, std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), through});
    for (const auto& [key, through] : g0)
      if (!g1.count(key))
        res.egress.push_back({false, std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), through});
  }
  ExposureResult e0 = a0.exposure(), e1 = a1.exposure();
  auto x0 = exposure_keys(e0, k0), x1 = exposure_keys(e1, k1);
  for (const auto& [key, item] : x1)
    if (!x0.count(key))
      res.exposure.push_back({true, std::get<0>(key), item->scope, item->protocol, item->ports, item->sources, item->through});
  for (const auto& [key, item] : x0)
    if (!x1.count(key))
      res.exposure.push_back({false, std::get<0>(key), item->scope, item->protocol, item->ports, item->sources, item->through});
  return res;
}

}  // namespace vpclab::analysis
