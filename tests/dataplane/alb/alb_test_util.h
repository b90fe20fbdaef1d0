// Helpers for ALB engine tests: in-process backends, an engine runner, and
// raw-socket clients. Everything on 127.0.0.1, every wait bounded.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dataplane/alb/engine.h"
#include "dataplane/http/parser.h"

namespace vpclab::dataplane::alb::testing {

inline int listen_any(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  listen(fd, 1024);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

inline int connect_to(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    close(fd);
    return -1;
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

inline bool send_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t w = send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (w <= 0) return false;
    s.remove_prefix(static_cast<size_t>(w));
  }
  return true;
}

struct ReceivedRequest {
  std::string head;  // request line + headers
  std::string body;  // de-chunked
  std::string method, path;
  std::string header(std::string_view name) const {
    // first header of that name, case-insensitive
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      size_t end = head.find("\r\n", pos + 2);
      std::string_view line(head.data() + pos + 2, (end == std::string::npos ? head.size() : end) - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos && http::iequals(line.substr(0, colon), name)) {
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        return std::string(v);
      }
      pos = end;
    }
    return {};
  }
  bool has_header(std::string_view name) const {
    return head.find(std::string("\r\n") + std::string(name) + ":") != std::string::npos;
  }
};

// What a backend answers: full raw response bytes; or special actions.
struct BackendReply {
  BackendReply() = default;
  BackendReply(std::string r, bool c = false, bool h = false, int d = 0)
      : raw(std::move(r)), close(c), hang(h), delay_ms(d) {}
  std::string raw;          // written as-is
  bool close = false;       // close after writing
  bool hang = false;        // never answer
  int delay_ms = 0;
  std::function<void(int fd)> takeover;  // e.g. WebSocket echo: owns the socket until it returns
};

inline std::string ok_response(const std::string& body, const std::string& extra = {}) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// A small threaded HTTP/1.1 server: one thread per connection, keep-alive.
class Backend {
 public:
  using Handler = std::function<BackendReply(const ReceivedRequest&)>;
  explicit Backend(std::string name, Handler h = {}) : name_(std::move(name)), handler_(std::move(h)) {
    fd_ = listen_any(&port_);
    if (!handler_)
      handler_ = [this](const ReceivedRequest& r) { return BackendReply{ok_response(name_ + " " + r.path)}; };
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~Backend() { stop(); }
  void stop() {
    if (stopped_.exchange(true)) return;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    std::vector<std::thread> ts;
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (int c : conns_) shutdown(c, SHUT_RDWR);
      ts.swap(workers_);
    }
    for (auto& t : ts) t.join();
  }
  uint16_t port() const { return port_; }
  const std::string& name() const { return name_; }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard<std::mutex> lk(mu_);
    return requests_;
  }
  size_t request_count(const std::string& path_prefix = "/") {
    std::lock_guard<std::mutex> lk(mu_);
    size_t n = 0;
    for (auto& r : requests_)
      if (r.path.rfind(path_prefix, 0) == 0 && r.path != "/health") ++n;
    return n;
  }
  std::vector<ReceivedRequest> health_checks() {
    std::lock_guard<std::mutex> lk(mu_);
    return health_;
  }
  int connections() const { return accepted_.load(); }
  void set_handler(Handler h) {
    std::lock_guard<std::mutex> lk(mu_);
    handler_ = std::move(h);
  }

 private:
  void accept_loop() {
    while (!stopped_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++accepted_;
      std::lock_guard<std::mutex> lk(mu_);
      conns_.push_back(c);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }
  void serve(int c) {
    std::string buf;
    char tmp[65536];
    while (!stopped_) {
      // Read a head.
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return finish(c);
        buf.append(tmp, static_cast<size_t>(n));
      }
      ReceivedRequest r;
      r.head = buf.substr(0, end);
      buf.erase(0, end + 4);
      size_t sp = r.head.find(' ');
      r.method = r.head.substr(0, sp);
      r.path = r.head.substr(sp + 1, r.head.find(' ', sp + 1) - sp - 1);
      std::string cl = r.header("Content-Length");
      if (r.header("Transfer-Encoding") == "chunked") {
        http::ChunkedDecoder d;
        while (true) {
          size_t used = 0;
          auto res = d.feed(buf, used, &r.body);
          buf.erase(0, used);
          if (res == http::ChunkedDecoder::Result::kDone) break;
          if (res == http::ChunkedDecoder::Result::kError) return finish(c);
          ssize_t n = recv(c, tmp, sizeof tmp, 0);
          if (n <= 0) return finish(c);
          buf.append(tmp, static_cast<size_t>(n));
        }
      } else if (!cl.empty()) {
        size_t len = std::stoul(cl);
        while (buf.size() < len) {
          ssize_t n = recv(c, tmp, sizeof tmp, 0);
          if (n <= 0) return finish(c);
          buf.append(tmp, static_cast<size_t>(n));
        }
        r.body = buf.substr(0, len);
        buf.erase(0, len);
      }
      Handler h;
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (r.header("User-Agent") == "ELB-HealthChecker/2.0") health_.push_back(r);
        else requests_.push_back(r);
        h = handler_;
      }
      BackendReply reply = h(r);
      if (reply.hang) {
        while (!stopped_ && recv(c, tmp, sizeof tmp, 0) > 0) {
        }
        return finish(c);
      }
      if (reply.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
      if (!reply.raw.empty() && !send_all(c, reply.raw)) return finish(c);
      if (reply.takeover) {
        reply.takeover(c);
        return finish(c);
      }
      if (reply.close || r.header("Connection") == "close") return finish(c);
    }
    finish(c);
  }
  void finish(int c) {
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& x : conns_)
      if (x == c) x = -1;
    close(c);
  }

  std::string name_;
  Handler handler_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> workers_;
  std::vector<ReceivedRequest> requests_, health_;
};

// Workers of every engine a test starts (0: the config's own). The suites
// that drive a served engine run once per count (WorkersTest): `--workers 2`
// must behave as one loop does.
inline int& engine_workers() {
  static int n = 0;
  return n;
}

inline EngineConfig with_workers(EngineConfig cfg) {
  if (engine_workers() > 0) cfg.workers = engine_workers();
  return cfg;
}

class WorkersTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { engine_workers() = GetParam(); }
  void TearDown() override { engine_workers() = 0; }
};

inline std::string workers_name(const ::testing::TestParamInfo<int>& info) {
  return "workers" + std::to_string(info.param);
}

// Runs an engine on a thread for the test's lifetime.
class RunningEngine {
 public:
  explicit RunningEngine(EngineConfig cfg) : engine_(with_workers(std::move(cfg))) {
    std::string err;
    ok_ = engine_.start(&err);
    error_ = err;
    if (ok_) thread_ = std::thread([this] { engine_.run(); });
  }
  ~RunningEngine() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      engine_.stop();
      thread_.join();
    }
  }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  Engine& engine() { return engine_; }
  uint16_t port(size_t listener = 0) const { return engine_.listener_port(listener); }

 private:
  Engine engine_;
  bool ok_ = false;
  std::string error_;
  std::thread thread_;
};

struct ClientResponse {
  int status = 0;  // 0: no response (connection closed or timeout)
  std::string head;
  std::string body;
  bool closed = false;  // the LB closed the connection after it
  std::string header(std::string_view name) const {
    ReceivedRequest r;
    r.head = head;
    return r.header(name);
  }
  std::vector<std::string> headers(std::string_view name) const {
    std::vector<std::string> out;
    size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string::npos) {
      pos += 2;
      size_t end = head.find("\r\n", pos);
      std::string_view line(head.data() + pos, (end == std::string::npos ? head.size() : end) - pos);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos && http::iequals(line.substr(0, colon), name))
        out.emplace_back(line.substr(colon + 2));
    }
    return out;
  }
};

// Reads one response from `fd` (buffering extra bytes in `pending`).
inline ClientResponse read_response(int fd, std::string& pending, bool head_request = false) {
  ClientResponse r;
  char tmp[65536];
  http::ResponseParser parser;
  http::Response resp;
  size_t head_size = 0;
  while (true) {
    auto st = parser.parse(pending, head_request, resp, head_size);
    if (st == http::ParseStatus::kDone) {
      if (resp.status == 100) {  // interim
        pending.erase(0, head_size);
        parser.reset();
        continue;
      }
      break;
    }
    if (st == http::ParseStatus::kError) return r;
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
      r.closed = true;
      return r;
    }
    pending.append(tmp, static_cast<size_t>(n));
  }
  r.status = resp.status;
  r.head = pending.substr(0, head_size);
  pending.erase(0, head_size);
  auto fill = [&](size_t want) {
    while (pending.size() < want) {
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) {
        r.closed = true;
        return false;
      }
      pending.append(tmp, static_cast<size_t>(n));
    }
    return true;
  };
  if (resp.body == http::BodyKind::kLength) {
    fill(resp.content_length);
    size_t take = std::min<size_t>(pending.size(), resp.content_length);
    r.body = pending.substr(0, take);
    pending.erase(0, take);
  } else if (resp.body == http::BodyKind::kChunked) {
    http::ChunkedDecoder d;
    while (true) {
      size_t used = 0;
      auto res = d.feed(pending, used, &r.body);
      pending.erase(0, used);
      if (res != http::ChunkedDecoder::Result::kNeedMore) break;
      if (!fill(1)) break;
    }
  } else if (resp.body == http::BodyKind::kUntilClose) {
    while (true) {
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      pending.append(tmp, static_cast<size_t>(n));
    }
    r.body = pending;
    pending.clear();
    r.closed = true;
  }
  if (!r.closed && r.header("Connection") == "close") {
    // the LB should close now
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    r.closed = n == 0;
  }
  return r;
}

// One request on a new connection.
inline ClientResponse roundtrip(uint16_t port, const std::string& request, bool head_request = false) {
  int fd = connect_to(port);
  if (fd < 0) return {};
  send_all(fd, request);
  std::string pending;
  ClientResponse r = read_response(fd, pending, head_request);
  close(fd);
  return r;
}

inline std::string get(const std::string& path, const std::string& extra = {}, const std::string& host = "app.example.com") {
  return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: test/1.0\r\n" + extra + "\r\n";
}

// Polls `pred` every 10 ms for up to `ms`.
inline bool eventually(const std::function<bool()>& pred, int ms = 3000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

inline TargetConfig target(const Backend& b, const std::string& id = {}) {
  TargetConfig t;
  t.id = id.empty() ? b.name() : id;
  t.address = *Ipv4Address::parse("127.0.0.1");
  t.port = b.port();
  return t;
}

inline vpclab::alb::Action forward_to(const std::string& tg) {
  vpclab::alb::Action a;
  a.type = vpclab::alb::ActionType::kForward;
  a.target_groups.push_back({tg, 1});
  return a;
}

// One listener (ephemeral port) forwarding to target group "web" with the given backends.
inline EngineConfig basic_config(const std::vector<const Backend*>& backends) {
  EngineConfig c;
  c.nodes.push_back(NodeConfig{"node-a", *Ipv4Address::parse("127.0.0.1"), "a"});
  TargetGroupConfig tg;
  tg.name = "web";
  tg.arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/0123456789abcdef";
  tg.health_check.path = "/health";
  tg.health_check_interval_ms = 100;
  tg.health_check_timeout_ms = 500;
  tg.deregistration_delay_ms = 200;
  for (auto* b : backends) tg.targets.push_back(target(*b));
  c.target_groups.push_back(tg);
  ListenerConfig l;
  l.port = 0;
  l.arn = "listener-1";
  l.default_rule.actions.push_back(forward_to("web"));
  c.listeners.push_back(l);
  return c;
}

}  // namespace vpclab::dataplane::alb::testing
