// VPC endpoint rules (semantics/vpc_endpoint.h): service names, the
// AWS-managed prefix lists of the gateway services, what a gateway endpoint
// carries, one subnet per zone; and the DNS rule for endpoint private DNS
// (semantics/vpc_dns.h): the service's public name answers the endpoint's
// interfaces in its VPC only, public DNS the stand-in address.
#include <gtest/gtest.h>

#include "semantics/vpc_dns.h"
#include "semantics/vpc_endpoint.h"

using namespace vpclab;
using namespace vpclab::semantics;

namespace {
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
Ipv4Cidr cidr(const char* s) { return *Ipv4Cidr::parse(s); }
}  // namespace

TEST(VpcEndpointRules, ServiceNames) {
  auto s3 = parse_service_name("com.amazonaws.us-east-1.s3");
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->region, "us-east-1");
  EXPECT_EQ(s3->service, "s3");
  EXPECT_TRUE(has_gateway_endpoint(*s3));
  auto ecr = parse_service_name("com.amazonaws.eu-west-1.ecr.dkr");
  ASSERT_TRUE(ecr);
  EXPECT_EQ(ecr->service, "ecr.dkr");
  EXPECT_FALSE(has_gateway_endpoint(*ecr));
  EXPECT_EQ(service_public_dns_name(*ecr), "ecr.dkr.eu-west-1.amazonaws.com");
  auto svc = parse_service_name("com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0");
  ASSERT_TRUE(svc);
  EXPECT_TRUE(svc->endpoint_service);
  EXPECT_FALSE(has_gateway_endpoint(*svc));
  EXPECT_TRUE(parse_service_name("aws.sagemaker.us-west-2.notebook"));
  EXPECT_TRUE(has_gateway_endpoint(*parse_service_name("com.amazonaws.us-east-1.s3express")));
  EXPECT_FALSE(aws_managed_prefix_list(*parse_service_name("com.amazonaws.us-east-1.s3express"))->confirmed);
  for (const char* bad : {"s3.amazonaws.com", "com.amazonaws.s3", "com.amazonaws.nowhere.s3", "com.amazonaws.us-east-1.",
                          "com.amazonaws.vpce.us-east-1.svc-1", ""})
    EXPECT_FALSE(parse_service_name(bad)) << bad;
  EXPECT_EQ(parse_vpc_endpoint_type("Interface"), VpcEndpointType::kInterface);
  EXPECT_FALSE(parse_vpc_endpoint_type("interface"));
}

TEST(VpcEndpointRules, ManagedPrefixListsPerRegion) {
  // us-east-1: AWS's ids and CIDRs (Batfish's recorded PrefixLists.json).
  auto s3 = aws_managed_prefix_list({"us-east-1", "s3", false});
  ASSERT_TRUE(s3);
  EXPECT_TRUE(s3->confirmed);
  EXPECT_EQ(s3->id, "pl-63a5400a");
  EXPECT_EQ(s3->name, "com.amazonaws.us-east-1.s3");
  EXPECT_EQ(s3->cidrs.size(), 4u);
  auto ddb = aws_managed_prefix_list({"us-east-1", "dynamodb", false});
  ASSERT_TRUE(ddb);
  EXPECT_EQ(ddb->id, "pl-02cd2c6b");
  // Elsewhere: stand-ins, the same on every call, distinct per Region and service, public space.
  auto tokyo = aws_managed_prefix_list({"ap-northeast-1", "s3", false});
  auto tokyo2 = aws_managed_prefix_list({"ap-northeast-1", "s3", false});
  auto osaka = aws_managed_prefix_list({"ap-northeast-3", "s3", false});
  auto tokyo_ddb = aws_managed_prefix_list({"ap-northeast-1", "dynamodb", false});
  ASSERT_TRUE(tokyo && tokyo2 && osaka && tokyo_ddb);
  EXPECT_FALSE(tokyo->confirmed);
  EXPECT_EQ(tokyo->id, tokyo2->id);
  EXPECT_EQ(tokyo->cidrs, tokyo2->cidrs);
  EXPECT_EQ(tokyo->id.size(), 11u);  // pl- and 8 hex digits, as AWS's
  EXPECT_NE(tokyo->id, osaka->id);
  EXPECT_NE(tokyo->cidrs, osaka->cidrs);
  EXPECT_NE(tokyo->cidrs, tokyo_ddb->cidrs);
  EXPECT_FALSE(is_private_or_shared(tokyo->cidrs.front().base));
  EXPECT_FALSE(aws_managed_prefix_list({"us-east-1", "sqs", false}));
  // The stand-in public address: the first entry's base + 10, inside the list.
  EXPECT_EQ(service_public_address(s3->cidrs), ip("54.231.0.10"));
  EXPECT_TRUE(s3->cidrs.front().contains(service_public_address(s3->cidrs)));
}

TEST(VpcEndpointRules, GatewayEndpointCarriesTcpAndIcmpFromItsVpc) {
  EXPECT_TRUE(gateway_endpoint_forwards_protocol(kTcp));
  EXPECT_TRUE(gateway_endpoint_forwards_protocol(kIcmp));
  EXPECT_FALSE(gateway_endpoint_forwards_protocol(kUdp));
  EXPECT_FALSE(gateway_endpoint_forwards_protocol(0));
  std::vector<Ipv4Cidr> vpc{cidr("10.1.0.0/16"), cidr("100.64.0.0/24")};
  EXPECT_TRUE(gateway_endpoint_accepts(vpc, ip("10.1.2.3")));
  EXPECT_TRUE(gateway_endpoint_accepts(vpc, ip("100.64.0.9")));
  EXPECT_FALSE(gateway_endpoint_accepts(vpc, ip("10.2.0.5")));  // a peered VPC's client
}

TEST(VpcEndpointRules, OneSubnetPerZone) {
  EXPECT_FALSE(second_subnet_in_zone({"ap-northeast-1a", "ap-northeast-1c"}));
  EXPECT_EQ(second_subnet_in_zone({"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1a"}), 2u);
  EXPECT_FALSE(second_subnet_in_zone({"", ""}));  // unknown subnets are reported elsewhere
}

TEST(VpcEndpointDns, PrivateDnsInItsVpcPublicNameElsewhere) {
  DnsFacts f;
  f.vpcs = {{"vpc-bar", true, true}, {"vpc-foo", true, true}, {"vpc-nohost", true, false}};
  f.services = {{"sqs.us-east-1.amazonaws.com", "vpc-bar", {ip("10.1.1.5"), ip("10.1.2.4")}, "vpce-1"},
                {"sqs.us-east-1.amazonaws.com", "vpc-nohost", {ip("10.5.1.5")}, "vpce-2"},
                {"s3.us-east-1.amazonaws.com", "", {ip("54.231.0.10")}, "pl-63a5400a"}};
  VpcDns d(f);
  auto bar = d.resolve("vpc-bar", "sqs.us-east-1.amazonaws.com", "A", true);
  EXPECT_EQ(bar.addresses(), (std::vector<Ipv4Address>{ip("10.1.1.5"), ip("10.1.2.4")}));
  ASSERT_EQ(bar.steps.size(), 1u);
  EXPECT_EQ(bar.steps[0].rule, DnsRule::kEndpointPrivateDns);
  EXPECT_EQ(bar.steps[0].service, 0);
  // Another VPC, the internet, and a VPC without DNS hostnames: not the endpoint's addresses.
  for (const char* vpc : {"vpc-foo", "", "vpc-nohost"}) {
    auto other = d.resolve(vpc, "sqs.us-east-1.amazonaws.com", "A");
    EXPECT_TRUE(other.addresses().empty()) << vpc;
    EXPECT_EQ(other.rcode, DnsRcode::kNxDomain) << vpc;  // under amazonaws.com, which AWS answers
  }
  for (const char* vpc : {"vpc-bar", ""}) {
    auto s3 = d.resolve(vpc, "S3.us-east-1.amazonaws.com.", "A", true);
    EXPECT_EQ(s3.addresses(), std::vector<Ipv4Address>{ip("54.231.0.10")}) << vpc;
    ASSERT_EQ(s3.steps.size(), 1u);
    EXPECT_EQ(s3.steps[0].rule, DnsRule::kServicePublicName);
  }
}
