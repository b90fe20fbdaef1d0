#include "cli/output.h"

#include <map>

#include "cli/version.h"

namespace vpclab::cli {

void print_diagnostics(std::ostream& os, const Diagnostics& diags) {
  for (const auto& d : diags.items()) os << d.str() << "\n";
}

static std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string summary_line(const Diagnostics& diags) {
  return plural(diags.count(Severity::kError), "error") + ", " +
         plural(diags.count(Severity::kWarning), "warning") + ", " +
         plural(diags.count(Severity::kNote), "note");
}

nlohmann::json diagnostics_json(const Diagnostics& diags) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : diags.items()) {
    nlohmann::json j;
    j["file"] = d.loc.file ? d.loc.file : "";
    j["line"] = d.loc.line;
    j["column"] = d.loc.col;
    j["severity"] = severity_name(d.severity);
    j["code"] = d.code;
    j["message"] = d.message;
    if (!d.fix.empty()) j["fix"] = d.fix;
    list.push_back(std::move(j));
  }
  return {{"metadata", metadata()},
          {"diagnostics", list},
          {"errors", diags.count(Severity::kError)},
          {"warnings", diags.count(Severity::kWarning)},
          {"notes", diags.count(Severity::kNote)}};
}

nlohmann::json diagnostics_sarif(const Diagnostics& diags) {
  nlohmann::json results = nlohmann::json::array();
  std::map<std::string, nlohmann::json> rules;
  for (const auto& d : diags.items()) {
    rules.emplace(d.code, nlohmann::json{{"id", d.code}});
    nlohmann::json r;
    r["ruleId"] = d.code;
    r["level"] = severity_name(d.severity);  // SARIF levels: error | warning | note
    std::string text = d.message;
    if (!d.fix.empty()) text += " Fix: " + d.fix;
    r["message"] = {{"text", text}};
    if (d.loc.file) {
      nlohmann::json region = nlohmann::json::object();
      if (d.loc.line) region["startLine"] = d.loc.line;
      if (d.loc.col) region["startColumn"] = d.loc.col;
      nlohmann::json phys = {{"artifactLocation", {{"uri", d.loc.file}}}};
      if (!region.empty()) phys["region"] = region;
      r["locations"] = nlohmann::json::array({{{"physicalLocation", phys}}});
    }
    results.push_back(std::move(r));
  }
  nlohmann::json rule_list = nlohmann::json::array();
  for (auto& [_, r] : rules) rule_list.push_back(r);
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", nlohmann::json::array({{
              {"tool", {{"driver", {{"name", "vpclab"}, {"version", version()},
                                    {"rules", rule_list}}}}},
              {"results", results},
          }})}};
}

}  // namespace vpclab::cli
