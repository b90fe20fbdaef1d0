// Internet gateways, NAT gateways, sshd and --publish with real packets, as a
// user drives them: `vpclab up data/gateways/gateways.yaml --publish ...`,
// then `vpclab exec internet -- curl/ssh ...`. Needs namespaces (label
// netns); skips where they cannot be created. Addresses come from the same
// template through the loader (the model's allocation is deterministic).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "emulator/gateways.h"
#include "emulator/lab.h"
#include "template/load.h"
#include "../support/process.h"

using namespace vpclab;

namespace {

using Result = vpclab::testing::CommandResult;
Result sh(const std::string& cmd) { return vpclab::testing::run_command(cmd); }

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A port on 127.0.0.1 nobody listens on right now.
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

const std::string kTool = VPCLAB_BINARY;
const std::string kTemplate = std::string(VPCLAB_SOURCE_DIR) + "/tests/e2e/data/gateways/gateways.yaml";

class GatewayLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!emulator::namespace_support_problem().empty()) return;
    auto loaded = tmpl::load_network({kTemplate});
    ASSERT_TRUE(loaded.network);
    net_ = loaded.network;
    lab_ = "gateways-" + std::to_string(getpid());
    port_ = free_port();
    alb_port_ = free_port();
    auto t0 = std::chrono::steady_clock::now();
    Result up = sh(kTool + " up " + kTemplate + " --name " + lab_ + " --publish " + std::to_string(port_) + "=web:80" +
                   " --publish " + std::to_string(alb_port_) + "=" + net_->load_balancers.at(0).dns_name + ":80");
    ASSERT_EQ(up.exit_code, 0) << up.out;
    up_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    started_ = true;
    dir_ = emulator::lab_dir(lab_);
    // A server on the internet host: python's log names each client.
    sh("mkdir -p " + dir_ + "/inet && echo internet-page > " + dir_ + "/inet/index.html");
    sh("cd " + dir_ + "/inet && (" + kTool + " exec --lab " + lab_ + " internet -- python3 -m http.server 8000 --bind " +
       emulator::internet_host_address(*net_).str() + " > " + dir_ + "/inet/server.log 2>&1 &)");
    // UserData servers and the internet server come up asynchronously.
    for (int i = 0; i < 50; ++i) {
      bool web = exec("internet", "curl -s -m 1 http://" + public_ip("web") + "/").exit_code == 0;
      bool inet = exec("internet", "curl -s -m 1 http://" + host() + ":8000/").exit_code == 0;
      if (web && inet) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  static void TearDownTestSuite() {
    if (started_) sh(kTool + " down " + lab_);
    started_ = false;
  }
  void SetUp() override {
    std::string why = emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
    ASSERT_TRUE(started_);
  }

  static Result exec(const std::string& target, const std::string& cmd) {
    return sh(kTool + " exec --lab " + lab_ + " " + target + " -- sh -c '" + cmd + "'");
  }
  static const model::Instance& instance(const std::string& name) {
    for (const auto& i : net_->instances)
      if (i.name == name) return i;
    throw std::runtime_error("no instance " + name);
  }
  static std::string public_ip(const std::string& name) {
    const auto& i = instance(name);
    return i.public_ip ? i.public_ip->str() : "";
  }
  static std::string private_ip(const std::string& name) { return instance(name).private_ip.str(); }
  static std::string host() { return emulator::internet_host_address(*net_).str(); }
  static std::string web_log() { return read_file(dir_ + "/logs/" + instance("web").id + ".log"); }

  static inline std::shared_ptr<const model::Network> net_;
  static inline std::string lab_, dir_;
  static inline uint16_t port_ = 0, alb_port_ = 0;
  static inline bool started_ = false;
  static inline double up_seconds_ = 0;
};

TEST_F(GatewayLab, InternetReachesAPublicInstanceByPublicIpAndName) {
  std::printf("lab up in %.2f s\n", up_seconds_);
  Result r = exec("internet", "curl -s -m 3 http://" + public_ip("web") + "/");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "hello from web\n");
  // The public hostname resolves through the lab's public DNS in `internet`.
  const std::string& name = instance("web").public_dns_name;
  ASSERT_FALSE(name.empty());
  r = exec("internet", "curl -s -m 3 http://" + name + "/");
  EXPECT_EQ(r.out, "hello from web\n");
  // The instance sees the internet host's address (1:1 NAT only rewrites its side).
  EXPECT_NE(web_log().find(host() + " - - "), std::string::npos) << web_log();
}

TEST_F(GatewayLab, InternetFacingAlbByItsPublicDnsName) {
  const auto& lb = net_->load_balancers.at(0);
  ASSERT_FALSE(lb.internal);
  Result r = exec("internet", "curl -s -m 3 http://" + lb.dns_name + "/");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "hello from web\n");
  // --publish to the ALB's DNS name: its nodes' public IPs, round robin per connection.
  for (int i = 0; i < 4; ++i) {
    r = sh("curl -s -m 3 http://127.0.0.1:" + std::to_string(alb_port_) + "/");
    EXPECT_EQ(r.out, "hello from web\n");
  }
}

TEST_F(GatewayLab, PrivateInstanceIsNotReachableFromTheInternet) {
  // It has no public IP; its private address is not routed on the internet.
  EXPECT_EQ(public_ip("app"), "");
  Result r = exec("internet", "curl -s -m 2 http://" + private_ip("app") + "/");
  EXPECT_NE(r.exit_code, 0) << r.out;
  // Not through the NAT gateway either: its EIP accepts nothing new inbound.
  const auto& nat = net_->nat_gateways.at(0);
  ASSERT_TRUE(nat.public_ip);
  r = exec("internet", "curl -s -m 2 http://" + nat.public_ip->str() + "/");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // dropped: a timeout, as in AWS
}

TEST_F(GatewayLab, PrivateInstanceReachesTheInternetThroughTheNatGateway) {
  Result r = exec("app", "curl -s -m 3 http://" + host() + ":8000/");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "internet-page\n");
  // The server on the internet sees the NAT gateway's Elastic IP.
  std::string log = read_file(dir_ + "/inet/server.log");
  const auto& nat = net_->nat_gateways.at(0);
  EXPECT_NE(log.find(nat.public_ip->str() + " - - "), std::string::npos) << log;
  EXPECT_EQ(log.find(private_ip("app")), std::string::npos) << log;
  // And the lab's public DNS answers there too (through the VPC resolver).
  r = exec("app", "curl -s -m 3 http://" + instance("web").public_dns_name + "/");
  EXPECT_EQ(r.out, "hello from web\n");
}

TEST_F(GatewayLab, PublicIpWithoutAnIgwRouteGoesNowhere) {
  ASSERT_NE(public_ip("isolated"), "");
  Result r = exec("isolated", "curl -s -m 2 http://" + host() + ":8000/");
  EXPECT_NE(r.exit_code, 0) << r.out;
  // Inbound arrives, but the reply has no route out: no connection.
  r = exec("internet", "curl -s -m 2 http://" + public_ip("isolated") + "/");
  EXPECT_NE(r.exit_code, 0) << r.out;
}

TEST_F(GatewayLab, SecurityGroupLetsOnlySshToTheBastion) {
  // The bastion serves HTTP on 80 too, but its security group allows 22 only.
  Result r = exec("internet", "curl -s -m 2 http://" + public_ip("bastion") + "/");
  EXPECT_EQ(r.exit_code, 28) << r.out;
  r = exec("internet", "timeout 3 bash -c \"exec 3<>/dev/tcp/" + public_ip("bastion") + "/22 && head -c 7 <&3\"");
  EXPECT_EQ(r.out, "SSH-2.0") << r.out;
}

TEST_F(GatewayLab, SshThroughTheBastionAsEc2User) {
  // Rootless labs map one id: sshd's setgroups()/setuid() fail there (docs/emulator.md "SSH").
  if (geteuid() != 0) GTEST_SKIP() << "sshd needs more than one mapped id: run as root";
  Result key = sh(kTool + " ssh-key lab-key --lab " + lab_);
  ASSERT_EQ(key.exit_code, 0) << key.out;
  std::string path = key.out.substr(0, key.out.find('\n'));
  EXPECT_EQ(path, dir_ + "/keys/lab-key");
  Result r = sh(kTool + " exec --lab " + lab_ + " internet -- ssh -i " + path + " -J ec2-user@" + public_ip("bastion") +
                " ec2-user@" + private_ip("app") + " 'hostname; id -un'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::string hostname = instance("app").private_dns_name.substr(0, instance("app").private_dns_name.find('.'));
  EXPECT_NE(r.out.find(hostname + "\nec2-user\n"), std::string::npos) << r.out;
  EXPECT_EQ(sh(kTool + " ssh-key no-such-key --lab " + lab_).exit_code, 1);
}

TEST_F(GatewayLab, PublishForwardsHostLoopbackToThePublicInstance) {
  Result r = sh("curl -s -m 3 http://127.0.0.1:" + std::to_string(port_) + "/");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "hello from web\n");
  // A second `up` cannot take the same host port: it fails before starting anything.
  Result again = sh(kTool + " up " + kTemplate + " --name " + lab_ + "-b --publish " + std::to_string(port_) + "=web:80");
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find("Address already in use"), std::string::npos) << again.out;
}

}  // namespace
