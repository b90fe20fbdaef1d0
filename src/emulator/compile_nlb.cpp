// Network Load Balancers (compile_context.h): each node's ENI already has a
// namespace at its private IP; here the NLB becomes an engine configuration
// (nlb_config.h) and, for target groups that preserve the client's address,
// the kernel steps that bring the targets' replies back to the node that
// opened the flow (AWS does it in its fabric; docs/emulator.md "Network
// Load Balancers"):
// - node k of a VPC sends its preserved flows with DSCP 2k-1 (IP_TOS);
// - each target's namespace marks such a connection (ct mark) and sends its
//   replies with DSCP 2k, through its subnet's router even to a client on
//   its own subnet (fwmark, a table with only the default route);
// - the VPC router routes DSCP 2k (fwmark) to node k's address, before the
//   subnets' route tables; NACLs see the reply as AWS's do (target subnet
//   out, node subnet in);
// - the node's namespace takes every packet arriving for another address
//   locally, where the transparent socket of the flow is (by fwmark: a rule
//   on the interface alone would make the node answer ARP for every address
//   of its subnet).
#include <algorithm>
#include <map>
#include <set>

#include "emulator/compile_context.h"
#include "emulator/nlb_config.h"

namespace vpclab::emulator {

namespace {

constexpr uint32_t kNlbMark = 0x4e4c0000;  // "NL" + reply DSCP

}  // namespace

void compile_network_load_balancers(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  LabPlan& p = ctx.plan();
  std::map<std::string, int> preserving_nodes;          // VPC -> k of its last preserving node
  std::map<std::string, std::set<std::pair<int, int>>> target_marks;  // target netns -> (forward, reply) DSCPs
  std::map<std::string, std::string> prerouting;        // namespace -> nft lines of its prerouting chain
  std::set<std::string> via_router;                     // target namespaces with the route of replies
  auto place_of_address = [&](Ipv4Address a) -> const EniPlace* {
    for (const auto& [id, place] : ctx.eni_place)
      if (place.private_ip == a) return &place;
    return nullptr;
  };
  for (const auto& lb : net.load_balancers) {
    if (lb.type != "network") continue;
    const std::string what = "load balancer " + lb.origin.display(lb.name);
    NlbConfigResult r = nlb_engine_config_from_model(net, lb);
    for (const auto& n : r.notes) ctx.out.unsupported.push_back(what + ": " + n);
    if (!r.config) {
      ctx.out.unsupported.push_back(what + " (" + r.error + ")");
      continue;
    }
    NetworkLoadBalancerPlan np;
    np.config = std::move(*r.config);
    std::vector<dataplane::nlb::NodeConfig> nodes;
    std::vector<const EniPlace*> node_places;
    for (const auto& n : np.config.nodes) {
      auto place = ctx.eni_place.find(n.name);
      if (place == ctx.eni_place.end()) {
        ctx.out.unsupported.push_back(what + ": node " + n.name + " (its subnet is not in the lab)");
        continue;
      }
      nodes.push_back(n);
      node_places.push_back(&place->second);
      np.node_netns.push_back(place->second.netns);
    }
    np.config.nodes = std::move(nodes);
    if (np.config.nodes.empty()) {
      ctx.out.unsupported.push_back(what + " (no node in the lab)");
      continue;
    }
    bool preserving = false;
    for (const auto& tg : np.config.target_groups) preserving = preserving || tg.preserve_client_ip;
    if (preserving) {
      int& k = preserving_nodes[lb.vpc];
      if (k + static_cast<int>(np.config.nodes.size()) > kMaxPreservingNlbNodes) {
        ctx.out.unsupported.push_back(what + " (more than " + std::to_string(kMaxPreservingNlbNodes) +
                                      " nodes of Network Load Balancers preserving client IPs in " + lb.vpc + ")");
        continue;
      }
      std::vector<std::pair<int, int>> marks;
      for (size_t i = 0; i < np.config.nodes.size(); ++i) {
        ++k;
        const int fwd = 2 * k - 1, reply = 2 * k;
        np.config.nodes[i].dscp = static_cast<uint8_t>(fwd);
        marks.push_back({fwd, reply});
        const EniPlace& node = *node_places[i];
        const uint32_t mark = kNlbMark | static_cast<uint32_t>(reply);
        const uint32_t table = kNlbReplyTable + static_cast<uint32_t>(k);
        auto bridge = ctx.bridge_of.find(node.subnet);
        if (bridge == ctx.bridge_of.end()) continue;
        if (prerouting.find(node.vpc) == prerouting.end())
          // The reply leaves by the bridge it came from: no ICMP redirect, or the
          // target would send all its traffic for that client to the node.
          for (const char* key : {"net.ipv4.conf.all.send_redirects", "net.ipv4.conf.default.send_redirects"})
            p.sysctls.push_back({node.vpc, key, "0"});
        prerouting[node.vpc] += "    ip dscp " + std::to_string(reply) + " meta mark set " + std::to_string(mark) + "\n";
        p.rules.push_back({node.vpc, 100 + static_cast<uint32_t>(k), "", table, mark});
        RoutePlan back;
        back.netns = node.vpc;
        back.table = table;
        back.destination = Ipv4Cidr{Ipv4Address{0}, 0};
        back.via = node.private_ip;
        back.dev = bridge->second;
        p.routes.push_back(back);
        // The node takes its flows' replies (addressed to clients) locally.
        prerouting[node.netns] += "    iifname \"" + node.dev + "\" ip daddr != " + node.private_ip.str() +
                                  " meta mark set " + std::to_string(kNlbMark) + "\n";
        p.rules.push_back({node.netns, 90, "", kNlbLocalTable, kNlbMark});
        RoutePlan local;
        local.netns = node.netns;
        local.table = kNlbLocalTable;
        local.destination = Ipv4Cidr{Ipv4Address{0}, 0};
        local.type = RouteType::kLocal;
        local.dev = "lo";
        p.routes.push_back(local);
      }
      for (const auto& tg : np.config.target_groups) {
        if (!tg.preserve_client_ip) continue;
        for (const auto& t : tg.targets) {
          const EniPlace* place = place_of_address(t.address);
          if (!place) continue;
          if (place->vpc != lb.vpc) {
            ctx.out.unsupported.push_back(what + ": target " + t.id + " in another VPC with client IP preservation "
                                          "(its replies would not come back through the node)");
            continue;
          }
          for (const auto& m : marks) target_marks[place->netns].insert(m);
          if (via_router.insert(place->netns).second) {
            auto subnet = std::find_if(net.subnets.begin(), net.subnets.end(),
                                       [&](const model::Subnet& s) { return s.id == place->subnet; });
            if (subnet == net.subnets.end()) continue;
            p.rules.push_back({place->netns, 90, "", kNlbViaRouterTable, kNlbMark});
            RoutePlan gw;
            gw.netns = place->netns;
            gw.table = kNlbViaRouterTable;
            gw.destination = Ipv4Cidr{Ipv4Address{0}, 0};
            gw.via = Ipv4Address{subnet->cidr.base.value + 1};
            gw.dev = place->dev;
            p.routes.push_back(gw);
          }
        }
      }
    }
    np.name = lb.name;
    np.logical_id = lb.origin.logical_id;
    np.stack = lb.origin.stack;
    np.arn = lb.arn;
    np.dns_name = lb.dns_name;
    name_groups_and_wait_for_targets(net, np.config.target_groups, np);
    p.network_load_balancers.push_back(std::move(np));
  }
  std::map<std::string, std::string> output;  // namespace -> nft lines of its output chain
  for (const auto& [ns, marks] : target_marks)
    for (const auto& [fwd, reply] : marks) {
      prerouting[ns] += "    ct state new ip dscp " + std::to_string(fwd) + " ct mark set " + std::to_string(reply) + "\n";
      output[ns] += "    ct mark " + std::to_string(reply) + " ip dscp set " + std::to_string(reply) + " meta mark set " +
                    std::to_string(kNlbMark) + "\n";
    }
  for (const auto& [ns, pre] : prerouting) {
    std::string script = "table ip vpclab_nlb {\n  chain prerouting {\n    type filter hook prerouting priority -150; policy accept;\n" + pre + "  }\n";
    if (output.count(ns))
      script += "  chain output {\n    type route hook output priority -150; policy accept;\n" + output[ns] + "  }\n";
    p.nft.push_back({ns, script + "}\n", "Network Load Balancer flows in " + ns});
  }
}

}  // namespace vpclab::emulator
