// `vpclab check` as a user runs it: exit codes, diagnostic lines, JSON and SARIF.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

TEST(CheckCommand, CanonicalScenarioIsClean) {
  for (const char* path : {"examples/scenario/same-account.yaml", "examples/scenario/vpclab.yaml",
                           "examples/scenario/cross-account/vpclab.yaml"}) {
    auto r = vpclab(std::string("check ") + path);
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.out;
    EXPECT_EQ(r.out.find(" error "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(" warning "), std::string::npos) << r.out;
  }
}

// A folder holding vpclab.yaml stands for that manifest (`vpclab diff git:origin/main .`).
TEST(CheckCommand, AFolderWithAManifestIsThatManifest) {
  auto folder = vpclab("check --json examples/scenario/cross-account", /*merge_stderr=*/false);
  auto manifest = vpclab("check --json examples/scenario/cross-account/vpclab.yaml", /*merge_stderr=*/false);
  ASSERT_EQ(folder.exit_code, 0) << folder.out;
  EXPECT_EQ(nlohmann::json::parse(folder.out)["diagnostics"], nlohmann::json::parse(manifest.out)["diagnostics"]);
  // The manifest's peering DNS options apply: alb.home resolves from bar.
  auto trace = vpclab("trace examples/scenario --from BarApp --to http://alb.home/");
  EXPECT_EQ(trace.exit_code, 0) << trace.out;
  EXPECT_NE(trace.out.find("verdict: reachable"), std::string::npos) << trace.out;
  auto none = vpclab("check examples/broken");  // no vpclab.yaml there: not a lab
  EXPECT_EQ(none.exit_code, 1) << none.out;
}

// Each broken example yields its lint code, as a warning at a line in that file.
struct BrokenCase {
  const char* file;
  const char* code;
};

class BrokenExample : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenExample, ReportsItsLint) {
  const auto& c = GetParam();
  std::string path = std::string("examples/broken/") + c.file;
  auto r = vpclab("check --json " + path, /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << "lint findings are warnings, not errors\n" << r.out;
  auto j = nlohmann::json::parse(r.out);
  int found = 0;
  for (const auto& d : j["diagnostics"]) {
    if (d["code"] == c.code) {
      ++found;
      EXPECT_EQ(d["severity"], "warning");
      EXPECT_EQ(d["file"], path);
      EXPECT_GT(d["line"].get<int>(), 0);
      EXPECT_FALSE(d.value("fix", "").empty()) << "every lint suggests a fix";
    }
  }
  EXPECT_GE(found, 1) << c.code << " missing in\n" << j.dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    Lints, BrokenExample,
    ::testing::Values(BrokenCase{"alb-sg-open-to-world.yaml", "ALB_SG_OPEN_TO_WORLD"},
                      BrokenCase{"target-sg-missing-port.yaml", "TARGET_SG_MISSING_PORT"},
                      BrokenCase{"alb-sg-missing-listener-port.yaml", "ALB_SG_MISSING_LISTENER_PORT"},
                      BrokenCase{"peering-route-one-side.yaml", "PEERING_ROUTE_ONE_SIDE"},
                      BrokenCase{"phz-vpc-dns-disabled.yaml", "PHZ_VPC_DNS_DISABLED"},
                      BrokenCase{"internet-facing-alb-no-igw.yaml", "INTERNET_FACING_ALB_NO_IGW"},
                      BrokenCase{"nat-gateway-no-igw-route.yaml", "NAT_GATEWAY_NO_IGW_ROUTE"},
                      BrokenCase{"ssh-open-to-world.yaml", "SSH_OPEN_TO_WORLD"}),
    [](const auto& info) {
      std::string n = info.param.code;
      return n;
    });

TEST(CheckCommand, ErrorsGiveExitOneAndFileLineCol) {
  // A subnet outside its VPC: AWS rejects it; the message points at the subnet's CIDR.
  auto dir = ::testing::TempDir();
  std::string path = dir + "/bad-subnet.yaml";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_TRUE(f);
  fputs(
      "Resources:\n"
      "  Vpc:\n"
      "    Type: AWS::EC2::VPC\n"
      "    Properties:\n"
      "      CidrBlock: 10.0.0.0/16\n"
      "  Subnet:\n"
      "    Type: AWS::EC2::Subnet\n"
      "    Properties:\n"
      "      VpcId: !Ref Vpc\n"
      "      CidrBlock: 10.9.0.0/24\n",
      f);
  fclose(f);
  auto r = vpclab("check " + path);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(path + ":10:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": error "), std::string::npos) << r.out;
}

// Two VPCs whose blocks overlap through a secondary block, joined by a
// peering: CloudFormation fails the peering and rolls the stack back, so the
// template cannot be deployed.
TEST(CheckCommand, PeeringOfOverlappingVpcsInATemplateIsAnError) {
  auto dir = ::testing::TempDir();
  std::string path = dir + "/overlap-peering.yaml";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_TRUE(f);
  fputs(
      "Resources:\n"
      "  Bar:\n"
      "    Type: AWS::EC2::VPC\n"
      "    Properties:\n"
      "      CidrBlock: 10.1.0.0/16\n"
      "  Foo:\n"
      "    Type: AWS::EC2::VPC\n"
      "    Properties:\n"
      "      CidrBlock: 10.2.0.0/16\n"
      "  FooSecondary:\n"
      "    Type: AWS::EC2::VPCCidrBlock\n"
      "    Properties:\n"
      "      VpcId: !Ref Foo\n"
      "      CidrBlock: 10.1.128.0/17\n"
      "  BarToFoo:\n"
      "    Type: AWS::EC2::VPCPeeringConnection\n"
      "    Properties:\n"
      "      VpcId: !Ref Bar\n"
      "      PeerVpcId: !Ref Foo\n",
      f);
  fclose(f);
  auto r = vpclab("check --json " + path, /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto j = nlohmann::json::parse(r.out);
  int found = 0;
  for (const auto& d : j["diagnostics"])
    if (d["code"] == "PCX_CIDR_OVERLAP") {
      ++found;
      EXPECT_EQ(d["severity"], "error");
      EXPECT_EQ(d["file"], path);
      EXPECT_EQ(d["line"].get<int>(), 15) << "at the peering resource";
      EXPECT_NE(d["message"].get<std::string>().find("10.1.128.0/17"), std::string::npos) << d.dump();
    }
  EXPECT_EQ(found, 1) << j.dump(2);
}

// The same pair in a deployed account: AWS shows the peering `failed`; a
// snapshot records that state, it is not an error of the input.
TEST(CheckCommand, FailedPeeringInASnapshotIsAState) {
  auto dir = ::testing::TempDir() + "/overlap-snapshot";
  std::string mk = "mkdir -p " + dir;
  ASSERT_EQ(system(mk.c_str()), 0);
  auto write = [&](const std::string& name, const char* text) {
    FILE* f = fopen((dir + "/" + name).c_str(), "w");
    ASSERT_TRUE(f);
    fputs(text, f);
    fclose(f);
  };
  write("vpcs.json",
        R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.1.0.0/16", "OwnerId": "111122223333"},
                    {"VpcId": "vpc-2", "CidrBlock": "10.2.0.0/16", "OwnerId": "111122223333",
                     "CidrBlockAssociationSet": [{"CidrBlock": "10.2.0.0/16"}, {"CidrBlock": "10.1.128.0/17"}]}]})");
  write("pcx.json",
        R"({"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1",
              "RequesterVpcInfo": {"VpcId": "vpc-1", "OwnerId": "111122223333", "CidrBlock": "10.1.0.0/16"},
              "AccepterVpcInfo": {"VpcId": "vpc-2", "OwnerId": "111122223333", "CidrBlock": "10.2.0.0/16"},
              "Status": {"Code": "failed", "Message": "Overlapping CIDR"}}]})");
  auto r = vpclab("check --json " + dir, /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const auto& d : j["diagnostics"]) {
    EXPECT_NE(d["code"], "PCX_CIDR_OVERLAP") << d.dump();
    EXPECT_NE(d["severity"], "error") << d.dump();
  }
}

TEST(CheckCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(vpclab("check").exit_code, 2);
  EXPECT_EQ(vpclab("check --format xml examples/scenario/same-account.yaml").exit_code, 2);
  EXPECT_EQ(vpclab("check no/such/file.yaml").exit_code, 2);
}

TEST(CheckCommand, SarifIsValidShape) {
  auto r = vpclab("check --format sarif examples/broken/alb-sg-open-to-world.yaml", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], "2.1.0");
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["tool"]["driver"]["name"], "vpclab");
  bool seen = false;
  for (const auto& res : j["runs"][0]["results"]) {
    if (res["ruleId"] == "ALB_SG_OPEN_TO_WORLD") {
      seen = true;
      EXPECT_EQ(res["level"], "warning");
      EXPECT_GT(res["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>(), 0);
    }
  }
  EXPECT_TRUE(seen) << j.dump(2);
}

}  // namespace
}  // namespace vpclab
