// The ALB engine's event loop. Layout of this file:
//   1. plumbing: clocks, buffers and their pool, LRU lists for idle timeouts
//   2. runtime state: listeners, target groups, targets, per-node health
//   3. client side: accept, read, parse, rule selection, actions
//   4. target side: balancing, connection pool, request/response relay
//   5. health checks, draining, timers, admin endpoint, metrics
#include "dataplane/alb/engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <future>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

#include "dataplane/alb/access_log.h"
#include "dataplane/http/message.h"
#include "dataplane/http/parser.h"
#include "semantics/listener_rule.h"
#include "semantics/target_health.h"

namespace vpclab::dataplane::alb {

namespace va = vpclab::alb;
using semantics::TargetHealthState;

namespace {

// ---------------------------------------------------------------------------
// 1. Plumbing

int64_t mono_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}
int64_t real_us() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

constexpr size_t kBufferSize = 16 * 1024;
constexpr size_t kMaxBuffered = 256 * 1024;  // backpressure threshold per direction
constexpr size_t kPoolKeep = 1024;           // pooled buffers kept for reuse

// Buffers are fixed 16 KiB blocks from a pool; a head larger than that grows
// the buffer with realloc (rare) and the block is then freed, not pooled.
class BufferPool {
 public:
  ~BufferPool() {
    for (char* p : free_) std::free(p);
  }
  char* get() {
    if (!free_.empty()) {
      char* p = free_.back();
      free_.pop_back();
      return p;
    }
    return static_cast<char*>(std::malloc(kBufferSize));
  }
  void put(char* p, size_t cap) {
    if (cap == kBufferSize && free_.size() < kPoolKeep) free_.push_back(p);
    else std::free(p);
  }

 private:
  std::vector<char*> free_;
};

struct Buffer {
  char* data = nullptr;
  size_t cap = 0, start = 0, end = 0;

  size_t size() const { return end - start; }
  bool empty() const { return end == start; }
  std::string_view view() const { return {data + start, end - start}; }
  void consume(size_t n) {
    start += n;
    if (start == end) start = end = 0;
  }
  // Makes room for at least `want` more bytes (compacting or growing).
  void reserve(BufferPool& pool, size_t want) {
    if (!data) {
      data = pool.get();
      cap = kBufferSize;
    }
    if (cap - end >= want) return;
    if (start > 0) {
      std::memmove(data, data + start, end - start);
      end -= start;
      start = 0;
      if (cap - end >= want) return;
    }
    size_t ncap = std::max(cap * 2, end + want);
    data = static_cast<char*>(std::realloc(data, ncap));
    cap = ncap;
  }
  // Sends what is buffered until empty or the socket would block.
  // Returns -1 when the peer is gone, else the number of bytes sent.
  ssize_t send_to(int fd) {
    size_t sent = 0;
    while (!empty()) {
      ssize_t w = ::send(fd, data + start, size(), MSG_NOSIGNAL);
      if (w > 0) {
        consume(static_cast<size_t>(w));
        sent += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) break;
      return -1;
    }
    return static_cast<ssize_t>(sent);
  }
  void append(BufferPool& pool, const char* p, size_t n) {
    reserve(pool, n);
    std::memcpy(data + end, p, n);
    end += n;
  }
  void release(BufferPool& pool) {
    if (data) pool.put(data, cap);
    data = nullptr;
    cap = start = end = 0;
  }
  // Returns the block to the pool when nothing is buffered (idle connections hold no memory).
  void release_if_empty(BufferPool& pool) {
    if (data && empty()) release(pool);
  }
};

enum class Kind : uint8_t { kListener, kClient, kUpstream, kHealth, kAdminListener, kAdmin, kWake };

struct Handle {
  Kind kind;
  bool closed = false;
  int fd = -1;
  uint32_t events = 0;  // current epoll interest
  explicit Handle(Kind k) : kind(k) {}
};

struct LruNode {
  LruNode* prev = nullptr;
  LruNode* next = nullptr;
  int64_t last_ms = 0;
  Handle* owner = nullptr;
};

// Ordered by last activity; with one timeout per list, the front expires first.
class Lru {
 public:
  Lru() { head_.prev = head_.next = &head_; }
  void touch(LruNode* n, int64_t now_ms) {
    if (n->next) unlink(n);
    n->last_ms = now_ms;
    n->prev = head_.prev;
    n->next = &head_;
    head_.prev->next = n;
    head_.prev = n;
  }
  void unlink(LruNode* n) {
    if (!n->next) return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
  }
  LruNode* front() { return head_.next == &head_ ? nullptr : head_.next; }

 private:
  LruNode head_;
};

// xorshift128+: trace ids, cookies, weighted random. Not for secrets.
struct Rng {
  uint64_t s0, s1;
  Rng() {
    std::random_device rd;
    s0 = (uint64_t{rd()} << 32) ^ rd() ^ static_cast<uint64_t>(real_us());
    s1 = (uint64_t{rd()} << 32) ^ rd() ^ 0x9E3779B97F4A7C15ull;
  }
  uint64_t next() {
    uint64_t x = s0, y = s1;
    s0 = y;
    x ^= x << 23;
    s1 = x ^ y ^ (x >> 17) ^ (y >> 26);
    return s1 + y;
  }
};

std::string ip_string(Ipv4Address a) { return a.str(); }

sockaddr_in make_sockaddr(Ipv4Address a, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(a.value);
  return sa;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool valid_header_name(std::string_view n) {  // routing.http.drop_invalid_header_fields: [-A-Za-z0-9]+
  if (n.empty()) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// Finds cookie `name` in a Cookie header value.
std::string_view find_cookie(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t semi = header.find(';', pos);
    if (semi == std::string_view::npos) semi = header.size();
    std::string_view item = header.substr(pos, semi - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    pos = semi + 1;
  }
  return {};
}

// ---------------------------------------------------------------------------
// 2. Runtime state

struct ClientConn;
struct UpstreamConn;
struct TargetRt;
struct TgRt;
struct HealthCheck;

struct HealthCheck : Handle {
  HealthCheck() : Handle(Kind::kHealth) {}
  TgRt* tg = nullptr;
  TargetRt* target = nullptr;
  size_t node = 0;
  uint32_t generation = 0;
  bool in_flight = false;
  bool sent = false;
  int64_t started_ms = 0;
  char buf[512];
  size_t len = 0;
};

struct NodeTarget {
  semantics::TargetHealth health;
  int64_t healthy_since_ms = -1;
  bool in_slow_start = false;
  int outstanding = 0;
  int64_t swrr_current = 0;  // smooth weighted round robin
  std::vector<UpstreamConn*> idle;
  HealthCheck hc;
};

struct TargetRt {
  uint32_t uid = 0;
  TgRt* tg = nullptr;
  TargetConfig cfg;
  uint16_t port = 0;
  std::string ip;        // dotted
  std::string ip_port;   // for logs
  bool registered = true;
  bool draining = false;
  bool stopped = false;  // its EC2 instance is stopped: unused / Target.InvalidState, no checks, no traffic
  uint32_t drain_generation = 0;
  std::vector<NodeTarget> nodes;  // sized once: addresses stay stable
  uint64_t requests = 0;
};

enum class Algorithm : uint8_t { kRoundRobin, kLeastOutstanding, kWeightedRandom };

struct TgMetrics {
  uint64_t requests = 0, target_2xx = 0, target_3xx = 0, target_4xx = 0, target_5xx = 0;
  uint64_t unhealthy_routing = 0, connection_errors = 0, non_sticky = 0;
  double response_time_sum = 0;
  uint64_t response_time_count = 0;
};

struct TgRt {
  TargetGroupConfig cfg;
  size_t index = 0;
  Algorithm algorithm = Algorithm::kRoundRobin;
  semantics::HttpCodeMatcher matcher;
  bool stickiness = false;
  bool app_cookie = false;
  bool cross_zone = true;
  std::vector<std::unique_ptr<TargetRt>> targets;
  std::vector<uint64_t> rr;  // per node
  TgMetrics m;
};

struct ListenerRt {
  ListenerConfig cfg;
  bool needs_headers = false;  // some rule has an http-header condition
  std::vector<const TgRt*> default_tgs;
};

struct ListenSocket : Handle {
  ListenSocket() : Handle(Kind::kListener) {}
  size_t listener = 0;
  size_t node = 0;
  uint16_t port = 0;
};

struct Metrics {
  uint64_t requests = 0, new_connections = 0, rejected_connections = 0, processed_bytes = 0;
  uint64_t elb_4xx = 0, elb_5xx = 0, elb_502 = 0, elb_503 = 0, elb_504 = 0, elb_3xx = 0, elb_500 = 0;
  uint64_t target_2xx = 0, target_3xx = 0, target_4xx = 0, target_5xx = 0;
  uint64_t target_connection_errors = 0, unhealthy_routing = 0, fixed_responses = 0, redirects = 0;
  uint64_t non_sticky = 0, desync_non_compliant = 0;
  double target_response_time_sum = 0;
  uint64_t target_response_time_count = 0;
};

enum class ClientState : uint8_t {
  kIdle,        // waiting for a request (nothing of it received yet)
  kHead,        // part of a head received
  kExchange,    // a request is being served
  kTunnel,      // WebSocket (after 101)
  kClosing,     // flushing the last response, then close
};

struct Exchange {
  http::Request req;  // views into the client's input buffer
  bool active = false;
  int64_t start_us = 0, creation_real_us = 0;
  int64_t dispatch_us = 0, response_us = 0;
  std::string request_line, user_agent, trace_id, redirect_url;
  const char* action = "";
  const char* error_reason = "";
  int rule_priority = -1;
  int elb_status = 0, target_status = 0;
  TgRt* tg = nullptr;
  TargetRt* target = nullptr;
  uint64_t received = 0, sent = 0;
  http::Desync desync = http::Desync::kCompliant;
  http::DesyncReason desync_reason = http::DesyncReason::kCompliant;
  bool head_method = false;
  bool upgrade = false;
  bool close_after = false;   // close the client connection after this response
  bool close_target = false;  // do not reuse the target connection (Ambiguous)
  http::BodyKind req_body = http::BodyKind::kNone;
  uint64_t req_remaining = 0;
  http::ChunkedDecoder req_chunked;
  bool req_done = true;
  bool resp_head_done = false;
  http::BodyKind resp_body = http::BodyKind::kNone;
  uint64_t resp_remaining = 0;
  http::ChunkedDecoder resp_chunked;
  bool dechunk = false;
  bool retried = false;
  bool client_http10 = false;
  std::string upstream_head;  // kept for one retry on a stale pooled connection
  // stickiness to write on the response
  TargetRt* set_lb_cookie = nullptr;
  TgRt* set_tg_cookie = nullptr;
  int tg_cookie_seconds = 0;

  void reset() {
    active = false;
    start_us = creation_real_us = dispatch_us = response_us = 0;
    request_line.clear();
    user_agent.clear();
    trace_id.clear();
    redirect_url.clear();
    action = "";
    error_reason = "";
    rule_priority = -1;
    elb_status = target_status = 0;
    tg = nullptr;
    target = nullptr;
    received = sent = 0;
    desync = http::Desync::kCompliant;
    desync_reason = http::DesyncReason::kCompliant;
    head_method = upgrade = close_after = close_target = false;
    req_body = http::BodyKind::kNone;
    req_remaining = 0;
    req_chunked.reset();
    req_done = true;
    resp_head_done = false;
    resp_body = http::BodyKind::kNone;
    resp_remaining = 0;
    resp_chunked.reset();
    dechunk = retried = client_http10 = false;
    upstream_head.clear();
    set_lb_cookie = nullptr;
    set_tg_cookie = nullptr;
    tg_cookie_seconds = 0;
  }
};

struct ClientConn : Handle {
  ClientConn() : Handle(Kind::kClient) { lru.owner = this; }
  size_t node = 0, listener = 0;
  uint16_t listener_port = 0;
  Ipv4Address peer;
  uint16_t peer_port = 0;
  std::string peer_ip;
  Buffer in, out;
  ClientState state = ClientState::kIdle;
  http::RequestParser parser;
  // Per-request state, from a pool while a request is under way; an idle
  // connection points at the engine's inactive sentinel (and holds no memory).
  Exchange* ex = nullptr;
  UpstreamConn* up = nullptr;
  LruNode lru;
  bool read_paused = false;
  bool eof = false;
};

enum class UpState : uint8_t { kConnecting, kIdle, kBusy };

struct UpstreamConn : Handle {
  UpstreamConn() : Handle(Kind::kUpstream) { lru.owner = this; }
  TargetRt* target = nullptr;
  size_t node = 0;
  UpState state = UpState::kConnecting;
  ClientConn* client = nullptr;
  Buffer in, out;
  http::ResponseParser parser;
  http::Response resp;
  LruNode lru;
  bool reused = false;       // had served a request before this one
  uint64_t bytes_in = 0;     // response bytes for the current request
  bool read_paused = false;
};

struct AdminConn : Handle {
  AdminConn() : Handle(Kind::kAdmin) {}
  std::string in, out;
};

struct Timer {
  int64_t when_ms;
  uint64_t seq;
  int kind;
  void* p;
  uint32_t gen;
  bool operator>(const Timer& o) const { return when_ms != o.when_ms ? when_ms > o.when_ms : seq > o.seq; }
};
enum TimerKind { kTimerHcStart, kTimerHcTimeout, kTimerDrainDone, kTimerShutdown };

}  // namespace

// ---------------------------------------------------------------------------

struct Engine::Impl {
  EngineConfig cfg;
  int epfd = -1;
  Handle wake{Kind::kWake};
  std::vector<ListenerRt> listeners;
  std::vector<std::unique_ptr<ListenSocket>> sockets;
  std::vector<std::unique_ptr<TgRt>> tgs;
  std::vector<TargetRt*> targets_by_uid;
  ListenSocket admin_listener;
  BufferPool pool;
  Lru client_lru, upstream_lru, connecting_lru;
  std::vector<Handle*> graveyard;  // freed after the current batch of events
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
  uint64_t timer_seq = 0;
  Rng rng;
  uint64_t cookie_key = 0;
  Metrics m;
  size_t clients = 0, upstreams = 0;
  int64_t now_us = 0, now_ms = 0;
  int64_t idle_ms = 60000;
  std::string date;
  int64_t date_sec = -1;
  int64_t now_real_sec() const { return date_sec; }
  int log_fd = -1;
  bool log_owned = false;
  std::string log_buf;
  std::string scratch;  // response heads, chunk payloads
  std::vector<ClientConn*> ready_clients;  // pipelined requests to resume
  Exchange idle_ex;                        // never written: what idle connections point at
  std::vector<Exchange*> ex_pool;
  Exchange* acquire_exchange() {
    if (ex_pool.empty()) return new Exchange();
    Exchange* e = ex_pool.back();
    ex_pool.pop_back();
    return e;
  }
  void release_exchange(ClientConn* c) {
    if (c->ex == &idle_ex) return;
    c->ex->reset();
    c->ex->req.clear();
    if (ex_pool.size() < 4096) ex_pool.push_back(c->ex);
    else delete c->ex;
    c->ex = &idle_ex;
  }
  semantics::HttpRequestView view;
  bool started = false;
  std::atomic<bool> running{false};
  bool shutting_down = false;
  std::atomic<bool> stop_requested{false};
  int64_t shutdown_deadline_ms = 0;
  std::mutex task_mu;
  std::vector<std::function<void()>> tasks;
  std::thread::id loop_thread;

  explicit Impl(EngineConfig c) : cfg(std::move(c)) {
    idle_ms = std::max<int64_t>(1, cfg.idle_ms());
    cookie_key = rng.next() | 1;
    tick();
  }
  ~Impl();

  int new_socket(size_t node) {
    if (cfg.socket_for_node) return cfg.socket_for_node(node);
    return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }

  // ---- time
  void tick() {
    now_us = mono_us();
    now_ms = now_us / 1000;
    int64_t sec = real_us() / 1000000;
    if (sec != date_sec) {
      date_sec = sec;
      date = http::http_date(static_cast<std::time_t>(sec));
    }
  }

  // ---- epoll
  void set_events(Handle* h, uint32_t ev) {
    if (h->closed || h->events == ev) return;
    epoll_event e{};
    e.events = ev;
    e.data.ptr = h;
    epoll_ctl(epfd, h->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, h->fd, &e);
    h->events = ev;
  }
  void add_timer(int64_t when_ms, int kind, void* p, uint32_t gen) {
    timers.push(Timer{when_ms, timer_seq++, kind, p, gen});
  }

  bool start(std::string* error);
  void run();
  void run_tasks();
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lk(task_mu);
      tasks.push_back(std::move(f));
    }
    uint64_t one = 1;
    ssize_t n = write(wake.fd, &one, sizeof one);
    (void)n;
  }
  // Runs f on the loop thread (now, if the loop is not running) and waits.
  template <typename R>
  R call(std::function<R()> f) {
    if (!running.load() || std::this_thread::get_id() == loop_thread) return f();
    auto p = std::make_shared<std::promise<R>>();
    auto fut = p->get_future();
    post([p, f] { p->set_value(f()); });
    return fut.get();
  }

  // ---- client side
  void on_accept(ListenSocket* ls);
  void on_client(ClientConn* c, uint32_t ev);
  void client_read(ClientConn* c);
  void process_client(ClientConn* c);
  bool start_request(ClientConn* c);
  void handle_request(ClientConn* c);
  void forward_request_body(ClientConn* c);
  void respond_lb(ClientConn* c, int status, bool keep_alive, std::string_view content_type = "text/html",
                  std::string_view body = {}, std::string_view extra = {}, bool use_error_body = true);
  void finish_exchange(ClientConn* c);
  void client_write(ClientConn* c, const char* a, size_t an, const char* b = nullptr, size_t bn = 0);
  void flush_client(ClientConn* c);
  void update_client_events(ClientConn* c);
  void close_client(ClientConn* c);
  void client_timeout(ClientConn* c);
  void log_exchange(ClientConn* c);

  // ---- target side
  TgRt* find_tg(std::string_view arn_or_name);
  TargetRt* choose_target(ClientConn* c, TgRt* tg, bool& non_sticky);
  bool eligible(const TargetRt* t, size_t node, bool fail_open) const;
  int64_t slow_start_weight(const TargetRt* t, size_t node) const;
  UpstreamConn* connect_target(ClientConn* c, TargetRt* t);
  void dispatch(ClientConn* c, TargetRt* t);
  void on_upstream(UpstreamConn* u, uint32_t ev);
  void upstream_read(UpstreamConn* u);
  void relay_response(UpstreamConn* u);
  void upstream_eof(UpstreamConn* u, bool error);
  void upstream_flush(UpstreamConn* u);
  void update_upstream_events(UpstreamConn* u);
  void close_upstream(UpstreamConn* u);
  void release_upstream(UpstreamConn* u, bool reusable);
  void fail_exchange(ClientConn* c, int status, const char* reason);
  void build_upstream_head(ClientConn* c, TargetRt* t);
  void build_response_head(ClientConn* c, UpstreamConn* u);

  // ---- health, timers, admin
  void start_health_checks();
  void hc_start(HealthCheck* hc);
  void on_health(HealthCheck* hc, uint32_t ev);
  void hc_finish(HealthCheck* hc, semantics::HealthCheckOutcome outcome);
  void hc_close(HealthCheck* hc);
  void set_health(TargetRt* t, size_t node, const semantics::TargetHealth& h);
  void run_timers();
  void sweep_timeouts();
  void begin_shutdown();
  void deregister(TargetRt* t);
  void drain_done(TargetRt* t);
  TargetRt* add_target(TgRt* tg, const TargetConfig& tc);
  void on_admin_accept();
  void on_admin(AdminConn* a, uint32_t ev);
  std::string health_json();
  std::string metrics_json();
  std::string metrics_prom();
  void flush_log();
  void bury(Handle* h) {
    h->closed = true;
    graveyard.push_back(h);
  }
  void free_graveyard();
};

namespace {
const char* algorithm_name(Algorithm a) {
  switch (a) {
    case Algorithm::kRoundRobin: return "round_robin";
    case Algorithm::kLeastOutstanding: return "least_outstanding_requests";
    case Algorithm::kWeightedRandom: return "weighted_random";
  }
  return "?";
}
}  // namespace

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

// ---------------------------------------------------------------------------
// Start-up

TargetRt* Engine::Impl::add_target(TgRt* tg, const TargetConfig& tc) {
  auto t = std::make_unique<TargetRt>();
  t->uid = static_cast<uint32_t>(targets_by_uid.size());
  t->tg = tg;
  t->cfg = tc;
  t->port = tc.port ? tc.port : tg->cfg.port;
  t->ip = ip_string(tc.address);
  t->ip_port = t->ip + ":" + std::to_string(t->port);
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
  wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd < 0 || wake.fd < 0) return fail(std::string("epoll: ") + std::strerror(errno));
  set_events(&wake, EPOLLIN);

  for (auto& tgc : cfg.target_groups) {
    auto tg = std::make_unique<TgRt>();
    tg->cfg = tgc;
    tg->index = tgs.size();
    const auto& a = tgc.attributes;
    tg->algorithm = a.algorithm == "least_outstanding_requests" ? Algorithm::kLeastOutstanding
                    : a.algorithm == "weighted_random"         ? Algorithm::kWeightedRandom
                                                               : Algorithm::kRoundRobin;
    auto matcher = semantics::parse_matcher(tgc.health_check.matcher);
    if (!matcher) return fail("target group " + tgc.name + ": bad health check matcher \"" + tgc.health_check.matcher + "\"");
    tg->matcher = *matcher;
    tg->stickiness = a.stickiness_enabled;
    tg->app_cookie = a.stickiness_type == "app_cookie";
    tg->cross_zone = a.cross_zone != "false";
    tg->rr.assign(cfg.nodes.size(), 0);
    TgRt* raw = tg.get();
    tgs.push_back(std::move(tg));
    for (const auto& tc : tgc.targets) add_target(raw, tc);
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
      int one = 1;
      setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in sa = make_sockaddr(cfg.nodes[n].address, listeners[li].cfg.port);
      std::string where = cfg.nodes[n].address.str() + ":" + std::to_string(listeners[li].cfg.port);
      if (bind(s->fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
        return fail(where + ": " + std::strerror(errno));
      if (listen(s->fd, 4096) < 0) return fail(where + ": " + std::strerror(errno));
      socklen_t len = sizeof sa;
      getsockname(s->fd, reinterpret_cast<sockaddr*>(&sa), &len);
      s->port = ntohs(sa.sin_port);
      set_events(s.get(), EPOLLIN);
      sockets.push_back(std::move(s));
    }
  }
  if (cfg.admin_address) {
    admin_listener.kind = Kind::kAdminListener;
    admin_listener.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(admin_listener.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa = make_sockaddr(*cfg.admin_address, cfg.admin_port);
    if (bind(admin_listener.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(admin_listener.fd, 64) < 0)
      return fail("admin " + cfg.admin_address->str() + ":" + std::to_string(cfg.admin_port) + ": " +
                  std::strerror(errno));
    socklen_t len = sizeof sa;
    getsockname(admin_listener.fd, reinterpret_cast<sockaddr*>(&sa), &len);
    admin_listener.port = ntohs(sa.sin_port);
    set_events(&admin_listener, EPOLLIN);
  }
  if (cfg.access_log == "-") {
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
// Event loop

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
    tick();
    for (int i = 0; i < n; ++i) {
      Handle* h = static_cast<Handle*>(events[i].data.ptr);
      if (h->closed) continue;
      uint32_t ev = events[i].events;
      switch (h->kind) {
        case Kind::kListener: on_accept(static_cast<ListenSocket*>(h)); break;
        case Kind::kClient: on_client(static_cast<ClientConn*>(h), ev); break;
        case Kind::kUpstream: on_upstream(static_cast<UpstreamConn*>(h), ev); break;
        case Kind::kHealth: on_health(static_cast<HealthCheck*>(h), ev); break;
        case Kind::kAdminListener: on_admin_accept(); break;
        case Kind::kAdmin: on_admin(static_cast<AdminConn*>(h), ev); break;
        case Kind::kWake: {
          uint64_t v;
          ssize_t r = read(wake.fd, &v, sizeof v);
          (void)r;
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
    flush_log();
    free_graveyard();
  }
  // Shutdown: close whatever is left.
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
      default: break;
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
      epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, nullptr);
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

void Engine::Impl::flush_log() {
  if (log_buf.empty() || log_fd < 0) {
    log_buf.clear();
    return;
  }
  size_t off = 0;
  while (off < log_buf.size()) {
    ssize_t w = write(log_fd, log_buf.data() + off, log_buf.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    off += static_cast<size_t>(w);
  }
  log_buf.clear();
}

// ---------------------------------------------------------------------------
// 3. Client side

void Engine::Impl::on_accept(ListenSocket* ls) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    int fd = accept4(ls->fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) ++m.rejected_connections;
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new ClientConn();
    c->fd = fd;
    c->node = ls->node;
    c->listener = ls->listener;
    c->listener_port = ls->port;
    c->peer = Ipv4Address{ntohl(sa.sin_addr.s_addr)};
    c->peer_port = ntohs(sa.sin_port);
    c->peer_ip = ip_string(c->peer);
    c->ex = &idle_ex;
    ++clients;
    ++m.new_connections;
    client_lru.touch(&c->lru, now_ms);
    set_events(c, EPOLLIN | EPOLLRDHUP);
  }
}

void Engine::Impl::on_client(ClientConn* c, uint32_t ev) {
  if (ev & EPOLLOUT) {
    flush_client(c);
    if (c->closed) return;
  }
  if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) client_read(c);
}

void Engine::Impl::client_read(ClientConn* c) {
  // While a request is served, read ahead only up to a limit (pipelining).
  while (!c->closed) {
    if (c->in.size() >= kMaxBuffered && c->state != ClientState::kTunnel) break;
    c->in.reserve(pool, 4096);
    ssize_t n = read(c->fd, c->in.data + c->in.end, c->in.cap - c->in.end);
    if (n > 0) {
      c->in.end += static_cast<size_t>(n);
      client_lru.touch(&c->lru, now_ms);
      if (c->ex->active) c->ex->received += static_cast<uint64_t>(n);
      if (static_cast<size_t>(n) < 4096) break;
      continue;
    }
    if (n == 0) {
      c->eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) c->eof = true;
    break;
  }
  if (c->closed) return;
  if (c->eof) {
    if (c->state == ClientState::kTunnel) {
      if (c->up && !c->in.empty()) forward_request_body(c);
      if (c->up) close_upstream(c->up);
      close_client(c);
      return;
    }
    if (c->ex->active && !c->ex->req_done && c->ex->req_body != http::BodyKind::kNone) {
      // body cut short: forward what we have, then 460
      forward_request_body(c);
      if (c->closed) return;
    }
    if (c->ex->active) {
      // Client gave up before the response: 460 (logged; nothing to send).
      c->ex->elb_status = 460;
      c->ex->error_reason = "";
      ++m.elb_4xx;
      log_exchange(c);
      if (c->up) close_upstream(c->up);
      close_client(c);
      return;
    }
    if (c->state == ClientState::kHead && !c->in.empty()) {
      close_client(c);  // incomplete head then EOF: nothing to answer
      return;
    }
    if (c->in.empty()) {
      close_client(c);
      return;
    }
  }
  process_client(c);
  if (!c->closed && c->eof && !c->ex->active && c->out.empty()) close_client(c);
}

// Serves as many requests from the input buffer as the connection's state allows.
void Engine::Impl::process_client(ClientConn* c) {
  while (!c->closed) {
    if (c->state == ClientState::kTunnel) {
      if (!c->in.empty()) forward_request_body(c);
      return;
    }
    if (c->ex->active) {
      if (!c->ex->req_done && c->up) forward_request_body(c);
      return;
    }
    if (c->state == ClientState::kClosing) return;
    if (c->in.empty()) {
      c->state = ClientState::kIdle;
      c->in.release_if_empty(pool);
      update_client_events(c);
      return;
    }
    if (!start_request(c)) return;
  }
}

// Parses a head from the input; false when more bytes are needed or the connection closes.
bool Engine::Impl::start_request(ClientConn* c) {
  if (c->state == ClientState::kIdle) {
    c->state = ClientState::kHead;
    if (c->ex == &idle_ex) c->ex = acquire_exchange();
    c->ex->start_us = now_us;
    c->ex->creation_real_us = real_us();
  }
  size_t head_size = 0;
  http::ParseStatus st = c->parser.parse(c->in.view(), c->ex->req, head_size);
  if (st == http::ParseStatus::kIncomplete) {
    update_client_events(c);
    return false;
  }
  Exchange& ex = *c->ex;
  int64_t start_us = ex.start_us, creation = ex.creation_real_us;
  ex.reset();
  ex.active = true;
  ex.start_us = start_us;
  ex.creation_real_us = creation;
  c->state = ClientState::kExchange;
  ++m.requests;
  const auto& lcfg = listeners[c->listener].cfg;
  // Request line for the access log: METHOD scheme://host:port/uri HTTP/1.x
  auto set_request_line = [&](const http::Request& r) {
    ex.request_line.clear();
    ex.request_line.append(r.method);
    ex.request_line += " http://";
    std::string_view host = semantics::host_without_port(r.host);
    if (!host.empty()) ex.request_line.append(host);
    else ex.request_line += cfg.nodes[c->node].address.str();  // HTTP/1.0 without Host
    ex.request_line += ':';
    http::append_uint(ex.request_line, c->listener_port);
    if (!r.authority.empty()) {
      ex.request_line.append(r.path);
      if (!r.query.empty()) {
        ex.request_line += '?';
        ex.request_line.append(r.query);
      }
    } else {
      ex.request_line.append(r.target);
    }
    ex.request_line += r.version_minor == 0 ? " HTTP/1.0" : " HTTP/1.1";
  };
  (void)lcfg;
  if (st == http::ParseStatus::kError) {
    ex.desync = c->ex->req.desync;
    ex.desync_reason = c->ex->req.desync_reason;
    if (ex.desync != http::Desync::kCompliant) ++m.desync_non_compliant;
    ex.received = c->in.size();
    c->in.consume(c->in.size());
    respond_lb(c, c->ex->req.error_status ? c->ex->req.error_status : 400, false);
    return false;
  }
  const http::Request& r = c->ex->req;
  ex.received = head_size;
  ex.head_method = r.method == "HEAD";
  ex.client_http10 = r.version_minor == 0;
  ex.desync = r.desync;
  ex.desync_reason = r.desync_reason;
  ex.upgrade = r.upgrade;
  set_request_line(r);
  if (const http::Header* ua = r.find("user-agent")) ex.user_agent.assign(ua->value);
  bool keep_alive = r.keep_alive;

  // Desync mitigation (aws-alb.md section 4).
  if (ex.desync != http::Desync::kCompliant) {
    ++m.desync_non_compliant;
    const std::string& mode = cfg.attributes.desync_mitigation_mode;
    bool block = (mode == "strictest") || (mode == "defensive" && ex.desync == http::Desync::kSevere);
    if (block) {
      c->in.consume(c->in.size());
      respond_lb(c, 400, false);
      return false;
    }
    if (mode == "defensive" && ex.desync == http::Desync::kAmbiguous) {
      ex.close_after = true;
      ex.close_target = true;
    }
  }
  if (!keep_alive || shutting_down) ex.close_after = true;
  c->in.consume(head_size);
  c->parser.reset();
  ex.req_body = r.body;
  ex.req_remaining = r.body == http::BodyKind::kLength ? r.content_length : 0;
  ex.req_done = r.body == http::BodyKind::kNone;

  if (r.method == "TRACE") {
    ex.close_after = ex.close_after || !ex.req_done;
    respond_lb(c, 405, !ex.close_after);
    return !c->closed;
  }
  if (r.xff_addresses > 30 && cfg.attributes.xff_header_processing_mode != "remove") {
    ex.close_after = ex.close_after || !ex.req_done;
    respond_lb(c, 463, !ex.close_after);
    return !c->closed;
  }
  handle_request(c);
  return !c->closed;
}

void Engine::Impl::handle_request(ClientConn* c) {
  Exchange& ex = *c->ex;
  const http::Request& r = c->ex->req;
  const ListenerRt& l = listeners[c->listener];
  view.method = r.method;
  view.host = r.host;
  view.path = r.path;
  view.query = r.query;
  view.source_ip = c->peer;
  view.headers.clear();
  if (l.needs_headers)
    for (const auto& h : r.headers) view.headers.emplace_back(h.name, h.value);
  const va::ListenerRule& rule = semantics::select_rule(l.cfg.rules, l.cfg.default_rule, view);
  ex.rule_priority = rule.priority;
  const va::Action& action = rule.actions.back();  // the terminal action
  bool keep = !ex.close_after;
  // Answers that do not read the body close the connection if a body is still coming.
  auto lb_answer_keep = [&]() { return keep && ex.req_done; };
  switch (action.type) {
    case va::ActionType::kFixedResponse: {
      ex.action = "fixed-response";
      ++m.fixed_responses;
      const auto& f = action.fixed_response;
      if (!ex.req_done) ex.close_after = true;
      respond_lb(c, f.status_code, lb_answer_keep(), f.content_type, f.body, {}, false);
      return;
    }
    case va::ActionType::kRedirect: {
      ex.action = "redirect";
      ++m.redirects;
      const auto& rc = action.redirect;
      std::string_view host = semantics::host_without_port(r.host);
      std::string port = std::to_string(c->listener_port);
      std::string path_no_slash(r.path.size() > 0 && r.path[0] == '/' ? r.path.substr(1) : r.path);
      auto subst = [&](const std::string& tmpl) {
        std::string out;
        for (size_t i = 0; i < tmpl.size();) {
          if (tmpl.compare(i, 2, "#{") == 0) {
            size_t close = tmpl.find('}', i);
            if (close != std::string::npos) {
              std::string_view name(tmpl.data() + i + 2, close - i - 2);
              if (name == "protocol") out += "http";
              else if (name == "host") out.append(host);
              else if (name == "port") out += port;
              else if (name == "path") out += path_no_slash;
              else if (name == "query") out.append(r.query);
              else out.append(tmpl, i, close - i + 1);
              i = close + 1;
              continue;
            }
          }
          out += tmpl[i++];
        }
        return out;
      };
      std::string proto = subst(rc.protocol);
      for (auto& ch : proto) ch = lower(ch);
      std::string rhost = subst(rc.host), rport = subst(rc.port), rpath = subst(rc.path), rquery = subst(rc.query);
      std::string url = proto + "://" + rhost;
      if (!((proto == "http" && rport == "80") || (proto == "https" && rport == "443")) && !rport.empty())
        url += ":" + rport;
      if (rpath.empty() || rpath[0] != '/') rpath.insert(rpath.begin(), '/');
      url += rpath;
      if (!rquery.empty()) url += "?" + rquery;
      ex.redirect_url = url;
      if (!ex.req_done) ex.close_after = true;
      std::string extra = "Location: " + url + "\r\n";
      respond_lb(c, rc.status_code, lb_answer_keep(), "text/html", {}, extra, true);
      return;
    }
    case va::ActionType::kForward:
      break;
    default:
      ex.action = "-";
      respond_lb(c, 500, false);
      return;
  }
  ex.action = "forward";
  // Target group: weighted choice, sticky via AWSALBTG when enabled.
  TgRt* tg = nullptr;
  const http::Header* cookie_header = nullptr;
  for (const auto& h : r.headers)
    if (h.name.size() == 6 && http::iequals(h.name, "cookie")) {
      cookie_header = &h;
      break;
    }
  if (action.target_groups.size() == 1) {
    tg = find_tg(action.target_groups[0].target_group_arn);
  } else {
    if (action.group_stickiness && cookie_header) {
      std::string_view v = find_cookie(cookie_header->value, "AWSALBTG");
      if (v.size() == 16) {
        uint64_t x = std::strtoull(std::string(v).c_str(), nullptr, 16) ^ cookie_key;
        if ((x >> 32) == 0x7467u) {
          uint32_t idx = static_cast<uint32_t>(x);
          for (const auto& g : action.target_groups)
            if (TgRt* cand = find_tg(g.target_group_arn); cand && cand->index == idx && g.weight > 0) tg = cand;
        }
      }
    }
    if (!tg) {
      int64_t total = 0;
      for (const auto& g : action.target_groups) total += g.weight;
      if (total > 0) {
        int64_t pick = static_cast<int64_t>(rng.next() % static_cast<uint64_t>(total));
        for (const auto& g : action.target_groups) {
          if (pick < g.weight) {
            tg = find_tg(g.target_group_arn);
            break;
          }
          pick -= g.weight;
        }
      } else {
        tg = find_tg(action.target_groups[0].target_group_arn);
      }
    }
    if (action.group_stickiness && tg) {
      ex.set_tg_cookie = tg;
      ex.tg_cookie_seconds = action.group_stickiness_seconds;
    }
  }
  if (!tg) {
    respond_lb(c, 500, false);
    return;
  }
  ex.tg = tg;
  ++tg->m.requests;
  bool non_sticky = false;
  TargetRt* t = choose_target(c, tg, non_sticky);
  if (!t) {
    // No registered target (or none routable yet): 503.
    if (!ex.req_done) ex.close_after = true;
    respond_lb(c, 503, lb_answer_keep());
    return;
  }
  if (non_sticky) {
    ++m.non_sticky;
    ++tg->m.non_sticky;
  }
  dispatch(c, t);
}

void Engine::Impl::respond_lb(ClientConn* c, int status, bool keep_alive, std::string_view content_type,
                              std::string_view body, std::string_view extra, bool use_error_body) {
  Exchange& ex = *c->ex;
  ex.active = true;
  ex.elb_status = status;
  if (!keep_alive) ex.close_after = true;
  if (status >= 500) {
    ++m.elb_5xx;
    if (status == 502) ++m.elb_502;
    if (status == 503) ++m.elb_503;
    if (status == 504) ++m.elb_504;
    if (status == 500) ++m.elb_500;
  } else if (status >= 400) {
    ++m.elb_4xx;
  } else if (status >= 300) {
    ++m.elb_3xx;
  }
  std::string body_buf;
  if (use_error_body && body.empty()) {
    body_buf = http::alb_error_body(status);
    body = body_buf;
  }
  scratch.clear();
  http::append_lb_response(scratch, status, content_type, body, !ex.close_after, ex.head_method, date, extra);
  ex.sent += scratch.size();
  client_write(c, scratch.data(), scratch.size());
  if (c->closed) return;
  finish_exchange(c);
}

// The response is complete: log, then serve the next request or close.
void Engine::Impl::finish_exchange(ClientConn* c) {
  Exchange& ex = *c->ex;
  log_exchange(c);
  bool close_after = ex.close_after || !ex.req_done;
  release_exchange(c);
  c->parser.reset();
  if (close_after || shutting_down) {
    c->state = ClientState::kClosing;
    c->in.consume(c->in.size());
    if (c->out.empty()) {
      close_client(c);
    } else {
      shutdown(c->fd, SHUT_RD);
      update_client_events(c);
    }
    return;
  }
  c->state = ClientState::kIdle;
  if (!c->in.empty()) {
    ready_clients.push_back(c);  // pipelined request: serve it after this event
  } else {
    c->in.release_if_empty(pool);
    c->out.release_if_empty(pool);
  }
  update_client_events(c);
}

void Engine::Impl::log_exchange(ClientConn* c) {
  Exchange& ex = *c->ex;
  if (ex.elb_status == 0) return;
  if (ex.tg && ex.target_status > 0) {
    int cls = ex.target_status / 100;
    uint64_t* bucket[] = {nullptr, nullptr, &m.target_2xx, &m.target_3xx, &m.target_4xx, &m.target_5xx};
    uint64_t* tbucket[] = {nullptr, nullptr, &ex.tg->m.target_2xx, &ex.tg->m.target_3xx, &ex.tg->m.target_4xx,
                           &ex.tg->m.target_5xx};
    if (cls >= 2 && cls <= 5) {
      ++*bucket[cls];
      ++*tbucket[cls];
    }
  }
  m.processed_bytes += ex.received + ex.sent;
  if (log_fd < 0) return;
  AccessLogEntry e;
  e.time_us = real_us();
  e.request_creation_us = ex.creation_real_us ? ex.creation_real_us : e.time_us;
  std::string elb = cfg.elb_name();
  e.elb = elb;
  e.client_ip = c->peer_ip;
  e.client_port = c->peer_port;
  if (ex.target && ex.dispatch_us) {
    e.target_ip = ex.target->ip;
    e.target_port = ex.target->port;
  }
  if (ex.dispatch_us) {
    e.request_processing_s = static_cast<double>(ex.dispatch_us - ex.start_us) / 1e6;
    if (ex.response_us) {
      e.target_processing_s = static_cast<double>(ex.response_us - ex.dispatch_us) / 1e6;
      e.response_processing_s = static_cast<double>(std::max<int64_t>(0, now_us - ex.response_us)) / 1e6 * 0;
    }
  } else if (std::strcmp(ex.action, "fixed-response") == 0 || std::strcmp(ex.action, "redirect") == 0) {
    // answered by the load balancer itself (fixed-response, redirect)
    e.request_processing_s = static_cast<double>(now_us - ex.start_us) / 1e6;
    e.target_processing_s = 0;
    e.response_processing_s = 0;
  }
  e.elb_status = ex.elb_status;
  e.target_status = ex.target_status;
  e.received_bytes = ex.received;
  e.sent_bytes = ex.sent;
  e.request_line = ex.request_line;
  e.user_agent = ex.user_agent;
  if (ex.tg && ex.dispatch_us) e.target_group_arn = ex.tg->cfg.arn;
  e.trace_id = ex.trace_id;
  e.matched_rule_priority = ex.rule_priority;
  e.actions_executed = ex.action;
  e.redirect_url = ex.redirect_url;
  e.error_reason = ex.error_reason;
  if (ex.desync != http::Desync::kCompliant) {
    e.classification = http::desync_name(ex.desync);
    e.classification_reason = http::desync_reason_name(ex.desync_reason);
  }
  append_access_log_line(log_buf, e);
  if (log_buf.size() > 64 * 1024) flush_log();
}

void Engine::Impl::client_write(ClientConn* c, const char* a, size_t an, const char* b, size_t bn) {
  if (c->closed) return;
  if (!c->out.empty()) {
    c->out.append(pool, a, an);
    if (bn) c->out.append(pool, b, bn);
    flush_client(c);
    return;
  }
  iovec iov[2] = {{const_cast<char*>(a), an}, {const_cast<char*>(b), bn}};
  int cnt = bn ? 2 : 1;
  ssize_t w;
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = static_cast<size_t>(cnt);
  do {
    w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);  // no SIGPIPE when the client is gone
  } while (w < 0 && errno == EINTR);
  size_t done = w > 0 ? static_cast<size_t>(w) : 0;
  if (w < 0 && errno != EAGAIN) {
    // Client gone: the rest of the exchange is moot.
    c->eof = true;
    return;
  }
  if (done > 0) client_lru.touch(&c->lru, now_ms);
  if (done < an) {
    c->out.append(pool, a + done, an - done);
    if (bn) c->out.append(pool, b, bn);
  } else if (done < an + bn) {
    c->out.append(pool, b + (done - an), an + bn - done);
  }
  if (!c->out.empty()) update_client_events(c);
}

void Engine::Impl::flush_client(ClientConn* c) {
  ssize_t sent = c->out.send_to(c->fd);
  if (sent < 0) {  // the client is gone
    if (c->up) close_upstream(c->up);
    close_client(c);
    return;
  }
  if (sent > 0) client_lru.touch(&c->lru, now_ms);
  if (c->out.empty()) {
    c->out.release_if_empty(pool);
    if (c->state == ClientState::kClosing) {
      close_client(c);
      return;
    }
    // Backpressure released: resume reading the target.
    if (c->up && c->up->read_paused) update_upstream_events(c->up);
  }
  update_client_events(c);
}

void Engine::Impl::update_client_events(ClientConn* c) {
  if (c->closed) return;
  uint32_t ev = EPOLLRDHUP;
  bool want_read = c->state != ClientState::kClosing && c->in.size() < kMaxBuffered;
  if (c->up && c->up->out.size() >= kMaxBuffered) want_read = false;  // target not keeping up
  if (want_read) ev |= EPOLLIN;
  if (!c->out.empty()) ev |= EPOLLOUT;
  c->read_paused = !want_read;
  set_events(c, ev);
}

void Engine::Impl::close_client(ClientConn* c) {
  if (c->closed) return;
  if (c->up) {
    UpstreamConn* u = c->up;
    c->up = nullptr;
    u->client = nullptr;
    close_upstream(u);
  }
  client_lru.unlink(&c->lru);
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  c->in.release(pool);
  c->out.release(pool);
  --clients;
  bury(c);
}

void Engine::Impl::client_timeout(ClientConn* c) {
  switch (c->state) {
    case ClientState::kIdle:
      close_client(c);  // idle keep-alive connection: closed silently
      return;
    case ClientState::kHead:
      // Part of a request and then nothing within the idle timeout: 408.
      c->ex->active = true;
      c->ex->start_us = c->ex->start_us ? c->ex->start_us : now_us;
      c->ex->received = c->in.size();
      c->in.consume(c->in.size());
      respond_lb(c, 408, false);
      return;
    case ClientState::kExchange:
      if (c->up) {
        client_lru.touch(&c->lru, now_ms);  // the target side's timer decides (504)
        return;
      }
      if (!c->ex->req_done) {
        respond_lb(c, 408, false);
        return;
      }
      client_lru.touch(&c->lru, now_ms);
      return;
    case ClientState::kTunnel:
    case ClientState::kClosing:
      close_client(c);
      return;
  }
}

// ---------------------------------------------------------------------------
// 4. Target side

TgRt* Engine::Impl::find_tg(std::string_view ref) {
  for (auto& tg : tgs)
    if (tg->cfg.arn == ref || tg->cfg.name == ref) return tg.get();
  return nullptr;
}

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
  // Stickiness.
  if (tg->stickiness) {
    const char* name = tg->app_cookie ? "AWSALBAPP-0" : "AWSALB";
    std::string_view v;
    for (const auto& h : c->ex->req.headers)
      if (h.name.size() == 6 && http::iequals(h.name, "cookie")) {
        v = find_cookie(h.value, name);
        if (v.empty() && !tg->app_cookie) v = find_cookie(h.value, "AWSALBCORS");
        if (!v.empty()) break;
      }
    if (v.size() == 16) {
      uint64_t x = std::strtoull(std::string(v).c_str(), nullptr, 16) ^ cookie_key;
      uint32_t tgi = static_cast<uint32_t>(x >> 32);
      uint32_t uid = static_cast<uint32_t>(x);
      if (tgi == tg->index + 0x10000u && uid < targets_by_uid.size()) {
        TargetRt* t = targets_by_uid[uid];
        if (t->tg == tg && eligible(t, node, fail_open)) {
          if (!tg->app_cookie) ex.set_lb_cookie = t;
          return t;
        }
      }
    }
    non_sticky = true;
  }
  TargetRt* best = nullptr;
  switch (tg->algorithm) {
    case Algorithm::kRoundRobin: {
      // Smooth weighted round robin; weights are 1000 except in slow start.
      int64_t total = 0;
      for (auto& tp : tg->targets) {
        TargetRt* t = tp.get();
        if (!eligible(t, node, fail_open)) continue;
        int64_t w = slow_start_weight(t, node);
        NodeTarget& nt = t->nodes[node];
        nt.swrr_current += w;
        total += w;
        if (!best || nt.swrr_current > best->nodes[node].swrr_current) best = t;
      }
      if (best) best->nodes[node].swrr_current -= total;
      break;
    }
    case Algorithm::kLeastOutstanding: {
      size_t n = tg->targets.size();
      uint64_t start = tg->rr[node]++;
      for (size_t i = 0; i < n; ++i) {
        TargetRt* t = tg->targets[(start + i) % n].get();
        if (!eligible(t, node, fail_open)) continue;
        if (!best || t->nodes[node].outstanding < best->nodes[node].outstanding) best = t;
      }
      break;
    }
    case Algorithm::kWeightedRandom: {
      int64_t total = 0;
      for (auto& tp : tg->targets)
        if (eligible(tp.get(), node, fail_open)) total += slow_start_weight(tp.get(), node);
      if (total > 0) {
        int64_t pick = static_cast<int64_t>(rng.next() % static_cast<uint64_t>(total));
        for (auto& tp : tg->targets) {
          if (!eligible(tp.get(), node, fail_open)) continue;
          int64_t w = slow_start_weight(tp.get(), node);
          if (pick < w) {
            best = tp.get();
            break;
          }
          pick -= w;
        }
      }
      break;
    }
  }
  if (best && tg->stickiness && !tg->app_cookie) ex.set_lb_cookie = best;
  return best;
}

UpstreamConn* Engine::Impl::connect_target(ClientConn* c, TargetRt* t) {
  int fd = new_socket(c->node);
  if (fd < 0) return nullptr;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Leave from the node's own address (bind before connect), port chosen at connect.
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in src = make_sockaddr(cfg.nodes[c->node].address, 0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) < 0) {
    close(fd);
    return nullptr;
  }
  sockaddr_in dst = make_sockaddr(t->cfg.address, t->port);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  if (rc < 0 && errno != EINPROGRESS) {
    close(fd);
    return nullptr;
  }
  auto* u = new UpstreamConn();
  u->fd = fd;
  u->target = t;
  u->node = c->node;
  u->state = UpState::kConnecting;
  ++upstreams;
  connecting_lru.touch(&u->lru, now_ms);
  set_events(u, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
  return u;
}

void Engine::Impl::build_upstream_head(ClientConn* c, TargetRt* t) {
  Exchange& ex = *c->ex;
  const http::Request& r = c->ex->req;
  const auto& a = cfg.attributes;
  std::string& h = ex.upstream_head;
  h.clear();
  h.append(r.method);
  h += ' ';
  if (!r.authority.empty()) {
    h.append(r.path);
    if (!r.query.empty()) {
      h += '?';
      h.append(r.query);
    }
  } else {
    h.append(r.target);
  }
  h += " HTTP/1.1\r\n";
  // Host
  h += "Host: ";
  if (a.preserve_host_header && !r.host.empty()) {
    h.append(r.host);
  } else {
    std::string_view host = semantics::host_without_port(r.host);
    if (host.empty()) {
      h += t->ip;
    } else {
      for (char ch : host) h += lower(ch);
    }
    if (c->listener_port != 80) {
      h += ':';
      http::append_uint(h, c->listener_port);
    }
  }
  h += "\r\n";
  std::string_view trace_in;
  size_t xff_start = std::string::npos;
  bool xff_any = false;
  std::string xff;
  for (const auto& hd : r.headers) {
    std::string_view n = hd.name;
    switch (lower(n[0])) {
      case 'c':
        if (http::iequals(n, "connection")) continue;
        if (http::iequals(n, "content-length") && ex.req_body == http::BodyKind::kChunked) continue;
        break;
      case 'e':
        if (http::iequals(n, "expect") && r.expect_continue) continue;
        break;
      case 'h':
        if (http::iequals(n, "host")) continue;
        break;
      case 'k':
        if (http::iequals(n, "keep-alive")) continue;
        break;
      case 'p':
        if (http::iequals(n, "proxy-connection")) continue;
        break;
      case 't':
        if (http::iequals(n, "transfer-encoding")) continue;  // re-added below when chunked
        break;
      case 'u':
        if (http::iequals(n, "upgrade") && !r.upgrade) continue;
        break;
      case 'x':
        if (n.size() == 15 && http::iequals(n, "x-forwarded-for")) {
          if (a.xff_header_processing_mode == "preserve") break;
          if (a.xff_header_processing_mode == "append") {
            if (xff_any) xff += ", ";
            xff.append(hd.value);
            xff_any = true;
          }
          continue;
        }
        if (http::iequals(n, "x-forwarded-proto") || http::iequals(n, "x-forwarded-port")) continue;
        if (http::iequals(n, "x-amzn-trace-id")) {
          trace_in = hd.value;
          continue;
        }
        break;
      default:
        break;
    }
    if (a.drop_invalid_header_fields && !valid_header_name(n)) continue;
    h.append(n);
    h += ": ";
    h.append(hd.value);
    h += "\r\n";
  }
  (void)xff_start;
  if (a.xff_header_processing_mode == "append") {
    h += "X-Forwarded-For: ";
    if (xff_any) {
      h += xff;
      h += ", ";
    }
    h += c->peer_ip;
    if (a.xff_client_port) {
      h += ':';
      http::append_uint(h, c->peer_port);
    }
    h += "\r\n";
  }
  h += "X-Forwarded-Proto: http\r\nX-Forwarded-Port: ";
  http::append_uint(h, c->listener_port);
  h += "\r\n";
  // X-Amzn-Trace-Id: Root=1-<8 hex epoch>-<24 hex>; Self= when a Root came in.
  bool has_root = trace_in.find("Root=") != std::string_view::npos;
  std::string& tid = ex.trace_id;
  tid.clear();
  tid += has_root ? "Self=1-" : "Root=1-";
  http::append_hex(tid, static_cast<uint64_t>(now_real_sec()), 8);
  tid += '-';
  http::append_hex(tid, rng.next(), 16);
  http::append_hex(tid, rng.next(), 8);
  if (has_root) {
    // drop an older Self, keep Root and custom fields
    size_t pos = 0;
    while (pos <= trace_in.size()) {
      size_t semi = trace_in.find(';', pos);
      if (semi == std::string_view::npos) semi = trace_in.size();
      std::string_view field = trace_in.substr(pos, semi - pos);
      while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
      if (!field.empty() && field.substr(0, 5) != "Self=") {
        tid += ';';
        tid.append(field);
      }
      pos = semi + 1;
    }
  } else if (!trace_in.empty()) {
    tid += ';';
    tid.append(trace_in);
  }
  h += "X-Amzn-Trace-Id: ";
  h += ex.trace_id;
  h += "\r\n";
  if (ex.req_body == http::BodyKind::kChunked) h += "Transfer-Encoding: chunked\r\n";
  if (r.upgrade) h += "Connection: Upgrade\r\n";
  else if (ex.close_target) h += "Connection: close\r\n";
  h += "\r\n";
}

void Engine::Impl::dispatch(ClientConn* c, TargetRt* t) {
  Exchange& ex = *c->ex;
  const http::Request& r = c->ex->req;
  ex.target = t;
  ++t->requests;
  build_upstream_head(c, t);
  // Expect: 100-continue is answered by the load balancer itself.
  if (r.expect_continue && !ex.req_done) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    client_write(c, kContinue, sizeof kContinue - 1);
    ex.sent += sizeof kContinue - 1;
  }
  NodeTarget& nt = t->nodes[c->node];
  UpstreamConn* u = nullptr;
  while (!nt.idle.empty()) {
    u = nt.idle.back();
    nt.idle.pop_back();
    if (!u->closed) break;
    u = nullptr;
  }
  if (u) {
    u->state = UpState::kBusy;
    u->reused = true;
  } else {
    u = connect_target(c, t);
    if (!u) {
      ++m.target_connection_errors;
      ++t->tg->m.connection_errors;
      fail_exchange(c, 502, "");
      return;
    }
    u->reused = false;
  }
  u->client = c;
  u->bytes_in = 0;
  u->parser.reset();
  c->up = u;
  ++nt.outstanding;
  ex.dispatch_us = now_us;
  if (u->state == UpState::kBusy) {
    upstream_lru.touch(&u->lru, now_ms);
    u->out.append(pool, ex.upstream_head.data(), ex.upstream_head.size());
    forward_request_body(c);
    if (!u->closed) upstream_flush(u);
  } else {
    u->out.append(pool, ex.upstream_head.data(), ex.upstream_head.size());
    forward_request_body(c);
  }
}

// Moves request body bytes (or tunnel bytes) from the client's input to the target.
void Engine::Impl::forward_request_body(ClientConn* c) {
  UpstreamConn* u = c->up;
  if (!u) return;
  Exchange& ex = *c->ex;
  if (c->state == ClientState::kTunnel) {
    if (!c->in.empty()) {
      u->out.append(pool, c->in.data + c->in.start, c->in.size());
      c->in.consume(c->in.size());
    }
  } else if (!ex.req_done && !c->in.empty()) {
    std::string_view avail = c->in.view();
    size_t take = 0;
    if (ex.req_body == http::BodyKind::kLength) {
      take = static_cast<size_t>(std::min<uint64_t>(avail.size(), ex.req_remaining));
      ex.req_remaining -= take;
      if (ex.req_remaining == 0) ex.req_done = true;
    } else if (ex.req_body == http::BodyKind::kChunked) {
      auto res = ex.req_chunked.feed(avail, take);
      if (res == http::ChunkedDecoder::Result::kError) {
        // Bad chunk framing from the client: 400 and close both.
        c->in.consume(c->in.size());
        ex.close_after = true;
        close_upstream(u);
        respond_lb(c, 400, false);
        return;
      }
      if (res == http::ChunkedDecoder::Result::kDone) ex.req_done = true;
    }
    if (take) {
      u->out.append(pool, avail.data(), take);
      c->in.consume(take);
    }
  }
  if (u->state != UpState::kConnecting) upstream_flush(u);
  if (!c->closed) update_client_events(c);
}

void Engine::Impl::upstream_flush(UpstreamConn* u) {
  ssize_t sent = u->out.send_to(u->fd);
  if (sent < 0) {
    upstream_eof(u, true);
    return;
  }
  if (sent > 0) upstream_lru.touch(&u->lru, now_ms);
  if (u->out.empty()) {
    u->out.release_if_empty(pool);
    if (u->client && u->client->read_paused) update_client_events(u->client);
  }
  update_upstream_events(u);
}

void Engine::Impl::update_upstream_events(UpstreamConn* u) {
  if (u->closed) return;
  uint32_t ev = EPOLLRDHUP;
  if (u->state == UpState::kConnecting) {
    ev |= EPOLLOUT | EPOLLIN;
  } else {
    bool want_read = !(u->client && u->client->out.size() >= kMaxBuffered);
    if (want_read) ev |= EPOLLIN;
    u->read_paused = !want_read;
    if (!u->out.empty()) ev |= EPOLLOUT;
  }
  set_events(u, ev);
}

void Engine::Impl::on_upstream(UpstreamConn* u, uint32_t ev) {
  if (u->state == UpState::kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
      ++m.target_connection_errors;
      if (u->target) ++u->target->tg->m.connection_errors;
      upstream_eof(u, true);
      return;
    }
    if (!(ev & EPOLLOUT) && !(ev & EPOLLIN)) return;
    connecting_lru.unlink(&u->lru);
    u->state = UpState::kBusy;
    upstream_lru.touch(&u->lru, now_ms);
    if (!u->client) {  // client left while connecting
      close_upstream(u);
      return;
    }
    upstream_flush(u);
    if (u->closed) return;
  } else if (ev & EPOLLOUT) {
    upstream_flush(u);
    if (u->closed) return;
  }
  if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) upstream_read(u);
}

void Engine::Impl::upstream_read(UpstreamConn* u) {
  bool eof = false, error = false;
  while (true) {
    if (u->client && u->client->out.size() >= kMaxBuffered) break;
    u->in.reserve(pool, 4096);
    ssize_t n = read(u->fd, u->in.data + u->in.end, u->in.cap - u->in.end);
    if (n > 0) {
      u->in.end += static_cast<size_t>(n);
      u->bytes_in += static_cast<uint64_t>(n);
      upstream_lru.touch(&u->lru, now_ms);
      if (u->state == UpState::kIdle) {
        // Bytes on an idle pooled connection: not HTTP we expect. Drop it.
        close_upstream(u);
        return;
      }
      if (u->in.size() >= 64 * 1024) break;
      if (static_cast<size_t>(n) < 4096) break;
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      eof = true;
      error = true;
    }
    break;
  }
  if (u->state == UpState::kIdle) {
    if (eof) close_upstream(u);  // the target closed a pooled connection
    return;
  }
  if (!u->in.empty() && u->client) relay_response(u);
  if (u->closed) return;
  if (eof) upstream_eof(u, error);
}

void Engine::Impl::build_response_head(ClientConn* c, UpstreamConn* u) {
  Exchange& ex = *c->ex;
  const http::Response& r = u->resp;
  std::string& h = scratch;
  h.clear();
  h += ex.client_http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  http::append_uint(h, static_cast<uint64_t>(r.status));
  h += ' ';
  if (r.reason.empty()) h += http::reason_phrase(r.status);
  else h.append(r.reason);
  h += "\r\n";
  bool app_cookie_seen = false;
  TgRt* tg = ex.tg;
  for (const auto& hd : r.headers) {
    std::string_view n = hd.name;
    switch (lower(n[0])) {
      case 'c':
        if (http::iequals(n, "connection")) continue;
        break;
      case 'k':
        if (http::iequals(n, "keep-alive")) continue;
        break;
      case 't':
        if (ex.dechunk && http::iequals(n, "transfer-encoding")) continue;
        break;
      case 's':
        if (tg && tg->stickiness && tg->app_cookie && n.size() == 10 && http::iequals(n, "set-cookie")) {
          std::string_view v = hd.value;
          const std::string& name = tg->cfg.attributes.app_cookie_name;
          if (v.size() > name.size() && v.substr(0, name.size()) == name && v[name.size()] == '=')
            app_cookie_seen = true;
        }
        break;
      default:
        break;
    }
    h.append(n);
    h += ": ";
    h.append(hd.value);
    h += "\r\n";
  }
  auto cookie_value = [&](uint64_t payload) {
    std::string v;
    http::append_hex(v, payload ^ cookie_key, 16);
    return v;
  };
  auto expires = [&](int seconds) { return http::http_date(static_cast<std::time_t>(real_us() / 1000000 + seconds)); };
  if (ex.set_lb_cookie && tg) {
    std::string v = cookie_value((uint64_t{tg->index + 0x10000u} << 32) | ex.set_lb_cookie->uid);
    std::string exp = expires(tg->cfg.attributes.lb_cookie_duration_seconds);
    h += "Set-Cookie: AWSALB=" + v + "; Expires=" + exp + "; Path=/\r\n";
    h += "Set-Cookie: AWSALBCORS=" + v + "; Expires=" + exp + "; Path=/; SameSite=None; Secure\r\n";
  }
  if (app_cookie_seen && ex.target) {
    std::string v = cookie_value((uint64_t{tg->index + 0x10000u} << 32) | ex.target->uid);
    h += "Set-Cookie: AWSALBAPP-0=" + v + "; Expires=" + expires(tg->cfg.attributes.app_cookie_duration_seconds) +
         "; Path=/\r\n";
  }
  if (ex.set_tg_cookie) {
    std::string v = cookie_value((uint64_t{0x7467u} << 32) | ex.set_tg_cookie->index);
    std::string exp = expires(ex.tg_cookie_seconds);
    h += "Set-Cookie: AWSALBTG=" + v + "; Expires=" + exp + "; Path=/\r\n";
    h += "Set-Cookie: AWSALBTGCORS=" + v + "; Expires=" + exp + "; Path=/; SameSite=None; Secure\r\n";
  }
  if (r.status == 101) {
    h += "Connection: Upgrade\r\n";
  } else if (ex.close_after) {
    h += "Connection: close\r\n";
  } else if (ex.client_http10) {
    h += "Connection: keep-alive\r\n";
  }
  h += "\r\n";
}

void Engine::Impl::relay_response(UpstreamConn* u) {
  ClientConn* c = u->client;
  Exchange& ex = *c->ex;
  while (!u->in.empty() && !u->closed && !c->closed) {
    if (c->state == ClientState::kTunnel) {
      ex.sent += u->in.size();
      client_write(c, u->in.data + u->in.start, u->in.size());
      u->in.consume(u->in.size());
      return;
    }
    if (!ex.resp_head_done) {
      size_t head_size = 0;
      auto st = u->parser.parse(u->in.view(), ex.head_method, u->resp, head_size);
      if (st == http::ParseStatus::kIncomplete) return;
      if (st == http::ParseStatus::kError) {
        // Malformed response or headers over 32 KiB: 502.
        close_upstream(u);
        fail_exchange(c, 502, "");
        return;
      }
      if (ex.response_us == 0) ex.response_us = now_us;
      int status = u->resp.status;
      if (status >= 100 && status < 200 && status != 101) {
        u->in.consume(head_size);  // 1xx: not forwarded (100-continue was answered already)
        u->parser.reset();
        continue;
      }
      if (status == 101 && !ex.upgrade) {
        close_upstream(u);
        fail_exchange(c, 502, "");
        return;
      }
      ex.target_status = status;
      ex.elb_status = status;
      ex.resp_head_done = true;
      ex.resp_body = u->resp.body;
      ex.resp_remaining = u->resp.content_length;
      if (!u->resp.keep_alive) ex.close_target = true;
      if (ex.resp_body == http::BodyKind::kUntilClose) {
        ex.close_after = ex.close_after || ex.client_http10 || true;
      }
      if (ex.resp_body == http::BodyKind::kChunked && ex.client_http10) {
        ex.dechunk = true;
        ex.close_after = true;
      }
      if (ex.tg) {
        double secs = static_cast<double>(ex.response_us - ex.dispatch_us) / 1e6;
        m.target_response_time_sum += secs;
        ++m.target_response_time_count;
        ex.tg->m.response_time_sum += secs;
        ++ex.tg->m.response_time_count;
      }
      build_response_head(c, u);
      u->in.consume(head_size);
      if (status == 101) {
        // WebSocket: from now on bytes flow both ways untouched.
        c->state = ClientState::kTunnel;
        ex.sent += scratch.size();
        client_write(c, scratch.data(), scratch.size());
        if (c->closed) return;
        if (!c->in.empty()) forward_request_body(c);
        continue;
      }
      // Head and as much body as is here, in one writev.
      std::string_view avail = u->in.view();
      size_t take = 0;
      std::string* payload = nullptr;
      std::string decoded;
      bool body_done = false;
      switch (ex.resp_body) {
        case http::BodyKind::kNone: body_done = true; break;
        case http::BodyKind::kLength:
          take = static_cast<size_t>(std::min<uint64_t>(avail.size(), ex.resp_remaining));
          ex.resp_remaining -= take;
          body_done = ex.resp_remaining == 0;
          break;
        case http::BodyKind::kChunked: {
          if (ex.dechunk) payload = &decoded;
          auto res = ex.resp_chunked.feed(avail, take, payload);
          if (res == http::ChunkedDecoder::Result::kError) {
            ex.close_target = true;
            ex.close_after = true;
            body_done = true;
            take = 0;
          }
          body_done = body_done || res == http::ChunkedDecoder::Result::kDone;
          break;
        }
        case http::BodyKind::kUntilClose: take = avail.size(); break;
      }
      const char* bp = payload ? decoded.data() : avail.data();
      size_t bn = payload ? decoded.size() : take;
      ex.sent += scratch.size() + bn;
      client_write(c, scratch.data(), scratch.size(), bp, bn);
      u->in.consume(take);
      if (c->closed) return;
      if (body_done) {
        c->up = nullptr;
        u->client = nullptr;
        bool reusable = !ex.close_target && ex.req_done && u->in.empty();
        release_upstream(u, reusable);
        finish_exchange(c);
        return;
      }
      continue;
    }
    // Body
    std::string_view avail = u->in.view();
    size_t take = 0;
    bool body_done = false;
    std::string decoded;
    std::string* payload = ex.dechunk ? &decoded : nullptr;
    switch (ex.resp_body) {
      case http::BodyKind::kLength:
        take = static_cast<size_t>(std::min<uint64_t>(avail.size(), ex.resp_remaining));
        ex.resp_remaining -= take;
        body_done = ex.resp_remaining == 0;
        break;
      case http::BodyKind::kChunked: {
        auto res = ex.resp_chunked.feed(avail, take, payload);
        if (res == http::ChunkedDecoder::Result::kError) {
          // Bad framing mid-body: nothing sane to send; cut the client.
          close_upstream(u);
          close_client(c);
          return;
        }
        body_done = res == http::ChunkedDecoder::Result::kDone;
        break;
      }
      case http::BodyKind::kUntilClose: take = avail.size(); break;
      case http::BodyKind::kNone: body_done = true; break;
    }
    const char* bp = payload ? decoded.data() : avail.data();
    size_t bn = payload ? decoded.size() : take;
    ex.sent += bn;
    if (bn) client_write(c, bp, bn);
    u->in.consume(take);
    if (c->closed) return;
    if (body_done) {
      c->up = nullptr;
      u->client = nullptr;
      bool reusable = !ex.close_target && ex.req_done && u->in.empty();
      release_upstream(u, reusable);
      finish_exchange(c);
      return;
    }
    if (take == 0) return;
  }
  if (!u->closed && c && !c->closed) update_upstream_events(u);
}

// The target closed (or reset) the connection.
void Engine::Impl::upstream_eof(UpstreamConn* u, bool error) {
  ClientConn* c = u->client;
  if (!c) {
    close_upstream(u);
    return;
  }
  Exchange& ex = *c->ex;
  if (c->state == ClientState::kTunnel) {
    close_upstream(u);
    if (c->out.empty()) close_client(c);
    else c->state = ClientState::kClosing;
    return;
  }
  if (!ex.resp_head_done) {
    bool stale = u->reused && u->bytes_in == 0 && !ex.retried && ex.req_body == http::BodyKind::kNone;
    TargetRt* t = u->target;
    close_upstream(u);
    if (stale && t) {
      // A pooled connection the target had just closed: retry once on a new one.
      ex.retried = true;
      UpstreamConn* nu = connect_target(c, t);
      if (nu) {
        nu->client = c;
        c->up = nu;
        ++t->nodes[c->node].outstanding;
        nu->out.append(pool, ex.upstream_head.data(), ex.upstream_head.size());
        return;
      }
    }
    (void)error;
    fail_exchange(c, 502, "");
    return;
  }
  if (ex.resp_body == http::BodyKind::kUntilClose) {
    c->up = nullptr;
    u->client = nullptr;
    close_upstream(u);
    ex.close_after = true;
    finish_exchange(c);
    return;
  }
  // Response cut short (Content-Length larger than the body, or chunks unfinished).
  close_upstream(u);
  if (c->out.empty()) {
    log_exchange(c);
    ex.elb_status = 0;
    close_client(c);
  } else {
    ex.close_after = true;
    c->state = ClientState::kClosing;
    log_exchange(c);
    ex.active = false;
    ex.elb_status = 0;
    update_client_events(c);
  }
}

// The LB answers for a failed dispatch (502/504) when no response started.
void Engine::Impl::fail_exchange(ClientConn* c, int status, const char* reason) {
  if (c->closed) return;
  Exchange& ex = *c->ex;
  if (c->up) {
    UpstreamConn* u = c->up;
    c->up = nullptr;
    u->client = nullptr;
    close_upstream(u);
  }
  ex.error_reason = reason;
  if (ex.resp_head_done) {
    close_client(c);
    return;
  }
  if (!ex.req_done) ex.close_after = true;
  respond_lb(c, status, !ex.close_after);
}

void Engine::Impl::release_upstream(UpstreamConn* u, bool reusable) {
  if (u->target) {
    NodeTarget& nt = u->target->nodes[u->node];
    if (nt.outstanding > 0) --nt.outstanding;
  }
  u->client = nullptr;
  if (!reusable || !u->target || u->target->draining || !u->target->registered || shutting_down) {
    u->target = u->target ? u->target : nullptr;
    TargetRt* t = u->target;
    u->target = nullptr;  // outstanding already released
    (void)t;
    close_upstream(u);
    return;
  }
  u->state = UpState::kIdle;
  u->in.release_if_empty(pool);
  u->out.release_if_empty(pool);
  u->target->nodes[u->node].idle.push_back(u);
  upstream_lru.touch(&u->lru, now_ms);
  update_upstream_events(u);
}

void Engine::Impl::close_upstream(UpstreamConn* u) {
  if (u->closed) return;
  if (u->target && u->state != UpState::kIdle) {
    NodeTarget& nt = u->target->nodes[u->node];
    if (nt.outstanding > 0) --nt.outstanding;
  }
  if (u->target && u->state == UpState::kIdle) {
    auto& idle = u->target->nodes[u->node].idle;
    idle.erase(std::remove(idle.begin(), idle.end(), u), idle.end());
  }
  if (u->client && u->client->up == u) u->client->up = nullptr;
  u->client = nullptr;
  upstream_lru.unlink(&u->lru);
  connecting_lru.unlink(&u->lru);
  epoll_ctl(epfd, EPOLL_CTL_DEL, u->fd, nullptr);
  close(u->fd);
  u->in.release(pool);
  u->out.release(pool);
  --upstreams;
  bury(u);
}

// ---------------------------------------------------------------------------
// 5. Timeouts, health checks, draining

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

void Engine::Impl::start_health_checks() {
  int64_t stagger = 0;
  for (auto& tg : tgs)
    for (auto& t : tg->targets)
      for (auto& nt : t->nodes)
        if (tg->cfg.health_check.enabled) add_timer(now_ms + (stagger++ % 10), kTimerHcStart, &nt.hc, nt.hc.generation);
}

void Engine::Impl::hc_start(HealthCheck* hc) {
  TargetRt* t = hc->target;
  if (!t->registered || shutting_down) return;
  TgRt* tg = hc->tg;
  const auto& cfgh = tg->cfg.health_check;
  uint16_t port = t->port;
  if (cfgh.port != "traffic-port") port = static_cast<uint16_t>(std::atoi(cfgh.port.c_str()));
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
    hc_finish(hc, semantics::HealthCheckOutcome::kFailed);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in src = make_sockaddr(cfg.nodes[hc->node].address, 0);
  sockaddr_in dst = make_sockaddr(t->cfg.address, port);
  hc->fd = fd;
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) < 0 ||
      (connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0 && errno != EINPROGRESS)) {
    hc_finish(hc, semantics::HealthCheckOutcome::kFailed);
    return;
  }
  set_events(hc, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
}

void Engine::Impl::on_health(HealthCheck* hc, uint32_t ev) {
  if (!hc->in_flight) return;
  TargetRt* t = hc->target;
  if (!hc->sent) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(hc->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err || (ev & (EPOLLERR | EPOLLHUP))) {
      hc_finish(hc, semantics::HealthCheckOutcome::kFailed);
      return;
    }
    if (!(ev & EPOLLOUT)) return;
    const auto& h = hc->tg->cfg.health_check;
    uint16_t port = h.port == "traffic-port" ? t->port : static_cast<uint16_t>(std::atoi(h.port.c_str()));
    std::string req = "GET " + h.path + " HTTP/1.1\r\nHost: " + t->ip + ":" + std::to_string(port) +
                      "\r\nConnection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept-Encoding: gzip, compress, "
                      "deflate\r\n\r\n";
    ssize_t w = send(hc->fd, req.data(), req.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(req.size())) {
      hc_finish(hc, semantics::HealthCheckOutcome::kFailed);
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
    if (n < 0 && errno == EAGAIN) break;
    break;  // EOF or error: judge what we have
  }
  std::string_view data(hc->buf, hc->len);
  size_t eol = data.find('\n');
  if (eol == std::string_view::npos) {
    if (hc->len >= sizeof hc->buf || (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
      hc_finish(hc, semantics::HealthCheckOutcome::kFailed);
    }
    return;
  }
  // Status line is enough: "HTTP/1.x SSS"
  std::string_view line = data.substr(0, eol);
  int status = 0;
  if (line.size() >= 12 && line.substr(0, 7) == "HTTP/1." && line[8] == ' ') {
    for (int i = 9; i < 12; ++i) status = (line[i] >= '0' && line[i] <= '9') ? status * 10 + (line[i] - '0') : -10000;
  }
  if (status < 100) {
    hc_finish(hc, semantics::HealthCheckOutcome::kFailed);
    return;
  }
  hc_finish(hc, hc->tg->matcher.matches(status) ? semantics::HealthCheckOutcome::kSuccess
                                                 : semantics::HealthCheckOutcome::kResponseCodeMismatch);
}

void Engine::Impl::hc_close(HealthCheck* hc) {
  if (hc->fd >= 0) {
    if (hc->events) epoll_ctl(epfd, EPOLL_CTL_DEL, hc->fd, nullptr);
    close(hc->fd);
  }
  hc->fd = -1;
  hc->events = 0;
  hc->in_flight = false;
}

void Engine::Impl::hc_finish(HealthCheck* hc, semantics::HealthCheckOutcome outcome) {
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
    nt.swrr_current = 0;
  }
}

void Engine::Impl::deregister(TargetRt* t) {
  if (!t->registered || t->draining) return;
  t->draining = true;
  ++t->drain_generation;
  for (size_t n = 0; n < t->nodes.size(); ++n) {
    NodeTarget& nt = t->nodes[n];
    nt.health.state = TargetHealthState::kDraining;
    nt.health.reason = semantics::TargetHealthReason::kDeregistrationInProgress;
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
  for (LruNode* n = upstream_lru.front(); n; n = n->next) {
    if (!n->owner) break;
    auto* u = static_cast<UpstreamConn*>(n->owner);
    if (u->target == t) victims.push_back(u);
  }
  for (LruNode* n = connecting_lru.front(); n; n = n->next) {
    if (!n->owner) break;
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
    nt.health.reason = semantics::TargetHealthReason::kNotRegistered;
  }
}

void Engine::Impl::run_timers() {
  while (!timers.empty() && timers.top().when_ms <= now_ms) {
    Timer tm = timers.top();
    timers.pop();
    switch (tm.kind) {
      case kTimerHcStart: {
        auto* hc = static_cast<HealthCheck*>(tm.p);
        if (hc->target->stopped && hc->target->registered && !hc->target->draining && !shutting_down)
          add_timer(now_ms + hc->tg->cfg.interval_ms(), kTimerHcStart, hc, 0);  // keep the one chain alive
        else if (hc->target->registered && !hc->target->draining && !hc->in_flight && !shutting_down) hc_start(hc);
        else if (hc->in_flight && hc->target->registered && !hc->target->draining)
          add_timer(now_ms + hc->tg->cfg.interval_ms(), kTimerHcStart, hc, 0);
        break;
      }
      case kTimerHcTimeout: {
        auto* hc = static_cast<HealthCheck*>(tm.p);
        if (hc->in_flight && hc->generation == tm.gen) hc_finish(hc, semantics::HealthCheckOutcome::kTimeout);
        break;
      }
      case kTimerDrainDone: {
        auto* t = static_cast<TargetRt*>(tm.p);
        if (t->draining && t->drain_generation == tm.gen) drain_done(t);
        break;
      }
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------------------
// Admin endpoint and metrics

void Engine::Impl::on_admin_accept() {
  for (int i = 0; i < 16; ++i) {
    int fd = accept4(admin_listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    auto* a = new AdminConn();
    a->fd = fd;
    set_events(a, EPOLLIN | EPOLLRDHUP);
  }
}

void Engine::Impl::on_admin(AdminConn* a, uint32_t ev) {
  auto close_admin = [&] {
    epoll_ctl(epfd, EPOLL_CTL_DEL, a->fd, nullptr);
    close(a->fd);
    bury(a);
  };
  if (a->out.empty()) {
    char buf[4096];
    ssize_t n = read(a->fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno == EAGAIN) return;
      close_admin();
      return;
    }
    a->in.append(buf, static_cast<size_t>(n));
    if (a->in.size() > 16384) {
      close_admin();
      return;
    }
    if (a->in.find("\r\n\r\n") == std::string::npos && a->in.find("\n\n") == std::string::npos) return;
    std::string_view first(a->in);
    first = first.substr(0, first.find('\n'));
    size_t sp1 = first.find(' ');
    size_t sp2 = first.find(' ', sp1 + 1);
    std::string_view path = sp1 == std::string_view::npos ? std::string_view("/")
                                                          : first.substr(sp1 + 1, sp2 - sp1 - 1);
    int status = 200;
    std::string body, type = "application/json";
    if (path == "/targets" || path == "/target-health") {
      body = health_json();
    } else if (path == "/metrics") {
      body = metrics_prom();
      type = "text/plain; version=0.0.4";
    } else if (path == "/metrics.json") {
      body = metrics_json();
    } else if (path == "/" || path == "/health") {
      body = "{\"status\":\"ok\"}\n";
    } else {
      status = 404;
      body = "{\"error\":\"not found\"}\n";
    }
    http::append_lb_response(a->out, status, type, body, false, false, date);
  }
  (void)ev;
  while (!a->out.empty()) {
    ssize_t w = send(a->fd, a->out.data(), a->out.size(), MSG_NOSIGNAL);
    if (w > 0) {
      a->out.erase(0, static_cast<size_t>(w));
      continue;
    }
    if (w < 0 && errno == EAGAIN) {
      set_events(a, EPOLLOUT);
      return;
    }
    break;
  }
  close_admin();
}

namespace {
void json_escape(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      out += b;
    } else {
      out += c;
    }
  }
  out += '"';
}
}  // namespace

std::string Engine::Impl::health_json() {
  std::string o = "{\"LoadBalancer\":";
  json_escape(o, cfg.elb_name());
  o += ",\"TargetGroups\":[";
  for (size_t g = 0; g < tgs.size(); ++g) {
    TgRt* tg = tgs[g].get();
    if (g) o += ',';
    o += "{\"TargetGroupArn\":";
    json_escape(o, tg->cfg.arn);
    o += ",\"TargetGroupName\":";
    json_escape(o, tg->cfg.name);
    o += ",\"Algorithm\":";
    json_escape(o, algorithm_name(tg->algorithm));
    o += ",\"Nodes\":[";
    for (size_t n = 0; n < cfg.nodes.size(); ++n) {
      if (n) o += ',';
      o += "{\"Node\":";
      json_escape(o, cfg.nodes[n].name);
      o += ",\"Address\":";
      json_escape(o, cfg.nodes[n].address.str());
      o += ",\"TargetHealthDescriptions\":[";
      bool first = true;
      for (auto& t : tg->targets) {
        if (!first) o += ',';
        first = false;
        const NodeTarget& nt = t->nodes[n];
        o += "{\"Target\":{\"Id\":";
        json_escape(o, t->cfg.id);
        o += ",\"Port\":" + std::to_string(t->port);
        if (!t->cfg.availability_zone.empty()) {
          o += ",\"AvailabilityZone\":";
          json_escape(o, t->cfg.availability_zone);
        }
        o += "},\"HealthCheckPort\":";
        const auto& hp = tg->cfg.health_check.port;
        json_escape(o, hp == "traffic-port" ? std::to_string(t->port) : hp);
        o += ",\"TargetHealth\":{\"State\":";
        json_escape(o, semantics::target_health_state_name(nt.health.state));
        if (nt.health.reason != semantics::TargetHealthReason::kNone) {
          o += ",\"Reason\":";
          json_escape(o, semantics::target_health_reason_code(nt.health.reason));
          o += ",\"Description\":";
          json_escape(o, semantics::target_health_reason_description(nt.health.reason));
        }
        o += "}}";
      }
      o += "]}";
    }
    o += "]}";
  }
  o += "]}\n";
  return o;
}

namespace {
struct MetricRow {
  const char* name;
  double value;
};
}  // namespace

std::string Engine::Impl::metrics_json() {
  std::string o = "{\"Namespace\":\"AWS/ApplicationELB\",\"LoadBalancer\":";
  json_escape(o, cfg.elb_name());
  auto num = [](double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    return std::string(b);
  };
  const MetricRow rows[] = {
      {"RequestCount", double(m.requests)},
      {"ActiveConnectionCount", double(clients)},
      {"NewConnectionCount", double(m.new_connections)},
      {"RejectedConnectionCount", double(m.rejected_connections)},
      {"ProcessedBytes", double(m.processed_bytes)},
      {"HTTPCode_ELB_3XX_Count", double(m.elb_3xx)},
      {"HTTPCode_ELB_4XX_Count", double(m.elb_4xx)},
      {"HTTPCode_ELB_5XX_Count", double(m.elb_5xx)},
      {"HTTPCode_ELB_500_Count", double(m.elb_500)},
      {"HTTPCode_ELB_502_Count", double(m.elb_502)},
      {"HTTPCode_ELB_503_Count", double(m.elb_503)},
      {"HTTPCode_ELB_504_Count", double(m.elb_504)},
      {"HTTPCode_Target_2XX_Count", double(m.target_2xx)},
      {"HTTPCode_Target_3XX_Count", double(m.target_3xx)},
      {"HTTPCode_Target_4XX_Count", double(m.target_4xx)},
      {"HTTPCode_Target_5XX_Count", double(m.target_5xx)},
      {"TargetResponseTime",
       m.target_response_time_count ? m.target_response_time_sum / double(m.target_response_time_count) : 0},
      {"TargetConnectionErrorCount", double(m.target_connection_errors)},
      {"UnhealthyRoutingRequestCount", double(m.unhealthy_routing)},
      {"HTTP_Fixed_Response_Count", double(m.fixed_responses)},
      {"HTTP_Redirect_Count", double(m.redirects)},
      {"NonStickyRequestCount", double(m.non_sticky)},
      {"DesyncMitigationMode_NonCompliant_Request_Count", double(m.desync_non_compliant)},
  };
  o += ",\"Metrics\":{";
  bool first = true;
  for (const auto& r : rows) {
    if (!first) o += ',';
    first = false;
    json_escape(o, r.name);
    o += ':' + num(r.value);
  }
  o += "},\"TargetGroups\":[";
  for (size_t g = 0; g < tgs.size(); ++g) {
    TgRt* tg = tgs[g].get();
    if (g) o += ',';
    size_t healthy = 0, unhealthy = 0;
    for (auto& t : tg->targets) {
      if (!t->registered) continue;
      auto s = t->nodes[0].health.state;
      if (s == TargetHealthState::kHealthy) ++healthy;
      else if (s == TargetHealthState::kUnhealthy) ++unhealthy;
    }
    o += "{\"TargetGroup\":";
    json_escape(o, "targetgroup/" + tg->cfg.name + "/" + tg->cfg.arn.substr(tg->cfg.arn.rfind('/') + 1));
    o += ",\"Metrics\":{\"RequestCount\":" + num(double(tg->m.requests));
    o += ",\"HealthyHostCount\":" + num(double(healthy));
    o += ",\"UnHealthyHostCount\":" + num(double(unhealthy));
    o += ",\"RequestCountPerTarget\":" + num(healthy ? double(tg->m.requests) / double(healthy) : double(tg->m.requests));
    o += ",\"HTTPCode_Target_2XX_Count\":" + num(double(tg->m.target_2xx));
    o += ",\"HTTPCode_Target_3XX_Count\":" + num(double(tg->m.target_3xx));
    o += ",\"HTTPCode_Target_4XX_Count\":" + num(double(tg->m.target_4xx));
    o += ",\"HTTPCode_Target_5XX_Count\":" + num(double(tg->m.target_5xx));
    o += ",\"TargetResponseTime\":" +
         num(tg->m.response_time_count ? tg->m.response_time_sum / double(tg->m.response_time_count) : 0);
    o += ",\"TargetConnectionErrorCount\":" + num(double(tg->m.connection_errors));
    o += ",\"UnhealthyRoutingRequestCount\":" + num(double(tg->m.unhealthy_routing));
    o += ",\"NonStickyRequestCount\":" + num(double(tg->m.non_sticky));
    o += "}}";
  }
  o += "]}\n";
  return o;
}

std::string Engine::Impl::metrics_prom() {
  std::string o;
  std::string lb = cfg.elb_name();
  auto line = [&](const char* name, const std::string& labels, double v, const char* type) {
    if (type) {
      o += "# TYPE aws_applicationelb_";
      o += name;
      o += ' ';
      o += type;
      o += '\n';
    }
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    o += "aws_applicationelb_";
    o += name;
    o += '{';
    o += labels;
    o += "} ";
    o += b;
    o += '\n';
  };
  std::string l = "LoadBalancer=\"" + lb + "\"";
  line("RequestCount", l, double(m.requests), "counter");
  line("ActiveConnectionCount", l, double(clients), "gauge");
  line("NewConnectionCount", l, double(m.new_connections), "counter");
  line("RejectedConnectionCount", l, double(m.rejected_connections), "counter");
  line("ProcessedBytes", l, double(m.processed_bytes), "counter");
  line("HTTPCode_ELB_3XX_Count", l, double(m.elb_3xx), "counter");
  line("HTTPCode_ELB_4XX_Count", l, double(m.elb_4xx), "counter");
  line("HTTPCode_ELB_5XX_Count", l, double(m.elb_5xx), "counter");
  line("HTTPCode_ELB_502_Count", l, double(m.elb_502), "counter");
  line("HTTPCode_ELB_503_Count", l, double(m.elb_503), "counter");
  line("HTTPCode_ELB_504_Count", l, double(m.elb_504), "counter");
  line("HTTPCode_Target_2XX_Count", l, double(m.target_2xx), "counter");
  line("HTTPCode_Target_3XX_Count", l, double(m.target_3xx), "counter");
  line("HTTPCode_Target_4XX_Count", l, double(m.target_4xx), "counter");
  line("HTTPCode_Target_5XX_Count", l, double(m.target_5xx), "counter");
  line("TargetResponseTime_sum", l, m.target_response_time_sum, "counter");
  line("TargetResponseTime_count", l, double(m.target_response_time_count), "counter");
  line("TargetConnectionErrorCount", l, double(m.target_connection_errors), "counter");
  line("UnhealthyRoutingRequestCount", l, double(m.unhealthy_routing), "counter");
  line("HTTP_Fixed_Response_Count", l, double(m.fixed_responses), "counter");
  line("HTTP_Redirect_Count", l, double(m.redirects), "counter");
  line("NonStickyRequestCount", l, double(m.non_sticky), "counter");
  line("DesyncMitigationMode_NonCompliant_Request_Count", l, double(m.desync_non_compliant), "counter");
  o += "# TYPE aws_applicationelb_HealthyHostCount gauge\n# TYPE aws_applicationelb_UnHealthyHostCount gauge\n";
  for (auto& tg : tgs) {
    std::string tl = l + ",TargetGroup=\"targetgroup/" + tg->cfg.name + "\"";
    for (size_t n = 0; n < cfg.nodes.size(); ++n) {
      size_t healthy = 0, unhealthy = 0;
      for (auto& t : tg->targets) {
        if (!t->registered) continue;
        auto s = t->nodes[n].health.state;
        if (s == TargetHealthState::kHealthy) ++healthy;
        else if (s == TargetHealthState::kUnhealthy) ++unhealthy;
      }
      std::string nl = tl + ",Node=\"" + cfg.nodes[n].name + "\"";
      line("HealthyHostCount", nl, double(healthy), nullptr);
      line("UnHealthyHostCount", nl, double(unhealthy), nullptr);
    }
    line("RequestCount", tl, double(tg->m.requests), nullptr);
    line("HTTPCode_Target_2XX_Count", tl, double(tg->m.target_2xx), nullptr);
    line("HTTPCode_Target_5XX_Count", tl, double(tg->m.target_5xx), nullptr);
    line("UnhealthyRoutingRequestCount", tl, double(tg->m.unhealthy_routing), nullptr);
  }
  for (auto& tg : tgs)
    for (auto& t : tg->targets) {
      std::string tl = l + ",TargetGroup=\"targetgroup/" + tg->cfg.name + "\",Target=\"" + t->cfg.id + "\"";
      line("RequestCountPerTarget", tl, double(t->requests), nullptr);
    }
  return o;
}

// ---------------------------------------------------------------------------
// Engine

Engine::Engine(EngineConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Engine::~Engine() {
  // Connections still open at destruction (run() not called or returned early).
  if (impl_) {
    std::vector<ClientConn*> cs;
    for (LruNode* n = impl_->client_lru.front(); n && n->owner; n = n->next) cs.push_back(static_cast<ClientConn*>(n->owner));
    for (ClientConn* c : cs) impl_->close_client(c);
    std::vector<UpstreamConn*> us;
    for (Lru* l : {&impl_->upstream_lru, &impl_->connecting_lru})
      for (LruNode* n = l->front(); n && n->owner; n = n->next) us.push_back(static_cast<UpstreamConn*>(n->owner));
    for (UpstreamConn* u : us) impl_->close_upstream(u);
    impl_->free_graveyard();
  }
}

bool Engine::start(std::string* error) { return impl_->start(error); }
void Engine::run() { impl_->run(); }
void Engine::stop() {
  impl_->stop_requested = true;
  if (impl_->wake.fd >= 0) {
    uint64_t one = 1;
    ssize_t n = write(impl_->wake.fd, &one, sizeof one);
    (void)n;
  }
}

uint16_t Engine::listener_port(size_t listener, size_t node) const {
  for (const auto& s : impl_->sockets)
    if (s->listener == listener && s->node == node) return s->port;
  return 0;
}
uint16_t Engine::admin_port() const { return impl_->admin_listener.fd >= 0 ? impl_->admin_listener.port : 0; }

std::string Engine::target_health_json() {
  return impl_->call<std::string>([this] { return impl_->health_json(); });
}
std::string Engine::metrics_json() {
  return impl_->call<std::string>([this] { return impl_->metrics_json(); });
}
std::string Engine::metrics_prometheus() {
  return impl_->call<std::string>([this] { return impl_->metrics_prom(); });
}
size_t Engine::open_connections() {
  return impl_->call<size_t>([this] { return impl_->clients + impl_->upstreams; });
}

bool Engine::register_target(const std::string& target_group, const TargetConfig& target) {
  return impl_->call<bool>([this, target_group, target] {
    TgRt* tg = impl_->find_tg(target_group);
    if (!tg) return false;
    TargetRt* t = impl_->add_target(tg, target);
    if (impl_->running && tg->cfg.health_check.enabled)
      for (auto& nt : t->nodes) impl_->add_timer(impl_->now_ms, kTimerHcStart, &nt.hc, 0);
    return true;
  });
}

size_t Engine::set_target_stopped(const std::string& target_id, bool stopped) {
  return impl_->call<size_t>([this, target_id, stopped] {
    size_t changed = 0;
    for (auto& tg : impl_->tgs)
      for (auto& t : tg->targets) {
        if (t->cfg.id != target_id || !t->registered || t->draining || t->stopped == stopped) continue;
        t->stopped = stopped;
        ++changed;
        for (auto& nt : t->nodes) {
          impl_->hc_close(&nt.hc);
          semantics::TargetHealth h;  // started again: initial until a check passes
          if (stopped) {
            h.state = TargetHealthState::kUnused;
            h.reason = semantics::TargetHealthReason::kInvalidState;
            auto idle = nt.idle;
            for (UpstreamConn* u : idle) impl_->close_upstream(u);
          }
          nt.health = h;
        }
      }
    return changed;
  });
}

bool Engine::deregister_target(const std::string& target_group, const std::string& target_id) {
  return impl_->call<bool>([this, target_group, target_id] {
    TgRt* tg = impl_->find_tg(target_group);
    if (!tg) return false;
    bool found = false;
    for (auto& t : tg->targets)
      if (t->cfg.id == target_id && t->registered && !t->draining) {
        impl_->deregister(t.get());
        found = true;
      }
    return found;
  });
}

}  // namespace vpclab::dataplane::alb
