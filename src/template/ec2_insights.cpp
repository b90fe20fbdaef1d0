// CloudFormation -> model, EC2 Network Insights: AWS::EC2::NetworkInsightsAccessScope
// and AWS::EC2::NetworkInsightsPath, the questions `vpclab assert` answers
// (read by template/policy.cpp's readers, as POLICY files are).
#include "template/insights_reader.h"
#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

// The value of tag `key` in a Tags list (nullptr when absent).
const Value* tag(const Value* tags, std::string_view key) {
  if (!tags || !tags->is_list()) return nullptr;
  for (const auto& t : tags->items())
    if (t.is_map() && text(t.get("Key")) == key) return t.get("Value");
  return nullptr;
}

}  // namespace

void ModelSink::Impl::ec2_insights_types(TypeTable& t) {
  t["AWS::EC2::NetworkInsightsAccessScope"] = {&access_scope_schema(), &Impl::add_access_scope};
  t["AWS::EC2::NetworkInsightsPath"] = {&insights_path_schema(), &Impl::add_insights_path};
}

void ModelSink::Impl::add_access_scope(C& c) {
  model::AccessScope s = read_access_scope(c.r.properties, c.who(), c.stack.name, c.diags);
  s.id = fabricated_physical_id(c.stack, c.r.type, c.r.logical_id);
  s.origin = c.origin;
  s.name = name_tag(c.prop("Tags"));
  if (s.name.empty()) s.name = c.who();
  fallback.add(c.stack, c.r, c.diags);
  reg(c, Kind::kInsights, s.id, net.assertions.access_scopes.size());
  net.assertions.access_scopes.push_back(std::move(s));
}

void ModelSink::Impl::add_insights_path(C& c) {
  model::InsightsPath p =
      read_insights_path(c.r.properties, tag(c.prop("Tags"), "vpclab:expect"), c.who(), c.stack.name, c.diags);
  p.id = fabricated_physical_id(c.stack, c.r.type, c.r.logical_id);
  p.origin = c.origin;
  p.name = name_tag(c.prop("Tags"));
  if (p.name.empty()) p.name = c.who();
  fallback.add(c.stack, c.r, c.diags);
  reg(c, Kind::kInsights, p.id, net.assertions.paths.size());
  net.assertions.paths.push_back(std::move(p));
}

}  // namespace vpclab::tmpl
