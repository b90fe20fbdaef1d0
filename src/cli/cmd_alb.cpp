// `vpclab alb`: run the ALB data plane on loopback.
//   vpclab alb --config FILE                      the engine's own JSON (docs/alb-engine.md)
//   vpclab alb PATH... --lb LOGICAL_ID --map TARGET=HOST:PORT... [--listen-address A] [--port-offset N]
//                                                 the load balancer of a template, targets mapped locally
//   --health-check-interval SECONDS               check sooner than HealthCheckIntervalSeconds (AWS: 30)
//   --workers N                                   N event loops (threads) on SO_REUSEPORT listeners
// Runs until SIGINT/SIGTERM (graceful). Exit 0 after a clean stop, 1 on
// configuration errors or when a socket cannot be opened, 2 on usage errors.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "dataplane/alb/config.h"
#include "dataplane/alb/engine.h"
#include "emulator/alb_config.h"
#include "semantics/alb_settings.h"
#include "cli/load.h"
#include "cli/target_map.h"
#include "template/load.h"

namespace vpclab::cli {
namespace {

namespace alb = dataplane::alb;

struct AlbOptions {
  std::string config;
  std::vector<std::string> paths;
  std::string lb;
  std::vector<std::string> maps;
  std::string listen_address = "127.0.0.1";
  int port_offset = 0;
  std::string access_log = "-";
  bool access_log_given = false;
  std::string admin;
  bool dry_run = false;
  double hc_interval_seconds = 0;  // 0: each target group's own interval
  int workers = 1;
};

alb::Engine* g_engine = nullptr;

void on_signal(int) {
  if (g_engine) g_engine->stop();
}

void print_diags(const Diagnostics& d) {
  for (const auto& x : d.items()) std::cerr << x.str() << "\n";
}

// Builds the engine configuration of one load balancer of the model, its
// targets mapped to local addresses (emulator/alb_config.h does the rest).
std::optional<alb::EngineConfig> from_model(const model::Network& net, const AlbOptions& o, std::string& error) {
  const model::LoadBalancer* lb = emulator::find_load_balancer(net, o.lb);
  if (!lb) {
    error = "no load balancer \"" + o.lb + "\" (known:" + emulator::known_load_balancers(net) + ")";
    return std::nullopt;
  }
  auto listen = Ipv4Address::parse(o.listen_address);
  if (!listen) {
    error = "--listen-address: not an IPv4 address: " + o.listen_address;
    return std::nullopt;
  }
  if (lb->type != "application") {
    error = "load balancer \"" + o.lb + "\" is a " + lb->type + " load balancer" +
            (lb->type == "network" ? ": run it with vpclab nlb" : "");
    return std::nullopt;
  }
  auto map = parse_target_maps(o.maps, error);
  if (!map) return std::nullopt;
  emulator::AlbConfigOptions opts;
  opts.nodes.push_back(alb::NodeConfig{"node-1", *listen, ""});
  opts.port_offset = o.port_offset;
  opts.target_address = mapped_target_address(net, *map);
  auto r = emulator::engine_config_from_model(net, *lb, opts);
  for (const auto& n : r.notes) std::cerr << "vpclab alb: skipping " << n << "\n";
  if (!r.config) error = r.error;
  return r.config;
}

int run_alb(const AlbOptions& o) {
  std::optional<alb::EngineConfig> cfg;
  if (!o.config.empty()) {
    if (!o.paths.empty() || !o.lb.empty()) {
      std::cerr << "vpclab alb: --config cannot be combined with a template PATH or --lb\n";
      return 2;
    }
    std::ifstream f(o.config);
    if (!f) {
      std::cerr << "vpclab alb: " << o.config << ": cannot read\n";
      return 1;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    Diagnostics diags;
    cfg = alb::parse_engine_config(ss.str(), o.config, diags);
    print_diags(diags);
    if (!cfg) return 1;
  } else {
    if (o.paths.empty() || o.lb.empty()) {
      std::cerr << "vpclab alb: give --config FILE, or a template PATH with --lb LOGICAL_ID\n";
      return 2;
    }
    auto result = load_any(o.paths);
    print_diags(result.diags);
    if (!result.network || result.diags.has_errors()) return 1;
    std::string error;
    cfg = from_model(*result.network, o, error);
    if (!cfg) {
      std::cerr << "vpclab alb: " << error << "\n";
      return 1;
    }
  }
  // Templates log to stdout by default; a --config file says itself unless overridden.
  if (o.config.empty() || o.access_log_given) cfg->access_log = o.access_log;
  if (!apply_health_check_interval("alb", o.hc_interval_seconds, cfg->target_groups)) return 2;
  if (!o.admin.empty()) {
    size_t colon = o.admin.rfind(':');
    auto a = Ipv4Address::parse(colon == std::string::npos ? o.admin : o.admin.substr(0, colon));
    int port = colon == std::string::npos ? 0 : std::atoi(o.admin.c_str() + colon + 1);
    if (!a || port < 0 || port > 65535) {
      std::cerr << "vpclab alb: --admin: expected ADDRESS:PORT\n";
      return 2;
    }
    cfg->admin_address = a;
    cfg->admin_port = static_cast<uint16_t>(port);
  }
  if (o.workers < 1 || o.workers > 64) {
    std::cerr << "vpclab alb: --workers: expected 1 to 64, got " << o.workers << "\n";
    return 2;
  }
  cfg->workers = o.workers;
  alb::Engine engine(*cfg);
  std::string err;
  if (!engine.start(&err)) {
    std::cerr << "vpclab alb: " << err << "\n";
    return 1;
  }
  for (size_t l = 0; l < cfg->listeners.size(); ++l)
    for (size_t n = 0; n < cfg->nodes.size(); ++n)
      std::cerr << "vpclab alb: " << cfg->elb_name() << " listening on http://" << cfg->nodes[n].address.str() << ":"
                << engine.listener_port(l, n) << "/\n";
  if (engine.admin_port())
    std::cerr << "vpclab alb: admin on http://" << cfg->admin_address->str() << ":" << engine.admin_port()
              << "/ (/targets, /metrics, /metrics.json)\n";
  if (o.dry_run) return 0;
  g_engine = &engine;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  engine.run();
  g_engine = nullptr;
  return 0;
}

}  // namespace

void register_alb(CLI::App& app, Runner& run) {
  auto o = std::make_shared<AlbOptions>();
  auto* cmd = app.add_subcommand("alb", "Run an Application Load Balancer data plane on loopback");
  cmd->add_option("PATH", o->paths, "template(s) or lab manifest holding the load balancer");
  cmd->add_option("--config", o->config, "the engine's own JSON configuration (docs/alb-engine.md)");
  cmd->add_option("--lb", o->lb, "logical id (or name) of the load balancer in the template");
  cmd->add_option("--map", o->maps, "TARGET=HOST:PORT: where a target (id, logical id or Name) really listens");
  cmd->add_option("--listen-address", o->listen_address, "address the listeners bind to (default 127.0.0.1)");
  cmd->add_option("--port-offset", o->port_offset, "added to every listener port (e.g. 8000: 80 -> 8080)");
  auto* log_opt = cmd->add_option("--access-log", o->access_log,
                                  "access log file, - for stdout, \"\" for none (default: - for templates, "
                                  "the file's access_log with --config)");
  cmd->add_option("--admin", o->admin, "ADDRESS:PORT of the admin endpoint (target health, metrics)");
  cmd->add_option("--health-check-interval", o->hc_interval_seconds,
                  "SECONDS between health checks for every target group (default: the template's, AWS 30)");
  cmd->add_option("--workers", o->workers,
                  "N event loops (threads), each accepting on its own SO_REUSEPORT listeners; one health "
                  "checker and shared balancing for all (default 1)");
  cmd->add_flag("--check-only", o->dry_run, "open the sockets, print where, and exit");
  cmd->callback([o, log_opt, &run] {
    o->access_log_given = log_opt->count() > 0;
    run = [o] { return run_alb(*o); };
  });
}

}  // namespace vpclab::cli
