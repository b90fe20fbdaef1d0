#include "emulator/publish.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "emulator/gateways.h"

namespace vpclab::emulator {

namespace {

constexpr size_t kBufferLimit = 256 * 1024;  // per direction: stop reading beyond it

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// One direction of a relayed connection: bytes read from `from`, not yet
// written to `to`.
struct Pipe {
  int from = -1, to = -1;
  std::string buf;
  bool eof = false;       // `from` said EOF
  bool shut = false;      // EOF passed on to `to`
};

struct Session {
  int client = -1, upstream = -1;
  bool connected = false;
  Pipe up, down;  // client -> upstream, upstream -> client
};

// Reads what `p.from` has, up to the buffer limit; false on error.
bool pull(Pipe& p) {
  char tmp[65536];
  while (p.buf.size() < kBufferLimit) {
    ssize_t n = read(p.from, tmp, sizeof tmp);
    if (n > 0) {
      p.buf.append(tmp, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      p.eof = true;
      return true;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
  return true;
}

bool push(Pipe& p) {
  while (!p.buf.empty()) {
    ssize_t n = send(p.to, p.buf.data(), p.buf.size(), MSG_NOSIGNAL);
    if (n > 0) {
      p.buf.erase(0, static_cast<size_t>(n));
      continue;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }
  if (p.eof && !p.shut) {
    shutdown(p.to, SHUT_WR);
    p.shut = true;
  }
  return true;
}

}  // namespace

std::optional<PublishPlan> publish_plan(const model::Network& net, const std::string& spec, std::string* error) {
  auto eq = spec.find('=');
  auto colon = spec.rfind(':');
  auto port_of = [](const std::string& s) -> std::optional<uint16_t> {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    unsigned long v = std::stoul(s);
    if (v == 0 || v > 65535) return std::nullopt;
    return static_cast<uint16_t>(v);
  };
  if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
    *error = "--publish " + spec + ": expected HOSTPORT=TARGET:PORT (8080=web:80)";
    return std::nullopt;
  }
  auto host_port = port_of(spec.substr(0, eq));
  auto port = port_of(spec.substr(colon + 1));
  std::string target = spec.substr(eq + 1, colon - eq - 1);
  if (!host_port || !port || target.empty()) {
    *error = "--publish " + spec + ": ports are 1-65535 (HOSTPORT=TARGET:PORT)";
    return std::nullopt;
  }
  PublishPlan p;
  p.host_port = *host_port;
  p.port = *port;
  p.netns = kInternetNetns;
  if (auto ip = Ipv4Address::parse(target)) {
    p.targets.push_back(*ip);
    return p;
  }
  for (const auto& i : net.instances) {
    if (i.id != target && i.origin.logical_id != target && i.name != target) continue;
    if (!i.public_ip) {
      *error = "--publish " + spec + ": instance " + target + " has no public IP (the internet cannot reach it)";
      return std::nullopt;
    }
    p.targets.push_back(*i.public_ip);
    return p;
  }
  for (const auto& lb : net.load_balancers) {
    if (lb.dns_name != target && lb.name != target && lb.origin.logical_id != target) continue;
    if (lb.internal) {
      *error = "--publish " + spec + ": load balancer " + target + " is internal (the internet cannot reach it)";
      return std::nullopt;
    }
    for (const auto& n : lb.nodes)
      if (n.public_ip) p.targets.push_back(*n.public_ip);
    if (p.targets.empty()) {
      *error = "--publish " + spec + ": load balancer " + target + " has no public node addresses";
      return std::nullopt;
    }
    return p;
  }
  *error = "--publish " + spec + ": no public IP, instance or load balancer named " + target;
  return std::nullopt;
}

int open_publish_listener(uint16_t port, std::string* error) {
  return open_loopback_listener(Ipv4Address{INADDR_LOOPBACK}, port, error);
}

int open_loopback_listener(Ipv4Address address, uint16_t port, std::string* error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(address.value);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 128) != 0) {
    *error = "cannot listen on " + address.str() + ":" + std::to_string(port) + ": " + strerror(errno);
    close(fd);
    return -1;
  }
  set_nonblocking(fd);
  return fd;
}

PublishForwarder::PublishForwarder(std::vector<PublishPlan> plans) : plans_(std::move(plans)) {}

PublishForwarder::~PublishForwarder() { stop(); }

bool PublishForwarder::start(const std::string& netns_dir, std::string* error) {
  if (plans_.empty()) return true;
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    return false;
  }
  std::string path = netns_dir + "/" + plans_.front().netns;
  int ns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    *error = "cannot open " + path + ": " + strerror(errno);
    return false;
  }
  // setns() applies to the calling thread only: the forwarder thread enters
  // the namespace, so every socket it opens to a target is created there.
  std::atomic<int> entered{0};
  thread_ = std::thread([this, ns, &entered] {
    bool ok = setns(ns, CLONE_NEWNET) == 0;
    entered = ok ? 1 : -errno;
    if (ok) run();
  });
  while (entered == 0) usleep(1000);
  close(ns);
  if (entered < 0) {
    thread_.join();
    *error = "cannot enter namespace " + plans_.front().netns + ": " + strerror(-entered);
    return false;
  }
  return true;
}

void PublishForwarder::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  [[maybe_unused]] auto n = write(wake_[1], "x", 1);
  thread_.join();
  close(wake_[0]);
  close(wake_[1]);
}

void PublishForwarder::run() {
  std::map<int, Session> sessions;  // by client fd
  std::vector<size_t> next(plans_.size(), 0);
  auto end = [&](std::map<int, Session>::iterator it) {
    close(it->second.client);
    if (it->second.upstream >= 0) close(it->second.upstream);
    return sessions.erase(it);
  };
  while (!stopping_) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    for (const auto& p : plans_) fds.push_back({p.listen_fd, POLLIN, 0});
    size_t first_session = fds.size();
    for (auto& [fd, s] : sessions) {
      short cin = 0, uin = 0;
      if (!s.connected) {
        uin = POLLOUT;
      } else {
        if (!s.up.eof && s.up.buf.size() < kBufferLimit) cin |= POLLIN;
        if (!s.down.buf.empty()) cin |= POLLOUT;
        if (!s.down.eof && s.down.buf.size() < kBufferLimit) uin |= POLLIN;
        if (!s.up.buf.empty()) uin |= POLLOUT;
      }
      fds.push_back({s.client, cin, 0});
      fds.push_back({s.upstream, uin, 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[0].revents) break;
    // New connections.
    for (size_t i = 0; i < plans_.size(); ++i) {
      if (!(fds[1 + i].revents & POLLIN)) continue;
      const PublishPlan& p = plans_[i];
      while (true) {
        int c = accept4(p.listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) break;
        if (sessions.size() >= kMaxConnections || p.targets.empty()) {
          close(c);
          continue;
        }
        Ipv4Address target = p.targets[next[i]++ % p.targets.size()];
        int u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(p.port);
        sa.sin_addr.s_addr = htonl(target.value);
        if (u < 0 || (connect(u, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS)) {
          close(c);
          if (u >= 0) close(u);
          continue;
        }
        Session s;
        s.client = c;
        s.upstream = u;
        s.up = Pipe{c, u, {}, false, false};
        s.down = Pipe{u, c, {}, false, false};
        sessions.emplace(c, std::move(s));
      }
    }
    // Traffic. Sessions added above are not in fds: they wait for the next round.
    for (size_t k = first_session; k + 1 < fds.size(); k += 2) {
      auto it = sessions.find(fds[k].fd);
      if (it == sessions.end()) continue;
      Session& s = it->second;
      short cr = fds[k].revents, ur = fds[k + 1].revents;
      if (!cr && !ur) continue;
      if (!s.connected) {
        if (!ur) continue;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(s.upstream, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          end(it);  // target refused or unreachable: the client sees the connection close
          continue;
        }
        s.connected = true;
        continue;
      }
      bool ok = true;
      if (cr & (POLLIN | POLLHUP | POLLERR)) ok = ok && pull(s.up);
      if (ur & (POLLIN | POLLHUP | POLLERR)) ok = ok && pull(s.down);
      ok = ok && push(s.up) && push(s.down);
      if (!ok || (s.up.shut && s.down.shut)) end(it);
    }
  }
  for (auto it = sessions.begin(); it != sessions.end();) it = end(it);
}

}  // namespace vpclab::emulator
