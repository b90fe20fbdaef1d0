// render(): libgvc through dlopen. The prototypes come from Graphviz's own
// headers (libgraphviz-dev at build time), so a mismatch fails to compile.
#include "graph/graphviz.h"

#include <dlfcn.h>
#include <graphviz/gvc.h>

#include <cstdlib>
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

Rendered render(const std::string& dot, const std::string& format) {
  std::lock_guard<std::mutex> lock(mu);
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

}  // namespace vpclab::graph
