#include "template/cfn_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace vpclab::tmpl::cfn {
namespace {

const char* kind_text(K k) {
  switch (k) {
    case K::kString: return "a string";
    case K::kBool: return "a boolean";
    case K::kInt: return "an integer";
    case K::kList: return "a list";
    case K::kStringList: return "a list of strings";
    case K::kMap: return "a map";
    case K::kJson: return "a map or a JSON string";
    case K::kAny: return "a value";
  }
  return "?";
}

bool kind_ok(const Value& v, K k) {
  switch (k) {
    case K::kString: return v.is_scalar();
    case K::kBool: {
      if (v.is_bool()) return true;
      if (!v.is_string()) return false;
      std::string t = v.text();
      std::transform(t.begin(), t.end(), t.begin(), ::tolower);
      return t == "true" || t == "false";
    }
    case K::kInt: return to_int(&v).has_value();
    case K::kList: return v.is_list();
    case K::kStringList:
      return v.is_list() && std::all_of(v.items().begin(), v.items().end(), [](const Value& i) { return i.is_scalar(); });
    case K::kMap: return v.is_map();
    case K::kJson: return v.is_map() || v.is_string();
    case K::kAny: return true;
  }
  return false;
}

}  // namespace

void check(Diagnostics& diags, const Value& map, const Schema& schema, const std::string& where,
           SourceLoc missing_loc) {
  if (!map.is_map()) {
    diags.error(map.loc(), "E3012", fmt::format("{} should be a map, not {}", where, map.kind_name()));
    return;
  }
  for (const auto& [k, v] : map.entries()) {
    const auto& name = k.first;
    auto it = std::find_if(schema.begin(), schema.end(), [&](const Prop& p) { return p.name == name; });
    if (it == schema.end()) {
      diags.error(k.second, "E3002", fmt::format("{}: unknown property '{}'", where, name));
      continue;
    }
    if (!kind_ok(v, it->kind)) {
      diags.error(v.loc(), "E3012",
              fmt::format("{}: property {} should be {}, not {}", where, name, kind_text(it->kind),
                          v.is_scalar() ? fmt::format("'{}'", v.text()) : std::string(v.kind_name())));
      continue;
    }
    if (!it->item) continue;
    if (it->kind == K::kMap) check(diags, v, *it->item, where + "." + name, v.loc());
    if (it->kind == K::kList)
      for (size_t i = 0; i < v.items().size(); ++i)
        check(diags, v.items()[i], *it->item, fmt::format("{}.{}[{}]", where, name, i), v.items()[i].loc());
  }
  for (const auto& p : schema)
    if (p.required && !map.get(std::string(p.name)))
      diags.error(missing_loc, "E3003", fmt::format("{}: required property {} is missing", where, p.name));
}

void check(const ResourceContext& c, const Value& map, const Schema& schema, const std::string& where,
           SourceLoc missing_loc) {
  check(c.diags, map, schema, where, missing_loc);
}

std::optional<long> to_int(const Value* v) {
  if (!v || !v->is_scalar() || v->is_bool()) return std::nullopt;
  const std::string& t = v->text();
  long out = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return out;
}

bool to_bool(const Value* v, bool def) {
  if (!v) return def;
  if (v->is_bool()) return v->as_bool();
  std::string t = v->text();
  std::transform(t.begin(), t.end(), t.begin(), ::tolower);
  return t == "true";
}

std::string name_tag(const Value* tags) {
  if (!tags || !tags->is_list()) return {};
  for (const auto& t : tags->items())
    if (text(t.get("Key")) == "Name") return text(t.get("Value"));
  return {};
}

std::vector<std::string> strings(const Value* v) {
  std::vector<std::string> out;
  if (v && v->is_list())
    for (const auto& i : v->items())
      if (i.is_scalar()) out.push_back(i.text());
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::optional<Ipv4Cidr> cidr(const ResourceContext& c, const Value* v, const char* what) {
  if (!v) return std::nullopt;
  bool host_bits = false;
  auto out = Ipv4Cidr::parse(text(v), &host_bits);
  if (!out) {
    c.error(v->loc(), "E3031", fmt::format("{} '{}' is not an IPv4 CIDR block (a.b.c.d/n)", what, text(v)));
    return std::nullopt;
  }
  if (host_bits)
    c.diags.warning(v->loc(), "CIDR_HOST_BITS",
                    fmt::format("{} {} has host bits set; AWS stores it as {}", what, text(v), out->str()));
  return out;
}

std::optional<Ipv4Address> address(const ResourceContext& c, const Value* v, const char* what) {
  if (!v) return std::nullopt;
  auto out = Ipv4Address::parse(text(v));
  if (!out) c.error(v->loc(), "E3031", fmt::format("{} '{}' is not an IPv4 address", what, text(v)));
  return out;
}

std::optional<uint16_t> port(const ResourceContext& c, const Value* v, const char* what) {
  auto n = to_int(v);
  if (!n) return std::nullopt;
  if (*n < 1 || *n > 65535) {
    c.error(v->loc(), "E3031", fmt::format("{} {} is outside 1-65535", what, *n));
    return std::nullopt;
  }
  return static_cast<uint16_t>(*n);
}

Value list_value(const std::vector<std::string>& items) {
  Value::List l;
  for (const auto& s : items) l.push_back(Value::string(s));
  return Value::list(std::move(l));
}

}  // namespace vpclab::tmpl::cfn
