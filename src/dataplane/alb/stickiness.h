// Stickiness cookies (aws-alb.md section 3; docs: sticky-sessions):
// AWSALB/AWSALBCORS (lb_cookie, duration-based), AWSALBAPP-0 (app_cookie,
// following the application's own cookie) name a target; AWSALBTG/
// AWSALBTGCORS (group stickiness of a weighted forward) name a target
// group. Values are opaque to clients: 16 hex digits of a payload XORed
// with a per-engine key, so a cookie from another engine names nothing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpclab::dataplane::alb {

inline constexpr std::string_view kLbCookie = "AWSALB";
inline constexpr std::string_view kLbCookieCors = "AWSALBCORS";
inline constexpr std::string_view kAppCookie = "AWSALBAPP-0";
inline constexpr std::string_view kGroupCookie = "AWSALBTG";
inline constexpr std::string_view kGroupCookieCors = "AWSALBTGCORS";

// The value of cookie `name` in a Cookie header value; empty when absent.
std::string_view find_cookie(std::string_view cookie_header, std::string_view name);

// A target of target group `group` (its index in the engine).
std::string target_cookie_value(uint64_t key, size_t group, uint32_t target_uid);
// The target uid a cookie value names, when it names one of `group`.
std::optional<uint32_t> target_from_cookie(uint64_t key, size_t group, std::string_view value);

// A target group (group stickiness).
std::string group_cookie_value(uint64_t key, size_t group);
std::optional<uint32_t> group_from_cookie(uint64_t key, std::string_view value);

// "Set-Cookie: NAME=VALUE; Expires=DATE; Path=/\r\n" and, for a CORS
// companion, the same with "; SameSite=None; Secure".
void append_set_cookie(std::string& head, std::string_view name, std::string_view value, std::string_view expires,
                       bool cors);

}  // namespace vpclab::dataplane::alb
