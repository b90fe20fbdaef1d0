// TCP flows: accept on a node, pick a target, connect to it (from the
// client's address when the group preserves it), then copy bytes both ways
// with half-closes passed on; a reset on one side resets the other, as an
// NLB does. Idle flows end after the TCP idle timeout (350 s).
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dataplane/alb/sockets.h"
#include "dataplane/nlb/engine_impl.h"

namespace vpclab::dataplane::nlb {

namespace {

void reset_and_close(int fd) {
  if (fd < 0) return;
  linger lg{1, 0};  // close() sends RST
  (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

// Proxy protocol v2 (haproxy.org/download/2.9/doc/proxy-protocol.txt):
// PROXY command, TCP over IPv4, the client's and the node's address.
size_t proxy_v2_header(char* out, const sockaddr_in& client, Ipv4Address node, uint16_t port) {
  static const unsigned char sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  std::memcpy(out, sig, 12);
  out[12] = 0x21;  // version 2, PROXY
  out[13] = 0x11;  // AF_INET, STREAM
  out[14] = 0;
  out[15] = 12;
  uint32_t dst = htonl(node.value);
  uint16_t dport = htons(port);
  std::memcpy(out + 16, &client.sin_addr.s_addr, 4);
  std::memcpy(out + 20, &dst, 4);
  std::memcpy(out + 24, &client.sin_port, 2);
  std::memcpy(out + 26, &dport, 2);
  return 28;
}

}  // namespace

void Engine::Impl::on_accept(ListenerRt* l) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_in ca{};
    socklen_t len = sizeof ca;
    int fd = accept4(l->tcp.fd, reinterpret_cast<sockaddr*>(&ca), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN, or a resource limit: the backlog keeps the rest
    }
    uint64_t hash = (uint64_t{ntohl(ca.sin_addr.s_addr)} << 32) ^ (uint64_t{ntohs(ca.sin_port)} << 16) ^ l->port ^
                    (uint64_t{6} << 56);
    TargetRt* t = choose_target(l, hash);
    if (!t) {
      reset_and_close(fd);
      ++elb_resets;
      continue;
    }
    const NodeConfig& node = cfg.nodes[l->node];
    const bool preserve = t->tg->cfg.preserve_client_ip;
    int up = new_socket(l->node, SOCK_STREAM);
    if (up < 0 || !bind_upstream(up, ca, preserve, node.address, preserve ? node.dscp : 0)) {
      if (up >= 0) close(up);
      reset_and_close(fd);
      ++elb_resets;
      continue;
    }
    (void)alb::set_nodelay(fd);
    (void)alb::set_nodelay(up);
    sockaddr_in dst = alb::make_sockaddr(t->cfg.address, t->port);
    int rc = connect(up, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    if (rc < 0 && errno != EINPROGRESS && errno != EINTR) {
      close(up);
      reset_and_close(fd);
      ++elb_resets;
      continue;
    }
    auto* f = new TcpFlow;
    f->client.fd = fd;
    f->upstream.fd = up;
    f->client.owner = f->upstream.owner = f->lru.owner = f;
    f->node = l->node;
    f->target = t;
    f->c2u.data.reset(new char[Buf::kSize]);
    f->u2c.data.reset(new char[Buf::kSize]);
    if (t->tg->cfg.proxy_protocol_v2) f->c2u.len = proxy_v2_header(f->c2u.data.get(), ca, node.address, l->port);
    connecting_lru.touch(&f->lru, now_ms);
    ++new_flows_tcp;
    ++active_tcp;
    tcp_pump(f);
  }
}

void Engine::Impl::on_tcp(TcpFlow* f, Handle* h, uint32_t ev) {
  if (h == &f->upstream && !f->connected) {
    if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    // A failed connect raises EPOLLERR: only then is SO_ERROR worth a call.
    if ((ev & (EPOLLERR | EPOLLHUP)) && alb::socket_error(f->upstream.fd) != 0) {
      ++elb_resets;  // refused or unreachable: the client is reset
      tcp_close(f, true);
      return;
    }
    f->connected = true;
    connecting_lru.unlink(&f->lru);
  }
  if (f->connected) tcp_lru.touch(&f->lru, now_ms);  // a connecting flow keeps its connect deadline
  // A side is read when it has an event, or when its bytes were held back
  // (buffer not yet written out): it likely has more. A read of the other
  // side would mostly see EAGAIN.
  const bool in = ev & (EPOLLIN | EPOLLHUP | EPOLLERR);
  tcp_pump(f, (h == &f->client && in) || f->c2u.len > 0, (h == &f->upstream && in) || f->u2c.len > 0);
}

void Engine::Impl::tcp_pump(TcpFlow* f, bool read_client, bool read_upstream) {
  // One direction: write what is buffered, read more, pass an EOF on as a
  // half-close. False when a socket failed (reset): the flow ends.
  // A short read drained the socket for now: the level-triggered loop says
  // when there is more, so no read is made only to see EAGAIN.
  auto move = [&](Handle& from, Handle& to, Buf& b, bool& from_eof, bool& shut, bool can_read, bool other_shut) {
    bool drained = false;
    for (;;) {
      if (b.len) {
        if (!f->connected) return true;
        ssize_t w = send(to.fd, b.data.get() + b.off, b.len, MSG_NOSIGNAL);
        if (w > 0) {
          b.off += static_cast<size_t>(w);
          b.len -= static_cast<size_t>(w);
          processed_bytes += static_cast<uint64_t>(w);
          if (b.len == 0) b.off = 0;
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        return w < 0 && errno == EAGAIN;
      }
      if (from_eof) {
        if (!shut && f->connected) {
          // The other way is shut too: the flow closes now, and close() sends the FIN.
          if (!other_shut) (void)shutdown(to.fd, SHUT_WR);
          shut = true;
        }
        return true;
      }
      if (!can_read || drained) return true;
      ssize_t r = recv(from.fd, b.data.get(), Buf::kSize, 0);
      if (r > 0) {
        b.off = 0;
        b.len = static_cast<size_t>(r);
        drained = static_cast<size_t>(r) < Buf::kSize;
        continue;
      }
      if (r == 0) {
        from_eof = true;
        continue;
      }
      if (errno == EINTR) continue;
      return errno == EAGAIN;
    }
  };
  if (!move(f->client, f->upstream, f->c2u, f->client_eof, f->c2u_shut, read_client, f->u2c_shut)) {
    ++client_resets;
    tcp_close(f, true);
    return;
  }
  if (!move(f->upstream, f->client, f->u2c, f->upstream_eof, f->u2c_shut, f->connected && read_upstream,
            f->c2u_shut)) {
    ++target_resets;
    tcp_close(f, true);
    return;
  }
  if (f->c2u_shut && f->u2c_shut) {
    tcp_close(f, false);
    return;
  }
  auto watch = [&](Handle& h, uint32_t events) {
    if (events == 0) {
      unwatch(&h);
      return true;
    }
    return set_events(&h, events);
  };
  uint32_t cev = (!f->client_eof && f->c2u.len == 0 ? EPOLLIN : 0) | (f->u2c.len ? EPOLLOUT : 0);
  uint32_t uev = !f->connected ? EPOLLOUT
                               : (!f->upstream_eof && f->u2c.len == 0 ? EPOLLIN : 0) | (f->c2u.len ? EPOLLOUT : 0);
  if (!watch(f->client, cev) || !watch(f->upstream, uev)) tcp_close(f, true);
}

void Engine::Impl::tcp_close(TcpFlow* f, bool reset) {
  if (f->closed) return;
  f->closed = true;
  tcp_lru.unlink(&f->lru);  // whichever list holds it: the node links to its neighbours
  unwatch(&f->client);
  unwatch(&f->upstream);
  if (reset) {
    reset_and_close(f->client.fd);
    reset_and_close(f->upstream.fd);
  } else {
    close(f->client.fd);
    close(f->upstream.fd);
  }
  f->client.fd = f->upstream.fd = -1;
  --active_tcp;
  dead_tcp.push_back(f);
}

void Engine::Impl::expire_tcp() {
  for (LruNode* n = connecting_lru.front(); n && now_ms - n->last_ms >= cfg.connect_timeout_ms; n = connecting_lru.front()) {
    ++elb_resets;
    tcp_close(static_cast<TcpFlow*>(n->owner), true);
  }
  for (LruNode* n = tcp_lru.front(); n && now_ms - n->last_ms >= cfg.tcp_idle_timeout_ms; n = tcp_lru.front()) {
    ++elb_resets;  // AWS resets a flow idle past the timeout
    tcp_close(static_cast<TcpFlow*>(n->owner), true);
  }
}

}  // namespace vpclab::dataplane::nlb
