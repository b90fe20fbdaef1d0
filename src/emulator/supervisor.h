// Internal to emulator/: the supervisor's entry point and helpers it shares
// with tests. lab.h is the public API.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "emulator/plan.h"
#include "emulator/ui_server.h"

namespace vpclab::emulator {

struct SupervisorArgs {
  std::string dir;        // the lab directory (host path)
  int status_fd = -1;     // progress lines to the starter: "step ...", then "ready" or "error ..."
  bool user_namespace = false;
  bool die_with_parent = false;
  uid_t uid = 0;          // ids outside, mapped to 0 inside a user namespace
  gid_t gid = 0;
  const UiOptions* ui = nullptr;  // up --ui (ui_server.h), or none
};

// Runs in the freshly cloned PID 1; returns its exit code.
int supervisor_main(const LabPlan& plan, const SupervisorArgs& args);

struct CommandResult {
  bool ok = false;
  std::string status;  // "exit status 2"
  std::string output;  // stdout and stderr together
};
// Runs argv (PATH lookup) with `input` on stdin, capturing its output.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {});

// Writes /proc/sys/<key with dots as slashes> inside a lab namespace.
bool write_sysctl(const std::string& netns, const std::string& key, const std::string& value, std::string* error);

}  // namespace vpclab::emulator
