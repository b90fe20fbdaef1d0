// libFuzzer target for the query strings `vpclab up --ui` decodes
// (emulator/ui_server.h decode_query): arbitrary bytes from the page's
// clients. Checks that an accepted query decodes to no more bytes than it
// has, and that a rejected one yields nothing.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "emulator/ui_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  bool ok = false;
  auto q = vpclab::emulator::decode_query(in, &ok);
  if (!ok && !q.empty()) std::abort();
  size_t total = 0;
  for (const auto& [k, v] : q) total += k.size() + v.size();
  if (total > size) std::abort();
  return 0;
}
