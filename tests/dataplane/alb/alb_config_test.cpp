// The engine's JSON configuration: what a user writes, what errors say.
#include <gtest/gtest.h>

#include "dataplane/alb/config.h"

namespace vpclab::dataplane::alb {
namespace {

namespace va = vpclab::alb;

TEST(AlbConfig, FullExampleWithDefaults) {
  const char* json = R"({
    "name": "my-alb",
    "attributes": {"idle_timeout.timeout_seconds": "0.5", "routing.http.xff_client_port.enabled": "true"},
    "listeners": [{"port": 8080,
      "default_actions": [{"type": "forward", "target_group": "web"}],
      "rules": [
        {"priority": 20, "conditions": [{"field": "query-string", "values": [{"key": "v", "value": "2"}, {"value": "x"}]}],
         "actions": [{"type": "fixed-response", "status_code": 404, "content_type": "text/plain", "body": "nope"}]},
        {"priority": 10, "conditions": [{"field": "source-ip", "values": ["10.0.0.0/8"]},
                                        {"field": "http-header", "header_name": "X-A", "values": ["b*"]}],
         "actions": [{"type": "redirect", "protocol": "HTTPS", "port": "443", "status_code": "HTTP_302"}]}]}],
    "target_groups": [{"name": "web", "port": 8081,
      "health_check": {"interval_seconds": 0.1, "matcher": "200-299"},
      "attributes": {"stickiness.enabled": true, "deregistration_delay.timeout_seconds": 0},
      "targets": [{"id": "i-1", "address": "127.0.0.1"}, {"address": "127.0.0.2", "port": 9000}]}]
  })";
  Diagnostics d;
  auto c = parse_engine_config(json, "alb.json", d);
  ASSERT_TRUE(c) << (d.items().empty() ? "" : d.items()[0].str());
  EXPECT_EQ(c->elb_name(), "app/my-alb/50dc6c495c0c9188");
  EXPECT_EQ(c->idle_ms(), 500);
  EXPECT_TRUE(c->attributes.xff_client_port);
  EXPECT_EQ(c->attributes.desync_mitigation_mode, vpclab::alb::DesyncMitigationMode::kDefensive);  // AWS default
  ASSERT_EQ(c->nodes.size(), 1u);
  EXPECT_EQ(c->nodes[0].address.str(), "127.0.0.1");
  const auto& tg = c->target_groups.at(0);
  EXPECT_EQ(tg.arn.rfind("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/", 0), 0u);
  EXPECT_EQ(tg.interval_ms(), 100);
  EXPECT_EQ(tg.timeout_ms(), 5000);  // AWS default
  EXPECT_EQ(tg.dereg_delay_ms(), 0);
  EXPECT_EQ(tg.health_check.healthy_threshold, 5);
  EXPECT_TRUE(tg.attributes.stickiness_enabled);
  ASSERT_EQ(tg.targets.size(), 2u);
  EXPECT_EQ(tg.targets[1].id, "127.0.0.2");  // ip targets are named by their address
  EXPECT_EQ(tg.targets[1].port, 9000);
  const auto& l = c->listeners.at(0);
  EXPECT_EQ(l.default_rule.actions.at(0).target_groups.at(0).target_group_arn, tg.arn);  // name resolved
  ASSERT_EQ(l.rules.size(), 2u);
  const auto& q = l.rules[0].conditions.at(0);
  EXPECT_EQ(q.field, va::ConditionField::kQueryString);
  ASSERT_EQ(q.query.size(), 2u);
  EXPECT_EQ(*q.query[0].key, "v");
  EXPECT_FALSE(q.query[1].key);
  EXPECT_EQ(l.rules[1].actions.at(0).redirect.status_code, 302);
  EXPECT_EQ(l.rules[1].conditions.at(0).source_cidrs.at(0).str(), "10.0.0.0/8");
}

struct BadCase {
  const char* name;
  const char* json;
  const char* message;  // part of the first error
};

TEST(AlbConfig, ErrorsNameThePlace) {
  const BadCase cases[] = {
      {"not json", "{", "not valid JSON"},
      {"unknown key", R"({"listners": []})", "$: unknown key \"listners\""},
      {"no listener", R"({})", "at least one listener"},
      {"unknown target group",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "forward", "target_group": "nope"}]}]})",
       "unknown target group \"nope\""},
      {"bad algorithm",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "attributes": {"load_balancing.algorithm.type": "random"}}]})",
       "load_balancing.algorithm.type"},
      {"threshold range",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "health_check": {"healthy_threshold": 1}}]})",
       "must be between 2 and 10"},
      {"duplicate priority",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}],
           "rules": [{"priority": 5, "conditions": [{"field": "path-pattern", "values": ["/a"]}], "actions": [{"type": "fixed-response"}]},
                     {"priority": 5, "conditions": [{"field": "path-pattern", "values": ["/b"]}], "actions": [{"type": "fixed-response"}]}]}]})",
       "duplicate priority 5"},
      {"bad cidr",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}],
           "rules": [{"priority": 5, "conditions": [{"field": "source-ip", "values": ["10.0.0.0/33"]}], "actions": [{"type": "fixed-response"}]}]}]})",
       "expected an IPv4 CIDR"},
      {"https listener", R"({"listeners": [{"port": 443, "protocol": "HTTPS", "default_actions": [{"type": "fixed-response"}]}]})",
       "only HTTP listeners"},
      {"slow start with LOR",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "attributes": {"load_balancing.algorithm.type": "least_outstanding_requests",
                                                          "slow_start.duration_seconds": 30}}]})",
       "slow start is not supported"},
      {"bad xff mode",
       R"({"attributes": {"routing.http.xff_header_processing.mode": "Append"},
           "listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}]})",
       "$.attributes.routing.http.xff_header_processing.mode: 'Append' is not append, preserve or remove"},
      {"bad desync mode",
       R"({"attributes": {"routing.http.desync_mitigation_mode": "strict"},
           "listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}]})",
       "'strict' is not monitor, defensive or strictest"},
      {"bad stickiness type",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "attributes": {"stickiness.type": "source_ip"}}]})",
       "$.target_groups[0].attributes.stickiness.type: 'source_ip' is not lb_cookie or app_cookie"},
      {"bad cross zone",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "attributes": {"load_balancing.cross_zone.enabled": "yes"}}]})",
       "'yes' is not true, false or use_load_balancer_configuration"},
      {"unknown condition",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}],
           "rules": [{"priority": 5, "conditions": [{"field": "path", "values": ["/a"]}], "actions": [{"type": "fixed-response"}]}]}]})",
       "$.listeners[0].rules[0].conditions[0].field: unknown condition field \"path\""},
      {"weight range",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "forward", "target_groups": [{"target_group": "a", "weight": 1000}]}]}],
           "target_groups": [{"name": "a"}]})",
       "weight: must be between 0 and 999"},
      {"priority range",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}],
           "rules": [{"priority": 50001, "conditions": [{"field": "path-pattern", "values": ["/a"]}], "actions": [{"type": "fixed-response"}]}]}]})",
       "$.listeners[0].rules[0].priority: must be between 1 and 50000"},
      {"redirect loop",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "redirect"}]}]})",
       "$.listeners[0].default_actions[0].type: changes none of protocol, host, port and path"},
      {"redirect port",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "redirect", "protocol": "HTTPS", "port": "99999"}]}]})",
       "default_actions[0].port: '99999' is not 1-65535 or #{port}"},
      {"fixed response 3xx",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response", "status_code": 301}]}]})",
       "default_actions[0].status_code: must be 2XX, 4XX or 5XX"},
      {"fixed response content type",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response", "content_type": "text/xml"}]}]})",
       "default_actions[0].content_type: 'text/xml' is not text/plain"},
      {"matcher",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "health_check": {"matcher": "200-600"}}]})",
       "$.target_groups[0].health_check.matcher: '200-600' is not a list or range of HTTP codes 200-499"},
      {"interval over AWS's maximum",
       R"({"listeners": [{"port": 1, "default_actions": [{"type": "fixed-response"}]}],
           "target_groups": [{"name": "a", "health_check": {"interval_seconds": 301}}]})",
       "health_check.interval_seconds: must be between"},
  };
  for (const auto& c : cases) {
    Diagnostics d;
    EXPECT_FALSE(parse_engine_config(c.json, "alb.json", d)) << c.name;
    ASSERT_FALSE(d.items().empty()) << c.name;
    std::string all;
    for (const auto& x : d.items()) all += x.str() + "\n";
    EXPECT_NE(all.find(c.message), std::string::npos) << c.name << ": " << all;
    EXPECT_EQ(d.items()[0].loc.str().rfind("alb.json", 0), 0u) << c.name;
  }
}

}  // namespace
}  // namespace vpclab::dataplane::alb
