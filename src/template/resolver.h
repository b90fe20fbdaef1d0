// The resolver of one stack (engine.h's resolve_stack), shared by the files
// that implement it (internal to the template layer):
//   engine.cpp               sections, resources in dependency order, conditions, outputs
//   parameters.cpp           Parameters: types, given values, defaults, constraints
//   intrinsic_functions.cpp  evaluation: one handler per intrinsic function, in one table
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "template/engine.h"

namespace vpclab::tmpl::detail {

// An evaluation's outcome: a value, AWS::NoValue (the property or item is
// removed), or an error (reported).
enum class St { kOk, kNoValue, kError };

bool is_logical_id(const std::string& s);
// The number a parameter constraint or value spells ("1.5", "-2e3"), or nullopt.
std::optional<double> to_double(const std::string& s);
// `v` with every node located at `loc` (where the intrinsic that made it stands).
Value relocate(Value v, SourceLoc loc);
bool values_equal(const Value& a, const Value& b);

// The fix text of constructs vpclab reads only once CloudFormation processed them.
inline constexpr const char* kUseProcessedTemplate =
    "use the processed template (aws cloudformation get-template --template-stage Processed)";


struct ParamDef {
  std::string name;
  std::string type;
  const Value* def = nullptr;
  SourceLoc loc;
  bool is_list = false;
  std::string item_type;  // for lists: "String", "Number", "AWS::EC2::Subnet::Id", ...
  bool ok = true;
};

struct Resource {
  std::string id;
  const Value* def = nullptr;
  std::string type;
  SourceLoc loc;
  std::string condition;  // empty: unconditional
  bool included = true;
  bool added = false;
  bool failed = false;
  bool declared_ok = true;
  std::vector<size_t> deps;
};

class Resolver {
 public:
  Resolver(const StackContext& ctx, const Value& root, const std::map<std::string, Value>& given,
           const ExportTable& imports, ResourceSink& sink, ResolvedStack& out, Diagnostics& diags)
      : ctx_(ctx), root_(root), given_(given), imports_(imports), sink_(sink), out_(out),
        diags_(diags) {}

  bool run();

 private:
  // ---- engine.cpp: sections, conditions, resources, outputs ----
  // ---- diagnostics ----
  void err(SourceLoc loc, const char* code, std::string msg, std::string fix = {});
  // ---- sections ----
  bool check_top_level();
  void reject_for_each(SourceLoc loc);
  void read_mappings();
  void read_conditions();
  // Evaluates (memoized) a named condition; false on error (reported).
  bool condition_value(const std::string& name, SourceLoc use, bool& out);
  // A condition operand: {"Condition": name} or a function giving a boolean.
  bool eval_condition_arg(const Value& v, bool& out);
  void read_resources();
  // ---- dependency collection (mirrors eval: taken Fn::If branches only) ----
  void collect_deps(const Value& v, std::vector<size_t>& deps, const std::set<std::string>* sub_vars);
  void add_dep(const std::string& id, std::vector<size_t>& deps);
  // Variable names inside ${...} of a Sub string (not ${!...}).
  static std::vector<std::string> sub_references(const std::string& s);
  static std::string trim(std::string s);
  // ---- resources in dependency order ----
  void resolve_resources();
  void resolve_resource(size_t i);
  // ---- outputs ----
  void resolve_outputs();

  // ---- parameters.cpp ----
  void read_parameters();
  static bool classify_type(ParamDef& p);
  void check_numeric_attr(const Value& def, const char* name);
  bool convert_parameter(const ParamDef& p, const Value& src, Value& out);
  bool validate_parameter(const ParamDef& p, const Value& v);
  bool validate_item(const ParamDef& p, const Value& item, SourceLoc loc, bool skip_allowed_values = false);

  // ---- intrinsic_functions.cpp ----
  // ---- evaluation ----
  St eval(const Value& v, Value& out);
  // Evaluates to a scalar; reports `code` with `what` otherwise.
  bool eval_shaped(const Value& v, const char* code, const std::string& what, const char* want,
                   bool (Value::*ok)() const, Value& r);
  bool eval_scalar(const Value& v, const char* code, const std::string& what, std::string& out);
  bool eval_list(const Value& v, const char* code, const std::string& what, Value::List& out);
  St eval_intrinsic(const std::string& fn, const Value& arg, const Value& whole, Value& out);
  St eval_ref(const Value& arg, SourceLoc loc, Value& out);
  St ref_name(const std::string& name, SourceLoc loc, Value& out);
  // The resource a Ref/GetAtt may use, or nullptr after reporting why not.
  Resource* usable_resource(size_t idx, SourceLoc loc, const char* fn);
  St eval_getatt(const Value& arg, SourceLoc loc, Value& out);
  St get_att(const std::string& id, const std::string& attr, SourceLoc loc, Value& out);
  St eval_sub(const Value& arg, SourceLoc loc, Value& out);
  // Fn::GetStackOutput {StackName, OutputName, Region?, RoleArn?}: an output
  // of a stack resolved earlier; RoleArn's account selects the account.
  St eval_get_stack_output(const Value& arg, SourceLoc loc, Value& out);
  St eval_find_in_map(const Value& arg, SourceLoc loc, Value& out);

 public:
  // A resolved value as JSON text (Fn::ToJsonString; endpoint policy documents).
  static std::string to_json(const Value& v);

 private:
  static std::string json_quote(const std::string& s);
  // Handlers of eval_intrinsic's table not declared above.
  St fn_if(const Value& arg, SourceLoc loc, Value& out);
  St fn_join(const Value& arg, SourceLoc loc, Value& out);
  St fn_select(const Value& arg, SourceLoc loc, Value& out);
  St fn_split(const Value& arg, SourceLoc loc, Value& out);
  St fn_equals(const Value& arg, SourceLoc loc, Value& out);
  St fn_logical(const std::string& fn, const Value& arg, SourceLoc loc, Value& out);
  St fn_not(const Value& arg, SourceLoc loc, Value& out);
  St fn_and(const Value& arg, SourceLoc loc, Value& out);
  St fn_or(const Value& arg, SourceLoc loc, Value& out);
  St fn_base64(const Value& arg, SourceLoc loc, Value& out);
  St fn_cidr(const Value& arg, SourceLoc loc, Value& out);
  St fn_get_azs(const Value& arg, SourceLoc loc, Value& out);
  St fn_import_value(const Value& arg, SourceLoc loc, Value& out);
  St fn_length(const Value& arg, SourceLoc loc, Value& out);
  St fn_to_json_string(const Value& arg, SourceLoc loc, Value& out);
  St fn_transform(const Value& arg, SourceLoc loc, Value& out);
  // E1030/E1031 for a LanguageExtensions function in a template without the transform.
  St needs_language_extensions(const std::string& fn, const char* code, SourceLoc loc);

  const StackContext& ctx_;
  const Value& root_;
  const std::map<std::string, Value>& given_;
  const ExportTable& imports_;
  ResourceSink& sink_;
  ResolvedStack& out_;
  Diagnostics& diags_;
  bool errors_ = false;
  bool language_extensions_ = false;
  bool in_conditions_ = false;
  std::map<std::string, ParamDef> params_;
  std::map<std::string, Value> param_values_;
  const Value* mappings_ = nullptr;
  std::unordered_map<std::string, const Value*> cond_defs_;
  std::unordered_map<std::string, std::optional<bool>> cond_values_;
  std::unordered_set<std::string> cond_in_progress_;
  std::vector<Resource> resources_;
  std::unordered_map<std::string, size_t> res_index_;
  std::unordered_set<std::string> resource_names_;  // known before Conditions are evaluated
  std::unordered_map<size_t, std::vector<std::string>> depends_on_;
  const Resource* current_ = nullptr;
};

}  // namespace vpclab::tmpl::detail
