// Template text -> Value tree. yaml-cpp's event API gives a mark for every
// node and the tag of every node, which lets us keep exact positions, rewrite
// short-form intrinsics, and catch duplicate keys (yaml-cpp's node API keeps
// the last one silently). yaml-cpp reads JSON too, tabs included.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <unordered_set>

#include "template/engine.h"

namespace vpclab::tmpl {
namespace {

constexpr size_t kMaxDepth = 200;           // real templates nest < 30 levels
constexpr size_t kMaxNodes = 4'000'000;     // CloudFormation's 1 MB limit stays far below
constexpr size_t kMaxAliasNodes = 100'000;  // nodes copied by aliases: guards against alias bombs
constexpr size_t kMaxFileBytes = 64u << 20;  // CloudFormation's own limit is 1 MB

struct Abort {};  // unwinds the parser after an error was reported

const std::map<std::string, std::string>& short_tags() {
  static const std::map<std::string, std::string> tags = {
      {"!Ref", "Ref"},
      {"!Condition", "Condition"},
      {"!GetAtt", "Fn::GetAtt"},
      {"!Sub", "Fn::Sub"},
      {"!Join", "Fn::Join"},
      {"!Select", "Fn::Select"},
      {"!Split", "Fn::Split"},
      {"!If", "Fn::If"},
      {"!Equals", "Fn::Equals"},
      {"!Not", "Fn::Not"},
      {"!And", "Fn::And"},
      {"!Or", "Fn::Or"},
      {"!FindInMap", "Fn::FindInMap"},
      {"!Base64", "Fn::Base64"},
      {"!Cidr", "Fn::Cidr"},
      {"!GetAZs", "Fn::GetAZs"},
      {"!ImportValue", "Fn::ImportValue"},
      {"!Transform", "Fn::Transform"},
      {"!Length", "Fn::Length"},
      {"!ToJsonString", "Fn::ToJsonString"},
      {"!GetStackOutput", "Fn::GetStackOutput"},
      // Rules-section functions: parsed so templates with Rules load; Rules are not evaluated.
      {"!Contains", "Fn::Contains"},
      {"!EachMemberEquals", "Fn::EachMemberEquals"},
      {"!EachMemberIn", "Fn::EachMemberIn"},
      {"!RefAll", "Fn::RefAll"},
      {"!ValueOf", "Fn::ValueOf"},
      {"!ValueOfAll", "Fn::ValueOfAll"},
  };
  return tags;
}

bool is_plain_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_plain_number(const std::string& s) {
  static const std::regex re(
      R"([-+]?(0|[1-9][0-9]*|[0-9]+)|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+)");
  if (s.empty() || s.size() > 64) return false;
  char c = s[0];
  if (!(c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'))) return false;
  return std::regex_match(s, re);
}

class Builder : public YAML::EventHandler {
 public:
  Builder(const char* file, Diagnostics& diags) : file_(file), diags_(diags) {}

  std::optional<Value> root;
  bool failed = false;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    complete(Value::null(loc(mark)), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(mark, "unknown alias");
    size_t n = count_nodes(it->second);
    nodes_ += n;
    alias_nodes_ += n;
    if (nodes_ > kMaxNodes || alias_nodes_ > kMaxAliasNodes)
      fail(mark, "document too large after expanding aliases", "E0002");
    complete(it->second, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    bump(mark);
    SourceLoc l = loc(mark);
    Value v;
    if (tag == "?") {
      if (is_plain_null(value)) {
        v = Value::null(l);
      } else if (value == "true" || value == "True" || value == "TRUE") {
        v = Value::boolean(true, l);
      } else if (value == "false" || value == "False" || value == "FALSE") {
        v = Value::boolean(false, l);
      } else if (is_plain_number(value)) {
        v = Value::number(value, l);
      } else {
        v = Value::string(value, l);
      }
    } else {
      v = Value::string(value, l);
    }
    complete(apply_tag(std::move(v), tag, mark), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    push(mark, tag, anchor, false);
  }
  void OnSequenceEnd() override {
    Frame f = pop();
    Value v = Value::list(std::move(f.items), loc(f.mark));
    complete(apply_tag(std::move(v), f.tag, f.mark), f.anchor);
  }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    push(mark, tag, anchor, true);
  }
  void OnMapEnd() override {
    Frame f = pop();
    Value::Map entries;
    entries.reserve(f.items.size() / 2);
    std::unordered_set<std::string> seen;
    seen.reserve(f.items.size());
    for (size_t i = 0; i + 1 < f.items.size(); i += 2) {
      Value& k = f.items[i];
      if (k.is_map() || k.is_list()) {
        diags_.error(k.loc(), "E0000", "a map key must be a scalar");
        failed = true;
        continue;
      }
      if (!seen.insert(k.text()).second) {
        diags_.error(k.loc(), "E0000", "duplicate key '" + k.text() + "'");
        failed = true;
        continue;
      }
      entries.push_back({{k.text(), k.loc()}, std::move(f.items[i + 1])});
    }
    Value v = Value::map(std::move(entries), loc(f.mark));
    complete(apply_tag(std::move(v), f.tag, f.mark), f.anchor);
  }

  SourceLoc loc(const YAML::Mark& m) const {
    SourceLoc l;
    l.file = file_;
    l.line = m.line >= 0 ? static_cast<uint32_t>(m.line) + 1 : 0;
    l.col = m.column >= 0 ? static_cast<uint32_t>(m.column) + 1 : 0;
    return l;
  }

 private:
  struct Frame {
    YAML::Mark mark;
    std::string tag;
    YAML::anchor_t anchor = 0;
    bool is_map = false;
    std::vector<Value> items;  // maps: key, value, key, value, ...
  };

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& msg,
                         const char* code = "E0000") {
    diags_.error(loc(mark), code, msg);
    failed = true;
    throw Abort{};
  }

  void bump(const YAML::Mark& mark) {
    if (++nodes_ > kMaxNodes) fail(mark, "document too large", "E0002");
  }

  void push(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, bool is_map) {
    bump(mark);
    if (stack_.size() >= kMaxDepth) fail(mark, "nesting too deep (more than 200 levels)", "E0002");
    stack_.push_back(Frame{mark, tag, anchor, is_map, {}});
  }

  Frame pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return f;
  }

  void complete(Value v, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = v;
    if (stack_.empty()) {
      if (!root) root = std::move(v);
      return;
    }
    stack_.back().items.push_back(std::move(v));
  }

  static size_t count_nodes(const Value& v) {
    size_t n = 1;
    for (const auto& i : v.items()) n += count_nodes(i);
    for (const auto& e : v.entries()) n += count_nodes(e.second);
    return n;
  }

  Value apply_tag(Value v, const std::string& tag, const YAML::Mark& mark) {
    if (tag.empty() || tag == "?" || tag == "!") return v;
    static const std::string yaml_prefix = "tag:yaml.org,2002:";
    if (tag.rfind(yaml_prefix, 0) == 0) {
      std::string t = tag.substr(yaml_prefix.size());
      if (v.is_scalar() || v.is_null()) {
        if (t == "str") return Value::string(v.text(), v.loc());
        if (t == "int" || t == "float") return Value::number(v.text(), v.loc());
        if (t == "bool") return Value::boolean(v.text() == "true" || v.text() == "True", v.loc());
        if (t == "null") return Value::null(v.loc());
      }
      if ((t == "map" && v.is_map()) || (t == "seq" && v.is_list())) return v;
      fail(mark, "unsupported YAML tag !!" + t);
    }
    auto it = short_tags().find(tag);
    if (it == short_tags().end()) {
      if (tag.rfind("!Rain::", 0) == 0)
        fail(mark, "tag " + tag + " is a Rain directive, not CloudFormation",
             "E0001");  // message mentions Rain: run `rain pkg` first
      fail(mark, "unknown tag " + tag);
    }
    SourceLoc l = loc(mark);
    Value::Map m;
    m.push_back({{it->second, l}, std::move(v)});
    return Value::map(std::move(m), l);
  }

  const char* file_;
  Diagnostics& diags_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Value> anchors_;
  size_t nodes_ = 0;
  size_t alias_nodes_ = 0;
};

}  // namespace

std::optional<Value> parse_template_text(std::string_view text, const std::string& file_name,
                                         Diagnostics& diags) {
  const char* file = intern_file(file_name);
  SourceLoc file_loc{file, 1, 1};
  if (text.size() > kMaxFileBytes) {
    diags.error(file_loc, "E1002", "file too large (" + std::to_string(text.size()) + " bytes)");
    return std::nullopt;
  }
  // yaml-cpp stops at NUL bytes without saying so; they are never valid here.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < nul; ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    diags.error({file, line, col}, "E0000", "NUL byte in template text");
    return std::nullopt;
  }
  std::string buf(text);
  std::istringstream in(buf);
  Builder b(file, diags);
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(b) || !b.root) {
      diags.error(file_loc, "E0001", "empty template");
      return std::nullopt;
    }
    if (b.failed) return std::nullopt;
    Builder extra(file, diags);
    if (parser.HandleNextDocument(extra)) {
      diags.error(file_loc, "E0000", "more than one YAML document in the file");
      return std::nullopt;
    }
  } catch (const Abort&) {
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    diags.error(b.loc(e.mark), "E0000", e.msg.empty() ? "malformed YAML" : e.msg);
    return std::nullopt;
  } catch (const std::exception& e) {
    diags.error(file_loc, "E0000", std::string("cannot parse: ") + e.what());
    return std::nullopt;
  }
  if (b.failed) return std::nullopt;
  return std::move(b.root);
}

std::optional<Value> parse_template_file(const std::string& path, Diagnostics& diags) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    diags.error({intern_file(path), 0, 0}, "E0000", "cannot read file");
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) {
    diags.error({intern_file(path), 0, 0}, "E0000", "cannot read file");
    return std::nullopt;
  }
  return parse_template_text(ss.str(), path, diags);
}

}  // namespace vpclab::tmpl
