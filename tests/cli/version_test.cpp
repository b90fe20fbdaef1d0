// One version string everywhere a user or a tool reads it: --version, the
// metadata of --json objects, SARIF's tool.driver.version, the man pages.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

std::string installed_version() {
  auto r = vpclab("--version");
  EXPECT_EQ(r.exit_code, 0);
  std::string out = r.out.substr(0, r.out.find('\n'));
  EXPECT_EQ(out.rfind("vpclab ", 0), 0u) << out;
  return out.substr(7);
}

TEST(Version, ComesFromGitAndStartsWithADigit) {
  std::string v = installed_version();
  ASSERT_FALSE(v.empty());
  EXPECT_TRUE(v[0] >= '0' && v[0] <= '9') << v;  // a valid Debian upstream version
  EXPECT_EQ(v.find(' '), std::string::npos) << v;
}

TEST(Version, JsonOutputsAndSarifCarryTheSameString) {
  std::string v = installed_version();
  const std::string ex = "examples/scenario/vpclab.yaml";
  for (const std::string& cmd : {"check --json " + ex, "trace --json " + ex + " --from BarApp --to http://alb.home/",
                                 "matrix --json " + ex, "exposure --json " + ex}) {
    auto r = vpclab(cmd, /*merge_stderr=*/false);
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["metadata"]["version"], v) << cmd;
    EXPECT_EQ(j["metadata"]["tool"], "vpclab") << cmd;
  }
  auto s = nlohmann::json::parse(vpclab("check --format sarif " + ex, false).out);
  EXPECT_EQ(s["runs"][0]["tool"]["driver"]["version"], v);
}

TEST(ManPages, OnePerCommandWithExitStatusAndExample) {
  std::string dir = std::string(VPCLAB_BINARY).substr(0, std::string(VPCLAB_BINARY).rfind('/')) + "/man/";
  for (const char* c : {"check", "trace", "matrix", "exposure", "alb", "up", "down", "status", "exec", "logs",
                        "health", "instance", "ssh-key"}) {
    std::ifstream f(dir + "vpclab-" + c + ".1");
    ASSERT_TRUE(f) << "no man page for " << c;
    std::stringstream text;
    text << f.rdbuf();
    EXPECT_NE(text.str().find(".SH EXIT STATUS"), std::string::npos) << c;
    EXPECT_NE(text.str().find(".SH EXAMPLE"), std::string::npos) << c;
    EXPECT_NE(text.str().find("vpclab " + installed_version()), std::string::npos) << c;
  }
  // The trace page lists the options trace parses.
  std::ifstream f(dir + "vpclab-trace.1");
  std::stringstream text;
  text << f.rdbuf();
  for (const char* opt : {"\\-\\-from", "\\-\\-to", "\\-\\-port", "\\-\\-protocol", "\\-\\-json"})
    EXPECT_NE(text.str().find(opt), std::string::npos) << opt;
}

}  // namespace
}  // namespace vpclab
