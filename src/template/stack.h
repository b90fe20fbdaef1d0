// Resolved stacks: what the CloudFormation engine hands to the model
// translation. Resources come in dependency order (a resource after every
// resource it Refs, GetAtts or DependsOn), conditions applied, intrinsics
// evaluated.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "template/value.h"
#include "vocab/diagnostic.h"

namespace vpclab::tmpl {

struct StackContext {
  std::string name;     // stack name (manifest name, or the template file's stem)
  std::string account;  // "123456789012" by default
  std::string region;   // "ap-northeast-1" by default
  std::string template_path;
};

struct ResolvedResource {
  std::string logical_id;
  std::string type;        // "AWS::EC2::VPC"
  SourceLoc loc;           // the logical id's key in Resources
  Value properties;        // resolved map (AWS::NoValue entries removed)
  std::vector<std::string> depends_on;
};

// Answers Ref and Fn::GetAtt for resources, and receives each resolved
// resource in dependency order. The model translation implements it so that
// physical ids and computed attributes (PrivateIp, DNSName, ...) come from
// the model being built; see template/to_model.h.
class ResourceSink {
 public:
  virtual ~ResourceSink() = default;
  // Called once per resource whose Condition holds, in dependency order,
  // after its properties are resolved.
  virtual void add(const StackContext& stack, const ResolvedResource& r, Diagnostics& diags) = 0;
  // Ref of a resource already added: its physical id (vpc-..., an ARN for
  // ELBv2 resources, the zone id for a hosted zone, ...). nullopt if unknown.
  virtual std::optional<Value> ref(const StackContext& stack, const std::string& logical_id) = 0;
  // Fn::GetAtt of a resource already added. nullopt if the attribute is not
  // known for that type (the engine then reports an error at the GetAtt).
  virtual std::optional<Value> get_att(const StackContext& stack, const std::string& logical_id,
                                       const std::string& attribute) = 0;
};

}  // namespace vpclab::tmpl
