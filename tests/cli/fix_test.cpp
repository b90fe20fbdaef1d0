// `vpclab fix` as a user runs it on the broken copies: the patch applies with
// git apply, the patched copy traces reachable, and `vpclab diff` of the copy
// against the patched one newly allows only the intended class; --apply;
// narrowest peers; no-fix and bad-input exits. `vpclab check --fix-lint`, the
// same machinery for lints: the patch applies, the lint is gone, and `diff`
// of the copy against the patched one shows no difference at all.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../support/fix_checks.h"
#include "../support/param_names.h"
#include "../support/process.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::vpclab;

fs::path scratch(const std::string& name) { return testing::fix_scratch("vpclab-fix-test", name); }
using testing::copy_into;
std::string read(const fs::path& p) { return testing::read_file(p); }

struct FixCase {
  const char* file;
  const char* from;
  const char* to;
  const char* port;      // "" = the URL's
  const char* expect;    // a line the patch adds
  const char* source;    // the newly allowed class's ends ("" = no new flow: DNS or routing only; "*" any source)
  const char* destination;
};

class FixBroken : public ::testing::TestWithParam<FixCase> {};

TEST_P(FixBroken, ThePatchOpensThePathAndNothingElse) {
  const auto& c = GetParam();
  std::string file = std::string("examples/broken/") + c.file;
  std::string args = file + " --from " + c.from + " --to " + c.to + (*c.port ? std::string(" --port ") + c.port : "");
  auto before = vpclab("trace " + file + " --from " + c.from + " --to " + c.to +
                       (*c.port ? std::string(" --port ") + c.port : ""));
  ASSERT_EQ(before.exit_code, 1) << before.out;

  auto r = vpclab("fix " + args, /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("--- a/" + file + "\n+++ b/" + file + "\n@@ ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(std::string("\n+") + c.expect), std::string::npos) << c.expect << "\n" << r.out;

  // git apply takes it, in a copy.
  fs::path dir = scratch(std::string(c.file));
  fs::path patched = copy_into(dir, file);
  std::ofstream(dir / "fix.patch") << r.out;
  auto applied = run_command("cd " + dir.string() + " && git apply fix.patch");
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  EXPECT_NE(read(patched), read(file));
  // The patched copy checks clean of errors and the path is open.
  auto chk = vpclab("check " + patched.string());
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  auto after = vpclab("trace " + patched.string() + " --from " + c.from + " --to " + c.to +
                      (*c.port ? std::string(" --port ") + c.port : ""));
  EXPECT_EQ(after.exit_code, 0) << after.out;
  // Only the intended class is newly allowed.
  auto d = vpclab("diff --json " + file + " " + patched.string(), false);
  auto j = nlohmann::json::parse(d.out);
  testing::expect_only_the_intended_class(j, c.from, c.source, c.destination);

}

INSTANTIATE_TEST_SUITE_P(
    Examples, FixBroken,
    ::testing::Values(
        FixCase{"alb-sg-missing-listener-port.yaml", "BarApp", "http://alb.home/", "",
                "        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, SourceSecurityGroupId: !Ref BarAppSecurityGroup, "
                "Description: vpclab fix}",
                "BarApp", "FooInternalAlb"},
        FixCase{"target-sg-missing-port.yaml", "BarApp", "http://alb.home/", "",
                "        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: !Ref FooAlbSecurityGroup",
                "FooInternalAlb", "FooWeb"},
        FixCase{"peering-route-one-side.yaml", "BarApp", "http://alb.home/", "",
                "      VpcPeeringConnectionId: !Ref BarToFooPeering", "BarApp", "FooInternalAlb"},
        FixCase{"phz-vpc-dns-disabled.yaml", "BarApp", "http://alb.home/", "", "      EnableDnsHostnames: true", "", ""},
        FixCase{"nat-gateway-no-igw-route.yaml", "FooWeb1", "internet", "443", "      SubnetId: !Ref FooPublicSubnet", "",
                ""},
        // Internet-facing in the private subnets: a public subnet in the second AZ beside
        // FooPublicSubnet, on the public table, and the ALB moved to the two.
        FixCase{"internet-facing-alb-no-igw.yaml", "internet", "FooInternalAlb", "80",
                "      Subnets: [!Ref FooPublicSubnet, !Ref FooInternalAlbPublicSubnet]", "*", "FooInternalAlb"}),
    testing::FileParamName());

TEST(FixCommand, NamesTheClientByAddressWhenItsGroupHasOtherMembers) {
  // BarBastion moves next to BarApp and joins its group: admitting the group would open the
  // ALB to the bastion too.
  std::string text = read("examples/broken/alb-sg-missing-listener-port.yaml");
  const std::string bastion = "      SubnetId: !Ref BarPublicSubnet\n      SecurityGroupIds: [!Ref BarBastionSecurityGroup]";
  auto at = text.find(bastion);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, bastion.size(),
               "      SubnetId: !Ref BarPrivateSubnet\n"
               "      SecurityGroupIds: [!Ref BarBastionSecurityGroup, !Ref BarAppSecurityGroup]");
  fs::path dir = scratch("shared-group");
  fs::path file = dir / "shared-group.yaml";
  std::ofstream(file) << text;
  auto r = vpclab("fix " + file.string() + " --from BarApp --to http://alb.home/", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto t = vpclab("trace " + file.string() + " --from BarApp --to 10.1.1.1 --json", false);
  std::string src = nlohmann::json::parse(t.out)["source"];  // "Stack.BarApp (i-...) 10.1.1.N"
  std::string address = src.substr(src.rfind(' ') + 1);
  EXPECT_NE(r.out.find("CidrIp: " + address + "/32, Description: vpclab fix}"), std::string::npos) << address << "\n" << r.out;
  EXPECT_EQ(r.out.find("SourceSecurityGroupId: !Ref BarAppSecurityGroup"), std::string::npos) << r.out;
}

TEST(FixCommand, ApplyWritesThePatch) {
  fs::path dir = scratch("apply");
  fs::path file = copy_into(dir, "examples/broken/target-sg-missing-port.yaml");
  auto r = vpclab("fix " + file.string() + " --from BarApp --to http://alb.home/ --apply");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("applied to " + file.string()), std::string::npos) << r.out;
  EXPECT_EQ(vpclab("trace " + file.string() + " --from BarApp --to http://alb.home/").exit_code, 0);
  // Comments and layout are kept: the broken copy's header is still there, one line longer.
  std::string now = read(file);
  EXPECT_EQ(now.rfind("# BROKEN on purpose", 0), 0u);
  auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
  EXPECT_EQ(lines(now), lines(read("examples/broken/target-sg-missing-port.yaml")) + 1);
  // Once open, there is nothing to fix.
  auto again = vpclab("fix " + file.string() + " --from BarApp --to http://alb.home/");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already reachable"), std::string::npos) << again.out;
}

TEST(FixCommand, SaysWhyWhenNoTemplateChangeOpensIt) {
  // A name no zone has: no record can be guessed.
  auto r = vpclab("fix examples/scenario/same-account.yaml --from BarApp --to http://nosuch.home/");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("no fix: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DNS_NXDOMAIN"), std::string::npos) << r.out;
}

// The internet-facing ALB's new subnet: in foo, the second AZ (as FooPrivateSubnet2 is), the
// first free /24, on the public route table.
TEST(FixCommand, AnInternetFacingAlbGetsAPublicSubnetInEachOfItsZones) {
  auto r = vpclab("fix examples/broken/internet-facing-alb-no-igw.yaml --from internet --to FooInternalAlb", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* line : {"+  FooInternalAlbPublicSubnet:\n+    Type: AWS::EC2::Subnet\n+    Properties:\n"
                           "+      VpcId: !Ref FooVpc\n+      CidrBlock: 10.2.3.0/24\n"
                           "+      AvailabilityZone: !Select [1, !GetAZs \"\"]\n",
                           "+      SubnetId: !Ref FooInternalAlbPublicSubnet\n+      RouteTableId: !Ref FooPublicRouteTable\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
}

// Patched copies of one file for the cases below: the fix applies, checks clean, and the
// trace that was blocked is open.
struct Patched {
  std::string patch;
  fs::path file;
};
Patched fix_and_apply(const std::string& name, const std::string& file, const std::string& args) {
  auto r = vpclab("fix " + file + " " + args, false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  fs::path dir = scratch(name);
  fs::path copy = copy_into(dir, file);
  std::ofstream(dir / "fix.patch") << r.out;
  EXPECT_EQ(run_command("cd " + dir.string() + " && git apply fix.patch").exit_code, 0) << r.out;
  EXPECT_EQ(vpclab("check " + copy.string()).exit_code, 0);
  EXPECT_EQ(vpclab("trace " + copy.string() + " " + args).exit_code, 0) << r.out;
  return {r.out, copy};
}

TEST(FixCommand, AMissingListenerIsAddedForwardingAsTheOthersDo) {
  const std::string file = "examples/scenario/same-account.yaml";
  auto before = vpclab("trace " + file + " --from BarApp --to http://alb.home:8443/");
  ASSERT_EQ(before.exit_code, 1);  // the ALB's group first; behind it, no listener on 8443
  auto why = vpclab("fix " + file + " --from BarApp --to http://alb.home:8443/");
  EXPECT_NE(why.out.find("answers ELBV2_LISTENER_PORT_RESTRICTION"), std::string::npos) << why.out;
  auto p = fix_and_apply("listener", file, "--from BarApp --to http://alb.home:8443/");
  EXPECT_NE(p.patch.find("+  FooInternalAlbListener8443:\n+    Type: AWS::ElasticLoadBalancingV2::Listener\n"),
            std::string::npos) << p.patch;
  EXPECT_NE(p.patch.find("+      DefaultActions: [{Type: forward, TargetGroupArn: !Ref FooWebTargetGroup}]"), std::string::npos)
      << p.patch;
  // And the ALB's group admits the port from bar's app only.
  EXPECT_NE(p.patch.find("FromPort: 8443, ToPort: 8443, SourceSecurityGroupId: !Ref BarAppSecurityGroup"), std::string::npos)
      << p.patch;
}

TEST(FixCommand, AVpcWithoutAnInternetGatewayGetsOneAttachedAndRouted) {
  const std::string file = "tests/cli/data/fix-no-internet-gateway.yaml";
  auto before = vpclab("trace " + file + " --from internet --to Web --port 443");
  ASSERT_NE(before.out.find("NO_INTERNET_GATEWAY"), std::string::npos) << before.out;
  auto p = fix_and_apply("igw", file, "--from internet --to Web --port 443");
  for (const char* line : {"+  VpcInternetGateway:\n+    Type: AWS::EC2::InternetGateway\n",
                           "+    Type: AWS::EC2::VPCGatewayAttachment\n+    Properties:\n+      VpcId: !Ref Vpc\n"
                           "+      InternetGatewayId: !Ref VpcInternetGateway\n",
                           "+    Type: AWS::EC2::Route\n+    DependsOn: VpcGatewayAttachment\n",
                           "+      DestinationCidrBlock: 0.0.0.0/0\n+      GatewayId: !Ref VpcInternetGateway\n"})
    EXPECT_NE(p.patch.find(line), std::string::npos) << line << "\n" << p.patch;
}

TEST(FixCommand, AHostWithoutAPublicAddressGetsAnElasticIp) {
  const std::string file = "tests/cli/data/fix-public-access.yaml";
  auto in = vpclab("trace " + file + " --from internet --to Host --port 22");
  ASSERT_NE(in.out.find("DESTINATION_NOT_PUBLIC"), std::string::npos) << in.out;
  auto p = fix_and_apply("eip-in", file, "--from internet --to Host --port 22");
  EXPECT_NE(p.patch.find("+  HostEip:\n+    Type: AWS::EC2::EIP\n+    Properties:\n+      Domain: vpc\n+      InstanceId: !Ref Host\n"),
            std::string::npos) << p.patch;
  EXPECT_NE(p.patch.find("FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0"), std::string::npos) << p.patch;
  // Outbound, the group already allows everything: the address alone, and nothing inbound.
  auto out = vpclab("trace " + file + " --from Host --to internet --port 443");
  ASSERT_NE(out.out.find("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"), std::string::npos) << out.out;
  auto q = fix_and_apply("eip-out", file, "--from Host --to internet --port 443");
  EXPECT_NE(q.patch.find("+      InstanceId: !Ref Host\n"), std::string::npos) << q.patch;
  EXPECT_EQ(q.patch.find("SecurityGroupIngress"), std::string::npos) << q.patch;
}

TEST(FixCommand, TwoDisconnectedVpcsArePeeredAndRoutedBothWays) {
  const std::string file = "tests/cli/data/fix-disconnected-vpcs.yaml";
  auto before = vpclab("trace " + file + " --from App --to Database --port 5432");
  ASSERT_NE(before.out.find("DISCONNECTED_VPCS"), std::string::npos) << before.out;
  auto p = fix_and_apply("peering", file, "--from App --to Database --port 5432");
  for (const char* line : {"+  AppVpcToDataVpcPeering:\n+    Type: AWS::EC2::VPCPeeringConnection\n+    Properties:\n"
                           "+      VpcId: !Ref AppVpc\n+      PeerVpcId: !Ref DataVpc\n",
                           "+      RouteTableId: !Ref AppRouteTable\n+      DestinationCidrBlock: 10.8.0.0/16\n"
                           "+      VpcPeeringConnectionId: !Ref AppVpcToDataVpcPeering\n",
                           "+      RouteTableId: !Ref DataRouteTable\n+      DestinationCidrBlock: 10.7.0.0/16\n",
                           "FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref AppSecurityGroup"})
    EXPECT_NE(p.patch.find(line), std::string::npos) << line << "\n" << p.patch;
}

// The targets' group admits the traffic port from the ALB but not the health-check port:
// the path is open only because the group fails open. fix opens the health checks.
TEST(FixCommand, HealthChecksBlockedOnTheirOwnPortAreOpened) {
  fs::path dir = scratch("health-check");
  fs::path file = dir / "hc.yaml";
  std::string text = read("examples/scenario/same-account.yaml");
  auto at = text.find("      TargetType: instance\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "      HealthCheckPort: \"8081\"\n");
  std::ofstream(file) << text;
  auto t = vpclab("trace " + file.string() + " --from BarApp --to http://alb.home/");
  ASSERT_EQ(t.exit_code, 0) << t.out;
  ASSERT_NE(t.out.find("ELBV2_HEALTH_CHECK_BLOCKED"), std::string::npos) << t.out;
  auto r = vpclab("fix " + file.string() + " --from BarApp --to http://alb.home/", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("FromPort: 8081, ToPort: 8081, SourceSecurityGroupId: !Ref FooAlbSecurityGroup"), std::string::npos)
      << r.out;
  auto apply = vpclab("fix " + file.string() + " --from BarApp --to http://alb.home/ --apply", false);
  ASSERT_EQ(apply.exit_code, 0);
  auto after = vpclab("trace " + file.string() + " --from BarApp --to http://alb.home/");
  EXPECT_EQ(after.exit_code, 0);
  EXPECT_EQ(after.out.find("ELBV2_HEALTH_CHECK_BLOCKED"), std::string::npos) << after.out;
}

// Small hand-written networks: one VPC, one subnet, instances in named groups.
const std::string kOneSubnet = R"(Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.1.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.1.0.0/24
)";
std::string instance(const std::string& name, const std::string& group) {
  return "  " + name + ":\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0b7546e839d7ace12\n"
         "      SubnetId: !Ref Subnet\n      SecurityGroupIds: [!Ref " + group + "]\n";
}

// Found by tests/cli/fix_random_test.cpp. The client's group already names the server's
// group: an inline rule back would be a circular dependency (E3004), so the rule is a
// resource of its own, as users write it.
TEST(FixCommand, AGroupRuleThatWouldCloseADependencyCycleIsItsOwnResource) {
  const std::string text = kOneSubnet + R"(  ServerSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: server
      VpcId: !Ref Vpc
  ClientSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: client
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, DestinationSecurityGroupId: !Ref ServerSg}
)" + instance("Client", "ClientSg") + instance("Server", "ServerSg");
  fs::path dir = scratch("cycle");
  std::ofstream(dir / "cycle.yaml") << text;
  auto r = run_command("cd " + dir.string() + " && " VPCLAB_BINARY " fix cycle.yaml --from Client --to Server --port 80", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("+    Type: AWS::EC2::SecurityGroupIngress\n+    Properties:\n+      GroupId: !Ref ServerSg\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+      SourceSecurityGroupId: !Ref ClientSg\n"), std::string::npos) << r.out;
  std::ofstream(dir / "fix.patch") << r.out;
  ASSERT_EQ(run_command("cd " + dir.string() + " && git apply fix.patch").exit_code, 0);
  EXPECT_EQ(vpclab("check " + (dir / "cycle.yaml").string()).exit_code, 0);
  EXPECT_EQ(vpclab("trace " + (dir / "cycle.yaml").string() + " --from Client --to Server --port 80").exit_code, 0);
}

// A group that admits itself opens the way back too: the client by address instead.
TEST(FixCommand, AGroupThatWouldAdmitItselfNamesTheClientByAddress) {
  const std::string text = kOneSubnet + R"(  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: both
      VpcId: !Ref Vpc
)" + instance("A", "Sg") + instance("B", "Sg");
  fs::path dir = scratch("self");
  std::ofstream(dir / "self.yaml") << text;
  std::string file = (dir / "self.yaml").string();
  auto r = run_command("cd " + dir.string() + " && " VPCLAB_BINARY " fix self.yaml --from A --to B --port 443", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("SourceSecurityGroupId"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CidrIp: 10.1.0."), std::string::npos) << r.out;
  std::ofstream(dir / "fix.patch") << r.out;
  ASSERT_EQ(run_command("cd " + dir.string() + " && git apply fix.patch").exit_code, 0);
  EXPECT_EQ(vpclab("trace " + file + " --from B --to A --port 443").exit_code, 1);
}

// Shut in six places (both groups, both ACLs each way): six changes, then verified.
TEST(FixCommand, APathShutInSixPlacesIsOpenedAndVerified) {
  auto r = vpclab("fix tests/cli/data/fix-six-blockers.yaml --from V2Subnet1Host0 --to V0Subnet0Host0 --port 22", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  fs::path dir = scratch("six");
  fs::path patched = copy_into(dir, "tests/cli/data/fix-six-blockers.yaml");
  std::ofstream(dir / "fix.patch") << r.out;
  ASSERT_EQ(run_command("cd " + dir.string() + " && git apply fix.patch").exit_code, 0);
  EXPECT_EQ(vpclab("trace " + patched.string() + " --from V2Subnet1Host0 --to V0Subnet0Host0 --port 22").exit_code, 0);
}

// The reply entry a NACL needs cannot tell replies apart: here it would also open the
// client's tcp/8080-8180 to the server. No fix, and why.
TEST(FixCommand, ANaclReplyEntryThatOpensOtherPortsIsNoFix) {
  auto r = vpclab("fix tests/cli/data/fix-nacl-reply-wider.yaml --from V1Subnet0Host0 --to V2Subnet0Host0 --port 443");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("wider than the path: it also allows tcp/443,8080-8180 from the client"), std::string::npos) << r.out;
}

// A subnet on its VPC's main route table: the table cannot be named in CloudFormation; the
// reason names the blocker.
TEST(FixCommand, AMissingRouteInTheMainRouteTableIsNoFixNamingTheBlocker) {
  auto r = vpclab("fix tests/cli/data/fix-main-route-table.yaml --from V1Subnet1Host0 --to V2Subnet1Host0 --port 443", false);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(r.out.empty()) << "nothing on stdout (the patch stream): " << r.out;
  auto merged = vpclab("fix tests/cli/data/fix-main-route-table.yaml --from V1Subnet1Host0 --to V2Subnet1Host0 --port 443");
  EXPECT_NE(merged.out.find("NO_ROUTE_TO_DESTINATION at rtb-"), std::string::npos) << merged.out;
  EXPECT_NE(merged.out.find("main route table"), std::string::npos) << merged.out;
}

TEST(FixCommand, BadInput) {
  EXPECT_EQ(vpclab("fix examples/scenario/same-account.yaml --from NoSuchThing --to FooWeb1").exit_code, 2);
  EXPECT_EQ(vpclab("fix examples/scenario/same-account.yaml --to FooWeb1").exit_code, 2);
  EXPECT_EQ(vpclab("fix /nonexistent.yaml --from a --to b").exit_code, 2);
}

// --- vpclab check --fix-lint ---

TEST(CheckFixLint, NarrowsTheInternalAlbRuleToItsClientsWithNoReachabilityChange) {
  const std::string file = "examples/broken/alb-sg-open-to-world.yaml";
  auto r = vpclab("check --fix-lint " + file, /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("--- a/" + file + "\n+++ b/" + file + "\n@@ ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n-        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0"), std::string::npos) << r.out;
  // The memo's client, by its own group (same account and region, peered).
  EXPECT_NE(r.out.find("\n+        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, SourceSecurityGroupId: !Ref "
                       "BarAppSecurityGroup, Description: vpclab fix}"),
            std::string::npos)
      << r.out;
  // The web servers' group admits the ALB's: naming it back would be a
  // circular dependency, so they are named by address.
  EXPECT_EQ(r.out.find("!Ref FooWebSecurityGroup"), std::string::npos) << r.out;

  fs::path dir = scratch("fix-lint");
  fs::path patched = copy_into(dir, file);
  std::ofstream(dir / "fix.patch") << r.out;
  auto applied = run_command("cd " + dir.string() + " && git apply fix.patch");
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  auto chk = vpclab("check --json " + patched.string(), false);
  ASSERT_EQ(chk.exit_code, 0) << chk.out;
  for (const auto& d : nlohmann::json::parse(chk.out)["diagnostics"]) EXPECT_NE(d["code"], "ALB_SG_OPEN_TO_WORLD") << d.dump();
  // Every flow of the lab as it was: nothing newly allowed, nothing newly blocked.
  auto d = vpclab("diff " + file + " " + patched.string());
  EXPECT_EQ(d.exit_code, 0) << d.out;
  // Who reaches the ALB on 80 is unchanged, client by client.
  for (const char* client : {"BarApp", "FooBastion", "FooWeb1", "BarBastion"}) {
    auto before = vpclab("trace " + file + " --from " + client + " --to FooInternalAlb --port 80");
    auto after = vpclab("trace " + patched.string() + " --from " + client + " --to FooInternalAlb --port 80");
    EXPECT_EQ(before.exit_code, after.exit_code) << client << "\n" << after.out;
  }
  // Once narrowed there is nothing to fix.
  auto again = vpclab("check --fix-lint " + patched.string(), false);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "");
}

TEST(CheckFixLint, ApplyWritesThePatch) {
  fs::path dir = scratch("fix-lint-apply");
  fs::path file = copy_into(dir, "examples/broken/alb-sg-open-to-world.yaml");
  auto printed = vpclab("check --fix-lint " + file.string(), false);
  auto r = vpclab("check --fix-lint --apply " + file.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("applied to " + file.string()), std::string::npos) << r.out;
  EXPECT_EQ(read(file).rfind("# BROKEN on purpose", 0), 0u);  // comments kept
  EXPECT_EQ(read(file).find("0.0.0.0/0, Description: everyone for now"), std::string::npos);
  EXPECT_NE(printed.out, "");
  EXPECT_EQ(vpclab("check --fix-lint " + file.string(), false).out, "");
}

TEST(CheckFixLint, TheScenarioHasNothingToFixAndOtherLintsSayWhyNot) {
  for (const char* lab : {"examples/scenario/vpclab.yaml", "examples/scenario", "examples/scenario/same-account.yaml"}) {
    auto r = vpclab(std::string("check --fix-lint ") + lab, false);
    EXPECT_EQ(r.exit_code, 0) << lab;
    EXPECT_EQ(r.out, "") << lab;
    auto both = vpclab(std::string("check --fix-lint ") + lab);
    EXPECT_NE(both.out.find("nothing to fix"), std::string::npos) << both.out;
  }
  auto ssh = vpclab("check --fix-lint examples/broken/ssh-open-to-world.yaml");
  EXPECT_EQ(ssh.exit_code, 0) << ssh.out;
  EXPECT_NE(ssh.out.find("no safe fix: SSH_OPEN_TO_WORLD at examples/broken/ssh-open-to-world.yaml:"), std::string::npos)
      << ssh.out;
  EXPECT_EQ(ssh.out.find("--- a/"), std::string::npos) << ssh.out;
}

TEST(CheckFixLint, ExitCodesAsCheck) {
  fs::path dir = scratch("fix-lint-errors");
  std::string text = read("examples/broken/alb-sg-open-to-world.yaml");
  text.replace(text.find("VpcId: !Ref FooVpc"), 18, "VpcId: !Ref NoSuchVpc");
  std::ofstream(dir / "bad.yaml") << text;
  auto bad = vpclab("check --fix-lint " + (dir / "bad.yaml").string(), false);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "");  // no patch for a network with errors
  EXPECT_EQ(vpclab("check --apply examples/scenario/vpclab.yaml").exit_code, 2);
  EXPECT_EQ(vpclab("check --fix-lint --json examples/scenario/vpclab.yaml").exit_code, 2);
  EXPECT_EQ(vpclab("check --fix-lint examples/scenario/vpclab.yaml examples/broken/ssh-open-to-world.yaml").exit_code, 2);
  EXPECT_EQ(vpclab("check --fix-lint /nonexistent.yaml").exit_code, 2);
}

}  // namespace
}  // namespace vpclab
