// The analyzer on the example templates, loaded as the CLI loads them.
#include <gtest/gtest.h>

#include "analysis/analyzer.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;

namespace {

std::string path(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/" + rel; }

std::shared_ptr<const model::Network> load(const std::vector<std::string>& rels) {
  std::vector<std::string> paths;
  for (const auto& r : rels) paths.push_back(path(r));
  auto res = tmpl::load_network(paths);
  std::string errs;
  for (const auto& d : res.diags.items())
    if (d.severity == Severity::kError) errs += d.str() + "\n";
  EXPECT_TRUE(res.network) << errs;
  EXPECT_FALSE(res.diags.has_errors()) << errs;
  return res.network;
}

bool has_code(const TraceResult& r, const std::string& code) {
  for (const auto& e : r.dns_explanations)
    if (e.code == code) return true;
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations)
      if (e.code == code) return true;
  return false;
}

void expect_canonical(const model::Network& net, const std::string& client) {
  Analyzer a(net);
  for (std::string dst : {std::string("http://alb.home/"), std::string("foo-internal-alb")}) {
    auto r = a.trace(client, dst);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.reachable) << dst;
    EXPECT_EQ(r.addresses.size(), 2u) << dst;  // both ALB nodes
    for (const auto& p : r.paths) {
      ASSERT_TRUE(p.response) << p.address;
      EXPECT_EQ(p.response->kind, "target");
      ASSERT_EQ(p.response->targets.size(), 2u);
      for (const auto& t : p.response->targets) {
        EXPECT_TRUE(t.reachable) << t.id << " from node " << p.address;
        EXPECT_EQ(t.port, 8080);
      }
    }
  }
  // The ALB's DNS name, as the memo's curl used it.
  const model::LoadBalancer* lb = nullptr;
  for (const auto& l : net.load_balancers) lb = &l;
  ASSERT_NE(lb, nullptr);
  EXPECT_EQ(lb->dns_name.rfind("internal-foo-internal-alb-", 0), 0u);
  auto byname = a.trace(client, "http://" + lb->dns_name + "/");
  EXPECT_TRUE(byname.reachable);
  EXPECT_EQ(byname.addresses.size(), 2u);
}

}  // namespace

TEST(TemplateTrace, SameAccountScenario) {
  auto net = load({"examples/scenario/same-account.yaml"});
  if (!net) return;
  expect_canonical(*net, "BarApp");
  Analyzer a(*net);
  // Bastion: SSH from the internet; on to the web servers; the internet not to them.
  EXPECT_TRUE(a.trace("internet", "FooBastion:22").reachable);
  EXPECT_TRUE(a.trace("FooBastion", "FooWeb1:22").reachable);
  EXPECT_FALSE(a.trace("internet", "FooWeb1:22").reachable);
  // NAT egress from the private web servers.
  EXPECT_TRUE(a.trace("FooWeb1", "203.0.113.10:443").reachable);
  // The ALB security group admits bar only: foo's bastion is refused at port 80.
  auto r = a.trace("FooBastion", "http://foo-internal-alb/");
  EXPECT_FALSE(r.reachable);
}

TEST(TemplateTrace, CrossAccountLab) {
  auto net = load({"examples/scenario/cross-account/vpclab.yaml"});
  if (!net) return;
  std::string client;
  for (const auto& i : net->instances)
    if (i.origin.logical_id == "BarApp") client = i.origin.stack + ".BarApp";
  ASSERT_FALSE(client.empty());
  expect_canonical(*net, client);
}

TEST(TemplateTrace, BrokenExamplesAreExplained) {
  struct Case {
    const char* file;
    const char* from;
    const char* to;
    const char* code;
  } cases[] = {
      {"examples/broken/alb-sg-missing-listener-port.yaml", "BarApp", "http://alb.home/", "ENI_SG_RULES_MISMATCH"},
      {"examples/broken/target-sg-missing-port.yaml", "BarApp", "http://alb.home/", "TARGET_PORT_RESTRICTION"},
      {"examples/broken/peering-route-one-side.yaml", "BarApp", "http://alb.home/", "RETURN_ROUTE_MISMATCH"},
      {"examples/broken/phz-vpc-dns-disabled.yaml", "BarApp", "http://alb.home/", "DNS_HOSTNAMES_DISABLED"},
  };
  for (const auto& c : cases) {
    auto res = tmpl::load_network({path(c.file)});
    if (!res.network || res.diags.has_errors()) continue;  // an example that check rejects is not traced
    Analyzer a(*res.network);
    auto r = a.trace(c.from, c.to);
    if (!r.ok) continue;  // the example may name its instances differently
    EXPECT_FALSE(r.reachable) << c.file;
    EXPECT_TRUE(has_code(r, c.code)) << c.file;
  }
}
