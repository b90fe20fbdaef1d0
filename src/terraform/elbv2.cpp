// Terraform -> model, load balancers: aws_lb / aws_alb, aws_lb_target_group,
// aws_lb_target_group_attachment, aws_lb_listener, aws_lb_listener_rule (and
// their aws_alb_* twins, the same provider code). Values and limits come from
// semantics/alb_settings, as for templates and snapshots.
#include <fmt/format.h>

#include <algorithm>

#include "model/aws_names.h"
#include "semantics/alb_settings.h"
#include "terraform/reader.h"
#include "vocab/aws_id.h"

namespace vpclab::terraform {

namespace sem = semantics;

namespace {
const std::vector<std::string_view> kLbTypes = {"aws_lb", "aws_alb"};
const std::vector<std::string_view> kTgTypes = {"aws_lb_target_group", "aws_alb_target_group"};
const std::vector<std::string_view> kListenerTypes = {"aws_lb_listener", "aws_alb_listener"};
}  // namespace

void Reader::add_load_balancer(Resource& r) {
  Node n = top(r);
  Want quiet;
  quiet.quiet = true;
  model::LoadBalancer lb;
  lb.origin = origin(r);
  lb.type = str(n, "load_balancer_type", quiet).value_or("application");
  if (lb.type.empty()) lb.type = "application";
  if (!alb::parse_enum<alb::LoadBalancerType>(lb.type)) {
    error(n, "load_balancer_type", "TF_VALUE",
          fmt::format("load_balancer_type '{}' is not {}", lb.type, alb::enum_choices<alb::LoadBalancerType>()));
    lb.type = "application";
  }
  if (lb.type == "gateway") {
    model::UnmodeledResource u{"aws_lb (gateway)", r.id.empty() ? make_id("gwlb", r) : r.id, origin(r)};
    net_.unmodeled.push_back(std::move(u));
    return;
  }
  lb.name = str(n, "name", quiet).value_or("");
  if (lb.name.empty()) lb.name = "tf-lb-" + model::make_hex(20, {ctx_.account, ctx_.name, r.address});
  lb.internal = str(n, "internal", quiet).value_or("false") == "true";
  Want ws;
  ws.types = kSubnetTypes;
  ws.many = true;
  lb.subnets = strs(n, "subnets", ws);
  for (const Node& m : blocks(n, "subnet_mapping"))
    if (auto s = str(m, "subnet_id", ws)) lb.subnets.push_back(*s);
  if (lb.subnets.empty())
    return warning(n, "subnets", "TF_UNKNOWN", "the load balancer's subnets are not known from the plan; left out");
  for (const auto& sid : lb.subnets)
    if (!subnet_ix_.count(sid)) return ref_missing(n, "subnets", sid, "subnet");
  Want wg;
  wg.types = kSgTypes;
  wg.many = true;
  wg.quiet = true;
  lb.security_groups = strs(n, "security_groups", wg);
  // Provider arguments for what CloudFormation sets as attributes.
  static const std::pair<const char*, const char*> attrs[] = {
      {"idle_timeout", "idle_timeout.timeout_seconds"},
      {"enable_http2", "routing.http2.enabled"},
      {"drop_invalid_header_fields", "routing.http.drop_invalid_header_fields.enabled"},
      {"desync_mitigation_mode", "routing.http.desync_mitigation_mode"},
      {"preserve_host_header", "routing.http.preserve_host_header.enabled"},
      {"xff_header_processing_mode", "routing.http.xff_header_processing.mode"},
  };
  if (lb.type == "application")
    for (const auto& [arg, key] : attrs)
      if (auto v = str(n, arg, quiet); v && !v->empty())
        if (auto msg = sem::set_load_balancer_attribute(lb.attributes, key, *v)) error(n, arg, "TF_VALUE", *msg);
  if (auto arn = str(n, "arn", quiet); arn && !arn->empty()) lb.arn = *arn;
  model::assign_load_balancer_names(lb, ctx_.account, ctx_.region);
  if (!lb.subnets.empty())
    if (model::Subnet* s = find(net_.subnets, subnet_ix_, lb.subnets.front())) lb.vpc = s->vpc;
  r.id = lb.arn;
  by_id_[lb.arn] = &r;
  r.attrs["arn"] = lb.arn;
  r.attrs["id"] = lb.arn;
  r.attrs["dns_name"] = lb.dns_name;
  r.attrs["zone_id"] = lb.canonical_hosted_zone_id;
  r.attrs["name"] = lb.name;
  r.attrs["arn_suffix"] = lb.full_name;
  r.attrs["vpc_id"] = lb.vpc;
  lb_ix_[lb.arn] = net_.load_balancers.size();
  net_.load_balancers.push_back(std::move(lb));
}

void Reader::add_target_group(Resource& r) {
  Node n = top(r);
  Want quiet;
  quiet.quiet = true;
  model::TargetGroup tg;
  tg.origin = origin(r);
  tg.name = str(n, "name", quiet).value_or("");
  if (tg.name.empty()) tg.name = "tf-" + model::make_hex(26, {ctx_.account, ctx_.name, r.address});
  tg.target_type = str(n, "target_type", quiet).value_or("instance");
  if (!alb::parse_enum<alb::TargetType>(tg.target_type)) {
    error(n, "target_type", "TF_VALUE",
          fmt::format("target_type '{}' is not {}", tg.target_type, alb::enum_choices<alb::TargetType>()));
    tg.target_type = "instance";
  }
  tg.protocol = str(n, "protocol", quiet).value_or("HTTP");
  if (tg.protocol.empty()) tg.protocol = "HTTP";
  if (auto p = integer(n, "port"); p && *p > 0 && *p <= 65535) tg.port = static_cast<uint16_t>(*p);
  if (auto v = str(n, "protocol_version", quiet); v && !v->empty()) tg.protocol_version = *v;
  if (tg.target_type != "lambda") {
    Want wv;
    wv.types = kVpcTypes;
    tg.vpc = str(n, "vpc_id", wv).value_or("");
    if (!tg.vpc.empty() && !vpc_ix_.count(tg.vpc)) return ref_missing(n, "vpc_id", tg.vpc, "VPC");
  }
  auto& hc = tg.health_check;
  hc.protocol = tg.protocol == "HTTPS" ? "HTTPS" : "HTTP";
  // A health_check block takes Terraform's defaults for what it leaves out
  // (the plan shows them); without one AWS's defaults stand.
  for (const Node& b : blocks(n, "health_check")) {
    if (auto v = str(b, "enabled", quiet)) hc.enabled = *v != "false";
    if (auto v = str(b, "protocol", quiet); v && !v->empty()) hc.protocol = *v;
    if (auto v = str(b, "port", quiet); v && !v->empty()) hc.port = *v;
    if (auto v = str(b, "path", quiet); v && !v->empty()) hc.path = *v;
    if (auto v = str(b, "matcher", quiet); v && !v->empty()) hc.matcher = *v;
    auto num = [&](const char* key, int& out) {
      if (auto v = integer(b, key); v && *v > 0) out = static_cast<int>(*v);
    };
    num("interval", hc.interval_seconds);
    num("timeout", hc.timeout_seconds);
    num("healthy_threshold", hc.healthy_threshold);
    num("unhealthy_threshold", hc.unhealthy_threshold);
  }
  auto attr = [&](const Node& at, const char* arg, const char* key) {
    if (auto v = str(at, arg, quiet); v && !v->empty())
      if (auto msg = sem::set_target_group_attribute(tg.attributes, key, *v)) error(at, arg, "TF_VALUE", *msg);
  };
  attr(n, "deregistration_delay", "deregistration_delay.timeout_seconds");
  attr(n, "slow_start", "slow_start.duration_seconds");
  attr(n, "load_balancing_algorithm_type", "load_balancing.algorithm.type");
  for (const Node& b : blocks(n, "stickiness")) {
    attr(b, "enabled", "stickiness.enabled");
    attr(b, "type", "stickiness.type");
    auto type = str(b, "type", quiet).value_or("lb_cookie");
    attr(b, "cookie_duration", type == "app_cookie" ? "stickiness.app_cookie.duration_seconds"
                                                     : "stickiness.lb_cookie.duration_seconds");
    if (type == "app_cookie") attr(b, "cookie_name", "stickiness.app_cookie.cookie_name");
  }
  if (auto arn = str(n, "arn", quiet); arn && !arn->empty()) tg.arn = *arn;
  model::assign_target_group_names(tg, ctx_.account, ctx_.region);
  r.id = tg.arn;
  by_id_[tg.arn] = &r;
  r.attrs["arn"] = tg.arn;
  r.attrs["id"] = tg.arn;
  r.attrs["name"] = tg.name;
  r.attrs["arn_suffix"] = tg.full_name;
  tg_ix_[tg.arn] = net_.target_groups.size();
  net_.target_groups.push_back(std::move(tg));
}

void Reader::add_tg_attachment(Resource& r) {
  Node n = top(r);
  Want wt, wi, quiet;
  wt.types = kTgTypes;
  wt.attr = "arn";
  wi.types = {"aws_instance", "aws_lb", "aws_alb", "aws_network_interface"};
  quiet.quiet = true;
  auto arn = str(n, "target_group_arn", wt);
  model::TargetGroup* tg = arn ? find(net_.target_groups, tg_ix_, *arn) : nullptr;
  if (!tg) return ref_missing(n, "target_group_arn", arn.value_or("?"), "target group");
  auto id = str(n, "target_id", wi);
  if (!id) return;
  model::Target t;
  t.id = *id;
  t.loc = loc_of(n);
  if (auto p = integer(n, "port"); p && *p > 0 && *p <= 65535) t.port = static_cast<uint16_t>(*p);
  t.availability_zone = str(n, "availability_zone", quiet).value_or("");
  tg->targets.push_back(std::move(t));
}

std::vector<alb::Action> Reader::actions(const Node& n, const std::string& block, std::string_view listener_protocol) {
  std::vector<alb::Action> out;
  Want quiet, wt;
  quiet.quiet = true;
  wt.types = kTgTypes;
  wt.attr = "arn";
  for (const Node& b : blocks(n, block)) {
    alb::Action a;
    std::string type = str(b, "type").value_or("");
    auto parsed = alb::parse_action_type(type);
    if (!parsed) {
      error(b, "type", "TF_VALUE", fmt::format("action type '{}' is not {}", type, alb::enum_choices<alb::ActionType>()));
      continue;
    }
    a.type = *parsed;
    a.order = static_cast<int>(integer(b, "order").value_or(0));
    if (a.type == alb::ActionType::kForward) {
      if (auto arn = str(b, "target_group_arn", wt); arn && !arn->empty()) a.target_groups.push_back({*arn, 1});
      for (const Node& f : blocks(b, "forward")) {
        std::vector<alb::WeightedTargetGroup> weighted;
        for (const Node& g : blocks(f, "target_group"))
          if (auto arn = str(g, "arn", wt))
            weighted.push_back({*arn, static_cast<int>(integer(g, "weight").value_or(1))});
        if (!weighted.empty()) a.target_groups = weighted;
        for (const Node& st : blocks(f, "stickiness")) {
          a.group_stickiness = str(st, "enabled", quiet).value_or("false") == "true";
          if (auto d = integer(st, "duration")) a.group_stickiness_seconds = static_cast<int>(*d);
        }
      }
      if (a.target_groups.empty()) {
        warning(b, "target_group_arn", "TF_UNKNOWN", "the forward action's target group is not known; action left out");
        continue;
      }
    } else if (a.type == alb::ActionType::kRedirect) {
      for (const Node& rc : blocks(b, "redirect")) {
        auto& rd = a.redirect;
        auto set = [&](const char* key, std::string& out_field) {
          if (auto v = str(rc, key, quiet); v && !v->empty()) out_field = *v;
        };
        set("protocol", rd.protocol);
        set("host", rd.host);
        set("port", rd.port);
        set("path", rd.path);
        set("query", rd.query);
        std::string code = str(rc, "status_code", quiet).value_or("");
        if (auto s = alb::parse_enum<alb::RedirectStatus>(code)) rd.status_code = alb::redirect_status_code(*s);
        else error(rc, "status_code", "TF_VALUE", fmt::format("status_code '{}' is not HTTP_301 or HTTP_302", code));
        for (const auto& p : sem::check_redirect(rd, listener_protocol))
          error(rc, "", "TF_VALUE", fmt::format("redirect {}: {}", p.key, p.message));
      }
    } else if (a.type == alb::ActionType::kFixedResponse) {
      for (const Node& fr : blocks(b, "fixed_response")) {
        auto& f = a.fixed_response;
        f.status_code = static_cast<int>(integer(fr, "status_code").value_or(200));
        f.content_type = str(fr, "content_type", quiet).value_or("");
        f.body = str(fr, "message_body", quiet).value_or("");
        for (const auto& p : sem::check_fixed_response(f))
          error(fr, "", "TF_VALUE", fmt::format("fixed-response {}: {}", p.key, p.message));
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

void Reader::add_listener(Resource& r) {
  Node n = top(r);
  Want wl, quiet;
  wl.types = kLbTypes;
  wl.attr = "arn";
  quiet.quiet = true;
  model::Listener l;
  l.origin = origin(r);
  l.load_balancer = str(n, "load_balancer_arn", wl).value_or("");
  model::LoadBalancer* owner = find(net_.load_balancers, lb_ix_, l.load_balancer);
  if (!owner) return ref_missing(n, "load_balancer_arn", l.load_balancer, "load balancer");
  l.protocol = str(n, "protocol", quiet).value_or("");
  if (l.protocol.empty()) l.protocol = owner->type == "application" ? "HTTP" : "TCP";
  if (auto p = integer(n, "port"); p && *p > 0 && *p <= 65535) l.port = static_cast<uint16_t>(*p);
  else error(n, "port", "TF_VALUE", "port must be 1-65535");
  l.default_rule.actions = actions(n, "default_action", l.protocol);
  l.default_rule.loc = loc_of(n, "default_action");
  if (auto arn = str(n, "arn", quiet); arn && !arn->empty()) l.arn = *arn;
  else
    l.arn = aws_id::listener_arn(l.load_balancer, model::make_hex(16, {ctx_.account, ctx_.region, ctx_.name, r.address}));
  l.default_rule.arn = aws_id::listener_rule_arn(l.arn, model::make_hex(16, {l.arn, "default"}));
  r.id = l.arn;
  by_id_[l.arn] = &r;
  r.attrs["arn"] = l.arn;
  r.attrs["id"] = l.arn;
  listener_ix_[l.arn] = net_.listeners.size();
  net_.listeners.push_back(std::move(l));
}

std::optional<alb::RuleCondition> Reader::condition(const Node& n) {
  Want quiet;
  quiet.quiet = true;
  struct Field {
    const char* block;
    alb::ConditionField field;
  };
  static const Field fields[] = {
      {"host_header", alb::ConditionField::kHostHeader},
      {"path_pattern", alb::ConditionField::kPathPattern},
      {"http_request_method", alb::ConditionField::kHttpRequestMethod},
      {"source_ip", alb::ConditionField::kSourceIp},
      {"http_header", alb::ConditionField::kHttpHeader},
      {"query_string", alb::ConditionField::kQueryString},
  };
  std::optional<alb::RuleCondition> out;
  for (const auto& f : fields) {
    auto bs = blocks(n, f.block);
    if (bs.empty()) continue;
    if (out) {
      error(n, f.block, "RULE_CONDITION", "a condition block holds exactly one of host_header, path_pattern, ...");
      return std::nullopt;
    }
    alb::RuleCondition c;
    c.field = f.field;
    for (const Node& b : bs) {
      if (f.field == alb::ConditionField::kQueryString) {
        alb::QueryStringPair q;
        if (auto k = str(b, "key", quiet); k && !k->empty()) q.key = *k;
        q.value = str(b, "value", quiet).value_or("");
        c.query.push_back(std::move(q));
        continue;
      }
      if (f.field == alb::ConditionField::kHttpHeader) c.header_name = str(b, "http_header_name", quiet).value_or("");
      c.values = strs(b, "values", quiet);
      if (f.field == alb::ConditionField::kSourceIp)
        for (const auto& v : c.values)
          if (auto ci = cidr(b, "values", v)) c.source_cidrs.push_back(*ci);
    }
    out = std::move(c);
  }
  return out;
}

void Reader::add_listener_rule(Resource& r) {
  Node n = top(r);
  Want wl;
  wl.types = kListenerTypes;
  wl.attr = "arn";
  auto larn = str(n, "listener_arn", wl);
  model::Listener* l = larn ? find(net_.listeners, listener_ix_, *larn) : nullptr;
  if (!l) return ref_missing(n, "listener_arn", larn.value_or("?"), "listener");
  alb::ListenerRule rule;
  rule.arn = aws_id::listener_rule_arn(l->arn, model::make_hex(16, {ctx_.account, ctx_.region, ctx_.name, r.address}));
  rule.loc = loc_of(n);
  if (auto p = integer(n, "priority")) {
    rule.priority = static_cast<int>(*p);
  } else {
    // Unset: the next after the highest existing (the provider's rule).
    int top_priority = 0;
    for (const auto& x : l->rules) top_priority = std::max(top_priority, x.priority);
    rule.priority = top_priority + 1;
  }
  rule.actions = actions(n, "action", l->protocol);
  for (const Node& c : blocks(n, "condition"))
    if (auto rc = condition(c)) rule.conditions.push_back(std::move(*rc));
  if (rule.conditions.empty()) warning(n, "condition", "RULE_CONDITION", "a listener rule needs at least one condition");
  l->rules.push_back(std::move(rule));
  std::stable_sort(l->rules.begin(), l->rules.end(),
                   [](const alb::ListenerRule& a, const alb::ListenerRule& b) { return a.priority < b.priority; });
}

}  // namespace vpclab::terraform
