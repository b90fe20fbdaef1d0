// The kernel is the oracle (DESIGN.md), through Network Load Balancers: for
// the NLB examples and seeded variations of them (client IP preservation
// on/off/default, cross-zone on/off/default, the web servers' rules on the
// traffic port admitting other sources), every instance fetches
// http://NODE:PORT/ from every node of the NLB with curl, and the answer
// (200 or nothing) must be the analyzer's verdict for that source, node and
// port. The web servers are sources too: a target reaching its own NLB with
// its address preserved times out when the flow lands on itself, as on AWS.
#include <gtest/gtest.h>

#include <unistd.h>

#include <future>
#include <random>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/lab_probe.h"
#include "analysis/analyzer.h"
#include "emulator/compile.h"
#include "emulator/lab.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

struct Outcome {
  int compared = 0, reachable = 0;
  std::vector<std::string> disagreements;
};

// Seeded variation of an NLB example: attributes and the rules on the target port.
std::string vary(model::Network& net, uint32_t seed) {
  std::string what;
  auto tri_name = [](std::optional<bool> b) { return b ? (*b ? "on" : "off") : "default"; };
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::optional<bool> tri[] = {std::nullopt, true, false};
  for (auto& lb : net.load_balancers)
    if (lb.type == "network") {
      lb.attributes.cross_zone = tri[pick(3)];
      what += std::string(" cross-zone ") + tri_name(lb.attributes.cross_zone);
    }
  std::vector<Ipv4Cidr> sources;
  for (const auto& v : net.vpcs) sources.insert(sources.end(), v.cidrs.begin(), v.cidrs.end());
  for (const auto& s : net.subnets) sources.push_back(s.cidr);
  for (auto& tg : net.target_groups) {
    if (tg.target_type == "alb") continue;
    tg.attributes.preserve_client_ip = tri[pick(3)];
    what += std::string(", preserve ") + tri_name(tg.attributes.preserve_client_ip) + ", port " + std::to_string(tg.port) + " from";
    for (auto& sg : net.security_groups)
      for (auto& r : sg.ingress)
        if (r.protocol == kTcp && r.ports.from <= tg.port && tg.port <= r.ports.to && r.cidr) {
          r.cidr = sources[pick(sources.size())];
          what += " " + r.cidr->str();
        }
  }
  return what;
}

// Every target of every NLB has left `initial` on every node (checks passed,
// or failed twice: the state fail-open and the analyzer reason about).
bool settled(const std::string& lab) {
  std::string err;
  auto ask = [&](const nlohmann::json& req) {
    auto text = lab_request(lab, req.dump(), &err);
    return text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  };
  auto j = ask({{"op", "load-balancers"}});
  if (!j.is_object()) return false;
  for (const auto& lb : j.value("load_balancers", nlohmann::json::array()))
    for (const auto& tg : lb.value("target_groups", nlohmann::json::array())) {
      auto h = ask({{"op", "target-health"}, {"target_group", tg.value("arn", "")}});
      if (!h.is_object()) return false;
      for (const auto& node : h.value("Nodes", nlohmann::json::array()))
        for (const auto& d : node.value("TargetHealthDescriptions", nlohmann::json::array()))
          if (d["TargetHealth"].value("State", "") == "initial") return false;
    }
  return true;
}

Outcome run(const std::string& label, model::Network net, uint32_t seed) {
  Outcome o;
  // Checks at AWS's shortest interval, so that targets failing them are
  // unhealthy (and groups fail open) within seconds, as the analyzer assumes.
  for (auto& tg : net.target_groups) {
    tg.health_check.interval_seconds = 5;
    tg.health_check.timeout_seconds = 2;
  }
  analysis::Analyzer analyzer(net);
  CompiledLab c = compile_network(net);
  struct Probe {
    std::string src, url;
    bool analyzer;
    std::string why;
  };
  std::vector<Probe> probes;
  std::set<std::string> targets;
  for (const auto& lb : c.plan.network_load_balancers)
    for (const auto& tg : lb.config.target_groups)
      for (const auto& t : tg.targets) targets.insert(t.id);
  for (const auto& lb : c.plan.network_load_balancers) {
    bool cross = false;
    for (const auto& tg : lb.config.target_groups) cross = cross || tg.cross_zone;
    for (const auto& node : lb.config.nodes)
      for (const auto& l : lb.config.listeners)
        for (const auto& i : net.instances) {
          if (i.state != model::InstanceState::kRunning || !c.plan.netns(i.id)) continue;
          // A target through a cross-zone NLB lands on itself or another by the flow's hash: no one verdict.
          if (cross && targets.count(i.id)) continue;
          analysis::TraceOptions opts;
          opts.port = l.port;
          auto r = analyzer.trace(i.id, node.address.str(), opts);
          if (!r.ok || r.undecidable) continue;
          std::string why;
          if (!r.paths.empty() && !r.paths[0].explanations.empty()) why = r.paths[0].explanations[0].code;
          probes.push_back({i.id, "http://" + node.address.str() + ":" + std::to_string(l.port) + "/", r.reachable, why});
        }
  }
  LabOptions lo;
  lo.name = "nlbdiff-" + std::to_string(seed) + "-" + std::to_string(getpid());
  lo.die_with_parent = true;
  LabStart st = start_lab(c.plan, lo);
  if (!st.ok) {
    ADD_FAILURE() << label << ": lab did not start: " << st.error;
    return o;
  }
  bool calm = false;
  for (int i = 0; i < 600 && !(calm = settled(lo.name)); ++i) usleep(100000);
  if (!calm) ADD_FAILURE() << label << ": targets still initial after 60 s";
  // One shell per source, all at once, each fetching in parallel: one timeout per network.
  std::map<std::string, std::vector<const Probe*>> by_src;
  for (const auto& p : probes) by_src[p.src].push_back(&p);
  std::map<std::string, std::future<std::string>> outputs;
  for (const auto& [src, ps] : by_src) {
    std::string script;
    for (const auto* p : ps)
      script += "(curl -s -m 5 -o /dev/null -w '" + p->url + " %{http_code}\\n' " + p->url + " || true) & ";
    script += "wait";
    outputs[src] = std::async(std::launch::async, [name = lo.name, src = src, script] {
      std::string out;
      vpclab::testing::lab_capture(name, src, {"bash", "-c", script}, &out);
      return out;
    });
  }
  for (const auto& [src, ps] : by_src) {
    std::map<std::string, std::string> got;
    std::istringstream in(outputs[src].get());
    std::string url, code;
    while (in >> url >> code) got[url] = code;
    for (const auto* p : ps) {
      bool kernel = got[p->url] == "200";
      ++o.compared;
      o.reachable += kernel;
      if (kernel != p->analyzer)
        o.disagreements.push_back(label + ": " + src + " -> " + p->url + ": kernel " + (got[p->url].empty() ? "nothing" : got[p->url]) +
                                  ", analyzer " + (p->analyzer ? "reachable" : "blocked (" + p->why + ")"));
    }
  }
  if (!o.disagreements.empty()) {  // what each node saw, for the message
    std::string err;
    for (const auto& lb : c.plan.network_load_balancers)
      for (const auto& tg : lb.config.target_groups)
        if (auto h = lab_request(lo.name, nlohmann::json{{"op", "target-health"}, {"target_group", tg.arn}}.dump(), &err))
          o.disagreements.back() += "\n  health of " + tg.name + ": " + *h;
  }
  stop_lab(lo.name, nullptr);
  return o;
}

class NlbDifferential : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
};

TEST_F(NlbDifferential, ExamplesAndSeededVariations) {
  const std::string root = std::string(VPCLAB_SOURCE_DIR) + "/examples/nlb/";
  Outcome total;
  uint32_t seed = 0;
  for (const char* path : {"nlb.yaml", "nlb-ip-targets.yaml", "nlb-to-alb.yaml", "broken/nlb-target-sg-nlb-subnets.yaml"}) {
    auto loaded = tmpl::load_network({root + path});
    ASSERT_TRUE(loaded.network) << path;
    std::vector<std::pair<std::string, model::Network>> cases = {{path, *loaded.network}};
    if (std::string(path).find("broken") == std::string::npos)
      for (int k = 0; k < 2; ++k) {
        model::Network v = *loaded.network;
        std::string what = vary(v, 1000 + ++seed);
        cases.push_back({std::string(path) + " variation " + std::to_string(seed) + " (" + what + ")", std::move(v)});
      }
    for (const auto& [label, net] : cases) {
      Outcome o = run(label, net, ++seed);
      std::printf("  %s: %d fetches, %d answered\n", label.c_str(), o.compared, o.reachable);
      EXPECT_GT(o.compared, 4) << label;
      total.compared += o.compared;
      total.reachable += o.reachable;
      total.disagreements.insert(total.disagreements.end(), o.disagreements.begin(), o.disagreements.end());
    }
  }
  std::printf("NLB networks: %d fetches compared (%d answered, %d not), %zu disagreements\n", total.compared,
              total.reachable, total.compared - total.reachable, total.disagreements.size());
  for (const auto& d : total.disagreements) ADD_FAILURE() << d;
  EXPECT_GT(total.reachable, 10);
  EXPECT_GT(total.compared - total.reachable, 5);
}

}  // namespace
