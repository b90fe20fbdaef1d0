// The supervisor side of a lab: runs as PID 1 of the lab's namespaces.
#include "emulator/supervisor.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include <nftables/libnftables.h>

#include "dataplane/dns/server.h"
#include "emulator/publish.h"
#include "emulator/ssh.h"
#include "emulator/alb_runtime.h"
#include "emulator/netns.h"

namespace vpclab::emulator {

namespace {

using json = nlohmann::json;

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

int exit_code(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 255;
}

bool enter_netns(const std::string& netns) {
  std::string path = "/run/netns/" + netns;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int rc = setns(fd, CLONE_NEWNET);
  close(fd);
  return rc == 0;
}

void mkdirs_at(int dirfd, const std::string& rel) {
  for (size_t i = 0; i <= rel.size(); ++i)
    if (i == rel.size() || rel[i] == '/') {
      std::string part = rel.substr(0, i);
      if (!part.empty()) mkdirat(dirfd, part.c_str(), 0755);
    }
}

}  // namespace

// ------------------------------------------------------------------ commands

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

bool write_sysctl(const std::string& netns, const std::string& key, const std::string& value, std::string* error) {
  std::string path = "/proc/sys/" + key;
  for (auto& c : path)
    if (c == '.') c = '/';
  bool ok = false;
  if (!in_netns(netns, [&] {
        ok = write_file(path.c_str(), value);
        if (!ok) *error = "cannot write " + path + ": " + strerror(errno);
      })) {
    *error = "cannot enter namespace " + netns + ": " + strerror(errno);
    return false;
  }
  return ok;
}

// In-process (libnftables): a fork of `ip netns exec NS nft` per ENI costs
// ~20 ms, a lab has hundreds of ENIs.
bool load_nft(const std::string& netns, const std::string& script, std::string* error) {
  bool ok = false;
  bool entered = in_netns(netns, [&] {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) {
      *error = "cannot create an nftables context";
      return;
    }
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    ok = nft_run_cmd_from_buffer(ctx, script.c_str()) == 0;
    if (!ok) {
      const char* e = nft_ctx_get_error_buffer(ctx);
      *error = e && *e ? e : "nft failed";
    }
    nft_ctx_free(ctx);
  });
  if (!entered) *error = "cannot enter namespace " + netns + ": " + strerror(errno);
  return ok && entered;
}

// ---------------------------------------------------------------- supervisor

namespace {

struct Proc {
  std::string name, netns;
  bool running = true;
  int exit_code = -1;
  int exec_conn = -1;  // for exec sessions: the client's connection
};

struct Conn {
  int fd = -1;
  std::string in;
  std::vector<int> fds;  // received with the request
  pid_t exec_pid = 0;
};

class Supervisor {
 public:
  Supervisor(const LabPlan& plan, const SupervisorArgs& args) : plan_(plan), args_(args) {}
  int run();

 private:
  bool setup(std::string* error);
  bool apply(std::string* error);
  bool start_load_balancers(std::string* error);
  pid_t spawn(const std::string& netns, const std::vector<std::string>& argv, const std::vector<std::string>& env,
              int in, int out, int err, const std::string& cwd_rel, bool cwd_in_lab_dir);
  void loop();
  void reap();
  void handle(Conn& c);
  void reply(Conn& c, const json& j) { write_all(c.fd, j.dump() + "\n"); }
  json status() const;
  void shutdown();
  bool start_process(const ProcessPlan& p, std::string* why);
  json instance_action(const std::string& action, const std::string& netns);

  const LabPlan& plan_;
  SupervisorArgs args_;
  int dirfd_ = -1, ctl_ = -1, sigfd_ = -1;
  std::map<pid_t, Proc> procs_;
  std::map<std::string, std::string> instance_state_;  // netns -> EC2 state, once changed
  std::map<int, Conn> conns_;
  bool stopping_ = false;
  std::unique_ptr<dataplane::DnsServer> dns_;
  std::thread dns_thread_;
  std::vector<std::unique_ptr<AlbRuntime>> albs_;
  std::unique_ptr<PublishForwarder> publish_;  // up --publish
};

bool Supervisor::setup(std::string* error) {
  if (args_.user_namespace) {
    // A process may map its own ids in the namespace it just created.
    write_file("/proc/self/setgroups", "deny");
    if (!write_file("/proc/self/uid_map", "0 " + std::to_string(args_.uid) + " 1\n") ||
        !write_file("/proc/self/gid_map", "0 " + std::to_string(args_.gid) + " 1\n")) {
      *error = std::string("cannot map ids in the user namespace: ") + strerror(errno);
      return false;
    }
  }
  // Let go of the starter's terminal and pipes (a daemon holding a pipe open
  // would keep `vpclab up | tail` from ever ending): output goes to a log.
  {
    std::string log = args_.dir + "/supervisor.log";
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) dup2(in, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    if (in > 2) close(in);
    if (out > 2) close(out);
  }
  if (args_.die_with_parent) prctl(PR_SET_PDEATHSIG, SIGKILL);
  else setsid();
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *error = std::string("cannot make mounts private: ") + strerror(errno);
    return false;
  }
  dirfd_ = open(args_.dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd_ < 0) {
    *error = "cannot open " + args_.dir + ": " + strerror(errno);
    return false;
  }
  // The control socket is bound before /run is replaced; bound sockets keep working.
  ctl_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::string path = args_.dir + "/ctl";
  if (path.size() >= sizeof sa.sun_path) {
    *error = "control socket path too long: " + path;
    return false;
  }
  memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());
  if (bind(ctl_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(ctl_, 64) != 0) {
    *error = "cannot listen on " + path + ": " + strerror(errno);
    return false;
  }
  // A private /run: `ip netns` keeps its namespaces in /run/netns, so the
  // lab's live here and vanish with the mount namespace.
  if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    *error = std::string("cannot mount a tmpfs on /run: ") + strerror(errno);
    return false;
  }
  if (args_.dir.rfind("/run/", 0) == 0) {
    // Keep the lab directory at the same path inside the lab.
    mkdirs_at(AT_FDCWD, args_.dir);
    std::string src = "/proc/self/fd/" + std::to_string(dirfd_);
    if (mount(src.c_str(), args_.dir.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      *error = "cannot bind " + args_.dir + ": " + strerror(errno);
      return false;
    }
  }
  // Our own /proc, so lab pids are what tools inside see; not fatal where a
  // container forbids it.
  mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) {
    sigaddset(&set, s);
    // PID 1 only receives signals it has a handler for.
    struct sigaction sa_ {};
    sa_.sa_handler = [](int) {};
    sigaction(s, &sa_, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  sigfd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  return true;
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

bool Supervisor::apply(std::string* error) {
  // Per-namespace /etc files, mounted into processes by spawn().
  for (const auto& n : plan_.namespaces) {
    if (n.etc_files.empty()) continue;
    std::string d = "etc/" + n.name;
    mkdirs_at(dirfd_, d);
    for (const auto& [file, text] : n.etc_files) {
      if (auto sl = file.rfind('/'); sl != std::string::npos) mkdirs_at(dirfd_, d + "/" + file.substr(0, sl));  // ssh/ssh_config
      int fd = openat(dirfd_, (d + "/" + file).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) {
        *error = "cannot write " + d + "/" + file + ": " + strerror(errno);
        return false;
      }
      std::string body = text;  // paths into the lab directory (ssh.h)
      for (size_t at; (at = body.find(kLabDirToken)) != std::string::npos;)
        body.replace(at, std::string_view(kLabDirToken).size(), args_.dir);
      write_all(fd, body);
      close(fd);
    }
  }
  auto steps = plan_steps(plan_);
  size_t n = steps.size();
  for (size_t i = 0; i < n; ++i) {
    const PlanStep& s = steps[i];
    std::string head = "[" + std::to_string(i + 1) + "/" + std::to_string(n) + "] " + s.description;
    write_all(args_.status_fd, "step " + head + "\n");
    std::string why;
    switch (s.kind) {
      case PlanStep::Kind::kCommand: {
        CommandResult r = run_command(s.argv, s.input);
        if (!r.ok) {
          why = r.status + (r.output.empty() ? "" : ": " + r.output);
          // ip -batch names the failing line: quote it.
          auto at = r.output.find("Command failed -:");
          if (at != std::string::npos) {
            size_t line = std::strtoul(r.output.c_str() + at + 17, nullptr, 10);
            size_t pos = 0;
            for (size_t k = 1; k < line && pos != std::string::npos; ++k) pos = s.input.find('\n', pos) + 1;
            if (pos != std::string::npos && pos < s.input.size())
              why += "  (command: " + s.input.substr(pos, s.input.find('\n', pos) - pos) + ")";
          }
        }
        break;
      }
      case PlanStep::Kind::kSysctl:
        write_sysctl(s.sysctl->netns, s.sysctl->key, s.sysctl->value, &why);
        break;
      case PlanStep::Kind::kNft:
        load_nft(s.nft->netns, s.nft->script, &why);
        break;
      case PlanStep::Kind::kDns: {
        dns_ = std::make_unique<dataplane::DnsServer>(std::make_shared<dataplane::Resolver>(*plan_.dns));
        for (const auto& l : plan_.dns_listen) {
          std::string e;
          if (dns_->listen(l.view, l.address, l.port, &e, "/run/netns/" + l.netns) == 0) {
            why = "resolver on " + l.address.str() + " in " + l.netns + ": " + e;
            break;
          }
        }
        if (why.empty()) dns_thread_ = std::thread([this] { dns_->run(); });
        break;
      }
      case PlanStep::Kind::kProcess:
        start_process(*s.process, &why);
        break;
    }
    if (!why.empty()) {
      while (!why.empty() && why.back() == '\n') why.pop_back();
      *error = head + ": " + why;
      return false;
    }
  }
  return true;
}

// ALBs start after the processes (docs/emulator.md, "ALB nodes"): first
// each target's UserData gets a moment to listen (a booted instance), then
// the engines start, and `up` returns once every target's first health
// checks are done, or after a bounded wait.
bool Supervisor::start_load_balancers(std::string* error) {
  if (plan_.load_balancers.empty()) return true;
  using clock = std::chrono::steady_clock;
  auto ms_since = [](clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
  };
  auto t0 = clock::now();
  size_t waits = 0;
  for (const auto& lb : plan_.load_balancers) waits += lb.boot_waits.size();
  if (waits) {
    write_all(args_.status_fd, "step ALBs: waiting for " + std::to_string(waits) + " targets to listen\n");
    constexpr int64_t kBootWaitMs = 5000;
    for (const auto& lb : plan_.load_balancers)
      for (const auto& w : lb.boot_waits)
        while (!listening_in(w.netns, w.port) && ms_since(t0) < kBootWaitMs) usleep(20000);
  }
  int64_t check_wait_ms = 0;
  for (const auto& lb : plan_.load_balancers) {
    write_all(args_.status_fd, "step ALB " + lb.name + ": " + std::to_string(lb.node_netns.size()) + " nodes\n");
    albs_.push_back(std::make_unique<AlbRuntime>(lb, args_.dir));
    if (!albs_.back()->start(error)) return false;
    for (const auto& tg : lb.config.target_groups) check_wait_ms = std::max(check_wait_ms, tg.timeout_ms() + 500);
  }
  // A check that has no answer within its timeout has failed: by then every
  // first check is done. Bounded for long timeouts.
  check_wait_ms = std::min<int64_t>(check_wait_ms, 10000);
  write_all(args_.status_fd, "step ALBs: first health checks\n");
  auto t1 = clock::now();
  while (ms_since(t1) < check_wait_ms) {
    bool done = true;
    for (auto& a : albs_) done = done && first_health_checks_done(a->per_node_health());
    if (done) break;
    usleep(20000);
  }
  return true;
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
  procs_[pid] = Proc{p.name, p.netns, true, -1, -1};
  return true;
}

namespace {

// Every process of the lab whose network namespace is `netns` (also
// UserData's background children, reparented to the supervisor).
std::vector<pid_t> processes_in_netns(const std::string& netns) {
  std::vector<pid_t> out;
  struct stat ns {};
  if (stat(("/run/netns/" + netns).c_str(), &ns) != 0) return out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
    if (pid <= 1) continue;
    struct stat st {};
    if (stat(("/proc/" + std::string(e->d_name) + "/ns/net").c_str(), &st) == 0 && st.st_ino == ns.st_ino &&
        st.st_dev == ns.st_dev)
      out.push_back(pid);
  }
  closedir(d);
  return out;
}

// A stopped instance answers nothing and sends nothing, and keeps its
// addresses: a drop-all table ahead of the security groups.
constexpr const char* kPowerOff =
    "table inet vpclab_stopped {\n"
    "  chain input_all { type filter hook input priority -300; policy drop; }\n"
    "  chain output_all { type filter hook output priority -300; policy drop; }\n"
    "}\n";

}  // namespace

// EC2 state changes, as `vpclab instance stop|start|terminate` asks:
// stop ends every process of the instance (SIGTERM, then SIGKILL after 2 s,
// as a shutdown would) and makes it silent, keeping its private IPs; start
// lets traffic flow again and starts its services again (plan processes
// other than UserData: EC2 runs UserData at the first launch only);
// terminate ends the processes and deletes the interfaces, which releases
// the private IPs. Reply: {"ok", "previous_state", "current_state"} with
// EC2's state names, or {"ok": false, "error"}.
json Supervisor::instance_action(const std::string& action, const std::string& netns) {
  const NetnsPlan* np = plan_.netns(netns);
  if (!np || np->role != NetnsRole::kEni || np->resource.rfind("i-", 0) != 0)
    return {{"ok", false}, {"error", "no instance '" + netns + "' in this lab"}};
  std::string& state = instance_state_[netns];
  if (state.empty()) state = "running";
  std::string previous = state;
  auto reply = [&] { return json{{"ok", true}, {"instance", np->resource}, {"previous_state", previous}, {"current_state", state}}; };
  if (state == "terminated") return {{"ok", false}, {"error", "instance " + np->resource + " is terminated"}};
  auto end_processes = [&] {
    for (pid_t pid : processes_in_netns(netns)) kill(pid, SIGTERM);
    // Zombies have left their namespaces: they do not count (reap() collects them later).
    for (int i = 0; i < 200 && !processes_in_netns(netns).empty(); ++i) usleep(10000);
    for (pid_t pid : processes_in_netns(netns)) kill(pid, SIGKILL);
    for (int i = 0; i < 100 && !processes_in_netns(netns).empty(); ++i) usleep(10000);
  };
  std::string why;
  if (action == "stop") {
    if (state == "stopped") return reply();
    end_processes();
    if (!load_nft(netns, kPowerOff, &why)) return {{"ok", false}, {"error", why}};
    for (auto& a : albs_) a->instance_stopped(np->resource, true);
    state = "stopped";
  } else if (action == "start") {
    if (state == "running") return reply();
    if (!load_nft(netns, "delete table inet vpclab_stopped\n", &why)) return {{"ok", false}, {"error", why}};
    for (auto& a : albs_) a->instance_stopped(np->resource, false);
    state = "running";
    for (const auto& p : plan_.processes) {
      if (p.netns == netns && !p.first_launch_only && !start_process(p, &why)) return {{"ok", false}, {"error", why}};
    }
  } else if (action == "terminate") {
    for (auto& a : albs_) a->instance_terminated(np->resource);
    end_processes();
    for (const auto& v : plan_.veths)
      if (v.netns_a == netns) {
        CommandResult r = run_command({"ip", "-n", netns, "link", "del", v.name_a}, "");
        if (!r.ok) return {{"ok", false}, {"error", "cannot delete " + v.name_a + ": " + r.output}};
      }
    state = "terminated";
  } else {
    return {{"ok", false}, {"error", "unknown instance action '" + action + "' (stop, start, terminate)"}};
  }
  return reply();
}

json Supervisor::status() const {
  json j;
  j["namespaces"] = json::array();
  for (const auto& n : plan_.namespaces) {
    struct stat st {};
    stat(("/run/netns/" + n.name).c_str(), &st);
    const char* role = n.role == NetnsRole::kVpcRouter ? "vpc-router"
                       : n.role == NetnsRole::kEni     ? "eni"
                       : n.role == NetnsRole::kInternet ? "internet"
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
  for (const auto& a : albs_) j["load_balancers"].push_back(a->describe());
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

void Supervisor::handle(Conn& c) {
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
  } else if (op == "load-balancers" || op == "target-health") {
    reply(c, alb_request(albs_, req));
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
    if (argv.empty() || c.fds.size() != 3 || !plan_.netns(netns)) {
      reply(c, {{"ok", false}, {"error", !plan_.netns(netns) ? "no namespace '" + netns + "' in this lab"
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
    procs_[pid] = Proc{"exec", netns, true, -1, c.fd};
  } else {
    reply(c, {{"ok", false}, {"error", "unknown op '" + op + "'"}});
  }
}

void Supervisor::shutdown() {
  publish_->stop();
  // Ask everything to stop, give it a moment, then leave: the kernel kills
  // what is left when PID 1 exits. ALBs first: their clients get answers.
  for (auto& a : albs_) a->stop();
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
        conns_[fd] = Conn{fd, {}, {}, 0};
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto it = conns_.find(fds[i].fd);
      if (it == conns_.end()) continue;
      Conn& c = it->second;
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

int Supervisor::run() {
  std::string error;
  publish_ = std::make_unique<PublishForwarder>(plan_.publish);
  if (!setup(&error) || !apply(&error) || !start_load_balancers(&error) || !publish_->start("/run/netns", &error)) {
    write_all(args_.status_fd, "error " + error + "\n");
    albs_.clear();
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

}  // namespace

int supervisor_main(const LabPlan& plan, const SupervisorArgs& args) {
  Supervisor s(plan, args);
  return s.run();
}

}  // namespace vpclab::emulator
