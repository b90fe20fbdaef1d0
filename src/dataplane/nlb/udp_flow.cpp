// UDP flows: a flow is (listener, client address and port); its first
// datagram picks the target, later ones follow it, the target's answers go
// back from the listener's address. A UDP group always preserves the
// client's address (semantics::nlb_preserves_client_ip).
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "dataplane/alb/sockets.h"
#include "dataplane/nlb/engine_impl.h"

namespace vpclab::dataplane::nlb {

namespace {
thread_local char datagram[65536];
}

void Engine::Impl::on_udp_listener(ListenerRt* l) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_in ca{};
    socklen_t len = sizeof ca;
    ssize_t n = recvfrom(l->udp.fd, datagram, sizeof datagram, 0, reinterpret_cast<sockaddr*>(&ca), &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    uint64_t key = (uint64_t{ntohl(ca.sin_addr.s_addr)} << 16) | ntohs(ca.sin_port);
    auto it = udp_flows.find({l, key});
    UdpFlow* f = it == udp_flows.end() ? nullptr : it->second;
    if (!f) {
      TargetRt* t = choose_target(l, (key << 16) ^ l->port ^ (uint64_t{17} << 56));
      if (!t) continue;  // no target: the datagram is dropped
      const NodeConfig& node = cfg.nodes[l->node];
      int up = new_socket(l->node, SOCK_DGRAM);
      sockaddr_in dst = alb::make_sockaddr(t->cfg.address, t->port);
      const bool preserve = t->tg->cfg.preserve_client_ip;
      if (up < 0 || !bind_upstream(up, ca, preserve, node.address, preserve ? node.dscp : 0) ||
          connect(up, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0) {
        if (up >= 0) close(up);
        continue;
      }
      f = new UdpFlow;
      f->upstream.fd = up;
      f->upstream.owner = f->lru.owner = f;
      f->listener = l;
      f->target = t;
      f->client = ca;
      if (!set_events(&f->upstream, EPOLLIN)) {
        close(up);
        delete f;
        continue;
      }
      udp_flows[{l, key}] = f;
      ++new_flows_udp;
      ++active_udp;
    }
    udp_lru.touch(&f->lru, now_ms);
    if (send(f->upstream.fd, datagram, static_cast<size_t>(n), 0) == n) processed_bytes += static_cast<uint64_t>(n);
  }
}

void Engine::Impl::on_udp_upstream(UdpFlow* f) {
  for (int i = 0; i < 64; ++i) {
    ssize_t n = recv(f->upstream.fd, datagram, sizeof datagram, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) udp_close(f);  // ECONNREFUSED: nothing listens on the target
      return;
    }
    udp_lru.touch(&f->lru, now_ms);
    if (sendto(f->listener->udp.fd, datagram, static_cast<size_t>(n), 0, reinterpret_cast<const sockaddr*>(&f->client),
               sizeof f->client) == n)
      processed_bytes += static_cast<uint64_t>(n);
  }
}

void Engine::Impl::udp_close(UdpFlow* f) {
  if (f->closed) return;
  f->closed = true;
  udp_lru.unlink(&f->lru);
  uint64_t key = (uint64_t{ntohl(f->client.sin_addr.s_addr)} << 16) | ntohs(f->client.sin_port);
  udp_flows.erase({f->listener, key});
  unwatch(&f->upstream);
  close(f->upstream.fd);
  f->upstream.fd = -1;
  --active_udp;
  dead_udp.push_back(f);
}

void Engine::Impl::expire_udp() {
  for (LruNode* n = udp_lru.front(); n && now_ms - n->last_ms >= cfg.udp_idle_timeout_ms; n = udp_lru.front())
    udp_close(static_cast<UdpFlow*>(n->owner));
}

}  // namespace vpclab::dataplane::nlb
