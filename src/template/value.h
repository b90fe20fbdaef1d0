// A CloudFormation value after parsing: a JSON-like tree where every node
// keeps its source location. The same type holds raw template values
// (intrinsic functions still inside, as one-key maps {"Fn::Sub": ...} or
// {"Ref": ...}; short-form YAML tags are rewritten to these long forms) and
// resolved values (no intrinsics left).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vocab/source_loc.h"

namespace vpclab::tmpl {

class Value {
 public:
  enum class Kind { kNull, kString, kBool, kNumber, kList, kMap };
  using List = std::vector<Value>;
  // Keys keep their own location and the template's order.
  using Map = std::vector<std::pair<std::pair<std::string, SourceLoc>, Value>>;

  Value() = default;
  static Value string(std::string s, SourceLoc loc = {});
  static Value boolean(bool b, SourceLoc loc = {});
  // Numbers keep their text as written ("8080", "0.5"), as CloudFormation
  // passes numbers to resources as strings in many places.
  static Value number(std::string text, SourceLoc loc = {});
  static Value list(List items, SourceLoc loc = {});
  static Value map(Map entries, SourceLoc loc = {});
  static Value null(SourceLoc loc = {});

  Kind kind() const { return kind_; }
  const SourceLoc& loc() const { return loc_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_scalar() const { return is_string() || is_bool() || is_number(); }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_map() const { return kind_ == Kind::kMap; }

  // Scalar text: the string, "true"/"false", or the number as written.
  const std::string& text() const { return text_; }
  bool as_bool() const { return kind_ == Kind::kBool ? flag_ : text_ == "true"; }
  const List& items() const { return list_; }
  List& items() { return list_; }
  const Map& entries() const { return map_; }
  Map& entries() { return map_; }
  // Map lookup; nullptr when absent or not a map.
  const Value* get(const std::string& key) const;
  // Key location in a map (the value's own loc when absent).
  SourceLoc key_loc(const std::string& key) const;
  // A one-key map whose key is "Ref" or starts with "Fn::" or is
  // "Condition": the intrinsic's name, else empty.
  std::string intrinsic_name() const;

  const char* kind_name() const;  // "string", "list", ... for messages

 private:
  Kind kind_ = Kind::kNull;
  SourceLoc loc_;
  std::string text_;
  bool flag_ = false;
  List list_;
  Map map_;
};

}  // namespace vpclab::tmpl
