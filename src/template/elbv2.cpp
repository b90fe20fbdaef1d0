// CloudFormation -> model, ELBv2: load balancers, listeners, listener rules (actions, conditions), target
// groups. The ALB setting checks are together at the end of this file.
#include <fmt/format.h>

#include <algorithm>

#include "semantics/alb_settings.h"
#include "semantics/network_load_balancer.h"
#include "template/model_sink.h"
#include "vocab/aws_id.h"

namespace vpclab::tmpl {
using namespace cfn;
namespace sem = semantics;

namespace {

const Schema kSubnetMapping = {{"SubnetId", K::kString, true},
                               {"AllocationId", K::kString},
                               {"PrivateIPv4Address", K::kString},
                               {"IPv6Address", K::kString},
                               {"SourceNatIpv6Prefix", K::kString}};
const Schema kLoadBalancer = {{"Name", K::kString},
                              {"Scheme", K::kString},
                              {"Type", K::kString},
                              {"Subnets", K::kStringList},
                              {"SubnetMappings", K::kList, false, &kSubnetMapping},
                              {"SecurityGroups", K::kStringList},
                              {"LoadBalancerAttributes", K::kList, false, &kKeyValue},
                              {"IpAddressType", K::kString},
                              {"CustomerOwnedIpv4Pool", K::kString},
                              {"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", K::kString},
                              {"EnablePrefixForIpv6SourceNat", K::kString},
                              {"MinimumLoadBalancerCapacity", K::kMap},
                              {"Ipv4IpamPoolId", K::kString},
                              {"Tags", K::kList, false, &kTag}};
const Schema kTgTuple = {{"TargetGroupArn", K::kString}, {"Weight", K::kInt}};
const Schema kStickiness = {{"Enabled", K::kBool}, {"DurationSeconds", K::kInt}};
const Schema kForwardConfig = {{"TargetGroups", K::kList, false, &kTgTuple},
                               {"TargetGroupStickinessConfig", K::kMap, false, &kStickiness}};
const Schema kRedirectConfig = {{"StatusCode", K::kString, true}, {"Protocol", K::kString}, {"Host", K::kString},
                                {"Port", K::kString},             {"Path", K::kString},     {"Query", K::kString}};
const Schema kFixedResponseConfig = {
    {"StatusCode", K::kString, true}, {"ContentType", K::kString}, {"MessageBody", K::kString}};
const Schema kAction = {{"Type", K::kString, true},
                        {"Order", K::kInt},
                        {"TargetGroupArn", K::kString},
                        {"ForwardConfig", K::kMap, false, &kForwardConfig},
                        {"RedirectConfig", K::kMap, false, &kRedirectConfig},
                        {"FixedResponseConfig", K::kMap, false, &kFixedResponseConfig},
                        {"AuthenticateOidcConfig", K::kMap},
                        {"AuthenticateCognitoConfig", K::kMap},
                        {"JwtValidationConfig", K::kMap}};
const Schema kValues = {{"Values", K::kStringList}};
const Schema kHeaderConfig = {{"HttpHeaderName", K::kString}, {"Values", K::kStringList}};
const Schema kQueryPair = {{"Key", K::kString}, {"Value", K::kString}};
const Schema kQueryConfig = {{"Values", K::kList, false, &kQueryPair}};
const Schema kCondition = {{"Field", K::kString},
                           {"Values", K::kStringList},
                           {"HostHeaderConfig", K::kMap, false, &kValues},
                           {"PathPatternConfig", K::kMap, false, &kValues},
                           {"HttpHeaderConfig", K::kMap, false, &kHeaderConfig},
                           {"HttpRequestMethodConfig", K::kMap, false, &kValues},
                           {"QueryStringConfig", K::kMap, false, &kQueryConfig},
                           {"SourceIpConfig", K::kMap, false, &kValues}};
const Schema kListener = {{"LoadBalancerArn", K::kString, true},
                          {"DefaultActions", K::kList, true, &kAction},
                          {"Port", K::kInt},
                          {"Protocol", K::kString},
                          {"Certificates", K::kList},
                          {"SslPolicy", K::kString},
                          {"AlpnPolicy", K::kStringList},
                          {"MutualAuthentication", K::kMap},
                          {"ListenerAttributes", K::kList, false, &kKeyValue}};
const Schema kListenerRule = {{"ListenerArn", K::kString, true},
                              {"Priority", K::kInt, true},
                              {"Actions", K::kList, true, &kAction},
                              {"Conditions", K::kList, true, &kCondition},
                              {"Transforms", K::kList}};
const Schema kMatcher = {{"HttpCode", K::kString}, {"GrpcCode", K::kString}};
const Schema kTargetDescription = {{"Id", K::kString, true}, {"Port", K::kInt}, {"AvailabilityZone", K::kString},
                                   {"QuicServerId", K::kString}};
const Schema kTargetGroup = {{"Name", K::kString},
                             {"Port", K::kInt},
                             {"Protocol", K::kString},
                             {"ProtocolVersion", K::kString},
                             {"VpcId", K::kString},
                             {"TargetType", K::kString},
                             {"IpAddressType", K::kString},
                             {"HealthCheckEnabled", K::kBool},
                             {"HealthCheckIntervalSeconds", K::kInt},
                             {"HealthCheckPath", K::kString},
                             {"HealthCheckPort", K::kString},
                             {"HealthCheckProtocol", K::kString},
                             {"HealthCheckTimeoutSeconds", K::kInt},
                             {"HealthyThresholdCount", K::kInt},
                             {"UnhealthyThresholdCount", K::kInt},
                             {"Matcher", K::kMap, false, &kMatcher},
                             {"Targets", K::kList, false, &kTargetDescription},
                             {"TargetGroupAttributes", K::kList, false, &kKeyValue},
                             {"Tags", K::kList, false, &kTag}};

}  // namespace

void ModelSink::Impl::elbv2_types(TypeTable& t) {
  t["AWS::ElasticLoadBalancingV2::LoadBalancer"] = {&kLoadBalancer, &Impl::add_load_balancer};
  t["AWS::ElasticLoadBalancingV2::Listener"] = {&kListener, &Impl::add_listener};
  t["AWS::ElasticLoadBalancingV2::ListenerRule"] = {&kListenerRule, &Impl::add_listener_rule};
  t["AWS::ElasticLoadBalancingV2::TargetGroup"] = {&kTargetGroup, &Impl::add_target_group};
}

std::optional<Value> ModelSink::Impl::elbv2_att(const StackContext&, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kLoadBalancer: {
      const auto& l = net.load_balancers[e.index];
      if (a == "DNSName") return str_value(l.dns_name);
      if (a == "CanonicalHostedZoneID") return str_value(l.canonical_hosted_zone_id);
      if (a == "LoadBalancerFullName") return str_value(l.full_name);
      if (a == "LoadBalancerName") return str_value(l.name);
      if (a == "LoadBalancerArn") return str_value(l.arn);
      if (a == "SecurityGroups") return list_value(l.security_groups);
      break;
    }
    case Kind::kListener:
      if (a == "ListenerArn") return str_value(e.id);
      break;
    case Kind::kListenerRule:
      if (a == "RuleArn") return str_value(e.id);
      if (a == "IsDefault") return Value::boolean(false);
      break;
    case Kind::kTargetGroup: {
      const auto& t = net.target_groups[e.index];
      if (a == "TargetGroupArn") return str_value(t.arn);
      if (a == "TargetGroupFullName") return str_value(t.full_name);
      if (a == "TargetGroupName") return str_value(t.name);
      if (a == "LoadBalancerArns") {
        // The load balancers whose listeners forward here so far.
        std::vector<std::string> arns;
        for (const auto& l : net.listeners) {
          auto uses = [&](const alb::ListenerRule& r) {
            for (const auto& act : r.actions)
              for (const auto& w : act.target_groups)
                if (w.target_group_arn == t.arn) return true;
            return false;
          };
          bool hit = uses(l.default_rule);
          for (const auto& r : l.rules) hit = hit || uses(r);
          if (hit && std::find(arns.begin(), arns.end(), l.load_balancer) == arns.end()) arns.push_back(l.load_balancer);
        }
        return list_value(arns);
      }
      break;
    }
    default:
      break;
  }
  return std::nullopt;
}

// ---- ELBv2 ----------------------------------------------------------------
// CloudFormation's generated names: STACK-LOGICA-RANDOM, within 32 chars.
std::string ModelSink::Impl::generated_name(const C& c, size_t max) {
  std::string suffix = upper(model::make_hex(12, {c.stack.account, c.stack.name, c.r.logical_id, "name"}));
  std::string head = c.stack.name.substr(0, 8) + "-" + c.r.logical_id.substr(0, 5);
  std::string name = head + "-" + suffix;
  if (name.size() > max) name = name.substr(0, max);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name;
}

void ModelSink::Impl::add_load_balancer(C& c) {
  std::string type = c.prop("Type") ? c.str("Type") : "application";
  if (!alb::parse_enum<alb::LoadBalancerType>(type)) {
    c.error(c.loc_of("Type"), "E3031", fmt::format("Type '{}' is not {}", type, alb::enum_choices<alb::LoadBalancerType>()));
    type = "application";
  }
  if (type == "gateway") {
    // Gateway Load Balancers are not modeled; their listeners follow them.
    fallback.add(c.stack, c.r, c.diags);
    add_unmodeled(c);
    if (auto arn = fallback.ref(c.stack, c.r.logical_id); arn && arn->is_scalar()) unmodeled_lbs.insert(arn->text());
    return;
  }
  model::LoadBalancer lb;
  lb.origin = c.origin;
  lb.type = type;
  lb.name = c.prop("Name") ? c.str("Name") : generated_name(c, 32);
  std::string scheme = c.prop("Scheme") ? c.str("Scheme") : "internet-facing";
  if (!alb::parse_enum<alb::LoadBalancerScheme>(scheme))
    c.error(c.loc_of("Scheme"), "E3031",
            fmt::format("Scheme '{}' is not {}", scheme, alb::enum_choices<alb::LoadBalancerScheme>()));
  lb.internal = scheme == "internal";
  lb.subnets = strings(c.prop("Subnets"));
  if (const Value* maps = c.prop("SubnetMappings"); maps && maps->is_list()) {
    if (c.prop("Subnets"))
      c.error(maps->loc(), "E3014", fmt::format("{}: give Subnets or SubnetMappings, not both", c.who()));
    for (const auto& m : maps->items()) lb.subnets.push_back(text(m.get("SubnetId")));
  }
  if (lb.subnets.empty())
    c.error(c.r.loc, "E3003", fmt::format("{}: Subnets (or SubnetMappings) is required", c.who()));
  lb.security_groups = strings(c.prop("SecurityGroups"));
  if (c.prop("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")) {
    std::string v = c.str("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic");
    if (v != "on" && v != "off")
      c.error(c.loc_of("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"), "E3031",
              fmt::format("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic '{}' is not on or off", v));
    else if (type != "network")
      c.error(c.loc_of("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"), "E3014",
              "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is for Network Load Balancers");
    lb.enforce_sg_inbound_on_privatelink = v != "off";
  }
  if (const Value* attrs = c.prop("LoadBalancerAttributes"); attrs && attrs->is_list())
    for (const auto& kv : attrs->items()) lb_attribute(c, lb.attributes, kv);
  model::assign_load_balancer_names(lb, c.stack.account, c.stack.region);
  if (!lb.subnets.empty())
    if (model::Subnet* s = subnet(lb.subnets.front())) lb.vpc = s->vpc;
  if (const Value* maps = c.prop("SubnetMappings"); maps && maps->is_list()) subnet_mapping_nodes(c, lb, *maps);
  lb_ix[lb.arn] = net.load_balancers.size();
  reg(c, Kind::kLoadBalancer, lb.arn, net.load_balancers.size());
  net.load_balancers.push_back(std::move(lb));
}

// SubnetMappings may fix a node's private address (internal NLB) or give
// it an Elastic IP (internet-facing NLB): then the nodes are made here,
// with the same ids finalize() would give; otherwise finalize makes them.
void ModelSink::Impl::subnet_mapping_nodes(const C& c, model::LoadBalancer& lb, const Value& maps) {
  bool any = false;
  for (const auto& m : maps.items()) any = any || m.get("PrivateIPv4Address") || m.get("AllocationId");
  if (!any) return;
  if (lb.type != "network")
    c.error(maps.loc(), "E3014", "PrivateIPv4Address and AllocationId in SubnetMappings are for Network Load Balancers");
  for (const auto& m : maps.items()) {
    std::string sid = text(m.get("SubnetId"));
    model::Subnet* s = subnet(sid);
    if (!s) continue;  // finalize reports LB_UNKNOWN_SUBNET
    model::NetworkInterface e;
    e.id = model::make_id("eni", {lb.arn, sid});
    e.origin = c.origin;
    e.subnet = sid;
    e.vpc = s->vpc;
    e.security_groups = lb.security_groups;
    e.owner_kind = model::EniOwnerKind::kLoadBalancer;
    e.owner_id = lb.arn;
    if (auto a = address(c, m.get("PrivateIPv4Address"), "PrivateIPv4Address")) {
      e.private_ip = *a;
      plan.reserve(*s, *a);
    }
    if (const Value* alloc = m.get("AllocationId")) attach_eip(c, alloc, e);
    lb.nodes.push_back({sid, s->availability_zone, e.id, e.private_ip, e.public_ip});
    eni_ix[e.id] = net.network_interfaces.size();
    net.network_interfaces.push_back(std::move(e));
  }
}

void ModelSink::Impl::add_target_group(C& c) {
  model::TargetGroup tg;
  tg.origin = c.origin;
  tg.name = c.prop("Name") ? c.str("Name") : generated_name(c, 32);
  tg.target_type = c.prop("TargetType") ? c.str("TargetType") : "instance";
  if (!alb::parse_enum<alb::TargetType>(tg.target_type))
    c.error(c.loc_of("TargetType"), "E3031",
            fmt::format("TargetType '{}' is not {}", tg.target_type, alb::enum_choices<alb::TargetType>()));
  tg.vpc = c.str("VpcId");
  if (tg.target_type != "lambda") {
    for (const char* required : {"Port", "Protocol", "VpcId"})
      if (!c.prop(required))
        c.error(c.r.loc, "E3003", fmt::format("{}: {} is required for target type {}", c.who(), required, tg.target_type));
  }
  tg.protocol = c.prop("Protocol") ? c.str("Protocol") : "HTTP";
  if (auto p = port(c, c.prop("Port"), "Port")) tg.port = *p;
  if (c.prop("ProtocolVersion")) tg.protocol_version = c.str("ProtocolVersion");
  auto& hc = tg.health_check;
  // An NLB's group (TCP, TLS, UDP, TCP_UDP, or target type alb) has AWS's NLB defaults.
  if (sem::nlb_protocol(tg.protocol) || tg.target_type == "alb") {
    hc = sem::nlb_default_health_check(tg.target_type, c.prop("HealthCheckProtocol") ? c.str("HealthCheckProtocol") : "");
    for (const auto& p : sem::check_nlb_target_group(tg.target_type, tg.protocol, hc))
      c.error(c.loc_of(p.key.c_str()), "TG_PROTOCOL", fmt::format("{}: {} {}", c.who(), p.key, p.message));
  } else {
    hc.protocol = tg.protocol == "HTTPS" ? "HTTPS" : "HTTP";
  }
  if (c.prop("HealthCheckProtocol")) hc.protocol = c.str("HealthCheckProtocol");
  hc.enabled = to_bool(c.prop("HealthCheckEnabled"), true);
  if (c.prop("HealthCheckPath")) hc.path = c.str("HealthCheckPath");
  if (c.prop("HealthCheckPort")) hc.port = c.str("HealthCheckPort");
  auto int_prop = [&](const char* name, int& out) {
    if (auto n = to_int(c.prop(name))) out = static_cast<int>(*n);
  };
  int_prop("HealthCheckIntervalSeconds", hc.interval_seconds);
  int_prop("HealthCheckTimeoutSeconds", hc.timeout_seconds);
  int_prop("HealthyThresholdCount", hc.healthy_threshold);
  int_prop("UnhealthyThresholdCount", hc.unhealthy_threshold);
  if (const Value* m = c.prop("Matcher"); m && m->get("HttpCode")) hc.matcher = text(m->get("HttpCode"));
  if (const Value* attrs = c.prop("TargetGroupAttributes"); attrs && attrs->is_list())
    for (const auto& kv : attrs->items()) tg_attribute(c, tg.attributes, kv);
  if (const Value* targets = c.prop("Targets"); targets && targets->is_list())
    for (const auto& t : targets->items()) {
      model::Target target;
      target.id = text(t.get("Id"));
      target.loc = t.loc();
      if (auto p = port(c, t.get("Port"), "target port")) target.port = *p;
      target.availability_zone = text(t.get("AvailabilityZone"));
      tg.targets.push_back(std::move(target));
    }
  model::assign_target_group_names(tg, c.stack.account, c.stack.region);
  tg_ix[tg.arn] = net.target_groups.size();
  reg(c, Kind::kTargetGroup, tg.arn, net.target_groups.size());
  net.target_groups.push_back(std::move(tg));
}

void ModelSink::Impl::add_listener(C& c) {
  if (unmodeled_lbs.count(c.str("LoadBalancerArn"))) {
    fallback.add(c.stack, c.r, c.diags);
    return add_unmodeled(c);
  }
  model::Listener l;
  l.origin = c.origin;
  l.load_balancer = c.str("LoadBalancerArn");
  model::LoadBalancer* owner = lb(l.load_balancer);
  bool alb_owner = !owner || owner->type == "application";
  l.protocol = c.prop("Protocol") ? c.str("Protocol") : (alb_owner ? "HTTP" : "TCP");
  if (to_int(c.prop("Port"))) {
    if (auto p = port(c, c.prop("Port"), "listener Port")) l.port = *p;
  } else {
    c.error(c.r.loc, "E3003", fmt::format("{}: Port is required", c.who()));
  }
  if ((l.protocol == "HTTPS" || l.protocol == "TLS") && !c.prop("Certificates"))
    c.error(c.r.loc, "E3003", fmt::format("{}: an {} listener needs Certificates", c.who(), l.protocol));
  l.default_rule.actions = actions(c, c.prop("DefaultActions"), l.protocol);
  l.default_rule.loc = c.loc_of("DefaultActions");
  l.arn = aws_id::listener_arn(l.load_balancer,
                               model::make_hex(16, {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id}));
  l.default_rule.arn = aws_id::listener_rule_arn(l.arn, model::make_hex(16, {l.arn, "default"}));
  if (!owner) not_modeled(c, c.prop("LoadBalancerArn"), "load balancer");
  listener_ix[l.arn] = net.listeners.size();
  reg(c, Kind::kListener, l.arn, net.listeners.size());
  net.listeners.push_back(std::move(l));
}

void ModelSink::Impl::add_listener_rule(C& c) {
  model::Listener* l = find(net.listeners, listener_ix, c.str("ListenerArn"));
  std::string arn = aws_id::listener_rule_arn(
      c.str("ListenerArn"), model::make_hex(16, {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id}));
  reg(c, Kind::kListenerRule, arn, SIZE_MAX);
  if (!l) return not_modeled(c, c.prop("ListenerArn"), "listener");
  alb::ListenerRule rule;
  rule.arn = arn;
  rule.loc = c.r.loc;
  rule.priority = static_cast<int>(to_int(c.prop("Priority")).value_or(0));
  rule.actions = actions(c, c.prop("Actions"), l->protocol);
  int values = 0;
  std::set<alb::ConditionField> seen;
  if (const Value* conds = c.prop("Conditions"); conds && conds->is_list()) {
    for (const auto& m : conds->items()) {
      if (!m.is_map()) continue;
      auto rc = condition(c, m);
      if (!rc) continue;
      bool single = rc->field != alb::ConditionField::kHttpHeader && rc->field != alb::ConditionField::kQueryString;
      if (single && !seen.insert(rc->field).second)
        c.error(m.loc(), "RULE_CONDITION",
                fmt::format("{}: only one {} condition per rule", c.who(), alb::condition_field_name(rc->field)));
      values += static_cast<int>(rc->values.size() + rc->query.size());
      rule.conditions.push_back(std::move(*rc));
    }
    if (rule.conditions.empty() && conds->items().empty())
      c.error(conds->loc(), "E3003", fmt::format("{}: a rule needs at least one condition", c.who()));
  }
  if (values > 0)
    if (auto msg = sem::check_alb_number(sem::AlbNumber::kConditionValuesPerRule, values))
      c.error(c.loc_of("Conditions"), "RULE_CONDITION", fmt::format("{}: {} condition values; {}", c.who(), values, *msg));
  l->rules.push_back(std::move(rule));
}


std::vector<alb::Action> ModelSink::Impl::actions(const C& c, const Value* list, std::string_view listener_protocol) {
  std::vector<alb::Action> out;
  if (list && list->is_list())
    for (const auto& m : list->items())
      if (m.is_map())
        if (auto a = action(c, m, listener_protocol)) out.push_back(*a);
  return out;
}

// ---- ALB settings ----------------------------------------------------------
// Values and limits come from semantics/alb_settings (shared with the snapshot
// reader and `vpclab alb --config`); here they become diagnostics at the
// property's place.

void ModelSink::Impl::lb_attribute(const C& c, alb::LoadBalancerAttributes& a, const Value& kv) {
  std::string k = text(kv.get("Key")), v = text(kv.get("Value"));
  if (auto msg = sem::set_load_balancer_attribute(a, k, v))
    c.error(kv.loc(), "LB_ATTRIBUTE",
            sem::known_load_balancer_attribute(k) ? fmt::format("load balancer attribute {}: {}", k, *msg) : *msg);
}

void ModelSink::Impl::tg_attribute(const C& c, alb::TargetGroupAttributes& a, const Value& kv) {
  std::string k = text(kv.get("Key")), v = text(kv.get("Value"));
  if (auto msg = sem::set_target_group_attribute(a, k, v))
    c.error(kv.loc(), "TG_ATTRIBUTE",
            sem::known_target_group_attribute(k) ? fmt::format("target group attribute {}: {}", k, *msg) : *msg);
}

std::optional<alb::Action> ModelSink::Impl::action(const C& c, const Value& m, std::string_view listener_protocol) {
  alb::Action a;
  std::string type = text(m.get("Type"));
  auto parsed = alb::parse_action_type(type);
  if (!parsed) {
    if (m.get("Type"))
      c.error(m.get("Type")->loc(), "E3031",
              fmt::format("action Type '{}' is not {}", type, alb::enum_choices<alb::ActionType>()));
    return std::nullopt;
  }
  a.type = *parsed;
  a.order = static_cast<int>(to_int(m.get("Order")).value_or(0));
  switch (a.type) {
    case alb::ActionType::kForward: {
      const Value* fc = m.get("ForwardConfig");
      if (const Value* arn = m.get("TargetGroupArn")) a.target_groups.push_back({text(arn), 1});
      if (fc) {
        const Value* groups = fc->get("TargetGroups");
        if (groups && groups->is_list()) {
          std::vector<alb::WeightedTargetGroup> weighted;
          for (const auto& g : groups->items())
            weighted.push_back({text(g.get("TargetGroupArn")), static_cast<int>(to_int(g.get("Weight")).value_or(1))});
          // TargetGroupArn and ForwardConfig may both name the same group.
          if (!a.target_groups.empty() &&
              !(weighted.size() == 1 && weighted[0].target_group_arn == a.target_groups[0].target_group_arn))
            c.error(m.loc(), "E3014", "TargetGroupArn and ForwardConfig name different target groups");
          a.target_groups = weighted;
        }
        if (const Value* st = fc->get("TargetGroupStickinessConfig")) {
          a.group_stickiness = to_bool(st->get("Enabled"), false);
          if (auto d = to_int(st->get("DurationSeconds"))) {
            if (auto msg = sem::check_alb_number(sem::AlbNumber::kGroupStickinessSeconds, *d))
              c.error(st->loc(), "E3031", "DurationSeconds " + *msg);
            a.group_stickiness_seconds = static_cast<int>(*d);
          }
        }
      }
      if (a.target_groups.empty())
        c.error(m.loc(), "E3003", "a forward action needs TargetGroupArn or ForwardConfig.TargetGroups");
      break;
    }
    case alb::ActionType::kRedirect: {
      const Value* rc = m.get("RedirectConfig");
      if (!rc) {
        c.error(m.loc(), "E3003", "a redirect action needs RedirectConfig");
        return std::nullopt;
      }
      redirect_config(c, *rc, a, listener_protocol);
      break;
    }
    case alb::ActionType::kFixedResponse: {
      const Value* fr = m.get("FixedResponseConfig");
      if (!fr) {
        c.error(m.loc(), "E3003", "a fixed-response action needs FixedResponseConfig");
        return std::nullopt;
      }
      fixed_response_config(c, *fr, a);
      break;
    }
    default:
      break;
  }
  return a;
}

void ModelSink::Impl::redirect_config(const C& c, const Value& rc, alb::Action& a, std::string_view listener_protocol) {
  auto& r = a.redirect;
  if (rc.get("Protocol")) r.protocol = text(rc.get("Protocol"));
  if (rc.get("Host")) r.host = text(rc.get("Host"));
  if (rc.get("Port")) r.port = text(rc.get("Port"));
  if (rc.get("Path")) r.path = text(rc.get("Path"));
  if (rc.get("Query")) r.query = text(rc.get("Query"));
  std::string code = text(rc.get("StatusCode"));
  if (auto s = alb::parse_enum<alb::RedirectStatus>(code)) r.status_code = alb::redirect_status_code(*s);
  else if (rc.get("StatusCode"))
    c.error(rc.get("StatusCode")->loc(), "E3031",
            fmt::format("StatusCode '{}' is not {}", code, alb::enum_choices<alb::RedirectStatus>()));
  for (const auto& p : sem::check_redirect(r, listener_protocol))
    c.error(rc.loc(), "E3031", p.key == "RedirectConfig" ? "redirect " + p.message : fmt::format("redirect {}: {}", p.key, p.message));
}

void ModelSink::Impl::fixed_response_config(const C& c, const Value& fr, alb::Action& a) {
  auto& f = a.fixed_response;
  auto code = to_int(fr.get("StatusCode"));
  f.status_code = code ? static_cast<int>(*code) : 0;
  f.content_type = text(fr.get("ContentType"));
  f.body = text(fr.get("MessageBody"));
  for (const auto& p : sem::check_fixed_response(f)) {
    if (p.key == "StatusCode")
      c.error(fr.loc(), "E3031", fmt::format("fixed-response StatusCode '{}' {}", text(fr.get("StatusCode")), p.message));
    else
      c.error(fr.loc(), "E3031", fmt::format("fixed-response {}: {}", p.key, p.message));
  }
  if (!code || sem::check_alb_number(sem::AlbNumber::kFixedResponseStatusCode, *code)) f.status_code = 200;
}

std::optional<alb::RuleCondition> ModelSink::Impl::condition(const C& c, const Value& m) {
  alb::RuleCondition rc;
  std::string field = text(m.get("Field"));
  auto parsed = alb::parse_condition_field(field);
  if (!parsed) {
    c.error(m.get("Field") ? m.get("Field")->loc() : m.loc(), m.get("Field") ? "E3031" : "E3003",
            fmt::format("condition Field '{}' is not {}", field, alb::enum_choices<alb::ConditionField>()));
    return std::nullopt;
  }
  rc.field = *parsed;
  static const std::map<alb::ConditionField, const char*> kConfig = {
      {alb::ConditionField::kHostHeader, "HostHeaderConfig"},
      {alb::ConditionField::kPathPattern, "PathPatternConfig"},
      {alb::ConditionField::kHttpHeader, "HttpHeaderConfig"},
      {alb::ConditionField::kHttpRequestMethod, "HttpRequestMethodConfig"},
      {alb::ConditionField::kQueryString, "QueryStringConfig"},
      {alb::ConditionField::kSourceIp, "SourceIpConfig"},
  };
  const char* config_name = kConfig.at(rc.field);
  for (const auto& [other_field, other] : kConfig)
    if (other_field != rc.field && m.get(other))
      c.error(m.get(other)->loc(), "E3014", fmt::format("{} does not go with Field {}", other, field));
  const Value* config = m.get(config_name);
  const Value* old_values = m.get("Values");
  // The old form (Field + Values) exists for host-header and path-pattern only.
  if (old_values && config) {
    c.error(m.loc(), "E3014", fmt::format("give Values or {}, not both", config_name));
    return std::nullopt;
  }
  if (old_values && rc.field != alb::ConditionField::kHostHeader && rc.field != alb::ConditionField::kPathPattern) {
    c.error(old_values->loc(), "E3014", fmt::format("Field {} needs {} (Values is for host-header and path-pattern)", field, config_name));
    return std::nullopt;
  }
  if (!old_values && !config) {
    c.error(m.loc(), "E3003", fmt::format("condition {} needs {}", field, config_name));
    return std::nullopt;
  }
  switch (rc.field) {
    case alb::ConditionField::kQueryString:
      if (const Value* vs = config->get("Values"); vs && vs->is_list())
        for (const auto& kv : vs->items()) {
          alb::QueryStringPair q;
          if (kv.get("Key")) q.key = text(kv.get("Key"));
          q.value = text(kv.get("Value"));
          rc.query.push_back(q);
        }
      break;
    case alb::ConditionField::kSourceIp:
      for (const auto& s : strings(config->get("Values"))) {
        auto b = Ipv4Cidr::parse(s);
        if (!b) {
          if (s.find(':') != std::string::npos) continue;  // IPv6 source: not routed by vpclab yet
          c.error(config->loc(), "E3031", fmt::format("source-ip value '{}' is not a CIDR block", s));
          continue;
        }
        rc.source_cidrs.push_back(*b);
        rc.values.push_back(s);
      }
      break;
    case alb::ConditionField::kHttpHeader:
      rc.header_name = text(config->get("HttpHeaderName"));
      if (rc.header_name.empty()) c.error(config->loc(), "E3003", "HttpHeaderConfig needs HttpHeaderName");
      rc.values = strings(config->get("Values"));
      break;
    default:
      rc.values = strings(config ? config->get("Values") : old_values);
  }
  if (rc.values.empty() && rc.query.empty())
    c.error(m.loc(), "E3003", fmt::format("condition {} has no values", field));
  return rc;
}

}  // namespace vpclab::tmpl
