// Engine::Impl: the state of one worker of an engine (one event loop on one
// thread) and every operation on it. Worker 0 also runs the health checks
// and the admin endpoint; the other workers get its health results as tasks
// (workers.cpp). Declared here, defined by concern:
//   engine.cpp             start-up, the public Engine API (thread-safe calls)
//   event_loop.cpp         epoll loop, tasks from other threads, timers, idle sweeps, shutdown
//   client.cpp             client connections: accept, read, HTTP/1 heads, desync mitigation, answers, close
//   actions.cpp            rule selection and the actions: fixed-response, redirect, (weighted) forward
//   target_choice.cpp      which target: fail open, stickiness, then the group's Balancer
//   upstream.cpp           target connections and their pool, request and response relay
//   forwarded_headers.cpp  request head to the target (X-Forwarded-*, X-Amzn-Trace-Id), response head
//   health_checker.cpp     health checks from every node, state changes, deregistration and draining
//   admin.cpp              admin endpoint, health snapshot, metrics, access log lines
//   workers.cpp            several workers: health results to the others, summed metrics
#pragma once
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/alb/engine.h"
#include "dataplane/alb/runtime.h"
#include "semantics/listener_rule.h"

namespace vpclab::dataplane::alb {

// The counters of one worker (or all of them summed) that metrics show.
struct Totals {
  Metrics m;
  size_t clients = 0;
  std::vector<TgMetrics> tg;              // by target group index
  std::vector<uint64_t> target_requests;  // by target uid
  std::vector<uint64_t> worker_requests;  // by worker
  std::vector<size_t> worker_clients;
};

struct Engine::Impl {
  EngineConfig cfg;
  // Workers: the engine's event loops, each on its own thread with its own
  // SO_REUSEPORT listeners. `workers` lists them all (this one included).
  size_t worker = 0;
  std::vector<Impl*> workers;
  Impl* primary() const { return workers.empty() ? const_cast<Impl*>(this) : workers[0]; }
  bool checker() const { return worker == 0; }  // runs the health checks
  std::mutex* log_mu = nullptr;  // serialises access-log writes of several workers
  // LoadBalancerAttributes, parsed once at start.
  vpclab::alb::XffProcessingMode xff_mode = vpclab::alb::XffProcessingMode::kAppend;
  vpclab::alb::DesyncMitigationMode desync_mode = vpclab::alb::DesyncMitigationMode::kDefensive;

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
  int log_fd = -1;
  bool log_owned = false;
  std::string log_buf;
  std::string scratch;                     // response heads
  std::vector<BalancerCandidate> candidates;  // scratch for target choice
  std::vector<ClientConn*> ready_clients;  // pipelined requests to resume
  std::vector<UpstreamConn*> queued_flushes;  // requests sent at the end of the loop's round
  Exchange idle_ex;                        // never written: what idle connections point at
  std::vector<Exchange*> ex_pool;
  semantics::HttpRequestView view;
  bool started = false;
  std::atomic<bool> running{false};
  bool shutting_down = false;
  std::atomic<bool> stop_requested{false};
  int64_t shutdown_deadline_ms = 0;
  std::mutex task_mu;
  std::vector<std::function<void()>> tasks;
  std::thread::id loop_thread;

  explicit Impl(EngineConfig c);
  ~Impl();

  // ---- engine.cpp
  bool start(std::string* error);
  TargetRt* add_target(TgRt* tg, const TargetConfig& tc, std::shared_ptr<TargetShared> shared);
  TgRt* find_tg(std::string_view arn_or_name);
  int new_socket(size_t node);
  Exchange* acquire_exchange();
  void release_exchange(ClientConn* c);

  // ---- event_loop.cpp
  void run();
  void tick();
  void set_events(Handle* h, uint32_t ev);
  void unwatch(Handle* h);  // EPOLL_CTL_DEL
  // The fd is about to be closed, which takes it out of epoll (it is never
  // dup'ed): no EPOLL_CTL_DEL, one system call less per connection.
  void forget(Handle* h) { h->events = 0; }
  void add_timer(int64_t when_ms, int kind, void* p, uint32_t gen) {
    timers.push(Timer{when_ms, timer_seq++, kind, p, gen});
  }
  void run_tasks();
  void post(std::function<void()> f);
  void wake_loop();
  // Runs f on the loop thread (now, if the loop is not running) and waits.
  template <typename R>
  R call(std::function<R()> f) {
    if (!running.load() || std::this_thread::get_id() == loop_thread) return f();
    auto p = std::make_shared<std::promise<R>>();
    auto fut = p->get_future();
    post([p, f] { p->set_value(f()); });
    return fut.get();
  }
  void run_timers();
  void sweep_timeouts();
  void begin_shutdown();
  void bury(Handle* h) {
    h->closed = true;
    graveyard.push_back(h);
  }
  void free_graveyard();

  // ---- client.cpp
  void on_accept(ListenSocket* ls);
  void on_client(ClientConn* c, uint32_t ev);
  void client_read(ClientConn* c);
  void process_client(ClientConn* c);
  bool start_request(ClientConn* c);
  void respond_lb(ClientConn* c, int status, bool keep_alive, std::string_view content_type = "text/html",
                  std::string_view body = {}, std::string_view extra = {}, bool use_error_body = true);
  void finish_exchange(ClientConn* c);
  // last: the connection closes right after these bytes, so they go with
  // MSG_MORE and the close's FIN rides on the same segment.
  void client_write(ClientConn* c, const char* a, size_t an, const char* b = nullptr, size_t bn = 0,
                    bool last = false);
  bool closes_after(const Exchange& ex) const { return ex.close_after || !ex.req_done || shutting_down; }
  void flush_client(ClientConn* c);
  void update_client_events(ClientConn* c);
  void close_client(ClientConn* c);
  void client_timeout(ClientConn* c);

  // ---- actions.cpp
  void handle_request(ClientConn* c);
  void redirect(ClientConn* c, const vpclab::alb::Action& action);
  void fixed_response(ClientConn* c, const vpclab::alb::Action& action);
  void forward(ClientConn* c, const vpclab::alb::Action& action);
  TgRt* choose_target_group(ClientConn* c, const vpclab::alb::Action& action);

  // ---- target_choice.cpp
  TargetRt* choose_target(ClientConn* c, TgRt* tg, bool& non_sticky);
  bool eligible(const TargetRt* t, size_t node, bool fail_open) const;
  int64_t slow_start_weight(const TargetRt* t, size_t node) const;

  // ---- upstream.cpp
  UpstreamConn* connect_target(ClientConn* c, TargetRt* t);
  void dispatch(ClientConn* c, TargetRt* t);
  void forward_request_body(ClientConn* c);
  void on_upstream(UpstreamConn* u, uint32_t ev);
  void upstream_read(UpstreamConn* u);
  void relay_response(UpstreamConn* u);
  bool relay_response_body(UpstreamConn* u, ClientConn* c, bool head_pending);
  void end_response(UpstreamConn* u, ClientConn* c);
  void upstream_eof(UpstreamConn* u, bool error);
  void upstream_flush(UpstreamConn* u);
  void upstream_flush_soon(UpstreamConn* u);
  void flush_queued_upstreams();
  void update_upstream_events(UpstreamConn* u);
  void close_upstream(UpstreamConn* u);
  void release_upstream(UpstreamConn* u, bool reusable);
  void fail_exchange(ClientConn* c, int status, const char* reason);

  // ---- forwarded_headers.cpp
  void build_upstream_head(ClientConn* c, TargetRt* t);
  void make_trace_id(Exchange& ex, std::string_view trace_in);
  void build_response_head(ClientConn* c, UpstreamConn* u);

  // ---- health_checker.cpp
  void start_health_checks();
  void hc_start(HealthCheckConn* hc);
  void on_health(HealthCheckConn* hc, uint32_t ev);
  void hc_finish(HealthCheckConn* hc, semantics::HealthCheckOutcome outcome);
  void hc_close(HealthCheckConn* hc);
  void on_hc_timer(HealthCheckConn* hc);
  void set_health(TargetRt* t, size_t node, const semantics::TargetHealth& h);
  void set_stopped(TargetRt* t, bool stopped);
  void deregister(TargetRt* t);
  void drain_done(TargetRt* t);

  // ---- workers.cpp
  void publish_health(const TargetRt* t, size_t node);  // worker 0: to the others
  void apply_health(uint32_t uid, size_t node, semantics::TargetHealth h, int64_t healthy_since_ms,
                    bool in_slow_start);

  // ---- admin.cpp
  void on_admin_accept();
  void on_admin(AdminConn* a, uint32_t ev);
  void close_admin(AdminConn* a);
  HealthSnapshot health_snapshot();
  Totals local_totals();
  Totals totals();  // every worker's, summed (asks the others: worker 0 or a caller thread only)
  std::string metrics_json();
  std::string metrics_prom();
  void log_exchange(ClientConn* c);
  void flush_log();
};

}  // namespace vpclab::dataplane::alb
