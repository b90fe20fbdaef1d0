// The NLB engine's loop and API: listeners on every node, timers, the
// API's changes handed to the loop, target choice by flow hash over
// semantics::nlb_routable_targets, health published for the API.
#include "dataplane/nlb/engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "dataplane/alb/sockets.h"
#include "dataplane/nlb/engine_impl.h"
#include "semantics/network_load_balancer.h"

namespace vpclab::dataplane::nlb {

using semantics::TargetHealthReason;
using semantics::TargetHealthState;

namespace {

int64_t now() { return alb::mono_us() / 1000; }

// A flow's 5-tuple hashed (AWS: protocol, addresses, ports, TCP sequence;
// the sequence number is not visible to a socket, so the lab leaves it out).
uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

}  // namespace

bool bind_upstream(int fd, const sockaddr_in& client, bool preserve, Ipv4Address node, uint8_t dscp) {
  if (dscp) {
    int tos = dscp << 2;
    if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) < 0) return false;
  }
  if (!preserve) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0 && errno != ENOPROTOOPT) return false;
    sockaddr_in src = alb::make_sockaddr(node, 0);
    return bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) == 0;
  }
  int one = 1;
  // On loopback (vpclab nlb, tests) the client's address is local and its
  // port the client's own socket's: bind the address, the port chosen at
  // connect() (as for the node's address: no port search at bind).
  if ((ntohl(client.sin_addr.s_addr) >> 24) == 127) {
    if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0 && errno != ENOPROTOOPT) return false;
    sockaddr_in src = client;
    src.sin_port = 0;
    return bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) == 0;
  }
  // The client's address is not the node's: only a transparent socket may use it.
  if (setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT, &one, sizeof one) < 0) return false;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&client), sizeof client) == 0) return true;
  sockaddr_in any_port = client;  // the client's port is taken (its own socket, on loopback)
  any_port.sin_port = 0;
  return bind(fd, reinterpret_cast<const sockaddr*>(&any_port), sizeof any_port) == 0;
}

Engine::Engine(EngineConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  Impl& im = *impl_;
  if (im.cfg.nodes.empty()) im.cfg.nodes.push_back({"node-1", Ipv4Address{0x7f000001}, "", 0});
  for (const auto& tgc : im.cfg.target_groups) {
    auto tg = std::make_unique<TgRt>();
    tg->cfg = tgc;
    tg->cfg.targets.clear();
    tg->matcher = semantics::parse_matcher(tgc.health_check.matcher).value_or(semantics::HttpCodeMatcher{});
    for (const auto& t : tgc.targets) im.add_target(tg.get(), t);
    im.tgs.push_back(std::move(tg));
  }
}

Engine::~Engine() {
  stop();
  impl_->close_all();
}

bool Engine::start(std::string* error) {
  Impl& im = *impl_;
  im.ep = epoll_create1(EPOLL_CLOEXEC);
  im.wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (im.ep < 0 || im.wake.fd < 0) {
    *error = std::string("epoll/eventfd: ") + std::strerror(errno);
    return false;
  }
  if (!im.set_events(&im.wake, EPOLLIN)) {
    *error = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  if (!im.open_listeners(error)) return false;
  // Every target `initial` from the start: a view taken before run() has them.
  im.publish_health();
  return true;
}

void Engine::run() { impl_->loop(); }

void Engine::stop() {
  Impl& im = *impl_;
  im.stopping = true;
  if (im.wake.fd >= 0) {
    uint64_t one = 1;
    (void)!write(im.wake.fd, &one, sizeof one);
  }
}

uint16_t Engine::listener_port(size_t listener, size_t node) const {
  size_t n = impl_->cfg.listeners.size();
  size_t i = node * n + listener;
  return i < impl_->listeners.size() ? impl_->listeners[i]->port : 0;
}

alb::HealthSnapshot Engine::target_health() {
  std::lock_guard<std::mutex> lk(impl_->api_mu);
  return impl_->published;
}

std::string Engine::metrics_json() {
  Impl& im = *impl_;
  nlohmann::json j = {{"LoadBalancer", im.cfg.elb_name()},
                      {"NewFlowCount_TCP", im.new_flows_tcp.load()},
                      {"NewFlowCount_UDP", im.new_flows_udp.load()},
                      {"ActiveFlowCount_TCP", im.active_tcp.load()},
                      {"ActiveFlowCount_UDP", im.active_udp.load()},
                      {"ProcessedBytes", im.processed_bytes.load()},
                      {"TCP_ELB_Reset_Count", im.elb_resets.load()},
                      {"TCP_Target_Reset_Count", im.target_resets.load()},
                      {"TCP_Client_Reset_Count", im.client_resets.load()}};
  return j.dump();
}

bool Engine::register_target(const std::string& target_group, const TargetConfig& target) {
  Impl& im = *impl_;
  if (!im.find_tg(target_group)) return false;
  im.post([&im, target_group, target] {
    TgRt* tg = im.find_tg(target_group);
    for (auto& t : tg->targets)
      if (t->cfg.id == target.id && t->registered && !t->draining) return;  // already registered
    im.add_target(tg, target);
    im.start_checks_for(tg->targets.back().get());
  });
  return true;
}

bool Engine::deregister_target(const std::string& target_group, const std::string& target_id) {
  Impl& im = *impl_;
  if (!im.find_tg(target_group)) return false;
  im.post([&im, target_group, target_id] {
    for (auto& t : im.find_tg(target_group)->targets)
      if (t->cfg.id == target_id) im.deregister(t.get());
  });
  return true;
}

size_t Engine::set_target_stopped(const std::string& target_id, bool stopped) {
  Impl& im = *impl_;
  size_t n = 0;
  {
    std::lock_guard<std::mutex> lk(im.api_mu);
    for (const auto& g : im.published.target_groups)
      for (const auto& t : g.targets) n += t.id == target_id;
  }
  im.post([&im, target_id, stopped] {
    for (auto& tg : im.tgs)
      for (auto& t : tg->targets)
        if (t->cfg.id == target_id && t->registered) im.set_stopped(t.get(), stopped);
  });
  return n;
}

// ---- the loop ----------------------------------------------------------------

bool Engine::Impl::open_listeners(std::string* error) {
  for (size_t n = 0; n < cfg.nodes.size(); ++n)
    for (const auto& lc : cfg.listeners) {
      auto l = std::make_unique<ListenerRt>();
      l->cfg = lc;
      l->node = n;
      l->tcp.owner = l->udp.owner = l.get();
      const bool tcp = lc.protocol == "TCP" || lc.protocol == "TCP_UDP";
      const bool udp = lc.protocol == "UDP" || lc.protocol == "TCP_UDP";
      std::string where = cfg.nodes[n].address.str() + ":" + std::to_string(lc.port);
      auto fail = [&](const char* proto, const std::string& why) {
        *error = where + "/" + proto + ": " + why;
        return false;
      };
      if (tcp) {
        l->tcp.fd = new_socket(n, SOCK_STREAM);
        if (l->tcp.fd < 0) return fail("tcp", std::strerror(errno));
        std::string why;
        if (!alb::listen_on(l->tcp.fd, cfg.nodes[n].address, lc.port, 4096, &l->port, &why, false, false))
          return fail("tcp", why);
        if (!set_events(&l->tcp, EPOLLIN)) return fail("tcp", std::strerror(errno));
      }
      if (udp) {
        l->udp.fd = new_socket(n, SOCK_DGRAM);
        if (l->udp.fd < 0) return fail("udp", std::strerror(errno));
        // TCP_UDP with an ephemeral port: UDP takes TCP's.
        sockaddr_in sa = alb::make_sockaddr(cfg.nodes[n].address, l->port ? l->port : lc.port);
        if (bind(l->udp.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return fail("udp", std::strerror(errno));
        socklen_t len = sizeof sa;
        if (getsockname(l->udp.fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return fail("udp", std::strerror(errno));
        l->port = ntohs(sa.sin_port);
        if (!set_events(&l->udp, EPOLLIN)) return fail("udp", std::strerror(errno));
      }
      listeners.push_back(std::move(l));
    }
  return true;
}

int Engine::Impl::new_socket(size_t node, int type) {
  if (!cfg.socket_for_node) return socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);  // no fcntl calls
  int fd = cfg.socket_for_node(node, type);
  if (fd < 0) return -1;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

bool Engine::Impl::set_events(Handle* h, uint32_t events) {
  if (h->events == events) return true;
  epoll_event e{};
  e.events = events;
  e.data.ptr = h;
  int rc = epoll_ctl(ep, h->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, h->fd, &e);
  if (rc == 0) h->events = events;
  return rc == 0;
}

void Engine::Impl::unwatch(Handle* h) {
  if (h->events) (void)epoll_ctl(ep, EPOLL_CTL_DEL, h->fd, nullptr);
  h->events = 0;
}

void Engine::Impl::post(std::function<void()> f) {
  {
    std::lock_guard<std::mutex> lk(api_mu);
    pending.push_back(std::move(f));
  }
  uint64_t one = 1;
  if (wake.fd >= 0) (void)!write(wake.fd, &one, sizeof one);
}

void Engine::Impl::run_pending() {
  std::vector<std::function<void()>> todo;
  {
    std::lock_guard<std::mutex> lk(api_mu);
    todo.swap(pending);
  }
  for (auto& f : todo) f();
}

void Engine::Impl::add_timer(int64_t when, Timer::Kind k, void* p, uint32_t gen) {
  timers.push(Timer{when, timer_seq++, k, p, gen});
}

void Engine::Impl::run_timers() {
  while (!timers.empty() && timers.top().when_ms <= now_ms) {
    Timer t = timers.top();
    timers.pop();
    switch (t.kind) {
      case Timer::kHcStart: on_hc_timer(static_cast<HealthCheckRt*>(t.p)); break;
      case Timer::kHcTimeout: {
        auto* hc = static_cast<HealthCheckRt*>(t.p);
        if (hc->in_flight && hc->generation == t.gen) hc_finish(hc, semantics::HealthCheckOutcome::kTimeout);
        break;
      }
      case Timer::kDrainDone: {
        auto* tr = static_cast<TargetRt*>(t.p);
        if (tr->draining && tr->drain_generation == t.gen) drain_done(tr);
        break;
      }
      case Timer::kSweep:
        expire_tcp();
        expire_udp();
        add_timer(now_ms + 1000, Timer::kSweep, nullptr, 0);
        break;
    }
  }
}

void Engine::Impl::loop() {
  now_ms = now();
  start_health_checks();
  add_timer(now_ms + 1000, Timer::kSweep, nullptr, 0);
  publish_health();
  epoll_event evs[128];
  while (!stopping) {
    int wait_ms = 1000;
    if (!timers.empty()) wait_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(1000, timers.top().when_ms - now_ms)));
    int n = epoll_wait(ep, evs, 128, wait_ms);
    now_ms = now();
    for (int i = 0; i < n; ++i) {
      auto* h = static_cast<Handle*>(evs[i].data.ptr);
      uint32_t ev = evs[i].events;
      switch (h->kind) {
        case Kind::kWake: {
          uint64_t v;
          (void)!read(h->fd, &v, sizeof v);
          break;
        }
        case Kind::kTcpListener: on_accept(static_cast<ListenerRt*>(h->owner)); break;
        case Kind::kUdpListener: on_udp_listener(static_cast<ListenerRt*>(h->owner)); break;
        case Kind::kClient:
        case Kind::kUpstream: {
          auto* f = static_cast<TcpFlow*>(h->owner);
          if (!f->closed) on_tcp(f, h, ev);
          break;
        }
        case Kind::kUdpUpstream: {
          auto* f = static_cast<UdpFlow*>(h->owner);
          if (!f->closed) on_udp_upstream(f);
          break;
        }
        case Kind::kHealth: on_health(static_cast<HealthCheckRt*>(h->owner), ev); break;
      }
    }
    run_pending();
    run_timers();
    for (TcpFlow* f : dead_tcp) delete f;
    dead_tcp.clear();
    for (UdpFlow* f : dead_udp) delete f;
    dead_udp.clear();
    if (health_changed) publish_health();
  }
  close_all();
}

void Engine::Impl::close_all() {
  for (LruNode* n = tcp_lru.front(); n; n = tcp_lru.front()) tcp_close(static_cast<TcpFlow*>(n->owner), false);
  for (LruNode* n = connecting_lru.front(); n; n = connecting_lru.front())
    tcp_close(static_cast<TcpFlow*>(n->owner), false);
  for (LruNode* n = udp_lru.front(); n; n = udp_lru.front()) udp_close(static_cast<UdpFlow*>(n->owner));
  for (TcpFlow* f : dead_tcp) delete f;
  dead_tcp.clear();
  for (UdpFlow* f : dead_udp) delete f;
  dead_udp.clear();
  for (auto& tg : tgs)
    for (auto& t : tg->targets)
      for (auto& nt : t->nodes) hc_close(&nt.hc);
  for (auto& l : listeners)
    for (Handle* h : {&l->tcp, &l->udp})
      if (h->fd >= 0) {
        close(h->fd);
        h->fd = -1;
      }
  listeners.clear();
  if (wake.fd >= 0) close(wake.fd);
  if (ep >= 0) close(ep);
  wake.fd = ep = -1;
}

// ---- targets -----------------------------------------------------------------

TgRt* Engine::Impl::find_tg(const std::string& key) {
  for (auto& tg : tgs)
    if (tg->cfg.arn == key || tg->cfg.name == key) return tg.get();
  return nullptr;
}

void Engine::Impl::add_target(TgRt* tg, const TargetConfig& tc) {
  auto t = std::make_unique<TargetRt>();
  t->cfg = tc;
  t->tg = tg;
  t->port = tc.port ? tc.port : tg->cfg.port;
  t->nodes.resize(cfg.nodes.size());
  for (size_t n = 0; n < t->nodes.size(); ++n) {
    t->nodes[n].hc.target = t.get();
    t->nodes[n].hc.node = n;
    t->nodes[n].hc.h.owner = &t->nodes[n].hc;  // NLB checks cannot be turned off (instance, ip, alb targets)
  }
  tg->targets.push_back(std::move(t));
  health_changed = true;
}

TargetRt* Engine::Impl::choose_target(ListenerRt* l, uint64_t flow_hash) {
  TgRt* tg = l->cfg.target_group < tgs.size() ? tgs[l->cfg.target_group].get() : nullptr;
  if (!tg) return nullptr;
  const std::string& zone = cfg.nodes[l->node].availability_zone;
  std::vector<semantics::NlbTargetView> views;
  views.reserve(tg->targets.size());
  for (const auto& t : tg->targets) {
    semantics::NlbTargetView v;
    v.state = !t->registered ? TargetHealthState::kUnused : t->nodes[l->node].health.state;
    const std::string& az = t->cfg.availability_zone;
    v.in_node_zone = az.empty() || az == "all" || zone.empty() || az == zone;
    views.push_back(v);
  }
  auto routable = semantics::nlb_routable_targets(views, tg->cfg.cross_zone);
  if (routable.empty()) return nullptr;
  return tg->targets[routable[mix(flow_hash) % routable.size()]].get();
}

void Engine::Impl::deregister(TargetRt* t) {
  if (!t->registered || t->draining) return;
  t->draining = true;
  ++t->drain_generation;
  for (auto& nt : t->nodes) {
    hc_close(&nt.hc);
    nt.health.state = TargetHealthState::kDraining;
    nt.health.reason = TargetHealthReason::kDeregistrationInProgress;
  }
  health_changed = true;
  add_timer(now_ms + t->tg->cfg.deregistration_delay_ms, Timer::kDrainDone, t, t->drain_generation);
}

void Engine::Impl::drain_done(TargetRt* t) {
  // Deregistration delay over: the target's flows are closed (AWS: reset).
  for (Lru* l : {&tcp_lru, &connecting_lru}) {
    std::vector<TcpFlow*> victims;
    for (LruNode* n = l->front(); n && n->owner; n = n->next)
      if (static_cast<TcpFlow*>(n->owner)->target == t) victims.push_back(static_cast<TcpFlow*>(n->owner));
    for (TcpFlow* f : victims) tcp_close(f, true);
  }
  std::vector<UdpFlow*> udp_victims;
  for (LruNode* n = udp_lru.front(); n && n->owner; n = n->next)
    if (static_cast<UdpFlow*>(n->owner)->target == t) udp_victims.push_back(static_cast<UdpFlow*>(n->owner));
  for (UdpFlow* f : udp_victims) udp_close(f);
  t->draining = false;
  t->registered = false;
  for (auto& nt : t->nodes) {
    nt.health.state = TargetHealthState::kUnused;
    nt.health.reason = TargetHealthReason::kNotRegistered;
  }
  health_changed = true;
}

void Engine::Impl::set_stopped(TargetRt* t, bool stopped) {
  t->stopped = stopped;
  for (size_t n = 0; n < t->nodes.size(); ++n) {
    NodeTarget& nt = t->nodes[n];
    hc_close(&nt.hc);
    semantics::TargetHealth h;  // started again: initial until a check passes
    if (stopped) {
      h.state = TargetHealthState::kUnused;
      h.reason = TargetHealthReason::kInvalidState;
    }
    nt.health = h;
  }
  if (stopped)
    for (size_t n = 0; n < t->nodes.size(); ++n) target_down(t, n);
  health_changed = true;
}

void Engine::Impl::target_down(TargetRt* t, size_t node) {
  std::vector<TcpFlow*> victims;
  for (Lru* l : {&tcp_lru, &connecting_lru})
    for (LruNode* n = l->front(); n && n->owner; n = n->next) {
      auto* f = static_cast<TcpFlow*>(n->owner);
      if (f->target == t && f->node == node) victims.push_back(f);
    }
  for (TcpFlow* f : victims) tcp_close(f, true);
}

void Engine::Impl::publish_health() {
  alb::HealthSnapshot s;
  s.load_balancer = cfg.elb_name();
  for (const auto& n : cfg.nodes) s.nodes.push_back({n.name, n.address});
  for (const auto& tg : tgs) {
    alb::TargetGroupHealthSnapshot g;
    g.arn = tg->cfg.arn;
    g.name = tg->cfg.name;
    for (const auto& t : tg->targets) {
      alb::TargetHealthSnapshot ts;
      ts.id = t->cfg.id;
      ts.port = t->port;
      ts.availability_zone = t->cfg.availability_zone;
      ts.health_check_port = std::to_string(semantics::health_check_port(tg->cfg.health_check, t->port));
      for (const auto& nt : t->nodes) ts.nodes.push_back(nt.health);
      g.targets.push_back(std::move(ts));
    }
    s.target_groups.push_back(std::move(g));
  }
  std::lock_guard<std::mutex> lk(api_mu);
  published = std::move(s);
  health_changed = false;
}

}  // namespace vpclab::dataplane::nlb
