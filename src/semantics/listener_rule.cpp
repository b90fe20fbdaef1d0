#include "semantics/listener_rule.h"

#include <cassert>

namespace vpclab::semantics {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool chars_equal(char a, char b, bool ci) { return ci ? lower(a) == lower(b) : a == b; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text, bool ci) {
  // Greedy matching with one backtrack point (the last '*'): linear in
  // practice, never exponential.
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      size_t step = 1;
      bool literal = false;
      if (pc == '\\' && p + 1 < pattern.size()) {
        pc = pattern[p + 1];
        step = 2;
        literal = true;
      }
      if (!literal && pc == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if ((!literal && pc == '?') || chars_equal(pc, text[t], ci)) {
        p += step;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return host;
  return host.substr(0, colon);
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

namespace {

bool any_value_matches(const std::vector<std::string>& values, std::string_view text, bool ci) {
  for (const auto& v : values)
    if (wildcard_match(v, text, ci)) return true;
  return false;
}

bool query_matches(const std::vector<alb::QueryStringPair>& pairs, std::string_view query) {
  // Decode each "k=v" once, then try every configured pair against it.
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view item = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) {
      if (amp == query.size()) break;
      continue;
    }
    size_t eq = item.find('=');
    std::string key = url_decode(item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : url_decode(item.substr(eq + 1));
    for (const auto& qp : pairs) {
      if (qp.key && !wildcard_match(*qp.key, key, true)) continue;
      if (wildcard_match(qp.value, value, true)) return true;
    }
    if (amp == query.size()) break;
  }
  return false;
}

}  // namespace

bool condition_matches(const alb::RuleCondition& c, const HttpRequestView& req) {
  switch (c.field) {
    case alb::ConditionField::kHostHeader:
      return any_value_matches(c.values, host_without_port(req.host), true);
    case alb::ConditionField::kPathPattern:
      return any_value_matches(c.values, req.path, false);
    case alb::ConditionField::kHttpHeader:
      for (const auto& [name, value] : req.headers)
        if (iequals(name, c.header_name) && any_value_matches(c.values, value, true)) return true;
      return false;
    case alb::ConditionField::kHttpRequestMethod:
      for (const auto& v : c.values)
        if (v == req.method) return true;
      return false;
    case alb::ConditionField::kQueryString:
      return query_matches(c.query, req.query);
    case alb::ConditionField::kSourceIp:
      for (const auto& cidr : c.source_cidrs)
        if (cidr.contains(req.source_ip)) return true;
      return false;
  }
  return false;
}

bool rule_matches(const alb::ListenerRule& rule, const HttpRequestView& req) {
  for (const auto& c : rule.conditions)
    if (!condition_matches(c, req)) return false;
  return true;
}

const alb::ListenerRule& select_rule(const std::vector<alb::ListenerRule>& rules,
                                     const alb::ListenerRule& default_rule,
                                     const HttpRequestView& req) {
  for (const auto& r : rules) {
    assert(r.priority != 0 && "the default rule is passed separately");
    if (rule_matches(r, req)) return r;
  }
  return default_rule;
}

}  // namespace vpclab::semantics
