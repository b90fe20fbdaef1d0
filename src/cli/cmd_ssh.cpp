// `vpclab ssh-key KEYNAME [--lab LAB]`: where a lab's key pair is, for
// `ssh -i` (docs/emulator.md "SSH"). Exit codes: 0 printed, 1 no such lab or
// key pair, 2 usage.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/lab_client.h"
#include "emulator/lab.h"
#include "emulator/ssh.h"

namespace vpclab::cli {
namespace {

struct SshKeyOptions {
  std::string key_name, lab;
};

int run_ssh_key(SshKeyOptions o) {
  if (!pick_lab(o.lab, "ssh-key")) return 1;
  std::string err;
  if (!emulator::lab_status(o.lab, &err)) {
    std::cerr << "vpclab ssh-key: " << err << "\n";
    return 1;
  }
  std::string path = emulator::lab_dir(o.lab) + "/keys/" + emulator::key_file_name(o.key_name);
  // The instances' sshd start scripts create the key pair right after `up`.
  struct stat st {};
  for (int i = 0; i < 20 && stat((path + ".pub").c_str(), &st) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (stat((path + ".pub").c_str(), &st) != 0) {
    std::cerr << "vpclab ssh-key: lab " << o.lab << " has no key pair '" << o.key_name
              << "' (no running instance with that KeyName)\n";
    return 1;
  }
  std::cout << path << "\n";
  return 0;
}

}  // namespace

void register_ssh(CLI::App& app, Runner& run) {
  auto o = std::make_shared<SshKeyOptions>();
  auto* cmd = app.add_subcommand("ssh-key", "Print the path of a lab key pair's private key (for ssh -i)");
  cmd->add_option("KEYNAME", o->key_name, "the instances' KeyName")->required();
  cmd->add_option("--lab", o->lab, "lab name (default: the only running lab)");
  cmd->callback([o, &run] { run = [o] { return run_ssh_key(*o); }; });
}

}  // namespace vpclab::cli
