// Client connections: accept, read, HTTP/1 request heads (pipelined), desync
// mitigation (aws-alb.md section 4), the load balancer's own answers,
// keep-alive and close.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/sockets.h"
#include "dataplane/http/message.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

namespace va = vpclab::alb;

namespace {

// What the desync mitigation mode does with a request of class `d`
// (aws-alb.md section 4; docs: desync-mitigation-mode).
enum class DesyncVerdict { kForward, kForwardThenClose, kReject };

DesyncVerdict desync_verdict(va::DesyncMitigationMode mode, http::Desync d) {
  if (d == http::Desync::kCompliant) return DesyncVerdict::kForward;
  switch (mode) {
    case va::DesyncMitigationMode::kStrictest: return DesyncVerdict::kReject;
    case va::DesyncMitigationMode::kDefensive:
      if (d == http::Desync::kSevere) return DesyncVerdict::kReject;
      if (d == http::Desync::kAmbiguous) return DesyncVerdict::kForwardThenClose;
      return DesyncVerdict::kForward;
    case va::DesyncMitigationMode::kMonitor: return DesyncVerdict::kForward;
  }
  return DesyncVerdict::kReject;
}

// Request line for the access log: METHOD scheme://host:port/uri HTTP/1.x
void set_request_line(std::string& out, const http::Request& r, Ipv4Address node, uint16_t listener_port) {
  out.clear();
  out.append(r.method);
  out += " http://";
  std::string_view host = semantics::host_without_port(r.host);
  if (!host.empty()) out.append(host);
  else out += node.str();  // HTTP/1.0 without Host
  out += ':';
  http::append_uint(out, listener_port);
  if (!r.authority.empty()) {
    out.append(r.path);
    if (!r.query.empty()) {
      out += '?';
      out.append(r.query);
    }
  } else {
    out.append(r.target);
  }
  out += r.version_minor == 0 ? " HTTP/1.0" : " HTTP/1.1";
}

}  // namespace

void Engine::Impl::on_accept(ListenSocket* ls) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    int fd = accept4(ls->fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) ++m.rejected_connections;
      return;  // EAGAIN: nothing more to accept
    }
    if (!set_nodelay(fd)) {
      close(fd);
      ++m.rejected_connections;
      continue;
    }
    auto* c = new ClientConn();
    c->fd = fd;
    c->node = ls->node;
    c->listener = ls->listener;
    c->listener_port = ls->port;
    c->peer = Ipv4Address{ntohl(sa.sin_addr.s_addr)};
    c->peer_port = ntohs(sa.sin_port);
    c->peer_ip = c->peer.str();
    c->ex = &idle_ex;
    ++clients;
    ++m.new_connections;
    client_lru.touch(&c->lru, now_ms);
    set_events(c, EPOLLIN | EPOLLRDHUP);
    if (c->events == 0) {
      ++m.rejected_connections;
      close_client(c);
      continue;
    }
    // The request usually follows the handshake at once: read it now
    // rather than after another epoll_wait (EAGAIN costs one read).
    client_read(c);
  }
}

void Engine::Impl::on_client(ClientConn* c, uint32_t ev) {
  if (ev & EPOLLOUT) {
    flush_client(c);
    if (c->closed) return;
  }
  if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) client_read(c);
}

void Engine::Impl::client_read(ClientConn* c) {
  // While a request is served, read ahead only up to a limit (pipelining).
  while (!c->closed) {
    if (c->in.size() >= kMaxBuffered && c->state != ClientState::kTunnel) break;
    c->in.reserve(pool, 4096);
    ssize_t n = read(c->fd, c->in.data + c->in.end, c->in.cap - c->in.end);
    if (n > 0) {
      c->in.end += static_cast<size_t>(n);
      client_lru.touch(&c->lru, now_ms);
      if (c->ex->active) c->ex->received += static_cast<uint64_t>(n);
      if (static_cast<size_t>(n) < 4096) break;
      continue;
    }
    if (n == 0) {
      c->eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) c->eof = true;  // reset: as good as closed
    break;
  }
  if (c->closed) return;
  if (c->eof) {
    if (c->state == ClientState::kTunnel) {
      if (c->up && !c->in.empty()) forward_request_body(c);
      if (c->up) close_upstream(c->up);
      close_client(c);
      return;
    }
    if (c->ex->active && !c->ex->req_done && c->ex->req_body.kind != http::BodyKind::kNone) {
      // body cut short: forward what we have, then 460
      forward_request_body(c);
      if (c->closed) return;
    }
    if (c->ex->active) {
      // Client gave up before the response: 460 (logged; nothing to send).
      c->ex->elb_status = 460;
      c->ex->error_reason = "";
      ++m.elb_4xx;
      log_exchange(c);
      if (c->up) close_upstream(c->up);
      close_client(c);
      return;
    }
    if (c->state == ClientState::kHead && !c->in.empty()) {
      close_client(c);  // incomplete head then EOF: nothing to answer
      return;
    }
    if (c->in.empty()) {
      close_client(c);
      return;
    }
  }
  process_client(c);
  if (!c->closed && c->eof && !c->ex->active && c->out.empty()) close_client(c);
}

// Serves as many requests from the input buffer as the connection's state allows.
void Engine::Impl::process_client(ClientConn* c) {
  while (!c->closed) {
    if (c->state == ClientState::kTunnel) {
      if (!c->in.empty()) forward_request_body(c);
      return;
    }
    if (c->ex->active) {
      if (!c->ex->req_done && c->up) forward_request_body(c);
      return;
    }
    if (c->state == ClientState::kClosing) return;
    if (c->in.empty()) {
      c->state = ClientState::kIdle;
      c->in.release_if_empty(pool);
      update_client_events(c);
      return;
    }
    if (!start_request(c)) return;
  }
}

// Parses a head from the input; false when more bytes are needed or the connection closes.
bool Engine::Impl::start_request(ClientConn* c) {
  if (c->state == ClientState::kIdle) {
    c->state = ClientState::kHead;
    if (c->ex == &idle_ex) c->ex = acquire_exchange();
    c->ex->start_us = now_us;
    c->ex->creation_real_us = real_us();
  }
  size_t head_size = 0;
  http::ParseStatus st = c->parser.parse(c->in.view(), c->ex->req, head_size);
  if (st == http::ParseStatus::kIncomplete) {
    update_client_events(c);
    return false;
  }
  Exchange& ex = *c->ex;
  VPCLAB_ASSERT(&ex != &idle_ex);
  int64_t start_us = ex.start_us, creation = ex.creation_real_us;
  ex.reset();
  ex.active = true;
  ex.start_us = start_us;
  ex.creation_real_us = creation;
  c->state = ClientState::kExchange;
  ++m.requests;
  if (st == http::ParseStatus::kError) {
    ex.desync = ex.req.desync;
    ex.desync_reason = ex.req.desync_reason;
    if (ex.desync != http::Desync::kCompliant) ++m.desync_non_compliant;
    ex.received = c->in.size();
    c->in.consume(c->in.size());
    respond_lb(c, ex.req.error_status ? ex.req.error_status : 400, false);
    return false;
  }
  const http::Request& r = ex.req;
  ex.received = head_size;
  ex.head_method = r.method == "HEAD";
  ex.client_http10 = r.version_minor == 0;
  ex.desync = r.desync;
  ex.desync_reason = r.desync_reason;
  ex.upgrade = r.upgrade;
  set_request_line(ex.request_line, r, cfg.nodes[c->node].address, c->listener_port);
  if (const http::Header* ua = r.find("user-agent")) ex.user_agent.assign(ua->value);

  if (ex.desync != http::Desync::kCompliant) ++m.desync_non_compliant;
  switch (desync_verdict(desync_mode, ex.desync)) {
    case DesyncVerdict::kReject:
      c->in.consume(c->in.size());
      respond_lb(c, 400, false);
      return false;
    case DesyncVerdict::kForwardThenClose:
      ex.close_after = true;
      ex.close_target = true;
      break;
    case DesyncVerdict::kForward: break;
  }
  if (!r.keep_alive || shutting_down) ex.close_after = true;
  c->in.consume(head_size);
  c->parser.reset();
  ex.req_body.reset(r.body, r.content_length);
  ex.req_done = r.body == http::BodyKind::kNone;

  if (r.method == "TRACE") {
    ex.close_after = ex.close_after || !ex.req_done;
    respond_lb(c, 405, !ex.close_after);
    return !c->closed;
  }
  if (r.xff_addresses > 30 && xff_mode != va::XffProcessingMode::kRemove) {
    ex.close_after = ex.close_after || !ex.req_done;
    respond_lb(c, 463, !ex.close_after);
    return !c->closed;
  }
  handle_request(c);
  return !c->closed;
}

void Engine::Impl::respond_lb(ClientConn* c, int status, bool keep_alive, std::string_view content_type,
                              std::string_view body, std::string_view extra, bool use_error_body) {
  Exchange& ex = *c->ex;
  VPCLAB_ASSERT(&ex != &idle_ex);
  ex.active = true;
  ex.elb_status = status;
  if (!keep_alive) ex.close_after = true;
  if (status >= 500) {
    ++m.elb_5xx;
    if (status == 502) ++m.elb_502;
    if (status == 503) ++m.elb_503;
    if (status == 504) ++m.elb_504;
    if (status == 500) ++m.elb_500;
  } else if (status >= 400) {
    ++m.elb_4xx;
  } else if (status >= 300) {
    ++m.elb_3xx;
  }
  std::string body_buf;
  if (use_error_body && body.empty()) {
    body_buf = http::alb_error_body(status);
    body = body_buf;
  }
  scratch.clear();
  http::append_lb_response(scratch, status, content_type, body, !ex.close_after, ex.head_method, date, extra);
  ex.sent += scratch.size();
  client_write(c, scratch.data(), scratch.size(), nullptr, 0, closes_after(ex));
  if (c->closed) return;
  finish_exchange(c);
}

// The response is complete: log, then serve the next request or close.
void Engine::Impl::finish_exchange(ClientConn* c) {
  Exchange& ex = *c->ex;
  log_exchange(c);
  bool close_after = closes_after(ex);
  release_exchange(c);
  c->parser.reset();
  if (close_after) {
    c->state = ClientState::kClosing;
    c->in.consume(c->in.size());
    if (c->out.empty()) {
      close_client(c);
    } else {
      // Half-close the read side; ENOTCONN: the peer reset meanwhile, the write path notices.
      if (shutdown(c->fd, SHUT_RD) < 0) VPCLAB_ASSERT(errno == ENOTCONN);
      update_client_events(c);
    }
    return;
  }
  c->state = ClientState::kIdle;
  if (!c->in.empty()) {
    ready_clients.push_back(c);  // pipelined request: serve it after this event
  } else {
    c->in.release_if_empty(pool);
    c->out.release_if_empty(pool);
  }
  update_client_events(c);
}

void Engine::Impl::client_write(ClientConn* c, const char* a, size_t an, const char* b, size_t bn, bool last) {
  if (c->closed) return;
  if (!c->out.empty()) {
    c->out.append(pool, a, an);
    if (bn) c->out.append(pool, b, bn);
    flush_client(c);
    return;
  }
  iovec iov[2] = {{const_cast<char*>(a), an}, {const_cast<char*>(b), bn}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = bn ? 2 : 1;
  ssize_t w;
  do {
    w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | (last ? MSG_MORE : 0));  // no SIGPIPE when the client is gone
  } while (w < 0 && errno == EINTR);
  if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
    // Client gone: the rest of the exchange is moot.
    c->eof = true;
    return;
  }
  size_t done = w > 0 ? static_cast<size_t>(w) : 0;
  if (done > 0) client_lru.touch(&c->lru, now_ms);
  if (done < an) {
    c->out.append(pool, a + done, an - done);
    if (bn) c->out.append(pool, b, bn);
  } else if (done < an + bn) {
    c->out.append(pool, b + (done - an), an + bn - done);
  }
  if (!c->out.empty()) update_client_events(c);
}

void Engine::Impl::flush_client(ClientConn* c) {
  ssize_t sent = c->out.send_to(c->fd);
  if (sent < 0) {  // the client is gone
    if (c->up) close_upstream(c->up);
    close_client(c);
    return;
  }
  if (sent > 0) client_lru.touch(&c->lru, now_ms);
  if (c->out.empty()) {
    c->out.release_if_empty(pool);
    if (c->state == ClientState::kClosing) {
      close_client(c);
      return;
    }
    // Backpressure released: resume reading the target.
    if (c->up && c->up->read_paused) update_upstream_events(c->up);
  }
  update_client_events(c);
}

void Engine::Impl::update_client_events(ClientConn* c) {
  if (c->closed) return;
  uint32_t ev = EPOLLRDHUP;
  bool want_read = c->state != ClientState::kClosing && c->in.size() < kMaxBuffered;
  if (c->up && c->up->out.size() >= kMaxBuffered) want_read = false;  // target not keeping up
  if (want_read) ev |= EPOLLIN;
  if (!c->out.empty()) ev |= EPOLLOUT;
  c->read_paused = !want_read;
  set_events(c, ev);
}

void Engine::Impl::close_client(ClientConn* c) {
  if (c->closed) return;
  if (c->up) {
    UpstreamConn* u = c->up;
    c->up = nullptr;
    u->client = nullptr;
    close_upstream(u);
  }
  client_lru.unlink(&c->lru);
  forget(c);
  close(c->fd);  // an error here (EINTR, EIO) still frees the descriptor on Linux
  c->in.release(pool);
  c->out.release(pool);
  VPCLAB_ASSERT(clients > 0);
  --clients;
  bury(c);
}

void Engine::Impl::client_timeout(ClientConn* c) {
  switch (c->state) {
    case ClientState::kIdle:
      close_client(c);  // idle keep-alive connection: closed silently
      return;
    case ClientState::kHead:
      // Part of a request and then nothing within the idle timeout: 408.
      c->ex->active = true;
      c->ex->start_us = c->ex->start_us ? c->ex->start_us : now_us;
      c->ex->received = c->in.size();
      c->in.consume(c->in.size());
      respond_lb(c, 408, false);
      return;
    case ClientState::kExchange:
      if (c->up) {
        client_lru.touch(&c->lru, now_ms);  // the target side's timer decides (504)
        return;
      }
      if (!c->ex->req_done) {
        respond_lb(c, 408, false);
        return;
      }
      client_lru.touch(&c->lru, now_ms);
      return;
    case ClientState::kTunnel:
    case ClientState::kClosing:
      close_client(c);
      return;
  }
}

}  // namespace vpclab::dataplane::alb
