// Internal to emulator/supervisor*.cpp: the supervisor (PID 1 of a lab) as
// a class whose members are split by concern:
//   supervisor.cpp           run, start of the ALBs, shutdown, entry point
//   supervisor_spawn.cpp     processes: run_command, spawn, start_process
//   supervisor_kernel.cpp    kernel steps: namespaces and mounts, plan steps (ip, sysctl, nft)
//   supervisor_control.cpp   the control socket: loop, requests, status, reaping
//   supervisor_instances.cpp instance lifecycle: stop, start, terminate; Auto Scaling replacements
#pragma once
#include <sys/types.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/dns/server.h"
#include "dataplane/s3/server.h"
#include "emulator/alb_runtime.h"
#include "emulator/nlb_runtime.h"
#include "emulator/publish.h"
#include "emulator/supervisor.h"
#include "emulator/ui_server.h"

namespace vpclab::emulator {

using json = nlohmann::json;

// Small helpers shared by the supervisor's files.
void write_all(int fd, const std::string& s);
bool write_file(const char* path, const std::string& s);
void mkdirs_at(int dirfd, const std::string& rel);
// Loads an nftables script inside `netns` (in-process, libnftables).
bool load_nft(const std::string& netns, const std::string& script, std::string* error);

// A process the supervisor started (plan process or exec session).
struct LabProcess {
  std::string name, netns;
  bool running = true;
  int exit_code = -1;
  int exec_conn = -1;  // for exec sessions: the client's connection
};

// One client of the control socket.
struct ControlConn {
  int fd = -1;
  std::string in;
  std::vector<int> fds;  // received with the request
  pid_t exec_pid = 0;
};

// PID 1 of a lab. Members are defined in the files listed above.
class Supervisor {
 public:
  Supervisor(const LabPlan& plan, const SupervisorArgs& args) : plan_(plan), args_(args) {}
  int run();

 private:
  bool setup(std::string* error);
  bool apply(std::string* error);
  bool start_load_balancers(std::string* error);
  bool start_services(std::string* error);  // the lab's S3 and interface endpoints
  pid_t spawn(const std::string& netns, const std::vector<std::string>& argv, const std::vector<std::string>& env,
              int in, int out, int err, const std::string& cwd_rel, bool cwd_in_lab_dir);
  void loop();
  void reap();
  void handle(ControlConn& c);
  void reply(ControlConn& c, const json& j) { write_all(c.fd, j.dump() + "\n"); }
  json status();
  // up --ui (supervisor_ui.cpp): the page's server, and the state it shows.
  bool start_ui(std::string* error);
  json ui_state();
  void shutdown();
  bool start_process(const ProcessPlan& p, std::string* why);
  json instance_action(const std::string& action, const std::string& netns);
  // Auto Scaling (supervisor_instances.cpp): the group of a terminated
  // member launches a prepared replacement; the reply's "replacement"
  // (null when `netns` is no member).
  struct GroupMember {
    std::string netns;
    size_t subnet_index = 0;
    Ipv4Address address;
    int number = 0;
  };
  struct GroupState {
    std::vector<GroupMember> members;
    std::vector<bool> spare_used;
    int next_number = 1;
  };
  GroupState& group_state(const AutoScalingPlan& g);
  json replace_member(const std::string& netns);
  // A standby replacement not launched yet: no instance, no exec.
  bool standby(const std::string& netns) const;
  void write_group_names();
  json group_status();

  const LabPlan& plan_;
  SupervisorArgs args_;
  int dirfd_ = -1, ctl_ = -1, sigfd_ = -1;
  std::map<pid_t, LabProcess> procs_;
  std::map<std::string, std::string> instance_state_;  // netns -> EC2 state, once changed
  std::map<std::string, GroupState> groups_;            // Auto Scaling group name -> members now
  std::set<std::string> launched_;                      // standby replacements launched
  std::map<int, ControlConn> conns_;
  bool stopping_ = false;
  std::unique_ptr<dataplane::DnsServer> dns_;
  std::thread dns_thread_;
  std::vector<std::unique_ptr<LoadBalancerRuntime>> lbs_;  // ALBs, then NLBs
  std::unique_ptr<dataplane::s3::ServiceServer> services_;
  std::thread services_thread_;
  std::unique_ptr<PublishForwarder> publish_;  // up --publish
  std::unique_ptr<UiServer> ui_;               // up --ui
};

}  // namespace vpclab::emulator
