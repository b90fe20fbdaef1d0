// The server's cache of wire answers (answer_cache.h) changes no byte: every
// response a client receives over UDP and TCP, asked again and again with
// new IDs, in other spellings, with and without EDNS, is exactly what
// Resolver::answer builds for that query (the oracle, called directly).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/dns/server.h"

#include "../support/dns_records.h"

using namespace vpclab;
using namespace vpclab::dataplane;

using vpclab::testing::alias;
using vpclab::testing::ip;
using vpclab::testing::rec;

namespace {

const char* kElb = "internal-foo-alb-1.ap-northeast-1.elb.amazonaws.com";

semantics::DnsFacts facts() {
  semantics::DnsFacts in;
  in.vpcs = {{"vpc-bar", true, true}, {"vpc-off", false, true}};
  in.hosts = {{"vpc-bar", ip("10.1.1.10"), "ip-10-1-1-10.ap-northeast-1.compute.internal", std::nullopt, "", "i-bar"}};
  semantics::HostedZoneFacts home;
  home.is_private = true;
  home.vpcs = {"vpc-bar"};
  home.name = "home";
  home.records = {alias("alb.home", kElb), rec("www.home", "CNAME", {"alb.home"}), rec("t.home", "TXT", {"\"hi\""})};
  semantics::HostedZoneFacts big;
  big.is_private = true;
  big.vpcs = {"vpc-bar"};
  big.name = "big.test";
  dns::Record many = rec("many.big.test", "A", {});
  for (int i = 0; i < 60; ++i) many.values.push_back("10.3." + std::to_string(i) + ".1");  // TC over UDP
  big.records = {many};
  in.zones = {home, big};
  in.load_balancers = {{kElb, {ip("10.2.1.175"), ip("10.2.2.171")}, true, "arn:lb"}};
  return in;
}

std::vector<uint8_t> query(const char* name, ldns_rr_type type, uint16_t flags, bool edns, uint16_t id) {
  ldns_pkt* p = nullptr;
  ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, flags);
  ldns_pkt_set_id(p, id);
  if (edns) ldns_pkt_set_edns_udp_size(p, 4096);
  uint8_t* w = nullptr;
  size_t n = 0;
  ldns_pkt2wire(&w, p, &n);
  std::vector<uint8_t> v(w, w + n);
  free(w);
  ldns_pkt_free(p);
  return v;
}

class AnswerCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resolver_ = std::make_shared<Resolver>(facts());
    server_ = std::make_unique<DnsServer>(resolver_);
    std::string err;
    bar_ = server_->listen("vpc-bar", ip("127.0.0.1"), 0, &err);
    ASSERT_NE(bar_, 0) << err;
    off_ = server_->listen("vpc-off", ip("127.0.0.2"), 0, &err);
    ASSERT_NE(off_, 0) << err;
    thread_ = std::thread([this] { server_->run(); });
    udp_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    timeval tv{0, 300000};
    setsockopt(udp_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void TearDown() override {
    if (udp_ >= 0) close(udp_);
    if (server_ && thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  static sockaddr_in addr(const char* host, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, host, &a.sin_addr);
    return a;
  }

  // The datagram the server sends back, or empty when it stays silent.
  std::vector<uint8_t> ask_udp(const std::vector<uint8_t>& q, const char* host, uint16_t port) {
    sockaddr_in a = addr(host, port);
    sendto(udp_, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    std::vector<uint8_t> buf(65536);
    ssize_t n = recv(udp_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }

  std::vector<uint8_t> ask_tcp(const std::vector<uint8_t>& q) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a = addr("127.0.0.1", bar_);
    std::vector<uint8_t> out;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      std::vector<uint8_t> msg = {static_cast<uint8_t>(q.size() >> 8), static_cast<uint8_t>(q.size())};
      msg.insert(msg.end(), q.begin(), q.end());
      (void)!write(fd, msg.data(), msg.size());
      std::vector<uint8_t> buf(70000);
      size_t have = 0;
      while (true) {
        ssize_t n = read(fd, buf.data() + have, buf.size() - have);
        if (n <= 0) break;
        have += static_cast<size_t>(n);
        if (have >= 2 && have >= 2 + ((size_t{buf[0]} << 8) | buf[1])) break;
      }
      if (have > 2) out.assign(buf.begin() + 2, buf.begin() + static_cast<std::ptrdiff_t>(have));
    }
    close(fd);
    return out;
  }

  std::vector<uint8_t> oracle(const char* view, const std::vector<uint8_t>& q, size_t max_udp) {
    std::vector<uint8_t> r;
    if (!resolver_->answer(view, q, r, max_udp)) r.clear();
    return r;
  }

  std::shared_ptr<Resolver> resolver_;
  std::unique_ptr<DnsServer> server_;
  std::thread thread_;
  uint16_t bar_ = 0, off_ = 0;
  int udp_ = -1;
};

TEST_F(AnswerCacheTest, RepeatedQueriesGetTheResolversOwnBytesWithTheirOwnId) {
  struct Ask {
    const char* name;
    ldns_rr_type type;
    uint16_t flags;
    bool edns;
  };
  const std::vector<Ask> asks = {
      {"alb.home.", LDNS_RR_TYPE_A, LDNS_RD, false},      // alias to the ELB
      {"AlB.hOmE.", LDNS_RR_TYPE_A, LDNS_RD, false},      // 0x20 spelling: echoed as asked
      {"alb.home.", LDNS_RR_TYPE_A, LDNS_RD, true},       // EDNS: OPT in the answer
      {"www.home.", LDNS_RR_TYPE_A, LDNS_RD, false},      // CNAME chain
      {"nothere.home.", LDNS_RR_TYPE_A, LDNS_RD, false},  // NXDOMAIN with the zone's SOA
      {"t.home.", LDNS_RR_TYPE_TXT, LDNS_RD, false},
      {"ip-10-1-1-10.ap-northeast-1.compute.internal.", LDNS_RR_TYPE_A, LDNS_RD, false},
      {"alb.home.", LDNS_RR_TYPE_A, 0, false},            // not recursive: REFUSED
      {"many.big.test.", LDNS_RR_TYPE_A, LDNS_RD, false}, // too big for 512: TC
  };
  int answered = 0;
  for (const auto& a : asks) {
    std::vector<uint8_t> first;
    for (uint16_t id : {0x1234, 0x0001, 0xbeef}) {
      auto q = query(a.name, a.type, a.flags, a.edns, id);
      auto want = oracle("vpc-bar", q, 512);
      ASSERT_FALSE(want.empty()) << a.name;
      auto got = ask_udp(q, "127.0.0.1", bar_);
      EXPECT_EQ(got, want) << a.name << " id " << id;
      ASSERT_GE(got.size(), 2u);
      EXPECT_EQ(got[0], id >> 8);
      EXPECT_EQ(got[1], id & 0xff);
      auto tcp = ask_tcp(q);
      EXPECT_EQ(tcp, oracle("vpc-bar", q, 0)) << a.name << " over TCP, id " << id;
      answered += got == want ? 1 : 0;
    }
  }
  EXPECT_EQ(answered, static_cast<int>(asks.size()) * 3);
  // The truncated UDP answer and the full TCP one are different entries.
  auto q = query("many.big.test.", LDNS_RR_TYPE_A, LDNS_RD, false, 7);
  EXPECT_NE(ask_udp(q, "127.0.0.1", bar_).size(), ask_tcp(q).size());
}

TEST_F(AnswerCacheTest, SilenceIsKeptSilentAndBadHeadersAnsweredAsTheResolverDoes) {
  auto q = query("alb.home.", LDNS_RR_TYPE_A, LDNS_RD, false, 42);
  // EnableDnsSupport off: no answer, the first time and from the cache.
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(ask_udp(q, "127.0.0.2", off_).empty());
  // A response sent to the resolver is never answered (no loops).
  auto resp = q;
  resp[2] |= 0x80;
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(ask_udp(resp, "127.0.0.1", bar_).empty());
  // A header with a question that does not parse: FORMERR, each time with its ID.
  std::vector<uint8_t> junk = {0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 'x'};
  for (uint8_t id : {0x01, 0x02}) {
    junk[1] = id;
    auto want = oracle("vpc-bar", junk, 512);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(ask_udp(junk, "127.0.0.1", bar_), want);
  }
  // Shorter than a header: dropped.
  EXPECT_TRUE(ask_udp({0x01, 0x02, 0x03}, "127.0.0.1", bar_).empty());
  // The server still answers afterwards.
  EXPECT_EQ(ask_udp(q, "127.0.0.1", bar_), oracle("vpc-bar", q, 512));
}

// The cache itself: bounded, and a key is the whole query after the ID.
TEST(AnswerCache, StartsOverWhenFullAndKeysOnEveryByteButTheId) {
  AnswerCache c(2, 64);
  std::vector<uint8_t> a(20, 1), b(20, 2), d(20, 3), big(65, 4);
  c.insert(0, 512, a, true, {9, 9, 7});
  auto other_id = a;
  other_id[0] = 0x55;
  const AnswerCache::Entry* e = c.find(0, 512, other_id);
  ASSERT_NE(e, nullptr);
  std::vector<uint8_t> out;
  AnswerCache::copy_with_id(*e, other_id, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x55, 1, 7}));
  EXPECT_EQ(c.find(1, 512, a), nullptr);  // another listener
  EXPECT_EQ(c.find(0, 0, a), nullptr);    // TCP
  auto flipped = a;
  flipped[19] = 0;
  EXPECT_EQ(c.find(0, 512, flipped), nullptr);
  c.insert(0, 512, b, false, {});
  EXPECT_EQ(c.size(), 2u);
  c.insert(0, 512, d, true, {1, 2});
  EXPECT_EQ(c.size(), 1u);  // started over
  EXPECT_EQ(c.find(0, 512, a), nullptr);
  c.insert(0, 512, big, true, {1});
  EXPECT_EQ(c.find(0, 512, big), nullptr);  // too long to keep
}

}  // namespace
