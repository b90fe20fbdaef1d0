// load_network() over the canonical scenario (examples/scenario): the model
// a user's templates become, checked against what AWS would build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "template/load.h"
#include "../support/diagnostics.h"

using vpclab::testing::dump;

namespace vpclab::tmpl {
namespace {

const std::string kExamples = std::string(VPCLAB_SOURCE_DIR) + "/examples/";

const model::Vpc* vpc_named(const model::Network& n, const std::string& name) {
  for (const auto& v : n.vpcs)
    if (v.name == name) return &v;
  return nullptr;
}
const model::Subnet* subnet_named(const model::Network& n, const std::string& name) {
  for (const auto& s : n.subnets)
    if (s.name == name) return &s;
  return nullptr;
}
const model::Instance* instance_named(const model::Network& n, const std::string& name) {
  for (const auto& i : n.instances)
    if (i.name == name) return &i;
  return nullptr;
}

Ipv4Cidr cidr(const char* s) { return *Ipv4Cidr::parse(s); }

class SameAccount : public ::testing::Test {
 protected:
  void SetUp() override {
    result = load_network({kExamples + "scenario/same-account.yaml"});
    ASSERT_TRUE(result.network) << dump(result.diags);
    net = result.network.get();
  }
  LoadResult result;
  const model::Network* net = nullptr;
};

TEST_F(SameAccount, LoadsWithoutErrors) {
  EXPECT_FALSE(result.diags.has_errors()) << dump(result.diags);
  EXPECT_EQ(net->vpcs.size(), 2u);
  EXPECT_EQ(net->instances.size(), 5u);
  ASSERT_EQ(net->accounts.size(), 1u);
  EXPECT_EQ(net->accounts[0].id, "123456789012");
}

TEST_F(SameAccount, InternalAlbHasOneNodePerPrivateSubnet) {
  ASSERT_EQ(net->load_balancers.size(), 1u);
  const auto& lb = net->load_balancers[0];
  EXPECT_TRUE(lb.internal);
  EXPECT_EQ(lb.name, "foo-internal-alb");
  ASSERT_EQ(lb.nodes.size(), 2u);
  EXPECT_TRUE(cidr("10.2.1.0/24").contains(lb.nodes[0].private_ip)) << lb.nodes[0].private_ip.str();
  EXPECT_TRUE(cidr("10.2.2.0/24").contains(lb.nodes[1].private_ip)) << lb.nodes[1].private_ip.str();
  EXPECT_FALSE(lb.nodes[0].public_ip);
  EXPECT_NE(lb.nodes[0].availability_zone, lb.nodes[1].availability_zone);
  EXPECT_EQ(lb.dns_name.rfind("internal-foo-internal-alb-", 0), 0u) << lb.dns_name;
  EXPECT_NE(lb.dns_name.find(".ap-northeast-1.elb.amazonaws.com"), std::string::npos);
  EXPECT_EQ(lb.canonical_hosted_zone_id, "Z14GRHDCWA56QT");
  EXPECT_EQ(lb.vpc, vpc_named(*net, "foo")->id);
  // Node ENIs carry the ALB's security group.
  const auto* eni = net->network_interface(lb.nodes[0].network_interface);
  ASSERT_TRUE(eni);
  ASSERT_EQ(eni->security_groups.size(), 1u);
  EXPECT_EQ(eni->security_groups[0], lb.security_groups.at(0));
}

TEST_F(SameAccount, ListenerForwardsToTheWebTargetGroup) {
  const auto& lb = net->load_balancers[0];
  auto listeners = net->listeners_of(lb.arn);
  ASSERT_EQ(listeners.size(), 1u);
  EXPECT_EQ(listeners[0]->port, 80);
  EXPECT_EQ(listeners[0]->protocol, "HTTP");
  ASSERT_EQ(listeners[0]->default_rule.actions.size(), 1u);
  const auto& fwd = listeners[0]->default_rule.actions[0];
  EXPECT_EQ(fwd.type, alb::ActionType::kForward);
  ASSERT_EQ(fwd.target_groups.size(), 1u);
  const auto* tg = net->target_group(fwd.target_groups[0].target_group_arn);
  ASSERT_TRUE(tg);
  EXPECT_EQ(tg->port, 8080);
  EXPECT_EQ(tg->health_check.path, "/");
  EXPECT_EQ(tg->health_check.interval_seconds, 30);
  ASSERT_EQ(tg->targets.size(), 2u);
  EXPECT_EQ(tg->targets[0].id, instance_named(*net, "foo-web1")->id);
  EXPECT_EQ(tg->targets[1].id, instance_named(*net, "foo-web2")->id);
  EXPECT_EQ(tg->load_balancers, std::vector<std::string>{lb.arn});
}

TEST_F(SameAccount, SameAccountPeeringIsActive) {
  ASSERT_EQ(net->peerings.size(), 1u);
  const auto& p = net->peerings[0];
  EXPECT_EQ(p.state, model::PeeringState::kActive);
  EXPECT_EQ(p.requester.vpc, vpc_named(*net, "bar")->id);
  EXPECT_EQ(p.accepter.vpc, vpc_named(*net, "foo")->id);
  EXPECT_EQ(p.id.rfind("pcx-", 0), 0u);
}

TEST_F(SameAccount, PrivateZoneHomeIsAssociatedWithBarAndAliasesTheAlb) {
  ASSERT_EQ(net->hosted_zones.size(), 1u);
  const auto& z = net->hosted_zones[0];
  EXPECT_EQ(z.name, "home");
  EXPECT_TRUE(z.is_private);
  ASSERT_EQ(z.vpcs.size(), 1u);
  EXPECT_EQ(z.vpcs[0].vpc, vpc_named(*net, "bar")->id);
  EXPECT_EQ(z.vpcs[0].region, "ap-northeast-1");
  ASSERT_EQ(z.records.size(), 1u);
  const auto& r = z.records[0];
  EXPECT_EQ(r.name, "alb.home");
  EXPECT_EQ(r.type, "A");
  EXPECT_TRUE(r.is_alias);
  EXPECT_EQ(r.alias.dns_name, net->load_balancers[0].dns_name);
  EXPECT_EQ(r.alias.hosted_zone_id, "Z14GRHDCWA56QT");
}

TEST_F(SameAccount, SubnetsHaveTheirRouteTables) {
  const auto* pub = subnet_named(*net, "foo-public");
  const auto* priv1 = subnet_named(*net, "foo-private-1a");
  const auto* priv2 = subnet_named(*net, "foo-private-1c");
  ASSERT_TRUE(pub && priv1 && priv2);
  EXPECT_TRUE(priv1->route_table_explicit);
  EXPECT_EQ(priv1->route_table, priv2->route_table);
  const auto* pub_rt = net->route_table(pub->route_table);
  const auto* priv_rt = net->route_table(priv1->route_table);
  ASSERT_TRUE(pub_rt && priv_rt);
  EXPECT_EQ(pub_rt->name, "foo-public");
  // public: local, 0.0.0.0/0 -> igw (active: attached)
  ASSERT_EQ(pub_rt->routes.size(), 2u);
  EXPECT_EQ(pub_rt->routes[0].target_kind, RouteTargetKind::kLocal);
  EXPECT_EQ(pub_rt->routes[1].target_kind, RouteTargetKind::kInternetGateway);
  EXPECT_EQ(pub_rt->routes[1].target_id, vpc_named(*net, "foo")->internet_gateway);
  EXPECT_EQ(pub_rt->routes[1].state, RouteState::kActive);
  // private: local, 0.0.0.0/0 -> nat, 10.1.0.0/16 -> pcx
  ASSERT_EQ(priv_rt->routes.size(), 3u);
  EXPECT_EQ(priv_rt->routes[1].target_kind, RouteTargetKind::kNatGateway);
  EXPECT_EQ(priv_rt->routes[1].target_id, net->nat_gateways.at(0).id);
  EXPECT_EQ(priv_rt->routes[2].target_kind, RouteTargetKind::kVpcPeeringConnection);
  EXPECT_EQ(priv_rt->routes[2].destination->str(), "10.1.0.0/16");
  EXPECT_EQ(priv_rt->routes[2].state, RouteState::kActive);
  // The main table of foo is implicit and unused by these subnets.
  EXPECT_NE(vpc_named(*net, "foo")->main_route_table, priv1->route_table);
}

TEST_F(SameAccount, InstancesGetAddressesAndNames) {
  const auto* web1 = instance_named(*net, "foo-web1");
  const auto* bastion = instance_named(*net, "foo-bastion");
  ASSERT_TRUE(web1 && bastion);
  EXPECT_TRUE(cidr("10.2.1.0/24").contains(web1->private_ip));
  EXPECT_FALSE(web1->public_ip);  // private subnet
  // Explicit-free allocation: the lowest free address, before the ALB nodes.
  EXPECT_EQ(web1->private_ip.str(), "10.2.1.4");
  EXPECT_EQ(web1->private_dns_name, "ip-10-2-1-4.ap-northeast-1.compute.internal");
  EXPECT_EQ(net->load_balancers[0].nodes[0].private_ip.str(), "10.2.1.5");
  ASSERT_TRUE(bastion->public_ip);  // MapPublicIpOnLaunch
  EXPECT_FALSE(bastion->public_dns_name.empty());  // DNS hostnames on
  EXPECT_NE(web1->user_data.find("python3 -m http.server 8080"), std::string::npos);
  EXPECT_EQ(web1->key_name, "lab-key");
  // The NAT gateway holds its Elastic IP.
  ASSERT_EQ(net->nat_gateways.size(), 1u);
  ASSERT_TRUE(net->nat_gateways[0].public_ip);
  EXPECT_EQ(*net->nat_gateways[0].public_ip, net->elastic_ips.at(0).public_ip);
  EXPECT_TRUE(cidr("10.2.0.0/24").contains(net->nat_gateways[0].private_ip));
}

TEST_F(SameAccount, SecurityGroupsAsDeclared) {
  const auto* web1 = instance_named(*net, "foo-web1");
  const auto* eni = net->network_interface(web1->network_interfaces.at(0));
  ASSERT_TRUE(eni);
  ASSERT_EQ(eni->security_groups.size(), 1u);
  const auto* sg = net->security_group(eni->security_groups[0]);
  ASSERT_TRUE(sg);
  ASSERT_EQ(sg->ingress.size(), 2u);
  EXPECT_EQ(sg->ingress[0].ports, PortRange::single(8080));
  EXPECT_EQ(sg->ingress[0].group_id, net->load_balancers[0].security_groups.at(0));
  ASSERT_EQ(sg->egress.size(), 1u);  // AWS's default allow-all outbound
  EXPECT_EQ(sg->egress[0].cidr->str(), "0.0.0.0/0");
}

TEST(LoadDeterminism, SameInputSameIdsAndAddresses) {
  auto a = load_network({kExamples + "scenario/same-account.yaml"});
  auto b = load_network({kExamples + "scenario/same-account.yaml"});
  ASSERT_TRUE(a.network && b.network);
  ASSERT_EQ(a.network->instances.size(), b.network->instances.size());
  for (size_t i = 0; i < a.network->instances.size(); ++i) {
    EXPECT_EQ(a.network->instances[i].id, b.network->instances[i].id);
    EXPECT_EQ(a.network->instances[i].private_ip, b.network->instances[i].private_ip);
  }
  EXPECT_EQ(a.network->load_balancers[0].dns_name, b.network->load_balancers[0].dns_name);
  EXPECT_EQ(a.network->load_balancers[0].nodes[0].private_ip, b.network->load_balancers[0].nodes[0].private_ip);
  EXPECT_EQ(a.network->vpcs[0].id, b.network->vpcs[0].id);
  EXPECT_EQ(a.network->hosted_zones[0].id, b.network->hosted_zones[0].id);
}

TEST(LoadManifest, SameAccountManifestSetsPeeringDnsOptions) {
  auto r = load_network({kExamples + "scenario/vpclab.yaml"});
  ASSERT_TRUE(r.network) << dump(r.diags);
  ASSERT_EQ(r.network->peerings.size(), 1u);
  const auto& p = r.network->peerings[0];
  EXPECT_EQ(p.state, model::PeeringState::kActive);
  EXPECT_TRUE(p.requester.allow_dns_resolution_from_remote_vpc);
  EXPECT_TRUE(p.accepter.allow_dns_resolution_from_remote_vpc);
}

class CrossAccount : public ::testing::Test {
 protected:
  void SetUp() override {
    result = load_network({kExamples + "scenario/cross-account/vpclab.yaml"});
    ASSERT_TRUE(result.network) << dump(result.diags);
    net = result.network.get();
  }
  LoadResult result;
  const model::Network* net = nullptr;
};

TEST_F(CrossAccount, TwoAccountsAndAnAcceptedPeering) {
  EXPECT_FALSE(result.diags.has_errors()) << dump(result.diags);
  ASSERT_EQ(net->accounts.size(), 2u);
  EXPECT_EQ(net->accounts[0].id, "111111111111");
  EXPECT_EQ(net->accounts[1].id, "222222222222");
  ASSERT_EQ(net->peerings.size(), 1u);
  const auto& p = net->peerings[0];
  EXPECT_EQ(p.requester.account, "222222222222");
  EXPECT_EQ(p.accepter.account, "111111111111");
  EXPECT_EQ(p.accepter.vpc, vpc_named(*net, "foo")->id);
  EXPECT_EQ(p.state, model::PeeringState::kActive);  // accepted: true in the manifest
  EXPECT_TRUE(p.requester.allow_dns_resolution_from_remote_vpc);
  EXPECT_EQ(vpc_named(*net, "foo")->origin.account, "111111111111");
  EXPECT_EQ(vpc_named(*net, "bar")->origin.account, "222222222222");
}

TEST_F(CrossAccount, RoutesFromTheThirdStackReachFoosTable) {
  const auto* priv = subnet_named(*net, "foo-private-1a");
  ASSERT_TRUE(priv);
  const auto* rt = net->route_table(priv->route_table);
  ASSERT_TRUE(rt);
  bool to_bar = false;
  for (const auto& r : rt->routes)
    if (r.target_kind == RouteTargetKind::kVpcPeeringConnection) {
      to_bar = true;
      EXPECT_EQ(r.target_id, net->peerings[0].id);
      EXPECT_EQ(r.state, RouteState::kActive);
      EXPECT_EQ(r.destination->str(), "10.1.0.0/16");
    }
  EXPECT_TRUE(to_bar);
}

TEST_F(CrossAccount, AliasInBarPointsAtFoosAlb) {
  ASSERT_EQ(net->hosted_zones.size(), 1u);
  ASSERT_EQ(net->hosted_zones[0].records.size(), 1u);
  EXPECT_EQ(net->hosted_zones[0].records[0].alias.dns_name, net->load_balancers.at(0).dns_name);
  EXPECT_EQ(net->hosted_zones[0].origin.account, "222222222222");
  EXPECT_EQ(net->load_balancers.at(0).arn.find("arn:aws:elasticloadbalancing:ap-northeast-1:111111111111:"), 0u);
}

TEST(CrossAccountWithoutAcceptance, StaysPending) {
  // The manifest without its peerings section: CloudFormation alone cannot
  // accept a cross-account request (no PeerRoleArn).
  auto dir = std::filesystem::temp_directory_path() / "vpclab-h2-pending";
  std::filesystem::create_directories(dir);
  std::ifstream in(kExamples + "scenario/cross-account/vpclab.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text = text.substr(0, text.find("peerings:"));
  for (const char* f : {"foo.yaml", "bar.yaml", "foo-peering-routes.yaml"})
    std::filesystem::copy_file(kExamples + "scenario/cross-account/" + f, dir / f,
                               std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "vpclab.yaml") << text;
  auto r = load_network({(dir / "vpclab.yaml").string()});
  ASSERT_TRUE(r.network) << dump(r.diags);
  EXPECT_EQ(r.network->peerings[0].state, model::PeeringState::kPendingAcceptance);
  bool warned = false;
  for (const auto& d : r.diags.items()) warned = warned || d.code == "PCX_PENDING_ACCEPTANCE";
  EXPECT_TRUE(warned);
  std::filesystem::remove_all(dir);
}

// Writes files into a fresh temporary directory; removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* name) : path(std::filesystem::temp_directory_path() / name) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const char* file, const std::string& text) const {
    std::ofstream(path / file) << text;
    return (path / file).string();
  }
};

TEST(LoadManifest, PeeringOptionsOnSomethingElseIsAnError) {
  TempDir dir("vpclab-h2-m1007");
  dir.write("net.yaml", R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
)");
  auto manifest = dir.write("vpclab.yaml", R"(
stacks:
  - {name: net, template: net.yaml}
peerings:
  - connection: {stack: net, resource: Vpc}
    accepted: true
)");
  auto r = load_network({manifest});
  EXPECT_FALSE(r.network);
  bool m1007 = false;
  for (const auto& d : r.diags.items()) m1007 = m1007 || (d.code == "M1007" && d.message.find("AWS::EC2::VPC") != std::string::npos);
  EXPECT_TRUE(m1007) << dump(r.diags);
}

TEST(LoadManifest, ExportsFeedImportValueAcrossStacks) {
  TempDir dir("vpclab-h2-exports");
  dir.write("net.yaml", R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: net-vpc}
)");
  dir.write("app.yaml", R"(
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !ImportValue net-vpc, CidrBlock: 10.0.1.0/24}
)");
  auto manifest = dir.write("vpclab.yaml", R"(
stacks:
  - {name: net, template: net.yaml}
  - {name: app, template: app.yaml}
)");
  auto r = load_network({manifest});
  ASSERT_TRUE(r.network) << dump(r.diags);
  ASSERT_EQ(r.network->subnets.size(), 1u);
  EXPECT_EQ(r.network->subnets[0].vpc, r.network->vpcs.at(0).id);
  EXPECT_EQ(r.network->subnets[0].origin.stack, "app");
}

TEST(LoadManifest, ExplicitlyNotAcceptedStaysPendingInOneAccount) {
  TempDir dir("vpclab-h2-notaccepted");
  dir.write("net.yaml", R"(
Resources:
  A:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  B:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.1.0.0/16}
  Pcx:
    Type: AWS::EC2::VPCPeeringConnection
    Properties: {VpcId: !Ref A, PeerVpcId: !Ref B}
)");
  auto manifest = dir.write("vpclab.yaml", R"(
stacks:
  - {name: net, template: net.yaml}
peerings:
  - connection: {stack: net, resource: Pcx}
    accepted: false
)");
  auto r = load_network({manifest});
  ASSERT_TRUE(r.network) << dump(r.diags);
  EXPECT_EQ(r.network->peerings.at(0).state, model::PeeringState::kPendingAcceptance);
}

TEST(LoadErrors, MissingFileGivesNoNetwork) {
  auto r = load_network({kExamples + "does-not-exist.yaml"});
  EXPECT_FALSE(r.network);
  EXPECT_TRUE(r.diags.has_errors());
}

TEST(LoadErrors, SameTemplateTwiceIsADuplicateStack) {
  auto r = load_network({kExamples + "scenario/same-account.yaml", kExamples + "scenario/same-account.yaml"});
  EXPECT_FALSE(r.network);
  bool dup = false;
  for (const auto& d : r.diags.items()) dup = dup || d.code == "M1002";
  EXPECT_TRUE(dup) << dump(r.diags);
}

TEST(LoadExamples, BrokenExamplesStillBuildAModel) {
  // These are lint cases (the analyzer's job): the model must load.
  for (const auto& entry : std::filesystem::directory_iterator(kExamples + "broken")) {
    if (entry.path().extension() != ".yaml") continue;
    auto r = load_network({entry.path().string()});
    EXPECT_TRUE(r.network) << entry.path() << "\n" << dump(r.diags);
  }
}

}  // namespace
}  // namespace vpclab::tmpl
