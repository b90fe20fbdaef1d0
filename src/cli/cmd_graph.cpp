// `vpclab graph LAB [--format svg|png|dot|html] [--out FILE]
//  [--trace --from X --to Y [--port P]]`: the network's architecture
// diagram (graph/picture.h), with a traced path drawn on it. Exits 0 when
// the picture was written (whatever the trace's verdict: it is in the
// picture's legend and on stderr), 1 when --out cannot be written, 2 on a
// usage error, bad input, or a missing Debian package (named).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/load.h"
#include "graph/picture.h"

namespace vpclab::cli {
namespace {

struct GraphCli {
  std::vector<std::string> paths;
  std::string format, out, from, to;
  std::optional<int> port;
  bool trace = false;
};

// --format, else the --out file's extension, else svg.
std::string format_of(const GraphCli& o) {
  if (!o.format.empty()) return o.format;
  std::string ext = std::filesystem::path(o.out).extension().string();
  if (ext == ".gv") return "dot";
  if (ext == ".htm") return "html";
  if (ext.size() > 1 && graph::known_format(ext.substr(1))) return ext.substr(1);
  return "svg";
}

int run_graph(const GraphCli& o) {
  graph::PictureRequest req;
  req.format = format_of(o);
  if (!graph::known_format(req.format)) {
    std::cerr << "vpclab graph: --format must be svg, png, dot or html, got '" << req.format << "'\n";
    return 2;
  }
  if (!o.trace && (!o.from.empty() || !o.to.empty() || o.port)) {
    std::cerr << "vpclab graph: --from, --to and --port need --trace\n";
    return 2;
  }
  if (o.trace && (o.from.empty() || o.to.empty())) {
    std::cerr << "vpclab graph: --trace needs --from and --to\n";
    return 2;
  }
  auto net = load_or_report(o.paths, "graph");
  if (!net) return 2;
  req.trace = o.trace;
  req.from = o.from;
  req.to = o.to;
  if (o.port) req.port = static_cast<uint16_t>(*o.port);
  req.title = "vpclab: " + std::filesystem::path(o.paths.front()).filename().string();
  auto pic = graph::draw_picture(*net, req);
  if (!pic.ok) {
    std::cerr << "vpclab graph: " << pic.error << "\n";
    return 2;
  }
  if (!pic.verdict.empty()) std::cerr << pic.verdict << "\n";
  if (o.out.empty() || o.out == "-") {
    std::cout.write(pic.data.data(), static_cast<std::streamsize>(pic.data.size()));
    return std::cout.flush() ? 0 : 1;
  }
  // Written whole or not at all: a temporary file renamed into place.
  std::string tmp = o.out + ".vpclab-tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(pic.data.data(), static_cast<std::streamsize>(pic.data.size()));
    if (!f.flush()) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      std::cerr << "vpclab graph: cannot write " << o.out << "\n";
      return 1;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, o.out, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    std::cerr << "vpclab graph: cannot write " << o.out << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void register_graph(CLI::App& app, Runner& run) {
  auto g = std::make_shared<GraphCli>();
  auto* cmd = app.add_subcommand("graph", "The network's architecture diagram, with a traced path drawn on it");
  cmd->add_option("PATH", g->paths, "templates, a lab manifest, or a snapshot folder")->required();
  cmd->add_option("--format", g->format, "svg | png | dot | html (default: --out's extension, else svg)");
  cmd->add_option("--out", g->out, "the file to write (default standard output)");
  cmd->add_flag("--trace", g->trace, "draw the path from --from to --to (as vpclab trace finds it)");
  cmd->add_option("--from", g->from, "with --trace: the source, as vpclab trace --from");
  cmd->add_option("--to", g->to, "with --trace: the destination, as vpclab trace --to");
  cmd->add_option("--port", g->port, "with --trace: destination port")->check(CLI::Range(0, 65535));
  cmd->callback([g, &run] { run = [g] { return run_graph(*g); }; });
}

}  // namespace vpclab::cli
