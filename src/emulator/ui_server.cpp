#include "emulator/ui_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "dataplane/http/parser.h"

namespace vpclab::emulator {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      *out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      int h = hex(in[i + 1]), l = hex(in[i + 2]);
      if (h < 0 || l < 0) return false;
      *out += static_cast<char>(h * 16 + l);
      i += 2;
    } else {
      *out += in[i];
    }
  }
  return true;
}

// Sends all of `s` (the socket blocks at most its SO_SNDTIMEO); false when
// the client is gone or too slow.
bool send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string response(int status, const char* reason, const char* type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n" + body;
}

std::string error_response(int status) {
  const char* reason = status == 400   ? "Bad Request"
                       : status == 404 ? "Not Found"
                       : status == 405 ? "Method Not Allowed"
                       : status == 414 ? "URI Too Long"
                       : status == 431 ? "Request Header Fields Too Large"
                       : status == 503 ? "Service Unavailable"
                                       : "Not Implemented";
  return response(status, reason, "text/plain; charset=utf-8", std::to_string(status) + " " + reason + "\n");
}

}  // namespace

std::map<std::string, std::string> decode_query(const std::string& query, bool* ok) {
  std::map<std::string, std::string> out;
  *ok = true;
  size_t at = 0;
  while (at <= query.size() && !query.empty()) {
    size_t amp = query.find('&', at);
    std::string part = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k, v;
      if (!decode(part.substr(0, eq), &k) || !decode(eq == std::string::npos ? "" : part.substr(eq + 1), &v)) {
        *ok = false;
        return {};
      }
      out[k] = v;
    }
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  return out;
}

bool UiServer::start(std::string* error) {
  if (opts_.listen_fd < 0) return true;
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    *error = std::string("ui: pipe: ") + strerror(errno);
    return false;
  }
  fcntl(opts_.listen_fd, F_SETFL, fcntl(opts_.listen_fd, F_GETFL) | O_NONBLOCK);
  thread_ = std::thread([this] { run(); });
  return true;
}

void UiServer::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  if (write(wake_[1], "x", 1) < 0) {
  }
  thread_.join();
  for (auto& c : clients_) close(c.fd);
  clients_.clear();
  close(wake_[0]);
  close(wake_[1]);
}

std::string UiServer::state() {
  if (!send_all(state_fd_, "{\"op\":\"ui-state\"}\n")) return "";
  std::string line;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{state_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
    char buf[65536];
    ssize_t n = read(state_fd_, buf, sizeof buf);
    if (n <= 0) return "";
    line.append(buf, static_cast<size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

void UiServer::serve(Client& c) {
  dataplane::http::RequestParser parser;
  dataplane::http::Request req;
  size_t head = 0;
  auto st = parser.parse(c.in, req, head);
  if (st == dataplane::http::ParseStatus::kIncomplete) {
    if (c.in.size() > kMaxHead) send_all(c.fd, error_response(431));
    else return;  // wait for the rest
  } else if (st == dataplane::http::ParseStatus::kError) {
    send_all(c.fd, error_response(req.error_status == 414 ? 414 : 400));
  } else if (req.method != "GET" && req.method != "HEAD") {
    send_all(c.fd, error_response(405));
  } else {
    bool ok = true;
    auto query = decode_query(std::string(req.query), &ok);
    if (!ok) {
      send_all(c.fd, error_response(400));
    } else if (req.path == "/" || req.path == "/index.html") {
      send_all(c.fd, response(200, "OK", "text/html; charset=utf-8", opts_.page));
    } else if (req.path == "/events") {
      c.events = send_all(c.fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\n");
      std::string s = c.events ? state() : "";
      if (!s.empty()) c.events = send_all(c.fd, "data: " + s + "\n\n");
      c.in.clear();
      if (c.events) return;
    } else if (req.path == "/trace") {
      if (!query.count("from") || !query.count("to") || query["from"].empty() || query["to"].empty())
        send_all(c.fd, response(400, "Bad Request", "application/json", "{\"error\":\"from and to are required\"}"));
      else
        send_all(c.fd, response(200, "OK", "application/json", opts_.trace ? opts_.trace(query) : "{\"error\":\"no trace\"}"));
    } else {
      send_all(c.fd, error_response(404));
    }
  }
  close(c.fd);
  c.fd = -1;
}

void UiServer::run() {
  auto next_tick = std::chrono::steady_clock::now();
  while (!stopping_) {
    std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {opts_.listen_fd, POLLIN, 0}};
    for (const auto& c : clients_) fds.push_back({c.fd, static_cast<short>(c.events ? 0 : POLLIN), 0});
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - std::chrono::steady_clock::now());
    int r = poll(fds.data(), fds.size(), std::max<int>(0, static_cast<int>(wait.count())));
    if (r < 0 && errno != EINTR) return;
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      while (true) {
        int fd = accept4(opts_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        // Writes may block a little (SO_SNDTIMEO) so a slow reader cannot
        // stall the page for others for long.
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        timeval tv{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (clients_.size() >= kMaxClients) {
          send_all(fd, error_response(503));
          close(fd);
          continue;
        }
        clients_.push_back(Client{fd, {}, false});
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      Client& c = clients_[i - 2];
      if (c.fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t n = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) {
        close(c.fd);
        c.fd = -1;
        continue;
      }
      if (c.events) continue;  // an event stream sends nothing we read
      c.in.append(buf, static_cast<size_t>(n));
      serve(c);
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      bool any = false;
      for (const auto& c : clients_) any = any || (c.fd >= 0 && c.events);
      std::string s = any ? state() : "";
      for (auto& c : clients_)
        if (c.fd >= 0 && c.events && !s.empty() && !send_all(c.fd, "data: " + s + "\n\n")) {
          close(c.fd);
          c.fd = -1;
        }
    }
    std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
  }
}

}  // namespace vpclab::emulator
