// libFuzzer target: Terraform plan/state JSON -> the terraform reader ->
// finalize (src/terraform). Any crash, leak, sanitizer report or timeout is
// a bug: malformed input must end in diagnostics.
#include <cstddef>
#include <cstdint>
#include <string>

#include "terraform/load.h"

using namespace vpclab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  terraform::Counts counts;
  auto r = terraform::load_text(text, "fuzz.json", &counts);
  // Invariant: no network means an error says why.
  if (!r.network && !r.diags.has_errors()) __builtin_trap();
  if (counts.modeled + counts.unmodeled > counts.resources) __builtin_trap();
  return 0;
}
