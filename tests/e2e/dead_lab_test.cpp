// A lab whose supervisor was killed with SIGKILL: the kernel takes its
// processes and namespaces, only its directory under the lab root stays.
// `vpclab status` reports it as dead (and leaves it), `vpclab down` removes it
// and exits 0 saying so (docs/emulator.md "Dead labs").
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "../support/process.h"
#include "emulator/lab.h"

namespace {

using vpclab::testing::run_command;
using vpclab::testing::vpclab;

const std::string kScenario = std::string(VPCLAB_SOURCE_DIR) + "/examples/scenario/same-account.yaml";

std::string ns_link(pid_t pid, const char* kind) {
  char buf[128];
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + kind;
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Clock ticks since boot, as /proc/PID/stat's starttime counts them.
unsigned long long ticks_now() {
  double up = 0;
  std::ifstream("/proc/uptime") >> up;
  return static_cast<unsigned long long>(up * static_cast<double>(sysconf(_SC_CLK_TCK)));
}

unsigned long long start_ticks(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  auto paren = line.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(line.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && in >> field; ++i)
    if (i == 22) return std::stoull(field);
  return 0;
}

// Host processes whose namespace of `kind` is one of `links`, started no later
// than `before` (namespace inodes are recycled: another test's new lab may
// get one of ours once it is free).
size_t processes_in(const std::set<std::string>& links, const char* kind, unsigned long long before = ~0ull) {
  size_t n = 0;
  DIR* d = opendir("/proc");
  while (dirent* e = d ? readdir(d) : nullptr) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid > 0 && links.count(ns_link(pid, kind)) && start_ticks(pid) <= before) ++n;
  }
  if (d) closedir(d);
  return n;
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

TEST(DeadLab, DownRemovesWhatAKilledSupervisorLeft) {
  std::string why = vpclab::emulator::namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  const std::string name = "dead-" + std::to_string(getpid());
  const std::string dir = vpclab::emulator::lab_dir(name);
  const std::string host_netns_before = run_command("ip netns list").out;

  auto up = vpclab("up " + kScenario + " --name " + name);
  ASSERT_EQ(up.exit_code, 0) << up.out;
  pid_t supervisor = -1;
  std::ifstream(dir + "/pid") >> supervisor;
  ASSERT_GT(supervisor, 0);
  auto st = vpclab::emulator::lab_status(name, nullptr);
  ASSERT_TRUE(st);
  std::set<std::string> nets, pids = {ns_link(supervisor, "pid")};
  for (const auto& n : st->namespaces) nets.insert("net:[" + std::to_string(n.inode) + "]");
  ASSERT_GE(nets.size(), 5u);                      // routers, instances, ALB nodes, internet
  ASSERT_GE(processes_in(pids, "pid"), 3u);        // supervisor, UserData web servers, data plane

  const unsigned long long killed_at = ticks_now() + 1;
  ASSERT_EQ(kill(supervisor, SIGKILL), 0);
  auto left_pid = [&] { return processes_in(pids, "pid", killed_at); };
  auto left_net = [&] { return processes_in(nets, "net", killed_at); };
  for (int i = 0; i < 300 && (left_pid() > 0 || left_net() > 0); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(left_pid(), 0u) << "the kernel should have taken every lab process";
  EXPECT_EQ(left_net(), 0u) << "a process is still in a lab network namespace";
  ASSERT_TRUE(exists(dir)) << "the directory is what a killed supervisor leaves";

  // status: dead, with the way out; nothing removed (the logs stay readable).
  auto status = vpclab("status " + name);
  EXPECT_EQ(status.exit_code, 1) << status.out;
  EXPECT_NE(status.out.find("lab '" + name + "' is dead"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("vpclab down " + name), std::string::npos) << status.out;
  EXPECT_TRUE(exists(dir + "/logs"));
  auto status_json = vpclab("status " + name + " --json", false);
  EXPECT_NE(status_json.out.find("\"state\": \"dead\""), std::string::npos) << status_json.out;

  // down: exit 0, says what it found and did; nothing of the lab is left.
  auto down = vpclab("down " + name);
  EXPECT_EQ(down.exit_code, 0) << down.out;
  EXPECT_NE(down.out.find("lab '" + name + "' is dead"), std::string::npos) << down.out;
  EXPECT_NE(down.out.find("removed it"), std::string::npos) << down.out;
  EXPECT_FALSE(exists(dir));
  EXPECT_EQ(left_pid(), 0u);
  EXPECT_EQ(left_net(), 0u) << "a process is still in a lab network namespace";
  EXPECT_EQ(run_command("ip netns list").out, host_netns_before) << "the host's `ip netns` changed";
  auto ps = run_command("ps -eo args");
  EXPECT_EQ(ps.out.find(dir), std::string::npos) << "a process still refers to " << dir;

  // Once removed, the lab is simply not running.
  auto again = vpclab("down " + name);
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find("not running"), std::string::npos) << again.out;
}

}  // namespace
