#include "dataplane/dns/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace vpclab::dataplane {

namespace {

constexpr size_t kMaxTcpConns = 256;
constexpr auto kTcpIdle = std::chrono::seconds(10);  // RFC 7766 suggests seconds, not minutes
constexpr size_t kMaxUdpPerWake = 64;                // fairness between listeners

int make_socket(int type, Ipv4Address addr, uint16_t port, std::string* error) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // base+2 and 169.254.169.253 may be bound before the address is fully up.
  setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr.value);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    *error = "bind " + addr.str() + ":" + std::to_string(port) + ": " + strerror(errno);
    close(fd);
    return -1;
  }
  if (type == SOCK_STREAM && ::listen(fd, 128) != 0) {
    *error = std::string("listen: ") + strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

uint16_t bound_port(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

}  // namespace

struct DnsServer::Conn {
  int fd = -1;
  std::string view;
  std::vector<uint8_t> in;
  std::vector<uint8_t> out;
  std::chrono::steady_clock::time_point last;
};

DnsServer::DnsServer(std::shared_ptr<const Resolver> resolver) : resolver_(std::move(resolver)) {
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

DnsServer::~DnsServer() {
  for (auto& l : listeners_) {
    if (l.udp >= 0) close(l.udp);
    if (l.tcp >= 0) close(l.tcp);
  }
  for (auto& c : conns_) close(c->fd);
  if (stop_fd_ >= 0) close(stop_fd_);
}

uint16_t DnsServer::listen(const std::string& view, Ipv4Address addr, uint16_t port, std::string* error,
                           const std::string& netns_path) {
  std::string scratch;
  if (!error) error = &scratch;
  int home = -1;
  if (!netns_path.empty()) {
    // setns affects only this thread; the sockets stay in the target namespace.
    home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (home < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
      *error = "enter " + netns_path + ": " + strerror(errno);
      if (home >= 0) close(home);
      if (target >= 0) close(target);
      return 0;
    }
    close(target);
  }
  Listener l{view, -1, -1};
  // Port 0: the kernel picks a free UDP port, which a TCP socket (a client's
  // ephemeral port, say) may already hold; pick again rather than fail.
  for (int attempt = 0; attempt < (port == 0 ? 20 : 1); ++attempt) {
    l.udp = make_socket(SOCK_DGRAM, addr, port, error);
    if (l.udp < 0) break;
    l.tcp = make_socket(SOCK_STREAM, addr, bound_port(l.udp), error);
    if (l.tcp >= 0) break;
    close(l.udp);
    l.udp = -1;
  }
  if (home >= 0) {
    if (setns(home, CLONE_NEWNET) != 0) *error = std::string("return to own netns: ") + strerror(errno);
    close(home);
  }
  if (l.udp < 0) return 0;
  uint16_t p = bound_port(l.udp);
  listeners_.push_back(std::move(l));
  return p;
}

void DnsServer::stop() {
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(stop_fd_, &one, sizeof one);
}

void DnsServer::serve_udp(const Listener& l) {
  uint8_t buf[65536];
  std::vector<uint8_t> resp;
  for (size_t i = 0; i < kMaxUdpPerWake; ++i) {
    sockaddr_storage from{};
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(l.udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n < 0) return;
    ++queries_;
    if (!resolver_->answer(l.view, std::span<const uint8_t>(buf, static_cast<size_t>(n)), resp, 512)) {
      ++dropped_;
      continue;
    }
    sendto(l.udp, resp.data(), resp.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), flen);
  }
}

void DnsServer::accept_tcp(const Listener& l) {
  while (true) {
    int fd = accept4(l.tcp, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (conns_.size() >= kMaxTcpConns) {
      close(fd);
      continue;
    }
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->view = l.view;
    c->last = std::chrono::steady_clock::now();
    conns_.push_back(std::move(c));
  }
}

bool DnsServer::read_tcp(Conn& c) {
  uint8_t buf[16384];
  while (true) {
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    c.in.insert(c.in.end(), buf, buf + n);
    if (c.in.size() > 70000) return false;  // one message is at most 65535 + 2
  }
  c.last = std::chrono::steady_clock::now();
  std::vector<uint8_t> resp;
  while (c.in.size() >= 2) {
    size_t len = (size_t{c.in[0]} << 8) | c.in[1];
    if (c.in.size() < 2 + len) break;
    ++queries_;
    bool ok = resolver_->answer(c.view, std::span<const uint8_t>(c.in.data() + 2, len), resp, 0);
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(2 + len));
    if (!ok) {
      ++dropped_;
      return false;
    }
    c.out.push_back(static_cast<uint8_t>(resp.size() >> 8));
    c.out.push_back(static_cast<uint8_t>(resp.size() & 0xff));
    c.out.insert(c.out.end(), resp.begin(), resp.end());
  }
  return write_tcp(c);
}

bool DnsServer::write_tcp(Conn& c) {
  while (!c.out.empty()) {
    ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    c.out.erase(c.out.begin(), c.out.begin() + n);
  }
  return true;
}

void DnsServer::run() {
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    fds.push_back({stop_fd_, POLLIN, 0});
    for (const auto& l : listeners_) {
      fds.push_back({l.udp, POLLIN, 0});
      fds.push_back({l.tcp, POLLIN, 0});
    }
    size_t conn_base = fds.size();
    for (const auto& c : conns_)
      fds.push_back({c->fd, static_cast<short>(POLLIN | (c->out.empty() ? 0 : POLLOUT)), 0});
    int n = poll(fds.data(), fds.size(), 1000);
    if (n < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    for (size_t i = 0; i < listeners_.size(); ++i) {
      if (fds[1 + 2 * i].revents & POLLIN) serve_udp(listeners_[i]);
      if (fds[2 + 2 * i].revents & POLLIN) accept_tcp(listeners_[i]);
    }
    auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Conn>> keep;
    for (size_t i = 0; i < conns_.size(); ++i) {
      auto& c = conns_[i];
      bool alive = true;
      short ev = conn_base + i < fds.size() ? fds[conn_base + i].revents : 0;
      if (ev & (POLLERR | POLLNVAL)) alive = false;
      if (alive && (ev & POLLOUT)) alive = write_tcp(*c);
      if (alive && (ev & (POLLIN | POLLHUP))) alive = read_tcp(*c);
      if (alive && now - c->last > kTcpIdle) alive = false;
      if (alive)
        keep.push_back(std::move(c));
      else
        close(c->fd);
    }
    conns_ = std::move(keep);
  }
}

}  // namespace vpclab::dataplane
