// matrix and exposure: the same walker as trace, evaluated on port sets and
// on equivalence classes of source addresses instead of single packets.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "analysis/impl.h"
#include "analysis/matrix_parties.h"
#include "semantics/network_load_balancer.h"

namespace vpclab::analysis {

using semantics::Interval;
using semantics::IntervalSet;

Analyzer::Analyzer(const model::Network& net) : impl_(std::make_unique<Impl>(net)) {}
Analyzer::~Analyzer() = default;

std::optional<IntervalSet> parse_port_spec(std::string_view spec) {
  IntervalSet s;
  if (spec.empty() || spec == "all") return IntervalSet::all_ports();
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string_view item = spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    auto num = [](std::string_view t) -> std::optional<uint32_t> {
      uint32_t v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v > 65535) return std::nullopt;
      return v;
    };
    auto dash = item.find('-');
    auto lo = num(item.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : num(item.substr(dash + 1));
    if (!lo || !hi || *lo > *hi) return std::nullopt;
    s.add(*lo, *hi);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return s;
}

WalkStart start_of(const EniInfo* e) {
  return WalkStart{e, e->subnet, false, e->eni->private_ip, e->eni->public_ip, e->ephemeral()};
}

ProtoResult reach(const Analyzer::Impl& im, const WalkStart& from, Ipv4Address dst, const EniInfo* expect,
                  const IntervalSet& ports, Leg* request) {
  ProtoResult out;
  Leg req = im.walk(from, dst, nullptr, false);
  if (request) *request = req;
  // Delivered to an ENI (the expected one), or to a host on premises (as trace's connect).
  if (req.end != Leg::End::kDelivered || (!req.to && !req.on_prem) || (expect && req.to != expect)) return out;
  // Forward filters first: most pairs stop here, before the reply walk.
  const IpProtocol kProtocols[] = {kTcp, kUdp, kIcmp};
  IntervalSet forward[3];
  bool any = false;
  for (int i = 0; i < 3; ++i) {
    IpProtocol p = kProtocols[i];
    Evaluation fe = im.evaluate(req, Flow{p, protocol_has_ports(p) ? ports : IntervalSet::all_ports()}, false, "",
                                nullptr, nullptr);
    if (fe.ok && !fe.ports.empty()) {
      forward[i] = fe.ports;
      any = true;
    }
  }
  if (!any) return out;
  ReplyContext rc = reply_context(from, req);
  WalkStart back;
  if (req.to) {
    back = WalkStart{req.to, req.to->subnet, false, req.to->eni->private_ip, req.to->eni->public_ip, {}};
  } else {
    back.on_prem = req.on_prem;
    back.address = dst;
  }
  Leg rep = im.walk(back, req.seen_src, &rc, false);
  if (rep.end != Leg::End::kDelivered && rep.end != Leg::End::kInternet) return out;
  for (int i = 0; i < 3; ++i) {
    if (forward[i].empty()) continue;
    IpProtocol p = kProtocols[i];
    if (!im.evaluate(rep, Flow{p, forward[i]}, true, "", nullptr, nullptr).ok) continue;
    if (p == kTcp) out.tcp = forward[i];
    else if (p == kUdp) out.udp = forward[i];
    else out.icmp = true;
  }
  return out;
}

IntervalSet listener_ports(const Analyzer::Impl& im, const model::LoadBalancer& lb, IpProtocol proto) {
  IntervalSet s;
  auto it = im.listeners.find(lb.arn);
  if (it != im.listeners.end())
    for (const auto* l : it->second)
      if (lb.type == "network" ? semantics::nlb_protocol_carries(l->protocol, proto) : proto == kTcp)
        s.add(l->port, l->port);
  return s;
}

IntervalSet public_addresses() {
  IntervalSet s = IntervalSet::all_addresses();
  for (const auto& c : private_and_shared_ranges()) s = s.subtract(IntervalSet::of(c));
  return s;
}

std::vector<semantics::Interval> public_address_classes(const Analyzer::Impl&, const EniInfo& e) {
  static const IntervalSet public_space = public_addresses();
  std::vector<IntervalSet> owned;
  for (const auto& r : e.rules) owned.push_back(r.peers);
  if (e.subnet && e.subnet->acl) {
    for (const auto* list : {&e.subnet->acl->ingress, &e.subnet->acl->egress})
      for (const auto& en : *list)
        if (en.cidr) owned.push_back(IntervalSet::of(*en.cidr));
  }
  if (e.subnet && e.subnet->rtb)
    for (const auto& rt : e.subnet->rtb->routes)
      if (rt.destination) owned.push_back(IntervalSet::of(*rt.destination));
      else
        for (const auto& c : rt.prefix_list_cidrs) owned.push_back(IntervalSet::of(c));  // a gateway endpoint's
  owned.push_back(public_space);
  std::vector<const IntervalSet*> ptrs;
  for (const auto& s : owned) ptrs.push_back(&s);
  std::vector<semantics::Interval> out;
  for (const auto& cls : semantics::equivalence_classes(ptrs, 0, UINT32_MAX)) {
    if (!public_space.contains(cls.lo)) continue;
    if (out.size() == 4096) break;  // bounded: rules with thousands of CIDRs
    out.push_back(cls);
  }
  return out;
}

void for_each_internet_class(const Analyzer::Impl& im, const EniInfo& e,
                             const std::function<void(const semantics::Interval& cls, IpProtocol proto,
                                                      const IntervalSet& ports, const Leg& leg)>& fn) {
  for (const auto& cls : public_address_classes(im, e))
    for (IpProtocol proto : {kTcp, kUdp}) {
      Leg leg;
      Evaluation ev = im.connect(start_of(&e), Ipv4Address{cls.lo}, Flow{proto, IntervalSet::all_ports()}, "", nullptr,
                                 nullptr, &leg);
      if (ev.ok && !ev.ports.empty() && leg.end == Leg::End::kInternet) fn(cls, proto, ev.ports, leg);
    }
}

std::vector<Party> all_parties(const Analyzer::Impl& im) {
  std::vector<Party> out;
  std::unordered_map<const model::Instance*, size_t> by_inst;
  std::unordered_map<const model::LoadBalancer*, size_t> by_lb;
  for (const auto& e : im.enis) {
    if (e.instance) {
      auto [it, fresh] = by_inst.emplace(e.instance, out.size());
      if (fresh) out.push_back(Party{e.instance->origin.display(e.instance->id), e.instance->id, {}, nullptr});
      // Primary interface only: the instance's private IP.
      if (e.eni->private_ip == e.instance->private_ip) out[it->second].enis.push_back(&e);
    } else if (e.lb) {
      auto [it, fresh] = by_lb.emplace(e.lb, out.size());
      if (fresh) out.push_back(Party{e.lb->origin.display(e.lb->name), e.lb->arn, {}, e.lb});
      out[it->second].enis.push_back(&e);
    }
  }
  std::erase_if(out, [](const Party& p) { return p.enis.empty(); });
  // The networks behind customer gateways, named as trace names them.
  for (const auto& n : im.net.on_premises)
    if (!n.cidrs.empty()) out.push_back(Party{"on-prem:" + n.name, "on-prem:" + n.name, {}, nullptr, &n});
  return out;
}

bool select_parties(const std::vector<Party>& all, std::string_view spec, std::vector<const Party*>& out,
                    std::string& error) {
  if (spec.empty() || spec == "all") {
    for (const auto& p : all) out.push_back(&p);
    return true;
  }
  // Every name a party answers to: id, Stack.LogicalId, LogicalId, LB name, Name tag, private IP;
  // an on-premises network: on-prem:NAME and NAME.
  std::unordered_map<std::string, std::vector<const Party*>> names;
  for (const auto& p : all) {
    std::vector<std::string> keys{p.id, p.name};
    auto dot = p.name.find('.');
    if (p.on_prem) keys.push_back(p.on_prem->name);
    else if (dot != std::string::npos) keys.push_back(p.name.substr(dot + 1));
    if (p.lb) keys.push_back(p.lb->name);
    else
      for (const auto* e : p.enis) {
        keys.push_back(e->eni->private_ip.str());
        if (e->instance && !e->instance->name.empty()) keys.push_back(e->instance->name);
      }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (auto& k : keys) names[k].push_back(&p);
  }
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string item(spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    auto it = names.find(item);
    if (it == names.end()) {
      error = "unknown instance, load balancer or on-premises network '" + item + "'";
      return false;
    }
    out.insert(out.end(), it->second.begin(), it->second.end());
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return true;
}

namespace {
// Where a party's connections start: an ENI, or the host trace stands for an on-premises network.
WalkStart party_start(const Party& p, const EniInfo* e) {
  if (e) return start_of(e);
  WalkStart w;
  w.on_prem = p.on_prem;
  w.address = p.on_prem->host_address();
  return w;
}
}  // namespace

ProtoResult party_reach(const Analyzer::Impl& im, const Party& r, const Party& c, const IntervalSet& spec) {
  ProtoResult cell;
  // A load balancer: its listeners' ports (an NLB's UDP listeners too), no ICMP.
  IntervalSet want_tcp = c.lb ? spec.intersect(listener_ports(im, *c.lb, kTcp)) : spec;
  IntervalSet want_udp = c.lb ? spec.intersect(listener_ports(im, *c.lb, kUdp)) : spec;
  IntervalSet want = want_tcp;
  want.add(want_udp);
  // An on-premises network has no ENI: one start (or destination) address.
  static const std::vector<const EniInfo*> kNoEni{nullptr};
  const auto& froms = r.on_prem ? kNoEni : r.enis;
  const auto& tos = c.on_prem ? kNoEni : c.enis;
  for (const auto* se : froms)
    for (const auto* de : tos) {
      Ipv4Address dst = de ? de->eni->private_ip : c.on_prem->host_address();
      ProtoResult pr = reach(im, party_start(r, se), dst, de, want);
      cell.tcp.add(pr.tcp.intersect(want_tcp));
      cell.udp.add(pr.udp.intersect(want_udp));
      if (!c.lb) cell.icmp = cell.icmp || pr.icmp;
    }
  return cell;
}

bool matrix_question(const Analyzer::Impl& im, std::string_view from, std::string_view to, std::string_view ports,
                     MatrixQuestion& q, std::string& error) {
  auto spec = parse_port_spec(ports);
  if (!spec) {
    error = "--port: cannot parse '" + std::string(ports) + "'";
    return false;
  }
  q.ports = std::move(*spec);
  q.all = all_parties(im);
  return select_parties(q.all, from, q.rows, error) && select_parties(q.all, to, q.cols, error);
}

MatrixResult Analyzer::matrix(std::string_view from, std::string_view to, std::string_view ports) const {
  const Impl& im = *impl_;
  MatrixResult res;
  MatrixQuestion q;
  if (!matrix_question(im, from, to, ports, q, res.error)) {
    res.ok = false;
    return res;
  }
  const auto& rows = q.rows;
  const auto& cols = q.cols;
  const auto* spec = &q.ports;
  for (const auto* r : rows) res.rows.push_back(r->name);
  for (const auto* c : cols) res.columns.push_back(c->name);
  for (const auto* r : rows)
    for (const auto* c : cols) {
      if (r == c) continue;
      ProtoResult pr = party_reach(im, *r, *c, *spec);
      MatrixCell cell{r->name, c->name, r->id, c->id, std::move(pr.tcp), std::move(pr.udp), pr.icmp};
      if (cell.any()) res.cells.push_back(std::move(cell));
    }
  return res;
}

ExposureResult Analyzer::exposure() const {
  const Impl& im = *impl_;
  ExposureResult res;
  const IntervalSet public_space = public_addresses();
  std::vector<Party> parties = all_parties(im);
  for (const auto& party : parties) {
    IntervalSet lports = party.lb ? listener_ports(im, *party.lb, kTcp) : IntervalSet::all_ports();
    IntervalSet lports_udp = party.lb ? listener_ports(im, *party.lb, kUdp) : IntervalSet::all_ports();
    const char* kind = party.lb ? "load-balancer" : "instance";
    // 1. From the internet, per equivalence class of source addresses.
    for (const auto* e : party.enis) {
      if (!e->eni->public_ip) continue;
      // Group classes by result: (protocol, ports) -> sources.
      std::map<std::pair<std::string, std::string>, IntervalSet> groups;
      for (const auto& cls : public_address_classes(im, *e)) {
        WalkStart from;
        from.internet = true;
        from.address = Ipv4Address{cls.lo};
        ProtoResult pr = reach(im, from, *e->eni->public_ip, e, IntervalSet::all_ports());
        IntervalSet tcp = pr.tcp.intersect(lports);
        if (!tcp.empty()) groups[{"tcp", tcp.str()}].add(cls.lo, cls.hi);
        IntervalSet udp = pr.udp.intersect(lports_udp);
        if (!udp.empty()) groups[{"udp", udp.str()}].add(cls.lo, cls.hi);
        if (!party.lb && pr.icmp) groups[{"icmp", "echo"}].add(cls.lo, cls.hi);
      }
      for (const auto& [key, srcs] : groups) {
        std::string sources;
        IntervalSet missing = public_space.subtract(srcs);
        if (missing.empty()) sources = "0.0.0.0/0 (any public address)";
        else if (missing.intervals().size() <= 4 && srcs.size() > missing.size())
          sources = "0.0.0.0/0 (any public address) except " + missing.address_str();
        else sources = srcs.address_str();
        res.items.push_back(ExposureItem{party.name, party.id, kind, "internet", e->eni->public_ip->str(), key.first,
                                         key.second, sources, e->vpc ? e->vpc->internet_gateway : ""});
      }
    }
    // 2. From other VPCs over active peering: every instance/ALB node there.
    for (const auto* e : party.enis) {
      if (!e->vpc) continue;
      std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> by_vpc;
      for (const auto& p : im.net.peerings) {
        if (p.state != model::PeeringState::kActive) continue;
        if (p.requester.vpc != e->vpc->id && p.accepter.vpc != e->vpc->id) continue;
        const model::Vpc* other = im.vpc(p.peer_of(e->vpc->id).vpc);
        if (!other) continue;
        IntervalSet tcp, udp;
        bool icmp = false;
        for (const auto& se : im.enis) {
          if (se.vpc != other || !(se.instance || se.lb)) continue;
          ProtoResult pr = reach(im, start_of(&se), e->eni->private_ip, e, IntervalSet::all_ports());
          tcp.add(pr.tcp.intersect(lports));
          udp.add(pr.udp.intersect(lports_udp));
          if (!party.lb) icmp = icmp || pr.icmp;
        }
        std::string src = "VPC " + im.component(other->origin, other->id);
        if (!tcp.empty()) by_vpc[{"tcp", tcp.str(), p.id}].push_back(src);
        if (!udp.empty()) by_vpc[{"udp", udp.str(), p.id}].push_back(src);
        if (icmp) by_vpc[{"icmp", "echo", p.id}].push_back(src);
      }
      for (const auto& [key, srcs] : by_vpc) {
        std::string s;
        for (const auto& x : srcs) s += (s.empty() ? "" : ", ") + x;
        res.items.push_back(ExposureItem{party.name, party.id, kind, "outside-vpc", e->eni->private_ip.str(),
                                         std::get<0>(key), std::get<1>(key), s, std::get<2>(key)});
      }
    }
  }
  return res;
}

EgressResult Analyzer::egress(const std::vector<std::string>* instances) const {
  const Impl& im = *impl_;
  EgressResult res;
  const IntervalSet public_space = public_addresses();
  std::set<std::string> only;
  if (instances) only.insert(instances->begin(), instances->end());
  for (const auto& party : all_parties(im)) {
    if (party.lb || (instances && !only.count(party.id))) continue;
    for (const auto* e : party.enis) {
      // (protocol, ports, gateway, seen as) -> destinations.
      std::map<std::tuple<std::string, std::string, std::string, std::string>, IntervalSet> groups;
      for_each_internet_class(im, *e, [&](const Interval& cls, IpProtocol proto, const IntervalSet& ports, const Leg& leg) {
        std::string through = leg.nat ? leg.nat->id : std::string();
        if (through.empty())
          for (const auto& st : leg.steps)
            if (st.kind == StepKind::kIgwOut && !st.igw.empty()) through = st.igw;
        groups[{protocol_name(proto), ports.str(), through, leg.seen_src.str()}].add(cls.lo, cls.hi);
      });
      for (const auto& [key, dsts] : groups) {
        IntervalSet missing = public_space.subtract(dsts);
        std::string where = missing.empty() ? "0.0.0.0/0 (any public address)" : dsts.address_str();
        res.items.push_back(EgressItem{party.name, party.id, std::get<0>(key), std::get<1>(key), where,
                                       std::get<2>(key), std::get<3>(key)});
      }
    }
  }
  return res;
}

}  // namespace vpclab::analysis
