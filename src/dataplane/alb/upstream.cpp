// Target connections: connect from the node's address, the per-node
// keep-alive pool, the request (head, body, tunnel bytes) to the target and
// the response back, and what the load balancer answers when the target
// fails (502, 504).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "dataplane/alb/body.h"
#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/sockets.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

UpstreamConn* Engine::Impl::connect_target(ClientConn* c, TargetRt* t) {
  int fd = new_socket(c->node);
  if (fd < 0) return nullptr;
  // Leave from the node's own address, as ALB nodes do.
  if (!set_nodelay(fd) || !connect_from(fd, cfg.nodes[c->node].address, t->cfg.address, t->port)) {
    close(fd);
    return nullptr;
  }
  auto* u = new UpstreamConn();
  u->fd = fd;
  u->target = t;
  u->node = c->node;
  u->state = UpState::kConnecting;
  ++upstreams;
  connecting_lru.touch(&u->lru, now_ms);
  set_events(u, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
  if (u->events == 0) {
    u->target = nullptr;  // nothing outstanding was counted for it yet
    close_upstream(u);
    return nullptr;
  }
  return u;
}

void Engine::Impl::dispatch(ClientConn* c, TargetRt* t) {
  Exchange& ex = *c->ex;
  const http::Request& r = ex.req;
  ex.target = t;
  ++t->requests;
  build_upstream_head(c, t);
  // Expect: 100-continue is answered by the load balancer itself.
  if (r.expect_continue && !ex.req_done) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    client_write(c, kContinue, sizeof kContinue - 1);
    ex.sent += sizeof kContinue - 1;
  }
  NodeTarget& nt = t->nodes[c->node];
  UpstreamConn* u = nullptr;
  while (!nt.idle.empty()) {
    u = nt.idle.back();
    nt.idle.pop_back();
    if (!u->closed) break;
    u = nullptr;
  }
  if (u) {
    VPCLAB_ASSERT(u->state == UpState::kIdle && u->client == nullptr);
    u->state = UpState::kBusy;
    u->reused = true;
  } else {
    u = connect_target(c, t);
    if (!u) {
      ++m.target_connection_errors;
      ++t->tg->m.connection_errors;
      fail_exchange(c, 502, "");
      return;
    }
    u->reused = false;
  }
  u->client = c;
  u->bytes_in = 0;
  u->parser.reset();
  c->up = u;
  t->outstanding(c->node).fetch_add(1, std::memory_order_relaxed);
  ex.dispatch_us = now_us;
  u->out.append(pool, ex.upstream_head.data(), ex.upstream_head.size());
  if (u->state == UpState::kBusy) {
    upstream_lru.touch(&u->lru, now_ms);
    forward_request_body(c);
    if (!u->closed) upstream_flush_soon(u);
  } else {
    forward_request_body(c);
  }
}

// Moves request body bytes (or tunnel bytes) from the client's input to the target.
void Engine::Impl::forward_request_body(ClientConn* c) {
  UpstreamConn* u = c->up;
  if (!u) return;
  Exchange& ex = *c->ex;
  if (c->state == ClientState::kTunnel) {
    if (!c->in.empty()) {
      u->out.append(pool, c->in.data + c->in.start, c->in.size());
      c->in.consume(c->in.size());
    }
  } else if (!ex.req_done && !c->in.empty()) {
    std::string_view avail = c->in.view();
    size_t take = 0;
    BodyStep step = next_body_bytes(ex.req_body, avail, take);
    if (step == BodyStep::kBadChunk) {
      // Bad chunk framing from the client: 400 and close both.
      c->in.consume(c->in.size());
      ex.close_after = true;
      close_upstream(u);
      respond_lb(c, 400, false);
      return;
    }
    if (step == BodyStep::kDone) ex.req_done = true;
    if (take) {
      u->out.append(pool, avail.data(), take);
      c->in.consume(take);
    }
  }
  if (u->state != UpState::kConnecting) upstream_flush_soon(u);
  if (!c->closed) update_client_events(c);
}

// A request goes out once the round's events are handled, with the others of
// that round: a target woken by the first finds the rest already queued (one
// wake per round, not per request; HAProxy sends at the end of its loop too).
void Engine::Impl::upstream_flush_soon(UpstreamConn* u) {
  if (u->flush_queued) return;
  u->flush_queued = true;
  queued_flushes.push_back(u);
}

void Engine::Impl::flush_queued_upstreams() {
  for (size_t i = 0; i < queued_flushes.size(); ++i) {  // a flush may queue more (a retried request)
    UpstreamConn* u = queued_flushes[i];
    u->flush_queued = false;
    if (!u->closed && u->state != UpState::kConnecting) upstream_flush(u);
  }
  queued_flushes.clear();
}

void Engine::Impl::upstream_flush(UpstreamConn* u) {
  ssize_t sent = u->out.send_to(u->fd);
  if (sent < 0) {
    upstream_eof(u, true);
    return;
  }
  if (sent > 0) upstream_lru.touch(&u->lru, now_ms);
  if (u->out.empty()) {
    u->out.release_if_empty(pool);
    if (u->client && u->client->read_paused) update_client_events(u->client);
  }
  update_upstream_events(u);
}

void Engine::Impl::update_upstream_events(UpstreamConn* u) {
  if (u->closed) return;
  uint32_t ev = EPOLLRDHUP;
  if (u->state == UpState::kConnecting) {
    ev |= EPOLLOUT | EPOLLIN;
  } else {
    bool want_read = !(u->client && u->client->out.size() >= kMaxBuffered);
    if (want_read) ev |= EPOLLIN;
    u->read_paused = !want_read;
    if (!u->out.empty()) ev |= EPOLLOUT;
  }
  set_events(u, ev);
}

void Engine::Impl::on_upstream(UpstreamConn* u, uint32_t ev) {
  if (u->state == UpState::kConnecting) {
    if (socket_error(u->fd) != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
      ++m.target_connection_errors;
      if (u->target) ++u->target->tg->m.connection_errors;
      upstream_eof(u, true);
      return;
    }
    if (!(ev & EPOLLOUT) && !(ev & EPOLLIN)) return;
    connecting_lru.unlink(&u->lru);
    u->state = UpState::kBusy;
    upstream_lru.touch(&u->lru, now_ms);
    if (!u->client) {  // client left while connecting
      close_upstream(u);
      return;
    }
    upstream_flush(u);
    if (u->closed) return;
  } else if (ev & EPOLLOUT) {
    upstream_flush(u);
    if (u->closed) return;
  }
  if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) upstream_read(u);
}

void Engine::Impl::upstream_read(UpstreamConn* u) {
  bool eof = false, error = false;
  while (true) {
    if (u->client && u->client->out.size() >= kMaxBuffered) break;
    u->in.reserve(pool, 4096);
    ssize_t n = read(u->fd, u->in.data + u->in.end, u->in.cap - u->in.end);
    if (n > 0) {
      u->in.end += static_cast<size_t>(n);
      u->bytes_in += static_cast<uint64_t>(n);
      upstream_lru.touch(&u->lru, now_ms);
      if (u->state == UpState::kIdle) {
        // Bytes on an idle pooled connection: not HTTP we expect. Drop it.
        close_upstream(u);
        return;
      }
      if (u->in.size() >= 64 * 1024) break;
      if (static_cast<size_t>(n) < 4096) break;
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      eof = true;
      error = true;
    }
    break;
  }
  if (u->state == UpState::kIdle) {
    if (eof) close_upstream(u);  // the target closed a pooled connection
    return;
  }
  if (!u->in.empty() && u->client) relay_response(u);
  if (u->closed) return;
  if (eof) upstream_eof(u, error);
}

void Engine::Impl::relay_response(UpstreamConn* u) {
  ClientConn* c = u->client;
  Exchange& ex = *c->ex;
  while (!u->in.empty() && !u->closed && !c->closed) {
    if (c->state == ClientState::kTunnel) {
      ex.sent += u->in.size();
      client_write(c, u->in.data + u->in.start, u->in.size());
      u->in.consume(u->in.size());
      return;
    }
    bool head_pending = false;
    if (!ex.resp_head_done) {
      size_t head_size = 0;
      auto st = u->parser.parse(u->in.view(), ex.head_method, u->resp, head_size);
      if (st == http::ParseStatus::kIncomplete) return;
      if (st == http::ParseStatus::kError) {
        // Malformed response or headers over 32 KiB: 502.
        close_upstream(u);
        fail_exchange(c, 502, "");
        return;
      }
      if (ex.response_us == 0) ex.response_us = now_us;
      int status = u->resp.status;
      if (status >= 100 && status < 200 && status != 101) {
        u->in.consume(head_size);  // 1xx: not forwarded (100-continue was answered already)
        u->parser.reset();
        continue;
      }
      if (status == 101 && !ex.upgrade) {
        close_upstream(u);
        fail_exchange(c, 502, "");
        return;
      }
      ex.target_status = status;
      ex.elb_status = status;
      ex.resp_head_done = true;
      ex.resp_body.reset(u->resp.body, u->resp.content_length);
      if (!u->resp.keep_alive) ex.close_target = true;
      if (ex.resp_body.kind == http::BodyKind::kUntilClose) ex.close_after = true;  // the close ends the body
      if (ex.resp_body.kind == http::BodyKind::kChunked && ex.client_http10) {
        ex.dechunk = true;
        ex.close_after = true;
      }
      if (ex.tg) {
        double secs = static_cast<double>(ex.response_us - ex.dispatch_us) / 1e6;
        m.target_response_time_sum += secs;
        ++m.target_response_time_count;
        ex.tg->m.response_time_sum += secs;
        ++ex.tg->m.response_time_count;
      }
      build_response_head(c, u);
      u->in.consume(head_size);
      if (status == 101) {
        // WebSocket: from now on bytes flow both ways untouched.
        c->state = ClientState::kTunnel;
        ex.sent += scratch.size();
        client_write(c, scratch.data(), scratch.size());
        if (c->closed) return;
        if (!c->in.empty()) forward_request_body(c);
        continue;
      }
      head_pending = true;  // sent with the first body bytes, in one write
    }
    if (!relay_response_body(u, c, head_pending)) return;
  }
  if (!u->closed && !c->closed) update_upstream_events(u);
}

// The response body bytes in u->in to the client (after the head in
// `scratch` when head_pending). False when relaying stops for now: the
// response ended, a connection closed, or no body byte could be taken.
bool Engine::Impl::relay_response_body(UpstreamConn* u, ClientConn* c, bool head_pending) {
  Exchange& ex = *c->ex;
  std::string_view avail = u->in.view();
  size_t take = 0;
  std::string decoded;
  BodyStep step = next_body_bytes(ex.resp_body, avail, take, ex.dechunk ? &decoded : nullptr);
  if (step == BodyStep::kBadChunk) {
    close_upstream(u);
    if (head_pending) {
      // Nothing of the response went out yet: the target's answer is invalid, 502.
      ex.resp_head_done = false;
      fail_exchange(c, 502, "");
    } else {
      // Cut the client off before the last chunk: it sees an incomplete message.
      log_exchange(c);
      ex.elb_status = 0;
      close_client(c);
    }
    return false;
  }
  const char* bp = ex.dechunk ? decoded.data() : avail.data();
  size_t bn = ex.dechunk ? decoded.size() : take;
  bool last = step == BodyStep::kDone && closes_after(ex);
  if (head_pending) {
    ex.sent += scratch.size() + bn;
    client_write(c, scratch.data(), scratch.size(), bp, bn, last);
  } else {
    ex.sent += bn;
    if (bn) client_write(c, bp, bn, nullptr, 0, last);
  }
  u->in.consume(take);
  if (c->closed) return false;
  if (step == BodyStep::kDone) {
    end_response(u, c);
    return false;
  }
  return head_pending || take > 0;
}

// The whole response reached the client: the target connection goes back
// to the pool when it can serve another request.
void Engine::Impl::end_response(UpstreamConn* u, ClientConn* c) {
  Exchange& ex = *c->ex;
  c->up = nullptr;
  u->client = nullptr;
  bool reusable = !ex.close_target && ex.req_done && u->in.empty();
  release_upstream(u, reusable);
  finish_exchange(c);
}

// The target closed (or reset) the connection.
void Engine::Impl::upstream_eof(UpstreamConn* u, bool error) {
  (void)error;  // a reset and a close end the exchange alike
  ClientConn* c = u->client;
  if (!c) {
    close_upstream(u);
    return;
  }
  Exchange& ex = *c->ex;
  if (c->state == ClientState::kTunnel) {
    close_upstream(u);
    if (c->out.empty()) close_client(c);
    else c->state = ClientState::kClosing;
    return;
  }
  if (!ex.resp_head_done) {
    bool stale = u->reused && u->bytes_in == 0 && !ex.retried && ex.req_body.kind == http::BodyKind::kNone;
    TargetRt* t = u->target;
    close_upstream(u);
    if (stale && t) {
      // A pooled connection the target had just closed: retry once on a new one.
      ex.retried = true;
      UpstreamConn* nu = connect_target(c, t);
      if (nu) {
        nu->client = c;
        c->up = nu;
        t->outstanding(c->node).fetch_add(1, std::memory_order_relaxed);
        nu->out.append(pool, ex.upstream_head.data(), ex.upstream_head.size());
        return;
      }
    }
    fail_exchange(c, 502, "");
    return;
  }
  if (ex.resp_body.kind == http::BodyKind::kUntilClose) {
    c->up = nullptr;
    u->client = nullptr;
    close_upstream(u);
    ex.close_after = true;
    finish_exchange(c);
    return;
  }
  // Response cut short (Content-Length larger than the body, or chunks unfinished).
  close_upstream(u);
  if (c->out.empty()) {
    log_exchange(c);
    ex.elb_status = 0;
    close_client(c);
  } else {
    ex.close_after = true;
    c->state = ClientState::kClosing;
    log_exchange(c);
    ex.active = false;
    ex.elb_status = 0;
    update_client_events(c);
  }
}

// The LB answers for a failed dispatch (502/504) when no response started.
void Engine::Impl::fail_exchange(ClientConn* c, int status, const char* reason) {
  if (c->closed) return;
  Exchange& ex = *c->ex;
  if (c->up) {
    UpstreamConn* u = c->up;
    c->up = nullptr;
    u->client = nullptr;
    close_upstream(u);
  }
  ex.error_reason = reason;
  if (ex.resp_head_done) {
    close_client(c);
    return;
  }
  if (!ex.req_done) ex.close_after = true;
  respond_lb(c, status, !ex.close_after);
}

void Engine::Impl::release_upstream(UpstreamConn* u, bool reusable) {
  if (u->target) u->target->outstanding(u->node).fetch_sub(1, std::memory_order_relaxed);
  u->client = nullptr;
  if (!reusable || !u->target || u->target->draining || !u->target->registered || shutting_down) {
    u->target = nullptr;  // outstanding already released
    close_upstream(u);
    return;
  }
  u->state = UpState::kIdle;
  u->in.release_if_empty(pool);
  u->out.release_if_empty(pool);
  u->target->nodes[u->node].idle.push_back(u);
  upstream_lru.touch(&u->lru, now_ms);
  update_upstream_events(u);
}

void Engine::Impl::close_upstream(UpstreamConn* u) {
  if (u->closed) return;
  if (u->target && u->state != UpState::kIdle) u->target->outstanding(u->node).fetch_sub(1, std::memory_order_relaxed);
  if (u->target && u->state == UpState::kIdle) {
    auto& idle = u->target->nodes[u->node].idle;
    idle.erase(std::remove(idle.begin(), idle.end(), u), idle.end());
  }
  if (u->client && u->client->up == u) u->client->up = nullptr;
  u->client = nullptr;
  upstream_lru.unlink(&u->lru);
  connecting_lru.unlink(&u->lru);
  forget(u);
  close(u->fd);
  u->in.release(pool);
  u->out.release(pool);
  VPCLAB_ASSERT(upstreams > 0);
  --upstreams;
  bury(u);
}

}  // namespace vpclab::dataplane::alb
