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
constexpr size_t kMaxUdpPerWake = 64;                // one recvmmsg per wake: fairness between listeners
constexpr size_t kUdpBuffer = 65536;                 // a datagram is never cut
constexpr int kUdpSocketBuffer = 1 << 20;            // bursts from many clients queue, not drop

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
  if (type == SOCK_DGRAM) {
    // Beyond net.core.rmem_max when privileged (as in a lab), else up to it.
    for (int opt : {SO_RCVBUF, SO_SNDBUF}) {
      int force = opt == SO_RCVBUF ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
      if (setsockopt(fd, SOL_SOCKET, force, &kUdpSocketBuffer, sizeof kUdpSocketBuffer) != 0)
        setsockopt(fd, SOL_SOCKET, opt, &kUdpSocketBuffer, sizeof kUdpSocketBuffer);
    }
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
  uint32_t listener = 0;
  std::vector<uint8_t> in;
  std::vector<uint8_t> out;
  std::chrono::steady_clock::time_point last;
};

// The buffers of one recvmmsg/sendmmsg round, allocated once (the 64 KiB
// receive buffers are touched only as far as datagrams reach).
struct DnsServer::UdpBatch {
  std::vector<uint8_t> in = std::vector<uint8_t>(kMaxUdpPerWake * kUdpBuffer);
  std::vector<std::vector<uint8_t>> out = std::vector<std::vector<uint8_t>>(kMaxUdpPerWake);
  mmsghdr rmsg[kMaxUdpPerWake]{}, smsg[kMaxUdpPerWake]{};
  iovec riov[kMaxUdpPerWake]{}, siov[kMaxUdpPerWake]{};
  sockaddr_storage from[kMaxUdpPerWake]{};
};

DnsServer::DnsServer(std::shared_ptr<const Resolver> resolver)
    : resolver_(std::move(resolver)), batch_(std::make_unique<UdpBatch>()) {
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

bool DnsServer::answer(uint32_t listener, std::span<const uint8_t> query, std::vector<uint8_t>& response,
                       size_t max_udp) {
  if (query.size() < 12) return false;  // no ID to patch: the resolver drops these
  if (const AnswerCache::Entry* e = cache_.find(listener, max_udp, query)) {
    if (!e->send) return false;
    AnswerCache::copy_with_id(*e, query, response);
    return true;
  }
  bool send = resolver_->answer(listeners_[listener].view, query, response, max_udp);
  cache_.insert(listener, max_udp, query, send, response);
  return send;
}

void DnsServer::serve_udp(uint32_t listener) {
  UdpBatch& b = *batch_;
  int fd = listeners_[listener].udp;
  for (size_t i = 0; i < kMaxUdpPerWake; ++i) {
    b.riov[i] = {b.in.data() + i * kUdpBuffer, kUdpBuffer};
    b.rmsg[i].msg_hdr = {};
    b.rmsg[i].msg_hdr.msg_name = &b.from[i];
    b.rmsg[i].msg_hdr.msg_namelen = sizeof b.from[i];
    b.rmsg[i].msg_hdr.msg_iov = &b.riov[i];
    b.rmsg[i].msg_hdr.msg_iovlen = 1;
  }
  int n = recvmmsg(fd, b.rmsg, kMaxUdpPerWake, MSG_DONTWAIT, nullptr);
  if (n <= 0) return;
  queries_ += static_cast<uint64_t>(n);
  unsigned ready = 0;
  for (int i = 0; i < n; ++i) {
    std::span<const uint8_t> q(b.in.data() + static_cast<size_t>(i) * kUdpBuffer, b.rmsg[i].msg_len);
    if (!answer(listener, q, b.out[ready], 512)) {
      ++dropped_;
      continue;
    }
    b.siov[ready] = {b.out[ready].data(), b.out[ready].size()};
    b.smsg[ready].msg_hdr = {};
    b.smsg[ready].msg_hdr.msg_name = &b.from[i];
    b.smsg[ready].msg_hdr.msg_namelen = b.rmsg[i].msg_hdr.msg_namelen;
    b.smsg[ready].msg_hdr.msg_iov = &b.siov[ready];
    b.smsg[ready].msg_hdr.msg_iovlen = 1;
    ++ready;
  }
  // A response the socket cannot take now is lost, as a datagram may be.
  for (unsigned sent = 0; sent < ready;) {
    int m = sendmmsg(fd, b.smsg + sent, ready - sent, MSG_DONTWAIT);
    sent += m > 0 ? static_cast<unsigned>(m) : 1;
  }
}

void DnsServer::accept_tcp(uint32_t listener) {
  while (true) {
    int fd = accept4(listeners_[listener].tcp, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (conns_.size() >= kMaxTcpConns) {
      close(fd);
      continue;
    }
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->listener = listener;
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
    bool ok = answer(c.listener, std::span<const uint8_t>(c.in.data() + 2, len), resp, 0);
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
    for (uint32_t i = 0; i < listeners_.size(); ++i) {
      if (fds[1 + 2 * i].revents & POLLIN) serve_udp(i);
      if (fds[2 + 2 * i].revents & POLLIN) accept_tcp(i);
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
