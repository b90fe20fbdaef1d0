// `vpclab trace`, `vpclab matrix`, `vpclab exposure`: the static
// reachability analyzer (analysis/analyzer.h) over templates, lab manifests
// or snapshots. trace exits 0 reachable, 1 not reachable, 2 bad input or
// undecidable; matrix and exposure exit 0, or 2 on bad input.
// JSON shapes: docs/trace-json.md.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analysis/analyzer.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/output.h"
#include "cli/trace_output.h"
#include "cli/version.h"

namespace vpclab::cli {
namespace {

using nlohmann::json;

struct TraceCli {
  std::vector<std::string> paths;
  std::string from, to, protocol = "tcp", method = "GET";
  std::optional<int> port;
  std::vector<std::string> headers;
  bool json = false;
};

int run_trace(const TraceCli& o) {
  analysis::TraceOptions opts;
  auto proto = parse_protocol(o.protocol);
  if (!proto || (*proto != kTcp && *proto != kUdp && *proto != kIcmp)) {
    std::cerr << "vpclab trace: --protocol must be tcp, udp or icmp\n";
    return 2;
  }
  opts.protocol = *proto;
  if (o.port) opts.port = static_cast<uint16_t>(*o.port);
  opts.method = o.method;
  for (const auto& h : o.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "vpclab trace: --header must be 'Name: value', got '" << h << "'\n";
      return 2;
    }
    std::string v = h.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    opts.headers.emplace_back(h.substr(0, colon), v);
  }
  auto net = load_or_report(o.paths, "trace");
  if (!net) return 2;
  analysis::Analyzer an(*net);
  auto r = an.trace(o.from, o.to, opts);
  if (!r.ok) {
    if (o.json) std::cout << json{{"error", r.error}}.dump(2) << "\n";
    std::cerr << "vpclab trace: " << r.error << "\n";
    return 2;
  }
  if (o.json) std::cout << with_metadata(trace_json(r)).dump(2) << "\n";
  else print_trace(std::cout, r);
  return r.exit_code();
}

struct MatrixCli {
  std::vector<std::string> paths;
  std::string from, to, port, group_by;
  bool json = false;
};

// "tcp 80,443 udp 53 icmp" (text), or the JSON fields of a cell.
std::string answer_text(const analysis::MatrixAnswer& a) {
  std::string s;
  if (!a.tcp.empty()) s += " tcp " + a.tcp.str();
  if (!a.udp.empty()) s += " udp " + a.udp.str();
  if (a.icmp) s += " icmp";
  return s;
}
std::string answer_json(const analysis::MatrixAnswer& a) {
  return "\"tcp\": " + json(a.tcp.empty() ? "" : a.tcp.str()).dump() + ", \"udp\": " +
         json(a.udp.empty() ? "" : a.udp.str()).dump() + ", \"icmp\": " + (a.icmp ? "true" : "false");
}

// One line per class pair; a whole organisation has millions, so the output
// is written in blocks rather than built as one JSON document.
int print_matrix_by_class(const analysis::GroupedMatrixResult& m, bool as_json) {
  std::string buf;
  auto flush = [&](bool force) {
    if (force || buf.size() > (1u << 20)) {
      std::cout.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  };
  std::vector<std::string> answers;
  if (as_json) {
    json classes = json::array(), rows = json::array(), cols = json::array();
    for (const auto& c : m.classes)
      classes.push_back({{"id", c.id}, {"kind", c.kind}, {"label", c.label}, {"members", c.members},
                         {"count", c.members.size()}, {"member_vpcs", c.member_vpcs}, {"vpcs", c.vpcs}});
    for (auto r : m.rows) rows.push_back(m.classes[r].id);
    for (auto c : m.columns) cols.push_back(m.classes[c].id);
    buf = "{\n\"metadata\": " + json(metadata()).dump() + ",\n\"group_by\": " + json(m.group_by).dump() +
          ",\n\"rows\": " + rows.dump() + ",\n\"columns\": " + cols.dump() + ",\n\"classes\": " + classes.dump(2) +
          ",\n\"cells\": [";
    for (const auto& a : m.answers) answers.push_back(answer_json(a));
    for (size_t i = 0; i < m.cells.size(); ++i) {
      const auto& c = m.cells[i];
      buf += (i ? ",\n  " : "\n  ");
      buf += "{\"from_class\": \"" + m.classes[c.from].id + "\", \"to_class\": \"" + m.classes[c.to].id + "\", ";
      if (c.vpc != analysis::CellScope::kAny) buf += "\"vpc\": \"" + std::string(analysis::cell_scope_name(c.vpc)) + "\", ";
      buf += answers[c.answer] + "}";
      flush(false);
    }
    buf += "\n]}\n";
    flush(true);
    return 0;
  }
  std::vector<std::string> labels, counts;
  for (const auto& c : m.classes) {
    labels.push_back(c.label);
    counts.push_back(" (" + std::to_string(c.members.size()) + (c.members.size() == 1 ? " member)" : " members)"));
  }
  for (const auto& a : m.answers) answers.push_back(answer_text(a));
  // Class pairs with a cell; one with a cell for one VPC and one for two counts once.
  size_t pairs = 0, scoped = 0;
  for (size_t i = 0; i < m.cells.size(); ++i) {
    pairs += i == 0 || m.cells[i].from != m.cells[i - 1].from || m.cells[i].to != m.cells[i - 1].to;
    scoped += m.cells[i].vpc != analysis::CellScope::kAny;
  }
  buf = "reachable class pairs (" + std::to_string(pairs) + " of " + std::to_string(m.rows.size()) + "x" +
        std::to_string(m.columns.size()) + " classes, grouped by " + m.group_by +
        (scoped ? "; " + std::to_string(scoped) + " lines for members in one VPC or in two" : std::string()) + "):\n";
  for (const auto& c : m.cells) {
    const char* where = c.vpc == analysis::CellScope::kSameVpc    ? " in the same VPC"
                        : c.vpc == analysis::CellScope::kOtherVpc ? " in another VPC"
                                                                  : "";
    buf += "  " + labels[c.from] + counts[c.from] + " -> " + labels[c.to] + where + counts[c.to] + ":" +
           answers[c.answer] + "\n";
    flush(false);
  }
  flush(true);
  return 0;
}

int run_matrix(const MatrixCli& o) {
  auto net = load_or_report(o.paths, "matrix");
  if (!net) return 2;
  analysis::Analyzer an(*net);
  if (!o.group_by.empty()) {
    auto g = an.matrix_by_class(o.group_by, o.from, o.to, o.port);
    if (!g.ok) {
      std::cerr << "vpclab matrix: " << g.error << "\n";
      return 2;
    }
    return print_matrix_by_class(g, o.json);
  }
  auto m = an.matrix(o.from, o.to, o.port);
  if (!m.ok) {
    std::cerr << "vpclab matrix: " << m.error << "\n";
    return 2;
  }
  if (o.json) {
    json cells = json::array();
    for (const auto& c : m.cells)
      cells.push_back({{"from", c.from}, {"to", c.to}, {"from_id", c.from_id}, {"to_id", c.to_id},
                       {"tcp", c.tcp.empty() ? "" : c.tcp.str()}, {"udp", c.udp.empty() ? "" : c.udp.str()},
                       {"icmp", c.icmp}});
    std::cout << json{{"metadata", metadata()}, {"rows", m.rows}, {"columns", m.columns}, {"cells", cells}}.dump(2) << "\n";
    return 0;
  }
  size_t w = 4;
  for (const auto& c : m.cells) w = std::max(w, c.from.size());
  std::cout << "reachable pairs (" << m.cells.size() << " of " << m.rows.size() << "x" << m.columns.size() << "):\n";
  for (const auto& c : m.cells) {
    std::cout << "  " << c.from << std::string(w - c.from.size(), ' ') << " -> " << c.to << ":";
    if (!c.tcp.empty()) std::cout << " tcp " << c.tcp.str();
    if (!c.udp.empty()) std::cout << " udp " << c.udp.str();
    if (c.icmp) std::cout << " icmp";
    std::cout << "\n";
  }
  return 0;
}

struct ExposureCli {
  std::vector<std::string> paths;
  bool json = false;
};

int run_exposure(const ExposureCli& o) {
  auto net = load_or_report(o.paths, "exposure");
  if (!net) return 2;
  analysis::Analyzer an(*net);
  auto e = an.exposure();
  if (o.json) {
    json items = json::array();
    for (const auto& i : e.items)
      items.push_back({{"resource", i.resource}, {"id", i.id}, {"kind", i.kind}, {"scope", i.scope},
                       {"address", i.address}, {"protocol", i.protocol}, {"ports", i.ports},
                       {"sources", i.sources}, {"through", i.through}});
    std::cout << json{{"metadata", metadata()}, {"items", items}}.dump(2) << "\n";
    return 0;
  }
  std::cout << "reachable from the internet:\n";
  for (const auto& i : e.items)
    if (i.scope == "internet")
      std::cout << "  " << i.resource << " " << i.address << " " << i.protocol << " " << i.ports << " from "
                << i.sources << " via " << i.through << "\n";
  std::cout << "reachable from outside its VPC:\n";
  for (const auto& i : e.items)
    if (i.scope == "outside-vpc")
      std::cout << "  " << i.resource << " " << i.address << " " << i.protocol << " " << i.ports << " from "
                << i.sources << " via " << i.through << "\n";
  return 0;
}

}  // namespace

void register_trace(CLI::App& app, Runner& run) {
  auto t = std::make_shared<TraceCli>();
  auto* cmd = app.add_subcommand("trace", "Can SRC reach DST? Hop by hop, with DNS, both directions, through ALBs");
  cmd->add_option("PATH", t->paths, "templates, a lab manifest, or a snapshot folder")->required();
  cmd->add_option("--from", t->from, "instance, ENI, subnet, private IP, 'internet', a public IP, or on-prem:NAME (an on_premises network)")->required();
  cmd->add_option("--to", t->to, "URL, host[:port], IP, instance / load balancer (id, ARN, name), internet, or on-prem:NAME")->required();
  cmd->add_option("--port", t->port, "destination port (default: the URL's, else 80)")->check(CLI::Range(0, 65535));
  cmd->add_option("--protocol", t->protocol, "tcp | udp | icmp (default tcp)");
  cmd->add_option("--method", t->method, "HTTP method for ALB rules (default GET)");
  cmd->add_option("--header", t->headers, "request header 'Name: value' for ALB rules (repeatable)");
  cmd->add_flag("--json", t->json, "print the result as JSON (docs/trace-json.md)");
  cmd->callback([t, &run] { run = [t] { return run_trace(*t); }; });

  auto m = std::make_shared<MatrixCli>();
  auto* mc = app.add_subcommand("matrix", "Which instances, ALBs and on-premises networks reach which, on which ports");
  mc->add_option("PATH", m->paths, "templates, a lab manifest, or a snapshot folder")->required();
  mc->add_option("--from", m->from, "comma-separated instances/ALBs/on-prem:NAME (default all)");
  mc->add_option("--to", m->to, "comma-separated instances/ALBs/on-prem:NAME (default all)");
  mc->add_option("--port", m->port, "ports: 22 | 80,443 | 1024-65535 (default all)");
  mc->add_option("--group-by", m->group_by,
                 "vpc | subnet | security-group: one answer per class of parties that behave alike, with member counts")
      ->check(CLI::IsMember({"vpc", "subnet", "security-group"}));
  mc->add_flag("--json", m->json, "print JSON (docs/trace-json.md)");
  mc->callback([m, &run] { run = [m] { return run_matrix(*m); }; });

  auto e = std::make_shared<ExposureCli>();
  auto* ec = app.add_subcommand("exposure", "Everything reachable from the internet or from outside its VPC");
  ec->add_option("PATH", e->paths, "templates, a lab manifest, or a snapshot folder")->required();
  ec->add_flag("--json", e->json, "print JSON");
  ec->callback([e, &run] { run = [e] { return run_exposure(*e); }; });
}

}  // namespace vpclab::cli
