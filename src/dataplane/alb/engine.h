// The ALB data plane: an event-driven HTTP/1.1 load balancer with AWS ALB
// semantics (aws-alb.md). One thread runs one epoll loop serving every node
// and listener of the configuration: listeners bind to each node's address
// and connections to targets (and health checks) leave from it, so the
// emulator can run one engine for many ALB nodes. With
// EngineConfig::workers > 1, that many loops (threads) each accept on their
// own SO_REUSEPORT listeners; one health checker (worker 0) serves them all,
// and balancers, stickiness keys and in-flight counts are shared.
//
// Life cycle: Engine e(config); e.start(&err) opens the sockets (ports
// are known from then on); e.run() serves until e.stop() (any thread) and
// the graceful drain finish. Accessors marked thread-safe may be called
// from other threads while run() is active; they execute on the loop.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/alb/config.h"
#include "dataplane/alb/health.h"

namespace vpclab::dataplane::alb {

class Engine {
 public:
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Opens listening sockets on every node, the admin endpoint and the access
  // log. False with a message (e.g. "127.0.0.1:80: Address already in use").
  bool start(std::string* error);
  // Serves until stop(); returns after in-flight requests finished or the
  // shutdown grace period passed. Health checks start with run().
  void run();
  // Graceful shutdown: stop accepting, answer in-flight requests (with
  // Connection: close), close idle connections. Thread-safe, idempotent.
  void stop();

  // The bound port of listener `listener` on node `node` (after start()).
  uint16_t listener_port(size_t listener, size_t node = 0) const;
  uint16_t admin_port() const;  // 0 without admin endpoint

  // Thread-safe views.
  HealthSnapshot target_health();     // what every node's checks found, typed
  std::string target_health_json();   // the same as JSON (health_json), as the admin endpoint serves it
  std::string metrics_json();         // CloudWatch-named metrics
  std::string metrics_prometheus();   // the same in Prometheus text format
  size_t open_connections();          // client + target connections (no listeners, no health checks)

  // Thread-safe target registration changes (RegisterTargets /
  // DeregisterTargets). `target_group` is an ARN or name. False if unknown.
  bool register_target(const std::string& target_group, const TargetConfig& target);
  bool deregister_target(const std::string& target_group, const std::string& target_id);
  // An instance target's EC2 instance stopped (true) or started (false), in
  // every target group: stopped targets are `unused` / Target.InvalidState,
  // get no traffic and no health checks; started ones are `initial` until a
  // check passes. Thread-safe. Returns how many registrations changed.
  size_t set_target_stopped(const std::string& target_id, bool stopped);

  struct Impl;

 private:
  Impl& primary() const { return *workers_[0]; }
  std::vector<std::unique_ptr<Impl>> workers_;  // [0] checks health, serves admin
  std::unique_ptr<std::mutex> log_mu_;
  std::mutex api_mu_;  // target changes reach every worker in one order
};

}  // namespace vpclab::dataplane::alb
