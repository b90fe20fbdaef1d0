// `vpclab dns PATH --vpc VPC --listen ADDR:PORT` as a user runs it: the real
// binary serving one VPC's resolver of the canonical scenario (in us-east-1,
// with a plain record in its private zone and a VPC without DNS support
// added), asked with real `dig`. What each name must resolve to comes from
// the loaded model (instances' and the ALB nodes' addresses), not from here.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../support/process.h"
#include "template/load.h"

extern char** environ;

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The scenario with db.home (two A records) and QuietVpc (EnableDnsSupport
// false), as stack "scen" in us-east-1 (private names under ec2.internal),
// with the peering's DNS options of examples/scenario/vpclab.yaml.
struct Lab {
  std::string dir, manifest;
  std::shared_ptr<const model::Network> net;

  Lab() {
    dir = ::testing::TempDir() + "vpclab-dns-test-" + std::to_string(getpid());
    fs::create_directories(dir);
    std::string t = slurp("examples/scenario/same-account.yaml");
    size_t at = t.find("\nOutputs:");
    if (at == std::string::npos) return;
    t.insert(at + 1,
             "  DbRecord:\n"
             "    Type: AWS::Route53::RecordSet\n"
             "    Properties:\n"
             "      HostedZoneId: !Ref HomeZone\n"
             "      Name: db.home\n"
             "      Type: A\n"
             "      TTL: \"300\"\n"
             "      ResourceRecords: [10.1.1.50, 10.1.1.51]\n"
             "  QuietVpc:\n"
             "    Type: AWS::EC2::VPC\n"
             "    Properties:\n"
             "      CidrBlock: 10.3.0.0/16\n"
             "      EnableDnsSupport: false\n\n");
    std::ofstream(dir + "/scen.yaml") << t;
    manifest = dir + "/lab.yaml";
    std::ofstream(manifest) << "name: dnstest\n"
                               "stacks:\n"
                               "  - name: scen\n"
                               "    template: scen.yaml\n"
                               "    region: us-east-1\n"
                               "peerings:\n"
                               "  - connection: {stack: scen, resource: BarToFooPeering}\n"
                               "    requester: {allow_dns_resolution_from_remote_vpc: true}\n"
                               "    accepter: {allow_dns_resolution_from_remote_vpc: true}\n";
    auto r = tmpl::load_network({manifest});
    if (r.network && !r.diags.has_errors()) net = r.network;
  }
  ~Lab() { fs::remove_all(dir); }

  const model::Instance* instance(const std::string& name_tag) const {
    for (const auto& i : net->instances)
      if (i.name == name_tag) return &i;
    return nullptr;
  }
  const model::Vpc* vpc(const std::string& logical_id) const {
    for (const auto& v : net->vpcs)
      if (v.origin.logical_id == logical_id) return &v;
    return nullptr;
  }
};

const Lab& lab() {
  static Lab l;
  return l;
}

// `vpclab dns ARGS...` in the background, stderr to a file; the port it
// says it listens on; stopped with SIGTERM, its exit status kept.
class Served {
 public:
  explicit Served(std::vector<std::string> args) {
    log_ = lab().dir + "/served-" + std::to_string(++count_) + ".log";
    args.insert(args.begin(), {VPCLAB_BINARY, "dns"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    static const std::regex kListening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 100 && pid_ > 0 && port_ == 0; ++i) {  // 10 s at most
      std::smatch m;
      std::string text = slurp(log_);
      if (std::regex_search(text, m, kListening)) port_ = std::stoi(m[1]);
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~Served() { stop(); }
  uint16_t port() const { return static_cast<uint16_t>(port_); }
  std::string log() const { return slurp(log_); }
  // SIGTERM; the exit code (-1 when it had to be killed).
  int stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return status_;
  }

 private:
  static inline int count_ = 0;
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
  int status_ = -1;
};

struct Dig {
  std::string status;              // NOERROR, NXDOMAIN, ... ("" when nothing answered)
  std::set<std::string> a;         // the A answers
  std::vector<std::string> lines;  // answer and authority records
  std::string out;
};

Dig dig(uint16_t port, const std::string& name, const std::string& type = "A", const std::string& extra = "") {
  Dig d;
  d.out = run_command("dig +time=1 +tries=1 -p " + std::to_string(port) + " @127.0.0.1 " + extra + " " + name + " " +
                      type)
              .out;
  std::smatch m;
  if (std::regex_search(d.out, m, std::regex("status: ([A-Z]+)"))) d.status = m[1];
  std::istringstream in(d.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    d.lines.push_back(line);
    std::istringstream f(line);
    std::string owner, ttl, cls, t, value;
    if (f >> owner >> ttl >> cls >> t >> value && t == "A") d.a.insert(value);
  }
  return d;
}

class DnsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v dig").out.empty()) GTEST_SKIP() << "dig (dnsutils) not installed";
    ASSERT_NE(lab().net, nullptr) << "the test's lab does not load";
  }
};

std::set<std::string> alb_node_ips() {
  std::set<std::string> ips;
  for (const auto& lb : lab().net->load_balancers)
    if (lb.origin.logical_id == "FooInternalAlb")
      for (const auto& n : lb.nodes) ips.insert(n.private_ip.str());
  return ips;
}

std::string alb_dns_name() {
  for (const auto& lb : lab().net->load_balancers)
    if (lb.origin.logical_id == "FooInternalAlb") return lb.dns_name;
  return "";
}

TEST_F(DnsCommand, BarServesItsPrivateZoneTheAliasToTheAlbAndItsOwnHostnames) {
  Served s({lab().manifest, "--vpc", "scen.BarVpc", "--listen", "127.0.0.1:0"});
  ASSERT_NE(s.port(), 0) << s.log();
  // A plain record set of the private zone.
  Dig db = dig(s.port(), "db.home");
  EXPECT_EQ(db.status, "NOERROR") << db.out;
  EXPECT_EQ(db.a, (std::set<std::string>{"10.1.1.50", "10.1.1.51"})) << db.out;
  // The alias to the internal ALB: its nodes' private IPs, TTL 60 as Route 53's alias to an ELB.
  auto nodes = alb_node_ips();
  ASSERT_FALSE(nodes.empty());
  Dig alb = dig(s.port(), "alb.home");
  EXPECT_EQ(alb.status, "NOERROR") << alb.out;
  EXPECT_EQ(alb.a, nodes) << alb.out;
  ASSERT_FALSE(alb.lines.empty());
  EXPECT_NE(alb.lines.front().find("\t60\t"), std::string::npos) << alb.out;
  // The ALB's own name resolves the same (public DNS).
  EXPECT_EQ(dig(s.port(), alb_dns_name()).a, nodes);
  // Amazon-provided private hostname of bar's instance (us-east-1: ec2.internal).
  const model::Instance* app = lab().instance("bar-app");
  ASSERT_NE(app, nullptr);
  ASSERT_NE(app->private_dns_name.find(".ec2.internal"), std::string::npos) << app->private_dns_name;
  EXPECT_EQ(app->private_dns_name.rfind("ip-10-", 0), 0u) << app->private_dns_name;
  Dig host = dig(s.port(), app->private_dns_name);
  EXPECT_EQ(host.status, "NOERROR") << host.out;
  EXPECT_EQ(host.a, (std::set<std::string>{app->private_ip.str()})) << host.out;
  // The same over TCP.
  EXPECT_EQ(dig(s.port(), "db.home", "A", "+tcp").a, db.a);
  EXPECT_EQ(s.stop(), 0) << "SIGTERM is a clean stop";
}

TEST_F(DnsCommand, AbsentAndOutOfVpcNamesAreNxdomainAndOutsideNamesServfail) {
  Served s({lab().manifest, "--vpc", "BarVpc", "--listen", "127.0.0.1:0"});  // a bare logical id works too
  ASSERT_NE(s.port(), 0) << s.log();
  // In the private zone but absent: NXDOMAIN with the zone's SOA.
  Dig none = dig(s.port(), "nothere.home");
  EXPECT_EQ(none.status, "NXDOMAIN") << none.out;
  ASSERT_FALSE(none.lines.empty()) << none.out;
  EXPECT_EQ(none.lines.front().rfind("home.", 0), 0u) << none.out;
  EXPECT_NE(none.lines.front().find("SOA"), std::string::npos) << none.out;
  // Foo's private hostname: only foo's resolver knows it.
  const model::Instance* web = lab().instance("foo-web1");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(dig(s.port(), web->private_dns_name).status, "NXDOMAIN");
  // An Amazon name nothing holds: AWS answers for its own domains.
  EXPECT_EQ(dig(s.port(), "ip-10-9-9-9.ap-northeast-1.compute.internal").status, "NXDOMAIN");
  // A name outside the lab: AWS's resolver would ask the internet, which a lab does not have;
  // it says it cannot resolve, not that the name does not exist.
  Dig out = dig(s.port(), "www.example.com");
  EXPECT_EQ(out.status, "SERVFAIL") << out.out;
  EXPECT_TRUE(out.a.empty());
}

TEST_F(DnsCommand, TheViewIsTheChosenVpcs) {
  // Foo is not associated with zone home: alb.home is not known there, the ALB's name is.
  const model::Vpc* foo = lab().vpc("FooVpc");
  ASSERT_NE(foo, nullptr);
  Served s({lab().manifest, "--vpc", foo->id, "--listen", "127.0.0.1:0"});  // the VPC id
  ASSERT_NE(s.port(), 0) << s.log();
  EXPECT_NE(s.log().find(foo->id), std::string::npos) << s.log();
  EXPECT_EQ(dig(s.port(), "alb.home").status, "NXDOMAIN");
  EXPECT_EQ(dig(s.port(), alb_dns_name()).a, alb_node_ips());
  const model::Instance* web = lab().instance("foo-web1");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(dig(s.port(), web->private_dns_name).a, (std::set<std::string>{web->private_ip.str()}));
}

TEST_F(DnsCommand, VpcWithoutDnsSupportAnswersNothing) {
  Served s({lab().manifest, "--vpc", "QuietVpc", "--listen", "127.0.0.1:0"});
  ASSERT_NE(s.port(), 0) << s.log();
  EXPECT_NE(s.log().find("EnableDnsSupport false"), std::string::npos) << s.log();
  Dig d = dig(s.port(), "alb.home");
  EXPECT_EQ(d.status, "") << d.out;
  EXPECT_NE(d.out.find("timed out"), std::string::npos) << d.out;
  EXPECT_EQ(s.stop(), 0);
}

TEST_F(DnsCommand, UnknownVpcIsAUsageErrorNamingTheChoices) {
  auto r = testing::vpclab("dns " + lab().manifest + " --vpc NoSuchVpc --check-only");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("NoSuchVpc"), std::string::npos) << r.out;
  for (const char* known : {"scen.FooVpc", "scen.BarVpc", "scen.QuietVpc"})
    EXPECT_NE(r.out.find(known), std::string::npos) << r.out;
  auto missing = testing::vpclab("dns " + lab().manifest + " --check-only");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
}

TEST_F(DnsCommand, ListenOffLoopbackOrMalformedIsRefused) {
  for (const char* bad : {"0.0.0.0:5300", "10.1.1.4:53", "192.0.2.1"}) {
    auto r = testing::vpclab("dns " + lab().manifest + " --vpc BarVpc --check-only --listen " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("loopback"), std::string::npos) << bad << ": " << r.out;
  }
  for (const char* bad : {"127.0.0.1:65536", "127.0.0.1:x", "localhost:53", "127.0.0.1:"}) {
    auto r = testing::vpclab("dns " + lab().manifest + " --vpc BarVpc --check-only --listen " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("--listen"), std::string::npos) << bad << ": " << r.out;
  }
}

TEST_F(DnsCommand, PortInUseIsExitOne) {
  Served first({lab().manifest, "--vpc", "BarVpc", "--listen", "127.0.0.1:0"});
  ASSERT_NE(first.port(), 0) << first.log();
  auto r = testing::vpclab("dns " + lab().manifest + " --vpc BarVpc --check-only --listen 127.0.0.1:" +
                           std::to_string(first.port()));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("bind"), std::string::npos) << r.out;
}

TEST_F(DnsCommand, RecordsListWhatTheVpcResolves) {
  auto r = testing::vpclab("dns " + lab().manifest + " --vpc BarVpc --records", false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("; zone home."), std::string::npos) << r.out;
  for (const auto& ip : alb_node_ips()) EXPECT_NE(r.out.find("alb.home. 60 IN A " + ip + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("db.home. 300 IN A 10.1.1.50\n"), std::string::npos) << r.out;
  const model::Instance* app = lab().instance("bar-app");
  ASSERT_NE(app, nullptr);
  EXPECT_NE(r.out.find(app->private_dns_name + ". 60 IN A " + app->private_ip.str()), std::string::npos) << r.out;
  const model::Instance* web = lab().instance("foo-web1");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(r.out.find(web->private_dns_name), std::string::npos) << "foo's private name is not bar's";
}

}  // namespace
}  // namespace vpclab
