// The supervisor's control socket (<lab dir>/ctl, one JSON object per
// line): the event loop, each request (status, load-balancers,
// target-health, instance, down, exec with three passed descriptors), and
// reaping, which ends exec sessions with their exit code.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emulator/supervisor_impl.h"

namespace vpclab::emulator {

namespace {

int exit_code(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 255;
}

}  // namespace

json Supervisor::status() {
  json j;
  j["namespaces"] = json::array();
  for (const auto& n : plan_.namespaces) {
    if (standby(n.name)) continue;  // a replacement not launched: not an instance yet
    struct stat st {};
    stat(("/run/netns/" + n.name).c_str(), &st);
    const char* role = n.role == NetnsRole::kVpcRouter ? "vpc-router"
                       : n.role == NetnsRole::kEni     ? "eni"
                       : n.role == NetnsRole::kInternet ? "internet"
                       : n.role == NetnsRole::kTransitGateway ? "transit-gateway"
                                                        : "other";
    j["namespaces"].push_back({{"name", n.name}, {"role", role}, {"resource", n.resource}, {"inode", st.st_ino}});
    if (auto it = instance_state_.find(n.name); it != instance_state_.end()) j["namespaces"].back()["state"] = it->second;
  }
  j["processes"] = json::array();
  for (const auto& [pid, p] : procs_) {
    if (p.exec_conn >= 0) continue;
    j["processes"].push_back(
        {{"name", p.name}, {"netns", p.netns}, {"pid", pid}, {"running", p.running}, {"exit", p.exit_code}});
  }
  j["load_balancers"] = json::array();
  for (const auto& a : lbs_) j["load_balancers"].push_back(a->describe());
  j["auto_scaling_groups"] = group_status();
  return j;
}

void Supervisor::reap() {
  while (true) {
    int st = 0;
    pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid <= 0) return;
    auto it = procs_.find(pid);
    if (it == procs_.end()) continue;  // an orphan reparented to us
    it->second.running = false;
    it->second.exit_code = exit_code(st);
    if (it->second.exec_conn >= 0) {
      auto c = conns_.find(it->second.exec_conn);
      if (c != conns_.end()) {
        reply(c->second, {{"exit", it->second.exit_code}});
        close(c->second.fd);
        conns_.erase(c);
      }
      procs_.erase(it);
    }
  }
}

void Supervisor::handle(ControlConn& c) {
  auto nl = c.in.find('\n');
  if (nl == std::string::npos) return;
  std::string line = c.in.substr(0, nl);
  c.in.erase(0, nl + 1);
  json req = json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    reply(c, {{"ok", false}, {"error", "bad request"}});
    return;
  }
  if (req.contains("signal") && c.exec_pid > 0) {
    if (req["signal"].is_number_integer()) kill(c.exec_pid, req["signal"].get<int>());
    return;
  }
  std::string op = req.value("op", "");
  if (op == "status") {
    json j = status();
    j["ok"] = true;
    reply(c, j);
  } else if (op == "ui-state") {
    reply(c, ui_state());
  } else if (op == "load-balancers" || op == "target-health") {
    reply(c, alb_request(lbs_, req));
  } else if (op == "instance") {
    reply(c, instance_action(req.value("action", ""), req.value("netns", "")));
  } else if (op == "down") {
    reply(c, {{"ok", true}});
    stopping_ = true;
  } else if (op == "exec") {
    std::string netns = req.value("netns", "");
    std::vector<std::string> argv, env;
    if (req.contains("argv") && req["argv"].is_array())
      for (const auto& a : req["argv"])
        if (a.is_string()) argv.push_back(a.get<std::string>());
    if (req.contains("env") && req["env"].is_array())
      for (const auto& a : req["env"])
        if (a.is_string()) env.push_back(a.get<std::string>());
    bool known = plan_.netns(netns) && !standby(netns);  // a standby replacement is not launched yet
    if (argv.empty() || c.fds.size() != 3 || !known) {
      reply(c, {{"ok", false}, {"error", !known ? "no namespace '" + netns + "' in this lab"
                                                : "exec needs a command and three descriptors"}});
      return;
    }
    pid_t pid = spawn(netns, argv, env, c.fds[0], c.fds[1], c.fds[2], req.value("cwd", ""), false);
    for (int fd : c.fds) close(fd);
    c.fds.clear();
    if (pid < 0) {
      reply(c, {{"ok", false}, {"error", std::string("fork: ") + strerror(errno)}});
      return;
    }
    c.exec_pid = pid;
    procs_[pid] = LabProcess{"exec", netns, true, -1, c.fd};
  } else {
    reply(c, {{"ok", false}, {"error", "unknown op '" + op + "'"}});
  }
}

void Supervisor::loop() {
  while (!stopping_) {
    std::vector<pollfd> fds = {{sigfd_, POLLIN, 0}, {ctl_, POLLIN, 0}};
    for (const auto& [fd, c] : conns_) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sigfd_, &si, sizeof si) == sizeof si)
        if (si.ssi_signo != SIGCHLD) stopping_ = true;
      reap();
    }
    if (fds[1].revents & POLLIN) {
      while (true) {
        int fd = accept4(ctl_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) break;
        conns_[fd] = ControlConn{fd, {}, {}, 0};
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto it = conns_.find(fds[i].fd);
      if (it == conns_.end()) continue;
      ControlConn& c = it->second;
      char buf[8192];
      char ctrl[CMSG_SPACE(sizeof(int) * 8)];
      iovec iov{buf, sizeof buf};
      msghdr mh{};
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = ctrl;
      mh.msg_controllen = sizeof ctrl;
      ssize_t n = recvmsg(c.fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (n <= 0) {
        // Client gone: an exec session's process goes with it.
        if (c.exec_pid > 0) {
          kill(c.exec_pid, SIGKILL);
          if (auto p = procs_.find(c.exec_pid); p != procs_.end()) p->second.exec_conn = -2;
        }
        for (int fd : c.fds) close(fd);
        close(c.fd);
        conns_.erase(it);
        continue;
      }
      for (cmsghdr* cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
          size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
          int* p = reinterpret_cast<int*>(CMSG_DATA(cm));
          for (size_t j = 0; j < k; ++j) c.fds.push_back(p[j]);
        }
      c.in.append(buf, static_cast<size_t>(n));
      if (c.in.size() > (1u << 20)) {
        close(c.fd);
        conns_.erase(it);
        continue;
      }
      while (c.in.find('\n') != std::string::npos && conns_.count(fds[i].fd)) handle(c);
    }
  }
}

}  // namespace vpclab::emulator
