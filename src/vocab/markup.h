// Text inside XML and HTML (JUnit reports, the graph page): the five
// characters that would end or open markup, as entities.
#pragma once
#include <string>
#include <string_view>

namespace vpclab {

inline std::string escape_markup(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace vpclab
