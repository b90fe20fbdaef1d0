// `vpclab up` on the canonical scenario as a Terraform plan runs the memo's
// checks: bar's instance reaches the internal ALB by the private zone name,
// both web servers (their user_data from the plan's configuration) answer,
// and the ALB nodes health-check them.
#include <gtest/gtest.h>

#include <string>

#include "../support/scoped_lab.h"
#include "emulator/lab.h"

namespace {

using vpclab::testing::ScopedLab;

const std::string kPlan = std::string(VPCLAB_SOURCE_DIR) + "/examples/terraform/scenario/plan.json";

TEST(TerraformLab, ScenarioPlanRunsTheMemosChecks) {
  std::string why = vpclab::emulator::namespace_support_problem();
  if (!why.empty()) GTEST_SKIP() << "namespaces unavailable: " << why;
  ScopedLab lab("tf", kPlan);
  auto up = lab.up();
  ASSERT_EQ(up.exit_code, 0) << up.out;
  EXPECT_NE(up.out.find("i-"), std::string::npos) << up.out;
  std::string pages;
  for (int i = 0; i < 4; ++i) pages += lab.exec("aws_instance.bar_app", "curl -s -m 10 http://alb.home/").out;
  EXPECT_NE(pages.find("Welcom to web1"), std::string::npos) << pages;
  EXPECT_NE(pages.find("Welcom to web2"), std::string::npos) << pages;
  auto health = lab.run("health foo-web", false);
  EXPECT_NE(health.out.find("healthy"), std::string::npos) << health.out;
  // bar's public route table has no route to foo: its bastion (named by its Name tag, as for
  // templates) does not reach the ALB.
  auto blocked = lab.exec("bar-bastion", "curl -s -m 5 -o /dev/null -w %{http_code} http://alb.home/");
  EXPECT_EQ(blocked.out.find("200"), std::string::npos) << blocked.out;
}

}  // namespace
