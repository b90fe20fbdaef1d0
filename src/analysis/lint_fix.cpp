// Lints with a safe fix, as changes (analysis/lint_fix.h).
#include "analysis/lint_fix.h"

#include <algorithm>
#include <set>

#include "analysis/diff.h"
#include "analysis/lint.h"

namespace vpclab::analysis {

namespace {

bool names(const std::string& key, const std::string& id, const model::Origin& o) {
  return key == id || (!o.logical_id.empty() && (key == o.logical_id || key == o.display(id)));
}

// Does group `from` have a rule naming group `to`?
bool refers_to(const model::Network& net, const std::string& from, const std::string& to) {
  const auto* g = net.security_group(from);
  if (!g) return false;
  for (const auto* rules : {&g->ingress, &g->egress})
    for (const auto& r : *rules)
      if (r.group_id == to) return true;
  return false;
}

// A rule change's identity, to write each client's rule once.
std::string rule_key(const model::Change& c) {
  return c.target.id + (c.egress ? " out " : " in ") + std::to_string(c.protocol) + " " + c.ports.str() + " " +
         (c.peer_group ? c.peer_group->id : c.peer_cidr ? c.peer_cidr->str() : "");
}

LintFix narrow(const model::Network& net, const model::LoadBalancer& lb, const OpenAlbRule& f, const FixOptions& opts) {
  const auto* sg = net.security_group(f.security_group);
  LintFix out{"ALB_SG_OPEN_TO_WORLD", f.rule.loc, sg->origin.display(sg->id), {}, {}, {}};
  if (f.listener_ports.empty()) {
    out.unfixable = "the load balancer has no listener: no client to name";
    return out;
  }
  // The lab without the rule: what it alone lets through is newly blocked.
  model::Network without = net;
  for (auto& g : without.security_groups) {
    if (g.id != f.security_group) continue;
    g.ingress.erase(std::remove_if(g.ingress.begin(), g.ingress.end(),
                                   [&](const SecurityGroupRule& r) {
                                     return r.loc.file == f.rule.loc.file && r.loc.line == f.rule.loc.line &&
                                            r.loc.col == f.rule.loc.col;
                                   }),
                    g.ingress.end());
  }
  DiffOptions dopts;
  dopts.changed = std::set<std::string>{f.security_group};  // the one resource that differs
  DiffResult d = diff_networks(net, without, dopts);
  std::set<std::string> client_keys;
  for (const auto& fl : d.flows)
    if (!fl.allowed) client_keys.insert(fl.sources.begin(), fl.sources.end());
  if (client_keys.empty()) {
    out.unfixable = "no client in the lab reaches the load balancer through this rule: remove it by hand";
    return out;
  }
  Analyzer an(without);
  std::set<std::string> written;
  for (const auto& key : client_keys) {
    const model::Instance* client = nullptr;
    for (const auto& i : net.instances)
      if (names(key, i.id, i.origin)) client = &i;
    if (!client) {
      out.unfixable = key + " reaches the load balancer through the rule and is not an instance: no rule can name it";
      return out;
    }
    for (uint16_t port : f.listener_ports) {
      TraceOptions topts;
      topts.protocol = kTcp;
      topts.port = port;
      TraceResult t = an.trace(client->id, lb.arn, topts);
      if (!t.ok || t.reachable) continue;  // reached by another rule, or not on this port
      FixStep step = plan_fix(an, t, opts);
      for (const auto& c : step.changes) {
        bool lb_group = std::find(lb.security_groups.begin(), lb.security_groups.end(), c.target.id) !=
                        lb.security_groups.end();
        if (c.kind != model::Change::Kind::kAddSecurityGroupRule || c.egress || !lb_group) {
          out.unfixable = client->origin.display(client->id) + " needs more than the load balancer's rule: " + c.why;
          return out;
        }
        model::Change rule = c;
        if (rule.peer_group && refers_to(net, rule.peer_group->id, rule.target.id)) {
          // The client's group already names the ALB's (targets admit the ALB
          // by group): a reference back is a circular dependency for
          // CloudFormation, so the client is named by address.
          rule.peer_group.reset();
          rule.peer_cidr = Ipv4Cidr::of(client->private_ip, 32);
        }
        if (!written.insert(rule_key(rule)).second) continue;
        out.changes.push_back(rule);
        out.clients.push_back(client->origin.display(client->id) + " tcp/" + std::to_string(port) + " (" +
                              (rule.peer_group ? "its group " + rule.peer_group->origin.display(rule.peer_group->id)
                                               : rule.peer_cidr->str()) +
                              ")");
      }
      if (!step.unfixable.empty()) {
        out.unfixable = step.unfixable.front();
        return out;
      }
    }
  }
  model::Change remove;
  remove.kind = model::Change::Kind::kRemoveSecurityGroupRule;
  remove.target = {sg->id, sg->origin};
  remove.rule_loc = f.rule.loc;
  remove.why = "ALB_SG_OPEN_TO_WORLD at " + out.security_group + ": the rule from 0.0.0.0/0";
  out.changes.push_back(std::move(remove));
  return out;
}

}  // namespace

std::vector<LintFix> plan_lint_fixes(const model::Network& net, const FixOptions& opts) {
  std::vector<LintFix> out;
  for (const auto& lb : net.load_balancers)
    for (const auto& f : alb_rules_open_to_world(net, lb)) out.push_back(narrow(net, lb, f, opts));
  return out;
}

}  // namespace vpclab::analysis
