// finalize(): load balancers (names, subnets, nodes), target groups,
// listeners, rules and their actions.
#include "model/finalizer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

#include "semantics/alb_settings.h"
#include "semantics/network_load_balancer.h"

namespace vpclab::model {

bool Finalizer::valid_lb_name(const std::string& n) {
  if (n.empty() || n.size() > 32 || n.front() == '-' || n.back() == '-') return false;
  if (n.rfind("internal-", 0) == 0) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

void Finalizer::check_load_balancers() {
  for (auto& lb : net_.load_balancers) {
    assign_load_balancer_names(lb, lb.origin.account, lb.origin.region);
    if (!valid_lb_name(lb.name))
      error(lb.origin.loc, "LB_NAME",
            fmt::format("load balancer name '{}' is invalid: 1-32 alphanumerics or hyphens, no hyphen at either end, "
                        "not starting with internal-",
                        lb.name));
    std::map<std::string, std::string> az_subnet;
    bool subnets_ok = true;
    for (const auto& sid : lb.subnets) {
      const Subnet* s = net_.subnet(sid);
      if (!s) {
        error(lb.origin.loc, "LB_UNKNOWN_SUBNET",
              fmt::format("load balancer {} names subnet '{}', which is not defined", lb.origin.display(lb.arn), sid));
        subnets_ok = false;
        continue;
      }
      if (s->vpc != lb.vpc) {
        error(lb.origin.loc, "LB_SUBNET_OTHER_VPC",
              fmt::format("load balancer {}: subnet {} is in VPC {}, the others in {}", lb.origin.display(lb.arn),
                          who(*s), s->vpc, lb.vpc));
        subnets_ok = false;
      }
      auto [it, fresh] = az_subnet.emplace(s->availability_zone, sid);
      if (!fresh) {
        error(lb.origin.loc, "LB_SUBNET_SAME_AZ",
              fmt::format("load balancer {} has two subnets in {} ({} and {}); one subnet per Availability Zone",
                          lb.origin.display(lb.arn), s->availability_zone, it->second, who(*s)));
        subnets_ok = false;
      }
      if (lb.type == "application" && s->cidr.length > 27) {
        error(lb.origin.loc, "LB_SUBNET_SIZE",
              fmt::format("load balancer {} subnet {} is a /{}; ALB subnets need at least a /27 with 8 free addresses",
                          lb.origin.display(lb.arn), who(*s), s->cidr.length));
      } else if (lb.type == "application") {
        // 8 free addresses when the ALB is created; its node holds one of them now.
        uint64_t free = s->cidr.size() - 5 - std::min<uint64_t>(plan_.used(s->id), s->cidr.size() - 5);
        if (free + 1 < 8)
          error(lb.origin.loc, "LB_SUBNET_FREE_ADDRESSES",
                fmt::format("load balancer {}: subnet {} has {} free addresses; an ALB needs 8 in each subnet",
                            lb.origin.display(lb.arn), who(*s), free + 1));
      }
    }
    if (lb.type == "application" && subnets_ok && az_subnet.size() < 2)
      error(lb.origin.loc, "LB_AZ_COUNT",
            fmt::format("Application Load Balancer {} spans {} Availability Zone(s); it needs subnets in at least two",
                        lb.origin.display(lb.arn), az_subnet.size()),
            "add a subnet in another Availability Zone to Subnets");
    // CreateLoadBalancer: "InvalidSubnet: VPC ... has no internet gateway".
    if (!lb.internal && subnets_ok)
      if (const Vpc* v = net_.vpc(lb.vpc); v && v->internet_gateway.empty())
        error(lb.origin.loc, "LB_VPC_NO_INTERNET_GATEWAY",
              fmt::format("internet-facing load balancer {}: VPC {} has no internet gateway attached",
                          lb.origin.display(lb.arn), who(*v)),
              "attach an internet gateway to the VPC, or make the load balancer internal");
    for (const auto& gid : lb.security_groups) {
      const SecurityGroup* g = net_.security_group(gid);
      if (!g)
        error(lb.origin.loc, "LB_UNKNOWN_SG",
              fmt::format("load balancer {} uses security group '{}', which is not defined", lb.origin.display(lb.arn), gid));
      else if (!lb.vpc.empty() && g->vpc != lb.vpc)
        error(lb.origin.loc, "ENI_SG_OTHER_VPC",
              fmt::format("load balancer {} is in VPC {} but uses security group {} of VPC {}", lb.origin.display(lb.arn),
                          lb.vpc, who(*g), g->vpc));
    }
    // The groups of its nodes (semantics/eni.h).
    const Vpc* v = net_.vpc(lb.vpc);
    lb.security_groups = semantics::eni_security_groups(
        lb.type == "application" ? semantics::EniSecurityGroupOwner::kApplicationLoadBalancer
                                 : semantics::EniSecurityGroupOwner::kOtherLoadBalancer,
        lb.security_groups, v ? v->default_security_group : std::string{});
  }
}

void Finalizer::check_target_groups() {
  for (auto& tg : net_.target_groups) {
    assign_target_group_names(tg, tg.origin.account, tg.origin.region);
    tg.load_balancers.clear();
    if (tg.target_type == "lambda") continue;
    if (!net_.vpc(tg.vpc))
      error(tg.origin.loc, "TG_UNKNOWN_VPC",
            fmt::format("target group {} names VPC '{}', which is not defined", tg.origin.display(tg.arn), tg.vpc));
    if (tg.port == 0)
      error(tg.origin.loc, "TG_PORT", fmt::format("target group {} port must be 1-65535", tg.origin.display(tg.arn)));
    static const std::set<std::string> kProtocols = {"HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"};
    if (!kProtocols.count(tg.protocol))
      error(tg.origin.loc, "TG_PROTOCOL",
            fmt::format("target group {} protocol '{}' is not one of HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE",
                        tg.origin.display(tg.arn), tg.protocol));
    const auto& hc = tg.health_check;
    auto range = [&](int v, int lo, int hi, const char* what) {
      if (v < lo || v > hi)
        error(tg.origin.loc, "TG_HEALTH_CHECK",
              fmt::format("target group {} {} is {}; AWS allows {}-{}", tg.origin.display(tg.arn), what, v, lo, hi));
    };
    range(hc.interval_seconds, 5, 300, "HealthCheckIntervalSeconds");
    range(hc.timeout_seconds, 2, 120, "HealthCheckTimeoutSeconds");
    range(hc.healthy_threshold, 2, 10, "HealthyThresholdCount");
    range(hc.unhealthy_threshold, 2, 10, "UnhealthyThresholdCount");
    if (hc.timeout_seconds >= hc.interval_seconds)
      error(tg.origin.loc, "TG_HEALTH_CHECK",
            fmt::format("target group {} health check timeout ({} s) must be shorter than the interval ({} s)",
                        tg.origin.display(tg.arn), hc.timeout_seconds, hc.interval_seconds));
    for (auto& t : tg.targets) {
      SourceLoc loc = t.loc.known() ? t.loc : tg.origin.loc;
      if (t.port && *t.port == 0)
        error(loc, "TG_TARGET_PORT", fmt::format("target {} port must be 1-65535", t.id));
      if (tg.target_type == "instance") {
        const Instance* i = net_.instance(t.id);
        if (!i) {
          error(loc, "TG_UNKNOWN_TARGET",
                fmt::format("target group {} registers instance '{}', which is not defined", tg.origin.display(tg.arn), t.id));
          continue;
        }
        const Subnet* s = net_.subnet(i->subnet);
        if (s && s->vpc != tg.vpc)
          error(loc, "TG_TARGET_OTHER_VPC",
                fmt::format("instance {} is not in the VPC of target group {}", who(*i), tg.origin.display(tg.arn)));
        if (s && t.availability_zone.empty()) t.availability_zone = s->availability_zone;
      } else if (tg.target_type == "alb") {
        // One Application Load Balancer of the same VPC, by ARN (application-load-balancer-target).
        const LoadBalancer* a = net_.load_balancer(t.id);
        if (!a || a->type != "application") {
          error(loc, "TG_UNKNOWN_TARGET",
                fmt::format("target group {} (target type alb) registers '{}', which is not an Application Load "
                            "Balancer of this network", tg.origin.display(tg.arn), t.id));
          continue;
        }
        if (a->vpc != tg.vpc)
          error(loc, "TG_TARGET_OTHER_VPC",
                fmt::format("Application Load Balancer {} is not in the VPC of target group {}", a->origin.display(a->arn),
                            tg.origin.display(tg.arn)));
        if (tg.targets.size() > 1)
          error(loc, "TG_TARGET_COUNT",
                fmt::format("target group {} (target type alb) registers {} targets; AWS allows one Application Load "
                            "Balancer per target group", tg.origin.display(tg.arn), tg.targets.size()));
        if (t.availability_zone.empty()) t.availability_zone = "all";
      } else if (tg.target_type == "ip") {
        auto a = Ipv4Address::parse(t.id);
        if (!a) {
          error(loc, "TG_UNKNOWN_TARGET", fmt::format("ip target '{}' is not an IPv4 address", t.id));
          continue;
        }
        const Vpc* v = net_.vpc(tg.vpc);
        if (v && !v->contains(*a) && t.availability_zone != "all")
          error(loc, "TG_TARGET_OTHER_VPC",
                fmt::format("ip target {} is outside VPC {}; targets outside the VPC need AvailabilityZone: all", t.id,
                            who(*v)));
      }
    }
  }
}

void Finalizer::check_listeners() {
  std::unordered_map<std::string, TargetGroup*> tgs;
  for (auto& tg : net_.target_groups) tgs[tg.arn] = &tg;
  std::set<std::pair<std::string, int>> ports;
  for (auto& l : net_.listeners) {
    const LoadBalancer* lb = net_.load_balancer(l.load_balancer);
    if (!lb) {
      error(l.origin.loc, "LISTENER_UNKNOWN_LB",
            fmt::format("listener {} names load balancer '{}', which is not defined", l.origin.display(l.arn),
                        l.load_balancer));
      continue;
    }
    if (l.port == 0) error(l.origin.loc, "LISTENER_PORT", "listener port must be 1-65535");
    bool alb = lb->type == "application";
    static const std::set<std::string> kAlb = {"HTTP", "HTTPS"};
    static const std::set<std::string> kNlb = {"TCP", "TLS", "UDP", "TCP_UDP"};
    if (!(alb ? kAlb : kNlb).count(l.protocol))
      error(l.origin.loc, "LISTENER_PROTOCOL",
            fmt::format("listener {} protocol '{}' is not valid for a {} load balancer", l.origin.display(l.arn),
                        l.protocol, lb->type));
    if (!ports.insert({l.load_balancer, l.port}).second)
      error(l.origin.loc, "LISTENER_DUPLICATE_PORT",
            fmt::format("load balancer {} already has a listener on port {}", lb->origin.display(lb->arn), l.port));
    std::set<int> priorities;
    for (const auto& r : l.rules) {
      SourceLoc loc = r.loc.known() ? r.loc : l.origin.loc;
      if (auto bad = semantics::check_alb_number(semantics::AlbNumber::kRulePriority, r.priority))
        error(loc, "RULE_PRIORITY", fmt::format("rule priority {}: {}", r.priority, *bad));
      else if (!priorities.insert(r.priority).second)
        error(loc, "RULE_DUPLICATE_PRIORITY",
              fmt::format("listener {} already has a rule with priority {}", l.origin.display(l.arn), r.priority));
    }
    std::stable_sort(l.rules.begin(), l.rules.end(),
                     [](const alb::ListenerRule& a, const alb::ListenerRule& b) { return a.priority < b.priority; });
    check_actions(l, *lb, l.default_rule, tgs);
    for (auto& r : l.rules) check_actions(l, *lb, r, tgs);
  }
}

void Finalizer::check_actions(const Listener& l, const LoadBalancer& lb, alb::ListenerRule& rule,
                   std::unordered_map<std::string, TargetGroup*>& tgs) {
  SourceLoc loc = rule.loc.known() ? rule.loc : l.origin.loc;
  if (rule.actions.empty()) {
    error(loc, "ACTION_NONE", "rule has no action");
    return;
  }
  std::stable_sort(rule.actions.begin(), rule.actions.end(),
                   [](const alb::Action& a, const alb::Action& b) { return a.order < b.order; });
  auto terminal = [](alb::ActionType t) {
    return t == alb::ActionType::kForward || t == alb::ActionType::kRedirect ||
           t == alb::ActionType::kFixedResponse;
  };
  for (size_t i = 0; i < rule.actions.size(); ++i) {
    bool last = i + 1 == rule.actions.size();
    if (terminal(rule.actions[i].type) != last)
      error(loc, "ACTION_TERMINAL",
            "a rule needs exactly one forward, redirect or fixed-response action, and it must be the last");
  }
  for (auto& a : rule.actions) {
    if (lb.type == "network" && a.type != alb::ActionType::kForward)
      error(loc, "ACTION_TYPE",
            fmt::format("listener {}: a Network Load Balancer listener can only forward, not {}", l.origin.display(l.arn),
                        alb::action_type_name(a.type)));
    if (a.type != alb::ActionType::kForward) continue;
    if (auto bad = semantics::check_alb_number(semantics::AlbNumber::kTargetGroupsPerForward,
                                               static_cast<int64_t>(a.target_groups.size())))
      error(loc, "ACTION_TG_COUNT", fmt::format("forward action has {} target groups: {}", a.target_groups.size(), *bad));
    for (const auto& w : a.target_groups) {
      if (auto bad = semantics::check_alb_number(semantics::AlbNumber::kTargetGroupWeight, w.weight))
        error(loc, "ACTION_WEIGHT", fmt::format("target group weight {}: {}", w.weight, *bad));
      auto it = tgs.find(w.target_group_arn);
      if (it == tgs.end()) {
        error(loc, "ACTION_UNKNOWN_TG",
              fmt::format("forward action names target group '{}', which is not defined", w.target_group_arn));
        continue;
      }
      TargetGroup& tg = *it->second;
      if (tg.target_type != "lambda")
        if (auto bad = semantics::listener_target_group_mismatch(l.protocol, tg.protocol))
          error(loc, "ACTION_TG_PROTOCOL", fmt::format("listener {}: {} ({})", l.origin.display(l.arn), *bad,
                                                       tg.origin.display(tg.arn)));
      if (lb.type == "network" && tg.target_type == "lambda")
        error(loc, "ACTION_TG_TARGET_TYPE",
              fmt::format("Network Load Balancer {} cannot forward to lambda target group {}", lb.origin.display(lb.arn),
                          tg.origin.display(tg.arn)));
      if (!lb.vpc.empty() && tg.target_type != "lambda" && tg.vpc != lb.vpc)
        error(loc, "ACTION_TG_OTHER_VPC",
              fmt::format("target group {} is in VPC {}, load balancer {} in {}", tg.origin.display(tg.arn), tg.vpc,
                          lb.origin.display(lb.arn), lb.vpc));
      if (std::find(tg.load_balancers.begin(), tg.load_balancers.end(), lb.arn) == tg.load_balancers.end())
        tg.load_balancers.push_back(lb.arn);
    }
  }
}

}  // namespace vpclab::model
