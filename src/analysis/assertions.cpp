// `vpclab assert`: access scopes over path classes, paths over trace.
#include "analysis/assertions.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis/impl.h"

namespace vpclab::analysis {

using semantics::IntervalSet;

namespace {

constexpr const char* kEniType = "AWS::EC2::NetworkInterface";
constexpr const char* kIgwType = "AWS::EC2::InternetGateway";

// An end of a path: an ENI or an internet gateway, and every id that names it.
struct Endpoint {
  std::string display, id;
  std::set<std::string> names;  // ENI, instance, subnet, VPC, security groups, load balancer (or the IGW)
  const char* type = kEniType;
  std::string trace_from;       // how `trace` takes it as a source ("" for the internet)
};

struct Crossed {
  std::string id, type, display;
};

// Packet sets as they leave the source.
struct Box {
  IntervalSet src, dst, ports;
  bool empty() const { return src.empty() || dst.empty() || ports.empty(); }
  bool operator==(const Box&) const = default;
};

struct Candidate {
  Endpoint src, dst;
  std::vector<Crossed> through;
  IpProtocol protocol = kTcp;
  Box box;
  // The packet as it arrives, where it differs from how it left (a load
  // balancer or NAT gateway rewrote it): fixed sets, tested not narrowed.
  std::optional<IntervalSet> arrive_src, arrive_dst, arrive_ports;
};

// Box minus a sub-box of it, as disjoint boxes.
std::vector<Box> subtract(const Box& a, const Box& b) {
  std::vector<Box> out;
  Box x{a.src.subtract(b.src), a.dst, a.ports};
  if (!x.empty()) out.push_back(x);
  Box y{b.src, a.dst.subtract(b.dst), a.ports};
  if (!y.empty()) out.push_back(y);
  Box z{b.src, b.dst, a.ports.subtract(b.ports)};
  if (!z.empty()) out.push_back(z);
  return out;
}

IntervalSet cidr_set(const std::vector<Ipv4Cidr>& cs) {
  IntervalSet s;
  for (const auto& c : cs) s.add(IntervalSet::of(c));
  return s;
}
IntervalSet port_set(const std::vector<PortRange>& ps) {
  IntervalSet s;
  for (const auto& p : ps) s.add(IntervalSet::of(p));
  return s;
}

class Evaluator {
 public:
  Evaluator(const Analyzer& an, AssertReport& rep) : an_(an), im_(an.impl()), rep_(rep) { index_names(); }

  AssertionResult scope(const model::AccessScope& s) {
    AssertionResult r;
    r.kind = AssertionKind::kAccessScope;
    r.name = s.name;
    r.id = s.id;
    r.loc = s.origin.loc;
    // Resolve every name first: a statement that names nothing is an error.
    std::vector<Resolved> match, exclude;
    bool ok = true;
    for (const auto& p : s.match) match.push_back(resolve(p, ok, r.notes));
    for (const auto& p : s.exclude) exclude.push_back(resolve(p, ok, r.notes));
    if (!ok) return r;
    const auto& cands = candidates();
    for (const auto& c : cands) {
      std::vector<Box> boxes;
      for (size_t i = 0; i < s.match.size(); ++i) {
        Box b = c.box;
        if (!narrow(c, s.match[i], match[i], b)) continue;
        if (std::find(boxes.begin(), boxes.end(), b) == boxes.end()) boxes.push_back(b);
      }
      for (size_t i = 0; i < s.exclude.size() && !boxes.empty(); ++i) {
        std::vector<Box> next;
        for (const auto& b : boxes) {
          Box e = b;
          if (!narrow(c, s.exclude[i], exclude[i], e)) {
            next.push_back(b);
            continue;
          }
          for (auto& rest : subtract(b, e)) next.push_back(std::move(rest));
        }
        boxes = std::move(next);
      }
      for (const auto& b : boxes) {
        ++r.finding_count;
        if (r.findings.size() < kMaxFindings) r.findings.push_back(finding(c, b));
      }
    }
    r.holds = r.finding_count == 0;
    return r;
  }

  AssertionResult path(const model::InsightsPath& p) {
    AssertionResult r;
    r.kind = AssertionKind::kPath;
    r.name = p.name;
    r.id = p.id;
    r.loc = p.origin.loc;
    std::string from = source_text(p);
    std::string to = destination_text(p);
    if (from.empty() || to.empty()) return r;  // the error is recorded
    TraceOptions opts;
    opts.protocol = p.protocol;
    if (p.destination_port) opts.port = p.destination_port;
    else if (p.filter_at_source.destination_ports) opts.port = p.filter_at_source.destination_ports->from;
    else if (p.filter_at_destination.destination_ports) opts.port = p.filter_at_destination.destination_ports->from;
    TraceResult t = an_.trace(from, to, opts);
    if (!t.ok) {
      rep_.errors.error(p.source.loc.known() ? p.source.loc : p.origin.loc, "POLICY_UNKNOWN_RESOURCE",
                        p.name + ": " + t.error);
      return r;
    }
    r.verdict = t.undecidable ? "undecidable" : t.reachable ? "reachable" : "unreachable";
    switch (p.expect) {
      case model::Expectation::kNone:
        r.judged = false;
        r.holds = true;
        break;
      case model::Expectation::kReachable:
        r.expected = "reachable";
        r.holds = r.verdict == "reachable";
        break;
      case model::Expectation::kUnreachable:
        r.expected = "unreachable";
        r.holds = r.verdict == "unreachable";
        break;
    }
    if (t.undecidable) r.notes.push_back("the path crosses a component vpclab does not model (UNMODELED_COMPONENT)");
    r.trace = std::move(t);
    return r;
  }

 private:
  // A statement's names resolved to canonical ids.
  struct Resolved {
    std::set<std::string> src, dst;
    std::vector<std::set<std::string>> through;
    bool src_prefix_list = false, dst_prefix_list = false;  // names a prefix list: matches nothing yet
  };

  // ---- names ---------------------------------------------------------------------
  void index_names() {
    // Resources AWS makes for another (an instance's ENI, a VPC's default
    // security group) carry its origin: the logical id names the first only.
    std::unordered_map<std::string, std::string> owner;
    auto add = [&](const model::Origin& o, const std::string& id, const std::string& name) {
      names_[id].insert(id);
      if (!o.logical_id.empty() && owner.emplace(o.stack + "/" + o.logical_id, id).first->second == id) {
        names_[o.logical_id].insert(id);
        names_[o.stack + "." + o.logical_id].insert(id);
      }
      if (!name.empty()) names_[name].insert(id);
    };
    const auto& n = im_.net;
    // Owners before what AWS makes for them.
    for (const auto& x : n.instances) add(x.origin, x.id, x.name);
    for (const auto& x : n.load_balancers) add(x.origin, x.arn, x.name);
    for (const auto& x : n.vpcs) add(x.origin, x.id, x.name);
    for (const auto& x : n.subnets) add(x.origin, x.id, x.name);
    for (const auto& x : n.security_groups) add(x.origin, x.id, "");
    for (const auto& x : n.internet_gateways) add(x.origin, x.id, "");
    for (const auto& x : n.nat_gateways) add(x.origin, x.id, "");
    for (const auto& x : n.peerings) add(x.origin, x.id, "");
    for (const auto& x : n.network_interfaces) add(x.origin, x.id, "");
    for (const auto& x : n.unmodeled) add(x.origin, x.id, "");
  }

  // The ids a name stands for; records an error at its place when none.
  std::set<std::string> lookup(const model::ResourceName& rn, bool& ok) {
    auto it = names_.find(rn.text);
    if (it == names_.end() && rn.text.rfind("arn:", 0) == 0 && rn.text.find('/') != std::string::npos)
      it = names_.find(rn.text.substr(rn.text.rfind('/') + 1));  // arn:aws:ec2:...:instance/i-...
    if (it == names_.end() && !rn.stack.empty()) it = names_.find(rn.stack + "." + rn.text);
    if (it == names_.end()) {
      rep_.errors.error(rn.loc, "POLICY_UNKNOWN_RESOURCE", "'" + rn.text + "' names no resource of the lab");
      ok = false;
      return {};
    }
    if (it->second.size() > 1) {
      std::string all;
      for (const auto& id : it->second) all += (all.empty() ? "" : ", ") + id;
      rep_.errors.error(rn.loc, "POLICY_AMBIGUOUS_RESOURCE",
                        "'" + rn.text + "' names more than one resource (" + all + "): use Stack.LogicalId or the id");
      ok = false;
    }
    return it->second;
  }

  std::set<std::string> statement_ids(const model::ResourceStatement& rs, bool& ok, std::vector<std::string>& notes) {
    std::set<std::string> ids;
    for (const auto& rn : rs.resources) {
      auto got = lookup(rn, ok);
      ids.insert(got.begin(), got.end());
      for (const auto& id : got)
        for (const auto& u : im_.net.unmodeled)
          if (u.id == id)
            notes.push_back(u.type + " " + rn.text + " is not modeled: no path crosses it here");
    }
    for (const auto& t : rs.resource_types) {
      static const std::set<std::string> kModeled = {kEniType, kIgwType, "AWS::EC2::NatGateway",
                                                     "AWS::EC2::VPCPeeringConnection",
                                                     "AWS::ElasticLoadBalancingV2::LoadBalancer"};
      if (!kModeled.count(t.text)) notes.push_back(t.text + " is not modeled: no path crosses one here");
    }
    return ids;
  }

  Resolved resolve(const model::AccessScopePath& p, bool& ok, std::vector<std::string>& notes) {
    Resolved r;
    if (p.source && p.source->resource) r.src = statement_ids(*p.source->resource, ok, notes);
    if (p.destination && p.destination->resource) r.dst = statement_ids(*p.destination->resource, ok, notes);
    for (const auto& t : p.through) r.through.push_back(statement_ids(t, ok, notes));
    for (auto [stmt, flag] : {std::pair{&p.source, &r.src_prefix_list}, std::pair{&p.destination, &r.dst_prefix_list}})
      if (*stmt && (*stmt)->packet &&
          (!(*stmt)->packet->source_prefix_lists.empty() || !(*stmt)->packet->destination_prefix_lists.empty())) {
        *flag = true;
        notes.push_back("prefix lists are not modeled yet: a packet header statement naming one matches nothing");
      }
    return r;
  }

  // ---- matching ------------------------------------------------------------------
  static bool resource_matches(const std::optional<model::PathStatement>& st, const std::set<std::string>& ids,
                               const Endpoint& e) {
    if (!st || !st->resource || st->resource->empty()) return true;
    for (const auto& t : st->resource->resource_types)
      if (t.text == e.type) return true;
    for (const auto& n : e.names)
      if (ids.count(n)) return true;
    return false;
  }

  static bool crossed_matches(const model::ResourceStatement& rs, const std::set<std::string>& ids, const Crossed& c) {
    for (const auto& t : rs.resource_types)
      if (t.text == c.type) return true;
    return ids.count(c.id) > 0;
  }

  // Every ThroughResources statement matched by a crossed component, in order.
  static bool through_matches(const model::AccessScopePath& p, const Resolved& r, const Candidate& c) {
    size_t at = 0;
    for (size_t i = 0; i < p.through.size(); ++i) {
      while (at < c.through.size() && !crossed_matches(p.through[i], r.through[i], c.through[at])) ++at;
      if (at == c.through.size()) return false;
      ++at;
    }
    return true;
  }

  // Applies a packet header statement; `arriving` for the Destination's.
  static bool packet_narrows(const model::PacketHeaderStatement& ph, const Candidate& c, bool arriving, Box& b) {
    if (!ph.protocols.empty() && std::find(ph.protocols.begin(), ph.protocols.end(), c.protocol) == ph.protocols.end())
      return false;
    auto apply = [](const IntervalSet& want, IntervalSet& narrowed, const std::optional<IntervalSet>& fixed) {
      if (fixed) return fixed->intersects(want);
      narrowed = narrowed.intersect(want);
      return !narrowed.empty();
    };
    const std::optional<IntervalSet> none;
    if (!ph.source_addresses.empty() &&
        !apply(cidr_set(ph.source_addresses), b.src, arriving ? c.arrive_src : none))
      return false;
    if (!ph.destination_addresses.empty() &&
        !apply(cidr_set(ph.destination_addresses), b.dst, arriving ? c.arrive_dst : none))
      return false;
    if (!ph.destination_ports.empty() &&
        !apply(port_set(ph.destination_ports), b.ports, arriving ? c.arrive_ports : none))
      return false;
    // Clients send from ephemeral ports (1024-65535 for every client vpclab models).
    if (!ph.source_ports.empty() && !port_set(ph.source_ports).intersects(IntervalSet::of(1024, 65535))) return false;
    return true;
  }

  static bool narrow(const Candidate& c, const model::AccessScopePath& p, const Resolved& r, Box& b) {
    if (!resource_matches(p.source, r.src, c.src) || !resource_matches(p.destination, r.dst, c.dst)) return false;
    if (r.src_prefix_list || r.dst_prefix_list) return false;
    if (!through_matches(p, r, c)) return false;
    if (p.source && p.source->packet && !packet_narrows(*p.source->packet, c, false, b)) return false;
    if (p.destination && p.destination->packet && !packet_narrows(*p.destination->packet, c, true, b)) return false;
    return !b.empty();
  }

  // ---- path classes ----------------------------------------------------------------
  Endpoint eni_endpoint(const EniInfo& e) const {
    Endpoint ep;
    ep.id = e.eni->id;
    ep.display = e.display();
    ep.names = {e.eni->id};
    if (e.instance) ep.names.insert(e.instance->id);
    if (e.lb) ep.names.insert(e.lb->arn);
    if (e.subnet && e.subnet->subnet) ep.names.insert(e.subnet->subnet->id);
    if (e.vpc) ep.names.insert(e.vpc->id);
    for (const auto* g : e.groups) ep.names.insert(g->id);
    ep.trace_from = e.eni->id;
    return ep;
  }

  Endpoint igw_endpoint(const std::string& igw) const {
    Endpoint ep;
    ep.id = igw;
    ep.type = kIgwType;
    ep.names = {igw};
    const auto* g = im_.net.internet_gateway(igw);
    ep.display = "internet via " + (g ? im_.component(g->origin, igw) : igw);
    return ep;
  }

  std::vector<Crossed> crossed(const Leg& leg) const {
    std::vector<Crossed> out;
    for (const auto& s : leg.steps) {
      if (s.kind == StepKind::kPeering && s.pcx)
        out.push_back({s.pcx->id, "AWS::EC2::VPCPeeringConnection", im_.component(s.pcx->origin, s.pcx->id)});
      else if (s.kind == StepKind::kNat && s.nat)
        out.push_back({s.nat->id, "AWS::EC2::NatGateway", im_.component(s.nat->origin, s.nat->id)});
    }
    return out;
  }

  static std::string leg_igw(const Leg& leg) {
    for (const auto& s : leg.steps)
      if ((s.kind == StepKind::kIgwOut || s.kind == StepKind::kIgwIn) && !s.igw.empty()) return s.igw;
    return {};
  }

  // The ENI of a load balancer's target (nullptr when none is in the network).
  const EniInfo* target_eni(const model::TargetGroup& tg, const model::Target& t) const {
    if (tg.target_type == "instance") {
      const auto* inst = im_.net.instance(t.id);
      if (!inst) return nullptr;
      for (const auto& e : im_.enis)
        if (e.instance == inst && e.eni->private_ip == inst->private_ip) return &e;
      return nullptr;
    }
    auto ip = Ipv4Address::parse(t.id);
    const auto* v = im_.vpc(tg.vpc);
    return ip && v ? im_.eni_at(v, *ip) : nullptr;
  }

  // Paths on through a load balancer: client -> listener `port` -> every
  // target a node can reach on its port.
  void through_lb(const Candidate& to_lb, const model::LoadBalancer& lb, uint16_t port, std::vector<Candidate>& out) {
    std::set<std::string> groups;
    for (const auto* l : im_.net.listeners_of(lb.arn)) {
      if (l->port != port) continue;
      auto take = [&](const alb::ListenerRule& rule) {
        for (const auto& a : rule.actions)
          for (const auto& w : a.target_groups) groups.insert(w.target_group_arn);
      };
      take(l->default_rule);
      for (const auto& rule : l->rules) take(rule);
    }
    std::vector<const EniInfo*> nodes;
    for (const auto& e : im_.enis)
      if (e.lb == &lb) nodes.push_back(&e);
    for (const auto& arn : groups) {
      const auto* tg = im_.net.target_group(arn);
      if (!tg) continue;
      for (const auto& t : tg->targets) {
        const EniInfo* te = target_eni(*tg, t);
        if (!te) continue;
        uint16_t tport = t.port.value_or(tg->port);
        IntervalSet node_ips;
        std::vector<Crossed> onward;
        for (const auto* n : nodes) {
          Leg leg;
          ProtoResult pr = reach(im_, start_of(n), te->eni->private_ip, te, IntervalSet::of(tport, tport), &leg);
          if (!pr.tcp.contains(tport)) continue;
          node_ips.add(n->eni->private_ip.value, n->eni->private_ip.value);
          if (onward.empty()) onward = crossed(leg);
        }
        if (node_ips.empty()) continue;
        Candidate c = to_lb;
        c.dst = eni_endpoint(*te);
        c.through.push_back({lb.arn, "AWS::ElasticLoadBalancingV2::LoadBalancer", lb.origin.display(lb.name)});
        c.through.insert(c.through.end(), onward.begin(), onward.end());
        c.box.ports = IntervalSet::of(port, port);
        c.arrive_src = node_ips;
        c.arrive_dst = IntervalSet::of(te->eni->private_ip.value, te->eni->private_ip.value);
        c.arrive_ports = IntervalSet::of(tport, tport);
        c.protocol = kTcp;
        out.push_back(std::move(c));
      }
    }
  }

  void add_class(Candidate c, const ProtoResult& pr, const EniInfo* dst_eni, std::vector<Candidate>& out) {
    const model::LoadBalancer* lb = dst_eni ? dst_eni->lb : nullptr;
    IntervalSet tcp = lb ? pr.tcp.intersect(listener_ports(im_, *lb)) : pr.tcp;
    if (!tcp.empty()) {
      Candidate t = c;
      t.protocol = kTcp;
      t.box.ports = tcp;
      out.push_back(t);
      if (lb)
        for (const auto& iv : tcp.intervals())
          for (uint32_t p = iv.lo; p <= iv.hi; ++p) through_lb(t, *lb, static_cast<uint16_t>(p), out);
    }
    if (!lb && !pr.udp.empty()) {
      c.protocol = kUdp;
      c.box.ports = pr.udp;
      out.push_back(std::move(c));
    }
  }

  const std::vector<Candidate>& candidates() {
    if (built_) return cands_;
    built_ = true;
    std::vector<const EniInfo*> sources, dests;
    for (const auto& e : im_.enis) {
      if (e.instance) sources.push_back(&e);
      if (e.instance || e.lb) dests.push_back(&e);
    }
    auto single = [](Ipv4Address a) { return IntervalSet::of(a.value, a.value); };
    // 1. ENI to ENI (and on through load balancers).
    for (const auto* s : sources)
      for (const auto* d : dests) {
        if (s == d) continue;
        Leg leg;
        ProtoResult pr = reach(im_, start_of(s), d->eni->private_ip, d, IntervalSet::all_ports(), &leg);
        if (pr.tcp.empty() && pr.udp.empty()) continue;
        Candidate c;
        c.src = eni_endpoint(*s);
        c.dst = eni_endpoint(*d);
        c.through = crossed(leg);
        c.box = Box{single(s->eni->private_ip), single(d->eni->private_ip), {}};
        add_class(std::move(c), pr, d, cands_);
      }
    // 2. The internet to public addresses, per class of sources.
    for (const auto* d : dests) {
      if (!d->eni->public_ip || !d->vpc || d->vpc->internet_gateway.empty()) continue;
      std::map<std::tuple<std::string, std::string>, std::pair<IntervalSet, ProtoResult>> groups;
      for (const auto& cls : public_address_classes(im_, *d)) {
        WalkStart from;
        from.internet = true;
        from.address = Ipv4Address{cls.lo};
        ProtoResult pr = reach(im_, from, *d->eni->public_ip, d, IntervalSet::all_ports());
        if (pr.tcp.empty() && pr.udp.empty()) continue;
        auto& g = groups[{pr.tcp.str(), pr.udp.str()}];
        g.first.add(cls.lo, cls.hi);
        g.second = pr;
      }
      for (const auto& [key, g] : groups) {
        Candidate c;
        c.src = igw_endpoint(d->vpc->internet_gateway);
        c.dst = eni_endpoint(*d);
        c.box = Box{g.first, single(*d->eni->public_ip), {}};
        add_class(std::move(c), g.second, d, cands_);
      }
    }
    // 3. ENIs to the internet, per class of destinations.
    for (const auto* s : sources) {
      std::map<std::tuple<std::string, std::string, std::string, std::string>, Candidate> groups;
      for_each_internet_class(im_, *s, [&](const auto& cls, IpProtocol proto, const IntervalSet& ports, const Leg& leg) {
        std::string igw = leg_igw(leg);
        auto key = std::make_tuple(protocol_name(proto), ports.str(), igw, leg.seen_src.str());
        auto it = groups.find(key);
        if (it == groups.end()) {
          Candidate c;
          c.src = eni_endpoint(*s);
          c.dst = igw_endpoint(igw);
          c.through = crossed(leg);
          c.protocol = proto;
          c.box = Box{single(s->eni->private_ip), {}, ports};
          c.arrive_src = single(leg.seen_src);
          it = groups.emplace(key, std::move(c)).first;
        }
        it->second.box.dst.add(cls.lo, cls.hi);
      });
      for (auto& [key, c] : groups) cands_.push_back(std::move(c));
    }
    return cands_;
  }

  ScopeFinding finding(const Candidate& c, const Box& b) const {
    ScopeFinding f;
    f.source = c.src.display;
    f.source_id = c.src.id;
    f.destination = c.dst.display;
    f.destination_id = c.dst.id;
    for (const auto& x : c.through) f.through.push_back(x.display);
    f.protocol = protocol_name(c.protocol);
    static const IntervalSet public_space = public_addresses();
    auto addresses = [&](const IntervalSet& s) {
      return s == public_space ? std::string("0.0.0.0/0 (any public address)") : s.address_str();
    };
    f.source_addresses = addresses(b.src);
    f.destination_addresses = addresses(b.dst);
    f.ports = b.ports.str();
    if (c.arrive_ports) f.destination_port = c.arrive_ports->str();
    // One packet of the class, traced.
    std::string from = c.src.trace_from.empty() ? Ipv4Address{b.src.intervals().front().lo}.str() : c.src.trace_from;
    std::string to = Ipv4Address{b.dst.intervals().front().lo}.str();
    TraceOptions opts;
    opts.protocol = c.protocol;
    opts.port = static_cast<uint16_t>(b.ports.intervals().front().lo);
    TraceResult t = an_.trace(from, to, opts);
    if (t.ok && !t.paths.empty()) f.hops = t.paths.front().hops;
    return f;
  }

  // ---- Reachability Analyzer paths -------------------------------------------------
  bool is_igw(const std::set<std::string>& ids) const {
    return ids.size() == 1 && im_.net.internet_gateway(*ids.begin()) != nullptr;
  }

  std::string source_text(const model::InsightsPath& p) {
    const std::string& s = p.source.text;
    if (s == "internet" || Ipv4Address::parse(s)) return p.source_ip ? p.source_ip->str() : s;
    bool ok = true;
    auto ids = lookup(p.source, ok);
    if (!ok) return {};
    if (is_igw(ids)) {
      if (p.source_ip) return p.source_ip->str();
      if (p.filter_at_source.source_address) return p.filter_at_source.source_address->str();
      return "internet";
    }
    return *ids.begin();
  }

  std::string destination_text(const model::InsightsPath& p) {
    if (p.destination_ip) return p.destination_ip->str();
    const std::string& d = p.destination.text;
    if (d == "internet") return d;  // trace's host on the internet
    // An address, or a URL as `trace` takes it (its name resolved as the source's VPC would).
    if (Ipv4Address::parse(d) || d.find("://") != std::string::npos) return d;
    bool ok = true;
    auto ids = lookup(p.destination, ok);
    if (!ok) return {};
    if (is_igw(ids))
      return p.filter_at_source.destination_address ? p.filter_at_source.destination_address->str() : "internet";
    return *ids.begin();
  }

  const Analyzer& an_;
  const Analyzer::Impl& im_;
  AssertReport& rep_;
  std::unordered_map<std::string, std::set<std::string>> names_;
  bool built_ = false;
  std::vector<Candidate> cands_;
};

}  // namespace

bool AssertReport::all_hold() const {
  return std::all_of(results.begin(), results.end(), [](const AssertionResult& r) { return r.holds; });
}

AssertReport check_assertions(const Analyzer& analyzer, const model::Assertions& a) {
  AssertReport rep;
  Evaluator ev(analyzer, rep);
  for (const auto& s : a.access_scopes) rep.results.push_back(ev.scope(s));
  for (const auto& p : a.paths) rep.results.push_back(ev.path(p));
  return rep;
}

}  // namespace vpclab::analysis
