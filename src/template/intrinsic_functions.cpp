// Evaluation of values: one handler per intrinsic function (Ref, Fn::GetAtt,
// Fn::Sub, Fn::If, Fn::Join, ...), registered in one table (eval_intrinsic).
#include <cstdio>

#include "template/intrinsics.h"
#include "template/resolver.h"

namespace vpclab::tmpl::detail {

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

// ---- evaluation ----
St Resolver::eval(const Value& v, Value& out) {
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
// Evaluates `v` into `r`; reports `code` "<what> must be <want>, not <kind>"
// unless the result satisfies `ok`.
bool Resolver::eval_shaped(const Value& v, const char* code, const std::string& what, const char* want,
                           bool (Value::*ok)() const, Value& r) {
  St st = eval(v, r);
  if (st == St::kError) return false;
  if (st == St::kNoValue || !(r.*ok)()) {
    err(v.loc(), code,
        what + " must be " + want + ", not " + (st == St::kNoValue ? "AWS::NoValue" : r.kind_name()));
    return false;
  }
  return true;
}

bool Resolver::eval_scalar(const Value& v, const char* code, const std::string& what, std::string& out) {
  Value r;
  if (!eval_shaped(v, code, what, "a string", &Value::is_scalar, r)) return false;
  out = r.text();
  return true;
}

bool Resolver::eval_list(const Value& v, const char* code, const std::string& what, Value::List& out) {
  Value r;
  if (!eval_shaped(v, code, what, "a list", &Value::is_list, r)) return false;
  out = std::move(r.items());
  return true;
}

St Resolver::eval_intrinsic(const std::string& fn, const Value& arg, const Value& whole, Value& out) {
  using Handler = St (Resolver::*)(const Value& arg, SourceLoc loc, Value& out);
  // One handler per intrinsic function, in one table.
  static const std::unordered_map<std::string_view, Handler> kHandlers = {
      {"Ref", &Resolver::eval_ref},
      {"Fn::GetAtt", &Resolver::eval_getatt},
      {"Fn::Sub", &Resolver::eval_sub},
      {"Fn::If", &Resolver::fn_if},
      {"Fn::Join", &Resolver::fn_join},
      {"Fn::Select", &Resolver::fn_select},
      {"Fn::Split", &Resolver::fn_split},
      {"Fn::Equals", &Resolver::fn_equals},
      {"Fn::Not", &Resolver::fn_not},
      {"Fn::And", &Resolver::fn_and},
      {"Fn::Or", &Resolver::fn_or},
      {"Fn::FindInMap", &Resolver::eval_find_in_map},
      {"Fn::Base64", &Resolver::fn_base64},
      {"Fn::Cidr", &Resolver::fn_cidr},
      {"Fn::GetAZs", &Resolver::fn_get_azs},
      {"Fn::ImportValue", &Resolver::fn_import_value},
      {"Fn::GetStackOutput", &Resolver::eval_get_stack_output},
      {"Fn::Length", &Resolver::fn_length},
      {"Fn::ToJsonString", &Resolver::fn_to_json_string},
      {"Fn::Transform", &Resolver::fn_transform},
  };
  auto it = kHandlers.find(fn);
  if (it == kHandlers.end()) {
    err(whole.loc(), "E1040", "unknown intrinsic function '" + fn + "'");
    return St::kError;
  }
  return (this->*it->second)(arg, whole.loc(), out);
}

St Resolver::fn_if(const Value& arg, SourceLoc loc, Value& out) {
  if (!arg.is_list() || arg.items().size() != 3 || !arg.items()[0].is_string()) {
    err(loc, "E1028", "Fn::If takes [condition name, value if true, value if false]");
    return St::kError;
  }
  bool b = false;
  const Value& name = arg.items()[0];
  if (!condition_value(name.text(), name.loc().known() ? name.loc() : loc, b)) return St::kError;
  return eval(arg.items()[b ? 1 : 2], out);
}

St Resolver::fn_join(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::fn_select(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::fn_split(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::fn_equals(const Value& arg, SourceLoc loc, Value& out) {
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

// Fn::Not, Fn::And, Fn::Or: `fn` is the name.
St Resolver::fn_logical(const std::string& fn, const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::fn_not(const Value& arg, SourceLoc loc, Value& out) { return fn_logical("Fn::Not", arg, loc, out); }
St Resolver::fn_and(const Value& arg, SourceLoc loc, Value& out) { return fn_logical("Fn::And", arg, loc, out); }
St Resolver::fn_or(const Value& arg, SourceLoc loc, Value& out) { return fn_logical("Fn::Or", arg, loc, out); }

St Resolver::fn_base64(const Value& arg, SourceLoc loc, Value& out) {
  std::string s;
  if (!eval_scalar(arg, "E1021", "Fn::Base64 argument", s)) return St::kError;
  out = Value::string(base64_encode(s), loc);
  return St::kOk;
}

St Resolver::fn_cidr(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::fn_get_azs(const Value& arg, SourceLoc loc, Value& out) {
  std::string region;
  if (!arg.is_null() && !eval_scalar(arg, "E1015", "Fn::GetAZs region", region)) return St::kError;
  if (region.empty()) region = ctx_.region;
  Value::List items;
  for (auto& az : availability_zones(region)) items.push_back(Value::string(std::move(az), loc));
  out = Value::list(std::move(items), loc);
  return St::kOk;
}

St Resolver::fn_import_value(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::fn_length(const Value& arg, SourceLoc loc, Value& out) {
  if (!language_extensions_) return needs_language_extensions("Fn::Length", "E1030", loc);
  Value::List items;
  if (!eval_list(arg, "E1030", "Fn::Length argument", items)) return St::kError;
  out = Value::number(std::to_string(items.size()), loc);
  return St::kOk;
}

St Resolver::fn_to_json_string(const Value& arg, SourceLoc loc, Value& out) {
  if (!language_extensions_) return needs_language_extensions("Fn::ToJsonString", "E1031", loc);
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

St Resolver::fn_transform(const Value&, SourceLoc loc, Value&) {
  err(loc, "E1040", "Fn::Transform (macros) is not supported",
      kUseProcessedTemplate);
  return St::kError;
}

St Resolver::needs_language_extensions(const std::string& fn, const char* code, SourceLoc loc) {
  err(loc, code,
      fn + " needs `Transform: AWS::LanguageExtensions`");
  return St::kError;
}

St Resolver::eval_ref(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::ref_name(const std::string& name, SourceLoc loc, Value& out) {
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
Resource* Resolver::usable_resource(size_t idx, SourceLoc loc, const char* fn) {
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

St Resolver::eval_getatt(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::get_att(const std::string& id, const std::string& attr, SourceLoc loc, Value& out) {
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

St Resolver::eval_sub(const Value& arg, SourceLoc loc, Value& out) {
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
St Resolver::eval_get_stack_output(const Value& arg, SourceLoc loc, Value& out) {
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

St Resolver::eval_find_in_map(const Value& arg, SourceLoc loc, Value& out) {
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

std::string Resolver::to_json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool:
    case Value::Kind::kNumber: return v.text();
    case Value::Kind::kString: return json_quote(v.text());
    case Value::Kind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) s += ',';
        s += to_json(v.items()[i]);
      }
      return s + "]";
    }
    case Value::Kind::kMap: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, e] : v.entries()) {
        if (!first) s += ',';
        s += json_quote(k.first);
        s += ':';
        s += to_json(e);
        first = false;
      }
      return s + "}";
    }
  }
  return "null";
}

std::string Resolver::json_quote(const std::string& s) {
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
}  // namespace vpclab::tmpl::detail
