// Instance lifecycle inside a running lab: `vpclab instance stop|start|terminate`.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "emulator/supervisor_impl.h"

namespace vpclab::emulator {

namespace {

// Every process of the lab whose network namespace is `netns` (also
// UserData's background children, reparented to the supervisor).
std::vector<pid_t> processes_in_netns(const std::string& netns) {
  std::vector<pid_t> out;
  struct stat ns {};
  if (stat(("/run/netns/" + netns).c_str(), &ns) != 0) return out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
    if (pid <= 1) continue;
    struct stat st {};
    if (stat(("/proc/" + std::string(e->d_name) + "/ns/net").c_str(), &st) == 0 && st.st_ino == ns.st_ino &&
        st.st_dev == ns.st_dev)
      out.push_back(pid);
  }
  closedir(d);
  return out;
}

// A stopped instance answers nothing and sends nothing, and keeps its
// addresses: a drop-all table ahead of the security groups.
constexpr const char* kPowerOff =
    "table inet vpclab_stopped {\n"
    "  chain input_all { type filter hook input priority -300; policy drop; }\n"
    "  chain output_all { type filter hook output priority -300; policy drop; }\n"
    "}\n";

}  // namespace

// EC2 state changes, as `vpclab instance stop|start|terminate` asks:
// stop ends every process of the instance (SIGTERM, then SIGKILL after 2 s,
// as a shutdown would) and makes it silent, keeping its private IPs; start
// lets traffic flow again and starts its services again (plan processes
// other than UserData: EC2 runs UserData at the first launch only);
// terminate ends the processes and deletes the interfaces, which releases
// the private IPs. Reply: {"ok", "previous_state", "current_state"} with
// EC2's state names, or {"ok": false, "error"}.
json Supervisor::instance_action(const std::string& action, const std::string& netns) {
  const NetnsPlan* np = plan_.netns(netns);
  if (!np || np->role != NetnsRole::kEni || np->resource.rfind("i-", 0) != 0)
    return {{"ok", false}, {"error", "no instance '" + netns + "' in this lab"}};
  std::string& state = instance_state_[netns];
  if (state.empty()) state = "running";
  std::string previous = state;
  auto reply = [&] { return json{{"ok", true}, {"instance", np->resource}, {"previous_state", previous}, {"current_state", state}}; };
  if (state == "terminated") return {{"ok", false}, {"error", "instance " + np->resource + " is terminated"}};
  auto end_processes = [&] {
    for (pid_t pid : processes_in_netns(netns)) kill(pid, SIGTERM);
    // Zombies have left their namespaces: they do not count (reap() collects them later).
    for (int i = 0; i < 200 && !processes_in_netns(netns).empty(); ++i) usleep(10000);
    for (pid_t pid : processes_in_netns(netns)) kill(pid, SIGKILL);
    for (int i = 0; i < 100 && !processes_in_netns(netns).empty(); ++i) usleep(10000);
  };
  std::string why;
  if (action == "stop") {
    if (state == "stopped") return reply();
    end_processes();
    if (!load_nft(netns, kPowerOff, &why)) return {{"ok", false}, {"error", why}};
    for (auto& a : albs_) a->instance_stopped(np->resource, true);
    state = "stopped";
  } else if (action == "start") {
    if (state == "running") return reply();
    if (!load_nft(netns, "delete table inet vpclab_stopped\n", &why)) return {{"ok", false}, {"error", why}};
    for (auto& a : albs_) a->instance_stopped(np->resource, false);
    state = "running";
    for (const auto& p : plan_.processes) {
      if (p.netns == netns && !p.first_launch_only && !start_process(p, &why)) return {{"ok", false}, {"error", why}};
    }
  } else if (action == "terminate") {
    for (auto& a : albs_) a->instance_terminated(np->resource);
    end_processes();
    for (const auto& v : plan_.veths)
      if (v.netns_a == netns) {
        CommandResult r = run_command({"ip", "-n", netns, "link", "del", v.name_a}, "");
        if (!r.ok) return {{"ok", false}, {"error", "cannot delete " + v.name_a + ": " + r.output}};
      }
    state = "terminated";
  } else {
    return {{"ok", false}, {"error", "unknown instance action '" + action + "' (stop, start, terminate)"}};
  }
  return reply();
}

}  // namespace vpclab::emulator
