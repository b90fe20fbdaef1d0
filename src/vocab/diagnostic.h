// Diagnostics about user input: `file:line:col: severity CODE: message`.
#pragma once
#include <string>
#include <vector>

#include "vocab/source_loc.h"

namespace vpclab {

enum class Severity { kNote, kWarning, kError };
const char* severity_name(Severity s);  // "note", "warning", "error"

struct Diagnostic {
  SourceLoc loc;
  Severity severity = Severity::kError;
  std::string code;     // stable, e.g. "E3001" or "ALB_SG_OPEN_TO_WORLD"
  std::string message;
  std::string fix;      // suggested fix, may be empty

  std::string str() const;  // the one-line form above (fix on a second line)
};

// Collects diagnostics in the order found. Layers report here instead of
// throwing, so one run reports every problem at once.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(SourceLoc loc, std::string code, std::string message, std::string fix = {});
  void warning(SourceLoc loc, std::string code, std::string message, std::string fix = {});
  void note(SourceLoc loc, std::string code, std::string message, std::string fix = {});

  bool has_errors() const;
  size_t count(Severity s) const;
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const Diagnostics& other);
  // Stable order for output: by file, line, column, then insertion order.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace vpclab
