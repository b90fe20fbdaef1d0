// Analyzer scale benchmarks on a generated network of 1,000 VPCs, 5,000
// instances and 20,000 security-group rules (issue 3's target: a trace
// under 10 ms, a 1,000-instance matrix under 5 s on two cores).
#include <benchmark/benchmark.h>

#include "analysis/analyzer.h"
#include "network_gen.h"

using namespace vpclab;

namespace {

const model::Network& big() {
  static const model::Network net = bench::generate_network(1000, 5, 5);
  return net;
}

void BM_IndexNetwork(benchmark::State& st) {
  for (auto _ : st) {
    analysis::Analyzer a(big());
    benchmark::DoNotOptimize(&a);
  }
}
BENCHMARK(BM_IndexNetwork)->Unit(benchmark::kMillisecond);

// A trace between neighbouring VPCs over peering (both directions checked).
void BM_TraceOverPeering(benchmark::State& st) {
  analysis::Analyzer a(big());
  int k = 0;
  for (auto _ : st) {
    int v = (k++ * 7) % 999;
    auto r = a.trace("i-" + std::to_string(v) + "x0", "i-" + std::to_string(v + 1) + "x1:443");
    benchmark::DoNotOptimize(r.reachable);
  }
}
BENCHMARK(BM_TraceOverPeering)->Unit(benchmark::kMicrosecond);

// The full matrix of N instances (N x N pairs, tcp/udp/icmp port sets).
void BM_Matrix(benchmark::State& st) {
  analysis::Analyzer a(big());
  int n = static_cast<int>(st.range(0));
  std::string set;
  for (int i = 0; i < n; ++i) set += (i ? "," : "") + std::string("i-") + std::to_string(i / 5) + "x" + std::to_string(i % 5);
  size_t cells = 0;
  for (auto _ : st) {
    auto m = a.matrix(set, set);
    cells = m.cells.size();
  }
  st.counters["pairs"] = static_cast<double>(n) * n;
  st.counters["reachable_pairs"] = static_cast<double>(cells);
}
BENCHMARK(BM_Matrix)->Arg(100)->Arg(300)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
