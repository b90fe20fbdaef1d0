// The lab manifest (vpclab.yaml, docs/lab-manifest.md): several stacks in
// accounts and regions, parameters wired from other stacks' outputs, and
// the peering settings CloudFormation cannot express.
//
// Diagnostic codes (besides the parser's E0000):
//   M1001  manifest: bad shape, unknown key, missing required key
//   M1002  duplicate stack name
//   M1003  parameter source names an unknown stack, or its own stack
//   M1004  cycle between stacks through parameter sources
//   M1005  account/region malformed (account: 12 digits)
//   M1006  the output a parameter takes does not exist (after resolution)
//   M1007  peering: unknown stack
//   M1008  on_premises: bad name, duplicate name, unknown stack, a resource that is no customer gateway
//   M1009  on_premises: bad CIDR
//   M1010  s3: bad or duplicate bucket name, a region no stack is in
//   M1011  s3: a directory that is missing or no directory
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "template/engine.h"
#include "template/stack.h"
#include "template/value.h"
#include "vocab/diagnostic.h"
#include "vocab/ip.h"

namespace vpclab::tmpl {

// One parameter value: a literal (string, number, bool, or list of scalars)
// or another stack's output ({stack: foo, output: VpcId}).
struct ParameterSource {
  std::optional<Value> literal;
  std::string from_stack;
  std::string from_output;
  SourceLoc loc;
};

struct ManifestStack {
  StackContext ctx;  // template_path is absolute or relative to the cwd (resolved against the manifest)
  std::map<std::string, ParameterSource> parameters;
  SourceLoc loc;     // the stack's entry
  SourceLoc template_loc;  // the `template:` value, for "cannot read" errors
  // `terraform: PATH` instead of `template:`: a Terraform plan or state JSON
  // (read by the StackFrontEnd given to load_network; no parameters).
  bool foreign = false;
};

struct PeeringSideOptions {
  bool allow_dns_resolution_from_remote_vpc = false;
};

struct ManifestPeering {
  std::string stack;     // stack holding the AWS::EC2::VPCPeeringConnection
  std::string resource;  // its logical id
  std::optional<bool> accepted;  // unset: CloudFormation's behaviour (same account: active)
  PeeringSideOptions requester, accepter;
  SourceLoc loc;
};

// A network outside AWS behind a customer gateway (`on_premises:`): what
// CloudFormation cannot describe, the CIDRs the office holds.
struct ManifestOnPremises {
  std::string name;
  std::string stack;     // stack holding the AWS::EC2::CustomerGateway
  std::string resource;  // its logical id
  std::vector<std::pair<Ipv4Cidr, SourceLoc>> cidrs;
  SourceLoc loc, gateway_loc;
};

// A bucket of the lab's S3 (`s3:`): `vpclab up` serves the files under
// `directory` as its objects (docs/lab-manifest.md).
struct ManifestS3Bucket {
  std::string name;
  std::string region;     // default: the first stack's
  std::string directory;  // absolute (given relative to the manifest)
  SourceLoc loc;
};

// `organization: {accounts: [...], ram_sharing: true}`.
struct ManifestOrganization {
  std::vector<std::string> accounts;
  bool ram_sharing = true;
  SourceLoc loc;
};

struct Manifest {
  std::string name;  // `name:`, default the manifest file's stem
  std::string path;
  std::vector<ManifestStack> stacks;  // file order
  std::vector<ManifestPeering> peerings;
  std::vector<ManifestOnPremises> on_premises;
  std::vector<ManifestS3Bucket> s3_buckets;
  std::optional<ManifestOrganization> organization;
};

// A parsed YAML/JSON root is a manifest when it is a map with a top-level
// "stacks" key (templates have "Resources").
bool is_manifest(const Value& root);

// Reads a manifest. Unknown keys, wrong shapes, duplicate stack names, bad
// accounts, and parameter sources naming unknown stacks are errors. Missing
// account/region take the defaults 123456789012 / ap-northeast-1.
// false if any error was reported.
bool load_manifest(const std::string& path, Manifest& out, Diagnostics& diags);
// The same from an already parsed root (path: used for relative templates and the default name).
bool manifest_from_value(const Value& root, const std::string& path, Manifest& out,
                         Diagnostics& diags);

// Indexes into m.stacks such that each stack comes after the stacks whose
// outputs its parameters take; otherwise file order. A cycle is an M1004
// error and returns false.
bool order_stacks(const Manifest& m, std::vector<size_t>& order, Diagnostics& diags);

// The parameter values for `s`, literals as given and {stack, output}
// sources looked up in `resolved` (stack name -> resolved stack). A missing
// stack or output is an M1006 error at the source. false on error.
bool manifest_parameter_values(const ManifestStack& s,
                               const std::map<std::string, const ResolvedStack*>& resolved,
                               std::map<std::string, Value>& out, Diagnostics& diags);

}  // namespace vpclab::tmpl
