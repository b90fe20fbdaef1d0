// `matrix --group-by`: parties gathered into classes that behave alike
// (matrix_classes.h), one evaluation per class pair and subnet situation.
#include "analysis/matrix_classes.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace vpclab::analysis {

using semantics::IntervalSet;

std::optional<GroupBy> parse_group_by(std::string_view text) {
  if (text == "vpc") return GroupBy::kVpc;
  if (text == "subnet") return GroupBy::kSubnet;
  if (text == "security-group") return GroupBy::kSecurityGroup;
  return std::nullopt;
}

const char* group_by_name(GroupBy g) {
  switch (g) {
    case GroupBy::kVpc: return "vpc";
    case GroupBy::kSubnet: return "subnet";
    case GroupBy::kSecurityGroup: return "security-group";
  }
  return "?";
}

namespace {

// Every CIDR boundary a rule or route of the network draws (subnet CIDRs
// aside): two addresses in one piece match the same CIDR rules.
class AddressPieces {
 public:
  explicit AddressPieces(const Analyzer::Impl& im) {
    const model::Network& net = im.net;
    for (const auto& v : net.vpcs)
      for (const auto& c : v.cidrs) add(c);
    for (const auto& rt : net.route_tables)
      for (const auto& r : rt.routes) {
        if (r.destination) add(*r.destination);
        for (const auto& c : r.prefix_list_cidrs) add(c);
      }
    for (const auto& acl : net.network_acls)
      for (const auto* list : {&acl.ingress, &acl.egress})
        for (const auto& e : *list)
          if (e.cidr) add(*e.cidr);
    // Security-group rules by CIDR or prefix list; a rule naming a group is
    // told apart by membership (the class key), not by addresses.
    for (const auto& e : im.enis)
      for (const auto& r : e.rules)
        if (!r.rule || r.rule->group_id.empty())
          for (const auto& iv : r.peers.intervals()) add(iv.lo, iv.hi);
    for (const auto& t : net.transit_gateway_route_tables)
      for (const auto& r : t.routes) {
        if (r.destination) add(*r.destination);
        for (const auto& c : r.prefix_list_cidrs) add(c);
      }
    for (const auto& g : net.vpn_gateways)
      for (const auto& r : g.routes) add(r.destination);
    for (const auto& c : net.vpn_connections) {
      for (const auto& r : c.routes) add(r.destination);
      for (const auto& a : c.advertised) add(a);
    }
    for (const auto& o : net.on_premises)
      for (const auto& c : o.cidrs) add(c);
    for (const auto& pl : net.prefix_lists)
      for (const auto& e : pl.entries)
        if (e.cidr) add(*e.cidr);
    for (const auto& c : private_and_shared_ranges()) add(c);
    std::sort(starts_.begin(), starts_.end());
    starts_.erase(std::unique(starts_.begin(), starts_.end()), starts_.end());
  }
  size_t piece(Ipv4Address a) const {
    return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), a.value) - starts_.begin());
  }

 private:
  void add(const Ipv4Cidr& c) { add(c.first().value, c.last().value); }
  void add(uint32_t lo, uint32_t hi) {
    starts_.push_back(lo);
    if (hi != UINT32_MAX) starts_.push_back(hi + 1);
  }
  std::vector<uint32_t> starts_;
};

std::string sg_key(const EniInfo& e) {
  std::vector<std::string> ids(e.eni->security_groups.begin(), e.eni->security_groups.end());
  std::sort(ids.begin(), ids.end());
  std::string s;
  for (const auto& id : ids) s += id + ",";
  return s;
}

}  // namespace

std::vector<PartyClass> classify(const Analyzer::Impl& im, GroupBy by, const std::vector<const Party*>& parties) {
  const model::Network& net = im.net;
  AddressPieces pieces(im);
  // The groups whose members hold each address (what group-referencing rules see).
  std::unordered_map<uint32_t, std::vector<std::string>> groups_of;
  for (const auto& e : net.network_interfaces) {
    for (const auto& g : e.security_groups) {
      groups_of[e.private_ip.value].push_back(g);
      for (auto a : e.secondary_private_ips) groups_of[a.value].push_back(g);
    }
  }
  for (auto& [_, v] : groups_of) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  // Subnets a packet may pass through on its way elsewhere.
  std::unordered_set<std::string> transit_subnets;
  for (const auto& a : net.transit_gateway_attachments) transit_subnets.insert(a.subnets.begin(), a.subnets.end());
  for (const auto& n : net.nat_gateways) transit_subnets.insert(n.subnet);

  std::vector<PartyClass> out;
  std::unordered_map<std::string, size_t> by_key;
  std::set<const Party*> placed;
  for (const Party* p : parties) {
    if (!placed.insert(p).second) continue;  // named twice in --from
    std::string key, kind = group_by_name(by);
    const SubnetInfo* sub = nullptr;
    if (p->lb) {
      key = "lb|" + p->id;
      kind = "load-balancer";
    } else if (p->on_prem) {
      key = "on-prem|" + p->id;
      kind = "on-premises";
    } else if (p->enis.size() != 1) {
      key = "one|" + p->id;  // several primary interfaces: not compared with others
    } else {
      const EniInfo& e = *p->enis[0];
      sub = e.subnet;
      std::string sgs = sg_key(e);
      std::string vpc = e.vpc ? e.vpc->id : "";
      switch (by) {
        case GroupBy::kVpc: key = vpc; break;
        case GroupBy::kSubnet: key = sub ? sub->subnet->id : ""; break;
        case GroupBy::kSecurityGroup: key = sgs; break;
      }
      key += "|" + vpc + "|" + sgs + "|";
      if (sub) {
        key += (sub->rtb ? sub->rtb->id : "-") + "|" + (sub->acl ? sub->acl->id : "-") + "|" +
               sub->subnet->availability_zone + "|" +
               (transit_subnets.count(sub->subnet->id) ? sub->subnet->id : std::string()) + "|";
      }
      if (auto it = groups_of.find(e.eni->private_ip.value); it != groups_of.end())
        for (const auto& g : it->second) key += g + ",";
      key += "|" + std::to_string(pieces.piece(e.eni->private_ip));
      key += "|" + (e.eni->public_ip ? std::to_string(pieces.piece(*e.eni->public_ip)) : std::string("-"));
      key += "|" + std::to_string(static_cast<int>(e.instance ? e.instance->state : model::InstanceState::kRunning));
      key += e.filtered ? "|f" : "|u";
    }
    auto [it, fresh] = by_key.emplace(key, out.size());
    if (fresh) out.push_back(PartyClass{kind, {}, {}});
    PartyClass& c = out[it->second];
    c.members.push_back(p);
    auto bucket = std::find_if(c.by_subnet.begin(), c.by_subnet.end(), [&](const auto& b) { return b.first == sub; });
    if (bucket == c.by_subnet.end()) c.by_subnet.emplace_back(sub, std::vector<const Party*>{p});
    else bucket->second.push_back(p);
  }
  return out;
}

std::vector<PartyClass> split_by_subnet(const PartyClass& c) {
  std::vector<PartyClass> out;
  for (const auto& [sub, members] : c.by_subnet) out.push_back(PartyClass{c.kind, members, {{sub, members}}});
  return out;
}

namespace {

// Which of the pair's interfaces share a subnet: -1 none, else the index of
// the load balancer's node that does (0 for two instances).
int situation(const Party& a, const Party& b) {
  const SubnetInfo* sa = a.instance() && a.enis.size() == 1 ? a.enis[0]->subnet : nullptr;
  const SubnetInfo* sb = b.instance() && b.enis.size() == 1 ? b.enis[0]->subnet : nullptr;
  if (sa && sb) return sa == sb ? 0 : -1;
  const Party* lb = sa ? &b : &a;
  const SubnetInfo* s = sa ? sa : sb;
  if (!s || !lb->lb) return -1;
  for (size_t i = 0; i < lb->enis.size(); ++i)
    if (lb->enis[i]->subnet == s) return static_cast<int>(i);
  return -1;
}

// A cheap necessary condition, per class: the source's egress rules admit
// the destination's address and the destination's ingress rules admit the
// source's (or a NAT gateway's, which may stand for it). Addresses and
// memberships are the same for every member, so the representative decides.
struct Admits {
  bool applies = false;
  Ipv4Address address;
  IntervalSet out, in;
  bool in_nat = false;
};

Admits admits_of(const Analyzer::Impl& im, const PartyClass& c) {
  Admits a;
  const Party& p = *c.members[0];
  if (!p.instance() || p.enis.size() != 1 || !p.enis[0]->has_sg()) return a;
  const EniInfo& e = *p.enis[0];
  a.applies = true;
  a.address = e.eni->private_ip;
  for (const auto& r : e.rules) (r.direction == Direction::kEgress ? a.out : a.in).add(r.peers);
  for (const auto& n : im.net.nat_gateways) a.in_nat = a.in_nat || a.in.contains(n.private_ip.value);
  return a;
}

bool candidate(const Admits& from, const Admits& to) {
  if (!from.applies || !to.applies) return true;
  return from.out.contains(to.address.value) && (to.in_nat || to.in.contains(from.address.value));
}

uint64_t answer_hash(const ProtoResult& r) {
  uint64_t h = r.icmp ? 1469598103934665603ull : 1099511628211ull;
  for (const auto* set : {&r.tcp, &r.udp}) {
    for (const auto& iv : set->intervals()) h = (h ^ ((uint64_t{iv.lo} << 32) | iv.hi)) * 1099511628211ull;
    h = (h ^ 0x9e3779b97f4a7c15ull) * 1099511628211ull;
  }
  return h;
}

bool same(const ProtoResult& a, const ProtoResult& b) { return a.tcp == b.tcp && a.udp == b.udp && a.icmp == b.icmp; }

using Reps = std::vector<std::pair<int, std::pair<const Party*, const Party*>>>;  // situation -> pair
enum class PairVerdict { kNoPair, kUniform, kMixed };

// Class pair (a, b): one representative member pair per situation (members
// of one subnet, of two), evaluated; `answer` when they all agree.
PairVerdict class_pair(const Analyzer::Impl& im, const PartyClass& a, const PartyClass& b, const IntervalSet& spec,
                       Reps& reps, ProtoResult& answer, uint64_t& traces) {
  reps.clear();
  for (const auto& [sa, ma] : a.by_subnet)
    for (const auto& [sb, mb] : b.by_subnet) {
      const Party* pa = ma[0];
      const Party* pb = mb[0];
      if (pa == pb) {  // a party and itself is no pair
        if (mb.size() > 1) pb = mb[1];
        else if (ma.size() > 1) pa = ma[1];
        else continue;
      }
      int s = situation(*pa, *pb);
      if (std::none_of(reps.begin(), reps.end(), [&](const auto& r) { return r.first == s; }))
        reps.push_back({s, {pa, pb}});
    }
  if (reps.empty()) return PairVerdict::kNoPair;
  answer = party_reach(im, *reps[0].second.first, *reps[0].second.second, spec);
  ++traces;
  for (size_t i = 1; i < reps.size(); ++i) {
    ++traces;
    if (!same(answer, party_reach(im, *reps[i].second.first, *reps[i].second.second, spec))) return PairVerdict::kMixed;
  }
  return PairVerdict::kUniform;
}

std::string display_groups(const model::Network& net, const EniInfo& e) {
  if (e.eni->security_groups.empty()) return "(no security group)";
  std::vector<std::string> names;
  for (const auto& g : e.eni->security_groups) {
    const auto* sg = net.security_group(g);
    names.push_back(sg ? sg->origin.display(sg->id) : g);
  }
  std::sort(names.begin(), names.end());
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : "+") + n;
  return s;
}

// Labels that say what the class is and tell classes apart.
std::vector<std::string> labels_of(const Analyzer::Impl& im, GroupBy by, const std::vector<const PartyClass*>& cls) {
  std::vector<std::string> out;
  std::vector<const SubnetInfo*> pure(cls.size(), nullptr);
  for (size_t i = 0; i < cls.size(); ++i) {
    const PartyClass& c = *cls[i];
    const Party& p = *c.members[0];
    if (c.by_subnet.size() == 1) pure[i] = c.by_subnet[0].first;
    if (!p.instance() || p.enis.size() != 1) {
      out.push_back(p.name);
      continue;
    }
    const EniInfo& e = *p.enis[0];
    std::string groups = display_groups(im.net, e);
    if (by == GroupBy::kVpc && e.vpc) out.push_back(e.vpc->origin.display(e.vpc->id) + " [" + groups + "]");
    else if (by == GroupBy::kSubnet && e.subnet)
      out.push_back(e.subnet->subnet->origin.display(e.subnet->subnet->id) + " [" + groups + "]");
    else out.push_back(groups);
  }
  auto dedupe = [&](auto&& qualify) {
    std::map<std::string, int> n;
    for (const auto& l : out) ++n[l];
    std::map<std::string, int> seen;
    for (size_t i = 0; i < out.size(); ++i)
      if (n[out[i]] > 1) out[i] += qualify(i, ++seen[out[i]]);
  };
  dedupe([&](size_t i, int) {
    return pure[i] && by != GroupBy::kSubnet ? " in " + pure[i]->subnet->origin.display(pure[i]->subnet->id)
                                             : std::string();
  });
  dedupe([&](size_t, int k) { return " #" + std::to_string(k); });
  return out;
}

}  // namespace

GroupedMatrixResult Analyzer::matrix_by_class(std::string_view group_by, std::string_view from, std::string_view to,
                                              std::string_view ports) const {
  const Impl& im = *impl_;
  GroupedMatrixResult res;
  auto by = parse_group_by(group_by);
  if (!by) {
    res.ok = false;
    res.error = "--group-by: '" + std::string(group_by) + "' is none of vpc, subnet, security-group";
    return res;
  }
  res.group_by = group_by_name(*by);
  MatrixQuestion q;
  if (!matrix_question(im, from, to, ports, q, res.error)) {
    res.ok = false;
    return res;
  }
  const auto& rows = q.rows;
  const auto& cols = q.cols;
  const auto* spec = &q.ports;
  // Sources and destinations share classes when they are the same parties.
  std::vector<PartyClass> classes = classify(im, *by, rows);
  std::vector<char> is_row(classes.size(), 1), is_col(classes.size(), 0);
  if (from == to) {
    std::fill(is_col.begin(), is_col.end(), 1);
  } else {
    for (auto& c : classify(im, *by, cols)) {
      classes.push_back(std::move(c));
      is_row.push_back(0);
      is_col.push_back(1);
    }
  }
  std::vector<char> dead(classes.size(), 0), fresh(classes.size(), 1);
  std::vector<Admits> admits;
  for (const auto& c : classes) admits.push_back(admits_of(im, c));
  struct Found {
    uint32_t from, to, answer;
  };
  std::vector<Found> found;
  std::unordered_multimap<uint64_t, uint32_t> answer_ids;  // hash -> index into answers
  std::vector<ProtoResult> answers;
  Reps reps;  // reused: one per class pair
  for (;;) {
    std::vector<char> split(classes.size(), 0);
    bool any_split = false;
    for (uint32_t a = 0; a < classes.size(); ++a) {
      if (!is_row[a] || dead[a]) continue;
      for (uint32_t b = 0; b < classes.size(); ++b) {
        if (!is_col[b] || dead[b] || !(fresh[a] || fresh[b]) || !candidate(admits[a], admits[b])) continue;
        ProtoResult first;
        PairVerdict v = class_pair(im, classes[a], classes[b], *spec, reps, first, res.traces);
        if (v == PairVerdict::kNoPair) continue;
        if (v == PairVerdict::kMixed) {
          // Members of one subnet and of two answer differently: tell subnets apart.
          for (uint32_t k : {a, b})
            if (classes[k].by_subnet.size() > 1) split[k] = any_split = 1;
          continue;
        }
        if (first.tcp.empty() && first.udp.empty() && !first.icmp) continue;
        uint64_t h = answer_hash(first);
        uint32_t id = static_cast<uint32_t>(answers.size());
        for (auto [it, end] = answer_ids.equal_range(h); it != end; ++it)
          if (same(answers[it->second], first)) id = it->second;
        if (id == answers.size()) {
          answer_ids.emplace(h, id);
          answers.push_back(first);
        }
        found.push_back(Found{a, b, id});
      }
    }
    std::fill(fresh.begin(), fresh.end(), 0);
    if (!any_split) break;
    for (uint32_t k = 0, n = static_cast<uint32_t>(classes.size()); k < n; ++k) {
      if (!split[k]) continue;
      dead[k] = 1;
      for (auto& piece : split_by_subnet(classes[k])) {
        admits.push_back(admits_of(im, piece));
        classes.push_back(std::move(piece));
        is_row.push_back(is_row[k]);
        is_col.push_back(is_col[k]);
        dead.push_back(0);
        fresh.push_back(1);
      }
    }
  }
  // Live classes in the order of their first members; cells row-major.
  std::unordered_map<const Party*, size_t> position;
  for (size_t i = 0; i < q.all.size(); ++i) position[&q.all[i]] = i;
  std::vector<uint32_t> live;
  for (uint32_t k = 0; k < classes.size(); ++k)
    if (!dead[k]) live.push_back(k);
  std::stable_sort(live.begin(), live.end(), [&](uint32_t x, uint32_t y) {
    return std::make_pair(!is_row[x], position[classes[x].members[0]]) <
           std::make_pair(!is_row[y], position[classes[y].members[0]]);
  });
  std::vector<uint32_t> index(classes.size(), UINT32_MAX);
  std::vector<const PartyClass*> ordered;
  for (uint32_t k : live) {
    index[k] = static_cast<uint32_t>(ordered.size());
    ordered.push_back(&classes[k]);
  }
  std::vector<std::string> labels = labels_of(im, *by, ordered);
  for (size_t i = 0; i < ordered.size(); ++i) {
    MatrixClass mc{"c" + std::to_string(i + 1), ordered[i]->kind, labels[i], {}};
    for (const auto* m : ordered[i]->members) mc.members.push_back(m->id);
    res.classes.push_back(std::move(mc));
    if (is_row[live[i]]) res.rows.push_back(static_cast<uint32_t>(i));
    if (is_col[live[i]]) res.columns.push_back(static_cast<uint32_t>(i));
  }
  for (const auto& a : answers) res.answers.push_back(MatrixAnswer{a.tcp, a.udp, a.icmp});
  for (const auto& f : found)
    if (!dead[f.from] && !dead[f.to]) res.cells.push_back(ClassCell{index[f.from], index[f.to], f.answer});
  std::sort(res.cells.begin(), res.cells.end(),
            [](const ClassCell& x, const ClassCell& y) { return std::tie(x.from, x.to) < std::tie(y.from, y.to); });
  return res;
}

}  // namespace vpclab::analysis
