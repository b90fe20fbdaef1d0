// Each subcommand registers itself on the app and returns through run(): the
// process exit code. Exit codes are part of each command's contract.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace vpclab::cli {

// The action chosen by parsing; set by the subcommand's callback.
using Runner = std::function<int()>;

void register_check(CLI::App& app, Runner& run);
void register_trace(CLI::App& app, Runner& run);     // also matrix, exposure
void register_alb(CLI::App& app, Runner& run);
void register_lab(CLI::App& app, Runner& run);       // up, down, status, exec, logs, health, instance

}  // namespace vpclab::cli
