#include "vocab/aws_id.h"

namespace vpclab::aws_id {

namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr std::string_view kElbArnPrefix = "arn:aws:elasticloadbalancing:";

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// splitmix64's finalizer: spreads FNV's weak low bits over the whole word.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Replaces the first `from` of `parent` by `to` and appends "/" + id.
std::string child_arn(std::string_view parent, std::string_view from, std::string_view to, std::string_view id) {
  std::string out(parent);
  if (auto p = out.find(from); p != std::string::npos) out.replace(p, from.size(), to);
  out += '/';
  out += id;
  return out;
}

std::string after(std::string_view arn, std::string_view marker) {
  auto p = arn.find(marker);
  return p == std::string_view::npos ? std::string{} : std::string(arn.substr(p + marker.size()));
}

}  // namespace

uint64_t stable_hash(std::string_view salt, std::initializer_list<std::string_view> key, uint64_t block) {
  uint64_t h = fnv1a(kFnvOffset, salt);
  for (auto part : key) {
    h = fnv1a(h, std::to_string(part.size()));
    h = fnv1a(h, ":");
    h = fnv1a(h, part);
  }
  h = fnv1a(h, std::to_string(block));
  return mix(h);
}

std::string stable_hex(size_t n, std::initializer_list<std::string_view> key, std::string_view salt) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n);
  for (uint64_t block = 0; out.size() < n; ++block) {
    uint64_t h = stable_hash(salt, key, block);
    for (int i = 0; i < 16 && out.size() < n; ++i) out += kHex[(h >> (60 - 4 * i)) & 15];
  }
  return out;
}

std::string stable_digits(size_t n, std::initializer_list<std::string_view> key) {
  std::string out;
  out.reserve(n);
  for (uint64_t block = 0; out.size() < n; ++block) {
    uint64_t h = stable_hash("digits", key, block);
    for (int i = 0; i < 16 && out.size() < n; ++i, h /= 10) out += static_cast<char>('0' + h % 10);
  }
  if (!out.empty() && out[0] == '0') out[0] = static_cast<char>('1' + stable_hash("lead", key, 0) % 9);
  return out;
}

std::string resource_id(std::string_view prefix, std::initializer_list<std::string_view> key) {
  return std::string(prefix) + "-0" + stable_hex(16, key, prefix);
}

std::string_view load_balancer_type_short(std::string_view lb_type) {
  if (lb_type == "network") return "net";
  if (lb_type == "gateway") return "gwy";
  return "app";
}

std::string load_balancer_id(std::string_view account, std::string_view region, std::string_view name) {
  return stable_hex(16, {account, region, "lb", name});
}

std::string target_group_id(std::string_view account, std::string_view region, std::string_view name) {
  return stable_hex(16, {account, region, "tg", name});
}

std::string load_balancer_arn(std::string_view region, std::string_view account, std::string_view lb_type,
                              std::string_view name, std::string_view id) {
  std::string out(kElbArnPrefix);
  out.append(region).append(":").append(account).append(":loadbalancer/");
  out.append(load_balancer_type_short(lb_type)).append("/").append(name).append("/");
  out += id.empty() ? load_balancer_id(account, region, name) : std::string(id);
  return out;
}

std::string target_group_arn(std::string_view region, std::string_view account, std::string_view name,
                             std::string_view id) {
  std::string out(kElbArnPrefix);
  out.append(region).append(":").append(account).append(":targetgroup/").append(name).append("/");
  out += id.empty() ? target_group_id(account, region, name) : std::string(id);
  return out;
}

std::string listener_arn(std::string_view load_balancer_arn, std::string_view listener_id) {
  return child_arn(load_balancer_arn, ":loadbalancer/", ":listener/", listener_id);
}

std::string listener_rule_arn(std::string_view listener_arn, std::string_view rule_id) {
  return child_arn(listener_arn, ":listener/", ":listener-rule/", rule_id);
}

std::string load_balancer_full_name(std::string_view arn) { return after(arn, ":loadbalancer/"); }

std::string target_group_full_name(std::string_view arn) {
  std::string rest = after(arn, ":targetgroup/");
  return rest.empty() ? rest : "targetgroup/" + rest;
}

}  // namespace vpclab::aws_id
