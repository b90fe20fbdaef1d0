// Hidden commands for packaging and shells (not in --help):
//   vpclab gen-docs --man DIR --completion FILE   man pages and bash completion
//   vpclab complete labs                          running labs, one per line
//   vpclab complete ids PATH...                   instance and load balancer logical ids
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/manual.h"
#include "emulator/lab.h"

namespace vpclab::cli {

namespace {

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) {
    std::cerr << "vpclab gen-docs: cannot write " << path.string() << "\n";
    return false;
  }
  return true;
}

int run_gen_docs(const CLI::App& app, const std::string& man_dir, const std::string& completion) {
  if (!man_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(man_dir, ec);
    if (ec) {
      std::cerr << "vpclab gen-docs: cannot create " << man_dir << ": " << ec.message() << "\n";
      return 1;
    }
    if (!write_file(std::filesystem::path(man_dir) / "vpclab.1", main_man_page(app))) return 1;
    for (const auto* c : visible_commands(app)) {
      if (!command_manual(c->get_name())) {
        // A new command must say its exit codes and give an example.
        std::cerr << "vpclab gen-docs: command " << c->get_name() << " has no row in cli/manual.cpp\n";
        return 1;
      }
      if (!write_file(std::filesystem::path(man_dir) / ("vpclab-" + c->get_name() + ".1"), command_man_page(app, *c)))
        return 1;
    }
  }
  if (!completion.empty() && !write_file(completion, bash_completion(app))) return 1;
  return 0;
}

int run_complete_ids(const std::vector<std::string>& paths) {
  if (paths.empty()) return 0;
  auto loaded = load_any(paths);
  if (!loaded.network) return 1;
  std::set<std::string> ids = {"internet"};
  for (const auto& i : loaded.network->instances)
    if (!i.origin.logical_id.empty()) ids.insert(i.origin.logical_id);
  for (const auto& lb : loaded.network->load_balancers)
    if (!lb.origin.logical_id.empty()) ids.insert(lb.origin.logical_id);
  for (const auto& id : ids) std::cout << id << "\n";
  return 0;
}

}  // namespace

void register_docs(CLI::App& app, Runner& run) {
  struct GenDocs {
    std::string man_dir, completion;
  };
  auto g = std::make_shared<GenDocs>();
  auto* gen = app.add_subcommand("gen-docs", "write man pages and bash completion (packaging)");
  gen->group("");
  gen->add_option("--man", g->man_dir, "folder for vpclab.1 and vpclab-COMMAND.1");
  gen->add_option("--completion", g->completion, "file for the bash completion script");
  gen->callback([g, &app, &run] { run = [g, &app] { return run_gen_docs(app, g->man_dir, g->completion); }; });

  auto* complete = app.add_subcommand("complete", "answers for the shell completion script");
  complete->group("");
  complete->require_subcommand(1);
  complete->add_subcommand("labs", "running labs")->callback([&run] {
    run = [] {
      for (const auto& l : emulator::list_labs()) std::cout << l << "\n";
      return 0;
    };
  });
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* ids = complete->add_subcommand("ids", "logical ids of instances and load balancers");
  ids->add_option("PATH", *paths, "templates, a lab manifest or a snapshot folder");
  ids->callback([paths, &run] { run = [paths] { return run_complete_ids(*paths); }; });
}

}  // namespace vpclab::cli
