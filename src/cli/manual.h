// Man pages and bash completion written from the command tree the commands
// register (their option tables), so neither can drift from what parses.
// What the tree does not hold (exit codes, an example, prose) is in one
// table, manual.cpp, one row per command.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace vpclab::cli {

struct CommandManual {
  std::string command;      // "trace", "instance"
  std::string exit_status;  // roff-free text, one "N: meaning" per line
  std::string example;      // shell lines
  std::string details;      // optional paragraph for DESCRIPTION
};

// The table's row for a top-level command, null if it has none.
const CommandManual* command_manual(const std::string& command);

// The visible top-level commands, in registration order.
std::vector<const CLI::App*> visible_commands(const CLI::App& app);

// vpclab(1) and vpclab-COMMAND(1) as roff text.
std::string main_man_page(const CLI::App& app);
std::string command_man_page(const CLI::App& app, const CLI::App& command);

// A bash completion script for the whole tree; lab names and logical ids
// come from `vpclab complete labs|ids PATH...` at completion time.
std::string bash_completion(const CLI::App& app);

}  // namespace vpclab::cli
