#include "semantics/interval_set.h"

#include <algorithm>

namespace vpclab::semantics {

IntervalSet IntervalSet::of(uint32_t lo, uint32_t hi) {
  IntervalSet s;
  if (lo <= hi) s.v_.push_back({lo, hi});
  return s;
}

void IntervalSet::add(uint32_t lo, uint32_t hi) {
  if (lo > hi) return;
  // Find the first interval that could touch [lo, hi] (its hi + 1 >= lo).
  auto it = std::lower_bound(v_.begin(), v_.end(), lo, [](const Interval& a, uint32_t x) {
    return a.hi != UINT32_MAX && a.hi + 1 < x;
  });
  auto first = it;
  uint32_t nlo = lo, nhi = hi;
  while (it != v_.end() && (hi == UINT32_MAX || it->lo <= hi + 1)) {
    nlo = std::min(nlo, it->lo);
    nhi = std::max(nhi, it->hi);
    ++it;
  }
  it = v_.erase(first, it);
  v_.insert(it, Interval{nlo, nhi});
}

void IntervalSet::add(const IntervalSet& other) {
  if (v_.empty()) {
    v_ = other.v_;
    return;
  }
  for (const auto& i : other.v_) add(i.lo, i.hi);
}

bool IntervalSet::contains(uint32_t x) const {
  auto it = std::upper_bound(v_.begin(), v_.end(), x, [](uint32_t y, const Interval& a) { return y < a.lo; });
  if (it == v_.begin()) return false;
  --it;
  return x <= it->hi;
}

bool IntervalSet::contains(const IntervalSet& other) const { return other.subtract(*this).empty(); }

bool IntervalSet::intersects(const IntervalSet& other) const { return !intersect(other).empty(); }

uint64_t IntervalSet::size() const {
  uint64_t n = 0;
  for (const auto& i : v_) n += uint64_t{i.hi} - i.lo + 1;
  return n;
}

IntervalSet IntervalSet::intersect(const IntervalSet& o) const {
  IntervalSet r;
  size_t i = 0, j = 0;
  while (i < v_.size() && j < o.v_.size()) {
    uint32_t lo = std::max(v_[i].lo, o.v_[j].lo);
    uint32_t hi = std::min(v_[i].hi, o.v_[j].hi);
    if (lo <= hi) r.v_.push_back({lo, hi});
    if (v_[i].hi < o.v_[j].hi) ++i; else ++j;
  }
  return r;
}

IntervalSet IntervalSet::subtract(const IntervalSet& o) const {
  IntervalSet r;
  size_t j = 0;
  for (auto cur : v_) {
    while (j < o.v_.size() && o.v_[j].hi < cur.lo) ++j;
    size_t k = j;
    bool done = false;
    while (k < o.v_.size() && o.v_[k].lo <= cur.hi) {
      if (o.v_[k].lo > cur.lo) r.v_.push_back({cur.lo, o.v_[k].lo - 1});
      if (o.v_[k].hi >= cur.hi) { done = true; break; }
      cur.lo = o.v_[k].hi + 1;
      ++k;
    }
    if (!done) r.v_.push_back(cur);
  }
  return r;
}

std::string IntervalSet::str() const {
  if (v_.empty()) return "none";
  std::string s;
  for (const auto& i : v_) {
    if (!s.empty()) s += ',';
    s += std::to_string(i.lo);
    if (i.hi != i.lo) {
      s += '-';
      s += std::to_string(i.hi);
    }
  }
  return s;
}

std::vector<Ipv4Cidr> cidr_cover(uint32_t lo, uint32_t hi) {
  std::vector<Ipv4Cidr> out;
  uint64_t cur = lo;
  while (cur <= hi) {
    uint8_t len = 32;
    // Grow the block while aligned and inside [cur, hi].
    while (len > 0) {
      uint64_t size = uint64_t{1} << (32 - (len - 1));
      if ((cur & (size - 1)) != 0 || cur + size - 1 > hi) break;
      --len;
    }
    out.push_back(Ipv4Cidr::of(Ipv4Address{static_cast<uint32_t>(cur)}, len));
    cur += uint64_t{1} << (32 - len);
  }
  return out;
}

std::string IntervalSet::address_str() const {
  if (v_.empty()) return "none";
  std::string s;
  for (const auto& i : v_)
    for (const auto& c : cidr_cover(i.lo, i.hi)) {
      if (!s.empty()) s += ',';
      s += c.length == 32 ? c.base.str() : c.str();
    }
  return s;
}

std::vector<Interval> equivalence_classes(const std::vector<const IntervalSet*>& sets, uint32_t lo,
                                          uint32_t hi) {
  // Cut points: every start, and every end + 1, inside (lo, hi].
  std::vector<uint64_t> cuts;
  for (const auto* s : sets)
    for (const auto& i : s->intervals()) {
      if (i.lo > lo && i.lo <= hi) cuts.push_back(i.lo);
      if (uint64_t{i.hi} + 1 > lo && uint64_t{i.hi} + 1 <= hi) cuts.push_back(uint64_t{i.hi} + 1);
    }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<Interval> out;
  uint64_t start = lo;
  for (uint64_t c : cuts) {
    out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(c - 1)});
    start = c;
  }
  out.push_back({static_cast<uint32_t>(start), hi});
  return out;
}

}  // namespace vpclab::semantics
