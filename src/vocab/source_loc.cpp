#include "vocab/source_loc.h"

#include <memory>
#include <mutex>
#include <set>

namespace vpclab {

std::string SourceLoc::str() const {
  if (!file) return "-";
  std::string s = file;
  if (line) {
    s += ':' + std::to_string(line);
    if (col) s += ':' + std::to_string(col);
  }
  return s;
}

const char* intern_file(std::string_view name) {
  static std::mutex mu;
  static std::set<std::string, std::less<>> pool;
  std::lock_guard<std::mutex> lock(mu);
  auto it = pool.find(name);
  if (it == pool.end()) it = pool.emplace(name).first;
  return it->c_str();
}

}  // namespace vpclab
