// Two workers (EngineConfig::workers = 2, `vpclab alb --workers 2`): the
// kernel spreads new connections over both loops, and the load balancer
// still behaves as one: a stickiness cookie set by one worker holds on the
// other, one health checker's transitions reach both, deregistration drains
// on both. Each test first makes sure both workers served requests
// (metrics.json "Workers"), so it cannot pass on one loop alone.
#include <gtest/gtest.h>

#include <regex>

#include "alb_test_util.h"

namespace vpclab::dataplane::alb::testing {
namespace {

constexpr int kConns = 40;  // new connections: all on one of two workers by chance 2 * 2^-40

// RequestCount of each worker, from metrics.json.
std::vector<long> worker_requests(Engine& e) {
  std::string j = e.metrics_json();
  std::vector<long> out;
  size_t at = j.find("\"Workers\":[");
  if (at == std::string::npos) return out;
  static const std::regex kCount("\"RequestCount\":([0-9]+)");
  std::string tail = j.substr(at, j.find(']', at) - at);
  for (std::sregex_iterator it(tail.begin(), tail.end(), kCount), end; it != end; ++it)
    out.push_back(std::stol((*it)[1]));
  return out;
}

bool both_served(Engine& e) {
  auto w = worker_requests(e);
  return w.size() == 2 && w[0] > 0 && w[1] > 0;
}

EngineConfig two_workers(EngineConfig c) {
  c.workers = 2;
  return c;
}

bool no_initial(RunningEngine& e) {
  std::string j = e.engine().target_health_json();
  return j.find("\"initial\"") == std::string::npos && j.find("\"unhealthy\"") == std::string::npos;
}

TEST(AlbWorkers, NewConnectionsReachBothWorkersAndOneCheckerChecks) {
  Backend b1("b1");
  auto cfg = two_workers(basic_config({&b1}));
  cfg.target_groups[0].health_check_interval_ms = 50;
  RunningEngine e(cfg);
  ASSERT_TRUE(e.ok()) << e.error();
  ASSERT_TRUE(eventually([&] { return no_initial(e); }));
  for (int i = 0; i < kConns; ++i) ASSERT_EQ(roundtrip(e.port(), get("/")).status, 200);
  EXPECT_TRUE(both_served(e.engine())) << e.engine().metrics_json();
  EXPECT_NE(e.engine().metrics_json().find("\"RequestCount\":" + std::to_string(kConns)), std::string::npos)
      << "summed over the workers: " << e.engine().metrics_json();
  // One checker: about one check per interval, not one per worker.
  size_t before = b1.health_checks().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  size_t checks = b1.health_checks().size() - before;
  EXPECT_GE(checks, 5u);
  EXPECT_LE(checks, 1000u / 50 + 4) << "two checkers would make about 40";
}

TEST(AlbWorkers, StickinessCookieFromOneWorkerHoldsOnTheOther) {
  Backend b1("b1"), b2("b2");
  auto cfg = two_workers(basic_config({&b1, &b2}));
  cfg.target_groups[0].attributes.stickiness_enabled = true;
  RunningEngine e(cfg);
  ASSERT_TRUE(eventually([&] { return no_initial(e); }));
  auto first = roundtrip(e.port(), get("/"));
  ASSERT_EQ(first.status, 200);
  auto cookies = first.headers("Set-Cookie");
  ASSERT_FALSE(cookies.empty()) << first.head;
  std::string cookie = cookies[0].substr(0, cookies[0].find(';'));
  std::string who = first.body.substr(0, 2);
  for (int i = 0; i < kConns; ++i)
    EXPECT_EQ(roundtrip(e.port(), get("/", "Cookie: " + cookie + "\r\n")).body.substr(0, 2), who) << i;
  EXPECT_TRUE(both_served(e.engine())) << e.engine().metrics_json();
  // Without the cookie, round robin still alternates across workers (one shared balancer).
  std::string seq;
  for (int i = 0; i < 6; ++i) seq += roundtrip(e.port(), get("/")).body.substr(0, 2);
  EXPECT_TRUE(seq == "b1b2b1b2b1b2" || seq == "b2b1b2b1b2b1") << seq;
}

TEST(AlbWorkers, HealthTransitionsReachBothWorkers) {
  std::atomic<int> hc_status{200};
  Backend b1("b1", [&](const ReceivedRequest& r) {
    if (r.path == "/health") return BackendReply{"HTTP/1.1 " + std::to_string(hc_status.load()) + " X\r\nContent-Length: 0\r\n\r\n"};
    return BackendReply{ok_response("b1")};
  });
  Backend b2("b2");
  auto cfg = two_workers(basic_config({&b1, &b2}));
  RunningEngine e(cfg);
  ASSERT_TRUE(eventually([&] { return no_initial(e); }));
  hc_status = 500;
  ASSERT_TRUE(eventually([&] { return e.engine().target_health_json().find("Target.ResponseCodeMismatch") != std::string::npos; }));
  for (int i = 0; i < kConns; ++i) EXPECT_EQ(roundtrip(e.port(), get("/")).body.substr(0, 2), "b2") << i;
  EXPECT_TRUE(both_served(e.engine())) << e.engine().metrics_json();
  hc_status = 200;
  ASSERT_TRUE(eventually([&] { return no_initial(e); })) << e.engine().target_health_json();
  size_t b1_before = b1.request_count("/");
  for (int i = 0; i < kConns; ++i) EXPECT_EQ(roundtrip(e.port(), get("/")).status, 200);
  EXPECT_GE(b1.request_count("/") - b1_before, static_cast<size_t>(kConns / 2 - 1)) << "healthy again on both";
}

TEST(AlbWorkers, DeregistrationDrainsOnBothWorkers) {
  Backend b1("b1", [](const ReceivedRequest& r) {
    if (r.path == "/long") return BackendReply{"", false, true};
    return BackendReply{ok_response("b1")};
  });
  Backend b2("b2");
  auto cfg = two_workers(basic_config({&b1, &b2}));
  cfg.target_groups[0].deregistration_delay_ms = 300;
  cfg.idle_timeout_ms = 5000;
  RunningEngine e(cfg);
  ASSERT_TRUE(eventually([&] { return no_initial(e); }));
  // Long requests on many connections: round robin puts half of them on b1,
  // and the kernel puts them on both workers.
  std::vector<int> fds;
  for (int i = 0; i < 16; ++i) {
    int fd = connect_to(e.port());
    ASSERT_GE(fd, 0);
    send_all(fd, get("/long"));
    fds.push_back(fd);
  }
  ASSERT_TRUE(eventually([&] { return b1.request_count("/long") + b2.request_count("/long") == 16; }));
  ASSERT_TRUE(both_served(e.engine())) << e.engine().metrics_json();
  ASSERT_TRUE(e.engine().deregister_target("web", "b1"));
  for (int i = 0; i < kConns; ++i) EXPECT_EQ(roundtrip(e.port(), get("/")).body.substr(0, 2), "b2") << i;
  // After the delay every request still in flight to b1 gets 502, whichever worker holds it.
  auto start = std::chrono::steady_clock::now();
  size_t got_502 = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) > 0) {
      std::string pending;
      if (read_response(fd, pending).status == 502) ++got_502;
    }
    close(fd);
  }
  EXPECT_EQ(got_502, b1.request_count("/long"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));
  EXPECT_NE(e.engine().target_health_json().find("Target.NotRegistered"), std::string::npos);
}

}  // namespace
}  // namespace vpclab::dataplane::alb::testing
