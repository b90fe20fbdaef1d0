// Shared output forms of the CLI: diagnostics as text, JSON and SARIF 2.1.0.
#pragma once
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "vocab/diagnostic.h"

namespace vpclab::cli {

// One `FILE:LINE:COL: severity CODE: message` line per diagnostic (fix on the next line).
void print_diagnostics(std::ostream& os, const Diagnostics& diags);
// "2 errors, 1 warning, 0 notes"
std::string summary_line(const Diagnostics& diags);
// {"diagnostics": [{"file","line","column","severity","code","message","fix"}], "errors", "warnings", "notes"}
nlohmann::json diagnostics_json(const Diagnostics& diags);
// A SARIF 2.1.0 log with one run of tool "vpclab" (rules = the codes seen).
nlohmann::json diagnostics_sarif(const Diagnostics& diags);

}  // namespace vpclab::cli
