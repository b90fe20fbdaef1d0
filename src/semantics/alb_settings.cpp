#include "semantics/alb_settings.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "semantics/target_health.h"

namespace vpclab::semantics {

namespace {

// The table: one row per limit, in AlbNumber's order.
constexpr std::array<AlbNumberLimit, 21> kLimits = {{
    {AlbNumber::kRulePriority, "Priority", 1, 50000},
    {AlbNumber::kRulesPerListener, "rules per listener", 0, 100},
    {AlbNumber::kListenersPerLoadBalancer, "listeners per load balancer", 1, 50},
    {AlbNumber::kTargetGroupsPerForward, "target groups per forward action", 1, 5},
    {AlbNumber::kTargetGroupWeight, "Weight", 0, 999},
    {AlbNumber::kGroupStickinessSeconds, "TargetGroupStickinessConfig.DurationSeconds", 1, 604800},
    {AlbNumber::kConditionValuesPerRule, "condition values per rule", 1, 5},
    {AlbNumber::kWildcardsPerRule, "wildcards per rule", 0, 5},
    {AlbNumber::kPort, "Port", 1, 65535},
    {AlbNumber::kIdleTimeoutSeconds, "idle_timeout.timeout_seconds", 1, 4000},
    {AlbNumber::kDeregistrationDelaySeconds, "deregistration_delay.timeout_seconds", 0, 3600},
    {AlbNumber::kSlowStartSeconds, "slow_start.duration_seconds", 30, 900},  // or 0
    {AlbNumber::kLbCookieDurationSeconds, "stickiness.lb_cookie.duration_seconds", 1, 604800},
    {AlbNumber::kAppCookieDurationSeconds, "stickiness.app_cookie.duration_seconds", 1, 604800},
    {AlbNumber::kHealthCheckIntervalSeconds, "HealthCheckIntervalSeconds", 5, 300},
    {AlbNumber::kHealthCheckTimeoutSeconds, "HealthCheckTimeoutSeconds", 2, 120},
    {AlbNumber::kHealthyThresholdCount, "HealthyThresholdCount", 2, 10},
    {AlbNumber::kUnhealthyThresholdCount, "UnhealthyThresholdCount", 2, 10},
    {AlbNumber::kFixedResponseStatusCode, "FixedResponseConfig.StatusCode", 200, 599},  // not 3XX
    {AlbNumber::kFixedResponseBodyLength, "FixedResponseConfig.MessageBody", 0, 1024},
    {AlbNumber::kRedirectComponentLength, "RedirectConfig component", 0, 128},
}};

std::string quoted(std::string_view v) {
  std::string s;
  s.reserve(v.size() + 2);
  s += '\'';
  s.append(v);
  s += '\'';
  return s;
}

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> check_number_text(AlbNumber n, std::string_view v) {
  auto x = to_int(v);
  if (!x) return quoted(v) + " is not an integer";
  return check_alb_number(n, *x);
}

std::optional<std::string> check_bool_text(std::string_view v) {
  if (v == "true" || v == "false") return std::nullopt;
  return quoted(v) + " is not true or false";
}

template <typename E>
std::optional<std::string> check_enum_text(std::string_view v) {
  if (alb::parse_enum<E>(v)) return std::nullopt;
  return quoted(v) + " is not " + alb::enum_choices<E>();
}

using Check = std::optional<std::string> (*)(std::string_view);

struct AttributeRule {
  std::string_view key;
  Check check;  // nullptr: known to AWS, not acted on by vpclab (any value)
};

const AttributeRule kLoadBalancerAttributes[] = {
    {"idle_timeout.timeout_seconds", [](std::string_view v) { return check_number_text(AlbNumber::kIdleTimeoutSeconds, v); }},
    {"routing.http.xff_header_processing.mode", check_enum_text<alb::XffProcessingMode>},
    {"routing.http.xff_client_port.enabled", check_bool_text},
    {"routing.http.preserve_host_header.enabled", check_bool_text},
    {"routing.http.drop_invalid_header_fields.enabled", check_bool_text},
    {"routing.http.desync_mitigation_mode", check_enum_text<alb::DesyncMitigationMode>},
    {"routing.http2.enabled", check_bool_text},
    {"deletion_protection.enabled", check_bool_text},
    {"load_balancing.cross_zone.enabled", check_bool_text},
    {"waf.fail_open.enabled", check_bool_text},
    {"access_logs.s3.enabled", check_bool_text},
    {"access_logs.s3.bucket", nullptr},
    {"access_logs.s3.prefix", nullptr},
    {"connection_logs.s3.enabled", check_bool_text},
    {"connection_logs.s3.bucket", nullptr},
    {"connection_logs.s3.prefix", nullptr},
    {"health_check_logs.s3.enabled", check_bool_text},
    {"health_check_logs.s3.bucket", nullptr},
    {"health_check_logs.s3.prefix", nullptr},
    {"routing.http.x_amzn_tls_version_and_cipher_suite.enabled", check_bool_text},
    {"routing.http.x_amzn_mtls_clientcert_serial_number.header_name", nullptr},
    {"client_keep_alive.seconds", nullptr},
    {"zonal_shift.config.enabled", check_bool_text},
    {"ipv6.deny_all_igw_traffic", check_bool_text},
    {"dns_record.client_routing_policy", nullptr},
    {"secondary_ips.auto_assigned.per_subnet", nullptr},
};

const AttributeRule kTargetGroupAttributes[] = {
    {"deregistration_delay.timeout_seconds",
     [](std::string_view v) { return check_number_text(AlbNumber::kDeregistrationDelaySeconds, v); }},
    {"slow_start.duration_seconds", [](std::string_view v) { return check_number_text(AlbNumber::kSlowStartSeconds, v); }},
    {"load_balancing.algorithm.type", check_enum_text<alb::LoadBalancingAlgorithm>},
    {"load_balancing.algorithm.anomaly_mitigation",
     [](std::string_view v) -> std::optional<std::string> {
       if (v == "on" || v == "off") return std::nullopt;
       return quoted(v) + " is not on or off";
     }},
    {"load_balancing.cross_zone.enabled", check_enum_text<alb::CrossZone>},
    {"stickiness.enabled", check_bool_text},
    {"stickiness.type", check_enum_text<alb::StickinessType>},
    {"stickiness.lb_cookie.duration_seconds",
     [](std::string_view v) { return check_number_text(AlbNumber::kLbCookieDurationSeconds, v); }},
    {"stickiness.app_cookie.cookie_name", nullptr},
    {"stickiness.app_cookie.duration_seconds",
     [](std::string_view v) { return check_number_text(AlbNumber::kAppCookieDurationSeconds, v); }},
    {"lambda.multi_value_headers.enabled", check_bool_text},
    {"preserve_client_ip.enabled", check_bool_text},
    {"proxy_protocol_v2.enabled", check_bool_text},
    {"connection_termination.enabled", check_bool_text},
    {"deregistration_delay.connection_termination.enabled", check_bool_text},
    {"target_group_health.dns_failover.minimum_healthy_targets.count", nullptr},
    {"target_group_health.dns_failover.minimum_healthy_targets.percentage", nullptr},
    {"target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", nullptr},
    {"target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", nullptr},
    {"target_health_state.unhealthy.connection_termination.enabled", check_bool_text},
    {"target_health_state.unhealthy.draining_interval_seconds", nullptr},
    {"target_failover.on_deregistration", nullptr},
    {"target_failover.on_unhealthy", nullptr},
};

template <size_t N>
const AttributeRule* find_rule(const AttributeRule (&rules)[N], std::string_view key) {
  for (const auto& r : rules)
    if (r.key == key) return &r;
  return nullptr;
}

void add(std::vector<AlbSettingProblem>& out, std::string key, std::optional<std::string> msg) {
  if (msg) out.push_back({std::move(key), std::move(*msg)});
}

}  // namespace

const AlbNumberLimit& alb_limit(AlbNumber n) { return kLimits[static_cast<size_t>(n)]; }

std::optional<std::string> check_alb_number(AlbNumber n, int64_t v) {
  const AlbNumberLimit& l = alb_limit(n);
  switch (n) {
    case AlbNumber::kSlowStartSeconds:
      if (v == 0 || (v >= l.min && v <= l.max)) return std::nullopt;
      return "must be 0 (off) or between 30 and 900";
    case AlbNumber::kFixedResponseStatusCode:
      if (v >= l.min && v <= l.max && !(v >= 300 && v < 400)) return std::nullopt;
      return "must be 2XX, 4XX or 5XX";
    case AlbNumber::kRulesPerListener:
    case AlbNumber::kListenersPerLoadBalancer:
    case AlbNumber::kConditionValuesPerRule:
    case AlbNumber::kWildcardsPerRule:
    case AlbNumber::kTargetGroupsPerForward:
      if (v >= l.min && v <= l.max) return std::nullopt;
      return std::string("at most ") + std::to_string(l.max) + " " + l.name + (v < l.min ? " and at least " + std::to_string(l.min) : "");
    case AlbNumber::kFixedResponseBodyLength:
    case AlbNumber::kRedirectComponentLength:
      if (v <= l.max) return std::nullopt;
      return "at most " + std::to_string(l.max) + " characters";
    default:
      if (v >= l.min && v <= l.max) return std::nullopt;
      return "must be between " + std::to_string(l.min) + " and " + std::to_string(l.max);
  }
}

std::optional<std::string> check_load_balancer_attribute(std::string_view key, std::string_view value) {
  const AttributeRule* r = find_rule(kLoadBalancerAttributes, key);
  if (!r) return "unknown load balancer attribute '" + std::string(key) + "'";
  return r->check ? r->check(value) : std::nullopt;
}

std::optional<std::string> check_target_group_attribute(std::string_view key, std::string_view value) {
  const AttributeRule* r = find_rule(kTargetGroupAttributes, key);
  if (!r) return "unknown target group attribute '" + std::string(key) + "'";
  return r->check ? r->check(value) : std::nullopt;
}

bool known_load_balancer_attribute(std::string_view key) { return find_rule(kLoadBalancerAttributes, key); }
bool known_target_group_attribute(std::string_view key) { return find_rule(kTargetGroupAttributes, key); }

bool network_stickiness_type(std::string_view v) {
  return v == "source_ip" || v == "source_ip_dest_ip" || v == "source_ip_dest_ip_proto";
}

std::optional<std::string> set_load_balancer_attribute(alb::LoadBalancerAttributes& a, std::string_view k,
                                                       std::string_view v) {
  if (auto msg = check_load_balancer_attribute(k, v)) return msg;
  if (k == "idle_timeout.timeout_seconds") a.idle_timeout_seconds = static_cast<int>(*to_int(v));
  else if (k == "routing.http.xff_header_processing.mode") a.xff_header_processing_mode = *alb::parse_enum<alb::XffProcessingMode>(v);
  else if (k == "routing.http.xff_client_port.enabled") a.xff_client_port = v == "true";
  else if (k == "routing.http.preserve_host_header.enabled") a.preserve_host_header = v == "true";
  else if (k == "routing.http.drop_invalid_header_fields.enabled") a.drop_invalid_header_fields = v == "true";
  else if (k == "routing.http.desync_mitigation_mode") a.desync_mitigation_mode = *alb::parse_enum<alb::DesyncMitigationMode>(v);
  else if (k == "routing.http2.enabled") a.http2_enabled = v == "true";
  else if (k == "load_balancing.cross_zone.enabled") a.cross_zone = v == "true";
  return std::nullopt;
}

std::optional<std::string> set_target_group_attribute(alb::TargetGroupAttributes& a, std::string_view k,
                                                      std::string_view v) {
  if (k == "stickiness.type" && network_stickiness_type(v)) return std::nullopt;
  if (auto msg = check_target_group_attribute(k, v)) return msg;
  if (k == "deregistration_delay.timeout_seconds") a.deregistration_delay_seconds = static_cast<int>(*to_int(v));
  else if (k == "slow_start.duration_seconds") a.slow_start_seconds = static_cast<int>(*to_int(v));
  else if (k == "load_balancing.algorithm.type") a.algorithm = *alb::parse_enum<alb::LoadBalancingAlgorithm>(v);
  else if (k == "stickiness.enabled") a.stickiness_enabled = v == "true";
  else if (k == "stickiness.type") a.stickiness_type = *alb::parse_enum<alb::StickinessType>(v);
  else if (k == "stickiness.lb_cookie.duration_seconds") a.lb_cookie_duration_seconds = static_cast<int>(*to_int(v));
  else if (k == "stickiness.app_cookie.cookie_name") a.app_cookie_name = std::string(v);
  else if (k == "stickiness.app_cookie.duration_seconds") a.app_cookie_duration_seconds = static_cast<int>(*to_int(v));
  else if (k == "load_balancing.cross_zone.enabled") a.cross_zone = *alb::parse_enum<alb::CrossZone>(v);
  else if (k == "preserve_client_ip.enabled") a.preserve_client_ip = v == "true";
  else if (k == "proxy_protocol_v2.enabled") a.proxy_protocol_v2 = v == "true";
  return std::nullopt;
}

std::vector<AlbSettingProblem> check_load_balancer_attributes(const alb::LoadBalancerAttributes& a) {
  std::vector<AlbSettingProblem> out;
  add(out, "idle_timeout.timeout_seconds", check_alb_number(AlbNumber::kIdleTimeoutSeconds, a.idle_timeout_seconds));
  return out;
}

std::vector<AlbSettingProblem> check_target_group_attributes(const alb::TargetGroupAttributes& a) {
  std::vector<AlbSettingProblem> out;
  add(out, "deregistration_delay.timeout_seconds",
      check_alb_number(AlbNumber::kDeregistrationDelaySeconds, a.deregistration_delay_seconds));
  add(out, "slow_start.duration_seconds", check_alb_number(AlbNumber::kSlowStartSeconds, a.slow_start_seconds));
  add(out, "stickiness.lb_cookie.duration_seconds",
      check_alb_number(AlbNumber::kLbCookieDurationSeconds, a.lb_cookie_duration_seconds));
  add(out, "stickiness.app_cookie.duration_seconds",
      check_alb_number(AlbNumber::kAppCookieDurationSeconds, a.app_cookie_duration_seconds));
  for (auto& p : check_target_group_attribute_rules(a)) out.push_back(std::move(p));
  return out;
}

std::vector<AlbSettingProblem> check_target_group_attribute_rules(const alb::TargetGroupAttributes& a) {
  std::vector<AlbSettingProblem> out;
  if (a.stickiness_enabled && a.stickiness_type == alb::StickinessType::kAppCookie && a.app_cookie_name.empty())
    out.push_back({"stickiness.app_cookie.cookie_name", "required for app_cookie stickiness"});
  if (a.algorithm == alb::LoadBalancingAlgorithm::kLeastOutstandingRequests && a.slow_start_seconds > 0)
    out.push_back({"slow_start.duration_seconds", "slow start is not supported with least_outstanding_requests"});
  return out;
}

std::vector<AlbSettingProblem> check_health_check(const alb::HealthCheck& hc) {
  std::vector<AlbSettingProblem> out;
  if (hc.protocol != "HTTP" && hc.protocol != "HTTPS")
    out.push_back({"HealthCheckProtocol", quoted(hc.protocol) + " is not HTTP or HTTPS"});
  if (hc.port != "traffic-port") {
    auto p = to_int(hc.port);
    if (!p || check_alb_number(AlbNumber::kPort, *p))
      out.push_back({"HealthCheckPort", quoted(hc.port) + " is not traffic-port or 1-65535"});
  }
  if (hc.path.empty() || hc.path[0] != '/') out.push_back({"HealthCheckPath", "must start with /"});
  else if (hc.path.size() > 1024) out.push_back({"HealthCheckPath", "at most 1024 characters"});
  add(out, "HealthCheckIntervalSeconds", check_alb_number(AlbNumber::kHealthCheckIntervalSeconds, hc.interval_seconds));
  add(out, "HealthCheckTimeoutSeconds", check_alb_number(AlbNumber::kHealthCheckTimeoutSeconds, hc.timeout_seconds));
  add(out, "HealthyThresholdCount", check_alb_number(AlbNumber::kHealthyThresholdCount, hc.healthy_threshold));
  add(out, "UnhealthyThresholdCount", check_alb_number(AlbNumber::kUnhealthyThresholdCount, hc.unhealthy_threshold));
  if (hc.timeout_seconds >= hc.interval_seconds)
    out.push_back({"HealthCheckTimeoutSeconds", "must be smaller than HealthCheckIntervalSeconds"});
  if (!parse_matcher(hc.matcher))
    out.push_back({"Matcher", quoted(hc.matcher) + " is not a list or range of HTTP codes 200-499"});
  return out;
}

std::vector<AlbSettingProblem> check_redirect(const alb::RedirectConfig& r, std::string_view listener_protocol) {
  std::vector<AlbSettingProblem> out;
  if (r.protocol != "#{protocol}" && r.protocol != "HTTP" && r.protocol != "HTTPS")
    out.push_back({"Protocol", quoted(r.protocol) + " is not HTTP, HTTPS or #{protocol}"});
  else if (listener_protocol == "HTTPS" && r.protocol == "HTTP")
    out.push_back({"Protocol", "HTTPS cannot be redirected to HTTP"});
  if (r.port != "#{port}") {
    auto p = to_int(r.port);
    if (!p || check_alb_number(AlbNumber::kPort, *p))
      out.push_back({"Port", quoted(r.port) + " is not 1-65535 or #{port}"});
  }
  if (r.path.empty() || r.path[0] != '/') out.push_back({"Path", "must start with /"});
  for (auto [key, value] : {std::pair<const char*, const std::string*>{"Host", &r.host}, {"Path", &r.path},
                            {"Query", &r.query}})
    add(out, key, check_alb_number(AlbNumber::kRedirectComponentLength, static_cast<int64_t>(value->size())));
  if (r.protocol == "#{protocol}" && r.host == "#{host}" && r.port == "#{port}" && r.path == "/#{path}")
    out.push_back({"RedirectConfig", "changes none of protocol, host, port and path: the redirect would loop"});
  if (r.status_code != 301 && r.status_code != 302)
    out.push_back({"StatusCode", quoted(std::to_string(r.status_code)) + " is not " +
                                     alb::enum_choices<alb::RedirectStatus>()});
  return out;
}

std::vector<AlbSettingProblem> check_fixed_response(const alb::FixedResponseConfig& f) {
  static const char* kTypes[] = {"text/plain", "text/css", "text/html", "application/javascript", "application/json"};
  std::vector<AlbSettingProblem> out;
  add(out, "StatusCode", check_alb_number(AlbNumber::kFixedResponseStatusCode, f.status_code));
  if (!f.content_type.empty() &&
      std::none_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return f.content_type == t; }))
    out.push_back({"ContentType", "'" + f.content_type +
                                      "' is not text/plain, text/css, text/html, application/javascript or "
                                      "application/json"});
  add(out, "MessageBody", check_alb_number(AlbNumber::kFixedResponseBodyLength, static_cast<int64_t>(f.body.size())));
  return out;
}

}  // namespace vpclab::semantics
