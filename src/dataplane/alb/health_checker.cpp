// Health checks, as HAProxy's check.c: every node checks every registered
// target on its own schedule (HealthCheckIntervalSeconds), from its own
// address, with `GET <path>` and the status line judged against the
// matcher; semantics::next_target_health turns outcomes into states.
// Deregistration (draining, then unused) and stopped instances live here
// too: they are what stops and restarts the checks.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/sockets.h"
#include "dataplane/http/health_check.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

using semantics::HealthCheckOutcome;
using semantics::TargetHealthReason;
using semantics::TargetHealthState;

namespace {
uint16_t check_port(const TgRt* tg, const TargetRt* t) {
  return tg->health_check_traffic_port ? t->port : tg->health_check_port;
}
}  // namespace

void Engine::Impl::start_health_checks() {
  if (!checker()) return;  // one checker for every worker: targets see one node's checks, not N
  int64_t stagger = 0;
  for (auto& tg : tgs)
    for (auto& t : tg->targets)
      for (auto& nt : t->nodes)
        if (tg->cfg.health_check.enabled) add_timer(now_ms + (stagger++ % 10), kTimerHcStart, &nt.hc, nt.hc.generation);
}

// One timer chain per (target, node): it keeps going while the target is
// registered, and starts a check when none is in flight.
void Engine::Impl::on_hc_timer(HealthCheckConn* hc) {
  TargetRt* t = hc->target;
  bool live = t->registered && !t->draining;
  if (t->stopped && live && !shutting_down)
    add_timer(now_ms + hc->tg->cfg.interval_ms(), kTimerHcStart, hc, 0);  // keep the one chain alive
  else if (live && !hc->in_flight && !shutting_down) hc_start(hc);
  else if (hc->in_flight && live) add_timer(now_ms + hc->tg->cfg.interval_ms(), kTimerHcStart, hc, 0);
}

void Engine::Impl::hc_start(HealthCheckConn* hc) {
  TargetRt* t = hc->target;
  if (!t->registered || shutting_down) return;
  TgRt* tg = hc->tg;
  VPCLAB_ASSERT(hc->fd < 0 && !hc->in_flight);
  ++hc->generation;
  hc->in_flight = true;
  hc->sent = false;
  hc->len = 0;
  hc->closed = false;
  hc->events = 0;
  hc->started_ms = now_ms;
  add_timer(now_ms + tg->cfg.interval_ms(), kTimerHcStart, hc, 0);  // next check
  add_timer(now_ms + tg->cfg.timeout_ms(), kTimerHcTimeout, hc, hc->generation);
  int fd = new_socket(hc->node);
  if (fd < 0) {
    hc_finish(hc, HealthCheckOutcome::kFailed);
    return;
  }
  hc->fd = fd;
  if (!connect_from(fd, cfg.nodes[hc->node].address, t->cfg.address, check_port(tg, t))) {
    hc_finish(hc, HealthCheckOutcome::kFailed);
    return;
  }
  set_events(hc, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
  if (hc->events == 0) hc_finish(hc, HealthCheckOutcome::kFailed);
}

void Engine::Impl::on_health(HealthCheckConn* hc, uint32_t ev) {
  if (!hc->in_flight) return;
  TargetRt* t = hc->target;
  if (!hc->sent) {
    if (socket_error(hc->fd) != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
      hc_finish(hc, HealthCheckOutcome::kFailed);
      return;
    }
    if (!(ev & EPOLLOUT)) return;
    const auto& h = hc->tg->cfg.health_check;
    std::string req = "GET " + h.path + " HTTP/1.1\r\nHost: " + t->ip + ":" + std::to_string(check_port(hc->tg, t)) +
                      "\r\nConnection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept-Encoding: gzip, compress, "
                      "deflate\r\n\r\n";
    // A fresh socket takes a few hundred bytes at once; a short write counts as a failed check.
    ssize_t w;
    do {
      w = send(hc->fd, req.data(), req.size(), MSG_NOSIGNAL);
    } while (w < 0 && errno == EINTR);
    if (w != static_cast<ssize_t>(req.size())) {
      hc_finish(hc, HealthCheckOutcome::kFailed);
      return;
    }
    hc->sent = true;
    set_events(hc, EPOLLIN | EPOLLRDHUP);
    return;
  }
  while (hc->len < sizeof hc->buf) {
    ssize_t n = read(hc->fd, hc->buf + hc->len, sizeof hc->buf - hc->len);
    if (n > 0) {
      hc->len += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN: judge what arrived; EOF or error: the same, nothing more will come
  }
  bool no_more = hc->len >= sizeof hc->buf || (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
  if (auto outcome = http::http_check_outcome(std::string_view(hc->buf, hc->len), no_more, hc->tg->matcher))
    hc_finish(hc, *outcome);
}

void Engine::Impl::hc_close(HealthCheckConn* hc) {
  if (hc->fd >= 0) {
    unwatch(hc);
    close(hc->fd);
  }
  hc->fd = -1;
  hc->events = 0;
  hc->in_flight = false;
}

void Engine::Impl::hc_finish(HealthCheckConn* hc, HealthCheckOutcome outcome) {
  hc_close(hc);
  TargetRt* t = hc->target;
  NodeTarget& nt = t->nodes[hc->node];
  if (!t->registered || t->draining || t->stopped) return;
  set_health(t, hc->node, semantics::next_target_health(nt.health, outcome, hc->tg->cfg.health_check));
}

void Engine::Impl::set_health(TargetRt* t, size_t node, const semantics::TargetHealth& h) {
  NodeTarget& nt = t->nodes[node];
  bool was_healthy = nt.health.state == TargetHealthState::kHealthy;
  nt.health = h;
  if (h.state == TargetHealthState::kHealthy && !was_healthy) {
    nt.healthy_since_ms = now_ms;
    // Slow start applies when another target is already serving (AWS: not to the first ones).
    bool others = false;
    for (auto& o : t->tg->targets)
      if (o.get() != t && o->registered && !o->draining && o->nodes[node].health.state == TargetHealthState::kHealthy)
        others = true;
    nt.in_slow_start = others && t->tg->cfg.slow_start_duration_ms() > 0;
    std::lock_guard<std::mutex> lk(t->tg->shared->mu);
    t->tg->shared->balancers[node]->reset(t->index);
  }
  publish_health(t, node);
}

void Engine::Impl::set_stopped(TargetRt* t, bool stopped) {
  t->stopped = stopped;
  for (auto& nt : t->nodes) {
    hc_close(&nt.hc);
    semantics::TargetHealth h;  // started again: initial until a check passes
    if (stopped) {
      h.state = TargetHealthState::kUnused;
      h.reason = TargetHealthReason::kInvalidState;
      auto idle = nt.idle;
      for (UpstreamConn* u : idle) close_upstream(u);
    }
    nt.health = h;
  }
}

void Engine::Impl::deregister(TargetRt* t) {
  if (!t->registered || t->draining) return;
  t->draining = true;
  ++t->drain_generation;
  for (size_t n = 0; n < t->nodes.size(); ++n) {
    NodeTarget& nt = t->nodes[n];
    nt.health.state = TargetHealthState::kDraining;
    nt.health.reason = TargetHealthReason::kDeregistrationInProgress;
    hc_close(&nt.hc);
    // Idle pooled connections are not needed any more.
    auto idle = nt.idle;
    for (UpstreamConn* u : idle) close_upstream(u);
  }
  add_timer(now_ms + t->tg->cfg.dereg_delay_ms(), kTimerDrainDone, t, t->drain_generation);
}

void Engine::Impl::drain_done(TargetRt* t) {
  // Deregistration delay over: requests still in flight to this target get 502.
  std::vector<UpstreamConn*> victims;
  for (Lru* l : {&upstream_lru, &connecting_lru})
    for (LruNode* n = l->front(); n && n->owner; n = n->next) {
      auto* u = static_cast<UpstreamConn*>(n->owner);
      if (u->target == t) victims.push_back(u);
    }
  for (UpstreamConn* u : victims) {
    if (u->closed) continue;
    ClientConn* c = u->client;
    close_upstream(u);
    if (c) fail_exchange(c, 502, "");
  }
  t->draining = false;
  t->registered = false;
  for (auto& nt : t->nodes) {
    nt.health.state = TargetHealthState::kUnused;
    nt.health.reason = TargetHealthReason::kNotRegistered;
  }
}

}  // namespace vpclab::dataplane::alb
