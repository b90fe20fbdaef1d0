#include "cli/lab_client.h"

#include <fstream>
#include <iostream>

#include "emulator/lab.h"

namespace vpclab::cli {

using json = nlohmann::json;

bool pick_lab(std::string& lab, const char* cmd) {
  if (!lab.empty()) return true;
  auto labs = emulator::list_labs();
  if (labs.size() == 1) {
    lab = labs.front();
    return true;
  }
  std::cerr << "vpclab " << cmd << ": "
            << (labs.empty() ? "no lab is running" : "several labs are running; name one with --lab");
  if (labs.empty()) {
    auto dead = emulator::list_dead_labs();
    for (size_t i = 0; i < dead.size(); ++i) std::cerr << (i ? ", " : " (dead: ") << dead[i];
    if (!dead.empty()) std::cerr << "; vpclab down NAME removes a dead lab)";
  }
  std::cerr << "\n";
  return false;
}

std::string lab_target_netns(const std::string& lab, const std::string& target) {
  std::ifstream f(emulator::lab_dir(lab) + "/targets.json");
  json targets = f ? json::parse(f, nullptr, false) : json();
  if (targets.is_object() && targets.contains(target) && targets[target].is_string()) return targets[target];
  // Members an Auto Scaling group launched since (the supervisor names them there).
  std::ifstream g(emulator::lab_dir(lab) + "/auto-scaling.json");
  json launched = g ? json::parse(g, nullptr, false) : json();
  if (launched.is_object() && launched.contains(target) && launched[target].is_string()) return launched[target];
  return target;
}

json lab_ask(const std::string& lab, const json& request, const char* cmd) {
  std::string err;
  auto text = emulator::lab_request(lab, request.dump(), &err);
  if (!text) {
    std::cerr << "vpclab " << cmd << ": " << err << "\n";
    return json(json::value_t::discarded);
  }
  json r = json::parse(*text, nullptr, false);
  if (r.is_discarded() || !r.value("ok", false)) {
    std::cerr << "vpclab " << cmd << ": " << (r.is_discarded() ? "bad answer from the lab" : r.value("error", "failed"))
              << "\n";
    return json(json::value_t::discarded);
  }
  return r;
}

}  // namespace vpclab::cli
