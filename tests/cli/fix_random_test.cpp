// `vpclab fix` on seeded random templates (tests/support/random_template.h):
// for random pairs that `vpclab matrix` shows blocked, fix either prints a patch
// that git apply takes, after which trace says reachable and `vpclab diff`
// newly allows only the pair's class (the pair on that port, the client's group
// members when the rule names it, the reply's ephemeral ports back), or exits 1
// naming the blocker. Expectations come from matrix/trace/diff runs only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "../support/process.h"
#include "../support/random_template.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::vpclab;

std::string bare(const std::string& name) { return name.substr(name.rfind('.') + 1); }

// "22,80,1024-65535" -> [from, to] ranges.
std::vector<std::pair<int, int>> ranges(const std::string& s) {
  std::vector<std::pair<int, int>> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part.empty() || part == "echo") continue;
    auto dash = part.find('-');
    out.emplace_back(std::stoi(part.substr(0, dash)), std::stoi(dash == std::string::npos ? part : part.substr(dash + 1)));
  }
  return out;
}

bool has_port(const std::string& s, int port) {
  for (auto [a, b] : ranges(s))
    if (a <= port && port <= b) return true;
  return false;
}

TEST(FixRandom, PatchesOpenOnlyThePairsClassOrSayWhyNot) {
  const int kPairsPerSeed = 3;
  const auto [first, count] = testing::random_seeds(80);
  int fixed = 0, refused = 0;
  for (uint32_t seed = first; seed < first + count; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TemplateGen gen(seed);
    auto t = gen.make();
    fs::path dir = fs::temp_directory_path() / ("vpclab-fix-random-" + std::to_string(::getpid())) / std::to_string(seed);
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string file = "net.yaml";
    std::ofstream(dir / file) << t.yaml();
    auto sh = [&](const std::string& command, bool merge = true) {
      return run_command("cd " + dir.string() + " && " + command, merge);
    };
    auto in_dir = [&](const std::string& args, bool merge = true) { return sh(VPCLAB_BINARY " " + args, merge); };
    ASSERT_EQ(in_dir("check " + file).exit_code, 0) << (dir / file);

    auto m = in_dir("matrix --json " + file, false);
    ASSERT_EQ(m.exit_code, 0) << m.out;
    std::map<std::pair<std::string, std::string>, std::string> tcp;
    const auto cells = nlohmann::json::parse(m.out)["cells"];  // kept: a range-for over parse(...)[..] dangles
    for (const auto& c : cells) tcp[{bare(c["from"]), bare(c["to"])}] = c["tcp"].get<std::string>();
    std::vector<std::tuple<std::string, std::string, int>> blocked;
    for (const auto& a : t.instances)
      for (const auto& b : t.instances)
        if (a.id != b.id)
          for (int port : {22, 80, 443, 8080})
            if (!has_port(tcp[{a.id, b.id}], port)) blocked.emplace_back(a.id, b.id, port);
    for (int k = 0; k < kPairsPerSeed && !blocked.empty(); ++k) {
      auto [from, to, port] = blocked[gen.pick(static_cast<int>(blocked.size()))];
      std::string args = file + " --from " + from + " --to " + to + " --port " + std::to_string(port);
      SCOPED_TRACE("fix " + args + " in " + dir.string());
      ASSERT_EQ(in_dir("trace " + args).exit_code, 1) << "matrix: " << tcp[{from, to}];
      auto r = in_dir("fix " + args + " 2>fix.err", false);
      std::string err = sh("cat fix.err").out;
      if (r.exit_code == 1) {
        ++refused;
        // The reason names the blocker (an explanation code) or why the change would be wider.
        EXPECT_TRUE(std::regex_search(err, std::regex("no fix: [^\\n]*\\n  ([A-Z_]{6,} at |the change that opens it is wider than the path: it also allows )")))
            << "stdout:\n" << r.out << "\nstderr:\n" << err;
        continue;
      }
      ASSERT_EQ(r.exit_code, 0) << r.out << err;
      ++fixed;
      std::ofstream(dir / "fix.patch") << r.out;
      fs::copy_file(dir / file, dir / "orig.yaml", fs::copy_options::overwrite_existing);
      auto applied = sh("git apply --check fix.patch && git apply fix.patch");
      ASSERT_EQ(applied.exit_code, 0) << applied.out << r.out;
      EXPECT_EQ(in_dir("check " + file).exit_code, 0);
      EXPECT_EQ(in_dir("trace " + args).exit_code, 0) << r.out;

      // The class: the client (and its group's members when the patch names the group).
      std::set<std::string> clients{from};
      const std::string& patch = r.out;
      const std::regex named_group("\\n\\+.*SourceSecurityGroupId: !Ref (\\w+)");
      for (auto it = std::sregex_iterator(patch.begin(), patch.end(), named_group);
           it != std::sregex_iterator(); ++it)
        for (const auto& mbr : t.members((*it)[1])) clients.insert(mbr);
      bool routed = patch.find("\n+    Type: AWS::EC2::Route\n") != std::string::npos ||
                    patch.find("\n+      SubnetId: ") != std::string::npos;
      auto d = in_dir("diff --json orig.yaml " + file, false);
      EXPECT_EQ(d.exit_code, 1) << d.out;
      auto j = nlohmann::json::parse(d.out);
      for (const auto& f : j["flows"]) {
        EXPECT_EQ(f["change"], "allowed") << "a fix must not block anything: " << f.dump(2) << r.out;
        if (f["change"] != "allowed") continue;
        for (const auto& s : f["sources"])
          for (const auto& x : f["destinations"]) {
            std::string src = bare(s), dst = bare(x);
            // A route carries every port: then the pair's other ports belong to it too.
            bool request = clients.count(src) && dst == to && f["protocol"] == "tcp" &&
                           (f["ports"] == std::to_string(port) || routed);
            bool reply = src == to && clients.count(dst) && f["protocol"] == "tcp";
            for (auto [a, b] : ranges(f["ports"])) reply &= a >= 32768 && b <= 60999;  // the client's ephemeral ports
            EXPECT_TRUE(request || reply) << "outside the class: " << src << " -> " << dst << " " << f["protocol"] << "/"
                                          << f["ports"] << "\n" << r.out;
          }
      }
      for (const auto& e : j["exposure"])
        if (e["change"] == "gained") {
          // The destination, or the client on its reply ports (a NACL's reply entry).
          bool reply = clients.count(bare(e["resource"])) > 0;
          for (auto [a, b] : ranges(e["ports"])) reply &= a >= 32768 && b <= 60999;
          EXPECT_TRUE(bare(e["resource"]) == to || reply) << e.dump(2) << r.out;
        }
      fs::copy_file(dir / "orig.yaml", dir / file, fs::copy_options::overwrite_existing);
    }
    if (!HasFailure()) fs::remove_all(dir);
  }
  std::cout << "fixed " << fixed << ", no fix " << refused << "\n";
  EXPECT_GT(fixed, 0);
}

}  // namespace
}  // namespace vpclab
