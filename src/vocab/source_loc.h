// Where a value came from in the user's input: file, 1-based line and column.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace vpclab {

struct SourceLoc {
  const char* file = nullptr;  // interned (see intern_file), never freed
  uint32_t line = 0;           // 1-based; 0 = unknown
  uint32_t col = 0;            // 1-based; 0 = unknown

  bool known() const { return file != nullptr; }
  std::string str() const;     // "file:line:col", "file", or "-"
};

// Interns a file name so SourceLoc stays two words and cheap to copy.
const char* intern_file(std::string_view name);

}  // namespace vpclab
