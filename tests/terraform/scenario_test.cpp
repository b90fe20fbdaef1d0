// The canonical scenario as a Terraform plan (examples/terraform/scenario)
// gives the verdicts the CloudFormation template gives, and Terraform
// addresses name resources wherever a logical id does.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "../support/process.h"

namespace vpclab {
namespace {

using testing::vpclab;

const char* kPlan = "examples/terraform/scenario/plan.json";
const char* kTemplate = "examples/scenario/same-account.yaml";

// CloudFormation logical id -> Terraform address of the same resource.
const std::map<std::string, std::string> kSame = {
    {"same-account.FooBastion", "aws_instance.foo_bastion"}, {"same-account.FooWeb1", "aws_instance.foo_web1"},
    {"same-account.FooWeb2", "aws_instance.foo_web2"},       {"same-account.BarBastion", "aws_instance.bar_bastion"},
    {"same-account.BarApp", "aws_instance.bar_app"},         {"same-account.FooInternalAlb", "aws_lb.foo_internal"},
};

std::set<std::string> cells(const std::string& path, bool map_names) {
  auto r = vpclab("matrix --json " + path, false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::set<std::string> out;
  const auto j = nlohmann::json::parse(r.out);  // kept: a range-for over a temporary's member dangles
  for (const auto& c : j["cells"]) {
    std::string from = c["from"], to = c["to"];
    if (map_names) {
      from = kSame.at(from);
      to = kSame.at(to);
    }
    out.insert(from + " -> " + to + " tcp " + c["tcp"].get<std::string>() + " udp " + c["udp"].get<std::string>() +
               " icmp " + (c["icmp"].get<bool>() ? "yes" : "no"));
  }
  return out;
}

TEST(TerraformScenario, PlanLoadsClean) {
  auto r = vpclab(std::string("check ") + kPlan);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("0 errors, 0 warnings"), std::string::npos) << r.out;
}

TEST(TerraformScenario, MatrixIsTheTemplatesMatrix) {
  auto tf = cells(kPlan, false);
  auto cfn = cells(kTemplate, true);
  EXPECT_EQ(tf.size(), 10u);
  EXPECT_EQ(tf, cfn);
}

std::string verdict(const std::string& path, const std::string& args) {
  auto r = vpclab("trace " + path + " " + args);
  auto at = r.out.find("verdict: ");
  return at == std::string::npos ? "(none) " + r.out : r.out.substr(at, r.out.find('\n', at) - at);
}

TEST(TerraformScenario, TraceVerdictsAreTheTemplates) {
  struct Case {
    std::string cfn, tf;
  };
  const Case cases[] = {
      {"--from BarApp --to http://alb.home/", "--from aws_instance.bar_app --to http://alb.home/"},
      {"--from BarApp --to FooWeb1 --port 8080", "--from aws_instance.bar_app --to aws_instance.foo_web1 --port 8080"},
      {"--from FooWeb1 --to internet --port 443", "--from aws_instance.foo_web1 --to internet --port 443"},
      {"--from internet --to FooBastion --port 22", "--from internet --to aws_instance.foo_bastion --port 22"},
      {"--from internet --to FooWeb2 --port 22", "--from internet --to aws_instance.foo_web2 --port 22"},
      {"--from BarBastion --to FooInternalAlb", "--from aws_instance.bar_bastion --to aws_lb.foo_internal"},
      // The Name tag works as it does for templates.
      {"--from bar-app --to foo-web2 --port 22", "--from bar-app --to foo-web2 --port 22"},
  };
  for (const auto& c : cases) {
    std::string want = verdict(kTemplate, c.cfn);
    EXPECT_EQ(verdict(kPlan, c.tf), want) << c.tf;
    EXPECT_EQ(want.rfind("verdict: ", 0), 0u) << c.cfn << ": " << want;
  }
  EXPECT_EQ(verdict(kPlan, "--from aws_instance.bar_app --to http://alb.home/"), "verdict: reachable (2/2 addresses)");
}

// A module address with its index names the subnet (terraform-aws-modules/vpc).
TEST(TerraformScenario, ModuleAddressesNameResources) {
  std::string plan = std::string(VPCLAB_SHARED_DIR) +
                     "/corpus/terraform/plans/terraform-compliance/vpc-module-terraform-aws-modules-nat-routes.json";
  if (!std::filesystem::exists(plan)) GTEST_SKIP() << "no corpus";
  auto r = vpclab("trace " + plan + " --from 'module.vpc.aws_subnet.private[1]' --to internet --port 443");
  EXPECT_NE(r.out.find("module.vpc.aws_nat_gateway.this[1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict: reachable"), std::string::npos) << r.out;
}

// A lab manifest stack may be a Terraform plan; its resources read stack.address.
TEST(TerraformScenario, ManifestTakesTerraformStacks) {
  auto dir = std::filesystem::temp_directory_path() / "vpclab-tf-manifest";
  std::filesystem::create_directories(dir);
  {
    std::ofstream m(dir / "vpclab.yaml");
    m << "name: tf\nstacks:\n  - name: net\n    terraform: " << std::filesystem::absolute(kPlan).string()
      << "\n    account: \"111122223333\"\n    region: us-west-2\n";
  }
  std::string lab = (dir / "vpclab.yaml").string();
  auto check = vpclab("check " + lab);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(verdict(lab, "--from net.aws_instance.bar_app --to http://alb.home/"), "verdict: reachable (2/2 addresses)");
  auto bad = vpclab("check " + std::string(kTemplate) + " " + lab);  // both: one network
  EXPECT_EQ(bad.exit_code, 0) << bad.out;
  {
    std::ofstream m(dir / "vpclab.yaml");
    m << "stacks:\n  - name: net\n    terraform: " << std::filesystem::absolute(kTemplate).string() << "\n";
  }
  auto wrong = vpclab("check " + lab);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.out.find("is not a Terraform plan or state JSON"), std::string::npos) << wrong.out;
  std::filesystem::remove_all(dir);
}

// Lint advice on a plan names the provider's arguments, not CloudFormation's properties.
TEST(TerraformScenario, LintAdviceSpeaksTerraform) {
  std::ifstream in(kPlan);
  auto plan = nlohmann::json::parse(in);
  for (auto& r : plan["planned_values"]["root_module"]["resources"])
    if (r["address"] == "aws_vpc.bar") r["values"]["enable_dns_support"] = false;
  auto path = std::filesystem::temp_directory_path() / "vpclab-tf-lint-plan.json";
  std::ofstream(path) << plan.dump(1);
  auto r = vpclab("check " + path.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning PHZ_VPC_DNS_DISABLED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fix: set enable_dns_support = true and enable_dns_hostnames = true on aws_vpc.bar"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("EnableDnsSupport"), std::string::npos) << r.out;
  std::filesystem::remove(path);
}

// `vpclab fix` on a plan prints the HCL to add to the blocking resource's address.
TEST(TerraformScenario, FixPrintsHclForTheBlockingAddress) {
  std::ifstream in(kPlan);
  auto plan = nlohmann::json::parse(in);
  for (auto& r : plan["planned_values"]["root_module"]["resources"])
    if (r["address"] == "aws_security_group.foo_alb") r["values"]["ingress"] = nlohmann::json::array();
  auto path = std::filesystem::temp_directory_path() / "vpclab-tf-fix-plan.json";
  std::ofstream(path) << plan.dump();
  auto trace = verdict(path.string(), "--from aws_instance.bar_app --to aws_lb.foo_internal");
  EXPECT_EQ(trace.rfind("verdict: not reachable", 0), 0u) << trace;
  auto fix = vpclab("fix " + path.string() + " --from aws_instance.bar_app --to aws_lb.foo_internal --port 80", false);
  EXPECT_EQ(fix.exit_code, 0) << fix.out;
  EXPECT_NE(fix.out.find("# for aws_security_group.foo_alb"), std::string::npos) << fix.out;
  EXPECT_NE(fix.out.find("resource \"aws_vpc_security_group_ingress_rule\""), std::string::npos) << fix.out;
  EXPECT_NE(fix.out.find("security_group_id = aws_security_group.foo_alb.id"), std::string::npos) << fix.out;
  EXPECT_NE(fix.out.find("from_port         = 80"), std::string::npos) << fix.out;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vpclab
