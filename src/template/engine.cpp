// resolve_stack: parameters, conditions, intrinsic functions and dependency
// order, the way CloudFormation evaluates a template at stack creation.
#include "template/engine.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <functional>
#include <queue>
#include <regex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "template/intrinsics.h"

namespace vpclab::tmpl {
namespace {

enum class St { kOk, kNoValue, kError };

const std::set<std::string>& top_level_sections() {
  static const std::set<std::string> s = {"AWSTemplateFormatVersion", "Description", "Metadata",
                                          "Parameters", "Rules", "Mappings", "Conditions",
                                          "Transform", "Resources", "Outputs", "Hooks"};
  return s;
}

const std::set<std::string>& resource_attributes() {
  static const std::set<std::string> s = {"Type", "Properties", "DependsOn", "Condition",
                                          "DeletionPolicy", "UpdateReplacePolicy", "Metadata",
                                          "CreationPolicy", "UpdatePolicy", "Version"};
  return s;
}

const std::set<std::string>& parameter_attributes() {
  static const std::set<std::string> s = {"Type", "Default", "Description", "AllowedValues",
                                          "AllowedPattern", "ConstraintDescription", "MaxLength",
                                          "MinLength", "MaxValue", "MinValue", "NoEcho"};
  return s;
}

// AWS-specific parameter types and the id prefix their values carry ("" = no check).
const std::map<std::string, std::string>& aws_parameter_types() {
  static const std::map<std::string, std::string> m = {
      {"AWS::EC2::AvailabilityZone::Name", ""},
      {"AWS::EC2::Image::Id", "ami-"},
      {"AWS::EC2::Instance::Id", "i-"},
      {"AWS::EC2::KeyPair::KeyName", ""},
      {"AWS::EC2::SecurityGroup::GroupName", ""},
      {"AWS::EC2::SecurityGroup::Id", "sg-"},
      {"AWS::EC2::Subnet::Id", "subnet-"},
      {"AWS::EC2::Volume::Id", "vol-"},
      {"AWS::EC2::VPC::Id", "vpc-"},
      {"AWS::Route53::HostedZone::Id", ""},
      {"AWS::SSM::Parameter::Name", ""},
  };
  return m;
}

bool is_logical_id(const std::string& s) {
  if (s.empty() || s.size() > 255) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

bool is_number_text(const std::string& s) {
  static const std::regex re(R"([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?)");
  return !s.empty() && s.size() < 64 && std::regex_match(s, re);
}

std::optional<double> to_double(const std::string& s) {
  if (!is_number_text(s)) return std::nullopt;
  try {
    return std::stod(s);
  } catch (...) {
    return std::nullopt;
  }
}


Value relocate(Value v, SourceLoc loc) {
  switch (v.kind()) {
    case Value::Kind::kNull: return Value::null(loc);
    case Value::Kind::kString: return Value::string(v.text(), loc);
    case Value::Kind::kBool: return Value::boolean(v.as_bool(), loc);
    case Value::Kind::kNumber: return Value::number(v.text(), loc);
    case Value::Kind::kList: return Value::list(std::move(v.items()), loc);
    case Value::Kind::kMap: return Value::map(std::move(v.entries()), loc);
  }
  return v;
}

bool values_equal(const Value& a, const Value& b) {
  if (a.is_scalar() && b.is_scalar()) return a.text() == b.text();
  if (a.kind() != b.kind()) return false;
  if (a.is_null()) return true;
  if (a.is_list()) {
    if (a.items().size() != b.items().size()) return false;
    for (size_t i = 0; i < a.items().size(); ++i)
      if (!values_equal(a.items()[i], b.items()[i])) return false;
    return true;
  }
  if (a.entries().size() != b.entries().size()) return false;
  for (size_t i = 0; i < a.entries().size(); ++i) {
    if (a.entries()[i].first.first != b.entries()[i].first.first) return false;
    if (!values_equal(a.entries()[i].second, b.entries()[i].second)) return false;
  }
  return true;
}

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

  bool run() {
    out_.ctx = ctx_;
    out_.stack_id = stack_id(ctx_);
    if (!root_.is_map()) {
      err(root_.loc(), "E0001", std::string("a template must be a map, not a ") + root_.kind_name());
      return false;
    }
    if (!check_top_level()) return false;
    read_parameters();
    read_mappings();
    read_conditions();
    read_resources();
    resolve_resources();
    resolve_outputs();
    return !errors_;
  }

 private:
  // ---- diagnostics ----
  void err(SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    diags_.error(loc, code, std::move(msg), std::move(fix));
    errors_ = true;
  }

  // ---- sections ----
  bool check_top_level() {
    bool ok = true;
    for (const auto& [k, v] : root_.entries()) {
      if (!top_level_sections().count(k.first)) {
        err(k.second, "E1001", "unknown top-level section '" + k.first + "'",
            "valid sections: AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, "
            "Mappings, Conditions, Transform, Resources, Outputs");
      }
    }
    if (const Value* v = root_.get("AWSTemplateFormatVersion")) {
      if (!v->is_scalar() || v->text() != "2010-09-09")
        err(v->loc(), "E1001", "AWSTemplateFormatVersion must be \"2010-09-09\"");
    }
    if (const Value* v = root_.get("Description")) {
      if (!v->is_scalar()) err(v->loc(), "E1001", "Description must be a string");
    }
    if (const Value* t = root_.get("Transform")) {
      std::vector<const Value*> names;
      if (t->is_list()) {
        for (const auto& i : t->items()) names.push_back(&i);
      } else {
        names.push_back(t);
      }
      for (const Value* n : names) {
        if (n->is_string() && n->text() == "AWS::LanguageExtensions") {
          language_extensions_ = true;
          continue;
        }
        std::string what = n->is_string() ? n->text() : std::string("a macro with parameters");
        err(n->loc(), "E0001",
            "Transform " + what + " is not supported: vpclab reads processed templates",
            n->is_string() && n->text().rfind("AWS::Serverless", 0) == 0
                ? "run `sam package`/`aws cloudformation get-template --template-stage Processed` "
                  "and use the processed template"
                : "");
        ok = false;
      }
    }
    const Value* res = root_.get("Resources");
    if (res && res->is_map())
      for (const auto& e : res->entries()) resource_names_.insert(e.first.first);
    if (!res) {
      err(root_.loc(), "E0001", "template has no Resources section");
      ok = false;
    } else if (!res->is_map()) {
      err(res->loc(), "E1001", "Resources must be a map");
      ok = false;
    }
    return ok;
  }

  void read_parameters() {
    const Value* ps = root_.get("Parameters");
    if (!ps) {
      for (const auto& [name, v] : given_)
        err(v.loc().known() ? v.loc() : root_.loc(), "E2004",
            "value given for parameter '" + name + "', which the template does not declare");
      return;
    }
    if (!ps->is_map()) {
      err(ps->loc(), "E1001", "Parameters must be a map");
      return;
    }
    for (const auto& [k, def] : ps->entries()) {
      ParamDef p;
      p.name = k.first;
      p.loc = k.second;
      p.def = &def;
      params_.emplace(p.name, p);
      ParamDef& pd = params_.at(p.name);
      if (!is_logical_id(pd.name)) err(pd.loc, "E2001", "parameter name must be alphanumeric");
      if (!def.is_map()) {
        err(def.loc(), "E2001", "parameter '" + pd.name + "' must be a map with a Type");
        pd.ok = false;
        continue;
      }
      for (const auto& [ak, av] : def.entries()) {
        if (!parameter_attributes().count(ak.first)) {
          err(ak.second, "E2001", "unknown parameter attribute '" + ak.first + "'");
        }
      }
      const Value* type = def.get("Type");
      if (!type || !type->is_string()) {
        err(type ? type->loc() : pd.loc, "E2001", "parameter '" + pd.name + "' needs a Type");
        pd.ok = false;
        continue;
      }
      pd.type = type->text();
      if (!classify_type(pd)) {
        err(type->loc(), "E2001", "unknown parameter type '" + pd.type + "'",
            "String, Number, List<Number>, CommaDelimitedList, an AWS-specific type such as "
            "AWS::EC2::VPC::Id or List<AWS::EC2::Subnet::Id>, or AWS::SSM::Parameter::Value<...>");
        pd.ok = false;
        continue;
      }
      check_numeric_attr(def, "MinLength");
      check_numeric_attr(def, "MaxLength");
      check_numeric_attr(def, "MinValue");
      check_numeric_attr(def, "MaxValue");
      if (const Value* av = def.get("AllowedValues"); av && !av->is_list())
        err(av->loc(), "E2001", "AllowedValues must be a list");
    }
    for (const auto& [name, v] : given_) {
      if (!params_.count(name))
        err(v.loc().known() ? v.loc() : ps->loc(), "E2004",
            "value given for parameter '" + name + "', which the template does not declare");
    }
    for (auto& [name, pd] : params_) {
      if (!pd.ok) continue;
      const Value* src = nullptr;
      auto g = given_.find(name);
      if (g != given_.end()) {
        src = &g->second;
      } else {
        src = pd.def->get("Default");
      }
      if (!src) {
        err(pd.loc, "E2002", "parameter '" + name + "' has no Default and no value was given",
            "give it a value in the lab manifest's `parameters:`");
        continue;
      }
      Value eff;
      if (convert_parameter(pd, *src, eff) && validate_parameter(pd, eff))
        param_values_.emplace(name, std::move(eff));
    }
    for (const auto& [name, v] : param_values_) out_.parameters.emplace(name, v);
  }

  static bool classify_type(ParamDef& p) {
    const std::string& t = p.type;
    auto scalar_ok = [](const std::string& s) {
      return s == "String" || s == "Number" || aws_parameter_types().count(s) > 0;
    };
    if (t == "CommaDelimitedList") {
      p.is_list = true;
      p.item_type = "String";
      return true;
    }
    if (t.rfind("AWS::SSM::Parameter::Value<", 0) == 0 && t.back() == '>') {
      std::string inner = t.substr(27, t.size() - 28);
      if (inner.rfind("List<", 0) == 0 || inner == "CommaDelimitedList") {
        p.is_list = true;
        p.item_type = "SSM";
      } else {
        p.item_type = "SSM";
      }
      return true;
    }
    if (t.rfind("List<", 0) == 0 && t.back() == '>') {
      std::string inner = t.substr(5, t.size() - 6);
      if (!scalar_ok(inner)) return false;
      p.is_list = true;
      p.item_type = inner;
      return true;
    }
    if (!scalar_ok(t)) return false;
    p.item_type = t;
    return true;
  }

  void check_numeric_attr(const Value& def, const char* name) {
    const Value* v = def.get(name);
    if (v && (!v->is_scalar() || !to_double(v->text())))
      err(v->loc(), "E2001", std::string(name) + " must be a number");
  }

  bool convert_parameter(const ParamDef& p, const Value& src, Value& out) {
    SourceLoc loc = src.loc().known() ? src.loc() : p.loc;
    if (p.is_list) {
      Value::List items;
      if (src.is_list()) {
        for (const auto& i : src.items()) {
          if (!i.is_scalar()) {
            err(i.loc().known() ? i.loc() : loc, "E2003",
                "parameter '" + p.name + "': list items must be strings");
            return false;
          }
          items.push_back(Value::string(i.text(), i.loc()));
        }
      } else if (src.is_scalar()) {
        const std::string& s = src.text();
        // AWS trims blanks around items ("a, b" -> [a, b]).
        bool aws_list = p.type != "CommaDelimitedList";
        if (!(s.empty() && aws_list)) {
          size_t start = 0;
          while (true) {
            size_t c = s.find(',', start);
            std::string item = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
            item = trim(item);
            items.push_back(Value::string(item, loc));
            if (c == std::string::npos) break;
            start = c + 1;
          }
        }
      } else if (!src.is_null()) {
        err(loc, "E2003", "parameter '" + p.name + "' takes a list or a comma-separated string");
        return false;
      }
      out = Value::list(std::move(items), loc);
      return true;
    }
    if (src.is_null()) {
      out = Value::string("", loc);
      return true;
    }
    if (!src.is_scalar()) {
      err(loc, "E2003",
          "parameter '" + p.name + "' of type " + p.type + " takes a string, not a " +
              src.kind_name());
      return false;
    }
    out = p.type == "Number" ? Value::number(src.text(), loc) : Value::string(src.text(), loc);
    return true;
  }

  bool validate_parameter(const ParamDef& p, const Value& v) {
    bool ok = true;
    if (p.is_list) {
      // AllowedValues may list the whole comma-separated value ("a,b") instead of items.
      std::string joined;
      for (size_t i = 0; i < v.items().size(); ++i) joined += (i ? "," : "") + v.items()[i].text();
      const Value* av = p.def->get("AllowedValues");
      bool whole_allowed = av && av->is_list() &&
                           std::any_of(av->items().begin(), av->items().end(),
                                       [&](const Value& a) { return a.is_scalar() && a.text() == joined; });
      for (const auto& i : v.items()) ok = validate_item(p, i, v.loc(), whole_allowed) && ok;
    } else {
      ok = validate_item(p, v, v.loc());
    }
    return ok;
  }

  bool validate_item(const ParamDef& p, const Value& item, SourceLoc loc, bool skip_allowed_values = false) {
    const std::string& s = item.text();
    if (item.loc().known()) loc = item.loc();
    const Value& def = *p.def;
    std::string who = "parameter '" + p.name + "'";
    std::string constraint;
    if (const Value* cd = def.get("ConstraintDescription"); cd && cd->is_scalar())
      constraint = cd->text();
    if (p.item_type == "Number" && !to_double(s)) {
      err(loc, "E2003", who + " must be a number, got '" + s + "'");
      return false;
    }
    auto prefix = aws_parameter_types().find(p.item_type);
    if (prefix != aws_parameter_types().end() && !prefix->second.empty() && !s.empty() &&
        s.rfind(prefix->second, 0) != 0) {
      err(loc, "E2003",
          who + " of type " + p.type + " must be an id starting with '" + prefix->second +
              "', got '" + s + "'");
      return false;
    }
    if (const Value* av = def.get("AllowedValues"); av && av->is_list() && !skip_allowed_values) {
      bool found = std::any_of(av->items().begin(), av->items().end(),
                               [&](const Value& a) { return a.is_scalar() && a.text() == s; });
      if (!found) {
        std::string allowed;
        for (const auto& a : av->items()) allowed += (allowed.empty() ? "" : ", ") + a.text();
        err(loc, "E2003", who + " value '" + s + "' is not one of the AllowedValues [" + allowed + "]",
            constraint);
        return false;
      }
    }
    // std::regex recurses per character: long values are not pattern-checked.
    if (const Value* ap = def.get("AllowedPattern"); ap && ap->is_scalar() && s.size() <= 1024) {
      try {
        std::regex re(ap->text(), std::regex::ECMAScript);
        if (!std::regex_match(s, re)) {
          err(loc, "E2003",
              who + " value '" + s + "' does not match AllowedPattern " + ap->text(), constraint);
          return false;
        }
      } catch (const std::exception&) {
        diags_.warning(ap->loc(), "E2001",
                       "AllowedPattern is not a regular expression vpclab can evaluate; not checked");
      }
    }
    auto num = [&](const char* name) -> std::optional<double> {
      const Value* v = def.get(name);
      return v && v->is_scalar() ? to_double(v->text()) : std::nullopt;
    };
    if (p.item_type == "String" || p.type == "String") {
      if (auto mn = num("MinLength"); mn && s.size() < *mn) {
        err(loc, "E2003", who + " is shorter than MinLength " + def.get("MinLength")->text(),
            constraint);
        return false;
      }
      if (auto mx = num("MaxLength"); mx && s.size() > *mx) {
        err(loc, "E2003", who + " is longer than MaxLength " + def.get("MaxLength")->text(),
            constraint);
        return false;
      }
    }
    if (p.item_type == "Number") {
      double d = *to_double(s);
      if (auto mn = num("MinValue"); mn && d < *mn) {
        err(loc, "E2003", who + " value " + s + " is less than MinValue " + def.get("MinValue")->text(),
            constraint);
        return false;
      }
      if (auto mx = num("MaxValue"); mx && d > *mx) {
        err(loc, "E2003",
            who + " value " + s + " is greater than MaxValue " + def.get("MaxValue")->text(),
            constraint);
        return false;
      }
    }
    return true;
  }

  void read_mappings() {
    const Value* ms = root_.get("Mappings");
    if (!ms) return;
    if (!ms->is_map()) {
      err(ms->loc(), "E7001", "Mappings must be a map");
      return;
    }
    for (const auto& [k, m] : ms->entries()) {
      if (!m.is_map()) {
        err(m.loc(), "E7001", "mapping '" + k.first + "' must be a map of maps");
        continue;
      }
      for (const auto& [k2, m2] : m.entries()) {
        if (!m2.is_map()) {
          err(m2.loc(), "E7001",
              "mapping '" + k.first + "' key '" + k2.first + "' must be a map of values");
        }
      }
    }
    mappings_ = ms;
  }

  void read_conditions() {
    const Value* cs = root_.get("Conditions");
    if (!cs) return;
    if (!cs->is_map()) {
      err(cs->loc(), "E1001", "Conditions must be a map");
      return;
    }
    for (const auto& [k, v] : cs->entries()) {
      if (k.first.rfind("Fn::ForEach::", 0) == 0) {
        err(k.second, "E0001", "Fn::ForEach (AWS::LanguageExtensions) is not supported",
            "use the processed template (aws cloudformation get-template --template-stage Processed)");
        continue;
      }
      cond_defs_.emplace(k.first, &v);
    }
    for (const auto& [k, v] : cs->entries()) {
      if (!cond_defs_.count(k.first)) continue;
      bool b = false;
      if (condition_value(k.first, k.second, b)) out_.conditions[k.first] = b;
    }
  }

  // Evaluates (memoized) a named condition; false on error (reported).
  bool condition_value(const std::string& name, SourceLoc use, bool& out) {
    if (auto it = cond_values_.find(name); it != cond_values_.end()) {
      if (!it->second) return false;
      out = *it->second;
      return true;
    }
    auto def = cond_defs_.find(name);
    if (def == cond_defs_.end()) {
      err(use, "E8001", "unknown condition '" + name + "'");
      return false;
    }
    if (cond_in_progress_.count(name)) {
      err(use, "E8001", "condition '" + name + "' depends on itself");
      cond_values_[name] = std::nullopt;
      return false;
    }
    cond_in_progress_.insert(name);
    bool saved = in_conditions_;
    in_conditions_ = true;
    std::optional<bool> r;
    bool b = false;
    if (eval_condition_arg(*def->second, b)) r = b;
    in_conditions_ = saved;
    cond_in_progress_.erase(name);
    cond_values_[name] = r;
    if (!r) return false;
    out = *r;
    return true;
  }

  // A condition operand: {"Condition": name} or a function giving a boolean.
  bool eval_condition_arg(const Value& v, bool& out) {
    if (v.intrinsic_name() == "Condition") {
      const Value& n = v.entries().front().second;
      if (!n.is_string()) {
        err(v.loc(), "E8001", "Condition takes a condition name");
        return false;
      }
      return condition_value(n.text(), n.loc().known() ? n.loc() : v.loc(), out);
    }
    if (v.is_bool()) {
      out = v.as_bool();
      return true;
    }
    std::string fn = v.intrinsic_name();
    if (fn.empty() || fn == "Ref" || fn == "Fn::GetAtt") {
      err(v.loc(), "E8001",
          "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not, Fn::If or Condition");
      return false;
    }
    Value r;
    St st = eval(v, r);
    if (st == St::kError) return false;
    if (st == St::kNoValue || !(r.is_bool() || (r.is_string() && (r.text() == "true" || r.text() == "false")))) {
      err(v.loc(), "E8001", "condition operand does not evaluate to true or false");
      return false;
    }
    out = r.text() == "true";
    return true;
  }

  void read_resources() {
    const Value* rs = root_.get("Resources");
    if (!rs || !rs->is_map()) return;
    resources_.reserve(rs->entries().size());
    for (const auto& [k, def] : rs->entries()) {
      Resource r;
      r.id = k.first;
      r.loc = k.second;
      r.def = &def;
      if (k.first.rfind("Fn::ForEach::", 0) == 0) {
        err(k.second, "E0001", "Fn::ForEach (AWS::LanguageExtensions) is not supported",
            "use the processed template (aws cloudformation get-template --template-stage Processed)");
        continue;
      }
      if (!is_logical_id(r.id)) {
        err(k.second, "E3001", "logical id '" + r.id + "' must be alphanumeric");
        r.declared_ok = false;
      }
      if (!def.is_map()) {
        err(def.loc(), "E3001", "resource '" + r.id + "' must be a map with a Type");
        r.declared_ok = false;
      } else {
        for (const auto& [ak, av] : def.entries()) {
          if (!resource_attributes().count(ak.first))
            err(ak.second, "E3001", "unknown resource attribute '" + ak.first + "'",
                "valid: Type, Properties, DependsOn, Condition, DeletionPolicy, "
                "UpdateReplacePolicy, Metadata, CreationPolicy, UpdatePolicy");
        }
        const Value* t = def.get("Type");
        if (t && t->is_map() && !t->entries().empty() && t->entries().front().first.first.rfind("Rain::", 0) == 0) {
          err(t->loc(), "E0001", "Type " + t->entries().front().first.first +
                                     " is a Rain directive, not CloudFormation", "run `rain pkg` first");
          r.declared_ok = false;
        } else if (t && t->is_string() && t->text().size() > 8 &&
                   t->text().compare(t->text().size() - 8, 8, "::MODULE") == 0) {
          err(t->loc(), "E0001", "CloudFormation modules (" + t->text() + ") are not supported",
              "use the processed template (aws cloudformation get-template --template-stage Processed)");
          r.declared_ok = false;
        } else if (!t || !t->is_string() || t->text().find("::") == std::string::npos) {
          err(t ? t->loc() : r.loc, "E3001",
              "resource '" + r.id + "' needs a Type such as AWS::EC2::VPC");
          r.declared_ok = false;
        } else {
          r.type = t->text();
        }
        if (const Value* c = def.get("Condition")) {
          if (!c->is_string()) {
            err(c->loc(), "E8001", "a resource's Condition must be a condition name");
            r.declared_ok = false;
          } else {
            r.condition = c->text();
            bool b = false;
            if (!condition_value(r.condition, c->loc(), b)) {
              r.declared_ok = false;
            } else {
              r.included = b;
            }
          }
        }
        if (const Value* p = def.get("Properties"); p && !p->is_map() && p->intrinsic_name().empty() &&
                                                    !p->is_null()) {
          err(p->loc(), "E3001", "Properties of '" + r.id + "' must be a map");
          r.declared_ok = false;
        }
      }
      res_index_.emplace(r.id, resources_.size());
      resources_.push_back(std::move(r));
    }
  }

  // ---- dependency collection (mirrors eval: taken Fn::If branches only) ----
  void collect_deps(const Value& v, std::vector<size_t>& deps, const std::set<std::string>* sub_vars) {
    if (v.is_list()) {
      for (const auto& i : v.items()) collect_deps(i, deps, nullptr);
      return;
    }
    if (!v.is_map()) return;
    std::string fn = v.intrinsic_name();
    if (fn.empty()) {
      for (const auto& e : v.entries()) collect_deps(e.second, deps, nullptr);
      return;
    }
    const Value& arg = v.entries().front().second;
    if (fn == "Ref") {
      if (arg.is_string()) add_dep(arg.text(), deps);
      else collect_deps(arg, deps, nullptr);
    } else if (fn == "Fn::GetAtt") {
      if (arg.is_string()) {
        add_dep(arg.text().substr(0, arg.text().find('.')), deps);
      } else if (arg.is_list() && !arg.items().empty()) {
        if (arg.items()[0].is_string()) add_dep(arg.items()[0].text(), deps);
        for (size_t i = 1; i < arg.items().size(); ++i) collect_deps(arg.items()[i], deps, nullptr);
      }
    } else if (fn == "Fn::Sub") {
      const Value* text = &arg;
      std::set<std::string> vars;
      if (arg.is_list() && !arg.items().empty()) {
        text = &arg.items()[0];
        if (arg.items().size() > 1 && arg.items()[1].is_map()) {
          for (const auto& e : arg.items()[1].entries()) {
            vars.insert(e.first.first);
            collect_deps(e.second, deps, nullptr);
          }
        }
      }
      if (text->is_string()) {
        for (const auto& ref : sub_references(text->text())) {
          if (vars.count(ref)) continue;
          add_dep(ref.substr(0, ref.find('.')), deps);
        }
      }
      (void)sub_vars;
    } else if (fn == "Fn::If") {
      if (arg.is_list() && arg.items().size() == 3 && arg.items()[0].is_string()) {
        auto c = cond_values_.find(arg.items()[0].text());
        if (c != cond_values_.end() && c->second) {
          collect_deps(arg.items()[*c->second ? 1 : 2], deps, nullptr);
          return;
        }
      }
      collect_deps(arg, deps, nullptr);
    } else {
      collect_deps(arg, deps, nullptr);
    }
  }

  void add_dep(const std::string& id, std::vector<size_t>& deps) {
    auto it = res_index_.find(id);
    if (it != res_index_.end()) deps.push_back(it->second);
  }

  // Variable names inside ${...} of a Sub string (not ${!...}).
  static std::vector<std::string> sub_references(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while ((i = s.find("${", i)) != std::string::npos) {
      size_t e = s.find('}', i + 2);
      if (e == std::string::npos) break;
      std::string name = trim(s.substr(i + 2, e - i - 2));
      if (!name.empty() && name[0] != '!') out.push_back(name);
      i = e + 1;
    }
    return out;
  }

  static std::string trim(std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
  }

  // ---- resources in dependency order ----
  void resolve_resources() {
    size_t n = resources_.size();
    std::vector<std::vector<size_t>> users(n);
    std::vector<size_t> indegree(n, 0);
    for (size_t i = 0; i < n; ++i) {
      Resource& r = resources_[i];
      if (!r.included || !r.declared_ok) continue;
      std::vector<size_t> deps;
      if (const Value* p = r.def->get("Properties")) collect_deps(*p, deps, nullptr);
      if (const Value* d = r.def->get("DependsOn")) {
        std::vector<const Value*> names;
        if (d->is_list()) {
          for (const auto& x : d->items()) names.push_back(&x);
        } else {
          names.push_back(d);
        }
        for (const Value* x : names) {
          if (!x->is_string()) {
            err(x->loc(), "E3005", "DependsOn takes a logical id or a list of them");
            continue;
          }
          auto it = res_index_.find(x->text());
          if (it == res_index_.end()) {
            err(x->loc(), "E3005", "DependsOn names unknown resource '" + x->text() + "'");
            continue;
          }
          if (it->second == i) {
            err(x->loc(), "E3004", "resource '" + r.id + "' depends on itself");
            continue;
          }
          deps.push_back(it->second);
          depends_on_[i].push_back(x->text());
        }
      }
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
      std::vector<size_t> live;
      for (size_t d : deps) {
        const Resource& dr = resources_[d];
        if (!dr.included || !dr.declared_ok) continue;  // reported when evaluated
        if (d == i) continue;  // reported at the Ref/GetAtt when evaluated
        live.push_back(d);
      }
      r.deps = live;
      for (size_t d : live) users[d].push_back(i);
      indegree[i] = live.size();
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
    for (size_t i = 0; i < n; ++i)
      if (resources_[i].included && resources_[i].declared_ok && indegree[i] == 0) ready.push(i);
    std::vector<bool> done(n, false);
    while (!ready.empty()) {
      size_t i = ready.top();
      ready.pop();
      done[i] = true;
      resolve_resource(i);
      for (size_t u : users[i])
        if (--indegree[u] == 0) ready.push(u);
    }
    // Whatever is left sits on or behind a cycle.
    std::vector<bool> reported(n, false);
    for (size_t i = 0; i < n; ++i) {
      const Resource& r = resources_[i];
      if (done[i] || !r.included || !r.declared_ok || reported[i]) continue;
      // Walk undone dependencies until a node repeats: that loop is a cycle.
      std::vector<size_t> path;
      std::map<size_t, size_t> pos;
      size_t cur = i;
      while (!pos.count(cur)) {
        pos[cur] = path.size();
        path.push_back(cur);
        size_t next = cur;
        for (size_t d : resources_[cur].deps)
          if (!done[d]) {
            next = d;
            break;
          }
        if (next == cur) break;
        cur = next;
      }
      if (pos.count(cur) && pos[cur] < path.size() && cur != path.back()) {
        std::string msg = "circular dependency: ";
        for (size_t k = pos[cur]; k < path.size(); ++k) msg += resources_[path[k]].id + " -> ";
        msg += resources_[cur].id;
        bool any_new = false;
        for (size_t k = pos[cur]; k < path.size(); ++k) {
          any_new = any_new || !reported[path[k]];
          reported[path[k]] = true;
        }
        if (any_new) err(resources_[cur].loc, "E3004", msg);
      } else if (!reported[i]) {
        err(r.loc, "E3004", "resource '" + r.id + "' is part of a circular dependency");
      }
      reported[i] = true;
    }
  }

  void resolve_resource(size_t i) {
    Resource& r = resources_[i];
    current_ = &r;
    ResolvedResource rr;
    rr.logical_id = r.id;
    rr.type = r.type;
    rr.loc = r.loc;
    auto dep = depends_on_.find(i);
    if (dep != depends_on_.end()) rr.depends_on = dep->second;
    bool ok = !r.failed;
    if (const Value* p = r.def->get("Properties"); p && !p->is_null()) {
      Value props;
      St st = eval(*p, props);
      if (st == St::kError) {
        ok = false;
      } else if (st == St::kNoValue) {
        rr.properties = Value::map({}, p->loc());
      } else if (!props.is_map()) {
        err(p->loc(), "E3001", "Properties of '" + r.id + "' must be a map");
        ok = false;
      } else {
        rr.properties = std::move(props);
      }
    } else {
      rr.properties = Value::map({}, r.def->loc());
    }
    current_ = nullptr;
    if (!ok) {
      r.failed = true;
      return;
    }
    sink_.add(ctx_, rr, diags_);
    r.added = true;
    out_.resources.push_back(std::move(rr));
  }

  // ---- outputs ----
  void resolve_outputs() {
    const Value* os = root_.get("Outputs");
    if (!os) return;
    if (!os->is_map()) {
      err(os->loc(), "E1001", "Outputs must be a map");
      return;
    }
    std::map<std::string, SourceLoc> exports;
    for (const auto& [k, def] : os->entries()) {
      if (!def.is_map()) {
        err(def.loc(), "E6001", "output '" + k.first + "' must be a map with a Value");
        continue;
      }
      bool ok = true;
      for (const auto& [ak, av] : def.entries()) {
        if (ak.first != "Value" && ak.first != "Description" && ak.first != "Export" &&
            ak.first != "Condition") {
          err(ak.second, "E6001", "unknown output attribute '" + ak.first + "'",
              "valid: Value, Description, Export, Condition");
          ok = false;
        }
      }
      if (const Value* c = def.get("Condition")) {
        bool b = false;
        if (!c->is_string()) {
          err(c->loc(), "E8001", "an output's Condition must be a condition name");
          continue;
        }
        if (!condition_value(c->text(), c->loc(), b) || !b) continue;
      }
      const Value* v = def.get("Value");
      if (!v) {
        err(k.second, "E6001", "output '" + k.first + "' has no Value");
        continue;
      }
      StackOutput o;
      o.name = k.first;
      o.loc = k.second;
      Value r;
      St st = eval(*v, r);
      if (st != St::kOk) {
        if (st == St::kNoValue) err(v->loc(), "E6001", "output '" + k.first + "' has no value");
        continue;
      }
      if (!r.is_scalar()) {
        err(v->loc(), "E6001",
            "output '" + k.first + "' must evaluate to a string, not a " + r.kind_name(),
            r.is_list() ? "wrap it in Fn::Join" : "");
        continue;
      }
      o.value = Value::string(r.text(), r.loc().known() ? r.loc() : v->loc());
      if (const Value* d = def.get("Description"); d && d->is_scalar()) o.description = d->text();
      if (const Value* e = def.get("Export")) {
        const Value* name = e->is_map() ? e->get("Name") : nullptr;
        if (!name || e->entries().size() != 1) {
          err(e->loc(), "E6001", "Export must be a map with only a Name");
          continue;
        }
        Value n;
        if (eval(*name, n) != St::kOk) continue;
        if (!n.is_scalar() || n.text().empty()) {
          err(name->loc(), "E6001", "Export Name must be a non-empty string");
          continue;
        }
        o.export_name = n.text();
        auto [it, fresh] = exports.emplace(o.export_name, name->loc());
        if (!fresh) {
          err(name->loc(), "E6003",
              "export name '" + o.export_name + "' is already used at " + it->second.str());
          continue;
        }
      }
      if (ok) out_.outputs.push_back(std::move(o));
    }
  }

  // ---- evaluation ----
  St eval(const Value& v, Value& out) {
    switch (v.kind()) {
      case Value::Kind::kList: {
        Value::List items;
        items.reserve(v.items().size());
        bool bad = false;
        for (const auto& i : v.items()) {
          Value r;
          St st = eval(i, r);
          if (st == St::kError) bad = true;
          else if (st == St::kOk) items.push_back(std::move(r));
        }
        if (bad) return St::kError;
        out = Value::list(std::move(items), v.loc());
        return St::kOk;
      }
      case Value::Kind::kMap: {
        std::string fn = v.intrinsic_name();
        if (!fn.empty() && fn != "Condition") return eval_intrinsic(fn, v.entries().front().second, v, out);
        Value::Map entries;
        entries.reserve(v.entries().size());
        bool bad = false;
        for (const auto& [k, e] : v.entries()) {
          Value r;
          St st = eval(e, r);
          if (st == St::kError) bad = true;
          else if (st == St::kOk) entries.push_back({k, std::move(r)});
        }
        if (bad) return St::kError;
        out = Value::map(std::move(entries), v.loc());
        return St::kOk;
      }
      default:
        out = v;
        return St::kOk;
    }
  }

  // Evaluates to a scalar; reports `code` with `what` otherwise.
  bool eval_scalar(const Value& v, const char* code, const std::string& what, std::string& out) {
    Value r;
    St st = eval(v, r);
    if (st == St::kError) return false;
    if (st == St::kNoValue || !r.is_scalar()) {
      err(v.loc(), code,
          what + " must be a string, not " + (st == St::kNoValue ? "AWS::NoValue" : r.kind_name()));
      return false;
    }
    out = r.text();
    return true;
  }

  bool eval_list(const Value& v, const char* code, const std::string& what, Value::List& out) {
    Value r;
    St st = eval(v, r);
    if (st == St::kError) return false;
    if (st == St::kNoValue || !r.is_list()) {
      err(v.loc(), code,
          what + " must be a list, not " + (st == St::kNoValue ? "AWS::NoValue" : r.kind_name()));
      return false;
    }
    out = std::move(r.items());
    return true;
  }

  St eval_intrinsic(const std::string& fn, const Value& arg, const Value& whole, Value& out) {
    SourceLoc loc = whole.loc();
    if (fn == "Ref") return eval_ref(arg, loc, out);
    if (fn == "Fn::GetAtt") return eval_getatt(arg, loc, out);
    if (fn == "Fn::Sub") return eval_sub(arg, loc, out);
    if (fn == "Fn::If") {
      if (!arg.is_list() || arg.items().size() != 3 || !arg.items()[0].is_string()) {
        err(loc, "E1028", "Fn::If takes [condition name, value if true, value if false]");
        return St::kError;
      }
      bool b = false;
      const Value& name = arg.items()[0];
      if (!condition_value(name.text(), name.loc().known() ? name.loc() : loc, b)) return St::kError;
      return eval(arg.items()[b ? 1 : 2], out);
    }
    if (fn == "Fn::Join") {
      if (!arg.is_list() || arg.items().size() != 2) {
        err(loc, "E1022", "Fn::Join takes [delimiter, [values]]");
        return St::kError;
      }
      std::string delim;
      if (!eval_scalar(arg.items()[0], "E1022", "Fn::Join delimiter", delim)) return St::kError;
      Value::List items;
      if (!eval_list(arg.items()[1], "E1022", "Fn::Join's second argument", items)) return St::kError;
      std::string s;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_scalar()) {
          err(items[i].loc().known() ? items[i].loc() : loc, "E1022",
              std::string("Fn::Join items must be strings, not ") + items[i].kind_name());
          return St::kError;
        }
        if (i) s += delim;
        s += items[i].text();
      }
      out = Value::string(std::move(s), loc);
      return St::kOk;
    }
    if (fn == "Fn::Select") {
      if (!arg.is_list() || arg.items().size() != 2) {
        err(loc, "E1017", "Fn::Select takes [index, list]");
        return St::kError;
      }
      std::string idx;
      if (!eval_scalar(arg.items()[0], "E1017", "Fn::Select index", idx)) return St::kError;
      auto i = parse_int(idx);
      if (!i || *i < 0) {
        err(arg.items()[0].loc().known() ? arg.items()[0].loc() : loc, "E1017",
            "Fn::Select index must be a non-negative integer, got '" + idx + "'");
        return St::kError;
      }
      Value::List items;
      if (!eval_list(arg.items()[1], "E1017", "Fn::Select's second argument", items)) return St::kError;
      if (static_cast<size_t>(*i) >= items.size()) {
        err(loc, "E1017",
            "Fn::Select index " + idx + " is out of range for a list of " +
                std::to_string(items.size()) + " item(s)");
        return St::kError;
      }
      out = relocate(std::move(items[*i]), loc);
      return St::kOk;
    }
    if (fn == "Fn::Split") {
      if (!arg.is_list() || arg.items().size() != 2) {
        err(loc, "E1018", "Fn::Split takes [delimiter, string]");
        return St::kError;
      }
      std::string delim, src;
      if (!eval_scalar(arg.items()[0], "E1018", "Fn::Split delimiter", delim)) return St::kError;
      if (!eval_scalar(arg.items()[1], "E1018", "Fn::Split source", src)) return St::kError;
      if (delim.empty()) {
        err(loc, "E1018", "Fn::Split delimiter must not be empty");
        return St::kError;
      }
      Value::List items;
      size_t start = 0;
      while (true) {
        size_t p = src.find(delim, start);
        items.push_back(Value::string(src.substr(start, p == std::string::npos ? std::string::npos : p - start), loc));
        if (p == std::string::npos) break;
        start = p + delim.size();
      }
      out = Value::list(std::move(items), loc);
      return St::kOk;
    }
    if (fn == "Fn::Equals") {
      if (!arg.is_list() || arg.items().size() != 2) {
        err(loc, "E8001", "Fn::Equals takes [value, value]");
        return St::kError;
      }
      Value a, b;
      St sa = eval(arg.items()[0], a);
      St sb = eval(arg.items()[1], b);
      if (sa == St::kError || sb == St::kError) return St::kError;
      bool eq = sa == sb && (sa == St::kNoValue || values_equal(a, b));
      out = Value::boolean(eq, loc);
      return St::kOk;
    }
    if (fn == "Fn::Not" || fn == "Fn::And" || fn == "Fn::Or") {
      if (!arg.is_list()) {
        err(loc, "E8001", fn + " takes a list of conditions");
        return St::kError;
      }
      size_t n = arg.items().size();
      if (fn == "Fn::Not" ? n != 1 : (n < 2 || n > 10)) {
        err(loc, "E8001",
            fn == "Fn::Not" ? "Fn::Not takes exactly one condition"
                            : fn + " takes 2 to 10 conditions, got " + std::to_string(n));
        return St::kError;
      }
      bool result = fn == "Fn::And";
      bool bad = false;
      for (const auto& c : arg.items()) {
        bool b = false;
        if (!eval_condition_arg(c, b)) {
          bad = true;
          continue;
        }
        if (fn == "Fn::Not") result = !b;
        else if (fn == "Fn::And") result = result && b;
        else result = result || b;
      }
      if (bad) return St::kError;
      out = Value::boolean(result, loc);
      return St::kOk;
    }
    if (fn == "Fn::FindInMap") return eval_find_in_map(arg, loc, out);
    if (fn == "Fn::Base64") {
      std::string s;
      if (!eval_scalar(arg, "E1021", "Fn::Base64 argument", s)) return St::kError;
      out = Value::string(base64_encode(s), loc);
      return St::kOk;
    }
    if (fn == "Fn::Cidr") {
      if (!arg.is_list() || arg.items().size() != 3) {
        err(loc, "E1024", "Fn::Cidr takes [ipBlock, count, cidrBits]");
        return St::kError;
      }
      std::string block, count, bits;
      if (!eval_scalar(arg.items()[0], "E1024", "Fn::Cidr ipBlock", block) ||
          !eval_scalar(arg.items()[1], "E1024", "Fn::Cidr count", count) ||
          !eval_scalar(arg.items()[2], "E1024", "Fn::Cidr cidrBits", bits))
        return St::kError;
      std::vector<std::string> cidrs;
      std::string why;
      if (!cidr_blocks(block, count, bits, cidrs, why)) {
        err(loc, "E1024", "Fn::Cidr: " + why);
        return St::kError;
      }
      Value::List items;
      for (auto& c : cidrs) items.push_back(Value::string(std::move(c), loc));
      out = Value::list(std::move(items), loc);
      return St::kOk;
    }
    if (fn == "Fn::GetAZs") {
      std::string region;
      if (!arg.is_null() && !eval_scalar(arg, "E1015", "Fn::GetAZs region", region)) return St::kError;
      if (region.empty()) region = ctx_.region;
      Value::List items;
      for (auto& az : availability_zones(region)) items.push_back(Value::string(std::move(az), loc));
      out = Value::list(std::move(items), loc);
      return St::kOk;
    }
    if (fn == "Fn::ImportValue") {
      std::string name;
      if (!eval_scalar(arg, "E1032", "Fn::ImportValue name", name)) return St::kError;
      auto it = imports_.find(export_key(ctx_.account, ctx_.region, name));
      if (it == imports_.end()) {
        err(loc, "E1032",
            "no export named '" + name + "' in account " + ctx_.account + " region " + ctx_.region,
            "list the exporting stack before this one in the lab manifest (exports are per account "
            "and region)");
        return St::kError;
      }
      out = relocate(it->second, loc);
      return St::kOk;
    }
    if ((fn == "Fn::Length" || fn == "Fn::ToJsonString") && !language_extensions_) {
      err(loc, fn == "Fn::Length" ? "E1030" : "E1031",
          fn + " needs `Transform: AWS::LanguageExtensions`");
      return St::kError;
    }
    if (fn == "Fn::GetStackOutput") return eval_get_stack_output(arg, loc, out);
    if (fn == "Fn::Length") {
      Value::List items;
      if (!eval_list(arg, "E1030", "Fn::Length argument", items)) return St::kError;
      out = Value::number(std::to_string(items.size()), loc);
      return St::kOk;
    }
    if (fn == "Fn::ToJsonString") {
      Value r;
      St st = eval(arg, r);
      if (st == St::kError) return St::kError;
      if (st == St::kNoValue || !(r.is_map() || r.is_list())) {
        err(loc, "E1031", "Fn::ToJsonString takes a map or a list");
        return St::kError;
      }
      out = Value::string(to_json(r), loc);
      return St::kOk;
    }
    if (fn == "Fn::Transform") {
      err(loc, "E1040", "Fn::Transform (macros) is not supported",
          "use the processed template (aws cloudformation get-template --template-stage Processed)");
      return St::kError;
    }
    err(loc, "E1040", "unknown intrinsic function '" + fn + "'");
    return St::kError;
  }

  St eval_ref(const Value& arg, SourceLoc loc, Value& out) {
    std::string name;
    if (arg.is_string()) {
      name = arg.text();
    } else if (arg.is_map() && !arg.intrinsic_name().empty()) {
      if (!eval_scalar(arg, "E1020", "Ref target", name)) return St::kError;
    } else {
      err(loc, "E1020", std::string("Ref takes a logical id or parameter name, not a ") + arg.kind_name());
      return St::kError;
    }
    return ref_name(name, loc, out);
  }

  St ref_name(const std::string& name, SourceLoc loc, Value& out) {
    if (name.rfind("AWS::", 0) == 0) {
      if (name == "AWS::NoValue") return St::kNoValue;
      if (name == "AWS::AccountId") out = Value::string(ctx_.account, loc);
      else if (name == "AWS::Region") out = Value::string(ctx_.region, loc);
      else if (name == "AWS::StackName") out = Value::string(ctx_.name, loc);
      else if (name == "AWS::StackId") out = Value::string(out_.stack_id, loc);
      else if (name == "AWS::Partition") out = Value::string("aws", loc);
      else if (name == "AWS::URLSuffix") out = Value::string("amazonaws.com", loc);
      else if (name == "AWS::NotificationARNs") out = Value::list({}, loc);
      else {
        err(loc, "E1012", "unknown pseudo parameter '" + name + "'");
        return St::kError;
      }
      return St::kOk;
    }
    if (auto p = params_.find(name); p != params_.end()) {
      auto v = param_values_.find(name);
      if (v == param_values_.end()) return St::kError;  // the parameter's own error was reported
      out = relocate(v->second, loc);
      return St::kOk;
    }
    auto r = res_index_.find(name);
    if (in_conditions_ && resource_names_.count(name)) {
      err(loc, "E8001", "Conditions cannot use Ref to a resource ('" + name + "')");
      return St::kError;
    }
    if (r == res_index_.end()) {
      err(loc, "E1012", "Ref to '" + name + "', which is not a parameter or resource of this template");
      return St::kError;
    }
    Resource* res = usable_resource(r->second, loc, "Ref");
    if (!res) return St::kError;
    std::optional<Value> v = res->added ? sink_.ref(ctx_, name) : std::nullopt;
    out = relocate(v ? std::move(*v) : Value::string(fabricated_physical_id(ctx_, res->type, name)), loc);
    return St::kOk;
  }

  // The resource a Ref/GetAtt may use, or nullptr after reporting why not.
  Resource* usable_resource(size_t idx, SourceLoc loc, const char* fn) {
    Resource& r = resources_[idx];
    if (in_conditions_) {
      err(loc, "E8001", std::string("Conditions cannot use ") + fn + " to a resource ('" + r.id + "')");
      return nullptr;
    }
    if (!r.declared_ok) return nullptr;  // its own error was reported
    if (!r.included) {
      err(loc, "E1012",
          std::string(fn) + " to '" + r.id + "', which is not created because its Condition '" +
              r.condition + "' is false",
          "guard this use with Fn::If on the same condition");
      return nullptr;
    }
    if (current_ == &r) {
      err(loc, "E3004", "resource '" + r.id + "' refers to itself");
      return nullptr;
    }
    return &r;
  }

  St eval_getatt(const Value& arg, SourceLoc loc, Value& out) {
    std::string id, attr;
    if (arg.is_string()) {
      size_t dot = arg.text().find('.');
      if (dot == std::string::npos) {
        err(loc, "E1010", "Fn::GetAtt takes LogicalId.Attribute or [LogicalId, Attribute]");
        return St::kError;
      }
      id = arg.text().substr(0, dot);
      attr = arg.text().substr(dot + 1);
    } else if (arg.is_list() && arg.items().size() == 2 && arg.items()[0].is_string()) {
      id = arg.items()[0].text();
      if (!eval_scalar(arg.items()[1], "E1010", "Fn::GetAtt attribute name", attr)) return St::kError;
    } else {
      err(loc, "E1010", "Fn::GetAtt takes LogicalId.Attribute or [LogicalId, Attribute]");
      return St::kError;
    }
    return get_att(id, attr, loc, out);
  }

  St get_att(const std::string& id, const std::string& attr, SourceLoc loc, Value& out) {
    if (in_conditions_ && resource_names_.count(id)) {
      err(loc, "E8001", "Conditions cannot use Fn::GetAtt of a resource ('" + id + "')");
      return St::kError;
    }
    auto r = res_index_.find(id);
    if (r == res_index_.end()) {
      err(loc, "E1010", "Fn::GetAtt of '" + id + "', which is not a resource of this template");
      return St::kError;
    }
    Resource* res = usable_resource(r->second, loc, "Fn::GetAtt");
    if (!res) return St::kError;
    if (attr.empty()) {
      err(loc, "E1010", "Fn::GetAtt needs an attribute name");
      return St::kError;
    }
    if (!res->added) {
      // Failed earlier (reported there): stay quiet but give something.
      if (res->failed) {
        out = Value::string(fabricated_physical_id(ctx_, res->type, id) + "." + attr, loc);
        return St::kOk;
      }
    }
    std::optional<Value> v = sink_.get_att(ctx_, id, attr);
    if (!v) {
      err(loc, "E1010", "resource '" + id + "' (" + res->type + ") has no attribute '" + attr + "'");
      return St::kError;
    }
    out = relocate(std::move(*v), loc);
    return St::kOk;
  }

  St eval_sub(const Value& arg, SourceLoc loc, Value& out) {
    const Value* text = &arg;
    std::map<std::string, Value> vars;
    if (arg.is_list()) {
      if (arg.items().size() != 2 || !arg.items()[1].is_map()) {
        err(loc, "E1019", "Fn::Sub takes a string or [string, {Var: value}]");
        return St::kError;
      }
      text = &arg.items()[0];
      bool bad = false;
      for (const auto& [k, v] : arg.items()[1].entries()) {
        Value r;
        St st = eval(v, r);
        if (st == St::kError) {
          bad = true;
        } else if (st == St::kNoValue || !r.is_scalar()) {
          err(v.loc(), "E1019", "Fn::Sub variable '" + k.first + "' must be a string");
          bad = true;
        } else {
          vars.emplace(k.first, std::move(r));
        }
      }
      if (bad) return St::kError;
    }
    Value computed;
    if (text->is_map() && !text->intrinsic_name().empty()) {
      // Only with macros/LanguageExtensions in practice; evaluate, then substitute.
      St st = eval(*text, computed);
      if (st == St::kError) return St::kError;
      text = &computed;
    }
    if (!text->is_string()) {
      err(loc, "E1019", std::string("Fn::Sub takes a string, not a ") + text->kind_name());
      return St::kError;
    }
    const std::string& s = text->text();
    std::string res;
    res.reserve(s.size());
    size_t i = 0;
    bool bad = false;
    while (i < s.size()) {
      size_t p = s.find("${", i);
      if (p == std::string::npos) {
        res.append(s, i, std::string::npos);
        break;
      }
      res.append(s, i, p - i);
      size_t e = s.find('}', p + 2);
      if (e == std::string::npos) {
        err(loc, "E1019", "Fn::Sub: '${' without a closing '}'", "write ${!Literal} for a literal ${");
        return St::kError;
      }
      std::string name = trim(s.substr(p + 2, e - p - 2));
      i = e + 1;
      if (!name.empty() && name[0] == '!') {
        res += "${" + s.substr(p + 3, e - p - 3) + "}";
        continue;
      }
      if (name.empty()) {
        err(loc, "E1019", "Fn::Sub: empty variable ${}");
        bad = true;
        continue;
      }
      if (auto v = vars.find(name); v != vars.end()) {
        res += v->second.text();
        continue;
      }
      Value r;
      St st;
      size_t dot = name.find('.');
      if (dot != std::string::npos) {
        std::string id = name.substr(0, dot);
        if (!res_index_.count(id)) {
          err(loc, "E1019", "Fn::Sub: ${" + name + "} names no resource of this template");
          bad = true;
          continue;
        }
        st = get_att(id, name.substr(dot + 1), loc, r);
      } else {
        if (!params_.count(name) && !res_index_.count(name) && name.rfind("AWS::", 0) != 0) {
          err(loc, "E1019", "Fn::Sub: ${" + name + "} is not a parameter, resource or variable");
          bad = true;
          continue;
        }
        st = ref_name(name, loc, r);
      }
      if (st == St::kError) {
        bad = true;
        continue;
      }
      if (st == St::kNoValue || !r.is_scalar()) {
        err(loc, "E1019", "Fn::Sub: ${" + name + "} is not a string");
        bad = true;
        continue;
      }
      res += r.text();
    }
    if (bad) return St::kError;
    out = Value::string(std::move(res), loc);
    return St::kOk;
  }

  // Fn::GetStackOutput {StackName, OutputName, Region?, RoleArn?}: an output
  // of a stack resolved earlier; RoleArn's account selects the account.
  St eval_get_stack_output(const Value& arg, SourceLoc loc, Value& out) {
    if (!arg.is_map() || !arg.get("StackName") || !arg.get("OutputName")) {
      err(loc, "E1033", "Fn::GetStackOutput takes {StackName, OutputName, Region, RoleArn}");
      return St::kError;
    }
    std::string fields[4];
    static const char* names[4] = {"StackName", "OutputName", "Region", "RoleArn"};
    for (const auto& [k, v] : arg.entries()) {
      int i = 0;
      while (i < 4 && k.first != names[i]) ++i;
      if (i == 4) {
        err(k.second, "E1033", "Fn::GetStackOutput: unknown key '" + k.first + "'");
        return St::kError;
      }
      if (!eval_scalar(v, "E1033", std::string("Fn::GetStackOutput ") + names[i], fields[i])) return St::kError;
    }
    std::string region = fields[2].empty() ? ctx_.region : fields[2];
    std::string account = ctx_.account;
    if (!fields[3].empty()) {
      // arn:aws:iam::ACCOUNT:role/NAME
      size_t a = fields[3].find("::");
      size_t b = a == std::string::npos ? a : fields[3].find(':', a + 2);
      if (fields[3].rfind("arn:", 0) != 0 || b == std::string::npos) {
        err(loc, "E1033", "Fn::GetStackOutput RoleArn '" + fields[3] + "' is not an IAM role ARN");
        return St::kError;
      }
      account = fields[3].substr(a + 2, b - a - 2);
    }
    auto it = imports_.find(stack_output_key(account, region, fields[0], fields[1]));
    if (it == imports_.end()) {
      err(loc, "E1033",
          "no output '" + fields[1] + "' of stack '" + fields[0] + "' in account " + account +
              " region " + region,
          "list that stack before this one in the lab manifest");
      return St::kError;
    }
    out = relocate(it->second, loc);
    return St::kOk;
  }

  St eval_find_in_map(const Value& arg, SourceLoc loc, Value& out) {
    if (!arg.is_list() || (arg.items().size() != 3 && arg.items().size() != 4)) {
      err(loc, "E1011", "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]");
      return St::kError;
    }
    std::string keys[3];
    static const char* what[3] = {"map name", "top-level key", "second-level key"};
    for (int i = 0; i < 3; ++i) {
      if (!eval_scalar(arg.items()[i], "E1011", std::string("Fn::FindInMap ") + what[i], keys[i]))
        return St::kError;
    }
    const Value* dflt = nullptr;
    if (arg.items().size() == 4) {
      const Value& d = arg.items()[3];
      dflt = d.is_map() ? d.get("DefaultValue") : nullptr;
      if (!dflt || d.entries().size() != 1) {
        err(d.loc(), "E1011", "Fn::FindInMap's fourth argument must be {DefaultValue: value}");
        return St::kError;
      }
    }
    const Value* m = mappings_ ? mappings_->get(keys[0]) : nullptr;
    const Value* top = m && m->is_map() ? m->get(keys[1]) : nullptr;
    const Value* val = top && top->is_map() ? top->get(keys[2]) : nullptr;
    if (!val) {
      if (dflt) return eval(*dflt, out);
      std::string msg = !m     ? "no mapping named '" + keys[0] + "'"
                        : !top ? "mapping '" + keys[0] + "' has no key '" + keys[1] + "'"
                               : "mapping '" + keys[0] + "' key '" + keys[1] + "' has no key '" +
                                     keys[2] + "'";
      err(loc, "E1011", "Fn::FindInMap: " + msg);
      return St::kError;
    }
    St st = eval(*val, out);
    if (st == St::kOk) out = relocate(std::move(out), loc);
    return st;
  }

  static std::string to_json(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::kNull: return "null";
      case Value::Kind::kBool:
      case Value::Kind::kNumber: return v.text();
      case Value::Kind::kString: return json_quote(v.text());
      case Value::Kind::kList: {
        std::string s = "[";
        for (size_t i = 0; i < v.items().size(); ++i) s += (i ? "," : "") + to_json(v.items()[i]);
        return s + "]";
      }
      case Value::Kind::kMap: {
        std::string s = "{";
        bool first = true;
        for (const auto& [k, e] : v.entries()) {
          s += (first ? "" : ",") + json_quote(k.first) + ":" + to_json(e);
          first = false;
        }
        return s + "}";
      }
    }
    return "null";
  }

  static std::string json_quote(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\n': o += "\\n"; break;
        case '\t': o += "\\t"; break;
        case '\r': o += "\\r"; break;
        default:
          if (c < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
          } else {
            o += static_cast<char>(c);
          }
      }
    }
    return o + "\"";
  }

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

}  // namespace

const StackOutput* ResolvedStack::output(const std::string& name) const {
  for (const auto& o : outputs)
    if (o.name == name) return &o;
  return nullptr;
}

bool resolve_stack(const StackContext& ctx, const Value& root,
                   const std::map<std::string, Value>& parameters, const ExportTable& imports,
                   ResourceSink& sink, ResolvedStack& out, Diagnostics& diags) {
  Resolver r(ctx, root, parameters, imports, sink, out, diags);
  return r.run();
}

}  // namespace vpclab::tmpl
