// The shape of `terraform show -json` output and the references of its
// configuration: which resources a file holds, what a plan leaves unknown
// until apply (resource_changes[].change.after_unknown), and how the
// configuration's expressions name other resources (before Terraform 1.0.3
// a reference names the object, "aws_vpc.main"; from 1.0.3 the attribute
// path and then the object, "aws_vpc.main.id", "aws_vpc.main").
#include <fmt/format.h>

#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {

constexpr int kMaxDepth = 16;  // var -> module output -> ... chains

// "module.a[\"x\"].module.b[0]" -> {"a", "b"}: configuration has no instance keys.
std::vector<std::string> module_names(std::string_view addr) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < addr.size()) {
    if (addr.substr(i, 7) != "module.") break;
    i += 7;
    size_t j = i;
    while (j < addr.size() && addr[j] != '.' && addr[j] != '[') ++j;
    out.emplace_back(addr.substr(i, j - i));
    if (j < addr.size() && addr[j] == '[') {
      bool quoted = false;
      while (j < addr.size() && (quoted || addr[j] != ']')) {
        if (addr[j] == '"') quoted = !quoted;
        ++j;
      }
      ++j;
    }
    if (j < addr.size() && addr[j] == '.') ++j;
    i = j;
  }
  return out;
}

// A reference split at dots outside brackets: aws_subnet.a["x.y"].id -> aws_subnet, a["x.y"], id.
std::vector<std::string> split_ref(std::string_view ref) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (char c : ref) {
    if (c == '"' && depth > 0) quoted = !quoted;
    if (!quoted) {
      if (c == '[') ++depth;
      if (c == ']') --depth;
    }
    if (c == '.' && depth == 0 && !quoted) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

// "private[0]" -> name "private", key "0"; "a[\"k\"]" -> "a", "\"k\"".
void split_key(const std::string& token, std::string& name, std::string& key) {
  size_t b = token.find('[');
  if (b == std::string::npos || token.back() != ']') {
    name = token;
    key.clear();
    return;
  }
  name = token.substr(0, b);
  key = token.substr(b + 1, token.size() - b - 2);
}

// An instance key as addresses write it: 3 or "name".
std::string key_text(const Value& index) {
  if (index.is_string()) return "\"" + index.text() + "\"";
  return index.text();
}

void scalar_strings(const Value& v, std::vector<std::string>& out) {
  if (v.is_string() || v.is_number() || v.is_bool()) {
    if (!v.text().empty()) out.push_back(v.text());
  } else if (v.is_list()) {
    for (const auto& i : v.items()) scalar_strings(i, out);
  }
}

bool type_ok(const Want& want, const std::string& type) {
  if (want.types.empty()) return true;
  for (auto t : want.types)
    if (t == type) return true;
  return false;
}

}  // namespace

// ---- collecting the file ----------------------------------------------------

void Reader::collect() {
  const Value* fv = root_.get("format_version");
  std::string version = fv ? fv->text() : "";
  if (!version.empty() && version[0] != '0' && version[0] != '1')
    diags_.warning(fv->loc(), "TF_FORMAT",
                   fmt::format("format_version {} is newer than vpclab knows (0.x, 1.x); reading it as 1.x", version));
  const Value* pv = root_.get("planned_values");
  is_state_ = !pv;
  const Value* values = pv ? pv : root_.get("values");
  std::string top = pv ? "$.planned_values" : "$.values";
  if (values && values->is_map())
    if (const Value* rm = values->get("root_module")) collect_module(*rm, top + ".root_module", false);
  // Data sources a plan read before: their values answer references.
  if (const Value* ps = root_.get("prior_state"); ps && pv)
    if (const Value* vs = ps->get("values"))
      if (const Value* rm = vs->get("root_module")) collect_module(*rm, "$.prior_state.values.root_module", true);
  if (const Value* rc = root_.get("resource_changes"); rc && rc->is_list())
    for (const auto& c : rc->items()) {
      const Value* a = c.get("address");
      const Value* ch = c.get("change");
      if (!a || !ch) continue;
      if (const Value* u = ch->get("after_unknown"); u && u->is_map()) unknown_by_address_[a->text()] = u;
    }
  for (auto& r : resources_)
    if (auto it = unknown_by_address_.find(r->address); it != unknown_by_address_.end()) r->unknown = it->second;
  if (const Value* cfg = root_.get("configuration"))
    if (const Value* rm = cfg->get("root_module"); rm && rm->is_map()) {
      have_config_ = true;
      collect_config(*rm, config_root_);
    }
  variables_ = root_.get("variables");
  for (auto& r : resources_) {
    r->cmod = config_module(r->module);
    if (r->cmod) {
      auto it = r->cmod->resources.find((r->data ? "data." : "") + r->type + "." + r->name);
      if (it != r->cmod->resources.end()) r->config = it->second;
    }
  }
}

void Reader::collect_module(const Value& m, const std::string& path, bool prior) {
  std::string module = m.get("address") ? m.get("address")->text() : "";
  if (!module.empty()) modules_.insert(module);
  if (const Value* rs = m.get("resources"); rs && rs->is_list()) {
    for (size_t i = 0; i < rs->items().size(); ++i) {
      const Value& v = rs->items()[i];
      if (!v.is_map()) continue;
      auto r = std::make_unique<Resource>();
      r->address = v.get("address") ? v.get("address")->text() : "";
      r->type = v.get("type") ? v.get("type")->text() : "";
      r->name = v.get("name") ? v.get("name")->text() : "";
      const Value* mode = v.get("mode");
      r->data = mode && mode->text() == "data";
      if (prior && !r->data) continue;  // managed resources: planned_values has them as planned
      if (prior && by_address_.count(r->address)) continue;
      if (const Value* ix = v.get("index"); ix && !ix->is_null()) r->key = key_text(*ix);
      r->module = module;
      r->values = v.get("values");
      if (r->values && !r->values->is_map()) r->values = nullptr;
      r->path = fmt::format("{}.resources[{}]", path, i);
      r->loc = v.loc();
      if (r->address.empty() || r->type.empty()) continue;
      by_address_[r->address] = r.get();
      by_base_[r->base()].push_back(r.get());
      resources_.push_back(std::move(r));
    }
  }
  if (const Value* cs = m.get("child_modules"); cs && cs->is_list())
    for (size_t i = 0; i < cs->items().size(); ++i)
      if (cs->items()[i].is_map()) collect_module(cs->items()[i], fmt::format("{}.child_modules[{}]", path, i), prior);
}

void Reader::collect_config(const Value& m, ConfigModule& cm) {
  cm.node = &m;
  if (const Value* rs = m.get("resources"); rs && rs->is_list())
    for (const auto& r : rs->items())
      if (const Value* a = r.get("address")) cm.resources[a->text()] = &r;
  if (const Value* calls = m.get("module_calls"); calls && calls->is_map())
    for (const auto& [k, call] : calls->entries()) {
      const Value* mod = call.get("module");
      if (!mod || !mod->is_map()) continue;
      auto child = std::make_unique<ConfigModule>();
      child->parent = &cm;
      child->call_name = k.first;
      collect_config(*mod, *child);
      cm.calls[k.first] = std::move(child);
    }
}

const ConfigModule* Reader::config_module(const std::string& module_address) const {
  if (!have_config_) return nullptr;
  const ConfigModule* cm = &config_root_;
  for (const auto& n : module_names(module_address)) {
    auto it = cm->calls.find(n);
    if (it == cm->calls.end()) return nullptr;
    cm = it->second.get();
  }
  return cm;
}

// ---- nodes and fields ---------------------------------------------------------

Node Reader::top(Resource& r) const {
  Node n;
  n.r = &r;
  n.v = r.values;
  n.unknown = r.unknown;
  n.config = r.config ? r.config->get("expressions") : nullptr;
  n.path = r.path + ".values";
  n.loc = r.values ? r.values->loc() : r.loc;
  return n;
}

std::vector<Node> Reader::blocks(const Node& n, const std::string& block) const {
  std::vector<Node> out;
  const Value* list = n.v ? n.v->get(block) : nullptr;
  const Value* ulist = n.unknown && n.unknown->is_map() ? n.unknown->get(block) : nullptr;
  const Value* clist = n.config ? n.config->get(block) : nullptr;
  auto item = [](const Value* l, size_t i) -> const Value* {
    return l && l->is_list() && i < l->items().size() ? &l->items()[i] : nullptr;
  };
  const Value* whole = clist && clist->is_map() ? clist : nullptr;
  if (list && list->is_list()) {
    for (size_t i = 0; i < list->items().size(); ++i) {
      Node c;
      c.r = n.r;
      c.v = &list->items()[i];
      c.unknown = item(ulist, i);
      // Sets lose their order; a block list of the same length is taken as parallel.
      if (clist && clist->is_list() && clist->items().size() == list->items().size()) c.config = item(clist, i);
      c.list_expr = whole;
      c.path = fmt::format("{}.{}[{}]", n.path, block, i);
      c.loc = c.v->loc();
      out.push_back(std::move(c));
    }
  } else if (clist && clist->is_list() && !(list && list->is_list())) {
    // Wholly unknown resource: the configuration's blocks alone.
    for (size_t i = 0; i < clist->items().size(); ++i) {
      Node c;
      c.r = n.r;
      c.config = &clist->items()[i];
      c.unknown = item(ulist, i);
      c.path = fmt::format("{}.{}[{}]", n.path, block, i);
      c.loc = n.loc;
      out.push_back(std::move(c));
    }
  }
  return out;
}

bool Reader::is_unknown(const Node& n, const std::string& key) const {
  if (n.unknown && n.unknown->is_bool()) return n.unknown->as_bool();
  if (!n.unknown || !n.unknown->is_map()) return false;
  const Value* u = n.unknown->get(key);
  if (!u) return false;
  if (u->is_bool()) return u->as_bool();
  if (u->is_list())
    for (const auto& i : u->items())
      if (i.is_bool() && i.as_bool()) return true;
  return false;
}

const Value* Reader::expr(const Node& n, const std::string& key) const {
  const Value* e = n.config && n.config->is_map() ? n.config->get(key) : nullptr;
  return e && e->is_map() ? e : nullptr;
}

// Known values are read as they are; an unknown one (after_unknown, or a
// resource the plan shows without values) comes from the configuration's
// expression for it; a key the configuration does not set is unset.
std::vector<std::string> Reader::strs(const Node& n, const std::string& key, const Want& want) {
  std::vector<std::string> out;
  const Value* v = n.v ? n.v->get(key) : nullptr;
  bool unknown = is_unknown(n, key);
  if (v && !v->is_null() && !unknown) {
    scalar_strings(*v, out);
    return out;
  }
  bool wholly_unknown = !n.v && !is_state_;
  const Value* e = expr(n, key);
  if (!e && n.list_expr && !want.types.empty()) e = n.list_expr;
  last_why_.clear();
  if (!e) {
    // Not in the configuration: the provider or AWS computes it, which only
    // matters (a note) when the file has no configuration to tell.
    if (unknown && !want.quiet && !n.r->config) unknown_note(n, key, "");
    return out;
  }
  std::string why;
  out = resolve(e, n.r->module, n.r->cmod, n.r, want, &why);
  if (!out.empty()) {
    if (unknown || wholly_unknown || !v) ++counts_.unknowns_filled;
  } else if (unknown || wholly_unknown || e->get("references")) {
    last_why_ = why;
    if (!want.quiet) unknown_note(n, key, why);
  }
  return out;
}

std::string Reader::id_or_only(const Node& n, const std::string& key, std::vector<std::string_view> types,
                               const char* what) {
  Want w;
  w.types = types;
  w.quiet = true;
  if (auto id = str(n, key, w)) return *id;
  std::string why = last_why_;
  const Value* v = n.v ? n.v->get(key) : nullptr;
  bool set = expr(n, key) || is_unknown(n, key) || (!n.v && !is_state_);
  if (v && v->is_string() && !v->text().empty()) return v->text();
  if (!set) return {};
  auto only = [&](bool same_module) -> Resource* {
    Resource* hit = nullptr;
    for (auto& r : resources_) {
      if (r->data || !type_ok(w, r->type) || (same_module && r->module != n.r->module)) continue;
      if (hit) return nullptr;
      hit = r.get();
    }
    return hit;
  };
  Resource* r = only(true);
  if (!r) r = only(false);
  if (!r) {
    unknown_note(n, key, why);
    return {};
  }
  ++counts_.assumed;
  note(n, key, "TF_ASSUMED",
       fmt::format("{} is not known from the plan{}; assumed {} {}, the only {} here", key,
                   why.empty() ? "" : " (it comes from " + why + ")", what, r->address, what));
  return r->id;
}

std::optional<std::string> Reader::str(const Node& n, const std::string& key, const Want& want) {
  Want one = want;
  one.many = false;
  auto all = strs(n, key, one);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::optional<bool> Reader::boolean(const Node& n, const std::string& key) {
  auto s = str(n, key);
  if (!s) return std::nullopt;
  if (*s == "true") return true;
  if (*s == "false") return false;
  return std::nullopt;
}

std::optional<long long> Reader::integer(const Node& n, const std::string& key) {
  auto s = str(n, key);
  if (!s || s->empty() || s->size() > 12) return std::nullopt;
  size_t i = (*s)[0] == '-' ? 1 : 0;
  if (i == s->size()) return std::nullopt;
  for (size_t k = i; k < s->size(); ++k)
    if ((*s)[k] < '0' || (*s)[k] > '9') return std::nullopt;
  return std::stoll(*s);
}

std::string Reader::name_tag(const Node& n) {
  for (const char* key : {"tags", "tags_all"}) {
    const Value* t = n.v ? n.v->get(key) : nullptr;
    if (t && t->is_map())
      if (const Value* name = t->get("Name"); name && name->is_string()) return name->text();
  }
  if (const Value* e = expr(n, "tags"))
    if (const Value* c = e->get("constant_value"); c && c->is_map())
      if (const Value* name = c->get("Name"); name && name->is_string()) return name->text();
  return {};
}

// ---- references -----------------------------------------------------------------

std::string Reader::attr_of(Resource& r, const std::string& attr) const {
  if (auto it = r.attrs.find(attr); it != r.attrs.end()) return it->second;
  if (r.values)
    if (const Value* v = r.values->get(attr); v && v->is_scalar() && !v->text().empty()) return v->text();
  if (attr == "id" || attr == "arn") return r.id;
  return {};
}

std::vector<std::string> Reader::resolve(const Value* e, const std::string& module, const ConfigModule* cm,
                                         const Resource* from, const Want& want, std::string* why, int depth) {
  std::vector<std::string> out;
  if (!e || !e->is_map() || depth > kMaxDepth) return out;
  if (const Value* c = e->get("constant_value")) {
    scalar_strings(*c, out);
    return out;
  }
  const Value* refs = e->get("references");
  if (!refs || !refs->is_list()) return out;
  // Drop a reference that only repeats the object of the one before it
  // (aws_vpc.main.id, aws_vpc.main), and note count.index / each.key.
  std::vector<std::string> kept;
  bool by_index = false;
  for (const auto& v : refs->items()) {
    const std::string& s = v.text();
    if (s == "count.index" || s.rfind("each.", 0) == 0) {
      by_index = true;
      continue;
    }
    bool repeat = false;
    for (const auto& k : kept)
      if (k.size() > s.size() && k.compare(0, s.size(), s) == 0 && (k[s.size()] == '.' || k[s.size()] == '['))
        repeat = true;
    if (!repeat) kept.push_back(s);
  }
  for (const auto& ref : kept) {
    auto got = resolve_ref(ref, module, cm, from, want, by_index, why, depth);
    out.insert(out.end(), got.begin(), got.end());
    if (!out.empty() && !want.many) break;
  }
  return out;
}

std::vector<std::string> Reader::resolve_ref(std::string_view ref, const std::string& module, const ConfigModule* cm,
                                             const Resource* from, const Want& want, bool by_index, std::string* why,
                                             int depth) {
  std::vector<std::string> out;
  auto parts = split_ref(ref);
  if (parts.empty()) return out;
  const std::string& head = parts[0];
  if (head == "local" || head == "path" || head == "terraform" || head == "self") {
    if (why && why->empty()) *why = std::string(ref);
    return out;
  }
  if (head == "var" && parts.size() >= 2) {
    if (cm && cm->parent) {
      // A module input: the calling module's argument, in the caller's scope.
      const Value* call = cm->parent->node->get("module_calls");
      call = call ? call->get(cm->call_name) : nullptr;
      const Value* args = call ? call->get("expressions") : nullptr;
      const Value* arg = args ? args->get(parts[1]) : nullptr;
      std::string parent_module = module;
      if (size_t p = parent_module.rfind("module."); p != std::string::npos)
        parent_module = p == 0 ? "" : parent_module.substr(0, p - 1);
      if (arg) return resolve(arg, parent_module, cm->parent, from, want, why, depth + 1);
      // Not passed: the variable's default.
      const Value* vars = cm->node->get("variables");
      const Value* var = vars ? vars->get(parts[1]) : nullptr;
      if (const Value* d = var ? var->get("default") : nullptr) scalar_strings(*d, out);
    } else if (variables_) {
      const Value* var = variables_->get(parts[1]);
      if (const Value* v = var ? var->get("value") : nullptr) scalar_strings(*v, out);
    }
    if (out.empty() && why && why->empty()) *why = std::string(ref);
    return out;
  }
  if (head == "module" && parts.size() >= 3 && cm) {
    std::string call_name, key;
    split_key(parts[1], call_name, key);
    auto it = cm->calls.find(call_name);
    if (it == cm->calls.end()) return out;
    const Value* outs = it->second->node->get("outputs");
    const Value* o = outs ? outs->get(parts[2]) : nullptr;
    const Value* oe = o ? o->get("expression") : nullptr;
    std::string child = (module.empty() ? "" : module + ".") + "module." + call_name;
    if (!key.empty()) {
      child += "[" + key + "]";
    } else if (!modules_.count(child)) {
      // module.x written without a key for a module with count/for_each: its first instance.
      auto m = modules_.lower_bound(child + "[");
      if (m != modules_.end() && m->rfind(child + "[", 0) == 0) child = *m;
    }
    if (oe) out = resolve(oe, child, it->second.get(), from, want, why, depth + 1);
    if (out.empty() && why && why->empty()) *why = std::string(ref);
    return out;
  }
  // A resource: [data.]TYPE.NAME[KEY][.ATTR...]
  size_t i = 0;
  bool data = false;
  if (head == "data") {
    data = true;
    i = 1;
  }
  if (parts.size() < i + 2) return out;
  std::string type = parts[i], name, key;
  split_key(parts[i + 1], name, key);
  std::string attr = parts.size() > i + 2 ? parts[i + 2] : want.attr;
  size_t b = attr.find('[');
  if (b != std::string::npos) attr = attr.substr(0, b);
  if (!type_ok(want, type) && !data) return out;
  std::string base = (module.empty() ? "" : module + ".") + (data ? "data." : "") + type + "." + name;
  auto it = by_base_.find(base);
  if (it == by_base_.end() || it->second.empty()) {
    if (data && why && why->empty()) *why = std::string(ref) + " (a data source the plan holds no values for)";
    return out;
  }
  std::vector<Resource*> picked;
  const auto& all = it->second;
  if (!key.empty()) {
    for (Resource* r : all)
      if (r->key == key) picked.push_back(r);
  } else if (want.many && !by_index) {
    picked = all;
  } else {
    if (from && !from->key.empty())
      for (Resource* r : all)
        if (r->key == from->key) picked.push_back(r);
    if (picked.empty()) picked.push_back(all.front());
  }
  for (Resource* r : picked) {
    std::string v = attr_of(*r, attr);
    if (!v.empty()) out.push_back(v);
    else if (why && why->empty()) *why = r->address + "." + attr;
  }
  return out;
}

}  // namespace vpclab::terraform
