// `vpclab dns`: one VPC's Amazon-provided resolver on loopback.
//   vpclab dns PATH... --vpc VPC [--listen ADDR:PORT]
// The same engine `vpclab up` runs at the VPC's base+2 (dataplane/dns, the
// answers decided by semantics/vpc_dns from analysis::dns_facts): the VPC's
// private hosted zones, Amazon-provided names, ELB names, then the lab's
// public DNS. Runs until SIGINT/SIGTERM. Exit 0 after a clean stop (or
// --check-only / --records), 1 when the socket cannot be opened, 2 on usage
// errors, bad input, an unknown VPC or a listen address off loopback.
#include <csignal>
#include <iostream>
#include <map>
#include <set>

#include "analysis/dns_view.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "dataplane/dns/server.h"

namespace vpclab::cli {
namespace {

constexpr uint16_t kDefaultPort = 5300;  // unprivileged; 53 is usually the host's own resolver

struct DnsOptions {
  std::vector<std::string> paths;
  std::string vpc;
  std::string listen = "127.0.0.1:" + std::to_string(kDefaultPort);
  bool check_only = false;
  bool records = false;
};

dataplane::DnsServer* g_server = nullptr;

void on_signal(int) {
  if (g_server) g_server->stop();
}

// The VPC named by its logical id, Stack.LogicalId, VPC id or Name tag;
// null with `error` set when none or several match.
const model::Vpc* find_vpc(const model::Network& net, const std::string& key, std::string& error) {
  std::vector<const model::Vpc*> hits;
  for (const auto& v : net.vpcs)
    if (v.id == key || v.origin.logical_id == key || v.origin.display(v.id) == key || (!v.name.empty() && v.name == key))
      hits.push_back(&v);
  if (hits.size() == 1) return hits.front();
  std::string known;
  if (hits.empty())
    for (const auto& v : net.vpcs) known += " " + v.origin.display(v.id) + " (" + v.id + ")";
  else
    for (const auto* v : hits) known += " " + v->origin.display(v->id) + " (" + v->id + ")";
  error = hits.empty() ? "--vpc " + key + ": no such VPC (known:" + (known.empty() ? " none" : known) + ")"
                       : "--vpc " + key + ": ambiguous, give Stack.LogicalId or the VPC id:" + known;
  return nullptr;
}

// ADDR[:PORT] on 127.0.0.0/8: the resolver answers for a network that is
// not there, so it is never offered beyond this machine.
bool parse_listen(const std::string& text, Ipv4Address& addr, uint16_t& port, std::string& error) {
  size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? text : text.substr(0, colon);
  auto a = Ipv4Address::parse(host);
  long p = kDefaultPort;
  if (colon != std::string::npos) {
    std::string digits = text.substr(colon + 1);
    char* end = nullptr;
    p = digits.empty() ? -1 : std::strtol(digits.c_str(), &end, 10);
    if (end && *end) p = -1;
  }
  if (!a || p < 0 || p > 65535) {
    error = "--listen " + text + ": expected ADDRESS:PORT (e.g. 127.0.0.1:" + std::to_string(kDefaultPort) + ")";
    return false;
  }
  if ((a->value >> 24) != 127) {
    error = "--listen " + text + ": not a loopback address (vpclab dns serves on 127.0.0.0/8 only)";
    return false;
  }
  addr = *a;
  port = static_cast<uint16_t>(p);
  return true;
}

// Every name the view answers, as zone-file lines grouped by the hosted zone
// that answers them (what `--records` prints; bench/dns writes its peers'
// zones from it). A CNAME's target is listed under its own name.
void print_records(const semantics::VpcDns& dns, const std::string& vpc) {
  std::set<std::pair<std::string, std::string>> asks;  // (name, type)
  const auto& f = dns.facts();
  for (const auto& z : f.zones)
    for (const auto& r : z.records)
      if (r.name.rfind("*.", 0) != 0) asks.insert({dns::normalize_name(r.name), r.type});
  for (const auto& h : f.hosts) {
    if (!h.private_dns_name.empty()) asks.insert({dns::normalize_name(h.private_dns_name), "A"});
    if (!h.public_dns_name.empty()) asks.insert({dns::normalize_name(h.public_dns_name), "A"});
  }
  for (const auto& lb : f.load_balancers) {
    std::string n = dns::normalize_name(lb.dns_name);
    asks.insert({n, "A"});
    asks.insert({"dualstack." + n, "A"});
  }
  std::map<int, std::vector<std::string>> lines;  // zone index (-1: Amazon-provided, ELB) -> lines
  std::set<std::string> printed;
  for (const auto& [name, type] : asks) {
    auto a = dns.resolve(vpc, name, type, /*with_reason=*/true);
    int zone = -1;
    for (const auto& s : a.steps)
      if (s.rule == semantics::DnsRule::kPrivateZone || s.rule == semantics::DnsRule::kPublicZone) {
        zone = s.zone;
        break;
      }
    for (const auto& r : a.answers) {
      if (r.name != name) continue;
      std::string value = r.type == "CNAME" ? r.value + "." : r.type == "TXT" ? "\"" + r.value + "\"" : r.value;
      std::string line = r.name + ". " + std::to_string(r.ttl) + " IN " + r.type + " " + value;
      if (printed.insert(line).second) lines[zone].push_back(line);
    }
  }
  for (const auto& [zone, ls] : lines) {
    if (zone < 0) {
      std::cout << "; Amazon-provided and load balancer names\n";
    } else {
      const auto& z = f.zones[static_cast<size_t>(zone)];
      std::cout << "; zone " << dns::normalize_name(z.name) << ". (" << (z.is_private ? "private" : "public")
                << " hosted zone" << (z.id.empty() ? "" : " " + z.id) << ")\n";
    }
    for (const auto& l : ls) std::cout << l << "\n";
  }
}

int run_dns(const DnsOptions& o) {
  if (o.paths.empty() || o.vpc.empty()) {
    std::cerr << "vpclab dns: give a template, lab manifest or snapshot PATH and --vpc VPC\n";
    return 2;
  }
  Ipv4Address addr;
  uint16_t port = 0;
  std::string error;
  if (!parse_listen(o.listen, addr, port, error)) {
    std::cerr << "vpclab dns: " << error << "\n";
    return 2;
  }
  auto net = load_or_report(o.paths, "dns");
  if (!net) return 2;
  const model::Vpc* vpc = find_vpc(*net, o.vpc, error);
  if (!vpc) {
    std::cerr << "vpclab dns: " << error << "\n";
    return 2;
  }
  if (o.records) {
    semantics::VpcDns view(analysis::dns_facts(*net));
    print_records(view, vpc->id);
    return 0;
  }
  std::string who = vpc->origin.display(vpc->id) + (vpc->origin.logical_id.empty() ? "" : " (" + vpc->id + ")");
  if (!vpc->enable_dns_support)
    std::cerr << "vpclab dns: " << who << " has EnableDnsSupport false: its resolver answers nothing "
              << "(queries are dropped and time out, as in AWS)\n";
  else if (!vpc->enable_dns_hostnames)
    std::cerr << "vpclab dns: " << who << " has EnableDnsHostnames false: private hosted zones and "
              << "Amazon-provided private names do not resolve (as in AWS)\n";
  dataplane::DnsServer server(std::make_shared<const dataplane::Resolver>(analysis::dns_facts(*net)));
  uint16_t bound = server.listen(vpc->id, addr, port, &error);
  if (bound == 0) {
    std::cerr << "vpclab dns: " << error << "\n";
    return 1;
  }
  std::cerr << "vpclab dns: resolver of " << who << " listening on " << addr.str() << ":" << bound
            << " (UDP and TCP)\n";
  if (o.check_only) return 0;
  g_server = &server;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  server.run();
  g_server = nullptr;
  return 0;
}

}  // namespace

void register_dns(CLI::App& app, Runner& run) {
  auto o = std::make_shared<DnsOptions>();
  auto* cmd = app.add_subcommand("dns", "Run one VPC's Amazon-provided DNS resolver on loopback");
  cmd->add_option("PATH", o->paths, "template(s), lab manifest or snapshot folder");
  cmd->add_option("--vpc", o->vpc, "the VPC whose resolver to serve: logical id, Stack.LogicalId, VPC id or Name tag");
  cmd->add_option("--listen", o->listen,
                  "ADDRESS:PORT on loopback (127.0.0.0/8) for UDP and TCP; port 0 picks one (default 127.0.0.1:" +
                      std::to_string(kDefaultPort) + ")");
  cmd->add_flag("--check-only", o->check_only, "open the sockets, print where, and exit");
  cmd->add_flag("--records", o->records, "print every name the VPC's resolver answers as zone-file lines, and exit");
  cmd->callback([o, &run] { run = [o] { return run_dns(*o); }; });
}

}  // namespace vpclab::cli
