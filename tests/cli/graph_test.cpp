// `vpclab graph` as a user runs it: the real binary on the examples, each
// format as a file a user opens, the flags' usage errors, a machine without
// Graphviz (VPCLAB_LIBGVC pointing nowhere), and output written whole or
// not at all.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../support/process.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::vpclab;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// An SVG as a browser reads it: Graphviz writes '-' in attributes as "&#45;".
std::string svg_text(const std::string& path) {
  std::string s = slurp(path), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 5, "&#45;") == 0) {
      out += '-';
      i += 4;
    } else {
      out += s[i];
    }
  }
  return out;
}

class Graph : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "vpclab-graph-test-" + std::to_string(getpid()) + "/";
    fs::create_directories(dir_);
    if (run_command("dot -V").exit_code != 0 && vpclab("graph examples/scenario/vpclab.yaml --format svg").exit_code == 2)
      GTEST_SKIP() << "Graphviz is not installed (Debian package libgvc6)";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(Graph, FormatFollowsOutExtensionOrFlag) {
  auto png = vpclab("graph examples/scenario/vpclab.yaml --out " + dir_ + "s.png");
  ASSERT_EQ(png.exit_code, 0) << png.out;
  EXPECT_EQ(slurp(dir_ + "s.png").substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto svg = vpclab("graph examples/scenario/vpclab.yaml --out " + dir_ + "s.svg");
  ASSERT_EQ(svg.exit_code, 0) << svg.out;
  EXPECT_NE(slurp(dir_ + "s.svg").find("<svg"), std::string::npos);
  auto html = vpclab("graph examples/scenario/vpclab.yaml --out " + dir_ + "s.html");
  ASSERT_EQ(html.exit_code, 0) << html.out;
  EXPECT_EQ(slurp(dir_ + "s.html").rfind("<!DOCTYPE html>", 0), 0u);
  auto dot = vpclab("graph examples/scenario/vpclab.yaml --format dot", false);
  ASSERT_EQ(dot.exit_code, 0);
  EXPECT_EQ(dot.out.rfind("digraph vpclab {", 0), 0u);
  auto stdout_svg = vpclab("graph examples/scenario/vpclab.yaml", false);
  ASSERT_EQ(stdout_svg.exit_code, 0);
  EXPECT_NE(stdout_svg.out.find("<svg"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ + "s.svg.vpclab-tmp"));
}

TEST_F(Graph, TraceVerdictGoesToStderrAndExitIsZero) {
  auto ok = vpclab("graph examples/scenario/vpclab.yaml --trace --from BarApp --to http://alb.home/ --out " + dir_ +
                   "t.svg");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find(": reachable"), std::string::npos) << ok.out;
  EXPECT_NE(svg_text(dir_ + "t.svg").find("path-request"), std::string::npos);
  auto broken = vpclab("graph examples/broken/target-sg-missing-port.yaml --trace --from BarApp --to "
                       "http://alb.home/ --out " + dir_ + "b.svg");
  EXPECT_EQ(broken.exit_code, 0) << broken.out;
  EXPECT_NE(broken.out.find("NOT reachable"), std::string::npos) << broken.out;
  EXPECT_NE(svg_text(dir_ + "b.svg").find("class=\"node component instance blocked"), std::string::npos);
}

TEST_F(Graph, UsageErrorsExitTwoAndWriteNothing) {
  struct Case {
    std::string args, says;
  } cases[] = {
      {"--trace --from BarApp", "--trace needs --from and --to"},
      {"--from BarApp --to http://alb.home/", "need --trace"},
      {"--format jpeg", "--format must be svg, png, dot or html"},
      {"--trace --from NoSuchThing --to http://alb.home/", "NoSuchThing"},
  };
  for (const auto& c : cases) {
    auto r = vpclab("graph examples/scenario/vpclab.yaml " + c.args + " --out " + dir_ + "u.svg");
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_FALSE(fs::exists(dir_ + "u.svg")) << c.args;
  }
  auto missing = vpclab("graph " + dir_ + "no-such.yaml --out " + dir_ + "u.svg");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find("no-such.yaml"), std::string::npos) << missing.out;
  EXPECT_FALSE(fs::exists(dir_ + "u.svg"));
  auto unwritable = vpclab("graph examples/scenario/vpclab.yaml --out " + dir_ + "no-dir/u.svg");
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.out;
  EXPECT_NE(unwritable.out.find("cannot write"), std::string::npos) << unwritable.out;
}

TEST_F(Graph, WithoutGraphvizSaysWhichPackage) {
  auto r = run_command("VPCLAB_LIBGVC=/nonexistent/libgvc.so.6 " + std::string(VPCLAB_BINARY) +
                       " graph examples/scenario/vpclab.yaml --out " + dir_ + "g.svg");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("install the Debian package libgvc6"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ + "g.svg"));
  // DOT needs no Graphviz.
  auto dot = run_command("VPCLAB_LIBGVC=/nonexistent/libgvc.so.6 " + std::string(VPCLAB_BINARY) +
                         " graph examples/scenario/vpclab.yaml --format dot", false);
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_EQ(dot.out.rfind("digraph", 0), 0u);
}

// The same input draws the same picture, run after run.
TEST_F(Graph, SameInputSamePicture) {
  for (const char* fmt : {"svg", "png"}) {
    auto a = vpclab(std::string("graph examples/tgw/vpn/vpclab.yaml --format ") + fmt + " --out " + dir_ + "a");
    auto b = vpclab(std::string("graph examples/tgw/vpn/vpclab.yaml --format ") + fmt + " --out " + dir_ + "b");
    ASSERT_EQ(a.exit_code, 0) << a.out;
    ASSERT_EQ(b.exit_code, 0) << b.out;
    EXPECT_EQ(slurp(dir_ + "a"), slurp(dir_ + "b")) << fmt;
    EXPECT_GT(slurp(dir_ + "a").size(), 1000u);
  }
}

// Every example draws: a manifest stands for the templates of its folder.
TEST_F(Graph, EveryExampleDraws) {
  std::vector<std::string> inputs;
  for (const auto& e : fs::recursive_directory_iterator("examples")) {
    auto p = e.path();
    if (!e.is_regular_file() || p.string().find("examples/ci") == 0) continue;
    bool manifest_here = fs::exists(p.parent_path() / "vpclab.yaml");
    if (p.extension() == ".yaml" && p.filename() != "policy.yaml" && (!manifest_here || p.filename() == "vpclab.yaml"))
      inputs.push_back(p.string());
    if (p.filename() == "plan.json") inputs.push_back(p.string());
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_GT(inputs.size(), 20u);
  for (const auto& in : inputs) {
    auto r = vpclab("graph " + in + " --out " + dir_ + "e.svg");
    EXPECT_EQ(r.exit_code, 0) << in << "\n" << r.out;
    std::string svg = slurp(dir_ + "e.svg");
    EXPECT_NE(svg.find("class=\"cluster frame vpc"), std::string::npos) << in;
  }
}

}  // namespace
}  // namespace vpclab
