// Small, throw-free accessors over nlohmann::json for describe-* output, where
// any field may be missing, null, or (from boto3 dumps) a number as a string.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vpclab::snapshot {

using json = nlohmann::json;

// The member `key` of object `j`, or nullptr when `j` is not an object or the
// member is absent or null.
inline const json* field(const json& j, const std::string& key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

// String member, or "" when absent or not a string.
inline std::string str(const json& j, const std::string& key) {
  const json* f = field(j, key);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

// Boolean member (also "true"/"false" strings), or nullopt.
inline std::optional<bool> boolean(const json& j, const std::string& key) {
  const json* f = field(j, key);
  if (!f) return std::nullopt;
  if (f->is_boolean()) return f->get<bool>();
  if (f->is_string()) {
    if (*f == "true") return true;
    if (*f == "false") return false;
  }
  return std::nullopt;
}

// Integer member (also a decimal string such as "443"), or nullopt.
inline std::optional<long long> integer(const json& j, const std::string& key) {
  const json* f = field(j, key);
  if (!f) return std::nullopt;
  if (f->is_number_integer()) return f->get<long long>();
  if (f->is_number_float()) return static_cast<long long>(f->get<double>());
  if (f->is_string()) {
    const std::string& s = f->get_ref<const std::string&>();
    if (s.empty() || s.size() > 12) return std::nullopt;
    size_t i = (s[0] == '-') ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    for (size_t k = i; k < s.size(); ++k)
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
    return std::stoll(s);
  }
  return std::nullopt;
}

// String member, or an integer member as its decimal text ("6" for 6), or "".
inline std::string str_or_integer(const json& j, const std::string& key) {
  std::string s = str(j, key);
  if (s.empty())
    if (auto n = integer(j, key)) s = std::to_string(*n);
  return s;
}

// Array member, or nullptr when absent or not an array.
inline const json* array(const json& j, const std::string& key) {
  const json* f = field(j, key);
  return f && f->is_array() ? f : nullptr;
}

// The value of the `Name` tag (Tags or TagSet), or "".
inline std::string name_tag(const json& j) {
  for (const char* key : {"Tags", "TagSet"}) {
    const json* tags = array(j, key);
    if (!tags) continue;
    for (const auto& t : *tags)
      if (str(t, "Key") == "Name") return str(t, "Value");
  }
  return {};
}

}  // namespace vpclab::snapshot
