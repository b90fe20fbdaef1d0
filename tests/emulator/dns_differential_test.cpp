// The DNS view in the differential test (DESIGN.md, "the kernel is the
// oracle"): for every example, every broken copy, the scenario with its
// peering DNS options flipped, and seeded random networks with overlapping
// private zones, every name a client could ask (hosted zone records incl.
// aliases and CNAMEs, absent names in each zone, load balancer names and
// their dualstack. form, the private and public hostname of every instance)
// is asked with real `dig` inside the lab, from one instance of each VPC and
// from the internet, and compared with the analyzer's answer for that
// (client, name): the rcode ("" when no resolver answers) and the A records.
//
// All clients ask in parallel, each in its own exec (its own resolv.conf);
// each asks its names one dig after the other (an unanswered query costs
// one 1 s timeout).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "../support/lab_probe.h"
#include "../support/random_dns.h"
#include "analysis/analyzer.h"
#include "emulator/compile.h"
#include "emulator/gateways.h"
#include "emulator/lab.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

struct Outcome {
  int pairs = 0, answered = 0, nxdomain = 0, silent = 0, networks = 0;
  std::vector<std::string> disagreements;
  void add(const Outcome& o) {
    pairs += o.pairs;
    answered += o.answered;
    nxdomain += o.nxdomain;
    silent += o.silent;
    networks += o.networks;
    disagreements.insert(disagreements.end(), o.disagreements.begin(), o.disagreements.end());
  }
};

// Every name a client of this network could ask.
std::vector<std::string> names_to_ask(const model::Network& net) {
  std::set<std::string> names;
  for (const auto& z : net.hosted_zones) {
    names.insert("nothere." + z.name);
    for (const auto& r : z.records) {
      std::string n = r.name;
      if (n.rfind("*.", 0) == 0) n = "x" + n.substr(1);  // a name the wildcard covers
      names.insert(n);
    }
  }
  for (const auto& lb : net.load_balancers)
    if (!lb.dns_name.empty()) {
      names.insert(dns::normalize_name(lb.dns_name));
      names.insert("dualstack." + dns::normalize_name(lb.dns_name));
    }
  for (const auto& i : net.instances) {
    if (!i.private_dns_name.empty()) names.insert(dns::normalize_name(i.private_dns_name));
    if (!i.public_dns_name.empty()) names.insert(dns::normalize_name(i.public_dns_name));
  }
  names.insert("nowhere.invalid");
  return {names.begin(), names.end()};
}

// What dig saw for one name: "" when nothing answered, and the A records.
struct Seen {
  std::string rcode;
  std::vector<std::string> a;
};

// Parses "=== NAME" blocks of `dig +noall +comments +answer` output.
std::map<std::string, Seen> parse_dig(const std::string& out) {
  std::map<std::string, Seen> r;
  std::istringstream in(out);
  std::string line;
  Seen* cur = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      cur = &r[line.substr(4)];
      continue;
    }
    if (!cur) continue;
    auto st = line.find("status: ");
    if (st != std::string::npos) {
      cur->rcode = line.substr(st + 8, line.find(',', st) - st - 8);
      continue;
    }
    if (line.empty() || line[0] == ';') continue;
    std::istringstream f(line);
    std::string owner, ttl, cls, type, value;
    if (f >> owner >> ttl >> cls >> type >> value && type == "A") cur->a.push_back(value);
  }
  return r;
}

// One lab per network: every client asks every name.
Outcome run_network(const std::string& label, const model::Network& net) {
  Outcome o;
  o.networks = 1;
  analysis::Analyzer analyzer(net);
  CompiledLab c = compile_network(net);
  // One client per VPC (its first running instance), and the internet.
  std::map<std::string, std::string> clients;  // namespace -> analyzer source
  std::set<std::string> vpcs_done;
  for (const auto& i : net.instances) {
    const auto* s = net.subnet(i.subnet);
    if (i.state != model::InstanceState::kRunning || !s || !c.plan.netns(i.id) || vpcs_done.count(s->vpc)) continue;
    vpcs_done.insert(s->vpc);
    clients[i.id] = i.id;
  }
  if (c.plan.netns(kInternetNetns)) clients[kInternetNetns] = "internet";
  if (clients.empty()) return o;
  // DNS needs no workload: UserData and sshd stay off (a faster start).
  std::erase_if(c.plan.processes, [&](const ProcessPlan& p) { return net.instance(p.netns) != nullptr; });

  const std::vector<std::string> names = names_to_ask(net);
  // Each client's loop: one dig per name, through the client's own
  // resolv.conf (what `vpclab exec` gives it), as a user would ask.
  std::vector<std::string> argv = {"bash", "-c",
                                   "for n in \"$@\"; do echo \"=== $n\"; "
                                   "dig +tries=1 +time=1 +noall +comments +answer \"$n\" A 2>&1; done",
                                   "dig"};
  argv.insert(argv.end(), names.begin(), names.end());

  LabOptions lo;
  lo.name = "dnsdiff-" + std::to_string(getpid());
  lo.die_with_parent = true;
  LabStart st = start_lab(c.plan, lo);
  if (!st.ok) {
    ADD_FAILURE() << label << ": lab did not start: " << st.error;
    return o;
  }
  // All clients at once.
  std::map<std::string, std::string> per_client;
  for (const auto& [ns, src] : clients) per_client[ns];
  std::vector<std::thread> askers;
  for (auto& [ns, out] : per_client)
    askers.emplace_back([&, ns = ns, out = &out] { vpclab::testing::lab_capture(lo.name, ns, argv, out); });
  for (auto& t : askers) t.join();
  stop_lab(lo.name, nullptr);

  for (const auto& [ns, src] : clients) {
    auto seen = parse_dig(per_client[ns]);
    for (const auto& n : names) {
      auto it = seen.find(n);
      if (it == seen.end()) {
        ADD_FAILURE() << label << ": no dig output for " << n << " from " << ns << " (harness problem)\n"
                      << per_client[ns];
        return o;
      }
      analysis::DnsResult want = analyzer.resolve(src, n);
      if (!want.ok) {
        ADD_FAILURE() << label << ": analyzer: " << want.error;
        continue;
      }
      std::vector<std::string> a = want.addresses, b = it->second.a;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      ++o.pairs;
      if (want.rcode.empty()) ++o.silent;
      else if (want.rcode == "NXDOMAIN") ++o.nxdomain;
      else if (!a.empty()) ++o.answered;
      if (want.rcode != it->second.rcode || a != b) {
        auto text = [](const std::string& rc, const std::vector<std::string>& v) {
          std::string s = rc.empty() ? "no answer" : rc;
          for (const auto& x : v) s += " " + x;
          return s;
        };
        std::string why;
        for (const auto& e : want.explanations) why += " [" + e.code + ": " + e.message + "]";
        o.disagreements.push_back(label + ": " + ns + " asks " + n + ": lab " + text(it->second.rcode, b) +
                                  ", analyzer " + text(want.rcode, a) + why);
      }
    }
  }
  return o;
}

class DnsDifferential : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
    if (system("command -v dig >/dev/null 2>&1") != 0) GTEST_SKIP() << "dig (dnsutils) not installed";
  }
  void report(const Outcome& o, const std::string& what) {
    std::printf("%s: %d networks, %d (client, name) pairs compared (%d with addresses, %d NXDOMAIN, %d unanswered), "
                "%zu disagreements\n",
                what.c_str(), o.networks, o.pairs, o.answered, o.nxdomain, o.silent, o.disagreements.size());
    for (const auto& d : o.disagreements) ADD_FAILURE() << d;
  }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Each example once; `flip` also runs it with every peering's
// AllowDnsResolutionFromRemoteVpc flipped on both sides (with and without
// the peering DNS option).
Outcome run_examples(const std::vector<std::string>& paths, bool flip) {
  const std::string root = std::string(VPCLAB_SOURCE_DIR) + "/examples/";
  Outcome total;
  for (const auto& path : paths) {
    auto loaded = tmpl::load_network({root + path});
    if (!loaded.network) {
      ADD_FAILURE() << path << " does not load";
      continue;
    }
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = run_network(path, *loaded.network);
    std::printf("  %s: %d pairs in %.1f s\n", path.c_str(), o.pairs, seconds_since(t0));
    EXPECT_GT(o.pairs, 0) << path;
    total.add(o);
    if (!flip || loaded.network->peerings.empty()) continue;
    model::Network flipped = *loaded.network;
    for (auto& p : flipped.peerings) {
      p.requester.allow_dns_resolution_from_remote_vpc = !p.requester.allow_dns_resolution_from_remote_vpc;
      p.accepter.allow_dns_resolution_from_remote_vpc = !p.accepter.allow_dns_resolution_from_remote_vpc;
    }
    t0 = std::chrono::steady_clock::now();
    Outcome f = run_network(path + " (peering DNS options flipped)", flipped);
    std::printf("  %s, peering DNS options flipped: %d pairs in %.1f s\n", path.c_str(), f.pairs, seconds_since(t0));
    total.add(f);
  }
  return total;
}

// Two tests, so each stays well inside ctest's per-test timeout.
TEST_F(DnsDifferential, ScenarioWithAndWithoutPeeringDnsOption) {
  Outcome total = run_examples({"scenario/same-account.yaml", "scenario/vpclab.yaml",
                                "scenario/cross-account/vpclab.yaml"}, true);
  report(total, "scenario");
  EXPECT_GT(total.answered, 0);
  EXPECT_GT(total.nxdomain, 0);
}

TEST_F(DnsDifferential, BrokenExamples) {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(std::string(VPCLAB_SOURCE_DIR) + "/examples/broken"))
    if (e.path().extension() == ".yaml") paths.push_back("broken/" + e.path().filename().string());
  std::sort(paths.begin(), paths.end());
  ASSERT_FALSE(paths.empty());
  Outcome total = run_examples(paths, false);
  report(total, "broken examples");
  EXPECT_GT(total.answered, 0);
}

TEST_F(DnsDifferential, RandomNetworks) {
  Outcome total;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    vpclab::testing::Gen g(seed);
    vpclab::testing::Built b;
    build(b, g);
    vpclab::testing::add_random_dns(b, g);
    const auto& net = b.fx.finish();
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = run_network("random seed " + std::to_string(seed), net);
    std::printf("  seed %u: %d pairs in %.1f s\n", seed, o.pairs, seconds_since(t0));
    total.add(o);
  }
  report(total, "random networks");
  EXPECT_GT(total.answered, 10);
  EXPECT_GT(total.nxdomain, 10);
}

}  // namespace
