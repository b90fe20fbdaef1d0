#include "dataplane/alb/sockets.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace vpclab::dataplane::alb {

sockaddr_in make_sockaddr(Ipv4Address a, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(a.value);
  return sa;
}

bool listen_on(int fd, Ipv4Address address, uint16_t port, int backlog, uint16_t* bound_port, std::string* error,
               bool reuse_port, bool defer_accept) {
  auto fail = [&](const char* call) {
    if (error) *error = std::string(call) + ": " + std::strerror(errno);
    return false;
  };
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) return fail("setsockopt(SO_REUSEADDR)");
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
    return fail("setsockopt(SO_REUSEPORT)");
  sockaddr_in sa = make_sockaddr(address, port);
  // bind's message is errno's alone ("Address already in use"): the caller names the address.
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    if (error) *error = std::strerror(errno);
    return false;
  }
  if (listen(fd, backlog) < 0) {
    if (error) *error = std::strerror(errno);
    return false;
  }
  // Accepted sockets inherit it: the kernel does not ACK the request on its
  // own, the response carries the ACK (one packet less per new connection,
  // HAProxy's tcp-smart-accept). Best effort: without it only that ACK goes.
  if (defer_accept) {
    int zero = 0;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
    int defer_s = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_s, sizeof defer_s);
  }
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return fail("getsockname");
  *bound_port = ntohs(sa.sin_port);
  return true;
}

bool set_nodelay(int fd) {
  int one = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0;
}

bool connect_from(int fd, Ipv4Address source, Ipv4Address dest, uint16_t dest_port) {
  int one = 1;
  // Without it bind() picks a port per source address and can run out; a
  // kernel without the option still binds, only with that limit.
  if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0 && errno != ENOPROTOOPT) return false;
  sockaddr_in src = make_sockaddr(source, 0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) < 0) return false;
  // The handshake's last ACK rides on the request (HAProxy's tcp-smart-connect). Best effort.
  int zero = 0;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
  sockaddr_in dst = make_sockaddr(dest, dest_port);
  // Non-blocking: EINPROGRESS, or EINTR (the connect goes on in the background).
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  return rc == 0 || errno == EINPROGRESS || errno == EINTR;
}

int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}

}  // namespace vpclab::dataplane::alb
