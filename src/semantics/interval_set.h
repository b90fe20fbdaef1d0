// Sets of 32-bit values (IPv4 addresses, ports, ICMP types) as sorted,
// disjoint, non-adjacent closed intervals. The analyzer's matrix works on
// these instead of enumerating ports or addresses, and the emulator can emit
// them directly as nftables interval sets.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vocab/ip.h"
#include "vocab/protocol.h"

namespace vpclab::semantics {

struct Interval {
  uint32_t lo = 0;
  uint32_t hi = 0;  // inclusive
  auto operator<=>(const Interval&) const = default;
};

class IntervalSet {
 public:
  IntervalSet() = default;
  static IntervalSet of(uint32_t lo, uint32_t hi);
  static IntervalSet of(const Ipv4Cidr& c) { return of(c.first().value, c.last().value); }
  static IntervalSet of(PortRange r) { return of(r.from, r.to); }
  static IntervalSet all_ports() { return of(0, 65535); }
  static IntervalSet all_addresses() { return of(0, UINT32_MAX); }

  void add(uint32_t lo, uint32_t hi);
  void add(const IntervalSet& other);
  bool empty() const { return v_.empty(); }
  bool contains(uint32_t x) const;            // O(log n)
  bool contains(const IntervalSet& other) const;  // superset test
  bool intersects(const IntervalSet& other) const;
  uint64_t size() const;                      // number of values
  IntervalSet intersect(const IntervalSet& other) const;
  IntervalSet subtract(const IntervalSet& other) const;
  const std::vector<Interval>& intervals() const { return v_; }
  // "22", "80,443", "1024-65535"; empty set -> "none". Ports/numbers.
  std::string str() const;
  // Addresses as "10.0.0.0/16,10.1.0.5" (minimal CIDR cover), "none".
  std::string address_str() const;
  bool operator==(const IntervalSet&) const = default;

 private:
  std::vector<Interval> v_;
};

// Equivalence classes of a universe [lo, hi] with respect to a family of
// sets: the coarsest partition into intervals such that every set either
// contains an interval entirely or not at all. Used to evaluate a filter
// once per class rather than once per port or address.
std::vector<Interval> equivalence_classes(const std::vector<const IntervalSet*>& sets, uint32_t lo,
                                          uint32_t hi);

// The minimal list of CIDR blocks covering [lo, hi].
std::vector<Ipv4Cidr> cidr_cover(uint32_t lo, uint32_t hi);

}  // namespace vpclab::semantics
