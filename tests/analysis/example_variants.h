// Shared by the analyzer tests that load an example and edited copies of it:
// the copies (one file, or a lab folder with its manifest), and how
// diagnostics and traces read in failure messages.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "vocab/diagnostic.h"

namespace vpclab::analysis::testing {

struct Edit {
  std::string file;  // a name in the folder; "" for a single-file example
  std::string from, to;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A copy of `example` (a template file, or a lab folder, whose vpclab.yaml is
// returned) named `name` under the test's temp dir, each edit applied once
// (an edit that does not apply fails the test).
inline std::string variant(const std::filesystem::path& example, const std::string& name,
                           const std::vector<Edit>& edits) {
  namespace fs = std::filesystem;
  const bool folder = fs::is_directory(example);
  fs::path dir = fs::path(::testing::TempDir()) / ("variant-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (folder)  // with its subfolders (a lab manifest's s3: bucket directories)
    fs::copy(example, dir, fs::copy_options::recursive);
  else
    fs::copy_file(example, dir / example.filename());
  for (const auto& e : edits) {
    fs::path target = dir / (e.file.empty() ? example.filename() : fs::path(e.file));
    std::string text = read_file(target);
    auto at = text.find(e.from);
    EXPECT_NE(at, std::string::npos) << target.filename() << ": " << e.from;
    if (at != std::string::npos) text.replace(at, e.from.size(), e.to);
    std::ofstream(target) << text;
  }
  return (folder ? dir / "vpclab.yaml" : dir / example.filename()).string();
}

inline std::string diags_text(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.str() + "\n";
  return s;
}

inline const Diagnostic* find_diag(const Diagnostics& d, const std::string& code) {
  for (const auto& x : d.items())
    if (x.code == code) return &x;
  return nullptr;
}

inline bool has_diag(const Diagnostics& d, const std::string& code, Severity sev) {
  for (const auto& x : d.items())
    if (x.code == code && x.severity == sev) return true;
  return false;
}

inline bool has_code(const TraceResult& r, const std::string& code) {
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations)
      if (e.code == code) return true;
  return false;
}

// Every hop and explanation of a trace, one per line.
inline std::string dump(const TraceResult& r) {
  std::string s;
  for (const auto& p : r.paths) {
    s += "path " + p.address + "\n";
    for (const auto& h : p.hops)
      s += "  [" + h.leg + "] " + h.component + " " + h.display + ": " + h.check + " => " + h.matched +
           (h.allowed ? "" : " (BLOCKED)") + "\n";
    for (const auto& e : p.explanations) s += "  " + e.code + " " + e.component + ": " + e.message + "\n";
  }
  return s;
}

}  // namespace vpclab::analysis::testing
