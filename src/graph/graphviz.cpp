// render(): libgvc through dlopen. The prototypes come from Graphviz's own
// headers (libgraphviz-dev at build time), so a mismatch fails to compile.
#include "graph/graphviz.h"

#include <dlfcn.h>
#include <graphviz/gvc.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace vpclab::graph {
namespace {

constexpr const char* kLibrary = "libgvc.so.6";
constexpr const char* kMissing =
    "Graphviz's library libgvc.so.6 is missing: install the Debian package libgvc6 (apt-get install libgvc6)";

struct Gvc {
  decltype(&::gvContext) context = nullptr;
  decltype(&::agmemread) memread = nullptr;
  decltype(&::gvLayout) layout = nullptr;
  decltype(&::gvRenderData) render_data = nullptr;
  decltype(&::gvFreeRenderData) free_render_data = nullptr;
  decltype(&::gvFreeLayout) free_layout = nullptr;
  decltype(&::agclose) close = nullptr;
  decltype(&::agseterr) seterr = nullptr;
  decltype(&::aglasterr) lasterr = nullptr;
  GVC_t* gvc = nullptr;
  std::string problem;
};

template <class F>
bool sym(void* h, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(h, name));
  return out != nullptr;
}

Gvc& library() {
  static Gvc g = [] {
    Gvc g;
    // VPCLAB_LIBGVC names another file: how the tests see a machine without it.
    const char* path = std::getenv("VPCLAB_LIBGVC");
    void* h = dlopen(path && *path ? path : kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      g.problem = kMissing;
      return g;
    }
    bool ok = sym(h, "gvContext", g.context) && sym(h, "agmemread", g.memread) && sym(h, "gvLayout", g.layout) &&
              sym(h, "gvRenderData", g.render_data) && sym(h, "gvFreeRenderData", g.free_render_data) &&
              sym(h, "gvFreeLayout", g.free_layout) && sym(h, "agclose", g.close) && sym(h, "agseterr", g.seterr) &&
              sym(h, "aglasterr", g.lasterr);
    if (!ok) {
      g.problem = std::string("Graphviz's ") + kLibrary + " lacks a function vpclab needs (" + dlerror() + ")";
      return g;
    }
    g.seterr(AGERR);  // warnings (a label that does not fit, ...) are not the user's business
    g.gvc = g.context();
    if (!g.gvc) g.problem = "Graphviz could not start (gvContext failed)";
    return g;
  }();
  return g;
}

std::mutex mu;

}  // namespace

std::string graphviz_problem() {
  std::lock_guard<std::mutex> lock(mu);
  return library().problem;
}

namespace {

// Layout and drawing in this process (the child of render()).
Rendered render_here(const std::string& dot, const std::string& format) {
  Rendered r;
  Gvc& g = library();
  if (!g.problem.empty()) {
    r.error = g.problem;
    return r;
  }
  Agraph_t* graph = g.memread(dot.c_str());
  if (!graph) {
    const char* e = g.lasterr();
    r.error = std::string("Graphviz could not read the diagram: ") + (e ? e : "syntax error");
    return r;
  }
  if (g.layout(g.gvc, graph, "dot") != 0) {
    g.close(graph);
    r.error = "Graphviz's dot layout failed";
    return r;
  }
  char* data = nullptr;
  unsigned int len = 0;
  if (g.render_data(g.gvc, graph, format.c_str(), &data, &len) != 0 || !data) {
    r.error = "Graphviz cannot draw " + format + " (is its plugin in libgvc6 installed?)";
  } else {
    r.data.assign(data, len);
    r.ok = true;
  }
  if (data) g.free_render_data(data);
  g.free_layout(g.gvc, graph);
  g.close(graph);
  return r;
}

bool write_all_fd(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

// Graphviz 2.42 can abort on some layouts ("trouble in init_rank", a double
// free): it runs in a child process, so a crash is an error message, not the
// end of vpclab (or of a lab's supervisor serving --ui). The child writes
// 'K' or 'E', then the picture or the error; a short read means it died.
Rendered render(const std::string& dot, const std::string& format) {
  std::lock_guard<std::mutex> lock(mu);
  Rendered r;
  if (std::string p = library().problem; !p.empty()) {
    r.error = p;
    return r;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    r.error = std::string("Graphviz: pipe: ") + strerror(errno);
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    r.error = std::string("Graphviz: fork: ") + strerror(errno);
    return r;
  }
  if (pid == 0) {
    close(fds[0]);
    Rendered c = render_here(dot, format);
    const std::string& body = c.ok ? c.data : c.error;
    uint64_t n = body.size();
    bool ok = write_all_fd(fds[1], c.ok ? "K" : "E", 1) && write_all_fd(fds[1], reinterpret_cast<char*>(&n), sizeof n) &&
              write_all_fd(fds[1], body.data(), body.size());
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  std::string got;
  char buf[65536];
  // Bounded: a layout that takes minutes is killed.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    int pr = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) {
      kill(pid, SIGKILL);
      r.error = "Graphviz took longer than 120 s to lay the diagram out";
      break;
    }
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int st = 0;
  pid_t w;
  do w = waitpid(pid, &st, 0);
  while (w < 0 && errno == EINTR);  // ECHILD: a supervisor's reaper took it; the bytes decide
  uint64_t n = 0;
  if (r.error.empty() && got.size() >= 1 + sizeof n) {
    memcpy(&n, got.data() + 1, sizeof n);
    if (got.size() == 1 + sizeof n + n) {
      (got[0] == 'K' ? r.data : r.error) = got.substr(1 + sizeof n);
      r.ok = got[0] == 'K';
      return r;
    }
  }
  if (r.error.empty())
    r.error = w == pid && WIFSIGNALED(st) ? "Graphviz crashed laying the diagram out (signal " +
                                                std::to_string(WTERMSIG(st)) + ")"
                                          : "Graphviz ended without drawing the diagram";
  return r;
}

}  // namespace vpclab::graph
