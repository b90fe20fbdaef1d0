#include "vocab/ip.h"

#include <gtest/gtest.h>

namespace vpclab {
namespace {

TEST(Ipv4Address, ParsesDottedQuad) {
  auto a = Ipv4Address::parse("10.2.1.175");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "10.2.1.175");
}

TEST(Ipv4Address, RejectsMalformed) {
  for (const char* bad : {"", "10.2.1", "10.2.1.256", "10.2.1.1.", "10..1.1", "010.1.1.1", "a.b.c.d", "1.2.3.4 "})
    EXPECT_FALSE(Ipv4Address::parse(bad)) << bad;
}

TEST(Ipv4Cidr, CanonicalizesHostBitsAsAwsDoes) {
  bool host_bits = false;
  auto c = Ipv4Cidr::parse("100.68.0.18/18", &host_bits);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->str(), "100.68.0.0/18");
  EXPECT_TRUE(host_bits);
}

TEST(Ipv4Cidr, ContainsAndOverlaps) {
  auto vpc = *Ipv4Cidr::parse("10.2.0.0/16");
  auto sub = *Ipv4Cidr::parse("10.2.1.0/24");
  auto other = *Ipv4Cidr::parse("10.1.0.0/16");
  EXPECT_TRUE(vpc.contains(sub));
  EXPECT_FALSE(sub.contains(vpc));
  EXPECT_TRUE(vpc.overlaps(sub));
  EXPECT_FALSE(vpc.overlaps(other));
  EXPECT_EQ(sub.last().str(), "10.2.1.255");
  EXPECT_EQ(Ipv4Cidr::parse("0.0.0.0/0")->size(), uint64_t{1} << 32);
}

TEST(Ipv4, PrivateAndSharedRanges) {
  EXPECT_TRUE(is_private_or_shared(*Ipv4Address::parse("172.31.255.1")));
  EXPECT_TRUE(is_private_or_shared(*Ipv4Address::parse("100.64.0.1")));
  EXPECT_FALSE(is_private_or_shared(*Ipv4Address::parse("203.0.113.5")));
}

}  // namespace
}  // namespace vpclab
