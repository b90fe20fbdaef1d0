// The resolver's decisions without sockets: what a VPC's resolver answers.
#include <gtest/gtest.h>

#include <ldns/ldns.h>

#include "dataplane/dns/resolver.h"

#include "../support/dns_records.h"

using namespace vpclab;
using namespace vpclab::dataplane;

using vpclab::testing::alias;
using vpclab::testing::ip;
using vpclab::testing::rec;

namespace {

const char* kElb = "internal-foo-internal-alb-1234567890.ap-northeast-1.elb.amazonaws.com";

// The canonical scenario's DNS: VPC bar associated with PHZ "home"
// (alb.home -> alias to the ALB), foo not associated.
ResolverConfig scenario() {
  semantics::DnsFacts in;
  in.vpcs = {{"vpc-foo", true, true}, {"vpc-bar", true, true}, {"vpc-off", false, false},
             {"vpc-nohost", true, false}, {"vpc-baz", true, true}};
  in.hosts = {
      {"vpc-foo", ip("10.2.1.10"), "ip-10-2-1-10.ap-northeast-1.compute.internal", ip("54.1.2.3"),
       "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com", "i-foo"},
      {"vpc-bar", ip("10.1.1.10"), "ip-10-1-1-10.ap-northeast-1.compute.internal", std::nullopt, "", "i-bar"},
  };
  in.peerings = {{"vpc-bar", "vpc-foo", false, true, "pcx-1"}};  // foo's side allows: bar sees foo privately
  semantics::HostedZoneFacts home;
  home.is_private = true;
  home.vpcs = {"vpc-bar", "vpc-nohost"};
  home.name = "home";
  home.records = {alias("alb.home", kElb), rec("www.home", "CNAME", {"alb.home"}),
                       rec("txt.home", "TXT", {"\"hello world\""}), rec("a.b.home", "A", {"10.9.9.9"}),
                       rec("*.wild.home", "A", {"10.8.8.8"}), rec("loop.home", "CNAME", {"loop.home"})};
  semantics::HostedZoneFacts sub;  // more specific zone, also associated with bar
  sub.is_private = true;
  sub.vpcs = {"vpc-bar"};
  sub.name = "corp.home";
  sub.records = {rec("db.corp.home", "A", {"10.1.5.5"})};
  semantics::HostedZoneFacts pubzone;
  pubzone.name = "example.com";
  pubzone.records = {rec("www.example.com", "A", {"198.51.100.7"}),
                          rec("db.corp.home", "A", {"203.0.113.99"})};
  semantics::HostedZoneFacts shadow;  // a public zone named like the private one
  shadow.name = "corp.home";
  shadow.records = {rec("web.corp.home", "A", {"203.0.113.80"})};
  in.zones = {home, sub, pubzone, shadow};
  in.load_balancers = {{kElb, {ip("10.2.1.175"), ip("10.2.2.171")}, true, "arn:lb"}};
  return ResolverConfig{in};
}

std::vector<std::string> values(const DnsLookup& l, const char* type = "A") {
  std::vector<std::string> v;
  for (const auto& a : l.answers)
    if (a.type == type) v.push_back(a.value);
  return v;
}

struct Case {
  const char* view;
  const char* name;
  const char* type;
  DnsRcode rcode;
  std::vector<std::string> want;  // values of `type` records
};

class ResolverTable : public ::testing::TestWithParam<Case> {};

TEST_P(ResolverTable, Answers) {
  Resolver r(scenario());
  const Case& c = GetParam();
  DnsLookup l = r.lookup(c.view, c.name, c.type);
  ASSERT_FALSE(l.drop);
  EXPECT_EQ(l.rcode, c.rcode) << c.view << " " << c.name;
  EXPECT_EQ(values(l, c.type), c.want) << c.view << " " << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Scenario, ResolverTable,
    ::testing::Values(
        // alias to the ALB, flattened to the nodes' private IPs
        Case{"vpc-bar", "alb.home", "A", DnsRcode::kNoError, {"10.2.1.175", "10.2.2.171"}},
        Case{"vpc-bar", "ALB.Home.", "A", DnsRcode::kNoError, {"10.2.1.175", "10.2.2.171"}},
        // CNAME then alias
        Case{"vpc-bar", "www.home", "A", DnsRcode::kNoError, {"10.2.1.175", "10.2.2.171"}},
        Case{"vpc-bar", "txt.home", "TXT", DnsRcode::kNoError, {"hello world"}},
        // matching zone without the record: NXDOMAIN, no fallback to public
        Case{"vpc-bar", "nothere.home", "A", DnsRcode::kNxDomain, {}},
        // empty non-terminal: NODATA
        Case{"vpc-bar", "b.home", "A", DnsRcode::kNoError, {}},
        // a name that exists without the asked type: NODATA
        Case{"vpc-bar", "a.b.home", "AAAA", DnsRcode::kNoError, {}},
        Case{"vpc-bar", "x.wild.home", "A", DnsRcode::kNoError, {"10.8.8.8"}},
        Case{"vpc-bar", "x.wild.home", "TXT", DnsRcode::kNoError, {}},
        // precedence: corp.home (more specific) answers, not home nor public
        Case{"vpc-bar", "db.corp.home", "A", DnsRcode::kNoError, {"10.1.5.5"}},
        Case{"vpc-bar", "web.corp.home", "A", DnsRcode::kNxDomain, {}},
        // foo is not associated with "home": goes to public DNS
        Case{"vpc-foo", "alb.home", "A", DnsRcode::kNxDomain, {}},
        Case{"vpc-foo", "web.corp.home", "A", DnsRcode::kNoError, {"203.0.113.80"}},
        // the ELB name is publicly resolvable, to private IPs
        Case{"vpc-foo", kElb, "A", DnsRcode::kNoError, {"10.2.1.175", "10.2.2.171"}},
        Case{"vpc-bar", "www.example.com", "A", DnsRcode::kNoError, {"198.51.100.7"}},
        // Amazon private hostnames: own VPC only
        Case{"vpc-foo", "ip-10-2-1-10.ap-northeast-1.compute.internal", "A", DnsRcode::kNoError, {"10.2.1.10"}},
        Case{"vpc-bar", "ip-10-2-1-10.ap-northeast-1.compute.internal", "A", DnsRcode::kNxDomain, {}},
        // split horizon of public hostnames
        Case{"vpc-foo", "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com", "A", DnsRcode::kNoError, {"10.2.1.10"}},
        Case{"vpc-bar", "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com", "A", DnsRcode::kNoError, {"10.2.1.10"}},
        Case{"vpc-baz", "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com", "A", DnsRcode::kNoError, {"54.1.2.3"}},
        Case{"public", "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com", "A", DnsRcode::kNoError, {"54.1.2.3"}},
        // hostnames off: PHZ associated but not used, private names not answered
        Case{"vpc-nohost", "alb.home", "A", DnsRcode::kNxDomain, {}},
        Case{"vpc-bar", "loop.home", "A", DnsRcode::kServFail, {}}));

TEST(Resolver, PeeringDnsOptionIsPerSide) {
  semantics::DnsFacts in;
  in.vpcs = {{"vpc-a", true, true}, {"vpc-b", true, true}};
  in.hosts = {{"vpc-a", ip("10.0.0.10"), "", ip("54.0.0.1"), "ec2-a", "i-a"},
              {"vpc-b", ip("10.1.0.10"), "", ip("54.0.0.2"), "ec2-b", "i-b"}};
  in.peerings = {{"vpc-a", "vpc-b", true, false, "pcx-ab"}};  // only the requester (a) allows
  Resolver r(ResolverConfig{in});
  EXPECT_EQ(values(r.lookup("vpc-b", "ec2-a", "A")), std::vector<std::string>{"10.0.0.10"});
  EXPECT_EQ(values(r.lookup("vpc-a", "ec2-b", "A")), std::vector<std::string>{"54.0.0.2"});
}

TEST(Resolver, DnsSupportOffAnswersNothing) {
  Resolver r(scenario());
  EXPECT_TRUE(r.lookup("vpc-off", "alb.home", "A").drop);
  EXPECT_TRUE(r.lookup("vpc-unknown", "alb.home", "A").drop);
}

TEST(Resolver, AliasAnswersCarryElbTtl) {
  Resolver r(scenario());
  DnsLookup l = r.lookup("vpc-bar", "alb.home", "A");
  ASSERT_EQ(l.answers.size(), 2u);
  for (const auto& a : l.answers) {
    EXPECT_EQ(a.ttl, kElbAliasTtl);
    EXPECT_EQ(a.name, "alb.home");
  }
}

// ------------------------------------------------------------- wire format

std::vector<uint8_t> make_query(const char* name, ldns_rr_type type, bool rd = true) {
  ldns_pkt* q = nullptr;
  EXPECT_EQ(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0), LDNS_STATUS_OK);
  ldns_pkt_set_id(q, 0x1234);
  uint8_t* wire = nullptr;
  size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, q, &size), LDNS_STATUS_OK);
  std::vector<uint8_t> v(wire, wire + size);
  free(wire);
  ldns_pkt_free(q);
  return v;
}

int rcode_of(const std::vector<uint8_t>& resp) { return resp.size() >= 4 ? resp[3] & 0x0f : -1; }

TEST(ResolverWire, AnswersQueryWithSameIdAndRecords) {
  Resolver r(scenario());
  std::vector<uint8_t> resp;
  ASSERT_TRUE(r.answer("vpc-bar", make_query("alb.home.", LDNS_RR_TYPE_A), resp, 512));
  ldns_pkt* p = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&p, resp.data(), resp.size()), LDNS_STATUS_OK);
  EXPECT_EQ(ldns_pkt_id(p), 0x1234);
  EXPECT_TRUE(ldns_pkt_qr(p));
  EXPECT_EQ(ldns_pkt_ancount(p), 2);
  ldns_pkt_free(p);
}

TEST(ResolverWire, NxDomainCarriesZoneSoa) {
  Resolver r(scenario());
  std::vector<uint8_t> resp;
  ASSERT_TRUE(r.answer("vpc-bar", make_query("nothere.home.", LDNS_RR_TYPE_A), resp, 512));
  EXPECT_EQ(rcode_of(resp), 3);
  ldns_pkt* p = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&p, resp.data(), resp.size()), LDNS_STATUS_OK);
  EXPECT_EQ(ldns_pkt_nscount(p), 1);
  ldns_pkt_free(p);
}

TEST(ResolverWire, NonRecursiveQueryRefused) {
  Resolver r(scenario());
  std::vector<uint8_t> resp;
  ASSERT_TRUE(r.answer("vpc-bar", make_query("alb.home.", LDNS_RR_TYPE_A, false), resp, 512));
  EXPECT_EQ(rcode_of(resp), 5);
}

TEST(ResolverWire, BadPacketsGetFormErrOrNothing) {
  Resolver r(scenario());
  std::vector<uint8_t> resp;
  // Too short for a header: dropped.
  EXPECT_FALSE(r.answer("vpc-bar", std::vector<uint8_t>{1, 2, 3}, resp, 512));
  // A header claiming one question that is not there: FORMERR, same id.
  std::vector<uint8_t> bad = {0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f};
  ASSERT_TRUE(r.answer("vpc-bar", bad, resp, 512));
  EXPECT_EQ(rcode_of(resp), 1);
  EXPECT_EQ(resp[0], 0xab);
  EXPECT_EQ(resp[1], 0xcd);
  // Two questions: FORMERR.
  std::vector<uint8_t> q = make_query("alb.home.", LDNS_RR_TYPE_A);
  std::vector<uint8_t> two = q;
  two[5] = 2;
  two.insert(two.end(), q.begin() + 12, q.end());
  ASSERT_TRUE(r.answer("vpc-bar", two, resp, 512));
  EXPECT_EQ(rcode_of(resp), 1);
  // A response (QR set) is never answered.
  q[2] |= 0x80;
  EXPECT_FALSE(r.answer("vpc-bar", q, resp, 512));
}

TEST(ResolverWire, OversizedUdpAnswerIsTruncated) {
  semantics::DnsFacts f;
  f.vpcs = {{"vpc-big", true, true}};
  semantics::HostedZoneFacts z;
  z.name = "big";
  z.is_private = true;
  z.vpcs = {"vpc-big"};
  dns::Record r = rec("many.big", "A", {});
  for (int i = 0; i < 100; ++i) r.values.push_back("10.0." + std::to_string(i) + ".1");
  z.records.push_back(r);
  f.zones.push_back(z);
  Resolver res(ResolverConfig{f});
  std::vector<uint8_t> resp;
  ASSERT_TRUE(res.answer("vpc-big", make_query("many.big.", LDNS_RR_TYPE_A), resp, 512));
  EXPECT_LE(resp.size(), 512u);
  EXPECT_TRUE(resp[2] & 0x02) << "TC bit";
  ASSERT_TRUE(res.answer("vpc-big", make_query("many.big.", LDNS_RR_TYPE_A), resp, 0));  // TCP
  EXPECT_FALSE(resp[2] & 0x02);
  EXPECT_GT(resp.size(), 1000u);
}

}  // namespace
