// Amazon EC2 Auto Scaling rules (AWS: "Auto Scaling group Availability Zone
// distribution", ec2-auto-scaling-availability-zone-balanced.html, and
// "Health checks for instances in an Auto Scaling group", healthcheck.html):
// - a group starts with DesiredCapacity instances, MinSize when no desired
//   capacity is given (CloudFormation's default);
// - it keeps an equal number of instances in each enabled Availability Zone
//   (balanced best effort, the default strategy);
// - an instance that terminates is replaced to keep the desired capacity,
//   the new one launched where the balance needs it.
// vpclab's deterministic choice (AWS does not publish the order): the
// initial members go round-robin over the AZs in the order their first
// subnet appears in VPCZoneIdentifier, and over the subnets of one AZ in
// that order; a replacement goes to the AZ with the fewest running members
// (the first such AZ in that order), to its subnet with the fewest.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace vpclab::semantics {

// The number of instances the group launches at creation.
long auto_scaling_initial_capacity(std::optional<long> desired_capacity, long min_size);

// The subnet (index into `subnet_azs`, the AZ of each subnet of
// VPCZoneIdentifier in order) of each of `count` initial members.
std::vector<size_t> auto_scaling_placement(const std::vector<std::string>& subnet_azs, size_t count);

// The subnet of the member launched to replace a terminated one, given the
// subnets of the members still running; nullopt when the group has no subnet.
std::optional<size_t> auto_scaling_replacement_subnet(const std::vector<std::string>& subnet_azs,
                                                      const std::vector<size_t>& running_member_subnets);

// The launch template version a group launches: "$Latest", "$Default" or a
// number (CloudFormation's Version; absent means $Default). nullopt when the
// number is not a version of the template (1..latest).
std::optional<long> launch_template_version(const std::string& requested, long default_version, long latest_version);

}  // namespace vpclab::semantics
