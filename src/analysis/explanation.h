// Explanation codes for blocked or undecidable paths. Reachability
// Analyzer's names where the meaning matches, vpclab's own otherwise; the
// full list with meanings is docs/explanation-codes.md.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "vocab/source_loc.h"

namespace vpclab::analysis {

struct CodeInfo {
  const char* code;
  const char* meaning;  // one line: what the code says
  const char* fix;      // one line: the usual fix
  bool reachability_analyzer;  // true when AWS Reachability Analyzer uses the same name
  bool undecidable;            // the path crosses something vpclab does not model
};

// Every code, in documentation order.
const std::vector<CodeInfo>& all_codes();
// nullptr for an unknown code.
const CodeInfo* code_info(std::string_view code);

// One reason a path is blocked (or undecidable, or a warning on a reachable
// path): the code, the blocking component ("Stack.LogicalId (sg-...)"), a
// message about this network, and a one-line fix.
struct Explanation {
  std::string code;
  std::string component;
  std::string message;
  std::string fix;
  SourceLoc loc;       // the declaration to change, when known
  bool warning = false;  // does not block the path
};

}  // namespace vpclab::analysis
