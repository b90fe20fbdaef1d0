// Which target of a group takes a request, on the node that received it:
// the routable targets (health, cross-zone), FAIL OPEN when none is
// healthy (semantics::fail_open), a sticky target when a valid cookie
// names one, else the group's Balancer (balancer.h).
#include <algorithm>

#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/stickiness.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

using semantics::TargetHealthState;

bool Engine::Impl::eligible(const TargetRt* t, size_t node, bool fail_open) const {
  if (!t->registered || t->draining || t->stopped) return false;
  if (!t->tg->cross_zone) {
    const std::string& nz = cfg.nodes[node].availability_zone;
    if (!nz.empty() && !t->cfg.availability_zone.empty() && nz != t->cfg.availability_zone) return false;
  }
  auto s = t->nodes[node].health.state;
  if (s == TargetHealthState::kHealthy || s == TargetHealthState::kUnavailable) return true;
  return fail_open && (s == TargetHealthState::kUnhealthy || s == TargetHealthState::kInitial);
}

int64_t Engine::Impl::slow_start_weight(const TargetRt* t, size_t node) const {
  const NodeTarget& nt = t->nodes[node];
  int64_t dur = t->tg->cfg.slow_start_duration_ms();
  if (!nt.in_slow_start || dur <= 0 || nt.healthy_since_ms < 0) return 1000;
  int64_t el = now_ms - nt.healthy_since_ms;
  if (el >= dur) return 1000;
  return std::max<int64_t>(10, el * 1000 / dur);  // linear ramp from 1%
}

TargetRt* Engine::Impl::choose_target(ClientConn* c, TgRt* tg, bool& non_sticky) {
  const size_t node = c->node;
  Exchange& ex = *c->ex;
  // Fail open when nothing is healthy but something is unhealthy.
  bool any_healthy = false;
  bool fail_open = false;
  {
    std::vector<TargetHealthState> states;
    for (auto& t : tg->targets) {
      if (!t->registered || t->draining) continue;
      if (!tg->cross_zone && !eligible(t.get(), node, true)) continue;
      auto s = t->nodes[node].health.state;
      if (s == TargetHealthState::kHealthy || s == TargetHealthState::kUnavailable) {
        any_healthy = true;
        break;
      }
      states.push_back(s);
    }
    if (!any_healthy) fail_open = semantics::fail_open(states);
  }
  if (fail_open) {
    ++m.unhealthy_routing;
    ++tg->m.unhealthy_routing;
  }
  if (tg->stickiness) {
    const std::string_view name = tg->app_cookie ? kAppCookie : kLbCookie;
    std::string_view v;
    for (const auto& h : ex.req.headers)
      if (h.name.size() == 6 && http::iequals(h.name, "cookie")) {
        v = find_cookie(h.value, name);
        if (v.empty() && !tg->app_cookie) v = find_cookie(h.value, kLbCookieCors);
        if (!v.empty()) break;
      }
    if (auto uid = target_from_cookie(cookie_key, tg->index, v); uid && *uid < targets_by_uid.size()) {
      TargetRt* t = targets_by_uid[*uid];
      if (t->tg == tg && eligible(t, node, fail_open)) {
        if (!tg->app_cookie) ex.set_lb_cookie = t;
        return t;
      }
    }
    non_sticky = true;
  }
  candidates.resize(tg->targets.size());
  for (size_t i = 0; i < tg->targets.size(); ++i) {
    const TargetRt* t = tg->targets[i].get();
    BalancerCandidate& k = candidates[i];
    k.eligible = eligible(t, node, fail_open);
    k.weight = k.eligible ? slow_start_weight(t, node) : 0;
    k.outstanding = tg->targets[i]->outstanding(node).load(std::memory_order_relaxed);
  }
  int pick;
  {
    std::lock_guard<std::mutex> lk(tg->shared->mu);  // uncontended with one worker
    pick = tg->shared->balancers[node]->pick(candidates);
  }
  if (pick < 0) return nullptr;
  VPCLAB_ASSERT(static_cast<size_t>(pick) < tg->targets.size() && candidates[static_cast<size_t>(pick)].eligible);
  TargetRt* best = tg->targets[static_cast<size_t>(pick)].get();
  if (tg->stickiness && !tg->app_cookie) ex.set_lb_cookie = best;
  return best;
}

}  // namespace vpclab::dataplane::alb
