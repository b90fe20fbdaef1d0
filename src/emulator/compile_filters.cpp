// Security groups and network ACLs as nftables (compile_context.h).
//
// Security groups: one `inet vpclab_sg` table per ENI namespace. Input and
// output chains drop by default, accept tracked flows (stateful: replies pass
// whatever the other direction says) and loopback, let DNS to the VPC
// resolver out (AWS never filters it), then jump per interface (iifname /
// oifname) to the union of the rules of that ENI's groups. Rules come from
// semantics::normalize_security_group_rules, the form the analyzer evaluates;
// a group reference becomes a named set of the private IPs (primary and
// secondary) of every ENI in that group.
//
// Network ACLs: one `inet vpclab_nacl` table per VPC router, on the forward
// hook (routed traffic only: traffic inside a subnet stays on its bridge, and
// the resolver on the router's lo is input, so neither is filtered, as in
// AWS). Packets arriving from a subnet bridge pass that subnet's egress
// entries, packets leaving to a subnet bridge its ingress entries. Entries
// keep their rule-number order; an allow `return`s (so the other subnet's
// chain still runs), a deny drops, and the final `*` drops. No conntrack:
// replies need their own entries. Transit gateway ENIs: see below.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "emulator/compile_context.h"
#include "semantics/interval_set.h"
#include "semantics/network_acl.h"
#include "semantics/security_group.h"

namespace vpclab::emulator {

namespace {

using semantics::Interval;
using semantics::IntervalSet;

// nft identifiers: letters, digits, '_'; AWS ids carry '-'.
std::string ident(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return out;
}

// One interval of addresses as an nft element: an address, a CIDR block or a range.
std::string address_element(const Interval& i) {
  if (i.lo == i.hi) return Ipv4Address{i.lo}.str();
  auto cover = semantics::cidr_cover(i.lo, i.hi);
  if (cover.size() == 1) return cover[0].str();
  return Ipv4Address{i.lo}.str() + "-" + Ipv4Address{i.hi}.str();
}

std::string address_elements(const IntervalSet& s) {
  std::string out;
  for (const auto& i : s.intervals()) out += (out.empty() ? "" : ", ") + address_element(i);
  return out;
}

// "ip saddr 10.0.0.0/8 " (with a trailing space), "meta nfproto ipv4 " for
// every address, "ip saddr { a, b } " for several intervals.
std::string address_match(const char* field, const IntervalSet& peers) {
  if (peers == IntervalSet::all_addresses()) return "meta nfproto ipv4 ";
  std::string e = address_elements(peers);
  if (peers.intervals().size() == 1) return std::string("ip ") + field + " " + e + " ";
  return std::string("ip ") + field + " { " + e + " } ";
}

std::string port_elements(const IntervalSet& ports) {
  std::string out;
  for (const auto& i : ports.intervals())
    out += (out.empty() ? "" : ", ") + (i.lo == i.hi ? std::to_string(i.lo) : std::to_string(i.lo) + "-" + std::to_string(i.hi));
  return ports.intervals().size() == 1 ? out : "{ " + out + " }";
}

// The protocol part of a rule: "" (all protocols), "tcp dport 8080 ",
// "meta l4proto tcp ", "icmp type 8 icmp code 0 ", "meta l4proto 47 ".
std::string protocol_match(IpProtocol p, const IntervalSet& ports, int icmp_type, int icmp_code) {
  if (p == kAllProtocols) return "";
  if (p == kTcp || p == kUdp) {
    const char* name = p == kTcp ? "tcp" : "udp";
    if (ports == IntervalSet::all_ports()) return std::string("meta l4proto ") + name + " ";
    return std::string(name) + " dport " + port_elements(ports) + " ";
  }
  if (p == kIcmp || p == kIcmpv6) {
    const char* name = p == kIcmp ? "icmp" : "icmpv6";
    if (icmp_type < 0) return std::string("meta l4proto ") + (p == kIcmp ? "icmp" : "ipv6-icmp") + " ";
    std::string s = std::string(name) + " type " + std::to_string(icmp_type) + " ";
    if (icmp_code >= 0) s += std::string(name) + " code " + std::to_string(icmp_code) + " ";
    return s;
  }
  return "meta l4proto " + std::to_string(p) + " ";
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    if (c != '"' && c != '\\' && c >= 0x20) out += c;
  return out + "\"";
}

// The groups an ENI's traffic is filtered by, as model::finalize() decided
// them (semantics/eni.h); nullopt when nothing filters it (NAT gateway, NLB
// node without groups).
std::optional<std::vector<std::string>> groups_of(const model::NetworkInterface& e) {
  if (e.security_groups.empty()) return std::nullopt;
  return e.security_groups;
}

// One normalised rule as an nft rule, or "" when it can never match.
std::string sg_rule_text(const semantics::NormalizedSgRule& r, const std::string& set_name) {
  const char* field = r.direction == Direction::kIngress ? "saddr" : "daddr";
  std::string peer;
  if (!r.rule->group_id.empty() && !r.rule->cidr) {
    peer = std::string("ip ") + field + " @" + set_name + " ";
  } else {
    if (r.peers.empty()) return "";
    peer = address_match(field, r.peers);
  }
  return peer + protocol_match(r.protocol, r.ports, r.icmp_type, r.icmp_code) + "accept comment " +
         quote(r.group_id + (r.rule->description.empty() ? "" : ": " + r.rule->description));
}

void compile_security_groups(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  // Members of each group: private IPs (primary and secondary) of its ENIs.
  std::map<std::string, IntervalSet> members;
  for (const auto& e : net.network_interfaces) {
    auto groups = groups_of(e);
    if (!groups) continue;
    for (const auto& g : *groups) {
      auto& m = members[g];
      m.add(e.private_ip.value, e.private_ip.value);
      for (auto a : e.secondary_private_ips) m.add(a.value, a.value);
    }
  }
  semantics::GroupAddressResolver resolve = [&](const SecurityGroupRule& r) {
    auto it = members.find(r.group_id);
    return it == members.end() ? IntervalSet{} : it->second;
  };
  std::map<std::string, std::vector<semantics::NormalizedSgRule>> rules_of;  // group -> normalised rules
  std::set<std::string> noted;
  auto group_rules = [&](const std::string& gid) -> const std::vector<semantics::NormalizedSgRule>& {
    auto it = rules_of.find(gid);
    if (it != rules_of.end()) return it->second;
    std::vector<semantics::NormalizedSgRule> rules;
    if (const auto* sg = net.security_group(gid)) {
      semantics::normalize_security_group_rules(sg->ingress, sg->id, resolve, rules);
      semantics::normalize_security_group_rules(sg->egress, sg->id, resolve, rules);
      for (const auto& r : rules)
        if (r.rule->group_id.empty() && r.peers.empty() && noted.insert(gid).second)
          ctx.out.unsupported.push_back("security group " + gid +
                                        ": IPv6 and prefix-list rules match nothing in the lab (IPv4 only)");
    }
    return rules_of.emplace(gid, std::move(rules)).first->second;
  };

  // Interfaces per namespace, in device order.
  struct Iface {
    std::string dev;
    const model::NetworkInterface* eni = nullptr;
    std::optional<std::vector<std::string>> groups;
    Ipv4Address resolver;
    bool has_resolver = false;
  };
  std::map<std::string, std::vector<Iface>> by_ns;
  for (const auto& [key, place] : ctx.eni_place) {
    const auto* e = net.network_interface(key);
    if (!e) continue;  // an instance without ENI records: nothing says which groups
    Iface f{place.dev, e, groups_of(*e), {}, false};
    if (const auto* v = net.vpc(place.vpc); v && v->enable_dns_support && !v->cidrs.empty()) {
      f.resolver = v->resolver_address();
      f.has_resolver = true;
    }
    by_ns[place.netns].push_back(std::move(f));
  }
  for (auto& [ns, ifaces] : by_ns) {
    std::sort(ifaces.begin(), ifaces.end(), [](const Iface& a, const Iface& b) { return a.dev < b.dev; });
    bool any = false;
    for (const auto& f : ifaces) any |= f.groups.has_value();
    if (!any) continue;  // NAT gateway, NLB node: no security group

    std::set<std::string> referenced;  // groups whose member sets are used
    std::set<uint32_t> resolvers;
    std::string chains, in_jumps, out_jumps, what;
    for (const auto& f : ifaces) {
      if (f.has_resolver) resolvers.insert(f.resolver.value);
      if (!f.groups) {
        in_jumps += "    iifname " + quote(f.dev) + " accept\n";
        out_jumps += "    oifname " + quote(f.dev) + " accept\n";
        continue;
      }
      std::string gl;
      for (const auto& g : *f.groups) gl += (gl.empty() ? "" : ",") + g;
      what += (what.empty() ? "" : "; ") + f.dev + ": " + gl;
      std::string in = "  chain sgin_" + f.dev + " {\n", out = "  chain sgout_" + f.dev + " {\n";
      for (const auto& g : *f.groups) {
        for (const auto& r : group_rules(g)) {
          std::string set = "grp_" + ident(r.rule->group_id);
          std::string t = sg_rule_text(r, set);
          if (t.empty()) continue;
          if (!r.rule->group_id.empty() && !r.rule->cidr) referenced.insert(r.rule->group_id);
          (r.direction == Direction::kIngress ? in : out) += "    " + t + "\n";
        }
      }
      chains += in + "  }\n" + out + "  }\n";
      in_jumps += "    iifname " + quote(f.dev) + " jump sgin_" + f.dev + "\n";
      out_jumps += "    oifname " + quote(f.dev) + " jump sgout_" + f.dev + "\n";
    }
    std::string s = "# security groups of " + ns + " (" + what + ")\n";
    s += "table inet vpclab_sg {\n";
    for (const auto& g : referenced) {
      s += "  set grp_" + ident(g) + " {\n    type ipv4_addr\n    flags interval\n";
      auto it = members.find(g);
      if (it != members.end() && !it->second.empty()) s += "    elements = { " + address_elements(it->second) + " }\n";
      s += "  }\n";
    }
    s += "  chain sg_input {\n    type filter hook input priority filter; policy drop;\n"
         "    ct state established,related accept\n    iif \"lo\" accept\n" + in_jumps + "  }\n";
    s += "  chain sg_output {\n    type filter hook output priority filter; policy drop;\n"
         "    ct state established,related accept\n    oif \"lo\" accept\n";
    if (!resolvers.empty()) {
      // The Amazon DNS server: security groups never filter it.
      std::string addrs = "169.254.169.253";
      for (uint32_t a : resolvers) addrs = Ipv4Address{a}.str() + ", " + addrs;
      s += "    ip daddr { " + addrs + " } meta l4proto { tcp, udp } th dport 53 accept comment \"VPC resolver\"\n";
    }
    s += out_jumps + "  }\n" + chains + "}\n";
    ctx.plan().nft.push_back({ns, std::move(s), "security groups of " + ns});
  }
}

// One NACL entry as an nft rule ("" when it can never match an IPv4 packet).
std::string nacl_entry_text(const NetworkAclEntry& e) {
  if (!e.cidr) return "";  // IPv6 entries never match IPv4
  const char* field = e.direction == Direction::kIngress ? "saddr" : "daddr";
  IntervalSet ports = protocol_has_ports(e.protocol) ? IntervalSet::of(e.ports) : IntervalSet::all_ports();
  // semantics/network_acl.cpp: only icmp (1) entries look at type/code.
  int type = e.protocol == kIcmp ? e.icmp_type : -1;
  int code = e.protocol == kIcmp ? e.icmp_code : -1;
  std::string s = address_match(field, IntervalSet::of(*e.cidr)) + protocol_match(e.protocol, ports, type, code);
  s += e.allow ? "return" : "drop";
  s += " comment \"rule " + std::to_string(e.rule_number) + (e.allow ? " allow" : " deny") + "\"";
  return s;
}

std::string nacl_chain(const std::string& name, const model::NetworkAcl& acl, Direction d) {
  auto entries = d == Direction::kIngress ? acl.ingress : acl.egress;
  // First match in ascending rule number (the model keeps them sorted; stay safe).
  std::stable_sort(entries.begin(), entries.end(),
                   [](const NetworkAclEntry& a, const NetworkAclEntry& b) { return a.rule_number < b.rule_number; });
  std::string s = "  chain " + name + " {\n";
  for (const auto& e : entries) {
    // The model carries the final "*" entry itself: it is the drop below.
    if (e.direction != d || e.rule_number >= semantics::kNaclImplicitDenyRuleNumber) continue;
    std::string t = nacl_entry_text(e);
    if (!t.empty()) s += "    " + t + "\n";
  }
  s += "    drop comment \"rule * deny\"\n  }\n";
  return s;
}

void compile_network_acls(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  for (const auto& v : net.vpcs) {
    std::string inside, jumps, chains;
    std::set<std::string> done;
    std::map<std::string, std::string> chain_of;  // subnet id -> its ACL's chain base name
    for (const auto* s : net.subnets_of(v.id)) {
      auto br = ctx.bridge_of.find(s->id);
      if (br == ctx.bridge_of.end()) continue;
      const model::NetworkAcl* acl = net.network_acl(s->network_acl);  // effective, decided by finalize()
      if (!acl) continue;  // no ACL known: nothing filtered (as the analyzer)
      std::string base = "acl_" + ident(acl->id.rfind("acl-", 0) == 0 ? acl->id.substr(4) : acl->id);
      chain_of[s->id] = base;
      if (done.insert(acl->id).second) {
        chains += "  # " + acl->id + "\n";
        chains += nacl_chain(base + "_out", *acl, Direction::kEgress);
        chains += nacl_chain(base + "_in", *acl, Direction::kIngress);
      }
      // Bridged, not routed: a host with br_netfilter loaded (docker does)
      // shows traffic inside a subnet to this hook with the bridge as both
      // devices. No NACL inside a subnet (AWS).
      inside += "    iifname " + quote(br->second) + " oifname " + quote(br->second) + " accept comment " +
                quote(s->id + " inside") + "\n";
      jumps += "    iifname " + quote(br->second) + " jump " + base + "_out comment " + quote(s->id + " egress") + "\n";
      jumps += "    oifname " + quote(br->second) + " jump " + base + "_in comment " + quote(s->id + " ingress") + "\n";
    }
    // Transit gateway ENIs (compile_transit.cpp), as the analyzer applies
    // NACLs to them: into the TGW, the ENI subnet's ingress entries unless
    // the packet comes from that subnet; out of the TGW to another subnet,
    // the ENI subnet's egress entries (to its own subnet: its ingress
    // entries, by the bridge's rule above).
    for (const auto& l : ctx.transit_links) {
      auto base = chain_of.find(l.subnet);
      if (l.vpc != v.id || base == chain_of.end()) continue;
      std::string own = quote(ctx.bridge_of.at(l.subnet));
      for (const auto& m : ctx.transit_links)
        if (m.subnet == l.subnet) own += ", " + quote(m.dev);
      jumps += "    oifname " + quote(l.dev) + " iifname != { " + own + " } jump " + base->second + "_in comment " +
               quote(l.attachment + " ENI in " + l.subnet + " ingress") + "\n";
      jumps += "    iifname " + quote(l.dev) + " oifname != " + quote(ctx.bridge_of.at(l.subnet)) + " jump " +
               base->second + "_out comment " + quote(l.attachment + " ENI in " + l.subnet + " egress") + "\n";
    }
    if (jumps.empty()) continue;
    std::string s = "# network ACLs of " + v.id + "\ntable inet vpclab_nacl {\n";
    s += "  chain nacl_forward {\n    type filter hook forward priority filter; policy accept;\n" + inside + jumps + "  }\n";
    s += chains + "}\n";
    ctx.plan().nft.push_back({v.id, std::move(s), "network ACLs of " + v.id});
  }
}

}  // namespace

void compile_filters(CompileContext& ctx) {
  compile_security_groups(ctx);
  compile_network_acls(ctx);
}

}  // namespace vpclab::emulator
