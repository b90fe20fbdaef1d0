// model::Change -> HCL for `vpclab fix` on a Terraform input.
#include "terraform/hcl.h"

#include <fmt/format.h>

#include <cctype>
#include <regex>

#include "terraform/load.h"

namespace vpclab::terraform {

namespace {

// "module.vpc.aws_subnet.private[0]" -> module "module.vpc", local "aws_subnet.private[0]".
void split_address(const std::string& address, std::string& module, std::string& local) {
  size_t at = 0, last = std::string::npos;
  while (address.compare(at, 7, "module.") == 0) {
    size_t dot = address.find('.', at + 7);
    // Skip an instance key with dots inside quotes.
    size_t br = address.find('[', at + 7);
    if (br != std::string::npos && br < dot) {
      size_t close = address.find(']', br);
      dot = close == std::string::npos ? std::string::npos : address.find('.', close);
    }
    if (dot == std::string::npos) break;
    last = dot;
    at = dot + 1;
  }
  module = last == std::string::npos ? "" : address.substr(0, last);
  local = last == std::string::npos ? address : address.substr(last + 1);
}

// An expression for the resource's attribute: a reference when Terraform declared it.
std::string ref(const model::ChangeRef& r, const char* attr = "id") {
  if (r.origin.logical_id.empty()) return "\"" + r.id + "\"";
  std::string module, local;
  split_address(r.origin.logical_id, module, local);
  return local + "." + attr;
}

std::string name_of(const model::ChangeRef& r) {
  std::string module, local;
  split_address(r.origin.logical_id, module, local);
  std::string n = local.empty() ? r.id : local.substr(local.find('.') + 1);
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

std::string where(const model::ChangeRef& r) {
  std::string module, local;
  split_address(r.origin.logical_id, module, local);
  std::string head = r.origin.logical_id.empty() ? fmt::format("# {} is not declared in this Terraform plan\n", r.id)
                                                  : fmt::format("# for {}\n", r.origin.logical_id);
  if (!module.empty()) head += fmt::format("# in the configuration of {} (references are that module's)\n", module);
  return head;
}

std::string protocol_text(IpProtocol p) { return p == kAllProtocols ? "-1" : protocol_name(p); }

}  // namespace

std::string argument_name(const std::string& cfn) {
  if (cfn == "VPCId" || cfn == "VpcId") return "vpc_id";
  std::string out;
  for (size_t i = 0; i < cfn.size(); ++i) {
    char c = cfn[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    if (upper && i > 0 && !(std::isupper(static_cast<unsigned char>(cfn[i - 1])) &&
                            (i + 1 == cfn.size() || std::isupper(static_cast<unsigned char>(cfn[i + 1])))))
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string hcl_snippet(const model::Change& c) {
  std::string why = c.why.empty() ? "" : "# answers: " + c.why + "\n";
  switch (c.kind) {
    case model::Change::Kind::kAddSecurityGroupRule: {
      const char* dir = c.egress ? "egress" : "ingress";
      std::string ports =
          c.protocol == kAllProtocols || !protocol_has_ports(c.protocol)
              ? ""
              : fmt::format("  from_port         = {}\n  to_port           = {}\n", c.ports.from, c.ports.to);
      std::string peer = c.peer_group ? fmt::format("  referenced_security_group_id = {}\n", ref(*c.peer_group))
                                      : fmt::format("  cidr_ipv4         = \"{}\"\n", c.peer_cidr ? c.peer_cidr->str() : "");
      return where(c.target) + why +
             "# (if the group writes inline " + dir + " blocks, add this as one of them instead: the provider\n"
             "# does not mix inline rules with rule resources)\n" +
             fmt::format("resource \"aws_vpc_security_group_{}_rule\" \"{}_{}_{}\" {{\n", dir, name_of(c.target),
                         protocol_text(c.protocol) == "-1" ? "all" : protocol_text(c.protocol), c.ports.from) +
             fmt::format("  security_group_id = {}\n  ip_protocol       = \"{}\"\n", ref(c.target),
                         protocol_text(c.protocol)) +
             ports + peer + "}\n";
    }
    case model::Change::Kind::kAddNetworkAclEntry:
      return where(c.target) + why +
             fmt::format("resource \"aws_network_acl_rule\" \"{}_{}\" {{\n", name_of(c.target), c.rule_number) +
             fmt::format("  network_acl_id = {}\n  rule_number    = {}\n  egress         = {}\n", ref(c.target),
                         c.rule_number, c.egress ? "true" : "false") +
             fmt::format("  protocol       = \"{}\"\n  rule_action    = \"allow\"\n  cidr_block     = \"{}\"\n",
                         protocol_text(c.protocol), c.peer_cidr ? c.peer_cidr->str() : "0.0.0.0/0") +
             (protocol_has_ports(c.protocol)
                  ? fmt::format("  from_port      = {}\n  to_port        = {}\n", c.ports.from, c.ports.to)
                  : std::string()) +
             "}\n";
    case model::Change::Kind::kAddRoute: {
      bool pcx = c.route_target.id.rfind("pcx-", 0) == 0;
      bool tgw = c.route_target.id.rfind("tgw-", 0) == 0;
      return where(c.target) + why +
             fmt::format("resource \"aws_route\" \"{}_{}\" {{\n", name_of(c.target),
                         pcx ? "peer" : tgw ? "transit" : "internet") +
             fmt::format("  route_table_id            = {}\n  destination_cidr_block    = \"{}\"\n", ref(c.target),
                         c.destination.str()) +
             fmt::format("  {} = {}\n",
                         pcx ? "vpc_peering_connection_id" : tgw ? "transit_gateway_id       " : "gateway_id               ",
                         ref(c.route_target)) +
             "}\n";
    }
    case model::Change::Kind::kAddListener:
      return where(c.target) + why +
             fmt::format("resource \"aws_lb_listener\" \"{}_{}\" {{\n", name_of(c.target), c.ports.from) +
             fmt::format("  load_balancer_arn = {}\n  port              = {}\n  protocol          = \"{}\"\n",
                         ref(c.target, "arn"), c.ports.from, c.value) +
             fmt::format("  default_action {{\n    type             = \"forward\"\n    target_group_arn = {}\n  }}\n",
                         c.peer ? ref(*c.peer, "arn") : "\"\"") +
             "}\n";
    case model::Change::Kind::kAddInternetGateway:
      return where(c.target) + why +
             fmt::format("resource \"aws_internet_gateway\" \"{}\" {{\n  vpc_id = {}\n}}\n", name_of(c.target),
                         ref(c.target));
    case model::Change::Kind::kAddElasticIp:
      return where(c.target) + why +
             fmt::format("resource \"aws_eip\" \"{}\" {{\n  domain = \"vpc\"\n  {} = {}\n}}\n", name_of(c.target),
                         c.attribute == "InstanceId" ? "instance         " : "network_interface", ref(c.target));
    case model::Change::Kind::kAddPeeringConnection:
      return where(c.target) + why +
             fmt::format("resource \"aws_vpc_peering_connection\" \"{}_{}\" {{\n", name_of(c.target),
                         c.peer ? name_of(*c.peer) : "peer") +
             fmt::format("  vpc_id      = {}\n  peer_vpc_id = {}\n  auto_accept = true\n}}\n", ref(c.target),
                         c.peer ? ref(*c.peer) : "\"\"");
    case model::Change::Kind::kSetLoadBalancerSubnets: {
      std::string out = where(c.target) + why;
      std::vector<std::string> names;
      for (const auto& r : c.subnets) names.push_back(ref(r));
      for (size_t i = 0; i < c.new_subnets.size(); ++i) {
        const auto& ns = c.new_subnets[i];
        std::string n = fmt::format("{}_public_{}", name_of(c.target), i + 1);
        out += fmt::format("resource \"aws_subnet\" \"{}\" {{\n  vpc_id            = {}\n  cidr_block        = \"{}\"\n"
                           "  availability_zone = {}\n}}\n",
                           n, ref(ns.like, "vpc_id"), ns.cidr.str(), ref(ns.like, "availability_zone"));
        out += fmt::format("resource \"aws_route_table_association\" \"{}\" {{\n  subnet_id      = aws_subnet.{}.id\n"
                           "  route_table_id = {}\n}}\n",
                           n, n, ref(ns.route_table));
        names.push_back("aws_subnet." + n + ".id");
      }
      std::string list;
      for (const auto& x : names) list += (list.empty() ? "" : ", ") + x;
      return out + "# set in its resource block:\n  subnets = [" + list + "]\n";
    }
    case model::Change::Kind::kAddTransitGatewayPropagation:
    case model::Change::Kind::kAddTransitGatewayAssociation: {
      bool prop = c.kind == model::Change::Kind::kAddTransitGatewayPropagation;
      return where(c.target) + why +
             fmt::format("resource \"aws_ec2_transit_gateway_route_table_{}\" \"{}_{}\" {{\n",
                         prop ? "propagation" : "association", name_of(c.target), c.peer ? name_of(*c.peer) : "attachment") +
             fmt::format("  transit_gateway_route_table_id = {}\n  transit_gateway_attachment_id  = {}\n}}\n",
                         ref(c.target), c.peer ? ref(*c.peer) : "\"\"");
    }
    case model::Change::Kind::kSetProperty:
      return where(c.target) + why + "# set in its resource block:\n" +
             fmt::format("  {} = {}\n", argument_name(c.attribute),
                         c.value.empty() && c.peer ? ref(*c.peer) : c.value);
    case model::Change::Kind::kAssociateHostedZone:
      return where(c.target) + why +
             fmt::format("resource \"aws_route53_zone_association\" \"{}_{}\" {{\n", name_of(c.target),
                         c.peer ? name_of(*c.peer) : "vpc") +
             fmt::format("  zone_id = {}\n  vpc_id  = {}\n", ref(c.target, "zone_id"),
                         c.peer ? ref(*c.peer) : "\"\"") +
             "}\n";
    case model::Change::Kind::kRemoveSecurityGroupRule:
      return where(c.target) + why + fmt::format("# remove the rule at {} from {}\n", c.rule_loc.str(),
                                                 c.target.origin.logical_id.empty() ? c.target.id
                                                                                    : c.target.origin.logical_id);
  }
  return {};
}

std::string in_terraform_terms(const std::string& text) {
  static const std::pair<const char*, const char*> phrases[] = {
      {"set AllocationId to an AWS::EC2::EIP", "set allocation_id to an aws_eip's id"},
      {"add an AWS::EC2::VPCGatewayAttachment", "set vpc_id on the aws_internet_gateway (or add an aws_internet_gateway_attachment)"},
      {"set PeerRoleArn, or `accepted: true` for the peering in the lab manifest",
       "set auto_accept = true (same account and region) or add an aws_vpc_peering_connection_accepter"},
      {"add an AWS::EC2::TransitGatewayVpcAttachment of this VPC (and DependsOn it)",
       "add an aws_ec2_transit_gateway_vpc_attachment of this VPC (and depends_on it in the aws_route)"},
      {"set DefaultRouteTableAssociation: disable on the transit gateway",
       "set transit_gateway_default_route_table_association = false on the aws_ec2_transit_gateway_vpc_attachment"},
      {"set DefaultRouteTablePropagation: disable on the transit gateway",
       "set transit_gateway_default_route_table_propagation = false on the aws_ec2_transit_gateway_vpc_attachment"},
      {"(DefaultRouteTablePropagation is enabled)", "(default_route_table_propagation is \"enable\")"},
      {"set AutoAcceptSharedAttachments: enable on the transit gateway",
       "set auto_accept_shared_attachments = \"enable\" on the aws_ec2_transit_gateway"},
      {"attach the VGW with an AWS::EC2::VPCGatewayAttachment (VpnGatewayId)",
       "set vpc_id on the aws_vpn_gateway (or add an aws_vpn_gateway_attachment)"},
      {"set StaticRoutesOnly: true on the connection", "set static_routes_only = true on the aws_vpn_connection"},
      {"AWS::EC2::TransitGatewayRouteTablePropagation", "aws_ec2_transit_gateway_route_table_propagation"},
      {"AWS::EC2::TransitGatewayRouteTableAssociation", "aws_ec2_transit_gateway_route_table_association"},
      {"AWS::EC2::TransitGatewayRouteTable", "aws_ec2_transit_gateway_route_table"},
      {"AWS::EC2::TransitGatewayRoute", "aws_ec2_transit_gateway_route"},
      {"AWS::EC2::VPCCidrBlock", "aws_vpc_ipv4_cidr_block_association"},
      {"AWS::EC2::EIP", "aws_eip"},
      {"AWS::EC2::SecurityGroupIngress", "aws_vpc_security_group_ingress_rule"},
      {"AWS::EC2::SecurityGroupEgress", "aws_vpc_security_group_egress_rule"},
  };
  std::string out = text;
  for (const auto& [cfn, tf] : phrases)
    for (size_t at = out.find(cfn); at != std::string::npos; at = out.find(cfn, at + std::string(tf).size()))
      out.replace(at, std::string(cfn).size(), tf);
  // "EnableDnsSupport: true" -> "enable_dns_support = true"; "whose EnableDnsSupport is" -> argument.
  static const std::regex prop(R"(\b(Enable[A-Z][A-Za-z]+|MapPublicIpOnLaunch|SourceDestCheck|AssociatePublicIpAddress)(: )?)");
  std::string result;
  auto begin = std::sregex_iterator(out.begin(), out.end(), prop);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    result += out.substr(last, static_cast<size_t>(m.position()) - last);
    result += argument_name(m[1].str()) + (m[2].matched ? " = " : "");
    last = static_cast<size_t>(m.position() + m.length());
  }
  result += out.substr(last);
  return result;
}

void use_terraform_terms(Diagnostics& diags) {
  Diagnostics out;
  for (Diagnostic d : diags.items()) {
    if (read_as_terraform(d.loc.file)) {
      d.message = in_terraform_terms(d.message);
      d.fix = in_terraform_terms(d.fix);
    }
    out.add(std::move(d));
  }
  diags = std::move(out);
}

}  // namespace vpclab::terraform
