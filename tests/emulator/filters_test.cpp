// Security groups and network ACLs compiled to nftables: the scripts the lab
// loads (compile_filters.cpp). What they do to real packets is in
// tests/e2e/filters_e2e_test.cpp and differential_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include "../analysis/fixture.h"
#include "../support/process.h"
#include "emulator/compile.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;
using vpclab::testing::Fx;

namespace {

const std::string kTemplate = std::string(VPCLAB_SOURCE_DIR) + "/tests/e2e/data/filters/filters.yaml";

struct Loaded {
  std::shared_ptr<const model::Network> net;
  CompiledLab lab;
  std::string ns(const std::string& name) const { return lab.targets.at(name); }
  // The script loaded into namespace `ns` whose description starts with `what`.
  std::string script(const std::string& netns, const std::string& what) const {
    for (const auto& n : lab.plan.nft)
      if (n.netns == netns && n.what.rfind(what, 0) == 0) return n.script;
    return {};
  }
  std::string sg_of(const std::string& logical) const {
    for (const auto& g : net->security_groups)
      if (g.origin.logical_id == logical) return g.id;
    return {};
  }
  std::string vpc() const { return net->vpcs.at(0).id; }
};

const Loaded& filter_lab() {
  static const Loaded l = [] {
    Loaded x;
    auto r = tmpl::load_network({kTemplate});
    EXPECT_TRUE(r.network) << "filters.yaml does not load";
    x.net = r.network;
    x.lab = compile_network(*x.net);
    return x;
  }();
  return l;
}

// Position of `needle` in `hay` (npos-safe ordering checks).
size_t at(const std::string& hay, const std::string& needle) {
  size_t p = hay.find(needle);
  EXPECT_NE(p, std::string::npos) << "missing: " << needle << "\nin:\n" << hay;
  return p;
}

std::string ident(std::string s) {
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

TEST(FilterCompile, SecurityGroupsAreEnforcedNotNoted) {
  const auto& l = filter_lab();
  for (const auto& u : l.lab.unsupported) EXPECT_EQ(u.find("not enforced"), std::string::npos) << u;
  // One table per instance namespace, one per VPC router.
  size_t sg = 0, nacl = 0;
  for (const auto& n : l.lab.plan.nft) {
    if (n.what.rfind("security groups of ", 0) == 0) ++sg;
    if (n.what.rfind("network ACLs of ", 0) == 0) ++nacl;
  }
  EXPECT_EQ(sg, l.net->instances.size());
  EXPECT_EQ(nacl, 1u);
}

TEST(FilterCompile, StatefulChainsDropByDefault) {
  const auto& l = filter_lab();
  std::string s = l.script(l.ns("web"), "security groups");
  size_t table = at(s, "table inet vpclab_sg {");
  size_t in = at(s, "chain sg_input {\n    type filter hook input priority filter; policy drop;\n"
                    "    ct state established,related accept\n    iif \"lo\" accept\n"
                    "    iifname \"eth0\" jump sgin_eth0\n  }");
  size_t out = at(s, "chain sg_output {\n    type filter hook output priority filter; policy drop;\n"
                     "    ct state established,related accept\n    oif \"lo\" accept\n");
  EXPECT_LT(table, in);
  EXPECT_LT(in, out);
  // The Amazon DNS server (base+2 and 169.254.169.253) is never filtered.
  at(s, "ip daddr { 10.10.0.2, 169.254.169.253 } meta l4proto { tcp, udp } th dport 53 accept");
}

TEST(FilterCompile, GroupReferenceBecomesANamedSetOfMemberAddresses) {
  const auto& l = filter_lab();
  std::string s = l.script(l.ns("web"), "security groups");
  std::string set = "grp_" + ident(l.sg_of("ClientSg"));
  // Members of ClientSg: member (10.10.1.10) and sealed-peer (10.10.6.12).
  at(s, "set " + set + " {\n    type ipv4_addr\n    flags interval\n    elements = { 10.10.1.10, 10.10.6.12 }\n  }");
  at(s, "ip saddr @" + set + " tcp dport 8080 accept");
  at(s, "ip saddr @" + set + " udp dport 9999 accept");
  // Web's group has only these ingress rules and the default egress rule.
  size_t in = at(s, "chain sgin_eth0 {"), out = at(s, "chain sgout_eth0 {");
  EXPECT_LT(in, out);
  EXPECT_NE(s.find("    meta nfproto ipv4 accept", out), std::string::npos) << "default egress: all outbound";
}

TEST(FilterCompile, RemovedEgressLeavesAnEmptyOutputChain) {
  const auto& l = filter_lab();
  std::string s = l.script(l.ns("locked"), "security groups");
  at(s, "chain sgout_eth0 {\n  }");
  at(s, "ip saddr 10.10.0.0/16 tcp dport 8080 accept");
}

TEST(FilterCompile, IcmpTypeAndCode) {
  const auto& l = filter_lab();
  std::string s = l.script(l.ns("open"), "security groups");
  at(s, "ip saddr 10.10.0.0/16 icmp type 8 accept");
}

TEST(FilterCompile, NaclEntriesInRuleNumberOrderOnTheForwardPath) {
  const auto& l = filter_lab();
  std::string s = l.script(l.vpc(), "network ACLs");
  at(s, "table inet vpclab_nacl {\n  chain nacl_forward {\n    type filter hook forward priority filter; policy accept;\n");
  // Declared 90, 110, then 100; evaluated 90, 100, 110, then the final deny.
  size_t d90 = at(s, "ip saddr 10.10.1.0/24 tcp dport 8080 drop comment \"rule 90 deny\"");
  size_t a100 = s.find("meta nfproto ipv4 return comment \"rule 100 allow\"", d90);
  size_t d110 = at(s, "ip saddr 10.10.1.0/24 tcp dport 9090 drop comment \"rule 110 deny\"");
  size_t star = s.find("drop comment \"rule * deny\"", d110);
  EXPECT_LT(d90, a100);
  EXPECT_LT(a100, d110);
  EXPECT_NE(star, std::string::npos);
  // Egress entries match the destination, ingress entries the source.
  at(s, "ip daddr 10.10.0.0/16 tcp dport 1024-65535 return comment \"rule 100 allow\"");
  at(s, "ip saddr 10.10.0.0/16 tcp dport 8080 return comment \"rule 100 allow\"");
  // Each subnet's bridge: egress for what arrives from it, ingress for what leaves to it.
  for (const auto& sub : l.net->subnets) {
    at(s, "comment \"" + sub.id + " egress\"");
    at(s, "comment \"" + sub.id + " ingress\"");
  }
  at(s, "iifname \"br0\" jump acl_");
  // Inside one subnet no NACL applies, even where br_netfilter shows bridged
  // packets to the forward hook; before any subnet's chain.
  EXPECT_LT(at(s, "iifname \"br5\" oifname \"br5\" accept"), at(s, "iifname \"br0\" jump acl_"));
  at(s, "oifname \"br0\" jump acl_");
}

TEST(FilterCompile, DefaultNaclAllowsAllAndStillEndsInDeny) {
  const auto& l = filter_lab();
  std::string s = l.script(l.vpc(), "network ACLs");
  const auto& v = l.net->vpcs.at(0);
  std::string chain = "chain acl_" + ident(v.default_network_acl.substr(4)) + "_out {\n";
  at(s, chain + "    meta nfproto ipv4 return comment \"rule 100 allow\"\n    drop comment \"rule * deny\"\n  }");
}

// Hand-built networks for what templates rarely have.
struct Small {
  Fx fx;
  std::string vpc, subnet, sg, web;
  Small() {
    vpc = fx.vpc("V", "10.1.0.0/16");
    subnet = fx.subnet(vpc, "S", "10.1.1.0/24");
    sg = fx.sg(vpc, "Web", false);
    web = fx.instance("Web", subnet, "10.1.1.10", {sg});
  }
  std::string script(const CompiledLab& lab, const std::string& ns) {
    for (const auto& n : lab.plan.nft)
      if (n.netns == ns && n.what.rfind("security groups", 0) == 0) return n.script;
    return {};
  }
};

TEST(FilterCompile, RuleShapes) {
  Small s;
  s.fx.allow_in(s.sg, kAllProtocols, PortRange::all(), "10.2.0.0/16");
  s.fx.allow_in(s.sg, kTcp, PortRange{1000, 2000}, "0.0.0.0/0");
  s.fx.allow_in(s.sg, kUdp, PortRange::all(), "10.1.1.7/32");
  s.fx.allow_in(s.sg, 47, PortRange::all(), "10.3.0.0/16");  // GRE: protocol number, no ports
  auto r = Fx::sg_rule(Direction::kIngress, kIcmp, PortRange::all(), "10.4.0.0/16");
  r.icmp_type = 3;
  r.icmp_code = 4;
  s.fx.net.security_groups.back().ingress.push_back(r);
  s.fx.allow_out(s.sg, kTcp, PortRange::single(443), "0.0.0.0/0");
  std::string t = s.script(compile_network(s.fx.finish()), s.web);
  at(t, "    ip saddr 10.2.0.0/16 accept");
  at(t, "    meta nfproto ipv4 tcp dport 1000-2000 accept");
  at(t, "    ip saddr 10.1.1.7 meta l4proto udp accept");
  at(t, "    ip saddr 10.3.0.0/16 meta l4proto 47 accept");
  at(t, "    ip saddr 10.4.0.0/16 icmp type 3 icmp code 4 accept");
  size_t out = at(t, "chain sgout_eth0 {");
  EXPECT_GT(at(t, "meta nfproto ipv4 tcp dport 443 accept"), out);
}

TEST(FilterCompile, SecondaryAddressesAreGroupMembers) {
  Small s;
  auto client_sg = s.fx.sg(s.vpc, "Client");
  s.fx.allow_in(s.sg, kTcp, PortRange::single(8080), client_sg);
  s.fx.instance("Client", s.subnet, "10.1.1.20", {client_sg});
  auto& eni = Fx::find(s.fx.net.network_interfaces, "eni-Client");
  eni.secondary_private_ips = {vpclab::testing::ip("10.1.1.21"), vpclab::testing::ip("10.1.1.22"), vpclab::testing::ip("10.1.1.40")};
  std::string t = s.script(compile_network(s.fx.finish()), s.web);
  at(t, "elements = { 10.1.1.20-10.1.1.22, 10.1.1.40 }");
  at(t, "ip saddr @grp_sg_Client tcp dport 8080 accept");
}

TEST(FilterCompile, EachInterfaceOfAnInstanceHasItsOwnGroups) {
  Small s;
  auto sub2 = s.fx.subnet(s.vpc, "S2", "10.1.2.0/24");
  auto admin = s.fx.sg(s.vpc, "Admin", false);
  s.fx.allow_in(admin, kTcp, PortRange::single(22), "10.1.2.0/24");
  s.fx.allow_in(s.sg, kTcp, PortRange::single(80), "0.0.0.0/0");
  model::NetworkInterface e;
  e.id = "eni-Web2";
  e.subnet = sub2;
  e.vpc = s.vpc;
  e.private_ip = vpclab::testing::ip("10.1.2.10");
  e.security_groups = {admin};
  e.owner_kind = model::EniOwnerKind::kInstance;
  e.owner_id = s.web;
  s.fx.net.network_interfaces.push_back(e);
  Fx::find(s.fx.net.instances, s.web).network_interfaces.push_back(e.id);
  std::string t = s.script(compile_network(s.fx.finish()), s.web);
  at(t, "iifname \"eth0\" jump sgin_eth0\n    iifname \"eth1\" jump sgin_eth1\n");
  at(t, "oifname \"eth0\" jump sgout_eth0\n    oifname \"eth1\" jump sgout_eth1\n");
  size_t in1 = at(t, "chain sgin_eth1 {");
  size_t ssh = at(t, "ip saddr 10.1.2.0/24 tcp dport 22 accept");
  size_t http = at(t, "meta nfproto ipv4 tcp dport 80 accept");
  EXPECT_GT(ssh, in1) << "eth1's rule in eth1's chain";
  EXPECT_LT(http, in1) << "eth0's rule in eth0's chain";
}

TEST(FilterCompile, NatGatewaysAndGrouplessEnisAreNotFiltered) {
  Small s;
  s.fx.igw(s.vpc, "Igw");
  auto nat = s.fx.nat("Nat", s.subnet, "10.1.1.200", "52.0.0.1");
  CompiledLab lab = compile_network(s.fx.finish());
  EXPECT_EQ(s.script(lab, "eni-Nat"), "") << nat << " has no security group";
  EXPECT_NE(s.script(lab, s.web), "");
}

TEST(FilterCompile, EniWithoutGroupsGetsTheVpcDefault) {
  Small s;
  s.fx.instance("Bare", s.subnet, "10.1.1.30", {});
  std::string t = s.script(compile_network(s.fx.finish()), "i-Bare");
  // The default group: all inbound from its own members, all outbound.
  at(t, "ip saddr @grp_sg_Vdefault accept");
  at(t, "elements = { 10.1.1.30 }");
}

TEST(FilterCompile, ScriptsParseWithNft) {
  // `nft -c` checks a script without applying it (in a throwaway network namespace).
  if (geteuid() != 0 || vpclab::testing::run_command("command -v nft unshare").exit_code != 0)
    GTEST_SKIP() << "needs root and nft";
  const auto& l = filter_lab();
  Small s;
  s.fx.allow_in(s.sg, kIcmp, PortRange::all(), "10.4.0.0/16");
  s.fx.allow_in(s.sg, kTcp, PortRange{1, 2}, "10.1.1.0/24");
  CompiledLab small = compile_network(s.fx.finish());
  std::vector<const NftPlan*> all;
  for (const auto& n : l.lab.plan.nft) all.push_back(&n);
  for (const auto& n : small.plan.nft) all.push_back(&n);
  for (const auto* n : all) {
    std::string path = "/tmp/vpclab-nft-" + std::to_string(getpid()) + ".nft";
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(n->script.c_str(), f);
    fclose(f);
    auto r = vpclab::testing::run_command("unshare -n nft -c -f " + path);
    unlink(path.c_str());
    EXPECT_EQ(r.exit_code, 0) << n->what << ":\n" << r.out << "\n" << n->script;
  }
}

}  // namespace
