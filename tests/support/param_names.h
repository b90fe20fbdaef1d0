// Test-name generators for parameterised tests over example files.
#pragma once
#include <cctype>
#include <string>

namespace vpclab::testing {

// "examples/broken/alb-sg-open-to-world.yaml" style `file` members -> "alb_sg_open_to_world".
struct FileParamName {
  template <class Info>
  std::string operator()(const Info& info) const {
    std::string n = info.param.file;
    n = n.substr(0, n.find('.'));
    for (char& ch : n)
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return n;
  }
};

}  // namespace vpclab::testing
