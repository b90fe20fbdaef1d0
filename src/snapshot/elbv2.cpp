// AWS CLI JSON -> model: elbv2 describe-load-balancers, describe-listeners, describe-rules,
// describe-target-groups, describe-target-health, describe-*-attributes.
#include <algorithm>

#include "semantics/alb_settings.h"
#include "semantics/network_load_balancer.h"
#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace sem = semantics;
using sem::AlbNumber;

namespace {

// "arn:...:loadbalancer/app/NAME/ID" -> "app/NAME/ID"
std::string after(const std::string& arn, const std::string& marker) {
  auto pos = arn.find(marker);
  return pos == std::string::npos ? std::string() : arn.substr(pos + marker.size());
}

std::vector<alb::Action> sorted_actions(std::vector<alb::Action> v) {
  std::stable_sort(v.begin(), v.end(), [](const alb::Action& a, const alb::Action& b) { return a.order < b.order; });
  return v;
}

}  // namespace

void Loader::load_balancers(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::LoadBalancer lb;
    lb.arn = str(x, "LoadBalancerArn");
    if (lb.arn.empty() || lb_ix_.count(lb.arn)) continue;
    std::string state;
    if (const json* s = field(x, "State")) state = str(*s, "Code");
    if (!state.empty() && state != "active" && state != "active_impaired" && state != "provisioning") {
      note(d, p, "SNAP_INACTIVE", "load balancer " + lb.arn + " is " + state + "; not modeled");
      continue;
    }
    lb.origin = origin(d);
    lb.name = str(x, "LoadBalancerName");
    lb.type = str(x, "Type");
    if (lb.type.empty()) lb.type = "application";
    lb.internal = str(x, "Scheme") == "internal";
    lb.vpc = str(x, "VpcId");
    lb.dns_name = str(x, "DNSName");
    lb.canonical_hosted_zone_id = str(x, "CanonicalHostedZoneId");
    lb.full_name = after(lb.arn, ":loadbalancer/");
    if (!vpc_ix_.count(lb.vpc)) {
      warn(d, p + ".VpcId", "SNAP_DANGLING", "load balancer " + lb.name + " in unknown VPC " + lb.vpc + "; skipped");
      continue;
    }
    if (const json* sgs = array(x, "SecurityGroups"))
      for (const auto& g : *sgs)
        if (g.is_string()) lb.security_groups.push_back(g.get<std::string>());
    if (const json* azs = array(x, "AvailabilityZones")) {
      for (size_t k = 0; k < azs->size(); ++k) {
        const json& z = (*azs)[k];
        std::string subnet = str(z, "SubnetId");
        if (!subnet_ix_.count(subnet)) {
          warn(d, at(p + ".AvailabilityZones", k) + ".SubnetId", "SNAP_DANGLING",
               "load balancer " + lb.name + " in unknown subnet " + subnet + "; that zone is left out");
          continue;
        }
        lb.subnets.push_back(subnet);
        // Node addresses: the ELB's interfaces in that subnet (below), or
        // what an NLB lists as its per-zone addresses.
        model::LoadBalancerNode node;
        node.subnet = subnet;
        node.availability_zone = str(z, "ZoneName");
        for (const auto& e : net_.network_interfaces) {
          if (e.owner_kind == model::EniOwnerKind::kLoadBalancer && e.owner_id == lb.full_name && e.subnet == subnet) {
            node.network_interface = e.id;
            node.private_ip = e.private_ip;
            node.public_ip = e.public_ip;
            break;
          }
        }
        if (node.network_interface.empty()) {
          if (const json* addrs = array(z, "LoadBalancerAddresses")) {
            for (const auto& la : *addrs) {
              if (auto pip = Ipv4Address::parse(str(la, "PrivateIPv4Address"))) node.private_ip = *pip;
              if (auto pub = Ipv4Address::parse(str(la, "IpAddress"))) node.public_ip = pub;
            }
          }
        }
        if (!node.network_interface.empty() || node.private_ip.value != 0) lb.nodes.push_back(node);
      }
    }
    // Some zones without a known node address: leave all nodes to finalize(),
    // which fills them only when none are given.
    if (lb.nodes.size() != lb.subnets.size()) lb.nodes.clear();
    for (auto& e : net_.network_interfaces)
      if (e.owner_kind == model::EniOwnerKind::kLoadBalancer && e.owner_id == lb.full_name) e.owner_id = lb.arn;
    if (lb.type == "network") lb.enforce_sg_inbound_on_privatelink = str(x, "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic") != "off";
    if (lb.type != "application" && lb.type != "network") {
      std::string what = lb.type + " load balancer";
      warn(d, p, "SNAP_UNMODELED",
           what + " " + lb.name + " is not modeled; paths through it are reported unknown");
      add_unmodeled("AWS::ElasticLoadBalancingV2::LoadBalancer", lb.arn, lb.origin);
    }
    lb_ix_[lb.arn] = net_.load_balancers.size();
    net_.load_balancers.push_back(std::move(lb));
  }
}

std::optional<alb::RuleCondition> Loader::condition(const Doc& d, const json& c, const std::string& p) {
  alb::RuleCondition rc;
  std::string f = str(c, "Field");
  auto values_of = [&](const char* config) {
    std::vector<std::string> v;
    const json* cfg = field(c, config);
    const json* vals = cfg ? array(*cfg, "Values") : array(c, "Values");
    if (vals)
      for (const auto& x : *vals)
        if (x.is_string()) v.push_back(x.get<std::string>());
    return v;
  };
  auto field_of = alb::parse_condition_field(f);
  if (!field_of) {
    warn(d, p + ".Field", "SNAP_BAD_VALUE",
         "condition field '" + f + "' is not " + alb::enum_choices<alb::ConditionField>() + "; rule skipped");
    return std::nullopt;
  }
  rc.field = *field_of;
  switch (rc.field) {
    case alb::ConditionField::kHostHeader: rc.values = values_of("HostHeaderConfig"); break;
    case alb::ConditionField::kPathPattern: rc.values = values_of("PathPatternConfig"); break;
    case alb::ConditionField::kHttpHeader:
      if (const json* cfg = field(c, "HttpHeaderConfig")) rc.header_name = str(*cfg, "HttpHeaderName");
      rc.values = values_of("HttpHeaderConfig");
      break;
    case alb::ConditionField::kHttpRequestMethod: rc.values = values_of("HttpRequestMethodConfig"); break;
    case alb::ConditionField::kQueryString:
      if (const json* cfg = field(c, "QueryStringConfig"))
        if (const json* vals = array(*cfg, "Values"))
          for (const auto& kv : *vals) {
            alb::QueryStringPair q;
            if (const json* k = field(kv, "Key"); k && k->is_string()) q.key = k->get<std::string>();
            q.value = str(kv, "Value");
            rc.query.push_back(q);
          }
      break;
    case alb::ConditionField::kSourceIp:
      for (const auto& v : values_of("SourceIpConfig")) {
        if (auto cidr = cidr_of(v)) rc.source_cidrs.push_back(*cidr);
        else
          warn(d, p, "SNAP_BAD_VALUE", "source-ip value '" + v + "' is not an IPv4 CIDR; left out");
      }
      break;
  }
  return rc;
}

std::optional<alb::Action> Loader::action(const Doc& d, const json& a, const std::string& p,
                                          std::string_view listener_protocol) {
  alb::Action act;
  std::string type = str(a, "Type");
  act.order = static_cast<int>(integer(a, "Order").value_or(0));
  auto type_of = alb::parse_action_type(type);
  if (!type_of) {
    warn(d, p + ".Type", "SNAP_BAD_VALUE",
         "action type '" + type + "' is not " + alb::enum_choices<alb::ActionType>() + "; skipped");
    return std::nullopt;
  }
  act.type = *type_of;
  // Values AWS would not have accepted: reported at their place, and the
  // action kept as written (the account runs it).
  auto problems = [&](const std::string& where, const std::vector<sem::AlbSettingProblem>& ps) {
    for (const auto& x : ps)
      warn(d, where + (x.key == "RedirectConfig" ? "" : "." + x.key), "SNAP_BAD_VALUE", x.key + " " + x.message);
  };
  switch (act.type) {
    case alb::ActionType::kForward: {
      const json* fc = field(a, "ForwardConfig");
      if (const json* tgs = fc ? array(*fc, "TargetGroups") : nullptr) {
        for (size_t k = 0; k < tgs->size(); ++k) {
          const json& t = (*tgs)[k];
          int weight = static_cast<int>(integer(t, "Weight").value_or(1));
          if (auto msg = sem::check_alb_number(AlbNumber::kTargetGroupWeight, weight))
            warn(d, at(p + ".ForwardConfig.TargetGroups", k) + ".Weight", "SNAP_BAD_VALUE", "Weight " + *msg);
          act.target_groups.push_back({str(t, "TargetGroupArn"), weight});
        }
        if (const json* st = field(*fc, "TargetGroupStickinessConfig")) {
          act.group_stickiness = boolean(*st, "Enabled").value_or(false);
          act.group_stickiness_seconds = static_cast<int>(integer(*st, "DurationSeconds").value_or(3600));
          if (act.group_stickiness)
            if (auto msg = sem::check_alb_number(AlbNumber::kGroupStickinessSeconds, act.group_stickiness_seconds))
              warn(d, p + ".ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "SNAP_BAD_VALUE",
                   "DurationSeconds " + *msg);
        }
      }
      if (act.target_groups.empty()) {
        std::string tg = str(a, "TargetGroupArn");
        if (tg.empty()) {
          warn(d, p, "SNAP_MISSING", "forward action without a target group; skipped");
          return std::nullopt;
        }
        act.target_groups.push_back({tg, 1});
      }
      break;
    }
    case alb::ActionType::kRedirect:
      if (const json* rc = field(a, "RedirectConfig")) {
        auto set = [&](const char* key, std::string& out) {
          std::string v = str(*rc, key);
          if (!v.empty()) out = v;
        };
        set("Protocol", act.redirect.protocol);
        set("Host", act.redirect.host);
        set("Port", act.redirect.port);
        set("Path", act.redirect.path);
        if (field(*rc, "Query")) act.redirect.query = str(*rc, "Query");
        std::string code = str(*rc, "StatusCode");
        auto status = alb::parse_enum<alb::RedirectStatus>(code);
        if (!status)
          warn(d, p + ".RedirectConfig.StatusCode", "SNAP_BAD_VALUE",
               "StatusCode '" + code + "' is not " + alb::enum_choices<alb::RedirectStatus>() + "; HTTP_301 used");
        act.redirect.status_code = alb::redirect_status_code(status.value_or(alb::RedirectStatus::kHttp301));
        problems(p + ".RedirectConfig", sem::check_redirect(act.redirect, listener_protocol));
      }
      break;
    case alb::ActionType::kFixedResponse:
      if (const json* fr = field(a, "FixedResponseConfig")) {
        act.fixed_response.status_code = static_cast<int>(integer(*fr, "StatusCode").value_or(200));
        act.fixed_response.content_type = str(*fr, "ContentType");
        act.fixed_response.body = str(*fr, "MessageBody");
        problems(p + ".FixedResponseConfig", sem::check_fixed_response(act.fixed_response));
      }
      break;
    default:
      break;
  }
  return act;
}

void Loader::listeners(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::Listener l;
    l.arn = str(x, "ListenerArn");
    if (l.arn.empty() || listener_ix_.count(l.arn)) continue;
    l.origin = origin(d);
    l.load_balancer = str(x, "LoadBalancerArn");
    if (!lb_ix_.count(l.load_balancer)) {
      warn(d, p + ".LoadBalancerArn", "SNAP_DANGLING", "listener of unknown load balancer " + l.load_balancer + "; skipped");
      continue;
    }
    l.protocol = str(x, "Protocol");
    auto port = integer(x, "Port");
    if (!port || sem::check_alb_number(AlbNumber::kPort, *port)) {
      warn(d, p + ".Port", "SNAP_BAD_VALUE",
           "listener Port " + (port ? *sem::check_alb_number(AlbNumber::kPort, *port) : std::string("missing")) +
               "; skipped");
      continue;
    }
    l.port = static_cast<uint16_t>(*port);
    l.default_rule.arn = l.arn;
    l.default_rule.priority = 0;
    l.default_rule.loc = l.origin.loc;
    if (const json* acts = array(x, "DefaultActions")) {
      std::vector<alb::Action> v;
      for (size_t k = 0; k < acts->size(); ++k)
        if (auto act = action(d, (*acts)[k], at(p + ".DefaultActions", k), l.protocol)) v.push_back(*act);
      l.default_rule.actions = sorted_actions(std::move(v));
    }
    listener_ix_[l.arn] = net_.listeners.size();
    net_.listeners.push_back(std::move(l));
  }
}

void Loader::rules(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    if (boolean(x, "IsDefault").value_or(false) || str(x, "Priority") == "default") continue;  // the listener's own
    alb::ListenerRule rule;
    rule.arn = str(x, "RuleArn");
    rule.loc = loc(d);
    // arn:...:listener-rule/app/NAME/LB/LISTENER/RULE -> arn:...:listener/app/NAME/LB/LISTENER
    std::string listener_arn;
    auto pos = rule.arn.find(":listener-rule/");
    auto slash = rule.arn.rfind('/');
    if (pos != std::string::npos && slash != std::string::npos && slash > pos)
      listener_arn = rule.arn.substr(0, pos) + ":listener/" + rule.arn.substr(pos + 15, slash - pos - 15);
    auto lit = listener_ix_.find(listener_arn);
    if (lit == listener_ix_.end()) {
      warn(d, p + ".RuleArn", "SNAP_DANGLING", "rule of unknown listener '" + listener_arn + "'; skipped");
      continue;
    }
    auto prio = integer(x, "Priority");
    if (!prio || sem::check_alb_number(AlbNumber::kRulePriority, *prio)) {
      warn(d, p + ".Priority", "SNAP_BAD_VALUE",
           "rule Priority " + (prio ? *sem::check_alb_number(AlbNumber::kRulePriority, *prio) : std::string("missing")) +
               "; skipped");
      continue;
    }
    rule.priority = static_cast<int>(*prio);
    bool ok = true;
    if (const json* cs = array(x, "Conditions")) {
      for (size_t k = 0; k < cs->size() && ok; ++k) {
        auto c = condition(d, (*cs)[k], at(p + ".Conditions", k));
        if (c) rule.conditions.push_back(*c);
        else ok = false;
      }
    }
    std::vector<alb::Action> acts;
    if (const json* as = array(x, "Actions"))
      for (size_t k = 0; k < as->size(); ++k)
        if (auto act = action(d, (*as)[k], at(p + ".Actions", k), net_.listeners[lit->second].protocol))
          acts.push_back(*act);
    if (!ok || acts.empty()) continue;
    rule.actions = sorted_actions(std::move(acts));
    auto& l = net_.listeners[lit->second];
    bool dup = false;
    for (const auto& r : l.rules) dup |= r.arn == rule.arn;
    if (dup) continue;
    l.rules.push_back(std::move(rule));
    std::stable_sort(l.rules.begin(), l.rules.end(),
                     [](const alb::ListenerRule& a, const alb::ListenerRule& b) { return a.priority < b.priority; });
  }
}

void Loader::target_groups(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string p = at(path, i);
    model::TargetGroup tg;
    tg.arn = str(x, "TargetGroupArn");
    if (tg.arn.empty() || tg_ix_.count(tg.arn)) continue;
    tg.origin = origin(d);
    tg.name = str(x, "TargetGroupName");
    tg.full_name = after(tg.arn, ":targetgroup/");
    if (!tg.full_name.empty()) tg.full_name = "targetgroup/" + tg.full_name;
    tg.target_type = str(x, "TargetType");
    if (tg.target_type.empty()) tg.target_type = "instance";
    tg.protocol = str(x, "Protocol");
    tg.port = static_cast<uint16_t>(integer(x, "Port").value_or(0));
    std::string pv = str(x, "ProtocolVersion");
    if (!pv.empty()) tg.protocol_version = pv;
    tg.vpc = str(x, "VpcId");
    auto& hc = tg.health_check;
    // AWS prints every health-check field; the NLB defaults stand in for any left out.
    if (sem::nlb_protocol(tg.protocol) || tg.target_type == "alb")
      hc = sem::nlb_default_health_check(tg.target_type, str(x, "HealthCheckProtocol"));
    hc.enabled = boolean(x, "HealthCheckEnabled").value_or(true);
    if (auto s = str(x, "HealthCheckProtocol"); !s.empty()) hc.protocol = s;
    if (auto s = str(x, "HealthCheckPort"); !s.empty()) hc.port = s;
    if (auto s = str(x, "HealthCheckPath"); !s.empty()) hc.path = s;
    if (auto n = integer(x, "HealthCheckIntervalSeconds")) hc.interval_seconds = static_cast<int>(*n);
    if (auto n = integer(x, "HealthCheckTimeoutSeconds")) hc.timeout_seconds = static_cast<int>(*n);
    if (auto n = integer(x, "HealthyThresholdCount")) hc.healthy_threshold = static_cast<int>(*n);
    if (auto n = integer(x, "UnhealthyThresholdCount")) hc.unhealthy_threshold = static_cast<int>(*n);
    if (const json* m = field(x, "Matcher")) {
      if (auto s = str(*m, "HttpCode"); !s.empty()) hc.matcher = s;
    }
    // LoadBalancerArns is not read: finalize() derives it from the listeners' forward actions.
    tg_ix_[tg.arn] = net_.target_groups.size();
    net_.target_groups.push_back(std::move(tg));
  }
}

void Loader::target_health(const Doc& d, const std::string& tg_arn, const json& a, const std::string& path) {
  auto it = tg_ix_.find(tg_arn);
  if (it == tg_ix_.end()) {
    warn(d, path, "SNAP_DANGLING", "target health of unknown target group '" + tg_arn + "'; skipped");
    return;
  }
  auto& tg = net_.target_groups[it->second];
  for (size_t i = 0; i < a.size(); ++i) {
    const json* t = field(a[i], "Target");
    if (!t) continue;
    model::Target target;
    target.id = str(*t, "Id");
    if (target.id.empty()) continue;
    // describe-target-health prints the port of every target; the model
    // keeps only overrides of the group's port.
    if (auto port = integer(*t, "Port"); port && *port > 0 && *port <= 65535 && *port != tg.port)
      target.port = static_cast<uint16_t>(*port);
    target.availability_zone = str(*t, "AvailabilityZone");
    target.loc = loc(d);
    bool dup = false;
    for (const auto& x : tg.targets) dup |= x.id == target.id && x.port == target.port;
    if (!dup) tg.targets.push_back(std::move(target));
  }
}

void Loader::attributes(const Doc& d, const std::string& owner, const json& a, const std::string& path) {
  auto lit = lb_ix_.find(owner);
  auto tit = tg_ix_.find(owner);
  if (lit == lb_ix_.end() && tit == tg_ix_.end()) {
    warn(d, path, "SNAP_DANGLING", "attributes of unknown load balancer or target group '" + owner + "'; skipped");
    return;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    std::string k = str(a[i], "Key"), v = str(a[i], "Value");
    // AWS prints unset attributes as ""; keys newer than vpclab's table are
    // AWS's to add, not an error in the account.
    if (v.empty()) continue;
    std::optional<std::string> msg;
    if (lit != lb_ix_.end()) {
      if (!sem::known_load_balancer_attribute(k)) continue;
      msg = sem::set_load_balancer_attribute(net_.load_balancers[lit->second].attributes, k, v);
    } else {
      if (!sem::known_target_group_attribute(k)) continue;
      msg = sem::set_target_group_attribute(net_.target_groups[tit->second].attributes, k, v);
    }
    if (msg) warn(d, at(path, i) + ".Value", "SNAP_BAD_VALUE", "attribute " + k + ": " + *msg + "; AWS's default kept");
  }
}

}  // namespace vpclab::snapshot
