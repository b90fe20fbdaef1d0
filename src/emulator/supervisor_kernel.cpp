// The supervisor's kernel steps: its own namespaces and mounts (setup), then
// the plan's steps in order (apply): ip batches, sysctls, nftables, the VPC
// resolver and the lab's processes.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <nftables/libnftables.h>

#include "emulator/netns.h"
#include "emulator/ssh.h"
#include "emulator/supervisor_impl.h"

namespace vpclab::emulator {

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

}  // namespace vpclab::emulator
