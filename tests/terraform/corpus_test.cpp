// Every plan and state of the shared Terraform corpus (public tools' test
// fixtures, Terraform 0.12 to 1.10) loads with no error, and specific files
// give specific facts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "semantics/subnet_kind.h"
#include "terraform/load.h"

namespace vpclab {
namespace {

namespace fs = std::filesystem;
const std::string kCorpus = std::string(VPCLAB_SHARED_DIR) + "/corpus/terraform/plans";

std::string errors(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items())
    if (x.severity == Severity::kError) s += x.str() + "\n";
  return s;
}

TEST(TerraformCorpus, EveryFileLoadsWithoutError) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus << " (../shared beside the checkout)";
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kCorpus))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 41u);
  terraform::Counts total;
  size_t notes = 0;
  for (const auto& f : files) {
    terraform::Counts c;
    auto r = terraform::load_file(f.string(), &c);
    EXPECT_TRUE(r.network) << f << "\n" << errors(r.diags);
    EXPECT_FALSE(r.diags.has_errors()) << f << "\n" << errors(r.diags);
    EXPECT_GT(c.resources, 0u) << f;
    size_t n = r.diags.count(Severity::kNote);
    notes += n;
    std::cout << fs::relative(f, kCorpus).string() << ": " << c.resources << " resources, " << c.modeled
              << " read, " << c.unmodeled << " unmodeled, " << n << " notes, " << c.unknowns_filled
              << " unknowns filled, " << c.assumed << " assumed, " << c.unknowns_left << " unknown\n";
    total.resources += c.resources;
    total.modeled += c.modeled;
    total.unknowns_filled += c.unknowns_filled;
    total.assumed += c.assumed;
    total.unknowns_left += c.unknowns_left;
  }
  std::cout << "total: " << files.size() << " files, " << total.resources << " resources, " << total.modeled
            << " read, " << notes << " notes, " << total.unknowns_filled << " unknowns filled from configuration, "
            << total.assumed << " assumed, " << total.unknowns_left << " unknown\n";
  EXPECT_GT(total.modeled, 100u);
  EXPECT_GT(total.unknowns_filled, 50u);
}

// terraform-aws-modules/vpc (Terraform 0.12.8): three AZs, one NAT gateway
// each, a public route table to the IGW, one private table per AZ to its NAT.
TEST(TerraformCorpus, TerraformAwsModulesVpcPlan) {
  std::string path = kCorpus + "/terraform-compliance/vpc-module-terraform-aws-modules-nat-routes.json";
  if (!fs::exists(path)) GTEST_SKIP() << "no corpus at " << kCorpus;
  auto r = terraform::load_file(path);
  ASSERT_TRUE(r.network) << errors(r.diags);
  const auto& net = *r.network;
  ASSERT_EQ(net.vpcs.size(), 1u);
  EXPECT_EQ(net.vpcs[0].cidrs.at(0).str(), "10.0.0.0/16");
  ASSERT_EQ(net.nat_gateways.size(), 3u);
  std::map<std::string, const model::Subnet*> by_address;
  for (const auto& s : net.subnets) by_address[s.origin.logical_id] = &s;
  ASSERT_EQ(by_address.size(), 6u);
  for (const auto& g : net.nat_gateways) {
    EXPECT_TRUE(g.public_ip.has_value()) << g.origin.logical_id << ": its Elastic IP";
    const model::Subnet* s = net.subnet(g.subnet);
    ASSERT_TRUE(s) << g.origin.logical_id;
    EXPECT_EQ(s->origin.logical_id.rfind("module.vpc.aws_subnet.public[", 0), 0u) << g.origin.logical_id;
  }
  // 4 declared tables plus the VPC's main one.
  EXPECT_EQ(net.route_tables.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    auto pub = by_address.at("module.vpc.aws_subnet.public[" + std::to_string(i) + "]");
    auto priv = by_address.at("module.vpc.aws_subnet.private[" + std::to_string(i) + "]");
    EXPECT_TRUE(semantics::routes_to_internet_gateway(net.route_table(pub->route_table)->routes)) << i;
    const auto* t = net.route_table(priv->route_table);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->origin.logical_id, "module.vpc.aws_route_table.private[" + std::to_string(i) + "]");
    EXPECT_FALSE(semantics::routes_to_internet_gateway(t->routes)) << i;
    bool via_nat = false;
    for (const auto& route : t->routes)
      if (route.target_kind == RouteTargetKind::kNatGateway) {
        const auto* g = net.nat_gateway(route.target_id);
        ASSERT_TRUE(g);
        via_nat = g->origin.logical_id == "module.vpc.aws_nat_gateway.this[" + std::to_string(i) + "]";
      }
    EXPECT_TRUE(via_nat) << "private[" << i << "] goes out through the NAT gateway of its AZ";
  }
}

// policy-engine's default-SG fixture adopts the default group with one
// SSH rule and no egress (Terraform 1.2): the group holds that rule alone,
// not AWS's all-from-itself and all-out.
TEST(TerraformCorpus, AdoptedDefaultSecurityGroupIsEmptied) {
  std::string path = kCorpus + "/policy-engine/vpc-default-sg-tf1.2.json";
  if (!fs::exists(path)) GTEST_SKIP() << "no corpus at " << kCorpus;
  auto r = terraform::load_file(path);
  ASSERT_TRUE(r.network) << errors(r.diags);
  ASSERT_EQ(r.network->vpcs.size(), 1u);
  const auto* g = r.network->security_group(r.network->vpcs[0].default_security_group);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->origin.logical_id, "aws_default_security_group.default_sg_allowed_ssh");
  ASSERT_EQ(g->ingress.size(), 1u);
  EXPECT_EQ(g->ingress[0].cidr->str(), "90.90.90.0/24");
  EXPECT_EQ(g->ingress[0].ports, PortRange::single(22));
  EXPECT_TRUE(g->egress.empty());
}

}  // namespace
}  // namespace vpclab
