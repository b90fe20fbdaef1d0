// Site-to-site VPN on the examples (examples/tgw/vpn/: an office over VPN to
// the hub's TGW; examples/vpn/: a branch over VPN to a VGW): traced both ways
// hop by hop, the broken copies blocked with their codes and lints, the
// checks the EC2 API makes on a template and on the lab manifest's
// on_premises entries (file:line), and a snapshot whose tunnels are down.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "analysis/analyzer.h"
#include "analysis/lint.h"
#include "snapshot/load.h"
#include "snapshot/write.h"
#include "template/load.h"

using namespace vpclab;
using namespace vpclab::analysis;
namespace fs = std::filesystem;

namespace {

std::string path(const std::string& rel) { return std::string(VPCLAB_SOURCE_DIR) + "/" + rel; }

std::string all(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.str() + "\n";
  return s;
}

const Diagnostic* find_diag(const Diagnostics& d, const std::string& code) {
  for (const auto& x : d.items())
    if (x.code == code) return &x;
  return nullptr;
}

bool has_code(const TraceResult& r, const std::string& code) {
  for (const auto& p : r.paths)
    for (const auto& e : p.explanations)
      if (e.code == code) return true;
  return false;
}

std::string dump(const TraceResult& r) {
  std::string s = r.error + "\n";
  for (const auto& p : r.paths) {
    s += "path " + p.address + "\n";
    for (const auto& h : p.hops)
      s += "  [" + h.leg + "] " + h.component + " " + h.display + ": " + h.check + " => " + h.matched +
           (h.allowed ? "" : " (BLOCKED)") + "\n";
    for (const auto& e : p.explanations) s += "  " + e.code + " " + e.component + ": " + e.message + "\n";
  }
  return s;
}

// Hops of `component` on leg `leg` of every path.
int count_hops(const TraceResult& r, const std::string& component, const std::string& leg) {
  int n = 0;
  for (const auto& p : r.paths)
    for (const auto& h : p.hops) n += h.component == component && h.leg == leg;
  return n;
}

// A scratch lab: files written under a fresh directory.
class Scratch {
 public:
  explicit Scratch(const std::string& name) : dir_(fs::path(::testing::TempDir()) / ("vpn-" + name)) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Scratch() { fs::remove_all(dir_); }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(dir_ / file) << text;
    return (dir_ / file).string();
  }
  std::string dir() const { return dir_.string(); }

 private:
  fs::path dir_;
};

TraceOptions on_port(uint16_t port) {
  TraceOptions o;
  o.port = port;
  return o;
}

std::string read(const std::string& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// examples/vpn/branch.yaml with `from` replaced by `to`, in a lab with the branch network.
std::string branch_variant(const Scratch& s, const std::string& from, const std::string& to,
                           const std::string& cidrs = "[172.16.0.0/16]") {
  std::string text = read(path("examples/vpn/branch.yaml"));
  if (!from.empty()) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  s.write("branch.yaml", text);
  return s.write("vpclab.yaml", "stacks:\n  - name: branch\n    template: branch.yaml\non_premises:\n"
                                "  - name: branch\n    customer_gateway: {stack: branch, resource: BranchCgw}\n"
                                "    cidrs: " + cidrs + "\n");
}

TEST(VpnTgw, OfficeReachesFoosAlbThroughTheHubAndBarReachesTheOffice) {
  auto res = tmpl::load_network({path("examples/tgw/vpn/vpclab.yaml")});
  ASSERT_TRUE(res.network) << all(res.diags);
  EXPECT_EQ(res.diags.count(Severity::kError), 0u) << all(res.diags);
  Diagnostics lints;
  lint(*res.network, lints);
  EXPECT_EQ(find_diag(lints, "TGW_VPN_NOT_ROUTED"), nullptr) << all(lints);
  // The VPN connection is a TGW attachment of type vpn, propagating the office's CIDR.
  const model::TransitGatewayAttachment* vpn_att = nullptr;
  for (const auto& a : res.network->transit_gateway_attachments)
    if (a.resource_type == "vpn") vpn_att = &a;
  ASSERT_NE(vpn_att, nullptr);
  EXPECT_FALSE(vpn_att->route_table.empty());
  const auto* t = res.network->transit_gateway_route_table(vpn_att->route_table);
  ASSERT_NE(t, nullptr);
  bool propagated = false;
  for (const auto& r : t->routes)
    propagated = propagated || (r.destination && r.destination->str() == "192.168.0.0/16" &&
                                r.attachment == vpn_att->id && r.propagated);
  EXPECT_TRUE(propagated);

  Analyzer an(*res.network);
  auto r = an.trace("on-prem:office", "FooInternalAlb");
  EXPECT_EQ(r.exit_code(), 0) << dump(r);
  EXPECT_NE(r.source.find("192.168.0.10"), std::string::npos) << r.source;
  ASSERT_EQ(r.paths.size(), 2u) << dump(r);  // the ALB's two nodes
  EXPECT_EQ(count_hops(r, "customer-gateway", "request"), 2) << dump(r);
  EXPECT_EQ(count_hops(r, "vpn-connection", "request"), 2) << dump(r);
  EXPECT_EQ(count_hops(r, "vpn-connection", "reply"), 2) << dump(r);
  bool entered = false;
  for (const auto& h : r.paths[0].hops)
    entered = entered || (h.component == "transit-gateway-attachment" && h.check.find("from VPN connection vpn-") != std::string::npos);
  EXPECT_TRUE(entered) << dump(r);
  // The same by name and by address.
  EXPECT_EQ(an.trace("office", "FooInternalAlb").exit_code(), 0);
  EXPECT_EQ(an.trace("192.168.7.7", "FooInternalAlb").exit_code(), 0);
  // The private hosted zone is not the office's: alb.home does not resolve there.
  EXPECT_NE(an.trace("on-prem:office", "http://alb.home/").exit_code(), 0);

  auto b = an.trace("BarApp", "on-prem:office", on_port(22));
  EXPECT_EQ(b.exit_code(), 0) << dump(b);
  EXPECT_EQ(count_hops(b, "customer-gateway", "request"), 1) << dump(b);
  // foo's public subnet has no route to the office.
  auto f = an.trace("FooBastion", "on-prem:office", on_port(22));
  EXPECT_EQ(f.exit_code(), 1) << dump(f);
}

TEST(VpnTgw, StaticOnlyWithoutTgwRouteDropsRepliesAtTheTgw) {
  auto res = tmpl::load_network({path("examples/tgw/vpn/broken/vpclab.yaml")});
  ASSERT_TRUE(res.network) << all(res.diags);
  Diagnostics lints;
  lint(*res.network, lints);
  const Diagnostic* l = find_diag(lints, "TGW_VPN_NOT_ROUTED");
  ASSERT_NE(l, nullptr) << all(lints);
  EXPECT_NE(l->loc.str().find("office-static.yaml:"), std::string::npos) << l->str();
  EXPECT_NE(l->message.find("static routes only"), std::string::npos) << l->str();
  Analyzer an(*res.network);
  auto r = an.trace("office", "FooInternalAlb");
  EXPECT_EQ(r.exit_code(), 1) << dump(r);
  EXPECT_TRUE(has_code(r, "TGW_RTB_CANNOT_ROUTE")) << dump(r);
  // The request got in; the reply is what the TGW cannot route.
  for (const auto& p : r.paths)
    for (const auto& h : p.hops)
      if (!h.allowed) EXPECT_EQ(h.leg, "reply") << dump(r);
}

TEST(VpnVgw, BranchAndAppReachEachOtherOverTheVgw) {
  auto res = tmpl::load_network({path("examples/vpn/vpclab.yaml")});
  ASSERT_TRUE(res.network) << all(res.diags);
  EXPECT_EQ(res.diags.count(Severity::kError), 0u) << all(res.diags);
  Diagnostics lints;
  lint(*res.network, lints);
  EXPECT_EQ(lints.count(Severity::kWarning), 0u) << all(lints);
  // The VGW's static route, propagated into the app's route table.
  bool propagated = false;
  for (const auto& t : res.network->route_tables)
    for (const auto& r : t.routes)
      propagated = propagated || (r.propagated && r.target_kind == RouteTargetKind::kVpnGateway &&
                                  r.destination && r.destination->str() == "172.16.0.0/16");
  EXPECT_TRUE(propagated);
  Analyzer an(*res.network);
  auto out = an.trace("App", "on-prem:branch", on_port(22));
  EXPECT_EQ(out.exit_code(), 0) << dump(out);
  EXPECT_EQ(count_hops(out, "virtual-private-gateway", "request"), 1) << dump(out);
  bool static_route = false;
  for (const auto& h : out.paths[0].hops)
    static_route = static_route || (h.component == "virtual-private-gateway" && h.matched.find("(static)") != std::string::npos);
  EXPECT_TRUE(static_route) << dump(out);
  auto in = an.trace("on-prem:branch", "App");
  EXPECT_EQ(in.exit_code(), 0) << dump(in);
  // Port 443 is not admitted from the branch.
  auto closed = an.trace("on-prem:branch", "App", on_port(443));
  EXPECT_EQ(closed.exit_code(), 1) << dump(closed);
  EXPECT_TRUE(has_code(closed, "ENI_SG_RULES_MISMATCH")) << dump(closed);
  // Outside the branch's CIDR nothing leads there.
  auto beyond = an.trace("App", "172.17.0.1", on_port(22));
  EXPECT_EQ(beyond.exit_code(), 1) << dump(beyond);
  EXPECT_TRUE(has_code(beyond, "NO_ROUTE_TO_DESTINATION")) << dump(beyond);
}

TEST(VpnVgw, MissingStaticRouteIsVpnRouteMissing) {
  Scratch s("no-static");
  auto p = branch_variant(s, "", "");
  // The app's table still routes the branch to the VGW (a static route), the VGW knows no prefix.
  std::string text = read(s.dir() + "/branch.yaml");
  auto at = text.find("  BranchVpnRoute:");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find("  VgwRoutePropagation:") - at,
               "  BranchRoute:\n    Type: AWS::EC2::Route\n    DependsOn: VgwAttachment\n    Properties:\n"
               "      RouteTableId: !Ref AppRouteTable\n      DestinationCidrBlock: 172.16.0.0/16\n"
               "      GatewayId: !Ref Vgw\n");
  s.write("branch.yaml", text);
  auto res = tmpl::load_network({p});
  ASSERT_TRUE(res.network) << all(res.diags);
  Diagnostics lints;
  lint(*res.network, lints);
  EXPECT_NE(find_diag(lints, "VPN_STATIC_NO_ROUTE"), nullptr) << all(lints);
  Analyzer an(*res.network);
  auto r = an.trace("App", "on-prem:branch", on_port(22));
  EXPECT_EQ(r.exit_code(), 1) << dump(r);
  EXPECT_TRUE(has_code(r, "VPN_ROUTE_MISSING")) << dump(r);
  // Traffic from the branch gets in, its replies have no way back.
  auto in = an.trace("on-prem:branch", "App", on_port(22));
  EXPECT_EQ(in.exit_code(), 1) << dump(in);
  EXPECT_TRUE(has_code(in, "VPN_ROUTE_MISSING")) << dump(in);
}

TEST(VpnVgw, NoPropagationIsNoRouteAndVgwNotRouted) {
  Scratch s("no-propagation");
  std::string text = read(path("examples/vpn/branch.yaml"));
  auto at = text.find("  VgwRoutePropagation:");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find("  AppSecurityGroup:") - at, "");
  s.write("branch.yaml", text);
  auto p = s.write("vpclab.yaml", "stacks:\n  - name: branch\n    template: branch.yaml\non_premises:\n"
                                  "  - name: branch\n    customer_gateway: {stack: branch, resource: BranchCgw}\n"
                                  "    cidrs: [172.16.0.0/16]\n");
  auto res = tmpl::load_network({p});
  ASSERT_TRUE(res.network) << all(res.diags);
  Diagnostics lints;
  lint(*res.network, lints);
  EXPECT_NE(find_diag(lints, "VGW_NOT_ROUTED"), nullptr) << all(lints);
  Analyzer an(*res.network);
  auto r = an.trace("App", "on-prem:branch", on_port(22));
  EXPECT_EQ(r.exit_code(), 1) << dump(r);
  EXPECT_TRUE(has_code(r, "NO_ROUTE_TO_DESTINATION")) << dump(r);
}

struct Refusal {
  const char* name;
  const char* from;  // text of examples/vpn/branch.yaml
  const char* to;
  const char* code;
};

class VpnRefusals : public ::testing::TestWithParam<Refusal> {};

// Each wrong reference or impossible combination: an error at its line.
TEST_P(VpnRefusals, ErrorAtTheLine) {
  Scratch s(GetParam().name);
  auto p = branch_variant(s, GetParam().from, GetParam().to);
  auto res = tmpl::load_network({p});
  EXPECT_EQ(res.network, nullptr);
  const Diagnostic* d = find_diag(res.diags, GetParam().code);
  ASSERT_NE(d, nullptr) << all(res.diags);
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_NE(d->loc.str().find("branch.yaml:"), std::string::npos) << d->str();
  EXPECT_GT(d->loc.line, 0u) << d->str();
}

INSTANTIATE_TEST_SUITE_P(
    Template, VpnRefusals,
    ::testing::Values(
        Refusal{"bgp-static-route", "      StaticRoutesOnly: true", "      StaticRoutesOnly: false", "VPN_ROUTE_NOT_STATIC"},
        Refusal{"both-gateways", "      VpnGatewayId: !Ref Vgw\n      StaticRoutesOnly",
                "      VpnGatewayId: !Ref Vgw\n      TransitGatewayId: tgw-0123456789abcdef0\n      StaticRoutesOnly", "E3014"},
        Refusal{"bad-ip", "IpAddress: 198.51.100.7", "IpAddress: office.example.com", "CGW_IP_ADDRESS"},
        Refusal{"bad-type", "      Type: ipsec.1\n      CustomerGatewayId", "      Type: ipsec.2\n      CustomerGatewayId",
                "VPN_TYPE"},
        Refusal{"unknown-cgw", "      CustomerGatewayId: !Ref BranchCgw", "      CustomerGatewayId: cgw-0000000000000000a",
                "VPN_UNKNOWN_CGW"},
        // The VGW detached: the route propagation and a static route to it are refused.
        Refusal{"propagation-detached", "    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref AppVpc\n      VpnGatewayId: !Ref Vgw",
                "    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref AppVpc\n      InternetGatewayId: !Ref Igw\n  Igw:\n    Type: AWS::EC2::InternetGateway",
                "VGW_PROPAGATION_NOT_ATTACHED"}),
    [](const auto& info) {
      std::string out;
      for (char c : std::string(info.param.name)) out += c == '-' ? '_' : c;
      return out;
    });

TEST(VpnVgw, RouteToADetachedVgwIsRefused) {
  Scratch s("route-detached");
  std::string text = read(path("examples/vpn/branch.yaml"));
  auto at = text.find("  VgwRoutePropagation:");
  text.replace(at, text.find("  AppSecurityGroup:") - at,
               "  BranchRoute:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref AppRouteTable\n"
               "      DestinationCidrBlock: 172.16.0.0/16\n      GatewayId: !Ref OtherVgw\n"
               "  OtherVgw:\n    Type: AWS::EC2::VPNGateway\n    Properties:\n      Type: ipsec.1\n");
  auto p = s.write("branch.yaml", text);
  auto res = tmpl::load_network({p});
  const Diagnostic* d = find_diag(res.diags, "ROUTE_VGW_NOT_ATTACHED");
  ASSERT_NE(d, nullptr) << all(res.diags);
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_NE(d->loc.str().find("branch.yaml:"), std::string::npos) << d->str();
}

TEST(VpnTgw, StaticRouteOnATgwConnectionIsRefused) {
  Scratch s("tgw-static-route");
  std::string office = read(path("examples/tgw/vpn/office.yaml"));
  auto at = office.find("\nOutputs:");
  office.insert(at, "\n  OfficeVpnRoute:\n    Type: AWS::EC2::VPNConnectionRoute\n    Properties:\n"
                    "      VpnConnectionId: !Ref OfficeVpn\n      DestinationCidrBlock: 192.168.0.0/16\n");
  s.write("office.yaml", office);
  s.write("hub.yaml", read(path("examples/tgw/vpn/hub.yaml")));
  auto p = s.write("vpclab.yaml", read(path("examples/tgw/vpn/vpclab.yaml")));
  auto res = tmpl::load_network({p});
  const Diagnostic* d = find_diag(res.diags, "VPN_ROUTE_TGW_CONNECTION");
  ASSERT_NE(d, nullptr) << all(res.diags);
  EXPECT_NE(d->loc.str().find("office.yaml:"), std::string::npos) << d->str();
  EXPECT_NE(d->fix.find("TransitGatewayRoute"), std::string::npos) << d->str();
}

struct ManifestError {
  const char* name;
  const char* entry;  // the on_premises entry
  const char* code;
  uint32_t line;      // of the manifest
  const char* says;
};

class OnPremisesErrors : public ::testing::TestWithParam<ManifestError> {};

TEST_P(OnPremisesErrors, NameTheManifestLine) {
  Scratch s(GetParam().name);
  s.write("branch.yaml", read(path("examples/vpn/branch.yaml")));
  auto p = s.write("vpclab.yaml", std::string("stacks:\n  - name: branch\n    template: branch.yaml\non_premises:\n") +
                                      GetParam().entry);
  auto res = tmpl::load_network({p});
  EXPECT_EQ(res.network, nullptr);
  const Diagnostic* d = find_diag(res.diags, GetParam().code);
  ASSERT_NE(d, nullptr) << all(res.diags);
  EXPECT_NE(d->loc.str().find("vpclab.yaml:"), std::string::npos) << d->str();
  EXPECT_EQ(d->loc.line, GetParam().line) << d->str();
  EXPECT_NE(d->message.find(GetParam().says), std::string::npos) << d->str();
}

INSTANTIATE_TEST_SUITE_P(
    Manifest, OnPremisesErrors,
    ::testing::Values(
        ManifestError{"unknown-resource", "  - name: branch\n    customer_gateway: {stack: branch, resource: NoSuchCgw}\n    cidrs: [172.16.0.0/16]\n",
                      "M1008", 6, "has no resource NoSuchCgw"},
        ManifestError{"not-a-cgw", "  - name: branch\n    customer_gateway: {stack: branch, resource: Vgw}\n    cidrs: [172.16.0.0/16]\n",
                      "M1008", 6, "not an AWS::EC2::CustomerGateway"},
        ManifestError{"unknown-stack", "  - name: branch\n    customer_gateway: {stack: nope, resource: BranchCgw}\n    cidrs: [172.16.0.0/16]\n",
                      "M1008", 6, "unknown stack 'nope'"},
        ManifestError{"bad-cidr", "  - name: branch\n    customer_gateway: {stack: branch, resource: BranchCgw}\n    cidrs: [172.16.0.0/33]\n",
                      "M1009", 7, "not an IPv4 CIDR"},
        ManifestError{"overlap", "  - name: branch\n    customer_gateway: {stack: branch, resource: BranchCgw}\n    cidrs: [172.16.0.0/16, 10.5.0.0/20]\n",
                      "ONPREM_CIDR_OVERLAP", 7, "overlaps 10.5.0.0/16"},
        ManifestError{"bad-name", "  - name: Branch Office\n    customer_gateway: {stack: branch, resource: BranchCgw}\n    cidrs: [172.16.0.0/16]\n",
                      "M1008", 5, "must start with a letter"}),
    [](const auto& info) {
      std::string out;
      for (char c : std::string(info.param.name)) out += c == '-' ? '_' : c;
      return out;
    });

// A snapshot of the branch lab whose tunnels are DOWN: BAD_STATE_VPN. The
// branch's network comes from the connection's static route.
TEST(VpnSnapshot, TunnelsDownIsBadStateVpn) {
  auto res = tmpl::load_network({path("examples/vpn/vpclab.yaml")});
  ASSERT_TRUE(res.network) << all(res.diags);
  Scratch s("snapshot");
  Diagnostics wd;
  ASSERT_TRUE(snapshot::write_snapshot(*res.network, s.dir(), wd)) << all(wd);
  std::string file;
  for (const auto& e : fs::recursive_directory_iterator(s.dir()))
    if (e.path().filename() == "vpn-connections.json") file = e.path().string();
  ASSERT_FALSE(file.empty());
  auto up = snapshot::load_snapshot(s.dir());
  ASSERT_TRUE(up.network) << all(up.diags);
  ASSERT_EQ(up.network->on_premises.size(), 1u);
  EXPECT_EQ(up.network->on_premises[0].cidrs.at(0).str(), "172.16.0.0/16");
  Analyzer an_up(*up.network);
  EXPECT_EQ(an_up.trace("app", "172.16.0.10", on_port(22)).exit_code(), 0);
  std::string text = read(file);
  text = std::regex_replace(text, std::regex("\"UP\""), "\"DOWN\"");
  std::ofstream(file) << text;
  auto down = snapshot::load_snapshot(s.dir());
  ASSERT_TRUE(down.network) << all(down.diags);
  Analyzer an(*down.network);
  auto r = an.trace("app", "172.16.0.10", on_port(22));
  EXPECT_EQ(r.exit_code(), 1) << dump(r);
  EXPECT_TRUE(has_code(r, "BAD_STATE_VPN")) << dump(r);
}

}  // namespace
