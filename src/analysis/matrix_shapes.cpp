// VPCs alike up to their own CIDRs and resources (matrix_shapes.h): every
// element of the network written once per VPC it mentions, SELF relative.
#include "analysis/matrix_shapes.h"

#include <algorithm>
#include <map>
#include <set>

namespace vpclab::analysis {

AddressPieces::AddressPieces(const Analyzer::Impl& im) {
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

void AddressPieces::add(uint32_t lo, uint32_t hi) {
  starts_.push_back(lo);
  if (hi != UINT32_MAX) starts_.push_back(hi + 1);
}

size_t AddressPieces::piece(Ipv4Address a) const {
  return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), a.value) - starts_.begin());
}

namespace {

struct Block {
  uint32_t lo, hi, vpc, index;  // index: among the VPC's blocks
};

using Owners = std::unordered_map<std::string_view, std::vector<std::pair<uint32_t, uint32_t>>>;  // id -> (VPC, index)

// Writes each element once per VPC it mentions into that VPC's signature.
class Signatures {
 public:
  Signatures(const model::Network& net, const AddressPieces& pieces)
      : net_(net), pieces_(pieces), sig_(net.vpcs.size()) {
    owners_.reserve(net.subnets.size() * 2 + net.network_interfaces.size() * 2 + net.security_groups.size() +
                    net.route_tables.size() + net.network_acls.size() + net.vpcs.size() * 2);
    for (uint32_t v = 0; v < net.vpcs.size(); ++v) {
      vpc_ix_[net.vpcs[v].id] = v;
      if (net.vpcs[v].cidrs.empty()) poison(v, "no CIDR");
      for (uint32_t k = 0; k < net.vpcs[v].cidrs.size(); ++k) {
        const auto& c = net.vpcs[v].cidrs[k];
        blocks_.push_back(Block{c.first().value, c.last().value, v, k});
      }
    }
    std::sort(blocks_.begin(), blocks_.end(),
              [](const Block& a, const Block& b) { return a.lo < b.lo || (a.lo == b.lo && a.hi > b.hi); });
    // Overlapping VPCs (CIDRs nest): an address would be SELF for both.
    std::vector<const Block*> open;
    for (const auto& b : blocks_) {
      while (!open.empty() && open.back()->hi < b.lo) open.pop_back();
      for (const Block* o : open) {
        poison(o->vpc, "overlap");
        poison(b.vpc, "overlap");
      }
      open.push_back(&b);
    }
  }

  // Ownership: `id` is a resource of VPC `vpc_id` (a peering: of both sides).
  void own(std::string_view id, const std::string& vpc_id) {
    auto it = vpc_ix_.find(vpc_id);
    if (id.empty() || it == vpc_ix_.end()) return;
    auto& o = owners_[id];
    for (const auto& [v, _] : o)
      if (v == it->second) return;
    o.emplace_back(it->second, next_local_[it->second]++);
  }
  const Owners& owners() const { return owners_; }
  void poison(uint32_t v, const std::string& why) { sig_[v].push_back("!" + why + " " + std::to_string(v)); }
  void poison_vpc(const std::string& vpc_id, const std::string& why) {
    if (auto it = vpc_ix_.find(vpc_id); it != vpc_ix_.end()) poison(it->second, why);
  }
  const Block* block_of(uint32_t lo, uint32_t hi) const {
    auto it = std::upper_bound(blocks_.begin(), blocks_.end(), lo, [](uint32_t x, const Block& b) { return x < b.lo; });
    if (it == blocks_.begin()) return nullptr;
    --it;
    return hi <= it->hi ? &*it : nullptr;
  }

  // One element: tokens, then end().
  // Texts are the model's (or literals): they outlive the signatures.
  Signatures& lit(std::string_view s) { return push(Tok{Tok::kLit, 0, 0, s, nullptr}); }
  Signatures& lit(const char* s) { return lit(std::string_view(s)); }
  Signatures& lit(long n) { return push(Tok{Tok::kNum, 0, static_cast<uint32_t>(n), {}, nullptr}); }
  Signatures& id(std::string_view s) { return push(Tok{Tok::kId, 0, 0, s, nullptr}); }
  Signatures& addr(Ipv4Address a) { return push(Tok{Tok::kAddr, 32, a.value, {}, nullptr}); }
  // A public address: outside every VPC it stands as its piece (two in one
  // piece match the same rules, so the swap may exchange them).
  Signatures& pub(const std::optional<Ipv4Address>& a) {
    return a ? push(Tok{Tok::kPub, 32, a->value, {}, nullptr}) : lit("-");
  }
  Signatures& cidr(const std::optional<Ipv4Cidr>& c) {
    return c ? push(Tok{Tok::kCidr, c->length, c->base.value, {}, nullptr}) : lit("-");
  }
  Signatures& cidrs(const std::vector<Ipv4Cidr>& cs) {
    for (const auto& c : cs) cidr(c);
    return lit(";");
  }
  Signatures& ids(const std::vector<std::string>& v) {
    for (const auto& s : v) id(s);
    return lit(";");
  }
  void end() {
    std::vector<uint32_t>& about = about_;
    about.clear();
    for (auto& t : toks_) {
      if (t.kind == Tok::kId) {
        if (auto it = owners_.find(t.text); it != owners_.end()) {
          t.owners = &it->second;  // render() reads it once per VPC mentioned
          for (const auto& [v, _] : it->second) about.push_back(v);
        }
      } else if (t.kind != Tok::kLit && t.kind != Tok::kNum) {
        uint32_t hi = last(t);
        if (const Block* b = block_of(t.value, hi))
          about.push_back(b->vpc);
        else if (t.kind == Tok::kCidr)
          covering_.insert({t.value, hi});
      }
    }
    std::sort(about.begin(), about.end());
    about.erase(std::unique(about.begin(), about.end()), about.end());
    for (uint32_t v : about) sig_[v].push_back(render(v));
    toks_.clear();
  }

  // Each VPC's signature, with the CIDRs anywhere that cover its blocks.
  std::vector<std::string> finish() {
    for (const auto& c : private_and_shared_ranges()) covering_.insert({c.first().value, c.last().value});
    for (const auto& [lo, hi] : covering_) {
      auto it =
          std::lower_bound(blocks_.begin(), blocks_.end(), lo, [](const Block& b, uint32_t x) { return b.lo < x; });
      for (; it != blocks_.end() && it->lo <= hi; ++it)
        if (it->hi <= hi)
          sig_[it->vpc].push_back("cover " + std::to_string(it->index) + " " + std::to_string(lo) + "-" +
                                  std::to_string(hi));
    }
    std::vector<std::string> out;
    for (auto& s : sig_) {
      std::sort(s.begin(), s.end());
      std::string all;
      for (const auto& line : s) all += line + "\n";
      out.push_back(std::move(all));
      std::vector<std::string>().swap(s);
    }
    return out;
  }

 private:
  struct Tok {
    enum Kind : uint8_t { kLit, kNum, kId, kAddr, kPub, kCidr } kind;
    uint8_t len;
    uint32_t value;
    std::string_view text;
    const std::vector<std::pair<uint32_t, uint32_t>>* owners = nullptr;  // kId: its VPCs, when a VPC's
  };
  static uint32_t last(const Tok& t) { return t.len == 0 ? UINT32_MAX : t.value | ~(~uint32_t{0} << (32 - t.len)); }
  Signatures& push(Tok t) {
    toks_.push_back(std::move(t));
    return *this;
  }
  std::string render(uint32_t v) const {
    std::string s;
    for (const auto& t : toks_) {
      s += ' ';
      switch (t.kind) {
        case Tok::kLit:
          s += t.text;
          break;
        case Tok::kNum:
          s += std::to_string(static_cast<int32_t>(t.value));
          break;
        case Tok::kId: {
          const std::pair<uint32_t, uint32_t>* mine = nullptr;
          if (t.owners)
            for (const auto& o : *t.owners)
              if (o.first == v) mine = &o;
          if (!mine) {
            s += t.text;
            break;
          }
          s += "@" + std::to_string(mine->second);
          for (const auto& o : *t.owners)
            if (o.first != v) s += "/" + net_.vpcs[o.first].id;  // the other side, named outright
          break;
        }
        default: {
          const Block* b = block_of(t.value, last(t));
          if (b && b->vpc == v)
            s += "@b" + std::to_string(b->index) + "+" + std::to_string(t.value - b->lo);
          else if (t.kind == Tok::kPub && !b)
            s += "p" + std::to_string(pieces_.piece(Ipv4Address{t.value}));
          else
            s += std::to_string(t.value);
          if (t.kind == Tok::kCidr) s += "/" + std::to_string(t.len);
        }
      }
    }
    return s;
  }

  const model::Network& net_;
  const AddressPieces& pieces_;
  std::vector<std::vector<std::string>> sig_;
  std::unordered_map<std::string, uint32_t> vpc_ix_;
  std::unordered_map<uint32_t, uint32_t> next_local_;
  Owners owners_;
  std::vector<Block> blocks_;
  std::set<std::pair<uint32_t, uint32_t>> covering_;
  std::vector<Tok> toks_;
  std::vector<uint32_t> about_;
};

const char* dir(Direction d) { return d == Direction::kIngress ? "in" : "out"; }

void own_all(const model::Network& net, Signatures& s) {
  for (const auto& v : net.vpcs) s.own(v.id, v.id);
  for (const auto& x : net.subnets) s.own(x.id, x.vpc);
  for (const auto& x : net.route_tables) s.own(x.id, x.vpc);
  for (const auto& x : net.internet_gateways) s.own(x.id, x.vpc);
  for (const auto& x : net.nat_gateways)
    if (const auto* sub = net.subnet(x.subnet)) s.own(x.id, sub->vpc);
  for (const auto& x : net.peerings) {
    s.own(x.id, x.requester.vpc);
    s.own(x.id, x.accepter.vpc);
  }
  for (const auto& x : net.transit_gateway_attachments)
    if (x.resource_type == "vpc") s.own(x.id, x.resource_id);
  for (const auto& x : net.vpn_gateways) s.own(x.id, x.vpc);
  for (const auto& x : net.security_groups) s.own(x.id, x.vpc);
  for (const auto& x : net.network_acls) s.own(x.id, x.vpc);
  for (const auto& x : net.vpc_endpoints) s.own(x.id, x.vpc);
  for (const auto& x : net.network_interfaces) s.own(x.id, x.vpc);
  for (const auto& x : net.elastic_ips)
    if (const auto* e = net.network_interface(x.network_interface)) s.own(x.allocation_id, e->vpc);
  for (const auto& x : net.instances)
    if (const auto* sub = net.subnet(x.subnet)) s.own(x.id, sub->vpc);
  for (const auto& x : net.load_balancers) s.own(x.arn, x.vpc);
}

// Ties between routes of one destination go to the first listed: its rank
// among them is part of the route.
template <class R>
std::vector<long> ranks(const std::vector<R>& routes) {
  std::map<std::pair<std::string, std::string>, long> seen;
  std::vector<long> out;
  for (const auto& r : routes)
    out.push_back(seen[{r.destination ? r.destination->str() : "", r.destination_prefix_list}]++);
  return out;
}

// Every field the walk reads must be written here (or its VPC poisoned):
// a field left out would let two VPCs that it tells apart share a shape.
// Left out on purpose: names, tags and origins (but accounts and Regions),
// DNS (hosted zones), Auto Scaling (its members are instances).
void write_all(const model::Network& net, Signatures& s) {
  for (const auto& v : net.vpcs) {
    s.lit("vpc").id(v.id).lit(v.origin.account).lit(v.origin.region).cidrs(v.cidrs);
    s.lit(v.enable_dns_support).lit(v.enable_dns_hostnames).id(v.main_route_table).id(v.default_security_group);
    s.id(v.default_network_acl).id(v.internet_gateway).end();
  }
  for (const auto& x : net.subnets) {
    s.lit("subnet").id(x.id).id(x.vpc).lit(x.origin.account).cidr(x.cidr).lit(x.availability_zone);
    s.lit(x.map_public_ip_on_launch).id(x.route_table).lit(x.route_table_explicit).id(x.network_acl).end();
  }
  for (const auto& t : net.route_tables) {
    s.lit("rtb").id(t.id).id(t.vpc).lit(t.main).end();
    for (size_t k = 0; k < t.routes.size(); ++k) {
      const auto& r = t.routes[k];
      s.lit("route").id(t.id).lit(static_cast<long>(k)).cidr(r.destination).lit(r.destination_ipv6);
      s.id(r.destination_prefix_list).cidrs(r.prefix_list_cidrs).lit(static_cast<long>(r.target_kind));
      s.id(r.target_id).lit(static_cast<long>(r.state)).lit(r.propagated).end();
    }
  }
  for (const auto& x : net.internet_gateways) s.lit("igw").id(x.id).id(x.vpc).end();
  for (const auto& x : net.nat_gateways)
    s.lit("nat")
        .id(x.id)
        .id(x.subnet)
        .id(x.network_interface)
        .addr(x.private_ip)
        .pub(x.public_ip)
        .lit(x.is_public)
        .end();
  for (const auto& x : net.elastic_ips) s.lit("eip").id(x.allocation_id).pub(x.public_ip).id(x.network_interface).end();
  for (const auto& x : net.peerings) {
    s.lit("pcx").id(x.id);
    for (const auto* side : {&x.requester, &x.accepter})
      s.id(side->vpc).lit(side->account).lit(side->region).lit(side->allow_dns_resolution_from_remote_vpc);
    s.lit(static_cast<long>(x.state)).lit(x.accepted).end();
  }
  for (const auto& x : net.transit_gateways) {
    s.lit("tgw").id(x.id).lit(x.origin.account).lit(x.origin.region).lit(x.amazon_side_asn);
    s.lit(x.default_route_table_association).lit(x.default_route_table_propagation);
    s.lit(x.auto_accept_shared_attachments).lit(x.dns_support).id(x.association_default_route_table);
    s.id(x.propagation_default_route_table).lit(x.state).end();
  }
  for (const auto& x : net.transit_gateway_attachments) {
    s.lit("tgw-attach").id(x.id).lit(x.origin.account).lit(x.origin.region).id(x.transit_gateway).lit(x.resource_type);
    s.id(x.resource_id).lit(x.resource_owner).ids(x.subnets).lit(x.appliance_mode_support).lit(x.dns_support);
    s.lit(x.default_association).lit(x.default_propagation).lit(x.state).id(x.route_table);
    s.lit(x.route_table_explicit).lit(x.from_input).id(x.peer_route_table).lit(x.peer_route_table_explicit);
    s.lit(x.peer_region).lit(x.accepted).end();
  }
  for (const auto& x : net.resource_shares) {
    s.lit("share").lit(x.arn).lit(x.allow_external_principals).lit(x.invitation_accepted);
    for (const auto& p : x.principals) s.lit(p);
    s.end();
    // One element per resource: a share of many VPCs' subnets is about each apart.
    for (const auto& a : x.resource_arns)
      s.lit("shared")
          .lit(x.arn)
          .lit(std::string_view(a).substr(0, a.rfind('/') + 1))
          .id(std::string_view(a).substr(a.rfind('/') + 1))
          .end();
  }
  for (const auto& t : net.transit_gateway_route_tables) {
    s.lit("tgw-rtb").id(t.id).id(t.transit_gateway).lit(t.implicit).lit(t.routes_known).end();
    for (const auto& p : t.propagations) s.lit("tgw-prop").id(t.id).id(p.attachment).lit(p.implicit).end();
    auto rank = ranks(t.routes);
    for (size_t k = 0; k < t.routes.size(); ++k) {
      const auto& r = t.routes[k];
      s.lit("tgw-route").id(t.id).lit(rank[k]).cidr(r.destination).id(r.destination_prefix_list);
      s.cidrs(r.prefix_list_cidrs).id(r.attachment).lit(r.blackhole).lit(r.propagated).end();
    }
  }
  for (const auto& x : net.customer_gateways)
    s.lit("cgw").id(x.id).lit(x.ip_address).lit(x.bgp_asn).lit(x.type).lit(x.state).end();
  for (const auto& x : net.vpn_gateways) {
    s.lit("vgw").id(x.id).lit(x.type).lit(x.amazon_side_asn).id(x.vpc).lit(x.state).end();
    for (size_t k = 0; k < x.routes.size(); ++k) {
      const auto& r = x.routes[k];
      s.lit("vgw-route")
          .id(x.id)
          .lit(static_cast<long>(k))
          .cidr(r.destination)
          .id(r.connection)
          .lit(r.static_route)
          .end();
    }
  }
  for (const auto& x : net.vpn_connections) {
    s.lit("vpn").id(x.id).id(x.customer_gateway).id(x.vpn_gateway).id(x.transit_gateway).lit(x.type);
    s.lit(x.static_routes_only).lit(x.state).id(x.transit_gateway_attachment);
    for (const auto& t : x.tunnels) s.lit(t);
    s.end();
    for (const auto& r : x.routes) s.lit("vpn-route").id(x.id).cidr(r.destination).lit(r.state).end();
    for (const auto& a : x.advertised) s.lit("vpn-advertised").id(x.id).cidr(a).end();
  }
  for (const auto& x : net.vpn_gateway_route_propagations)
    s.lit("vgw-propagation").id(x.vpn_gateway).id(x.route_table).lit(x.from_input).end();
  for (const auto& x : net.on_premises) {
    s.lit("on-prem").lit(x.name).id(x.customer_gateway).end();
    for (size_t k = 0; k < x.cidrs.size(); ++k)
      s.lit("on-prem-cidr").lit(x.name).lit(static_cast<long>(k)).cidr(x.cidrs[k]).end();
  }
  for (const auto& g : net.security_groups) {
    s.lit("sg").id(g.id).id(g.vpc).lit(g.origin.account).lit(g.is_default).end();
    for (const auto* list : {&g.ingress, &g.egress})
      for (const auto& r : *list) {
        s.lit("sg-rule").id(g.id).lit(dir(r.direction)).lit(r.protocol).lit(r.ports.from).lit(r.ports.to);
        s.lit(r.icmp_type).lit(r.icmp_code).cidr(r.cidr).lit(r.cidr_ipv6).id(r.group_id).lit(r.group_owner);
        s.id(r.prefix_list_id).cidrs(r.prefix_list_cidrs).end();
      }
  }
  for (const auto& p : net.prefix_lists) {
    s.lit("pl").id(p.id).lit(p.address_family).lit(p.max_entries).lit(p.owner_id).end();
    for (const auto& e : p.entries)
      s.lit("pl-entry").id(p.id).cidr(e.cidr).lit(e.cidr ? std::string_view() : std::string_view(e.text)).end();
  }
  for (const auto& x : net.vpc_endpoints) {
    s.lit("vpce").id(x.id).id(x.vpc).lit(x.service_name).lit(x.type).ids(x.route_tables).ids(x.subnets);
    s.ids(x.security_groups).lit(x.private_dns_enabled).lit(x.state).lit(x.from_input).ids(x.network_interfaces);
    s.id(x.prefix_list).lit(x.dns_name).end();
  }
  for (const auto& a : net.network_acls) {
    s.lit("acl").id(a.id).id(a.vpc).lit(a.is_default).end();
    for (const auto* list : {&a.ingress, &a.egress})
      for (const auto& e : *list) {
        s.lit("acl-entry").id(a.id).lit(e.rule_number).lit(dir(e.direction)).lit(e.allow).lit(e.protocol);
        s.lit(e.ports.from).lit(e.ports.to).lit(e.icmp_type).lit(e.icmp_code).cidr(e.cidr).lit(e.cidr_ipv6).end();
      }
  }
  for (const auto& e : net.network_interfaces) {
    s.lit("eni").id(e.id).id(e.subnet).id(e.vpc).addr(e.private_ip);
    for (auto a : e.secondary_private_ips) s.addr(a);
    s.lit(";").pub(e.public_ip).ids(e.security_groups).lit(static_cast<long>(e.owner_kind)).id(e.owner_id);
    s.lit(e.source_dest_check).end();
  }
  for (const auto& i : net.instances) {
    s.lit("instance").id(i.id).id(i.subnet).ids(i.network_interfaces).addr(i.private_ip).pub(i.public_ip);
    s.lit(static_cast<long>(i.state)).end();
  }
  for (const auto& x : net.unmodeled) s.lit("unmodeled").lit(x.type).id(x.id).end();
  // What is not written out here keeps its VPC a shape of its own: load
  // balancers (listeners, rules, attributes) and the targets of target groups.
  for (const auto& lb : net.load_balancers) s.poison_vpc(lb.vpc, "load balancer");
  for (const auto& tg : net.target_groups) {
    s.poison_vpc(tg.vpc, "target group");
    for (const auto& t : tg.targets) {
      if (const auto* i = net.instance(t.id))
        if (const auto* sub = net.subnet(i->subnet)) s.poison_vpc(sub->vpc, "target");
      if (auto a = Ipv4Address::parse(t.id))
        if (const Block* b = s.block_of(a->value, a->value)) s.poison(b->vpc, "target");
    }
  }
}

}  // namespace

VpcShapes::VpcShapes(const Analyzer::Impl& im, const AddressPieces& pieces)
    : im_(im), pieces_(pieces), shape_(im.net.vpcs.size(), 0) {
  Signatures s(im.net, pieces);
  own_all(im.net, s);
  write_all(im.net, s);
  local_.reserve(s.owners().size());
  for (const auto& [id, owners] : s.owners()) local_.emplace(id, owners.front().second);
  std::vector<std::string> sigs = s.finish();
  std::unordered_map<std::string, uint32_t> by_sig;
  for (uint32_t v = 0; v < sigs.size(); ++v) {
    auto [it, fresh] = by_sig.emplace(std::move(sigs[v]), static_cast<uint32_t>(members_.size()));
    if (fresh) members_.emplace_back();
    shape_[v] = it->second;
    members_[it->second].push_back(&im.net.vpcs[v]);
  }
}

uint32_t VpcShapes::shape(const model::Vpc* vpc) const { return vpc ? shape_[im_.vpc_index(vpc)] : UINT32_MAX; }

std::string VpcShapes::local(const std::string& id) const {
  auto it = local_.find(id);
  return it == local_.end() ? id : "#" + std::to_string(it->second);
}

std::string VpcShapes::relative_piece(const model::Vpc* vpc, Ipv4Address a) const {
  if (vpc)
    for (size_t k = 0; k < vpc->cidrs.size(); ++k)
      if (vpc->cidrs[k].contains(a))
        return std::to_string(k) + ":" + std::to_string(pieces_.piece(a) - pieces_.piece(vpc->cidrs[k].first()));
  return "a" + std::to_string(pieces_.piece(a));
}

}  // namespace vpclab::analysis
