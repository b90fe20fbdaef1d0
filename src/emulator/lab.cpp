// The client side of a lab: starting the supervisor and talking to it.
#include "emulator/lab.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator/supervisor.h"

extern char** environ;

namespace vpclab::emulator {

namespace {

using json = nlohmann::json;

void mkdirs(const std::string& path, mode_t mode) {
  for (size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), mode);
}

void remove_tree(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      std::string p = path + "/" + n;
      struct stat st {};
      if (lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(p);
      else unlink(p.c_str());
    }
    closedir(d);
  }
  rmdir(path.c_str());
}

// Connects to a lab's control socket; -1 when no supervisor answers.
int connect_lab(const std::string& name) {
  std::string path = lab_dir(name) + "/ctl";
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return -1;
  memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool send_line(int fd, const json& j, const int* fds = nullptr, size_t nfds = 0) {
  std::string s = j.dump() + "\n";
  iovec iov{s.data(), s.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  char ctrl[CMSG_SPACE(sizeof(int) * 3)] = {};
  if (nfds) {
    mh.msg_control = ctrl;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    cmsghdr* cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
  }
  ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
  if (n < 0) return false;
  // The rest (rare: a large request) without descriptors.
  size_t off = static_cast<size_t>(n);
  while (off < s.size()) {
    ssize_t k = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (k <= 0) return false;
    off += static_cast<size_t>(k);
  }
  return true;
}

// Reads one JSON line; discarded json on EOF/error. `timeout_ms` < 0: wait forever.
json read_line(int fd, std::string& buf, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (buf.find('\n') == std::string::npos) {
    int wait = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return json(json::value_t::discarded);
      wait = static_cast<int>(left.count());
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, wait);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return json(json::value_t::discarded);
    char tmp[65536];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) return json(json::value_t::discarded);
    buf.append(tmp, static_cast<size_t>(n));
  }
  auto nl = buf.find('\n');
  std::string line = buf.substr(0, nl);
  buf.erase(0, nl + 1);
  return json::parse(line, nullptr, false);
}

json request(const std::string& name, const json& req, std::string* error, int timeout_ms = 5000) {
  int fd = connect_lab(name);
  if (fd < 0) {
    *error = "lab '" + name + "' is not running";
    return json(json::value_t::discarded);
  }
  std::string buf;
  json r = send_line(fd, req) ? read_line(fd, buf, timeout_ms) : json(json::value_t::discarded);
  close(fd);
  if (r.is_discarded()) *error = "lab '" + name + "' did not answer";
  return r;
}

bool is_zombie(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

pid_t read_pid(const std::string& name) {
  std::ifstream f(lab_dir(name) + "/pid");
  long p = -1;
  if (!(f >> p)) return -1;
  return static_cast<pid_t>(p);
}

// A live lab supervisor: not a zombie, and PID 1 of a PID namespace below
// ours (so a recycled pid of some other process does not count).
bool supervisor_alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0 || is_zombie(pid)) return false;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream in(line.substr(6));
    std::vector<long> ids;
    for (long v; in >> v;) ids.push_back(v);
    return ids.size() >= 2 && ids.back() == 1;
  }
  return false;
}

std::atomic<int> g_forward_signal{0};
void remember_signal(int s) { g_forward_signal = s; }

}  // namespace

bool valid_lab_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

std::string lab_root() {
  if (geteuid() == 0) return "/run/vpclab";
  if (const char* x = getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/vpclab";
  return "/tmp/vpclab-" + std::to_string(geteuid());
}

std::string lab_dir(const std::string& name) { return lab_root() + "/" + name; }

std::string namespace_support_problem(UserNamespaceMode mode) {
  bool userns = mode == UserNamespaceMode::kAlways || (mode == UserNamespaceMode::kAuto && geteuid() != 0);
  // Probe in a throwaway child: the namespaces a lab needs, and a tmpfs.
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | (userns ? CLONE_NEWUSER : 0);
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) {
    std::string why = strerror(errno);
    if (userns) {
      std::ifstream f("/proc/sys/kernel/unprivileged_userns_clone");
      int v = 1;
      if (f >> v && v == 0) why += " (kernel.unprivileged_userns_clone=0)";
      std::ifstream g("/proc/sys/user/max_user_namespaces");
      if (g >> v && v == 0) why += " (user.max_user_namespaces=0)";
      return "cannot create user, PID, mount and network namespaces: " + why +
             "; run as root, or allow unprivileged user namespaces";
    }
    return "cannot create PID, mount and network namespaces: " + why + " (needs root or a user namespace)";
  }
  if (pid == 0) {
    if (userns) {
      int fd = open("/proc/self/setgroups", O_WRONLY);
      if (fd >= 0) {
        [[maybe_unused]] auto n = write(fd, "deny", 4);
        close(fd);
      }
    }
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return {};
}

LabStart start_lab(const LabPlan& plan, const LabOptions& opts) {
  LabStart res;
  auto fail = [&](std::string e) {
    res.error = std::move(e);
    return res;
  };
  if (!valid_lab_name(opts.name)) return fail("invalid lab name '" + opts.name + "' (letters, digits, '-', '_', '.')");
  auto problems = check_plan(plan);
  if (!problems.empty()) {
    std::string e = "internal error: the lab plan is inconsistent:";
    for (const auto& p : problems) e += "\n  " + p;
    return fail(e);
  }
  std::string dir = lab_dir(opts.name);
  res.dir = dir;
  if (int fd = connect_lab(opts.name); fd >= 0) {
    close(fd);
    return fail("lab '" + opts.name + "' is already running (vpclab down " + opts.name + ")");
  }
  remove_tree(dir);  // stale: a supervisor killed without cleaning up
  mkdirs(lab_root(), 0700);
  if (mkdir(dir.c_str(), 0700) != 0) return fail("cannot create " + dir + ": " + strerror(errno));
  mkdir((dir + "/logs").c_str(), 0755);

  bool userns = opts.user_namespace == UserNamespaceMode::kAlways ||
                (opts.user_namespace == UserNamespaceMode::kAuto && geteuid() != 0);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + strerror(errno));
  SupervisorArgs args{dir, pipefd[1], userns, opts.die_with_parent, geteuid(), getegid(), opts.ui ? &*opts.ui : nullptr};
  // The supervisor also gets its own network namespace: nothing of the lab
  // sits in the host's, and in a user namespace `ip netns` must be able to
  // return to a namespace it owns.
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | (userns ? CLONE_NEWUSER : 0);
  // A fork-like clone: the child is PID 1 of the new PID namespace and has
  // the plan in its (copied) memory.
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid == 0) {
    close(pipefd[0]);
    _exit(supervisor_main(plan, args));
  }
  close(pipefd[1]);
  if (pid < 0) {
    close(pipefd[0]);
    remove_tree(dir);
    std::string why = namespace_support_problem(opts.user_namespace);
    return fail(why.empty() ? std::string("cannot start the lab supervisor: ") + strerror(errno) : why);
  }
  res.supervisor = pid;
  // Written at once: while it starts, the lab is "not answering", not dead.
  std::ofstream(dir + "/pid") << pid << "\n";

  std::string buf, error;
  bool ready = false;
  char tmp[4096];
  while (!ready) {
    ssize_t n = read(pipefd[0], tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(tmp, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (line.rfind("step ", 0) == 0) {
        if (opts.progress) opts.progress(line.substr(5));
      } else if (line == "ready") {
        ready = true;
      } else if (line.rfind("error ", 0) == 0) {
        error = line.substr(6);
      } else if (!error.empty()) {
        error += "\n" + line;  // continuation of a multi-line tool message
      }
    }
  }
  close(pipefd[0]);
  if (!ready) {
    // The supervisor is gone or going: with it, every namespace it made.
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    remove_tree(dir);
    res.supervisor = -1;
    return fail(error.empty() ? "the lab supervisor died while starting" : error);
  }
  res.ok = true;
  return res;
}

LabPresenceInfo lab_presence(const std::string& name) {
  LabPresenceInfo info;
  if (!valid_lab_name(name)) return info;
  info.dir = lab_dir(name);
  struct stat st {};
  if (stat(info.dir.c_str(), &st) != 0) return info;
  info.supervisor = read_pid(name);
  if (int fd = connect_lab(name); fd >= 0) {
    close(fd);
    info.presence = LabPresence::kRunning;
  } else {
    info.presence = supervisor_alive(info.supervisor) ? LabPresence::kNotAnswering : LabPresence::kDead;
  }
  return info;
}

namespace {

std::string dead_lab_text(const std::string& name, const LabPresenceInfo& info) {
  return "lab '" + name + "' is dead: its supervisor" +
         (info.supervisor > 0 ? " (pid " + std::to_string(info.supervisor) + ")" : std::string()) +
         " is gone (killed?) and left " + info.dir;
}

}  // namespace

std::optional<LabStatus> lab_status(const std::string& name, std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  if (!valid_lab_name(name)) {
    *error = "invalid lab name '" + name + "'";
    return std::nullopt;
  }
  json r = request(name, {{"op", "status"}}, error);
  if (r.is_discarded() || !r.value("ok", false)) {
    LabPresenceInfo info = lab_presence(name);
    if (info.presence == LabPresence::kDead)
      *error = dead_lab_text(name, info) + "; `vpclab down " + name + "` removes it";
    return std::nullopt;
  }
  LabStatus s;
  s.name = name;
  s.supervisor = read_pid(name);
  for (const auto& n : r["namespaces"])
    s.namespaces.push_back({n.value("name", ""), n.value("role", ""), n.value("resource", ""),
                            n.value("inode", 0ul), n.value("state", "")});
  for (const auto& p : r["processes"])
    s.processes.push_back({p.value("name", ""), p.value("netns", ""), p.value("pid", 0), p.value("running", false),
                           p.value("exit", -1)});
  return s;
}

std::vector<std::string> list_labs() {
  std::vector<std::string> out;
  DIR* d = opendir(lab_root().c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (!valid_lab_name(n)) continue;
    if (int fd = connect_lab(n); fd >= 0) {
      close(fd);
      out.push_back(n);
    }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> list_dead_labs() {
  std::vector<std::string> out;
  DIR* d = opendir(lab_root().c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (valid_lab_name(n) && lab_presence(n).presence == LabPresence::kDead) out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool stop_lab(const std::string& name, std::string* error, bool* was_dead) {
  std::string scratch;
  if (!error) error = &scratch;
  if (was_dead) *was_dead = false;
  if (!valid_lab_name(name)) {
    *error = "invalid lab name '" + name + "'";
    return false;
  }
  int fd = connect_lab(name);
  if (fd < 0) {
    LabPresenceInfo info = lab_presence(name);
    switch (info.presence) {
      case LabPresence::kDead:
        // The kernel already took its processes and namespaces; only the
        // directory is left.
        remove_tree(info.dir);
        if (struct stat st {}; stat(info.dir.c_str(), &st) == 0) {
          *error = dead_lab_text(name, info) + ", which cannot be removed: " + strerror(errno);
          return false;
        }
        *error = dead_lab_text(name, info) + "; removed it";
        if (was_dead) *was_dead = true;
        return true;
      case LabPresence::kNotAnswering:
        *error = "lab '" + name + "' does not answer on " + info.dir + "/ctl but its supervisor (pid " +
                 std::to_string(info.supervisor) + ") is alive; `kill " + std::to_string(info.supervisor) +
                 "` ends it";
        return false;
      default:
        *error = "lab '" + name + "' is not running";
        return false;
    }
  }
  pid_t pid = read_pid(name);
  std::string buf;
  send_line(fd, {{"op", "down"}});
  read_line(fd, buf, 2000);
  // The supervisor closes the connection by exiting.
  read_line(fd, buf, 5000);
  close(fd);
  // If it is our child (started in this process), reap it.
  if (pid > 0) waitpid(pid, nullptr, WNOHANG);
  // A zombie supervisor is gone for the lab's purpose: PID 1 of a PID
  // namespace turns zombie only after every process of the lab died, and
  // the namespaces went with them. Waiting for the host's init to reap it
  // took ~1.7 s here.
  for (int i = 0; i < 500 && pid > 0 && kill(pid, 0) == 0 && !is_zombie(pid); ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) break;
    usleep(10000);
  }
  remove_tree(lab_dir(name));
  return true;
}

std::optional<std::string> lab_request(const std::string& name, const std::string& request_json,
                                       std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  if (!valid_lab_name(name)) {
    *error = "invalid lab name '" + name + "'";
    return std::nullopt;
  }
  json req = json::parse(request_json, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    *error = "bad request";
    return std::nullopt;
  }
  json r = request(name, req, error);
  if (r.is_discarded()) return std::nullopt;
  return r.dump();
}

int lab_exec(const std::string& name, const std::string& netns, const std::vector<std::string>& argv, int in_fd,
             int out_fd, int err_fd, std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  if (!valid_lab_name(name)) {
    *error = "invalid lab name '" + name + "'";
    return -1;
  }
  int fd = connect_lab(name);
  if (fd < 0) {
    *error = "lab '" + name + "' is not running";
    return -1;
  }
  json env = json::array();
  for (char** e = environ; e && *e; ++e) env.push_back(*e);
  char cwd[4096];
  json req = {{"op", "exec"}, {"netns", netns}, {"argv", argv}, {"env", env},
              {"cwd", getcwd(cwd, sizeof cwd) ? cwd : "/"}};
  int fds[3] = {in_fd, out_fd, err_fd};
  if (!send_line(fd, req, fds, 3)) {
    *error = std::string("cannot talk to lab '") + name + "': " + strerror(errno);
    close(fd);
    return -1;
  }
  // Forward the usual terminal signals to the command while it runs.
  struct sigaction sa {}, old_int{}, old_term{}, old_hup{};
  sa.sa_handler = remember_signal;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGHUP, &sa, &old_hup);
  g_forward_signal = 0;
  std::string buf;
  int rc = -1;
  while (true) {
    if (int s = g_forward_signal.exchange(0)) send_line(fd, {{"signal", s}});
    json r = read_line(fd, buf, 200);
    if (r.is_discarded()) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 0) > 0) {
        char c;
        if (recv(fd, &c, 1, MSG_PEEK) <= 0) {
          *error = "lab '" + name + "' went away";
          break;
        }
      }
      continue;
    }
    if (r.contains("exit")) {
      rc = r["exit"].get<int>();
      break;
    }
    if (!r.value("ok", true)) {
      *error = r.value("error", "exec failed");
      break;
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  close(fd);
  return rc;
}

}  // namespace vpclab::emulator
