// Network Load Balancers on the examples (examples/nlb/): the internal NLB
// reached from bar by nlb.home with instance targets (client IP preserved),
// ip targets (the opposite), an NLB in front of the ALB, the classic failure
// (target group admitting only the NLB's subnets), cross-zone, fail-open,
// listeners by port and protocol, and what AWS's API rejects.
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/analyzer.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;

namespace {

std::string path(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/" + rel; }

struct Loaded {
  std::shared_ptr<const model::Network> net;
  Diagnostics diags;
};

Loaded load_file(const std::string& p) {
  auto res = tmpl::load_network({p});
  return {res.network, res.diags};
}

std::string diags_text(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.str() + "\n";
  return s;
}

bool has_code(const TraceResult& r, const std::string& code, bool warning = false) {
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations)
      if (e.code == code && e.warning == warning) return true;
  return false;
}

bool has_diag(const Diagnostics& d, const std::string& code) {
  for (const auto& x : d.items())
    if (x.code == code && x.severity == Severity::kError) return true;
  return false;
}

std::vector<const Hop*> hops_of(const PathTrace& p, const std::string& component) {
  std::vector<const Hop*> out;
  for (const auto& h : p.hops)
    if (h.component == component) out.push_back(&h);
  return out;
}

std::string dump(const TraceResult& r) {
  std::string s;
  for (const auto& p : r.paths) {
    s += "path " + p.address + (p.reachable ? " reachable" : " blocked") + "\n";
    for (const auto& h : p.hops)
      s += "  [" + h.leg + "] " + h.component + " " + h.display + ": " + h.check + " => " + h.matched +
           (h.allowed ? "" : " (BLOCKED)") + "\n";
    for (const auto& e : p.explanations)
      s += "  " + e.code + (e.warning ? " (warning) " : " ") + e.component + ": " + e.message + "\n";
  }
  return s;
}

// A copy of an example with `from` replaced by `to`.
std::string variant(const std::string& example, const std::string& name, const std::string& from, const std::string& to) {
  std::ifstream in(path(example));
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::string p = testing::TempDir() + "/" + name + ".yaml";
  std::ofstream(p) << text;
  return p;
}

const std::string kNlb = "examples/nlb/nlb.yaml";

}  // namespace

TEST(NetworkLoadBalancer, InstanceTargetsSeeTheClientAndAreReachedThroughEachNode) {
  auto l = load_file(path(kNlb));
  ASSERT_TRUE(l.net);
  ASSERT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  ASSERT_EQ(l.net->load_balancers.size(), 1u);
  const auto& lb = l.net->load_balancers[0];
  EXPECT_EQ(lb.type, "network");
  ASSERT_EQ(lb.nodes.size(), 2u);
  EXPECT_EQ(lb.nodes[0].private_ip.str(), "10.2.1.100");  // SubnetMappings' PrivateIPv4Address
  EXPECT_EQ(lb.nodes[1].private_ip.str(), "10.2.2.100");
  // AWS's NLB health-check defaults on a group that sets none.
  const auto& hc = l.net->target_groups.at(0).health_check;
  EXPECT_EQ(hc.protocol, "TCP");
  EXPECT_EQ(hc.timeout_seconds, 10);
  EXPECT_EQ(hc.matcher, "200-399");

  auto r = Analyzer(*l.net).trace("BarApp", "http://nlb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_FALSE(r.undecidable);
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.flow, "tcp/80");
  ASSERT_EQ(r.addresses, (std::vector<std::string>{"10.2.1.100", "10.2.2.100"}));
  bool alias = false;
  for (const auto& h : r.dns) alias |= h.check.find("nlb.home") != std::string::npos;
  EXPECT_TRUE(alias);
  for (const auto& p : r.paths) {
    auto listeners = hops_of(p, "listener");
    ASSERT_EQ(listeners.size(), 1u) << dump(r);
    EXPECT_NE(listeners[0]->check.find("TCP:80 on node " + p.address), std::string::npos) << listeners[0]->check;
    auto groups = hops_of(p, "target-group");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_NE(groups[0]->check.find("cross-zone off, client IP preserved (targets see 10.1.1."), std::string::npos)
        << groups[0]->check;
    // Cross-zone off: one target in the node's zone is sent to, the other is not.
    int sent = 0, skipped = 0;
    for (const auto* h : hops_of(p, "target")) {
      if (h->check == "cross-zone load balancing off") ++skipped;
      else if (h->allowed) ++sent;
    }
    EXPECT_EQ(sent, 1) << dump(r);
    EXPECT_EQ(skipped, 1) << dump(r);
    // The web servers' group sees the client's address, not the node's.
    bool client_seen = false;
    for (const auto* h : hops_of(p, "security-group"))
      client_seen |= h->leg.rfind("node " + p.address, 0) == 0 && h->check.find("from 10.1.1.") != std::string::npos;
    EXPECT_TRUE(client_seen) << dump(r);
    ASSERT_TRUE(p.response);
    EXPECT_EQ(p.response->kind, "target");
    EXPECT_EQ(p.response->rule_priority, -1);
  }
}

TEST(NetworkLoadBalancer, IpTargetsSeeTheNode) {
  auto l = load_file(path("examples/nlb/nlb-ip-targets.yaml"));
  ASSERT_TRUE(l.net);
  ASSERT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  auto r = Analyzer(*l.net).trace("BarApp", "http://nlb.home/");
  EXPECT_TRUE(r.reachable) << dump(r);
  for (const auto& p : r.paths) {
    auto groups = hops_of(p, "target-group");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_NE(groups[0]->check.find("ip target(s), cross-zone off, client IP not preserved (targets see " + p.address),
              std::string::npos)
        << groups[0]->check;
  }
  // Turned on, the ip targets see bar, which their group does not admit.
  auto on = load_file(variant("examples/nlb/nlb-ip-targets.yaml", "ip-preserve", "      TargetType: ip\n",
                              "      TargetType: ip\n      TargetGroupAttributes:\n"
                              "        - {Key: preserve_client_ip.enabled, Value: \"true\"}\n"));
  ASSERT_TRUE(on.net);
  auto ro = Analyzer(*on.net).trace("BarApp", "http://nlb.home/");
  EXPECT_FALSE(ro.reachable) << dump(ro);
  EXPECT_TRUE(has_code(ro, "ELBV2_SOURCE_ADDRESS_PRESERVATION")) << dump(ro);
}

TEST(NetworkLoadBalancer, TargetGroupAdmittingOnlyTheNlbSubnetsTimesOut) {
  auto l = load_file(path("examples/nlb/broken/nlb-target-sg-nlb-subnets.yaml"));
  ASSERT_TRUE(l.net);
  ASSERT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  auto r = Analyzer(*l.net).trace("BarApp", "http://nlb.home/");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.reachable) << dump(r);
  EXPECT_FALSE(r.undecidable);
  EXPECT_EQ(r.exit_code(), 1);
  for (const auto& p : r.paths) {
    bool preserved = false, sg = false, timeout = false;
    for (const auto& e : p.explanations) {
      preserved |= e.code == "ELBV2_SOURCE_ADDRESS_PRESERVATION" && e.message.find("sees 10.1.1.") != std::string::npos;
      sg |= e.code == "ENI_SG_RULES_MISMATCH" && e.component.find("FooWebSecurityGroup") != std::string::npos;
      timeout |= e.code == "TARGET_PORT_RESTRICTION" && e.message.find("times out") != std::string::npos;
    }
    EXPECT_TRUE(preserved && sg && timeout) << dump(r);
    // Health checks come from the node addresses, which the group admits: the targets are healthy.
    bool healthy = false;
    for (const auto* h : hops_of(p, "target"))
      healthy |= h->check.rfind("health check TCP on port 8080", 0) == 0 && h->allowed &&
                 h->matched.find(p.address + " ok") != std::string::npos;
    EXPECT_TRUE(healthy) << dump(r);
  }
  // With preservation off the same group lets the nodes through.
  auto off = load_file(variant("examples/nlb/broken/nlb-target-sg-nlb-subnets.yaml", "preserve-off",
                               "      TargetType: instance\n",
                               "      TargetType: instance\n      TargetGroupAttributes:\n"
                               "        - {Key: preserve_client_ip.enabled, Value: \"false\"}\n"));
  ASSERT_TRUE(off.net);
  EXPECT_TRUE(Analyzer(*off.net).trace("BarApp", "http://nlb.home/").reachable);
}

TEST(NetworkLoadBalancer, InFrontOfTheAlbTheAlbHopsFollow) {
  auto l = load_file(path("examples/nlb/nlb-to-alb.yaml"));
  ASSERT_TRUE(l.net);
  ASSERT_FALSE(l.diags.has_errors()) << diags_text(l.diags);
  auto r = Analyzer(*l.net).trace("BarApp", "http://nlb.home/");
  EXPECT_TRUE(r.reachable) << dump(r);
  ASSERT_EQ(r.paths.size(), 2u);
  for (const auto& p : r.paths) {
    auto listeners = hops_of(p, "listener");
    ASSERT_EQ(listeners.size(), 2u) << dump(r);  // the NLB's TCP:80, then the ALB's HTTP:80
    EXPECT_EQ(listeners[0]->check.rfind("TCP:80", 0), 0u);
    EXPECT_EQ(listeners[1]->check.rfind("HTTP:80", 0), 0u);
    EXPECT_EQ(hops_of(p, "listener-rule").size(), 1u);
    ASSERT_TRUE(p.response);
    EXPECT_EQ(p.response->rule_priority, 0);  // the ALB's default rule answered
    ASSERT_FALSE(p.response->target_groups.empty());
    EXPECT_NE(p.response->target_groups[0].find("FooWebTargetGroup"), std::string::npos);
  }
  // The ALB's group no longer admitting bar: the NLB keeps the client's IP for an alb target.
  auto b = load_file(variant("examples/nlb/nlb-to-alb.yaml", "alb-no-bar",
                             "        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: !Ref BarCidr, Description: "
                             "clients in bar (through the NLB)}\n",
                             ""));
  ASSERT_TRUE(b.net);
  auto rb = Analyzer(*b.net).trace("BarApp", "http://nlb.home/");
  EXPECT_FALSE(rb.reachable) << dump(rb);
  EXPECT_TRUE(has_code(rb, "TARGET_PORT_RESTRICTION")) << dump(rb);
}

TEST(NetworkLoadBalancer, ListenerByPortAndProtocol) {
  auto l = load_file(path(kNlb));
  ASSERT_TRUE(l.net);
  Analyzer a(*l.net);
  auto p81 = a.trace("BarApp", "http://nlb.home:81/");
  EXPECT_FALSE(p81.reachable);
  EXPECT_TRUE(has_code(p81, "ELBV2_LISTENER_PORT_RESTRICTION")) << dump(p81);
  TraceOptions udp;
  udp.protocol = kUdp;
  udp.port = 80;
  auto u = a.trace("BarApp", "nlb.home", udp);
  EXPECT_FALSE(u.reachable);
  EXPECT_TRUE(has_code(u, "PROTOCOL_RESTRICTION")) << dump(u);
  // A TCP_UDP listener and group carry both.
  std::string both = variant(kNlb, "tcp-udp-1", "      Protocol: TCP\n      Port: 8080\n",
                             "      Protocol: TCP_UDP\n      Port: 8080\n");
  std::ifstream in(both);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string listener = "      Protocol: TCP\n      Port: 80\n";
  auto at = text.find(listener);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, listener.size(), "      Protocol: TCP_UDP\n      Port: 80\n");
  std::string udp_path = testing::TempDir() + "/tcp-udp.yaml";
  std::ofstream(udp_path) << text;
  auto t = load_file(udp_path);
  ASSERT_TRUE(t.net);
  ASSERT_FALSE(t.diags.has_errors()) << diags_text(t.diags);
  // The web servers' group admits tcp only: udp reaches the node, not the targets.
  auto ut = Analyzer(*t.net).trace("BarApp", "nlb.home", udp);
  EXPECT_FALSE(ut.reachable);
  EXPECT_TRUE(has_code(ut, "ENI_SG_RULES_MISMATCH", true) || has_code(ut, "ENI_SG_RULES_MISMATCH")) << dump(ut);
  EXPECT_TRUE(has_code(ut, "TARGET_PORT_RESTRICTION")) << dump(ut);
  auto m = Analyzer(*t.net).matrix("BarApp", "FooInternalNlb", "");
  ASSERT_TRUE(m.ok) << m.error;
  ASSERT_EQ(m.cells.size(), 1u);
  EXPECT_EQ(m.cells[0].tcp.str(), "80");
  EXPECT_EQ(m.cells[0].udp.str(), "80");  // the node itself has no security group
}

TEST(NetworkLoadBalancer, CrossZoneOffNeedsATargetInTheNodesZone) {
  auto one = variant(kNlb, "one-target", "        - Id: !Ref FooWeb2\n", "");
  auto l = load_file(one);
  ASSERT_TRUE(l.net);
  auto r = Analyzer(*l.net).trace("BarApp", "http://nlb.home/");
  EXPECT_FALSE(r.reachable) << dump(r);
  ASSERT_EQ(r.paths.size(), 2u);
  EXPECT_TRUE(r.paths[0].reachable) << dump(r);   // 10.2.1.100: web1 is in its zone
  EXPECT_FALSE(r.paths[1].reachable) << dump(r);  // 10.2.2.100: none in its zone
  bool az = false;
  for (const auto& e : r.paths[1].explanations) az |= e.code == "ELBV2_NO_TARGETS_IN_AZ";
  EXPECT_TRUE(az) << dump(r);
  // Cross-zone on (the load balancer's attribute): the second node sends to web1 too.
  std::ifstream in(one);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto at = text.find("      SubnetMappings:\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "      LoadBalancerAttributes:\n        - {Key: load_balancing.cross_zone.enabled, Value: \"true\"}\n");
  std::string cz = testing::TempDir() + "/cross-zone.yaml";
  std::ofstream(cz) << text;
  auto c = load_file(cz);
  ASSERT_TRUE(c.net);
  ASSERT_FALSE(c.diags.has_errors()) << diags_text(c.diags);
  auto rc = Analyzer(*c.net).trace("BarApp", "http://nlb.home/");
  EXPECT_TRUE(rc.reachable) << dump(rc);
}

TEST(NetworkLoadBalancer, HealthChecksBlockedFailOpen) {
  auto p = variant(kNlb, "no-health-checks",
                   "        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: !Ref FooCidr, Description: NLB "
                   "health checks}\n",
                   "");
  auto l = load_file(p);
  ASSERT_TRUE(l.net);
  auto r = Analyzer(*l.net).trace("BarApp", "http://nlb.home/");
  EXPECT_TRUE(r.reachable) << dump(r);
  EXPECT_TRUE(has_code(r, "ELBV2_HEALTH_CHECK_BLOCKED", true)) << dump(r);
}

TEST(NetworkLoadBalancer, ChecksWhatTheApiRejects) {
  {
    auto l = load_file(variant(kNlb, "http-listener", "      Protocol: TCP\n      Port: 80\n",
                               "      Protocol: HTTP\n      Port: 80\n"));
    EXPECT_TRUE(has_diag(l.diags, "LISTENER_PROTOCOL")) << diags_text(l.diags);
  }
  {
    auto l = load_file(variant("examples/scenario/same-account.yaml", "alb-tcp", "      Protocol: HTTP\n      Port: 80\n",
                               "      Protocol: TCP\n      Port: 80\n"));
    EXPECT_TRUE(has_diag(l.diags, "LISTENER_PROTOCOL")) << diags_text(l.diags);
  }
  {
    auto l = load_file(variant(kNlb, "udp-group", "      Protocol: TCP\n      Port: 8080\n",
                               "      Protocol: UDP\n      Port: 8080\n"));
    EXPECT_TRUE(has_diag(l.diags, "ACTION_TG_PROTOCOL")) << diags_text(l.diags);
    bool place = false;
    for (const auto& d : l.diags.items())
      place |= d.code == "ACTION_TG_PROTOCOL" && d.loc.known() &&
               d.message.find("TCP listener forwards to a UDP target group") != std::string::npos;
    EXPECT_TRUE(place) << diags_text(l.diags);
  }
  {
    auto l = load_file(variant(kNlb, "udp-health-check", "      TargetType: instance\n",
                               "      TargetType: instance\n      HealthCheckProtocol: UDP\n"));
    EXPECT_TRUE(has_diag(l.diags, "TG_PROTOCOL")) << diags_text(l.diags);
  }
  {
    auto l = load_file(variant("examples/nlb/nlb-to-alb.yaml", "alb-target-tls", "      Protocol: TCP\n      Port: 80\n      VpcId",
                               "      Protocol: TLS\n      Port: 80\n      VpcId"));
    EXPECT_TRUE(has_diag(l.diags, "TG_PROTOCOL")) << diags_text(l.diags);
  }
}

TEST(NetworkLoadBalancer, ATargetReachingItsOwnNlbTimesOutWhenItLandsOnItself) {
  auto l = load_file(path(kNlb));
  ASSERT_TRUE(l.net);
  auto r = Analyzer(*l.net).trace("FooWeb1", "FooInternalNlb");
  ASSERT_EQ(r.paths.size(), 2u) << dump(r);
  // Node 10.2.1.100 has only web1 in its zone: web1 would be talking to itself.
  EXPECT_FALSE(r.paths[0].reachable) << dump(r);
  bool loopback = false;
  for (const auto& e : r.paths[0].explanations)
    loopback |= e.code == "ELBV2_SOURCE_ADDRESS_PRESERVATION" && e.message.find("is the client itself") != std::string::npos;
  EXPECT_TRUE(loopback) << dump(r);
  EXPECT_TRUE(r.paths[1].reachable) << dump(r);  // 10.2.2.100 sends to web2
}
