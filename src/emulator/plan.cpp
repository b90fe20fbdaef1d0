#include "emulator/plan.h"

#include <map>
#include <set>

namespace vpclab::emulator {

const NetnsPlan* LabPlan::netns(const std::string& name) const {
  for (const auto& n : namespaces)
    if (n.name == name) return &n;
  return nullptr;
}

namespace {

std::string route_line(const RoutePlan& r) {
  std::string s;
  switch (r.type) {
    case RouteType::kUnicast: s = "route add " + r.destination.str(); break;
    case RouteType::kBlackhole: s = "route add blackhole " + r.destination.str(); break;
    case RouteType::kUnreachable: s = "route add unreachable " + r.destination.str(); break;
    case RouteType::kLocal: s = "route add local " + r.destination.str(); break;
  }
  if (r.type == RouteType::kUnicast || r.type == RouteType::kLocal) {
    if (r.via) s += " via " + r.via->str();
    if (!r.dev.empty()) s += " dev " + r.dev;
  }
  s += " table " + std::to_string(r.table);
  return s;
}

std::string rule_line(const RulePlan& r) {
  std::string s = "rule add pref " + std::to_string(r.priority);
  if (!r.iif.empty()) s += " iif " + r.iif;
  if (r.fwmark) s += " fwmark " + std::to_string(*r.fwmark);
  // blackhole, not unreachable: AWS drops a packet without a route silently (no ICMP error).
  s += r.table ? " lookup " + std::to_string(*r.table) : " blackhole";
  return s;
}

PlanStep batch_step(std::string description, std::vector<std::string> argv, const std::vector<std::string>& lines) {
  PlanStep s;
  s.description = std::move(description);
  s.argv = std::move(argv);
  for (const auto& l : lines) s.input += l + "\n";
  return s;
}

}  // namespace

std::vector<PlanStep> plan_steps(const LabPlan& plan) {
  std::vector<PlanStep> out;
  std::vector<std::string> lines;
  for (const auto& n : plan.namespaces) lines.push_back("netns add " + n.name);
  if (!lines.empty())
    out.push_back(batch_step("create " + std::to_string(lines.size()) + " network namespaces", {"ip", "-batch", "-"}, lines));
  for (const auto& s : plan.sysctls) {
    PlanStep st;
    st.kind = PlanStep::Kind::kSysctl;
    st.description = "set " + s.key + "=" + s.value + " in " + s.netns;
    st.sysctl = &s;
    out.push_back(std::move(st));
  }

  // Links are created from the supervisor's namespace, each end placed by
  // name: one fork for the whole lab.
  lines.clear();
  for (const auto& b : plan.bridges) lines.push_back("link add " + b.name + " netns " + b.netns + " type bridge");
  for (const auto& v : plan.veths)
    lines.push_back("link add " + v.name_a + " netns " + v.netns_a + " type veth peer name " + v.name_b + " netns " +
                    v.netns_b);
  if (!lines.empty())
    out.push_back(batch_step("create " + std::to_string(plan.bridges.size()) + " bridges and " +
                                 std::to_string(plan.veths.size()) + " veth pairs",
                             {"ip", "-batch", "-"}, lines));

  // Then one batch per namespace, in phase order inside it.
  std::map<std::string, std::vector<std::string>> per_ns;
  for (const auto& n : plan.namespaces) per_ns[n.name].push_back("link set lo up");
  for (const auto& b : plan.bridges) per_ns[b.netns].push_back("link set " + b.name + " up");
  for (const auto& v : plan.veths) {
    if (!v.master_a.empty()) per_ns[v.netns_a].push_back("link set " + v.name_a + " master " + v.master_a);
    if (!v.master_b.empty()) per_ns[v.netns_b].push_back("link set " + v.name_b + " master " + v.master_b);
    per_ns[v.netns_a].push_back("link set " + v.name_a + " up");
    per_ns[v.netns_b].push_back("link set " + v.name_b + " up");
  }
  for (const auto& a : plan.addresses)
    per_ns[a.netns].push_back("addr add " + a.address.str() + "/" + std::to_string(a.prefix) + " dev " + a.dev);
  for (const auto& r : plan.routes) per_ns[r.netns].push_back(route_line(r));
  for (const auto& r : plan.rules) per_ns[r.netns].push_back(rule_line(r));
  for (const auto& [ns, l] : per_ns)
    out.push_back(batch_step("configure links, addresses, routes and rules in " + ns, {"ip", "-n", ns, "-batch", "-"}, l));

  for (const auto& n : plan.nft) {
    PlanStep s;
    s.kind = PlanStep::Kind::kNft;
    s.description = "load nftables (" + (n.what.empty() ? std::string("rules") : n.what) + ") in " + n.netns;
    s.nft = &n;
    out.push_back(std::move(s));
  }
  if (plan.dns && !plan.dns_listen.empty()) {
    PlanStep s;
    s.kind = PlanStep::Kind::kDns;
    s.description = "start the VPC resolver on " + std::to_string(plan.dns_listen.size()) + " addresses";
    out.push_back(std::move(s));
  }
  for (const auto& p : plan.processes) {
    if (p.standby) continue;  // launched by the supervisor, on a replacement
    PlanStep s;
    s.kind = PlanStep::Kind::kProcess;
    s.description = "start " + p.name + " in " + p.netns;
    s.process = &p;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> check_plan(const LabPlan& plan) {
  std::vector<std::string> problems;
  std::set<std::string> ns;
  for (const auto& n : plan.namespaces) {
    if (n.name.empty() || n.name.find('/') != std::string::npos || n.name == "." || n.name == "..")
      problems.push_back("bad namespace name '" + n.name + "'");
    if (!ns.insert(n.name).second) problems.push_back("duplicate namespace " + n.name);
  }
  auto need_ns = [&](const std::string& name, const std::string& what) {
    if (!ns.count(name)) problems.push_back(what + " refers to unknown namespace '" + name + "'");
  };
  std::set<std::pair<std::string, std::string>> ifs;
  auto add_if = [&](const std::string& netns, const std::string& dev, const std::string& what) {
    need_ns(netns, what);
    if (dev.empty() || dev.size() > 15) problems.push_back(what + ": interface name '" + dev + "' must be 1-15 characters");
    if (!ifs.insert({netns, dev}).second) problems.push_back(what + ": duplicate interface " + netns + "/" + dev);
  };
  for (const auto& b : plan.bridges) add_if(b.netns, b.name, "bridge " + b.name);
  for (const auto& v : plan.veths) {
    add_if(v.netns_a, v.name_a, "veth " + v.name_a);
    add_if(v.netns_b, v.name_b, "veth " + v.name_b);
  }
  auto has_if = [&](const std::string& netns, const std::string& dev) { return dev == "lo" || ifs.count({netns, dev}); };
  for (const auto& v : plan.veths) {
    if (!v.master_a.empty() && !has_if(v.netns_a, v.master_a)) problems.push_back("veth " + v.name_a + ": unknown bridge " + v.master_a);
    if (!v.master_b.empty() && !has_if(v.netns_b, v.master_b)) problems.push_back("veth " + v.name_b + ": unknown bridge " + v.master_b);
  }
  for (const auto& a : plan.addresses)
    if (!has_if(a.netns, a.dev)) problems.push_back("address " + a.address.str() + ": unknown interface " + a.netns + "/" + a.dev);
  for (const auto& r : plan.routes) {
    need_ns(r.netns, "route " + r.destination.str());
    if ((r.type == RouteType::kUnicast || r.type == RouteType::kLocal) && (r.dev.empty() || !has_if(r.netns, r.dev)))
      problems.push_back("route " + r.destination.str() + ": unknown interface " + r.netns + "/" + r.dev);
  }
  for (const auto& r : plan.rules)
    if ((!r.iif.empty() || !r.fwmark) && !has_if(r.netns, r.iif)) problems.push_back("rule " + std::to_string(r.priority) + ": unknown interface " + r.netns + "/" + r.iif);
  for (const auto& s : plan.sysctls) need_ns(s.netns, "sysctl " + s.key);
  for (const auto& n : plan.nft) need_ns(n.netns, "nftables " + n.what);
  for (const auto& d : plan.dns_listen) need_ns(d.netns, "resolver address " + d.address.str());
  for (const auto& l : plan.service_listen) need_ns(l.netns, "AWS service listener " + l.address.str());
  if (!plan.dns_listen.empty() && !plan.dns) problems.push_back("resolver addresses without a resolver configuration");
  for (const auto& lb : plan.network_load_balancers) {
    for (const auto& ns : lb.node_netns) need_ns(ns, "load balancer " + lb.name + " node");
    if (lb.node_netns.size() != lb.config.nodes.size())
      problems.push_back("load balancer " + lb.name + ": " + std::to_string(lb.config.nodes.size()) + " nodes, " +
                         std::to_string(lb.node_netns.size()) + " namespaces");
  }
  for (const auto& lb : plan.load_balancers) {
    for (const auto& ns : lb.node_netns) need_ns(ns, "load balancer " + lb.name + " node");
    if (lb.node_netns.size() != lb.config.nodes.size())
      problems.push_back("load balancer " + lb.name + ": " + std::to_string(lb.config.nodes.size()) + " nodes, " +
                         std::to_string(lb.node_netns.size()) + " namespaces");
    for (const auto& w : lb.boot_waits) need_ns(w.netns, "load balancer " + lb.name + " target");
  }
  std::set<std::string> procs;
  for (const auto& p : plan.processes) {
    need_ns(p.netns, "process " + p.name);
    if (p.argv.empty()) problems.push_back("process " + p.name + " has no command");
    if (!procs.insert(p.name).second) problems.push_back("duplicate process " + p.name);
  }
  return problems;
}

}  // namespace vpclab::emulator
