// The YAML writer of template/edit_writer.h: lines inserted into block
// mappings and lists at the indentation they are written with, one value
// replaced in its line; comments, tags and everything else kept.
#include <cstdlib>

#include "template/edit_writer.h"
#include "vocab/text_lines.h"

namespace vpclab::tmpl::edit {

namespace {

using Lines = TextLines;

bool blank(const std::string& l) { return l.find_first_not_of(" \t\r") == std::string::npos; }
int indent_of(const std::string& l) { return static_cast<int>(l.find_first_not_of(' ')); }
std::string spaces(int n) { return std::string(static_cast<size_t>(std::max(0, n)), ' '); }

// Where a block that starts on line `start` (0-based) at indentation
// `indent` ends: the index after its last content line.
size_t block_end(const Lines& L, size_t start, int indent) {
  size_t last = start;
  for (size_t i = start + 1; i < L.lines.size(); ++i) {
    if (blank(L.lines[i])) continue;
    if (indent_of(L.lines[i]) <= indent) break;
    last = i;
  }
  return last + 1;
}

// The end of the flow collection opening at l[from] ('[' or '{') on that
// line, quotes skipped: the index after its closing bracket, npos when it
// does not close on the line.
size_t flow_end(const std::string& l, size_t from) {
  int depth = 0;
  for (size_t i = from; i < l.size(); ++i) {
    char ch = l[i];
    if (ch == '"' || ch == '\'') {
      size_t q = i + 1;
      while (q < l.size() && !(l[q] == ch && !(ch == '"' && l[q - 1] == '\\'))) ++q;
      i = q;
    } else if (ch == '[' || ch == '{') {
      ++depth;
    } else if (ch == ']' || ch == '}') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string::npos;
}

class YamlWriter : public Writer {
 public:
  YamlWriter(const Target& t, const std::string& text, std::string& error) : t_(t), error_(error), lines_(text) {
    SourceLoc key = t.resources.key_loc(t.logical_id);
    res_line_ = key.line - 1;
    res_indent_ = static_cast<int>(key.col) - 1;
  }

  std::string text() const override { return lines_.str(); }

  // A new resource after the target's block.
  bool add_resource(const std::string& name, const std::string& type, const std::vector<std::string>& props,
                    const std::string& depends_on) override {
    std::vector<std::string> add = {spaces(res_indent_) + name + ":", spaces(res_indent_ + 2) + "Type: " + type};
    if (!depends_on.empty()) add.push_back(spaces(res_indent_ + 2) + "DependsOn: " + depends_on);
    if (!props.empty()) add.push_back(spaces(res_indent_ + 2) + "Properties:");
    for (const auto& p : props) add.push_back(spaces(res_indent_ + 4) + p);
    size_t at = block_end(lines_, res_line_, res_indent_);
    lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at), add.begin(), add.end());
    return true;
  }

  bool append_item(const std::string& name, const std::string& item) override {
    size_t pline;
    int pindent;
    const Value* props = properties(pline, pindent);
    if (!props) return false;
    const Value* list = props->get(name);
    if (!list) {
      size_t at = block_end(lines_, pline, indent_of(lines_.lines[pline]));
      lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at),
                          {spaces(pindent) + name + ":", spaces(pindent + 2) + "- " + item});
      return true;
    }
    if (!list->is_list()) return fail(name + " of " + t_.logical_id + " is not a list");
    size_t lline = list->loc().line - 1;
    size_t lcol = list->loc().col - 1;
    std::string& l = lines_.lines[lline];
    if (lcol < l.size() && l[lcol] == '[') {
      size_t close = l.rfind(']');
      if (close == std::string::npos || close < lcol) return fail(name + ": a flow list over several lines");
      bool empty = l.find_first_not_of(" ", lcol + 1) == close;
      l.insert(close, empty ? item : ", " + item);
      return true;
    }
    if (list->items().empty()) return fail(name + " of " + t_.logical_id + " is empty");
    const Value& last = list->items().back();
    size_t iline = last.loc().line - 1;
    const std::string& il = lines_.lines[iline];
    size_t dash = il.rfind('-', last.loc().col >= 2 ? last.loc().col - 2 : 0);
    if (dash == std::string::npos) return fail(name + ": cannot find the list's last item");
    size_t at = block_end(lines_, iline, static_cast<int>(dash));
    lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at), spaces(static_cast<int>(dash)) + "- " + item);
    return true;
  }

  bool set_scalar(const std::string& name, const std::string& value) override {
    size_t pline;
    int pindent;
    const Value* props = properties(pline, pindent);
    if (!props) return false;
    const Value* v = props->get(name);
    if (!v) return add_property(pline, pindent, name, value);
    std::string& l = lines_.lines[v->loc().line - 1];
    size_t from = v->loc().col - 1, to = from;
    // A plain value, or a one-line short-form intrinsic such as `!Ref X`.
    bool tag = v->is_map() && from < l.size() && l[from] == '!';
    if (!v->is_scalar() && !tag) return fail(name + " of " + t_.logical_id + " is not a plain value");
    if (from < l.size() && (l[from] == '"' || l[from] == '\'')) {
      to = l.find(l[from], from + 1);
      to = to == std::string::npos ? l.size() : to + 1;
    } else {
      while (to < l.size() && l[to] != ',' && l[to] != '}' && !(l[to] == '#' && to > 0 && l[to - 1] == ' ')) ++to;
      while (to > from && l[to - 1] == ' ') --to;
    }
    l.replace(from, to - from, value);
    return true;
  }

  bool replace_value(const std::string& name, const std::string& yaml_text) override {
    size_t pline;
    int pindent;
    const Value* props = properties(pline, pindent);
    if (!props) return false;
    const Value* v = props->get(name);
    if (!v) return add_property(pline, pindent, name, yaml_text);
    const SourceLoc key = props->key_loc(name);
    std::string& l = lines_.lines[v->loc().line - 1];
    size_t from = v->loc().col - 1;
    if (v->loc().line != key.line || from >= l.size())
      return fail(name + " of " + t_.logical_id + " is written over several lines, not as a one-line value");
    // Inside a flow map (`Properties: {A: 1, B: 2}`) a plain value ends at ',' or '}'.
    const std::string& pl = lines_.lines[props->loc().line - 1];
    bool in_flow = props->loc().col - 1 < pl.size() && pl[props->loc().col - 1] == '{';
    size_t to = value_end(l, from, in_flow);
    if (to == std::string::npos)
      return fail(name + " of " + t_.logical_id + " is written over several lines, not as a one-line value");
    l.replace(from, to - from, yaml_text);
    return true;
  }

  std::string item_key(const Value& item) const override { return lines_.lines[item.loc().line - 1]; }

  // The item's dash line and its continuation lines.
  bool remove_item(const Value& item) override {
    size_t iline = item.loc().line - 1;
    const std::string& il = lines_.lines[iline];
    size_t dash = il.rfind('-', item.loc().col >= 2 ? item.loc().col - 2 : 0);
    if (dash == std::string::npos || il.find_first_not_of(' ') != dash) return false;
    size_t end = block_end(lines_, iline, static_cast<int>(dash));
    lines_.lines.erase(lines_.lines.begin() + static_cast<long>(iline), lines_.lines.begin() + static_cast<long>(end));
    return true;
  }

 private:
  bool fail(std::string msg) {
    error_ = std::move(msg);
    return false;
  }

  const Value* properties(size_t& line, int& indent) {
    const Value* props = t_.resource.get("Properties");
    if (!props || !props->is_map() || props->entries().empty()) {
      fail(t_.logical_id + " has no Properties block to edit");
      return nullptr;
    }
    line = t_.resource.key_loc("Properties").line - 1;
    indent = static_cast<int>(props->entries().front().first.second.col) - 1;
    return props;
  }

  bool add_property(size_t pline, int pindent, const std::string& name, const std::string& value) {
    size_t at = block_end(lines_, pline, indent_of(lines_.lines[pline]));
    lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at), spaces(pindent) + name + ": " + value);
    return true;
  }

  // The end of the one-line value starting at l[from]: a quoted scalar, a
  // flow collection, a short-form tag and what it tags, or a plain scalar
  // (up to a comment, or in a flow map up to ',' or '}'). npos: it goes on.
  static size_t value_end(const std::string& l, size_t from, bool in_flow) {
    if (l[from] == '!') {
      size_t at = l.find_first_of(" \t", from);
      if (at == std::string::npos) return std::string::npos;  // the tagged value on the next line
      at = l.find_first_not_of(" \t", at);
      if (at == std::string::npos || (l[at] == '#')) return std::string::npos;  // the tagged value on the next line
      return value_end(l, at, in_flow);
    }
    if (l[from] == '[' || l[from] == '{') return flow_end(l, from);
    if (l[from] == '|' || l[from] == '>') return std::string::npos;  // a block scalar
    if (l[from] == '"' || l[from] == '\'') {
      size_t q = from + 1;
      while (q < l.size() && !(l[q] == l[from] && !(l[from] == '"' && l[q - 1] == '\\'))) ++q;
      return q < l.size() ? q + 1 : std::string::npos;
    }
    size_t to = from;
    while (to < l.size() && !(in_flow && (l[to] == ',' || l[to] == '}')) && !(l[to] == '#' && l[to - 1] == ' ')) ++to;
    while (to > from && (l[to - 1] == ' ' || l[to - 1] == '\r')) --to;
    return to;
  }

  Target t_;
  std::string& error_;
  Lines lines_;
  size_t res_line_ = 0;
  int res_indent_ = 0;
};

}  // namespace

std::unique_ptr<Writer> yaml_writer(const Target& t, const std::string& text, std::string& error) {
  return std::make_unique<YamlWriter>(t, text, error);
}

}  // namespace vpclab::tmpl::edit
