#include "dataplane/alb/stickiness.h"

#include "dataplane/http/message.h"

namespace vpclab::dataplane::alb {

namespace {

constexpr uint64_t kGroupTag = 0x7467;       // "tg"
constexpr uint32_t kTargetTagBase = 0x10000;  // + group index

std::string encode(uint64_t key, uint64_t payload) {
  std::string v;
  http::append_hex(v, payload ^ key, 16);
  return v;
}

std::optional<uint64_t> decode(uint64_t key, std::string_view v) {
  if (v.size() != 16) return std::nullopt;
  uint64_t x = 0;
  for (char c : v) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return std::nullopt;
    x = x << 4 | static_cast<uint64_t>(d);
  }
  return x ^ key;
}

}  // namespace

std::string_view find_cookie(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t semi = header.find(';', pos);
    if (semi == std::string_view::npos) semi = header.size();
    std::string_view item = header.substr(pos, semi - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    pos = semi + 1;
  }
  return {};
}

std::string target_cookie_value(uint64_t key, size_t group, uint32_t uid) {
  return encode(key, (uint64_t{kTargetTagBase + group} << 32) | uid);
}

std::optional<uint32_t> target_from_cookie(uint64_t key, size_t group, std::string_view value) {
  auto x = decode(key, value);
  if (!x || (*x >> 32) != kTargetTagBase + group) return std::nullopt;
  return static_cast<uint32_t>(*x);
}

std::string group_cookie_value(uint64_t key, size_t group) { return encode(key, (kGroupTag << 32) | group); }

std::optional<uint32_t> group_from_cookie(uint64_t key, std::string_view value) {
  auto x = decode(key, value);
  if (!x || (*x >> 32) != kGroupTag) return std::nullopt;
  return static_cast<uint32_t>(*x);
}

void append_set_cookie(std::string& h, std::string_view name, std::string_view value, std::string_view expires,
                       bool cors) {
  h += "Set-Cookie: ";
  h += name;
  h += '=';
  h += value;
  h += "; Expires=";
  h += expires;
  h += cors ? "; Path=/; SameSite=None; Secure\r\n" : "; Path=/\r\n";
}

}  // namespace vpclab::dataplane::alb
