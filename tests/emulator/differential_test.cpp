// The kernel is the oracle (DESIGN.md): for every example and for seeded
// random networks, real connections between instances in a lab must agree
// with the analyzer's verdict. Tuples are (source instance, destination
// instance's primary private IP, tcp|udp, port), ENI to ENI only (ALBs,
// internet and NAT paths have their own tests). Each destination runs one
// listener for all its sampled ports (TCP accept, UDP echo); every source
// probes all its tuples at once, all sources in parallel, so a network costs
// one lab start and one probe timeout.
//
// A disagreement is a bug in the emulator's compile or in the analyzer; the
// message says which tuple, what the kernel did and what the analyzer said.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <unistd.h>

#include <chrono>
#include <random>
#include <set>

#include "../support/lab_probe.h"
#include "../support/random_network.h"
#include "analysis/analyzer.h"
#include "emulator/compile.h"
#include "emulator/lab.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

struct Tuple {
  std::string src;     // instance id (= its namespace)
  std::string dst;     // instance id
  std::string target;  // "tcp:10.2.1.10:8080"
  bool analyzer = false;
  std::string why;     // the analyzer's first explanation
};

struct Outcome {
  int compared = 0, reachable = 0, skipped = 0;
  int reachable_across = 0;  // reachable between two VPCs
  std::vector<std::string> disagreements;
};

std::vector<uint16_t> candidate_ports(const model::Network& net) {
  std::set<uint16_t> ports = {22, 53, 80, 443, 3306, 8080, 9999};
  auto add = [&](PortRange r) {
    if (r.is_all()) return;
    for (uint32_t p : {uint32_t{r.from}, uint32_t{r.to}, uint32_t{r.to} + 1})
      if (p > 0 && p < 32768) ports.insert(static_cast<uint16_t>(p));  // below the ephemeral range
  };
  for (const auto& g : net.security_groups) {
    for (const auto& r : g.ingress) add(r.ports);
    for (const auto& r : g.egress) add(r.ports);
  }
  for (const auto& a : net.network_acls) {
    for (const auto& e : a.ingress) add(e.ports);
    for (const auto& e : a.egress) add(e.ports);
  }
  return {ports.begin(), ports.end()};
}

Outcome run_network(const std::string& label, const model::Network& net, uint32_t seed, int samples) {
  Outcome o;
  analysis::Analyzer analyzer(net);
  CompiledLab c = compile_network(net);
  // Instances in the lab with their primary address.
  std::vector<const model::Instance*> hosts;
  for (const auto& i : net.instances)
    if (i.state == model::InstanceState::kRunning && c.plan.netns(i.id) && i.private_ip.value) hosts.push_back(&i);
  if (hosts.size() < 2) return o;
  auto ports = candidate_ports(net);
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<Tuple> tuples;
  std::set<std::string> seen;
  for (int k = 0; k < samples * 4 && static_cast<int>(tuples.size()) < samples; ++k) {
    const auto* s = hosts[pick(hosts.size())];
    const auto* d = hosts[pick(hosts.size())];
    if (s == d) continue;
    bool udp = pick(10) < 3;
    uint16_t port = ports[pick(ports.size())];
    // Mostly a port some inbound rule of the destination names, so both
    // verdicts occur (random ports are nearly always blocked).
    if (pick(10) < 7) {
      std::vector<const SecurityGroupRule*> in;
      for (const auto& eni_id : d->network_interfaces)
        if (const auto* eni = net.network_interface(eni_id))
          for (const auto& g : eni->security_groups)
            if (const auto* sg = net.security_group(g))
              for (const auto& r : sg->ingress)
                if (r.protocol == kTcp || r.protocol == kUdp || r.protocol == kAllProtocols) in.push_back(&r);
      if (!in.empty()) {
        const auto* r = in[pick(in.size())];
        if (r->protocol != kAllProtocols) udp = r->protocol == kUdp;
        if (!r->ports.is_all()) {
          uint32_t span = uint32_t{r->ports.to} - r->ports.from + 1;
          port = static_cast<uint16_t>(r->ports.from + pick(span));
        }
      }
    }
    if (port == 0 || port >= 32768) continue;
    std::string target = std::string(udp ? "udp:" : "tcp:") + d->private_ip.str() + ":" + std::to_string(port);
    if (!seen.insert(s->id + " " + target).second) continue;
    analysis::TraceOptions opts;
    opts.protocol = udp ? kUdp : kTcp;
    opts.port = port;
    auto r = analyzer.trace(s->id, d->private_ip.str(), opts);
    if (!r.ok || r.undecidable) {
      ++o.skipped;
      continue;
    }
    Tuple t{s->id, d->id, target, r.reachable, ""};
    if (!r.paths.empty() && !r.paths[0].explanations.empty())
      t.why = r.paths[0].explanations[0].code + std::string(": ") + r.paths[0].explanations[0].message;
    tuples.push_back(std::move(t));
  }
  // The test's listeners replace whatever runs in instances (UserData, sshd),
  // which might hold the same ports.
  std::set<std::string> instance_ns;
  for (const auto* h : hosts) instance_ns.insert(h->id);
  std::erase_if(c.plan.processes, [&](const ProcessPlan& p) { return instance_ns.count(p.netns) > 0; });
  std::map<std::string, std::set<std::string>> listen;
  std::map<std::string, std::vector<std::string>> probes;
  for (const auto& t : tuples) {
    listen[t.dst].insert(t.target);
    probes[t.src].push_back(t.target);
  }
  std::vector<std::string> listening;
  for (const auto& [ns, targets] : listen) {
    c.plan.processes.push_back(vpclab::testing::listener_process(ns, {targets.begin(), targets.end()}));
    listening.push_back(ns);
  }
  LabOptions lo;
  lo.name = "diff-" + std::to_string(seed) + "-" + std::to_string(getpid());
  lo.die_with_parent = true;
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const char* what) {
    if (getenv("VPCLAB_DIFF_TIMING"))
      std::printf("    %s %.2f s\n", what, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  LabStart st = start_lab(c.plan, lo);
  lap("up");
  if (!st.ok) {
    ADD_FAILURE() << label << ": lab did not start: " << st.error;
    return o;
  }
  if (!vpclab::testing::wait_for_listeners(st.dir, listening)) {
    std::string logs;
    for (const auto& ns : listening) {
      std::string l;
      vpclab::testing::lab_capture(lo.name, ns, {"bash", "-c", "cat " + st.dir + "/logs/" + ns + ".listener.log; ls -la " + st.dir + "/listeners/" + ns}, &l);
      logs += ns + ": " + l + "\n";
    }
    ADD_FAILURE() << label << ": listeners did not start\n" << logs;
    stop_lab(lo.name, nullptr);
    return o;
  }
  lap("listening");
  std::string raw;
  auto results = vpclab::testing::probe_many(lo.name, net.vpcs.at(0).id, probes, 1.5, &raw);
  lap("probed");
  stop_lab(lo.name, nullptr);
  lap("down");
  for (const auto& t : tuples) {
    auto it = results.find(t.src);
    std::string got = it == results.end() || !it->second.count(t.target) ? "missing" : it->second.at(t.target);
    if (got == "missing" || got == "refused" || got == "error") {
      ADD_FAILURE() << label << ": probe " << t.src << " -> " << t.target << " gave '" << got
                    << "' (harness problem: a listener should be there)\n" << raw;
      continue;
    }
    bool kernel = got == "ok";
    ++o.compared;
    o.reachable += kernel;
    auto vpc_of = [&](const std::string& id) {
      const auto* i = net.instance(id);
      const auto* sn = i ? net.subnet(i->subnet) : nullptr;
      return sn ? sn->vpc : std::string();
    };
    if (kernel && vpc_of(t.src) != vpc_of(t.dst)) ++o.reachable_across;
    if (kernel != t.analyzer)
      o.disagreements.push_back(label + ": " + t.src + " -> " + t.dst + " " + t.target + ": kernel " + got +
                                ", analyzer " + (t.analyzer ? "reachable" : "blocked (" + t.why + ")"));
  }
  return o;
}

class Differential : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
  void report(const Outcome& o, const std::string& what) {
    std::printf("%s: %d tuples compared (%d reachable, %d blocked), %d skipped as undecidable, %zu disagreements\n",
                what.c_str(), o.compared, o.reachable, o.compared - o.reachable, o.skipped, o.disagreements.size());
    for (const auto& d : o.disagreements) ADD_FAILURE() << d;
  }
};

TEST_F(Differential, Examples) {
  // Every example: the scenario's three forms and its broken copies (each one
  // AWS mistake, several of them in the routes and groups compared here),
  // then the same through transit gateways (examples/tgw).
  const std::string root = std::string(VPCLAB_SOURCE_DIR) + "/examples/";
  std::vector<std::string> paths = {"scenario/same-account.yaml", "scenario/vpclab.yaml", "scenario/cross-account/vpclab.yaml"};
  for (const auto& e : std::filesystem::directory_iterator(root + "broken"))
    if (e.path().extension() == ".yaml") paths.push_back("broken/" + e.path().filename().string());
  std::sort(paths.begin() + 3, paths.end());
  // The scenario hub-and-spoke through a transit gateway, and its broken copies.
  // Then isolated spokes, two TGWs peered across Regions, a TGW shared across accounts.
  std::vector<std::string> tgw = {"tgw/hub-and-spoke.yaml"};
  for (const auto& e : std::filesystem::directory_iterator(root + "tgw/broken"))
    if (e.path().extension() == ".yaml") tgw.push_back("tgw/broken/" + e.path().filename().string());
  std::sort(tgw.begin() + 1, tgw.end());
  for (const char* p : {"tgw/isolated-spokes.yaml", "tgw/cross-region/vpclab.yaml", "tgw/cross-account/vpclab.yaml",
                        "prefix-lists/scenario.yaml", "prefix-lists/broken/clients-without-bar.yaml"})
    tgw.push_back(p);
  paths.insert(paths.end(), tgw.begin(), tgw.end());
  // With a site-to-site VPN link in the lab (the hub also reaches an office).
  paths.push_back("tgw/vpn/vpclab.yaml");
  // The web servers as an Auto Scaling group's members (its standby replacements in the lab too).
  paths.push_back("asg/asg.yaml");
  // With VPC endpoints in the lab (their routes, interface ENIs and the AWS side of the Region);
  // the flows to S3 and to the endpoints' interfaces: tests/e2e/endpoints_lab_test.cpp.
  paths.push_back("endpoints/vpclab.yaml");
  paths.push_back("endpoints/broken/vpclab.yaml");
  Outcome total;
  uint32_t seed = 1000;
  for (const auto& path : paths) {
    auto loaded = tmpl::load_network({root + path});
    ASSERT_TRUE(loaded.network) << path << " does not load";
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = run_network(path, *loaded.network, ++seed, 40);
    std::printf("  %s: %d tuples in %.1f s\n", path.c_str(), o.compared,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_GT(o.compared, 10) << path;
    total.compared += o.compared;
    total.reachable += o.reachable;
    total.skipped += o.skipped;
    total.disagreements.insert(total.disagreements.end(), o.disagreements.begin(), o.disagreements.end());
  }
  report(total, "examples");
  EXPECT_GT(total.reachable, 0) << "the examples must have reachable tuples, or nothing is compared";
}

TEST_F(Differential, RandomNetworks) {
  Outcome total;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    vpclab::testing::Gen g(seed);
    vpclab::testing::Built b;
    build(b, g);
    const auto& net = b.fx.finish();
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = run_network("random seed " + std::to_string(seed), net, seed, 80);
    std::printf("  seed %u: %d tuples in %.1f s\n", seed, o.compared,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    total.compared += o.compared;
    total.reachable += o.reachable;
    total.skipped += o.skipped;
    total.disagreements.insert(total.disagreements.end(), o.disagreements.begin(), o.disagreements.end());
  }
  report(total, "random networks");
  // Both outcomes must occur, or the comparison proves little.
  EXPECT_GT(total.reachable, 10);
  EXPECT_GT(total.compared - total.reachable, 10);
}

TEST_F(Differential, RandomHubAndSpokeNetworks) {
  // Through a transit gateway: entry only in the attachment's AZs, exit by the
  // destination's ENI in the entry AZ, the attachment subnets' NACLs.
  Outcome total;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    vpclab::testing::Gen g(seed);
    vpclab::testing::Built b;
    build_hub_and_spoke(b, g);
    const auto& net = b.fx.finish();
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = run_network("hub-and-spoke seed " + std::to_string(seed), net, 100 + seed, 80);
    total.reachable_across += o.reachable_across;
    std::printf("  seed %u: %d tuples in %.1f s\n", seed, o.compared,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    total.compared += o.compared;
    total.reachable += o.reachable;
    total.skipped += o.skipped;
    total.disagreements.insert(total.disagreements.end(), o.disagreements.begin(), o.disagreements.end());
  }
  report(total, "random hub-and-spoke networks");
  std::printf("  %d reachable tuples cross the transit gateway\n", total.reachable_across);
  EXPECT_GT(total.reachable_across, 5) << "the hub must carry traffic, or it is not compared";
  EXPECT_GT(total.reachable, 10);
  EXPECT_GT(total.compared - total.reachable, 10);
}

}  // namespace
