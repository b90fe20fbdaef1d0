#include "emulator/lb_runtime.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "emulator/alb_runtime.h"

namespace vpclab::emulator {

using json = nlohmann::json;

NodeSockets::~NodeSockets() {
  for (int fd : netns_fds_)
    if (fd >= 0) close(fd);
  if (home_fd_ >= 0) close(home_fd_);
}

bool NodeSockets::open(const std::vector<std::string>& node_netns, std::string* error) {
  // The supervisor's own namespace, where every thread returns after a socket.
  home_fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_fd_ < 0) {
    *error = std::string("cannot open own network namespace: ") + strerror(errno);
    return false;
  }
  for (const auto& ns : node_netns) {
    int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = "cannot open namespace " + ns + ": " + strerror(errno);
      return false;
    }
    netns_fds_.push_back(fd);
  }
  return true;
}

int NodeSockets::socket(size_t node, int type, const std::string& owner) {
  if (node >= netns_fds_.size() || setns(netns_fds_[node], CLONE_NEWNET) != 0) return -1;
  int fd = ::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int saved = errno;
  if (setns(home_fd_, CLONE_NEWNET) != 0) {
    // Every later socket of this thread would land in the node's namespace.
    std::fprintf(stderr, "vpclab: %s: cannot return to own namespace: %s\n", owner.c_str(), strerror(errno));
    std::abort();
  }
  errno = saved;
  return fd;
}

json describe_base(const LoadBalancerPlanBase& p, const std::string& type, const std::string& access_log) {
  return {{"name", p.name},         {"type", type},         {"logical_id", p.logical_id},
          {"stack", p.stack},       {"arn", p.arn},         {"dns_name", p.dns_name},
          {"access_log", access_log}, {"nodes", json::array()}, {"listeners", json::array()}};
}

json describe_node(const LoadBalancerPlanBase& p, size_t i, const std::string& name, Ipv4Address address,
                   const std::string& availability_zone) {
  return {{"name", name},
          {"netns", i < p.node_netns.size() ? p.node_netns[i] : ""},
          {"address", address.str()},
          {"availability_zone", availability_zone}};
}

json describe_target_groups(const LoadBalancerPlanBase& p, const std::vector<std::pair<std::string, std::string>>& groups,
                            const dataplane::alb::HealthSnapshot& health) {
  json out = json::array();
  for (const auto& [arn, name] : groups) {
    std::string logical;  // the first: the plain logical id
    for (const auto& [lid, tg_arn] : p.target_group_logical_ids)
      if (tg_arn == arn && logical.empty()) logical = lid;
    out.push_back({{"name", name},
                   {"arn", arn},
                   {"logical_id", logical},
                   {"TargetHealthDescriptions", aggregate_target_health(health, arn)}});
  }
  return out;
}

}  // namespace vpclab::emulator
