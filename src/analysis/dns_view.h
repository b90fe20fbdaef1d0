// The DNS facts of a model (semantics/vpc_dns.h): the one filling shared by
// the analyzer's DNS view and the lab's resolver (emulator/compile.cpp).
#pragma once
#include "model/network.h"
#include "semantics/vpc_dns.h"

namespace vpclab::analysis {

// Zones in the model's order (facts.zones[i] is net.hosted_zones[i]);
// instances that are not terminated; active peerings; load balancers with a
// DNS name, resolving to their nodes' public IPs (internal: private IPs).
semantics::DnsFacts dns_facts(const model::Network& net);

// S3's and DynamoDB's public side in each Region of the network's VPCs: the
// model's AWS-managed prefix list when it has one (a snapshot's), else AWS's
// known or stand-in list (semantics/vpc_endpoint.h), and the one address
// their public name answers. What dns_facts answers and the lab's service
// namespaces hold (emulator/compile_endpoints.cpp).
struct AwsServiceAddresses {
  std::string region, service;  // "us-east-1", "s3"
  std::string prefix_list;      // pl-
  std::string dns_name;         // s3.us-east-1.amazonaws.com
  std::vector<Ipv4Cidr> cidrs;  // not empty
  Ipv4Address public_address;
};
std::vector<AwsServiceAddresses> aws_service_addresses(const model::Network& net);

}  // namespace vpclab::analysis
