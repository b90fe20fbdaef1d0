// The engine's run-time state, types only: listeners, target groups,
// targets as each node sees them, connections and the exchange (one
// request and its response) a client connection is serving. What acts on
// them is Engine::Impl (engine_impl.h), by concern in the files listed there.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/alb/balancer.h"
#include "dataplane/alb/buffer.h"
#include "dataplane/alb/config.h"
#include "dataplane/alb/event_loop.h"
#include "dataplane/http/parser.h"
#include "semantics/target_health.h"

namespace vpclab::dataplane::alb {

struct ClientConn;
struct UpstreamConn;
struct TargetRt;
struct TgRt;

// One health check of one target from one node (health_checker.cpp).
struct HealthCheckConn : Handle {
  HealthCheckConn() : Handle(Kind::kHealth) {}
  TgRt* tg = nullptr;
  TargetRt* target = nullptr;
  size_t node = 0;
  uint32_t generation = 0;  // a timeout for an older check is stale
  bool in_flight = false;
  bool sent = false;
  int64_t started_ms = 0;
  char buf[512];  // the status line is all a check reads
  size_t len = 0;
};

// A target as one node sees it: each node checks and balances on its own.
struct NodeTarget {
  semantics::TargetHealth health;
  int64_t healthy_since_ms = -1;
  bool in_slow_start = false;
  std::vector<UpstreamConn*> idle;  // the connection pool to it from this node
  HealthCheckConn hc;
};

// What every worker (event loop) of the engine sees of one target: the
// requests in flight to it from each node, so least outstanding requests
// counts them all.
struct TargetShared {
  explicit TargetShared(size_t nodes) : outstanding(new std::atomic<int>[nodes]()) {}
  std::unique_ptr<std::atomic<int>[]> outstanding;  // per node
};

// One balancer per node for a target group, shared by every worker so
// round robin and its slow-start ramp go across them as with one loop.
struct TgShared {
  std::mutex mu;                                     // guards balancers
  std::vector<std::unique_ptr<Balancer>> balancers;  // per node
};

struct TargetRt {
  uint32_t uid = 0;    // index in Impl::targets_by_uid (cookies name it)
  size_t index = 0;    // index in its group's targets (the Balancer's candidate)
  TgRt* tg = nullptr;
  TargetConfig cfg;
  uint16_t port = 0;
  std::string ip;        // dotted
  bool registered = true;
  bool draining = false;
  bool stopped = false;  // its EC2 instance is stopped: unused / Target.InvalidState, no checks, no traffic
  uint32_t drain_generation = 0;
  std::vector<NodeTarget> nodes;  // sized once: addresses stay stable
  std::shared_ptr<TargetShared> shared;
  uint64_t requests = 0;
  std::atomic<int>& outstanding(size_t node) { return shared->outstanding[node]; }
};

struct TgMetrics {
  uint64_t requests = 0, target_2xx = 0, target_3xx = 0, target_4xx = 0, target_5xx = 0;
  uint64_t unhealthy_routing = 0, connection_errors = 0, non_sticky = 0;
  double response_time_sum = 0;
  uint64_t response_time_count = 0;
  TgMetrics& operator+=(const TgMetrics& o);
};

struct TgRt {
  TargetGroupConfig cfg;
  size_t index = 0;
  // The attributes, parsed once at start.
  vpclab::alb::LoadBalancingAlgorithm algorithm = vpclab::alb::LoadBalancingAlgorithm::kRoundRobin;
  semantics::HttpCodeMatcher matcher;
  bool stickiness = false;
  bool app_cookie = false;  // stickiness.type app_cookie (else lb_cookie)
  bool cross_zone = true;
  bool health_check_traffic_port = true;
  uint16_t health_check_port = 0;  // without traffic-port
  std::vector<std::unique_ptr<TargetRt>> targets;
  std::shared_ptr<TgShared> shared;  // the balancers
  TgMetrics m;
};

struct ListenerRt {
  ListenerConfig cfg;
  bool needs_headers = false;  // some rule has an http-header condition
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
  Metrics& operator+=(const Metrics& o);  // admin.cpp: the workers' counters summed
};

enum class ClientState : uint8_t {
  kIdle,      // waiting for a request (nothing of it received yet)
  kHead,      // part of a head received
  kExchange,  // a request is being served
  kTunnel,    // WebSocket (after 101)
  kClosing,   // flushing the last response, then close
};

// Where a message body stands (body.h moves it).
struct BodyState {
  http::BodyKind kind = http::BodyKind::kNone;
  uint64_t remaining = 0;  // kLength
  http::ChunkedDecoder chunked;
  void reset(http::BodyKind k, uint64_t length) {
    kind = k;
    remaining = k == http::BodyKind::kLength ? length : 0;
    chunked.reset();
  }
};

// One request and its response on a client connection.
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
  BodyState req_body;
  bool req_done = true;
  bool resp_head_done = false;
  BodyState resp_body;
  bool dechunk = false;  // chunked response to an HTTP/1.0 client: send the payload only
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
    req_body.reset(http::BodyKind::kNone, 0);
    req_done = true;
    resp_head_done = false;
    resp_body.reset(http::BodyKind::kNone, 0);
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
  bool reused = false;    // had served a request before this one
  uint64_t bytes_in = 0;  // response bytes for the current request
  bool read_paused = false;
  bool flush_queued = false;  // in Engine::Impl::queued_flushes
};

struct AdminConn : Handle {
  AdminConn() : Handle(Kind::kAdmin) {}
  std::string in, out;
};

}  // namespace vpclab::dataplane::alb
