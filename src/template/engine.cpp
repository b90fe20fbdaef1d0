// resolve_stack: the sections of a template, resources in dependency order,
// conditions and outputs, the way CloudFormation evaluates a template at stack
// creation. Parameters are read in parameters.cpp, intrinsic functions
// evaluated in intrinsic_functions.cpp.
#include "template/engine.h"

#include <algorithm>
#include <queue>

#include "template/resolver.h"

namespace vpclab::tmpl {
namespace detail {
namespace {

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

}  // namespace

bool is_logical_id(const std::string& s) {
  if (s.empty() || s.size() > 255) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

bool Resolver::run() {
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

// ---- diagnostics ----
void Resolver::err(SourceLoc loc, const char* code, std::string msg, std::string fix) {
  diags_.error(loc, code, std::move(msg), std::move(fix));
  errors_ = true;
}

// ---- sections ----
void Resolver::reject_for_each(SourceLoc loc) {
  err(loc, "E0001", "Fn::ForEach (AWS::LanguageExtensions) is not supported", kUseProcessedTemplate);
}

bool Resolver::check_top_level() {
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

void Resolver::read_mappings() {
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

void Resolver::read_conditions() {
  const Value* cs = root_.get("Conditions");
  if (!cs) return;
  if (!cs->is_map()) {
    err(cs->loc(), "E1001", "Conditions must be a map");
    return;
  }
  for (const auto& [k, v] : cs->entries()) {
    if (k.first.rfind("Fn::ForEach::", 0) == 0) {
      reject_for_each(k.second);
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
bool Resolver::condition_value(const std::string& name, SourceLoc use, bool& out) {
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
bool Resolver::eval_condition_arg(const Value& v, bool& out) {
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

void Resolver::read_resources() {
  const Value* rs = root_.get("Resources");
  if (!rs || !rs->is_map()) return;
  resources_.reserve(rs->entries().size());
  for (const auto& [k, def] : rs->entries()) {
    Resource r;
    r.id = k.first;
    r.loc = k.second;
    r.def = &def;
    if (k.first.rfind("Fn::ForEach::", 0) == 0) {
      reject_for_each(k.second);
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
            kUseProcessedTemplate);
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
void Resolver::collect_deps(const Value& v, std::vector<size_t>& deps, const std::set<std::string>* sub_vars) {
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

void Resolver::add_dep(const std::string& id, std::vector<size_t>& deps) {
  auto it = res_index_.find(id);
  if (it != res_index_.end()) deps.push_back(it->second);
}

// Variable names inside ${...} of a Sub string (not ${!...}).
std::vector<std::string> Resolver::sub_references(const std::string& s) {
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

std::string Resolver::trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// ---- resources in dependency order ----
void Resolver::resolve_resources() {
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

void Resolver::resolve_resource(size_t i) {
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
void Resolver::resolve_outputs() {
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

}  // namespace detail

const StackOutput* ResolvedStack::output(const std::string& name) const {
  for (const auto& o : outputs)
    if (o.name == name) return &o;
  return nullptr;
}

bool resolve_stack(const StackContext& ctx, const Value& root,
                   const std::map<std::string, Value>& parameters, const ExportTable& imports,
                   ResourceSink& sink, ResolvedStack& out, Diagnostics& diags) {
  detail::Resolver r(ctx, root, parameters, imports, sink, out, diags);
  return r.run();
}

}  // namespace vpclab::tmpl
