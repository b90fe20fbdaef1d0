// The canonical scenario, built from its template, written as the AWS CLI
// prints describe-* output and loaded back: the same network comes out.
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "analysis/analyzer.h"
#include "snapshot/load.h"
#include "snapshot/write.h"
#include "template/load.h"
#include "../support/diagnostics.h"

using vpclab::testing::dump;

namespace fs = std::filesystem;
using namespace vpclab;

namespace {

const std::string kScenario = std::string(VPCLAB_SOURCE_DIR) + "/examples/scenario/same-account.yaml";

std::string route_line(const model::RouteTable& t, const Route& r) {
  std::string dest = r.destination ? r.destination->str() : r.destination_ipv6 + r.destination_prefix_list;
  return "route " + t.id + " " + dest + " -> " + route_target_kind_name(r.target_kind) + ":" + r.target_id +
         (r.state == RouteState::kBlackhole ? " blackhole" : " active");
}

std::string sg_rule_line(const model::SecurityGroup& g, const SecurityGroupRule& r) {
  std::ostringstream s;
  s << "sg-rule " << g.id << (r.direction == Direction::kIngress ? " in " : " out ") << protocol_name(r.protocol) << " "
    << r.ports.str() << " icmp " << r.icmp_type << "/" << r.icmp_code << " peer "
    << (r.cidr ? r.cidr->str() : "") << r.cidr_ipv6 << r.group_id << r.prefix_list_id << " '" << r.description << "'";
  return s.str();
}

std::string nacl_line(const model::NetworkAcl& a, const NetworkAclEntry& e) {
  std::ostringstream s;
  s << "nacl " << a.id << (e.direction == Direction::kIngress ? " in " : " out ") << e.rule_number << " "
    << (e.allow ? "allow " : "deny ") << protocol_name(e.protocol) << " " << e.ports.str() << " "
    << (e.cidr ? e.cidr->str() : e.cidr_ipv6);
  return s.str();
}

// What must survive the round trip, one fact a line, in a set so that list
// order (AWS groups SG rules per protocol and port) does not matter.
std::set<std::string> facts(const model::Network& n) {
  std::set<std::string> out;
  for (const auto& v : n.vpcs) {
    std::string cidrs;
    for (const auto& c : v.cidrs) cidrs += c.str() + " ";
    out.insert("vpc " + v.id + " " + v.name + " " + cidrs + (v.enable_dns_support ? "dns " : "") +
               (v.enable_dns_hostnames ? "hostnames " : "") + "main=" + v.main_route_table +
               " sg=" + v.default_security_group + " acl=" + v.default_network_acl + " igw=" + v.internet_gateway +
               " account=" + v.origin.account + " region=" + v.origin.region);
  }
  for (const auto& s : n.subnets)
    out.insert("subnet " + s.id + " " + s.name + " " + s.vpc + " " + s.cidr.str() + " " + s.availability_zone +
               (s.map_public_ip_on_launch ? " public" : "") + " rtb=" + s.route_table +
               (s.route_table_explicit ? "(explicit)" : "") + " acl=" + s.network_acl);
  for (const auto& t : n.route_tables) {
    out.insert("rtb " + t.id + " " + t.vpc + (t.main ? " main" : ""));
    for (const auto& r : t.routes) out.insert(route_line(t, r));
  }
  for (const auto& g : n.internet_gateways) out.insert("igw " + g.id + " " + g.vpc);
  for (const auto& g : n.nat_gateways)
    out.insert("nat " + g.id + " " + g.subnet + " " + g.network_interface + " " + g.private_ip.str() + " " +
               (g.public_ip ? g.public_ip->str() : "-"));
  for (const auto& e : n.elastic_ips) out.insert("eip " + e.allocation_id + " " + e.public_ip.str() + " " + e.network_interface);
  for (const auto& p : n.peerings)
    out.insert("pcx " + p.id + " " + p.requester.vpc + "@" + p.requester.account + "/" + p.requester.region + " " +
               p.accepter.vpc + "@" + p.accepter.account + "/" + p.accepter.region + " " + peering_state_name(p.state) +
               (p.requester.allow_dns_resolution_from_remote_vpc ? " req-dns" : "") +
               (p.accepter.allow_dns_resolution_from_remote_vpc ? " acc-dns" : ""));
  for (const auto& g : n.security_groups) {
    out.insert("sg " + g.id + " " + g.group_name + " " + g.vpc + (g.is_default ? " default" : ""));
    for (const auto& r : g.ingress) out.insert(sg_rule_line(g, r));
    for (const auto& r : g.egress) out.insert(sg_rule_line(g, r));
  }
  for (const auto& a : n.network_acls) {
    out.insert("acl " + a.id + " " + a.vpc + (a.is_default ? " default" : ""));
    for (const auto& e : a.ingress) out.insert(nacl_line(a, e));
    for (const auto& e : a.egress) out.insert(nacl_line(a, e));
  }
  for (const auto& e : n.network_interfaces) {
    std::string sgs;
    for (const auto& g : e.security_groups) sgs += g + " ";
    out.insert("eni " + e.id + " " + e.subnet + " " + e.vpc + " " + e.private_ip.str() + " " +
               (e.public_ip ? e.public_ip->str() : "-") + " sgs=" + sgs + " owner=" +
               std::to_string(static_cast<int>(e.owner_kind)) + ":" + e.owner_id +
               (e.source_dest_check ? "" : " no-src-dst-check"));
  }
  for (const auto& i : n.instances) {
    std::string enis;
    for (const auto& e : i.network_interfaces) enis += e + " ";
    out.insert("instance " + i.id + " " + i.name + " " + i.subnet + " " + i.private_ip.str() + " " +
               (i.public_ip ? i.public_ip->str() : "-") + " " + i.private_dns_name + " " + i.public_dns_name + " enis=" +
               enis + i.image_id + " " + i.instance_type + " " + i.key_name);
  }
  for (const auto& lb : n.load_balancers) {
    std::string sgs, nodes;
    for (const auto& g : lb.security_groups) sgs += g + " ";
    for (const auto& x : lb.nodes)
      nodes += x.subnet + "/" + x.availability_zone + "/" + x.network_interface + "/" + x.private_ip.str() + " ";
    out.insert("lb " + lb.arn + " " + lb.name + " " + lb.type + (lb.internal ? " internal " : " internet-facing ") +
               lb.vpc + " " + lb.dns_name + " " + lb.canonical_hosted_zone_id + " " + lb.full_name + " sgs=" + sgs +
               " nodes=" + nodes + " idle=" + std::to_string(lb.attributes.idle_timeout_seconds) +
               " cross-zone=" + (lb.attributes.cross_zone ? (*lb.attributes.cross_zone ? "on" : "off") : "default"));
  }
  for (const auto& l : n.listeners) {
    std::string acts;
    for (const auto& a : l.default_rule.actions)
      for (const auto& w : a.target_groups) acts += w.target_group_arn + " ";
    out.insert("listener " + l.arn + " " + l.load_balancer + " " + l.protocol + ":" + std::to_string(l.port) +
               " default=" + acts + " rules=" + std::to_string(l.rules.size()));
  }
  for (const auto& tg : n.target_groups) {
    std::string targets;
    for (const auto& t : tg.targets) targets += t.id + ":" + std::to_string(t.port.value_or(0)) + " ";
    std::string lbs;
    for (const auto& l : tg.load_balancers) lbs += l + " ";
    out.insert("tg " + tg.arn + " " + tg.name + " " + tg.full_name + " " + tg.target_type + " " + tg.protocol + ":" +
               std::to_string(tg.port) + " " + tg.vpc + " hc=" + tg.health_check.protocol + " " + tg.health_check.path +
               " " + tg.health_check.matcher + " " + std::to_string(tg.health_check.timeout_seconds) + " preserve=" +
               (tg.attributes.preserve_client_ip ? (*tg.attributes.preserve_client_ip ? "on" : "off") : "default") +
               " targets=" + targets + " lbs=" + lbs);
  }
  for (const auto& g : n.transit_gateways)
    out.insert("tgw " + g.id + " " + g.name + " asn=" + std::to_string(g.amazon_side_asn) + " assoc=" +
               g.association_default_route_table + " prop=" + g.propagation_default_route_table +
               (g.auto_accept_shared_attachments ? " auto-accept" : "") + (g.dns_support ? " dns" : "") + " " +
               g.state + " account=" + g.origin.account + " region=" + g.origin.region);
  for (const auto& a : n.transit_gateway_attachments) {
    std::string subnets;
    for (const auto& s : a.subnets) subnets += s + " ";
    out.insert("tgw-attach " + a.id + " " + a.transit_gateway + " " + a.resource_type + ":" + a.resource_id + " owner=" +
               a.resource_owner + " subnets=" + subnets + a.state + " rtb=" + a.route_table + " peer-rtb=" +
               a.peer_route_table + " peer-region=" + a.peer_region + (a.appliance_mode_support ? " appliance" : ""));
  }
  for (const auto& t : n.transit_gateway_route_tables) {
    out.insert("tgw-rtb " + t.id + " " + t.transit_gateway + (t.routes_known ? "" : " routes-unknown"));
    for (const auto& p : t.propagations) out.insert("tgw-propagation " + t.id + " " + p.attachment);
    for (const auto& r : t.routes)
      out.insert("tgw-route " + t.id + " " + (r.destination ? r.destination->str() : r.destination_prefix_list) +
                 " -> " + (r.blackhole ? "blackhole" : r.attachment) + (r.propagated ? " propagated" : " static"));
  }
  for (const auto& pl : n.prefix_lists) {
    std::string entries;
    for (const auto& e : pl.entries) entries += e.text + "=" + e.description + " ";
    out.insert("prefix-list " + pl.id + " " + pl.name + " " + pl.address_family + " max=" +
               std::to_string(pl.max_entries) + " owner=" + pl.owner_id + " " + entries);
  }
  for (const auto& e : n.vpc_endpoints) {
    std::string rtbs, subnets, enis;
    for (const auto& t : e.route_tables) rtbs += t + " ";
    for (const auto& s : e.subnets) subnets += s + " ";
    for (const auto& i : e.network_interfaces) {
      const auto* eni = n.network_interface(i);
      enis += i + "=" + (eni ? eni->private_ip.str() + (eni->owner_id == e.id ? "(owned)" : "") : "?") + " ";
    }
    out.insert("vpce " + e.id + " " + e.type + " " + e.vpc + " " + e.service_name + " " + e.state + " rtbs=" + rtbs +
               "subnets=" + subnets + "enis=" + enis + (e.private_dns_enabled ? "private-dns " : "") + "pl=" +
               e.prefix_list + " dns=" + e.dns_name + " policy=" + e.policy_document);
  }
  for (const auto& g : n.customer_gateways)
    out.insert("cgw " + g.id + " " + g.ip_address + " asn=" + std::to_string(g.bgp_asn) + " " + g.type + " " + g.state);
  for (const auto& g : n.vpn_gateways) {
    out.insert("vgw " + g.id + " vpc=" + g.vpc + " asn=" + std::to_string(g.amazon_side_asn) + " " + g.state);
    for (const auto& r : g.routes)
      out.insert("vgw-route " + g.id + " " + r.destination.str() + " -> " + r.connection + (r.static_route ? " static" : " bgp"));
  }
  for (const auto& c : n.vpn_connections) {
    std::string tunnels, advertised;
    for (const auto& t : c.tunnels) tunnels += t + " ";
    for (const auto& a : c.advertised) advertised += a.str() + " ";
    out.insert("vpn " + c.id + " cgw=" + c.customer_gateway + " vgw=" + c.vpn_gateway + " tgw=" + c.transit_gateway +
               " attach=" + c.transit_gateway_attachment + (c.static_routes_only ? " static " : " bgp ") + c.state +
               " tunnels=" + tunnels + "advertised=" + advertised);
    for (const auto& r : c.routes) out.insert("vpn-route " + c.id + " " + r.destination.str() + " " + r.state);
  }
  for (const auto& p : n.vpn_gateway_route_propagations) out.insert("vgw-propagation " + p.vpn_gateway + " " + p.route_table);
  for (const auto& o : n.on_premises) {
    std::string cidrs;
    for (const auto& c : o.cidrs) cidrs += c.str() + " ";
    out.insert("on-premises behind " + o.customer_gateway + " " + cidrs);  // a snapshot names it by the gateway
  }
  auto spec = [](const model::LaunchSpecification& x) {
    std::string sgs;
    for (const auto& g : x.security_groups) sgs += g + " ";
    return x.image_id + " " + x.instance_type + " " + x.key_name + " sgs=" + sgs + " public=" +
           (x.associate_public_ip ? (*x.associate_public_ip ? "yes" : "no") : "subnet") + " user-data=" +
           std::to_string(std::hash<std::string>{}(x.user_data));
  };
  for (const auto& lt : n.launch_templates) {
    out.insert("lt " + lt.id + " " + lt.name + " default=" + std::to_string(lt.default_version));
    for (const auto& v : lt.versions) out.insert("lt-version " + lt.id + " " + std::to_string(v.number) + " " + spec(v.data));
  }
  for (const auto& lc : n.launch_configurations) out.insert("lc " + lc.name + " " + spec(lc.data));
  for (const auto& g : n.auto_scaling_groups) {
    std::string subnets, tgs, members;
    for (const auto& s : g.subnets) subnets += s + " ";
    for (const auto& t : g.target_groups) tgs += t + " ";
    for (const auto& m : g.instances) members += m + " ";
    out.insert("asg " + g.name + " " + g.arn + " subnets=" + subnets + "min=" + std::to_string(g.min_size) +
               " max=" + std::to_string(g.max_size) + " desired=" + std::to_string(g.desired_capacity.value_or(-1)) +
               " tgs=" + tgs + g.health_check_type + " lt=" + g.launch_template_id + g.launch_template_name + "@" +
               g.launch_template_version + " lc=" + g.launch_configuration + " launched=" +
               std::to_string(g.launched_version.value_or(0)) + " " + spec(g.launched) + " members=" + members +
               " name-tag=" + g.member_name_tag);
  }
  for (const auto& z : n.hosted_zones) {
    std::string vpcs;
    for (const auto& v : z.vpcs) vpcs += v.vpc + "/" + v.region + " ";
    out.insert("zone " + z.id + " " + z.name + (z.is_private ? " private " : " public ") + vpcs);
    for (const auto& r : z.records) {
      if (r.name == z.name && (r.type == "SOA" || r.type == "NS")) continue;  // AWS creates them
      std::string vals;
      for (const auto& v : r.values) vals += v + " ";
      out.insert("record " + z.id + " " + r.name + " " + r.type + " " + vals +
                 (r.is_alias ? "alias " + r.alias.dns_name + " " + r.alias.hosted_zone_id : ""));
    }
  }
  return out;
}

class RoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vpclab-snap-rt-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

class RoundTripOf : public RoundTrip, public ::testing::WithParamInterface<const char*> {};

// The same-account stack, the manifest that adds the peering's DNS options,
// the cross-account lab (two accounts: accounts/<id>/<region> folders,
// the peering listed in both), the NLB examples, and the TGW ones (one TGW;
// two in two Regions joined by a peering attachment listed on both sides).
INSTANTIATE_TEST_SUITE_P(Scenarios, RoundTripOf,
                         ::testing::Values("examples/scenario/same-account.yaml", "examples/scenario/vpclab.yaml",
                                           "examples/scenario/cross-account/vpclab.yaml", "examples/nlb/nlb.yaml",
                                           "examples/nlb/nlb-ip-targets.yaml", "examples/nlb/nlb-to-alb.yaml",
                                           "examples/tgw/hub-and-spoke.yaml",
                                           "examples/tgw/isolated-spokes.yaml",
                                           "examples/tgw/cross-account/vpclab.yaml",
                                           "examples/prefix-lists/scenario.yaml",
                                           "examples/tgw/cross-region/vpclab.yaml", "examples/tgw/vpn/vpclab.yaml",
                                           "examples/vpn/vpclab.yaml", "examples/asg/asg.yaml",
                                           "examples/endpoints/vpclab.yaml"));

TEST_P(RoundTripOf, ComesBackTheSame) {
  auto built = tmpl::load_network({std::string(VPCLAB_SOURCE_DIR) + "/" + GetParam()});
  ASSERT_TRUE(built.network) << dump(built.diags);
  Diagnostics wd;
  ASSERT_TRUE(snapshot::write_snapshot(*built.network, dir_.string(), wd)) << dump(wd);

  ASSERT_TRUE(snapshot::is_snapshot_dir(dir_.string()));
  auto loaded = snapshot::load_snapshot(dir_.string());
  ASSERT_TRUE(loaded.network) << dump(loaded.diags);
  EXPECT_EQ(loaded.diags.count(Severity::kError), 0u) << dump(loaded.diags);
  EXPECT_EQ(loaded.diags.count(Severity::kWarning), 0u) << dump(loaded.diags);

  auto want = facts(*built.network), got = facts(*loaded.network);
  std::string missing, extra;
  for (const auto& f : want)
    if (!got.count(f)) missing += "  - " + f + "\n";
  for (const auto& f : got)
    if (!want.count(f)) extra += "  + " + f + "\n";
  EXPECT_TRUE(missing.empty() && extra.empty()) << "template model vs snapshot model:\n" << missing << extra;
  const bool small = std::string(GetParam()) == "examples/vpn/vpclab.yaml" ||
                     std::string(GetParam()) == "examples/endpoints/vpclab.yaml";
  EXPECT_GT(want.size(), small ? 25u : 60u);  // real content
  if (std::string(GetParam()) == "examples/endpoints/vpclab.yaml") {
    // The snapshot's endpoints are the template's: S3 through the gateway endpoint, SQS's
    // private DNS answering the same interfaces.
    analysis::Analyzer from_template(*built.network), from_snapshot(*loaded.network);
    for (const auto* a : {&from_template, &from_snapshot}) {
      auto t = a->trace("bar-app", "https://s3.us-east-1.amazonaws.com/");
      EXPECT_TRUE(t.reachable);
      bool endpoint = false;
      for (const auto& p : t.paths)
        for (const auto& h : p.hops) endpoint |= h.component == "vpc-endpoint" && h.allowed;
      EXPECT_TRUE(endpoint);
    }
    auto d1 = from_template.resolve("bar-app", "sqs.us-east-1.amazonaws.com");
    auto d2 = from_snapshot.resolve("bar-app", "sqs.us-east-1.amazonaws.com");
    EXPECT_EQ(d1.addresses.size(), 2u);
    EXPECT_EQ(d1.addresses, d2.addresses);
  }
  if (std::string(GetParam()).find("examples/nlb/") == 0) {
    // The snapshot's NLB is the template's: same nodes, reached the same way.
    analysis::Analyzer from_template(*built.network), from_snapshot(*loaded.network);
    auto x = from_template.trace("bar-app", "http://nlb.home/"), y = from_snapshot.trace("bar-app", "http://nlb.home/");
    EXPECT_EQ(x.exit_code(), 0);
    EXPECT_EQ(y.exit_code(), 0);
    EXPECT_EQ(x.addresses, y.addresses);
    EXPECT_EQ(x.paths.size(), y.paths.size());
  }
  if (std::string(GetParam()).find("vpn/") != std::string::npos) {
    // From the office (named by an address: a snapshot names the network by its
    // customer gateway) the snapshot answers as the template, hop for hop.
    bool tgw = std::string(GetParam()).find("examples/tgw/") == 0;
    const char* from = tgw ? "192.168.0.10" : "172.16.0.10";
    const char* to = tgw ? "foo-internal-alb" : "app";
    analysis::Analyzer from_template(*built.network), from_snapshot(*loaded.network);
    auto x = from_template.trace(from, to), y = from_snapshot.trace(from, to);
    EXPECT_EQ(x.exit_code(), 0) << x.error;
    EXPECT_EQ(y.exit_code(), 0) << y.error;
    ASSERT_EQ(x.paths.size(), y.paths.size());
    for (size_t i = 0; i < x.paths.size(); ++i) {
      std::vector<std::string> hx, hy;
      auto network_leg = [](const analysis::Hop& h) { return h.leg == "request" || h.leg == "reply"; };
      for (const auto& h : x.paths[i].hops)
        if (network_leg(h)) hx.push_back(h.component + " " + h.id + " " + h.leg);
      for (const auto& h : y.paths[i].hops)
        if (network_leg(h)) hy.push_back(h.component + " " + h.id + " " + h.leg);
      EXPECT_EQ(std::count_if(hx.begin(), hx.end(), [](const std::string& s) { return s.find("vpn-connection") == 0; }), 2);
      EXPECT_EQ(hx, hy);
    }
  }
  if (std::string(GetParam()).find("examples/asg/") == 0) {
    // The group comes back with its members, in the target group, and the ALB reaches both.
    ASSERT_EQ(loaded.network->auto_scaling_groups.size(), 1u);
    EXPECT_EQ(loaded.network->auto_scaling_groups[0].instances.size(), 2u);
    analysis::Analyzer from_template(*built.network), from_snapshot(*loaded.network);
    auto x = from_template.trace("bar-app", "http://alb.home/"), y = from_snapshot.trace("bar-app", "http://alb.home/");
    EXPECT_EQ(x.exit_code(), 0);
    EXPECT_EQ(y.exit_code(), 0);
    EXPECT_EQ(x.addresses, y.addresses);
    // The snapshot names members by the group's name: member 1 is the same instance.
    const auto& g = loaded.network->auto_scaling_groups[0];
    auto a = from_template.trace("FooWebGroup/1", "8.8.8.8"), b = from_snapshot.trace(g.name + "/1", "8.8.8.8");
    EXPECT_TRUE(a.ok) << a.error;
    EXPECT_TRUE(b.ok) << b.error;
    EXPECT_EQ(a.exit_code(), b.exit_code());
  }
  if (std::string(GetParam()).find("examples/tgw/") == 0) {
    // Through the transit gateway(s) the snapshot answers as the template: the same hops.
    analysis::Analyzer from_template(*built.network), from_snapshot(*loaded.network);
    auto x = from_template.trace("bar-app", "http://alb.home/"), y = from_snapshot.trace("bar-app", "http://alb.home/");
    EXPECT_EQ(x.exit_code(), 0);
    EXPECT_EQ(y.exit_code(), 0);
    ASSERT_EQ(x.paths.size(), y.paths.size());
    for (size_t i = 0; i < x.paths.size(); ++i) {
      std::vector<std::string> hx, hy;
      // The network legs, by id (the template names resources by logical id, a snapshot by AWS id).
      auto network_leg = [](const analysis::Hop& h) { return h.leg == "request" || h.leg == "reply"; };
      for (const auto& h : x.paths[i].hops)
        if (network_leg(h)) hx.push_back(h.component + " " + h.id + " " + h.leg);
      for (const auto& h : y.paths[i].hops)
        if (network_leg(h)) hy.push_back(h.component + " " + h.id + " " + h.leg);
      EXPECT_GE(std::count_if(hx.begin(), hx.end(), [](const std::string& s) { return s.find("transit-gateway") == 0; }), 4);
      EXPECT_EQ(hx, hy);
    }
  }
}

std::set<std::string> matrix_lines(const model::Network& n) {
  analysis::Analyzer an(n);
  auto m = an.matrix();
  std::set<std::string> out;
  for (const auto& c : m.cells)
    out.insert(c.from_id + " -> " + c.to_id + " tcp " + c.tcp.str() + " udp " + c.udp.str() + (c.icmp ? " icmp" : ""));
  return out;
}

TEST_F(RoundTrip, TraceAndMatrixGiveTheSameAnswers) {
  auto built = tmpl::load_network({kScenario});
  ASSERT_TRUE(built.network) << dump(built.diags);
  Diagnostics wd;
  ASSERT_TRUE(snapshot::write_snapshot(*built.network, dir_.string(), wd));
  auto loaded = snapshot::load_snapshot(dir_.string());
  ASSERT_TRUE(loaded.network) << dump(loaded.diags);

  auto a = matrix_lines(*built.network), b = matrix_lines(*loaded.network);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);

  // The scenario's question, asked of both: bar's app instance reaches the
  // ALB by its private hosted zone name; the bastion in foo does not (no
  // rule lets it in on 80). Instances are named by their Name tags.
  analysis::Analyzer from_template(*built.network), from_snapshot(*loaded.network);
  struct Q {
    const char* from;
    const char* to;
  };
  for (auto q : {Q{"bar-app", "http://alb.home/"}, Q{"foo-bastion", "http://alb.home/"}, Q{"bar-app", "8.8.8.8"},
                 Q{"foo-web1", "8.8.8.8"}, Q{"bar-bastion", "foo-web1:8080"}, Q{"internet", "bar-bastion:22"}}) {
    auto x = from_template.trace(q.from, q.to), y = from_snapshot.trace(q.from, q.to);
    EXPECT_TRUE(x.ok) << q.from << " -> " << q.to << ": " << x.error;
    EXPECT_EQ(x.exit_code(), y.exit_code()) << q.from << " -> " << q.to;
    EXPECT_EQ(x.addresses, y.addresses) << q.from << " -> " << q.to;
    std::vector<std::string> cx, cy;
    for (const auto& p : x.paths)
      for (const auto& e : p.explanations) cx.push_back(e.code);
    for (const auto& p : y.paths)
      for (const auto& e : p.explanations) cy.push_back(e.code);
    EXPECT_EQ(cx, cy) << q.from << " -> " << q.to;
  }
  EXPECT_EQ(from_snapshot.trace("bar-app", "http://alb.home/").exit_code(), 0);
}

TEST_F(RoundTrip, FilesLookLikeAwsCliOutput) {
  auto built = tmpl::load_network({kScenario});
  ASSERT_TRUE(built.network) << dump(built.diags);
  Diagnostics wd;
  ASSERT_TRUE(snapshot::write_snapshot(*built.network, dir_.string(), wd));
  const auto& vpc = built.network->vpcs.at(0);
  fs::path folder = dir_ / "accounts" / vpc.origin.account / vpc.origin.region;
  for (const char* f : {"vpcs.json", "subnets.json", "route-tables.json", "security-groups.json", "network-acls.json",
                        "instances.json", "network-interfaces.json", "internet-gateways.json", "nat-gateways.json",
                        "addresses.json", "vpc-peering-connections.json", "elbv2-load-balancers.json",
                        "elbv2-target-groups.json", "route53-hosted-zones.json"})
    EXPECT_TRUE(fs::exists(folder / f)) << f;
  std::ifstream in(folder / "vpcs.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The CLI's layout: 4-space indent, "Key": value.
  EXPECT_EQ(text.rfind("{\n    \"Vpcs\": [\n        {\n            \"CidrBlock\": ", 0), 0u) << text.substr(0, 200);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["Vpcs"].size(), built.network->vpcs.size());
  // A route to the peering is written as AWS prints it.
  std::ifstream rin(folder / "route-tables.json");
  auto rt = nlohmann::json::parse(rin);
  bool peering_route = false, local_route = false;
  for (const auto& t : rt["RouteTables"])
    for (const auto& r : t["Routes"]) {
      peering_route |= r.contains("VpcPeeringConnectionId") && r["State"] == "active";
      local_route |= r.value("GatewayId", "") == "local" && r["Origin"] == "CreateRouteTable";
    }
  EXPECT_TRUE(peering_route);
  EXPECT_TRUE(local_route);
}

}  // namespace

namespace vpclab {
namespace {

// describe-auto-scaling-groups as AWS prints it for a group in the middle of
// a replacement: a Terminating member is on its way out, and the group now
// launches $Latest of a template whose version 2 changed the security group.
TEST_F(RoundTrip, AutoScalingGroupAsDeployedMidReplacement) {
  auto built = tmpl::load_network({std::string(VPCLAB_SOURCE_DIR) + "/examples/asg/asg.yaml"});
  ASSERT_TRUE(built.network) << dump(built.diags);
  Diagnostics wd;
  ASSERT_TRUE(snapshot::write_snapshot(*built.network, dir_.string(), wd)) << dump(wd);
  const auto& vpc = built.network->vpcs.at(0);
  fs::path folder = dir_ / "accounts" / vpc.origin.account / vpc.origin.region;
  const auto& lt = built.network->launch_templates.at(0);
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
  };
  auto groups = read(folder / "autoscaling-groups.json");
  auto& g = groups["AutoScalingGroups"][0];
  g["Instances"][0]["LifecycleState"] = "Terminating";
  g["LaunchTemplate"] = {{"LaunchTemplateName", lt.name}, {"Version", "$Latest"}};
  std::ofstream(folder / "autoscaling-groups.json") << groups.dump(4);
  auto versions = read(folder / ("launch-template-versions-" + lt.id + ".json"));
  auto v2 = versions["LaunchTemplateVersions"][0];
  v2["VersionNumber"] = 2;
  v2["DefaultVersion"] = false;
  const std::string alb_sg = built.network->load_balancers.at(0).security_groups.at(0);
  v2["LaunchTemplateData"]["SecurityGroupIds"] = {alb_sg};
  versions["LaunchTemplateVersions"].insert(versions["LaunchTemplateVersions"].begin(), v2);
  std::ofstream(folder / ("launch-template-versions-" + lt.id + ".json")) << versions.dump(4);

  auto loaded = snapshot::load_snapshot(dir_.string());
  ASSERT_TRUE(loaded.network) << dump(loaded.diags);
  EXPECT_EQ(loaded.diags.count(Severity::kWarning), 0u) << dump(loaded.diags);
  ASSERT_EQ(loaded.network->auto_scaling_groups.size(), 1u);
  const auto& got = loaded.network->auto_scaling_groups[0];
  ASSERT_EQ(got.instances.size(), 1u);  // the Terminating member is not one
  EXPECT_EQ(got.instances[0], built.network->auto_scaling_groups[0].instances[1]);
  EXPECT_EQ(got.launched_version, 2);
  EXPECT_EQ(got.launched.security_groups, (std::vector<std::string>{alb_sg}));
  EXPECT_EQ(loaded.network->launch_templates.at(0).default_version, 1);
  // The remaining member is GROUP/1 of the snapshot's group, named by the group's name.
  const model::Instance* m = loaded.network->instance(got.instances[0]);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->origin.display(m->id), got.name + "/1");
}

}  // namespace
}  // namespace vpclab
