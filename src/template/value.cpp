#include "template/value.h"

namespace vpclab::tmpl {

Value Value::string(std::string s, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  v.loc_ = loc;
  return v;
}

Value Value::boolean(bool b, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kBool;
  v.flag_ = b;
  v.text_ = b ? "true" : "false";
  v.loc_ = loc;
  return v;
}

Value Value::number(std::string text, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.text_ = std::move(text);
  v.loc_ = loc;
  return v;
}

Value Value::list(List items, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kList;
  v.list_ = std::move(items);
  v.loc_ = loc;
  return v;
}

Value Value::map(Map entries, SourceLoc loc) {
  Value v;
  v.kind_ = Kind::kMap;
  v.map_ = std::move(entries);
  v.loc_ = loc;
  return v;
}

Value Value::null(SourceLoc loc) {
  Value v;
  v.loc_ = loc;
  return v;
}

const Value* Value::get(const std::string& key) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const auto& [k, v] : map_) {
    if (k.first == key) return &v;
  }
  return nullptr;
}

SourceLoc Value::key_loc(const std::string& key) const {
  if (kind_ == Kind::kMap) {
    for (const auto& [k, v] : map_) {
      if (k.first == key) return k.second;
    }
  }
  return loc_;
}

std::string Value::intrinsic_name() const {
  if (kind_ != Kind::kMap || map_.size() != 1) return {};
  const std::string& k = map_.front().first.first;
  if (k == "Ref" || k == "Condition" || k.rfind("Fn::", 0) == 0) return k;
  return {};
}

const char* Value::kind_name() const {
  switch (kind_) {
    case Kind::kNull: return "null";
    case Kind::kString: return "string";
    case Kind::kBool: return "boolean";
    case Kind::kNumber: return "number";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
  }
  return "?";
}

}  // namespace vpclab::tmpl
