// Auto Scaling rules: initial capacity, AZ balance at launch and on
// replacement, launch template versions (semantics/auto_scaling.h).
#include "semantics/auto_scaling.h"

#include <gtest/gtest.h>

#include <map>

namespace vpclab::semantics {
namespace {

TEST(AutoScaling, DesiredCapacityElseMinSize) {
  EXPECT_EQ(auto_scaling_initial_capacity(3, 1), 3);
  EXPECT_EQ(auto_scaling_initial_capacity(std::nullopt, 2), 2);
  EXPECT_EQ(auto_scaling_initial_capacity(0, 0), 0);
}

TEST(AutoScaling, MembersGoRoundRobinOverAzsInVpcZoneIdentifierOrder) {
  // Two subnets in 1a, one in 1c: AZs alternate, the 1a subnets take turns.
  std::vector<std::string> azs = {"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1a"};
  EXPECT_EQ(auto_scaling_placement(azs, 5), (std::vector<size_t>{0, 1, 2, 1, 0}));
  std::map<std::string, int> per_az;
  for (size_t s : auto_scaling_placement(azs, 6)) ++per_az[azs[s]];
  EXPECT_EQ(per_az["ap-northeast-1a"], 3);  // balanced over AZs, not over subnets
  EXPECT_EQ(per_az["ap-northeast-1c"], 3);
  EXPECT_TRUE(auto_scaling_placement({}, 2).empty());
}

TEST(AutoScaling, ReplacementGoesToTheAzWithFewestMembers) {
  std::vector<std::string> azs = {"ap-northeast-1a", "ap-northeast-1c"};
  // The 1a member was terminated: 1c still has one, 1a none.
  EXPECT_EQ(auto_scaling_replacement_subnet(azs, {1}), 0u);
  EXPECT_EQ(auto_scaling_replacement_subnet(azs, {0}), 1u);
  // A tie goes to the first AZ in the group's order.
  EXPECT_EQ(auto_scaling_replacement_subnet(azs, {0, 1}), 0u);
  // Inside an AZ, the subnet with fewer members.
  std::vector<std::string> three = {"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1a"};
  EXPECT_EQ(auto_scaling_replacement_subnet(three, {0, 1}), 2u);
  EXPECT_FALSE(auto_scaling_replacement_subnet({}, {}).has_value());
}

TEST(AutoScaling, LaunchTemplateVersions) {
  EXPECT_EQ(launch_template_version("$Latest", 1, 3), 3);
  EXPECT_EQ(launch_template_version("$Default", 2, 3), 2);
  EXPECT_EQ(launch_template_version("", 2, 3), 2);  // no Version: the default
  EXPECT_EQ(launch_template_version("3", 1, 3), 3);
  EXPECT_FALSE(launch_template_version("4", 1, 3).has_value());
  EXPECT_FALSE(launch_template_version("0", 1, 3).has_value());
  EXPECT_FALSE(launch_template_version("latest", 1, 3).has_value());
}

}  // namespace
}  // namespace vpclab::semantics
