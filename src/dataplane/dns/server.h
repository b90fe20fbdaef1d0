// Sockets for the resolver engine: one process serves many listening
// addresses (UDP and TCP on each), each bound to a view. In the emulator the
// sockets are opened inside each VPC router's network namespace (base+2 and
// 169.254.169.253); in tests and benchmarks on 127.0.0.1.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/dns/answer_cache.h"
#include "dataplane/dns/resolver.h"
#include "vocab/ip.h"

namespace vpclab::dataplane {

class DnsServer {
 public:
  explicit DnsServer(std::shared_ptr<const Resolver> resolver);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Opens UDP and TCP on addr:port for `view` (port 0: an ephemeral port, the
  // same number for both). `netns_path` (e.g. /run/netns/vpc-foo) opens the
  // sockets inside that network namespace; empty = the caller's. Returns the
  // port, or 0 with `error` set.
  uint16_t listen(const std::string& view, Ipv4Address addr, uint16_t port, std::string* error,
                  const std::string& netns_path = {});

  // Serves until stop(); call from one thread.
  void run();
  // Thread-safe and async-signal-safe.
  void stop();

  // Counters (approximate while running).
  uint64_t queries() const { return queries_.load(); }
  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Listener {
    std::string view;
    int udp = -1;
    int tcp = -1;
  };
  struct Conn;
  struct UdpBatch;
  // Resolver::answer through the cache of wire answers (answer_cache.h).
  bool answer(uint32_t listener, std::span<const uint8_t> query, std::vector<uint8_t>& response, size_t max_udp);
  void serve_udp(uint32_t listener);
  void accept_tcp(uint32_t listener);
  // False when the connection must be closed.
  bool read_tcp(Conn& c);
  bool write_tcp(Conn& c);

  std::shared_ptr<const Resolver> resolver_;
  std::vector<Listener> listeners_;
  std::vector<std::unique_ptr<Conn>> conns_;
  AnswerCache cache_;
  std::unique_ptr<UdpBatch> batch_;
  int stop_fd_ = -1;
  std::atomic<uint64_t> queries_{0}, dropped_{0};
};

}  // namespace vpclab::dataplane
