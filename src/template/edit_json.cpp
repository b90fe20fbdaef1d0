// The JSON writer of template/edit_writer.h: each primitive splices text at
// the byte offsets of the nodes it changes (the parser's line:col, columns
// counted in characters) and keeps every other byte. New JSON follows the
// file's style: its indentation unit (the Resources object's own step:
// spaces or tabs), its key separator (`": "`, `" : "`), whether members are
// written one per line and whether `{"Ref": ...}` is written on one line;
// siblings decide per list (an item written on one line gets a new one on
// one line).
#include <optional>

#include "template/edit_writer.h"
#include "template/engine.h"
#include "vocab/text_lines.h"

namespace vpclab::tmpl::edit {

namespace {

constexpr size_t npos = std::string::npos;

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool blank(char c) { return c == ' ' || c == '\t'; }

// Offsets in a JSON text: the start of each line, and where a value ends.
struct JsonText {
  const std::string& s;
  std::vector<size_t> starts;

  explicit JsonText(const std::string& text) : s(text) {
    starts.push_back(0);
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\n') starts.push_back(i + 1);
  }

  // The byte offset of a parsed node's line:col; npos when outside the text.
  size_t offset(const SourceLoc& l) const {
    if (l.line == 0 || l.line > starts.size()) return npos;
    size_t at = starts[l.line - 1];
    for (uint32_t c = 1; c < l.col && at < s.size(); ++c) {
      ++at;
      while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) ++at;  // UTF-8 continuation bytes
    }
    return at < s.size() ? at : npos;
  }

  size_t string_end(size_t at) const {
    char q = s[at];
    for (size_t i = at + 1; i < s.size(); ++i) {
      if (s[i] == '\\' && q == '"') ++i;
      else if (s[i] == q) return i + 1;
    }
    return s.size();
  }

  // The offset after the value that starts at `at` (a string, an object or
  // array with whatever it holds, or a number/true/false/null).
  size_t value_end(size_t at) const {
    if (at >= s.size()) return s.size();
    char c = s[at];
    if (c == '"' || c == '\'') return string_end(at);
    if (c == '{' || c == '[') {
      int depth = 0;
      for (size_t i = at; i < s.size(); ++i) {
        char ch = s[i];
        if (ch == '"' || ch == '\'') {
          i = string_end(i) - 1;
        } else if (ch == '{' || ch == '[') {
          ++depth;
        } else if ((ch == '}' || ch == ']') && --depth == 0) {
          return i + 1;
        }
      }
      return s.size();
    }
    size_t i = at;
    while (i < s.size() && !space(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
    return i;
  }

  size_t line_start(size_t at) const {
    size_t nl = at == 0 ? npos : s.rfind('\n', at - 1);
    return nl == npos ? 0 : nl + 1;
  }
  // The leading spaces and tabs of the line holding `at`.
  std::string indent(size_t at) const {
    size_t b = line_start(at), e = b;
    while (e < s.size() && blank(s[e])) ++e;
    return s.substr(b, e - b);
  }
  // Whether only spaces and tabs precede `at` on its line.
  bool starts_line(size_t at) const {
    for (size_t i = line_start(at); i < at; ++i)
      if (!blank(s[i])) return false;
    return true;
  }
  bool spans_lines(size_t from, size_t to) const { return s.find('\n', from) < to; }
};

std::string quote(const std::string& v) {
  std::string out = "\"";
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') out += std::string("\\") + ch;
    else if (ch == '\n') out += "\\n";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\r') out += "\\r";
    else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += std::string("\\u00") + hex[c >> 4] + hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// JSON's number grammar (YAML's 0x1F or .5 are written as strings).
bool json_number(const std::string& t) {
  size_t i = 0, n = t.size();
  auto digits = [&] {
    size_t b = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    return i > b;
  };
  if (i < n && t[i] == '-') ++i;
  if (i < n && t[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < n && t[i] == '.' && (++i, !digits())) return false;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

bool intrinsic(const Value& v) {
  std::string name = v.intrinsic_name();
  return !name.empty() && name != "Condition";
}
bool leaf(const Value& v) { return !(v.is_map() || v.is_list()) || intrinsic(v); }

// `!GetAtt A.B` reads as {"Fn::GetAtt": "A.B"}; JSON templates write the list form.
Value json_form(Value v) {
  if (v.is_map() && v.entries().size() == 1 && v.entries().front().first.first == "Fn::GetAtt") {
    const Value& a = v.entries().front().second;
    if (size_t dot = a.is_string() ? a.text().find('.') : npos; dot != npos) {
      v.entries().front().second =
          Value::list({Value::string(a.text().substr(0, dot)), Value::string(a.text().substr(dot + 1))});
      return v;
    }
  }
  for (auto& x : v.items()) x = json_form(std::move(x));
  for (auto& e : v.entries()) e.second = json_form(std::move(e.second));
  return v;
}

Value one_member(const std::string& key, Value v) {
  Value::Map m;
  m.push_back({{key, {}}, std::move(v)});
  return Value::map(std::move(m));
}

class JsonWriter : public Writer {
 public:
  JsonWriter(const Target& t, const std::string& text, std::string& error)
      : t_(t), error_(error), s_(text), j_(std::make_unique<JsonText>(s_)) {
    detect_style();
  }

  std::string text() const override { return s_; }

  bool add_resource(const std::string& name, const std::string& type, const std::vector<std::string>& props,
                    const std::string& depends_on) override {
    Value::Map m;
    m.push_back({{"Type", {}}, Value::string(type)});
    if (!depends_on.empty()) m.push_back({{"DependsOn", {}}, Value::string(depends_on)});
    if (!props.empty()) {
      std::string body;
      for (const auto& p : props) body += p + "\n";
      auto pv = fragment(body);
      if (!pv) return false;
      m.push_back({{"Properties", {}}, std::move(*pv)});
    }
    size_t key = at(t_.resources.key_loc(t_.logical_id)), open = at(t_.resource.loc());
    if (key == npos || open == npos) return lost(t_.logical_id);
    size_t end = j_->value_end(open);
    bool lines = j_->starts_line(key);
    std::string ind = j_->indent(key);
    // Shaped as the resource it follows.
    std::string member = quote(name) + sep_ + render(Value::map(std::move(m)), ind, j_->spans_lines(open, end));
    return insert_after(end, member, lines, ind);
  }

  bool append_item(const std::string& name, const std::string& item) override {
    auto iv = fragment(item);
    if (!iv) return false;
    const Value* props = properties();
    if (!props) return insert_member(t_.resource, "Properties", one_member(name, Value::list({std::move(*iv)})));
    if (!props->is_map()) return fail(t_.logical_id + " has no Properties object to edit");
    const Value* list = props->get(name);
    if (!list) return insert_member(*props, name, Value::list({std::move(*iv)}));
    if (!list->is_list()) return fail(name + " of " + t_.logical_id + " is not a list");
    size_t open = at(list->loc());
    if (open == npos) return lost(name);
    if (list->items().empty())
      return splice(open, j_->value_end(open), render(Value::list({std::move(*iv)}), j_->indent(open), expand_));
    const Value& last = list->items().back();
    size_t from = at(last.loc());
    if (from == npos) return lost(name);
    size_t to = j_->value_end(from);
    bool lines = j_->starts_line(from);
    // Over several lines as the last item is, or as the file writes objects when the items are leaves one a line.
    bool expand = j_->spans_lines(from, to) || (lines && expand_ && leaf(last));
    return insert_after(to, render(*iv, j_->indent(to), expand), lines, j_->indent(from));
  }

  bool set_scalar(const std::string& name, const std::string& value) override {
    return set(name, value, /*any=*/false);
  }
  bool replace_value(const std::string& name, const std::string& yaml_text) override {
    return set(name, yaml_text, /*any=*/true);
  }

  std::string item_key(const Value& item) const override {
    size_t from = at(item.loc());
    return from == npos ? std::string() : s_.substr(from, j_->value_end(from) - from);
  }

  bool remove_item(const Value& item) override {
    const std::string& s = s_;
    size_t from = at(item.loc());
    if (from == npos) return false;
    size_t to = j_->value_end(from), n = s.size();
    size_t after = to;
    while (after < n && blank(s[after])) ++after;
    bool comma_after = after < n && s[after] == ',';
    size_t before = from;
    while (before > 0 && space(s[before - 1])) --before;
    bool comma_before = before > 0 && s[before - 1] == ',';
    if (!comma_after && !comma_before) return false;  // the only item
    size_t tail = comma_after ? after + 1 : to;
    while (tail < n && (blank(s[tail]) || s[tail] == '\r')) ++tail;
    if (j_->starts_line(from) && (tail == n || s[tail] == '\n')) {
      // The item fills its lines: they go; the last item's comma is on the line before.
      size_t line = j_->line_start(from);
      splice(line, tail < n ? tail + 1 : n, "");
      if (!comma_after) splice(before - 1, before, "");
      return true;
    }
    if (comma_after) {
      size_t end = after + 1;
      while (end < n && blank(s[end])) ++end;
      return splice(from, end, "");
    }
    return splice(before - 1, to, "");
  }

 private:
  bool fail(std::string msg) {
    error_ = std::move(msg);
    return false;
  }
  bool lost(const std::string& what) { return fail("cannot find " + what + " of " + t_.logical_id + " in " + t_.path); }

  size_t at(const SourceLoc& l) const { return j_->offset(l); }

  bool splice(size_t from, size_t to, const std::string& with) {
    s_.replace(from, to - from, with);
    j_ = std::make_unique<JsonText>(s_);
    return true;
  }

  const Value* properties() const { return t_.resource.get("Properties"); }

  // The YAML text the semantic edits give, read as a template value.
  std::optional<Value> fragment(const std::string& yaml) {
    Diagnostics d;
    auto v = parse_template_text(yaml, "vpclab fix", d);
    if (!v) fail("cannot write `" + yaml + "` as JSON");
    else v = json_form(std::move(*v));
    return v;
  }

  void detect_style() {
    nl_ = s_.find("\r\n") != npos ? "\r\n" : "\n";
    const JsonText& j = *j_;
    // The key separator as the changed resource's key is written.
    size_t key = at(t_.resources.key_loc(t_.logical_id)), open = at(t_.resource.loc());
    if (key != npos && open != npos && key < open) {
      size_t kend = j.string_end(key);
      std::string sep = s_.substr(kend, open - kend);
      if (sep.find(':') != npos && sep.find('\n') == npos) sep_ = sep;
    }
    // The indentation step and one member a line: the Resources object's first member.
    size_t ropen = at(t_.resources.loc());
    if (!t_.resources.entries().empty() && ropen != npos) {
      size_t first = at(t_.resources.entries().front().first.second);
      if (first != npos && j.starts_line(first)) {
        expand_ = true;
        std::string outer = j.indent(ropen), inner = j.indent(first);
        if (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0)
          unit_ = inner.substr(outer.size());
      } else {
        expand_ = false;
      }
    }
    // Intrinsics on one line or not: the first one in the resources.
    inline_intrinsics_ = !expand_;
    if (const Value* f = first_intrinsic(t_.resources)) {
      size_t o = at(f->loc());
      if (o != npos) {
        inline_intrinsics_ = !j.spans_lines(o, j.value_end(o));
        if (inline_intrinsics_ && o + 1 < s_.size() && s_[o + 1] == ' ') pad_ = " ";
      }
    }
  }
  static const Value* first_intrinsic(const Value& v) {
    if (v.is_map() && intrinsic(v)) return &v;
    for (const auto& x : v.items())
      if (const Value* f = first_intrinsic(x)) return f;
    for (const auto& e : v.entries())
      if (const Value* f = first_intrinsic(e.second)) return f;
    return nullptr;
  }

  // `v` as JSON; `ind` is the indentation of the line it starts on.
  std::string render(const Value& v, const std::string& ind, bool expand) const {
    switch (v.kind()) {
      case Value::Kind::kNull: return "null";
      case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
      case Value::Kind::kNumber: return json_number(v.text()) ? v.text() : quote(v.text());
      case Value::Kind::kString: return quote(v.text());
      case Value::Kind::kList:
      case Value::Kind::kMap: break;
    }
    bool map = v.is_map();
    size_t n = map ? v.entries().size() : v.items().size();
    const char* open = map ? "{" : "[";
    const char* close = map ? "}" : "]";
    if (n == 0) return std::string(open) + close;
    bool ex = expand && !(inline_intrinsics_ && intrinsic(v));
    std::string inner = ex ? ind + unit_ : ind;
    std::string out = open;
    out += ex ? nl_ : pad_;
    for (size_t i = 0; i < n; ++i) {
      if (ex) out += inner;
      if (map) out += quote(v.entries()[i].first.first) + sep_ + render(v.entries()[i].second, inner, ex);
      else out += render(v.items()[i], inner, ex);
      if (i + 1 < n) out += ex ? "," + nl_ : ", ";
    }
    out += ex ? nl_ + ind : pad_;
    return out + close;
  }

  // Inserts `member` (an object member or array item) after the value ending
  // at `end`, with its comma: on a line of its own at `ind` when `lines`.
  bool insert_after(size_t end, const std::string& member, bool lines, const std::string& ind) {
    size_t p = end;
    while (p < s_.size() && blank(s_[p])) ++p;
    std::string sep = lines ? nl_ + ind : " ";
    if (p < s_.size() && s_[p] == ',') return splice(p + 1, p + 1, sep + member + ",");
    return splice(end, end, "," + sep + member);
  }

  // Adds `key: v` as the last member of object `obj`.
  bool insert_member(const Value& obj, const std::string& key, Value v) {
    if (obj.entries().empty()) {
      size_t open = at(obj.loc());
      if (open == npos) return lost(key);
      return splice(open, j_->value_end(open), render(one_member(key, std::move(v)), j_->indent(open), expand_));
    }
    const auto& [k, last] = obj.entries().back();
    size_t kat = at(k.second), vat = at(last.loc());
    if (kat == npos || vat == npos) return lost(key);
    bool lines = j_->starts_line(kat);
    std::string ind = j_->indent(kat);
    return insert_after(j_->value_end(vat), quote(key) + sep_ + render(v, ind, lines && expand_), lines, ind);
  }

  // Property `name` := the value read from `yaml` (`any`: any value, else a scalar or an intrinsic).
  bool set(const std::string& name, const std::string& yaml, bool any) {
    auto nv = fragment(yaml);
    if (!nv) return false;
    const Value* props = properties();
    if (!props) return insert_member(t_.resource, "Properties", one_member(name, std::move(*nv)));
    if (!props->is_map()) return fail(t_.logical_id + " has no Properties object to edit");
    const Value* v = props->get(name);
    if (!v) return insert_member(*props, name, std::move(*nv));
    if (!any && !(v->is_scalar() || v->is_null() || intrinsic(*v)))
      return fail(name + " of " + t_.logical_id + " is not a plain value");
    size_t from = at(v->loc()), key = at(props->key_loc(name));
    if (from == npos || key == npos) return lost(name);
    size_t to = j_->value_end(from);
    // Shaped as the old value; a list or object for a leaf as the file writes them.
    bool expand = j_->spans_lines(from, to) || (leaf(*v) && !leaf(*nv) && expand_ && j_->starts_line(key));
    return splice(from, to, render(*nv, j_->indent(key), expand));
  }

  Target t_;
  std::string& error_;
  std::string s_;
  std::unique_ptr<JsonText> j_;  // offsets in s_, remade by each splice
  std::string nl_ = "\n", unit_ = "  ", sep_ = ": ", pad_;
  bool expand_ = true, inline_intrinsics_ = false;
};

}  // namespace

bool is_json_text(const std::string& text) {
  size_t at = text.find_first_not_of(" \t\r\n");
  if (at != npos && text.compare(at, 3, "\xEF\xBB\xBF") == 0) at = text.find_first_not_of(" \t\r\n", at + 3);
  return at != npos && text[at] == '{';
}

std::unique_ptr<Writer> json_writer(const Target& t, const std::string& text, std::string& error) {
  return std::make_unique<JsonWriter>(t, text, error);
}

std::string item_key_at(const std::string& text, const SourceLoc& loc) {
  if (is_json_text(text)) {
    JsonText j(text);
    size_t from = j.offset(loc);
    return from == npos ? std::string() : text.substr(from, j.value_end(from) - from);
  }
  TextLines lines(text);
  return loc.line >= 1 && loc.line <= lines.lines.size() ? lines.lines[loc.line - 1] : std::string();
}

}  // namespace vpclab::tmpl::edit
