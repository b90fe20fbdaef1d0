#include "dataplane/alb/config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>

#include "semantics/alb_settings.h"
#include "vocab/aws_id.h"

namespace vpclab::dataplane::alb {

namespace va = vpclab::alb;
namespace sem = vpclab::semantics;
using nlohmann::json;
using sem::AlbNumber;

int64_t TargetGroupConfig::interval_ms() const {
  return health_check_interval_ms >= 0 ? health_check_interval_ms : int64_t{health_check.interval_seconds} * 1000;
}
int64_t TargetGroupConfig::timeout_ms() const {
  return health_check_timeout_ms >= 0 ? health_check_timeout_ms : int64_t{health_check.timeout_seconds} * 1000;
}
int64_t TargetGroupConfig::dereg_delay_ms() const {
  return deregistration_delay_ms >= 0 ? deregistration_delay_ms
                                      : int64_t{attributes.deregistration_delay_seconds} * 1000;
}
int64_t TargetGroupConfig::slow_start_duration_ms() const {
  return slow_start_ms >= 0 ? slow_start_ms : int64_t{attributes.slow_start_seconds} * 1000;
}

std::string EngineConfig::lb_arn() const {
  return aws_id::load_balancer_arn(region, account, "application", name, id);
}
int64_t EngineConfig::idle_ms() const {
  return idle_timeout_ms >= 0 ? idle_timeout_ms : int64_t{attributes.idle_timeout_seconds} * 1000;
}

std::string make_target_group_arn(const EngineConfig& c, std::string_view name) {
  // The ARN the model gives a target group of that name (vocab/aws_id.h).
  return aws_id::target_group_arn(c.region, c.account, name);
}

namespace {

class Reader {
 public:
  Reader(std::string_view file, Diagnostics& d) : loc_{intern_file(file), 0, 0}, diags_(d) {}

  void error(const std::string& where, const std::string& msg) {
    diags_.error(loc_, "E4001", where + ": " + msg);
    ok_ = false;
  }
  bool ok() const { return ok_; }

  // Checks that `obj` has only `keys`.
  void known_keys(const json& obj, const std::string& where, std::initializer_list<const char*> keys) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool found = false;
      for (const char* k : keys) found = found || it.key() == k;
      if (!found) error(where, "unknown key \"" + it.key() + "\"");
    }
  }

  bool object(const json& j, const std::string& where) {
    if (j.is_object()) return true;
    error(where, "expected an object");
    return false;
  }

  void str(const json& obj, const char* key, std::string& out, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    if (it->is_string()) {
      out = it->get<std::string>();
    } else if (it->is_number_integer()) {
      out = std::to_string(it->get<int64_t>());
    } else {
      error(where + "." + key, "expected a string");
    }
  }

  void boolean(const json& obj, const char* key, bool& out, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    if (it->is_boolean()) {
      out = it->get<bool>();
    } else if (it->is_string() && (*it == "true" || *it == "false")) {
      out = *it == "true";
    } else {
      error(where + "." + key, "expected true or false");
    }
  }

  // Integer (also from a string, as CloudFormation attributes are strings) within [lo, hi].
  void integer(const json& obj, const char* key, int& out, int lo, int hi, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    int64_t v = 0;
    if (it->is_number_integer()) {
      v = it->get<int64_t>();
    } else if (it->is_string()) {
      const std::string s = it->get<std::string>();
      char* end = nullptr;
      v = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end) {
        error(where + "." + key, "expected an integer");
        return;
      }
    } else {
      error(where + "." + key, "expected an integer");
      return;
    }
    if (v < lo || v > hi) {
      error(where + "." + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return;
    }
    out = static_cast<int>(v);
  }

  // An integer setting with AWS's range (semantics/alb_settings.h).
  void integer(const json& obj, const char* key, int& out, AlbNumber n, const std::string& where) {
    const auto& l = sem::alb_limit(n);
    integer(obj, key, out, static_cast<int>(l.min), static_cast<int>(l.max), where);
  }

  // An enum setting: its text checked by `check` (the semantics table;
  // nullopt: valid), reported at where.key, and stored parsed.
  template <typename E, typename Check>
  void enumerated(const json& obj, const char* key, E& out, const std::string& where, Check check) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    if (!it->is_string()) return error(where + "." + key, "expected a string");
    const std::string text = it->get<std::string>();
    if (auto msg = check(key, text)) return error(where + "." + key, *msg);
    if (auto v = va::parse_enum<E>(text)) out = *v;
  }

  void problems(const std::vector<sem::AlbSettingProblem>& ps, const std::string& where,
                std::initializer_list<std::pair<const char*, const char*>> keys) {
    for (const auto& p : ps)
      for (const auto& [aws, ours] : keys)
        if (p.key == aws) error(where + "." + ours, p.message);
  }

  // Seconds, possibly fractional (tests): sets `ms` and the integral seconds.
  void seconds(const json& obj, const char* key, int& secs, int64_t& ms, double lo, double hi,
               const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    double v = 0;
    if (it->is_number()) {
      v = it->get<double>();
    } else if (it->is_string()) {
      const std::string s = it->get<std::string>();
      char* end = nullptr;
      v = std::strtod(s.c_str(), &end);
      if (s.empty() || *end) {
        error(where + "." + key, "expected a number of seconds");
        return;
      }
    } else {
      error(where + "." + key, "expected a number of seconds");
      return;
    }
    if (!(v >= lo && v <= hi)) {
      error(where + "." + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return;
    }
    ms = static_cast<int64_t>(std::llround(v * 1000));
    secs = static_cast<int>(std::ceil(v));
  }

  std::optional<Ipv4Address> address(const json& j, const std::string& where) {
    if (j.is_string()) {
      if (auto a = Ipv4Address::parse(j.get<std::string>())) return a;
    }
    error(where, "expected an IPv4 address");
    return std::nullopt;
  }

 private:
  SourceLoc loc_;
  Diagnostics& diags_;
  bool ok_ = true;
};

void read_health_check(Reader& r, const json& j, TargetGroupConfig& tg, const std::string& w) {
  if (!r.object(j, w)) return;
  r.known_keys(j, w, {"enabled", "protocol", "port", "path", "interval_seconds", "timeout_seconds",
                      "healthy_threshold", "unhealthy_threshold", "matcher"});
  auto& hc = tg.health_check;
  r.boolean(j, "enabled", hc.enabled, w);
  r.str(j, "protocol", hc.protocol, w);
  r.str(j, "port", hc.port, w);
  r.str(j, "path", hc.path, w);
  // Durations below AWS's minimum are accepted (fractions, for fast tests); the maximum is AWS's.
  r.seconds(j, "interval_seconds", hc.interval_seconds, tg.health_check_interval_ms, 0.01,
            double(sem::alb_limit(AlbNumber::kHealthCheckIntervalSeconds).max), w);
  r.seconds(j, "timeout_seconds", hc.timeout_seconds, tg.health_check_timeout_ms, 0.01,
            double(sem::alb_limit(AlbNumber::kHealthCheckTimeoutSeconds).max), w);
  r.integer(j, "healthy_threshold", hc.healthy_threshold, AlbNumber::kHealthyThresholdCount, w);
  r.integer(j, "unhealthy_threshold", hc.unhealthy_threshold, AlbNumber::kUnhealthyThresholdCount, w);
  r.str(j, "matcher", hc.matcher, w);
  if (hc.protocol != "HTTP") r.error(w + ".protocol", "only HTTP health checks are supported");
  r.problems(sem::check_health_check(hc), w,
             {{"HealthCheckPort", "port"}, {"HealthCheckPath", "path"}, {"Matcher", "matcher"}});
}

void read_tg_attributes(Reader& r, const json& j, TargetGroupConfig& tg, const std::string& w) {
  if (!r.object(j, w)) return;
  r.known_keys(j, w, {"deregistration_delay.timeout_seconds", "slow_start.duration_seconds",
                      "load_balancing.algorithm.type", "stickiness.enabled", "stickiness.type",
                      "stickiness.lb_cookie.duration_seconds", "stickiness.app_cookie.cookie_name",
                      "stickiness.app_cookie.duration_seconds", "load_balancing.cross_zone.enabled"});
  auto& a = tg.attributes;
  r.seconds(j, "deregistration_delay.timeout_seconds", a.deregistration_delay_seconds, tg.deregistration_delay_ms, 0,
            double(sem::alb_limit(AlbNumber::kDeregistrationDelaySeconds).max), w);
  r.seconds(j, "slow_start.duration_seconds", a.slow_start_seconds, tg.slow_start_ms, 0,
            double(sem::alb_limit(AlbNumber::kSlowStartSeconds).max), w);
  r.enumerated(j, "load_balancing.algorithm.type", a.algorithm, w, sem::check_target_group_attribute);
  r.boolean(j, "stickiness.enabled", a.stickiness_enabled, w);
  r.enumerated(j, "stickiness.type", a.stickiness_type, w, sem::check_target_group_attribute);
  r.integer(j, "stickiness.lb_cookie.duration_seconds", a.lb_cookie_duration_seconds, AlbNumber::kLbCookieDurationSeconds, w);
  r.str(j, "stickiness.app_cookie.cookie_name", a.app_cookie_name, w);
  r.integer(j, "stickiness.app_cookie.duration_seconds", a.app_cookie_duration_seconds,
            AlbNumber::kAppCookieDurationSeconds, w);
  r.enumerated(j, "load_balancing.cross_zone.enabled", a.cross_zone, w, sem::check_target_group_attribute);
  // The rules joining two attributes see the durations as the engine will run them.
  va::TargetGroupAttributes effective = a;
  effective.slow_start_seconds = tg.slow_start_duration_ms() > 0 ? std::max(1, a.slow_start_seconds) : 0;
  for (const auto& p : sem::check_target_group_attribute_rules(effective)) r.error(w + "." + p.key, p.message);
}

void read_lb_attributes(Reader& r, const json& j, EngineConfig& c, const std::string& w) {
  if (!r.object(j, w)) return;
  r.known_keys(j, w, {"idle_timeout.timeout_seconds", "routing.http.xff_header_processing.mode",
                      "routing.http.xff_client_port.enabled", "routing.http.preserve_host_header.enabled",
                      "routing.http.drop_invalid_header_fields.enabled", "routing.http.desync_mitigation_mode",
                      "routing.http2.enabled"});
  auto& a = c.attributes;
  r.seconds(j, "idle_timeout.timeout_seconds", a.idle_timeout_seconds, c.idle_timeout_ms, 0.01,
            double(sem::alb_limit(AlbNumber::kIdleTimeoutSeconds).max), w);
  r.enumerated(j, "routing.http.xff_header_processing.mode", a.xff_header_processing_mode, w,
               sem::check_load_balancer_attribute);
  r.boolean(j, "routing.http.xff_client_port.enabled", a.xff_client_port, w);
  r.boolean(j, "routing.http.preserve_host_header.enabled", a.preserve_host_header, w);
  r.boolean(j, "routing.http.drop_invalid_header_fields.enabled", a.drop_invalid_header_fields, w);
  r.enumerated(j, "routing.http.desync_mitigation_mode", a.desync_mitigation_mode, w,
               sem::check_load_balancer_attribute);
  r.boolean(j, "routing.http2.enabled", a.http2_enabled, w);
}

void read_condition(Reader& r, const json& j, va::RuleCondition& c, const std::string& w) {
  if (!r.object(j, w)) return;
  r.known_keys(j, w, {"field", "values", "header_name"});
  std::string field;
  r.str(j, "field", field, w);
  auto parsed = va::parse_condition_field(field);
  if (!parsed) {
    r.error(w + ".field", "unknown condition field \"" + field + "\" (expected " +
                              va::enum_choices<va::ConditionField>() + ")");
    return;
  }
  c.field = *parsed;
  r.str(j, "header_name", c.header_name, w);
  if (c.field == va::ConditionField::kHttpHeader && c.header_name.empty())
    r.error(w + ".header_name", "required for http-header");
  auto it = j.find("values");
  if (it == j.end() || !it->is_array() || it->empty()) {
    r.error(w + ".values", "expected a non-empty array");
    return;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    std::string wi = w + ".values[" + std::to_string(i) + "]";
    if (c.field == va::ConditionField::kQueryString) {
      va::QueryStringPair p;
      if (v.is_string()) {
        p.value = v.get<std::string>();
      } else if (v.is_object()) {
        r.known_keys(v, wi, {"key", "value"});
        if (v.contains("key")) {
          std::string k;
          r.str(v, "key", k, wi);
          p.key = k;
        }
        r.str(v, "value", p.value, wi);
      } else {
        r.error(wi, "expected {\"key\", \"value\"}");
      }
      c.query.push_back(std::move(p));
    } else if (!v.is_string()) {
      r.error(wi, "expected a string");
    } else if (c.field == va::ConditionField::kSourceIp) {
      auto cidr = Ipv4Cidr::parse(v.get<std::string>());
      if (!cidr) r.error(wi, "expected an IPv4 CIDR");
      else c.source_cidrs.push_back(*cidr);
    } else {
      c.values.push_back(v.get<std::string>());
    }
  }
}

void read_action(Reader& r, const json& j, va::Action& a, const std::string& w) {
  if (!r.object(j, w)) return;
  r.known_keys(j, w, {"type", "target_group", "target_groups", "stickiness", "protocol", "host", "port", "path",
                      "query", "status_code", "content_type", "body"});
  std::string type;
  r.str(j, "type", type, w);
  if (type == "forward") {
    a.type = va::ActionType::kForward;
    if (j.contains("target_group")) {
      va::WeightedTargetGroup g;
      r.str(j, "target_group", g.target_group_arn, w);
      a.target_groups.push_back(g);
    }
    if (auto it = j.find("target_groups"); it != j.end()) {
      if (!it->is_array()) r.error(w + ".target_groups", "expected an array");
      else
        for (size_t i = 0; i < it->size(); ++i) {
          std::string wi = w + ".target_groups[" + std::to_string(i) + "]";
          const json& g = (*it)[i];
          if (!r.object(g, wi)) continue;
          r.known_keys(g, wi, {"target_group", "weight"});
          va::WeightedTargetGroup t;
          r.str(g, "target_group", t.target_group_arn, wi);
          r.integer(g, "weight", t.weight, AlbNumber::kTargetGroupWeight, wi);
          a.target_groups.push_back(t);
        }
    }
    if (sem::check_alb_number(AlbNumber::kTargetGroupsPerForward, static_cast<int64_t>(a.target_groups.size())))
      r.error(w, "forward needs 1 to " + std::to_string(sem::alb_limit(AlbNumber::kTargetGroupsPerForward).max) +
                     " target groups");
    if (auto it = j.find("stickiness"); it != j.end() && r.object(*it, w + ".stickiness")) {
      r.known_keys(*it, w + ".stickiness", {"enabled", "duration_seconds"});
      r.boolean(*it, "enabled", a.group_stickiness, w + ".stickiness");
      r.integer(*it, "duration_seconds", a.group_stickiness_seconds, AlbNumber::kGroupStickinessSeconds, w + ".stickiness");
    }
  } else if (type == "redirect") {
    a.type = va::ActionType::kRedirect;
    auto& rc = a.redirect;
    r.str(j, "protocol", rc.protocol, w);
    r.str(j, "host", rc.host, w);
    r.str(j, "port", rc.port, w);
    r.str(j, "path", rc.path, w);
    r.str(j, "query", rc.query, w);
    std::string code = "HTTP_301";
    r.str(j, "status_code", code, w);
    if (code == "301" || code == "302") code = "HTTP_" + code;
    if (auto st = va::parse_enum<va::RedirectStatus>(code)) rc.status_code = va::redirect_status_code(*st);
    else r.error(w + ".status_code", "expected " + va::enum_choices<va::RedirectStatus>());
    r.problems(sem::check_redirect(rc, "HTTP"), w,
               {{"Protocol", "protocol"}, {"Port", "port"}, {"Host", "host"}, {"Path", "path"}, {"Query", "query"},
                {"RedirectConfig", "type"}});
  } else if (type == "fixed-response") {
    a.type = va::ActionType::kFixedResponse;
    auto& f = a.fixed_response;
    r.integer(j, "status_code", f.status_code, 100, 999, w);
    r.str(j, "content_type", f.content_type, w);
    r.str(j, "body", f.body, w);
    r.problems(sem::check_fixed_response(f), w,
               {{"StatusCode", "status_code"}, {"ContentType", "content_type"}, {"MessageBody", "body"}});
  } else {
    r.error(w + ".type", "expected forward, redirect or fixed-response (got \"" + type + "\")");
  }
}

void read_actions(Reader& r, const json& j, std::vector<va::Action>& out, const std::string& w) {
  if (!j.is_array() || j.empty()) {
    r.error(w, "expected a non-empty array of actions");
    return;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    va::Action a;
    a.order = static_cast<int>(i + 1);
    read_action(r, j[i], a, w + "[" + std::to_string(i) + "]");
    out.push_back(std::move(a));
  }
}

}  // namespace

std::optional<EngineConfig> parse_engine_config(std::string_view text, std::string_view file, Diagnostics& diags) {
  Reader r(file, diags);
  json root = json::parse(text, nullptr, false);
  if (root.is_discarded()) {
    r.error("$", "not valid JSON");
    return std::nullopt;
  }
  if (!r.object(root, "$")) return std::nullopt;
  r.known_keys(root, "$", {"name", "id", "region", "account", "attributes", "nodes", "listeners", "target_groups",
                           "access_log", "admin", "connect_timeout_seconds", "shutdown_grace_seconds"});
  EngineConfig c;
  r.str(root, "name", c.name, "$");
  r.str(root, "id", c.id, "$");
  r.str(root, "region", c.region, "$");
  r.str(root, "account", c.account, "$");
  r.str(root, "access_log", c.access_log, "$");
  int unused_secs = 0;
  r.seconds(root, "connect_timeout_seconds", unused_secs, c.connect_timeout_ms, 0.01, 3600, "$");
  r.seconds(root, "shutdown_grace_seconds", unused_secs, c.shutdown_grace_ms, 0, 3600, "$");
  if (auto it = root.find("attributes"); it != root.end()) read_lb_attributes(r, *it, c, "$.attributes");
  if (auto it = root.find("admin"); it != root.end() && r.object(*it, "$.admin")) {
    r.known_keys(*it, "$.admin", {"address", "port"});
    if (it->contains("address")) c.admin_address = r.address((*it)["address"], "$.admin.address");
    else c.admin_address = Ipv4Address::parse("127.0.0.1");
    int port = 0;
    r.integer(*it, "port", port, 0, 65535, "$.admin");
    c.admin_port = static_cast<uint16_t>(port);
  }
  if (auto it = root.find("nodes"); it != root.end()) {
    if (!it->is_array()) r.error("$.nodes", "expected an array");
    else
      for (size_t i = 0; i < it->size(); ++i) {
        std::string w = "$.nodes[" + std::to_string(i) + "]";
        const json& n = (*it)[i];
        if (!r.object(n, w)) continue;
        r.known_keys(n, w, {"name", "address", "availability_zone"});
        NodeConfig node;
        r.str(n, "name", node.name, w);
        if (n.contains("address")) {
          if (auto a = r.address(n["address"], w + ".address")) node.address = *a;
        } else {
          node.address = *Ipv4Address::parse("127.0.0.1");
        }
        r.str(n, "availability_zone", node.availability_zone, w);
        if (node.name.empty()) node.name = "node-" + std::to_string(i + 1);
        c.nodes.push_back(std::move(node));
      }
  }
  if (auto it = root.find("target_groups"); it != root.end()) {
    if (!it->is_array()) r.error("$.target_groups", "expected an array");
    else
      for (size_t i = 0; i < it->size(); ++i) {
        std::string w = "$.target_groups[" + std::to_string(i) + "]";
        const json& t = (*it)[i];
        if (!r.object(t, w)) continue;
        r.known_keys(t, w, {"name", "arn", "protocol", "port", "health_check", "attributes", "targets"});
        TargetGroupConfig tg;
        r.str(t, "name", tg.name, w);
        r.str(t, "arn", tg.arn, w);
        r.str(t, "protocol", tg.protocol, w);
        int port = 80;
        r.integer(t, "port", port, AlbNumber::kPort, w);
        tg.port = static_cast<uint16_t>(port);
        if (tg.name.empty()) r.error(w + ".name", "required");
        if (tg.protocol != "HTTP") r.error(w + ".protocol", "only HTTP target groups are supported");
        if (tg.arn.empty()) tg.arn = make_target_group_arn(c, tg.name);
        if (auto h = t.find("health_check"); h != t.end()) read_health_check(r, *h, tg, w + ".health_check");
        if (auto a = t.find("attributes"); a != t.end()) read_tg_attributes(r, *a, tg, w + ".attributes");
        if (auto ts = t.find("targets"); ts != t.end()) {
          if (!ts->is_array()) r.error(w + ".targets", "expected an array");
          else
            for (size_t k = 0; k < ts->size(); ++k) {
              std::string wk = w + ".targets[" + std::to_string(k) + "]";
              const json& tj = (*ts)[k];
              if (!r.object(tj, wk)) continue;
              r.known_keys(tj, wk, {"id", "address", "port", "availability_zone"});
              TargetConfig target;
              r.str(tj, "id", target.id, wk);
              if (tj.contains("address")) {
                if (auto a = r.address(tj["address"], wk + ".address")) target.address = *a;
              } else {
                r.error(wk + ".address", "required");
              }
              int tport = 0;
              r.integer(tj, "port", tport, AlbNumber::kPort, wk);
              target.port = static_cast<uint16_t>(tport);
              r.str(tj, "availability_zone", target.availability_zone, wk);
              if (target.id.empty()) target.id = target.address.str();
              tg.targets.push_back(std::move(target));
            }
        }
        c.target_groups.push_back(std::move(tg));
      }
  }
  auto resolve_tg = [&](std::string& ref, const std::string& w) {
    for (const auto& tg : c.target_groups) {
      if (tg.arn == ref || tg.name == ref) {
        ref = tg.arn;
        return;
      }
    }
    r.error(w, "unknown target group \"" + ref + "\"");
  };
  auto resolve_actions = [&](std::vector<va::Action>& actions, const std::string& w) {
    for (size_t i = 0; i < actions.size(); ++i)
      for (auto& g : actions[i].target_groups)
        resolve_tg(g.target_group_arn, w + "[" + std::to_string(i) + "]");
  };
  if (auto it = root.find("listeners"); it != root.end()) {
    if (!it->is_array()) r.error("$.listeners", "expected an array");
    else
      for (size_t i = 0; i < it->size(); ++i) {
        std::string w = "$.listeners[" + std::to_string(i) + "]";
        const json& l = (*it)[i];
        if (!r.object(l, w)) continue;
        r.known_keys(l, w, {"port", "protocol", "arn", "default_actions", "rules"});
        ListenerConfig lc;
        int port = 80;
        r.integer(l, "port", port, 0, 65535, w);
        lc.port = static_cast<uint16_t>(port);
        r.str(l, "protocol", lc.protocol, w);
        r.str(l, "arn", lc.arn, w);
        if (lc.protocol != "HTTP") r.error(w + ".protocol", "only HTTP listeners are supported (no certificates)");
        if (lc.arn.empty())
          lc.arn = aws_id::listener_arn(c.lb_arn(), std::string(16 - std::min<size_t>(16, std::to_string(port).size()), '0') +
                                                       std::to_string(port));
        lc.default_rule.arn = lc.arn + "/default";
        if (auto d = l.find("default_actions"); d != l.end()) {
          read_actions(r, *d, lc.default_rule.actions, w + ".default_actions");
          resolve_actions(lc.default_rule.actions, w + ".default_actions");
        } else {
          r.error(w + ".default_actions", "required");
        }
        if (auto rs = l.find("rules"); rs != l.end()) {
          if (!rs->is_array()) r.error(w + ".rules", "expected an array");
          else
            for (size_t k = 0; k < rs->size(); ++k) {
              std::string wk = w + ".rules[" + std::to_string(k) + "]";
              const json& rj = (*rs)[k];
              if (!r.object(rj, wk)) continue;
              r.known_keys(rj, wk, {"priority", "conditions", "actions", "arn"});
              va::ListenerRule rule;
              r.integer(rj, "priority", rule.priority, AlbNumber::kRulePriority, wk);
              if (rule.priority == 0)
                r.error(wk + ".priority", "required (" + std::to_string(sem::alb_limit(AlbNumber::kRulePriority).min) +
                                              "-" + std::to_string(sem::alb_limit(AlbNumber::kRulePriority).max) + ")");
              r.str(rj, "arn", rule.arn, wk);
              if (rule.arn.empty()) rule.arn = lc.arn + "/rule-" + std::to_string(rule.priority);
              if (auto cs = rj.find("conditions"); cs != rj.end() && cs->is_array()) {
                for (size_t m = 0; m < cs->size(); ++m) {
                  va::RuleCondition cond;
                  read_condition(r, (*cs)[m], cond, wk + ".conditions[" + std::to_string(m) + "]");
                  rule.conditions.push_back(std::move(cond));
                }
              } else {
                r.error(wk + ".conditions", "expected a non-empty array");
              }
              if (auto as = rj.find("actions"); as != rj.end()) {
                read_actions(r, *as, rule.actions, wk + ".actions");
                resolve_actions(rule.actions, wk + ".actions");
              } else {
                r.error(wk + ".actions", "required");
              }
              for (const auto& other : lc.rules)
                if (other.priority == rule.priority)
                  r.error(wk + ".priority", "duplicate priority " + std::to_string(rule.priority));
              lc.rules.push_back(std::move(rule));
            }
        }
        if (auto msg = sem::check_alb_number(AlbNumber::kRulesPerListener, static_cast<int64_t>(lc.rules.size())))
          r.error(w + ".rules", *msg);
        c.listeners.push_back(std::move(lc));
      }
  }
  if (c.listeners.empty()) r.error("$.listeners", "at least one listener is required");
  if (c.nodes.empty()) c.nodes.push_back(NodeConfig{"node-1", *Ipv4Address::parse("127.0.0.1"), ""});
  if (!r.ok()) return std::nullopt;
  return c;
}

}  // namespace vpclab::dataplane::alb
