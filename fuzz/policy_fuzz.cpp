// libFuzzer target: `vpclab assert` POLICY text (YAML or JSON) -> parse ->
// model::Assertions. Any crash, leak, sanitizer report or timeout is a bug:
// malformed input must end in diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "template/insights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vpclab::Diagnostics diags;
  auto a = vpclab::tmpl::read_policy_text(text, "fuzz.yaml", diags);
  // Either assertions or an error, never both nor neither.
  if (a.has_value() == diags.has_errors()) __builtin_trap();
  return 0;
}
