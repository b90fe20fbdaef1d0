// Test support: run a command as a user would, capturing output and exit code.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace vpclab::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout (and stderr when merged)
};

// Runs `command` through /bin/sh; stderr is merged into out unless
// `merge_stderr` is false (then it goes to the test's stderr).
inline CommandResult run_command(const std::string& command, bool merge_stderr = true) {
  CommandResult r;
  std::string full = command + (merge_stderr ? " 2>&1" : "");
  FILE* p = popen(full.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// The built tool with arguments, run from the source tree.
inline CommandResult vpclab(const std::string& args, bool merge_stderr = true) {
  return run_command(std::string(VPCLAB_BINARY) + " " + args, merge_stderr);
}

}  // namespace vpclab::testing
