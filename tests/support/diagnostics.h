// Test support: every diagnostic of a run as text, for failure messages.
#pragma once
#include <string>

#include "vocab/diagnostic.h"

namespace vpclab::testing {

inline std::string dump(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.str() + "\n";
  return s;
}

}  // namespace vpclab::testing
