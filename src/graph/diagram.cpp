// build_diagram(): the network as frames and components, in the nesting AWS
// diagrams use (account > Region > VPC > AZ > subnet). Order follows the
// model's vectors, which follow the input, so the picture is deterministic.
#include "graph/diagram.h"

#include <algorithm>
#include <cctype>

#include "semantics/subnet_kind.h"

namespace vpclab::graph {

std::string element_id(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) c = '_';
  return out;
}

std::string vpc_anchor(const std::string& vpc_id) { return "anchor-" + element_id(vpc_id); }

Node* Diagram::node(const std::string& id) {
  for (auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}
const Node* Diagram::node(const std::string& id) const { return const_cast<Diagram*>(this)->node(id); }

static Frame* find_frame(std::vector<Frame>& frames, const std::string& id) {
  for (auto& f : frames) {
    if (f.id == id) return &f;
    if (Frame* c = find_frame(f.frames, id)) return c;
  }
  return nullptr;
}
Frame* Diagram::frame(const std::string& id) { return find_frame(frames, id); }

Edge* Diagram::edge(const std::string& id) {
  for (auto& e : edges)
    if (e.id == id) return &e;
  return nullptr;
}

static void frames_of(const std::vector<Frame>& frames, const std::string& aws_id, std::vector<std::string>& out) {
  for (const auto& f : frames) {
    if (f.aws_id == aws_id) out.push_back(f.id);
    frames_of(f.frames, aws_id, out);
  }
}
std::vector<std::string> Diagram::elements_of(const std::string& aws_id) const {
  std::vector<std::string> out;
  if (aws_id.empty()) return out;
  for (const auto& n : nodes)
    if (n.aws_id == aws_id) out.push_back(n.id);
  frames_of(frames, aws_id, out);
  for (const auto& e : edges)
    if (e.aws_id == aws_id) out.push_back(e.id);
  return out;
}

namespace {

std::string loc_text(const SourceLoc& loc) { return loc.known() ? loc.str() : ""; }

void add_row(Details& d, const std::string& k, const std::string& v) {
  if (!v.empty()) d.rows.emplace_back(k, v);
}

std::string name_or(const std::string& name, const model::Origin& o, const std::string& id) {
  return !name.empty() ? name : o.display(id);
}

class Builder {
 public:
  explicit Builder(const model::Network& net) : net_(net) {}

  Diagram build() {
    d_.title = "vpclab";
    for (const auto& v : net_.vpcs) add_vpc(v);
    for (const auto& s : net_.subnets) add_subnet(s);
    for (const auto& i : net_.instances) add_instance(i);
    for (const auto& n : net_.nat_gateways) add_nat(n);
    for (const auto& lb : net_.load_balancers) add_load_balancer(lb);
    for (const auto& g : net_.internet_gateways) add_internet_gateway(g);
    for (const auto& e : net_.vpc_endpoints) add_vpc_endpoint(e);
    for (const auto& p : net_.peerings) add_peering(p);
    for (const auto& t : net_.transit_gateways) add_transit_gateway(t);
    for (const auto& a : net_.transit_gateway_attachments) add_attachment(a);
    for (const auto& g : net_.vpn_gateways) add_vpn_gateway(g);
    for (const auto& o : net_.on_premises) add_on_premises(o);
    for (const auto& c : net_.vpn_connections) add_vpn_connection(c);
    for (const auto& z : net_.hosted_zones) add_hosted_zone(z);
    for (auto& f : d_.frames) fill_empty(f);
    return std::move(d_);
  }

 private:
  // The frame `id` among `frames`, added (with `label`) when absent.
  static Frame& child(std::vector<Frame>& frames, const std::string& id, const std::string& kind,
                      const std::string& label, const std::string& title_prefix, const std::string& aws_id = "") {
    for (auto& f : frames)
      if (f.id == id) return f;
    Frame f{id, kind, {label}, aws_id, {title_prefix + label, {}}, {}, {}, {}};
    frames.push_back(std::move(f));
    return frames.back();
  }
  static std::string or_unknown(const std::string& s, const char* unknown) { return s.empty() ? unknown : s; }

  Frame& account(const std::string& id) {
    return child(d_.frames, "account-" + element_id(or_unknown(id, "unknown")), "account",
                 "AWS account " + or_unknown(id, "(unknown)"), "", id);
  }
  Frame& region(const std::string& acct, const std::string& region) {
    Frame& a = account(acct);
    return child(a.frames, a.id + "-region-" + element_id(or_unknown(region, "unknown")), "region",
                 "Region " + or_unknown(region, "(unknown)"), "");
  }

  Node& add_node(Node n, Frame* in) {
    if (in) in->nodes.push_back(n.id);
    d_.nodes.push_back(std::move(n));
    return d_.nodes.back();
  }

  void add_vpc(const model::Vpc& v) {
    Frame& r = region(v.origin.account, v.origin.region);
    Frame f;
    f.id = element_id(v.id);
    f.kind = "vpc";
    f.aws_id = v.id;
    std::string cidrs;
    for (const auto& c : v.cidrs) cidrs += (cidrs.empty() ? "" : ", ") + c.str();
    f.label = {"VPC " + name_or(v.name, v.origin, v.id), cidrs};
    f.details.title = "VPC " + v.origin.display(v.id) + " (" + v.id + ")";
    add_row(f.details, "CIDR", cidrs);
    add_row(f.details, "DNS support", v.enable_dns_support ? "enabled" : "disabled");
    add_row(f.details, "DNS hostnames", v.enable_dns_hostnames ? "enabled" : "disabled");
    add_row(f.details, "Declared at", loc_text(v.origin.loc));
    // A point inside the frame that edges between VPCs end on (clipped at the frame).
    Node a{vpc_anchor(v.id), "anchor", {}, "", {}, {}};
    f.nodes.push_back(a.id);
    d_.nodes.push_back(std::move(a));
    r.frames.push_back(std::move(f));
  }

  Frame* az_frame(const model::Subnet& s) {
    Frame* vpc = d_.frame(element_id(s.vpc));
    if (!vpc) return nullptr;
    std::string fid = vpc->id + "-az-" + element_id(or_unknown(s.availability_zone, "unknown"));
    size_t before = vpc->frames.size();
    child(vpc->frames, fid, "availability-zone", or_unknown(s.availability_zone, "(no AZ)"), "Availability Zone ");
    // Columns in AZ name order, whatever order the subnets came in.
    if (vpc->frames.size() != before)
      std::sort(vpc->frames.begin(), vpc->frames.end(), [](const Frame& a, const Frame& b) { return a.id < b.id; });
    return find_frame(vpc->frames, fid);
  }

  void add_subnet(const model::Subnet& s) {
    Frame* az = az_frame(s);
    if (!az) return;
    const model::RouteTable* rt = net_.route_table(s.route_table);
    bool pub = rt && semantics::routes_to_internet_gateway(rt->routes);
    Frame f;
    f.id = element_id(s.id);
    f.kind = "subnet";
    f.aws_id = s.id;
    f.label = {(pub ? "Public subnet " : "Private subnet ") + name_or(s.name, s.origin, s.id), s.cidr.str()};
    if (pub) f.classes.push_back("public");
    f.details.title = "Subnet " + s.origin.display(s.id) + " (" + s.id + ")";
    add_row(f.details, "CIDR", s.cidr.str());
    add_row(f.details, "Availability Zone", s.availability_zone);
    add_row(f.details, "Route table", rt ? rt->origin.display(rt->id) + (s.route_table_explicit ? "" : " (main)") : "");
    if (rt)
      for (const auto& r : rt->routes)
        add_row(f.details, "Route", (r.destination ? r.destination->str()
                                     : !r.destination_prefix_list.empty() ? r.destination_prefix_list
                                                                           : r.destination_ipv6) +
                                        " -> " + r.target_id);
    if (const auto* acl = net_.network_acl(s.network_acl)) add_row(f.details, "Network ACL", acl->origin.display(acl->id));
    add_row(f.details, "Public", pub ? "yes (route to an internet gateway)" : "no");
    add_row(f.details, "Declared at", loc_text(s.origin.loc));
    az->frames.push_back(std::move(f));
  }

  // The security groups of an ENI as "name (sg-...)" lines.
  std::string groups_of(const std::string& eni) const {
    std::string out;
    if (const auto* e = net_.network_interface(eni))
      for (const auto& g : e->security_groups)
        if (const auto* sg = net_.security_group(g))
          out += (out.empty() ? "" : ", ") + (sg->origin.logical_id.empty() ? sg->group_name : sg->origin.display(g));
    return out;
  }

  void add_instance(const model::Instance& i) {
    Frame* sub = d_.frame(element_id(i.subnet));
    Node n;
    n.id = element_id(i.id);
    n.kind = "instance";
    n.aws_id = i.id;
    std::string name = name_or(i.name, i.origin, i.id);
    if (const auto* g = net_.auto_scaling_group_of(i.id)) name = i.origin.logical_id + " (" + g->name + ")";
    n.label = {name, i.private_ip.str()};
    if (i.public_ip) n.label.push_back("public " + i.public_ip->str());
    if (i.state != model::InstanceState::kRunning)
      n.classes.push_back(i.state == model::InstanceState::kStopped ? "stopped" : "terminated");
    n.details.title = "Instance " + i.origin.display(i.id) + " (" + i.id + ")";
    add_row(n.details, "Name", i.name);
    add_row(n.details, "Private IP", i.private_ip.str());
    add_row(n.details, "Public IP", i.public_ip ? i.public_ip->str() : "");
    add_row(n.details, "Private DNS", i.private_dns_name);
    add_row(n.details, "Security groups", i.network_interfaces.empty() ? "" : groups_of(i.network_interfaces[0]));
    add_row(n.details, "Instance type", i.instance_type);
    add_row(n.details, "Declared at", loc_text(i.origin.loc));
    add_node(std::move(n), sub);
  }

  void add_nat(const model::NatGateway& g) {
    Frame* sub = d_.frame(element_id(g.subnet));
    Node n;
    n.id = element_id(g.id);
    n.kind = "nat-gateway";
    n.aws_id = g.id;
    n.label = {"NAT gateway " + g.origin.display(g.id), g.private_ip.str()};
    if (g.public_ip) n.label.push_back("public " + g.public_ip->str());
    n.details.title = "NAT gateway " + g.origin.display(g.id) + " (" + g.id + ")";
    add_row(n.details, "Connectivity", g.is_public ? "public" : "private");
    add_row(n.details, "Private IP", g.private_ip.str());
    add_row(n.details, "Elastic IP", g.public_ip ? g.public_ip->str() : "");
    add_row(n.details, "Declared at", loc_text(g.origin.loc));
    add_node(std::move(n), sub);
  }

  void add_load_balancer(const model::LoadBalancer& lb) {
    Frame* vpc = d_.frame(element_id(lb.vpc));
    bool nlb = lb.type == "network";
    std::string kind = nlb ? "Network Load Balancer" : lb.type == "gateway" ? "Gateway Load Balancer" : "Application Load Balancer";
    Node n;
    n.id = element_id(lb.name.empty() ? lb.arn : "lb-" + lb.name);
    n.kind = "load-balancer";
    n.aws_id = lb.arn;
    n.label = {kind + " " + name_or(lb.name, lb.origin, lb.arn), (lb.internal ? "internal" : "internet-facing")};
    n.details.title = kind + " " + lb.origin.display(lb.arn) + " (" + lb.name + ")";
    add_row(n.details, "ARN", lb.arn);
    add_row(n.details, "DNS name", lb.dns_name);
    add_row(n.details, "Scheme", lb.internal ? "internal" : "internet-facing");
    std::string sgs;
    for (const auto& g : lb.security_groups)
      if (const auto* sg = net_.security_group(g)) sgs += (sgs.empty() ? "" : ", ") + sg->origin.display(g);
    add_row(n.details, "Security groups", sgs);
    for (const auto* l : net_.listeners_of(lb.arn)) add_row(n.details, "Listener", l->protocol + ":" + std::to_string(l->port));
    for (const auto& tg : net_.target_groups)
      if (std::find(tg.load_balancers.begin(), tg.load_balancers.end(), lb.arn) != tg.load_balancers.end())
        add_row(n.details, "Target group", tg.origin.display(tg.arn) + " (" + std::to_string(tg.targets.size()) + " targets)");
    add_row(n.details, "Declared at", loc_text(lb.origin.loc));
    std::string lb_id = n.id;
    add_node(std::move(n), vpc);
    // Each node is a box in its subnet, tied to the load balancer.
    for (const auto& nd : lb.nodes) {
      Node m;
      m.id = lb_id + "-node-" + element_id(nd.private_ip.str());
      m.kind = "load-balancer-node";
      m.aws_id = nd.network_interface;
      m.label = {std::string(nlb ? "NLB node " : "ALB node ") + lb.name, nd.private_ip.str()};
      if (nd.public_ip) m.label.push_back("public " + nd.public_ip->str());
      m.details.title = "Load balancer node of " + lb.origin.display(lb.arn);
      add_row(m.details, "Network interface", nd.network_interface);
      add_row(m.details, "Private IP", nd.private_ip.str());
      add_row(m.details, "Availability Zone", nd.availability_zone);
      add_row(m.details, "Security groups", groups_of(nd.network_interface));
      std::string mid = m.id;
      add_node(std::move(m), d_.frame(element_id(nd.subnet)));
      d_.edges.push_back(Edge{"edge-" + mid, "lb-node", lb_id, mid, "", "", "", "", {}, {}});
    }
  }

  Node& internet() {
    if (Node* n = d_.node("internet")) return *n;
    Node n{"internet", "internet", {"Internet"}, "", {"The internet", {}}, {}};
    return add_node(std::move(n), nullptr);
  }

  void add_internet_gateway(const model::InternetGateway& g) {
    Frame* vpc = d_.frame(element_id(g.vpc));
    Node n;
    n.id = element_id(g.id);
    n.kind = "internet-gateway";
    n.aws_id = g.id;
    n.label = {"Internet gateway", g.origin.display(g.id)};
    n.details.title = "Internet gateway " + g.origin.display(g.id) + " (" + g.id + ")";
    add_row(n.details, "Attached to", g.vpc.empty() ? "(none)" : g.vpc);
    add_row(n.details, "Declared at", loc_text(g.origin.loc));
    std::string id = n.id;
    add_node(std::move(n), vpc);
    if (vpc) {
      internet();
      d_.edges.push_back(Edge{"edge-" + id, "internet", id, "internet", "", "", "", g.id, {}, {}});
    }
  }

  // A gateway endpoint sits on the VPC's edge, like an internet gateway; an
  // interface endpoint is one box per ENI, in its subnet.
  void add_vpc_endpoint(const model::VpcEndpoint& e) {
    std::string service = e.service_name.substr(e.service_name.rfind('.') + 1);
    Details d;
    d.title = e.type + " endpoint " + e.origin.display(e.id) + " (" + e.id + ")";
    add_row(d, "Service", e.service_name);
    add_row(d, "State", e.state);
    if (e.is_gateway()) {
      add_row(d, "Prefix list", e.prefix_list);
      for (const auto& rt : e.route_tables) add_row(d, "Route table", rt);
    } else {
      add_row(d, "Private DNS", e.private_dns_enabled ? e.dns_name : "disabled");
    }
    add_row(d, "Declared at", loc_text(e.origin.loc));
    if (e.is_gateway() || e.network_interfaces.empty()) {
      Node n{element_id(e.id), "vpc-endpoint", {e.type + " endpoint " + service, e.origin.display(e.id)}, e.id, d, {}};
      if (!e.is_gateway() && !e.is_interface()) n.classes.push_back("not-modeled");
      add_node(std::move(n), d_.frame(element_id(e.vpc)));
      return;
    }
    for (const auto& eni_id : e.network_interfaces) {
      const auto* eni = net_.network_interface(eni_id);
      if (!eni) continue;
      Node n{element_id(eni_id), "vpc-endpoint", {"Interface endpoint " + service, eni->private_ip.str()}, eni_id, d, {}};
      add_row(n.details, "Network interface", eni_id);
      add_row(n.details, "Private IP", eni->private_ip.str());
      add_row(n.details, "Security groups", groups_of(eni_id));
      add_node(std::move(n), d_.frame(element_id(eni->subnet)));
    }
  }

  void add_peering(const model::VpcPeeringConnection& p) {
    if (!d_.frame(element_id(p.requester.vpc)) || !d_.frame(element_id(p.accepter.vpc))) return;
    Edge e;
    e.id = element_id(p.id);
    e.kind = "peering";
    e.aws_id = p.id;
    e.from = vpc_anchor(p.requester.vpc);
    e.to = vpc_anchor(p.accepter.vpc);
    e.from_frame = element_id(p.requester.vpc);
    e.to_frame = element_id(p.accepter.vpc);
    e.label = "peering " + p.origin.display(p.id) + " (" + model::peering_state_name(p.state) + ")";
    if (p.state != model::PeeringState::kActive) e.classes.push_back("inactive");
    e.details.title = "VPC peering connection " + p.origin.display(p.id) + " (" + p.id + ")";
    add_row(e.details, "State", model::peering_state_name(p.state));
    add_row(e.details, "Requester", p.requester.vpc + " (" + p.requester.account + ", " + p.requester.region + ")");
    add_row(e.details, "Accepter", p.accepter.vpc + " (" + p.accepter.account + ", " + p.accepter.region + ")");
    add_row(e.details, "Declared at", loc_text(p.origin.loc));
    d_.edges.push_back(std::move(e));
  }

  void add_transit_gateway(const model::TransitGateway& t) {
    Frame& r = region(t.origin.account, t.origin.region);
    Node n;
    n.id = element_id(t.id);
    n.kind = "transit-gateway";
    n.aws_id = t.id;
    n.label = {"Transit gateway " + name_or(t.name, t.origin, t.id), "ASN " + std::to_string(t.amazon_side_asn)};
    n.details.title = "Transit gateway " + t.origin.display(t.id) + " (" + t.id + ")";
    add_row(n.details, "Amazon side ASN", std::to_string(t.amazon_side_asn));
    add_row(n.details, "Default association table", t.association_default_route_table);
    add_row(n.details, "Default propagation table", t.propagation_default_route_table);
    for (const auto& rt : net_.transit_gateway_route_tables)
      if (rt.transit_gateway == t.id) add_row(n.details, "Route table", rt.origin.display(rt.id));
    add_row(n.details, "Declared at", loc_text(t.origin.loc));
    add_node(std::move(n), &r);
  }

  void add_attachment(const model::TransitGatewayAttachment& a) {
    Edge e;
    e.id = element_id(a.id);
    e.aws_id = a.id;
    e.from = element_id(a.transit_gateway);
    if (!d_.node(e.from)) return;
    if (a.resource_type == "vpc") {
      if (!d_.frame(element_id(a.resource_id))) return;
      e.kind = "tgw-attachment";
      e.to = vpc_anchor(a.resource_id);
      e.to_frame = element_id(a.resource_id);
    } else if (a.is_peering()) {
      if (!d_.node(element_id(a.resource_id))) return;
      e.kind = "tgw-peering";
      e.to = element_id(a.resource_id);
    } else {
      return;  // VPN attachments are drawn as their VPN connection
    }
    e.label = "attachment " + name_or(a.name, a.origin, a.id) + (a.available() ? "" : " (" + a.state + ")");
    if (!a.available()) e.classes.push_back("inactive");
    e.details.title = "Transit gateway attachment " + a.origin.display(a.id) + " (" + a.id + ")";
    add_row(e.details, "Type", a.resource_type);
    add_row(e.details, "State", a.state);
    add_row(e.details, "Route table", a.route_table);
    std::string subnets;
    for (const auto& s : a.subnets) subnets += (subnets.empty() ? "" : ", ") + s;
    add_row(e.details, "Subnets", subnets);
    add_row(e.details, "Declared at", loc_text(a.origin.loc));
    d_.edges.push_back(std::move(e));
  }

  void add_vpn_gateway(const model::VpnGateway& g) {
    Frame* vpc = d_.frame(element_id(g.vpc));
    Node n;
    n.id = element_id(g.id);
    n.kind = "vpn-gateway";
    n.aws_id = g.id;
    n.label = {"Virtual private gateway", name_or(g.name, g.origin, g.id)};
    n.details.title = "Virtual private gateway " + g.origin.display(g.id) + " (" + g.id + ")";
    add_row(n.details, "Attached to", g.vpc.empty() ? "(none)" : g.vpc);
    add_row(n.details, "Declared at", loc_text(g.origin.loc));
    add_node(std::move(n), vpc);
  }

  void add_on_premises(const model::OnPremisesNetwork& o) {
    Node n;
    n.id = "on-prem-" + element_id(o.name);
    n.kind = "on-premises";
    std::string cidrs;
    for (const auto& c : o.cidrs) cidrs += (cidrs.empty() ? "" : ", ") + c.str();
    n.label = {"On premises " + o.name, cidrs};
    n.details.title = "On-premises network " + o.name;
    add_row(n.details, "CIDRs", cidrs);
    add_row(n.details, "Customer gateway", o.customer_gateway);
    add_row(n.details, "Host", o.host_address().str());
    std::string id = n.id;
    add_node(std::move(n), nullptr);
    if (const auto* cg = net_.customer_gateway(o.customer_gateway)) {
      Node c;
      c.id = element_id(cg->id);
      c.kind = "customer-gateway";
      c.aws_id = cg->id;
      c.label = {"Customer gateway " + name_or(cg->name, cg->origin, cg->id), cg->ip_address};
      c.details.title = "Customer gateway " + cg->origin.display(cg->id) + " (" + cg->id + ")";
      add_row(c.details, "IP address", cg->ip_address);
      add_row(c.details, "BGP ASN", std::to_string(cg->bgp_asn));
      std::string cid = c.id;
      if (!d_.node(cid)) add_node(std::move(c), nullptr);
      d_.edges.push_back(Edge{"edge-" + id, "on-premises", id, cid, "", "", "", "", {}, {}});
    }
  }

  void add_vpn_connection(const model::VpnConnection& c) {
    std::string aws_end = element_id(!c.vpn_gateway.empty() ? c.vpn_gateway : c.transit_gateway);
    std::string cgw = element_id(c.customer_gateway);
    if (!d_.node(aws_end) || !d_.node(cgw)) return;
    Edge e;
    e.id = element_id(c.id);
    e.kind = "vpn";
    e.aws_id = c.id;
    e.from = aws_end;
    e.to = cgw;
    e.label = "VPN " + name_or(c.name, c.origin, c.id) + (c.available() ? "" : " (" + c.state + ")");
    if (!c.available()) e.classes.push_back("inactive");
    e.details.title = "Site-to-site VPN connection " + c.origin.display(c.id) + " (" + c.id + ")";
    add_row(e.details, "Routing", c.static_routes_only ? "static" : "BGP");
    add_row(e.details, "Tunnels", c.tunnels.empty() ? "" : c.tunnels[0] + (c.tunnels.size() > 1 ? ", " + c.tunnels[1] : ""));
    add_row(e.details, "Declared at", loc_text(c.origin.loc));
    d_.edges.push_back(std::move(e));
  }

  void add_hosted_zone(const model::HostedZone& z) {
    Frame& a = account(z.origin.account);
    Node n;
    n.id = element_id(z.id);
    n.kind = "hosted-zone";
    n.aws_id = z.id;
    n.label = {(z.is_private ? "Private hosted zone " : "Public hosted zone ") + z.name};
    n.details.title = n.label[0] + " (" + z.id + ")";
    size_t shown = 0;
    for (const auto& r : z.records) {
      if (r.type == "SOA" || r.type == "NS") continue;
      std::string v = r.is_alias ? "alias " + r.alias.dns_name : r.values.empty() ? "" : r.values[0];
      add_row(n.details, r.type + " " + r.name, v);
      if (shown++ < 4) n.label.push_back(r.name + " " + r.type + " " + (r.is_alias ? "alias" : v));
    }
    if (shown > 4) n.label.push_back("... " + std::to_string(shown - 4) + " more");
    add_row(n.details, "Declared at", loc_text(z.origin.loc));
    std::string id = n.id;
    add_node(std::move(n), &a);
    for (const auto& v : z.vpcs) {
      if (!d_.frame(element_id(v.vpc))) continue;
      d_.edges.push_back(Edge{"assoc-" + id + "-" + element_id(v.vpc), "zone-association", id, vpc_anchor(v.vpc), "",
                              element_id(v.vpc), "", "", {}, {}});
    }
  }

  // Graphviz draws no empty cluster: an empty subnet keeps a small marker.
  void fill_empty(Frame& f) {
    for (auto& c : f.frames) fill_empty(c);
    if (f.kind == "subnet" && f.nodes.empty()) {
      Node n{"empty-" + f.id, "anchor", {}, "", {}, {"empty"}};
      f.nodes.push_back(n.id);
      d_.nodes.push_back(std::move(n));
    }
  }

  const model::Network& net_;
  Diagram d_;
};

}  // namespace

Diagram build_diagram(const model::Network& net) { return Builder(net).build(); }

}  // namespace vpclab::graph
