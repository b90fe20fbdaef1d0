// ALB limits and allowed values, as AWS documents them (aws-alb.md sections
// 2-4; docs: load-balancer-limits, API_LoadBalancerAttribute,
// API_TargetGroupAttribute, API_CreateTargetGroup, API_Action, API_Rule,
// API_RedirectActionConfig, API_FixedResponseActionConfig). Every reader of
// ALB settings (CloudFormation template, AWS CLI snapshot, `vpclab alb
// --config`) checks values here and turns the message into a diagnostic at
// its own source location; nothing else spells a limit.
//
// Messages name what is wrong and what is allowed, without the place
// ("must be between 1 and 4000", "expected append, preserve or remove"):
// the caller prefixes the file, the key or the property.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vocab/alb.h"

namespace vpclab::semantics {

// Numeric settings with a documented range.
enum class AlbNumber {
  kRulePriority,                // 1-50000 (0 is the default rule, not written)
  kRulesPerListener,            // 100 (default quota, rules besides the default)
  kListenersPerLoadBalancer,    // 50
  kTargetGroupsPerForward,      // 1-5
  kTargetGroupWeight,           // 0-999
  kGroupStickinessSeconds,      // 1-604800
  kConditionValuesPerRule,      // 5
  kWildcardsPerRule,            // 5
  kPort,                        // 1-65535 (listener, target group, target, health check)
  kIdleTimeoutSeconds,          // 1-4000
  kDeregistrationDelaySeconds,  // 0-3600
  kSlowStartSeconds,            // 0 (off) or 30-900
  kLbCookieDurationSeconds,     // 1-604800
  kAppCookieDurationSeconds,    // 1-604800
  kHealthCheckIntervalSeconds,  // 5-300
  kHealthCheckTimeoutSeconds,   // 2-120
  kHealthyThresholdCount,       // 2-10
  kUnhealthyThresholdCount,     // 2-10
  kFixedResponseStatusCode,     // 2XX, 4XX, 5XX
  kFixedResponseBodyLength,     // 0-1024 characters
  kRedirectComponentLength,     // host, path, query: 0-128 characters
};

struct AlbNumberLimit {
  AlbNumber number;
  const char* name;  // AWS's name: "idle_timeout.timeout_seconds", "HealthCheckIntervalSeconds", ...
  int64_t min, max;
};
const AlbNumberLimit& alb_limit(AlbNumber n);

// nullopt when `value` is allowed for `n`.
std::optional<std::string> check_alb_number(AlbNumber n, int64_t value);

// One attribute (key and value as the API takes them, both strings) of a
// load balancer or a target group. nullopt when valid. An unknown key gives
// "unknown load balancer attribute" / "unknown target group attribute";
// `known_alb_*_attribute` tells whether a key is one AWS has (an attribute
// vpclab does not act on, e.g. access_logs.s3.enabled, is known).
std::optional<std::string> check_load_balancer_attribute(std::string_view key, std::string_view value);
std::optional<std::string> check_target_group_attribute(std::string_view key, std::string_view value);
bool known_load_balancer_attribute(std::string_view key);
// Check one attribute and, when valid, store it in `a` (a known key vpclab
// does not act on is only checked). The message of the check when not.
std::optional<std::string> set_load_balancer_attribute(alb::LoadBalancerAttributes& a, std::string_view key,
                                                       std::string_view value);
std::optional<std::string> set_target_group_attribute(alb::TargetGroupAttributes& a, std::string_view key,
                                                      std::string_view value);
// source_ip, source_ip_dest_ip, source_ip_dest_ip_proto: stickiness types of
// Network and Gateway Load Balancer target groups, which the ALB engine does
// not run (a reader of any target group accepts them and keeps lb_cookie).
bool network_stickiness_type(std::string_view value);
bool known_target_group_attribute(std::string_view key);

// A problem of a whole object: `key` is the attribute key or API field the
// message is about ("stickiness.app_cookie.cookie_name", "Path", ...).
struct AlbSettingProblem {
  std::string key;
  std::string message;
};

// Every attribute value and the rules that join two of them (app_cookie
// stickiness needs a cookie name; no slow start with
// least_outstanding_requests). Seconds are checked as written in the
// struct, so a caller with a finer unit checks those itself.
std::vector<AlbSettingProblem> check_load_balancer_attributes(const alb::LoadBalancerAttributes& a);
std::vector<AlbSettingProblem> check_target_group_attributes(const alb::TargetGroupAttributes& a);
// Only the rules that join two attributes (part of the above), for a reader
// that checked each value on its own with check_target_group_attribute.
std::vector<AlbSettingProblem> check_target_group_attribute_rules(const alb::TargetGroupAttributes& a);
// Keys: "HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath",
// "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
// "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher"; and the
// timeout must be shorter than the interval.
std::vector<AlbSettingProblem> check_health_check(const alb::HealthCheck& hc);
// Keys: "Protocol", "Port", "Host", "Path", "Query", "StatusCode"; HTTPS to
// HTTP is refused; a redirect that changes none of protocol, host, port and
// path loops (refused). `listener_protocol`: "HTTP" or "HTTPS".
std::vector<AlbSettingProblem> check_redirect(const alb::RedirectConfig& r, std::string_view listener_protocol);
// Keys: "StatusCode", "ContentType", "MessageBody".
std::vector<AlbSettingProblem> check_fixed_response(const alb::FixedResponseConfig& f);

}  // namespace vpclab::semantics
