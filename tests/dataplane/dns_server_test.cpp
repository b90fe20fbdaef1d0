// The resolver on real sockets (127.0.0.1), queried with dig as a user would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "dataplane/dns/server.h"

#include "../support/dns_records.h"

using namespace vpclab;
using namespace vpclab::dataplane;

using vpclab::testing::alias;
using vpclab::testing::ip;
using vpclab::testing::rec;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class DnsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v dig").empty()) GTEST_SKIP() << "dig (dnsutils) not installed";
    semantics::DnsFacts in;
    in.vpcs = {{"vpc-foo", true, true}, {"vpc-bar", true, true}, {"vpc-off", false, true}};
    in.hosts = {{"vpc-foo", ip("10.2.1.10"), "ip-10-2-1-10.ap-northeast-1.compute.internal", ip("54.1.2.3"),
                 "ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com", "i-foo"}};
    semantics::HostedZoneFacts home;
    home.is_private = true;
    home.vpcs = {"vpc-bar"};
    home.name = "home";
    dns::Record a;
    a.name = "alb.home";
    a.type = "A";
    a.is_alias = true;
    a.alias.dns_name = "internal-foo-alb-1.ap-northeast-1.elb.amazonaws.com";
    home.records = {a, rec("web.home", "A", {"10.2.1.10"})};
    semantics::HostedZoneFacts corp;
    corp.is_private = true;
    corp.vpcs = {"vpc-bar"};
    corp.name = "corp.home";
    corp.records = {rec("db.corp.home", "A", {"10.1.5.5"})};
    semantics::HostedZoneFacts big;
    big.is_private = true;
    big.vpcs = {"vpc-bar"};
    big.name = "big.test";
    dns::Record many = rec("many.big.test", "A", {});
    for (int i = 0; i < 60; ++i) many.values.push_back("10.3." + std::to_string(i) + ".1");
    big.records = {many};
    in.zones = {home, corp, big};
    in.load_balancers = {{"internal-foo-alb-1.ap-northeast-1.elb.amazonaws.com", {ip("10.2.1.175"), ip("10.2.2.171")}, true, "arn:lb"}};
    server_ = std::make_unique<DnsServer>(std::make_shared<Resolver>(ResolverConfig{in}));
    std::string err;
    // One process, several listening addresses: one per view.
    bar_ = server_->listen("vpc-bar", ip("127.0.0.1"), 0, &err);
    ASSERT_NE(bar_, 0) << err;
    foo_ = server_->listen("vpc-foo", ip("127.0.0.2"), 0, &err);
    ASSERT_NE(foo_, 0) << err;
    off_ = server_->listen("vpc-off", ip("127.0.0.3"), 0, &err);
    ASSERT_NE(off_, 0) << err;
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_ && thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  std::string dig(const char* server, uint16_t port, const std::string& args) {
    return run("dig @" + std::string(server) + " -p " + std::to_string(port) + " +time=1 +tries=1 " + args + " 2>&1");
  }

  std::unique_ptr<DnsServer> server_;
  std::thread thread_;
  uint16_t bar_ = 0, foo_ = 0, off_ = 0;
};

TEST_F(DnsServerTest, AliasToAlbOverUdp) {
  std::string out = dig("127.0.0.1", bar_, "+short alb.home A");
  EXPECT_EQ(out, "10.2.1.175\n10.2.2.171\n");
}

TEST_F(DnsServerTest, AliasTtlIsSixty) {
  std::string out = dig("127.0.0.1", bar_, "+noall +answer alb.home A");
  EXPECT_NE(out.find("60\tIN\tA\t10.2.1.175"), std::string::npos) << out;
}

TEST_F(DnsServerTest, PlainARecordOverTcp) {
  EXPECT_EQ(dig("127.0.0.1", bar_, "+tcp +short web.home A"), "10.2.1.10\n");
}

TEST_F(DnsServerTest, NxDomainInMatchingZone) {
  std::string out = dig("127.0.0.1", bar_, "nothere.home A");
  EXPECT_NE(out.find("status: NXDOMAIN"), std::string::npos) << out;
  EXPECT_NE(out.find("awsdns-hostmaster.amazon.com"), std::string::npos) << out;
}

TEST_F(DnsServerTest, MostSpecificZoneWins) {
  EXPECT_EQ(dig("127.0.0.1", bar_, "+short db.corp.home A"), "10.1.5.5\n");
  std::string out = dig("127.0.0.1", bar_, "web.corp.home A");
  EXPECT_NE(out.find("status: NXDOMAIN"), std::string::npos) << out;
}

TEST_F(DnsServerTest, ViewFollowsListeningAddress) {
  // foo is not associated with "home": the same name is unknown there.
  std::string out = dig("127.0.0.2", foo_, "alb.home A");
  EXPECT_NE(out.find("status: NXDOMAIN"), std::string::npos) << out;
  // Split horizon: foo sees its instance's public hostname as the private IP.
  EXPECT_EQ(dig("127.0.0.2", foo_, "+short ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com"), "10.2.1.10\n");
  EXPECT_EQ(dig("127.0.0.1", bar_, "+short ec2-54-1-2-3.ap-northeast-1.compute.amazonaws.com"), "54.1.2.3\n");
}

TEST_F(DnsServerTest, DnsSupportOffTimesOut) {
  std::string out = dig("127.0.0.3", off_, "alb.home A");
  EXPECT_NE(out.find("timed out"), std::string::npos) << out;
}

TEST_F(DnsServerTest, LargeAnswerTruncatedOverUdpThenServedOverTcp) {
  // dig retries over TCP by itself when TC is set; +ignore shows the UDP reply.
  std::string udp = dig("127.0.0.1", bar_, "+ignore +noedns many.big.test A");
  EXPECT_NE(udp.find(" tc"), std::string::npos) << udp;
  std::string tcp = dig("127.0.0.1", bar_, "+tcp +short many.big.test A");
  EXPECT_EQ(std::count(tcp.begin(), tcp.end(), '\n'), 60);
}

TEST_F(DnsServerTest, SurvivesGarbageAndKeepsAnswering) {
  // Random bytes over UDP, then a real query still gets its answer.
  run("bash -c 'head -c 300 /dev/urandom > /dev/udp/127.0.0.1/" + std::to_string(bar_) + "' 2>/dev/null");
  std::string cmd = "bash -c 'printf \"\\x00\\x05abcde\" > /dev/tcp/127.0.0.1/" + std::to_string(bar_) + "' 2>/dev/null";
  run(cmd);
  EXPECT_EQ(dig("127.0.0.1", bar_, "+short web.home A"), "10.2.1.10\n");
}

}  // namespace
