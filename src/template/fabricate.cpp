// Deterministic stand-ins for what AWS would assign: stack ids, physical ids
// and attribute values of resources no sink models, and exports.
#include <algorithm>
#include <cstring>
#include <set>

#include "template/engine.h"
#include "template/intrinsics.h"

namespace vpclab::tmpl {
namespace {

// Types whose Ref is an id with an AWS prefix.
const std::map<std::string, std::string>& id_prefixes() {
  static const std::map<std::string, std::string> m = {
      {"AWS::EC2::VPC", "vpc"},
      {"AWS::EC2::Subnet", "subnet"},
      {"AWS::EC2::SecurityGroup", "sg"},
      {"AWS::EC2::RouteTable", "rtb"},
      {"AWS::EC2::InternetGateway", "igw"},
      {"AWS::EC2::EgressOnlyInternetGateway", "eigw"},
      {"AWS::EC2::NatGateway", "nat"},
      {"AWS::EC2::NetworkAcl", "acl"},
      {"AWS::EC2::Instance", "i"},
      {"AWS::EC2::VPCPeeringConnection", "pcx"},
      {"AWS::EC2::NetworkInterface", "eni"},
      {"AWS::EC2::VPCEndpoint", "vpce"},
      {"AWS::EC2::TransitGateway", "tgw"},
      {"AWS::EC2::TransitGatewayAttachment", "tgw-attach"},
      {"AWS::EC2::TransitGatewayRouteTable", "tgw-rtb"},
      {"AWS::EC2::LaunchTemplate", "lt"},
      {"AWS::EC2::VPNGateway", "vgw"},
      {"AWS::EC2::CustomerGateway", "cgw"},
      {"AWS::EC2::VPNConnection", "vpn"},
      {"AWS::EC2::DHCPOptions", "dopt"},
      {"AWS::EC2::FlowLog", "fl"},
      {"AWS::EC2::SubnetRouteTableAssociation", "rtbassoc"},
      {"AWS::EC2::SubnetNetworkAclAssociation", "aclassoc"},
      {"AWS::EC2::Volume", "vol"},
      {"AWS::EC2::PrefixList", "pl"},
      {"AWS::EC2::SecurityGroupIngress", "sgr"},
      {"AWS::EC2::SecurityGroupEgress", "sgr"},
      {"AWS::EC2::PlacementGroup", "pg"},
      {"AWS::EC2::SpotFleet", "sfr"},
      {"AWS::EC2::EC2Fleet", "fleet"},
      {"AWS::EC2::CarrierGateway", "cagw"},
      {"AWS::EC2::NetworkInsightsPath", "nip"},
      {"AWS::EC2::NetworkInsightsAccessScope", "nis"},
      {"AWS::EC2::VPCEndpointService", "vpce-svc"},
      {"AWS::EC2::IPAM", "ipam"},
      {"AWS::EC2::IPAMPool", "ipam-pool"},
  };
  return m;
}

std::string arn(const StackContext& ctx, const std::string& service, const std::string& rest,
                bool regional = true, bool with_account = true) {
  return "arn:aws:" + service + ":" + (regional ? ctx.region : "") + ":" +
         (with_account ? ctx.account : "") + ":" + rest;
}

// Resource names AWS generates: <stack>-<logical>-<RANDOM>, upper-case.
std::string generated_name(const StackContext& ctx, const std::string& logical, size_t max = 0) {
  std::string suffix = stable_hex(12, {ctx.account, ctx.region, ctx.name, logical});
  std::transform(suffix.begin(), suffix.end(), suffix.begin(), ::toupper);
  std::string s = ctx.name + "-" + logical + "-" + suffix;
  if (max && s.size() > max) s = s.substr(s.size() - max);
  return s;
}

std::string elb_name(const StackContext& ctx, const std::string& logical) {
  // ELB names: at most 32 characters, alphanumerics and hyphens.
  std::string base = ctx.name.substr(0, 10) + "-" + logical.substr(0, 8);
  return base + "-" + stable_hex(12, {ctx.account, ctx.region, ctx.name, logical});
}

const std::set<std::string>& list_attributes() {
  static const std::set<std::string> s = {
      "Ipv6CidrBlocks", "CidrBlockAssociations", "SecurityGroups", "NameServers",
      "DnsEntries", "NetworkInterfaceIds", "SecondaryPrivateIpAddresses", "Ipv6Addresses",
      "AvailabilityZones", "Subnets", "Endpoints", "AllocationIds", "LoadBalancerArns",
      "DefaultSecurityGroups", "DnsIpAddresses", "Ipv6CidrBlockAssociations",
  };
  return s;
}

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// List-valued attributes: the known ones, and plural names of addresses/ids.
bool is_list_attribute(const std::string& a) {
  return list_attributes().count(a) || ends_with(a, "Addresses") ||
         ends_with(a, "Arns") || ends_with(a, "Blocks") || ends_with(a, "Servers") ||
         ends_with(a, "Entries");
}

}  // namespace

std::string stack_id(const StackContext& ctx) {
  std::string h = stable_hex(32, {"stack", ctx.account, ctx.region, ctx.name});
  std::string uuid = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
                     h.substr(16, 4) + "-" + h.substr(20, 12);
  return "arn:aws:cloudformation:" + ctx.region + ":" + ctx.account + ":stack/" + ctx.name + "/" + uuid;
}

std::string export_key(const std::string& account, const std::string& region, const std::string& name) {
  return account + "/" + region + "/" + name;
}

std::string stack_output_key(const std::string& account, const std::string& region,
                             const std::string& stack, const std::string& output) {
  // '\n' cannot occur in an export name, so the two kinds of key never collide.
  return "\n" + account + "/" + region + "/" + stack + "/" + output;
}

bool add_exports(const ResolvedStack& stack, ExportTable& exports, Diagnostics& diags) {
  bool ok = true;
  for (const auto& o : stack.outputs)
    exports[stack_output_key(stack.ctx.account, stack.ctx.region, stack.ctx.name, o.name)] = o.value;
  for (const auto& o : stack.outputs) {
    if (o.export_name.empty()) continue;
    std::string key = export_key(stack.ctx.account, stack.ctx.region, o.export_name);
    if (exports.count(key)) {
      diags.error(o.loc, "E6003",
                  "export name '" + o.export_name + "' is already exported in account " +
                      stack.ctx.account + " region " + stack.ctx.region);
      ok = false;
      continue;
    }
    exports.emplace(key, o.value);
  }
  return ok;
}

std::string fabricated_physical_id(const StackContext& ctx, const std::string& type,
                                   const std::string& logical_id) {
  auto hex = [&](size_t n) { return stable_hex(n, {ctx.account, ctx.region, ctx.name, logical_id, type}); };
  if (auto p = id_prefixes().find(type); p != id_prefixes().end()) return p->second + "-" + hex(17);
  if (type == "AWS::EC2::EIP") {
    std::string h = hex(4);
    int a = std::stoi(h.substr(0, 2), nullptr, 16), b = std::stoi(h.substr(2, 2), nullptr, 16);
    return "203.0." + std::to_string(113 + a % 2) + "." + std::to_string(1 + b % 254);  // TEST-NET-3 range
  }
  if (type == "AWS::ElasticLoadBalancingV2::LoadBalancer")
    return arn(ctx, "elasticloadbalancing", "loadbalancer/app/" + elb_name(ctx, logical_id) + "/" + hex(16));
  if (type == "AWS::ElasticLoadBalancingV2::TargetGroup")
    return arn(ctx, "elasticloadbalancing", "targetgroup/" + elb_name(ctx, logical_id) + "/" + hex(16));
  if (type == "AWS::ElasticLoadBalancingV2::Listener")
    return arn(ctx, "elasticloadbalancing", "listener/app/" + elb_name(ctx, logical_id) + "/" + hex(16) + "/" + hex(16));
  if (type == "AWS::ElasticLoadBalancingV2::ListenerRule")
    return arn(ctx, "elasticloadbalancing",
               "listener-rule/app/" + elb_name(ctx, logical_id) + "/" + hex(16) + "/" + hex(16) + "/" + hex(16));
  if (type == "AWS::ElasticLoadBalancing::LoadBalancer") return elb_name(ctx, logical_id);
  if (type == "AWS::Route53::HostedZone") {
    std::string h = hex(13);
    std::transform(h.begin(), h.end(), h.begin(), ::toupper);
    return "Z" + h;
  }
  if (type == "AWS::CertificateManager::Certificate") {
    std::string h = hex(32);
    return arn(ctx, "acm", "certificate/" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
                               h.substr(16, 4) + "-" + h.substr(20, 12));
  }
  if (type == "AWS::StepFunctions::StateMachine")
    return arn(ctx, "states", "stateMachine:" + generated_name(ctx, logical_id));
  if (type == "AWS::SNS::Topic") return arn(ctx, "sns", generated_name(ctx, logical_id));
  if (type == "AWS::SQS::Queue")
    return "https://sqs." + ctx.region + ".amazonaws.com/" + ctx.account + "/" + generated_name(ctx, logical_id);
  if (type == "AWS::S3::Bucket") {
    std::string s = generated_name(ctx, logical_id, 63);
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return s;
  }
  if (type == "AWS::IAM::ManagedPolicy") return arn(ctx, "iam", "policy/" + generated_name(ctx, logical_id), false);
  if (type == "AWS::KMS::Key") {
    std::string h = hex(32);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
  }
  if (type == "AWS::CloudFormation::Stack") return stack_id({ctx.name + "-" + logical_id + "-" + hex(12), ctx.account, ctx.region, ""});
  if (type == "AWS::Lambda::Permission" || type == "AWS::IAM::Policy") return generated_name(ctx, logical_id);
  return generated_name(ctx, logical_id);
}

void FabricatingSink::add(const StackContext& stack, const ResolvedResource& r, Diagnostics&) {
  index_[stack.name + "/" + r.logical_id] = added_.size();
  added_.push_back(r);
}

const ResolvedResource* FabricatingSink::find(const std::string& stack, const std::string& logical_id) const {
  auto it = index_.find(stack + "/" + logical_id);
  return it == index_.end() ? nullptr : &added_[it->second];
}

std::optional<Value> FabricatingSink::ref(const StackContext& stack, const std::string& logical_id) {
  const ResolvedResource* r = find(stack.name, logical_id);
  if (!r) return std::nullopt;
  return Value::string(fabricated_physical_id(stack, r->type, logical_id));
}

std::optional<Value> FabricatingSink::get_att(const StackContext& stack, const std::string& logical_id,
                                              const std::string& attribute) {
  const ResolvedResource* r = find(stack.name, logical_id);
  if (!r) return std::nullopt;
  const std::string& t = r->type;
  std::string id = fabricated_physical_id(stack, t, logical_id);
  auto hex = [&](size_t n) { return stable_hex(n, {stack.account, stack.region, stack.name, logical_id, attribute}); };
  auto prop = [&](const char* name) -> const Value* {
    const Value* v = r->properties.get(name);
    return v && v->is_scalar() ? v : nullptr;
  };
  auto str = [](std::string s) { return std::optional<Value>(Value::string(std::move(s))); };
  // List attributes get three items so Fn::Select [1|2, ...] works as with real values.
  auto one = [](std::string s) {
    return std::optional<Value>(Value::list({Value::string(s), Value::string(s + "-1"), Value::string(s + "-2")}));
  };
  std::string v6 = "2406:da14:" + hex(3) + ":" + hex(2) + "00::/56";
  if (t == "AWS::EC2::VPC") {
    if (attribute == "CidrBlock") return str(prop("CidrBlock") ? prop("CidrBlock")->text() : "10.0.0.0/16");
    if (attribute == "VpcId") return str(id);
    if (attribute == "DefaultSecurityGroup") return str("sg-" + hex(17));
    if (attribute == "DefaultNetworkAcl") return str("acl-" + hex(17));
    if (attribute == "CidrBlockAssociations") return one("vpc-cidr-assoc-" + hex(17));
    if (attribute == "Ipv6CidrBlocks") return one(v6);
  }
  if (t == "AWS::EC2::VPCCidrBlock" && attribute == "Ipv6CidrBlock") return str(v6);
  if (t == "AWS::EC2::Subnet") {
    if (attribute == "SubnetId") return str(id);
    if (attribute == "AvailabilityZone")
      return str(prop("AvailabilityZone") ? prop("AvailabilityZone")->text() : stack.region + "a");
    if (attribute == "AvailabilityZoneId") return str("apne1-az1");
    if (attribute == "CidrBlock") return str(prop("CidrBlock") ? prop("CidrBlock")->text() : "10.0.0.0/24");
    if (attribute == "VpcId") return str(prop("VpcId") ? prop("VpcId")->text() : "vpc-" + hex(17));
    if (attribute == "NetworkAclAssociationId") return str("aclassoc-" + hex(17));
    if (attribute == "Ipv6CidrBlocks") return one(v6.substr(0, v6.size() - 3) + "/64");
  }
  if (t == "AWS::EC2::SecurityGroup") {
    if (attribute == "GroupId") return str(id);
    if (attribute == "VpcId") return str(prop("VpcId") ? prop("VpcId")->text() : "vpc-" + hex(17));
  }
  if (t == "AWS::EC2::Instance") {
    if (attribute == "PrivateIp") return str("10.0.0." + std::to_string(10 + std::stoi(hex(2), nullptr, 16) % 200));
    if (attribute == "PublicIp") return str("198.51.100." + std::to_string(1 + std::stoi(hex(2), nullptr, 16) % 254));
    if (attribute == "AvailabilityZone") return str(stack.region + "a");
    if (attribute == "PrivateDnsName") return str("ip-10-0-0-10." + stack.region + ".compute.internal");
    if (attribute == "PublicDnsName") return str("ec2-198-51-100-1." + stack.region + ".compute.amazonaws.com");
    if (attribute == "InstanceId") return str(id);
  }
  if (t == "AWS::EC2::EIP" && attribute == "AllocationId") return str("eipalloc-" + hex(17));
  if (t == "AWS::EC2::EIP" && attribute == "PublicIp") return str(id);
  if (t == "AWS::ElasticLoadBalancingV2::LoadBalancer" || t == "AWS::ElasticLoadBalancing::LoadBalancer") {
    std::string name = elb_name(stack, logical_id);
    if (attribute == "DNSName") return str(name + "-" + std::to_string(1000000000 + std::stoll(hex(7), nullptr, 16) % 999999999) + "." + stack.region + ".elb.amazonaws.com");
    if (attribute == "CanonicalHostedZoneID" || attribute == "CanonicalHostedZoneNameID") return str("Z14GRHDCWA56QT");
    if (attribute == "LoadBalancerName") return str(name);
    if (attribute == "LoadBalancerFullName") return str("app/" + name + "/" + hex(16));
    if (attribute == "LoadBalancerArn") return str(id);
  }
  if (t == "AWS::ElasticLoadBalancingV2::TargetGroup") {
    if (attribute == "TargetGroupFullName") return str("targetgroup/" + elb_name(stack, logical_id) + "/" + hex(16));
    if (attribute == "TargetGroupName") return str(elb_name(stack, logical_id));
    if (attribute == "TargetGroupArn") return str(id);
    if (attribute == "LoadBalancerArns") return Value::list({});
  }
  if (t == "AWS::Route53::HostedZone" && attribute == "NameServers")
    return Value::list({Value::string("ns-1.awsdns-01.org"), Value::string("ns-2.awsdns-02.net")});
  if (t == "AWS::Route53::HostedZone" && attribute == "Id") return str(id);
  if (attribute == "Arn" || (attribute.size() > 3 && attribute.compare(attribute.size() - 3, 3, "Arn") == 0)) {
    std::string service = t.size() > 5 && t.rfind("AWS::", 0) == 0 ? t.substr(5, t.find("::", 5) - 5) : "custom";
    std::transform(service.begin(), service.end(), service.begin(), ::tolower);
    return str(arn(stack, service, logical_id + "/" + id));
  }
  if (is_list_attribute(attribute)) return one(attribute + "-" + hex(12));
  if (attribute.find("Port") != std::string::npos) return str("443");
  if (attribute.find("Address") != std::string::npos || attribute.find("DNS") != std::string::npos ||
      attribute.find("Endpoint") != std::string::npos || attribute.find("Url") != std::string::npos ||
      attribute.find("URL") != std::string::npos)
    return str(logical_id.substr(0, 20) + "-" + hex(10) + "." + stack.region + ".amazonaws.com");
  return str(id + "-" + attribute);
}

}  // namespace vpclab::tmpl
