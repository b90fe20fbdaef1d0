// VPC endpoints from Terraform: the scenario's plan with an S3 gateway
// endpoint added on bar's private route table (aws_vpc_endpoint plus an
// aws_vpc_endpoint_route_table_association, as Terraform plans show them).
// The model holds the endpoint where the plan puts it, and bar-app reaches S3
// through it; a bad endpoint type is an error naming the Terraform address.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "analysis/analyzer.h"
#include "template/load.h"
#include "terraform/load.h"

namespace vpclab {
namespace {

using nlohmann::json;

json refs(const std::string& address) { return {{"references", {address + ".id", address}}}; }

// The scenario plan plus `extra` resources: {address, type, values, expressions}.
std::string plan_with(const std::vector<std::tuple<std::string, std::string, json, json>>& extra, const std::string& name) {
  std::ifstream in(std::string(VPCLAB_SOURCE_DIR) + "/examples/terraform/scenario/plan.json");
  json p = json::parse(in);
  for (const auto& [address, type, values, expressions] : extra) {
    std::string rname = address.substr(address.find('.') + 1);
    p["planned_values"]["root_module"]["resources"].push_back(
        {{"address", address}, {"mode", "managed"}, {"type", type}, {"name", rname},
         {"provider_name", "registry.terraform.io/hashicorp/aws"}, {"schema_version", 0}, {"values", values},
         {"sensitive_values", json::object()}});
    p["resource_changes"].push_back({{"address", address}, {"mode", "managed"}, {"type", type}, {"name", rname},
                                     {"provider_name", "registry.terraform.io/hashicorp/aws"},
                                     {"change", {{"actions", {"create"}}, {"before", nullptr}, {"after", values},
                                                 {"after_unknown", {{"id", true}}}}}});
    p["configuration"]["root_module"]["resources"].push_back({{"address", address}, {"mode", "managed"}, {"type", type},
                                                              {"name", rname}, {"provider_config_key", "aws"},
                                                              {"expressions", expressions}, {"schema_version", 0}});
  }
  std::string path = ::testing::TempDir() + "vpclab-tf-vpce-" + name + "-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << p.dump(1);
  return path;
}

const json kEndpointValues = {{"service_name", "com.amazonaws.ap-northeast-1.s3"}, {"vpc_endpoint_type", "Gateway"}};
const json kEndpointExpressions = {{"vpc_id", refs("aws_vpc.bar")},
                                   {"service_name", {{"constant_value", "com.amazonaws.ap-northeast-1.s3"}}},
                                   {"vpc_endpoint_type", {{"constant_value", "Gateway"}}}};

std::string diags_text(const tmpl::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diags.items()) out += d.str() + "\n";
  return out;
}

const model::RouteTable* table_named(const model::Network& net, const std::string& address) {
  for (const auto& t : net.route_tables)
    if (t.origin.logical_id == address) return &t;
  return nullptr;
}

TEST(TerraformVpcEndpoint, GatewayEndpointOnBarsPrivateTableCarriesS3) {
  auto path = plan_with({{"aws_vpc_endpoint.s3", "aws_vpc_endpoint", kEndpointValues, kEndpointExpressions},
                         {"aws_vpc_endpoint_route_table_association.bar_private", "aws_vpc_endpoint_route_table_association",
                          json::object(),
                          {{"vpc_endpoint_id", refs("aws_vpc_endpoint.s3")},
                           {"route_table_id", refs("aws_route_table.bar_private")}}}},
                        "ok");
  auto r = tmpl::load_network({path}, &terraform::front_end());
  ASSERT_TRUE(r.network) << diags_text(r);
  EXPECT_FALSE(r.diags.has_errors()) << diags_text(r);
  const auto& net = *r.network;
  ASSERT_EQ(net.vpc_endpoints.size(), 1u);
  const auto& ep = net.vpc_endpoints[0];
  EXPECT_EQ(ep.origin.logical_id, "aws_vpc_endpoint.s3");
  EXPECT_TRUE(ep.is_gateway());
  const auto* bar_private = table_named(net, "aws_route_table.bar_private");
  ASSERT_NE(bar_private, nullptr);
  EXPECT_EQ(ep.vpc, bar_private->vpc);
  EXPECT_EQ(ep.route_tables, std::vector<std::string>{bar_private->id});
  // AWS's route to the service's prefix list is in that table.
  bool route = false;
  for (const auto& rt : bar_private->routes) route |= rt.target_id == ep.id && rt.destination_prefix_list == ep.prefix_list;
  EXPECT_TRUE(route) << ep.prefix_list;
  auto t = analysis::Analyzer(net).trace("aws_instance.bar_app", "https://s3.ap-northeast-1.amazonaws.com/", {});
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_TRUE(t.reachable);
  bool through = false;
  for (const auto& p : t.paths)
    for (const auto& h : p.hops) through |= h.component == "vpc-endpoint" && h.id == ep.id;
  EXPECT_TRUE(through);
}

TEST(TerraformVpcEndpoint, BadTypeAndPropertiesAreErrorsNamingTheAddress) {
  json bad_type = kEndpointExpressions;
  bad_type["vpc_endpoint_type"] = {{"constant_value", "Bogus"}};
  json values = kEndpointValues;
  values["vpc_endpoint_type"] = "Bogus";
  auto r = tmpl::load_network({plan_with({{"aws_vpc_endpoint.s3", "aws_vpc_endpoint", values, bad_type}}, "bad-type")},
                              &terraform::front_end());
  std::string text = diags_text(r);
  EXPECT_TRUE(r.diags.has_errors()) << text;
  EXPECT_NE(text.find("aws_vpc_endpoint.s3"), std::string::npos) << text;
  EXPECT_NE(text.find("vpc_endpoint_type must be Gateway, Interface or GatewayLoadBalancer, not 'Bogus'"),
            std::string::npos)
      << text;
  // Route tables on an Interface endpoint: refused as AWS refuses them.
  json iface = kEndpointExpressions;
  iface["vpc_endpoint_type"] = {{"constant_value", "Interface"}};
  iface["route_table_ids"] = {{"references", {"aws_route_table.bar_private.id", "aws_route_table.bar_private"}}};
  iface["subnet_ids"] = {{"references", {"aws_subnet.bar_private.id", "aws_subnet.bar_private"}}};
  json ivalues = {{"service_name", "com.amazonaws.ap-northeast-1.sqs"}, {"vpc_endpoint_type", "Interface"}};
  iface["service_name"] = {{"constant_value", "com.amazonaws.ap-northeast-1.sqs"}};
  auto ri = tmpl::load_network({plan_with({{"aws_vpc_endpoint.sqs", "aws_vpc_endpoint", ivalues, iface}}, "iface")},
                               &terraform::front_end());
  std::string itext = diags_text(ri);
  EXPECT_NE(itext.find("VPCE_PROPERTY_TYPE"), std::string::npos) << itext;
  EXPECT_NE(itext.find("route_table_ids are for Gateway endpoints"), std::string::npos) << itext;
}

}  // namespace
}  // namespace vpclab
