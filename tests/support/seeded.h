// A seeded random source with the two draws the random-network generators
// use (tests/support/random_network.h, random_template.h): the same seed
// gives the same network on every machine.
#pragma once
#include <cstdint>
#include <random>

namespace vpclab::testing {

struct Seeded {
  std::mt19937 rng;
  explicit Seeded(uint32_t seed) : rng(seed) {}
  int pick(int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); }
  bool coin(int percent) { return pick(100) < percent; }
};

}  // namespace vpclab::testing
