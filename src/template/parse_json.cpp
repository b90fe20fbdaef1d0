// JSON text -> Value, directly: the same tree (and the same line:col) the
// libyaml path builds for JSON input, about three times faster, which is
// what a 1,000-VPC Terraform plan (15 MB) needs to stay within `check`'s
// budget. Anything it does not take as it is (malformed JSON, duplicate
// keys, escapes libyaml refuses, nesting or size limits) returns nullopt and the libyaml path parses
// the text and reports the problem, so diagnostics do not change.
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "template/engine.h"

namespace vpclab::tmpl {
namespace {

constexpr size_t kMaxDepth = 200;        // as parse.cpp
constexpr size_t kMaxNodes = 4'000'000;

class JsonReader {
 public:
  JsonReader(std::string_view text, const char* file) : s_(text), file_(file) {}

  std::optional<Value> run() {
    skip_ws();
    Value v;
    if (!value(v, 0)) return std::nullopt;
    skip_ws();
    if (i_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  std::string_view s_;
  const char* file_;
  size_t i_ = 0;
  size_t nodes_ = 0;
  // Columns count characters (UTF-8 continuation bytes do not), as libyaml's
  // marks do; kept incrementally since the reader only moves forward.
  size_t mark_pos_ = 0;
  uint32_t line_ = 1, col_ = 1;

  SourceLoc here() {
    for (; mark_pos_ < i_; ++mark_pos_) {
      unsigned char c = static_cast<unsigned char>(s_[mark_pos_]);
      if (c == '\n') {
        ++line_;
        col_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++col_;
      }
    }
    return SourceLoc{file_, line_, col_};
  }

  void skip_ws() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++i_;
    }
  }

  bool value(Value& out, size_t depth) {
    if (i_ >= s_.size() || depth > kMaxDepth || ++nodes_ > kMaxNodes) return false;
    char c = s_[i_];
    SourceLoc l = here();
    if (c == '{') return object(out, depth, l);
    if (c == '[') return array(out, depth, l);
    if (c == '"') {
      std::string str;
      if (!string(str)) return false;
      out = Value::string(std::move(str), l);
      return true;
    }
    if (s_.compare(i_, 4, "true") == 0) {
      i_ += 4;
      out = Value::boolean(true, l);
      return true;
    }
    if (s_.compare(i_, 5, "false") == 0) {
      i_ += 5;
      out = Value::boolean(false, l);
      return true;
    }
    if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
      out = Value::null(l);
      return true;
    }
    return number(out, l);
  }

  bool number(Value& out, SourceLoc l) {
    size_t start = i_;
    auto digits = [&] {
      size_t n = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_, ++n;
      return n;
    };
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (digits() == 0) {
      return false;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (digits() == 0) return false;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (digits() == 0) return false;
    }
    if (i_ - start > 64) return false;  // parse.cpp types longer plain scalars as strings
    out = Value::number(std::string(s_.substr(start, i_ - start)), l);
    return true;
  }

  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t& cp) {
    if (i_ + 4 > s_.size()) return false;
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      cp <<= 4;
      if (c >= '0' && c <= '9') cp |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') cp |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') cp |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }

  bool string(std::string& out) {
    ++i_;  // opening quote
    size_t run = i_;
    while (true) {
      if (i_ >= s_.size()) return false;
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        out.append(s_.data() + run, i_ - run);
        ++i_;
        return true;
      }
      if (c < 0x20) return false;  // control characters: let libyaml judge
      if (c != '\\') {
        ++i_;
        continue;
      }
      out.append(s_.data() + run, i_ - run);
      if (++i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          // libyaml refuses UTF-16 surrogate escapes (and \u0000): so does this path.
          if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) return false;
          utf8(out, cp);
          break;
        }
        default:
          return false;
      }
      run = i_;
    }
  }

  bool array(Value& out, size_t depth, SourceLoc l) {
    ++i_;
    Value::List items;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      out = Value::list(std::move(items), l);
      return true;
    }
    while (true) {
      skip_ws();
      items.emplace_back();
      if (!value(items.back(), depth + 1)) return false;
      skip_ws();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] != ']') return false;
      ++i_;
      out = Value::list(std::move(items), l);
      return true;
    }
  }

  bool object(Value& out, size_t depth, SourceLoc l) {
    ++i_;
    Value::Map entries;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      out = Value::map(std::move(entries), l);
      return true;
    }
    std::unordered_set<std::string_view> seen;
    while (true) {
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != '"') return false;
      SourceLoc kl = here();
      std::string key;
      if (!string(key)) return false;
      ++nodes_;
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != ':') return false;
      ++i_;
      skip_ws();
      entries.push_back({{std::move(key), kl}, Value()});
      if (!value(entries.back().second, depth + 1)) return false;
      skip_ws();
      if (i_ >= s_.size()) return false;
      char c = s_[i_++];
      if (c == ',') continue;
      if (c != '}') return false;
      break;
    }
    // A duplicate key is the libyaml path's error to report.
    if (entries.size() <= 32) {
      for (size_t a = 0; a < entries.size(); ++a)
        for (size_t b = a + 1; b < entries.size(); ++b)
          if (entries[a].first.first == entries[b].first.first) return false;
    } else {
      for (const auto& e : entries)
        if (!seen.insert(e.first.first).second) return false;
    }
    out = Value::map(std::move(entries), l);
    return true;
  }
};

}  // namespace

std::optional<Value> parse_json_text(std::string_view text, const char* file) {
  return JsonReader(text, file).run();
}

}  // namespace vpclab::tmpl
