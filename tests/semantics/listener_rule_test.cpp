// Listener-rule matching and target-health facts as ALB users see them.
#include "semantics/listener_rule.h"
#include "semantics/target_health.h"

#include <gtest/gtest.h>

namespace vpclab::semantics {
namespace {

using alb::ConditionField;
using alb::RuleCondition;

struct WildcardCase {
  const char* pattern;
  const char* text;
  bool ci;
  bool expected;
};

TEST(WildcardMatch, AwsStarAndQuestionMarkRules) {
  const WildcardCase cases[] = {
      {"*.example.com", "test.example.com", true, true},
      {"*.example.com", "example.com", true, false},  // AWS: *.example.com does not match example.com
      {"*.example.com", "a.b.example.com", true, true},
      {"EXAMPLE.com", "example.COM", true, true},
      {"/img/*", "/img/a/b.png", false, true},
      {"/img/*", "/IMG/a.png", false, false},  // path patterns are case-sensitive
      {"/img/*", "/img/", false, true},        // * matches zero characters
      {"/img/*", "/img", false, false},
      {"/a?c", "/abc", false, true},
      {"/a?c", "/ac", false, false},           // ? is exactly one character
      {"/a?c", "/abbc", false, false},
      {"*", "", false, true},
      {"", "", false, true},
      {"", "x", false, false},
      {"a*b*c", "aXXbYYc", false, true},
      {"a*b*c", "aXXbYY", false, false},
      {"*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},  // no blow-up
      {"v\\*", "v*", true, true},              // escaped * is literal
      {"v\\*", "vx", true, false},
      {"v\\?", "v?", true, true},
      {"v\\?", "vx", true, false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(wildcard_match(c.pattern, c.text, c.ci), c.expected)
        << c.pattern << " vs " << c.text;
}

TEST(HostWithoutPort, StripsPortLikeAws) {
  EXPECT_EQ(host_without_port("example.com:8080"), "example.com");
  EXPECT_EQ(host_without_port("example.com"), "example.com");
  EXPECT_EQ(host_without_port("[::1]:80"), "[::1]");
  EXPECT_EQ(host_without_port("10.0.0.1:80"), "10.0.0.1");
}

TEST(UrlDecode, PercentEscapes) {
  EXPECT_EQ(url_decode("a%20b"), "a b");
  EXPECT_EQ(url_decode("%41%6a"), "Aj");
  EXPECT_EQ(url_decode("100%"), "100%");   // malformed kept
  EXPECT_EQ(url_decode("%zz"), "%zz");
  EXPECT_EQ(url_decode("a+b"), "a+b");
}

RuleCondition cond(ConditionField f, std::vector<std::string> values, std::string header = {}) {
  RuleCondition c;
  c.field = f;
  c.values = std::move(values);
  c.header_name = std::move(header);
  return c;
}

RuleCondition query_cond(std::vector<alb::QueryStringPair> pairs) {
  RuleCondition c;
  c.field = ConditionField::kQueryString;
  c.query = std::move(pairs);
  return c;
}

RuleCondition source_cond(std::vector<const char*> cidrs) {
  RuleCondition c;
  c.field = ConditionField::kSourceIp;
  for (auto s : cidrs) c.source_cidrs.push_back(*Ipv4Cidr::parse(s));
  return c;
}

HttpRequestView request() {
  HttpRequestView r;
  r.method = "GET";
  r.host = "Api.Example.com:8080";
  r.path = "/v1/Users/42";
  r.query = "Version=2&name=John%20Doe&flag&empty=";
  r.headers = {{"User-Agent", "Mozilla/5.0 (Mobile)"}, {"X-Env", "staging"}, {"x-env", "canary"}};
  r.source_ip = *Ipv4Address::parse("10.1.2.3");
  return r;
}

struct ConditionCase {
  const char* name;
  RuleCondition condition;
  bool expected;
};

TEST(ConditionMatches, AllSixConditionTypes) {
  using QP = alb::QueryStringPair;
  const ConditionCase cases[] = {
      {"host exact, case-insensitive, port stripped",
       cond(ConditionField::kHostHeader, {"api.example.com"}), true},
      {"host wildcard", cond(ConditionField::kHostHeader, {"*.example.com"}), true},
      {"host with port in pattern does not match", cond(ConditionField::kHostHeader, {"api.example.com:8080"}), false},
      {"host values ORed", cond(ConditionField::kHostHeader, {"x.org", "API.EXAMPLE.COM"}), true},
      {"host other", cond(ConditionField::kHostHeader, {"www.example.com"}), false},
      {"path prefix", cond(ConditionField::kPathPattern, {"/v1/*"}), true},
      {"path case-sensitive", cond(ConditionField::kPathPattern, {"/v1/users/*"}), false},
      {"path excludes query", cond(ConditionField::kPathPattern, {"*Version*"}), false},
      {"path single char", cond(ConditionField::kPathPattern, {"/v?/Users/4?"}), true},
      {"header name ci, value wildcard ci", cond(ConditionField::kHttpHeader, {"*mobile*"}, "user-agent"), true},
      {"header any instance", cond(ConditionField::kHttpHeader, {"CANARY"}, "X-ENV"), true},
      {"header absent", cond(ConditionField::kHttpHeader, {"*"}, "X-Missing"), false},
      {"header value mismatch", cond(ConditionField::kHttpHeader, {"prod"}, "X-Env"), false},
      {"method exact", cond(ConditionField::kHttpRequestMethod, {"POST", "GET"}), true},
      {"method case-sensitive", cond(ConditionField::kHttpRequestMethod, {"get"}), false},
      {"method no wildcard", cond(ConditionField::kHttpRequestMethod, {"G*"}), false},
      {"query key/value ci", query_cond({QP{"version", "2"}}), true},
      {"query value only", query_cond({QP{std::nullopt, "2"}}), true},
      {"query url-decoded", query_cond({QP{"name", "john doe"}}), true},
      {"query wildcard", query_cond({QP{"name", "J*"}}), true},
      {"query key without value", query_cond({QP{"flag", ""}}), true},
      {"query empty value", query_cond({QP{"empty", "*"}}), true},
      {"query wrong value", query_cond({QP{"version", "3"}}), false},
      {"query pairs ORed", query_cond({QP{"version", "3"}, QP{"name", "*doe"}}), true},
      {"query key mismatch", query_cond({QP{"versions", "2"}}), false},
      {"source in CIDR", source_cond({"10.1.0.0/16"}), true},
      {"source CIDRs ORed", source_cond({"192.168.0.0/16", "10.1.2.3/32"}), true},
      {"source outside", source_cond({"10.2.0.0/16"}), false},
  };
  const HttpRequestView req = request();
  for (const auto& c : cases) EXPECT_EQ(condition_matches(c.condition, req), c.expected) << c.name;
}

TEST(ConditionMatches, QueryStringEscapedWildcardIsLiteral) {
  HttpRequestView req = request();
  req.query = "q=a%2A";  // q=a*
  EXPECT_TRUE(condition_matches(query_cond({{"q", "a\\*"}}), req));
  req.query = "q=ab";
  EXPECT_FALSE(condition_matches(query_cond({{"q", "a\\*"}}), req));
  EXPECT_TRUE(condition_matches(query_cond({{"q", "a*"}}), req));
}

TEST(ConditionMatches, EmptyQueryMatchesNothing) {
  HttpRequestView req = request();
  req.query = "";
  EXPECT_FALSE(condition_matches(query_cond({{std::nullopt, "*"}}), req));
}

alb::ListenerRule rule(int priority, std::vector<RuleCondition> conds) {
  alb::ListenerRule r;
  r.priority = priority;
  r.arn = "rule-" + std::to_string(priority);
  r.conditions = std::move(conds);
  return r;
}

TEST(SelectRule, LowestPriorityFirstAllConditionsAnded) {
  std::vector<alb::ListenerRule> rules = {
      rule(1, {cond(ConditionField::kPathPattern, {"/admin/*"})}),
      rule(5, {cond(ConditionField::kHostHeader, {"api.example.com"}),
               cond(ConditionField::kHttpRequestMethod, {"POST"})}),  // method fails: AND
      rule(10, {cond(ConditionField::kHostHeader, {"*.example.com"}),
                cond(ConditionField::kPathPattern, {"/v1/*"})}),
      rule(20, {cond(ConditionField::kPathPattern, {"*"})}),
  };
  alb::ListenerRule def = rule(0, {});
  def.arn = "default";
  HttpRequestView req = request();
  EXPECT_EQ(select_rule(rules, def, req).priority, 10);
  req.path = "/admin/x";
  EXPECT_EQ(select_rule(rules, def, req).priority, 1);
  rules.pop_back();
  req.path = "/other";
  EXPECT_EQ(select_rule(rules, def, req).arn, "default");
  EXPECT_EQ(select_rule({}, def, req).arn, "default");
}

TEST(HealthMatcher, ListsAndRanges) {
  auto m = parse_matcher("200,202");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->matches(200));
  EXPECT_TRUE(m->matches(202));
  EXPECT_FALSE(m->matches(201));
  m = parse_matcher("200-299");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->matches(250));
  EXPECT_FALSE(m->matches(300));
  m = parse_matcher("200,300-302");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->matches(301));
  EXPECT_FALSE(m->matches(303));
  for (const char* bad : {"", "abc", "199", "500", "299-200", "200,", "2000", "200-"})
    EXPECT_FALSE(parse_matcher(bad)) << bad;
}

TEST(TargetHealthTransitions, ThresholdsAsAws) {
  alb::HealthCheck hc;  // defaults: healthy 5, unhealthy 2
  TargetHealth t;
  EXPECT_EQ(t.state, TargetHealthState::kInitial);
  EXPECT_STREQ(target_health_reason_code(t.reason), "Elb.InitialHealthChecking");
  // a new target becomes healthy after its first passing check
  t = next_target_health(t, HealthCheckOutcome::kSuccess, hc);
  EXPECT_EQ(t.state, TargetHealthState::kHealthy);
  // one failure is not enough
  t = next_target_health(t, HealthCheckOutcome::kTimeout, hc);
  EXPECT_EQ(t.state, TargetHealthState::kHealthy);
  t = next_target_health(t, HealthCheckOutcome::kResponseCodeMismatch, hc);
  EXPECT_EQ(t.state, TargetHealthState::kUnhealthy);
  EXPECT_STREQ(target_health_reason_code(t.reason), "Target.ResponseCodeMismatch");
  for (int i = 0; i < 4; ++i) {
    t = next_target_health(t, HealthCheckOutcome::kSuccess, hc);
    EXPECT_EQ(t.state, TargetHealthState::kUnhealthy) << i;
  }
  t = next_target_health(t, HealthCheckOutcome::kSuccess, hc);
  EXPECT_EQ(t.state, TargetHealthState::kHealthy);
  EXPECT_STREQ(target_health_reason_code(t.reason), "");
  // a success in between resets the failure count
  t = next_target_health(t, HealthCheckOutcome::kFailed, hc);
  t = next_target_health(t, HealthCheckOutcome::kSuccess, hc);
  t = next_target_health(t, HealthCheckOutcome::kFailed, hc);
  EXPECT_EQ(t.state, TargetHealthState::kHealthy);
  t = next_target_health(t, HealthCheckOutcome::kFailed, hc);
  EXPECT_EQ(t.state, TargetHealthState::kUnhealthy);
  EXPECT_STREQ(target_health_reason_code(t.reason), "Target.FailedHealthChecks");
}

TEST(TargetHealthTransitions, InitialTargetFailingBecomesUnhealthy) {
  alb::HealthCheck hc;
  hc.unhealthy_threshold = 3;
  TargetHealth t;
  t = next_target_health(t, HealthCheckOutcome::kTimeout, hc);
  t = next_target_health(t, HealthCheckOutcome::kTimeout, hc);
  EXPECT_EQ(t.state, TargetHealthState::kInitial);
  t = next_target_health(t, HealthCheckOutcome::kTimeout, hc);
  EXPECT_EQ(t.state, TargetHealthState::kUnhealthy);
  EXPECT_STREQ(target_health_reason_code(t.reason), "Target.Timeout");
}

TEST(TargetHealthTransitions, DrainingIsNotChangedByChecks) {
  TargetHealth t;
  t.state = TargetHealthState::kDraining;
  t.reason = TargetHealthReason::kDeregistrationInProgress;
  t = next_target_health(t, HealthCheckOutcome::kSuccess, alb::HealthCheck{});
  EXPECT_EQ(t.state, TargetHealthState::kDraining);
}

TEST(FailOpen, OnlyWhenNoHealthyAndSomeUnhealthy) {
  using S = TargetHealthState;
  EXPECT_TRUE(fail_open({S::kUnhealthy, S::kUnhealthy}));
  EXPECT_TRUE(fail_open({S::kUnhealthy, S::kInitial}));
  EXPECT_FALSE(fail_open({S::kUnhealthy, S::kHealthy}));
  EXPECT_FALSE(fail_open({S::kInitial}));
  EXPECT_FALSE(fail_open({}));
}

}  // namespace
}  // namespace vpclab::semantics
