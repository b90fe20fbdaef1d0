#include "cli/manual.h"

#include <sstream>

#include "cli/version.h"

namespace vpclab::cli {

namespace {

// One row per command: what the option tables cannot say. Exit codes are each
// command's contract (README, docs/*.md).
const std::vector<CommandManual> kManual = {
    {"check",
     "0: no errors (warnings and notes may be printed; with --fix-lint, whether or not a fix was printed)\n"
     "1: the network has errors (--fix-lint prints no patch)\n2: usage error or unreadable input",
     "vpclab check examples/scenario/vpclab.yaml\nvpclab check --format sarif stack.yaml > check.sarif\n"
     "vpclab check --fix-lint examples/broken/alb-sg-open-to-world.yaml | git apply",
     "Diagnostics are printed as file:line:col: severity CODE: message, then a summary line. "
     "The lints and their codes are listed in docs/lint.md. --fix-lint prints a unified diff for the lints with a "
     "safe fix (ALB_SG_OPEN_TO_WORLD), verified as vpclab fix verifies its patches, with the report on stderr; "
     "--apply writes it."},
    {"trace",
     "0: every address the destination resolves to is reachable\n1: not reachable, or the name does not resolve\n"
     "2: bad input, a network with errors, or undecidable (UNMODELED_COMPONENT)",
     "vpclab trace examples/scenario/vpclab.yaml --from BarApp --to http://alb.home/",
     "Each hop names the component and the rule that let the packet pass or stopped it; a blocked path ends with "
     "an explanation code (docs/explanation-codes.md). --json is documented in docs/trace-json.md."},
    {"diff",
     "0: no reachability difference (or --fail-on none, or no exposure gained with --fail-on exposure)\n"
     "1: differences\n2: usage or input error",
     "vpclab diff git:origin/main examples/scenario/same-account.yaml --format markdown\n"
     "vpclab diff examples/scenario/same-account.yaml examples/broken/alb-sg-missing-listener-port.yaml",
     "Compares who reaches whom on which ports (as vpclab matrix) and what is exposed (as vpclab exposure) in "
     "both versions; each changed class of flows names the component and rule that decided it in each "
     "version. Resources are matched by logical id. JSON: docs/diff-json.md."},
    {"assert",
     "0: every assertion holds (paths without an expectation are reported, not judged)\n1: some assertion fails\n"
     "2: usage or input error: a malformed policy, or one that names a resource the lab does not hold",
     "vpclab assert examples/scenario/vpclab.yaml examples/scenario/policy.yaml\n"
     "vpclab assert examples/scenario/same-account.yaml examples/scenario/policy.yaml --format junit > assert.xml",
     "Network Access Analyzer scopes (AWS::EC2::NetworkInsightsAccessScope, or AccessScopes in a POLICY file): every "
     "path that matches MatchPaths and no ExcludePaths is a finding. Reachability Analyzer paths "
     "(AWS::EC2::NetworkInsightsPath with the tag vpclab:expect, or Paths with Expect): traced and judged. "
     "Policy shapes and JSON: docs/assert.md."},
    {"fix",
     "0: a verified fix was printed (or written with --apply), or the path is already reachable\n"
     "1: no fix: nothing in the templates can open it, or every change that does opens more than the path\n"
     "2: usage or input error",
     "vpclab fix examples/broken/alb-sg-missing-listener-port.yaml --from BarApp --to http://alb.home/\n"
     "vpclab fix examples/broken/peering-route-one-side.yaml --from BarApp --to http://alb.home/ --apply",
     "The patch is a unified diff on standard output (git apply, patch -p1); the verification (check, trace, and "
     "the newly allowed classes vpclab diff finds) follows on standard error. Security-group rules name the "
     "client's own group where AWS allows it, else its address; never 0.0.0.0/0 unless the source is the internet."},
    {"graph",
     "0: the picture was written (with --trace, whatever the verdict: it is in the legend and on stderr)\n"
     "1: --out cannot be written\n2: usage error, bad input, or Graphviz missing (the Debian package is named)",
     "vpclab graph examples/scenario/vpclab.yaml --out scenario.png\n"
     "vpclab graph examples/scenario/vpclab.yaml --format html --trace --from BarApp --to http://alb.home/ > path.html",
     "Account and Region frames, VPCs with their Availability Zones as columns, subnets (public ones green), "
     "instances, load balancers with their nodes, gateways, peering and transit gateway attachments, private hosted "
     "zones. --trace draws the path: the request leg numbered, the reply leg dashed, each blocking component red "
     "with its explanation code. The html page is one file with no external assets: drag to pan, wheel to zoom, "
     "click a component for its details. Layout by Graphviz (libgvc6)."},
    {"matrix", "0: the matrix was computed\n2: bad input, a network with errors, or --group-by other than vpc, subnet, "
     "security-group",
     "vpclab matrix examples/scenario/vpclab.yaml --port 80,8080\n"
     "vpclab matrix examples/tgw/vpn/vpclab.yaml --group-by vpc --json",
     "Who reaches whom on which ports, both directions checked: instances, load balancers (their listener ports) "
     "and the lab manifest's on-premises networks (on-prem:NAME, as trace names them). --group-by vpc|subnet|"
     "security-group prints one answer per pair of classes of parties that behave alike, with member counts: "
     "instances of one VPC, subnet or security-group set whose route table, NACL, AZ, groups and rule-relevant "
     "addresses agree, across VPCs alike up to their own CIDRs and resources (spokes of one shape); a cell "
     "marked 'in the same VPC' / 'in another VPC' holds for the member pairs of one VPC / of two only "
     "(docs/trace-json.md); every member pair has its class pair's answer."},
    {"exposure", "0: the report was computed\n2: bad input or a network with errors",
     "vpclab exposure examples/scenario/same-account.yaml", ""},
    {"alb",
     "0: stopped cleanly (SIGINT, SIGTERM), or --check-only opened every socket\n1: configuration error or a socket that cannot "
     "be opened\n2: usage error",
     "vpclab alb stack.yaml --lb MyAlb --map WebServer1=127.0.0.1:8081 --map WebServer2=127.0.0.1:8082 \\\n"
     "    --port-offset 8000\n"
     "vpclab alb --config alb.json --workers 2 --access-log \"\"",
     "Runs the load balancer's listeners, rules, target groups and health checks on loopback "
     "(docs/alb-engine.md)."},
    {"nlb",
     "0: stopped cleanly (SIGINT, SIGTERM), or --check-only opened every socket\n1: configuration error (no such "
     "load balancer, not a network one, an unmapped target) or a socket that cannot be opened\n2: usage error",
     "vpclab nlb examples/nlb/nlb.yaml --lb FooInternalNlb --map FooWeb1=127.0.0.1:8081 \\\n"
     "    --map FooWeb2=127.0.0.1:8082 --port-offset 8000",
     "Runs the load balancer's TCP, UDP and TCP_UDP listeners, target groups and health checks on loopback, one "
     "node at --listen-address; prints the metrics when stopped (docs/nlb-engine.md)."},
    {"dns",
     "0: stopped cleanly (SIGINT, SIGTERM), or --check-only opened the sockets, or --records printed\n"
     "1: the address cannot be bound (in use, or port below 1024 without privilege)\n"
     "2: usage error, unreadable input or a network with errors, an unknown or ambiguous --vpc, a --listen "
     "address off loopback",
     "vpclab dns examples/scenario/vpclab.yaml --vpc BarVpc --listen 127.0.0.1:5300 &\n"
     "dig @127.0.0.1 -p 5300 alb.home",
     "Answers as the Amazon-provided resolver of that VPC at its base+2 address in a lab (vpclab up): its "
     "private hosted zones, Amazon-provided hostnames, load balancer names, then the lab's public DNS "
     "(a lab has no internet: other names are NXDOMAIN). With EnableDnsSupport false nothing is answered. "
     "--records prints what the VPC resolves, as zone-file lines."},
    {"up", "0: the lab is up (or, with --foreground, was taken down cleanly)\n1: the lab could not be built; "
           "nothing of it is left\n2: usage error or a network with errors",
     "vpclab up examples/scenario/same-account.yaml --name demo",
     "Needs root, or unprivileged user namespaces for a rootless lab (docs/emulator.md)."},
    {"down", "0: the lab is down\n1: no such lab", "vpclab down demo", ""},
    {"status", "0: the status was printed\n1: no such lab", "vpclab status demo --json", ""},
    {"exec", "the command's own exit status\n125: vpclab could not run it (no such lab or resource)",
     "vpclab exec --lab demo bar-app -- curl -v http://alb.home/", ""},
    {"logs", "0: the log was printed\n1: no such lab, instance or load balancer", "vpclab logs --lab demo foo-web1",
     ""},
    {"health", "0: target health was printed\n1: no such lab or target group", "vpclab health --lab demo foo-web",
     ""},
    {"instance", "0: the instance changed state\n1: no such lab or instance",
     "vpclab instance stop --lab demo foo-web1", ""},
    {"ssh-key", "0: the path was printed\n1: no such lab or key pair",
     "ssh -i \"$(vpclab ssh-key lab-key --lab demo)\" ec2-user@10.2.1.4", ""},
};

// roff: a backslash is \e, a line may not start with . or ', a '-' in an
// option name is \- (a real hyphen-minus, copyable).
std::string roff(const std::string& s) {
  std::string out;
  bool line_start = true;
  for (char c : s) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string header(const std::string& title, const std::string& section_name) {
  std::string upper;
  for (char c : title) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return ".TH " + upper + " 1 \"" + version_date() + "\" \"vpclab " + version() + "\" \"" + section_name + "\"\n";
}

// A flag (add_flag) expects no value.
bool takes_value(const CLI::Option& o) { return o.get_items_expected_max() > 0 && o.get_type_size_max() > 0; }

std::string option_label(const CLI::Option& o) {
  std::string label;
  for (const auto& s : o.get_snames()) label += (label.empty() ? "-" : ", -") + s;
  for (const auto& l : o.get_lnames()) label += (label.empty() ? "--" : ", --") + l;
  if (takes_value(o) && !o.get_lnames().empty()) {
    std::string value;
    for (char c : o.get_lnames().front()) value += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    label += " " + value;  // --port PORT, --health-check-interval HEALTH_CHECK_INTERVAL
  }
  return label;
}

bool is_help(const CLI::Option& o) { return o.get_lnames().size() == 1 && o.get_lnames()[0] == "help"; }

std::vector<const CLI::Option*> flags_of(const CLI::App& cmd) {
  std::vector<const CLI::Option*> out;
  for (const auto* o : cmd.get_options())
    if (!o->get_positional() && !is_help(*o)) out.push_back(o);
  return out;
}

std::vector<const CLI::Option*> positionals_of(const CLI::App& cmd) {
  std::vector<const CLI::Option*> out;
  for (const auto* o : cmd.get_options())
    if (o->get_positional()) out.push_back(o);
  return out;
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const auto* s : const_cast<CLI::App&>(app).get_subcommands({}))
    if (!s->get_group().empty()) out.push_back(s);
  return out;
}

std::string synopsis(const std::string& prefix, const CLI::App& cmd) {
  std::string s = ".B " + roff(prefix) + "\n";
  for (const auto* o : flags_of(cmd))
    s += o->get_required() ? roff(option_label(*o)) + "\n" : "[" + roff(option_label(*o)) + "]\n";
  for (const auto* o : positionals_of(cmd)) {
    std::string n = o->get_name();
    bool many = o->get_items_expected_max() > 1;
    if (n == "CMD") n = "\\-\\- " + n;  // exec: the command follows --
    else n = roff(n);
    s += (o->get_required() ? n : "[" + n + "]") + (many ? " ...\n" : "\n");
  }
  return s;
}

std::string options_section(const CLI::App& cmd) {
  std::string s;
  for (const auto* o : positionals_of(cmd)) s += ".TP\n.B " + roff(o->get_name()) + "\n" + roff(o->get_description()) + "\n";
  for (const auto* o : flags_of(cmd)) s += ".TP\n.B " + roff(option_label(*o)) + "\n" + roff(o->get_description()) + "\n";
  s += ".TP\n.B \\-h, \\-\\-help\nPrint the command's help and exit.\n";
  return s;
}

std::string lines_as_paragraphs(const std::string& text, bool literal) {
  std::string s = literal ? ".nf\n" : "";
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (literal) s += roff(line) + "\n";
    else {
      auto colon = line.find(": ");
      if (colon != std::string::npos && colon < 4) s += ".TP\n.B " + roff(line.substr(0, colon)) + "\n" + roff(line.substr(colon + 2)) + "\n";
      else s += ".PP\n" + roff(line) + "\n";
    }
  }
  return literal ? s + ".fi\n" : s;
}

}  // namespace

const CommandManual* command_manual(const std::string& command) {
  for (const auto& m : kManual)
    if (m.command == command) return &m;
  return nullptr;
}

std::vector<const CLI::App*> visible_commands(const CLI::App& app) { return visible_subcommands(app); }

std::string main_man_page(const CLI::App& app) {
  std::string s = header("vpclab", "vpclab manual");
  s += ".SH NAME\nvpclab \\- check, trace and run AWS VPC networks from CloudFormation, offline\n";
  s += ".SH SYNOPSIS\n.B vpclab\nCOMMAND [OPTIONS] ...\n.br\n.B vpclab \\-\\-version\n";
  s += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n.PP\n";
  s += "vpclab reads CloudFormation templates, lab manifests (vpclab.yaml) and snapshots of deployed accounts "
       "(AWS CLI describe\\-* output), validates them as AWS would, proves reachability hop by hop, and runs the "
       "network in Linux network namespaces.\n";
  s += ".SH COMMANDS\n";
  for (const auto* c : visible_subcommands(app))
    s += ".TP\n.BR vpclab\\-" + roff(c->get_name()) + " (1)\n" + roff(c->get_description()) + "\n";
  s += ".SH OPTIONS\n.TP\n.B \\-\\-version\nPrint the version and exit.\n.TP\n.B \\-h, \\-\\-help\nPrint the "
       "commands and exit.\n";
  s += ".SH EXIT STATUS\nEach command's page lists its exit codes; a usage error exits 2 for every command.\n";
  s += ".SH EXAMPLE\n.nf\nvpclab check examples/scenario/vpclab.yaml\nvpclab trace examples/scenario/vpclab.yaml "
       "\\-\\-from BarApp \\-\\-to http://alb.home/\n.fi\n";
  s += ".SH FILES\n.TP\n.I /usr/share/doc/vpclab/examples\nThe canonical scenario and broken variants of it.\n";
  s += ".SH SEE ALSO\n";
  std::string sep;
  for (const auto* c : visible_subcommands(app)) {
    s += sep + ".BR vpclab\\-" + roff(c->get_name()) + " (1)";
    sep = ",\n";
  }
  return s + "\n";
}

std::string command_man_page(const CLI::App& /*app*/, const CLI::App& cmd) {
  const std::string name = cmd.get_name();
  const CommandManual* m = command_manual(name);
  std::string s = header("vpclab-" + name, "vpclab manual");
  s += ".SH NAME\nvpclab\\-" + roff(name) + " \\- " + roff(cmd.get_description()) + "\n";
  s += ".SH SYNOPSIS\n";
  auto subs = visible_subcommands(cmd);
  if (subs.empty()) {
    s += synopsis("vpclab " + name, cmd);
  } else {
    for (const auto* sub : subs) s += synopsis("vpclab " + name + " " + sub->get_name(), *sub) + ".br\n";
  }
  s += ".SH DESCRIPTION\n" + roff(cmd.get_description()) + ".\n";
  if (m && !m->details.empty()) s += ".PP\n" + roff(m->details) + "\n";
  if (subs.empty()) {
    s += ".SH OPTIONS\n" + options_section(cmd);
  } else {
    s += ".SH COMMANDS\n";
    for (const auto* sub : subs)
      s += ".SS " + roff(sub->get_name()) + "\n" + roff(sub->get_description()) + "\n" + options_section(*sub);
  }
  if (m) {
    s += ".SH EXIT STATUS\n" + lines_as_paragraphs(m->exit_status, false);
    s += ".SH EXAMPLE\n" + lines_as_paragraphs(m->example, true);
  }
  s += ".SH SEE ALSO\n.BR vpclab (1)\n";
  return s;
}

std::string bash_completion(const CLI::App& app) {
  // Per command: its flags, the subcommands (instance), and how to complete
  // a positional (labs or files).
  std::string cmds, cases;
  for (const auto* c : visible_subcommands(app)) {
    cmds += (cmds.empty() ? "" : " ") + c->get_name();
    std::string flags, subs, positional = "files";
    for (const auto* o : flags_of(*c)) flags += (flags.empty() ? "" : " ") + option_label(*o).substr(0, option_label(*o).find(' '));
    for (const auto* sub : visible_subcommands(*c)) {
      subs += (subs.empty() ? "" : " ") + sub->get_name();
      for (const auto* o : flags_of(*sub)) {
        std::string f = option_label(*o).substr(0, option_label(*o).find(' '));
        if (flags.find(f) == std::string::npos) flags += (flags.empty() ? "" : " ") + f;
      }
    }
    auto pos = positionals_of(*c);
    if (!pos.empty() && pos.front()->get_name() == "LAB") positional = "labs";
    else if (pos.empty() || pos.front()->get_name() != "PATH") positional = "none";
    cases += "    " + c->get_name() + ") flags=\"" + flags + " --help\"; subs=\"" + subs + "\"; positional=" +
             positional + " ;;\n";
  }
  std::string s =
      "# bash completion for vpclab(1). Generated from vpclab's own option tables\n"
      "# (vpclab gen-docs) at build time: do not edit.\n"
      "_vpclab() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local cmd=\"\" i flags=\"\" subs=\"\" positional=\"none\" paths=()\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${COMP_WORDS[i]}\" in\n"
      "      --) return 0 ;;  # exec: the command after -- is the user's\n"
      "      -*) ;;\n"
      "      *) if [[ -z $cmd ]]; then cmd=\"${COMP_WORDS[i]}\"; elif [[ -f ${COMP_WORDS[i]} || -d ${COMP_WORDS[i]} ]]; "
      "then paths+=(\"${COMP_WORDS[i]}\"); fi ;;\n"
      "    esac\n"
      "  done\n"
      "  if [[ -z $cmd ]]; then\n"
      "    COMPREPLY=($(compgen -W \"" + cmds + " --help --version\" -- \"$cur\"))\n"
      "    return 0\n"
      "  fi\n"
      "  case \"$cmd\" in\n" + cases +
      "    *) return 0 ;;\n"
      "  esac\n"
      "  case \"$prev\" in\n"
      "    --lab) COMPREPLY=($(compgen -W \"$(vpclab complete labs 2>/dev/null)\" -- \"$cur\")); return 0 ;;\n"
      "    --from|--to) COMPREPLY=($(compgen -W \"$(vpclab complete ids \"${paths[@]}\" 2>/dev/null)\" -- \"$cur\")); "
      "return 0 ;;\n"
      "    --format) COMPREPLY=($(compgen -W \"text json sarif\" -- \"$cur\")); return 0 ;;\n"
      "    --userns) COMPREPLY=($(compgen -W \"auto always never\" -- \"$cur\")); return 0 ;;\n"
      "    --protocol) COMPREPLY=($(compgen -W \"tcp udp icmp\" -- \"$cur\")); return 0 ;;\n"
      "  esac\n"
      "  if [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
      "  elif [[ -n $subs && ! \" ${COMP_WORDS[*]:2:COMP_CWORD-2} \" =~ \" (${subs// /|}) \" ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
      "  elif [[ $positional == labs ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$(vpclab complete labs 2>/dev/null)\" -- \"$cur\"))\n"
      "  elif [[ $positional == files ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "  return 0\n"
      "}\n"
      "complete -o filenames -F _vpclab vpclab\n";
  return s;
}

}  // namespace vpclab::cli
