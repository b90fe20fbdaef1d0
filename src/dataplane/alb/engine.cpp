// Start-up and the public Engine API. The engine's parts are listed in
// engine_impl.h.
#include "dataplane/alb/engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/sockets.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

namespace va = vpclab::alb;
using semantics::TargetHealthState;

Engine::Impl::Impl(EngineConfig c) : cfg(std::move(c)) {
  idle_ms = std::max<int64_t>(1, cfg.idle_ms());
  cookie_key = rng.next() | 1;
  xff_mode = cfg.attributes.xff_header_processing_mode;
  desync_mode = cfg.attributes.desync_mitigation_mode;
  tick();
}

Engine::Impl::~Impl() {
  for (Exchange* e : ex_pool) delete e;
  for (auto& s : sockets)
    if (s->fd >= 0) close(s->fd);
  if (admin_listener.fd >= 0) close(admin_listener.fd);
  if (wake.fd >= 0) close(wake.fd);
  if (epfd >= 0) close(epfd);
  if (log_owned && log_fd >= 0) close(log_fd);
  for (auto& tg : tgs)
    for (auto& t : tg->targets)
      for (auto& nt : t->nodes)
        if (nt.hc.fd >= 0) close(nt.hc.fd);
}

int Engine::Impl::new_socket(size_t node) {
  if (cfg.socket_for_node) return cfg.socket_for_node(node);
  return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

Exchange* Engine::Impl::acquire_exchange() {
  if (ex_pool.empty()) return new Exchange();
  Exchange* e = ex_pool.back();
  ex_pool.pop_back();
  return e;
}

void Engine::Impl::release_exchange(ClientConn* c) {
  if (c->ex == &idle_ex) return;
  c->ex->reset();
  c->ex->req.clear();
  if (ex_pool.size() < 4096) ex_pool.push_back(c->ex);
  else delete c->ex;
  c->ex = &idle_ex;
}

TgRt* Engine::Impl::find_tg(std::string_view ref) {
  for (auto& tg : tgs)
    if (tg->cfg.arn == ref || tg->cfg.name == ref) return tg.get();
  return nullptr;
}

TargetRt* Engine::Impl::add_target(TgRt* tg, const TargetConfig& tc, std::shared_ptr<TargetShared> shared) {
  auto t = std::make_unique<TargetRt>();
  t->shared = shared ? std::move(shared) : std::make_shared<TargetShared>(cfg.nodes.size());
  t->uid = static_cast<uint32_t>(targets_by_uid.size());
  t->index = tg->targets.size();
  t->tg = tg;
  t->cfg = tc;
  t->port = tc.port ? tc.port : tg->cfg.port;
  t->ip = tc.address.str();
  t->nodes.resize(cfg.nodes.size());
  for (size_t n = 0; n < t->nodes.size(); ++n) {
    auto& nt = t->nodes[n];
    nt.hc.tg = tg;
    nt.hc.target = t.get();
    nt.hc.node = n;
    if (!tg->cfg.health_check.enabled) {
      nt.health.state = TargetHealthState::kUnavailable;
      nt.health.reason = semantics::TargetHealthReason::kHealthCheckDisabled;
    }
  }
  targets_by_uid.push_back(t.get());
  tg->targets.push_back(std::move(t));
  return tg->targets.back().get();
}

bool Engine::Impl::start(std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  };
  if (started) return fail("already started");
  if (cfg.nodes.empty()) cfg.nodes.push_back(NodeConfig{"node-1", *Ipv4Address::parse("127.0.0.1"), ""});
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return fail(std::string("epoll_create1: ") + std::strerror(errno));
  wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake.fd < 0) return fail(std::string("eventfd: ") + std::strerror(errno));
  set_events(&wake, EPOLLIN);
  if (wake.events == 0) return fail(std::string("epoll_ctl: ") + std::strerror(errno));

  for (auto& tgc : cfg.target_groups) {
    auto tg = std::make_unique<TgRt>();
    tg->cfg = tgc;
    tg->index = tgs.size();
    const auto& a = tgc.attributes;
    tg->algorithm = a.algorithm;
    auto matcher = semantics::parse_matcher(tgc.health_check.matcher);
    if (!matcher) return fail("target group " + tgc.name + ": bad health check matcher \"" + tgc.health_check.matcher + "\"");
    tg->matcher = *matcher;
    tg->stickiness = a.stickiness_enabled;
    tg->app_cookie = a.stickiness_type == va::StickinessType::kAppCookie;
    tg->cross_zone = a.cross_zone != va::CrossZone::kFalse;
    if (tgc.health_check.port != "traffic-port") {
      // A port the readers let through unparsed (0) fails every check, as a closed port would.
      int p = std::atoi(tgc.health_check.port.c_str());
      tg->health_check_port = static_cast<uint16_t>(p >= 1 && p <= 65535 ? p : 0);
      tg->health_check_traffic_port = false;
    }
    Impl* first = primary();
    if (first == this) {
      tg->shared = std::make_shared<TgShared>();
      for (size_t n = 0; n < cfg.nodes.size(); ++n)
        tg->shared->balancers.push_back(make_balancer(tg->algorithm, rng.next()));
    } else {
      tg->shared = first->tgs[tg->index]->shared;  // worker 0 started first
    }
    TgRt* raw = tg.get();
    tgs.push_back(std::move(tg));
    for (size_t k = 0; k < tgc.targets.size(); ++k)
      add_target(raw, tgc.targets[k], first == this ? nullptr : first->tgs[raw->index]->targets[k]->shared);
  }
  for (auto& lc : cfg.listeners) {
    ListenerRt l;
    l.cfg = lc;
    std::stable_sort(l.cfg.rules.begin(), l.cfg.rules.end(),
                     [](const va::ListenerRule& a, const va::ListenerRule& b) { return a.priority < b.priority; });
    for (const auto& r : l.cfg.rules)
      for (const auto& cond : r.conditions)
        if (cond.field == va::ConditionField::kHttpHeader) l.needs_headers = true;
    auto check_actions = [&](const va::ListenerRule& r) -> bool {
      for (const auto& a : r.actions)
        for (const auto& g : a.target_groups)
          if (!find_tg(g.target_group_arn)) return false;
      return !r.actions.empty();
    };
    if (!check_actions(l.cfg.default_rule)) return fail("listener " + std::to_string(lc.port) + ": bad default action");
    for (const auto& r : l.cfg.rules)
      if (!check_actions(r)) return fail("rule " + std::to_string(r.priority) + ": unknown target group or no action");
    listeners.push_back(std::move(l));
  }

  for (size_t n = 0; n < cfg.nodes.size(); ++n) {
    for (size_t li = 0; li < listeners.size(); ++li) {
      auto s = std::make_unique<ListenSocket>();
      s->listener = li;
      s->node = n;
      s->fd = new_socket(n);
      if (s->fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
      std::string where = cfg.nodes[n].address.str() + ":" + std::to_string(listeners[li].cfg.port);
      uint16_t port = 0;
      // Every worker on the port worker 0 got (an ephemeral one in tests).
      uint16_t want = primary() == this ? listeners[li].cfg.port : primary()->sockets[sockets.size()]->port;
      if (!listen_on(s->fd, cfg.nodes[n].address, want, 4096, &port, error, workers.size() > 1)) {
        if (error) *error = where + ": " + *error;
        close(s->fd);
        s->fd = -1;
        return false;
      }
      s->port = port;
      set_events(s.get(), EPOLLIN);
      if (s->events == 0) return fail(where + ": epoll_ctl: " + std::strerror(errno));
      sockets.push_back(std::move(s));
    }
  }
  if (cfg.admin_address && checker()) {
    admin_listener.kind = Kind::kAdminListener;
    std::string where = "admin " + cfg.admin_address->str() + ":" + std::to_string(cfg.admin_port);
    admin_listener.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (admin_listener.fd < 0) return fail(where + ": socket: " + std::strerror(errno));
    uint16_t port = 0;
    if (!listen_on(admin_listener.fd, *cfg.admin_address, cfg.admin_port, 64, &port, error)) {
      if (error) *error = where + ": " + *error;
      close(admin_listener.fd);
      admin_listener.fd = -1;
      return false;
    }
    admin_listener.port = port;
    set_events(&admin_listener, EPOLLIN);
    if (admin_listener.events == 0) return fail(where + ": epoll_ctl: " + std::strerror(errno));
  }
  if (primary() != this) {
    log_fd = primary()->log_fd;  // one file, appended whole lines at a time under log_mu
  } else if (cfg.access_log == "-") {
    log_fd = 1;
  } else if (!cfg.access_log.empty()) {
    log_fd = open(cfg.access_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) return fail(cfg.access_log + ": " + std::strerror(errno));
    log_owned = true;
  }
  started = true;
  return true;
}

// ---------------------------------------------------------------------------
// Engine

Engine::Engine(EngineConfig config) {
  size_t n = static_cast<size_t>(std::max(1, config.workers));
  for (size_t k = 0; k < n; ++k) workers_.push_back(std::make_unique<Impl>(config));
  if (n > 1) log_mu_ = std::make_unique<std::mutex>();
  std::vector<Impl*> all;
  for (auto& w : workers_) all.push_back(w.get());
  for (size_t k = 0; k < n; ++k) {
    Impl& w = *workers_[k];
    w.worker = k;
    w.workers = all;
    w.log_mu = log_mu_.get();
    w.cookie_key = primary().cookie_key;  // a cookie one worker set, every worker reads
  }
}

Engine::~Engine() {
  // Connections still open at destruction (run() not called or returned early).
  for (auto& w : workers_) {
    std::vector<ClientConn*> cs;
    for (LruNode* n = w->client_lru.front(); n && n->owner; n = n->next) cs.push_back(static_cast<ClientConn*>(n->owner));
    for (ClientConn* c : cs) w->close_client(c);
    std::vector<UpstreamConn*> us;
    for (Lru* l : {&w->upstream_lru, &w->connecting_lru})
      for (LruNode* n = l->front(); n && n->owner; n = n->next) us.push_back(static_cast<UpstreamConn*>(n->owner));
    for (UpstreamConn* u : us) w->close_upstream(u);
    w->free_graveyard();
  }
  // Worker 0 owns the access log descriptor the others share: it goes last.
  while (workers_.size() > 1) workers_.pop_back();
}

bool Engine::start(std::string* error) {
  for (auto& w : workers_)
    if (!w->start(error)) return false;
  return true;
}

void Engine::run() {
  std::vector<std::thread> threads;
  for (size_t k = 1; k < workers_.size(); ++k) threads.emplace_back([w = workers_[k].get()] { w->run(); });
  primary().run();
  for (auto& t : threads) t.join();
}

void Engine::stop() {
  for (auto& w : workers_) {
    w->stop_requested = true;
    w->wake_loop();
  }
}

uint16_t Engine::listener_port(size_t listener, size_t node) const {
  for (const auto& s : primary().sockets)
    if (s->listener == listener && s->node == node) return s->port;
  return 0;
}
uint16_t Engine::admin_port() const { return primary().admin_listener.fd >= 0 ? primary().admin_listener.port : 0; }

HealthSnapshot Engine::target_health() {
  Impl& p = primary();
  HealthSnapshot s = p.call<HealthSnapshot>([&p] { return p.health_snapshot(); });
  // Worker 0's results reach the others as tasks: once each has run its
  // queue, every worker acts on what this snapshot says.
  for (size_t k = 1; k < workers_.size(); ++k) workers_[k]->call<int>([] { return 0; });
  return s;
}
std::string Engine::target_health_json() { return health_json(target_health()); }
std::string Engine::metrics_json() {
  Impl& p = primary();
  return p.call<std::string>([&p] { return p.metrics_json(); });
}
std::string Engine::metrics_prometheus() {
  Impl& p = primary();
  return p.call<std::string>([&p] { return p.metrics_prom(); });
}
size_t Engine::open_connections() {
  size_t n = 0;
  for (auto& w : workers_) n += w->call<size_t>([&w] { return w->clients + w->upstreams; });
  return n;
}

bool Engine::register_target(const std::string& target_group, const TargetConfig& target) {
  std::lock_guard<std::mutex> lk(api_mu_);
  auto shared = std::make_shared<TargetShared>(primary().cfg.nodes.size());
  bool ok = false;
  for (auto& w : workers_) {
    Impl* i = w.get();
    ok = i->call<bool>([i, target_group, target, shared] {
      TgRt* tg = i->find_tg(target_group);
      if (!tg) return false;
      TargetRt* t = i->add_target(tg, target, shared);
      if (i->running && i->checker() && tg->cfg.health_check.enabled)
        for (auto& nt : t->nodes) i->add_timer(i->now_ms, kTimerHcStart, &nt.hc, 0);
      return true;
    });
    if (!ok) return false;
  }
  return ok;
}

size_t Engine::set_target_stopped(const std::string& target_id, bool stopped) {
  std::lock_guard<std::mutex> lk(api_mu_);
  size_t changed = 0;
  for (auto& w : workers_) {
    Impl* i = w.get();
    size_t c = i->call<size_t>([i, target_id, stopped] {
      size_t changed = 0;
      for (auto& tg : i->tgs)
        for (auto& t : tg->targets) {
          if (t->cfg.id != target_id || !t->registered || t->draining || t->stopped == stopped) continue;
          i->set_stopped(t.get(), stopped);
          ++changed;
        }
      return changed;
    });
    if (i == &primary()) changed = c;
  }
  return changed;
}

bool Engine::deregister_target(const std::string& target_group, const std::string& target_id) {
  std::lock_guard<std::mutex> lk(api_mu_);
  bool found = false;
  for (auto& w : workers_) {
    Impl* i = w.get();
    bool f = i->call<bool>([i, target_group, target_id] {
      TgRt* tg = i->find_tg(target_group);
      if (!tg) return false;
      bool found = false;
      for (auto& t : tg->targets)
        if (t->cfg.id == target_id && t->registered && !t->draining) {
          i->deregister(t.get());
          found = true;
        }
      return found;
    });
    if (i == &primary()) found = f;
  }
  return found;
}

}  // namespace vpclab::dataplane::alb
