// A Network Load Balancer data plane: a layer-4 forwarder (TCP and UDP
// flows) for every node, with per-node health checks from the node's own
// address, flow-hash target choice (semantics::nlb_routable_targets: own
// zone unless cross-zone, fail open), client IP preservation (the target
// connection leaves from the client's address: IP_TRANSPARENT) and proxy
// protocol v2. One thread runs it (run()); the rest is thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/alb/health.h"
#include "dataplane/nlb/config.h"

namespace vpclab::dataplane::nlb {

class Engine {
 public:
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Opens every node's listening sockets. False with a message naming the
  // node and port ("10.1.1.10:80/tcp: Address already in use").
  bool start(std::string* error);
  // Forwards until stop(); health checks start with it.
  void run();
  void stop();  // closes every flow; thread-safe, idempotent

  uint16_t listener_port(size_t listener, size_t node = 0) const;  // after start()

  // Thread-safe views and changes, as the ALB engine's (dataplane/alb/engine.h).
  alb::HealthSnapshot target_health();
  std::string metrics_json();  // CloudWatch's NLB metric names (docs/nlb-engine.md)
  bool register_target(const std::string& target_group, const TargetConfig& target);
  bool deregister_target(const std::string& target_group, const std::string& target_id);
  size_t set_target_stopped(const std::string& target_id, bool stopped);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vpclab::dataplane::nlb
