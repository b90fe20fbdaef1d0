// The pictures as a user sees them: the canonical scenario's diagram holds
// every VPC, subnet, instance and load balancer of the loaded model in the
// right frame; a trace marks its path and a broken copy's blocker; Graphviz's
// SVG keeps the element ids; the HTML page fetches nothing. What each
// element must be comes from the loaded model, not from here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "../analysis/fixture.h"
#include "analysis/analyzer.h"
#include "graph/diagram.h"
#include "graph/dot.h"
#include "graph/graphviz.h"
#include "graph/html.h"
#include "graph/overlay.h"
#include "graph/picture.h"
#include "template/load.h"

namespace vpclab::graph {
namespace {

std::shared_ptr<const model::Network> load(const std::string& rel) {
  auto r = tmpl::load_network({std::string(VPCLAB_SOURCE_DIR) + "/" + rel});
  EXPECT_TRUE(r.network) << rel;
  return r.network;
}

const Frame* parent_of(const std::vector<Frame>& frames, const std::string& id, const Frame* parent = nullptr) {
  for (const auto& f : frames) {
    if (f.id == id) return parent;
    if (const Frame* p = parent_of(f.frames, id, &f)) return p;
  }
  return nullptr;
}

bool holds(const Frame& f, const std::string& node) {
  return std::find(f.nodes.begin(), f.nodes.end(), node) != f.nodes.end();
}

bool has_class(const std::vector<std::string>& c, const std::string& k) {
  return std::find(c.begin(), c.end(), k) != c.end();
}

std::string joined(const std::vector<std::string>& l) {
  std::string out;
  for (const auto& s : l) out += s + "\n";
  return out;
}

TEST(Diagram, ScenarioFramesHoldEveryVpcSubnetInstanceAndLoadBalancer) {
  auto net = load("examples/scenario/same-account.yaml");
  ASSERT_TRUE(net);
  Diagram d = build_diagram(*net);
  ASSERT_FALSE(net->vpcs.empty());
  for (const auto& v : net->vpcs) {
    Frame* f = d.frame(element_id(v.id));
    ASSERT_NE(f, nullptr) << v.id;
    EXPECT_EQ(f->kind, "vpc");
    for (const auto& c : v.cidrs) EXPECT_NE(joined(f->label).find(c.str()), std::string::npos) << v.id;
    const Frame* region = parent_of(d.frames, f->id);
    ASSERT_NE(region, nullptr);
    EXPECT_EQ(region->kind, "region");
    EXPECT_NE(joined(region->label).find(v.origin.region), std::string::npos);
  }
  for (const auto& s : net->subnets) {
    Frame* f = d.frame(element_id(s.id));
    ASSERT_NE(f, nullptr) << s.id;
    const Frame* az = parent_of(d.frames, f->id);
    ASSERT_NE(az, nullptr);
    EXPECT_EQ(az->kind, "availability-zone");
    EXPECT_EQ(joined(az->label), s.availability_zone + "\n");
    EXPECT_EQ(parent_of(d.frames, az->id)->id, element_id(s.vpc));
    EXPECT_NE(joined(f->label).find(s.cidr.str()), std::string::npos);
    // Public: its route table sends something to an internet gateway.
    bool igw_route = false;
    for (const auto& r : net->route_table(s.route_table)->routes) igw_route |= r.target_id.rfind("igw-", 0) == 0;
    EXPECT_EQ(has_class(f->classes, "public"), igw_route) << s.id;
  }
  ASSERT_FALSE(net->instances.empty());
  for (const auto& i : net->instances) {
    const Node* n = d.node(element_id(i.id));
    ASSERT_NE(n, nullptr) << i.id;
    EXPECT_EQ(n->kind, "instance");
    EXPECT_TRUE(holds(*d.frame(element_id(i.subnet)), n->id)) << i.id;
    const auto* eni = net->network_interface(i.network_interfaces.front());
    EXPECT_NE(joined(n->label).find(eni->private_ip.str()), std::string::npos) << joined(n->label);
  }
  ASSERT_FALSE(net->load_balancers.empty());
  for (const auto& lb : net->load_balancers) {
    ASSERT_FALSE(d.elements_of(lb.arn).empty()) << lb.arn;
    for (const auto& node : lb.nodes) {
      auto ids = d.elements_of(node.network_interface);
      ASSERT_EQ(ids.size(), 1u) << node.network_interface;
      const Node* n = d.node(ids[0]);
      ASSERT_NE(n, nullptr) << node.private_ip.str();
      EXPECT_NE(joined(n->label).find(node.private_ip.str()), std::string::npos);
      EXPECT_EQ(n->kind, "load-balancer-node");
      EXPECT_TRUE(holds(*d.frame(element_id(node.subnet)), n->id));
    }
  }
  for (const auto& p : net->peerings) {
    bool drawn = false;
    for (const auto& e : d.edges)
      drawn |= e.kind == "peering" && e.from == vpc_anchor(p.requester.vpc) && e.to == vpc_anchor(p.accepter.vpc);
    EXPECT_TRUE(drawn) << p.id;
  }
  ASSERT_FALSE(net->hosted_zones.empty());
  for (const auto& z : net->hosted_zones)
    for (const auto& v : z.vpcs) {
      bool drawn = false;
      for (const auto& e : d.edges) drawn |= e.kind == "zone-association" && e.to == vpc_anchor(v.vpc);
      EXPECT_TRUE(drawn) << z.id << " " << v.vpc;
    }
}

TEST(Diagram, SameNetworkSameDot) {
  auto a = load("examples/scenario/vpclab.yaml");
  auto b = load("examples/scenario/vpclab.yaml");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(to_dot(build_diagram(*a)), to_dot(build_diagram(*b)));
}

TEST(Overlay, ScenarioPathIsNumberedAndReachesEveryTarget) {
  auto net = load("examples/scenario/same-account.yaml");
  ASSERT_TRUE(net);
  auto r = analysis::Analyzer(*net).trace("BarApp", "http://alb.home/", {});
  ASSERT_TRUE(r.ok && r.reachable) << r.error;
  Diagram d = build_diagram(*net);
  draw_trace(d, *net, r, "BarApp", "http://alb.home/");
  ASSERT_FALSE(d.legend.empty());
  EXPECT_NE(d.legend[0].find("BarApp"), std::string::npos);
  EXPECT_NE(d.legend[0].find(": reachable"), std::string::npos) << d.legend[0];
  int requests = 0, replies = 0;
  std::set<std::string> target_nodes;
  for (const auto& e : d.edges) {
    // "1", "2 10.2.1.5": the step, then the address where it forks.
    if (e.kind == "path-request") {
      EXPECT_EQ(e.label.substr(0, e.label.find(' ')), std::to_string(++requests)) << e.label;
    }
    replies += e.kind == "path-reply";
    if (e.kind == "path-target") target_nodes.insert(e.to);
  }
  EXPECT_GT(requests, 0);
  EXPECT_GT(replies, 0);
  ASSERT_TRUE(r.response);
  for (const auto& t : r.response->targets) EXPECT_TRUE(target_nodes.count(element_id(t.id))) << t.id;
  for (const auto& n : d.nodes) EXPECT_FALSE(has_class(n.classes, "blocked")) << n.id;
}

TEST(Overlay, BrokenCopyMarksItsBlockersRedWithTheirCodes) {
  auto net = load("examples/broken/target-sg-missing-port.yaml");
  ASSERT_TRUE(net);
  auto r = analysis::Analyzer(*net).trace("BarApp", "http://alb.home/", {});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_FALSE(r.reachable);
  Diagram d = build_diagram(*net);
  draw_trace(d, *net, r, "BarApp", "http://alb.home/");
  EXPECT_NE(d.legend[0].find("NOT reachable"), std::string::npos);
  std::string notes;
  for (const auto& n : d.nodes)
    if (n.kind == "note") notes += joined(n.label);
  std::set<std::string> codes;
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations) codes.insert(e.code);
  ASSERT_FALSE(codes.empty());
  for (const auto& c : codes) EXPECT_NE(notes.find(c), std::string::npos) << c;
  // Every target the load balancer cannot reach is outlined red.
  ASSERT_TRUE(r.response);
  for (const auto& t : r.response->targets) {
    if (t.reachable) continue;
    const Node* n = d.node(element_id(t.id));
    ASSERT_NE(n, nullptr);
    EXPECT_TRUE(has_class(n->classes, "blocked")) << t.id;
  }
}

class Rendered : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!graphviz_problem().empty()) GTEST_SKIP() << graphviz_problem();
  }
};

TEST_F(Rendered, SvgKeepsEveryElementIdAndThePathClasses) {
  auto net = load("examples/scenario/same-account.yaml");
  ASSERT_TRUE(net);
  PictureRequest req;
  req.trace = true;
  req.from = "BarApp";
  req.to = "http://alb.home/";
  auto p = draw_picture(*net, req);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.trace_exit, 0);
  // Graphviz writes '-' as "&#45;" in attributes.
  std::string svg = std::regex_replace(p.data, std::regex("&#45;"), "-");
  for (const auto& v : net->vpcs) EXPECT_NE(svg.find("id=\"" + element_id(v.id) + "\""), std::string::npos);
  for (const auto& s : net->subnets) EXPECT_NE(svg.find("id=\"" + element_id(s.id) + "\""), std::string::npos);
  for (const auto& i : net->instances) EXPECT_NE(svg.find("<g id=\"" + element_id(i.id) + "\""), std::string::npos);
  for (const auto& lb : net->load_balancers)
    for (const auto& id : p.diagram.elements_of(lb.arn)) EXPECT_NE(svg.find("<g id=\"" + id + "\""), std::string::npos);
  // The path's source and the load balancer's targets are marked.
  auto r = analysis::Analyzer(*net).trace("BarApp", "http://alb.home/", {});
  ASSERT_TRUE(r.response);
  std::vector<std::string> on_path;
  for (const auto& t : r.response->targets) on_path.push_back(t.id);
  on_path.push_back(net->network_interface(r.source_id)->owner_id);
  for (const auto& id : on_path) {
    std::regex g("<g id=\"" + element_id(id) + "\" class=\"node component instance[^\"]*on-path");
    EXPECT_TRUE(std::regex_search(svg, g)) << id;
  }
}

TEST_F(Rendered, PngIsAPng) {
  auto net = load("examples/scenario/vpclab.yaml");
  ASSERT_TRUE(net);
  PictureRequest req;
  req.format = "png";
  auto p = draw_picture(*net, req);
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_GT(p.data.size(), 1000u);
  EXPECT_EQ(p.data.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_F(Rendered, HtmlPageFetchesNothingAndCarriesEveryDetail) {
  auto net = load("examples/scenario/vpclab.yaml");
  ASSERT_TRUE(net);
  PictureRequest req;
  req.format = "html";
  auto p = draw_picture(*net, req);
  ASSERT_TRUE(p.ok) << p.error;
  // Nothing to load: no src=, no href= but fragments, no url(), no @import.
  EXPECT_FALSE(std::regex_search(p.data, std::regex("\\ssrc=")));
  EXPECT_FALSE(std::regex_search(p.data, std::regex("href=\"[^#]")));
  EXPECT_EQ(p.data.find("url("), std::string::npos);
  EXPECT_EQ(p.data.find("@import"), std::string::npos);
  auto at = p.data.find("id=\"details-json\">");
  ASSERT_NE(at, std::string::npos);
  at = p.data.find('>', at) + 1;
  auto end = p.data.find("</script>", at);
  auto details = nlohmann::json::parse(p.data.substr(at, end - at));
  for (const auto& i : net->instances) {
    ASSERT_TRUE(details.contains(element_id(i.id))) << i.id;
    EXPECT_EQ(details[element_id(i.id)]["aws_id"], i.id);
  }
  for (const auto& s : net->subnets) EXPECT_TRUE(details.contains(element_id(s.id))) << s.id;
}

// Twelve VPCs in one Region: rows, not one line of frames.
TEST_F(Rendered, ManyVpcsWrapIntoRows) {
  testing::Fx fx;
  for (int i = 0; i < 12; ++i) {
    std::string n = "v" + std::to_string(i);
    std::string v = fx.vpc(n, "10." + std::to_string(i) + ".0.0/16");
    fx.subnet(v, n + "a", "10." + std::to_string(i) + ".1.0/24");
  }
  const auto& net = fx.finish();
  auto svg = render(to_dot(build_diagram(net)), "svg");
  ASSERT_TRUE(svg.ok) << svg.error;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg.data, m, std::regex("<svg width=\"([0-9]+)pt\" height=\"([0-9]+)pt\"")));
  double w = std::stod(m[1]), h = std::stod(m[2]);
  EXPECT_LT(w, 3 * h) << w << " x " << h;
}

TEST(Picture, UnknownFormatAndBadTraceAreErrors) {
  auto net = load("examples/scenario/vpclab.yaml");
  ASSERT_TRUE(net);
  PictureRequest req;
  req.format = "jpeg";
  auto p = draw_picture(*net, req);
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("jpeg"), std::string::npos);
  req.format = "dot";
  req.trace = true;
  req.from = "NoSuchInstance";
  req.to = "http://alb.home/";
  p = draw_picture(*net, req);
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("NoSuchInstance"), std::string::npos) << p.error;
}

}  // namespace
}  // namespace vpclab::graph

namespace vpclab::graph {
namespace {

// Graphviz runs in a child process: its complaints come back as errors, and
// this process goes on drawing.
TEST_F(Rendered, BadDotIsAnErrorAndTheNextPictureStillDraws) {
  auto bad = render("digraph { a -> ", "svg");
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("Graphviz"), std::string::npos) << bad.error;
  auto good = render("digraph { a -> b }", "svg");
  ASSERT_TRUE(good.ok) << good.error;
  EXPECT_NE(good.data.find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace vpclab::graph

namespace vpclab::graph {
namespace {

// VPC endpoints: a gateway endpoint on its VPC's edge, an interface endpoint
// as one box per network interface in its subnet; a path through the
// gateway endpoint marks it.
TEST(Diagram, VpcEndpointsAreDrawnWhereTheyAre) {
  auto net = load("examples/endpoints/vpclab.yaml");
  ASSERT_TRUE(net);
  ASSERT_FALSE(net->vpc_endpoints.empty());
  Diagram d = build_diagram(*net);
  bool gateway = false;
  for (const auto& e : net->vpc_endpoints) {
    if (e.is_gateway()) {
      gateway = true;
      const Node* n = d.node(element_id(e.id));
      ASSERT_NE(n, nullptr) << e.id;
      EXPECT_EQ(n->kind, "vpc-endpoint");
      EXPECT_TRUE(holds(*d.frame(element_id(e.vpc)), n->id));
    } else {
      ASSERT_FALSE(e.network_interfaces.empty()) << e.id;
      for (const auto& eni : e.network_interfaces) {
        const Node* n = d.node(element_id(eni));
        ASSERT_NE(n, nullptr) << eni;
        EXPECT_TRUE(holds(*d.frame(element_id(net->network_interface(eni)->subnet)), n->id)) << eni;
        EXPECT_NE(joined(n->label).find(net->network_interface(eni)->private_ip.str()), std::string::npos);
      }
    }
  }
  ASSERT_TRUE(gateway);
  auto r = analysis::Analyzer(*net).trace("bar-app", "https://s3.us-east-1.amazonaws.com/", {});
  ASSERT_TRUE(r.ok) << r.error;
  draw_trace(d, *net, r, "bar-app", "https://s3.us-east-1.amazonaws.com/");
  for (const auto& p : r.paths)
    for (const auto& h : p.hops) {
      if (h.component != "vpc-endpoint") continue;
      const Node* n = d.node(element_id(h.id));
      ASSERT_NE(n, nullptr) << h.id;
      EXPECT_TRUE(has_class(n->classes, "on-path")) << h.id;
    }
}

}  // namespace
}  // namespace vpclab::graph
