// The data plane's socket calls, each return checked: a failed call comes
// back as false (and errno) with a message naming the call, never ignored.
#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <string>

#include "vocab/ip.h"

namespace vpclab::dataplane::alb {

sockaddr_in make_sockaddr(Ipv4Address a, uint16_t port);

// SO_REUSEADDR, bind, listen, getsockname: the bound port in `*port`.
// reuse_port: SO_REUSEPORT, so every worker binds its own socket to the
// port and the kernel spreads new connections over them.
// defer_accept: the ALB's TCP_QUICKACK/TCP_DEFER_ACCEPT (the client speaks
// first); off for a listener whose server may speak first (an NLB's).
bool listen_on(int fd, Ipv4Address address, uint16_t port, int backlog, uint16_t* bound_port, std::string* error,
               bool reuse_port = false, bool defer_accept = true);

// TCP_NODELAY; false when setsockopt fails (the socket is unusable then).
bool set_nodelay(int fd);

// Binds `fd` to `source` (port chosen at connect: IP_BIND_ADDRESS_NO_PORT),
// then starts a non-blocking connect to `dest`. False when either fails
// (EINPROGRESS is success).
bool connect_from(int fd, Ipv4Address source, Ipv4Address dest, uint16_t dest_port);

// The pending error of a connecting socket (SO_ERROR); the errno of
// getsockopt itself when that fails.
int socket_error(int fd);

}  // namespace vpclab::dataplane::alb
