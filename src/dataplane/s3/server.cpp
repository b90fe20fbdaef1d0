#include "dataplane/s3/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "dataplane/alb/sockets.h"

namespace vpclab::dataplane::s3 {

namespace {
constexpr auto kIdle = std::chrono::seconds(30);  // a client that never finishes its request
}

struct ServiceServer::Conn {
  int fd = -1;
  const Listener* listener = nullptr;
  ServiceAt at;
  Ipv4Address client;
  std::string in, out;
  size_t sent = 0;
  bool answered = false;
  http::RequestParser parser;
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
};

ServiceServer::ServiceServer(std::vector<Bucket> buckets) : buckets_(std::move(buckets)) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
}

ServiceServer::~ServiceServer() {
  for (auto& l : listeners_) close(l.fd);
  for (int fd : wake_)
    if (fd >= 0) close(fd);
}

void ServiceServer::add_listener(int fd, std::vector<ServiceRange> ranges) {
  listeners_.push_back({fd, std::move(ranges)});
}

void ServiceServer::stop() {
  stopping_ = true;
  if (wake_[1] >= 0) [[maybe_unused]] auto n = write(wake_[1], "x", 1);
}

void ServiceServer::run() {
  std::map<int, Conn> conns;
  auto accept_from = [&](const Listener& l) {
    while (true) {
      sockaddr_in peer{}, local{};
      socklen_t plen = sizeof peer, llen = sizeof local;
      int c = accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c < 0) return;
      if (conns.size() >= kMaxConnections || getsockname(c, reinterpret_cast<sockaddr*>(&local), &llen) != 0) {
        close(c);
        continue;
      }
      Ipv4Address to{ntohl(local.sin_addr.s_addr)};
      const ServiceRange* range = nullptr;
      for (const auto& r : l.ranges)
        if (!range && r.cidr.contains(to)) range = &r;
      if (!range) {  // an address of the namespace that is no service's
        close(c);
        continue;
      }
      Conn& k = conns[c];
      k.fd = c;
      k.listener = &l;
      k.at = range->service;
      k.client = Ipv4Address{ntohl(peer.sin_addr.s_addr)};
    }
  };
  while (!stopping_) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    for (const auto& l : listeners_) fds.push_back({l.fd, POLLIN, 0});
    size_t first = fds.size();
    for (auto& [fd, c] : conns) fds.push_back({fd, static_cast<short>(c.answered ? POLLOUT : POLLIN), 0});
    if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return;
    if (fds[0].revents) break;
    for (size_t i = 0; i < listeners_.size(); ++i)
      if (fds[1 + i].revents & POLLIN) accept_from(listeners_[i]);
    auto now = std::chrono::steady_clock::now();
    for (size_t k = first; k < fds.size(); ++k) {
      auto it = conns.find(fds[k].fd);
      if (it == conns.end()) continue;
      Conn& c = it->second;
      bool done = false;
      if (!c.answered && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[16384];
        ssize_t n = read(c.fd, buf, sizeof buf);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
          done = true;
        } else if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          http::Request req;
          size_t head = 0;
          auto st = c.parser.parse(c.in, req, head);
          if (st == http::ParseStatus::kDone) {
            c.out = answer(req, c.at, c.client, buckets_);
            c.answered = true;
          } else if (st == http::ParseStatus::kError || c.in.size() > http::kMaxRequestHeadBytes) {
            int status = req.error_status ? req.error_status : 400;
            std::string body = error_xml(status == 414 ? "KeyTooLongError" : "InvalidRequest",
                                         "The request is not valid HTTP/1.1.", "", "0");
            c.out = "HTTP/1.1 " + std::to_string(status) + " Bad Request\r\nContent-Type: application/xml\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\nServer: AmazonS3\r\nConnection: close\r\n\r\n" + body;
            c.answered = true;
          }
        }
      }
      if (c.answered && !done) {
        while (c.sent < c.out.size()) {
          ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
          if (n > 0) {
            c.sent += static_cast<size_t>(n);
            continue;
          }
          if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
          done = true;
          break;
        }
        if (c.sent == c.out.size()) done = true;
      }
      if (!done && now - c.since > kIdle) done = true;
      if (done) {
        close(c.fd);
        conns.erase(it);
      }
    }
  }
  for (auto& [fd, c] : conns) close(fd);
}

int listen_tcp(Ipv4Address address, uint16_t port, std::string* error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return -1;
  }
  uint16_t bound = 0;
  std::string why;
  if (!alb::listen_on(fd, address, port, 128, &bound, &why)) {
    *error = "cannot listen on " + address.str() + ":" + std::to_string(port) + ": " + why;
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace vpclab::dataplane::s3
