// libFuzzer target: template (or manifest) text -> parse -> resolve with a
// fabricating sink. Any crash, leak, sanitizer report or timeout is a bug:
// malformed input must end in diagnostics.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "template/engine.h"
#include "template/manifest.h"

using namespace vpclab;
using namespace vpclab::tmpl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  auto root = parse_template_text(text, "fuzz.yaml", diags);
  if (!root) return 0;
  if (is_manifest(*root)) {
    Manifest m;
    if (manifest_from_value(*root, "/fuzz/vpclab.yaml", m, diags)) {
      std::vector<size_t> order;
      order_stacks(m, order, diags);
    }
    return 0;
  }
  ExportTable imports;
  imports[export_key("123456789012", "ap-northeast-1", "net-VpcId")] = Value::string("vpc-0123456789abcdef0");
  std::map<std::string, Value> params;
  if (const Value* ps = root->get("Parameters"); ps && ps->is_map()) {
    for (const auto& [k, def] : ps->entries())
      if (def.is_map() && !def.get("Default")) params.emplace(k.first, Value::string("x"));
  }
  FabricatingSink sink;
  ResolvedStack out;
  StackContext ctx{"fuzz", "123456789012", "ap-northeast-1", "fuzz.yaml"};
  bool ok = resolve_stack(ctx, *root, params, imports, sink, out, diags);
  // Invariant: failure is always explained.
  if (!ok && !diags.has_errors()) __builtin_trap();
  for (const auto& d : diags.items()) (void)d.str();
  return 0;
}
