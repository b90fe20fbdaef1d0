// The epoll loop: one thread serves every node and listener; work from
// other threads arrives as tasks through an eventfd; timers (health checks,
// draining) and idle-timeout sweeps run between batches of events.
#include "dataplane/alb/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "dataplane/alb/engine_impl.h"
#include "dataplane/http/message.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

int64_t mono_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // cannot fail for a valid clock id and pointer
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}
int64_t real_us() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

void Engine::Impl::tick() {
  now_us = mono_us();
  now_ms = now_us / 1000;
  int64_t sec = real_us() / 1000000;
  if (sec != date_sec) {
    date_sec = sec;
    date = http::http_date(static_cast<std::time_t>(sec));
  }
}

void Engine::Impl::set_events(Handle* h, uint32_t ev) {
  if (h->closed || h->events == ev) return;
  epoll_event e{};
  e.events = ev;
  e.data.ptr = h;
  if (epoll_ctl(epfd, h->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, h->fd, &e) < 0) {
    // Only a bug gets here (bad fd, already added): the fd would never be served again.
    std::fprintf(stderr, "vpclab alb: epoll_ctl(fd %d): %s\n", h->fd, std::strerror(errno));
    VPCLAB_ASSERT(h->events == 0 && "epoll_ctl MOD failed on a registered fd");
    return;  // events stays 0: start() reports the failure
  }
  h->events = ev;
}

void Engine::Impl::unwatch(Handle* h) {
  if (h->events == 0) return;
  // The fd is closed right after; a failure here means it was not registered (a bug).
  int rc = epoll_ctl(epfd, EPOLL_CTL_DEL, h->fd, nullptr);
  VPCLAB_ASSERT(rc == 0 || errno == EBADF || errno == ENOENT);
  h->events = 0;
}

void Engine::Impl::wake_loop() {
  if (wake.fd < 0) return;
  uint64_t one = 1;
  // EAGAIN: the counter is saturated, the loop wakes anyway.
  ssize_t n;
  do {
    n = write(wake.fd, &one, sizeof one);
  } while (n < 0 && errno == EINTR);
  VPCLAB_ASSERT(n == sizeof one || errno == EAGAIN);
}

void Engine::Impl::post(std::function<void()> f) {
  {
    std::lock_guard<std::mutex> lk(task_mu);
    tasks.push_back(std::move(f));
  }
  wake_loop();
}

void Engine::Impl::run() {
  loop_thread = std::this_thread::get_id();
  running = true;
  tick();
  start_health_checks();
  if (stop_requested) begin_shutdown();
  epoll_event events[256];
  int64_t next_sweep = now_ms;
  const int64_t sweep_every = std::clamp<int64_t>(idle_ms / 20, 5, 1000);
  const int64_t connect_sweep = std::clamp<int64_t>(cfg.connect_timeout_ms / 20, 5, 1000);
  const int64_t sweep_interval = std::min(sweep_every, connect_sweep);
  while (true) {
    if (shutting_down && clients == 0) break;
    if (shutting_down && now_ms >= shutdown_deadline_ms) break;
    int64_t wait_ms = std::max<int64_t>(0, next_sweep - now_ms);
    if (!timers.empty()) wait_ms = std::min(wait_ms, std::max<int64_t>(0, timers.top().when_ms - now_ms));
    if (!ready_clients.empty()) wait_ms = 0;
    int n = epoll_wait(epfd, events, 256, static_cast<int>(wait_ms));
    if (n < 0) {
      VPCLAB_ASSERT(errno == EINTR);  // anything else: epfd is broken
      n = 0;
    }
    tick();
    for (int i = 0; i < n; ++i) {
      Handle* h = static_cast<Handle*>(events[i].data.ptr);
      if (h->closed) continue;
      uint32_t ev = events[i].events;
      switch (h->kind) {
        case Kind::kListener: on_accept(static_cast<ListenSocket*>(h)); break;
        case Kind::kClient: on_client(static_cast<ClientConn*>(h), ev); break;
        case Kind::kUpstream: on_upstream(static_cast<UpstreamConn*>(h), ev); break;
        case Kind::kHealth: on_health(static_cast<HealthCheckConn*>(h), ev); break;
        case Kind::kAdminListener: on_admin_accept(); break;
        case Kind::kAdmin: on_admin(static_cast<AdminConn*>(h), ev); break;
        case Kind::kWake: {
          uint64_t v;
          ssize_t r = read(wake.fd, &v, sizeof v);
          VPCLAB_ASSERT(r == sizeof v || errno == EAGAIN || errno == EINTR);
          run_tasks();
          break;
        }
      }
    }
    if (!ready_clients.empty()) {
      std::vector<ClientConn*> ready;
      ready.swap(ready_clients);
      for (ClientConn* c : ready)
        if (!c->closed) process_client(c);
    }
    run_timers();
    if (now_ms >= next_sweep) {
      sweep_timeouts();
      next_sweep = now_ms + sweep_interval;
    }
    flush_queued_upstreams();
    flush_log();
    free_graveyard();
  }
  flush_log();
  running = false;
  run_tasks();
}

void Engine::Impl::run_tasks() {
  std::vector<std::function<void()>> todo;
  {
    std::lock_guard<std::mutex> lk(task_mu);
    todo.swap(tasks);
  }
  for (auto& f : todo) f();
  if (stop_requested && !shutting_down && running) begin_shutdown();
}

void Engine::Impl::free_graveyard() {
  if (graveyard.empty()) return;
  // A closed client may still be queued for its pipelined requests.
  ready_clients.erase(std::remove_if(ready_clients.begin(), ready_clients.end(),
                                     [](ClientConn* c) { return c->closed; }),
                      ready_clients.end());
  for (Handle* h : graveyard) {
    switch (h->kind) {
      case Kind::kClient: {
        auto* c = static_cast<ClientConn*>(h);
        release_exchange(c);
        delete c;
        break;
      }
      case Kind::kUpstream: delete static_cast<UpstreamConn*>(h); break;
      case Kind::kAdmin: delete static_cast<AdminConn*>(h); break;
      default: VPCLAB_ASSERT(false && "only connections are buried");
    }
  }
  graveyard.clear();
}

void Engine::Impl::begin_shutdown() {
  if (shutting_down) return;
  shutting_down = true;
  shutdown_deadline_ms = now_ms + cfg.shutdown_grace_ms;
  for (auto& s : sockets) {
    if (s->fd >= 0) {
      unwatch(s.get());
      close(s->fd);
      s->fd = -1;
      s->closed = true;
    }
  }
  // Idle keep-alive connections go now; busy ones finish their request with Connection: close.
  std::vector<ClientConn*> idle;
  for (LruNode* n = client_lru.front(); n; n = n->next && n->next->owner ? n->next : nullptr) {
    auto* c = static_cast<ClientConn*>(n->owner);
    if (c->state == ClientState::kIdle && c->in.empty()) idle.push_back(c);
    else if (c->ex != &idle_ex) c->ex->close_after = true;
  }
  for (ClientConn* c : idle) close_client(c);
}

void Engine::Impl::sweep_timeouts() {
  // Clients: idle timeout. Bounded work per sweep.
  for (int budget = 4096; budget > 0; --budget) {
    LruNode* n = client_lru.front();
    if (!n || n->last_ms + idle_ms > now_ms) break;
    client_timeout(static_cast<ClientConn*>(n->owner));
  }
  for (int budget = 4096; budget > 0; --budget) {
    LruNode* n = connecting_lru.front();
    if (!n || n->last_ms + cfg.connect_timeout_ms > now_ms) break;
    auto* u = static_cast<UpstreamConn*>(n->owner);
    ClientConn* c = u->client;
    ++m.target_connection_errors;
    if (u->target) ++u->target->tg->m.connection_errors;
    close_upstream(u);
    if (c) fail_exchange(c, 504, "");  // no connection within 10 s
  }
  for (int budget = 4096; budget > 0; --budget) {
    LruNode* n = upstream_lru.front();
    if (!n || n->last_ms + idle_ms > now_ms) break;
    auto* u = static_cast<UpstreamConn*>(n->owner);
    ClientConn* c = u->client;
    close_upstream(u);
    if (c) {
      if (c->state == ClientState::kTunnel) close_client(c);
      else fail_exchange(c, 504, "");  // no response within the idle timeout
    }
  }
}

void Engine::Impl::run_timers() {
  while (!timers.empty() && timers.top().when_ms <= now_ms) {
    Timer tm = timers.top();
    timers.pop();
    switch (tm.kind) {
      case kTimerHcStart: on_hc_timer(static_cast<HealthCheckConn*>(tm.p)); break;
      case kTimerHcTimeout: {
        auto* hc = static_cast<HealthCheckConn*>(tm.p);
        if (hc->in_flight && hc->generation == tm.gen) hc_finish(hc, semantics::HealthCheckOutcome::kTimeout);
        break;
      }
      case kTimerDrainDone: {
        auto* t = static_cast<TargetRt*>(tm.p);
        if (t->draining && t->drain_generation == tm.gen) drain_done(t);
        break;
      }
      default: VPCLAB_ASSERT(false && "unknown timer kind");
    }
  }
}

}  // namespace vpclab::dataplane::alb
