// AWS's side of each Region and VPC endpoints in a lab (docs/emulator.md
// "VPC endpoints and the lab's S3").
//
// - `aws-REGION`: one namespace per Region of the network's VPCs, the public
//   side of S3 and DynamoDB. Each entry of their AWS-managed prefix lists
//   (analysis::aws_service_addresses, the lists the analyzer and the
//   resolver use) is an address with that prefix on its lo, so every address
//   of the range is local; the supervisor's service server (dataplane/s3)
//   listens on 0.0.0.0:80 there. A veth "sv<j>" joins it to `internet`,
//   which routes the ranges to it: a NAT gateway or a public IP reaches S3
//   through an internet gateway, as in AWS.
// - A gateway endpoint: a veth "ve<k>" between its VPC's router and the
//   Region's namespace; routes to the endpoint (one kernel route per prefix-
//   list entry, compile.cpp) lead into it, and nothing else does: a route
//   table without the route sends S3's addresses wherever its other routes
//   say. The router passes only what semantics/vpc_endpoint lets a gateway
//   endpoint carry (the VPC's own sources; TCP and ICMP) and nothing new
//   back. The endpoint policy is kept, not evaluated.
// - An interface endpoint: its ENIs (namespaces placed by compile.cpp, their
//   security groups by compile_filters.cpp) serve the service on IP:80;
//   private DNS is the resolver's (analysis::dns_facts).
#include <set>

#include "analysis/dns_view.h"
#include "emulator/compile_context.h"
#include "emulator/gateways.h"
#include "semantics/packet.h"
#include "semantics/vpc_endpoint.h"

namespace vpclab::emulator {

namespace {

// Region j's link to `internet`: 169.254.176.0 + 4j (.1 internet, .2 the
// Region); gateway-endpoint link k: 169.254.177.0 + 4k (.1 router, .2 the
// Region). Free of the IGW, transit, peering and resolver addresses.
constexpr size_t kMaxRegions = 64;
constexpr size_t kMaxEndpointLinks = 960;
Ipv4Address region_link(size_t j, bool region_end) {
  return Ipv4Address{Ipv4Address::parse("169.254.176.0")->value + static_cast<uint32_t>(4 * j + (region_end ? 2 : 1))};
}
Ipv4Address endpoint_link(size_t k, bool region_end) {
  return Ipv4Address{Ipv4Address::parse("169.254.177.0")->value + static_cast<uint32_t>(4 * k + (region_end ? 2 : 1))};
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The Regions with a service namespace, in order.
std::vector<std::string> service_regions(const model::Network& net) {
  std::vector<std::string> out;
  for (const auto& a : analysis::aws_service_addresses(net))
    if (out.empty() || out.back() != a.region) out.push_back(a.region);
  if (out.size() > kMaxRegions) out.resize(kMaxRegions);
  return out;
}

// The VPCs with a gateway endpoint link, in the network's order (link k =
// position), and why others have none.
struct EndpointVpcs {
  std::vector<std::string> vpcs;
  std::vector<std::string> problems;
};
EndpointVpcs endpoint_vpcs(const model::Network& net) {
  EndpointVpcs out;
  auto regions = service_regions(net);
  std::map<std::string, std::vector<Ipv4Cidr>> taken;  // region -> CIDRs of linked VPCs
  for (const auto& v : net.vpcs) {
    bool wanted = false;
    for (const auto& ep : net.vpc_endpoints)
      wanted = wanted || (ep.is_gateway() && ep.vpc == v.id && !ep.prefix_list.empty());
    if (!wanted) continue;
    if (std::find(regions.begin(), regions.end(), v.origin.region) == regions.end()) continue;
    auto& t = taken[v.origin.region];
    bool overlap = false;
    for (const auto& c : v.cidrs)
      for (const auto& o : t) overlap = overlap || c.contains(o) || o.contains(c);
    if (overlap || out.vpcs.size() == kMaxEndpointLinks) {
      out.problems.push_back("gateway endpoints of VPC " + v.id +
                             (overlap ? ": its CIDRs overlap another VPC's with a gateway endpoint in " + v.origin.region +
                                            " (one service namespace per Region cannot answer both)"
                                      : ": too many VPCs with gateway endpoints"));
      continue;
    }
    t.insert(t.end(), v.cidrs.begin(), v.cidrs.end());
    out.vpcs.push_back(v.id);
  }
  return out;
}

std::string region_netns(const std::string& region) { return "aws-" + region; }

// The router's half of a gateway endpoint.
std::string gateway_endpoint_nft(const std::string& dev, const std::vector<Ipv4Cidr>& vpc_cidrs) {
  std::vector<std::string> sources, protocols;
  for (const auto& c : vpc_cidrs)
    if (semantics::gateway_endpoint_accepts(vpc_cidrs, c.base)) sources.push_back(c.str());
  for (IpProtocol p = 0; p < 256; ++p)
    if (semantics::gateway_endpoint_forwards_protocol(p)) protocols.push_back(std::to_string(p));
  std::string q = "\"" + dev + "\"";
  std::string s = "table ip vpclab_gateway_endpoint {\n"
                  "  chain forward { type filter hook forward priority -10; policy accept;\n"
                  "    iifname " + q + " ct state established,related accept\n"
                  "    iifname " + q + " drop\n";
  if (!sources.empty() && !protocols.empty())
    s += "    oifname " + q + " ip saddr { " + join(sources, ", ") + " } meta l4proto { " + join(protocols, ", ") +
         " } accept\n";
  s += "    oifname " + q + " drop\n  }\n}\n";
  return s;
}

}  // namespace

bool compile_vpc_endpoint_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table) {
  const auto* ep = ctx.net.vpc_endpoint(route.target_id);
  if (ep && !ep->is_gateway()) return false;  // Gateway Load Balancer endpoints: not emulated
  auto vpcs = endpoint_vpcs(ctx.net).vpcs;
  auto k = std::find(vpcs.begin(), vpcs.end(), rt.vpc);
  if (!ep || ep->vpc != rt.vpc || k == vpcs.end()) {
    ctx.plan().routes.push_back({rt.vpc, table, *route.destination, RouteType::kBlackhole, std::nullopt, ""});
    return true;
  }
  size_t i = static_cast<size_t>(k - vpcs.begin());
  ctx.plan().routes.push_back(
      {rt.vpc, table, *route.destination, RouteType::kUnicast, endpoint_link(i, true), "ve" + std::to_string(i)});
  return true;
}

void compile_aws_services(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  LabPlan& p = ctx.plan();
  for (const auto& b : net.s3_buckets) p.s3_buckets.push_back({b.name, b.region, b.directory});
  auto regions = service_regions(net);
  if (regions.empty()) return;
  auto services = analysis::aws_service_addresses(net);
  const std::string inet = kInternetNetns;
  const Ipv4Address host = internet_host_address(net);
  for (size_t j = 0; j < regions.size(); ++j) {
    const std::string ns = region_netns(regions[j]);
    const std::string dev = "sv" + std::to_string(j);
    NetnsPlan n{ns, NetnsRole::kOther, "com.amazonaws." + regions[j], ns, {}};
    n.etc_files.push_back({"resolv.conf", "nameserver " + host.str() + "\noptions timeout:2 attempts:2\n"});
    p.namespaces.push_back(std::move(n));
    ctx.out.targets[ns] = ns;
    p.veths.push_back({inet, dev, "", ns, dev, ""});
    p.addresses.push_back({inet, dev, region_link(j, false), 30});
    p.addresses.push_back({ns, dev, region_link(j, true), 30});
    p.routes.push_back({ns, 254, *Ipv4Cidr::parse("0.0.0.0/0"), RouteType::kUnicast, region_link(j, false), dev});
    ServiceListenPlan listen{ns, Ipv4Address{}, 80, {}};
    for (const auto& a : services) {
      if (a.region != regions[j]) continue;
      for (size_t i = 0; i < a.cidrs.size(); ++i) {
        const Ipv4Cidr& c = a.cidrs[i];
        Ipv4Address on_lo = i == 0 ? a.public_address : Ipv4Address{c.base.value + 1};
        if (!c.contains(on_lo)) on_lo = c.base;
        p.addresses.push_back({ns, "lo", on_lo, c.length});
        p.routes.push_back({inet, 254, c, RouteType::kUnicast, region_link(j, true), dev});
        listen.ranges.push_back({c, {a.service, a.region, ""}});
      }
    }
    p.service_listen.push_back(std::move(listen));
  }
  // What the internet host sends leaves from its own address.
  p.nft.push_back({inet,
                   "table ip vpclab_aws_services {\n"
                   "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                   "    ip saddr 169.254.0.0/16 oifname \"sv*\" snat to " + host.str() + "\n"
                   "  }\n}\n",
                   "the internet host's address towards AWS services"});

  // Gateway endpoints: one link per VPC.
  auto linked = endpoint_vpcs(net);
  for (const auto& why : linked.problems) ctx.out.unsupported.push_back(why);
  for (size_t k = 0; k < linked.vpcs.size(); ++k) {
    const auto* v = net.vpc(linked.vpcs[k]);
    const std::string dev = "ve" + std::to_string(k);
    const std::string ns = region_netns(v->origin.region);
    p.veths.push_back({v->id, dev, "", ns, dev, ""});
    p.addresses.push_back({v->id, dev, endpoint_link(k, false), 30});
    p.addresses.push_back({ns, dev, endpoint_link(k, true), 30});
    for (const auto& c : v->cidrs) p.routes.push_back({ns, 254, c, RouteType::kUnicast, endpoint_link(k, false), dev});
    // What comes back looks up the VPC's own subnets only.
    uint32_t& pref = ctx.next_pref[v->id];
    p.rules.push_back({v->id, pref++, dev, kPeeringLocalTable});
    p.rules.push_back({v->id, pref++, dev, std::nullopt});
    p.nft.push_back({v->id, gateway_endpoint_nft(dev, v->cidrs), "gateway endpoints of " + v->id});
  }

  // Interface endpoints: the service on each network interface.
  for (const auto& ep : net.vpc_endpoints) {
    if (!ep.is_interface()) continue;
    auto svc = semantics::parse_service_name(ep.service_name);
    if (!svc) continue;
    for (const auto& id : ep.network_interfaces) {
      auto place = ctx.eni_place.find(id);
      if (place == ctx.eni_place.end()) continue;
      Ipv4Address ip = place->second.private_ip;
      p.service_listen.push_back({place->second.netns, ip, 80, {{Ipv4Cidr{ip, 32}, {svc->service, svc->region, ep.id}}}});
    }
  }
}

}  // namespace vpclab::emulator
