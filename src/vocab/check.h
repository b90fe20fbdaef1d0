// Internal invariants: VPCLAB_ASSERT(cond) states what the code relies on.
// A broken invariant is a bug in vpclab, never bad user input (that gets a
// diagnostic), so it aborts with the place, in release builds too: carrying
// on with a corrupted connection table would answer the wrong client.
#pragma once
#include <cstdio>
#include <cstdlib>

namespace vpclab {
[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "vpclab: internal error: %s:%d: assertion failed: %s\n", file, line, expr);
  std::abort();
}
}  // namespace vpclab

#define VPCLAB_ASSERT(cond)                                                         \
  do {                                                                              \
    if (!(cond)) [[unlikely]] ::vpclab::assertion_failed(#cond, __FILE__, __LINE__); \
  } while (0)
