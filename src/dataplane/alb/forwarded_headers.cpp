// The heads the load balancer writes: the request to the target (Host,
// hop-by-hop headers removed, X-Forwarded-For/-Proto/-Port by the
// xff_header_processing mode, X-Amzn-Trace-Id) and the response to the
// client (hop-by-hop headers removed, stickiness cookies added).
#include <ctime>

#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/stickiness.h"
#include "dataplane/http/message.h"

namespace vpclab::dataplane::alb {

namespace va = vpclab::alb;

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool valid_header_name(std::string_view n) {  // routing.http.drop_invalid_header_fields: [-A-Za-z0-9]+
  if (n.empty()) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// The request target as the target receives it: a space (accepted as
// SpaceInUri in monitor and defensive mode) or a control byte copied as is
// would let the target split the request line differently from the load
// balancer, so those bytes go out percent-encoded (as AWS's ALB normalises
// such URIs); every other byte, '%' included, is copied.
void append_target(std::string& h, std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    auto b = static_cast<unsigned char>(ch);
    if (b <= 0x20 || b == 0x7f) {
      h += '%';
      h += kHex[b >> 4];
      h += kHex[b & 15];
    } else {
      h += ch;
    }
  }
}

}  // namespace

void Engine::Impl::build_upstream_head(ClientConn* c, TargetRt* t) {
  Exchange& ex = *c->ex;
  const http::Request& r = ex.req;
  const auto& a = cfg.attributes;
  std::string& h = ex.upstream_head;
  h.clear();
  h.append(r.method);
  h += ' ';
  if (!r.authority.empty()) {
    append_target(h, r.path);
    if (!r.query.empty()) {
      h += '?';
      append_target(h, r.query);
    }
  } else {
    append_target(h, r.target);
  }
  h += " HTTP/1.1\r\n";
  h += "Host: ";
  if (a.preserve_host_header && !r.host.empty()) {
    h.append(r.host);
  } else {
    std::string_view host = semantics::host_without_port(r.host);
    if (host.empty()) {
      h += t->ip;
    } else {
      for (char ch : host) h += lower(ch);
    }
    if (c->listener_port != 80) {
      h += ':';
      http::append_uint(h, c->listener_port);
    }
  }
  h += "\r\n";
  std::string_view trace_in;
  bool xff_any = false;
  std::string xff;
  for (const auto& hd : r.headers) {
    std::string_view n = hd.name;
    switch (lower(n[0])) {
      case 'c':
        if (http::iequals(n, "connection")) continue;
        if (http::iequals(n, "content-length") && ex.req_body.kind == http::BodyKind::kChunked) continue;
        break;
      case 'e':
        if (http::iequals(n, "expect") && r.expect_continue) continue;
        break;
      case 'h':
        if (http::iequals(n, "host")) continue;
        break;
      case 'k':
        if (http::iequals(n, "keep-alive")) continue;
        break;
      case 'p':
        if (http::iequals(n, "proxy-connection")) continue;
        break;
      case 't':
        if (http::iequals(n, "transfer-encoding")) continue;  // re-added below when chunked
        break;
      case 'u':
        if (http::iequals(n, "upgrade") && !r.upgrade) continue;
        break;
      case 'x':
        if (n.size() == 15 && http::iequals(n, "x-forwarded-for")) {
          if (xff_mode == va::XffProcessingMode::kPreserve) break;
          if (xff_mode == va::XffProcessingMode::kAppend) {
            if (xff_any) xff += ", ";
            xff.append(hd.value);
            xff_any = true;
          }
          continue;  // remove, or appended below
        }
        if (http::iequals(n, "x-forwarded-proto") || http::iequals(n, "x-forwarded-port")) continue;
        if (http::iequals(n, "x-amzn-trace-id")) {
          trace_in = hd.value;
          continue;
        }
        break;
      default:
        break;
    }
    if (a.drop_invalid_header_fields && !valid_header_name(n)) continue;
    h.append(n);
    h += ": ";
    h.append(hd.value);
    h += "\r\n";
  }
  if (xff_mode == va::XffProcessingMode::kAppend) {
    h += "X-Forwarded-For: ";
    if (xff_any) {
      h += xff;
      h += ", ";
    }
    h += c->peer_ip;
    if (a.xff_client_port) {
      h += ':';
      http::append_uint(h, c->peer_port);
    }
    h += "\r\n";
  }
  h += "X-Forwarded-Proto: http\r\nX-Forwarded-Port: ";
  http::append_uint(h, c->listener_port);
  h += "\r\n";
  make_trace_id(ex, trace_in);
  h += "X-Amzn-Trace-Id: ";
  h += ex.trace_id;
  h += "\r\n";
  if (ex.req_body.kind == http::BodyKind::kChunked) h += "Transfer-Encoding: chunked\r\n";
  if (r.upgrade) h += "Connection: Upgrade\r\n";
  else if (ex.close_target) h += "Connection: close\r\n";
  h += "\r\n";
}

// X-Amzn-Trace-Id: Root=1-<8 hex epoch>-<24 hex>; Self= when a Root came in
// (the older Self dropped, Root and custom fields kept).
void Engine::Impl::make_trace_id(Exchange& ex, std::string_view trace_in) {
  bool has_root = trace_in.find("Root=") != std::string_view::npos;
  std::string& tid = ex.trace_id;
  tid.clear();
  tid += has_root ? "Self=1-" : "Root=1-";
  http::append_hex(tid, static_cast<uint64_t>(date_sec), 8);
  tid += '-';
  http::append_hex(tid, rng.next(), 16);
  http::append_hex(tid, rng.next(), 8);
  if (has_root) {
    size_t pos = 0;
    while (pos <= trace_in.size()) {
      size_t semi = trace_in.find(';', pos);
      if (semi == std::string_view::npos) semi = trace_in.size();
      std::string_view field = trace_in.substr(pos, semi - pos);
      while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
      if (!field.empty() && field.substr(0, 5) != "Self=") {
        tid += ';';
        tid.append(field);
      }
      pos = semi + 1;
    }
  } else if (!trace_in.empty()) {
    tid += ';';
    tid.append(trace_in);
  }
}

void Engine::Impl::build_response_head(ClientConn* c, UpstreamConn* u) {
  Exchange& ex = *c->ex;
  const http::Response& r = u->resp;
  std::string& h = scratch;
  h.clear();
  h += ex.client_http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  http::append_uint(h, static_cast<uint64_t>(r.status));
  h += ' ';
  if (r.reason.empty()) h += http::reason_phrase(r.status);
  else h.append(r.reason);
  h += "\r\n";
  bool app_cookie_seen = false;
  TgRt* tg = ex.tg;
  for (const auto& hd : r.headers) {
    std::string_view n = hd.name;
    switch (lower(n[0])) {
      case 'c':
        if (http::iequals(n, "connection")) continue;
        break;
      case 'k':
        if (http::iequals(n, "keep-alive")) continue;
        break;
      case 't':
        if (ex.dechunk && http::iequals(n, "transfer-encoding")) continue;
        break;
      case 's':
        if (tg && tg->stickiness && tg->app_cookie && n.size() == 10 && http::iequals(n, "set-cookie")) {
          std::string_view v = hd.value;
          const std::string& name = tg->cfg.attributes.app_cookie_name;
          if (v.size() > name.size() && v.substr(0, name.size()) == name && v[name.size()] == '=')
            app_cookie_seen = true;
        }
        break;
      default:
        break;
    }
    h.append(n);
    h += ": ";
    h.append(hd.value);
    h += "\r\n";
  }
  auto expires = [&](int seconds) { return http::http_date(static_cast<std::time_t>(real_us() / 1000000 + seconds)); };
  if (ex.set_lb_cookie && tg) {
    std::string v = target_cookie_value(cookie_key, tg->index, ex.set_lb_cookie->uid);
    std::string exp = expires(tg->cfg.attributes.lb_cookie_duration_seconds);
    append_set_cookie(h, kLbCookie, v, exp, false);
    append_set_cookie(h, kLbCookieCors, v, exp, true);
  }
  if (app_cookie_seen && ex.target) {
    std::string v = target_cookie_value(cookie_key, tg->index, ex.target->uid);
    append_set_cookie(h, kAppCookie, v, expires(tg->cfg.attributes.app_cookie_duration_seconds), false);
  }
  if (ex.set_tg_cookie) {
    std::string v = group_cookie_value(cookie_key, ex.set_tg_cookie->index);
    std::string exp = expires(ex.tg_cookie_seconds);
    append_set_cookie(h, kGroupCookie, v, exp, false);
    append_set_cookie(h, kGroupCookieCors, v, exp, true);
  }
  if (r.status == 101) {
    h += "Connection: Upgrade\r\n";
  } else if (ex.close_after) {
    h += "Connection: close\r\n";
  } else if (ex.client_http10) {
    h += "Connection: keep-alive\r\n";
  }
  h += "\r\n";
}

}  // namespace vpclab::dataplane::alb
