// The readers of Network Insights shapes shared by template resources
// (ec2_insights.cpp) and POLICY files (policy.cpp); internal to template/.
#pragma once
#include <string>

#include "model/insights.h"
#include "template/cfn_fields.h"
#include "template/insights.h"
#include "template/value.h"

namespace vpclab::tmpl {

const cfn::Schema& access_scope_schema();   // AWS::EC2::NetworkInsightsAccessScope's properties
const cfn::Schema& insights_path_schema();  // AWS::EC2::NetworkInsightsPath's properties

// `where` names the object in messages; `stack` is the template stack ("" in
// POLICY files); `expect` the vpclab:expect tag's value (or Expect), or null.
model::AccessScope read_access_scope(const Value& props, const std::string& where, const std::string& stack,
                                     Diagnostics& diags);
model::InsightsPath read_insights_path(const Value& props, const Value* expect, const std::string& where,
                                       const std::string& stack, Diagnostics& diags);

}  // namespace vpclab::tmpl
