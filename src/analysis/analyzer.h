// The static reachability analyzer: trace, matrix and exposure over one
// finished model::Network. Every AWS rule it applies comes from semantics/.
//
// An Analyzer indexes the network once (addresses, security-group members,
// normalised rules); build one and ask it many questions. It keeps a
// reference to the network, which must outlive it.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/explanation.h"
#include "model/network.h"
#include "semantics/interval_set.h"
#include "vocab/protocol.h"

namespace vpclab::analysis {

// One step of a path, in order.
struct Hop {
  std::string component;  // "security-group", "network-acl", "route-table", "vpc-peering-connection",
                          // "internet-gateway", "nat-gateway", "network-interface", "instance",
                          // "load-balancer", "listener", "listener-rule", "target-group", "target",
                          // "dns", "internet", "subnet", "vpc", "transit-gateway-attachment",
                          // "transit-gateway-route-table", "virtual-private-gateway", "vpn-connection",
                          // "customer-gateway", "vpc-endpoint"
  std::string id;         // AWS id (sg-..., rtb-..., an ARN, a zone id)
  std::string display;    // "Stack.LogicalId" when known, else the id
  std::string leg;        // which leg: "request", "reply", "node 10.2.1.175 -> i-... :8080", ...
  std::string check;      // what was checked, e.g. "inbound tcp/8080 from 10.2.1.175"
  std::string matched;    // the rule that decided, e.g. "rule 100 allow 0.0.0.0/0", "10.1.0.0/16 -> pcx-..."
  SourceLoc loc;          // where that rule is declared
  bool allowed = true;
};

// What a client gets from the destination (load balancers only).
struct Response {
  std::string kind;  // "target" (forwarded), "fixed-response", "redirect", "elb-error"
  int status = 0;    // HTTP status the client sees; 0 = whatever the target answers
  std::string detail;
  std::string load_balancer;
  int rule_priority = -1;  // 0 = default rule
  std::vector<std::string> target_groups;
  struct Target {
    std::string id, address;
    uint16_t port = 0;
    bool reachable = false;       // from at least one node on the traffic port
    bool health_check_ok = false; // health checks can pass from at least one node
  };
  std::vector<Target> targets;
};

struct PathTrace {
  std::string address;     // the destination address traced
  bool reachable = false;
  bool undecidable = false;
  std::vector<Hop> hops;
  std::vector<Explanation> explanations;  // blocking reasons (and warnings)
  std::optional<Response> response;
};

struct TraceOptions {
  IpProtocol protocol = kTcp;
  std::optional<uint16_t> port;  // overrides the URL's port; default 80 for tcp
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // request headers (Host is taken from the URL)
};

struct TraceResult {
  bool ok = true;          // false: bad input (error says why)
  std::string error;
  bool reachable = false;  // every traced address reachable (and at least one)
  bool undecidable = false;
  std::string source;      // how the source was understood
  // The source as an id: its ENI (eni-), subnet (subnet-), "internet", or
  // "on-prem:NAME" (pictures draw the path from it).
  std::string source_id;
  std::string destination;
  std::string flow;        // "tcp/80", "udp/53", "icmp"
  std::vector<Hop> dns;    // the DNS view (empty when DST is an address)
  std::vector<Explanation> dns_explanations;
  std::vector<std::string> addresses;
  std::vector<PathTrace> paths;
  std::optional<Response> response;  // of the first path that has one
  int exit_code() const { return !ok || undecidable ? 2 : reachable ? 0 : 1; }
};

// The DNS view alone: what SRC's resolver answers for a name (the same
// answer and hops `trace` starts with).
struct DnsResult {
  bool ok = true;  // false: bad source (error says why)
  std::string error;
  std::string rcode;  // "NOERROR", "NXDOMAIN", "SERVFAIL", or "" when no resolver answers at all
  std::vector<std::string> addresses;  // the A answers, in answer order
  std::vector<Hop> hops;
  std::vector<Explanation> explanations;
};

// Matrix: who reaches whom on which ports.
struct MatrixCell {
  std::string from, to;                  // display names
  std::string from_id, to_id;
  semantics::IntervalSet tcp, udp;       // destination ports that get through (both directions OK)
  bool icmp = false;                     // echo request/reply
  bool any() const { return !tcp.empty() || !udp.empty() || icmp; }
};
struct MatrixResult {
  bool ok = true;
  std::string error;
  std::vector<std::string> rows, columns;  // display names
  std::vector<MatrixCell> cells;           // only pairs with something reachable, row-major
};

// Matrix by classes (`matrix --group-by`): parties that behave alike for
// reachability gathered into classes, one answer per ordered pair of classes
// (matrix_classes.h says when parties are alike).
struct MatrixClass {
  std::string id;     // "c1", "c2", ...
  std::string kind;   // the grouping ("vpc", "subnet", "security-group"), "load-balancer" or "on-premises"
  std::string label;  // "Stack.Vpc [Stack.WebSg]", "on-prem:office"
  std::vector<std::string> members;  // party ids (i-..., an ARN, on-prem:NAME), model order
  std::vector<std::string> member_vpcs;  // parallel to members: the VPC id ("" for an on-premises network)
  size_t vpcs = 0;                       // distinct VPCs of the members (a class spans VPCs alike)
};
struct MatrixAnswer {
  semantics::IntervalSet tcp, udp;
  bool icmp = false;
  bool operator==(const MatrixAnswer&) const = default;
};
// Which member pairs a cell stands for: all, or only those in one VPC / in
// two VPCs (when a class pair's members answer differently in the two cases).
enum class CellScope : uint8_t { kAny, kSameVpc, kOtherVpc };
const char* cell_scope_name(CellScope s);  // "", "same", "other"
struct ClassCell {
  uint32_t from = 0, to = 0;  // indices into classes
  uint32_t answer = 0;        // index into answers (one entry per distinct answer)
  CellScope vpc = CellScope::kAny;
};
struct GroupedMatrixResult {
  bool ok = true;
  std::string error;
  std::string group_by;
  std::vector<MatrixClass> classes;
  std::vector<uint32_t> rows, columns;  // classes of the sources and of the destinations
  std::vector<MatrixAnswer> answers;
  std::vector<ClassCell> cells;         // only pairs with something reachable, row-major
  uint64_t traces = 0;                  // party pairs evaluated (one per class pair and subnet situation)
};

struct ExposureItem {
  std::string resource;   // display name
  std::string id;
  std::string kind;       // "instance" | "load-balancer"
  std::string scope;      // "internet" | "outside-vpc"
  std::string address;    // the address reached
  std::string protocol;   // "tcp", "udp", "icmp"
  std::string ports;      // "22", "80,443"
  std::string sources;    // "0.0.0.0/0", "vpc-... (Stack.Vpc)", ...
  std::string through;    // "igw-...", "pcx-..."
};
struct ExposureResult {
  std::vector<ExposureItem> items;
};

// What an instance reaches on the internet (connections it opens, replies
// let back): per protocol and ports, the public destinations, and the
// gateway the packets leave by with the address the internet sees.
struct EgressItem {
  std::string resource;      // display name
  std::string id;            // i-
  std::string protocol;      // "tcp", "udp"
  std::string ports;         // "443", "0-65535"
  std::string destinations;  // "0.0.0.0/0 (any public address)" or ranges
  std::string through;       // "nat-..." or "igw-..."
  std::string seen_as;       // the source address the internet sees
};
struct EgressResult {
  std::vector<EgressItem> items;
};

class Analyzer {
 public:
  explicit Analyzer(const model::Network& net);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // SRC: an instance or ENI (id, logical id, "Stack.LogicalId", Name tag,
  // private IP), a subnet, "internet", a public IP outside the network, or
  // an on-premises network of the lab manifest ("on-prem:NAME", its name, or
  // one of its addresses).
  // DST: a URL ("http://alb.home/path?q"), "host[:port]", an IP, a
  // resource (instance, load balancer by id/ARN/name/logical id), or
  // "internet" (a host there, 198.18.0.7).
  TraceResult trace(std::string_view from, std::string_view to, const TraceOptions& opts = {}) const;

  // SRC as for trace; NAME a DNS name, asked for its A records.
  DnsResult resolve(std::string_view from, std::string_view name) const;

  // FROM/TO: comma-separated resource references, empty = every instance,
  // load balancer and on-premises network ("on-prem:NAME"). PORTS: "22", "80,443", "1000-2000", empty = all.
  MatrixResult matrix(std::string_view from = {}, std::string_view to = {}, std::string_view ports = {}) const;
  // The same question by classes: GROUP_BY "vpc", "subnet" or "security-group"
  // (anything else: ok=false naming those). Every member pair of two classes
  // gets the answer of its class pair in `matrix`.
  GroupedMatrixResult matrix_by_class(std::string_view group_by, std::string_view from = {}, std::string_view to = {},
                                      std::string_view ports = {}) const;

  ExposureResult exposure() const;
  // Every instance's internet egress (only `instances`' when given: ids).
  EgressResult egress(const std::vector<std::string>* instances = nullptr) const;

  struct Impl;
  // The indexes, for the other questions of analysis/ (assertions.h).
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses "22", "80,443", "1024-65535", "all"; nullopt when malformed.
std::optional<semantics::IntervalSet> parse_port_spec(std::string_view spec);

}  // namespace vpclab::analysis
