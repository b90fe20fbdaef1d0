// What a user sees when loading a hand-made snapshot: layouts, kinds decided
// by top-level keys, diagnostics naming file and JSON path, and the model
// carrying on where AWS would.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "snapshot/load.h"
#include "../support/diagnostics.h"

namespace fs = std::filesystem;
using namespace vpclab;

namespace {

class Snap : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vpclab-snap-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& rel, const std::string& text) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // A VPC 10.0.0.0/16 with one subnet and a main route table, in `folder`.
  void basic(const std::string& folder = "") {
    std::string f = folder.empty() ? "" : folder + "/";
    write(f + "a.json", R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "111122223333"}]})");
    write(f + "b.json", R"({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
                             "AvailabilityZone": "eu-west-1a"}]})");
  }
  snapshot::LoadResult load() { return snapshot::load_snapshot(root_.string()); }
  static const Diagnostic* find(const Diagnostics& d, const std::string& code) {
    for (const auto& x : d.items())
      if (x.code == code) return &x;
    return nullptr;
  }
  static std::string dump(const Diagnostics& d) { return vpclab::testing::dump(d); }
  fs::path root_;
};

TEST_F(Snap, FlatFolderTakesAccountFromOwnerIdAndRegionFromZone) {
  basic();
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  ASSERT_EQ(r.network->vpcs.size(), 1u);
  EXPECT_EQ(r.network->vpcs[0].origin.account, "111122223333");
  EXPECT_EQ(r.network->vpcs[0].origin.region, "eu-west-1");
  // finalize() supplied the main route table, default SG and NACL, and the local route.
  const auto* s = r.network->subnet("subnet-1");
  ASSERT_TRUE(s);
  const auto* rt = r.network->route_table(s->route_table);
  ASSERT_TRUE(rt);
  ASSERT_FALSE(rt->routes.empty());
  EXPECT_EQ(rt->routes[0].target_id, "local");
}

TEST_F(Snap, AccountsLayoutGivesAccountAndRegion) {
  basic("accounts/444455556666/ap-south-1");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  EXPECT_EQ(r.network->vpcs.at(0).origin.account, "444455556666");
  EXPECT_EQ(r.network->vpcs.at(0).origin.region, "ap-south-1");
  EXPECT_TRUE(snapshot::is_snapshot_dir(root_.string()));
}

TEST_F(Snap, KindComesFromTopLevelKeyNotFileName) {
  write("subnets.json", R"({"Vpcs": [{"VpcId": "vpc-9", "CidrBlock": "10.9.0.0/16"}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  EXPECT_TRUE(r.network->vpc("vpc-9"));
  EXPECT_TRUE(r.network->subnets.empty());
}

TEST_F(Snap, NotASnapshot) {
  write("template.json", R"({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}})");
  EXPECT_FALSE(snapshot::is_snapshot_dir(root_.string()));
  EXPECT_FALSE(snapshot::is_snapshot_dir((root_ / "template.json").string()));
  auto missing = snapshot::load_snapshot((root_ / "nope").string());
  EXPECT_FALSE(missing.network);
  EXPECT_TRUE(find(missing.diags, "SNAP_NOT_DIR"));
}

TEST_F(Snap, UnknownKeyIsANoteAndMalformedJsonAWarning) {
  basic();
  write("c.json", R"({"Widgets": []})");
  write("d.json", R"({"Vpcs": [ {"VpcId": )");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  const auto* unknown = find(r.diags, "SNAP_UNKNOWN_KEY");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->severity, Severity::kNote);
  EXPECT_NE(unknown->message.find("$.Widgets"), std::string::npos);
  const auto* bad = find(r.diags, "SNAP_JSON");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->severity, Severity::kWarning);
  EXPECT_NE(bad->loc.str().find("d.json"), std::string::npos);
}

TEST_F(Snap, RouteToMissingNatGatewayIsABlackholeWithFileAndPath) {
  basic();
  write("routes.json", R"({"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
      "Associations": [{"Main": true, "RouteTableId": "rtb-1"}],
      "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                 {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0gone", "State": "active"}]}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  const auto* w = find(r.diags, "SNAP_DANGLING");
  ASSERT_TRUE(w) << dump(r.diags);
  EXPECT_EQ(w->severity, Severity::kWarning);
  EXPECT_EQ(w->str(), (root_ / "routes.json").string() +
                          ": warning SNAP_DANGLING: $.RouteTables[0].Routes[1]: route to missing nat-0gone; "
                          "treated as blackhole");
  const auto* rt = r.network->route_table("rtb-1");
  ASSERT_TRUE(rt);
  ASSERT_EQ(rt->routes.size(), 2u);  // local (once, from finalize) and the blackhole
  EXPECT_EQ(rt->routes[1].state, RouteState::kBlackhole);
  EXPECT_EQ(r.network->vpc("vpc-1")->main_route_table, "rtb-1");
}

TEST_F(Snap, InterfaceInUnknownSubnetIsLeftOut) {
  basic();
  write("enis.json", R"({"NetworkInterfaces": [
      {"NetworkInterfaceId": "eni-ok", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.10"},
      {"NetworkInterfaceId": "eni-lost", "SubnetId": "subnet-404", "PrivateIpAddress": "10.0.9.10"}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  EXPECT_TRUE(r.network->network_interface("eni-ok"));
  EXPECT_FALSE(r.network->network_interface("eni-lost"));
  const auto* w = find(r.diags, "SNAP_DANGLING");
  ASSERT_TRUE(w);
  EXPECT_NE(w->message.find("$.NetworkInterfaces[1].SubnetId"), std::string::npos);
}

TEST_F(Snap, ValidationFindingsAreWarningsForADeployedNetwork) {
  // Two subnets overlapping: AWS would refuse to create the second, but the
  // snapshot shows them, so vpclab reports and carries on.
  write("a.json", R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
      "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
                  {"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/25"}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  const auto* w = find(r.diags, "SUBNET_OVERLAP");
  ASSERT_TRUE(w) << dump(r.diags);
  EXPECT_EQ(w->severity, Severity::kWarning);
  EXPECT_FALSE(r.diags.has_errors());
}

TEST_F(Snap, SecurityGroupsAndNaclsAsAwsPrintsThem) {
  basic();
  write("sg.json", R"({"SecurityGroups": [
    {"GroupId": "sg-web", "GroupName": "web", "VpcId": "vpc-1", "OwnerId": "111122223333",
     "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 443,
                        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "corp"}, {"CidrIp": "192.168.0.0/16"}],
                        "UserIdGroupPairs": [{"GroupId": "sg-web", "UserId": "111122223333"}]},
                       {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
     "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
    {"GroupId": "sg-default", "GroupName": "default", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []}]})");
  write("acl.json", R"({"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
     "Associations": [{"SubnetId": "subnet-1", "NetworkAclId": "acl-1"}],
     "Entries": [{"RuleNumber": 32767, "Egress": false, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
                 {"RuleNumber": 200, "Egress": false, "Protocol": "6", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0",
                  "PortRange": {"From": 1024, "To": 65535}},
                 {"RuleNumber": 100, "Egress": false, "Protocol": "6", "RuleAction": "deny", "CidrBlock": "10.0.0.0/8",
                  "PortRange": {"From": 22, "To": 22}}]}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  const auto* sg = r.network->security_group("sg-web");
  ASSERT_TRUE(sg);
  ASSERT_EQ(sg->ingress.size(), 4u);  // one rule per peer
  EXPECT_EQ(sg->ingress[0].ports, (PortRange{80, 443}));
  EXPECT_EQ(sg->ingress[0].description, "corp");
  EXPECT_EQ(sg->ingress[2].group_id, "sg-web");
  EXPECT_TRUE(sg->ingress[2].group_owner.empty());  // same account
  EXPECT_EQ(sg->ingress[3].protocol, kIcmp);
  EXPECT_EQ(sg->ingress[3].icmp_type, 8);
  EXPECT_EQ(r.network->vpc("vpc-1")->default_security_group, "sg-default");
  const auto* acl = r.network->network_acl("acl-1");
  ASSERT_TRUE(acl);
  ASSERT_GE(acl->ingress.size(), 3u);
  EXPECT_EQ(acl->ingress[0].rule_number, 100);  // sorted
  EXPECT_EQ(acl->ingress[1].rule_number, 200);
  EXPECT_EQ(acl->ingress.back().rule_number, 32767);  // exactly one final deny
  EXPECT_EQ(acl->ingress[acl->ingress.size() - 2].rule_number, 200);
  EXPECT_EQ(r.network->subnet("subnet-1")->network_acl, "acl-1");
}

TEST_F(Snap, NetworkLoadBalancerIsLoadedWithItsNodes) {
  basic();
  write("s2.json", R"({"Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24",
                                    "AvailabilityZone": "eu-west-1b"}]})");
  write("lb.json", R"({"LoadBalancers": [{"LoadBalancerArn":
      "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/nlb/0123456789abcdef",
      "LoadBalancerName": "nlb", "Type": "network", "Scheme": "internal", "VpcId": "vpc-1",
      "DNSName": "nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com", "State": {"Code": "active"},
      "AvailabilityZones": [{"ZoneName": "eu-west-1a", "SubnetId": "subnet-1", "LoadBalancerAddresses": []},
                            {"ZoneName": "eu-west-1b", "SubnetId": "subnet-2", "LoadBalancerAddresses": []}]}]})");
  write("enis.json", R"({"NetworkInterfaces": [
      {"NetworkInterfaceId": "eni-n1", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.77",
       "Description": "ELB net/nlb/0123456789abcdef", "InterfaceType": "network_load_balancer", "Groups": []},
      {"NetworkInterfaceId": "eni-n2", "SubnetId": "subnet-2", "PrivateIpAddress": "10.0.2.77",
       "Description": "ELB net/nlb/0123456789abcdef", "InterfaceType": "network_load_balancer", "Groups": []}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  ASSERT_EQ(r.network->load_balancers.size(), 1u);
  const auto& lb = r.network->load_balancers[0];
  EXPECT_EQ(lb.type, "network");
  EXPECT_EQ(lb.dns_name, "nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com");  // kept, not regenerated
  ASSERT_EQ(lb.nodes.size(), 2u);
  EXPECT_EQ(lb.nodes[0].private_ip.str(), "10.0.1.77");  // the real node address
  EXPECT_EQ(lb.nodes[1].network_interface, "eni-n2");
  // Modelled now (analysis/walk_nlb.cpp): no longer listed as unknown, no warning.
  bool listed = false;
  for (const auto& u : r.network->unmodeled) listed |= u.id == lb.arn;
  EXPECT_FALSE(listed);
  EXPECT_FALSE(find(r.diags, "SNAP_UNMODELED"));
  EXPECT_TRUE(lb.security_groups.empty());  // no groups: nothing filters at the nodes
}

TEST_F(Snap, ListenerRulesTargetsAndZonesFromScriptedOutput) {
  basic();
  write("s2.json", R"({"Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24",
                                    "AvailabilityZone": "eu-west-1b"}]})");
  const std::string lb = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188";
  const std::string listener = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
  const std::string tg = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/73e2d6bc24d8a067";
  write("i.json", R"({"Reservations": [{"Instances": [{"InstanceId": "i-1", "SubnetId": "subnet-1",
      "PrivateIpAddress": "10.0.1.20", "State": {"Name": "running"}, "Tags": [{"Key": "Name", "Value": "web1"}],
      "NetworkInterfaces": [{"NetworkInterfaceId": "eni-i1", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.20",
                             "Attachment": {"DeviceIndex": 0}, "Groups": []}]},
      {"InstanceId": "i-old", "State": {"Name": "terminated"}}]}]})");
  write("lb.json", R"({"LoadBalancers": [{"LoadBalancerArn": ")" + lb + R"(", "LoadBalancerName": "web",
      "Type": "application", "Scheme": "internal", "VpcId": "vpc-1", "State": {"Code": "active"},
      "AvailabilityZones": [{"ZoneName": "eu-west-1a", "SubnetId": "subnet-1"},
                            {"ZoneName": "eu-west-1b", "SubnetId": "subnet-2"}]}]})");
  write("tg.json", R"({"TargetGroups": [{"TargetGroupArn": ")" + tg + R"(", "TargetGroupName": "web",
      "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-1", "TargetType": "instance", "HealthCheckPath": "/health",
      "HealthCheckIntervalSeconds": 30, "HealthCheckTimeoutSeconds": 5}]})");
  write("th.json", R"({"TargetGroupArn": ")" + tg + R"(", "TargetHealthDescriptions": [
      {"Target": {"Id": "i-1", "Port": 8080}, "TargetHealth": {"State": "healthy"}},
      {"Target": {"Id": "i-old", "Port": 8080}, "TargetHealth": {"State": "unused"}}]})");
  write("l.json", R"({"Listeners": [{"ListenerArn": ")" + listener + R"(", "LoadBalancerArn": ")" + lb +
                      R"(", "Port": 80, "Protocol": "HTTP",
      "DefaultActions": [{"Type": "fixed-response", "Order": 1,
                          "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}]}]})");
  write("r.json", R"({"Rules": [
      {"RuleArn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
       "Priority": "10", "IsDefault": false,
       "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
       "Actions": [{"Type": "forward", "TargetGroupArn": ")" + tg + R"(", "Order": 1}]},
      {"RuleArn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/0000000000000000",
       "Priority": "default", "IsDefault": true, "Conditions": [], "Actions": []}]})");
  write("z.json", R"({"HostedZone": {"Id": "/hostedzone/Z0123456789ABCDEFGHIJ", "Name": "home.",
      "Config": {"PrivateZone": true}}, "VPCs": [{"VPCRegion": "eu-west-1", "VPCId": "vpc-1"}]})");
  // Raw list-resource-record-sets output (no HostedZoneId): the SOA names the zone.
  write("rr.json", R"({"ResourceRecordSets": [
      {"Name": "home.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns. host. 1 7200 900 1209600 86400"}]},
      {"Name": "\\052.home.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.1.20"}]}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  EXPECT_FALSE(r.network->instance("i-old"));  // terminated: a note, not modeled
  ASSERT_TRUE(find(r.diags, "SNAP_INACTIVE"));
  ASSERT_EQ(r.network->listeners.size(), 1u);
  const auto& l = r.network->listeners[0];
  ASSERT_EQ(l.rules.size(), 1u);  // the default rule is the listener's own
  EXPECT_EQ(l.rules[0].priority, 10);
  EXPECT_EQ(l.rules[0].conditions.at(0).values.at(0), "/api/*");
  EXPECT_EQ(l.default_rule.actions.at(0).fixed_response.status_code, 404);
  const auto* t = r.network->target_group(tg);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->targets.size(), 1u);  // i-old is not in the snapshot
  EXPECT_FALSE(t->targets[0].port);  // the group's own port
  EXPECT_EQ(t->health_check.path, "/health");
  ASSERT_EQ(t->load_balancers.size(), 1u);
  EXPECT_EQ(t->load_balancers[0], lb);
  ASSERT_EQ(r.network->hosted_zones.size(), 1u);
  const auto& z = r.network->hosted_zones[0];
  EXPECT_EQ(z.id, "Z0123456789ABCDEFGHIJ");
  EXPECT_TRUE(z.is_private);
  ASSERT_EQ(z.vpcs.size(), 1u);
  bool wildcard = false;
  for (const auto& rec : z.records) wildcard |= rec.name == "*.home" && rec.type == "A";
  EXPECT_TRUE(wildcard);
}

// ALB settings in a deployed account's JSON are checked against the same
// table as templates and `vpclab alb --config`: a value AWS would not have
// accepted is a warning naming the file and JSON path, and AWS's default is kept.
TEST_F(Snap, BadAlbSettingIsAWarningWithFileAndPath) {
  basic();
  const std::string lb = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188";
  const std::string listener = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
  const std::string tg = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/73e2d6bc24d8a067";
  write("lb.json", R"({"LoadBalancers": [{"LoadBalancerArn": ")" + lb + R"(", "LoadBalancerName": "web",
      "Type": "application", "Scheme": "internal", "VpcId": "vpc-1", "State": {"Code": "active"},
      "AvailabilityZones": [{"ZoneName": "eu-west-1a", "SubnetId": "subnet-1"}]}]})");
  write("tg.json", R"({"TargetGroups": [{"TargetGroupArn": ")" + tg + R"(", "TargetGroupName": "web",
      "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-1", "TargetType": "instance"}]})");
  write("elbv2-lb-attributes-web.json", R"({"LoadBalancerArn": ")" + lb + R"(", "Attributes": [
      {"Key": "idle_timeout.timeout_seconds", "Value": "120"},
      {"Key": "routing.http.desync_mitigation_mode", "Value": "strict"},
      {"Key": "access_logs.s3.bucket", "Value": ""},
      {"Key": "some.attribute.aws.added.later", "Value": "x"}]})");
  write("elbv2-tg-attributes-web.json", R"({"TargetGroupArn": ")" + tg + R"(", "Attributes": [
      {"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"},
      {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "0"}]})");
  write("l.json", R"({"Listeners": [{"ListenerArn": ")" + listener + R"(", "LoadBalancerArn": ")" + lb +
                      R"(", "Port": 80, "Protocol": "HTTP",
      "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "302"}}]}]})");
  write("r.json", R"({"Rules": [
      {"RuleArn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
       "Priority": "60000", "IsDefault": false,
       "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
       "Actions": [{"Type": "forward", "TargetGroupArn": ")" + tg + R"("}]}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  std::vector<std::string> bad;
  for (const auto& x : r.diags.items())
    if (x.code == "SNAP_BAD_VALUE") {
      EXPECT_EQ(x.severity, Severity::kWarning);
      bad.push_back(x.str());
    }
  const std::string dir = root_.string() + "/";
  std::vector<std::string> want = {
      dir + "elbv2-lb-attributes-web.json: warning SNAP_BAD_VALUE: $.Attributes[1].Value: attribute "
            "routing.http.desync_mitigation_mode: 'strict' is not monitor, defensive or strictest; AWS's default kept",
      dir + "elbv2-tg-attributes-web.json: warning SNAP_BAD_VALUE: $.Attributes[1].Value: attribute "
            "stickiness.lb_cookie.duration_seconds: must be between 1 and 604800; AWS's default kept",
      dir + "l.json: warning SNAP_BAD_VALUE: $.Listeners[0].DefaultActions[0].FixedResponseConfig.StatusCode: "
            "StatusCode must be 2XX, 4XX or 5XX",
      dir + "r.json: warning SNAP_BAD_VALUE: $.Rules[0].Priority: rule Priority must be between 1 and 50000; skipped",
  };
  std::sort(bad.begin(), bad.end());
  EXPECT_EQ(bad, want) << dump(r.diags);
  const auto& la = r.network->load_balancers.at(0).attributes;
  EXPECT_EQ(la.idle_timeout_seconds, 120);
  EXPECT_EQ(la.desync_mitigation_mode, alb::DesyncMitigationMode::kDefensive);  // AWS's default kept
  const auto* t = r.network->target_group(tg);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->attributes.algorithm, alb::LoadBalancingAlgorithm::kLeastOutstandingRequests);
  EXPECT_EQ(t->attributes.lb_cookie_duration_seconds, 86400);
  EXPECT_TRUE(r.network->listeners.at(0).rules.empty());  // the rule with priority 60000 is skipped
}

TEST_F(Snap, PeeringAcrossAccountsKeepsItsStateAndDropsDeletedOnes) {
  write("accounts/111111111111/us-east-1/v.json",
        R"({"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.1.0.0/16"}],
            "VpcPeeringConnections": [
              {"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "pending-acceptance"},
               "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "111111111111", "Region": "us-east-1"},
               "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": "222222222222", "Region": "us-east-1",
                                   "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": true}}},
              {"VpcPeeringConnectionId": "pcx-old", "Status": {"Code": "deleted"},
               "RequesterVpcInfo": {"VpcId": "vpc-a"}, "AccepterVpcInfo": {"VpcId": "vpc-gone"}}]})");
  write("accounts/222222222222/us-east-1/v.json", R"({"Vpcs": [{"VpcId": "vpc-b", "CidrBlock": "10.2.0.0/16"}]})");
  auto r = load();
  ASSERT_TRUE(r.network) << dump(r.diags);
  ASSERT_EQ(r.network->peerings.size(), 1u);
  const auto& p = r.network->peerings[0];
  EXPECT_EQ(p.state, model::PeeringState::kPendingAcceptance);
  EXPECT_TRUE(p.accepter.allow_dns_resolution_from_remote_vpc);
  EXPECT_EQ(r.network->vpc("vpc-b")->origin.account, "222222222222");
  EXPECT_EQ(r.network->accounts.size(), 2u);
}

}  // namespace
