// `matrix --group-by`: parties gathered into classes that behave alike
// (matrix_classes.h), one evaluation per class pair and subnet situation.
#include "analysis/matrix_classes.h"

#include "analysis/matrix_shapes.h"

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

const char* cell_scope_name(CellScope s) {
  switch (s) {
    case CellScope::kAny: return "";
    case CellScope::kSameVpc: return "same";
    case CellScope::kOtherVpc: return "other";
  }
  return "";
}

namespace {

// The exact set of groups, each of `vpc` as its index there (others by id).
std::string sg_key(const model::Network& net, const VpcShapes& shapes, const model::Vpc* vpc,
                   const std::vector<std::string>& groups) {
  std::vector<std::string> ids;
  for (const auto& g : groups) {
    const auto* sg = net.security_group(g);
    ids.push_back(sg && vpc && sg->vpc == vpc->id ? shapes.local(g) : g);
  }
  std::sort(ids.begin(), ids.end());
  std::string s;
  for (const auto& id : ids) s += id + ",";
  return s;
}

const model::Vpc* vpc_of(const Party& p) {
  return p.on_prem || p.enis.empty() ? nullptr : p.enis[0]->vpc;
}

}  // namespace

void PartyClass::add(const Party* p, Place where) {
  members.push_back(p);
  auto role = std::find_if(by_subnet.begin(), by_subnet.end(), [&](const Role& r) { return r.role == where.role; });
  if (role == by_subnet.end()) by_subnet.push_back(Role{where.role, where.subnet, {p}});
  else role->members.push_back(p);
  auto [it, fresh] = vpc_index.emplace(where.vpc, by_vpc.size());
  if (fresh) by_vpc.push_back(InVpc{where.vpc, {}});
  auto& subs = by_vpc[it->second].subnets;
  auto bucket = std::find_if(subs.begin(), subs.end(), [&](const auto& b) { return b.first == where.subnet; });
  if (bucket == subs.end()) subs.emplace_back(where.subnet, std::vector<const Party*>{p});
  else bucket->second.push_back(p);
  places.push_back(std::move(where));
}

std::vector<PartyClass> classify(const Analyzer::Impl& im, const VpcShapes& shapes, GroupBy by,
                                 const std::vector<const Party*>& parties) {
  const model::Network& net = im.net;
  const AddressPieces& pieces = shapes.pieces();
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
    Place where{vpc_of(*p), nullptr, {}};
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
      const SubnetInfo* sub = e.subnet;
      where.subnet = sub;
      where.role = sub ? shapes.local(sub->subnet->id) : "-";
      std::string sgs = sg_key(net, shapes, e.vpc, e.eni->security_groups);
      std::string shape = "s" + std::to_string(shapes.shape(e.vpc));
      switch (by) {
        case GroupBy::kVpc: key = shape; break;
        case GroupBy::kSubnet: key = shape + where.role; break;
        case GroupBy::kSecurityGroup: key = sgs; break;
      }
      key += "|" + shape + "|" + sgs + "|";
      if (sub) {
        key += (sub->rtb ? shapes.local(sub->rtb->id) : "-") + "|" + (sub->acl ? shapes.local(sub->acl->id) : "-") +
               "|" + sub->subnet->availability_zone + "|" +
               (transit_subnets.count(sub->subnet->id) ? where.role : std::string()) + "|";
      }
      if (auto it = groups_of.find(e.eni->private_ip.value); it != groups_of.end())
        key += sg_key(net, shapes, e.vpc, it->second);
      key += "|" + shapes.relative_piece(e.vpc, e.eni->private_ip);
      key += "|" + (e.eni->public_ip ? std::to_string(pieces.piece(*e.eni->public_ip)) : std::string("-"));
      key += "|" + std::to_string(static_cast<int>(e.instance ? e.instance->state : model::InstanceState::kRunning));
      key += e.filtered ? "|f" : "|u";
    }
    auto [it, fresh] = by_key.emplace(key, out.size());
    if (fresh) out.push_back(PartyClass{kind, {}, {}, {}, {}, {}});
    out[it->second].add(p, std::move(where));
  }
  return out;
}

std::vector<PartyClass> split_by_subnet(const PartyClass& c) {
  std::vector<PartyClass> out;
  for (const auto& r : c.by_subnet) {
    PartyClass piece{c.kind, {}, {}, {}, {}, {}};
    for (size_t i = 0; i < c.members.size(); ++i)
      if (c.places[i].role == r.role) piece.add(c.members[i], c.places[i]);
    out.push_back(std::move(piece));
  }
  return out;
}

namespace {

// Which of the pair's interfaces share a subnet: -1 none, else the index of
// the load balancer's node that does (0 for two instances); -2: the two are
// in different VPCs.
constexpr int kOtherVpc = -2;
int situation(const Party& a, const Party& b) {
  const model::Vpc* va = vpc_of(a);
  const model::Vpc* vb = vpc_of(b);
  if (va && vb && va != vb) return kOtherVpc;
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
// source's (or a NAT gateway's, which may stand for it). Within one VPC
// addresses and memberships are the same for every member, so the
// representative decides; a class spanning VPCs is not filtered (a rule
// naming its own VPC admits some member pairs and not others).
struct Admits {
  bool applies = false;
  Ipv4Address address;
  IntervalSet out, in;
  bool in_nat = false;
};

Admits admits_of(const Analyzer::Impl& im, const PartyClass& c) {
  Admits a;
  const Party& p = *c.members[0];
  if (!p.instance() || p.enis.size() != 1 || !p.enis[0]->has_sg() || c.by_vpc.size() != 1) return a;
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

// What a class pair answers: for member pairs in one VPC (`same`), and in
// two (`other`); `mixed` when pairs in one VPC answer differently.
struct PairAnswer {
  bool same = false, other = false, mixed = false;
  ProtoResult same_answer, other_answer;
};

// Two members, one of each bucket, that are not one party (nullptr, nullptr: none).
std::pair<const Party*, const Party*> pick(const std::vector<const Party*>& ma, const std::vector<const Party*>& mb) {
  const Party* pa = ma[0];
  const Party* pb = mb[0];
  if (pa == pb) {  // a party and itself is no pair
    if (mb.size() > 1) pb = mb[1];
    else if (ma.size() > 1) pa = ma[1];
    else return {nullptr, nullptr};
  }
  return {pa, pb};
}

// Class pair (a, b): one representative member pair per situation (members
// of one subnet, of one VPC, of two VPCs), evaluated. VPCs of one shape are
// interchangeable, so one pair in two VPCs stands for all such pairs.
PairAnswer class_pair(const Analyzer::Impl& im, const PartyClass& a, const PartyClass& b, const IntervalSet& spec,
                      Reps& reps, uint64_t& traces) {
  reps.clear();
  auto consider = [&](std::pair<const Party*, const Party*> pair) {
    if (!pair.first) return;
    int s = situation(*pair.first, *pair.second);
    if (std::none_of(reps.begin(), reps.end(), [&](const auto& r) { return r.first == s; })) reps.push_back({s, pair});
  };
  const bool instances = a.kind != "load-balancer" && b.kind != "load-balancer";
  auto both_found = [&] {
    bool one = false, two = false;
    for (const auto& r : reps) {
      one = one || r.first == 0;
      two = two || r.first == -1;
    }
    return one && two;
  };
  // Pairs within one VPC (or both outside every VPC).
  for (const auto& ga : a.by_vpc) {
    auto it = b.vpc_index.find(ga.vpc);
    if (it == b.vpc_index.end()) continue;
    for (const auto& [sa, ma] : ga.subnets)
      for (const auto& [sb, mb] : b.by_vpc[it->second].subnets) consider(pick(ma, mb));
    if (instances && both_found()) break;  // nothing else to find in another VPC of the shape
  }
  // A pair across two VPCs (or one inside, one outside).
  for (size_t i = 0; i < std::min<size_t>(2, a.by_vpc.size()); ++i)
    for (size_t j = 0; j < std::min<size_t>(2, b.by_vpc.size()); ++j)
      if (a.by_vpc[i].vpc != b.by_vpc[j].vpc)
        consider({a.by_vpc[i].subnets[0].second[0], b.by_vpc[j].subnets[0].second[0]});
  PairAnswer out;
  for (const auto& [s, pair] : reps) {
    ProtoResult r = party_reach(im, *pair.first, *pair.second, spec);
    ++traces;
    if (s == kOtherVpc) {
      out.other = true;
      out.other_answer = std::move(r);
    } else if (!out.same) {
      out.same = true;
      out.same_answer = std::move(r);
    } else if (!same(out.same_answer, r)) {
      out.mixed = true;
      return out;
    }
  }
  return out;
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
    if (c.by_subnet.size() == 1) pure[i] = c.by_subnet[0].subnet;
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
  // A class spanning the VPCs of a shape is named by its first member's.
  for (size_t i = 0; i < cls.size(); ++i)
    if (size_t n = cls[i]->by_vpc.size(); n > 1) out[i] += " (+" + std::to_string(n - 1) + " VPCs alike)";
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
  AddressPieces pieces(im);
  VpcShapes shapes(im, pieces);
  std::vector<PartyClass> classes = classify(im, shapes, *by, rows);
  std::vector<char> is_row(classes.size(), 1), is_col(classes.size(), 0);
  if (from == to) {
    std::fill(is_col.begin(), is_col.end(), 1);
  } else {
    for (auto& c : classify(im, shapes, *by, cols)) {
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
    CellScope scope;
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
        PairAnswer v = class_pair(im, classes[a], classes[b], *spec, reps, res.traces);
        if (v.mixed) {
          // Members of one subnet and of two answer differently: tell subnets apart.
          for (uint32_t k : {a, b})
            if (classes[k].by_subnet.size() > 1) split[k] = any_split = 1;
          continue;
        }
        auto add = [&](const ProtoResult& r, CellScope scope) {
          if (r.tcp.empty() && r.udp.empty() && !r.icmp) return;
          uint64_t h = answer_hash(r);
          uint32_t id = static_cast<uint32_t>(answers.size());
          for (auto [it, end] = answer_ids.equal_range(h); it != end; ++it)
            if (same(answers[it->second], r)) id = it->second;
          if (id == answers.size()) {
            answer_ids.emplace(h, id);
            answers.push_back(r);
          }
          found.push_back(Found{a, b, id, scope});
        };
        if (v.same && v.other && !same(v.same_answer, v.other_answer)) {
          add(v.same_answer, CellScope::kSameVpc);
          add(v.other_answer, CellScope::kOtherVpc);
        } else if (v.same || v.other) {
          add(v.same ? v.same_answer : v.other_answer, CellScope::kAny);
        }
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
    MatrixClass mc{"c" + std::to_string(i + 1), ordered[i]->kind, labels[i], {}, {}, ordered[i]->by_vpc.size()};
    for (size_t k = 0; k < ordered[i]->members.size(); ++k) {
      mc.members.push_back(ordered[i]->members[k]->id);
      const model::Vpc* v = ordered[i]->places[k].vpc;
      mc.member_vpcs.push_back(v ? v->id : std::string());
    }
    res.classes.push_back(std::move(mc));
    if (is_row[live[i]]) res.rows.push_back(static_cast<uint32_t>(i));
    if (is_col[live[i]]) res.columns.push_back(static_cast<uint32_t>(i));
  }
  for (const auto& a : answers) res.answers.push_back(MatrixAnswer{a.tcp, a.udp, a.icmp});
  for (const auto& f : found)
    if (!dead[f.from] && !dead[f.to]) res.cells.push_back(ClassCell{index[f.from], index[f.to], f.answer, f.scope});
  std::sort(res.cells.begin(), res.cells.end(),
            [](const ClassCell& x, const ClassCell& y) {
              return std::tie(x.from, x.to, x.vpc) < std::tie(y.from, y.to, y.vpc);
            });
  return res;
}

}  // namespace vpclab::analysis
