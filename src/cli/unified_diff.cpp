// Unified diffs (diff -u, git apply, patch -p1) of two texts, by Myers' O(ND)
// algorithm: the edits vpclab makes are few, so D is small.
#include "cli/unified_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "vocab/text_lines.h"

namespace vpclab::cli {

namespace {

enum class Op { kKeep, kDelete, kInsert };

// The shortest edit script from a to b.
std::vector<Op> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size()), max = n + m;
  std::vector<int> v(2 * static_cast<size_t>(max) + 2, 0);
  std::vector<std::vector<int>> trace;
  auto at = [&](int k) -> int& { return v[static_cast<size_t>(k + max + 1)]; };
  int d_end = 0;
  for (int d = 0; d <= max; ++d) {
    trace.push_back(v);
    bool done = false;
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
      int y = x - k;
      while (x < n && y < m && a[static_cast<size_t>(x)] == b[static_cast<size_t>(y)]) ++x, ++y;
      at(k) = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (done) {
      d_end = d;
      break;
    }
  }
  std::vector<Op> ops;
  int x = n, y = m;
  for (int d = d_end; d > 0; --d) {
    const auto& pv = trace[static_cast<size_t>(d)];
    auto pat = [&](int k) { return pv[static_cast<size_t>(k + max + 1)]; };
    int k = x - y;
    int pk = (k == -d || (k != d && pat(k - 1) < pat(k + 1))) ? k + 1 : k - 1;
    int px = pat(pk), py = px - pk;
    while (x > px && y > py) ops.push_back(Op::kKeep), --x, --y;
    ops.push_back(x == px ? Op::kInsert : Op::kDelete);
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) ops.push_back(Op::kKeep), --x, --y;
  std::reverse(ops.begin(), ops.end());
  return ops;
}

}  // namespace

std::string unified_diff(const std::string& path, const std::string& before, const std::string& after, int context) {
  TextLines ta(before), tb(after);
  const auto &a = ta.lines, &b = tb.lines;
  bool nl_a = ta.final_newline, nl_b = tb.final_newline;
  auto ops = edit_script(a, b);
  if (std::all_of(ops.begin(), ops.end(), [](Op o) { return o == Op::kKeep; }) && nl_a == nl_b) return {};
  // Relative paths take git's a/ b/ prefixes (git apply, patch -p1); absolute ones stand as they are.
  std::string out = !path.empty() && path[0] == '/' ? fmt::format("--- {}\n+++ {}\n", path, path)
                                                    : fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  // Line numbers per op.
  struct Row {
    Op op;
    size_t ai, bi;
  };
  std::vector<Row> rows;
  size_t ai = 0, bi = 0;
  for (Op o : ops) {
    rows.push_back({o, ai, bi});
    if (o != Op::kInsert) ++ai;
    if (o != Op::kDelete) ++bi;
  }
  size_t i = 0;
  while (i < rows.size()) {
    if (rows[i].op == Op::kKeep) {
      ++i;
      continue;
    }
    // A hunk: from `context` lines before the change to `context` after the last change within reach.
    size_t start = i >= static_cast<size_t>(context) ? i - static_cast<size_t>(context) : 0;
    size_t end = i;
    while (end < rows.size()) {
      if (rows[end].op != Op::kKeep) {
        ++end;
        continue;
      }
      size_t run = end;
      while (run < rows.size() && rows[run].op == Op::kKeep) ++run;
      if (run == rows.size() || run - end > 2 * static_cast<size_t>(context)) {
        end = std::min(rows.size(), end + static_cast<size_t>(context));
        break;
      }
      end = run;
    }
    size_t a_count = 0, b_count = 0;
    std::string body;
    for (size_t r = start; r < end; ++r) {
      const Row& row = rows[r];
      if (row.op == Op::kKeep) body += " " + a[row.ai] + "\n", ++a_count, ++b_count;
      else if (row.op == Op::kDelete) body += "-" + a[row.ai] + "\n", ++a_count;
      else body += "+" + b[row.bi] + "\n", ++b_count;
    }
    size_t a_from = a_count ? rows[start].ai + 1 : rows[start].ai;
    size_t b_from = b_count ? rows[start].bi + 1 : rows[start].bi;
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_from, a_count, b_from, b_count) + body;
    i = end;
  }
  return out;
}

}  // namespace vpclab::cli
