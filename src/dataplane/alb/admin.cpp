// What the engine tells about itself: the admin endpoint (/targets,
// /metrics, /metrics.json, /health), the typed health snapshot and its
// JSON, CloudWatch-named metrics, and access log lines.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "dataplane/alb/access_log.h"
#include "dataplane/alb/engine_impl.h"
#include "dataplane/http/message.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

using semantics::TargetHealthState;

namespace {

void json_escape(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      out += b;
    } else {
      out += c;
    }
  }
  out += '"';
}

struct MetricRow {
  const char* name;
  double value;
};

std::string num(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

}  // namespace

// ---------------------------------------------------------------------------
// Admin endpoint

void Engine::Impl::on_admin_accept() {
  for (int i = 0; i < 16; ++i) {
    int fd = accept4(admin_listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of descriptors: the next accept tries again
    }
    auto* a = new AdminConn();
    a->fd = fd;
    set_events(a, EPOLLIN | EPOLLRDHUP);
    if (a->events == 0) close_admin(a);
  }
}

void Engine::Impl::close_admin(AdminConn* a) {
  unwatch(a);
  close(a->fd);
  bury(a);
}

void Engine::Impl::on_admin(AdminConn* a, uint32_t ev) {
  (void)ev;
  if (a->out.empty()) {
    char buf[4096];
    ssize_t n = read(a->fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      close_admin(a);
      return;
    }
    a->in.append(buf, static_cast<size_t>(n));
    if (a->in.size() > 16384) {
      close_admin(a);
      return;
    }
    if (a->in.find("\r\n\r\n") == std::string::npos && a->in.find("\n\n") == std::string::npos) return;
    std::string_view first(a->in);
    first = first.substr(0, first.find('\n'));
    size_t sp1 = first.find(' ');
    size_t sp2 = first.find(' ', sp1 + 1);
    std::string_view path = sp1 == std::string_view::npos ? std::string_view("/")
                                                          : first.substr(sp1 + 1, sp2 - sp1 - 1);
    int status = 200;
    std::string body, type = "application/json";
    if (path == "/targets" || path == "/target-health") {
      body = health_json(health_snapshot());
    } else if (path == "/metrics") {
      body = metrics_prom();
      type = "text/plain; version=0.0.4";
    } else if (path == "/metrics.json") {
      body = metrics_json();
    } else if (path == "/" || path == "/health") {
      body = "{\"status\":\"ok\"}\n";
    } else {
      status = 404;
      body = "{\"error\":\"not found\"}\n";
    }
    http::append_lb_response(a->out, status, type, body, false, false, date);
  }
  while (!a->out.empty()) {
    ssize_t w = send(a->fd, a->out.data(), a->out.size(), MSG_NOSIGNAL);
    if (w > 0) {
      a->out.erase(0, static_cast<size_t>(w));
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_events(a, EPOLLOUT);
      if (a->events == 0) break;
      return;
    }
    break;
  }
  close_admin(a);
}

// ---------------------------------------------------------------------------
// Target health

HealthSnapshot Engine::Impl::health_snapshot() {
  HealthSnapshot s;
  s.load_balancer = cfg.elb_name();
  for (const auto& n : cfg.nodes) s.nodes.push_back({n.name, n.address});
  for (auto& tg : tgs) {
    TargetGroupHealthSnapshot g;
    g.arn = tg->cfg.arn;
    g.name = tg->cfg.name;
    g.algorithm = tg->algorithm;
    const std::string& hp = tg->cfg.health_check.port;
    for (auto& t : tg->targets) {
      TargetHealthSnapshot th;
      th.id = t->cfg.id;
      th.port = t->port;
      th.availability_zone = t->cfg.availability_zone;
      th.health_check_port = hp == "traffic-port" ? std::to_string(t->port) : hp;
      for (const auto& nt : t->nodes) th.nodes.push_back(nt.health);
      g.targets.push_back(std::move(th));
    }
    s.target_groups.push_back(std::move(g));
  }
  return s;
}

std::string health_json(const HealthSnapshot& s) {
  std::string o = "{\"LoadBalancer\":";
  json_escape(o, s.load_balancer);
  o += ",\"TargetGroups\":[";
  for (size_t g = 0; g < s.target_groups.size(); ++g) {
    const TargetGroupHealthSnapshot& tg = s.target_groups[g];
    if (g) o += ',';
    o += "{\"TargetGroupArn\":";
    json_escape(o, tg.arn);
    o += ",\"TargetGroupName\":";
    json_escape(o, tg.name);
    o += ",\"Algorithm\":";
    json_escape(o, vpclab::alb::enum_name(tg.algorithm));
    o += ",\"Nodes\":[";
    for (size_t n = 0; n < s.nodes.size(); ++n) {
      if (n) o += ',';
      o += "{\"Node\":";
      json_escape(o, s.nodes[n].name);
      o += ",\"Address\":";
      json_escape(o, s.nodes[n].address.str());
      o += ",\"TargetHealthDescriptions\":[";
      for (size_t k = 0; k < tg.targets.size(); ++k) {
        const TargetHealthSnapshot& t = tg.targets[k];
        VPCLAB_ASSERT(t.nodes.size() == s.nodes.size());
        if (k) o += ',';
        const semantics::TargetHealth& h = t.nodes[n];
        o += "{\"Target\":{\"Id\":";
        json_escape(o, t.id);
        o += ",\"Port\":" + std::to_string(t.port);
        if (!t.availability_zone.empty()) {
          o += ",\"AvailabilityZone\":";
          json_escape(o, t.availability_zone);
        }
        o += "},\"HealthCheckPort\":";
        json_escape(o, t.health_check_port);
        o += ",\"TargetHealth\":{\"State\":";
        json_escape(o, semantics::target_health_state_name(h.state));
        if (h.reason != semantics::TargetHealthReason::kNone) {
          o += ",\"Reason\":";
          json_escape(o, semantics::target_health_reason_code(h.reason));
          o += ",\"Description\":";
          json_escape(o, semantics::target_health_reason_description(h.reason));
        }
        o += "}}";
      }
      o += "]}";
    }
    o += "]}";
  }
  o += "]}\n";
  return o;
}

// ---------------------------------------------------------------------------
// Metrics

std::string Engine::Impl::metrics_json() {
  const Totals tot = totals();
  const Metrics& m = tot.m;
  const size_t clients = tot.clients;
  std::string o = "{\"Namespace\":\"AWS/ApplicationELB\",\"LoadBalancer\":";
  json_escape(o, cfg.elb_name());
  const MetricRow rows[] = {
      {"RequestCount", double(m.requests)},
      {"ActiveConnectionCount", double(clients)},
      {"NewConnectionCount", double(m.new_connections)},
      {"RejectedConnectionCount", double(m.rejected_connections)},
      {"ProcessedBytes", double(m.processed_bytes)},
      {"HTTPCode_ELB_3XX_Count", double(m.elb_3xx)},
      {"HTTPCode_ELB_4XX_Count", double(m.elb_4xx)},
      {"HTTPCode_ELB_5XX_Count", double(m.elb_5xx)},
      {"HTTPCode_ELB_500_Count", double(m.elb_500)},
      {"HTTPCode_ELB_502_Count", double(m.elb_502)},
      {"HTTPCode_ELB_503_Count", double(m.elb_503)},
      {"HTTPCode_ELB_504_Count", double(m.elb_504)},
      {"HTTPCode_Target_2XX_Count", double(m.target_2xx)},
      {"HTTPCode_Target_3XX_Count", double(m.target_3xx)},
      {"HTTPCode_Target_4XX_Count", double(m.target_4xx)},
      {"HTTPCode_Target_5XX_Count", double(m.target_5xx)},
      {"TargetResponseTime",
       m.target_response_time_count ? m.target_response_time_sum / double(m.target_response_time_count) : 0},
      {"TargetConnectionErrorCount", double(m.target_connection_errors)},
      {"UnhealthyRoutingRequestCount", double(m.unhealthy_routing)},
      {"HTTP_Fixed_Response_Count", double(m.fixed_responses)},
      {"HTTP_Redirect_Count", double(m.redirects)},
      {"NonStickyRequestCount", double(m.non_sticky)},
      {"DesyncMitigationMode_NonCompliant_Request_Count", double(m.desync_non_compliant)},
  };
  o += ",\"Metrics\":{";
  bool first = true;
  for (const auto& r : rows) {
    if (!first) o += ',';
    first = false;
    json_escape(o, r.name);
    o += ':' + num(r.value);
  }
  o += "},\"TargetGroups\":[";
  for (size_t g = 0; g < tgs.size(); ++g) {
    TgRt* tg = tgs[g].get();
    const TgMetrics& tm = tot.tg[g];
    if (g) o += ',';
    size_t healthy = 0, unhealthy = 0;
    for (auto& t : tg->targets) {
      if (!t->registered) continue;
      auto s = t->nodes[0].health.state;
      if (s == TargetHealthState::kHealthy) ++healthy;
      else if (s == TargetHealthState::kUnhealthy) ++unhealthy;
    }
    o += "{\"TargetGroup\":";
    json_escape(o, "targetgroup/" + tg->cfg.name + "/" + tg->cfg.arn.substr(tg->cfg.arn.rfind('/') + 1));
    o += ",\"Metrics\":{\"RequestCount\":" + num(double(tm.requests));
    o += ",\"HealthyHostCount\":" + num(double(healthy));
    o += ",\"UnHealthyHostCount\":" + num(double(unhealthy));
    o += ",\"RequestCountPerTarget\":" + num(healthy ? double(tm.requests) / double(healthy) : double(tm.requests));
    o += ",\"HTTPCode_Target_2XX_Count\":" + num(double(tm.target_2xx));
    o += ",\"HTTPCode_Target_3XX_Count\":" + num(double(tm.target_3xx));
    o += ",\"HTTPCode_Target_4XX_Count\":" + num(double(tm.target_4xx));
    o += ",\"HTTPCode_Target_5XX_Count\":" + num(double(tm.target_5xx));
    o += ",\"TargetResponseTime\":" +
         num(tm.response_time_count ? tm.response_time_sum / double(tm.response_time_count) : 0);
    o += ",\"TargetConnectionErrorCount\":" + num(double(tm.connection_errors));
    o += ",\"UnhealthyRoutingRequestCount\":" + num(double(tm.unhealthy_routing));
    o += ",\"NonStickyRequestCount\":" + num(double(tm.non_sticky));
    // Per target, as the Prometheus form's RequestCountPerTarget{Target=...}.
    o += "},\"Targets\":[";
    bool first_target = true;
    for (auto& t : tg->targets) {
      if (!first_target) o += ',';
      first_target = false;
      o += "{\"Id\":";
      json_escape(o, t->cfg.id);
      o += ",\"Port\":" + num(double(t->cfg.port ? t->cfg.port : tg->cfg.port)) +
           ",\"RequestCount\":" + num(double(tot.target_requests[t->uid])) + "}";
    }
    o += "]}";
  }
  // Not CloudWatch's: how the kernel spread connections over the workers.
  o += "],\"Workers\":[";
  for (size_t w = 0; w < tot.worker_requests.size(); ++w) {
    if (w) o += ',';
    o += "{\"RequestCount\":" + num(double(tot.worker_requests[w])) +
         ",\"ActiveConnectionCount\":" + num(double(tot.worker_clients[w])) + "}";
  }
  o += "]}\n";
  return o;
}

std::string Engine::Impl::metrics_prom() {
  const Totals tot = totals();
  const Metrics& m = tot.m;
  const size_t clients = tot.clients;
  std::string o;
  std::string lb = cfg.elb_name();
  auto line = [&](const char* name, const std::string& labels, double v, const char* type) {
    if (type) {
      o += "# TYPE aws_applicationelb_";
      o += name;
      o += ' ';
      o += type;
      o += '\n';
    }
    o += "aws_applicationelb_";
    o += name;
    o += '{';
    o += labels;
    o += "} ";
    o += num(v);
    o += '\n';
  };
  std::string l = "LoadBalancer=\"" + lb + "\"";
  line("RequestCount", l, double(m.requests), "counter");
  line("ActiveConnectionCount", l, double(clients), "gauge");
  line("NewConnectionCount", l, double(m.new_connections), "counter");
  line("RejectedConnectionCount", l, double(m.rejected_connections), "counter");
  line("ProcessedBytes", l, double(m.processed_bytes), "counter");
  line("HTTPCode_ELB_3XX_Count", l, double(m.elb_3xx), "counter");
  line("HTTPCode_ELB_4XX_Count", l, double(m.elb_4xx), "counter");
  line("HTTPCode_ELB_5XX_Count", l, double(m.elb_5xx), "counter");
  line("HTTPCode_ELB_502_Count", l, double(m.elb_502), "counter");
  line("HTTPCode_ELB_503_Count", l, double(m.elb_503), "counter");
  line("HTTPCode_ELB_504_Count", l, double(m.elb_504), "counter");
  line("HTTPCode_Target_2XX_Count", l, double(m.target_2xx), "counter");
  line("HTTPCode_Target_3XX_Count", l, double(m.target_3xx), "counter");
  line("HTTPCode_Target_4XX_Count", l, double(m.target_4xx), "counter");
  line("HTTPCode_Target_5XX_Count", l, double(m.target_5xx), "counter");
  line("TargetResponseTime_sum", l, m.target_response_time_sum, "counter");
  line("TargetResponseTime_count", l, double(m.target_response_time_count), "counter");
  line("TargetConnectionErrorCount", l, double(m.target_connection_errors), "counter");
  line("UnhealthyRoutingRequestCount", l, double(m.unhealthy_routing), "counter");
  line("HTTP_Fixed_Response_Count", l, double(m.fixed_responses), "counter");
  line("HTTP_Redirect_Count", l, double(m.redirects), "counter");
  line("NonStickyRequestCount", l, double(m.non_sticky), "counter");
  line("DesyncMitigationMode_NonCompliant_Request_Count", l, double(m.desync_non_compliant), "counter");
  o += "# TYPE aws_applicationelb_HealthyHostCount gauge\n# TYPE aws_applicationelb_UnHealthyHostCount gauge\n";
  for (auto& tg : tgs) {
    const TgMetrics& tm = tot.tg[tg->index];
    std::string tl = l + ",TargetGroup=\"targetgroup/" + tg->cfg.name + "\"";
    for (size_t n = 0; n < cfg.nodes.size(); ++n) {
      size_t healthy = 0, unhealthy = 0;
      for (auto& t : tg->targets) {
        if (!t->registered) continue;
        auto s = t->nodes[n].health.state;
        if (s == TargetHealthState::kHealthy) ++healthy;
        else if (s == TargetHealthState::kUnhealthy) ++unhealthy;
      }
      std::string nl = tl + ",Node=\"" + cfg.nodes[n].name + "\"";
      line("HealthyHostCount", nl, double(healthy), nullptr);
      line("UnHealthyHostCount", nl, double(unhealthy), nullptr);
    }
    line("RequestCount", tl, double(tm.requests), nullptr);
    line("HTTPCode_Target_2XX_Count", tl, double(tm.target_2xx), nullptr);
    line("HTTPCode_Target_5XX_Count", tl, double(tm.target_5xx), nullptr);
    line("UnhealthyRoutingRequestCount", tl, double(tm.unhealthy_routing), nullptr);
  }
  for (auto& tg : tgs)
    for (auto& t : tg->targets) {
      std::string tl = l + ",TargetGroup=\"targetgroup/" + tg->cfg.name + "\",Target=\"" + t->cfg.id + "\"";
      line("RequestCountPerTarget", tl, double(tot.target_requests[t->uid]), nullptr);
    }
  return o;
}

// ---------------------------------------------------------------------------
// Access log

void Engine::Impl::log_exchange(ClientConn* c) {
  Exchange& ex = *c->ex;
  if (ex.elb_status == 0) return;
  if (ex.tg && ex.target_status > 0) {
    int cls = ex.target_status / 100;
    uint64_t* bucket[] = {nullptr, nullptr, &m.target_2xx, &m.target_3xx, &m.target_4xx, &m.target_5xx};
    uint64_t* tbucket[] = {nullptr, nullptr, &ex.tg->m.target_2xx, &ex.tg->m.target_3xx, &ex.tg->m.target_4xx,
                           &ex.tg->m.target_5xx};
    if (cls >= 2 && cls <= 5) {
      ++*bucket[cls];
      ++*tbucket[cls];
    }
  }
  m.processed_bytes += ex.received + ex.sent;
  if (log_fd < 0) return;
  AccessLogEntry e;
  e.time_us = real_us();
  e.request_creation_us = ex.creation_real_us ? ex.creation_real_us : e.time_us;
  std::string elb = cfg.elb_name();
  e.elb = elb;
  e.client_ip = c->peer_ip;
  e.client_port = c->peer_port;
  if (ex.target && ex.dispatch_us) {
    e.target_ip = ex.target->ip;
    e.target_port = ex.target->port;
  }
  if (ex.dispatch_us) {
    e.request_processing_s = static_cast<double>(ex.dispatch_us - ex.start_us) / 1e6;
    if (ex.response_us) {
      e.target_processing_s = static_cast<double>(ex.response_us - ex.dispatch_us) / 1e6;
      e.response_processing_s = 0;
    }
  } else if (std::strcmp(ex.action, "fixed-response") == 0 || std::strcmp(ex.action, "redirect") == 0) {
    // answered by the load balancer itself (fixed-response, redirect)
    e.request_processing_s = static_cast<double>(now_us - ex.start_us) / 1e6;
    e.target_processing_s = 0;
    e.response_processing_s = 0;
  }
  e.elb_status = ex.elb_status;
  e.target_status = ex.target_status;
  e.received_bytes = ex.received;
  e.sent_bytes = ex.sent;
  e.request_line = ex.request_line;
  e.user_agent = ex.user_agent;
  if (ex.tg && ex.dispatch_us) e.target_group_arn = ex.tg->cfg.arn;
  e.trace_id = ex.trace_id;
  e.matched_rule_priority = ex.rule_priority;
  e.actions_executed = ex.action;
  e.redirect_url = ex.redirect_url;
  e.error_reason = ex.error_reason;
  if (ex.desync != http::Desync::kCompliant) {
    e.classification = http::desync_name(ex.desync);
    e.classification_reason = http::desync_reason_name(ex.desync_reason);
  }
  append_access_log_line(log_buf, e);
  if (log_buf.size() > 64 * 1024) flush_log();
}

void Engine::Impl::flush_log() {
  if (log_buf.empty() || log_fd < 0) {
    log_buf.clear();
    return;
  }
  std::unique_lock<std::mutex> lk;
  if (log_mu) lk = std::unique_lock<std::mutex>(*log_mu);  // several workers: whole batches of lines
  size_t off = 0;
  while (off < log_buf.size()) {
    ssize_t w = write(log_fd, log_buf.data() + off, log_buf.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      // Disk full or the file gone: the lines are lost, serving goes on (AWS drops logs too).
      std::fprintf(stderr, "vpclab alb: access log: %s\n", std::strerror(errno));
      break;
    }
    off += static_cast<size_t>(w);
  }
  log_buf.clear();
}

}  // namespace vpclab::dataplane::alb
