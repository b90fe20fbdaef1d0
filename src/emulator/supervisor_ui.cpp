// `vpclab up --ui` inside the supervisor: the page's server thread
// (ui_server.h) talks to the control loop over a socket pair, as any
// control client does, so the state it shows is read on the loop's thread.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "emulator/supervisor_impl.h"

namespace vpclab::emulator {
namespace {

// The last `n` lines of a file under the lab directory.
std::vector<std::string> tail_lines(int dirfd, const std::string& rel, size_t n) {
  std::vector<std::string> out;
  int fd = openat(dirfd, rel.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  off_t size = lseek(fd, 0, SEEK_END);
  off_t from = size > 16384 ? size - 16384 : 0;
  std::string text(static_cast<size_t>(size - from), '\0');
  ssize_t got = pread(fd, text.data(), text.size(), from);
  close(fd);
  if (got <= 0) return out;
  text.resize(static_cast<size_t>(got));
  size_t at = 0;
  if (from > 0) {  // a line cut by the window is dropped
    at = text.find('\n');
    if (at == std::string::npos) return out;
    ++at;
  }
  for (size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    if (nl > at) out.push_back(text.substr(at, nl - at));
  if (out.size() > n) out.erase(out.begin(), out.end() - static_cast<long>(n));
  return out;
}

}  // namespace

bool Supervisor::start_ui(std::string* error) {
  if (!args_.ui || args_.ui->listen_fd < 0) return true;
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
    *error = std::string("ui: socketpair: ") + strerror(errno);
    return false;
  }
  conns_[sp[0]] = ControlConn{sp[0], {}, {}, 0};
  ui_ = std::make_unique<UiServer>(*args_.ui, sp[1]);
  if (!ui_->start(error)) return false;
  // `vpclab status` prints where the page is.
  int fd = openat(dirfd_, "ui", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    write_all(fd, args_.ui->url + "\n");
    close(fd);
  }
  return true;
}

json Supervisor::ui_state() {
  json j = {{"ok", true}};
  char now[32];
  time_t t = time(nullptr);
  strftime(now, sizeof now, "%H:%M:%S", localtime(&t));
  j["time"] = now;
  j["instances"] = json::object();
  for (const auto& n : plan_.namespaces) {
    if (n.role != NetnsRole::kEni || n.resource.rfind("i-", 0) != 0 || standby(n.name)) continue;
    auto it = instance_state_.find(n.name);
    j["instances"][n.resource] = it == instance_state_.end() ? "running" : it->second;
  }
  j["targets"] = json::array();
  j["access_log"] = json::array();
  for (const auto& a : lbs_) {
    json d = a->describe(), m = a->metrics();
    auto per_node = a->per_node_health();
    for (const auto& tg : d["target_groups"]) {
      std::string name = tg.value("name", "");
      // The group's counters and its targets' request counts (Engine::metrics_json).
      json tgm = json::object(), requests = json::object();
      if (m.is_object() && m.contains("TargetGroups"))
        for (const auto& g : m["TargetGroups"])
          if (g.value("TargetGroup", "").rfind("targetgroup/" + name + "/", 0) == 0) {
            tgm = g.value("Metrics", json::object());
            for (const auto& x : g.value("Targets", json::array()))
              requests[x.value("Id", "") + ":" + std::to_string(x.value("Port", 0))] = x.value("RequestCount", 0);
          }
      for (const auto& node : per_node_health_json(per_node, tg.value("arn", ""))) {
        for (const auto& th : node.value("TargetHealthDescriptions", json::array())) {
          std::string id = th["Target"].value("Id", "");
          int port = th["Target"].value("Port", 0);
          std::string key = id + ":" + std::to_string(port);
          j["targets"].push_back({{"target", key},
                                  {"instance", id},
                                  {"target_group", name},
                                  {"load_balancer", d.value("name", "")},
                                  {"node", node.value("Address", "")},
                                  {"state", th["TargetHealth"].value("State", "")},
                                  {"reason", th["TargetHealth"].value("Reason", "")},
                                  {"requests", requests.value(key, 0)},
                                  {"group_4xx", tgm.value("HTTPCode_Target_4XX_Count", 0)},
                                  {"group_5xx", tgm.value("HTTPCode_Target_5XX_Count", 0)}});
        }
      }
    }
    for (auto& line : tail_lines(dirfd_, d.value("access_log", ""), 10)) j["access_log"].push_back(line);
  }
  return j;
}

}  // namespace vpclab::emulator
