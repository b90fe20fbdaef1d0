// `vpclab up --ui` (docs/graph.md "The live page"): the lab's page on the
// host's loopback, served by a thread of the lab's supervisor. The CLI opens
// the listening socket before the lab starts (a taken port fails `up`
// cleanly) and hands over the drawn page and a trace function; the server
// answers
//   GET /        the page (graph/html.h, live)
//   GET /events  server-sent events: the lab's state (instances, target
//                health per ALB node, requests per target, the access logs'
//                last lines), once a second, from the supervisor's
//                "ui-state" control request
//   GET /trace?from=X&to=Y[&port=P]  the picture with that path (JSON)
// and nothing else: other methods 405, other paths 404, bad or oversized
// requests 400/414/431, more than kMaxClients at once 503. Read-only.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace vpclab::emulator {

struct UiOptions {
  int listen_fd = -1;  // bound to a loopback address by the CLI
  std::string url;     // "http://127.0.0.1:8080/", for `vpclab status`
  std::string page;    // the whole HTML page
  // Query parameters -> a JSON object: {"svg", "details", "verdict"} or {"error"}.
  std::function<std::string(const std::map<std::string, std::string>&)> trace;
};

// A decoded query string ("from=BarApp&to=http%3A%2F%2Falb.home%2F");
// '+' is a space. Malformed escapes make it empty with *ok false.
std::map<std::string, std::string> decode_query(const std::string& query, bool* ok);

class UiServer {
 public:
  static constexpr size_t kMaxClients = 32;
  static constexpr size_t kMaxHead = 8192;
  // `state_fd`: a stream socket to the supervisor's control loop.
  UiServer(const UiOptions& opts, int state_fd) : opts_(opts), state_fd_(state_fd) {}
  ~UiServer() { stop(); }
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;

  bool start(std::string* error);
  void stop();

 private:
  struct Client {
    int fd = -1;
    std::string in;
    bool events = false;  // an open /events stream
  };
  void run();
  void serve(Client& c);  // a whole request head is in c.in (or it is bad)
  std::string state();    // one "ui-state" answer, or "" when the lab does not answer

  const UiOptions& opts_;
  int state_fd_ = -1;
  std::vector<Client> clients_;
  std::thread thread_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
};

}  // namespace vpclab::emulator
