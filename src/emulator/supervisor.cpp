// The supervisor side of a lab: runs as PID 1 of the lab's namespaces
// (lab.h). Its concerns live in supervisor_*.cpp (see supervisor_impl.h).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>

#include "emulator/netns.h"
#include "emulator/supervisor_impl.h"

namespace vpclab::emulator {

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

bool write_file(const char* path, const std::string& s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = write(fd, s.data(), s.size());
  close(fd);
  return n == static_cast<ssize_t>(s.size());
}

void mkdirs_at(int dirfd, const std::string& rel) {
  for (size_t i = 0; i <= rel.size(); ++i)
    if (i == rel.size() || rel[i] == '/') {
      std::string part = rel.substr(0, i);
      if (!part.empty()) mkdirat(dirfd, part.c_str(), 0755);
    }
}

// ALBs start after the processes (docs/emulator.md, "ALB nodes"): first
// each target's UserData gets a moment to listen (a booted instance), then
// the engines start, and `up` returns once every target's first health
// checks are done, or after a bounded wait.
bool Supervisor::start_load_balancers(std::string* error) {
  if (plan_.load_balancers.empty() && plan_.network_load_balancers.empty()) return true;
  using clock = std::chrono::steady_clock;
  auto ms_since = [](clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
  };
  auto t0 = clock::now();
  std::vector<const LoadBalancerPlanBase::BootWait*> waits;
  for (const auto& lb : plan_.load_balancers)
    for (const auto& w : lb.boot_waits) waits.push_back(&w);
  for (const auto& lb : plan_.network_load_balancers)
    for (const auto& w : lb.boot_waits) waits.push_back(&w);
  if (!waits.empty()) {
    write_all(args_.status_fd, "step load balancers: waiting for " + std::to_string(waits.size()) + " targets to listen\n");
    constexpr int64_t kBootWaitMs = 5000;
    for (const auto* w : waits)
      while (!listening_in(w->netns, w->port) && ms_since(t0) < kBootWaitMs) usleep(20000);
  }
  // A check that has no answer within its timeout has failed: by then every
  // first check is done. Bounded for long timeouts.
  auto first_checks = [&](int64_t wait_ms) {
    auto t1 = clock::now();
    while (ms_since(t1) < std::min<int64_t>(wait_ms, 10000)) {
      bool done = true;
      for (auto& a : lbs_) done = done && first_health_checks_done(a->per_node_health());
      if (done) break;
      usleep(20000);
    }
  };
  int64_t check_wait_ms = 0;
  for (const auto& lb : plan_.load_balancers) {
    write_all(args_.status_fd, "step ALB " + lb.name + ": " + std::to_string(lb.node_netns.size()) + " nodes\n");
    lbs_.push_back(std::make_unique<AlbRuntime>(lb, args_.dir));
    if (!lbs_.back()->start(error)) return false;
    for (const auto& tg : lb.config.target_groups) check_wait_ms = std::max(check_wait_ms, tg.timeout_ms() + 500);
  }
  write_all(args_.status_fd, "step load balancers: first health checks\n");
  first_checks(check_wait_ms);
  // Then the NLBs: an NLB's checks of an ALB target pass once the ALB has healthy targets.
  check_wait_ms = 0;
  for (const auto& lb : plan_.network_load_balancers) {
    write_all(args_.status_fd, "step NLB " + lb.name + ": " + std::to_string(lb.node_netns.size()) + " nodes\n");
    lbs_.push_back(std::make_unique<NlbRuntime>(lb));
    if (!lbs_.back()->start(error)) return false;
    for (const auto& tg : lb.config.target_groups) check_wait_ms = std::max(check_wait_ms, tg.timeout_ms() + 500);
  }
  if (!plan_.network_load_balancers.empty()) first_checks(check_wait_ms);
  return true;
}

// The lab's AWS services (plan.h ServiceListenPlan): each socket opened in
// its namespace, one server thread for all.
bool Supervisor::start_services(std::string* error) {
  if (plan_.service_listen.empty()) return true;
  services_ = std::make_unique<dataplane::s3::ServiceServer>(plan_.s3_buckets);
  for (const auto& l : plan_.service_listen) {
    int fd = -1;
    std::string why;
    if (!in_netns(l.netns, [&] { fd = dataplane::s3::listen_tcp(l.address, l.port, &why); }))
      why = std::string("cannot enter the namespace: ") + strerror(errno);
    if (fd < 0) {
      *error = "AWS service on " + l.address.str() + ":" + std::to_string(l.port) + " in " + l.netns + ": " + why;
      services_.reset();
      return false;
    }
    services_->add_listener(fd, l.ranges);
  }
  write_all(args_.status_fd, "step AWS services: " + std::to_string(plan_.service_listen.size()) + " listeners\n");
  services_thread_ = std::thread([this] { services_->run(); });
  return true;
}

void Supervisor::shutdown() {
  if (ui_) ui_->stop();
  publish_->stop();
  // Ask everything to stop, give it a moment, then leave: the kernel kills
  // what is left when PID 1 exits. ALBs first: their clients get answers.
  for (auto& a : lbs_) a->stop();
  if (services_thread_.joinable()) {
    services_->stop();
    services_thread_.join();
  }
  kill(-1, SIGTERM);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < until) {
    int st;
    pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid < 0 && errno == ECHILD) break;
    if (pid == 0) usleep(10000);
  }
  unlinkat(dirfd_, "ctl", 0);
  if (dns_thread_.joinable()) {
    dns_->stop();
    dns_thread_.join();
  }
}

int Supervisor::run() {
  std::string error;
  publish_ = std::make_unique<PublishForwarder>(plan_.publish);
  if (!setup(&error) || !apply(&error) || !start_services(&error) || !start_load_balancers(&error) ||
      !publish_->start("/run/netns", &error) || !start_ui(&error)) {
    ui_.reset();
    write_all(args_.status_fd, "error " + error + "\n");
    lbs_.clear();
    if (services_thread_.joinable()) {
      services_->stop();
      services_thread_.join();
    }
    if (dns_thread_.joinable()) {
      dns_->stop();
      dns_thread_.join();
    }
    return 1;
  }
  write_all(args_.status_fd, "ready\n");
  close(args_.status_fd);
  loop();
  shutdown();
  return 0;
}

int supervisor_main(const LabPlan& plan, const SupervisorArgs& args) {
  Supervisor s(plan, args);
  return s.run();
}

}  // namespace vpclab::emulator
