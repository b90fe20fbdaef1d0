// `vpclab instance stop|start|terminate ID [--lab LAB]`: EC2 state changes in
// a running lab (docs/emulator.md, "Instance lifecycle"). ID: instance id,
// logical id or Name tag. Prints the change as `aws ec2 stop-instances`
// does (InstanceId, PreviousState, CurrentState); terminating a member of an
// Auto Scaling group says on stderr which instance the group launched in its
// place (GROUP/k, address, AZ). Exit codes: 0 done, 1 no
// such lab/instance or the change failed, 2 usage.
#include <iostream>

#include "cli/commands.h"
#include "cli/lab_client.h"

namespace vpclab::cli {
namespace {

using json = nlohmann::json;

int run_instance(const std::string& action, std::string lab, const std::string& id) {
  if (!pick_lab(lab, "instance")) return 1;
  json r = lab_ask(lab, {{"op", "instance"}, {"action", action}, {"netns", lab_target_netns(lab, id)}}, "instance");
  if (r.is_discarded()) return 1;
  std::string key = action == "stop" ? "StoppingInstances" : action == "start" ? "StartingInstances" : "TerminatingInstances";
  json out = {{key,
               json::array({{{"InstanceId", r.value("instance", id)},
                             {"PreviousState", {{"Name", r.value("previous_state", "")}}},
                             {"CurrentState", {{"Name", r.value("current_state", "")}}}}})}};
  std::cout << out.dump(4) << "\n";
  // A member of an Auto Scaling group: what the group launched in its place.
  if (const json& rep = r.contains("replacement") ? r["replacement"] : json(); rep.is_object()) {
    if (rep.contains("error"))
      std::cerr << "Auto Scaling group " << rep.value("group", "") << ": " << rep.value("error", "") << "\n";
    else
      std::cerr << "Auto Scaling group " << rep.value("group", "") << " launched " << rep.value("instance", "") << " ("
                << rep.value("name", "") << ", " << rep.value("address", "") << ", " << rep.value("availability_zone", "")
                << ") to replace it; registered in its target groups\n";
  }
  return 0;
}

}  // namespace

void register_instance(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("instance", "Stop, start or terminate an instance of a running lab");
  cmd->require_subcommand(1);
  for (const char* action : {"stop", "start", "terminate"}) {
    auto lab = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto* sub = cmd->add_subcommand(action, std::string("EC2 ") + action + " (private IPs kept on stop/start, released on terminate)");
    sub->add_option("ID", *id, "instance id, logical id or Name tag")->required();
    sub->add_option("--lab", *lab, "lab name (default: the only running lab)");
    std::string a = action;
    sub->callback([&run, a, lab, id] { run = [a, lab, id] { return run_instance(a, *lab, *id); }; });
  }
}

}  // namespace vpclab::cli
