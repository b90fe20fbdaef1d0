// A text as lines (without their '\n') and whether it ended with one: the
// unit of vpclab's text edits and unified diffs.
#pragma once
#include <string>
#include <vector>

namespace vpclab {

struct TextLines {
  std::vector<std::string> lines;
  bool final_newline = true;

  explicit TextLines(const std::string& text) {
    std::string cur;
    for (char ch : text) {
      if (ch == '\n') {
        lines.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    final_newline = cur.empty();
    if (!cur.empty()) lines.push_back(cur);
  }
  std::string str() const {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() || final_newline ? "\n" : "");
    return out;
  }
};

}  // namespace vpclab
