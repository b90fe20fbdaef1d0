// Shared by the template -> model tests: resolve an inline template into a
// model (finalized when resolution succeeded) and read what came out.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "model/build.h"
#include "template/engine.h"
#include "template/to_model.h"

namespace vpclab::tmpl::testing {

struct Built {
  model::Network net;
  model::AddressPlan plan;
  Diagnostics diags;
  ResolvedStack out;
  bool ok = false;

  bool has(const std::string& code) const { return first(code) != nullptr; }
  const Diagnostic* first(const std::string& code) const {
    for (const auto& d : diags.items())
      if (d.code == code) return &d;
    return nullptr;
  }
  std::string dump() const {
    std::string s;
    for (const auto& d : diags.items()) s += d.str() + "\n";
    return s;
  }
  std::string output(const std::string& name) const {
    const StackOutput* o = out.output(name);
    return o && o->value.is_scalar() ? o->value.text() : "<none>";
  }
  // The instance whose logical id (an Auto Scaling member: GROUP/k) is `name`.
  const model::Instance* member(const std::string& name) const {
    for (const auto& i : net.instances)
      if (i.origin.logical_id == name) return &i;
    return nullptr;
  }
};

// Resolves `yaml` as stack "t" (account 123456789012, ap-northeast-1).
inline std::unique_ptr<Built> build(const std::string& yaml, bool finalize = true) {
  auto b = std::make_unique<Built>();
  auto root = parse_template_text(yaml, "t.yaml", b->diags);
  if (!root) return b;
  StackContext ctx{"t", "123456789012", "ap-northeast-1", "t.yaml"};
  ModelSink sink(b->net, b->plan);
  b->ok = resolve_stack(ctx, *root, {}, {}, sink, b->out, b->diags) && !b->diags.has_errors();
  if (b->ok && finalize) b->ok = model::finalize(b->net, b->plan, b->diags);
  return b;
}

}  // namespace vpclab::tmpl::testing
