// matrix and exposure on the canonical scenario.
#include <gtest/gtest.h>

#include "analysis/analyzer.h"
#include "scenario.h"

using namespace vpclab;
using namespace vpclab::analysis;
using vpclab::testing::Canonical;

namespace {
const MatrixCell* cell(const MatrixResult& m, const std::string& from, const std::string& to) {
  for (const auto& c : m.cells)
    if (c.from == from && c.to == to) return &c;
  return nullptr;
}
}  // namespace

TEST(Matrix, CanonicalPortsAreIntervalSets) {
  Canonical c;
  Analyzer a(c.fx.finish());
  auto m = a.matrix();
  ASSERT_TRUE(m.ok);
  // Bastion -> web servers: SSH only.
  const auto* bw = cell(m, "T.Bastion", "T.Web1");
  ASSERT_NE(bw, nullptr);
  EXPECT_EQ(bw->tcp.str(), "22");
  EXPECT_TRUE(bw->udp.empty());
  EXPECT_FALSE(bw->icmp);
  // The ALB nodes -> web servers: 8080 (plus nothing else).
  const auto* aw = cell(m, "T.foo-internal-alb", "T.Web2");
  ASSERT_NE(aw, nullptr);
  EXPECT_EQ(aw->tcp.str(), "8080");
  // BarApp -> the ALB: its listener port.
  const auto* ba = cell(m, "T.BarApp", "T.foo-internal-alb");
  ASSERT_NE(ba, nullptr);
  EXPECT_EQ(ba->tcp.str(), "80");
  // Nobody reaches BarApp (its group admits nothing).
  for (const auto& x : m.cells) EXPECT_NE(x.to, "T.BarApp");
  // Web1 reaches Bastion? Bastion admits 22 from anywhere: yes, 22.
  EXPECT_EQ(cell(m, "T.Web1", "T.Bastion")->tcp.str(), "22");
  // Filters.
  auto only = a.matrix("Bastion", "Web1,Web2", "20-30");
  ASSERT_TRUE(only.ok) << only.error;
  EXPECT_EQ(only.cells.size(), 2u);
  EXPECT_FALSE(a.matrix("Nope").ok);
  EXPECT_FALSE(a.matrix("", "", "70000").ok);
}

TEST(Matrix, WideOpenGroupsGiveFullRanges) {
  Canonical c;
  c.fx.allow_in(c.app_sg, kAllProtocols, PortRange::all(), "10.2.0.0/16");
  Analyzer a(c.fx.finish());
  auto m = a.matrix("Web1", "BarApp");
  ASSERT_EQ(m.cells.size(), 1u);
  EXPECT_EQ(m.cells[0].tcp.str(), "0-65535");
  EXPECT_EQ(m.cells[0].udp.str(), "0-65535");
  EXPECT_TRUE(m.cells[0].icmp);
}

TEST(Exposure, BastionFromInternetWebFromPeer) {
  Canonical c;
  c.fx.allow_in(c.bastion_sg, kTcp, PortRange::single(443), "203.0.113.0/24");
  Analyzer a(c.fx.finish());
  auto e = a.exposure();
  bool ssh_world = false, https_office = false, web_exposed = false, alb_from_bar = false;
  for (const auto& i : e.items) {
    if (i.scope == "internet" && i.resource == "T.Bastion" && i.protocol == "tcp") {
      if (i.ports == "22") ssh_world = i.sources.find("0.0.0.0/0") != std::string::npos;
      if (i.ports == "22,443") https_office = i.sources == "203.0.113.0/24";
    }
    if (i.resource == "T.Web1" && i.scope == "internet") web_exposed = true;
    if (i.resource == "T.foo-internal-alb" && i.scope == "outside-vpc" && i.ports == "80") alb_from_bar = true;
  }
  EXPECT_TRUE(ssh_world);
  EXPECT_TRUE(https_office);  // the office range gets 22 and 443: its own equivalence class
  EXPECT_FALSE(web_exposed);
  EXPECT_TRUE(alb_from_bar);
}

// Every explanation code is documented, with its meaning and fix.
TEST(ExplanationCodes, AllDocumented) {
  FILE* f = std::fopen(VPCLAB_SOURCE_DIR "/docs/explanation-codes.md", "r");
  ASSERT_NE(f, nullptr);
  std::string doc;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) doc.append(buf, n);
  std::fclose(f);
  for (const auto& c : all_codes()) {
    EXPECT_NE(doc.find(std::string("`") + c.code + "`"), std::string::npos) << c.code;
    EXPECT_NE(doc.find(c.meaning), std::string::npos) << c.code;
    EXPECT_FALSE(std::string(c.fix).empty());
  }
}
