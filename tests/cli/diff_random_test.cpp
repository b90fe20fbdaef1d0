// `vpclab diff` on seeded random templates (tests/support/random_template.h):
// a network against itself is no difference; after one random change (an SG
// rule, a NACL entry, a route or an association added or removed; one to three
// of them) the diff
// agrees with two `vpclab matrix --json` runs compared here: every changed
// (source, destination, protocol, port) is in exactly one class of the right
// kind, and nothing else is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/process.h"
#include "../support/random_template.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using Ports = std::set<int>;  // ports 0-65535 (ICMP echo as port -1)
using Key = std::tuple<std::string, std::string, std::string>;  // source, destination, protocol

std::string bare(const std::string& name) { return name.substr(name.rfind('.') + 1); }

Ports ports_of(const std::string& s) {
  Ports out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part.empty()) continue;
    if (part == "echo") {
      out.insert(-1);
      continue;
    }
    auto dash = part.find('-');
    int a = std::stoi(part.substr(0, dash)), b = std::stoi(dash == std::string::npos ? part : part.substr(dash + 1));
    for (int p = a; p <= b; ++p) out.insert(p);
  }
  return out;
}

std::map<Key, Ports> matrix(const fs::path& file) {
  auto r = run_command(std::string(VPCLAB_BINARY) + " matrix --json " + file.string(), false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::map<Key, Ports> out;
  const auto j = nlohmann::json::parse(r.out);
  for (const auto& c : j["cells"]) {
    std::string from = bare(c["from"].get<std::string>()), to = bare(c["to"].get<std::string>());
    for (const char* proto : {"tcp", "udp"})
      if (auto p = ports_of(c[proto].get<std::string>()); !p.empty()) out[{from, to, proto}] = p;
    if (c["icmp"].get<bool>()) out[{from, to, "icmp"}] = {-1};
  }
  return out;
}

fs::path scratch(uint32_t seed) {
  auto dir = fs::temp_directory_path() / ("vpclab-diff-random-" + std::to_string(::getpid())) / std::to_string(seed);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(DiffRandom, ANetworkAgainstItselfHasNoDifference) {
  const auto [first, count] = testing::random_seeds(20);
  for (uint32_t seed = first; seed < first + count; ++seed) {
    auto t = testing::TemplateGen(seed).make();
    fs::path dir = scratch(seed), file = dir / "net.yaml";
    std::ofstream(file) << t.yaml();
    auto r = run_command(std::string(VPCLAB_BINARY) + " diff --json " + file.string() + " " + file.string(), false);
    ASSERT_EQ(r.exit_code, 0) << "seed " << seed << "\n" << r.out;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["differences"], false) << "seed " << seed;
    EXPECT_TRUE(j["flows"].empty()) << "seed " << seed << "\n" << j.dump(2);
    EXPECT_TRUE(j["exposure"].empty()) << "seed " << seed;
    fs::remove_all(dir);
  }
}

TEST(DiffRandom, AgreesWithTwoMatrixRuns) {
  const auto [first, count] = testing::random_seeds(120);
  int changed = 0;
  for (uint32_t seed = first; seed < first + count; ++seed) {
    testing::TemplateGen gen(seed);
    auto t = gen.make();
    auto u = t;
    std::string what;
    for (int k = 1 + gen.pick(3); k > 0; --k) what += gen.mutate(u) + "; ";
    SCOPED_TRACE("seed " + std::to_string(seed) + ": " + what);
    fs::path dir = scratch(seed), old_file = dir / "old.yaml", new_file = dir / "new.yaml";
    std::ofstream(old_file) << t.yaml();
    std::ofstream(new_file) << u.yaml();
    auto before = matrix(old_file), after = matrix(new_file);
    // What the two matrices say changed.
    std::map<Key, Ports> allowed, blocked;
    for (const auto* side : {&before, &after})
      for (const auto& [k, _] : *side) {
        const Ports& b = before.count(k) ? before[k] : Ports{};
        const Ports& a = after.count(k) ? after[k] : Ports{};
        for (int p : a)
          if (!b.count(p)) allowed[k].insert(p);
        for (int p : b)
          if (!a.count(p)) blocked[k].insert(p);
      }
    // What the diff's classes say, each flow counted once.
    auto r = run_command(std::string(VPCLAB_BINARY) + " diff --json " + old_file.string() + " " + new_file.string(), false);
    bool differs = !allowed.empty() || !blocked.empty();
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out;
    changed += differs;
    auto j = nlohmann::json::parse(r.out);
    // Beside flows between instances, the diff reports what the matrices do
    // not hold (exposure, internet egress, DNS): exit 1 exactly when any.
    bool others = !j["exposure"].empty() || !j["egress"].empty() || !j["dns"].empty() || !j["health_checks"].empty();
    EXPECT_EQ(r.exit_code, differs || others ? 1 : 0) << r.out;
    EXPECT_EQ(j["differences"], differs || others) << r.out;
    std::map<Key, Ports> d_allowed, d_blocked;
    for (const auto& f : j["flows"]) {
      auto& into = f["change"] == "allowed" ? d_allowed : d_blocked;
      Ports ports = ports_of(f["ports"].get<std::string>());
      for (const auto& s : f["sources"])
        for (const auto& x : f["destinations"]) {
          Key k{bare(s.get<std::string>()), bare(x.get<std::string>()), f["protocol"].get<std::string>()};
          for (int p : ports)
            EXPECT_TRUE(into[k].insert(p).second) << "in two classes: " << std::get<0>(k) << " -> " << std::get<1>(k) << " "
                                                 << std::get<2>(k) << "/" << p;
        }
    }
    auto show = [](const std::map<Key, Ports>& m) {
      std::string s;
      for (const auto& [k, p] : m)
        s += "  " + std::get<0>(k) + " -> " + std::get<1>(k) + " " + std::get<2>(k) + " (" + std::to_string(p.size()) +
             " ports from " + std::to_string(*p.begin()) + ")\n";
      return s;
    };
    EXPECT_EQ(d_allowed, allowed) << "diff says allowed:\n" << show(d_allowed) << "matrices say:\n" << show(allowed) << dir;
    EXPECT_EQ(d_blocked, blocked) << "diff says blocked:\n" << show(d_blocked) << "matrices say:\n" << show(blocked) << dir;
    if (!HasFailure()) fs::remove_all(dir);
  }
  std::cout << changed << " of " << count << " changes changed reachability\n";
  EXPECT_GT(changed, 0);
}

}  // namespace
}  // namespace vpclab
