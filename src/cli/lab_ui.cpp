#include "cli/lab_ui.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "emulator/publish.h"
#include "graph/html.h"
#include "graph/picture.h"
#include "vocab/ip.h"

namespace vpclab::cli {
namespace {

// A port written in decimal, 0-65535 and nothing else.
std::optional<uint16_t> port_of(const std::string& text) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

}  // namespace

UiPrepared prepare_ui(std::shared_ptr<const model::Network> net, const std::string& spec, const std::string& lab) {
  UiPrepared out;
  auto colon = spec.rfind(':');
  std::string host = colon == std::string::npos ? "" : spec.substr(0, colon);
  std::string port_text = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (host == "localhost") host = "127.0.0.1";
  auto addr = Ipv4Address::parse(host);
  auto port = port_of(port_text);
  if (!addr || !port || *port == 0) {
    out.error = "--ui takes ADDR:PORT (default " + std::string(kDefaultUiAddress) + "), got '" + spec + "'";
    out.exit_code = 2;
    return out;
  }
  if ((addr->value >> 24) != 127) {
    out.error = "--ui " + spec + ": the page is served on loopback only (127.0.0.0/8)";
    out.exit_code = 2;
    return out;
  }
  graph::PictureRequest req;
  req.format = "html";
  req.live = true;
  req.title = "vpclab lab " + lab;
  auto page = graph::draw_picture(*net, req);
  if (!page.ok) {
    out.error = "--ui: " + page.error;
    out.exit_code = 2;
    return out;
  }
  std::string err;
  int fd = emulator::open_loopback_listener(*addr, *port, &err);
  if (fd < 0) {
    out.error = "--ui: " + err;
    out.exit_code = 1;
    return out;
  }
  emulator::UiOptions ui;
  ui.listen_fd = fd;
  ui.url = "http://" + addr->str() + ":" + std::to_string(*port) + "/";
  ui.page = std::move(page.data);
  // The form's trace: the same picture with the path, computed on the model `up` started from.
  ui.trace = [net](const std::map<std::string, std::string>& q) {
    graph::PictureRequest r;
    r.format = "svg";
    r.trace = true;
    r.from = q.count("from") ? q.at("from") : "";
    r.to = q.count("to") ? q.at("to") : "";
    if (auto p = q.find("port"); p != q.end() && !p->second.empty()) {
      r.port = port_of(p->second);
      if (!r.port) return nlohmann::json{{"error", "port must be 0-65535"}}.dump();
    }
    auto pic = graph::draw_picture(*net, r);
    if (!pic.ok) return nlohmann::json{{"error", pic.error}}.dump();
    return nlohmann::json{{"svg", graph::svg_element(pic.svg)},
                          {"details", nlohmann::json::parse(graph::details_json(pic.diagram))},
                          {"verdict", pic.verdict}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  out.ui = std::move(ui);
  return out;
}

}  // namespace vpclab::cli
