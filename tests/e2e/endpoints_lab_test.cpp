// VPC endpoints in a running lab (examples/endpoints/, `vpclab up`), driven
// with real curl and dig through `vpclab exec`, each flow also traced by
// `vpclab trace` (the kernel is the oracle: lab and analyzer must agree):
// - bar-app's route table has the S3 gateway endpoint's route: the object
//   comes from the lab's S3, which saw bar-app's private IP (the endpoint,
//   not the NAT gateway); a missing key is S3's 404;
// - bar-isolated's table has neither the endpoint route nor a NAT gateway:
//   S3 times out;
// - the SQS interface endpoint's private DNS answers its ENIs inside bar;
//   they answer bar-app, and their security group (HTTP from the private
//   subnets only) times bar-isolated out;
// - the endpoint on the public table (broken/): S3 through the NAT gateway,
//   then the endpoint from the NAT gateway's subnet; no endpoint at all:
//   S3's public side through the NAT gateway and the internet gateway.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"
#include "template/load.h"

using namespace vpclab;

namespace {

namespace fs = std::filesystem;
using vpclab::testing::CommandResult;
using vpclab::testing::ScopedLab;
using vpclab::testing::vpclab;

const fs::path kExample = fs::path(VPCLAB_SOURCE_DIR) / "examples/endpoints";
const std::string kS3 = "http://s3.us-east-1.amazonaws.com";
const std::string kSqs = "sqs.us-east-1.amazonaws.com";

std::string file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The network as the loader builds it (addresses are deterministic).
std::shared_ptr<const model::Network> load(const fs::path& manifest) {
  auto l = tmpl::load_network({manifest.string()});
  EXPECT_TRUE(l.network);
  return l.network;
}
const model::Instance* instance(const model::Network& n, const std::string& name) {
  for (const auto& i : n.instances)
    if (i.name == name) return &i;
  ADD_FAILURE() << "no instance " << name;
  return nullptr;
}
std::set<std::string> endpoint_ips(const model::Network& n, const std::string& logical_id) {
  std::set<std::string> out;
  for (const auto& ep : n.vpc_endpoints)
    if (ep.origin.logical_id == logical_id)
      for (const auto& id : ep.network_interfaces) out.insert(n.network_interface(id)->private_ip.str());
  return out;
}
std::set<std::string> lines(const std::string& s) {
  std::set<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.insert(l);
  return out;
}

CommandResult trace(const fs::path& manifest, const std::string& from, const std::string& to) {
  return vpclab("trace " + manifest.string() + " --from " + from + " --to " + to);
}

class EndpointsLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!emulator::namespace_support_problem().empty()) return;
    net_ = load(kExample / "vpclab.yaml");
    lab_ = std::make_unique<ScopedLab>("vpce", (kExample / "vpclab.yaml").string());
  }
  static void TearDownTestSuite() { lab_.reset(); }
  void SetUp() override {
    std::string why = emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
    ASSERT_TRUE(net_);
    ASSERT_EQ(lab_->up().exit_code, 0) << lab_->up().out;
  }
  static std::shared_ptr<const model::Network> net_;
  static std::unique_ptr<ScopedLab> lab_;
};
std::shared_ptr<const model::Network> EndpointsLab::net_;
std::unique_ptr<ScopedLab> EndpointsLab::lab_;

TEST_F(EndpointsLab, UpEmulatesTheGatewayAndInterfaceEndpoints) {
  EXPECT_EQ(lab_->up().out.find("not emulated yet: VPC endpoint"), std::string::npos) << lab_->up().out;
  EXPECT_EQ(lab_->up().out.find("VpcEndpointId targets are not emulated"), std::string::npos) << lab_->up().out;
  auto st = vpclab("status " + lab_->name());
  EXPECT_NE(st.out.find("aws-us-east-1"), std::string::npos) << st.out;
}

TEST_F(EndpointsLab, TheEndpointRouteFetchesTheObjectFromS3) {
  const auto* app = instance(*net_, "bar-app");
  ASSERT_TRUE(app);
  const std::string url = kS3 + "/bar-artifacts/release/app.txt";
  auto r = lab_->exec("bar-app", "curl -sS --max-time 5 -D - " + url);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r.out;
  std::string body = file(kExample / "s3/bar-artifacts/release/app.txt");
  ASSERT_FALSE(body.empty());
  EXPECT_EQ(r.out.substr(r.out.size() - std::min(r.out.size(), body.size())), body) << r.out;
  // S3 saw bar-app's own address: the packets took the endpoint, not the NAT gateway.
  EXPECT_NE(r.out.find("x-vpclab-source-ip: " + app->private_ip.str() + "\r\n"), std::string::npos) << r.out;
  auto t = trace(kExample / "vpclab.yaml", "bar-app", url);
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("vpc-endpoint"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("nat-gateway"), std::string::npos) << t.out;
  // A missing key: S3's 404 with its XML error.
  auto miss = lab_->exec("bar-app", "curl -s --max-time 5 -w '\\n%{http_code}' " + kS3 + "/bar-artifacts/release/none.txt");
  EXPECT_EQ(miss.exit_code, 0) << miss.out;
  EXPECT_NE(miss.out.find("<Code>NoSuchKey</Code>"), std::string::npos) << miss.out;
  EXPECT_EQ(miss.out.substr(miss.out.size() - 3), "404") << miss.out;
}

// The AWS CLI, where the host has one, with the lab's S3 as --endpoint-url.
TEST_F(EndpointsLab, TheAwsCliCopiesTheObjectThroughTheEndpoint) {
  std::string aws = vpclab::testing::run_command("command -v aws", false).out;
  while (!aws.empty() && aws.back() == '\n') aws.pop_back();
  if (aws.empty()) GTEST_SKIP() << "no aws CLI on this host";
  auto r = lab_->exec("bar-app", "env AWS_ACCESS_KEY_ID=lab AWS_SECRET_ACCESS_KEY=lab AWS_EC2_METADATA_DISABLED=true "
                                 "HOME=/tmp timeout 60 " + aws + " --region us-east-1 --endpoint-url " + kS3 +
                                 " s3 cp s3://bar-artifacts/release/app.txt -");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(file(kExample / "s3/bar-artifacts/release/app.txt")), std::string::npos) << r.out;
}

TEST_F(EndpointsLab, ASubnetWithoutTheRouteOrANatGatewayTimesOut) {
  auto r = lab_->exec("bar-isolated", "curl -sS --max-time 3 " + kS3 + "/bar-artifacts/hello.txt");
  EXPECT_EQ(r.exit_code, 28) << r.out;  // curl: operation timed out
  auto t = trace(kExample / "vpclab.yaml", "bar-isolated", kS3 + "/bar-artifacts/hello.txt");
  EXPECT_EQ(t.exit_code, 1) << t.out;
}

TEST_F(EndpointsLab, PrivateDnsAnswersTheInterfaceEndpointWhichAnswers) {
  auto want = endpoint_ips(*net_, "SqsEndpoint");
  ASSERT_EQ(want.size(), 2u);
  auto d = lab_->exec("bar-app", "dig +short +time=2 +tries=2 " + kSqs);
  ASSERT_EQ(d.exit_code, 0) << d.out;
  EXPECT_EQ(lines(d.out), want) << d.out;
  // The analyzer answers the same addresses.
  auto t = trace(kExample / "vpclab.yaml", "bar-app", "http://" + kSqs + "/");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  for (const auto& ip : want) EXPECT_NE(t.out.find(ip), std::string::npos) << ip << "\n" << t.out;
  // Each interface answers for its endpoint (the lab serves no SQS API: 501).
  std::string vpce;
  for (const auto& ep : net_->vpc_endpoints)
    if (ep.origin.logical_id == "SqsEndpoint") vpce = ep.id;
  for (const auto& ip : want) {
    auto r = lab_->exec("bar-app", "curl -sS --max-time 5 -D - -o /dev/null http://" + ip + "/");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.rfind("HTTP/1.1 501", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("x-vpclab-endpoint: " + vpce + "\r\n"), std::string::npos) << r.out;
  }
  auto by_name = lab_->exec("bar-app", "curl -sS --max-time 5 -o /dev/null -w '%{remote_ip}' http://" + kSqs + "/");
  EXPECT_EQ(by_name.exit_code, 0) << by_name.out;
  EXPECT_TRUE(want.count(by_name.out)) << by_name.out;
}

TEST_F(EndpointsLab, TheEndpointsSecurityGroupTimesOutAClientItDoesNotAdmit) {
  auto want = endpoint_ips(*net_, "SqsEndpoint");
  // Private DNS answers in the whole VPC...
  auto d = lab_->exec("bar-isolated", "dig +short +time=2 +tries=2 " + kSqs);
  EXPECT_EQ(lines(d.out), want) << d.out;
  // ...but the endpoint's group admits HTTP from the private subnets only.
  auto r = lab_->exec("bar-isolated", "curl -sS --max-time 3 http://" + kSqs + "/");
  EXPECT_EQ(r.exit_code, 28) << r.out;
  auto t = trace(kExample / "vpclab.yaml", "bar-isolated", "http://" + kSqs + "/");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("ENI_SG_RULES_MISMATCH"), std::string::npos) << t.out;
}

class EndpointsVariantLab : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = emulator::namespace_support_problem();
    if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  }
};

// The NAT gateway's private IP and its Elastic IP, from the model.
std::pair<std::string, std::string> nat_addresses(const model::Network& n) {
  if (n.nat_gateways.empty()) return {};
  const auto& nat = n.nat_gateways.front();
  return {nat.private_ip.str(), nat.public_ip ? nat.public_ip->str() : ""};
}

TEST_F(EndpointsVariantLab, OnThePublicTableS3IsReachedThroughTheNatGatewayThenTheEndpoint) {
  const fs::path manifest = kExample / "broken/vpclab.yaml";
  auto net = load(manifest);
  ASSERT_TRUE(net);
  ScopedLab lab("vpce-broken", manifest.string());
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  const std::string url = kS3 + "/bar-artifacts/hello.txt";
  auto r = lab.exec("bar-app", "curl -sS --max-time 5 -D - " + url);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(file(kExample / "s3/bar-artifacts/hello.txt")), std::string::npos) << r.out;
  // S3 saw the NAT gateway's private IP: translated, then the endpoint route of the public table.
  EXPECT_NE(r.out.find("x-vpclab-source-ip: " + nat_addresses(*net).first + "\r\n"), std::string::npos) << r.out;
  auto t = trace(manifest, "bar-app", url);
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("nat-gateway"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("vpc-endpoint"), std::string::npos) << t.out;
}

TEST_F(EndpointsVariantLab, WithoutAnEndpointS3IsItsPublicSideThroughTheInternetGateway) {
  // The example with the gateway endpoint on no route table.
  fs::path dir = fs::path(::testing::TempDir()) / ("vpce-none-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(kExample / "s3", dir / "s3", fs::copy_options::recursive);
  fs::copy_file(kExample / "vpclab.yaml", dir / "vpclab.yaml");
  std::string t = file(kExample / "endpoints.yaml");
  const std::string from = "      RouteTableIds:\n        - !Ref BarPrivateRouteTable\n";
  ASSERT_NE(t.find(from), std::string::npos);
  t.replace(t.find(from), from.size(), "      RouteTableIds: []\n");
  std::ofstream(dir / "endpoints.yaml") << t;
  auto net = load(dir / "vpclab.yaml");
  ASSERT_TRUE(net);
  auto [nat_private, nat_eip] = nat_addresses(*net);
  ASSERT_FALSE(nat_eip.empty());
  ScopedLab lab("vpce-none", (dir / "vpclab.yaml").string());
  ASSERT_EQ(lab.up().exit_code, 0) << lab.up().out;
  const std::string url = kS3 + "/bar-artifacts/hello.txt";
  auto r = lab.exec("bar-app", "curl -sS --max-time 5 -D - " + url);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // S3's public side saw the NAT gateway's Elastic IP.
  EXPECT_NE(r.out.find("x-vpclab-source-ip: " + nat_eip + "\r\n"), std::string::npos) << r.out;
  auto tr = trace(dir / "vpclab.yaml", "bar-app", url);
  EXPECT_EQ(tr.exit_code, 0) << tr.out;
  EXPECT_NE(tr.out.find("nat-gateway"), std::string::npos) << tr.out;
  EXPECT_EQ(tr.out.find("vpc-endpoint "), std::string::npos) << tr.out;
  // And the internet reaches S3's public address too.
  auto inet = lab.exec("internet", "curl -sS --max-time 5 " + url);
  EXPECT_EQ(inet.exit_code, 0) << inet.out;
  EXPECT_NE(inet.out.find(file(kExample / "s3/bar-artifacts/hello.txt")), std::string::npos) << inet.out;
}

}  // namespace
