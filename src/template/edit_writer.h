// The text primitives template/edit.cpp's edits are made of, one writer per
// template syntax (internal to template/): YAML (edit_yaml.cpp) and JSON
// (edit_json.cpp). Properties, items and values are given as the YAML text
// the YAML writer inserts ("GroupId: !Ref X", "{IpProtocol: tcp, FromPort:
// 80}", "!Ref Subnet"); the JSON writer reads them with the template parser
// (short-form tags become long form) and writes JSON in the file's style.
// Every primitive edits the text at the source location of the node it
// changes; nothing is re-emitted.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "template/value.h"

namespace vpclab::tmpl::edit {

// The parsed current text and the resource being changed.
struct Target {
  const std::string& path;
  const Value& resources;  // the template's Resources
  const Value& resource;   // the changed resource
  const std::string& logical_id;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // A resource `name` (not yet declared) of `type` with `props` (one
  // "Key: value" each; none: no Properties) and, when given, `DependsOn:
  // depends_on`, after the target resource.
  virtual bool add_resource(const std::string& name, const std::string& type, const std::vector<std::string>& props,
                            const std::string& depends_on = {}) = 0;
  // Appends `item` to the target's list property `name` (made when absent).
  virtual bool append_item(const std::string& name, const std::string& item) = 0;
  // Sets the scalar property `name` (or a one-line intrinsic) to `value` (added when absent).
  virtual bool set_scalar(const std::string& name, const std::string& value) = 0;
  // Replaces the whole value of property `name` (added when absent): in YAML
  // a one-line value (a scalar, a flow list or map, a short-form intrinsic);
  // in JSON any value, over one line or several.
  virtual bool replace_value(const std::string& name, const std::string& yaml_text) = 0;
  // What identifies list item `item` after edits moved it: its line (YAML),
  // its own text (JSON). Compared with item_key_at() of the text as first read.
  virtual std::string item_key(const Value& item) const = 0;
  // Deletes list item `item` (its list keeps another); false when it cannot
  // (a YAML item not in a block list), error left for the caller to word.
  virtual bool remove_item(const Value& item) = 0;
  // The edited text.
  virtual std::string text() const = 0;
};

// Whether `text` is a JSON template (its first character opens an object).
bool is_json_text(const std::string& text);
std::unique_ptr<Writer> yaml_writer(const Target& t, const std::string& text, std::string& error);
std::unique_ptr<Writer> json_writer(const Target& t, const std::string& text, std::string& error);
// Writer::item_key of the node at `loc` in `text`; empty when there is none.
std::string item_key_at(const std::string& text, const SourceLoc& loc);

}  // namespace vpclab::tmpl::edit
