// A running lab: a supervisor process that is PID 1 of its own PID and mount
// namespaces (and user namespace when not root, or on request). It creates
// the lab's network namespaces on a private tmpfs /run, applies a LabPlan,
// runs the lab's processes and serves a control socket. When it exits or is
// killed (even SIGKILL) the kernel kills every process of the lab and frees
// every network namespace: nothing is left behind.
//
// Control socket: <lab dir>/ctl, newline-delimited JSON; the lab directory is
// /run/vpclab/<lab> for root, else $XDG_RUNTIME_DIR/vpclab/<lab> or
// /tmp/vpclab-<uid>/<lab>. It also holds `pid` (the supervisor's pid as seen
// from the host) and `logs/`.
#pragma once
#include <sys/types.h>

#include <cstdint>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emulator/plan.h"
#include "emulator/ui_server.h"

namespace vpclab::emulator {

enum class UserNamespaceMode {
  kAuto,    // a user namespace only when not root (root keeps module autoloading)
  kAlways,  // also as root: exercises the rootless path
  kNever,
};

struct LabOptions {
  std::string name;
  UserNamespaceMode user_namespace = UserNamespaceMode::kAuto;
  // The lab dies with the thread that started it (foreground mode, tests).
  bool die_with_parent = false;
  // Called with one line per plan step ("[3/12] add routes in vpc-foo").
  std::function<void(const std::string&)> progress;
  // up --ui: the page served on the host's loopback by the supervisor.
  std::optional<UiOptions> ui;
};

struct LabStart {
  bool ok = false;
  std::string error;     // which step failed and why; the lab is gone
  pid_t supervisor = -1; // host pid; a child of the caller
  std::string dir;
};

// Lab names: 1-64 of [A-Za-z0-9_.-], not starting with '.'.
bool valid_lab_name(const std::string& name);
std::string lab_root();
std::string lab_dir(const std::string& name);

// Empty when this process can create labs with `mode`; otherwise what is
// missing (unprivileged user namespaces disabled, ...).
std::string namespace_support_problem(UserNamespaceMode mode = UserNamespaceMode::kAuto);

// Creates the lab and applies `plan`; returns when it is ready or has failed
// (then nothing of it remains). The supervisor keeps running after the
// caller exits unless die_with_parent.
LabStart start_lab(const LabPlan& plan, const LabOptions& opts);

struct NetnsStatus {
  std::string name;
  std::string role;      // "vpc-router", "eni", "internet", "transit-gateway", "other"
  std::string resource;
  unsigned long inode = 0;  // the namespace's nsfs inode
  std::string state;        // instances whose state changed: "stopped", "running", "terminated"
};

struct ProcessStatus {
  std::string name;
  std::string netns;
  int pid = 0;           // inside the lab's PID namespace
  bool running = false;
  int exit_code = -1;    // when not running: exit status, or 128+signal
};

struct LabStatus {
  std::string name;
  pid_t supervisor = -1;  // host pid
  std::vector<NetnsStatus> namespaces;
  std::vector<ProcessStatus> processes;
};

// Whether a lab is there. A dead lab: its directory is present but its
// supervisor is gone (killed with SIGKILL, say): the kernel took its
// processes and namespaces, only the directory (logs, control socket) stays.
enum class LabPresence : uint8_t {
  kAbsent,        // no directory
  kRunning,       // the supervisor answers on the control socket
  kDead,          // directory left behind, supervisor gone
  kNotAnswering,  // supervisor alive but its control socket refuses
};
struct LabPresenceInfo {
  LabPresence presence = LabPresence::kAbsent;
  pid_t supervisor = -1;  // host pid from the lab's `pid` file; -1 when none
  std::string dir;
};
LabPresenceInfo lab_presence(const std::string& name);

// nullopt with `error` set when the lab is not running; for a dead lab the
// error says so and that `vpclab down` removes it (nothing is removed here,
// so its logs stay readable).
std::optional<LabStatus> lab_status(const std::string& name, std::string* error);
// Names of running labs.
std::vector<std::string> list_labs();
// Names of dead labs (see LabPresence).
std::vector<std::string> list_dead_labs();
// Stops the lab and waits until its supervisor is gone (at most ~5 s). A dead
// lab's directory is removed and true returned with `*was_dead` set.
bool stop_lab(const std::string& name, std::string* error, bool* was_dead = nullptr);

// Sends one control-socket request (a JSON object as text, e.g.
// {"op":"target-health","target_group":"foo-web"}) and returns the reply's
// JSON text; nullopt with `error` set when the lab does not answer.
std::optional<std::string> lab_request(const std::string& name, const std::string& request_json,
                                       std::string* error);

// Runs argv inside network namespace `netns` of the lab, as a process of the
// lab (it dies with the lab), with the given descriptors as its stdin,
// stdout and stderr. SIGINT/SIGTERM/SIGHUP received meanwhile are forwarded.
// Returns the exit code (128+signal when killed), or -1 with `error` set.
int lab_exec(const std::string& name, const std::string& netns, const std::vector<std::string>& argv, int in_fd,
             int out_fd, int err_fd, std::string* error);

}  // namespace vpclab::emulator
