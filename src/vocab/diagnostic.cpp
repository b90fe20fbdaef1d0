#include "vocab/diagnostic.h"

#include <algorithm>
#include <cstring>

namespace vpclab {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kNote: return "note";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "error";
}

std::string Diagnostic::str() const {
  std::string s = loc.str() + ": " + severity_name(severity) + " " + code + ": " + message;
  if (!fix.empty()) s += "\n  fix: " + fix;
  return s;
}

void Diagnostics::error(SourceLoc loc, std::string code, std::string message, std::string fix) {
  add({loc, Severity::kError, std::move(code), std::move(message), std::move(fix)});
}
void Diagnostics::warning(SourceLoc loc, std::string code, std::string message, std::string fix) {
  add({loc, Severity::kWarning, std::move(code), std::move(message), std::move(fix)});
}
void Diagnostics::note(SourceLoc loc, std::string code, std::string message, std::string fix) {
  add({loc, Severity::kNote, std::move(code), std::move(message), std::move(fix)});
}

bool Diagnostics::has_errors() const { return count(Severity::kError) > 0; }

size_t Diagnostics::count(Severity s) const {
  return std::count_if(items_.begin(), items_.end(),
                       [s](const Diagnostic& d) { return d.severity == s; });
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const char* fa = a.loc.file ? a.loc.file : "";
    const char* fb = b.loc.file ? b.loc.file : "";
    int c = std::strcmp(fa, fb);
    if (c != 0) return c < 0;
    if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
    return a.loc.col < b.loc.col;
  });
}

}  // namespace vpclab
