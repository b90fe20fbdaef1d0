// The lab's AWS service side as sockets: one thread, many listening
// sockets (the Region's service namespace on 0.0.0.0:80, each interface
// endpoint's network interface on its IP:80), one request per connection
// (`Connection: close`), answers from objects.h.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/s3/objects.h"
#include "vocab/ip.h"

namespace vpclab::dataplane::s3 {

// Which service a connection is for: the first range holding the address
// it reached.
struct ServiceRange {
  Ipv4Cidr cidr;
  ServiceAt service;
};

class ServiceServer {
 public:
  static constexpr size_t kMaxConnections = 512;
  explicit ServiceServer(std::vector<Bucket> buckets);
  ~ServiceServer();
  ServiceServer(const ServiceServer&) = delete;
  ServiceServer& operator=(const ServiceServer&) = delete;

  // Takes a listening TCP socket (opened by the caller in whichever network
  // namespace) and what it serves.
  void add_listener(int fd, std::vector<ServiceRange> ranges);
  // Serves until stop(); call from one thread.
  void run();
  // Thread-safe.
  void stop();

 private:
  struct Listener {
    int fd = -1;
    std::vector<ServiceRange> ranges;
  };
  struct Conn;
  std::vector<Bucket> buckets_;
  std::vector<Listener> listeners_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
};

// A listening socket on address:port (0.0.0.0 for every address of the
// namespace) in the caller's network namespace; -1 with `error` set.
int listen_tcp(Ipv4Address address, uint16_t port, std::string* error);

}  // namespace vpclab::dataplane::s3
