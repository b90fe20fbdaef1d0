// The Terraform reader on small plans written as terraform prints them:
// Terraform's own semantics (no egress unless written, aws_default_* reset
// what they adopt, inline routes are the table's routes), values unknown
// until apply filled from configuration, and diagnostics naming the address
// and the JSON path.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "terraform/load.h"

namespace vpclab {
namespace {

// A plan (format 1.2) whose root module holds `resources`, with their
// resource_changes `changes` and configuration resources `config`.
std::string plan(const std::string& resources, const std::string& changes = "",
                 const std::string& config = "", const std::string& extra = "") {
  return R"({"format_version":"1.2","terraform_version":"1.9.5",)" + extra +
         R"("planned_values":{"root_module":{"resources":[)" + resources + R"(]}},"resource_changes":[)" + changes +
         R"(],"configuration":{"root_module":{"resources":[)" + config + "]}}}";
}

const char* kVpc =
    R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
    R"("values":{"cidr_block":"10.0.0.0/16","enable_dns_support":true,"tags":{"Name":"main"}}})";
const char* kVpcConfig =
    R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
    R"("expressions":{"cidr_block":{"constant_value":"10.0.0.0/16"}}})";

struct Loaded {
  tmpl::LoadResult r;
  terraform::Counts counts;
  const model::Network& net() const { return *r.network; }
  bool has(const std::string& code, const std::string& text = "") const {
    for (const auto& d : r.diags.items())
      if (d.code == code && d.message.find(text) != std::string::npos) return true;
    return false;
  }
  std::string all() const {
    std::string s;
    for (const auto& d : r.diags.items()) s += d.str() + "\n";
    return s;
  }
};

Loaded load(const std::string& text) {
  Loaded l;
  l.r = terraform::load_text(text, "plan.json", &l.counts);
  return l;
}

const model::SecurityGroup* group(const model::Network& net, const std::string& address) {
  for (const auto& g : net.security_groups)
    if (g.origin.logical_id == address) return &g;
  return nullptr;
}

TEST(TerraformReader, RecognisesPlansAndStatesOnly) {
  auto a = load(plan(kVpc));
  ASSERT_TRUE(a.r.network) << a.all();
  EXPECT_EQ(a.net().vpcs.size(), 1u);
  EXPECT_EQ(a.net().vpcs[0].name, "main");
  auto state = load(R"({"format_version":"1.0","values":{"root_module":{"resources":[)" + std::string(kVpc) + "]}}}");
  ASSERT_TRUE(state.r.network) << state.all();
  EXPECT_EQ(state.net().vpcs.size(), 1u);
  auto other = load(R"({"format_version":"1.0","Resources":{}})");
  EXPECT_FALSE(other.r.network);
  EXPECT_TRUE(other.has("TF_FORMAT"));
}

// The provider revokes AWS's allow-all egress on the groups it creates.
TEST(TerraformReader, SecurityGroupHasNoEgressUnlessWritten) {
  std::string sg =
      R"({"address":"aws_security_group.web","mode":"managed","type":"aws_security_group","name":"web",)"
      R"("values":{"name":"web","vpc_id":"VPC","ingress":[{"from_port":80,"to_port":80,"protocol":"tcp",)"
      R"("cidr_blocks":["0.0.0.0/0"],"ipv6_cidr_blocks":[],"prefix_list_ids":[],"security_groups":[],"self":false,)"
      R"("description":""}],"egress":[]}})";
  // The VPC id as a state holds it.
  std::string vpc = R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
                    R"("values":{"id":"vpc-0123456789abcdef0","cidr_block":"10.0.0.0/16"}})";
  sg.replace(sg.find("VPC"), 3, "vpc-0123456789abcdef0");
  auto l = load(plan(vpc + "," + sg));
  ASSERT_TRUE(l.r.network) << l.all();
  const auto* g = group(l.net(), "aws_security_group.web");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->ingress.size(), 1u);
  EXPECT_TRUE(g->egress.empty()) << "a Terraform group without egress blocks sends nothing";
  EXPECT_EQ(g->ingress[0].ports, PortRange::single(80));
}

// aws_default_security_group empties the VPC's default group; without it the
// group keeps AWS's rules (all from itself, all out).
TEST(TerraformReader, DefaultSecurityGroupIsResetToWhatIsWritten) {
  std::string adopt =
      R"({"address":"aws_default_security_group.d","mode":"managed","type":"aws_default_security_group","name":"d",)"
      R"("values":{"ingress":[],"egress":[]}})";
  std::string adopt_cfg =
      R"({"address":"aws_default_security_group.d","mode":"managed","type":"aws_default_security_group","name":"d",)"
      R"("expressions":{"vpc_id":{"references":["aws_vpc.main.id","aws_vpc.main"]}}})";
  std::string unknown = R"({"address":"aws_default_security_group.d","change":{"actions":["create"],)"
                        R"("after_unknown":{"vpc_id":true,"id":true}}})";
  auto l = load(plan(std::string(kVpc) + "," + adopt, unknown, std::string(kVpcConfig) + "," + adopt_cfg));
  ASSERT_TRUE(l.r.network) << l.all();
  const auto& v = l.net().vpcs.at(0);
  const auto* g = l.net().security_group(v.default_security_group);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->origin.logical_id, "aws_default_security_group.d");
  EXPECT_TRUE(g->ingress.empty());
  EXPECT_TRUE(g->egress.empty());
  EXPECT_EQ(l.counts.unknowns_filled, 1u);

  auto plain = load(plan(kVpc));
  ASSERT_TRUE(plain.r.network);
  const auto* d = plain.net().security_group(plain.net().vpcs.at(0).default_security_group);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ingress.size(), 1u);
  EXPECT_EQ(d->egress.size(), 1u);
}

// aws_default_network_acl without rules denies everything; the VPC's own
// default ACL (not adopted) allows all at rule 100.
TEST(TerraformReader, DefaultNetworkAclIsResetToWhatIsWritten) {
  std::string vpc = R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
                    R"("values":{"id":"vpc-0a","cidr_block":"10.0.0.0/16","default_network_acl_id":"acl-0d"}})";
  std::string acl = R"({"address":"aws_default_network_acl.d","mode":"managed","type":"aws_default_network_acl",)"
                    R"("name":"d","values":{"id":"acl-0d","default_network_acl_id":"acl-0d","ingress":[],"egress":[],)"
                    R"("subnet_ids":[]}})";
  auto l = load(plan(vpc + "," + acl));
  ASSERT_TRUE(l.r.network) << l.all();
  const auto* a = l.net().network_acl("acl-0d");
  ASSERT_TRUE(a);
  for (const auto& e : a->ingress) EXPECT_FALSE(e.allow) << "rule " << e.rule_number;
  for (const auto& e : a->egress) EXPECT_FALSE(e.allow) << "rule " << e.rule_number;
  auto plain = load(plan(vpc));
  ASSERT_TRUE(plain.r.network);
  const auto* d = plain.net().network_acl("acl-0d");
  ASSERT_TRUE(d);
  ASSERT_FALSE(d->ingress.empty());
  EXPECT_TRUE(d->ingress[0].allow);
  EXPECT_EQ(d->ingress[0].rule_number, 100);
}

// aws_default_route_table keeps only the local routes and the written ones;
// an aws_route_table's inline routes are its routes.
TEST(TerraformReader, InlineRoutesAreTheTablesRoutes) {
  std::string vpc = R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
                    R"("values":{"id":"vpc-0a","cidr_block":"10.0.0.0/16","main_route_table_id":"rtb-0m"}})";
  std::string igw = R"({"address":"aws_internet_gateway.gw","mode":"managed","type":"aws_internet_gateway",)"
                    R"("name":"gw","values":{"id":"igw-0g","vpc_id":"vpc-0a"}})";
  std::string rt = R"({"address":"aws_default_route_table.main","mode":"managed","type":"aws_default_route_table",)"
                   R"("name":"main","values":{"id":"rtb-0m","default_route_table_id":"rtb-0m","route":[)"
                   R"({"cidr_block":"0.0.0.0/0","gateway_id":"igw-0g","nat_gateway_id":"","ipv6_cidr_block":""}]}})";
  auto l = load(plan(vpc + "," + igw + "," + rt));
  ASSERT_TRUE(l.r.network) << l.all();
  const auto* t = l.net().route_table("rtb-0m");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->main);
  ASSERT_EQ(t->routes.size(), 2u);  // local, then the written one
  EXPECT_EQ(t->routes[0].target_kind, RouteTargetKind::kLocal);
  EXPECT_EQ(t->routes[1].target_id, "igw-0g");
}

TEST(TerraformReader, InlineAndSeparateRulesOnOneGroupWarn) {
  std::string vpc = R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
                    R"("values":{"id":"vpc-0a","cidr_block":"10.0.0.0/16"}})";
  std::string sg = R"({"address":"aws_security_group.g","mode":"managed","type":"aws_security_group","name":"g",)"
                   R"("values":{"id":"sg-0g","vpc_id":"vpc-0a","ingress":[{"from_port":22,"to_port":22,)"
                   R"("protocol":"tcp","cidr_blocks":["10.0.0.0/8"]}],"egress":[]}})";
  std::string rule = R"({"address":"aws_security_group_rule.r","mode":"managed","type":"aws_security_group_rule",)"
                     R"("name":"r","values":{"type":"ingress","security_group_id":"sg-0g","protocol":"tcp",)"
                     R"("from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]}})";
  auto l = load(plan(vpc + "," + sg + "," + rule));
  ASSERT_TRUE(l.r.network) << l.all();
  EXPECT_TRUE(l.has("TF_RULES_MIXED", "aws_security_group.g")) << l.all();
  EXPECT_EQ(group(l.net(), "aws_security_group.g")->ingress.size(), 2u) << "both are read";
}

// A managed prefix list (inline `entry` blocks and a separate entry resource)
// that a security-group rule references: the rule admits its entries.
TEST(TerraformReader, ManagedPrefixListEntriesAreTheRulesPeers) {
  std::string vpc = R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
                    R"("values":{"id":"vpc-0a","cidr_block":"10.0.0.0/16"}})";
  std::string pl = R"({"address":"aws_ec2_managed_prefix_list.clients","mode":"managed",)"
                   R"("type":"aws_ec2_managed_prefix_list","name":"clients","values":{"id":"pl-0c","name":"clients",)"
                   R"("address_family":"IPv4","max_entries":5,"entry":[{"cidr":"10.1.0.0/16","description":"bar"}]}})";
  std::string more = R"({"address":"aws_ec2_managed_prefix_list_entry.office","mode":"managed",)"
                     R"("type":"aws_ec2_managed_prefix_list_entry","name":"office","values":{"prefix_list_id":"pl-0c",)"
                     R"("cidr":"192.168.0.0/16","description":"office"}})";
  std::string sg = R"({"address":"aws_security_group.g","mode":"managed","type":"aws_security_group","name":"g",)"
                   R"("values":{"id":"sg-0g","vpc_id":"vpc-0a","ingress":[{"from_port":443,"to_port":443,)"
                   R"("protocol":"tcp","cidr_blocks":[],"prefix_list_ids":["pl-0c"]}],"egress":[]}})";
  auto l = load(plan(vpc + "," + pl + "," + more + "," + sg));
  ASSERT_TRUE(l.r.network) << l.all();
  ASSERT_EQ(l.net().prefix_lists.size(), 1u);
  const auto& list = l.net().prefix_lists[0];
  EXPECT_EQ(list.name, "clients");
  EXPECT_EQ(list.max_entries, 5);
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[1].text, "192.168.0.0/16");
  EXPECT_FALSE(l.has("PREFIX_LIST_UNKNOWN")) << l.all();
  const auto* g = group(l.net(), "aws_security_group.g");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->ingress.size(), 1u);
  EXPECT_EQ(g->ingress[0].prefix_list_cidrs.size(), 2u);  // resolved by finalize, as for templates
}

// Ids unknown at plan time come from configuration references, in both
// spellings: the object alone (before 1.0.3) and attribute then object.
TEST(TerraformReader, UnknownIdsComeFromReferencesInBothSpellings) {
  for (const char* refs : {R"(["aws_vpc.main"])", R"(["aws_vpc.main.id","aws_vpc.main"])"}) {
    std::string sub = R"({"address":"aws_subnet.a","mode":"managed","type":"aws_subnet","name":"a",)"
                      R"("values":{"cidr_block":"10.0.1.0/24","availability_zone":"ap-northeast-1a"}})";
    std::string change = R"({"address":"aws_subnet.a","change":{"actions":["create"],)"
                         R"("after_unknown":{"id":true,"vpc_id":true}}})";
    std::string cfg = std::string(kVpcConfig) + R"(,{"address":"aws_subnet.a","mode":"managed","type":"aws_subnet",)"
                      R"("name":"a","expressions":{"vpc_id":{"references":)" + refs + "}}}";
    auto l = load(plan(std::string(kVpc) + "," + sub, change, cfg));
    ASSERT_TRUE(l.r.network) << l.all();
    ASSERT_EQ(l.net().subnets.size(), 1u) << refs;
    EXPECT_EQ(l.net().subnets[0].vpc, l.net().vpcs[0].id) << refs;
    EXPECT_EQ(l.counts.unknowns_filled, 1u);
  }
}

// count.index picks the instance of the same index; a module input (var.)
// is the calling module's argument, itself a reference in the caller.
TEST(TerraformReader, ModulesAndCountIndexFollowTheConfiguration) {
  std::string text = R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[)" +
                     std::string(kVpc) + R"(],"child_modules":[{"address":"module.net","resources":[)"
                     R"({"address":"module.net.aws_subnet.s[0]","mode":"managed","type":"aws_subnet","name":"s",)"
                     R"("index":0,"values":{"cidr_block":"10.0.1.0/24"}},)"
                     R"({"address":"module.net.aws_subnet.s[1]","mode":"managed","type":"aws_subnet","name":"s",)"
                     R"("index":1,"values":{"cidr_block":"10.0.2.0/24"}},)"
                     R"({"address":"module.net.aws_route_table.r[1]","mode":"managed","type":"aws_route_table",)"
                     R"("name":"r","index":1,"values":{"route":[]}},)"
                     R"({"address":"module.net.aws_route_table.r[0]","mode":"managed","type":"aws_route_table",)"
                     R"("name":"r","index":0,"values":{"route":[]}},)"
                     R"({"address":"module.net.aws_route_table_association.a[1]","mode":"managed",)"
                     R"("type":"aws_route_table_association","name":"a","index":1}]}]}},)"
                     R"("configuration":{"root_module":{"resources":[)" + std::string(kVpcConfig) +
                     R"(],"module_calls":{"net":{"source":"./net","expressions":{"vpc_id":{"references":)"
                     R"(["aws_vpc.main.id","aws_vpc.main"]}},"module":{"resources":[)"
                     R"({"address":"aws_subnet.s","type":"aws_subnet","name":"s","expressions":{"vpc_id":)"
                     R"({"references":["var.vpc_id"]}}},)"
                     R"({"address":"aws_route_table.r","type":"aws_route_table","name":"r","expressions":{"vpc_id":)"
                     R"({"references":["var.vpc_id"]}}},)"
                     R"({"address":"aws_route_table_association.a","type":"aws_route_table_association","name":"a",)"
                     R"("expressions":{"subnet_id":{"references":["aws_subnet.s","count.index"]},)"
                     R"("route_table_id":{"references":["aws_route_table.r","count.index"]}}}]}}}}}})";
  auto l = load(text);
  ASSERT_TRUE(l.r.network) << l.all();
  ASSERT_EQ(l.net().subnets.size(), 2u);
  const model::Subnet* s1 = nullptr;
  for (const auto& s : l.net().subnets) {
    EXPECT_EQ(s.vpc, l.net().vpcs[0].id) << s.origin.logical_id;
    if (s.origin.logical_id == "module.net.aws_subnet.s[1]") s1 = &s;
  }
  ASSERT_TRUE(s1);
  const model::RouteTable* r1 = l.net().route_table(s1->route_table);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->origin.logical_id, "module.net.aws_route_table.r[1]");
}

// What a plan cannot know is said, naming the address, the attribute and
// the JSON path; a malformed value is an error at its line.
TEST(TerraformReader, DiagnosticsNameTheAddressAndJsonPath) {
  std::string sub = R"({"address":"aws_subnet.a","mode":"managed","type":"aws_subnet","name":"a",)"
                    R"("values":{"cidr_block":"10.0.1.0/24"}})";
  std::string change = R"({"address":"aws_subnet.a","change":{"actions":["create"],)"
                       R"("after_unknown":{"id":true,"vpc_id":true}}})";
  std::string cfg = std::string(kVpcConfig) + "," + R"({"address":"aws_subnet.a","type":"aws_subnet","name":"a",)"
                    R"("expressions":{"vpc_id":{"references":["local.vpc_id"]}}})";
  auto l = load(plan(std::string(kVpc) + "," + sub, change, cfg));
  ASSERT_TRUE(l.r.network) << l.all();
  EXPECT_TRUE(l.has("TF_ASSUMED", "aws_subnet.a: vpc_id is not known from the plan (it comes from local.vpc_id)"))
      << l.all();
  EXPECT_TRUE(l.has("TF_ASSUMED", "$.planned_values.root_module.resources[1].values.vpc_id")) << l.all();

  std::string bad = R"({"address":"aws_vpc.bad","mode":"managed","type":"aws_vpc","name":"bad",)"
                    "\n" R"("values":{"cidr_block":"10.0.0.0/33"}})";
  auto e = load(plan(bad));
  EXPECT_FALSE(e.r.network);
  ASSERT_TRUE(e.has("TF_VALUE", "aws_vpc.bad: cidr_block '10.0.0.0/33' is not an IPv4 CIDR block")) << e.all();
  for (const auto& d : e.r.diags.items())
    if (d.code == "TF_VALUE") {
      EXPECT_EQ(d.loc.line, 2u);
      EXPECT_NE(d.message.find("$.planned_values.root_module.resources[0].values.cidr_block"), std::string::npos);
    }
}

// A peering Terraform does not accept (no auto_accept, no accepter) stays
// pending; an accepter resource accepts it.
TEST(TerraformReader, PeeringNeedsAutoAcceptOrAnAccepter) {
  std::string vpcs = R"({"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","values":{"id":"vpc-0a",)"
                     R"("cidr_block":"10.0.0.0/16"}},{"address":"aws_vpc.b","mode":"managed","type":"aws_vpc","name":"b",)"
                     R"("values":{"id":"vpc-0b","cidr_block":"10.1.0.0/16"}})";
  std::string pcx = R"(,{"address":"aws_vpc_peering_connection.p","mode":"managed","type":"aws_vpc_peering_connection",)"
                    R"("name":"p","values":{"id":"pcx-01","vpc_id":"vpc-0a","peer_vpc_id":"vpc-0b","auto_accept":false}})";
  std::string acc = R"(,{"address":"aws_vpc_peering_connection_accepter.p","mode":"managed",)"
                    R"("type":"aws_vpc_peering_connection_accepter","name":"p","values":{"vpc_peering_connection_id":)"
                    R"("pcx-01","auto_accept":true}})";
  auto pending = load(plan(vpcs + pcx));
  ASSERT_TRUE(pending.r.network) << pending.all();
  EXPECT_EQ(pending.net().peerings.at(0).state, model::PeeringState::kPendingAcceptance);
  auto accepted = load(plan(vpcs + pcx + acc));
  ASSERT_TRUE(accepted.r.network) << accepted.all();
  EXPECT_EQ(accepted.net().peerings.at(0).state, model::PeeringState::kActive);
}

// user_data is stored as its SHA-1; the script comes from the configuration.
TEST(TerraformReader, UserDataComesFromTheConfiguration) {
  std::string vpc = R"({"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main",)"
                    R"("values":{"id":"vpc-0a","cidr_block":"10.0.0.0/16"}},)"
                    R"({"address":"aws_subnet.s","mode":"managed","type":"aws_subnet","name":"s",)"
                    R"("values":{"id":"subnet-0s","vpc_id":"vpc-0a","cidr_block":"10.0.1.0/24"}},)";
  std::string inst = R"({"address":"aws_instance.web","mode":"managed","type":"aws_instance","name":"web",)"
                     R"("values":{"subnet_id":"subnet-0s","private_ip":"10.0.1.10",)"
                     R"("user_data":"8d7a5e6b0c1f2a3b4c5d6e7f8091a2b3c4d5e6f7"}})";
  std::string cfg = R"({"address":"aws_instance.web","type":"aws_instance","name":"web","expressions":)"
                    R"({"user_data":{"constant_value":"#!/bin/sh\necho hi\n"}}})";
  auto l = load(plan(vpc + inst, "", cfg));
  ASSERT_TRUE(l.r.network) << l.all();
  ASSERT_EQ(l.net().instances.size(), 1u);
  EXPECT_EQ(l.net().instances[0].user_data, "#!/bin/sh\necho hi\n");
  EXPECT_EQ(l.net().instances[0].private_ip.str(), "10.0.1.10");
}

}  // namespace
}  // namespace vpclab
