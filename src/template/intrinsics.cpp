#include "template/intrinsics.h"

#include "vocab/aws_id.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace vpclab::tmpl {
namespace {

using u128 = unsigned __int128;


std::optional<uint32_t> parse_v4(const std::string& s) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    uint32_t octet = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      octet = octet * 10 + (s[i] - '0');
      if (i - start >= 3 || octet > 255) return std::nullopt;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return std::nullopt;  // no leading zeros
    v = (v << 8) | octet;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return v;
}

std::optional<u128> parse_v6(const std::string& s) {
  if (s.size() < 2 || s.size() > 39) return std::nullopt;
  std::vector<uint32_t> head, tail;
  bool gap = false;
  size_t i = 0;
  if (s.compare(0, 2, "::") == 0) {
    gap = true;
    i = 2;
  }
  while (i < s.size()) {
    size_t start = i;
    uint32_t g = 0;
    while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) {
      if (i - start >= 4) return std::nullopt;
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
      g = g * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++i;
    }
    if (i == start) return std::nullopt;
    (gap ? tail : head).push_back(g);
    if (i == s.size()) break;
    if (s[i] != ':') return std::nullopt;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap) return std::nullopt;
      gap = true;
      ++i;
    } else if (i == s.size()) {
      return std::nullopt;  // trailing single ':'
    }
  }
  size_t n = head.size() + tail.size();
  if (gap ? n > 7 : n != 8) return std::nullopt;
  std::vector<uint32_t> groups = head;
  groups.resize(8 - tail.size(), 0);
  groups.insert(groups.end(), tail.begin(), tail.end());
  u128 v = 0;
  for (uint32_t g : groups) v = (v << 16) | g;
  return v;
}

std::string format_v4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

// RFC 5952: lowercase, no leading zeros, the longest run (>= 2) of zero groups as "::".
std::string format_v6(u128 a) {
  uint32_t g[8];
  for (int i = 7; i >= 0; --i) {
    g[i] = static_cast<uint32_t>(a & 0xffff);
    a >>= 16;
  }
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string s;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      s += "::";
      i += best_len - 1;
      continue;
    }
    if (!s.empty() && s.back() != ':') s += ':';
    snprintf(buf, sizeof buf, "%x", g[i]);
    s += buf;
  }
  return s;
}

}  // namespace

std::string base64_encode(std::string_view in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += tbl[(n >> 6) & 63];
    out += tbl[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += tbl[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool cidr_blocks(const std::string& ip_block, const std::string& count_text,
                 const std::string& bits_text, std::vector<std::string>& out, std::string& why) {
  size_t slash = ip_block.find('/');
  if (slash == std::string::npos) {
    why = "ipBlock '" + ip_block + "' is not a CIDR block (address/prefix)";
    return false;
  }
  std::string addr = ip_block.substr(0, slash);
  auto len = parse_int(ip_block.substr(slash + 1));
  bool v6 = addr.find(':') != std::string::npos;
  int width = v6 ? 128 : 32;
  u128 base = 0;
  if (v6) {
    auto a = parse_v6(addr);
    if (!a) {
      why = "ipBlock '" + ip_block + "' is not a valid IPv6 CIDR block";
      return false;
    }
    base = *a;
  } else {
    auto a = parse_v4(addr);
    if (!a) {
      why = "ipBlock '" + ip_block + "' is not a valid IPv4 CIDR block";
      return false;
    }
    base = *a;
  }
  if (!len || *len < 0 || *len > width || ip_block[slash + 1] == '+' || ip_block[slash + 1] == '-') {
    why = "ipBlock '" + ip_block + "' has an invalid prefix length";
    return false;
  }
  auto count = parse_int(count_text);
  if (!count || *count < 1 || *count > 256) {
    why = "count must be an integer from 1 to 256, got '" + count_text + "'";
    return false;
  }
  auto bits = parse_int(bits_text);
  if (!bits || *bits < 0 || *bits > width) {
    why = "cidrBits must be an integer from 0 to " + std::to_string(width) + ", got '" + bits_text + "'";
    return false;
  }
  int new_len = width - static_cast<int>(*bits);
  if (new_len < *len) {
    why = "cidrBits " + bits_text + " makes /" + std::to_string(new_len) +
          " blocks, larger than the ipBlock /" + std::to_string(*len);
    return false;
  }
  int avail_exp = new_len - static_cast<int>(*len);
  if (avail_exp < 9 && *count > (1LL << avail_exp)) {
    why = "only " + std::to_string(1LL << avail_exp) + " block(s) of /" + std::to_string(new_len) +
          " fit in " + ip_block + ", " + count_text + " requested";
    return false;
  }
  // Network address of the block.
  if (*len < width) {
    u128 host_mask = (u128(1) << (width - *len)) - 1;
    base &= ~host_mask;
  }
  if (!v6) base &= 0xffffffffu;
  out.clear();
  for (long long k = 0; k < *count; ++k) {
    u128 a = k == 0 ? base : base + (u128(k) << *bits);
    out.push_back((v6 ? format_v6(a) : format_v4(static_cast<uint32_t>(a))) + "/" +
                  std::to_string(new_len));
  }
  return true;
}

std::vector<std::string> availability_zones(const std::string& region) {
  if (region == "ap-northeast-1") return {region + "a", region + "c", region + "d"};
  if (region == "us-east-1")
    return {region + "a", region + "b", region + "c", region + "d", region + "e", region + "f"};
  return {region + "a", region + "b", region + "c"};
}

std::string stable_hex(size_t n, std::initializer_list<std::string_view> parts) {
  return aws_id::stable_hex(n, parts);  // the one id hash (vocab/aws_id.h)
}

std::optional<long long> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

}  // namespace vpclab::tmpl
