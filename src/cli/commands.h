// Each subcommand registers itself on the app and returns through run(): the
// process exit code. Exit codes are part of each command's contract.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace vpclab::cli {

// The action chosen by parsing; set by the subcommand's callback.
using Runner = std::function<int()>;

void register_check(CLI::App& app, Runner& run);
void register_trace(CLI::App& app, Runner& run);     // also matrix, exposure
void register_alb(CLI::App& app, Runner& run);
void register_nlb(CLI::App& app, Runner& run);       // nlb: the NLB data plane on loopback (cmd_nlb.cpp)
void register_dns(CLI::App& app, Runner& run);       // dns: one VPC's resolver on loopback (cmd_dns.cpp)
void register_lab(CLI::App& app, Runner& run);       // up, down, status, exec, logs, health, instance
void register_ssh(CLI::App& app, Runner& run);       // ssh-key (cmd_ssh.cpp)
void register_logs(CLI::App& app, Runner& run);      // logs, health (cmd_logs.cpp)
void register_instance(CLI::App& app, Runner& run);  // instance stop|start|terminate
void register_diff(CLI::App& app, Runner& run);      // diff OLD NEW (cmd_diff.cpp)
void register_assert(CLI::App& app, Runner& run);    // assert LAB [POLICY...] (cmd_assert.cpp)
void register_fix(CLI::App& app, Runner& run);       // fix LAB --from --to (cmd_fix.cpp)
void register_graph(CLI::App& app, Runner& run);     // graph LAB (cmd_graph.cpp)
// Hidden (cmd_docs.cpp): `gen-docs` writes the man pages and bash completion
// from the command tree registered above; `complete` answers the completion
// script (running labs, logical ids of a template). Register it last.
void register_docs(CLI::App& app, Runner& run);

// A running lab's ALBs for `vpclab status` (cmd_logs.cpp): a JSON array
// (name, dns_name, nodes, listeners, target_groups with health), or text
// lines ("" when the lab has none).
std::string lab_load_balancers_json(const std::string& lab);
std::string lab_load_balancers_text(const std::string& lab);

}  // namespace vpclab::cli
