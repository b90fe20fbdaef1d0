// vpclab: check, trace and run AWS networks written in CloudFormation.
#include <cstdio>

#include "cli/commands.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  CLI::App app{"vpclab: check, trace and run AWS VPC networks from CloudFormation, offline"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("vpclab ") + vpclab::cli::version());
  vpclab::cli::Runner run;
  vpclab::cli::register_check(app, run);
  vpclab::cli::register_trace(app, run);
  vpclab::cli::register_diff(app, run);
  vpclab::cli::register_assert(app, run);
  vpclab::cli::register_fix(app, run);
  vpclab::cli::register_graph(app, run);
  vpclab::cli::register_alb(app, run);
  vpclab::cli::register_nlb(app, run);
  vpclab::cli::register_dns(app, run);
  vpclab::cli::register_lab(app, run);
  vpclab::cli::register_ssh(app, run);
  vpclab::cli::register_logs(app, run);
  vpclab::cli::register_instance(app, run);
  vpclab::cli::register_docs(app, run);  // hidden: man pages, completion
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // Usage errors exit 2 for every command (help and version exit 0).
    return rc == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}
