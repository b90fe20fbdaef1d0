// The balancing algorithms on their own: candidates in, an index out; no
// sockets, no health checks.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "dataplane/alb/balancer.h"
#include "dataplane/alb/body.h"
#include "dataplane/alb/stickiness.h"

namespace vpclab::dataplane::alb {
namespace {

std::vector<BalancerCandidate> all_eligible(size_t n, int64_t weight = 1000) {
  return std::vector<BalancerCandidate>(n, BalancerCandidate{true, weight, 0});
}

std::map<int, int> picks(Balancer& b, const std::vector<BalancerCandidate>& c, int n) {
  std::map<int, int> out;
  for (int i = 0; i < n; ++i) ++out[b.pick(c)];
  return out;
}

TEST(Balancer, RoundRobinTakesTurns) {
  auto b = make_round_robin_balancer();
  auto c = all_eligible(3);
  std::vector<int> order;
  for (int i = 0; i < 6; ++i) order.push_back(b->pick(c));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

TEST(Balancer, RoundRobinSkipsIneligibleAndHonoursSlowStartWeights) {
  auto b = make_round_robin_balancer();
  auto c = all_eligible(3);
  c[1].eligible = false;
  auto p = picks(*b, c, 10);
  EXPECT_EQ(p[0], 5);
  EXPECT_EQ(p[2], 5);
  EXPECT_EQ(p.count(1), 0u);
  // A target in slow start at 25% weight gets a quarter of its peer's share, spread out.
  auto d = all_eligible(2);
  d[1].weight = 250;
  p = picks(*b, d, 50);
  EXPECT_EQ(p[0], 40);
  EXPECT_EQ(p[1], 10);
}

TEST(Balancer, NoneEligibleIsMinusOne) {
  std::vector<BalancerCandidate> none(3, BalancerCandidate{false, 1000, 0});
  for (auto a : {vpclab::alb::LoadBalancingAlgorithm::kRoundRobin,
                 vpclab::alb::LoadBalancingAlgorithm::kLeastOutstandingRequests,
                 vpclab::alb::LoadBalancingAlgorithm::kWeightedRandom}) {
    auto b = make_balancer(a, 7);
    EXPECT_EQ(b->pick(none), -1) << vpclab::alb::enum_name(a);
    EXPECT_EQ(b->pick({}), -1) << vpclab::alb::enum_name(a);
  }
}

TEST(Balancer, LeastOutstandingPicksTheLeastBusy) {
  auto b = make_least_outstanding_requests_balancer();
  auto c = all_eligible(3);
  c[0].outstanding = 4;
  c[1].outstanding = 1;
  c[2].outstanding = 2;
  EXPECT_EQ(picks(*b, c, 9)[1], 9);
  c[1].eligible = false;
  EXPECT_EQ(b->pick(c), 2);
  // Ties rotate, so idle targets share the load.
  auto d = all_eligible(3);
  auto p = picks(*b, d, 9);
  EXPECT_EQ(p[0], 3);
  EXPECT_EQ(p[1], 3);
  EXPECT_EQ(p[2], 3);
}

TEST(Balancer, WeightedRandomFollowsWeights) {
  auto b = make_weighted_random_balancer(12345);
  auto c = all_eligible(3);
  c[2].weight = 10;  // 10 / 1010 of the picks: about 198
  c[1].eligible = false;
  auto p = picks(*b, c, 20000);
  EXPECT_EQ(p.count(1), 0u);
  EXPECT_GT(p[0], 19500);
  EXPECT_GT(p[2], 100);
  EXPECT_LT(p[2], 300);
  // Equal weights: roughly equal shares.
  auto q = picks(*b, all_eligible(2), 20000);
  EXPECT_NEAR(q[0], 10000, 500);
}

TEST(Balancer, ResetForgetsAccumulatedCredit) {
  // After a reset of every candidate the round robin continues as a fresh one would.
  auto used = make_round_robin_balancer(), fresh = make_round_robin_balancer();
  auto c = all_eligible(2);
  c[1].weight = 250;
  for (int i = 0; i < 3; ++i) used->pick(c);  // leaves credit behind
  used->reset(0);
  used->reset(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(used->pick(c), fresh->pick(c)) << i;
}

TEST(Stickiness, CookiesNameWhatTheyWereMadeFor) {
  std::string v = target_cookie_value(0xabcdef, 2, 7);
  EXPECT_EQ(v.size(), 16u);
  EXPECT_EQ(target_from_cookie(0xabcdef, 2, v), 7u);
  EXPECT_FALSE(target_from_cookie(0xabcdef, 3, v));  // another group
  EXPECT_FALSE(target_from_cookie(0x5a5a5a5a00abcdef, 2, v));  // another engine's key
  EXPECT_FALSE(group_from_cookie(0xabcdef, v));      // a target cookie is no group cookie
  EXPECT_EQ(group_from_cookie(0xabcdef, group_cookie_value(0xabcdef, 4)), 4u);
  EXPECT_FALSE(target_from_cookie(0xabcdef, 2, "zzzzzzzzzzzzzzzz"));
  EXPECT_EQ(find_cookie("a=1; AWSALB=xyz; b=2", "AWSALB"), "xyz");
  EXPECT_EQ(find_cookie("AWSALBCORS=q", "AWSALB"), "");
}

TEST(Body, OneRoutineForLengthChunkedAndUntilClose) {
  BodyState b;
  size_t take = 0;
  b.reset(http::BodyKind::kLength, 5);
  EXPECT_EQ(next_body_bytes(b, "abc", take), BodyStep::kMore);
  EXPECT_EQ(take, 3u);
  EXPECT_EQ(next_body_bytes(b, "deGET /", take), BodyStep::kDone);
  EXPECT_EQ(take, 2u);  // the rest is the next request

  b.reset(http::BodyKind::kChunked, 0);
  EXPECT_EQ(next_body_bytes(b, "3\r\nabc\r\n0\r\n\r\nNEXT", take), BodyStep::kDone);
  EXPECT_EQ(take, 13u);
  b.reset(http::BodyKind::kChunked, 0);
  std::string payload;
  EXPECT_EQ(next_body_bytes(b, "2\r\nhi\r\n", take, &payload), BodyStep::kMore);
  EXPECT_EQ(payload, "hi");

  b.reset(http::BodyKind::kUntilClose, 0);
  EXPECT_EQ(next_body_bytes(b, "anything", take), BodyStep::kMore);
  EXPECT_EQ(take, 8u);
  b.reset(http::BodyKind::kNone, 0);
  EXPECT_EQ(next_body_bytes(b, "x", take), BodyStep::kDone);
  EXPECT_EQ(take, 0u);
}

TEST(Body, BadChunkForwardsNothing) {
  // RFC 9112 section 7.1: chunk-size is hex digits, then CRLF after the data.
  for (std::string bad : {"zz\r\nab\r\n", "2\r\nabX\r\n", "2\r\nab\r\n-1\r\n"}) {
    BodyState b;
    b.reset(http::BodyKind::kChunked, 0);
    std::string payload = "kept";
    size_t take = 99;
    EXPECT_EQ(next_body_bytes(b, bad, take, &payload), BodyStep::kBadChunk) << bad;
    EXPECT_EQ(take, 0u) << bad;
    EXPECT_EQ(payload, "kept") << bad;
  }
}

}  // namespace
}  // namespace vpclab::dataplane::alb
