// `vpclab nlb`: run the NLB data plane on loopback.
//   vpclab nlb PATH... --lb LOGICAL_ID --map TARGET=HOST:PORT... [--listen-address A] [--port-offset N]
//                                                 the load balancer of a template, targets mapped locally
//   --health-check-interval SECONDS               check sooner than HealthCheckIntervalSeconds (AWS: 30)
// One node (at --listen-address) serves every listener: TCP, UDP, TCP_UDP.
// Runs until SIGINT/SIGTERM, then prints the metrics. Exit 0 after a clean
// stop, 1 on configuration errors or when a socket cannot be opened, 2 on
// usage errors.
#include <algorithm>
#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/target_map.h"
#include "dataplane/nlb/config.h"
#include "dataplane/nlb/engine.h"
#include "emulator/nlb_config.h"
#include "semantics/alb_settings.h"

namespace vpclab::cli {
namespace {

namespace nlb = dataplane::nlb;

struct NlbOptions {
  std::vector<std::string> paths;
  std::string lb;
  std::vector<std::string> maps;
  std::string listen_address = "127.0.0.1";
  int port_offset = 0;
  bool dry_run = false;
  double hc_interval_seconds = 0;  // 0: each target group's own interval
};

nlb::Engine* g_engine = nullptr;

void on_signal(int) {
  if (g_engine) g_engine->stop();
}

std::optional<nlb::EngineConfig> from_model(const model::Network& net, const NlbOptions& o, std::string& error) {
  const model::LoadBalancer* lb = emulator::find_load_balancer(net, o.lb);
  if (!lb) {
    error = "no load balancer \"" + o.lb + "\" (known:" + emulator::known_load_balancers(net) + ")";
    return std::nullopt;
  }
  if (lb->type != "network") {
    error = "load balancer \"" + o.lb + "\" is an " + lb->type + " load balancer" +
            (lb->type == "application" ? ": run it with vpclab alb" : "");
    return std::nullopt;
  }
  auto listen = Ipv4Address::parse(o.listen_address);
  if (!listen) {
    error = "--listen-address: not an IPv4 address: " + o.listen_address;
    return std::nullopt;
  }
  auto map = parse_target_maps(o.maps, error);
  if (!map) return std::nullopt;
  emulator::NlbConfigOptions opts;
  opts.nodes.push_back(nlb::NodeConfig{"node-1", *listen, "", 0});  // no zone: every target is in it
  opts.port_offset = o.port_offset;
  opts.target_address = mapped_target_address(net, *map);
  auto r = emulator::nlb_engine_config_from_model(net, *lb, opts);
  for (const auto& n : r.notes) std::cerr << "vpclab nlb: skipping " << n << "\n";
  if (!r.config) error = r.error;
  return r.config;
}

int run_nlb(const NlbOptions& o) {
  if (o.paths.empty() || o.lb.empty()) {
    std::cerr << "vpclab nlb: give a template PATH with --lb LOGICAL_ID\n";
    return 2;
  }
  auto result = load_any(o.paths);
  for (const auto& x : result.diags.items()) std::cerr << x.str() << "\n";
  if (!result.network || result.diags.has_errors()) return 1;
  std::string error;
  auto cfg = from_model(*result.network, o, error);
  if (!cfg) {
    std::cerr << "vpclab nlb: " << error << "\n";
    return 1;
  }
  if (!apply_health_check_interval("nlb", o.hc_interval_seconds, cfg->target_groups)) return 2;
  nlb::Engine engine(*cfg);
  std::string err;
  if (!engine.start(&err)) {
    std::cerr << "vpclab nlb: " << err << "\n";
    return 1;
  }
  for (size_t l = 0; l < cfg->listeners.size(); ++l) {
    std::string proto = cfg->listeners[l].protocol;
    std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return std::tolower(c); });
    if (proto == "tcp_udp") proto = "tcp+udp";
    for (size_t n = 0; n < cfg->nodes.size(); ++n)
      std::cerr << "vpclab nlb: " << cfg->elb_name() << " listening on " << cfg->nodes[n].address.str() << ":"
                << engine.listener_port(l, n) << "/" << proto << " -> "
                << cfg->target_groups[cfg->listeners[l].target_group].name << "\n";
  }
  if (o.dry_run) return 0;
  g_engine = &engine;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  engine.run();
  g_engine = nullptr;
  std::cerr << "vpclab nlb: metrics " << engine.metrics_json() << "\n";
  return 0;
}

}  // namespace

void register_nlb(CLI::App& app, Runner& run) {
  auto o = std::make_shared<NlbOptions>();
  auto* cmd = app.add_subcommand("nlb", "Run a Network Load Balancer data plane on loopback");
  cmd->add_option("PATH", o->paths, "template(s) or lab manifest holding the load balancer");
  cmd->add_option("--lb", o->lb, "logical id (or name) of the load balancer in the template");
  cmd->add_option("--map", o->maps,
                  "TARGET=HOST:PORT: where a target (id, logical id or Name; an alb target's logical id) really "
                  "listens");
  cmd->add_option("--listen-address", o->listen_address, "address the listeners bind to (default 127.0.0.1)");
  cmd->add_option("--port-offset", o->port_offset, "added to every listener port (e.g. 8000: 80 -> 8080)");
  cmd->add_option("--health-check-interval", o->hc_interval_seconds,
                  "SECONDS between health checks for every target group (default: the template's, AWS 30)");
  cmd->add_flag("--check-only", o->dry_run, "open the sockets, print where, and exit");
  cmd->callback([o, &run] { run = [o] { return run_nlb(*o); }; });
}

}  // namespace vpclab::cli
