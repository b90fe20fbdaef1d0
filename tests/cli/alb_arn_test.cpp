// One id/ARN derivation for every path (issue 10 item 9): the target group
// `foo-web` of account 123456789012 in ap-northeast-1 has the same ARN in
// the access log whether the engine was configured from the template
// (`vpclab alb TEMPLATE --lb ...`) or from its own JSON (`vpclab alb --config`).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace vpclab {
namespace {

// An HTTP backend on 127.0.0.1 answering 200 to everything.
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
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        const std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
        (void)!write(c, resp.data(), resp.size());
        close(c);
      }
    });
  }
  ~Backend() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

int http_get(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    close(fd);
    return -1;
  }
  const std::string req = "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  return resp.compare(0, 7, "HTTP/1.") == 0 && resp.size() > 12 ? std::atoi(resp.c_str() + 9) : -1;
}

// Runs `vpclab alb ARGS`, gets one 200 through the listener on `port`, stops
// it, and returns the target group ARN its access log shows.
std::string target_group_arn_logged(std::vector<std::string> args, uint16_t port, const std::string& log) {
  std::remove(log.c_str());
  args.insert(args.begin(), {VPCLAB_BINARY, "alb"});
  args.insert(args.end(), {"--access-log", log});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return "spawn failed";
  int status = -1;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = http_get(port);
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  if (status != 200) return "no 200 through the listener (last " + std::to_string(status) + ")";
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  std::smatch m;
  std::string text = ss.str();
  static const std::regex kArn("arn:aws:elasticloadbalancing:[^ ]*:targetgroup/[^ ]+");
  return std::regex_search(text, m, kArn) ? m.str() : "no target group ARN in the log: " + text;
}

TEST(AlbArn, TemplateAndEngineConfigGiveTheSameTargetGroupArn) {
  Backend web;
  const std::string dir = ::testing::TempDir();
  // Template path: the scenario's FooWebTargetGroup (Name: foo-web), both
  // targets mapped to the one backend, the listener's 80 moved to a free port.
  uint16_t p1 = free_port();
  std::string from_template = target_group_arn_logged(
      {"examples/scenario/same-account.yaml", "--lb", "FooInternalAlb", "--map",
       "FooWeb1=127.0.0.1:" + std::to_string(web.port()), "--map", "FooWeb2=127.0.0.1:" + std::to_string(web.port()),
       "--port-offset", std::to_string(int{p1} - 80)},
      p1, dir + "/arn-template.log");
  // Engine-config path: a target group of the same name, account and region.
  uint16_t p2 = free_port();
  const std::string cfg = dir + "/arn-engine.json";
  {
    std::ofstream f(cfg);
    f << R"({"name": "other-alb", "region": "ap-northeast-1", "account": "123456789012",
  "listeners": [{"port": )" << p2 << R"(, "default_actions": [{"type": "forward", "target_group": "foo-web"}]}],
  "target_groups": [{"name": "foo-web", "port": 8080,
                     "targets": [{"address": "127.0.0.1", "port": )" << web.port() << R"(}]}]})";
  }
  std::string from_config = target_group_arn_logged({"--config", cfg}, p2, dir + "/arn-engine.log");
  EXPECT_EQ(from_template.rfind("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/foo-web/", 0), 0u)
      << from_template;
  EXPECT_EQ(from_template, from_config);
}

}  // namespace
}  // namespace vpclab
