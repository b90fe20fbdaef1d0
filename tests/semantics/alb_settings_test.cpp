// ALB limits and allowed values: what each reader (template, snapshot,
// `vpclab alb --config`) reports for a bad setting.
#include <gtest/gtest.h>

#include "semantics/alb_settings.h"

namespace vpclab::semantics {
namespace {

TEST(AlbSettings, Attributes) {
  struct Row {
    bool target_group;
    const char* key;
    const char* value;
    const char* error;  // nullptr: valid
  } rows[] = {
      {false, "idle_timeout.timeout_seconds", "60", nullptr},
      {false, "idle_timeout.timeout_seconds", "4000", nullptr},
      {false, "idle_timeout.timeout_seconds", "4001", "must be between 1 and 4000"},
      {false, "idle_timeout.timeout_seconds", "0", "must be between 1 and 4000"},
      {false, "idle_timeout.timeout_seconds", "sixty", "'sixty' is not an integer"},
      {false, "routing.http.xff_header_processing.mode", "preserve", nullptr},
      {false, "routing.http.xff_header_processing.mode", "Append", "'Append' is not append, preserve or remove"},
      {false, "routing.http.desync_mitigation_mode", "strictest", nullptr},
      {false, "routing.http.desync_mitigation_mode", "strict", "'strict' is not monitor, defensive or strictest"},
      {false, "routing.http2.enabled", "yes", "'yes' is not true or false"},
      {false, "access_logs.s3.bucket", "any-bucket", nullptr},
      {false, "routing.http.nope", "1", "unknown load balancer attribute 'routing.http.nope'"},
      {true, "load_balancing.algorithm.type", "weighted_random", nullptr},
      {true, "load_balancing.algorithm.type", "random",
       "'random' is not round_robin, least_outstanding_requests or weighted_random"},
      {true, "stickiness.type", "source_ip", "'source_ip' is not lb_cookie or app_cookie"},
      {true, "load_balancing.cross_zone.enabled", "use_load_balancer_configuration", nullptr},
      {true, "load_balancing.cross_zone.enabled", "maybe",
       "'maybe' is not true, false or use_load_balancer_configuration"},
      {true, "slow_start.duration_seconds", "0", nullptr},
      {true, "slow_start.duration_seconds", "30", nullptr},
      {true, "slow_start.duration_seconds", "29", "must be 0 (off) or between 30 and 900"},
      {true, "deregistration_delay.timeout_seconds", "3601", "must be between 0 and 3600"},
      {true, "stickiness.lb_cookie.duration_seconds", "604800", nullptr},
      {true, "stickiness.lb_cookie.duration_seconds", "604801", "must be between 1 and 604800"},
      {true, "load_balancing.algorithm.anomaly_mitigation", "on", nullptr},
      {true, "idle_timeout.timeout_seconds", "60", "unknown target group attribute 'idle_timeout.timeout_seconds'"},
  };
  for (const auto& r : rows) {
    auto got = r.target_group ? check_target_group_attribute(r.key, r.value)
                              : check_load_balancer_attribute(r.key, r.value);
    if (r.error) EXPECT_EQ(got.value_or("(valid)"), r.error) << r.key << "=" << r.value;
    else EXPECT_FALSE(got) << r.key << "=" << r.value << ": " << *got;
  }
}

TEST(AlbSettings, Limits) {
  EXPECT_FALSE(check_alb_number(AlbNumber::kRulePriority, 1));
  EXPECT_FALSE(check_alb_number(AlbNumber::kRulePriority, 50000));
  EXPECT_EQ(check_alb_number(AlbNumber::kRulePriority, 50001).value_or(""), "must be between 1 and 50000");
  EXPECT_EQ(check_alb_number(AlbNumber::kTargetGroupWeight, 1000).value_or(""), "must be between 0 and 999");
  EXPECT_EQ(check_alb_number(AlbNumber::kTargetGroupsPerForward, 6).value_or(""),
            "at most 5 target groups per forward action");
  EXPECT_EQ(check_alb_number(AlbNumber::kFixedResponseStatusCode, 302).value_or(""), "must be 2XX, 4XX or 5XX");
  EXPECT_FALSE(check_alb_number(AlbNumber::kFixedResponseStatusCode, 503));
  EXPECT_EQ(check_alb_number(AlbNumber::kFixedResponseBodyLength, 1025).value_or(""), "at most 1024 characters");
  EXPECT_EQ(alb_limit(AlbNumber::kHealthCheckIntervalSeconds).min, 5);
  EXPECT_EQ(alb_limit(AlbNumber::kHealthCheckIntervalSeconds).max, 300);
  EXPECT_EQ(alb_limit(AlbNumber::kRulesPerListener).max, 100);
}

TEST(AlbSettings, WholeObjects) {
  alb::TargetGroupAttributes tg;
  EXPECT_TRUE(check_target_group_attributes(tg).empty());
  tg.stickiness_enabled = true;
  tg.stickiness_type = alb::StickinessType::kAppCookie;
  tg.algorithm = alb::LoadBalancingAlgorithm::kLeastOutstandingRequests;
  tg.slow_start_seconds = 60;
  auto p = check_target_group_attributes(tg);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].key, "stickiness.app_cookie.cookie_name");
  EXPECT_EQ(p[1].key, "slow_start.duration_seconds");

  alb::HealthCheck hc;
  EXPECT_TRUE(check_health_check(hc).empty());
  hc.timeout_seconds = 30;
  hc.matcher = "600";
  hc.path = "health";
  p = check_health_check(hc);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].key, "HealthCheckPath");
  EXPECT_EQ(p[1].key, "HealthCheckTimeoutSeconds");
  EXPECT_EQ(p[2].key, "Matcher");

  alb::RedirectConfig r;  // every component kept: a loop
  p = check_redirect(r, "HTTP");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key, "RedirectConfig");
  r.protocol = "HTTP";
  p = check_redirect(r, "HTTPS");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].message, "HTTPS cannot be redirected to HTTP");
  r.protocol = "HTTPS";
  r.port = "70000";
  p = check_redirect(r, "HTTP");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].key, "Port");

  alb::FixedResponseConfig f;
  f.content_type = "text/xml";
  f.status_code = 301;
  p = check_fixed_response(f);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].key, "StatusCode");
  EXPECT_EQ(p[1].key, "ContentType");
}

TEST(AlbSettings, SettersStoreOnlyValidValues) {
  alb::LoadBalancerAttributes lb;
  EXPECT_FALSE(set_load_balancer_attribute(lb, "routing.http.desync_mitigation_mode", "strictest"));
  EXPECT_EQ(lb.desync_mitigation_mode, alb::DesyncMitigationMode::kStrictest);
  EXPECT_EQ(set_load_balancer_attribute(lb, "idle_timeout.timeout_seconds", "4001").value_or(""),
            "must be between 1 and 4000");
  EXPECT_EQ(lb.idle_timeout_seconds, 60);  // unchanged
  EXPECT_FALSE(set_load_balancer_attribute(lb, "idle_timeout.timeout_seconds", "4000"));
  EXPECT_EQ(lb.idle_timeout_seconds, 4000);
  EXPECT_TRUE(set_load_balancer_attribute(lb, "routing.http.xff_header_processing.mode", "Append"));
  EXPECT_EQ(lb.xff_header_processing_mode, alb::XffProcessingMode::kAppend);

  alb::TargetGroupAttributes tg;
  EXPECT_FALSE(set_target_group_attribute(tg, "load_balancing.algorithm.type", "weighted_random"));
  EXPECT_EQ(tg.algorithm, alb::LoadBalancingAlgorithm::kWeightedRandom);
  EXPECT_FALSE(set_target_group_attribute(tg, "load_balancing.cross_zone.enabled", "false"));
  EXPECT_EQ(tg.cross_zone, alb::CrossZone::kFalse);
  // An NLB target group's stickiness: accepted, not run by the ALB engine.
  EXPECT_FALSE(set_target_group_attribute(tg, "stickiness.type", "source_ip"));
  EXPECT_EQ(tg.stickiness_type, alb::StickinessType::kLbCookie);
  EXPECT_EQ(set_target_group_attribute(tg, "slow_start.duration_seconds", "10").value_or(""),
            "must be 0 (off) or between 30 and 900");
  EXPECT_EQ(set_target_group_attribute(tg, "stickiness.kind", "x").value_or(""),
            "unknown target group attribute 'stickiness.kind'");
}

}  // namespace
}  // namespace vpclab::semantics
