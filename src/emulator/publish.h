// `vpclab up --publish HOSTPORT=TARGET:PORT` (docs/emulator.md "--publish"):
// the only way into a lab from the host. The CLI listens on
// 127.0.0.1:HOSTPORT before the lab starts (so a taken port fails `up`
// cleanly); the supervisor inherits the listening socket and forwards each
// accepted connection to TARGET:PORT from inside the `internet` namespace,
// as a client on the internet would connect: through the IGW's 1:1 NAT,
// security groups and NACLs. Nothing is ever routed from the lab to the host.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/plan.h"
#include "model/network.h"

namespace vpclab::emulator {

// Parses "HOSTPORT=TARGET:PORT" and resolves TARGET in `net`: a public IP
// (dotted quad), an instance (id, logical id or Name tag) with a public IP,
// or an internet-facing load balancer (DNS name, name or logical id: all its
// nodes' public IPs). The plan has netns "internet" and no listen_fd yet.
// nullopt with `error` set ("web has no public IP", ...) otherwise.
std::optional<PublishPlan> publish_plan(const model::Network& net, const std::string& spec, std::string* error);

// A listening TCP socket on 127.0.0.1:port for PublishPlan::listen_fd; -1 with
// `error` set when the port is taken or not allowed.
int open_publish_listener(uint16_t port, std::string* error);
// The same on any loopback address (`up --ui ADDR:PORT`); non-blocking.
int open_loopback_listener(Ipv4Address address, uint16_t port, std::string* error);

// Forwards connections accepted on each plan's listen_fd to its targets (round
// robin per connection) from inside `netns`; one thread for all, at most
// kMaxConnections at a time (more are closed at once).
class PublishForwarder {
 public:
  static constexpr size_t kMaxConnections = 1024;
  explicit PublishForwarder(std::vector<PublishPlan> plans);
  ~PublishForwarder();
  PublishForwarder(const PublishForwarder&) = delete;
  PublishForwarder& operator=(const PublishForwarder&) = delete;

  // Enters the plans' namespace (all plans share one: `internet`) on the
  // forwarder thread and starts it; false with `error` set when it cannot.
  bool start(const std::string& netns_dir, std::string* error);
  void stop();

 private:
  void run();

  std::vector<PublishPlan> plans_;
  std::thread thread_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
};

}  // namespace vpclab::emulator
