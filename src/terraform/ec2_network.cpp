// Terraform -> model, EC2 networking: aws_vpc, aws_default_vpc,
// aws_vpc_ipv4_cidr_block_association, aws_subnet, aws_default_subnet,
// aws_internet_gateway (+ _attachment), aws_eip (+ _association),
// aws_nat_gateway, aws_vpc_peering_connection (+ _accepter, _options),
// aws_route_table, aws_default_route_table, aws_route,
// aws_route_table_association, aws_main_route_table_association.
#include <fmt/format.h>

#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kPcxTypes = {"aws_vpc_peering_connection", "aws_vpc_peering_connection_accepter"};
}  // namespace

// ---- VPCs and subnets ---------------------------------------------------------------

void Reader::add_vpc(Resource& r) {
  Node n = top(r);
  const bool adopted = r.type == "aws_default_vpc";
  model::Vpc v;
  v.id = r.id;
  v.origin = origin(r);
  v.name = name_tag(n);
  Want quiet;
  quiet.quiet = adopted;
  if (auto c = str(n, "cidr_block", quiet)) {
    if (auto b = cidr(n, "cidr_block", *c)) {
      v.cidrs.push_back(*b);
      v.cidr_locs.push_back(loc_of(n, "cidr_block"));
    }
  } else if (adopted) {
    // The default VPC's block is computed: AWS's default one.
    v.cidrs.push_back(*Ipv4Cidr::parse("172.31.0.0/16"));
    v.cidr_locs.push_back(loc_of(n));
  }
  Want dns;
  dns.quiet = true;  // unset: AWS's default
  auto flag = [&](const char* key, bool dflt) {
    auto s = str(n, key, dns);
    return s ? *s == "true" : dflt;
  };
  v.enable_dns_support = flag("enable_dns_support", true);
  // aws_vpc leaves enable_dns_hostnames to AWS (false); aws_default_vpc sets true.
  v.enable_dns_hostnames = flag("enable_dns_hostnames", adopted);
  v.main_route_table = r.attrs["main_route_table_id"];
  v.default_security_group = r.attrs["default_security_group_id"];
  v.default_network_acl = r.attrs["default_network_acl_id"];
  vpc_ix_[v.id] = net_.vpcs.size();
  net_.vpcs.push_back(std::move(v));
}

void Reader::add_vpc_cidr(Resource& r) {
  Node n = top(r);
  std::string vid = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  model::Vpc* v = find(net_.vpcs, vpc_ix_, vid);
  if (!v) return ref_missing(n, "vpc_id", vid, "VPC");
  auto c = str(n, "cidr_block");
  if (!c) return;  // IPAM-allocated: TF_UNKNOWN noted
  if (auto b = cidr(n, "cidr_block", *c)) {
    v->cidrs.push_back(*b);
    v->cidr_locs.push_back(loc_of(n, "cidr_block"));
  }
}

void Reader::add_subnet(Resource& r) {
  Node n = top(r);
  model::Subnet s;
  s.id = r.id;
  s.origin = origin(r);
  s.name = name_tag(n);
  s.vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  if (s.vpc.empty()) {
    warning(n, "vpc_id", "TF_REF_MISSING", "the subnet's VPC is not known from the plan; subnet left out");
    return;
  }
  if (!vpc_ix_.count(s.vpc)) return ref_missing(n, "vpc_id", s.vpc, "VPC");
  auto c = str(n, "cidr_block");
  if (!c) {
    warning(n, "cidr_block", "TF_UNKNOWN", "the subnet's CIDR block is not known from the plan; subnet left out");
    return;
  }
  auto b = cidr(n, "cidr_block", *c);
  if (!b) return;
  s.cidr = *b;
  s.cidr_loc = loc_of(n, "cidr_block");
  Want quiet;
  quiet.quiet = true;
  s.availability_zone = str(n, "availability_zone", quiet).value_or(ctx_.region + "a");
  s.map_public_ip_on_launch = str(n, "map_public_ip_on_launch", quiet).value_or("false") == "true";
  subnet_ix_[s.id] = net_.subnets.size();
  net_.subnets.push_back(std::move(s));
}

// ---- gateways and addresses -------------------------------------------------------------

void Reader::add_internet_gateway(Resource& r) {
  Node n = top(r);
  model::InternetGateway g;
  g.id = r.id;
  g.origin = origin(r);
  if (expr(n, "vpc_id") || (n.v && n.v->get("vpc_id"))) g.vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  igw_ix_[g.id] = net_.internet_gateways.size();
  net_.internet_gateways.push_back(std::move(g));
}

void Reader::add_igw_attachment(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = {"aws_internet_gateway"};
  auto gid = str(n, "internet_gateway_id", w);
  model::InternetGateway* g = gid ? find(net_.internet_gateways, igw_ix_, *gid) : nullptr;
  if (!g) return ref_missing(n, "internet_gateway_id", gid.value_or("?"), "internet gateway");
  g->vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
}

void Reader::add_eip(Resource& r) {
  Node n = top(r);
  model::ElasticIp e;
  e.allocation_id = r.id;
  e.origin = origin(r);
  Want quiet;
  quiet.quiet = true;
  std::optional<Ipv4Address> ip;
  if (auto s = str(n, "public_ip", quiet)) ip = Ipv4Address::parse(*s);
  if (ip && plan_.reserve_public(*ip)) e.public_ip = *ip;
  else if (auto a = plan_.allocate_public()) e.public_ip = *a;
  r.attrs["public_ip"] = e.public_ip.str();
  eip_ix_[e.allocation_id] = net_.elastic_ips.size();
  net_.elastic_ips.push_back(std::move(e));
}

// `instance` / `network_interface` of an aws_eip, once those exist.
void Reader::eip_targets(Resource& r) {
  Node n = top(r);
  model::ElasticIp* e = find(net_.elastic_ips, eip_ix_, r.id);
  if (!e) return;
  Want wi, we;
  wi.types = {"aws_instance"};
  we.types = {"aws_network_interface"};
  wi.quiet = we.quiet = true;
  if (auto eni = str(n, "network_interface", we)) {
    if (eni_ix_.count(*eni)) e->network_interface = *eni;
    else ref_missing(n, "network_interface", *eni, "network interface");
  } else if (auto i = str(n, "instance", wi)) {
    model::Instance* inst = find(net_.instances, instance_ix_, *i);
    if (!inst) return ref_missing(n, "instance", *i, "instance");
    if (!inst->network_interfaces.empty()) e->network_interface = inst->network_interfaces.front();
  }
}

void Reader::add_eip_association(Resource& r) {
  Node n = top(r);
  Want wa;
  wa.types = {"aws_eip"};
  wa.attr = "allocation_id";
  auto alloc = str(n, "allocation_id", wa);
  model::ElasticIp* e = alloc ? find(net_.elastic_ips, eip_ix_, *alloc) : nullptr;
  if (!e) {
    if (auto ip = str(n, "public_ip"))
      for (auto& x : net_.elastic_ips)
        if (x.public_ip.str() == *ip) e = &x;
  }
  if (!e) return ref_missing(n, "allocation_id", alloc.value_or("?"), "Elastic IP");
  Want wi, we;
  wi.types = {"aws_instance"};
  we.types = {"aws_network_interface"};
  if (auto eni = str(n, "network_interface_id", we)) {
    if (!eni_ix_.count(*eni)) return ref_missing(n, "network_interface_id", *eni, "network interface");
    e->network_interface = *eni;
  } else if (auto i = str(n, "instance_id", wi)) {
    model::Instance* inst = find(net_.instances, instance_ix_, *i);
    if (!inst) return ref_missing(n, "instance_id", *i, "instance");
    if (!inst->network_interfaces.empty()) e->network_interface = inst->network_interfaces.front();
  }
}

void Reader::add_nat_gateway(Resource& r) {
  Node n = top(r);
  model::NatGateway g;
  g.id = r.id;
  g.origin = origin(r);
  g.subnet = id_or_only(n, "subnet_id", kSubnetTypes, "subnet");
  Want quiet;
  quiet.quiet = true;
  g.is_public = str(n, "connectivity_type", quiet).value_or("public") != "private";
  if (auto ip = str(n, "private_ip", quiet))
    if (auto a = Ipv4Address::parse(*ip)) g.private_ip = *a;
  model::NetworkInterface e;
  e.id = model::make_id("eni", {g.id});
  e.origin = g.origin;
  e.subnet = g.subnet;
  e.private_ip = g.private_ip;
  e.owner_kind = model::EniOwnerKind::kNatGateway;
  e.owner_id = g.id;
  e.source_dest_check = false;
  model::Subnet* s = find(net_.subnets, subnet_ix_, g.subnet);
  if (!s) {
    ref_missing(n, "subnet_id", g.subnet, "subnet");
    return;
  }
  e.vpc = s->vpc;
  if (e.private_ip.value) plan_.reserve(*s, e.private_ip);
  if (g.is_public) {
    Want wa;
    wa.types = {"aws_eip"};
    wa.attr = "allocation_id";
    wa.quiet = true;
    std::string alloc = str(n, "allocation_id", wa).value_or("");
    if (alloc.empty() || !eip_ix_.count(alloc)) {
      // Modules pass the address through a local: the Elastic IP of the same
      // index in the module is the one a public NAT gateway needs.
      Resource* pick = nullptr;
      size_t eips = 0;
      for (auto& x : resources_)
        if (x->type == "aws_eip" && x->module == r.module) {
          ++eips;
          if (x->key == r.key) pick = x.get();
        }
      if (!pick && eips == 1)
        for (auto& x : resources_)
          if (x->type == "aws_eip" && x->module == r.module) pick = x.get();
      if (pick) {
        alloc = pick->id;
        note(n, "allocation_id", "TF_ASSUMED",
             fmt::format("allocation_id is not known from the plan; assumed the Elastic IP {}", pick->address));
      } else {
        unknown_note(n, "allocation_id", last_why_);
      }
    }
    if (model::ElasticIp* x = find(net_.elastic_ips, eip_ix_, alloc)) {
      x->network_interface = e.id;
      e.public_ip = x->public_ip;
      g.public_ip = x->public_ip;
    }
  }
  g.network_interface = e.id;
  eni_ix_[e.id] = net_.network_interfaces.size();
  net_.network_interfaces.push_back(std::move(e));
  nat_ix_[g.id] = net_.nat_gateways.size();
  net_.nat_gateways.push_back(std::move(g));
}

// ---- peering ---------------------------------------------------------------------------

void Reader::set_peering_dns(const Node& n, model::VpcPeeringConnection& p) {
  for (const char* side : {"requester", "accepter"})
    for (const Node& b : blocks(n, side)) {
      Want quiet;
      quiet.quiet = true;
      bool allow = str(b, "allow_remote_vpc_dns_resolution", quiet).value_or("false") == "true";
      (std::string(side) == "requester" ? p.requester : p.accepter).allow_dns_resolution_from_remote_vpc = allow;
    }
}

void Reader::add_peering(Resource& r) {
  Node n = top(r);
  model::VpcPeeringConnection p;
  p.id = r.id;
  p.origin = origin(r);
  Want w, quiet;
  w.types = kVpcTypes;
  quiet.quiet = true;
  p.requester.vpc = str(n, "vpc_id", w).value_or("");
  p.requester.account = ctx_.account;
  p.requester.region = ctx_.region;
  p.accepter.vpc = str(n, "peer_vpc_id", w).value_or("");
  p.accepter.account = str(n, "peer_owner_id", quiet).value_or(ctx_.account);
  p.accepter.region = str(n, "peer_region", quiet).value_or(ctx_.region);
  if (p.accepter.account.empty()) p.accepter.account = ctx_.account;
  if (p.accepter.region.empty()) p.accepter.region = ctx_.region;
  set_peering_dns(n, p);
  std::string status = str(n, "accept_status", quiet).value_or("");
  bool auto_accept = str(n, "auto_accept", quiet).value_or("false") == "true";
  if (status == "active") {
    p.state = model::PeeringState::kActive;
    p.state_from_input = true;
  } else if (status == "pending-acceptance" || !auto_accept) {
    // Terraform accepts only with auto_accept (same account and region) or
    // an aws_vpc_peering_connection_accepter; that resource flips it.
    p.state = model::PeeringState::kPendingAcceptance;
    p.state_reason = "auto_accept is not set and no aws_vpc_peering_connection_accepter accepts it";
    p.state_from_input = true;
  } else {
    p.accepted = true;
    if (p.accepter.account != ctx_.account || p.accepter.region != ctx_.region)
      warning(n, "auto_accept", "TF_VALUE",
              "auto_accept works only within one account and region; this peering stays pending-acceptance");
  }
  pcx_ix_[p.id] = net_.peerings.size();
  net_.peerings.push_back(std::move(p));
}

void Reader::add_peering_accepter(Resource& r) {
  Node n = top(r);
  Want w, quiet;
  w.types = {"aws_vpc_peering_connection"};
  quiet.quiet = true;
  auto id = str(n, "vpc_peering_connection_id", w);
  model::VpcPeeringConnection* p = id ? find(net_.peerings, pcx_ix_, *id) : nullptr;
  if (!p) return ref_missing(n, "vpc_peering_connection_id", id.value_or("?"), "peering connection");
  r.attrs["id"] = p->id;
  if (str(n, "auto_accept", quiet).value_or("false") == "true" ||
      str(n, "accept_status", quiet).value_or("") == "active") {
    p->accepted = true;
    p->state = model::PeeringState::kActive;
    p->state_reason.clear();
    p->state_from_input = false;
  }
  set_peering_dns(n, *p);
}

void Reader::add_peering_options(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = kPcxTypes;
  auto id = str(n, "vpc_peering_connection_id", w);
  model::VpcPeeringConnection* p = id ? find(net_.peerings, pcx_ix_, *id) : nullptr;
  if (!p) return ref_missing(n, "vpc_peering_connection_id", id.value_or("?"), "peering connection");
  set_peering_dns(n, *p);
}

// ---- route tables ------------------------------------------------------------------------

std::optional<Route> Reader::route_of(const Node& n, bool standalone) {
  Route route;
  route.loc = loc_of(n);
  Want quiet;
  quiet.quiet = true;
  auto dest = str(n, standalone ? "destination_cidr_block" : "cidr_block", quiet);
  auto dest6 = str(n, standalone ? "destination_ipv6_cidr_block" : "ipv6_cidr_block", quiet);
  auto dest_pl = str(n, "destination_prefix_list_id", quiet);
  if (dest) {
    route.destination = cidr(n, standalone ? "destination_cidr_block" : "cidr_block", *dest);
    if (!route.destination) return std::nullopt;
  } else if (dest6) {
    route.destination_ipv6 = *dest6;
  } else if (dest_pl) {
    route.destination_prefix_list = *dest_pl;
  } else {
    unknown_note(n, standalone ? "destination_cidr_block" : "cidr_block", "");
    return std::nullopt;
  }
  struct Target {
    const char* key;
    RouteTargetKind kind;
    std::vector<std::string_view> types;
  };
  static const Target targets[] = {
      {"gateway_id", RouteTargetKind::kInternetGateway, {"aws_internet_gateway", "aws_vpn_gateway"}},
      {"nat_gateway_id", RouteTargetKind::kNatGateway, {"aws_nat_gateway"}},
      {"vpc_peering_connection_id", RouteTargetKind::kVpcPeeringConnection, kPcxTypes},
      {"network_interface_id", RouteTargetKind::kNetworkInterface, {"aws_network_interface"}},
      {"instance_id", RouteTargetKind::kInstance, {"aws_instance"}},
      {"transit_gateway_id", RouteTargetKind::kTransitGateway, {"aws_ec2_transit_gateway"}},
      {"vpc_endpoint_id", RouteTargetKind::kVpcEndpoint, {"aws_vpc_endpoint"}},
      {"egress_only_gateway_id", RouteTargetKind::kEgressOnlyInternetGateway, {"aws_egress_only_internet_gateway"}},
      {"carrier_gateway_id", RouteTargetKind::kCarrierGateway, {"aws_ec2_carrier_gateway"}},
      {"local_gateway_id", RouteTargetKind::kLocalGateway, {}},
      {"core_network_arn", RouteTargetKind::kCoreNetwork, {}},
  };
  int found = 0;
  for (const auto& t : targets) {
    Want w;
    w.types = t.types;
    w.quiet = true;
    auto id = str(n, t.key, w);
    if (!id || id->empty()) continue;
    ++found;
    route.target_kind = t.kind;
    route.target_id = *id;
  }
  if (found == 0) {
    warning(n, "", "TF_UNKNOWN", "the route's target is not known from the plan; route left out");
    return std::nullopt;
  }
  if (found > 1) {
    error(n, "", "TF_VALUE", "a route needs exactly one target");
    return std::nullopt;
  }
  // The provider reads a vgw- or vpce- id given as gateway_id for what it is.
  if (route.target_kind == RouteTargetKind::kInternetGateway && route.target_id.rfind("vgw-", 0) == 0)
    route.target_kind = RouteTargetKind::kVpnGateway;
  if (route.target_kind == RouteTargetKind::kInternetGateway && route.target_id.rfind("vpce-", 0) == 0)
    route.target_kind = RouteTargetKind::kVpcEndpoint;
  return route;
}

void Reader::add_route_table(Resource& r) {
  Node n = top(r);
  model::RouteTable t;
  t.id = r.id;
  t.origin = origin(r);
  t.name = name_tag(n);
  t.vpc = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  // Inline routes are authoritative: the table holds these and its local routes.
  add_table_with_inline_routes(std::move(t), n);
}

// The table's inline `route` blocks are its routes (with the local ones):
// separate aws_route resources on it then conflict.
void Reader::add_table_with_inline_routes(model::RouteTable t, const Node& n) {
  auto routes = blocks(n, "route");
  if (!routes.empty()) inline_rules_.insert(t.id);
  for (const Node& b : routes)
    if (auto route = route_of(b, false)) t.routes.push_back(std::move(*route));
  propagating_vgws(n, t.id);
  rtb_ix_[t.id] = net_.route_tables.size();
  net_.route_tables.push_back(std::move(t));
}

// Adopting the main table deletes every route but the local ones, then adds
// the written ones.
void Reader::add_default_route_table(Resource& r) {
  Node n = top(r);
  Want w;
  w.types = kVpcTypes;
  w.attr = "default_route_table_id";
  auto id = str(n, "default_route_table_id", w);
  if (!id) return;
  model::RouteTable t;
  t.id = *id;
  t.origin = origin(r);
  t.name = name_tag(n);
  t.main = true;
  for (auto& v : net_.vpcs)
    if (v.main_route_table == t.id) t.vpc = v.id;
  if (t.vpc.empty()) return ref_missing(n, "default_route_table_id", t.id, "VPC main route table");
  r.id = t.id;
  by_id_[t.id] = &r;
  add_table_with_inline_routes(std::move(t), n);
}

void Reader::add_route(Resource& r) {
  Node n = top(r);
  std::string tid = id_or_only(n, "route_table_id", kRtbTypes, "route table");
  model::RouteTable* t = find(net_.route_tables, rtb_ix_, tid);
  if (!t) {
    // The VPC's implicit main table (named by aws_vpc.x.main_route_table_id).
    for (auto& v : net_.vpcs)
      if (v.main_route_table == tid) {
        model::RouteTable m;
        m.id = tid;
        m.origin = v.origin;
        m.origin.logical_id.clear();
        m.vpc = v.id;
        m.main = true;
        rtb_ix_[m.id] = net_.route_tables.size();
        net_.route_tables.push_back(std::move(m));
        t = &net_.route_tables.back();
      }
  }
  if (!t) return ref_missing(n, "route_table_id", tid, "route table");
  mixed_rules(t->id, n, "route table");
  if (auto route = route_of(n, true)) t->routes.push_back(std::move(*route));
}

void Reader::add_rtb_association(Resource& r) {
  Node n = top(r);
  Want ws, wg, quiet;
  ws.types = kSubnetTypes;
  wg.types = {"aws_internet_gateway", "aws_vpn_gateway"};
  wg.quiet = true;
  std::string tid = id_or_only(n, "route_table_id", kRtbTypes, "route table");
  if (auto sid = str(n, "subnet_id", ws)) {
    model::Subnet* s = find(net_.subnets, subnet_ix_, *sid);
    if (!s) return ref_missing(n, "subnet_id", *sid, "subnet");
    if (s->route_table_explicit)
      return error(n, "subnet_id", "SUBNET_RTB_ASSOCIATED",
                   fmt::format("subnet {} is already associated with route table {}", s->origin.display(s->id),
                               s->route_table));
    s->route_table = tid;
    s->route_table_explicit = true;
  } else if (!str(n, "gateway_id", wg)) {
    warning(n, "subnet_id", "TF_UNKNOWN", "the association's subnet is not known from the plan; ignored");
  }
  // Gateway route tables (edge associations) are not modeled.
}

void Reader::add_main_rtb_association(Resource& r) {
  Node n = top(r);
  std::string vid = id_or_only(n, "vpc_id", kVpcTypes, "VPC");
  std::string tid = id_or_only(n, "route_table_id", kRtbTypes, "route table");
  model::Vpc* v = find(net_.vpcs, vpc_ix_, vid);
  if (!v) return ref_missing(n, "vpc_id", vid, "VPC");
  if (!rtb_ix_.count(tid)) return ref_missing(n, "route_table_id", tid, "route table");
  for (auto& t : net_.route_tables)
    if (t.id == v->main_route_table) t.main = false;
  v->main_route_table = tid;
}

}  // namespace vpclab::terraform
