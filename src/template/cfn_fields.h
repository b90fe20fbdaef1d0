// Shared field readers of the CloudFormation -> model translation: property
// schemas and their check (E3002 unknown, E3012 wrong type, E3003 missing),
// typed accessors over resolved Values, and the CIDR / address / port readers
// whose diagnostics name the place (file:line:col of the value).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/build.h"
#include "template/stack.h"
#include "vocab/ip.h"

namespace vpclab::tmpl::cfn {

// ---- property schemas: one table per type (and per nested structure) ------

enum class K { kString, kBool, kInt, kList, kStringList, kMap, kJson, kAny };

struct Prop {
  std::string_view name;
  K kind;
  bool required = false;
  const std::vector<Prop>* item = nullptr;  // schema of a map, or of each list item
};
using Schema = std::vector<Prop>;

inline const Schema kTag = {{"Key", K::kString, true}, {"Value", K::kString, true}};
inline const Schema kKeyValue = {{"Key", K::kString}, {"Value", K::kString}};

// ---- the resource being translated --------------------------------------

struct ResourceContext {
  const StackContext& stack;
  const ResolvedResource& r;
  Diagnostics& diags;
  model::Origin origin;
  const Value* prop(const char* name) const { return r.properties.get(name); }
  std::string str(const char* name) const {
    const Value* v = prop(name);
    return v && v->is_scalar() ? v->text() : std::string{};
  }
  SourceLoc loc_of(const char* name) const {
    const Value* v = prop(name);
    return v ? v->loc() : r.loc;
  }
  std::string id(std::string_view prefix) const {
    return model::make_id(prefix, {stack.account, stack.region, stack.name, r.logical_id});
  }
  void error(SourceLoc loc, const char* code, std::string msg) const { diags.error(loc, code, std::move(msg)); }
  std::string who() const { return stack.name + "." + r.logical_id; }
};

// Checks `map` against `schema` (recursing into nested schemas); `where`
// names it in messages ("stack.Logical.Prop[2]"), `missing_loc` is where a
// missing required property is reported.
void check(const ResourceContext& c, const Value& map, const Schema& schema, const std::string& where,
           SourceLoc missing_loc);
// The same for a map outside a template (a POLICY file).
void check(Diagnostics& diags, const Value& map, const Schema& schema, const std::string& where,
           SourceLoc missing_loc);

// ---- typed accessors (absent or ill-typed: the empty/none value) ----------

inline std::string text(const Value* v) { return v && v->is_scalar() ? v->text() : std::string{}; }
std::optional<long> to_int(const Value* v);
bool to_bool(const Value* v, bool def);
std::string name_tag(const Value* tags);
std::vector<std::string> strings(const Value* v);
std::string upper(std::string s);

// CIDR block / IPv4 address / port, with an E3031 error at the value when
// malformed (`what` names the property); nullopt when absent or malformed.
std::optional<Ipv4Cidr> cidr(const ResourceContext& c, const Value* v, const char* what);
std::optional<Ipv4Address> address(const ResourceContext& c, const Value* v, const char* what);
// A port 1-65535: "<what> N is outside 1-65535" at the value otherwise.
std::optional<uint16_t> port(const ResourceContext& c, const Value* v, const char* what);

inline Value str_value(std::string s) { return Value::string(std::move(s)); }
Value list_value(const std::vector<std::string>& items);

}  // namespace vpclab::tmpl::cfn
