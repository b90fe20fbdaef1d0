// Parameters of a template: declared types, given values or defaults, and
// their constraints (AllowedValues, AllowedPattern, lengths and bounds).
#include <algorithm>
#include <regex>

#include "template/resolver.h"

namespace vpclab::tmpl::detail {
namespace {

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

bool is_number_text(const std::string& s) {
  static const std::regex re(R"([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?)");
  return !s.empty() && s.size() < 64 && std::regex_match(s, re);
}

std::string undeclared_parameter(const std::string& name) {
  return "value given for parameter '" + name + "', which the template does not declare";
}

}  // namespace

std::optional<double> to_double(const std::string& s) {
  if (!is_number_text(s)) return std::nullopt;
  try {
    return std::stod(s);
  } catch (...) {
    return std::nullopt;
  }
}

void Resolver::read_parameters() {
  const Value* ps = root_.get("Parameters");
  if (!ps) {
    for (const auto& [name, v] : given_)
      err(v.loc().known() ? v.loc() : root_.loc(), "E2004",
          undeclared_parameter(name));
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
          undeclared_parameter(name));
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

bool Resolver::classify_type(ParamDef& p) {
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

void Resolver::check_numeric_attr(const Value& def, const char* name) {
  const Value* v = def.get(name);
  if (v && (!v->is_scalar() || !to_double(v->text())))
    err(v->loc(), "E2001", std::string(name) + " must be a number");
}

bool Resolver::convert_parameter(const ParamDef& p, const Value& src, Value& out) {
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

bool Resolver::validate_parameter(const ParamDef& p, const Value& v) {
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

bool Resolver::validate_item(const ParamDef& p, const Value& item, SourceLoc loc, bool skip_allowed_values) {
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
}  // namespace vpclab::tmpl::detail
