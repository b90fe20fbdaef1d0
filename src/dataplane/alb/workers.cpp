// Several workers (EngineConfig::workers, `vpclab alb --workers N`): threads,
// not processes, so the workers share what must be one for the load
// balancer to behave as one: the health checker's results, the balancers
// (round robin goes across workers), in-flight counts (least outstanding
// requests), the stickiness key and the access log. Worker 0 checks; its
// results reach the others as tasks on their loops, in order.
#include "dataplane/alb/engine_impl.h"

namespace vpclab::dataplane::alb {

void Engine::Impl::publish_health(const TargetRt* t, size_t node) {
  if (!checker() || workers.size() < 2) return;
  const NodeTarget& nt = t->nodes[node];
  for (Impl* w : workers) {
    if (w == this) continue;
    w->post([w, uid = t->uid, node, h = nt.health, since = nt.healthy_since_ms, slow = nt.in_slow_start] {
      w->apply_health(uid, node, h, since, slow);
    });
  }
}

void Engine::Impl::apply_health(uint32_t uid, size_t node, semantics::TargetHealth h, int64_t healthy_since_ms,
                                bool in_slow_start) {
  if (uid >= targets_by_uid.size()) return;
  TargetRt* t = targets_by_uid[uid];
  // Deregistered or stopped here meanwhile: that state is newer than the check.
  if (!t->registered || t->draining || t->stopped) return;
  NodeTarget& nt = t->nodes[node];
  nt.health = h;
  nt.healthy_since_ms = healthy_since_ms;
  nt.in_slow_start = in_slow_start;
}

Metrics& Metrics::operator+=(const Metrics& o) {
  requests += o.requests;
  new_connections += o.new_connections;
  rejected_connections += o.rejected_connections;
  processed_bytes += o.processed_bytes;
  elb_4xx += o.elb_4xx;
  elb_5xx += o.elb_5xx;
  elb_502 += o.elb_502;
  elb_503 += o.elb_503;
  elb_504 += o.elb_504;
  elb_3xx += o.elb_3xx;
  elb_500 += o.elb_500;
  target_2xx += o.target_2xx;
  target_3xx += o.target_3xx;
  target_4xx += o.target_4xx;
  target_5xx += o.target_5xx;
  target_connection_errors += o.target_connection_errors;
  unhealthy_routing += o.unhealthy_routing;
  fixed_responses += o.fixed_responses;
  redirects += o.redirects;
  non_sticky += o.non_sticky;
  desync_non_compliant += o.desync_non_compliant;
  target_response_time_sum += o.target_response_time_sum;
  target_response_time_count += o.target_response_time_count;
  return *this;
}

TgMetrics& TgMetrics::operator+=(const TgMetrics& o) {
  requests += o.requests;
  target_2xx += o.target_2xx;
  target_3xx += o.target_3xx;
  target_4xx += o.target_4xx;
  target_5xx += o.target_5xx;
  unhealthy_routing += o.unhealthy_routing;
  connection_errors += o.connection_errors;
  non_sticky += o.non_sticky;
  response_time_sum += o.response_time_sum;
  response_time_count += o.response_time_count;
  return *this;
}

Totals Engine::Impl::local_totals() {
  Totals t;
  t.m = m;
  t.clients = clients;
  for (auto& tg : tgs) t.tg.push_back(tg->m);
  for (TargetRt* x : targets_by_uid) t.target_requests.push_back(x->requests);
  t.worker_requests.push_back(m.requests);
  t.worker_clients.push_back(clients);
  return t;
}

Totals Engine::Impl::totals() {
  Totals sum = local_totals();
  for (Impl* w : workers) {
    if (w == this) continue;
    Totals o = w->call<Totals>([w] { return w->local_totals(); });
    sum.m += o.m;
    sum.clients += o.clients;
    for (size_t i = 0; i < sum.tg.size() && i < o.tg.size(); ++i) sum.tg[i] += o.tg[i];
    for (size_t i = 0; i < sum.target_requests.size() && i < o.target_requests.size(); ++i)
      sum.target_requests[i] += o.target_requests[i];
    sum.worker_requests.push_back(o.m.requests);
    sum.worker_clients.push_back(o.clients);
  }
  return sum;
}

}  // namespace vpclab::dataplane::alb
