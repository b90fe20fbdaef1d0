// Security groups and network ACLs with real packets: the filter lab
// (data/filters/filters.yaml) started in namespaces, listeners in every
// instance, connections tried from others. A blocked flow must time out
// (the filter drops it silently, as AWS does), never be refused.
// Needs namespaces (label netns); skips where they cannot be created.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>

#include "../support/lab_probe.h"
#include "emulator/compile.h"
#include "emulator/lab.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::emulator;
using vpclab::testing::probe;

namespace {

const std::string kTemplate = std::string(VPCLAB_SOURCE_DIR) + "/tests/e2e/data/filters/filters.yaml";

// Dropped silently: the probe waited in vain, or the sender's own output
// filter refused the packet (EPERM). Never "refused": that would be a RST.
bool dropped(const std::string& result) { return result == "timeout" || result == "filtered"; }

class FilterLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!namespace_support_problem().empty()) return;
    auto loaded = tmpl::load_network({kTemplate});
    ASSERT_TRUE(loaded.network) << "filters.yaml does not load";
    net_ = loaded.network;
    CompiledLab c = compile_network(*net_);
    // Every instance serves HTTP on 8080 (python3's http.server, as
    // UserData would), 9090/tcp and 9999/udp (echo) on its private IP.
    std::vector<std::string> listening;
    for (const auto& inst : net_->instances) {
      std::string a = inst.private_ip.str();
      c.plan.processes.push_back(vpclab::testing::listener_process(inst.id, {"tcp:" + a + ":9090", "udp:" + a + ":9999"}));
      ProcessPlan http;
      http.name = inst.id + "/http";
      http.netns = inst.id;
      http.argv = {"python3", "-c",
                   "import http.server as h, sys\n"
                   "s = h.ThreadingHTTPServer((sys.argv[1], 8080), h.SimpleHTTPRequestHandler)\n"
                   "open('http-ready', 'w').close()\n"
                   "s.serve_forever()\n",
                   a};
      http.cwd = "listeners/" + inst.id;
      http.log_file = "logs/" + inst.id + ".http.log";
      c.plan.processes.push_back(http);
      listening.push_back(inst.id);
    }
    for (const auto& [k, v] : c.targets) ns_[k] = v;
    name_ = "filters-" + std::to_string(getpid());
    LabOptions o;
    o.name = name_;
    o.die_with_parent = true;
    auto t0 = std::chrono::steady_clock::now();
    LabStart s = start_lab(c.plan, o);
    ASSERT_TRUE(s.ok) << s.error;
    started_ = true;
    ASSERT_TRUE(vpclab::testing::wait_for_listeners(s.dir, listening)) << "listeners did not start";
    ASSERT_TRUE(vpclab::testing::wait_for_listeners(s.dir, listening, 10, "http-ready")) << "HTTP servers did not start";
    std::printf("filter lab up with listeners in %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  static void TearDownTestSuite() {
    if (started_) stop_lab(name_, nullptr);
    started_ = false;
  }
  void SetUp() override {
    std::string why = namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
    ASSERT_TRUE(started_);
  }
  // Probes from the instance named `from` (Name tag); target -> result.
  static std::map<std::string, std::string> from(const std::string& who, const std::vector<std::string>& targets,
                                                 double wait = 1.5) {
    std::string raw;
    auto r = probe(name_, ns_.at(who), targets, wait, &raw);
    if (r.size() != targets.size()) ADD_FAILURE() << "probe from " << who << " printed:\n" << raw;
    return r;
  }
  static std::string exec(const std::string& who, const std::string& cmd, int* rc = nullptr) {
    std::string out;
    int code = vpclab::testing::lab_capture(name_, ns_.at(who), {"bash", "-c", cmd}, &out);
    if (rc) *rc = code;
    return out;
  }

  static inline std::shared_ptr<const model::Network> net_;
  static inline std::map<std::string, std::string> ns_;
  static inline std::string name_;
  static inline bool started_ = false;
};

TEST_F(FilterLab, GroupReferenceAdmitsMembersOnly) {
  auto m = from("member", {"tcp:10.10.2.10:8080", "udp:10.10.2.10:9999", "tcp:10.10.2.10:9090"});
  EXPECT_EQ(m["tcp:10.10.2.10:8080"], "ok") << "member of ClientSg -> web:8080";
  EXPECT_EQ(m["udp:10.10.2.10:9999"], "ok") << "member of ClientSg -> web:9999/udp (echo comes back)";
  EXPECT_TRUE(dropped(m["tcp:10.10.2.10:9090"])) << m["tcp:10.10.2.10:9090"] << "no rule for 9090: dropped, not refused";
  auto o = from("outsider", {"tcp:10.10.2.10:8080", "udp:10.10.2.10:9999", "tcp:10.10.2.12:8080"});
  EXPECT_TRUE(dropped(o["tcp:10.10.2.10:8080"])) << o["tcp:10.10.2.10:8080"] << "outsider is not in ClientSg";
  EXPECT_TRUE(dropped(o["udp:10.10.2.10:9999"])) << o["udp:10.10.2.10:9999"];
  EXPECT_EQ(o["tcp:10.10.2.12:8080"], "ok") << "control: the outsider itself can connect";
}

TEST_F(FilterLab, CurlIsAdmittedOrTimesOut) {
  int rc = -1;
  std::string page = exec("member", "curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 http://10.10.2.10:8080/", &rc);
  EXPECT_EQ(rc, 0) << page;
  EXPECT_EQ(page, "200");
  exec("outsider", "curl -s -o /dev/null --connect-timeout 1 http://10.10.2.10:8080/", &rc);
  EXPECT_EQ(rc, 28) << "web admits 8080 only from ClientSg: the outsider's curl times out connecting";
}

TEST_F(FilterLab, EgressRemovedBlocksNewFlowsButRepliesPass) {
  // locked has no outbound rule: its replies to accepted connections pass
  // (stateful), new connections from it do not.
  auto in = from("member", {"tcp:10.10.2.11:8080"});
  EXPECT_EQ(in["tcp:10.10.2.11:8080"], "ok") << "replies leave locked although it has no outbound rule";
  auto out = from("locked", {"tcp:10.10.2.12:8080", "udp:10.10.2.12:9999"});
  EXPECT_TRUE(dropped(out["tcp:10.10.2.12:8080"])) << out["tcp:10.10.2.12:8080"] << "new outbound flows from locked are dropped";
  EXPECT_TRUE(dropped(out["udp:10.10.2.12:9999"])) << out["udp:10.10.2.12:9999"];
}

TEST_F(FilterLab, NaclWithoutEphemeralReturnRuleTimesOut) {
  auto r = from("member", {"tcp:10.10.3.10:8080", "tcp:10.10.4.10:8080"});
  EXPECT_TRUE(dropped(r["tcp:10.10.3.10:8080"])) << r["tcp:10.10.3.10:8080"] << "noreturn's NACL lets the SYN in but not the SYN-ACK out";
  EXPECT_EQ(r["tcp:10.10.4.10:8080"], "ok") << "return's NACL allows 1024-65535 out";
}

TEST_F(FilterLab, NaclLowerRuleNumberWins) {
  auto c = from("member", {"tcp:10.10.5.10:8080", "tcp:10.10.5.10:9090"});
  EXPECT_TRUE(dropped(c["tcp:10.10.5.10:8080"])) << c["tcp:10.10.5.10:8080"] << "rule 90 deny precedes rule 100 allow";
  EXPECT_EQ(c["tcp:10.10.5.10:9090"], "ok") << "rule 110 deny comes after rule 100 allow: never reached";
  auto w = from("open", {"tcp:10.10.5.10:8080"});
  EXPECT_EQ(w["tcp:10.10.5.10:8080"], "ok") << "rule 90 denies the client subnet only";
}

TEST_F(FilterLab, NaclDoesNotFilterInsideASubnet) {
  auto same = from("sealed-peer", {"tcp:10.10.6.11:8080"});
  EXPECT_EQ(same["tcp:10.10.6.11:8080"], "ok") << "same subnet: the deny-all NACL does not apply";
  auto across = from("member", {"tcp:10.10.6.11:8080"});
  EXPECT_TRUE(dropped(across["tcp:10.10.6.11:8080"])) << across["tcp:10.10.6.11:8080"] << "from another subnet the deny-all NACL applies";
}

TEST_F(FilterLab, ResolverAnswersWhateverTheFiltersSay) {
  // sealed: its group allows nothing either way, its subnet's NACL denies
  // everything; the Amazon DNS server is still reachable (AWS).
  auto blocked = from("sealed", {"tcp:10.10.6.11:8080", "tcp:10.10.2.12:8080"});
  EXPECT_TRUE(dropped(blocked["tcp:10.10.6.11:8080"])) << blocked["tcp:10.10.6.11:8080"];
  EXPECT_TRUE(dropped(blocked["tcp:10.10.2.12:8080"])) << blocked["tcp:10.10.2.12:8080"];
  const std::string name = "ip-10-10-2-12.ap-northeast-1.compute.internal";
  EXPECT_EQ(exec("sealed", "dig +short +time=1 +tries=2 @10.10.0.2 " + name), "10.10.2.12\n");
  EXPECT_EQ(exec("sealed", "dig +short +time=1 +tries=2 +tcp @169.254.169.253 " + name), "10.10.2.12\n");
  // resolv.conf points at the resolver: plain `dig NAME` works too.
  EXPECT_EQ(exec("sealed", "dig +short +time=1 +tries=2 " + name), "10.10.2.12\n");
}

// One ICMP echo request over a raw socket (no ping binary here): exit 0 on
// a reply from the address, 1 after 1 s.
const char* kPingPy = R"PY(
import socket, struct, sys
def checksum(b):
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff)
    t += t >> 16
    return ~t & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(1)
h = struct.pack('!BBHHH', 8, 0, 0, 7, 1)
s.sendto(struct.pack('!BBHHH', 8, 0, checksum(h), 7, 1), (sys.argv[1], 0))
try:
    while True:
        d, a = s.recvfrom(1024)
        if a[0] == sys.argv[1] and d[20] == 0:
            sys.exit(0)
except socket.timeout:
    sys.exit(1)
)PY";

TEST_F(FilterLab, IcmpFollowsItsRule) {
  std::string out;
  int rc = vpclab::testing::lab_capture(name_, ns_.at("member"), {"python3", "-c", kPingPy, "10.10.2.12"}, &out);
  EXPECT_EQ(rc, 0) << "OpenSg allows echo requests from the VPC\n" << out;
  rc = vpclab::testing::lab_capture(name_, ns_.at("member"), {"python3", "-c", kPingPy, "10.10.2.10"}, &out);
  EXPECT_EQ(rc, 1) << "WebSg has no ICMP rule\n" << out;
}

}  // namespace

namespace {

// Rootless (a user namespace even as root): the same tables load and filter.
TEST(FilterLabRootless, GroupReferenceInAUserNamespace) {
  std::string why = namespace_support_problem(UserNamespaceMode::kAlways);
  if (!why.empty()) GTEST_SKIP() << "user namespaces unavailable: " << why;
  auto loaded = tmpl::load_network({kTemplate});
  ASSERT_TRUE(loaded.network);
  CompiledLab c = compile_network(*loaded.network);
  std::string web = c.targets.at("web"), member = c.targets.at("member"), outsider = c.targets.at("outsider");
  c.plan.processes.push_back(vpclab::testing::listener_process(web, {"tcp:10.10.2.10:8080"}));
  LabOptions o;
  o.name = "filters-userns-" + std::to_string(getpid());
  o.user_namespace = UserNamespaceMode::kAlways;
  o.die_with_parent = true;
  LabStart s = start_lab(c.plan, o);
  ASSERT_TRUE(s.ok) << s.error;
  ASSERT_TRUE(vpclab::testing::wait_for_listeners(s.dir, {web}));
  auto r = vpclab::testing::probe_many(o.name, loaded.network->vpcs.at(0).id,
                                       {{member, {"tcp:10.10.2.10:8080"}}, {outsider, {"tcp:10.10.2.10:8080"}}});
  EXPECT_EQ(r[member]["tcp:10.10.2.10:8080"], "ok");
  EXPECT_TRUE(dropped(r[outsider]["tcp:10.10.2.10:8080"])) << r[outsider]["tcp:10.10.2.10:8080"];
  EXPECT_TRUE(stop_lab(o.name, nullptr));
}

}  // namespace
