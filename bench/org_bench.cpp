// Organisation-scale analyzer figures (issue 13) on a lab written by
// bench/org/gen_org.py: loading it (parse, resolve, model), indexing it for
// the analyzer, and one trace at a time, same Region and across Regions
// (through two transit gateways and their peering). Plain loop, wall time.
// With `matrix`: instead of traces, the VPC shapes alone (address pieces and
// signatures, analysis/matrix_shapes.h), then `matrix --group-by` of the
// whole lab by each grouping (wall and CPU).
//   build/bench/org_bench /tmp/org5k/vpclab.yaml [TRACES | matrix]
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/matrix_shapes.h"
#include "template/load.h"

using namespace vpclab;
using Clock = std::chrono::steady_clock;

namespace {
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: org_bench LAB.yaml [TRACES]\n");
    return 2;
  }
  const bool matrix = argc > 2 && std::string(argv[2]) == "matrix";
  const int traces = argc > 2 && !matrix ? std::atoi(argv[2]) : 200;
  auto t0 = Clock::now();
  auto loaded = tmpl::load_network({argv[1]});
  if (!loaded.network || loaded.diags.has_errors()) {
    std::fprintf(stderr, "org_bench: %s does not load\n", argv[1]);
    return 1;
  }
  double load_ms = ms_since(t0);
  const auto& net = *loaded.network;
  t0 = Clock::now();
  analysis::Analyzer an(net);
  double index_ms = ms_since(t0);
  std::printf("%zu VPCs, %zu instances, %zu security groups, %zu transit gateways\n", net.vpcs.size(),
              net.instances.size(), net.security_groups.size(), net.transit_gateways.size());
  std::printf("load %.0f ms, index %.0f ms\n", load_ms, index_ms);
  // App-tier instances (InstanceN with N % 4 == 1: tcp/8001 from 10/8) by Region: r0-*, r2-* stacks.
  std::vector<std::string> app[3];
  for (const auto& i : net.instances) {
    const auto& o = i.origin;
    if (o.stack.size() < 2 || o.stack[0] != 'r' || o.logical_id.size() < 9 ||
        o.logical_id.compare(o.logical_id.size() - 9, 9, "Instance1") != 0)
      continue;
    int region = o.stack[1] - '0';
    if (region >= 0 && region < 3) app[region].push_back(o.stack + "." + o.logical_id);
  }
  if (matrix) {
    if (app[0].size() < 2) return 1;
    auto cpu_ms = [](std::clock_t c0) { return 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC; };
    {
      t0 = Clock::now();
      std::clock_t c0 = std::clock();
      analysis::AddressPieces pieces(an.impl());
      analysis::VpcShapes shapes(an.impl(), pieces);
      size_t n = shapes.count(), widest = 0;
      for (uint32_t k = 0; k < n; ++k) widest = std::max(widest, shapes.alike(k).size());
      std::printf("VPC shapes: %.0f ms wall, %.0f ms CPU; %zu shapes, the largest of %zu VPCs\n", ms_since(t0),
                  cpu_ms(c0), n, widest);
    }
    for (const char* kind : {"vpc", "subnet", "security-group"}) {
      t0 = Clock::now();
      std::clock_t c0 = std::clock();
      auto g = an.matrix_by_class(kind);
      size_t widest = 0;
      for (const auto& c : g.classes) widest = std::max(widest, c.vpcs);
      std::printf("matrix --group-by %s: %.0f ms wall, %.0f ms CPU; %zu classes (widest: %zu VPCs), %zu cells, %llu pairs evaluated\n",
                  kind, ms_since(t0), cpu_ms(c0), g.classes.size(), widest, g.cells.size(),
                  static_cast<unsigned long long>(g.traces));
    }
    return 0;
  }
  if (!app[0].empty()) {  // the first trace also indexes the names traces are given by
    t0 = Clock::now();
    auto r = an.trace(app[0][0], app[0].back() + ":8001");
    std::printf("first trace (and the name index): %.1f ms, %s\n", ms_since(t0), r.reachable ? "reachable" : "not reachable");
  }
  for (int to_region : {0, 2}) {
    if (app[0].empty() || app[to_region].empty()) continue;
    int reachable = 0;
    double worst = 0;
    t0 = Clock::now();
    for (int k = 0; k < traces; ++k) {
      const std::string& from = app[0][(k * 13) % app[0].size()];
      const std::string& to = app[to_region][(k * 7 + 3) % app[to_region].size()];
      auto one = Clock::now();
      auto r = an.trace(from, to + ":8001");
      double t = ms_since(one);
      if (t > worst) worst = t;
      if (!r.ok) {
        std::fprintf(stderr, "org_bench: trace %s -> %s: %s\n", from.c_str(), to.c_str(), r.error.c_str());
        return 1;
      }
      reachable += r.reachable;
    }
    std::printf("trace to %s: %.2f ms each (worst %.2f ms), %d of %d reachable\n",
                to_region == 0 ? "the same Region" : "another Region", ms_since(t0) / traces, worst, reachable,
                traces);
  }
  return 0;
}
