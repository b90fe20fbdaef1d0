// Internal to analysis/: the Analyzer's indexes and the packet walker that
// trace, matrix and exposure share (so the matrix agrees with trace by
// construction).
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/analyzer.h"
#include "semantics/packet.h"
#include "semantics/security_group.h"
#include "semantics/vpc_dns.h"

namespace vpclab::analysis {

// How a route's destination reads in a hop: its CIDR, or its prefix list ("pl-... (10.2.0.0/16, ...)").
inline std::string route_destination(const Route& r) {
  if (r.destination) return r.destination->str();
  if (r.destination_prefix_list.empty()) return r.destination_ipv6.empty() ? "?" : r.destination_ipv6;
  std::string s = r.destination_prefix_list + " (";
  for (size_t i = 0; i < r.prefix_list_cidrs.size() && i < 4; ++i) s += (i ? ", " : "") + r.prefix_list_cidrs[i].str();
  if (r.prefix_list_cidrs.size() > 4) s += ", ...";
  return s + ")";
}

struct SubnetInfo {
  const model::Subnet* subnet = nullptr;
  const model::Vpc* vpc = nullptr;
  const model::RouteTable* rtb = nullptr;  // nullptr: no table (no routes at all)
  const model::NetworkAcl* acl = nullptr;  // nullptr: no ACL known (treated as allow all)
};

struct EniInfo {
  const model::NetworkInterface* eni = nullptr;
  const SubnetInfo* subnet = nullptr;
  const model::Vpc* vpc = nullptr;
  const model::Instance* instance = nullptr;
  const model::LoadBalancer* lb = nullptr;
  const model::LoadBalancerNode* node = nullptr;
  const model::NatGateway* nat = nullptr;
  const model::VpcEndpoint* endpoint = nullptr;  // an interface endpoint's ENI
  std::vector<const model::SecurityGroup*> groups;
  std::vector<semantics::NormalizedSgRule> rules;  // union of the groups' rules, both directions
  // False for NAT gateways (no security group) and for Network/Gateway
  // Load Balancer nodes without security groups (they filter nothing).
  bool filtered = true;
  bool has_sg() const { return filtered; }
  std::string display() const;                     // "Stack.Web1 (i-...)" / "Stack.Alb node 10.2.1.175"
  PortRange ephemeral() const;          // ports its connections use as client
};

// A flow as the filters see it: protocol and destination ports (tcp/udp),
// ICMP echo for icmp.
struct Flow {
  IpProtocol protocol = kTcp;
  semantics::IntervalSet ports = semantics::IntervalSet::all_ports();
};

enum class StepKind { kSgOut, kSgIn, kNaclOut, kNaclIn, kSameSubnet, kRoute, kPeering, kIgwOut, kIgwIn, kNat, kDeNat,
                      kTransitGateway, kVpn, kVpcEndpoint, kDeliver, kInternet, kFail };

// A packet crossing a transit gateway (walk_tgw.cpp): where it enters, the
// table and route chosen, where it leaves. Set up to the failing phase.
struct TgwCrossing {
  enum class Phase { kEntry, kAssociation, kRoute, kExit, kDone };
  Phase phase = Phase::kEntry;  // the phase that failed, or kDone
  const model::TransitGateway* tgw = nullptr;
  const model::TransitGatewayAttachment* in = nullptr;
  const SubnetInfo* entry = nullptr;  // the attachment subnet (ENI) the packet enters by
  const model::TransitGatewayRouteTable* rtb = nullptr;
  const TransitGatewayRoute* route = nullptr;
  const model::TransitGatewayAttachment* out = nullptr;
  const SubnetInfo* exit = nullptr;   // the egress attachment's subnet (ENI) in the destination VPC
  // When `out` is a peering attachment: the crossing of the peer TGW, which
  // the packet enters by that attachment (phase of this one: kDone).
  std::shared_ptr<TgwCrossing> next;
};

// A packet crossing a site-to-site VPN connection (walk_vpn.cpp): out of a
// VGW or a TGW's vpn attachment to the customer gateway, or in from it.
struct VpnCrossing {
  bool outbound = true;                                    // towards on-premises
  const model::VpnGateway* vgw = nullptr;                  // a VGW connection's gateway
  const model::TransitGatewayAttachment* attachment = nullptr;  // a TGW connection's attachment
  const VpnRoute* route = nullptr;                         // the VGW's route chosen (outbound)
  const model::VpnConnection* connection = nullptr;
  const model::CustomerGateway* cgw = nullptr;
  const model::OnPremisesNetwork* on_prem = nullptr;       // the network the packet leaves or reaches
};

struct Step {
  StepKind kind = StepKind::kFail;
  const EniInfo* eni = nullptr;
  const SubnetInfo* subnet = nullptr;
  Ipv4Address src, dst;
  PortRange reply_ports{0, 65535};  // NACL steps of a reply: the ports replies go to
  const Route* route = nullptr;
  const model::VpcPeeringConnection* pcx = nullptr;
  const model::NatGateway* nat = nullptr;
  std::string igw;
  const char* code = nullptr;  // a routing failure
  std::string message;         // for failures and notes
  const char* extra_code = nullptr;  // a second, more specific reason (reported too)
  std::string extra_message;
  SourceLoc extra_loc;
  std::string extra_component;
  std::shared_ptr<const TgwCrossing> tgw;  // kTransitGateway
  std::shared_ptr<const VpnCrossing> vpn;  // kVpn
  const model::VpcEndpoint* endpoint = nullptr;  // kVpcEndpoint (nullptr: the route names an unknown one)
  bool from_endpoint = false;                    // kVpcEndpoint: the service's reply entering the VPC
};

// A step of `kind` at an ENI or subnet for the packet src -> dst (walk.cpp).
Step make_step(StepKind kind, const EniInfo* e = nullptr, const SubnetInfo* sub = nullptr, Ipv4Address src = {},
               Ipv4Address dst = {}, PortRange reply_ports = PortRange{0, 65535});

struct Leg {
  enum class End { kDelivered, kInternet, kBlocked, kUndecidable };
  std::vector<Step> steps;
  End end = End::kBlocked;
  const EniInfo* from = nullptr;        // the sending ENI (nullptr: the internet or a subnet host)
  const EniInfo* to = nullptr;          // delivered to
  Ipv4Address seen_src;                 // the source address the receiver sees
  const model::NatGateway* nat = nullptr;  // the NAT gateway that translated the source (forward)
  const model::OnPremisesNetwork* on_prem = nullptr;  // delivered to a host of this network (to == nullptr)
  const model::VpcEndpoint* endpoint = nullptr;  // delivered to the service of this gateway endpoint (to == nullptr)
};

struct WalkStart {
  const EniInfo* eni = nullptr;         // sending ENI (SG applies), or nullptr
  const SubnetInfo* subnet = nullptr;   // its subnet (or a subnet host's)
  bool internet = false;                // an internet host
  Ipv4Address address;
  std::optional<Ipv4Address> public_ip;
  PortRange ephemeral = semantics::kLinuxEphemeralPorts;
  const model::OnPremisesNetwork* on_prem = nullptr;  // a host of an on-premises network (lab manifest)
  const model::VpcEndpoint* endpoint = nullptr;  // the service behind this gateway endpoint (replies)
};

// What a reply walk needs from its request.
struct ReplyContext {
  Ipv4Address client;                     // the client's own address (private, or internet)
  const EniInfo* client_eni = nullptr;    // nullptr: the client is on the internet (or a subnet host)
  const SubnetInfo* client_subnet = nullptr;
  const model::OnPremisesNetwork* client_on_prem = nullptr;  // the client is on premises
  const model::NatGateway* nat = nullptr; // translated by this NAT gateway on the way out
  PortRange client_ports = semantics::kLinuxEphemeralPorts;
};

// What the reply leg needs to know of the request: who the client is and
// whether a NAT gateway translated it (one place for trace and matrix).
inline ReplyContext reply_context(const WalkStart& from, const Leg& request) {
  ReplyContext rc;
  rc.client = from.address;
  rc.client_eni = from.eni;
  rc.client_subnet = from.eni ? nullptr : from.subnet;
  rc.client_on_prem = from.on_prem;
  rc.nat = request.nat;
  rc.client_ports = from.ephemeral;
  return rc;
}

struct Evaluation {
  bool ok = false;
  bool undecidable = false;
  semantics::IntervalSet ports;  // forward: the destination ports that get through
};

struct Analyzer::Impl {
  explicit Impl(const model::Network& n);
  const model::Network& net;
  std::vector<SubnetInfo> subnets;  // parallel to net.subnets
  std::vector<EniInfo> enis;        // parallel to net.network_interfaces
  std::unordered_map<uint64_t, const EniInfo*> by_private;  // (vpc index << 32) | ip
  std::unordered_map<uint32_t, const EniInfo*> by_public;
  std::unordered_map<std::string, semantics::IntervalSet> sg_members;
  std::unordered_map<std::string, const SubnetInfo*> subnet_by_id;
  std::unordered_map<std::string, const model::Vpc*> vpc_by_id;
  std::unordered_map<std::string, std::vector<const model::Listener*>> listeners;
  std::unordered_map<std::string, const model::UnmodeledResource*> unmodeled;

  size_t vpc_index(const model::Vpc* v) const { return static_cast<size_t>(v - net.vpcs.data()); }
  const EniInfo* eni_at(const model::Vpc* v, Ipv4Address a) const;
  const EniInfo* eni_public(Ipv4Address a) const;
  const EniInfo* eni_info(const model::NetworkInterface* e) const {
    return e ? &enis[static_cast<size_t>(e - net.network_interfaces.data())] : nullptr;
  }
  const SubnetInfo* subnet_info(const std::string& id) const;
  const model::Vpc* vpc(const std::string& id) const;

  // Phase 1: where the packet goes (protocol independent).
  // detail=false skips work that only serves explanations (matrix).
  Leg walk(const WalkStart& from, Ipv4Address dst, const ReplyContext* reply, bool detail = true) const;
  // Phase 2: which ports pass the filters of a request leg, or whether a
  // reply leg gets back; appends hops and explanations when given.
  Evaluation evaluate(const Leg& leg, const Flow& flow, bool reply, const std::string& leg_name,
                      std::vector<Hop>* hops, std::vector<Explanation>* expl) const;
  // Request + reply in one: the ports of `flow` that reach `dst` from `from`
  // and whose replies get back. `to` receives the receiving ENI.
  Evaluation connect(const WalkStart& from, Ipv4Address dst, const Flow& flow, const std::string& leg_name,
                     std::vector<Hop>* hops, std::vector<Explanation>* expl, Leg* request_leg = nullptr) const;

  // The transit gateway route `r` of subnet `cur` leads to (walk_tgw.cpp):
  // pushes the crossing's steps and returns the subnet the packet leaves the
  // TGW into, or nullptr with leg.end set (blocked or undecidable).
  // `vpn_in`: the packet enters by that VPN attachment instead (cur and r unused).
  const SubnetInfo* cross_transit_gateway(Leg& leg, const SubnetInfo* cur, Ipv4Address src, Ipv4Address dst,
                                          const Route* r, PortRange reply_ports, bool detail,
                                          const ReplyContext* reply = nullptr,
                                          const model::TransitGatewayAttachment* vpn_in = nullptr) const;
  // Site-to-site VPN (walk_vpn.cpp). Out: by VGW `vgw_route`'s gateway (or the
  // TGW's vpn attachment `tgw_out`) over a connection to the customer
  // gateway; always ends the leg (delivered on premises, or blocked).
  void cross_vpn_out(Leg& leg, const SubnetInfo* cur, Ipv4Address src, Ipv4Address dst, const Route* vgw_route,
                     const model::TransitGatewayAttachment* tgw_out, const ReplyContext* reply, bool detail) const;
  // In: from an on-premises host over the customer gateway's connection
  // towards `dst`. Sets `arrived` (a VGW delivers to the VPC's ENI) or `cur`
  // (the subnet a TGW hands the packet to); false when the leg ended.
  bool enter_from_on_premises(Leg& leg, const WalkStart& from, Ipv4Address dst, PortRange reply_ports, bool detail,
                              const ReplyContext* reply, const EniInfo*& arrived, const SubnetInfo*& cur) const;
  // Gateway endpoints (walk_vpce.cpp). Out: route `r` to a VPC endpoint;
  // always ends the leg (delivered to the service, blocked or undecidable).
  void cross_vpc_endpoint(Leg& leg, const SubnetInfo* cur, Ipv4Address src, Ipv4Address dst, const Route* r,
                          const ReplyContext* reply, bool detail) const;
  // In: the service's reply through the endpoint to `dst` in its VPC; sets
  // `arrived`, false when the leg ended.
  bool enter_from_vpc_endpoint(Leg& leg, const WalkStart& from, Ipv4Address dst, PortRange reply_ports, bool detail,
                               const EniInfo*& arrived) const;
  bool evaluate_vpc_endpoint(const Step& s, const Flow& flow, bool reply, const std::string& leg_name,
                             std::vector<Hop>* hops, std::vector<Explanation>* expl, bool& undecidable) const;
  bool evaluate_vpn(const Step& s, bool reply, const std::string& leg_name, std::vector<Hop>* hops,
                    std::vector<Explanation>* expl, bool& undecidable) const;
  // The hops and explanations of a kTransitGateway step; false when it blocks
  // (`undecidable` set when vpclab cannot tell).
  bool evaluate_transit_gateway(const Step& s, bool reply, const std::string& leg_name, std::vector<Hop>* hops,
                                std::vector<Explanation>* expl, bool& undecidable) const;

  // The route semantics::select_transit_gateway_route chooses in `t` for
  // `dst`, looked up in a table of its choices per piece of the address space
  // the table's CIDRs cut (built on first use: an organisation's tables hold
  // thousands of propagated routes, and matrix asks millions of times).
  const TransitGatewayRoute* transit_gateway_route(const model::TransitGatewayRouteTable& t, Ipv4Address dst) const;
  using RoutePieces = std::vector<std::pair<uint32_t, const TransitGatewayRoute*>>;  // piece start -> choice
  mutable std::once_flag tgw_routes_once;
  mutable std::unique_ptr<std::unordered_map<const model::TransitGatewayRouteTable*, RoutePieces>> tgw_routes;

  std::string describe_sg(const semantics::NormalizedSgRule& r) const;
  std::string component(const model::Origin& o, const std::string& id) const;

  // The DNS view of the network, indexed on first use (analysis/dns_view.cpp).
  const semantics::VpcDns& dns() const;
  mutable std::once_flag dns_once;
  mutable std::unique_ptr<semantics::VpcDns> dns_index;

  // What a name given to trace may stand for (id, LogicalId, Stack.LogicalId,
  // Name tag; an ALB's DNS name): positions in net.instances,
  // net.load_balancers, subnets and net.network_interfaces, ascending.
  // Built on first use (trace.cpp), so a name is not matched by a scan.
  struct NameIndex {
    std::unordered_map<std::string, std::vector<size_t>> instances, load_balancers, subnets, interfaces;
  };
  const NameIndex& names() const;
  mutable std::once_flag names_once;
  mutable std::unique_ptr<NameIndex> name_index;
};

// The DNS hops and explanations of resolving `name` (type A) from `vpc`
// (nullptr: the internet), rendered from semantics::VpcDns' reason.
semantics::DnsAnswer trace_dns(const Analyzer::Impl& im, const model::Vpc* vpc, const std::string& name,
                                   std::vector<Hop>& hops, std::vector<Explanation>& expl);

std::string ports_text(IpProtocol p, const semantics::IntervalSet& ports);

// ---- the load balancer hops (trace.cpp, walk_nlb.cpp) -----------------------
struct RequestInfo {
  std::string method, host_header, path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string scheme;
  uint16_t port = 80;
};
// At an ALB node: listener, rule, action, target groups, each target from the
// node and health checks from every node. `client_seen`: the address the ALB
// sees (source-ip conditions).
void trace_alb(const Analyzer::Impl& im, const EniInfo& node, Ipv4Address client_seen, const Flow& flow,
               const RequestInfo& rq, PathTrace& p);
// At a Network Load Balancer node (walk_nlb.cpp): listener by port and
// protocol, its target groups, each target the node may send to (cross-zone),
// seen from the client's address or the node's (client IP preservation),
// health checks from every node, fail-open; an alb target continues at that
// ALB. `client`: where the connection started.
void trace_nlb(const Analyzer::Impl& im, const EniInfo& node, const WalkStart& client, Ipv4Address client_seen,
               const Flow& flow, const RequestInfo& rq, PathTrace& p);

// ---- shared by matrix, exposure and assert (matrix.cpp) ----------------------
WalkStart start_of(const EniInfo* e);
struct ProtoResult {
  semantics::IntervalSet tcp, udp;
  bool icmp = false;
};
// Request and reply walked once, evaluated for tcp, udp and icmp: the ports
// of `ports` that reach `dst` (delivered to `expect` when given) and whose
// replies get back. `request` receives the request leg.
ProtoResult reach(const Analyzer::Impl& im, const WalkStart& from, Ipv4Address dst, const EniInfo* expect,
                  const semantics::IntervalSet& ports, Leg* request = nullptr);
// The ports of the load balancer's listeners that carry `proto` (an ALB's: tcp only).
semantics::IntervalSet listener_ports(const Analyzer::Impl& im, const model::LoadBalancer& lb, IpProtocol proto = kTcp);
// Every address outside the private and shared ranges.
semantics::IntervalSet public_addresses();
// The public address space cut where `e`'s filters and routes can tell
// addresses apart (at most 4096 classes): one evaluation per class decides all.
std::vector<semantics::Interval> public_address_classes(const Analyzer::Impl& im, const EniInfo& e);
// What `e` reaches on the internet: per class of public destinations and
// protocol (tcp, udp), the ports that pass both ways and the request leg,
// for each class and protocol that gets out (egress and assert share it).
void for_each_internet_class(const Analyzer::Impl& im, const EniInfo& e,
                             const std::function<void(const semantics::Interval& cls, IpProtocol proto,
                                                      const semantics::IntervalSet& ports, const Leg& leg)>& fn);

// Whether VPCs a and b are attached to one transit gateway (walk_tgw.cpp).
bool vpcs_share_transit_gateway(const model::Network& net, const std::string& a, const std::string& b);

// The peering connection between VPCs a and b (any state, or active only);
// nullptr when none (walk.cpp).
const model::VpcPeeringConnection* peering_between(const model::Network& net, const std::string& a,
                                                   const std::string& b, bool active_only);


}  // namespace vpclab::analysis
