// What the lab commands (up/down/status/exec, logs/health, instance, ssh-key)
// share on the client side: which lab, which namespace a user's name for a
// resource means, and one control-socket request.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace vpclab::cli {

// Fills `lab` with the only running lab when it is empty. False (after
// saying why on stderr, prefixed with "vpclab CMD: ") when none or several run.
bool pick_lab(std::string& lab, const char* cmd);

// The namespace a user's name stands for (instance id, logical id, Name
// tag, ENI or VPC id; `internet`), from the lab's targets.json; the name
// itself when unknown.
std::string lab_target_netns(const std::string& lab, const std::string& target);

// One control-socket request. The reply when it says "ok"; otherwise a
// discarded json after printing why ("vpclab CMD: ...").
nlohmann::json lab_ask(const std::string& lab, const nlohmann::json& request, const char* cmd);

}  // namespace vpclab::cli
