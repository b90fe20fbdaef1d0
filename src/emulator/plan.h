// A LabPlan: what a lab is made of in kernel terms, neutral of AWS. The
// compiler (compile.h) turns the model into a plan; the executor
// (executor.h) applies it step by step inside the lab's namespaces.
//
// Names: network namespaces are files under the lab's private /run/netns
// (any file name); interface names are at most 15 characters (IFNAMSIZ).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/alb/config.h"
#include "dataplane/nlb/config.h"
#include "dataplane/dns/resolver.h"
#include "dataplane/s3/server.h"
#include "vocab/ip.h"

namespace vpclab::emulator {

enum class NetnsRole { kVpcRouter, kEni, kInternet, kTransitGateway, kOther };

struct NetnsPlan {
  std::string name;
  NetnsRole role = NetnsRole::kOther;
  std::string resource;  // the AWS id it stands for (vpc-, i-, eni-), for status and exec
  // What processes started in this namespace (plan processes and exec) see:
  // their own hostname (UTS namespace) and files bind-mounted over /etc/<name>
  // (resolv.conf pointing at the VPC resolver, hosts), as `ip netns exec`
  // does with /etc/netns/<ns>.
  std::string hostname;
  std::vector<std::pair<std::string, std::string>> etc_files;  // file name -> contents
  // A prepared Auto Scaling replacement: built powered off, launched (and
  // shown) only when the group replaces a terminated member.
  bool standby = false;
};

struct BridgePlan {
  std::string netns;
  std::string name;
};

// A veth pair; each end optionally enslaved to a bridge in its namespace.
struct VethPlan {
  std::string netns_a, name_a, master_a;
  std::string netns_b, name_b, master_b;
};

// An address on an interface ("lo" for extra router addresses: the kernel
// here has no dummy link type).
struct AddressPlan {
  std::string netns;
  std::string dev;
  Ipv4Address address;
  uint8_t prefix = 32;
};

// kLocal: `local 0.0.0.0/0 dev lo` (an NLB node taking its preserved flows' replies).
enum class RouteType { kUnicast, kBlackhole, kUnreachable, kLocal };

struct RoutePlan {
  std::string netns;
  uint32_t table = 254;  // 254 = main
  Ipv4Cidr destination;
  RouteType type = RouteType::kUnicast;
  std::optional<Ipv4Address> via;
  std::string dev;  // unicast: required
};

// `ip rule`: packets arriving on `iif` (and, when set, carrying `fwmark`)
// look up `table`, or are dropped silently.
struct RulePlan {
  std::string netns;
  uint32_t priority = 0;
  std::string iif;
  std::optional<uint32_t> table;  // nullopt = blackhole (AWS drops what no route matches, no ICMP)
  std::optional<uint32_t> fwmark;  // then `iif` may be empty (any interface)
};

struct SysctlPlan {
  std::string netns;
  std::string key;  // "net.ipv4.ip_forward"
  std::string value;
};

struct NftPlan {
  std::string netns;
  std::string script;  // fed to `nft -f -`
  std::string what;    // for messages: "security groups of i-0123"
};

struct ProcessPlan {
  std::string name;   // unique in the lab; "i-0123/userdata"
  std::string netns;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // KEY=VALUE; empty = a minimal PATH/HOME/LANG
  std::string cwd;               // relative to the lab directory; created if missing
  std::string log_file;          // relative to the lab directory; stdout and stderr
  // Runs at the instance's first launch only (EC2 UserData): not again when
  // `vpclab instance start` restarts the instance's other processes.
  bool first_launch_only = false;
  // In a standby namespace: started when the supervisor launches it, not at boot.
  bool standby = false;
};

// The VPC resolver: one DNS engine in the supervisor, with UDP and TCP
// sockets opened inside each listed namespace.
struct DnsListenPlan {
  std::string netns;
  std::string view;  // a view of the plan's ResolverConfig
  Ipv4Address address;
  uint16_t port = 53;
};

// The lab's AWS services (dataplane/s3, compile_endpoints.cpp): one server
// in the supervisor with a listening socket opened in each listed namespace
// (a Region's service namespace, an interface endpoint's ENI).
struct ServiceListenPlan {
  std::string netns;
  Ipv4Address address;  // 0.0.0.0: every address of the namespace
  uint16_t port = 80;
  std::vector<dataplane::s3::ServiceRange> ranges;  // which service an address is
};

// `up --publish HOSTPORT=TARGET:PORT` (publish.h): connections accepted on
// listen_fd (127.0.0.1:HOSTPORT on the host, opened by the starter and
// inherited by the supervisor) go to targets[k]:port from inside `netns`.
struct PublishPlan {
  int listen_fd = -1;
  uint16_t host_port = 0;
  std::string netns;                  // "internet"
  std::vector<Ipv4Address> targets;  // round robin per connection
  uint16_t port = 0;
};

// What every load balancer of a lab has: names, and the namespaces of its
// nodes (node i of the engine opens its sockets in node_netns[i], the node's ENI).
struct LoadBalancerPlanBase {
  std::string name, logical_id, arn, dns_name;
  std::string stack;  // the manifest stack it comes from ("" for one template)
  std::vector<std::string> node_netns;
  // logical id (and "stack.LogicalId" in a manifest) -> ARN, plain logical id first
  std::vector<std::pair<std::string, std::string>> target_group_logical_ids;
  // Targets whose UserData runs in the lab: the first health checks wait
  // (boundedly) until something listens on the health-check port in that
  // namespace, as a booted instance would.
  struct BootWait {
    std::string netns;
    uint16_t port = 0;
  };
  std::vector<BootWait> boot_waits;
};

// An ALB: one engine in the supervisor whose node i listens, connects to
// targets and health-checks them from namespace node_netns[i] (the node's
// ENI). config.access_log is relative to the lab directory.
struct LoadBalancerPlan : LoadBalancerPlanBase {
  dataplane::alb::EngineConfig config;  // nodes in node_netns order; socket_for_node unset
};

// A Network Load Balancer: one L4 engine in the supervisor, node i in
// node_netns[i] (docs/emulator.md "Network Load Balancers").
struct NetworkLoadBalancerPlan : LoadBalancerPlanBase {
  dataplane::nlb::EngineConfig config;  // nodes in node_netns order; socket_for_node unset
};

// An Auto Scaling group of the lab: its members and the prepared
// replacements the supervisor launches when a member is terminated
// (semantics::auto_scaling_replacement_subnet picks the subnet).
struct AutoScalingPlan {
  std::string name;         // AutoScalingGroupName
  std::string member_base;  // members are "<member_base>/<k>"
  std::string stack;        // the manifest stack ("" for one template)
  std::vector<std::string> subnet_azs;  // AZ of each subnet of VPCZoneIdentifier, in order
  struct Member {
    std::string netns;  // = instance id
    size_t subnet_index = 0;
    Ipv4Address address;
    int number = 0;  // k of "<member_base>/<k>"
  };
  std::vector<Member> members;
  std::vector<Member> spares;  // number 0: given at launch
  std::vector<std::string> target_groups;  // ARNs the members are registered in
};

// A stopped or standby instance answers nothing and sends nothing, and keeps
// its addresses: a drop-all table ahead of the security groups.
inline constexpr const char* kPowerOffTable =
    "table inet vpclab_stopped {\n"
    "  chain input_all { type filter hook input priority -300; policy drop; }\n"
    "  chain output_all { type filter hook output priority -300; policy drop; }\n"
    "}\n";

struct LabPlan {
  std::vector<NetnsPlan> namespaces;
  std::vector<SysctlPlan> sysctls;
  std::vector<BridgePlan> bridges;
  std::vector<VethPlan> veths;
  std::vector<AddressPlan> addresses;
  std::vector<RoutePlan> routes;
  std::vector<RulePlan> rules;
  std::vector<NftPlan> nft;
  std::vector<ProcessPlan> processes;
  std::shared_ptr<const dataplane::ResolverConfig> dns;  // null: no resolver
  std::vector<DnsListenPlan> dns_listen;
  std::vector<PublishPlan> publish;  // started last, when everything else is up
  std::vector<LoadBalancerPlan> load_balancers;  // started after the processes
  std::vector<NetworkLoadBalancerPlan> network_load_balancers;  // after the ALBs (an ALB may be a target)
  std::vector<AutoScalingPlan> auto_scaling_groups;
  std::vector<ServiceListenPlan> service_listen;  // started after the resolver
  std::vector<dataplane::s3::Bucket> s3_buckets;

  const NetnsPlan* netns(const std::string& name) const;
};

// One executable step of a plan, in order. Either a command (argv, with
// optional stdin) run inside the lab, a sysctl, an nftables script loaded
// in-process (libnftables), or a process start.
struct PlanStep {
  enum class Kind { kCommand, kSysctl, kNft, kDns, kProcess } kind = Kind::kCommand;
  std::string description;  // "add address 10.2.1.1/24 to br0 in vpc-foo"
  std::vector<std::string> argv;
  std::string input;         // stdin for the command (`ip -batch` lines)
  const SysctlPlan* sysctl = nullptr;
  const ProcessPlan* process = nullptr;
  const NftPlan* nft = nullptr;
};

// The steps in the order they must run: namespaces (one `ip -batch`),
// sysctls, bridges and veths (one `ip -batch` naming each end's namespace),
// then one `ip -n NS -batch` per namespace (links up, addresses, routes,
// rules), nftables, the resolver, processes (UserData may resolve names as
// soon as it starts). Forks are what costs at scale: a 500-instance lab has
// ~600 namespaces and ~4,000 objects. Pointers refer into `plan`, which
// must outlive the steps.
std::vector<PlanStep> plan_steps(const LabPlan& plan);

// Structural checks before anything is created: duplicate names, interface
// names over 15 characters, references to unknown namespaces. Returns
// human-readable problems (empty = fine).
std::vector<std::string> check_plan(const LabPlan& plan);

}  // namespace vpclab::emulator
