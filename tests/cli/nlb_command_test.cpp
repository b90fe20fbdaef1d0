// `vpclab nlb PATH --lb ... --map ...` as a user runs it: the real binary in
// front of two python3 http.server backends on 127.0.0.1, reached with curl;
// its exit codes and messages for a bad --lb, an unmapped target, a bad --map.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/process.h"

extern char** environ;

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::vpclab;

// A port nothing listens on right now (bound, read, released).
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

// ARGV in the background, stderr to `err_file` (if given); SIGTERM on stop().
class Process {
 public:
  Process(std::vector<std::string> args, const std::string& err_file = "") {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.empty() ? "/dev/null" : err_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Process() { stop(); }
  bool started() const { return pid_ > 0; }
  // SIGTERM, then SIGKILL after 5 s; the exit status (-1: killed or not ours).
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

std::string curl(uint16_t port) {
  return run_command("curl -s -m 2 http://127.0.0.1:" + std::to_string(port) + "/", false).out;
}

std::string wait_for_answer(uint16_t port) {
  std::string body;
  for (int i = 0; i < 50 && body.empty(); ++i) {
    body = curl(port);
    if (body.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return body;
}

// python3 -m http.server serving DIR/index.html = "NAME\n".
class WebServer {
 public:
  WebServer(const fs::path& dir, const std::string& name) : port_(free_port()) {
    fs::create_directories(dir);
    std::ofstream(dir / "index.html") << name << "\n";
    proc_ = std::make_unique<Process>(std::vector<std::string>{"python3", "-m", "http.server", std::to_string(port_),
                                                               "--bind", "127.0.0.1", "--directory", dir.string()});
  }
  uint16_t port() const { return port_; }
  bool up() { return !wait_for_answer(port_).empty(); }
  void stop() { proc_->stop(); }

 private:
  uint16_t port_;
  std::unique_ptr<Process> proc_;
};

class NlbCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vpclab-nlb-cli-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // examples/nlb/nlb.yaml's NLB (FooTcpListener on port 80 -> foo-web-tcp, FooWeb1 and FooWeb2).
  std::vector<std::string> nlb_args(uint16_t listener, const WebServer& a, const WebServer& b) {
    return {VPCLAB_BINARY, "nlb", "examples/nlb/nlb.yaml", "--lb", "FooInternalNlb",
            "--map", "FooWeb1=127.0.0.1:" + std::to_string(a.port()),
            "--map", "FooWeb2=127.0.0.1:" + std::to_string(b.port()),
            "--port-offset", std::to_string(int{listener} - 80), "--health-check-interval", "0.2"};
  }
  std::string read_err() {
    std::ifstream f(dir_ / "nlb.err");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

// The printed metrics line: {"NewFlowCount_TCP": ...}.
nlohmann::json metrics_of(const std::string& err) {
  size_t at = err.find("vpclab nlb: metrics ");
  if (at == std::string::npos) return nullptr;
  size_t start = at + std::string("vpclab nlb: metrics ").size();
  return nlohmann::json::parse(err.substr(start, err.find('\n', start) - start), nullptr, false);
}

TEST_F(NlbCommand, ForwardsToBothTargetsAndPrintsItsMetricsWhenStopped) {
  WebServer web1(dir_ / "web1", "web1"), web2(dir_ / "web2", "web2");
  ASSERT_TRUE(web1.up());
  ASSERT_TRUE(web2.up());
  const uint16_t port = free_port();
  ASSERT_GT(port, 80);
  Process nlb(nlb_args(port, web1, web2), (dir_ / "nlb.err").string());
  ASSERT_TRUE(nlb.started());
  ASSERT_FALSE(wait_for_answer(port).empty()) << read_err();
  // Flows are hashed on the client's port (a new one per curl): 16 reach both targets.
  std::map<std::string, int> seen;
  for (int i = 0; i < 16; ++i) ++seen[curl(port)];
  EXPECT_EQ(seen["web1\n"] + seen["web2\n"], 16) << read_err();
  EXPECT_GT(seen["web1\n"], 0);
  EXPECT_GT(seen["web2\n"], 0);
  EXPECT_EQ(nlb.stop(), 0);
  const std::string err = read_err();
  EXPECT_NE(err.find("listening on 127.0.0.1:" + std::to_string(port) + "/tcp -> foo-web-tcp"), std::string::npos)
      << err;
  auto m = metrics_of(err);
  ASSERT_TRUE(m.is_object()) << err;
  EXPECT_GE(m["NewFlowCount_TCP"].get<int>(), 17) << err;  // the first answer and the 16
  EXPECT_EQ(m["ActiveFlowCount_TCP"], 0) << err;
  EXPECT_GT(m["ProcessedBytes"].get<int>(), 0) << err;
  EXPECT_EQ(m["LoadBalancer"].get<std::string>().rfind("net/foo-internal-nlb/", 0), 0u) << err;
}

// A target that is down fails its health check: every flow goes to the other.
TEST_F(NlbCommand, ATargetThatIsDownGetsNoFlows) {
  WebServer web1(dir_ / "web1", "web1"), web2(dir_ / "web2", "web2");
  ASSERT_TRUE(web1.up());
  web2.stop();
  const uint16_t port = free_port();
  Process nlb(nlb_args(port, web1, web2), (dir_ / "nlb.err").string());
  ASSERT_EQ(wait_for_answer(port), "web1\n") << read_err();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(curl(port), "web1\n") << i;
}

TEST_F(NlbCommand, CheckOnlyPrintsTheListenerAndExitsZero) {
  const uint16_t port = free_port();
  auto r = vpclab("nlb examples/nlb/nlb.yaml --lb FooInternalNlb --map FooWeb1=127.0.0.1:1 --map FooWeb2=127.0.0.1:2 "
                  "--port-offset " + std::to_string(int{port} - 80) + " --check-only");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("vpclab nlb: net/foo-internal-nlb/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" listening on 127.0.0.1:" + std::to_string(port) + "/tcp -> foo-web-tcp"), std::string::npos)
      << r.out;
}

TEST(NlbCommandErrors, ABadLbIsNamedWithTheKnownOnesAndExitsOne) {
  auto r = vpclab("nlb examples/nlb/nlb.yaml --lb NoSuchNlb --check-only");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("vpclab nlb: no load balancer \"NoSuchNlb\" (known: FooInternalNlb)"), std::string::npos)
      << r.out;
  auto alb = vpclab("nlb examples/nlb/nlb-to-alb.yaml --lb FooInternalAlb --check-only");
  EXPECT_EQ(alb.exit_code, 1) << alb.out;
  EXPECT_NE(alb.out.find("\"FooInternalAlb\" is an application load balancer: run it with vpclab alb"),
            std::string::npos)
      << alb.out;
  auto back = vpclab("alb examples/nlb/nlb-to-alb.yaml --lb FooInternalNlb --check-only");
  EXPECT_EQ(back.exit_code, 1) << back.out;
  EXPECT_NE(back.out.find("\"FooInternalNlb\" is a network load balancer: run it with vpclab nlb"), std::string::npos)
      << back.out;
}

TEST(NlbCommandErrors, AnUnmappedTargetOrABadMapExitsOneNamingIt) {
  auto r = vpclab("nlb examples/nlb/nlb.yaml --lb FooInternalNlb --map FooWeb1=127.0.0.1:8081 --check-only");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("of foo-web-tcp is not mapped: add --map i-"), std::string::npos) << r.out;
  auto m = vpclab("nlb examples/nlb/nlb.yaml --lb FooInternalNlb --map FooWeb1=localhost --check-only");
  EXPECT_EQ(m.exit_code, 1) << m.out;
  EXPECT_NE(m.out.find("--map FooWeb1=localhost: expected TARGET=HOST:PORT"), std::string::npos) << m.out;
}

TEST(NlbCommandErrors, NoLbOrABadIntervalIsAUsageError) {
  auto r = vpclab("nlb examples/nlb/nlb.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--lb LOGICAL_ID"), std::string::npos) << r.out;
  auto i = vpclab("nlb examples/nlb/nlb.yaml --lb FooInternalNlb --map FooWeb1=127.0.0.1:1 --map FooWeb2=127.0.0.1:2 "
                  "--health-check-interval 400 --check-only");
  EXPECT_EQ(i.exit_code, 2) << i.out;
  EXPECT_NE(i.out.find("--health-check-interval: expected 0.01 to 300 seconds"), std::string::npos) << i.out;
}

}  // namespace
}  // namespace vpclab
