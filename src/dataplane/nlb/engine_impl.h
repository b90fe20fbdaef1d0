// Internal to dataplane/nlb: the engine's runtime state, shared by
// engine.cpp (loop, API, target choice), tcp_flow.cpp, udp_flow.cpp and
// health_checker.cpp.
#pragma once
#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <vector>

#include "dataplane/alb/event_loop.h"
#include "dataplane/nlb/engine.h"
#include "semantics/target_health.h"

namespace vpclab::dataplane::nlb {

using alb::Lru;
using alb::LruNode;

enum class Kind : uint8_t { kTcpListener, kUdpListener, kClient, kUpstream, kUdpUpstream, kHealth, kWake };

struct Handle {
  Kind kind;
  int fd = -1;
  uint32_t events = 0;  // current epoll interest; 0 = not registered
  void* owner = nullptr;
  explicit Handle(Kind k) : kind(k) {}
};

struct TargetRt;
struct TgRt;

struct HealthCheckRt {
  Handle h{Kind::kHealth};
  TargetRt* target = nullptr;
  size_t node = 0;
  bool in_flight = false;
  bool sent = false;
  uint32_t generation = 0;
  char buf[512];
  size_t len = 0;
};

struct NodeTarget {
  semantics::TargetHealth health;
  HealthCheckRt hc;
};

struct TargetRt {
  TargetConfig cfg;
  TgRt* tg = nullptr;
  uint16_t port = 0;  // effective traffic port
  bool registered = true, draining = false, stopped = false;
  uint32_t drain_generation = 0;
  std::vector<NodeTarget> nodes;  // per engine node
};

struct TgRt {
  TargetGroupConfig cfg;
  semantics::HttpCodeMatcher matcher;
  std::vector<std::unique_ptr<TargetRt>> targets;  // registration order; deregistered ones stay (unused)
};

struct ListenerRt {
  ListenerConfig cfg;
  size_t node = 0;
  uint16_t port = 0;
  Handle tcp{Kind::kTcpListener};
  Handle udp{Kind::kUdpListener};
};

// One direction's bytes in flight.
struct Buf {
  std::unique_ptr<char[]> data;
  size_t off = 0, len = 0;
  static constexpr size_t kSize = 16384;
};

struct TcpFlow {
  Handle client{Kind::kClient};
  Handle upstream{Kind::kUpstream};
  size_t node = 0;
  TargetRt* target = nullptr;
  Buf c2u, u2c;
  bool connected = false;
  bool client_eof = false, upstream_eof = false;  // read side ended
  bool c2u_shut = false, u2c_shut = false;        // write side shut after the EOF was passed on
  bool closed = false;
  LruNode lru;
};

struct UdpFlow {
  Handle upstream{Kind::kUdpUpstream};
  ListenerRt* listener = nullptr;
  TargetRt* target = nullptr;
  sockaddr_in client{};
  bool closed = false;
  LruNode lru;
};

struct Timer {
  int64_t when_ms;
  uint64_t seq;
  enum Kind { kHcStart, kHcTimeout, kDrainDone, kSweep } kind;
  void* p;
  uint32_t gen;
  bool operator>(const Timer& o) const { return when_ms != o.when_ms ? when_ms > o.when_ms : seq > o.seq; }
};

struct Engine::Impl {
  EngineConfig cfg;
  int ep = -1;
  Handle wake{Kind::kWake};
  int64_t now_ms = 0;
  std::atomic<bool> stopping{false};
  std::vector<std::unique_ptr<ListenerRt>> listeners;  // node-major: listener l of node n at n * L + l
  std::vector<std::unique_ptr<TgRt>> tgs;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
  uint64_t timer_seq = 0;
  Lru tcp_lru, connecting_lru, udp_lru;
  std::vector<TcpFlow*> dead_tcp;  // freed after the current batch of events
  std::vector<UdpFlow*> dead_udp;
  std::map<std::pair<ListenerRt*, uint64_t>, UdpFlow*> udp_flows;  // (listener, client ip:port)

  // The API's changes wait here for the loop (thread-safe).
  std::mutex api_mu;
  std::vector<std::function<void()>> pending;
  alb::HealthSnapshot published;
  bool health_changed = true;

  // CloudWatch's names (AWS/NetworkELB).
  std::atomic<uint64_t> new_flows_tcp{0}, new_flows_udp{0}, active_tcp{0}, active_udp{0}, processed_bytes{0},
      elb_resets{0}, target_resets{0}, client_resets{0};

  explicit Impl(EngineConfig c) : cfg(std::move(c)) {}

  // engine.cpp
  bool open_listeners(std::string* error);
  void loop();
  void post(std::function<void()> f);
  void run_pending();
  void add_timer(int64_t when, Timer::Kind k, void* p, uint32_t gen);
  void run_timers();
  bool set_events(Handle* h, uint32_t events);
  void unwatch(Handle* h);
  int new_socket(size_t node, int type);
  TargetRt* choose_target(ListenerRt* l, uint64_t flow_hash);
  void publish_health();
  TgRt* find_tg(const std::string& key);
  void add_target(TgRt* tg, const TargetConfig& t);
  void deregister(TargetRt* t);
  void drain_done(TargetRt* t);
  void set_stopped(TargetRt* t, bool stopped);
  void target_down(TargetRt* t, size_t node);  // a target turning unhealthy: its flows from that node are reset
  void close_all();

  // tcp_flow.cpp
  void on_accept(ListenerRt* l);
  void on_tcp(TcpFlow* f, Handle* h, uint32_t ev);
  // Reads only the sides given: the others have no event (level-triggered epoll reports them).
  void tcp_pump(TcpFlow* f, bool read_client = true, bool read_upstream = true);
  void tcp_close(TcpFlow* f, bool reset_client);
  void expire_tcp();

  // udp_flow.cpp
  void on_udp_listener(ListenerRt* l);
  void on_udp_upstream(UdpFlow* f);
  void udp_close(UdpFlow* f);
  void expire_udp();

  // health_checker.cpp
  void start_health_checks();
  void start_checks_for(TargetRt* t);
  void on_hc_timer(HealthCheckRt* hc);
  void hc_start(HealthCheckRt* hc);
  void on_health(HealthCheckRt* hc, uint32_t ev);
  void hc_close(HealthCheckRt* hc);
  void hc_finish(HealthCheckRt* hc, semantics::HealthCheckOutcome outcome);
};

// Binds `fd` so the target sees the client (IP_TRANSPARENT; the client's
// port when free, else any) or the node, and marks it with the node's DSCP.
bool bind_upstream(int fd, const sockaddr_in& client, bool preserve, Ipv4Address node, uint8_t dscp);

}  // namespace vpclab::dataplane::nlb
