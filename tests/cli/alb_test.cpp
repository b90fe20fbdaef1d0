// `vpclab alb PATH --lb ... --map ...` (template mode) as a user runs it: the
// real binary in front of two real HTTP backends on 127.0.0.1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace vpclab {
namespace {

using Clock = std::chrono::steady_clock;

// A socket bound to 127.0.0.1 on an ephemeral port; listening only once
// serve() is called, so until then connections are refused (a backend that
// is not up yet).
class Backend {
 public:
  Backend() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Backend() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }

  // Answers every request with 200 "backend PORT" and closes, until destroyed.
  void serve() {
    listen(fd_, 64);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        timeval tv{1, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string req;
        char buf[2048];
        while (req.find("\r\n\r\n") == std::string::npos && req.size() < 65536) {
          ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        std::string body = "backend " + std::to_string(port_) + "\n";
        std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body;
        (void)!write(c, resp.data(), resp.size());
        close(c);
      }
    });
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A free 127.0.0.1 port (closed again: the ALB binds it right after).
uint16_t free_port() {
  Backend b;
  return b.port();
}

// GET / from 127.0.0.1:port; the status code, or -1 when no HTTP answer.
int http_get(uint16_t port, std::string* body = nullptr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    close(fd);
    return -1;
  }
  std::string req = "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string resp;
  char buf[4096];
  ssize_t n;
  while (resp.size() < 65536 && (n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  if (resp.size() < 12 || resp.compare(0, 7, "HTTP/1.") != 0) return -1;
  size_t b = resp.find("\r\n\r\n");
  if (body && b != std::string::npos) *body = resp.substr(b + 4);
  return std::atoi(resp.c_str() + 9);
}

// `vpclab ARGS...` in the background, stopped with SIGTERM (then SIGKILL) on destruction.
class Running {
 public:
  explicit Running(std::vector<std::string> args) {
    args.insert(args.begin(), VPCLAB_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);  // access log
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Running() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {  // 5 s at most
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  bool started() const { return pid_ > 0; }
  bool alive() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

// Polls GET / until `want` or the deadline; the last status seen.
int wait_for_status(uint16_t port, int want, std::chrono::milliseconds within, std::string* body = nullptr) {
  auto deadline = Clock::now() + within;
  int status = -1;
  while (Clock::now() < deadline) {
    status = http_get(port, body);
    if (status == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return status;
}

// Each test runs with one event loop and with two (`--workers 2`).
class AlbCommand : public ::testing::TestWithParam<int> {
 protected:
  std::string workers() const { return std::to_string(GetParam()); }
};
std::string workers_name(const ::testing::TestParamInfo<int>& info) { return "workers" + std::to_string(info.param); }
INSTANTIATE_TEST_SUITE_P(Workers, AlbCommand, ::testing::Values(1, 2), workers_name);

std::vector<std::string> template_args(const Backend& web1, const Backend& web2, uint16_t listener_port,
                                       const std::string& workers) {
  // The scenario's FooHttpListener is on port 80.
  return {"alb", "examples/scenario/same-account.yaml", "--lb", "FooInternalAlb",
          "--map", "FooWeb1=127.0.0.1:" + std::to_string(web1.port()),
          "--map", "FooWeb2=127.0.0.1:" + std::to_string(web2.port()),
          "--port-offset", std::to_string(int{listener_port} - 80), "--workers", workers};
}

// Backends already up: the first check passes and makes both targets healthy
// (a new target needs one passing check, not HealthyThresholdCount).
TEST_P(AlbCommand, TemplateModeServesThroughListenerWhenBackendsAreUp) {
  Backend web1, web2;
  web1.serve();
  web2.serve();
  uint16_t port = free_port();
  ASSERT_GT(port, 80);
  Running alb(template_args(web1, web2, port, workers()));
  ASSERT_TRUE(alb.started());
  std::string body;
  EXPECT_EQ(wait_for_status(port, 200, std::chrono::seconds(5), &body), 200);
  EXPECT_EQ(body.rfind("backend ", 0), 0u) << body;
  EXPECT_TRUE(alb.alive());
}

// Backends that come up after the ALB fail its first check and stay initial
// (503) until the next one: with the AWS default interval that is 30 s;
// --health-check-interval brings them in within a second.
TEST_P(AlbCommand, TemplateModeBackendsStartingLateGoHealthyWithShortInterval) {
  Backend web1, web2;  // bound, not listening yet: connection refused
  // A port picked free can be taken by a test beside it before the ALB
  // binds it (the ALB then exits): up to three ports.
  uint16_t port = 0;
  std::unique_ptr<Running> alb;
  int status = 0;
  for (int attempt = 0; attempt < 3 && status != 503; ++attempt) {
    port = free_port();
    ASSERT_GT(port, 80);
    auto args = template_args(web1, web2, port, workers());
    args.insert(args.end(), {"--health-check-interval", "0.2"});
    alb = std::make_unique<Running>(args);
    ASSERT_TRUE(alb->started());
    status = wait_for_status(port, 503, std::chrono::seconds(3));
    if (status != 503 && alb->alive()) break;  // ours, answering otherwise: a failure
  }
  EXPECT_EQ(status, 503) << "no target is healthy yet";
  web1.serve();
  web2.serve();
  EXPECT_EQ(wait_for_status(port, 200, std::chrono::seconds(5)), 200);
  // Both targets serve: round robin reaches each within a few requests.
  std::string a, b;
  for (int i = 0; i < 6; ++i) {
    std::string body;
    if (http_get(port, &body) == 200) (body.find(std::to_string(web1.port())) != std::string::npos ? a : b) = body;
  }
  EXPECT_FALSE(a.empty());
  EXPECT_FALSE(b.empty());
}

// `vpclab ARGS... EXTRA 2>&1`: the exit status, the output in *out.
int run_captured(const std::vector<std::string>& args, const std::string& extra, std::string* out) {
  std::string cmd = VPCLAB_BINARY;
  for (const auto& a : args) cmd += " " + a;
  FILE* p = popen((cmd + " " + extra + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_P(AlbCommand, HealthCheckIntervalOutOfRangeIsAUsageError) {
  Backend web1, web2;
  std::string out;
  EXPECT_EQ(run_captured(template_args(web1, web2, 18080, workers()), "--health-check-interval 0.001 --check-only", &out),
            2)
      << out;
  EXPECT_NE(out.find("--health-check-interval"), std::string::npos) << out;
}

TEST(AlbWorkers, ZeroOrTooManyWorkersIsAUsageErrorNamingTheFlag) {
  Backend web1, web2;
  for (const char* n : {"0", "-1", "65"}) {
    std::string out;
    EXPECT_EQ(run_captured(template_args(web1, web2, 18080, n), "--check-only", &out), 2) << n << ": " << out;
    EXPECT_NE(out.find("--workers: expected 1 to 64"), std::string::npos) << out;
  }
}

// Two workers bind the same port (SO_REUSEPORT): both report it, and a
// second ALB on that port still fails as with one worker.
TEST(AlbWorkers, TwoWorkersListenOnOnePortThatStaysExclusive) {
  Backend web1, web2;
  web1.serve();
  web2.serve();
  uint16_t port = free_port();
  ASSERT_GT(port, 80);
  Running alb(template_args(web1, web2, port, "2"));
  ASSERT_EQ(wait_for_status(port, 200, std::chrono::seconds(5)), 200);
  std::string out;
  EXPECT_EQ(run_captured(template_args(web1, web2, port, "1"), "--check-only", &out), 1) << out;
  EXPECT_NE(out.find("Address already in use"), std::string::npos) << out;
}

// Runs `vpclab alb ARGS`, gets one 200 through the listener on `port`, stops
// it, and returns the target group ARN its access log shows.
std::string target_group_arn_logged(std::vector<std::string> args, uint16_t port, const std::string& log) {
  std::remove(log.c_str());
  args.insert(args.begin(), "alb");
  args.insert(args.end(), {"--access-log", log});
  int status = -1;
  {
    Running alb(args);
    status = wait_for_status(port, 200, std::chrono::seconds(10));
    // The line is written once the engine has seen the exchange end (the
    // client's close may come after its 200): wait for it, 5 s at most.
    for (int i = 0; i < 100 && status == 200; ++i) {
      std::ifstream probe(log);
      std::string line;
      if (std::getline(probe, line) && !line.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }  // stopped: the log is complete
  if (status != 200) return "no 200 through the listener (last " + std::to_string(status) + ")";
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  std::smatch m;
  std::string text = ss.str();
  static const std::regex kArn("arn:aws:elasticloadbalancing:[^ ]*:targetgroup/[^ ]+");
  return std::regex_search(text, m, kArn) ? m.str() : "no target group ARN in the log: " + text;
}

// One ARN derivation (vocab/aws_id) for every path: the same target group
// name, account and region give the same ARN from a template and from --config.
class AlbArn : public AlbCommand {};
INSTANTIATE_TEST_SUITE_P(Workers, AlbArn, ::testing::Values(1, 2), workers_name);

TEST_P(AlbArn, TemplateAndEngineConfigGiveTheSameTargetGroupArn) {
  Backend web;
  web.serve();
  const std::string dir = ::testing::TempDir();
  // Template path: the scenario's FooWebTargetGroup (Name: foo-web), both
  // targets mapped to the one backend, the listener's 80 moved to a free port.
  // A free port can be taken by a test running beside this one before the
  // ALB binds it: each side tries up to three ports.
  std::string from_template, from_config;
  for (int attempt = 0; attempt < 3 && from_template.rfind("arn:", 0) != 0; ++attempt) {
    uint16_t p1 = free_port();
    from_template = target_group_arn_logged(
        {"examples/scenario/same-account.yaml", "--lb", "FooInternalAlb", "--map",
         "FooWeb1=127.0.0.1:" + std::to_string(web.port()), "--map", "FooWeb2=127.0.0.1:" + std::to_string(web.port()),
         "--port-offset", std::to_string(int{p1} - 80), "--workers", workers()},
        p1, dir + "/arn-template.log");
  }
  // Engine-config path: a target group of the same name, account and region.
  for (int attempt = 0; attempt < 3 && from_config.rfind("arn:", 0) != 0; ++attempt) {
    uint16_t p2 = free_port();
    const std::string cfg = dir + "/arn-engine.json";
    {
      std::ofstream f(cfg);
      f << R"({"name": "other-alb", "region": "ap-northeast-1", "account": "123456789012",
  "listeners": [{"port": )" << p2 << R"(, "default_actions": [{"type": "forward", "target_group": "foo-web"}]}],
  "target_groups": [{"name": "foo-web", "port": 8080,
                     "targets": [{"address": "127.0.0.1", "port": )" << web.port() << R"(}]}]})";
    }
    from_config = target_group_arn_logged({"--config", cfg, "--workers", workers()}, p2, dir + "/arn-engine.log");
  }
  EXPECT_EQ(from_template.rfind("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/foo-web/", 0), 0u)
      << from_template;
  EXPECT_EQ(from_template, from_config);
}

}  // namespace
}  // namespace vpclab
