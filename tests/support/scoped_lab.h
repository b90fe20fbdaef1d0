// Test support: a lab brought up with the real binary for one test and taken
// down when the test ends, however it ends.
#pragma once
#include <unistd.h>

#include <string>

#include "process.h"

namespace vpclab::testing {

class ScopedLab {
 public:
  // `tag` makes the name unique among concurrent tests; the pid among runs.
  ScopedLab(const std::string& tag, const std::string& template_path)
      : name_(tag + "-" + std::to_string(getpid())), up_(vpclab("up " + template_path + " --name " + name_)) {}
  ~ScopedLab() { vpclab("down " + name_); }
  ScopedLab(const ScopedLab&) = delete;
  ScopedLab& operator=(const ScopedLab&) = delete;

  const std::string& name() const { return name_; }
  const CommandResult& up() const { return up_; }
  // `vpclab ARGS --lab NAME` for subcommands that take --lab.
  CommandResult run(const std::string& args, bool merge_stderr = true) const {
    return vpclab(args + " --lab " + name_, merge_stderr);
  }
  CommandResult exec(const std::string& target, const std::string& command) const {
    return vpclab("exec --lab " + name_ + " " + target + " -- " + command);
  }

 private:
  std::string name_;
  CommandResult up_;
};

}  // namespace vpclab::testing
