// Labs for real: namespaces, veths, bridges, a supervisor that takes
// everything with it when killed. Needs namespaces (ctest label netns); skips
// with a message where they cannot be created.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "../support/lab_probe.h"
#include "emulator/lab.h"
#include "emulator/plan.h"

using namespace vpclab;
using namespace vpclab::emulator;

namespace {

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

// Two "ENI" namespaces on a bridge in a "switch" namespace; `b` listens on
// TCP 8080 (python3's http.server, as UserData would).
LabPlan two_on_a_bridge() {
  LabPlan p;
  p.namespaces = {{"sw", NetnsRole::kVpcRouter, "vpc-test", {}, {}}, {"a", NetnsRole::kEni, "i-a", {}, {}}, {"b", NetnsRole::kEni, "i-b", {}, {}}};
  p.namespaces[1].hostname = "ip-10-0-0-10";
  p.namespaces[1].etc_files = {{"resolv.conf", "nameserver 10.0.0.2\n"}};
  p.bridges = {{"sw", "br0"}};
  p.veths = {{"a", "eth0", "", "sw", "e0", "br0"}, {"b", "eth0", "", "sw", "e1", "br0"}};
  p.addresses = {{"a", "eth0", ip("10.0.0.10"), 24}, {"b", "eth0", ip("10.0.0.11"), 24}};
  p.processes = {{"b/http", "b", {"python3", "-m", "http.server", "8080", "--bind", "10.0.0.11"}, {}, "work/b", "logs/b.log"},
                 {"a/sleep", "a", {"sleep", "600"}, {}, "", ""}};
  return p;
}

std::string lab_name(const char* base) { return std::string(base) + "-" + std::to_string(getpid()); }

using vpclab::testing::lab_capture;

// TCP connect from `ns` to addr:port within `seconds`; bash's /dev/tcp, so
// no extra tool is needed. Retries while the listener starts.
bool tcp_connects(const std::string& lab, const std::string& ns, const std::string& addr, int port, int tries = 1) {
  for (int i = 0; i < tries; ++i) {
    std::string out;
    int rc = lab_capture(lab, ns, {"timeout", "1", "bash", "-c", "exec 3<>/dev/tcp/" + addr + "/" + std::to_string(port)}, &out);
    if (rc == 0) return true;
    if (i + 1 < tries) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

std::string ns_link(pid_t pid, const char* kind) {
  char buf[128];
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + kind;
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::string(buf, static_cast<size_t>(n));
}

// Host processes whose namespace of `kind` is one of `links` ("net:[123]").
std::vector<pid_t> processes_in(const std::set<std::string>& links, const char* kind) {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  while (dirent* e = d ? readdir(d) : nullptr) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid <= 0) continue;
    if (links.count(ns_link(pid, kind))) out.push_back(pid);
  }
  if (d) closedir(d);
  return out;
}

class LabTest : public ::testing::TestWithParam<UserNamespaceMode> {
 protected:
  void SetUp() override {
    std::string why = namespace_support_problem(GetParam());
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
  LabOptions options(const std::string& name) {
    LabOptions o;
    o.name = name;
    o.user_namespace = GetParam();
    o.die_with_parent = true;
    return o;
  }
};

TEST_P(LabTest, TwoNamespacesOnABridgeTalkAndExecPassesExitCodes) {
  std::string name = lab_name("bridge");
  LabStart s = start_lab(two_on_a_bridge(), options(name));
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_TRUE(tcp_connects(name, "a", "10.0.0.11", 8080, 25));
  EXPECT_FALSE(tcp_connects(name, "a", "10.0.0.11", 8081));  // nothing listens there: refused

  std::string out;
  EXPECT_EQ(lab_capture(name, "a", {"sh", "-c", "echo hello; exit 7"}, &out), 7);
  EXPECT_EQ(out, "hello\n");
  // The command runs in the namespace: its address is there.
  EXPECT_EQ(lab_capture(name, "b", {"ip", "-4", "-o", "addr", "show", "dev", "eth0"}, &out), 0);
  EXPECT_NE(out.find("10.0.0.11/24"), std::string::npos) << out;
  // Processes see the namespace's hostname and /etc files; others the host's.
  EXPECT_EQ(lab_capture(name, "a", {"sh", "-c", "hostname; cat /etc/resolv.conf"}, &out), 0);
  EXPECT_EQ(out, "ip-10-0-0-10\nnameserver 10.0.0.2\n");
  EXPECT_EQ(lab_capture(name, "b", {"cat", "/etc/resolv.conf"}, &out), 0);
  EXPECT_EQ(out.find("nameserver 10.0.0.2"), std::string::npos) << out;
  EXPECT_EQ(lab_capture(name, "nosuch", {"true"}, &out), -1);
  EXPECT_NE(out.find("no namespace 'nosuch'"), std::string::npos) << out;

  auto st = lab_status(name, nullptr);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->namespaces.size(), 3u);
  ASSERT_EQ(st->processes.size(), 2u);
  for (const auto& p : st->processes) EXPECT_TRUE(p.running) << p.name;
  auto labs = list_labs();
  EXPECT_NE(std::find(labs.begin(), labs.end(), name), labs.end());

  std::string err;
  EXPECT_TRUE(stop_lab(name, &err)) << err;
  EXPECT_FALSE(lab_status(name, nullptr));
  struct stat sb {};
  EXPECT_NE(stat(lab_dir(name).c_str(), &sb), 0) << "lab directory left behind";
}

TEST_P(LabTest, KillingTheSupervisorLeavesNothingBehind) {
  std::string name = lab_name("kill");
  LabStart s = start_lab(two_on_a_bridge(), options(name));
  ASSERT_TRUE(s.ok) << s.error;
  auto st = lab_status(name, nullptr);
  ASSERT_TRUE(st);
  std::set<std::string> nets;
  for (const auto& n : st->namespaces) nets.insert("net:[" + std::to_string(n.inode) + "]");
  std::set<std::string> pids = {ns_link(s.supervisor, "pid")};
  std::set<std::string> mnts = {ns_link(s.supervisor, "mnt")};
  ASSERT_EQ(nets.size(), 3u);
  // While it runs, the lab's processes are there (sleep, http.server, PID 1).
  EXPECT_GE(processes_in(pids, "pid").size(), 3u);

  kill(s.supervisor, SIGKILL);
  int wst = 0;
  waitpid(s.supervisor, &wst, 0);
  std::vector<pid_t> left_pid, left_net, left_mnt;
  for (int i = 0; i < 100; ++i) {
    left_pid = processes_in(pids, "pid");
    left_net = processes_in(nets, "net");
    left_mnt = processes_in(mnts, "mnt");
    if (left_pid.empty() && left_net.empty() && left_mnt.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(left_pid.empty()) << left_pid.size() << " lab processes survived";
  EXPECT_TRUE(left_net.empty()) << "a process is still in a lab network namespace";
  EXPECT_TRUE(left_mnt.empty()) << "the lab's mount namespace (holding /run/netns) is still in use";
  // The stale control socket does not make the lab look alive: it is dead,
  // status says so and leaves the directory (its logs) alone...
  std::string err;
  EXPECT_FALSE(lab_status(name, &err));
  EXPECT_NE(err.find("is dead"), std::string::npos) << err;
  EXPECT_NE(err.find("vpclab down " + name), std::string::npos) << err;
  EXPECT_EQ(lab_presence(name).presence, LabPresence::kDead);
  EXPECT_EQ(lab_presence(name).supervisor, s.supervisor);
  auto dead = list_dead_labs();
  EXPECT_NE(std::find(dead.begin(), dead.end(), name), dead.end());
  auto running = list_labs();
  EXPECT_EQ(std::find(running.begin(), running.end(), name), running.end());
  struct stat sb {};
  EXPECT_EQ(stat(lab_dir(name).c_str(), &sb), 0);
  // ...and stop_lab removes what it left, as a success.
  bool was_dead = false;
  EXPECT_TRUE(stop_lab(name, &err, &was_dead)) << err;
  EXPECT_TRUE(was_dead);
  EXPECT_NE(stat(lab_dir(name).c_str(), &sb), 0);
  EXPECT_EQ(lab_presence(name).presence, LabPresence::kAbsent);
  // A lab that never was is still an error.
  EXPECT_FALSE(stop_lab(name, &err, &was_dead));
  EXPECT_FALSE(was_dead);
  EXPECT_NE(err.find("not running"), std::string::npos) << err;
}

TEST_P(LabTest, FailingStepIsNamedAndNothingRemains) {
  std::string name = lab_name("fail");
  LabPlan p = two_on_a_bridge();
  p.addresses.push_back({"a", "eth0", ip("10.0.0.10"), 24});  // the same address twice
  std::vector<std::string> progress;
  LabOptions o = options(name);
  o.progress = [&](const std::string& line) { progress.push_back(line); };
  LabStart s = start_lab(p, o);
  ASSERT_FALSE(s.ok);
  EXPECT_NE(s.error.find("configure links, addresses, routes and rules in a"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("addr add 10.0.0.10/24 dev eth0"), std::string::npos) << s.error;
  EXPECT_FALSE(progress.empty());
  EXPECT_FALSE(lab_status(name, nullptr));
  struct stat sb {};
  EXPECT_NE(stat(lab_dir(name).c_str(), &sb), 0);
}

TEST_P(LabTest, SameNameTwiceIsRefused) {
  std::string name = lab_name("twice");
  LabPlan p;
  p.namespaces = {{"x", NetnsRole::kOther, "", {}, {}}};
  LabStart s = start_lab(p, options(name));
  ASSERT_TRUE(s.ok) << s.error;
  LabStart again = start_lab(p, options(name));
  EXPECT_FALSE(again.ok);
  EXPECT_NE(again.error.find("already running"), std::string::npos) << again.error;
  EXPECT_TRUE(stop_lab(name, nullptr));
}

INSTANTIATE_TEST_SUITE_P(Modes, LabTest, ::testing::Values(UserNamespaceMode::kAuto, UserNamespaceMode::kAlways),
                         [](const auto& info) { return info.param == UserNamespaceMode::kAuto ? "Auto" : "UserNamespace"; });

// ------------------------------------------------------------ plan checks

TEST(LabPlan, StepsRunInDependencyOrder) {
  LabPlan p = two_on_a_bridge();
  p.routes = {{"a", 254, *Ipv4Cidr::parse("0.0.0.0/0"), RouteType::kUnicast, ip("10.0.0.1"), "eth0"}};
  p.rules = {{"sw", 1000, "br0", 1000u}, {"sw", 1001, "br0", std::nullopt}};
  p.sysctls = {{"sw", "net.ipv4.ip_forward", "1"}};
  auto steps = plan_steps(p);
  std::vector<std::string> d;
  for (const auto& s : steps) d.push_back(s.description);
  auto pos = [&](const std::string& prefix) {
    for (size_t i = 0; i < d.size(); ++i)
      if (d[i].rfind(prefix, 0) == 0) return i;
    return d.size();
  };
  // Few forks: one batch for all namespaces, one for all links, one per namespace.
  EXPECT_EQ(d.front(), "create 3 network namespaces");
  EXPECT_LT(pos("create 3 network namespaces"), pos("set net.ipv4.ip_forward"));
  EXPECT_LT(pos("set net.ipv4.ip_forward"), pos("create 1 bridges and 2 veth pairs"));
  EXPECT_LT(pos("create 1 bridges"), pos("configure links, addresses, routes and rules in sw"));
  EXPECT_LT(pos("configure links, addresses, routes and rules in a"), pos("start b/http"));
  EXPECT_EQ(steps.size(), 1u + 1u + 1u + 3u + 2u);  // namespaces, sysctl, links, 3 namespaces, 2 processes
  for (const auto& s : steps) {
    if (s.description == "create 1 bridges and 2 veth pairs") {
      EXPECT_EQ(s.argv, (std::vector<std::string>{"ip", "-batch", "-"}));
      EXPECT_NE(s.input.find("link add br0 netns sw type bridge\n"), std::string::npos) << s.input;
    }
    if (s.description == "configure links, addresses, routes and rules in sw") {
      // Phase order inside the namespace: links, then rules last.
      EXPECT_LT(s.input.find("link set br0 up"), s.input.find("rule add"));
      EXPECT_NE(s.input.find("rule add pref 1000 iif br0 lookup 1000\nrule add pref 1001 iif br0 blackhole\n"),
                std::string::npos)
          << s.input;
    }
  }
}

TEST(LabPlan, CheckFindsInconsistencies) {
  LabPlan p = two_on_a_bridge();
  EXPECT_TRUE(check_plan(p).empty());
  p.veths.push_back({"a", "an-interface-name-too-long", "", "nowhere", "x", "br9"});
  p.addresses.push_back({"b", "eth7", ip("10.0.0.99"), 24});
  p.namespaces.push_back({"a", NetnsRole::kEni, "", {}, {}});
  auto problems = check_plan(p);
  auto has = [&](const std::string& s) {
    for (const auto& x : problems)
      if (x.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("duplicate namespace a"));
  EXPECT_TRUE(has("must be 1-15 characters"));
  EXPECT_TRUE(has("unknown namespace 'nowhere'"));
  EXPECT_TRUE(has("unknown interface b/eth7"));
}

}  // namespace
