// Application Load Balancer configuration as plain values: what the model
// stores, what the analyzer asks about, and what the ALB engine runs.
// Defaults are AWS's (../shared/reference/aws-alb.md).
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vocab/ip.h"
#include "vocab/source_loc.h"

namespace vpclab::alb {

enum class ConditionField {
  kHostHeader,         // case-insensitive, wildcards * ?
  kPathPattern,        // case-sensitive, path only
  kHttpHeader,         // name and value case-insensitive, wildcards
  kHttpRequestMethod,  // case-sensitive exact
  kQueryString,        // key/value pairs, case-insensitive, wildcards
  kSourceIp,           // CIDRs against the TCP peer address
};
const char* condition_field_name(ConditionField f);  // "host-header", ...
std::optional<ConditionField> parse_condition_field(std::string_view name);

struct QueryStringPair {
  std::optional<std::string> key;  // absent: any key
  std::string value;
};

// One condition; its values are ORed, a rule's conditions ANDed.
struct RuleCondition {
  ConditionField field = ConditionField::kPathPattern;
  std::string header_name;               // http-header only
  std::vector<std::string> values;       // host, path, header, method patterns
  std::vector<QueryStringPair> query;    // query-string only
  std::vector<Ipv4Cidr> source_cidrs;    // source-ip only
};

enum class ActionType { kForward, kRedirect, kFixedResponse, kAuthenticateOidc, kAuthenticateCognito };
const char* action_type_name(ActionType t);  // "forward", "redirect", "fixed-response", ...
std::optional<ActionType> parse_action_type(std::string_view name);

// The settings AWS takes as strings from a fixed set, typed. Each has a
// parse (nullopt for anything else, case-sensitive as the API is) and a
// name (the API's spelling). The attribute structs below hold the enums:
// each reader parses the text once (semantics/alb_settings checks it), and
// every writer spells it back with enum_name.
enum class LoadBalancingAlgorithm { kRoundRobin, kLeastOutstandingRequests, kWeightedRandom };
enum class StickinessType { kLbCookie, kAppCookie };
enum class CrossZone { kTrue, kFalse, kUseLoadBalancerConfiguration };
enum class XffProcessingMode { kAppend, kPreserve, kRemove };
enum class DesyncMitigationMode { kMonitor, kDefensive, kStrictest };
enum class RedirectStatus { kHttp301, kHttp302 };
// Resource properties of the ELBv2 API (the model keeps them as text).
enum class LoadBalancerType { kApplication, kNetwork, kGateway };
enum class LoadBalancerScheme { kInternetFacing, kInternal };
enum class TargetType { kInstance, kIp, kLambda, kAlb };

// name <-> value tables, one per enum (alb.cpp); the order is the API's.
template <typename E>
struct EnumTable;
#define VPCLAB_ENUM_TABLE(E, N)                                                  \
  template <>                                                                   \
  struct EnumTable<E> {                                                         \
    static const std::array<std::pair<E, std::string_view>, N> entries;         \
  };
VPCLAB_ENUM_TABLE(ConditionField, 6)
VPCLAB_ENUM_TABLE(ActionType, 5)
VPCLAB_ENUM_TABLE(LoadBalancingAlgorithm, 3)
VPCLAB_ENUM_TABLE(StickinessType, 2)
VPCLAB_ENUM_TABLE(CrossZone, 3)
VPCLAB_ENUM_TABLE(XffProcessingMode, 3)
VPCLAB_ENUM_TABLE(DesyncMitigationMode, 3)
VPCLAB_ENUM_TABLE(RedirectStatus, 2)
VPCLAB_ENUM_TABLE(LoadBalancerType, 3)
VPCLAB_ENUM_TABLE(LoadBalancerScheme, 2)
VPCLAB_ENUM_TABLE(TargetType, 4)
#undef VPCLAB_ENUM_TABLE

template <typename E>
std::optional<E> parse_enum(std::string_view text) {
  for (const auto& [v, n] : EnumTable<E>::entries)
    if (n == text) return v;
  return std::nullopt;
}
template <typename E>
std::string_view enum_name(E value) {
  for (const auto& [v, n] : EnumTable<E>::entries)
    if (v == value) return n;
  return "?";
}
// "a, b or c": the allowed values, for messages.
template <typename E>
std::string enum_choices() {
  std::string out;
  const auto& e = EnumTable<E>::entries;
  for (size_t i = 0; i < e.size(); ++i) {
    if (i) out += i + 1 == e.size() ? " or " : ", ";
    out += e[i].second;
  }
  return out;
}

// HTTP_301 -> 301, HTTP_302 -> 302.
int redirect_status_code(RedirectStatus s);

struct WeightedTargetGroup {
  std::string target_group_arn;
  int weight = 1;  // 0..999
};

struct RedirectConfig {
  std::string protocol = "#{protocol}";
  std::string host = "#{host}";
  std::string port = "#{port}";
  std::string path = "/#{path}";
  std::string query = "#{query}";
  int status_code = 301;  // HTTP_301 or HTTP_302 (RedirectStatus)
};

struct FixedResponseConfig {
  int status_code = 200;
  std::string content_type;  // may be empty
  std::string body;          // <= 1024 chars
};

struct Action {
  ActionType type = ActionType::kForward;
  int order = 0;
  std::vector<WeightedTargetGroup> target_groups;  // forward
  bool group_stickiness = false;                   // forward: AWSALBTG cookie
  int group_stickiness_seconds = 3600;
  RedirectConfig redirect;
  FixedResponseConfig fixed_response;
};

struct ListenerRule {
  std::string arn;
  int priority = 0;  // 1..50000; 0 = the listener's default rule (evaluated last)
  std::vector<RuleCondition> conditions;
  std::vector<Action> actions;  // ordered; exactly one terminal action, last
  SourceLoc loc;
};

struct HealthCheck {
  bool enabled = true;
  std::string protocol = "HTTP";
  std::string port = "traffic-port";  // or a number
  std::string path = "/";
  int interval_seconds = 30;
  int timeout_seconds = 5;
  int healthy_threshold = 5;
  int unhealthy_threshold = 2;
  std::string matcher = "200";  // "200", "200,202", "200-299"
};

struct TargetGroupAttributes {
  int deregistration_delay_seconds = 300;
  int slow_start_seconds = 0;
  LoadBalancingAlgorithm algorithm = LoadBalancingAlgorithm::kRoundRobin;
  bool stickiness_enabled = false;
  StickinessType stickiness_type = StickinessType::kLbCookie;
  int lb_cookie_duration_seconds = 86400;
  std::string app_cookie_name;
  int app_cookie_duration_seconds = 86400;
  CrossZone cross_zone = CrossZone::kUseLoadBalancerConfiguration;
  // Network Load Balancer target groups (semantics/network_load_balancer.h
  // decides the effective values): absent = AWS's default for the target type.
  std::optional<bool> preserve_client_ip;
  bool proxy_protocol_v2 = false;
};

struct LoadBalancerAttributes {
  int idle_timeout_seconds = 60;
  XffProcessingMode xff_header_processing_mode = XffProcessingMode::kAppend;
  bool xff_client_port = false;
  bool preserve_host_header = false;
  bool drop_invalid_header_fields = false;
  DesyncMitigationMode desync_mitigation_mode = DesyncMitigationMode::kDefensive;
  bool http2_enabled = true;
  // load_balancing.cross_zone.enabled: always on for an ALB; for an NLB
  // absent = AWS's default, off (semantics/network_load_balancer.h).
  std::optional<bool> cross_zone;
};

}  // namespace vpclab::alb
