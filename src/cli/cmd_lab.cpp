// `vpclab up|down|status|exec`: labs in network namespaces (docs/emulator.md).
// Exit codes: up/down/status 0 ok, 1 failure (input errors, lab failed or not
// running), 2 usage; exec passes the command's exit code through and uses
// 125 for its own errors (no such lab or target).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/lab_client.h"
#include "cli/lab_ui.h"
#include "cli/load.h"
#include "cli/output.h"
#include "emulator/compile.h"
#include "emulator/lab.h"
#include "emulator/publish.h"

namespace vpclab::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int kExecError = 125;

// The default lab name: the template's file name, or a manifest's folder.
std::string default_name(const std::vector<std::string>& paths) {
  fs::path p = fs::absolute(paths.front()).lexically_normal();
  std::string stem = p.stem().string();
  if (stem == "vpclab" && p.has_parent_path()) stem = p.parent_path().filename().string();
  std::string out;
  for (char c : stem) out += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '-';
  return out.empty() ? "lab" : out;
}

std::atomic<int> g_signal{0};

// What `status` shows of the network besides namespaces: saved at `up` as
// resources.json in the lab directory (the model is not kept running).
// The supervisor's Auto Scaling groups with their members now ([] when none).
json lab_auto_scaling_groups(const std::string& lab) {
  std::string err;
  auto text = emulator::lab_request(lab, json{{"op", "status"}}.dump(), &err);
  json j = text ? json::parse(*text, nullptr, false) : json();
  return j.is_object() && j.contains("auto_scaling_groups") ? j["auto_scaling_groups"] : json::array();
}

json network_resources(const model::Network& net) {
  json j = {{"vpcs", json::array()},     {"subnets", json::array()},
            {"instances", json::array()}, {"peerings", json::array()},
            {"transit_gateway_attachments", json::array()}};
  for (const auto& v : net.vpcs) {
    json cidrs = json::array();
    for (const auto& c : v.cidrs) cidrs.push_back(c.str());
    j["vpcs"].push_back({{"id", v.id}, {"name", v.name}, {"cidrs", cidrs}, {"dns_support", v.enable_dns_support},
                         {"dns_hostnames", v.enable_dns_hostnames}});
  }
  for (const auto& s : net.subnets)
    j["subnets"].push_back({{"id", s.id}, {"name", s.name}, {"vpc", s.vpc}, {"cidr", s.cidr.str()},
                            {"availability_zone", s.availability_zone}, {"route_table", s.route_table}});
  for (const auto& i : net.instances) {
    const char* state = i.state == model::InstanceState::kRunning ? "running"
                        : i.state == model::InstanceState::kStopped ? "stopped"
                                                                    : "terminated";
    j["instances"].push_back({{"id", i.id}, {"logical_id", i.origin.logical_id}, {"name", i.name}, {"subnet", i.subnet},
                              {"private_ip", i.private_ip.str()}, {"public_ip", i.public_ip ? i.public_ip->str() : ""},
                              {"private_dns_name", i.private_dns_name}, {"public_dns_name", i.public_dns_name},
                              {"key_name", i.key_name}, {"state", state}});
  }
  for (const auto& pc : net.peerings)
    j["peerings"].push_back({{"id", pc.id}, {"requester_vpc", pc.requester.vpc}, {"accepter_vpc", pc.accepter.vpc},
                             {"state", model::peering_state_name(pc.state)}});
  for (const auto& a : net.transit_gateway_attachments)
    j["transit_gateway_attachments"].push_back({{"id", a.id},
                                                {"name", a.name},
                                                {"transit_gateway", a.transit_gateway},
                                                {"resource_type", a.resource_type},
                                                {"resource_id", a.resource_id},
                                                {"subnets", a.subnets},
                                                {"route_table", a.route_table},
                                                {"state", a.state}});
  return j;
}

struct UpOptions {
  std::vector<std::string> paths;
  std::string name;
  bool foreground = false;
  std::string userns = "auto";
  std::vector<std::string> publish;  // HOSTPORT=TARGET:PORT
  std::optional<std::string> ui;     // --ui [ADDR:PORT]
};

int run_up(const UpOptions& o) {
  for (const auto& p : o.paths)
    if (!fs::exists(p)) {
      std::cerr << "vpclab up: " << p << ": no such file\n";
      return 2;
    }
  auto loaded = load_any(o.paths);
  loaded.diags.sort();
  if (!loaded.network || loaded.diags.has_errors()) {
    print_diagnostics(std::cerr, loaded.diags);
    std::cerr << "vpclab up: not starting a lab from a network AWS would reject\n";
    return 1;
  }
  auto compiled = emulator::compile_network(*loaded.network);
  for (const auto& u : compiled.unsupported) std::cerr << "note: not emulated yet: " << u << "\n";
  // --publish: listen on the host before the lab starts (emulator/publish.h).
  struct ClosePublished {
    std::vector<emulator::PublishPlan>& v;
    ~ClosePublished() {
      for (auto& p : v) close(p.listen_fd);
    }
  } close_published{compiled.plan.publish};
  for (const auto& spec : o.publish) {
    std::string err;
    auto pp = emulator::publish_plan(*loaded.network, spec, &err);
    if (pp) pp->listen_fd = emulator::open_publish_listener(pp->host_port, &err);
    if (!pp || pp->listen_fd < 0) {
      std::cerr << "vpclab up: " << err << "\n";
      return 1;
    }
    compiled.plan.publish.push_back(*pp);
  }

  emulator::LabOptions lo;
  lo.name = o.name.empty() ? default_name(o.paths) : o.name;
  // --ui: the page is drawn and its port taken before the lab starts.
  struct CloseUi {
    emulator::LabOptions& lo;
    ~CloseUi() {
      if (lo.ui) close(lo.ui->listen_fd);
    }
  } close_ui{lo};
  if (o.ui) {
    auto prepared = prepare_ui(loaded.network, o.ui->empty() ? kDefaultUiAddress : *o.ui, lo.name);
    if (!prepared.ui) {
      std::cerr << "vpclab up: " << prepared.error << "\n";
      return prepared.exit_code;
    }
    lo.ui = std::move(prepared.ui);
  }
  lo.user_namespace = o.userns == "always" ? emulator::UserNamespaceMode::kAlways
                      : o.userns == "never" ? emulator::UserNamespaceMode::kNever
                                            : emulator::UserNamespaceMode::kAuto;
  lo.die_with_parent = o.foreground;
  bool tty = isatty(2);
  lo.progress = [tty](const std::string& line) {
    if (tty) std::cerr << "\r\033[K" << line << std::flush;
    else std::cerr << line << "\n";
  };
  std::string why = emulator::namespace_support_problem(lo.user_namespace);
  if (!why.empty()) {
    std::cerr << "vpclab up: " << why << "\n";
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  emulator::LabStart s = emulator::start_lab(compiled.plan, lo);
  if (tty) std::cerr << "\r\033[K";
  if (!s.ok) {
    std::cerr << "vpclab up: " << s.error << "\n";
    return 1;
  }
  {
    json targets = compiled.targets;
    std::ofstream(s.dir + "/targets.json") << targets.dump(2) << "\n";
    std::ofstream(s.dir + "/resources.json") << network_resources(*loaded.network).dump(2) << "\n";
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "lab " << lo.name << " is up in " << std::fixed << std::setprecision(2) << secs << " s: "
            << compiled.plan.namespaces.size() << " namespaces, " << compiled.plan.processes.size()
            << " processes\n";
  for (size_t i = 0; i < o.publish.size(); ++i)
    std::cout << "  published: 127.0.0.1:" << o.publish[i].substr(0, o.publish[i].find('=')) << " -> "
              << o.publish[i].substr(o.publish[i].find('=') + 1) << " (from the internet)\n";
  if (lo.ui) std::cout << "  page: " << lo.ui->url << "   (vpclab status " << lo.name << ")\n";
  std::cout << "  vpclab exec --lab " << lo.name << " TARGET -- CMD...   (TARGET: instance id, logical id or Name)\n";
  std::cout << "  vpclab down " << lo.name << "\n";
  std::cout << lab_load_balancers_text(lo.name);  // DNS names, nodes, first health checks
  if (!o.foreground) return 0;

  // Foreground: the lab lives until Ctrl-C (or the supervisor ends).
  struct sigaction sa {};
  sa.sa_handler = [](int sig) { g_signal = sig; };
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  while (true) {
    if (g_signal) {
      std::string err;
      emulator::stop_lab(lo.name, &err);
      std::cout << "lab " << lo.name << " is down\n";
      return 0;
    }
    int st = 0;
    if (waitpid(s.supervisor, &st, WNOHANG) == s.supervisor) {
      std::cerr << "vpclab up: the lab supervisor ended\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int run_down(std::string name) {
  // No name, nothing running, one dead lab: that is the one to clean up.
  if (name.empty() && emulator::list_labs().empty()) {
    auto dead = emulator::list_dead_labs();
    if (dead.size() == 1) name = dead.front();
  }
  if (!pick_lab(name, "down")) return 1;
  std::string err;
  bool was_dead = false;
  if (!emulator::stop_lab(name, &err, &was_dead)) {
    std::cerr << "vpclab down: " << err << "\n";
    return 1;
  }
  // A dead lab is down too once its directory is gone: exit 0, saying what happened.
  if (was_dead) std::cout << err << "\n";
  else std::cout << "lab " << name << " is down\n";
  return 0;
}

int run_status(std::string name, bool as_json) {
  if (name.empty()) {
    auto labs = emulator::list_labs();
    if (labs.size() != 1) {
      if (as_json) {
        std::cout << json(labs).dump(2) << "\n";
        return 0;
      }
      if (labs.empty()) std::cout << "no lab is running\n";
      for (const auto& l : labs) std::cout << l << "\n";
      for (const auto& l : emulator::list_dead_labs())
        std::cout << l << "  (dead: its supervisor is gone; vpclab down " << l << " removes it)\n";
      return 0;
    }
    name = labs.front();
  }
  std::string err;
  auto st = emulator::lab_status(name, &err);
  if (!st) {
    // A dead lab is reported, not removed: its logs stay until `vpclab down`.
    auto info = emulator::lab_presence(name);
    if (as_json && info.presence == emulator::LabPresence::kDead)
      std::cout << json{{"name", name}, {"state", "dead"}, {"supervisor_pid", info.supervisor}, {"dir", info.dir}}.dump(2)
                << "\n";
    std::cerr << "vpclab status: " << err << "\n";
    return 1;
  }
  // The network as `up` saw it, with each instance's current state.
  std::ifstream rf(emulator::lab_dir(st->name) + "/resources.json");
  json res = rf ? json::parse(rf, nullptr, false) : json();
  if (!res.is_object()) res = json::object();
  if (res.contains("instances"))
    for (auto& i : res["instances"])
      for (const auto& n : st->namespaces)
        if (n.resource == i.value("id", "") && !n.state.empty()) i["state"] = n.state;
  std::string ui_url;  // up --ui: where the page is
  if (std::ifstream uf(emulator::lab_dir(st->name) + "/ui"); uf) std::getline(uf, ui_url);
  if (as_json) {
    json j = {{"name", st->name}, {"supervisor_pid", st->supervisor}};
    if (!ui_url.empty()) j["ui"] = ui_url;
    for (const char* k : {"vpcs", "subnets", "instances", "peerings", "transit_gateway_attachments"})
      j[k] = res.value(k, json::array());
    j["namespaces"] = json::array();
    for (const auto& n : st->namespaces) {
      j["namespaces"].push_back({{"name", n.name}, {"role", n.role}, {"resource", n.resource}});
      if (!n.state.empty()) j["namespaces"].back()["state"] = n.state;
    }
    j["processes"] = json::array();
    for (const auto& p : st->processes)
      j["processes"].push_back({{"name", p.name}, {"namespace", p.netns}, {"pid", p.pid},
                                {"state", p.running ? "running" : "exited"}, {"exit_code", p.exit_code}});
    j["load_balancers"] = json::parse(lab_load_balancers_json(st->name), nullptr, false);
    j["auto_scaling_groups"] = lab_auto_scaling_groups(st->name);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "lab " << st->name << " (supervisor pid " << st->supervisor << ")\n";
  if (!ui_url.empty()) std::cout << "page: " << ui_url << "\n";
  auto str = [](const json& o, const char* k) { return o.value(k, std::string()); };
  if (!res.value("vpcs", json::array()).empty()) std::cout << "VPCs:\n";
  for (const auto& v : res.value("vpcs", json::array())) {
    std::cout << "  " << str(v, "id") << "  " << str(v, "name");
    for (const auto& c : v["cidrs"]) std::cout << "  " << c.get<std::string>();
    std::cout << "\n";
  }
  if (!res.value("subnets", json::array()).empty()) std::cout << "subnets:\n";
  for (const auto& sn : res.value("subnets", json::array()))
    std::cout << "  " << str(sn, "id") << "  " << str(sn, "name") << "  " << str(sn, "cidr") << "  "
              << str(sn, "availability_zone") << "  in " << str(sn, "vpc") << "\n";
  if (!res.value("instances", json::array()).empty()) std::cout << "instances:\n";
  for (const auto& i : res.value("instances", json::array()))
    std::cout << "  " << str(i, "id") << "  " << str(i, "name") << "  " << str(i, "private_ip")
              << (str(i, "public_ip").empty() ? "" : "  public " + str(i, "public_ip")) << "  " << str(i, "state") << "\n";
  if (!res.value("peerings", json::array()).empty()) std::cout << "peering connections:\n";
  for (const auto& pc : res.value("peerings", json::array()))
    std::cout << "  " << str(pc, "id") << "  " << str(pc, "requester_vpc") << " -> " << str(pc, "accepter_vpc") << "  "
              << str(pc, "state") << "\n";
  if (!res.value("transit_gateway_attachments", json::array()).empty()) std::cout << "transit gateway attachments:\n";
  for (const auto& a : res.value("transit_gateway_attachments", json::array()))
    std::cout << "  " << str(a, "id") << "  " << str(a, "name") << "  " << str(a, "resource_id") << " -> "
              << str(a, "transit_gateway") << "  route table " << (str(a, "route_table").empty() ? "(none)" : str(a, "route_table"))
              << "  " << str(a, "state") << "\n";
  std::cout << "namespaces:\n";
  for (const auto& n : st->namespaces)
    std::cout << "  " << n.role << "  " << n.name << (n.state.empty() ? "" : "  (" + n.state + ")") << "\n";
  if (!st->processes.empty()) std::cout << "processes:\n";
  for (const auto& p : st->processes)
    std::cout << "  " << p.name << "  in " << p.netns << "  "
              << (p.running ? "running" : "exited " + std::to_string(p.exit_code)) << "\n";
  json groups = lab_auto_scaling_groups(st->name);
  if (!groups.empty()) std::cout << "Auto Scaling groups:\n";
  for (const auto& g : groups) {
    std::cout << "  " << str(g, "name") << "\n";
    for (const auto& m : g.value("members", json::array()))
      std::cout << "    " << str(m, "name") << "  " << str(m, "instance") << "  " << str(m, "address") << "  "
                << str(m, "availability_zone") << "  " << str(m, "state") << "\n";
  }
  std::cout << lab_load_balancers_text(st->name);
  return 0;
}

int run_exec(std::string lab, const std::string& target, const std::vector<std::string>& argv) {
  if (!pick_lab(lab, "exec")) return kExecError;
  if (argv.empty()) {
    std::cerr << "vpclab exec: no command (vpclab exec TARGET -- CMD...)\n";
    return kExecError;
  }
  std::string netns = lab_target_netns(lab, target);
  std::string err;
  int rc = emulator::lab_exec(lab, netns, argv, 0, 1, 2, &err);
  if (rc < 0) {
    std::cerr << "vpclab exec: " << err << "\n";
    return kExecError;
  }
  return rc;
}

}  // namespace

void register_lab(CLI::App& app, Runner& run) {
  auto up = std::make_shared<UpOptions>();
  auto* cmd = app.add_subcommand("up", "Build the network for real in Linux namespaces");
  cmd->add_option("PATH", up->paths, "template (YAML/JSON) or lab manifest (vpclab.yaml)")->required();
  cmd->add_option("--name", up->name, "lab name (default: the template or manifest name)");
  cmd->add_flag("--foreground", up->foreground, "stay attached; Ctrl-C takes the lab down");
  cmd->add_option("--publish", up->publish,
                  "HOSTPORT=TARGET:PORT: 127.0.0.1:HOSTPORT forwards to TARGET (public IP, instance, internet-facing "
                  "ALB) from the internet (repeatable)");
  cmd->add_option_function<std::vector<std::string>>(
         "--ui", [up](const std::vector<std::string>& v) { up->ui = v.empty() ? "" : v.front(); },
         "ADDR:PORT (default 127.0.0.1:8080, loopback only): a live page of the lab (the picture, instance states, "
         "target health, requests, access logs, a trace form)")
      ->expected(0, 1);
  cmd->add_option("--userns", up->userns, "user namespace: auto (when not root) | always | never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([up, &run] { run = [up] { return run_up(*up); }; });

  auto down_name = std::make_shared<std::string>();
  auto* down = app.add_subcommand("down", "Stop a lab; nothing of it remains");
  down->add_option("LAB", *down_name, "lab name (default: the only running lab)");
  down->callback([down_name, &run] { run = [down_name] { return run_down(*down_name); }; });

  auto st_name = std::make_shared<std::string>();
  auto st_json = std::make_shared<bool>(false);
  auto* status = app.add_subcommand("status", "Show a lab's namespaces and processes (or list labs)");
  status->add_option("LAB", *st_name, "lab name (default: the only running lab)");
  status->add_flag("--json", *st_json, "print JSON");
  status->callback([st_name, st_json, &run] { run = [st_name, st_json] { return run_status(*st_name, *st_json); }; });

  struct ExecOptions {
    std::string lab, target;
    std::vector<std::string> argv;
  };
  auto ex = std::make_shared<ExecOptions>();
  auto* exec = app.add_subcommand("exec", "Run a command inside a lab resource (instance id, logical id, Name)");
  exec->add_option("--lab", ex->lab, "lab name (default: the only running lab)");
  exec->add_option("TARGET", ex->target, "instance id, logical id or Name tag, or a namespace name")->required();
  exec->add_option("CMD", ex->argv, "command and arguments, after --")->required();
  exec->prefix_command(false);
  exec->callback([ex, &run] { run = [ex] { return run_exec(ex->lab, ex->target, ex->argv); }; });
}

}  // namespace vpclab::cli
