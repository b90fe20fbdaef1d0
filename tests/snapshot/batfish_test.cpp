// Every Batfish AWS snapshot in the shared corpus loads without error, and
// what it holds lands in the model with its physical ids.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "snapshot/load.h"
#include "../support/diagnostics.h"

using vpclab::testing::dump;

namespace fs = std::filesystem;
using namespace vpclab;

namespace {

const std::string kBatfish = std::string(VPCLAB_SHARED_DIR) + "/corpus/snapshots/batfish";

std::vector<std::string> batfish_snapshots() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kBatfish, ec))
    if (e.is_directory() && fs::is_directory(e.path() / "aws_configs")) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(BatfishSnapshots, EveryOneLoadsWithoutError) {
  if (!fs::exists(kBatfish)) GTEST_SKIP() << "no corpus at " << kBatfish << " (../shared beside the checkout)";
  auto dirs = batfish_snapshots();
  ASSERT_GE(dirs.size(), 20u) << "corpus missing at " << kBatfish;
  size_t ok = 0;
  for (const auto& dir : dirs) {
    EXPECT_TRUE(snapshot::is_snapshot_dir(dir)) << dir;
    auto r = snapshot::load_snapshot(dir);
    EXPECT_FALSE(r.diags.has_errors()) << dir << "\n" << dump(r.diags);
    EXPECT_TRUE(r.network) << dir;
    if (r.network && !r.diags.has_errors()) ++ok;
  }
  std::cout << "[ snapshots ] Batfish snapshots loaded: " << ok << "/" << dirs.size() << "\n";
}
