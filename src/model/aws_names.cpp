// Names AWS derives for resources: EC2 DNS names, ELB DNS names, hosted
// zone ids and ARNs (the ids themselves come from vocab/aws_id.h).
#include "model/aws_names.h"

#include <fmt/format.h>

#include <algorithm>

#include "vocab/aws_id.h"

namespace vpclab::model {

namespace {
std::string dashed(Ipv4Address a) {
  std::string s = a.str();
  std::replace(s.begin(), s.end(), '.', '-');
  return s;
}
}  // namespace

std::string private_dns_name(Ipv4Address a, const std::string& region) {
  if (region == "us-east-1") return "ip-" + dashed(a) + ".ec2.internal";
  return "ip-" + dashed(a) + "." + region + ".compute.internal";
}

std::string public_dns_name(Ipv4Address a, const std::string& region) {
  if (region == "us-east-1") return "ec2-" + dashed(a) + ".compute-1.amazonaws.com";
  return "ec2-" + dashed(a) + "." + region + ".compute.amazonaws.com";
}

std::string elb_canonical_hosted_zone_id(const std::string& region, const std::string& lb_type) {
  // ELB service endpoints table (AWS General Reference): {ALB/CLB, NLB}.
  struct Row {
    const char* region;
    const char* alb;
    const char* nlb;
  };
  static const Row kRows[] = {
      {"af-south-1", "Z268VQBMOI5EKX", "Z203XCE67M25HM"},
      {"ap-east-1", "Z3DQVH9N71FHZ0", "Z12Y7K3UBGUAD1"},
      {"ap-northeast-1", "Z14GRHDCWA56QT", "Z31USIVHYNEOWT"},
      {"ap-northeast-2", "ZWKZPGTI48KDX", "ZIBE1TIR4HY56"},
      {"ap-northeast-3", "Z5LXEXXYW11ES", "Z1GWIQ4HH19I5X"},
      {"ap-south-1", "ZP97RAFLXTNZK", "ZVDDRBQ08TROA"},
      {"ap-southeast-1", "Z1LMS91P8CMLE5", "ZKVM4W9LS7TM"},
      {"ap-southeast-2", "Z1GM3OXH4ZPM65", "ZCT6FZBF4DROD"},
      {"ca-central-1", "ZQSVJUPU6J1EY", "Z2EPGBW3API2WT"},
      {"cn-north-1", "Z1GDH35T77C1KE", "Z3QFB96KMJ7ED6"},
      {"cn-northwest-1", "ZM7IZAIOVVDZF", "ZQEIKTCZ8352D"},
      {"eu-central-1", "Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"},
      {"eu-north-1", "Z23TAZ6LKFMNIO", "Z1UDT6IFJ4EJM"},
      {"eu-south-1", "Z3ULH7SSC9OV64", "Z23146JA1KNAFP"},
      {"eu-west-1", "Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"},
      {"eu-west-2", "ZHURV8PSTC4K8", "ZD4D7Y8KGAS4G"},
      {"eu-west-3", "Z3Q77PNBQS71R4", "Z1CMS0P5QUZ6D5"},
      {"me-south-1", "ZS929ML54UICD", "Z3QSRYVP46NYYV"},
      {"sa-east-1", "Z2P70J7HTTTPLU", "ZTK26PT1VY4CU"},
      {"us-east-1", "Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"},
      {"us-east-2", "Z3AADJGX6KTTL2", "ZLMOA37VPKANP"},
      {"us-gov-east-1", "Z166TLBEWOO7G0", "Z1ZSMQQ6Q24QQ8"},
      {"us-gov-west-1", "Z33AYJ8TM3BH4J", "ZMG1MZ2THAWF1"},
      {"us-west-1", "Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"},
      {"us-west-2", "Z1H1FL5HABSF5", "Z18D5FSROUN65G"},
  };
  for (const auto& r : kRows)
    if (region == r.region) return lb_type == "network" ? r.nlb : r.alb;
  return {};
}


void assign_load_balancer_names(LoadBalancer& lb, const std::string& account, const std::string& region) {
  if (lb.arn.empty()) lb.arn = aws_id::load_balancer_arn(region, account, lb.type, lb.name);
  if (lb.full_name.empty()) lb.full_name = aws_id::load_balancer_full_name(lb.arn);
  if (lb.dns_name.empty()) {
    // NLBs use NAME-<hex>.elb.REGION.amazonaws.com, internal ones too (a real
    // describe-load-balancers: Batfish's test-load-balancer snapshot); ALBs
    // the form below, internal- first when internal.
    const char* internal = lb.internal ? "internal-" : "";
    if (lb.type == "network")
      lb.dns_name = fmt::format("{}-{}.elb.{}.amazonaws.com", lb.name,
                                aws_id::stable_hex(16, {account, region, "nlb-dns", lb.name}), region);
    else
      lb.dns_name = fmt::format("{}{}-{}.{}.elb.amazonaws.com", internal, lb.name,
                                aws_id::stable_digits(10, {account, region, "lb-dns", lb.name}), region);
  }
  if (lb.canonical_hosted_zone_id.empty())
    lb.canonical_hosted_zone_id = elb_canonical_hosted_zone_id(region, lb.type);
}

void assign_target_group_names(TargetGroup& tg, const std::string& account, const std::string& region) {
  if (tg.arn.empty()) tg.arn = aws_id::target_group_arn(region, account, tg.name);
  if (tg.full_name.rfind("targetgroup/", 0) != 0) tg.full_name = aws_id::target_group_full_name(tg.arn);
}

std::string auto_scaling_group_arn(const std::string& name, const std::string& account, const std::string& region) {
  std::string h = aws_id::stable_hex(32, {"autoScalingGroup", account, region, name});
  std::string uuid = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
  return "arn:aws:autoscaling:" + region + ":" + account + ":autoScalingGroup:" + uuid + ":autoScalingGroupName/" + name;
}

}  // namespace vpclab::model
