// Transit gateways and site-to-site VPN from Terraform (examples/terraform/tgw):
// the hub-and-spoke plan checks clean, traces through the TGW's attachment and
// route table, and gives the model and the matrix the CloudFormation template
// gives; the office over VPN (a lab manifest with on_premises) is reached
// through the hub as in the template lab; bad plans are errors naming the
// Terraform address.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "../support/process.h"
#include "template/load.h"
#include "terraform/load.h"

namespace vpclab {
namespace {

using testing::vpclab;

const char* kPlan = "examples/terraform/tgw/plan.json";
const char* kTemplate = "examples/tgw/hub-and-spoke.yaml";
const char* kVpnLab = "examples/terraform/tgw/vpn/vpclab.yaml";
const char* kVpnTemplateLab = "examples/tgw/vpn/vpclab.yaml";

std::shared_ptr<const model::Network> load(const std::string& path) {
  auto r = tmpl::load_network({path}, &terraform::front_end());
  std::string diags;
  for (const auto& d : r.diags.items()) diags += d.str() + "\n";
  EXPECT_TRUE(r.network) << diags;
  return r.network;
}

// `vpclab matrix --json` cells with each endpoint named by its Name tag (a
// load balancer by its name), which the plan and the template share: the
// names come from the models the two inputs give, not from this test.
std::set<std::string> cells_by_name(const std::string& path) {
  auto net = load(path);
  std::map<std::string, std::string> name;
  if (net) {
    for (const auto& i : net->instances) name[i.origin.display(i.id)] = i.name;
    for (const auto& lb : net->load_balancers) name[lb.origin.display(lb.arn)] = lb.name;
  }
  auto r = vpclab("matrix --json " + path, false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);  // kept: a range-for over a temporary's member dangles
  std::set<std::string> out;
  for (const auto& c : j["cells"]) {
    std::string from = c["from"], to = c["to"];
    EXPECT_TRUE(name.count(from) && name.count(to)) << from << " -> " << to;
    out.insert(name[from] + " -> " + name[to] + " tcp " + c["tcp"].get<std::string>() + " udp " +
               c["udp"].get<std::string>() + " icmp " + (c["icmp"].get<bool>() ? "yes" : "no"));
  }
  return out;
}

std::string verdict(const std::string& path, const std::string& args) {
  auto r = vpclab("trace " + path + " " + args);
  auto at = r.out.find("verdict: ");
  return at == std::string::npos ? "(none) " + r.out : r.out.substr(at, r.out.find('\n', at) - at);
}

// A copy of the plan with `edit` applied, in a temporary file.
std::string edited(const std::function<void(nlohmann::json&)>& edit, const std::string& name) {
  std::ifstream in(kPlan);
  auto doc = nlohmann::json::parse(in);
  edit(doc);
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << doc.dump(1);
  return path.string();
}

nlohmann::json& planned(nlohmann::json& doc, const std::string& address) {
  for (auto& r : doc["planned_values"]["root_module"]["resources"])
    if (r["address"] == address) return r;
  throw std::runtime_error("no " + address + " in the plan");
}

TEST(TerraformTgw, PlanChecksClean) {
  auto r = vpclab(std::string("check ") + kPlan);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("0 errors, 0 warnings"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("UNMODELED_TYPE"), std::string::npos) << r.out;  // the TGW resources are read
}

// The plan's TGW is the template's: one default table both attachments are
// associated with and propagate into, the same subnets per attachment.
TEST(TerraformTgw, ModelIsTheTemplatesModel) {
  auto tf = load(kPlan), cfn = load(kTemplate);
  ASSERT_TRUE(tf && cfn);
  auto shape = [](const model::Network& net) {
    std::multiset<std::string> out;
    for (const auto& g : net.transit_gateways) {
      const auto* t = net.transit_gateway_route_table(g.association_default_route_table);
      out.insert(fmt::format("tgw {} asn {} default table {} propagations {}", g.name, g.amazon_side_asn,
                             t ? t->name : "none", t ? t->propagations.size() : 0));
    }
    for (const auto& a : net.transit_gateway_attachments) {
      const auto* t = net.transit_gateway_route_table(a.route_table);
      std::vector<std::string> subnets;
      for (const auto& s : a.subnets) subnets.push_back(net.subnet(s) ? net.subnet(s)->name : s);
      out.insert(fmt::format("attachment {} {} {} table {} subnets {}", a.name, a.resource_type, a.state,
                             t ? t->name : "none", fmt::join(subnets, ",")));
    }
    return out;
  };
  EXPECT_EQ(shape(*tf), shape(*cfn));
  ASSERT_EQ(tf->transit_gateway_attachments.size(), 2u);
  EXPECT_EQ(tf->transit_gateways.at(0).origin.logical_id, "aws_ec2_transit_gateway.hub");
}

TEST(TerraformTgw, TraceCrossesTheTgwNamingAttachmentAndTable) {
  auto t = vpclab(std::string("trace ") + kPlan + " --from aws_instance.bar_app --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("transit-gateway-attachment aws_ec2_transit_gateway_vpc_attachment.bar: enters "
                       "aws_ec2_transit_gateway.hub"),
            std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("transit-gateway-route-table "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("(propagated)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("aws_ec2_transit_gateway_vpc_attachment.foo"), std::string::npos) << t.out;  // the exit
  std::string want = verdict(kTemplate, "--from BarApp --to http://alb.home/");
  EXPECT_EQ(want.rfind("verdict: reachable", 0), 0u) << want;
  EXPECT_EQ(verdict(kPlan, "--from aws_instance.bar_app --to http://alb.home/"), want);
}

TEST(TerraformTgw, MatrixIsTheTemplatesMatrix) {
  auto tf = cells_by_name(kPlan);
  auto cfn = cells_by_name(kTemplate);
  EXPECT_FALSE(tf.empty());
  EXPECT_EQ(tf, cfn);
}

// The office over VPN: the manifest names the plan's customer gateway by its
// address and gives the CIDRs behind it; the verdicts are the template lab's.
TEST(TerraformTgw, OfficeOverVpnIsTheTemplateLabs) {
  auto chk = vpclab(std::string("check ") + kVpnLab);
  EXPECT_EQ(chk.exit_code, 0) << chk.out;
  EXPECT_NE(chk.out.find("0 errors, 0 warnings"), std::string::npos) << chk.out;
  auto net = load(kVpnLab);
  ASSERT_TRUE(net);
  ASSERT_EQ(net->vpn_connections.size(), 1u);
  const auto& c = net->vpn_connections[0];
  EXPECT_FALSE(c.static_routes_only);
  const auto* a = net->transit_gateway_attachment(c.transit_gateway_attachment);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->resource_type, "vpn");
  struct Case {
    std::string cfn, tf;
  };
  const Case cases[] = {
      {"--from on-prem:office --to FooInternalAlb", "--from on-prem:office --to net.aws_lb.foo_internal"},
      {"--from BarApp --to on-prem:office --port 22", "--from net.aws_instance.bar_app --to on-prem:office --port 22"},
      {"--from FooWeb1 --to on-prem:office --port 443", "--from net.aws_instance.foo_web1 --to office --port 443"},
      // foo's web servers admit 8080 from the ALB only.
      {"--from on-prem:office --to FooWeb1 --port 8080",
       "--from on-prem:office --to net.aws_instance.foo_web1 --port 8080"},
  };
  for (const auto& k : cases) {
    std::string want = verdict(kVpnTemplateLab, k.cfn);
    EXPECT_EQ(want.rfind("verdict: ", 0), 0u) << k.cfn << ": " << want;
    EXPECT_EQ(verdict(kVpnLab, k.tf), want) << k.tf;
  }
  auto t = vpclab(std::string("trace ") + kVpnLab + " --from on-prem:office --to net.aws_lb.foo_internal");
  EXPECT_NE(t.out.find("transit-gateway-attachment net.aws_vpn_connection.office: enters net.aws_ec2_transit_gateway.hub"),
            std::string::npos)
      << t.out;
}

// A manifest naming a customer gateway the plan does not hold says so.
TEST(TerraformTgw, OnPremisesNamesAMissingGateway) {
  auto dir = std::filesystem::temp_directory_path() / "vpclab-tf-onprem";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "vpclab.yaml")
      << "stacks:\n  - name: net\n    terraform: "
      << std::filesystem::absolute("examples/terraform/tgw/vpn/plan.json").string()
      << "\non_premises:\n  - name: office\n    customer_gateway: {stack: net, resource: aws_customer_gateway.home}\n"
         "    cidrs: [192.168.0.0/16]\n";
  auto r = vpclab("check " + (dir / "vpclab.yaml").string());
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("error M1008: on_premises 'office': stack net has no customer gateway "
                       "aws_customer_gateway.home"),
            std::string::npos)
      << r.out;
  std::filesystem::remove_all(dir);
}

// An attachment naming a subnet the plan does not hold: check and trace
// refuse the plan, naming the attachment's address.
TEST(TerraformTgw, AttachmentWithAMissingSubnetIsAnError) {
  auto path = edited(
      [](nlohmann::json& doc) {
        planned(doc, "aws_ec2_transit_gateway_vpc_attachment.bar")["values"]["subnet_ids"] = {"subnet-0bad0bad0bad0bad0"};
        for (auto& c : doc["resource_changes"])
          if (c["address"] == "aws_ec2_transit_gateway_vpc_attachment.bar") c["change"]["after_unknown"].erase("subnet_ids");
      },
      "vpclab-tf-tgw-subnet.json");
  auto chk = vpclab("check " + path);
  EXPECT_EQ(chk.exit_code, 1) << chk.out;
  EXPECT_NE(chk.out.find("error TGW_ATTACH_SUBNET_UNKNOWN"), std::string::npos) << chk.out;
  EXPECT_NE(chk.out.find("aws_ec2_transit_gateway_vpc_attachment.bar names subnet 'subnet-0bad0bad0bad0bad0'"),
            std::string::npos)
      << chk.out;
  auto tr = vpclab("trace " + path + " --from aws_instance.bar_app --to http://alb.home/");
  EXPECT_EQ(tr.exit_code, 2) << tr.out;
  EXPECT_NE(tr.out.find("TGW_ATTACH_SUBNET_UNKNOWN"), std::string::npos) << tr.out;
  std::filesystem::remove(path);
}

// transit_gateway_default_route_table_propagation = false takes foo's
// attachment out of the default table: its CIDR is no longer routed there.
TEST(TerraformTgw, NoDefaultPropagationLeavesTheTableWithoutARoute) {
  auto path = edited(
      [](nlohmann::json& doc) {
        planned(doc, "aws_ec2_transit_gateway_vpc_attachment.foo")["values"]
               ["transit_gateway_default_route_table_propagation"] = false;
      },
      "vpclab-tf-tgw-noprop.json");
  auto t = vpclab("trace " + path + " --from aws_instance.bar_app --to http://alb.home/");
  EXPECT_EQ(t.exit_code, 1) << t.out;
  EXPECT_NE(t.out.find("blocked: TGW_RTB_CANNOT_ROUTE"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("verdict: not reachable"), std::string::npos) << t.out;
  std::filesystem::remove(path);
}

// bar's route to the hub without bar's attachment: CreateRoute refuses it.
TEST(TerraformTgw, RouteToATgwTheVpcIsNotAttachedToIsAnError) {
  auto path = edited(
      [](nlohmann::json& doc) {
        auto& rs = doc["planned_values"]["root_module"]["resources"];
        for (auto it = rs.begin(); it != rs.end(); ++it)
          if ((*it)["address"] == "aws_ec2_transit_gateway_vpc_attachment.bar") {
            rs.erase(it);
            break;
          }
      },
      "vpclab-tf-tgw-route.json");
  auto chk = vpclab("check " + path);
  EXPECT_EQ(chk.exit_code, 1) << chk.out;
  EXPECT_NE(chk.out.find("error ROUTE_TGW_NOT_ATTACHED"), std::string::npos) << chk.out;
  EXPECT_NE(chk.out.find("targets transit gateway aws_ec2_transit_gateway.hub, but VPC aws_vpc.bar has no attachment"),
            std::string::npos)
      << chk.out;
  // Advice in the provider's words.
  EXPECT_NE(chk.out.find("aws_ec2_transit_gateway_vpc_attachment"), std::string::npos) << chk.out;
  EXPECT_EQ(chk.out.find("AWS::EC2::TransitGatewayVpcAttachment"), std::string::npos) << chk.out;
  auto tr = vpclab("trace " + path + " --from aws_instance.bar_app --to http://alb.home/");
  EXPECT_EQ(tr.exit_code, 2) << tr.out;
  std::filesystem::remove(path);
}

// A state (ids known) with what the provider adds to CloudFormation: an
// attachment taken out of the default association and associated with its
// own table, and a VPN connection whose attachment Terraform names, routed
// statically in the default table.
TEST(TerraformTgw, StateWithOwnTablesAndAStaticVpn) {
  auto res = [](const std::string& type, const std::string& name, const std::string& values) {
    return R"({"address":")" + type + "." + name + R"(","mode":"managed","type":")" + type + R"(","name":")" + name +
           R"(","values":)" + values + "}";
  };
  std::string resources =
      res("aws_vpc", "a", R"({"id":"vpc-a","cidr_block":"10.0.0.0/16","main_route_table_id":"rtb-main"})") + "," +
      res("aws_subnet", "a", R"({"id":"subnet-a","vpc_id":"vpc-a","cidr_block":"10.0.1.0/24",)"
                             R"("availability_zone":"ap-northeast-1a"})") + "," +
      res("aws_ec2_transit_gateway", "hub",
          R"({"id":"tgw-1","default_route_table_association":"enable","default_route_table_propagation":"enable",)"
          R"("association_default_route_table_id":"tgw-rtb-d","propagation_default_route_table_id":"tgw-rtb-d",)"
          R"("amazon_side_asn":64512,"auto_accept_shared_attachments":"disable","dns_support":"enable"})") + "," +
      res("aws_ec2_transit_gateway_vpc_attachment", "a",
          R"({"id":"tgw-attach-a","transit_gateway_id":"tgw-1","vpc_id":"vpc-a","subnet_ids":["subnet-a"],)"
          R"("transit_gateway_default_route_table_association":false,)"
          R"("transit_gateway_default_route_table_propagation":true})") + "," +
      res("aws_ec2_transit_gateway_route_table", "own", R"({"id":"tgw-rtb-own","transit_gateway_id":"tgw-1"})") + "," +
      res("aws_ec2_transit_gateway_route_table_association", "a",
          R"({"id":"x","transit_gateway_attachment_id":"tgw-attach-a",)"
          R"("transit_gateway_route_table_id":"tgw-rtb-own","replace_existing_association":false})") + "," +
      res("aws_customer_gateway", "office",
          R"({"id":"cgw-1","bgp_asn":"65010","ip_address":"203.0.113.10","type":"ipsec.1"})") + "," +
      res("aws_vpn_connection", "office",
          R"({"id":"vpn-1","customer_gateway_id":"cgw-1","transit_gateway_id":"tgw-1","type":"ipsec.1",)"
          R"("static_routes_only":true,"transit_gateway_attachment_id":"tgw-attach-vpn","vpn_gateway_id":""})") + "," +
      res("aws_ec2_transit_gateway_route", "office",
          R"({"id":"y","transit_gateway_route_table_id":"tgw-rtb-d","destination_cidr_block":"192.168.0.0/16",)"
          R"("transit_gateway_attachment_id":"tgw-attach-vpn","blackhole":false})") + "," +
      res("aws_ec2_transit_gateway_route", "drop",
          R"({"id":"z","transit_gateway_route_table_id":"tgw-rtb-own","destination_cidr_block":"172.16.0.0/12",)"
          R"("transit_gateway_attachment_id":"","blackhole":true})");
  auto r = terraform::load_text(R"({"format_version":"1.0","values":{"root_module":{"resources":[)" + resources + "]}}}",
                                "state.json");
  std::string diags;
  for (const auto& d : r.diags.items()) diags += d.str() + "\n";
  ASSERT_TRUE(r.network) << diags;
  EXPECT_EQ(diags.find("error"), std::string::npos) << diags;
  EXPECT_EQ(diags.find("TGW_ATTACH_ALREADY_ASSOCIATED"), std::string::npos) << diags;
  const auto& net = *r.network;
  const auto* a = net.transit_gateway_attachment("tgw-attach-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->route_table, "tgw-rtb-own");
  const auto* d = net.transit_gateway_route_table("tgw-rtb-d");
  ASSERT_TRUE(d);  // AWS's default table, which the state only names
  EXPECT_TRUE(d->implicit);
  // a still propagates into the default table; the VPN (static routes only) does not.
  std::set<std::string> dests;
  for (const auto& rt : d->routes)
    dests.insert((rt.destination ? rt.destination->str() : "?") + " " + rt.attachment + (rt.propagated ? " p" : " s"));
  EXPECT_EQ(dests, (std::set<std::string>{"10.0.0.0/16 tgw-attach-a p", "192.168.0.0/16 tgw-attach-vpn s"}));
  const auto* vpn = net.transit_gateway_attachment("tgw-attach-vpn");
  ASSERT_TRUE(vpn);
  EXPECT_EQ(vpn->resource_type, "vpn");
  EXPECT_EQ(vpn->route_table, "tgw-rtb-d");  // the default association
  const auto* own = net.transit_gateway_route_table("tgw-rtb-own");
  ASSERT_TRUE(own);
  ASSERT_EQ(own->routes.size(), 1u);
  EXPECT_TRUE(own->routes[0].blackhole);
}

// A state with a VGW (attached by vpc_id), a static VPN to it with a route,
// propagation inline (propagating_vgws) and by resource, and a TGW peering
// accepted by its accepter resource in the same state.
TEST(TerraformTgw, StateWithAVgwAndAnAcceptedPeering) {
  auto res = [](const std::string& type, const std::string& name, const std::string& values) {
    return R"({"address":")" + type + "." + name + R"(","mode":"managed","type":")" + type + R"(","name":")" + name +
           R"(","values":)" + values + "}";
  };
  auto state = [&](bool accepter, bool second_attachment) {
    std::string r =
        res("aws_vpc", "a", R"({"id":"vpc-a","cidr_block":"10.0.0.0/16","main_route_table_id":"rtb-main"})") + "," +
        res("aws_vpc", "b", R"({"id":"vpc-b","cidr_block":"10.9.0.0/16","main_route_table_id":"rtb-mainb"})") + "," +
        res("aws_route_table", "inline", R"({"id":"rtb-1","vpc_id":"vpc-a","route":[],"propagating_vgws":["vgw-1"]})") +
        "," + res("aws_route_table", "separate", R"({"id":"rtb-2","vpc_id":"vpc-a","route":[],"propagating_vgws":[]})") +
        "," + res("aws_vpn_gateway", "vgw", R"({"id":"vgw-1","vpc_id":"vpc-a","amazon_side_asn":"64512"})") + "," +
        res("aws_vpn_gateway_route_propagation", "separate", R"({"vpn_gateway_id":"vgw-1","route_table_id":"rtb-2"})") +
        "," +
        res("aws_customer_gateway", "office",
            R"({"id":"cgw-1","bgp_asn":"65000","ip_address":"203.0.113.20","type":"ipsec.1"})") + "," +
        res("aws_vpn_connection", "office",
            R"({"id":"vpn-1","customer_gateway_id":"cgw-1","vpn_gateway_id":"vgw-1","transit_gateway_id":"",)"
            R"("type":"ipsec.1","static_routes_only":true})") + "," +
        res("aws_vpn_connection_route", "office",
            R"({"vpn_connection_id":"vpn-1","destination_cidr_block":"192.168.0.0/16"})") + "," +
        res("aws_ec2_transit_gateway", "one", R"({"id":"tgw-1"})") + "," +
        res("aws_ec2_transit_gateway", "two", R"({"id":"tgw-2"})") + "," +
        res("aws_ec2_transit_gateway_peering_attachment", "p",
            R"({"id":"tgw-attach-p","transit_gateway_id":"tgw-1","peer_transit_gateway_id":"tgw-2",)"
            R"("peer_region":"ap-northeast-1"})");
    if (accepter)
      r += "," + res("aws_ec2_transit_gateway_peering_attachment_accepter", "p",
                     R"({"id":"tgw-attach-p","transit_gateway_attachment_id":"tgw-attach-p"})");
    if (second_attachment)
      r += "," + res("aws_vpn_gateway_attachment", "again", R"({"vpn_gateway_id":"vgw-1","vpc_id":"vpc-b"})");
    return terraform::load_text(R"({"format_version":"1.0","values":{"root_module":{"resources":[)" + r + "]}}}",
                                "state.json");
  };
  auto text = [](const tmpl::LoadResult& l) {
    std::string s;
    for (const auto& d : l.diags.items()) s += d.str() + "\n";
    return s;
  };
  auto ok = state(true, false);
  ASSERT_TRUE(ok.network) << text(ok);
  const auto& net = *ok.network;
  ASSERT_EQ(net.vpn_gateways.size(), 1u);
  EXPECT_EQ(net.vpn_gateways[0].vpc, "vpc-a");
  // Both tables get the VPN's static route by propagation.
  for (const char* id : {"rtb-1", "rtb-2"}) {
    const auto* t = net.route_table(id);
    ASSERT_TRUE(t) << id;
    bool propagated = false;
    for (const auto& r : t->routes)
      propagated = propagated || (r.propagated && r.destination && r.destination->str() == "192.168.0.0/16" &&
                                  r.target_id == "vgw-1");
    EXPECT_TRUE(propagated) << id;
  }
  const auto* p = net.transit_gateway_attachment("tgw-attach-p");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->state, "available");
  // Without the accepter the peering waits for its owner.
  auto pending = state(false, false);
  ASSERT_TRUE(pending.network) << text(pending);
  EXPECT_EQ(pending.network->transit_gateway_attachment("tgw-attach-p")->state, "pendingAcceptance");
  EXPECT_NE(text(pending).find("warning TGW_PEERING_PENDING_ACCEPTANCE"), std::string::npos) << text(pending);
  // A VGW attached by vpc_id and again by an attachment resource: AttachVpnGateway refuses it.
  auto twice = state(true, true);
  EXPECT_FALSE(twice.network);
  EXPECT_NE(text(twice).find("error VGW_ATTACHED: aws_vpn_gateway_attachment.again: virtual private gateway "
                             "aws_vpn_gateway.vgw is already attached to vpc-a"),
            std::string::npos)
      << text(twice);
}

// subnet_ids from a local the plan cannot follow: the VPC's only subnet per
// AZ is taken and said so; with several in one AZ the attachment is left out.
TEST(TerraformTgw, UnknownSubnetsAreAssumedOnlyWhenOnePerAz) {
  auto plan = [](bool second_subnet) {
    std::string res =
        R"({"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","values":{"cidr_block":"10.0.0.0/16"}},)"
        R"({"address":"aws_subnet.a","mode":"managed","type":"aws_subnet","name":"a",)"
        R"("values":{"cidr_block":"10.0.1.0/24","availability_zone":"ap-northeast-1a"}},)";
    if (second_subnet)
      res += R"({"address":"aws_subnet.b","mode":"managed","type":"aws_subnet","name":"b",)"
             R"("values":{"cidr_block":"10.0.2.0/24","availability_zone":"ap-northeast-1a"}},)";
    res += R"({"address":"aws_ec2_transit_gateway.hub","mode":"managed","type":"aws_ec2_transit_gateway","name":"hub",)"
           R"("values":{"default_route_table_association":"enable"}},)"
           R"({"address":"aws_ec2_transit_gateway_vpc_attachment.a","mode":"managed",)"
           R"("type":"aws_ec2_transit_gateway_vpc_attachment","name":"a","values":{}})";
    std::string changes =
        R"({"address":"aws_ec2_transit_gateway_vpc_attachment.a","change":{"after_unknown":)"
        R"({"subnet_ids":true,"transit_gateway_id":true,"vpc_id":true}}})";
    std::string config =
        R"({"address":"aws_subnet.a","mode":"managed","type":"aws_subnet","name":"a",)"
        R"("expressions":{"vpc_id":{"references":["aws_vpc.a.id","aws_vpc.a"]}}},)"
        R"({"address":"aws_subnet.b","mode":"managed","type":"aws_subnet","name":"b",)"
        R"("expressions":{"vpc_id":{"references":["aws_vpc.a.id","aws_vpc.a"]}}},)"
        R"({"address":"aws_ec2_transit_gateway_vpc_attachment.a","mode":"managed",)"
        R"("type":"aws_ec2_transit_gateway_vpc_attachment","name":"a","expressions":{)"
        R"("transit_gateway_id":{"references":["aws_ec2_transit_gateway.hub.id","aws_ec2_transit_gateway.hub"]},)"
        R"("vpc_id":{"references":["aws_vpc.a.id","aws_vpc.a"]},"subnet_ids":{"references":["local.subnets"]}}})";
    return R"({"format_version":"1.2","planned_values":{"root_module":{"resources":[)" + res +
           R"(]}},"resource_changes":[)" + changes + R"(],"configuration":{"root_module":{"resources":[)" + config +
           "]}}}";
  };
  auto one = terraform::load_text(plan(false), "plan.json");
  ASSERT_TRUE(one.network);
  ASSERT_EQ(one.network->transit_gateway_attachments.size(), 1u);
  EXPECT_EQ(one.network->transit_gateway_attachments[0].subnets.size(), 1u);
  bool assumed = false;
  for (const auto& d : one.diags.items())
    assumed = assumed || (d.code == "TF_ASSUMED" && d.message.find("aws_ec2_transit_gateway_vpc_attachment.a: "
                                                                   "subnet_ids is not known from the plan; assumed "
                                                                   "aws_subnet.a") != std::string::npos);
  EXPECT_TRUE(assumed);
  auto two = terraform::load_text(plan(true), "plan.json");
  ASSERT_TRUE(two.network);
  EXPECT_TRUE(two.network->transit_gateway_attachments.empty());
  bool left_out = false;
  for (const auto& d : two.diags.items())
    left_out = left_out || (d.code == "TF_UNKNOWN" && d.message.find("attachment left out") != std::string::npos);
  EXPECT_TRUE(left_out);
}

// The provider's values are checked as the template's are.
TEST(TerraformTgw, BadValuesNameTheAddress) {
  auto path = edited(
      [](nlohmann::json& doc) {
        planned(doc, "aws_ec2_transit_gateway.hub")["values"]["amazon_side_asn"] = 100;
        planned(doc, "aws_ec2_transit_gateway.hub")["values"]["default_route_table_propagation"] = "on";
      },
      "vpclab-tf-tgw-values.json");
  auto chk = vpclab("check " + path);
  EXPECT_EQ(chk.exit_code, 1) << chk.out;
  EXPECT_NE(chk.out.find("aws_ec2_transit_gateway.hub: amazon_side_asn 100 is outside 64512-65534"), std::string::npos)
      << chk.out;
  EXPECT_NE(chk.out.find("aws_ec2_transit_gateway.hub: default_route_table_propagation must be \"enable\" or "
                         "\"disable\", not 'on'"),
            std::string::npos)
      << chk.out;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vpclab
