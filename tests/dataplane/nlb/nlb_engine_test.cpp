// The NLB engine on loopback: TCP and UDP flows through real sockets to
// in-process backends, health checks, zones, fail-open, proxy protocol v2,
// deregistration. Every wait is bounded.
#include "dataplane/nlb/engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vpclab::dataplane::nlb {
namespace {

using semantics::TargetHealthState;

bool eventually(const std::function<bool()>& pred, int ms = 5000) {
  for (int i = 0; i < ms / 10; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

sockaddr_in loopback(uint16_t port, uint32_t host = INADDR_LOOPBACK) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(host);
  return sa;
}

// A TCP backend: reads until EOF, answers "<name>:<what it read>", closes.
// With `http`, any request gets "HTTP/1.1 <status>" (the health checks).
class TcpBackend {
 public:
  explicit TcpBackend(std::string name, int http_status = 0) : name_(std::move(name)), http_status_(http_status) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa = loopback(0);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(listen(fd_, 128), 0);
    socklen_t len = sizeof sa;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TcpBackend() { shut(); }
  void shut() {
    if (stop_.exchange(true)) return;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string first_bytes() {
    std::lock_guard<std::mutex> lk(mu_);
    return first_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{2, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string got;
      char buf[4096];
      for (;;) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
        if (http_status_ && got.find("\r\n\r\n") != std::string::npos) break;
      }
      bool check = got.rfind("GET /health", 0) == 0;
      if (!check) {
        std::lock_guard<std::mutex> lk(mu_);
        if (first_.empty()) first_ = got;
      }
      std::string out = check ? "HTTP/1.1 " + std::to_string(http_status_) + " X\r\nContent-Length: 0\r\n\r\n"
                              : name_ + ":" + got;
      (void)!write(c, out.data(), out.size());
      close(c);
    }
  }
  std::string name_;
  int http_status_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string first_;
  std::thread thread_;
};

class Runner {
 public:
  explicit Runner(EngineConfig cfg) : engine_(std::move(cfg)) {
    std::string err;
    started_ = engine_.start(&err);
    EXPECT_TRUE(started_) << err;
    if (started_) thread_ = std::thread([this] { engine_.run(); });
  }
  ~Runner() {
    engine_.stop();
    if (thread_.joinable()) thread_.join();
  }
  Engine& engine() { return engine_; }
  uint16_t port(size_t node = 0) { return engine_.listener_port(0, node); }
  // The target's state as node `node` sees it.
  TargetHealthState state(const std::string& id, size_t node = 0) {
    auto s = engine_.target_health();
    for (const auto& g : s.target_groups)
      for (const auto& t : g.targets)
        if (t.id == id && node < t.nodes.size()) return t.nodes[node].state;
    return TargetHealthState::kUnavailable;
  }
  nlohmann::json metrics() { return nlohmann::json::parse(engine_.metrics_json()); }

 private:
  Engine engine_;
  bool started_ = false;
  std::thread thread_;
};

// Connects to `port` on `host`, sends `what`, half-closes, reads to EOF.
// "" when the connection was reset or nothing came back in 3 s.
std::string exchange(uint16_t port, const std::string& what, uint32_t host = INADDR_LOOPBACK) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa = loopback(port, host);
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && write(fd, what.data(), what.size()) > 0 &&
      ::shutdown(fd, SHUT_WR) == 0) {
    char buf[4096];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0) out.clear();
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

TargetGroupConfig group(const std::vector<const TcpBackend*>& backends, const std::vector<std::string>& zones = {}) {
  TargetGroupConfig tg;
  tg.arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
  tg.name = "web";
  tg.health_check.protocol = "TCP";
  tg.health_check.healthy_threshold = 2;
  tg.health_check.unhealthy_threshold = 2;
  tg.health_check_interval_ms = 100;
  tg.health_check_timeout_ms = 80;
  for (size_t i = 0; i < backends.size(); ++i)
    tg.targets.push_back({"t" + std::to_string(i + 1), Ipv4Address{INADDR_LOOPBACK}, backends[i]->port(),
                          i < zones.size() ? zones[i] : ""});
  return tg;
}

EngineConfig config(TargetGroupConfig tg, std::string protocol = "TCP") {
  EngineConfig c;
  c.nodes = {{"node-a", Ipv4Address{INADDR_LOOPBACK}, "us-east-1a", 0}};
  c.listeners = {{"", protocol, 0, 0}};
  c.target_groups = {std::move(tg)};
  return c;
}

TEST(NlbEngine, TcpFlowsSpreadOverHealthyTargetsAndHalfClosePassesOn) {
  TcpBackend a("A"), b("B");
  Runner r(config(group({&a, &b})));
  ASSERT_TRUE(eventually([&] { return r.state("t1") == TargetHealthState::kHealthy && r.state("t2") == TargetHealthState::kHealthy; }));
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    std::string got = exchange(r.port(), "hello");
    ASSERT_TRUE(got == "A:hello" || got == "B:hello") << got;
    seen.insert(got);
  }
  EXPECT_EQ(seen.size(), 2u) << "the flow hash uses both targets";
  auto m = r.metrics();
  EXPECT_EQ(m["NewFlowCount_TCP"], 40);
  EXPECT_GE(m["ProcessedBytes"].get<uint64_t>(), 40u * (5 + 7));
}

TEST(NlbEngine, AnUnhealthyTargetGetsNoNewFlows) {
  TcpBackend a("A"), b("B");
  Runner r(config(group({&a, &b})));
  ASSERT_TRUE(eventually([&] { return r.state("t2") == TargetHealthState::kHealthy; }));
  b.shut();
  ASSERT_TRUE(eventually([&] { return r.state("t2") == TargetHealthState::kUnhealthy; }));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(exchange(r.port(), "x"), "A:x");
}

TEST(NlbEngine, AllTargetsFailingHttpChecksFailsOpen) {
  TcpBackend a("A", 500), b("B", 500);
  TargetGroupConfig tg = group({&a, &b});
  tg.health_check.protocol = "HTTP";
  tg.health_check.path = "/health";
  tg.health_check.matcher = "200-399";
  Runner r(config(tg));
  ASSERT_TRUE(eventually([&] { return r.state("t1") == TargetHealthState::kUnhealthy && r.state("t2") == TargetHealthState::kUnhealthy; }));
  std::set<std::string> seen;
  for (int i = 0; i < 30; ++i) seen.insert(exchange(r.port(), "open"));
  EXPECT_EQ(seen, (std::set<std::string>{"A:open", "B:open"})) << "no target healthy: every target takes flows";
}

TEST(NlbEngine, TargetsStillInitialTakeNoFlowsTheClientIsReset) {
  TcpBackend a("A");  // never answers the HTTP check: no verdict for a minute
  TargetGroupConfig tg = group({&a});
  tg.health_check.protocol = "HTTP";
  tg.health_check.path = "/health";
  tg.health_check_interval_ms = 60000;
  tg.health_check_timeout_ms = 59000;
  Runner r(config(tg));
  ASSERT_TRUE(eventually([&] { return r.state("t1") == TargetHealthState::kInitial; }));
  EXPECT_EQ(exchange(r.port(), "early"), "");
  EXPECT_TRUE(eventually([&] { return r.metrics()["TCP_ELB_Reset_Count"] == 1; }));
}

TEST(NlbEngine, CrossZoneOffKeepsFlowsInTheNodesZone) {
  TcpBackend a("A"), b("B");
  EngineConfig c = config(group({&a, &b}, {"us-east-1a", "us-east-1b"}));
  c.nodes.push_back({"node-b", Ipv4Address{0x7f000002}, "us-east-1b", 0});
  Runner r(std::move(c));
  ASSERT_TRUE(eventually([&] {
    return r.state("t1", 0) == TargetHealthState::kHealthy && r.state("t2", 1) == TargetHealthState::kHealthy;
  }));
  for (int i = 0; i < 15; ++i) {
    EXPECT_EQ(exchange(r.port(0), "z"), "A:z");
    EXPECT_EQ(exchange(r.port(1), "z", 0x7f000002), "B:z");
  }
}

TEST(NlbEngine, CrossZoneOnUsesEveryZone) {
  TcpBackend a("A"), b("B");
  TargetGroupConfig tg = group({&a, &b}, {"us-east-1a", "us-east-1b"});
  tg.cross_zone = true;
  Runner r(config(tg));
  ASSERT_TRUE(eventually([&] { return r.state("t1") == TargetHealthState::kHealthy && r.state("t2") == TargetHealthState::kHealthy; }));
  std::set<std::string> seen;
  for (int i = 0; i < 30; ++i) seen.insert(exchange(r.port(), "c"));
  EXPECT_EQ(seen, (std::set<std::string>{"A:c", "B:c"}));
}

TEST(NlbEngine, ProxyProtocolV2CarriesTheClientsAddress) {
  TcpBackend a("A");
  TargetGroupConfig tg = group({&a});
  tg.proxy_protocol_v2 = true;
  Runner r(config(tg));
  ASSERT_TRUE(eventually([&] { return r.state("t1") == TargetHealthState::kHealthy; }));
  std::string got = exchange(r.port(), "data");
  ASSERT_GE(got.size(), 2u + 28 + 4) << got;
  std::string first = a.first_bytes();
  ASSERT_EQ(first.size(), 28u + 4);
  EXPECT_EQ(first.substr(0, 12), std::string("\r\n\r\n\0\r\nQUIT\n", 12));
  EXPECT_EQ(static_cast<unsigned char>(first[12]), 0x21);
  EXPECT_EQ(static_cast<unsigned char>(first[13]), 0x11);
  EXPECT_EQ(first.substr(16, 4), std::string("\x7f\0\0\x01", 4)) << "source: the client (127.0.0.1)";
  uint16_t dport;
  std::memcpy(&dport, first.data() + 26, 2);
  EXPECT_EQ(ntohs(dport), r.port()) << "destination: the listener";
  EXPECT_EQ(first.substr(28), "data");
}

TEST(NlbEngine, DeregisteredTargetDrainsThenTakesNoFlows) {
  TcpBackend a("A"), b("B");
  TargetGroupConfig tg = group({&a, &b});
  tg.deregistration_delay_ms = 300;
  Runner r(config(tg));
  ASSERT_TRUE(eventually([&] { return r.state("t1") == TargetHealthState::kHealthy && r.state("t2") == TargetHealthState::kHealthy; }));
  ASSERT_TRUE(r.engine().deregister_target("web", "t2"));
  ASSERT_TRUE(eventually([&] { return r.state("t2") == TargetHealthState::kDraining; }));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(exchange(r.port(), "d"), "A:d");
  EXPECT_TRUE(eventually([&] { return r.state("t2") == TargetHealthState::kUnused; }));
  EXPECT_FALSE(r.engine().deregister_target("no-such-group", "t1"));
}

TEST(NlbEngine, UdpDatagramsGoToATargetAndAnswersComeBackFromTheListener) {
  // A UDP echo target; the group's checks are TCP, to a TCP backend on the same port range.
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa = loopback(0);
  ASSERT_EQ(bind(u, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  socklen_t len = sizeof sa;
  getsockname(u, reinterpret_cast<sockaddr*>(&sa), &len);
  std::atomic<bool> stop{false};
  std::thread echo([&] {
    char buf[2048];
    while (!stop) {
      pollfd p{u, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(u, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n > 0) {
        std::string out = "echo:" + std::string(buf, static_cast<size_t>(n));
        sendto(u, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
      }
    }
  });
  TcpBackend checks("C");
  TargetGroupConfig tg = group({});
  tg.protocol = "UDP";
  tg.preserve_client_ip = true;
  tg.health_check.port = std::to_string(checks.port());
  tg.targets.push_back({"u1", Ipv4Address{INADDR_LOOPBACK}, ntohs(sa.sin_port), ""});
  Runner r(config(tg, "UDP"));
  ASSERT_TRUE(eventually([&] { return r.state("u1") == TargetHealthState::kHealthy; }));
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  timeval tv{3, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in nlb = loopback(r.port());
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&nlb), sizeof nlb), 0) << "answers must come from the listener";
  for (const char* msg : {"one", "two"}) {
    ASSERT_EQ(send(c, msg, std::strlen(msg), 0), static_cast<ssize_t>(std::strlen(msg)));
    char buf[64];
    ssize_t n = recv(c, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), std::string("echo:") + msg);
  }
  EXPECT_EQ(r.metrics()["NewFlowCount_UDP"], 1) << "one client address and port: one flow";
  close(c);
  stop = true;
  echo.join();
  close(u);
}

TEST(NlbEngine, TargetsAreInitialAsSoonAsItStarts) {
  // What a lab waits on (every first check done) must not see an empty view
  // before the loop runs.
  TcpBackend a("A"), b("B");
  Engine e(config(group({&a, &b})));
  std::string err;
  ASSERT_TRUE(e.start(&err)) << err;
  auto s = e.target_health();
  ASSERT_EQ(s.target_groups.size(), 1u);
  ASSERT_EQ(s.target_groups[0].targets.size(), 2u);
  for (const auto& t : s.target_groups[0].targets) {
    ASSERT_EQ(t.nodes.size(), 1u);
    EXPECT_EQ(t.nodes[0].state, TargetHealthState::kInitial);
  }
}

TEST(NlbEngine, AListenerPortInUseIsNamed) {
  TcpBackend a("A");
  EngineConfig c = config(group({&a}));
  c.listeners[0].port = a.port();
  Engine e(c);
  std::string err;
  EXPECT_FALSE(e.start(&err));
  EXPECT_EQ(err, "127.0.0.1:" + std::to_string(a.port()) + "/tcp: Address already in use");
}

}  // namespace
}  // namespace vpclab::dataplane::nlb
