// Layout and drawing by Graphviz's library (libgvc, the `dot` layout),
// loaded when first needed so vpclab runs where Graphviz is not installed:
// then render() says which Debian package is missing.
#pragma once
#include <string>

namespace vpclab::graph {

struct Rendered {
  bool ok = false;
  std::string data;   // the SVG text or PNG bytes
  std::string error;  // why not: the missing package, or Graphviz's complaint
};

// FORMAT: "svg" or "png". Serialised: Graphviz is not thread-safe.
Rendered render(const std::string& dot, const std::string& format);

// Empty when Graphviz's library can be loaded, else what to install.
std::string graphviz_problem();

}  // namespace vpclab::graph
