// ModelSink: CloudFormation resources -> model, Ref/GetAtt answers, and
// the property schema checks, on small inline templates.
#include "template/to_model.h"

#include <gtest/gtest.h>

#include "model_build.h"

namespace vpclab::tmpl {
namespace {

using testing::build;
using testing::Built;

const char* kVpcAndSubnet = R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsHostnames: true
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: ap-northeast-1a
)";

TEST(ToModel, RefAndGetAttGiveModelIds) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !Ref Vpc
Outputs:
  VpcId: {Value: !Ref Vpc}
  VpcCidr: {Value: !GetAtt Vpc.CidrBlock}
  DefaultSg: {Value: !GetAtt Vpc.DefaultSecurityGroup}
  SubnetAz: {Value: !GetAtt Subnet.AvailabilityZone}
  SubnetVpc: {Value: !GetAtt Subnet.VpcId}
  SgId: {Value: !GetAtt Sg.GroupId}
  SgRef: {Value: !Ref Sg}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_EQ(b->output("VpcId"), b->net.vpcs[0].id);
  EXPECT_EQ(b->output("VpcId").rfind("vpc-0", 0), 0u);
  EXPECT_EQ(b->output("VpcCidr"), "10.0.0.0/16");
  EXPECT_EQ(b->output("DefaultSg"), b->net.vpcs[0].default_security_group);
  EXPECT_TRUE(b->net.security_group(b->output("DefaultSg")));  // finalize created it with that id
  EXPECT_EQ(b->output("SubnetAz"), "ap-northeast-1a");
  EXPECT_EQ(b->output("SubnetVpc"), b->output("VpcId"));
  EXPECT_EQ(b->output("SgId"), b->output("SgRef"));
  EXPECT_EQ(b->output("SgId").rfind("sg-", 0), 0u);
}

TEST(ToModel, InstanceAddressesNamesAndUserData) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      SubnetId: !Ref Subnet
      KeyName: k
      UserData: !Base64 "#!/bin/sh\necho hi\n"
      Tags: [{Key: Name, Value: web}]
  Fixed:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      SubnetId: !Ref Subnet
      PrivateIpAddress: 10.0.1.4
Outputs:
  WebIp: {Value: !GetAtt Web.PrivateIp}
  WebDns: {Value: !GetAtt Web.PrivateDnsName}
  WebAz: {Value: !GetAtt Web.AvailabilityZone}
  WebPublic: {Value: !GetAtt Web.PublicIp}
  FixedIp: {Value: !GetAtt Fixed.PrivateIp}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  // Web asked for its address first (GetAtt), but the explicit 10.0.1.4 of
  // Fixed was reserved when Fixed was added... which is after Web here, so
  // Web's early allocation got .4 and Fixed collides? No: outputs resolve
  // after all resources, so Fixed's reservation came first.
  EXPECT_EQ(b->output("FixedIp"), "10.0.1.4");
  EXPECT_EQ(b->output("WebIp"), "10.0.1.5");
  EXPECT_EQ(b->output("WebDns"), "ip-10-0-1-5.ap-northeast-1.compute.internal");
  EXPECT_EQ(b->output("WebAz"), "ap-northeast-1a");
  EXPECT_EQ(b->output("WebPublic"), "");
  const auto& web = b->net.instances[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.user_data, "#!/bin/sh\necho hi\n");
  EXPECT_EQ(web.key_name, "k");
  EXPECT_EQ(web.private_ip.str(), "10.0.1.5");  // finalize kept the GetAtt answer
  // No SecurityGroupIds: the VPC's default group.
  const auto* eni = b->net.network_interface(web.network_interfaces.at(0));
  ASSERT_TRUE(eni);
  EXPECT_EQ(eni->security_groups, std::vector<std::string>{b->net.vpcs[0].default_security_group});
}

TEST(ToModel, EarlyGetAttThenExplicitAddressCollides) {
  // Web's address is needed (by Fixed's tag) before Fixed asks for 10.0.1.4:
  // the automatic .4 is already handed out, as in AWS a later explicit
  // request for a used address fails.
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Subnet}
  Fixed:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      SubnetId: !Ref Subnet
      PrivateIpAddress: 10.0.1.4
      Tags: [{Key: Peer, Value: !GetAtt Web.PrivateIp}]
)");
  EXPECT_FALSE(b->ok);
  EXPECT_TRUE(b->has("ENI_ADDRESS_IN_USE")) << b->dump();
}

TEST(ToModel, PublicSubnetInstanceGetsPublicIpAndDnsName) {
  auto b = build(R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, EnableDnsHostnames: true}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, MapPublicIpOnLaunch: true}
  Bastion:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Subnet}
Outputs:
  Ip: {Value: !GetAtt Bastion.PublicIp}
  Dns: {Value: !GetAtt Bastion.PublicDnsName}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_EQ(b->output("Ip"), "203.0.113.1");
  EXPECT_EQ(b->output("Dns"), "ec2-203-0-113-1.ap-northeast-1.compute.amazonaws.com");
  EXPECT_EQ(b->net.instances[0].public_dns_name, b->output("Dns"));
}

TEST(ToModel, EipRefIsTheAddressAndNatGatewayHoldsIt) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Eip:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties:
      SubnetId: !Ref Subnet
      AllocationId: !GetAtt Eip.AllocationId
Outputs:
  Ref: {Value: !Ref Eip}
  Alloc: {Value: !GetAtt Eip.AllocationId}
  NatId: {Value: !Ref Nat}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_EQ(b->output("Ref"), "203.0.113.1");
  EXPECT_EQ(b->output("Alloc").rfind("eipalloc-", 0), 0u);
  EXPECT_EQ(b->output("NatId").rfind("nat-", 0), 0u);
  const auto& nat = b->net.nat_gateways.at(0);
  ASSERT_TRUE(nat.public_ip);
  EXPECT_EQ(nat.public_ip->str(), "203.0.113.1");
  EXPECT_EQ(nat.private_ip.str(), "10.0.1.4");
  EXPECT_TRUE(b->net.interface_by_public_ip(*nat.public_ip));
}

TEST(ToModel, SecurityGroupRulesAndDefaultEgress) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Alb:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: alb
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.1.0.0/16}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - {IpProtocol: "-1", DestinationSecurityGroupId: !Ref Alb}
  WebFromAlb:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref Web
      IpProtocol: tcp
      FromPort: 8080
      ToPort: 8080
      SourceSecurityGroupId: !GetAtt Alb.GroupId
  Icmp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Web, IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIp: 0.0.0.0/0}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const model::SecurityGroup* alb = nullptr;
  const model::SecurityGroup* web = nullptr;
  for (const auto& g : b->net.security_groups) {
    if (g.origin.logical_id == "Alb") alb = &g;
    if (g.origin.logical_id == "Web") web = &g;
  }
  ASSERT_TRUE(alb && web);
  ASSERT_EQ(alb->ingress.size(), 1u);
  EXPECT_EQ(alb->ingress[0].protocol, kTcp);
  EXPECT_EQ(alb->ingress[0].ports, PortRange::single(80));
  EXPECT_EQ(alb->ingress[0].cidr->str(), "10.1.0.0/16");
  ASSERT_EQ(alb->egress.size(), 1u);  // default allow-all
  EXPECT_EQ(alb->egress[0].cidr->str(), "0.0.0.0/0");
  ASSERT_EQ(web->egress.size(), 1u);  // replaced by the declared one
  EXPECT_EQ(web->egress[0].group_id, alb->id);
  ASSERT_EQ(web->ingress.size(), 2u);
  EXPECT_EQ(web->ingress[0].group_id, alb->id);
  EXPECT_EQ(web->ingress[0].ports, PortRange::single(8080));
  EXPECT_EQ(web->ingress[1].protocol, kIcmp);
  EXPECT_EQ(web->ingress[1].icmp_type, 8);
  EXPECT_EQ(web->ingress[1].icmp_code, -1);
  EXPECT_EQ(alb->group_name.rfind("t-Alb-", 0), 0u);
}

TEST(ToModel, NetworkAclEntriesAndAssociation) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  In:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      CidrBlock: 10.1.0.0/16
      PortRange: {From: 80, To: 80}
  Out:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: -1
      Egress: true
      RuleAction: deny
      CidrBlock: 0.0.0.0/0
  Assoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& s = b->net.subnets[0];
  const auto* acl = b->net.network_acl(s.network_acl);
  ASSERT_TRUE(acl);
  EXPECT_FALSE(acl->is_default);
  ASSERT_EQ(acl->ingress.size(), 2u);
  EXPECT_TRUE(acl->ingress[0].allow);
  EXPECT_EQ(acl->ingress[0].protocol, kTcp);
  EXPECT_EQ(acl->ingress[0].ports, PortRange::single(80));
  ASSERT_EQ(acl->egress.size(), 2u);
  EXPECT_FALSE(acl->egress[0].allow);
  EXPECT_EQ(acl->egress[1].rule_number, 32767);
}

const char* kAlbBase = R"(
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.2.0.0/16}
  A:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.2.1.0/24, AvailabilityZone: ap-northeast-1a}
  C:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.2.2.0/24, AvailabilityZone: ap-northeast-1c}
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref A}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Name: my-alb
      Scheme: internal
      Subnets: [!Ref A, !Ref C]
      LoadBalancerAttributes:
        - {Key: idle_timeout.timeout_seconds, Value: "120"}
        - {Key: routing.http.desync_mitigation_mode, Value: strictest}
        - {Key: deletion_protection.enabled, Value: "false"}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: web
      Port: 8080
      Protocol: HTTP
      VpcId: !Ref Vpc
      HealthCheckPath: /health
      HealthCheckIntervalSeconds: 10
      HealthCheckTimeoutSeconds: 3
      HealthyThresholdCount: 2
      Matcher: {HttpCode: 200-299}
      Targets: [{Id: !Ref Web, Port: 9090}]
      TargetGroupAttributes:
        - {Key: stickiness.enabled, Value: "true"}
        - {Key: deregistration_delay.timeout_seconds, Value: "30"}
        - {Key: load_balancing.algorithm.type, Value: least_outstanding_requests}
  Tg2:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP, VpcId: !Ref Vpc}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "404", ContentType: text/plain, MessageBody: nope}
)";

TEST(ToModel, LoadBalancerTargetGroupAndListener) {
  auto b = build(std::string(kAlbBase) + R"(
Outputs:
  Dns: {Value: !GetAtt Alb.DNSName}
  Zone: {Value: !GetAtt Alb.CanonicalHostedZoneID}
  Full: {Value: !GetAtt Alb.LoadBalancerFullName}
  Name: {Value: !GetAtt Alb.LoadBalancerName}
  Arn: {Value: !Ref Alb}
  TgFull: {Value: !GetAtt Tg.TargetGroupFullName}
  TgName: {Value: !GetAtt Tg2.TargetGroupName}
  ListenerArn: {Value: !Ref Listener}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& lb = b->net.load_balancers.at(0);
  EXPECT_EQ(b->output("Arn"), lb.arn);
  EXPECT_EQ(b->output("Dns"), lb.dns_name);
  EXPECT_EQ(lb.dns_name.rfind("internal-my-alb-", 0), 0u);
  EXPECT_EQ(b->output("Zone"), "Z14GRHDCWA56QT");
  EXPECT_EQ(b->output("Full").rfind("app/my-alb/", 0), 0u);
  EXPECT_EQ(b->output("Name"), "my-alb");
  EXPECT_EQ(lb.attributes.idle_timeout_seconds, 120);
  EXPECT_EQ(lb.attributes.desync_mitigation_mode, alb::DesyncMitigationMode::kStrictest);
  EXPECT_EQ(b->output("TgFull").rfind("targetgroup/web/", 0), 0u);
  EXPECT_FALSE(b->output("TgName").empty());  // generated
  EXPECT_LE(b->output("TgName").size(), 32u);
  EXPECT_EQ(b->output("ListenerArn").find(":listener/app/my-alb/"), b->output("ListenerArn").find(":listener/"));
  const auto& tg = b->net.target_groups.at(0);
  EXPECT_EQ(tg.health_check.path, "/health");
  EXPECT_EQ(tg.health_check.interval_seconds, 10);
  EXPECT_EQ(tg.health_check.timeout_seconds, 3);
  EXPECT_EQ(tg.health_check.healthy_threshold, 2);
  EXPECT_EQ(tg.health_check.matcher, "200-299");
  EXPECT_TRUE(tg.attributes.stickiness_enabled);
  EXPECT_EQ(tg.attributes.deregistration_delay_seconds, 30);
  EXPECT_EQ(tg.attributes.algorithm, alb::LoadBalancingAlgorithm::kLeastOutstandingRequests);
  ASSERT_EQ(tg.targets.size(), 1u);
  EXPECT_EQ(tg.targets[0].id, b->net.instances.at(0).id);
  EXPECT_EQ(tg.targets[0].port, 9090);
  const auto& l = b->net.listeners.at(0);
  ASSERT_EQ(l.default_rule.actions.size(), 1u);
  EXPECT_EQ(l.default_rule.actions[0].type, alb::ActionType::kFixedResponse);
  EXPECT_EQ(l.default_rule.actions[0].fixed_response.status_code, 404);
  EXPECT_EQ(l.default_rule.actions[0].fixed_response.body, "nope");
}

TEST(ToModel, ListenerRulesBothConditionFormsAndAllActions) {
  auto b = build(std::string(kAlbBase) + R"(
  OldForm:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Listener
      Priority: 20
      Conditions: [{Field: path-pattern, Values: [/api/*]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref Tg}]
  NewForm:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Listener
      Priority: 10
      Conditions:
        - {Field: host-header, HostHeaderConfig: {Values: [alb.home]}}
        - {Field: http-header, HttpHeaderConfig: {HttpHeaderName: X-Env, Values: [blue]}}
        - {Field: query-string, QueryStringConfig: {Values: [{Key: v, Value: "2"}, {Value: beta}]}}
        - {Field: source-ip, SourceIpConfig: {Values: [10.1.0.0/16]}}
      Actions:
        - Type: forward
          ForwardConfig:
            TargetGroups: [{TargetGroupArn: !Ref Tg, Weight: 80}, {TargetGroupArn: !Ref Tg2, Weight: 20}]
            TargetGroupStickinessConfig: {Enabled: true, DurationSeconds: 600}
  Redirect:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Listener
      Priority: 30
      Conditions: [{Field: http-request-method, HttpRequestMethodConfig: {Values: [GET]}}]
      Actions:
        - Type: redirect
          RedirectConfig: {Protocol: HTTPS, Port: "443", StatusCode: HTTP_302}
Outputs:
  RuleArn: {Value: !Ref NewForm}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& l = b->net.listeners.at(0);
  ASSERT_EQ(l.rules.size(), 3u);
  // Sorted by priority by finalize.
  const auto& nf = l.rules[0];
  EXPECT_EQ(nf.priority, 10);
  EXPECT_EQ(nf.arn, b->output("RuleArn"));
  EXPECT_NE(nf.arn.find(":listener-rule/app/my-alb/"), std::string::npos);
  ASSERT_EQ(nf.conditions.size(), 4u);
  EXPECT_EQ(nf.conditions[0].field, alb::ConditionField::kHostHeader);
  EXPECT_EQ(nf.conditions[0].values, std::vector<std::string>{"alb.home"});
  EXPECT_EQ(nf.conditions[1].header_name, "X-Env");
  ASSERT_EQ(nf.conditions[2].query.size(), 2u);
  EXPECT_EQ(nf.conditions[2].query[0].key, "v");
  EXPECT_FALSE(nf.conditions[2].query[1].key);
  ASSERT_EQ(nf.conditions[3].source_cidrs.size(), 1u);
  EXPECT_EQ(nf.conditions[3].source_cidrs[0].str(), "10.1.0.0/16");
  const auto& fwd = nf.actions.at(0);
  ASSERT_EQ(fwd.target_groups.size(), 2u);
  EXPECT_EQ(fwd.target_groups[0].weight, 80);
  EXPECT_EQ(fwd.target_groups[1].weight, 20);
  EXPECT_TRUE(fwd.group_stickiness);
  EXPECT_EQ(fwd.group_stickiness_seconds, 600);
  const auto& old = l.rules[1];
  EXPECT_EQ(old.conditions.at(0).field, alb::ConditionField::kPathPattern);
  EXPECT_EQ(old.conditions.at(0).values, std::vector<std::string>{"/api/*"});
  const auto& red = l.rules[2].actions.at(0);
  EXPECT_EQ(red.type, alb::ActionType::kRedirect);
  EXPECT_EQ(red.redirect.protocol, "HTTPS");
  EXPECT_EQ(red.redirect.port, "443");
  EXPECT_EQ(red.redirect.status_code, 302);
  EXPECT_EQ(red.redirect.host, "#{host}");
  // Both target groups now list the ALB.
  EXPECT_EQ(b->net.target_groups[1].load_balancers.size(), 1u);
}

TEST(ToModel, NetworkLoadBalancerIsModeledAsNetwork) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Scheme: internal, Subnets: [!Ref Subnet]}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  ASSERT_EQ(b->net.load_balancers.size(), 1u);
  EXPECT_EQ(b->net.load_balancers[0].type, "network");
  EXPECT_NE(b->net.load_balancers[0].arn.find(":loadbalancer/net/"), std::string::npos);
  EXPECT_EQ(b->net.load_balancers[0].canonical_hosted_zone_id, "Z31USIVHYNEOWT");
  EXPECT_EQ(b->net.load_balancers[0].nodes.size(), 1u);  // an NLB may use one zone
}

TEST(ToModel, NlbSubnetMappingsFixNodeAddresses) {
  auto b = build(std::string(kAlbBase) + R"(
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Eip:
    Type: AWS::EC2::EIP
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      SubnetMappings:
        - {SubnetId: !Ref A, PrivateIPv4Address: 10.2.1.100}
        - {SubnetId: !Ref C, AllocationId: !GetAtt Eip.AllocationId}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& nlb = b->net.load_balancers.at(1);
  ASSERT_EQ(nlb.nodes.size(), 2u);
  EXPECT_EQ(nlb.nodes[0].private_ip.str(), "10.2.1.100");
  EXPECT_TRUE(Ipv4Cidr::parse("10.2.2.0/24")->contains(nlb.nodes[1].private_ip));
  ASSERT_TRUE(nlb.nodes[1].public_ip);
  EXPECT_EQ(*nlb.nodes[1].public_ip, b->net.elastic_ips.at(0).public_ip);
}

TEST(ToModel, GatewayLoadBalancerAndItsListenerAreUnmodeled) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Gwlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: gateway, Subnets: [!Ref Subnet]}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 6081, Protocol: GENEVE, VpcId: !Ref Vpc}
  L:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Gwlb
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Tg}]
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_TRUE(b->net.load_balancers.empty());
  EXPECT_TRUE(b->net.listeners.empty());
  ASSERT_EQ(b->net.unmodeled.size(), 2u);
  EXPECT_EQ(b->net.unmodeled[1].type, "AWS::ElasticLoadBalancingV2::Listener");
}

TEST(ToModel, HostedZoneAndRecords) {
  auto b = build(std::string(kAlbBase) + R"(
  Zone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: home.
      VPCs: [{VPCId: !Ref Vpc, VPCRegion: ap-northeast-1}]
  AlbRecord:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: home.
      Name: alb.home.
      Type: A
      AliasTarget: {DNSName: !GetAtt Alb.DNSName, HostedZoneId: !GetAtt Alb.CanonicalHostedZoneID}
  Group:
    Type: AWS::Route53::RecordSetGroup
    Properties:
      HostedZoneId: !Ref Zone
      RecordSets:
        - {Name: db.home, Type: A, TTL: "60", ResourceRecords: [10.2.1.50]}
        - {Name: www.home, Type: CNAME, TTL: 300, ResourceRecords: [alb.home]}
Outputs:
  ZoneId: {Value: !Ref Zone}
  Ns: {Value: !Join [",", !GetAtt Zone.NameServers]}
  Rec: {Value: !Ref AlbRecord}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& z = b->net.hosted_zones.at(0);
  EXPECT_EQ(b->output("ZoneId"), z.id);
  EXPECT_EQ(z.id[0], 'Z');
  EXPECT_EQ(z.name, "home");
  EXPECT_TRUE(z.is_private);
  EXPECT_EQ(b->output("Ns"), "");  // private zones have no name servers
  EXPECT_EQ(b->output("Rec"), "alb.home.");
  ASSERT_EQ(z.records.size(), 3u);
  EXPECT_TRUE(z.records[0].is_alias);
  EXPECT_EQ(z.records[0].alias.dns_name, b->net.load_balancers[0].dns_name);
  EXPECT_EQ(z.records[1].name, "db.home");
  EXPECT_EQ(z.records[1].ttl, 60);
  EXPECT_EQ(z.records[1].values, std::vector<std::string>{"10.2.1.50"});
  EXPECT_EQ(z.records[2].type, "CNAME");
}

TEST(ToModel, RoutesTargetsAndAssociations) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Default:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Tgw:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 192.168.0.0/16, TransitGatewayId: tgw-0123}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Rt}
  Second:
    Type: AWS::EC2::VPCCidrBlock
    Properties: {VpcId: !Ref Vpc, CidrBlock: 100.64.0.0/16}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  const auto& s = b->net.subnets[0];
  const auto* rt = b->net.route_table(s.route_table);
  ASSERT_TRUE(rt);
  EXPECT_FALSE(rt->main);
  ASSERT_EQ(rt->routes.size(), 4u);  // two local routes, igw, tgw
  EXPECT_EQ(rt->routes[1].destination->str(), "100.64.0.0/16");
  EXPECT_EQ(rt->routes[2].target_kind, RouteTargetKind::kInternetGateway);
  EXPECT_EQ(rt->routes[2].state, RouteState::kActive);
  EXPECT_EQ(rt->routes[3].target_kind, RouteTargetKind::kTransitGateway);
  EXPECT_EQ(b->net.vpcs[0].cidrs.size(), 2u);
}

TEST(ToModel, DefaultVpcForGroupsAndInstancesWithoutOne) {
  auto b = build(R"(
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Host:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SecurityGroups: [!Ref Sg], AvailabilityZone: ap-northeast-1c}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_TRUE(b->has("DEFAULT_VPC"));
  ASSERT_EQ(b->net.vpcs.size(), 1u);
  EXPECT_EQ(b->net.vpcs[0].cidrs[0].str(), "172.31.0.0/16");
  const auto& host = b->net.instances.at(0);
  const auto* s = b->net.subnet(host.subnet);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->availability_zone, "ap-northeast-1c");
  EXPECT_TRUE(host.public_ip);  // default subnets map public IPs
  const auto* main = b->net.route_table(s->route_table);
  ASSERT_TRUE(main);
  EXPECT_EQ(main->routes.back().target_kind, RouteTargetKind::kInternetGateway);
  EXPECT_EQ(main->routes.back().state, RouteState::kActive);
}

TEST(ToModel, UnmodeledTypesNotedOncePerType) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Tgw1:
    Type: AWS::EC2::EgressOnlyInternetGateway
  Tgw2:
    Type: AWS::EC2::EgressOnlyInternetGateway
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  T: {Value: !Ref Tgw1}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  int notes = 0;
  for (const auto& d : b->diags.items())
    if (d.code == "UNMODELED_TYPE") ++notes;
  EXPECT_EQ(notes, 2);
  ASSERT_EQ(b->net.unmodeled.size(), 2u);  // egress-only gateways matter, the bucket does not
  EXPECT_EQ(b->net.unmodeled[0].type, "AWS::EC2::EgressOnlyInternetGateway");
  EXPECT_EQ(b->output("T").rfind("eigw-", 0), 0u);
}

// ---- schema and value errors, each at its location ------------------------------

struct ErrorCase {
  const char* name;
  const char* resources;  // appended to kVpcAndSubnet
  const char* code;
  uint32_t line;  // 1-based line in the whole text; 0 = do not check
};

class ToModelErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ToModelErrors, ReportsCodeAtLocation) {
  const auto& p = GetParam();
  auto b = build(std::string(kVpcAndSubnet) + p.resources);
  EXPECT_FALSE(b->ok);
  const Diagnostic* d = b->first(p.code);
  ASSERT_TRUE(d) << p.name << "\n" << b->dump();
  if (p.line) {
    EXPECT_EQ(d->loc.line, p.line) << d->str();
  }
  EXPECT_STREQ(d->loc.file, intern_file("t.yaml"));
}

// kVpcAndSubnet has 13 lines (the leading newline included); added text starts at line 14.
INSTANTIATE_TEST_SUITE_P(
    Cases, ToModelErrors,
    ::testing::Values(
        ErrorCase{"unknown property", R"(  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc, Colour: blue}
)",
                  "E3002", 16},
        ErrorCase{"list for a string", R"(  Sub2:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: [10.0.2.0/24]
)",
                  "E3012", 18},
        ErrorCase{"missing required", R"(  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {}
)",
                  "E3003", 14},
        ErrorCase{"nested unknown property", R"(  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 1, ToPort: 2, CidrIp: 0.0.0.0/0, Port: 3}
)",
                  "E3002", 20},
        ErrorCase{"route with two targets", R"(  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  R:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: igw-1, NatGatewayId: nat-1}
)",
                  "E3014", 17},
        ErrorCase{"route with no target", R"(  Rt:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  R:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0}
)",
                  "E3014", 17},
        ErrorCase{"bad cidr", R"(  Sub2:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0}
)",
                  "E3031", 16},
        ErrorCase{"bad protocol", R"(  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcpp, FromPort: 1, ToPort: 2, CidrIp: 0.0.0.0/0}]
)",
                  "E3031", 0},
        ErrorCase{"rule with two peers", R"(  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 1, ToPort: 2, CidrIp: 0.0.0.0/0, SourceSecurityGroupId: sg-1}]
)",
                  "E3014", 0},
        ErrorCase{"tcp rule without ports", R"(  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, CidrIp: 0.0.0.0/0}]
)",
                  "E3003", 0},
        ErrorCase{"route table not modeled", R"(  R:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: rtb-elsewhere, DestinationCidrBlock: 0.0.0.0/0, GatewayId: igw-1}
)",
                  "REF_NOT_MODELED", 16},
        ErrorCase{"second route table association", R"(  Rt1:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Rt2:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  A1:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Rt1}
  A2:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Rt2}
)",
                  "SUBNET_RTB_ASSOCIATED", 23},
        ErrorCase{"unknown lb attribute", R"(  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref Subnet]
      LoadBalancerAttributes: [{Key: idle_timeout.seconds, Value: "5"}]
)",
                  "LB_ATTRIBUTE", 18},
        ErrorCase{"condition values over five", R"(  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Subnets: [!Ref Subnet]}
  L:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: TCP
      DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "200"}}]
  R:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref L
      Priority: 1
      Conditions: [{Field: path-pattern, Values: [/a, /b, /c, /d, /e, /f]}]
      Actions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "200"}}]
)",
                  "RULE_CONDITION", 0},
        ErrorCase{"condition config missing", R"(  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Subnets: [!Ref Subnet]}
  L:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: TCP
      DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "200"}}]
  R:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref L
      Priority: 1
      Conditions: [{Field: http-header, Values: [x]}]
      Actions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "200"}}]
)",
                  "E3014", 0},
        ErrorCase{"redirect that changes nothing", R"(  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Subnets: [!Ref Subnet]}
  L:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: TCP
      DefaultActions: [{Type: redirect, RedirectConfig: {StatusCode: HTTP_301}}]
)",
                  "E3031", 0},
        ErrorCase{"record with ttl and alias", R"(  Z:
    Type: AWS::Route53::HostedZone
    Properties: {Name: home}
  R:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Z
      Name: a.home
      Type: A
      TTL: 60
      AliasTarget: {DNSName: x.example.com, HostedZoneId: Z1}
)",
                  "E3014", 23},
        ErrorCase{"finalize error surfaces: subnet outside vpc", R"(  Out:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.9.0.0/24}
)",
                  "SUBNET_OUTSIDE_VPC", 16}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

TEST(ToModel, UserDataThatIsNotBase64IsKeptWithAWarning) {
  auto b = build(std::string(kVpcAndSubnet) + R"(
  Host:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Subnet, UserData: "echo hi"}
)");
  ASSERT_TRUE(b->ok) << b->dump();
  EXPECT_TRUE(b->has("USERDATA_BASE64"));
  EXPECT_EQ(b->net.instances[0].user_data, "echo hi");
}

TEST(Base64, DecodesAndRejects) {
  EXPECT_EQ(decode_base64("aGVsbG8="), "hello");
  EXPECT_EQ(decode_base64("aGVs\nbG8"), "hello");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("echo hi"));
  EXPECT_FALSE(decode_base64("aGVsbG8=x"));
  EXPECT_FALSE(decode_base64("a"));
  EXPECT_FALSE(decode_base64("echohi"));  // 4 leftover bits that are not zero
}

}  // namespace
}  // namespace vpclab::tmpl
