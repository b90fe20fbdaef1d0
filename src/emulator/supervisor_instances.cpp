// Instance lifecycle inside a running lab: `vpclab instance stop|start|terminate`.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "emulator/supervisor_impl.h"
#include "semantics/auto_scaling.h"

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
  if (!np || np->role != NetnsRole::kEni || np->resource.rfind("i-", 0) != 0 || standby(netns))
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
    if (!load_nft(netns, kPowerOffTable, &why)) return {{"ok", false}, {"error", why}};
    for (auto& a : lbs_) a->instance_stopped(np->resource, true);
    state = "stopped";
  } else if (action == "start") {
    if (state == "running") return reply();
    if (!load_nft(netns, "delete table inet vpclab_stopped\n", &why)) return {{"ok", false}, {"error", why}};
    for (auto& a : lbs_) a->instance_stopped(np->resource, false);
    state = "running";
    for (const auto& p : plan_.processes) {
      if (p.netns == netns && !p.first_launch_only && !start_process(p, &why)) return {{"ok", false}, {"error", why}};
    }
  } else if (action == "terminate") {
    for (auto& a : lbs_) a->instance_terminated(np->resource);
    end_processes();
    for (const auto& v : plan_.veths)
      if (v.netns_a == netns) {
        CommandResult r = run_command({"ip", "-n", netns, "link", "del", v.name_a}, "");
        if (!r.ok) return {{"ok", false}, {"error", "cannot delete " + v.name_a + ": " + r.output}};
      }
    state = "terminated";
    // A member of an Auto Scaling group: the group launches its replacement.
    json r = reply();
    r["replacement"] = replace_member(netns);
    return r;
  } else {
    return {{"ok", false}, {"error", "unknown instance action '" + action + "' (stop, start, terminate)"}};
  }
  return reply();
}

bool Supervisor::standby(const std::string& netns) const {
  const NetnsPlan* np = plan_.netns(netns);
  return np && np->standby && !launched_.count(netns);
}

Supervisor::GroupState& Supervisor::group_state(const AutoScalingPlan& g) {
  auto [it, fresh] = groups_.try_emplace(g.name);
  if (fresh) {
    for (const auto& m : g.members) {
      it->second.members.push_back({m.netns, m.subnet_index, m.address, m.number});
      it->second.next_number = std::max(it->second.next_number, m.number + 1);
    }
    it->second.spare_used.assign(g.spares.size(), false);
  }
  return it->second;
}

// EC2 Auto Scaling keeps the desired capacity: a terminated member is
// replaced in the subnet semantics::auto_scaling_replacement_subnet picks,
// by the next prepared replacement there (new id, next address), which runs
// its UserData and is registered in the group's target groups (initial
// until the load balancer's health checks pass).
json Supervisor::replace_member(const std::string& netns) {
  for (const auto& g : plan_.auto_scaling_groups) {
    GroupState& st = group_state(g);
    auto gone = std::find_if(st.members.begin(), st.members.end(), [&](const GroupMember& m) { return m.netns == netns; });
    if (gone == st.members.end()) continue;
    st.members.erase(gone);
    std::vector<size_t> running;
    for (const auto& m : st.members) running.push_back(m.subnet_index);
    auto want = semantics::auto_scaling_replacement_subnet(g.subnet_azs, running);
    // The first unused replacement in that subnet, else in its AZ.
    size_t pick = SIZE_MAX;
    for (int pass = 0; pass < 2 && pick == SIZE_MAX && want; ++pass)
      for (size_t i = 0; i < g.spares.size() && pick == SIZE_MAX; ++i)
        if (!st.spare_used[i] && (pass == 0 ? g.spares[i].subnet_index == *want
                                            : g.subnet_azs[g.spares[i].subnet_index] == g.subnet_azs[*want]))
          pick = i;
    if (pick == SIZE_MAX)
      return {{"group", g.name},
              {"error", "the lab has no prepared replacement left in that Availability Zone; the group stays below "
                        "its desired capacity"}};
    const auto& sp = g.spares[pick];
    st.spare_used[pick] = true;
    std::string why;
    if (!load_nft(sp.netns, "delete table inet vpclab_stopped\n", &why)) return {{"group", g.name}, {"error", why}};
    launched_.insert(sp.netns);
    instance_state_[sp.netns] = "running";
    for (const auto& p : plan_.processes)
      if (p.netns == sp.netns && !start_process(p, &why)) return {{"group", g.name}, {"error", why}};
    const std::string& az = g.subnet_azs[sp.subnet_index];
    for (const auto& tg : g.target_groups)
      for (auto& a : lbs_) a->instance_registered(tg, sp.netns, sp.address, az);
    int number = st.next_number++;
    st.members.push_back({sp.netns, sp.subnet_index, sp.address, number});
    write_group_names();
    return {{"group", g.name},
            {"instance", sp.netns},
            {"name", g.member_base + "/" + std::to_string(number)},
            {"address", sp.address.str()},
            {"availability_zone", az}};
  }
  return nullptr;
}

// auto-scaling.json in the lab directory: the names of launched
// replacements ("GROUP/3", "Stack.GROUP/3") -> namespace, beside
// targets.json (which `up` wrote for the first members).
void Supervisor::write_group_names() {
  json names = json::object();
  for (const auto& g : plan_.auto_scaling_groups) {
    auto it = groups_.find(g.name);
    if (it == groups_.end()) continue;
    for (const auto& m : it->second.members) {
      if (!launched_.count(m.netns)) continue;
      std::string name = g.member_base + "/" + std::to_string(m.number);
      names[name] = m.netns;
      if (!g.stack.empty()) names[g.stack + "." + name] = m.netns;
    }
  }
  int fd = openat(dirfd_, "auto-scaling.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  write_all(fd, names.dump(2) + "\n");
  close(fd);
  renameat(dirfd_, "auto-scaling.json.tmp", dirfd_, "auto-scaling.json");
}

// status(): each group's members as they are now.
json Supervisor::group_status() {
  json out = json::array();
  for (const auto& g : plan_.auto_scaling_groups) {
    json members = json::array();
    for (const auto& m : group_state(g).members) {
      auto st = instance_state_.find(m.netns);
      members.push_back({{"name", g.member_base + "/" + std::to_string(m.number)},
                         {"instance", m.netns},
                         {"address", m.address.str()},
                         {"availability_zone", m.subnet_index < g.subnet_azs.size() ? g.subnet_azs[m.subnet_index] : ""},
                         {"state", st == instance_state_.end() ? "running" : st->second}});
    }
    out.push_back({{"name", g.name}, {"member_base", g.member_base}, {"stack", g.stack}, {"members", members}});
  }
  return out;
}

}  // namespace vpclab::emulator
