// `vpclab logs` and `vpclab health`: what a running lab's instances and ALBs
// say (docs/emulator.md, "ALB nodes").
//   vpclab logs [--lab LAB] RESOURCE   an instance's UserData output (instance id, logical id or
//                                      Name tag), or an ALB's access log (logical id, name, ARN or DNS name)
//   vpclab health [--lab LAB] TG       `aws elbv2 describe-target-health` for a target group
//                                      (logical id, name or ARN); --per-node: each node's own view
// Exit codes: 0 ok, 1 no such lab or resource, 2 usage.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/lab_client.h"
#include "emulator/lab.h"

namespace vpclab::cli {
namespace {

using json = nlohmann::json;

bool cat(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::cout << f.rdbuf();
  std::cout.flush();
  return true;
}

int run_logs(std::string lab, const std::string& resource) {
  if (!pick_lab(lab, "logs")) return 1;
  std::string dir = emulator::lab_dir(lab);
  std::string instance = lab_target_netns(lab, resource);
  if (instance.rfind("i-", 0) == 0) {
    if (cat(dir + "/logs/" + instance + ".log")) return 0;
    if (!emulator::lab_status(lab, nullptr)) {
      std::cerr << "vpclab logs: lab '" << lab << "' is not running\n";
      return 1;
    }
    std::cerr << "vpclab logs: " << instance << " has no UserData output (no UserData, or it is not running)\n";
    return 1;
  }
  json r = lab_ask(lab, {{"op", "load-balancers"}}, "logs");
  if (r.is_discarded()) return 1;
  std::string known;
  for (const auto& lb : r["load_balancers"]) {
    std::string logical = lb.value("logical_id", ""), name = lb.value("name", "");
    known += " " + (logical.empty() ? name : logical);
    std::string stack = lb.value("stack", "");
    bool stacked = !stack.empty() && !logical.empty() && resource == stack + "." + logical;
    if (resource != logical && resource != name && resource != lb.value("arn", "") &&
        resource != lb.value("dns_name", "") && !stacked)
      continue;
    std::string log = lb.value("access_log", "");
    if (log.empty()) {
      std::cerr << "vpclab logs: " << name << " writes no access log\n";
      return 1;
    }
    if (!cat(log[0] == '/' ? log : dir + "/" + log)) {
      // No request yet: the engine creates the file with its first entry.
    }
    return 0;
  }
  std::cerr << "vpclab logs: no instance or load balancer '" << resource << "' in lab " << lab
            << " (load balancers:" << (known.empty() ? " none" : known) << ")\n";
  return 1;
}

int run_health(std::string lab, const std::string& tg, bool per_node) {
  if (!pick_lab(lab, "health")) return 1;
  json r = lab_ask(lab, {{"op", "target-health"}, {"target_group", tg}}, "health");
  if (r.is_discarded()) return 1;
  json out = {{"TargetHealthDescriptions", r["TargetHealthDescriptions"]}};
  if (per_node) out = {{"TargetGroupArn", r["TargetGroupArn"]}, {"Nodes", r["Nodes"]}};
  std::cout << out.dump(4) << "\n";
  return 0;
}

}  // namespace

std::string lab_load_balancers_json(const std::string& lab) {
  std::string err;
  auto text = emulator::lab_request(lab, json{{"op", "load-balancers"}}.dump(), &err);
  json r = text ? json::parse(*text, nullptr, false) : json();
  if (r.is_discarded() || !r.is_object() || !r.contains("load_balancers")) return "[]";
  return r["load_balancers"].dump();
}

std::string lab_load_balancers_text(const std::string& lab) {
  json lbs = json::parse(lab_load_balancers_json(lab), nullptr, false);
  if (!lbs.is_array() || lbs.empty()) return "";
  std::string o = "load balancers:\n";
  for (const auto& lb : lbs) {
    o += "  " + lb.value("name", "") + "  " + lb.value("dns_name", "") + "\n    nodes:";
    for (const auto& n : lb["nodes"]) o += " " + n.value("address", "") + " (" + n.value("netns", "") + ")";
    o += "\n    listeners:";
    for (const auto& l : lb["listeners"]) o += " " + l.value("protocol", "") + ":" + std::to_string(l.value("port", 0));
    o += "\n";
    for (const auto& g : lb["target_groups"]) {
      o += "    target group " + g.value("name", "") + ":";
      for (const auto& d : g["TargetHealthDescriptions"]) {
        const json& t = d["Target"];
        const json& h = d["TargetHealth"];
        o += " " + t.value("Id", "") + ":" + std::to_string(t.value("Port", 0)) + " " + h.value("State", "");
        if (h.contains("Reason")) o += " (" + h.value("Reason", "") + ")";
        o += ",";
      }
      if (o.back() == ',') o.pop_back();
      o += "\n";
    }
  }
  return o;
}

void register_logs(CLI::App& app, Runner& run) {
  struct Options {
    std::string lab, resource;
    bool per_node = false;
  };
  auto lo = std::make_shared<Options>();
  auto* logs = app.add_subcommand("logs", "Show an instance's UserData output or an ALB's access log");
  logs->add_option("--lab", lo->lab, "lab name (default: the only running lab)");
  logs->add_option("RESOURCE", lo->resource,
                   "instance id, logical id or Name tag; or a load balancer's logical id, name, ARN or DNS name")
      ->required();
  logs->callback([lo, &run] { run = [lo] { return run_logs(lo->lab, lo->resource); }; });

  auto ho = std::make_shared<Options>();
  auto* health = app.add_subcommand("health", "Target health of a target group, as aws elbv2 describe-target-health");
  health->add_option("--lab", ho->lab, "lab name (default: the only running lab)");
  health->add_option("TARGET_GROUP", ho->resource, "target group logical id, name or ARN")->required();
  health->add_flag("--per-node", ho->per_node, "each ALB node's own view instead of the aggregate");
  health->callback([ho, &run] { run = [ho] { return run_health(ho->lab, ho->resource, ho->per_node); }; });
}

}  // namespace vpclab::cli
