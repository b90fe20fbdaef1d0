// The supervisor's processes: tools run to completion (run_command), and
// lab processes started inside a namespace (spawn, start_process).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emulator/supervisor_impl.h"

namespace vpclab::emulator {

namespace {

// Child side after fork: default signal state.
void reset_signals() {
  sigset_t all;
  sigemptyset(&all);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE}) signal(s, SIG_DFL);
  sigprocmask(SIG_SETMASK, &all, nullptr);
}

std::vector<char*> cstrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

const std::vector<std::string>& default_env() {
  static const std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                               "HOME=/root", "LANG=C.UTF-8"};
  return env;
}

std::string status_text(int st) {
  if (WIFEXITED(st)) return "exit status " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return std::string("killed by ") + strsignal(WTERMSIG(st));
  return "status " + std::to_string(st);
}

bool enter_netns(const std::string& netns) {
  std::string path = "/run/netns/" + netns;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int rc = setns(fd, CLONE_NEWNET);
  close(fd);
  return rc == 0;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input) {
  CommandResult r;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return r;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return r;
  }
  pid_t pid = fork();
  if (pid == 0) {
    reset_signals();
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    auto args = cstrings(argv);
    auto env = cstrings(default_env());
    execvpe(args[0], args.data(), env.data());
    dprintf(2, "cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    r.output = std::string("fork: ") + strerror(errno);
    return r;
  }
  // Inputs are small (one namespace's batch); write then read is safe up to
  // the pipe size, larger inputs are written while reading.
  size_t off = 0;
  bool in_open = true;
  if (input.empty()) {
    close(in[1]);
    in_open = false;
  }
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  char buf[4096];
  while (true) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {in_open ? in[1] : -1, POLLOUT, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (in_open && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in[1], input.data() + off, input.size() - off);
      if (n > 0) off += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN) off = input.size();
      if (off >= input.size()) {
        close(in[1]);
        in_open = false;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      r.output.append(buf, static_cast<size_t>(n));
    }
  }
  if (in_open) close(in[1]);
  close(out[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  r.status = status_text(st);
  return r;
}

pid_t Supervisor::spawn(const std::string& netns, const std::vector<std::string>& argv,
                        const std::vector<std::string>& env, int in, int out, int err, const std::string& cwd,
                        bool cwd_in_lab_dir) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  reset_signals();
  setsid();
  if (!enter_netns(netns)) {
    dprintf(err, "vpclab: cannot enter namespace %s: %s\n", netns.c_str(), strerror(errno));
    _exit(126);
  }
  bool in_place = cwd_in_lab_dir ? fchdir(dirfd_) == 0 && (cwd.empty() || chdir(cwd.c_str()) == 0)
                                 : !cwd.empty() && chdir(cwd.c_str()) == 0;
  if (!in_place && chdir("/") != 0) _exit(126);
  // The namespace's own hostname and /etc files (resolv.conf -> the VPC resolver).
  // After chdir: unshare carries the working directory into the new mount
  // namespace, a later fchdir(dirfd_) would not.
  if (const NetnsPlan* np = plan_.netns(netns); np && (!np->hostname.empty() || !np->etc_files.empty())) {
    if (unshare(CLONE_NEWNS | CLONE_NEWUTS) == 0) {
      if (!np->hostname.empty()) sethostname(np->hostname.c_str(), np->hostname.size());
      for (const auto& [file, text] : np->etc_files) {
        // By path: a descriptor would name the supervisor's mount namespace,
        // which a bind mount from this new one refuses (EINVAL).
        std::string src = args_.dir + "/etc/" + netns + "/" + file;
        std::string dst = "/etc/" + file;
        if (mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0)
          dprintf(err, "vpclab: cannot provide %s: %s\n", dst.c_str(), strerror(errno));
      }
    }
  }
  // Descriptors may collide with 0-2: duplicate above first.
  int a = fcntl(in, F_DUPFD_CLOEXEC, 10), b = fcntl(out, F_DUPFD_CLOEXEC, 10), c = fcntl(err, F_DUPFD_CLOEXEC, 10);
  dup2(a, 0);
  dup2(b, 1);
  dup2(c, 2);
  auto args = cstrings(argv);
  auto envp = cstrings(env.empty() ? default_env() : env);
  execvpe(args[0], args.data(), envp.data());
  dprintf(2, "vpclab: cannot run %s: %s\n", args[0], strerror(errno));
  _exit(127);
}

bool Supervisor::start_process(const ProcessPlan& p, std::string* why) {
  if (!p.cwd.empty()) mkdirs_at(dirfd_, p.cwd);
  std::string log = p.log_file.empty() ? "logs/" + p.name + ".log" : p.log_file;
  for (auto& c : log)
    if (c == ':') c = '_';
  auto slash = log.rfind('/');
  if (slash != std::string::npos) mkdirs_at(dirfd_, log.substr(0, slash));
  int out = openat(dirfd_, log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0) {
    *why = "cannot open log " + log + ": " + strerror(errno);
    if (out >= 0) close(out);
    if (in >= 0) close(in);
    return false;
  }
  pid_t pid = spawn(p.netns, p.argv, p.env, in, out, out, p.cwd, true);
  close(out);
  close(in);
  if (pid < 0) {
    *why = std::string("fork: ") + strerror(errno);
    return false;
  }
  procs_[pid] = LabProcess{p.name, p.netns, true, -1, -1};
  return true;
}

}  // namespace vpclab::emulator
