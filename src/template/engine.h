// The CloudFormation engine: parse a template (YAML or JSON) into a Value
// tree with source locations, then resolve one stack (parameters,
// conditions, intrinsics, dependency order) into a ResourceSink.
//
// Diagnostic codes (cfn-lint numbering where one exists):
//   E0000  syntax error (malformed YAML/JSON, duplicate key, bad tag, too deep)
//   E0001  template is not a map / has no Resources / unsupported Transform
//   E0002  internal limit hit (value too large, nesting too deep)
//   E1001  unknown top-level section, or a section of the wrong shape
//   E1002  template too large
//   E1010  Fn::GetAtt: bad form, unknown resource, or attribute unknown for its type
//   E1011  Fn::FindInMap: bad form, missing map / key
//   E1012  Ref to an unknown resource, parameter or pseudo parameter
//   E1015  Fn::GetAZs: bad argument
//   E1017  Fn::Select: bad form or index out of range
//   E1018  Fn::Split: bad form
//   E1019  Fn::Sub: bad form, unknown variable, unterminated ${
//   E1020  Ref: bad form
//   E1021  Fn::Base64: bad form
//   E1022  Fn::Join: bad form
//   E1024  Fn::Cidr: bad form, bad ipBlock, count/cidrBits out of range, does not fit
//   E1028  Fn::If: bad form or unknown condition
//   E1030  Fn::Length: bad form
//   E1031  Fn::ToJsonString: bad form
//   E1032  Fn::ImportValue: bad form or no such export (in the stack's account and region)
//   E1033  Fn::GetStackOutput: bad form or no such stack output
//   E1040  unknown or misplaced intrinsic function (Fn::Foo, Fn::If outside a value, ...)
//   E2001  Parameters: bad definition (no Type, unknown Type, bad attribute)
//   E2002  parameter value missing (no value given and no Default)
//   E2003  parameter value violates AllowedValues/AllowedPattern/Length/Value/Type
//   E2004  a value was given for a parameter the template does not declare
//   E3001  Resources: bad resource (not a map, no Type, unknown attribute, bad Properties)
//   E3004  circular dependency between resources
//   E3005  DependsOn: bad form or unknown resource
//   E6001  Outputs: bad output (no Value, unknown attribute, value not a string)
//   E6003  duplicate Export name
//   E7001  Mappings: bad shape
//   E8001  Conditions: bad condition, unknown condition, condition cycle
// Transform AWS::LanguageExtensions is accepted (Fn::Length, Fn::ToJsonString,
// FindInMap DefaultValue); Fn::ForEach, SAM and other transforms are E0001.
// Rules are parsed, not evaluated.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "template/stack.h"
#include "template/value.h"
#include "vocab/diagnostic.h"

namespace vpclab::tmpl {

// ---- Parsing ---------------------------------------------------------------

// Reads and parses a template (or any YAML/JSON file such as the manifest).
// YAML via libyaml with every CloudFormation short-form tag rewritten to
// its long form (!Ref X -> {"Ref": "X"}, !GetAtt A.B -> {"Fn::GetAtt": ["A","B"]},
// ...); JSON is read by the same parser (JSON is YAML flow syntax; tabs and
// positions work). Every node carries file:line:col (1-based): for a
// short-form tag, the map {"Ref": X} is located at the tag. Plain scalars
// true/false are booleans, plain numbers numbers (text as written), quoted
// scalars strings.
// Duplicate map keys are an error. nullopt after reporting an E0000/E0001
// error when the text cannot be read or parsed.
std::optional<Value> parse_template_file(const std::string& path, Diagnostics& diags);
std::optional<Value> parse_template_text(std::string_view text, const std::string& file_name,
                                         Diagnostics& diags);
// JSON text straight to the tree parse_template_text builds (parse_json.cpp);
// nullopt for anything but well-formed JSON without duplicate keys, which
// parse_template_text then reads (and reports on) with libyaml.
std::optional<Value> parse_json_text(std::string_view text, const char* file);

// ---- Resolving -------------------------------------------------------------

struct StackOutput {
  std::string name;         // logical name in Outputs
  Value value;              // resolved (a string, or a list for list-valued outputs)
  std::string export_name;  // resolved Export.Name, empty when not exported
  std::string description;
  SourceLoc loc;            // the output's key
};

struct ResolvedStack {
  StackContext ctx;
  std::string stack_id;                         // AWS::StackId
  std::map<std::string, Value> parameters;      // effective values (given or Default)
  std::map<std::string, bool> conditions;       // evaluated Conditions
  std::vector<ResolvedResource> resources;      // in the order handed to the sink
  std::vector<StackOutput> outputs;             // outputs whose Condition holds, template order
  const StackOutput* output(const std::string& name) const;  // nullptr when absent
};

// Values other stacks can read: exports for Fn::ImportValue (per account and
// region in AWS: keys export_key(account, region, name)) and every output
// for Fn::GetStackOutput (keys stack_output_key(account, region, stack, output)).
using ExportTable = std::map<std::string, Value>;
std::string export_key(const std::string& account, const std::string& region,
                       const std::string& name);
std::string stack_output_key(const std::string& account, const std::string& region,
                             const std::string& stack, const std::string& output);
// Adds a resolved stack's exports and outputs; a name already exported in
// the same account and region is an E6003 error (at the output). false on error.
// Call it after each stack, before resolving the next.
bool add_exports(const ResolvedStack& stack, ExportTable& exports, Diagnostics& diags);

// AWS::StackId of a stack: arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/<uuid>
// with a uuid derived deterministically from account, region and name.
std::string stack_id(const StackContext& ctx);

// Resolves one stack:
// 1. parameters: each declared parameter takes `parameters[name]` if given
//    (a string, number, bool, or list of scalars; for List<...> and
//    CommaDelimitedList a string is split on commas), else its Default, else
//    E2002. Values are checked against Type (String, Number, List<Number>,
//    CommaDelimitedList, AWS::EC2::*::Id and List<...> of them,
//    AWS::SSM::Parameter::Value<...> taken as given), AllowedValues,
//    AllowedPattern, MinLength/MaxLength, MinValue/MaxValue. NoEcho accepted.
//    A given name the template does not declare is E2004.
// 2. Conditions are evaluated (Fn::Equals/And/Or/Not/Condition, Ref to
//    parameters and pseudo parameters, FindInMap).
// 3. Resources whose Condition holds are resolved in dependency order (Ref,
//    GetAtt, Sub references and DependsOn; cycles are E3004) and each is
//    passed to sink.add() right after its properties are resolved. Ref and
//    GetAtt of resources ask the sink; when sink.ref() returns nullopt the
//    engine uses fabricated_physical_id(). AWS::NoValue removes a property or
//    list item. Resources whose Condition is false are skipped, and a Ref to
//    them is an error (as in AWS).
// 4. Outputs whose Condition holds are resolved into out.outputs.
// Continues after errors to report as many as possible; returns false if any
// error was reported. `imports` holds exports of stacks resolved earlier.
bool resolve_stack(const StackContext& ctx, const Value& root,
                   const std::map<std::string, Value>& parameters, const ExportTable& imports,
                   ResourceSink& sink, ResolvedStack& out, Diagnostics& diags);

// Deterministic physical id for a resource the sink does not know: the
// type's AWS prefix and 17 hex digits (vpc-..., subnet-..., sg-...), an ARN
// for ARN-identified types (ELBv2, SNS, IAM, ...), else "<stack>-<logical>-<hex>".
std::string fabricated_physical_id(const StackContext& ctx, const std::string& type,
                                   const std::string& logical_id);

// A sink that models nothing: records resources and fabricates deterministic
// Ref and GetAtt answers for every type (plausible values: VPC CidrBlock from
// its properties, Ipv6CidrBlocks as a one-item list, ARNs, DNS names, ...).
// Used by tests, the corpus walk and the fuzzer; the model sink (to_model.h)
// can forward types it does not model to one of these.
class FabricatingSink : public ResourceSink {
 public:
  void add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) override;
  std::optional<Value> ref(const StackContext& stack, const std::string& logical_id) override;
  // Always answers for a resource that was added (any attribute name).
  std::optional<Value> get_att(const StackContext& stack, const std::string& logical_id,
                               const std::string& attribute) override;

  // Resources added so far, in order (key: stack name + "/" + logical id).
  const std::vector<ResolvedResource>& added() const { return added_; }
  const ResolvedResource* find(const std::string& stack, const std::string& logical_id) const;

 private:
  std::vector<ResolvedResource> added_;
  std::map<std::string, size_t> index_;  // stack + "/" + logical id -> added_ index
};

}  // namespace vpclab::tmpl
