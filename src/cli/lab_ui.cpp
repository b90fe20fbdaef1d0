#include "cli/lab_ui.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "graph/html.h"
#include "graph/picture.h"
#include "vocab/ip.h"

namespace vpclab::cli {

UiPrepared prepare_ui(std::shared_ptr<const model::Network> net, const std::string& spec, const std::string& lab) {
  UiPrepared out;
  auto colon = spec.rfind(':');
  std::string host = colon == std::string::npos ? "" : spec.substr(0, colon);
  std::string port_text = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (host == "localhost") host = "127.0.0.1";
  auto addr = Ipv4Address::parse(host);
  int port = 0;
  for (char c : port_text) port = (c >= '0' && c <= '9' && port < 100000) ? port * 10 + (c - '0') : -1;
  if (!addr || port_text.empty() || port <= 0 || port > 65535) {
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
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(addr->value);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 64) != 0) {
    out.error = "--ui " + spec + ": " + strerror(errno);
    out.exit_code = 1;
    if (fd >= 0) close(fd);
    return out;
  }
  emulator::UiOptions ui;
  ui.listen_fd = fd;
  ui.url = "http://" + addr->str() + ":" + std::to_string(port) + "/";
  ui.page = std::move(page.data);
  // The form's trace: the same picture with the path, computed on the model `up` started from.
  ui.trace = [net](const std::map<std::string, std::string>& q) {
    graph::PictureRequest r;
    r.format = "svg";
    r.trace = true;
    r.from = q.count("from") ? q.at("from") : "";
    r.to = q.count("to") ? q.at("to") : "";
    if (auto p = q.find("port"); p != q.end() && !p->second.empty()) {
      int v = 0;
      for (char c : p->second) v = (c >= '0' && c <= '9' && v <= 65535) ? v * 10 + (c - '0') : 1 << 20;
      if (v > 65535) return nlohmann::json{{"error", "port must be 0-65535"}}.dump();
      r.port = static_cast<uint16_t>(v);
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
