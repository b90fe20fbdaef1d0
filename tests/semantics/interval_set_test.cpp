#include "semantics/interval_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace vpclab;
using namespace vpclab::semantics;

TEST(IntervalSet, AddMergesOverlappingAndAdjacent) {
  IntervalSet s;
  s.add(10, 20);
  s.add(30, 40);
  s.add(21, 29);  // adjacent on both sides
  EXPECT_EQ(s.str(), "10-40");
  s.add(50, 50);
  s.add(0, 5);
  EXPECT_EQ(s.str(), "0-5,10-40,50");
  s.add(3, 60);
  EXPECT_EQ(s.str(), "0-60");
}

TEST(IntervalSet, FullRangeEdges) {
  IntervalSet s = IntervalSet::all_addresses();
  EXPECT_EQ(s.size(), uint64_t{1} << 32);
  auto priv = IntervalSet::of(*Ipv4Cidr::parse("10.0.0.0/8"));
  auto rest = s.subtract(priv);
  EXPECT_EQ(rest.size(), (uint64_t{1} << 32) - (uint64_t{1} << 24));
  EXPECT_FALSE(rest.contains(Ipv4Address::parse("10.1.2.3")->value));
  EXPECT_TRUE(rest.contains(UINT32_MAX));
  EXPECT_TRUE(rest.contains(0));
  rest.add(priv);
  EXPECT_EQ(rest, s);
}

TEST(IntervalSet, IntersectSubtractContains) {
  IntervalSet a;
  a.add(0, 100);
  a.add(200, 300);
  IntervalSet b;
  b.add(50, 250);
  EXPECT_EQ(a.intersect(b).str(), "50-100,200-250");
  EXPECT_EQ(a.subtract(b).str(), "0-49,251-300");
  EXPECT_TRUE(a.contains(IntervalSet::of(210, 220)));
  EXPECT_FALSE(a.contains(IntervalSet::of(90, 210)));
  EXPECT_TRUE(a.intersects(b));
  EXPECT_FALSE(a.intersects(IntervalSet::of(101, 199)));
  EXPECT_EQ(IntervalSet().str(), "none");
}

TEST(IntervalSet, AddressStringIsMinimalCidrCover) {
  IntervalSet s;
  s.add(Ipv4Address::parse("10.0.0.0")->value, Ipv4Address::parse("10.0.1.255")->value);
  s.add(Ipv4Address::parse("10.0.3.7")->value, Ipv4Address::parse("10.0.3.7")->value);
  EXPECT_EQ(s.address_str(), "10.0.0.0/23,10.0.3.7");
  EXPECT_EQ(cidr_cover(0, UINT32_MAX).size(), 1u);
  EXPECT_EQ(cidr_cover(1, 6).size(), 4u);  // 1, 2-3, 4-5, 6
}

TEST(IntervalSet, EquivalenceClassesSplitAtEveryBoundary) {
  IntervalSet ssh = IntervalSet::of(22, 22);
  IntervalSet web = IntervalSet::of(80, 443);
  IntervalSet high = IntervalSet::of(1024, 65535);
  auto classes = equivalence_classes({&ssh, &web, &high}, 0, 65535);
  std::vector<Interval> want{{0, 21}, {22, 22}, {23, 79}, {80, 443}, {444, 1023}, {1024, 65535}};
  EXPECT_EQ(classes, want);
}

// Randomised: set operations agree with std::set on a small universe.
TEST(IntervalSet, AgreesWithReferenceOnRandomSets) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    IntervalSet a, b;
    std::set<uint32_t> ra, rb;
    for (int k = 0; k < 4; ++k) {
      uint32_t lo = rng() % 64, hi = lo + rng() % 10;
      a.add(lo, hi);
      for (uint32_t x = lo; x <= hi; ++x) ra.insert(x);
      lo = rng() % 64, hi = lo + rng() % 10;
      b.add(lo, hi);
      for (uint32_t x = lo; x <= hi; ++x) rb.insert(x);
    }
    auto i = a.intersect(b), d = a.subtract(b);
    for (uint32_t x = 0; x < 80; ++x) {
      ASSERT_EQ(a.contains(x), ra.count(x) == 1);
      ASSERT_EQ(i.contains(x), ra.count(x) && rb.count(x));
      ASSERT_EQ(d.contains(x), ra.count(x) && !rb.count(x));
    }
    ASSERT_EQ(a.size(), ra.size());
    // Intervals stay sorted, disjoint and non-adjacent.
    for (size_t k = 1; k < i.intervals().size(); ++k)
      ASSERT_GT(i.intervals()[k].lo, i.intervals()[k - 1].hi + 1);
  }
}
