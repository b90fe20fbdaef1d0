// vocab/aws_id: the one id/ARN derivation.
#include "vocab/aws_id.h"

#include <gtest/gtest.h>

#include <set>

#include "vocab/ip.h"

namespace vpclab::aws_id {
namespace {

bool all_hex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(AwsId, StableHexIsDeterministicAndSeparatesParts) {
  EXPECT_EQ(stable_hex(16, {"a", "b"}), stable_hex(16, {"a", "b"}));
  EXPECT_NE(stable_hex(16, {"ab", "c"}), stable_hex(16, {"a", "bc"}));
  EXPECT_NE(stable_hex(16, {"a"}, "x"), stable_hex(16, {"a"}, "y"));
  for (size_t n : {1u, 16u, 17u, 40u}) {
    std::string h = stable_hex(n, {"k"});
    EXPECT_EQ(h.size(), n);
    EXPECT_TRUE(all_hex(h)) << h;
  }
  // Longer ids extend shorter ones (blocks of 16).
  EXPECT_EQ(stable_hex(40, {"k"}).substr(0, 16), stable_hex(16, {"k"}));
}

TEST(AwsId, ResourceIdsLookLikeAws) {
  std::string id = resource_id("vpc", {"123456789012", "stack", "Vpc"});
  ASSERT_EQ(id.size(), 4u + 17u);
  EXPECT_EQ(id.rfind("vpc-0", 0), 0u);
  EXPECT_TRUE(all_hex(id.substr(4)));
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(resource_id("sg", {std::to_string(i)}));
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(AwsId, DigitsNeverStartWithZero) {
  for (int i = 0; i < 200; ++i) {
    std::string d = stable_digits(10, {std::to_string(i)});
    ASSERT_EQ(d.size(), 10u);
    EXPECT_NE(d[0], '0');
    EXPECT_EQ(d.find_first_not_of("0123456789"), std::string::npos);
  }
}

TEST(AwsId, ElbArns) {
  std::string lb = load_balancer_arn("eu-west-1", "111122223333", "application", "web-alb");
  EXPECT_EQ(lb, "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web-alb/" +
                    load_balancer_id("111122223333", "eu-west-1", "web-alb"));
  EXPECT_EQ(load_balancer_full_name(lb), "app/web-alb/" + load_balancer_id("111122223333", "eu-west-1", "web-alb"));
  EXPECT_EQ(load_balancer_arn("eu-west-1", "1", "network", "n", "abc"),
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/n/abc");
  std::string tg = target_group_arn("eu-west-1", "111122223333", "web");
  EXPECT_EQ(tg, "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/" +
                    target_group_id("111122223333", "eu-west-1", "web"));
  EXPECT_EQ(target_group_full_name(tg), "targetgroup/web/" + target_group_id("111122223333", "eu-west-1", "web"));
  EXPECT_NE(target_group_arn("eu-west-1", "111122223333", "web"), target_group_arn("eu-west-2", "111122223333", "web"));
  std::string l = listener_arn("arn:aws:elasticloadbalancing:r:1:loadbalancer/app/n/abc", "def");
  EXPECT_EQ(l, "arn:aws:elasticloadbalancing:r:1:listener/app/n/abc/def");
  EXPECT_EQ(listener_rule_arn(l, "0a"), "arn:aws:elasticloadbalancing:r:1:listener-rule/app/n/abc/def/0a");
}

TEST(PrivateRanges, OneListForTheCheckAndItsUsers) {
  auto ranges = private_and_shared_ranges();
  ASSERT_EQ(ranges.size(), 4u);
  for (const auto& r : ranges) {
    EXPECT_TRUE(is_private_or_shared(r.first())) << r.str();
    EXPECT_TRUE(is_private_or_shared(r.last())) << r.str();
  }
  EXPECT_FALSE(is_private_or_shared(*Ipv4Address::parse("172.32.0.1")));
  EXPECT_FALSE(is_private_or_shared(*Ipv4Address::parse("100.128.0.1")));
  EXPECT_FALSE(is_private_or_shared(*Ipv4Address::parse("203.0.113.5")));
}

}  // namespace
}  // namespace vpclab::aws_id
