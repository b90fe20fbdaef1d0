#include "analysis/explanation.h"

namespace vpclab::analysis {

const std::vector<CodeInfo>& all_codes() {
  static const std::vector<CodeInfo> kCodes{
      // Reachability Analyzer names.
      {"NO_ROUTE_TO_DESTINATION", "The route table of the subnet has no route for the destination address.",
       "Add a route for the destination CIDR to the subnet's route table.", true, false},
      {"BAD_STATE_ROUTE", "The matching route is a blackhole: its target does not exist or is not attached.",
       "Point the route at an existing, attached target or delete it.", true, false},
      {"ENI_SG_RULES_MISMATCH", "No security-group rule on the network interface allows the traffic.",
       "Add an inbound (or outbound) rule for the protocol, port and peer to one of the interface's groups.",
       true, false},
      {"SUBNET_ACL_RESTRICTION", "The subnet's network ACL denies the traffic (an explicit deny or the final * deny).",
       "Add an allow entry with a lower rule number for the protocol, port range and CIDR.", true, false},
      {"PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
       "A packet may cross a peering only if its source is in the sending VPC and its destination in the receiving VPC (no transit).",
       "Peer the two VPCs directly (or use a transit gateway); peering is not transitive.", true, false},
      {"BAD_STATE", "A component on the path is not in a functional state (peering not active, instance stopped).",
       "Bring the component into a working state (accept the peering, start the instance).", true, false},
      {"IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
       "Traffic leaves through an internet gateway but the sender has no public or Elastic IP.",
       "Give the interface a public IP (MapPublicIpOnLaunch, AssociatePublicIpAddress, an EIP) or route through a NAT gateway.",
       true, false},
      {"NGW_REQUIRES_SOURCE_IN_VPC", "A NAT gateway only translates traffic from its own VPC (not over peering).",
       "Create a NAT gateway in the source's VPC and route 0.0.0.0/0 to it.", true, false},
      {"ELBV2_LISTENER_PORT_RESTRICTION", "The load balancer has no listener on the destination port.",
       "Add a listener on that port, or connect to a port the load balancer listens on.", true, false},
      {"ELBV2_LISTENER_HAS_NO_TG", "The matched listener rule forwards to no (existing) target group.",
       "Give the rule's forward action an existing target group.", true, false},
      {"TARGET_PORT_RESTRICTION",
       "The load balancer cannot reach any target on the target group's traffic port (see the target legs for the blocking component).",
       "Allow the traffic port from the load balancer's security group in the targets' group (and NACLs/routes).",
       true, false},
      {"DISCONNECTED_VPCS", "The destination lies in another VPC and nothing connects the two VPCs.",
       "Create a VPC peering connection and add routes on both sides.", true, false},
      {"UNKNOWN_DESTINATION", "No interface holds the destination address in the VPC the packet reaches.",
       "Check the address: no instance, load balancer node or NAT gateway uses it.", true, false},
      {"PROTOCOL_RESTRICTION",
       "The component does not accept this protocol (an ALB accepts TCP only; a NAT gateway forwards TCP, UDP and ICMP only).",
       "Use TCP (HTTP/HTTPS) towards an Application Load Balancer; other protocols need a public IP instead of a NAT gateway.",
       true, false},
      // vpclab's own codes.
      {"DNS_RESOLUTION_DISABLED", "The source VPC has EnableDnsSupport false: its resolver answers nothing.",
       "Set EnableDnsSupport: true on the source VPC.", false, false},
      {"DNS_HOSTNAMES_DISABLED",
       "The source VPC has EnableDnsHostnames false: private hosted zones and Amazon private hostnames do not resolve there.",
       "Set EnableDnsHostnames: true on the source VPC.", false, false},
      {"DNS_NXDOMAIN",
       "The name does not exist for the source: the most specific associated private zone lacks the record, or no zone or Amazon-provided name of the network has it.",
       "Add the record to the zone that answers for the source's VPC, or fix the name.", false, false},
      {"DNS_NAME_OUTSIDE_LAB",
       "The name is in no hosted zone of the network and is no Amazon-provided name: its address comes from the internet's DNS, which is not modelled (undecidable).",
       "Trace an address (or --to internet), or add the zone that holds the name to the lab.", false, true},
      {"DNS_ZONE_NOT_ASSOCIATED",
       "The name exists only in a private hosted zone that is not associated with the source's VPC.",
       "Associate the hosted zone with the source's VPC (VPCs property; cross-account: authorize the association).",
       false, false},
      {"IGW_PRIVATE_DESTINATION", "An internet gateway drops traffic to RFC 1918 / RFC 6598 addresses.",
       "Reach private addresses through peering or a VPN, not the internet gateway.", false, false},
      {"NO_INTERNET_GATEWAY", "The destination's VPC has no internet gateway attached, so its public addresses are unreachable.",
       "Attach an internet gateway (AWS::EC2::VPCGatewayAttachment) and route 0.0.0.0/0 to it.", false, false},
      {"DESTINATION_NOT_PUBLIC", "The source is on the internet and the destination has no public IP.",
       "Give the destination a public IP or an EIP, or put an internet-facing load balancer in front of it.",
       false, false},
      {"RETURN_ROUTE_MISMATCH",
       "Replies do not go back the way the request came (e.g. through a NAT gateway or to another place), so the client drops them.",
       "Route the client's address back through the component the request used (usually the same IGW or peering).",
       false, false},
      {"NGW_NO_INBOUND", "A NAT gateway only translates connections its VPC opens; it accepts none from outside.",
       "Expose the service through an internet-facing load balancer or an instance with a public IP.", false, false},
      {"ELBV2_NO_REGISTERED_TARGETS", "The target group has no registered targets: the load balancer answers 503.",
       "Register targets in the target group.", false, false},
      {"ELBV2_HEALTH_CHECK_BLOCKED",
       "Health checks cannot reach the target on the health-check port, so it is unhealthy (traffic may still flow fail-open).",
       "Allow the health-check port from the load balancer's security group in the targets' group.", false, false},
      {"UNMODELED_COMPONENT",
       "The path crosses a component vpclab does not model (transit gateway, VPN, endpoint, appliance ENI, NLB): undecidable.",
       "Check that hop by hand or with Reachability Analyzer.", false, true},
  };
  return kCodes;
}

const CodeInfo* code_info(std::string_view code) {
  for (const auto& c : all_codes())
    if (code == c.code) return &c;
  return nullptr;
}

}  // namespace vpclab::analysis
