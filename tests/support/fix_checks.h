// What the `vpclab fix` tests share (tests/cli/fix_test.cpp, fix_json_test.cpp):
// scratch copies of a template where a patch's a/ b/ paths point, and the
// check that `vpclab diff --json` of the original against the patched copy
// newly allows only the intended class.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

namespace vpclab::testing {

// An empty directory of this test process: `suite`/`name` under the temp dir.
inline std::filesystem::path fix_scratch(const std::string& suite, const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (suite + "-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A copy of `file` under dir at the same relative path (where the patch's a/ b/ paths point).
inline std::filesystem::path copy_into(const std::filesystem::path& dir, const std::string& file) {
  std::filesystem::path to = dir / file;
  std::filesystem::create_directories(to.parent_path());
  std::filesystem::copy_file(file, to, std::filesystem::copy_options::overwrite_existing);
  return to;
}

// Every newly allowed flow of `diff` (vpclab diff --json) runs from `source`
// ("" = none may; "*" = any source: from the internet a rule from 0.0.0.0/0
// admits the network's own hosts too) to a destination starting with
// `destination`; exposure is gained only by the destination, from the
// client's side (the internet when `from` is "internet", else other VPCs).
inline void expect_only_the_intended_class(const nlohmann::json& diff, const std::string& from, const std::string& source,
                                           const std::string& destination) {
  for (const auto& f : diff["flows"]) {
    if (f["change"] != "allowed") continue;
    ASSERT_FALSE(source.empty()) << "no flow should be newly allowed: " << f.dump(2);
    if (source != "*") {
      for (const auto& s : f["sources"]) EXPECT_EQ(s, source) << f.dump(2);
    }
    bool dst = false;
    for (const auto& x : f["destinations"]) dst |= x.get<std::string>().find(destination) == 0;
    EXPECT_TRUE(dst) << f.dump(2);
  }
  for (const auto& e : diff["exposure"]) {
    if (e["change"] != "gained") continue;
    EXPECT_EQ(e["scope"], from == "internet" ? "internet" : "outside-vpc") << e.dump(2);
    EXPECT_EQ(e["resource"].get<std::string>().find(destination), 0u) << e.dump(2);
  }
}

}  // namespace vpclab::testing
