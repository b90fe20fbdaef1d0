// The listener rule a request matches (semantics::select_rule) and its
// terminal action: fixed-response, redirect (semantics::redirect_location),
// or forward to one target group or a weighted choice of up to five, with
// group stickiness (AWSALBTG).
#include "dataplane/alb/engine_impl.h"
#include "dataplane/alb/stickiness.h"
#include "dataplane/http/message.h"
#include "semantics/redirect.h"
#include "vocab/check.h"

namespace vpclab::dataplane::alb {

namespace va = vpclab::alb;

void Engine::Impl::handle_request(ClientConn* c) {
  Exchange& ex = *c->ex;
  const http::Request& r = ex.req;
  const ListenerRt& l = listeners[c->listener];
  view.method = r.method;
  view.host = r.host;
  view.path = r.path;
  view.query = r.query;
  view.source_ip = c->peer;
  view.headers.clear();
  if (l.needs_headers)
    for (const auto& h : r.headers) view.headers.emplace_back(h.name, h.value);
  const va::ListenerRule& rule = semantics::select_rule(l.cfg.rules, l.cfg.default_rule, view);
  ex.rule_priority = rule.priority;
  VPCLAB_ASSERT(!rule.actions.empty());  // start() refuses rules without actions
  const va::Action& action = rule.actions.back();  // the terminal action
  switch (action.type) {
    case va::ActionType::kFixedResponse: return fixed_response(c, action);
    case va::ActionType::kRedirect: return redirect(c, action);
    case va::ActionType::kForward: return forward(c, action);
    default:
      ex.action = "-";
      respond_lb(c, 500, false);
      return;
  }
}

// Answers that do not read the body close the connection if a body is still coming.
void Engine::Impl::fixed_response(ClientConn* c, const va::Action& action) {
  Exchange& ex = *c->ex;
  ex.action = "fixed-response";
  ++m.fixed_responses;
  bool keep = !ex.close_after && ex.req_done;
  if (!ex.req_done) ex.close_after = true;
  const auto& f = action.fixed_response;
  respond_lb(c, f.status_code, keep, f.content_type, f.body, {}, false);
}

void Engine::Impl::redirect(ClientConn* c, const va::Action& action) {
  Exchange& ex = *c->ex;
  const http::Request& r = ex.req;
  ex.action = "redirect";
  ++m.redirects;
  semantics::RedirectRequest rq;
  rq.scheme = "http";  // HTTP listeners only
  rq.host = r.host;
  rq.port = c->listener_port;
  rq.path = r.path;
  rq.query = r.query;
  semantics::Redirect red = semantics::redirect_location(action.redirect, rq);
  ex.redirect_url = red.location;
  bool keep = !ex.close_after && ex.req_done;
  if (!ex.req_done) ex.close_after = true;
  std::string extra = "Location: " + red.location + "\r\n";
  respond_lb(c, red.status, keep, "text/html", {}, extra, true);
}

TgRt* Engine::Impl::choose_target_group(ClientConn* c, const va::Action& action) {
  if (action.target_groups.size() == 1) return find_tg(action.target_groups[0].target_group_arn);
  Exchange& ex = *c->ex;
  TgRt* tg = nullptr;
  if (action.group_stickiness) {
    for (const auto& h : ex.req.headers) {
      if (h.name.size() != 6 || !http::iequals(h.name, "cookie")) continue;
      if (auto idx = group_from_cookie(cookie_key, find_cookie(h.value, kGroupCookie))) {
        for (const auto& g : action.target_groups)
          if (TgRt* cand = find_tg(g.target_group_arn); cand && cand->index == *idx && g.weight > 0) tg = cand;
      }
      break;  // the first Cookie header, as before
    }
  }
  if (!tg) {
    int64_t total = 0;
    for (const auto& g : action.target_groups) total += g.weight;
    if (total > 0) {
      int64_t pick = static_cast<int64_t>(rng.next() % static_cast<uint64_t>(total));
      for (const auto& g : action.target_groups) {
        if (pick < g.weight) {
          tg = find_tg(g.target_group_arn);
          break;
        }
        pick -= g.weight;
      }
    } else {
      tg = find_tg(action.target_groups[0].target_group_arn);
    }
  }
  if (action.group_stickiness && tg) {
    ex.set_tg_cookie = tg;
    ex.tg_cookie_seconds = action.group_stickiness_seconds;
  }
  return tg;
}

void Engine::Impl::forward(ClientConn* c, const va::Action& action) {
  Exchange& ex = *c->ex;
  ex.action = "forward";
  TgRt* tg = choose_target_group(c, action);
  if (!tg) {
    respond_lb(c, 500, false);
    return;
  }
  ex.tg = tg;
  ++tg->m.requests;
  bool non_sticky = false;
  TargetRt* t = choose_target(c, tg, non_sticky);
  if (!t) {
    // No registered target (or none routable yet): 503.
    bool keep = !ex.close_after && ex.req_done;
    if (!ex.req_done) ex.close_after = true;
    respond_lb(c, 503, keep);
    return;
  }
  if (non_sticky) {
    ++m.non_sticky;
    ++tg->m.non_sticky;
  }
  dispatch(c, t);
}

}  // namespace vpclab::dataplane::alb
