// Shared helpers for the template tests: resolve template text with a
// fabricating sink and look at what came out.
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "template/engine.h"

namespace vpclab::tmpl::testing {

struct TemplateRun {
  bool ok = false;
  bool parsed = false;
  Diagnostics diags;
  std::shared_ptr<FabricatingSink> sink = std::make_shared<FabricatingSink>();
  ResolvedStack stack;

  // Resolved properties of a resource (null Value if absent).
  const Value& props(const std::string& logical_id) const {
    static const Value none;
    for (const auto& r : stack.resources)
      if (r.logical_id == logical_id) return r.properties;
    return none;
  }
  const Value& prop(const std::string& logical_id, const std::string& key) const {
    static const Value none;
    const Value* v = props(logical_id).get(key);
    return v ? *v : none;
  }
  std::string output(const std::string& name) const {
    const StackOutput* o = stack.output(name);
    return o ? o->value.text() : "<no output " + name + ">";
  }
  // All diagnostics, one per line, for failure messages and assertions.
  std::string text() const {
    std::string s;
    for (const auto& d : diags.items()) s += d.str() + "\n";
    return s;
  }
  bool has(const std::string& code, const std::string& where = "") const {
    for (const auto& d : diags.items())
      if (d.code == code && (where.empty() || d.loc.str() == where)) return true;
    return false;
  }
  std::string first_error() const {
    for (const auto& d : diags.items())
      if (d.severity == Severity::kError) return d.str();
    return "";
  }
};

inline StackContext test_ctx(const std::string& name = "demo", const std::string& account = "123456789012",
                             const std::string& region = "ap-northeast-1") {
  return StackContext{name, account, region, "t.yaml"};
}

inline TemplateRun resolve_text(const std::string& text, const std::map<std::string, Value>& params = {},
                        const ExportTable& imports = {}, const StackContext& ctx = test_ctx(),
                        const std::string& file = "t.yaml") {
  TemplateRun r;
  auto root = parse_template_text(text, file, r.diags);
  if (!root) return r;
  r.parsed = true;
  r.ok = resolve_stack(ctx, *root, params, imports, *r.sink, r.stack, r.diags);
  return r;
}

// Resolves `expr` as the value of an output and returns its text, or the
// first error. The expression is written at column 12 of line 4:
//   Outputs:\n  O:\n    Value:\n      <expr> -- so use long lines freely.
inline std::string eval_output(const std::string& expr, const std::string& extra_sections = "",
                               const std::map<std::string, Value>& params = {}) {
  std::string t = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n" +
                  extra_sections + "Outputs:\n  O:\n    Value: " + expr + "\n";
  TemplateRun r = resolve_text(t, params);
  if (!r.ok) return "ERROR " + r.first_error();
  return r.output("O");
}

// Resolves `expr` as property P of a custom resource; returns the resolved
// Value (null when removed by AWS::NoValue) and reports errors through `run`.
inline Value eval_prop(const std::string& expr, TemplateRun& run, const std::string& extra_sections = "",
                       const std::map<std::string, Value>& params = {}) {
  std::string t = extra_sections +
                  "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n"
                  "  X:\n    Type: Custom::Thing\n    Properties:\n      P: " +
                  expr + "\n";
  run = resolve_text(t, params);
  return run.prop("X", "P");
}

// Flattens a resolved value to compact text: scalars as-is, lists [a,b], maps {k:v}.
inline std::string flat(const Value& v) {
  if (v.is_list()) {
    std::string s = "[";
    for (size_t i = 0; i < v.items().size(); ++i) {
      if (i) s += ',';
      s.append(flat(v.items()[i]));
    }
    return s + "]";
  }
  if (v.is_map()) {
    std::string s = "{";
    bool first = true;
    for (const auto& [k, e] : v.entries()) {
      if (!first) s += ',';
      s.append(k.first).append(":").append(flat(e));
      first = false;
    }
    return s + "}";
  }
  if (v.is_null()) return "null";
  return v.text();
}

}  // namespace vpclab::tmpl::testing
