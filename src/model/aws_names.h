// Names AWS derives: EC2 private/public DNS names, ELB DNS names and
// canonical hosted zones, load balancer and target group ARNs.
#pragma once
#include <string>

#include "model/network.h"

namespace vpclab::model {

// Names AWS derives, shared by the front ends (which need them at Ref/GetAtt
// time, before finalize) and finalize() (which fills what is still empty).
//
// Private DNS name: ip-10-2-1-10.REGION.compute.internal (us-east-1:
// ip-10-2-1-10.ec2.internal).
std::string private_dns_name(Ipv4Address a, const std::string& region);
// Public DNS name: ec2-203-0-113-5.REGION.compute.amazonaws.com (us-east-1:
// ec2-203-0-113-5.compute-1.amazonaws.com).
std::string public_dns_name(Ipv4Address a, const std::string& region);
// Route 53 zone id of ELB DNS names in a region ("application"/"network");
// empty for an unknown region.
std::string elb_canonical_hosted_zone_id(const std::string& region, const std::string& lb_type);
// Fills lb.arn (when empty), full_name, dns_name and canonical_hosted_zone_id
// from lb.name, lb.type, lb.internal and the account/region:
// arn:aws:elasticloadbalancing:REGION:ACCT:loadbalancer/app/NAME/<16 hex>,
// [internal-]NAME-<10 digits>.REGION.elb.amazonaws.com. Deterministic.
void assign_load_balancer_names(LoadBalancer& lb, const std::string& account, const std::string& region);
// Same for a target group: arn (when empty) and full_name targetgroup/NAME/<16 hex>.
void assign_target_group_names(TargetGroup& tg, const std::string& account, const std::string& region);
// arn:aws:autoscaling:REGION:ACCT:autoScalingGroup:<uuid>:autoScalingGroupName/NAME; deterministic.
std::string auto_scaling_group_arn(const std::string& name, const std::string& account, const std::string& region);

}  // namespace vpclab::model
