// Auto Scaling groups as a user sees them on examples/asg: check is clean,
// trace reaches the ALB through both members and starts from a member by
// its GROUP/k name; a dangling launch template is an error at its line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;
namespace fs = std::filesystem;

const std::string kAsg = "examples/asg/asg.yaml";

TEST(AsgCli, CheckIsClean) {
  auto chk = vpclab("check " + kAsg);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  EXPECT_NE(chk.out.find("0 errors, 0 warnings, 0 notes"), std::string::npos) << chk.out;
}

TEST(AsgCli, TraceFromBarAppReachesTheAlbThroughBothMembers) {
  auto t = vpclab("trace " + kAsg + " --from bar-app --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("verdict: reachable"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("asg.FooWebGroup/1"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("asg.FooWebGroup/2"), std::string::npos) << t.out;
  auto j = vpclab("trace " + kAsg + " --from bar-app --to http://alb.home/ --json", false);
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << j.out;
  std::set<std::string> targets;
  for (const auto& p : doc["paths"])
    for (const auto& h : p["hops"])
      if (h["component"] == "target" && h["allowed"] == true) targets.insert(h.value("name", h.value("id", "")));
  EXPECT_EQ(targets.size(), 2u) << j.out;
}

TEST(AsgCli, TraceFromAMemberByItsName) {
  for (const char* from : {"FooWebGroup/1", "asg.FooWebGroup/2"}) {
    auto t = vpclab("trace " + kAsg + " --from " + from + " --to 8.8.8.8:443");
    EXPECT_EQ(t.exit_code, 0) << from << "\n" << t.out;  // out through foo's NAT gateway
    EXPECT_NE(t.out.find("nat"), std::string::npos) << t.out;
  }
  // bar's bastion may not reach a member (only foo's bastion may, on 22).
  auto t = vpclab("trace " + kAsg + " --from bar-bastion --to FooWebGroup/1:22");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  auto missing = vpclab("trace " + kAsg + " --from FooWebGroup/3 --to 8.8.8.8:443");
  EXPECT_NE(missing.exit_code, 0) << missing.out;  // the group has two members
}

TEST(AsgCli, DanglingLaunchTemplateIsAnErrorAtItsLine) {
  std::ifstream in(std::string(VPCLAB_SOURCE_DIR) + "/" + kAsg);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string from = "LaunchTemplateId: !Ref FooWebLaunchTemplate";
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  size_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  text.replace(at, from.size(), "LaunchTemplateId: lt-0123456789abcdef0");
  fs::path p = fs::temp_directory_path() / ("vpclab-asg-dangling-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(p) << text;
  auto chk = vpclab("check " + p.string());
  fs::remove(p);
  EXPECT_EQ(chk.exit_code, 1) << chk.out;
  // At the group's LaunchTemplate (its map begins with LaunchTemplateId).
  EXPECT_NE(chk.out.find(":" + std::to_string(line) + ":"), std::string::npos) << chk.out;
  EXPECT_NE(chk.out.find("ASG_UNKNOWN_LAUNCH_TEMPLATE"), std::string::npos) << chk.out;
  EXPECT_NE(chk.out.find("lt-0123456789abcdef0"), std::string::npos) << chk.out;
}

}  // namespace
}  // namespace vpclab
