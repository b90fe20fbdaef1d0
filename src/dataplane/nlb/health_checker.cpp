// NLB health checks (aws-tgw-nlb.md section 8): every node checks every
// registered target from its own address, TCP (the handshake completes) or
// HTTP (`GET <path>`, the status against the matcher, Host = the node's
// address and the port checked, as AWS sends); semantics::next_target_health
// turns outcomes into states. A target turning unhealthy has the node's
// flows to it reset, unless the group fails open.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "dataplane/alb/sockets.h"
#include "dataplane/http/health_check.h"
#include "dataplane/nlb/engine_impl.h"

namespace vpclab::dataplane::nlb {

using semantics::HealthCheckOutcome;
using semantics::TargetHealthState;

namespace {
uint16_t check_port(const TargetRt* t) { return semantics::health_check_port(t->tg->cfg.health_check, t->port); }
}  // namespace

void Engine::Impl::start_health_checks() {
  int64_t stagger = 0;
  for (auto& tg : tgs)
    for (auto& t : tg->targets)
      for (auto& nt : t->nodes) add_timer(now_ms + (stagger++ % 10), Timer::kHcStart, &nt.hc, 0);
}

void Engine::Impl::start_checks_for(TargetRt* t) {
  for (auto& nt : t->nodes) add_timer(now_ms, Timer::kHcStart, &nt.hc, 0);
}

// One timer chain per (target, node), alive while the target is registered.
void Engine::Impl::on_hc_timer(HealthCheckRt* hc) {
  TargetRt* t = hc->target;
  if (!t->registered || t->draining || stopping) return;
  if (t->stopped || hc->in_flight) {
    add_timer(now_ms + t->tg->cfg.interval_ms(), Timer::kHcStart, hc, 0);
    return;
  }
  hc_start(hc);
}

void Engine::Impl::hc_start(HealthCheckRt* hc) {
  TargetRt* t = hc->target;
  const TgRt* tg = t->tg;
  ++hc->generation;
  hc->in_flight = true;
  hc->sent = false;
  hc->len = 0;
  add_timer(now_ms + tg->cfg.interval_ms(), Timer::kHcStart, hc, 0);
  add_timer(now_ms + tg->cfg.timeout_ms(), Timer::kHcTimeout, hc, hc->generation);
  hc->h.fd = new_socket(hc->node, SOCK_STREAM);
  if (hc->h.fd < 0 || !alb::connect_from(hc->h.fd, cfg.nodes[hc->node].address, t->cfg.address, check_port(t)) ||
      !set_events(&hc->h, EPOLLOUT | EPOLLIN | EPOLLRDHUP))
    hc_finish(hc, HealthCheckOutcome::kFailed);
}

void Engine::Impl::on_health(HealthCheckRt* hc, uint32_t ev) {
  if (!hc->in_flight) return;
  const auto& h = hc->target->tg->cfg.health_check;
  if (!hc->sent) {
    if (alb::socket_error(hc->h.fd) != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
      hc_finish(hc, HealthCheckOutcome::kFailed);
      return;
    }
    if (!(ev & EPOLLOUT)) return;
    if (h.protocol == "TCP") {  // the handshake is the check
      hc_finish(hc, HealthCheckOutcome::kSuccess);
      return;
    }
    std::string req = "GET " + h.path + " HTTP/1.1\r\nHost: " + cfg.nodes[hc->node].address.str() + ":" +
                      std::to_string(check_port(hc->target)) +
                      "\r\nConnection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n";
    ssize_t w;
    do {
      w = send(hc->h.fd, req.data(), req.size(), MSG_NOSIGNAL);
    } while (w < 0 && errno == EINTR);
    if (w != static_cast<ssize_t>(req.size()) || !set_events(&hc->h, EPOLLIN | EPOLLRDHUP)) {
      hc_finish(hc, HealthCheckOutcome::kFailed);
      return;
    }
    hc->sent = true;
    return;
  }
  while (hc->len < sizeof hc->buf) {
    ssize_t n = read(hc->h.fd, hc->buf + hc->len, sizeof hc->buf - hc->len);
    if (n > 0) {
      hc->len += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  bool no_more = hc->len >= sizeof hc->buf || (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
  if (auto outcome = http::http_check_outcome(std::string_view(hc->buf, hc->len), no_more, hc->target->tg->matcher))
    hc_finish(hc, *outcome);
}

void Engine::Impl::hc_close(HealthCheckRt* hc) {
  if (hc->h.fd >= 0) {
    unwatch(&hc->h);
    close(hc->h.fd);
  }
  hc->h.fd = -1;
  hc->in_flight = false;
}

void Engine::Impl::hc_finish(HealthCheckRt* hc, HealthCheckOutcome outcome) {
  hc_close(hc);
  TargetRt* t = hc->target;
  if (!t->registered || t->draining || t->stopped) return;
  NodeTarget& nt = t->nodes[hc->node];
  semantics::TargetHealth next = semantics::next_target_health(nt.health, outcome, t->tg->cfg.health_check);
  bool went_down = nt.health.state == TargetHealthState::kHealthy && next.state == TargetHealthState::kUnhealthy;
  if (next.state != nt.health.state || next.reason != nt.health.reason) health_changed = true;
  nt.health = next;
  if (!went_down) return;
  // Reset its flows unless the group now fails open (then they would come back).
  bool any_healthy = false;
  for (const auto& o : t->tg->targets)
    any_healthy = any_healthy || (o->registered && o->nodes[hc->node].health.state == TargetHealthState::kHealthy);
  if (any_healthy) target_down(t, hc->node);
}

}  // namespace vpclab::dataplane::nlb
