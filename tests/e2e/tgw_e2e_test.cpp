// The canonical scenario hub-and-spoke (examples/tgw/) run with `vpclab up`:
// bar's instance gets foo's page from http://alb.home/ through the transit
// gateway's namespace; each broken copy times out as AWS would while
// `vpclab trace` names the blocker; `vpclab down` leaves nothing behind.
// The cross-Region copy (examples/tgw/cross-region/) runs two TGWs joined by
// their peering attachment; unaccepted, the peering carries nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using vpclab::testing::CommandResult;
using vpclab::testing::run_command;
using vpclab::testing::ScopedLab;
using vpclab::testing::vpclab;

const std::string kTgw = std::string(VPCLAB_SOURCE_DIR) + "/examples/tgw/";

class TgwLab : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = vpclab::emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
};

// Packets received on a TGW's links whose names start with `prefix` (tg*: VPC
// attachments, tp*: peering attachments), from the TGW's /proc/net/dev.
long hub_packets(const ScopedLab& lab, const std::string& tgw = "Hub", const std::string& prefix = "tg") {
  auto r = lab.exec(tgw, "cat /proc/net/dev");
  std::istringstream in(r.out);
  std::string line;
  long total = 0;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos || line.find(prefix) == std::string::npos || line.find(prefix) > colon) continue;
    std::istringstream f(line.substr(colon + 1));
    long bytes = 0, packets = 0;
    f >> bytes >> packets;
    total += packets;
  }
  return total;
}

// curl from bar-app until the ALB's targets are healthy (first health checks).
CommandResult curl_until_ok(const ScopedLab& lab) {
  CommandResult r;
  for (int i = 0; i < 20; ++i) {
    r = lab.exec("bar-app", "curl -s --max-time 3 http://alb.home/");
    if (r.exit_code == 0 && r.out.find("Welcom to web") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return r;
}

TEST_F(TgwLab, BarReachesTheAlbThroughTheHubAndDownLeavesNothing) {
  const std::string before = run_command("ip netns list").out;
  std::string dir;
  {
    ScopedLab lab("tgw-hub", kTgw + "hub-and-spoke.yaml");
    ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
    EXPECT_EQ(lab.up().out.find("not emulated yet"), std::string::npos) << lab.up().out;
    dir = vpclab::emulator::lab_dir(lab.name());
    auto st = vpclab("status " + lab.name());
    EXPECT_NE(st.out.find("transit-gateway  tgw-"), std::string::npos) << st.out;  // the hub's namespace
    EXPECT_NE(st.out.find("transit gateway attachments:"), std::string::npos) << st.out;
    EXPECT_NE(st.out.find("  foo  vpc-"), std::string::npos) << st.out;  // foo's attachment, by its Name

    long crossed = hub_packets(lab);
    auto r = curl_until_ok(lab);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("Hello World"), std::string::npos) << r.out;
    // Request and reply went through the hub's namespace.
    EXPECT_GE(hub_packets(lab) - crossed, 6) << "the hub forwarded nothing";
    // Both ALB nodes answer (one per foo AZ; replies from 1c cross to bar's 1a ENI).
    auto nodes = lab.exec("bar-app", "dig +short alb.home");
    std::istringstream ips(nodes.out);
    std::string ip;
    int answered = 0;
    while (ips >> ip) {
      auto c = lab.exec("bar-app", "curl -s --max-time 3 -o /dev/null -w %{http_code} http://" + ip + "/");
      EXPECT_EQ(c.out, "200") << ip;
      answered += c.out == "200";
    }
    EXPECT_EQ(answered, 2) << nodes.out;
    // foo's bastion admits SSH from anywhere, but its public subnet routes
    // replies to bar by the internet gateway: through the hub it times out.
    auto addr = lab.exec("foo-bastion", "ip -4 -o addr show dev eth0").out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(addr, m, std::regex("inet (10\\.2\\.\\d+\\.\\d+)/"))) << addr;
    const std::string bastion = m[1];
    auto ssh = lab.exec("bar-app", "timeout 3 bash -c '</dev/tcp/" + bastion + "/22'");
    EXPECT_EQ(ssh.exit_code, 124) << ssh.out;  // timeout: the handshake never completes

    auto down = vpclab("down " + lab.name());
    EXPECT_EQ(down.exit_code, 0) << down.out;
  }
  struct stat sb {};
  EXPECT_NE(stat(dir.c_str(), &sb), 0) << "lab directory left behind";
  EXPECT_EQ(run_command("ip netns list").out, before) << "the host's `ip netns` changed";
  EXPECT_EQ(run_command("ps -eo args").out.find(dir), std::string::npos) << "a process still refers to " << dir;
}

// The instance address of `target` in the lab (its eth0).
std::string instance_address(const ScopedLab& lab, const std::string& target) {
  auto addr = lab.exec(target, "ip -4 -o addr show dev eth0").out;
  std::smatch m;
  return std::regex_search(addr, m, std::regex("inet (10\\.\\d+\\.\\d+\\.\\d+)/")) ? std::string(m[1]) : "";
}

TEST_F(TgwLab, IsolatedSpokesReachTheSharedAlbButNotEachOther) {
  ScopedLab lab("tgw-iso", kTgw + "isolated-spokes.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  EXPECT_EQ(curl_until_ok(lab).exit_code, 0);
  auto baz = lab.exec("baz-app", "curl -s --max-time 3 http://alb.home/");
  EXPECT_EQ(baz.exit_code, 0) << baz.out;
  EXPECT_NE(baz.out.find("Welcom to web"), std::string::npos) << baz.out;
  const std::string bar_ip = instance_address(lab, "bar-app"), baz_ip = instance_address(lab, "baz-app");
  ASSERT_FALSE(bar_ip.empty());
  ASSERT_FALSE(baz_ip.empty());
  // Both admit SSH from 10.0.0.0/8 and send 10.0.0.0/8 to the hub: the spokes table drops it.
  EXPECT_EQ(lab.exec("baz-app", "timeout 3 bash -c '</dev/tcp/" + bar_ip + "/22'").exit_code, 124);
  EXPECT_EQ(lab.exec("bar-app", "timeout 3 bash -c '</dev/tcp/" + baz_ip + "/22'").exit_code, 124);
}

TEST_F(TgwLab, CrossRegionCrossesBothTransitGatewaysOverThePeering) {
  ScopedLab lab("tgw-xr", kTgw + "cross-region/vpclab.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  EXPECT_EQ(lab.up().out.find("not emulated yet"), std::string::npos) << lab.up().out;
  long bar_in = hub_packets(lab, "BarTgw", "tp"), foo_in = hub_packets(lab, "FooTgw", "tp");
  auto r = curl_until_ok(lab);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Welcom to web"), std::string::npos) << r.out;
  // The request entered foo's TGW by the peering, the reply bar's.
  EXPECT_GE(hub_packets(lab, "FooTgw", "tp") - foo_in, 3) << "nothing came over the peering into FooTgw";
  EXPECT_GE(hub_packets(lab, "BarTgw", "tp") - bar_in, 3) << "nothing came back over the peering into BarTgw";
}

TEST_F(TgwLab, CrossAccountAttachmentToASharedTgwCarriesBar) {
  ScopedLab lab("tgw-xa", kTgw + "cross-account/vpclab.yaml");
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  long crossed = hub_packets(lab, "FooTgw");
  auto r = curl_until_ok(lab);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Welcom to web"), std::string::npos) << r.out;
  EXPECT_GE(hub_packets(lab, "FooTgw") - crossed, 6) << "foo's TGW forwarded nothing";
}

TEST_F(TgwLab, UnacceptedPeeringTimesOutAndTraceSaysPending) {
  // The example without the manifest's acceptance of the peering attachment.
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / ("tgw-xr-pending-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& f : fs::directory_iterator(kTgw + "cross-region")) fs::copy_file(f.path(), dir / f.path().filename());
  std::ifstream in(dir / "vpclab.yaml");
  std::string manifest{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto at = manifest.find("peerings:");
  ASSERT_NE(at, std::string::npos);
  manifest.erase(at);
  std::ofstream(dir / "vpclab.yaml") << manifest;
  const std::string path = (dir / "vpclab.yaml").string();

  auto c = vpclab("check " + path);
  EXPECT_NE(c.out.find("TGW_PEERING_PENDING_ACCEPTANCE"), std::string::npos) << c.out;
  auto t = vpclab("trace " + path + " --from BarApp --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("BAD_STATE_ATTACHMENT"), std::string::npos) << t.out;
  ScopedLab lab("tgw-xr-pending", path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the ALB's first health checks
  auto r = lab.exec("bar-app", "curl -sS --max-time 3 http://alb.home/");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // curl: operation timed out
  fs::remove_all(dir);
}

struct BrokenCopy {
  const char* file;
  const char* code;  // what `vpclab trace` names
};

class TgwBroken : public TgwLab, public ::testing::WithParamInterface<BrokenCopy> {};

TEST_P(TgwBroken, TimesOutAndTraceNamesTheBlocker) {
  const std::string path = kTgw + "broken/" + GetParam().file;
  auto t = vpclab("trace " + path + " --from BarApp --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find(GetParam().code), std::string::npos) << t.out;
  std::string tag = std::string("tgw-") + GetParam().file;
  tag = tag.substr(0, tag.find('.'));
  ScopedLab lab(tag, path);
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  // The name resolves (the zone is fine); the connection never completes.
  EXPECT_NE(lab.exec("bar-app", "dig +short alb.home").out.find("10.2."), std::string::npos);
  // Give the ALB its first health checks, so only the network can be at fault.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto r = lab.exec("bar-app", "curl -sS --max-time 3 http://alb.home/");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // curl: operation timed out
}

INSTANTIATE_TEST_SUITE_P(Examples, TgwBroken,
                         ::testing::Values(BrokenCopy{"attachment-az.yaml", "TGW_ROUTE_AZ_RESTRICTION"},
                                           BrokenCopy{"missing-propagation.yaml", "TGW_RTB_CANNOT_ROUTE"},
                                           BrokenCopy{"missing-vpc-route.yaml", "RETURN_ROUTE_MISMATCH"}),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           n = n.substr(0, n.find('.'));
                           std::string out;
                           for (char c : n) out += c == '-' ? '_' : c;
                           return out;
                         });

}  // namespace
