// Which security groups filter a network interface (aws-vpc.md section 4):
// the groups it was given; none given, the VPC's default group, except for
// interfaces AWS manages without groups: a NAT gateway's never has one, and
// a Network or Gateway Load Balancer node has only the groups its load
// balancer was created with (none: nothing filters it). An Application Load
// Balancer node without groups gets the VPC's default group like an instance.
#pragma once
#include <string>
#include <vector>

namespace vpclab::semantics {

// Who owns the interface, as far as this rule cares.
enum class EniSecurityGroupOwner {
  kInstanceOrStandalone,
  kApplicationLoadBalancer,
  kOtherLoadBalancer,  // network, gateway
  kNatGateway,
};

// The groups that filter the interface's traffic; empty when nothing filters it.
std::vector<std::string> eni_security_groups(EniSecurityGroupOwner owner, const std::vector<std::string>& declared,
                                             const std::string& vpc_default_group);

}  // namespace vpclab::semantics

namespace vpclab::semantics {

// Whether an instance's interface gets a public IPv4 address at launch
// (aws-vpc.md section 4): the launch request's AssociatePublicIpAddress
// (Terraform: associate_public_ip_address) when given, else the subnet's
// MapPublicIpOnLaunch, which applies only to a launch with one interface;
// only device 0 can get one.
bool public_ip_at_launch(int device_index, bool has_setting, bool setting, bool subnet_maps_public,
                         size_t interfaces_at_launch);

}  // namespace vpclab::semantics
