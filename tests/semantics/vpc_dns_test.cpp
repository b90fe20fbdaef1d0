// The VPC DNS view: every rule of semantics/vpc_dns.h, its order, and the
// reason it gives (what the analyzer renders as DNS hops).
#include <gtest/gtest.h>

#include "semantics/vpc_dns.h"

#include "../support/dns_records.h"

using namespace vpclab;
using namespace vpclab::semantics;

using vpclab::testing::alias;
using vpclab::testing::ip;
using vpclab::testing::rec;

namespace {

HostedZoneFacts zone(std::string id, std::string name, bool is_private, std::vector<std::string> vpcs,
                     std::vector<dns::Record> records) {
  return {std::move(id), std::move(name), is_private, std::move(vpcs), std::move(records)};
}

const char* kElb = "internal-foo-alb-1234567890.ap-northeast-1.elb.amazonaws.com";
const char* kPubElb = "web-1234567890.ap-northeast-1.elb.amazonaws.com";
const char* kFooPrivate = "ip-10-2-1-10.ap-northeast-1.compute.internal";
const char* kFooPublic = "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com";
const char* kBarPrivate = "ip-10-1-1-10.ap-northeast-1.compute.internal";

// The canonical scenario plus the corner cases: VPC bar associated with
// "home" (alb.home -> alias to foo's internal ALB) and the more specific
// "corp.home"; foo peered with bar, foo's side allowing DNS resolution.
DnsFacts scenario() {
  DnsFacts f;
  f.vpcs = {{"vpc-foo", true, true}, {"vpc-bar", true, true}, {"vpc-off", false, false},
            {"vpc-nohost", true, false}, {"vpc-baz", true, true}};
  f.hosts = {{"vpc-foo", ip("10.2.1.10"), kFooPrivate, ip("54.1.2.3"), kFooPublic, "i-foo"},
             {"vpc-bar", ip("10.1.1.10"), kBarPrivate, std::nullopt, "", "i-bar"},
             {"vpc-baz", ip("10.3.1.10"), "ip-10-3-1-10.ap-northeast-1.compute.internal", std::nullopt, "", "i-baz"}};
  f.peerings = {{"vpc-bar", "vpc-foo", false, true, "pcx-1"}};  // foo's side allows: bar sees foo privately
  f.zones = {
      zone("Zhome", "home", true, {"vpc-bar", "vpc-nohost"},
           {alias("alb.home", kElb), rec("www.home", "CNAME", {"alb.home"}), rec("txt.home", "TXT", {"\"hello world\""}),
            rec("a.b.home", "A", {"10.9.9.9"}), rec("*.wild.home", "A", {"10.8.8.8"}),
            rec("loop.home", "CNAME", {"loop.home"}), rec("ext.home", "CNAME", {"www.example.com"}),
            rec("pub.home", "A", {"10.7.7.7"})}),
      zone("Zcorp", "corp.home", true, {"vpc-bar"}, {rec("db.corp.home", "A", {"10.1.5.5"})}),
      zone("Zex", "example.com", false, {}, {rec("www.example.com", "A", {"198.51.100.7"}), alias("lb.example.com", kPubElb)}),
      zone("Zshadow", "corp.home", false, {}, {rec("web.corp.home", "A", {"203.0.113.80"})}),
      zone("Zfoo", "foo.internal", true, {"vpc-foo"}, {rec("db.foo.internal", "A", {"10.2.9.9"})}),
      // A private zone over the Amazon private names, associated with baz only.
      zone("Zci", "ap-northeast-1.compute.internal", true, {"vpc-baz"},
           {rec("custom.ap-northeast-1.compute.internal", "A", {"10.3.9.9"})}),
  };
  f.load_balancers = {{kElb, {ip("10.2.1.175"), ip("10.2.2.171")}, true, "arn:alb/foo"},
                      {kPubElb, {ip("52.0.0.5")}, false, "arn:alb/web"},
                      {"empty-1.ap-northeast-1.elb.amazonaws.com", {}, false, "arn:alb/empty"}};
  return f;
}

std::vector<std::string> values(const DnsAnswer& a, const char* type = "A") {
  std::vector<std::string> v;
  for (const auto& r : a.answers)
    if (r.type == type) v.push_back(r.value);
  return v;
}

std::vector<DnsRule> rules(const DnsAnswer& a) {
  std::vector<DnsRule> r;
  for (const auto& s : a.steps) r.push_back(s.rule);
  return r;
}

struct Case {
  const char* vpc;  // "" = the internet
  const char* name;
  const char* type;
  DnsRcode rcode;
  std::vector<std::string> want;  // values of `type` records
  std::vector<DnsRule> why;       // the steps' rules
};

class VpcDnsTable : public ::testing::TestWithParam<Case> {};

TEST_P(VpcDnsTable, AnswersAndReasons) {
  VpcDns d(scenario());
  const Case& c = GetParam();
  DnsAnswer a = d.resolve(c.vpc, c.name, c.type, true);
  ASSERT_FALSE(a.drop);
  EXPECT_EQ(rcode_name(a.rcode), std::string(rcode_name(c.rcode))) << c.vpc << " " << c.name;
  EXPECT_EQ(values(a, c.type), c.want) << c.vpc << " " << c.name;
  EXPECT_EQ(rules(a), c.why) << c.vpc << " " << c.name;
  // The reason never changes the answer.
  DnsAnswer quiet = d.resolve(c.vpc, c.name, c.type, false);
  EXPECT_TRUE(quiet.steps.empty());
  EXPECT_EQ(quiet.rcode, a.rcode);
  EXPECT_EQ(values(quiet, c.type), values(a, c.type));
}

using R = DnsRule;
constexpr auto kOk = DnsRcode::kNoError;
constexpr auto kNx = DnsRcode::kNxDomain;

INSTANTIATE_TEST_SUITE_P(
    Rules, VpcDnsTable,
    ::testing::Values(
        // alias to the internal ALB, flattened to the nodes' private IPs
        Case{"vpc-bar", "alb.home", "A", kOk, {"10.2.1.175", "10.2.2.171"}, {R::kPrivateZone, R::kAlias, R::kLoadBalancer}},
        Case{"vpc-bar", "ALB.Home.", "A", kOk, {"10.2.1.175", "10.2.2.171"}, {R::kPrivateZone, R::kAlias, R::kLoadBalancer}},
        // CNAME then alias
        Case{"vpc-bar", "www.home", "A", kOk, {"10.2.1.175", "10.2.2.171"},
             {R::kPrivateZone, R::kCname, R::kPrivateZone, R::kAlias, R::kLoadBalancer}},
        // a CNAME out of the private zone is resolved again from the client: public DNS
        Case{"vpc-bar", "ext.home", "A", kOk, {"198.51.100.7"}, {R::kPrivateZone, R::kCname, R::kPublicZone, R::kRecord}},
        Case{"vpc-bar", "txt.home", "TXT", kOk, {"hello world"}, {R::kPrivateZone, R::kRecord}},
        // the matching zone lacks the name: NXDOMAIN, no fallback to public DNS
        Case{"vpc-bar", "nothere.home", "A", kNx, {}, {R::kZoneLacksName}},
        // empty non-terminal, and a name without the asked type: NODATA
        Case{"vpc-bar", "b.home", "A", kOk, {}, {R::kZoneLacksName}},
        Case{"vpc-bar", "a.b.home", "AAAA", kOk, {}, {R::kZoneLacksName}},
        Case{"vpc-bar", "x.wild.home", "A", kOk, {"10.8.8.8"}, {R::kPrivateZone, R::kRecord}},
        // overlapping private zones: the most specific answers, not home nor public
        Case{"vpc-bar", "db.corp.home", "A", kOk, {"10.1.5.5"}, {R::kPrivateZone, R::kRecord}},
        Case{"vpc-bar", "web.corp.home", "A", kNx, {}, {R::kZoneLacksName}},
        // foo is not associated with "home": public DNS, which has a zone named like it
        Case{"vpc-foo", "web.corp.home", "A", kOk, {"203.0.113.80"}, {R::kPublicZone, R::kRecord}},
        Case{"vpc-foo", "alb.home", "A", kNx, {}, {R::kNotAssociated}},
        Case{"vpc-foo", "db.foo.internal", "A", kOk, {"10.2.9.9"}, {R::kPrivateZone, R::kRecord}},
        Case{"vpc-bar", "db.foo.internal", "A", kNx, {}, {R::kNotAssociated}},
        // ELB names are public: an internal ALB's to private IPs, dualstack. too
        Case{"vpc-foo", kElb, "A", kOk, {"10.2.1.175", "10.2.2.171"}, {R::kLoadBalancer}},
        Case{"", kElb, "A", kOk, {"10.2.1.175", "10.2.2.171"}, {R::kLoadBalancer}},
        Case{"vpc-bar", "dualstack.internal-foo-alb-1234567890.ap-northeast-1.elb.amazonaws.com", "A", kOk,
             {"10.2.1.175", "10.2.2.171"}, {R::kLoadBalancer}},
        Case{"", kPubElb, "A", kOk, {"52.0.0.5"}, {R::kLoadBalancer}},
        Case{"", "empty-1.ap-northeast-1.elb.amazonaws.com", "A", kNx, {}, {R::kLoadBalancer}},
        // a public zone's alias resolves on the public side
        Case{"", "lb.example.com", "A", kOk, {"52.0.0.5"}, {R::kPublicZone, R::kAlias, R::kLoadBalancer}},
        Case{"vpc-bar", "www.example.com", "A", kOk, {"198.51.100.7"}, {R::kPublicZone, R::kRecord}},
        Case{"vpc-bar", "nothere.example.com", "A", kNx, {}, {R::kZoneLacksName}},
        // Outside every zone of the lab and Amazon's domains: only the internet's DNS knows.
        Case{"", "nowhere.test", "A", DnsRcode::kServFail, {}, {R::kOutsideLab}},
        Case{"vpc-bar", "www.nowhere.test", "A", DnsRcode::kServFail, {}, {R::kOutsideLab}},
        // Under Amazon's own domains, nothing there: NXDOMAIN.
        Case{"", "gone-1.ap-northeast-1.elb.amazonaws.com", "A", kNx, {}, {R::kNxDomain}},
        // Amazon private hostnames: own VPC only (UNCONFIRMED)
        Case{"vpc-foo", kFooPrivate, "A", kOk, {"10.2.1.10"}, {R::kPrivateHostname}},
        Case{"vpc-foo", kFooPrivate, "AAAA", kOk, {}, {R::kPrivateHostname}},
        Case{"vpc-bar", kFooPrivate, "A", kNx, {}, {R::kPrivateHostnameOutOfScope}},
        Case{"", kFooPrivate, "A", kNx, {}, {R::kPrivateHostnameOutOfScope}},
        // split horizon of public hostnames
        Case{"vpc-foo", kFooPublic, "A", kOk, {"10.2.1.10"}, {R::kPublicHostnameSameVpc}},
        Case{"vpc-bar", kFooPublic, "A", kOk, {"10.2.1.10"}, {R::kPublicHostnameViaPeering}},
        Case{"vpc-baz", kFooPublic, "A", kOk, {"54.1.2.3"}, {R::kPublicHostnamePublicIp}},
        Case{"", kFooPublic, "A", kOk, {"54.1.2.3"}, {R::kPublicHostnamePublicIp}},
        // hostnames off: the associated zone does not answer (public DNS does),
        // and no Amazon names
        Case{"vpc-nohost", "alb.home", "A", kNx, {}, {R::kHostnamesDisabled, R::kNxDomain}},
        Case{"vpc-nohost", kFooPublic, "A", kOk, {"54.1.2.3"}, {R::kPublicHostnamePublicIp}},
        Case{"vpc-nohost", kElb, "A", kOk, {"10.2.1.175", "10.2.2.171"}, {R::kLoadBalancer}},
        // order: a private zone over compute.internal takes precedence over
        // the Amazon private names under it (UNCONFIRMED), with no fallback
        Case{"vpc-baz", "ip-10-3-1-10.ap-northeast-1.compute.internal", "A", kNx, {}, {R::kZoneLacksName}},
        Case{"vpc-baz", "custom.ap-northeast-1.compute.internal", "A", kOk, {"10.3.9.9"}, {R::kPrivateZone, R::kRecord}}));

TEST(VpcDns, CnameLoopIsServfailAtTheDepthLimit) {
  VpcDns d(scenario());
  DnsAnswer a = d.resolve("vpc-bar", "loop.home", "A", true);
  EXPECT_EQ(a.rcode, DnsRcode::kServFail);
  ASSERT_FALSE(a.steps.empty());
  EXPECT_EQ(a.steps.back().rule, DnsRule::kChainTooLong);
  // kMaxDepth + 1 CNAMEs were followed.
  EXPECT_EQ(a.answers.size(), static_cast<size_t>(VpcDns::kMaxDepth + 1));
}

TEST(VpcDns, ReasonNamesZoneRecordHostAndPeering) {
  VpcDns d(scenario());
  const DnsFacts& f = d.facts();
  DnsAnswer a = d.resolve("vpc-bar", "alb.home", "A", true);
  ASSERT_EQ(a.steps.size(), 3u);
  EXPECT_EQ(f.zones[static_cast<size_t>(a.steps[0].zone)].id, "Zhome");
  EXPECT_EQ(f.zones[0].records[static_cast<size_t>(a.steps[1].record)].name, "alb.home");
  EXPECT_EQ(a.steps[1].target, kElb);
  EXPECT_EQ(f.load_balancers[static_cast<size_t>(a.steps[2].load_balancer)].id, "arn:alb/foo");
  EXPECT_EQ(a.steps[2].values, (std::vector<std::string>{"10.2.1.175", "10.2.2.171"}));
  DnsAnswer p = d.resolve("vpc-bar", kFooPublic, "A", true);
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(f.peerings[static_cast<size_t>(p.steps[0].peering)].id, "pcx-1");
  EXPECT_EQ(f.hosts[static_cast<size_t>(p.steps[0].host)].instance, "i-foo");
}

TEST(VpcDns, AliasAnswersCarryElbTtlAndTheAliasName) {
  VpcDns d(scenario());
  DnsAnswer a = d.resolve("vpc-bar", "alb.home", "A");
  ASSERT_EQ(a.answers.size(), 2u);
  for (const auto& r : a.answers) {
    EXPECT_EQ(r.ttl, kElbAliasTtl);
    EXPECT_EQ(r.name, "alb.home");
  }
  DnsAnswer c = d.resolve("vpc-bar", "www.home", "A");
  ASSERT_EQ(c.answers.size(), 3u);
  EXPECT_EQ(c.answers[0].type, "CNAME");
  EXPECT_EQ(c.answers[0].value, "alb.home");
  EXPECT_EQ(c.addresses().size(), 2u);
}

TEST(VpcDns, DnsSupportOffAnswersNothing) {
  VpcDns d(scenario());
  DnsAnswer a = d.resolve("vpc-off", "alb.home", "A", true);
  EXPECT_TRUE(a.drop);
  EXPECT_EQ(rules(a), std::vector<DnsRule>{DnsRule::kResolverDisabled});
  EXPECT_TRUE(d.resolve("vpc-unknown", "alb.home", "A").drop);
  EXPECT_FALSE(d.knows_vpc("vpc-unknown"));
  EXPECT_TRUE(d.knows_vpc("vpc-off"));
}

TEST(VpcDns, PeeringDnsOptionIsPerSideAndNeedsBothVpcs) {
  DnsFacts f;
  f.vpcs = {{"vpc-a", true, true}, {"vpc-b", true, true}};
  f.hosts = {{"vpc-a", ip("10.0.0.10"), "", ip("54.0.0.1"), "ec2-a", "i-a"},
             {"vpc-b", ip("10.1.0.10"), "", ip("54.0.0.2"), "ec2-b", "i-b"}};
  f.peerings = {{"vpc-a", "vpc-b", true, false, "pcx-ab"}};  // only the requester (a) allows
  {
    VpcDns d(f);
    EXPECT_EQ(values(d.resolve("vpc-b", "ec2-a", "A")), std::vector<std::string>{"10.0.0.10"});
    EXPECT_EQ(values(d.resolve("vpc-a", "ec2-b", "A")), std::vector<std::string>{"54.0.0.2"});
  }
  // The querying VPC without hostnames: public answer.
  f.vpcs[1].enable_dns_hostnames = false;
  {
    VpcDns d(f);
    EXPECT_EQ(values(d.resolve("vpc-b", "ec2-a", "A")), std::vector<std::string>{"54.0.0.1"});
  }
  // The owner VPC without hostnames: public answer too.
  f.vpcs[1].enable_dns_hostnames = true;
  f.vpcs[0].enable_dns_hostnames = false;
  {
    VpcDns d(f);
    EXPECT_EQ(values(d.resolve("vpc-b", "ec2-a", "A")), std::vector<std::string>{"54.0.0.1"});
    // ... and its own instances' names are not Amazon-answered inside it.
    EXPECT_EQ(values(d.resolve("vpc-a", "ec2-a", "A")), std::vector<std::string>{"54.0.0.1"});
  }
}

TEST(VpcDns, ZonesOfTheSameNameTheFirstDeclaredWins) {
  DnsFacts f;
  f.vpcs = {{"vpc-a", true, true}};
  f.zones = {zone("Z1", "home", true, {"vpc-a"}, {rec("x.home", "A", {"10.0.0.1"})}),
             zone("Z2", "home", true, {"vpc-a"}, {rec("x.home", "A", {"10.0.0.2"}), rec("y.home", "A", {"10.0.0.3"})})};
  VpcDns d(f);
  EXPECT_EQ(values(d.resolve("vpc-a", "x.home", "A")), std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(d.resolve("vpc-a", "y.home", "A").rcode, DnsRcode::kNxDomain);  // no fallback to Z2
}

}  // namespace
