// Event-loop types: what epoll hands back (a Handle), idle-timeout lists,
// timers, clocks and the loop's random numbers. The loop itself is
// Engine::Impl::run (event_loop.cpp).
#pragma once
#include <cstdint>
#include <random>

namespace vpclab::dataplane::alb {

int64_t mono_us();  // CLOCK_MONOTONIC
int64_t real_us();  // CLOCK_REALTIME

enum class Kind : uint8_t { kListener, kClient, kUpstream, kHealth, kAdminListener, kAdmin, kWake };

// Everything registered with epoll starts with a Handle (epoll data.ptr).
struct Handle {
  Kind kind;
  bool closed = false;
  int fd = -1;
  uint32_t events = 0;  // current epoll interest; 0 = not registered
  explicit Handle(Kind k) : kind(k) {}
};

struct LruNode {
  LruNode* prev = nullptr;
  LruNode* next = nullptr;
  int64_t last_ms = 0;
  void* owner = nullptr;  // the connection (or flow) this node orders
};

// Ordered by last activity; with one timeout per list, the front expires first.
class Lru {
 public:
  Lru() { head_.prev = head_.next = &head_; }
  Lru(const Lru&) = delete;
  Lru& operator=(const Lru&) = delete;
  void touch(LruNode* n, int64_t now_ms) {
    if (n->next) unlink(n);
    n->last_ms = now_ms;
    n->prev = head_.prev;
    n->next = &head_;
    head_.prev->next = n;
    head_.prev = n;
  }
  void unlink(LruNode* n) {
    if (!n->next) return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
  }
  LruNode* front() { return head_.next == &head_ ? nullptr : head_.next; }

 private:
  LruNode head_;  // sentinel: its owner is null
};

enum TimerKind { kTimerHcStart, kTimerHcTimeout, kTimerDrainDone };

struct Timer {
  int64_t when_ms;
  uint64_t seq;  // FIFO among timers due at the same millisecond
  int kind;
  void* p;
  uint32_t gen;  // stale when the object's generation moved on
  bool operator>(const Timer& o) const { return when_ms != o.when_ms ? when_ms > o.when_ms : seq > o.seq; }
};

// xorshift128+: trace ids, cookie keys, weighted choices. Not for secrets.
struct Rng {
  uint64_t s0, s1;
  Rng() {
    std::random_device rd;
    s0 = (uint64_t{rd()} << 32) ^ rd() ^ static_cast<uint64_t>(real_us());
    s1 = (uint64_t{rd()} << 32) ^ rd() ^ 0x9E3779B97F4A7C15ull;
  }
  explicit Rng(uint64_t seed) : s0(seed ^ 0x2545F4914F6CDD1Dull), s1(seed * 0x9E3779B97F4A7C15ull | 1) {}
  uint64_t next() {
    uint64_t x = s0, y = s1;
    s0 = y;
    x ^= x << 23;
    s1 = x ^ y ^ (x >> 17) ^ (y >> 26);
    return s1 + y;
  }
};

}  // namespace vpclab::dataplane::alb
