// Seeded random small CloudFormation templates, written as a user would
// (block-style YAML, short-form !Ref/!GetAtt, some rules in flow maps, some
// as block maps, some groups with no rule list at all): 2-3 VPCs, subnets,
// route tables and associations, an IGW, an optional NAT gateway, peerings
// routed on one or both sides, custom NACLs with random entries, two security
// groups per VPC with random CIDR and group-reference rules, 1-2 instances per
// subnet. The network is kept as a small spec so a test can mutate one
// element (a rule, an entry, a route, an association) and render it again.
// No expected results here: tests get them from matrix/trace runs.
#pragma once
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "seeded.h"

namespace vpclab::testing {

// Seeds first..first+count-1: VPCLAB_RANDOM_SEEDS=FIRST:COUNT widens a run by hand (default 1:dflt).
inline std::pair<uint32_t, uint32_t> random_seeds(uint32_t dflt) {
  const char* e = std::getenv("VPCLAB_RANDOM_SEEDS");
  if (!e || !std::strchr(e, ':')) return {1, dflt};
  return {static_cast<uint32_t>(std::strtoul(e, nullptr, 10)), static_cast<uint32_t>(std::strtoul(std::strchr(e, ':') + 1, nullptr, 10))};
}

struct RtSgRule {
  bool egress = false;
  std::string proto = "tcp";  // tcp | udp | -1
  int from = 0, to = 0;
  std::string cidr;           // or
  std::string group;          // logical id of a group (same or peered VPC)
  bool flow_style = true;
};
struct RtSg {
  std::string id;
  int vpc = 0;
  std::vector<RtSgRule> rules;
};
struct RtNaclEntry {
  int number = 100;
  bool egress = false;
  int proto = 6;  // 6 | 17 | -1
  bool allow = true;
  std::string cidr;
  int from = 0, to = 0;
};
struct RtNacl {
  std::string id;
  int vpc = 0;
  std::vector<RtNaclEntry> entries;
  std::vector<int> subnets;  // indexes into subnets
};
struct RtRoute {
  std::string id;
  int table = 0;
  std::string cidr;
  std::string target_key;  // GatewayId | NatGatewayId | VpcPeeringConnectionId
  std::string target;      // logical id
};
struct RtSubnet {
  std::string id;
  int vpc = 0;
  std::string cidr;
  int table = -1;  // -1: no association (the VPC's main table)
};
struct RtTable {
  std::string id;
  int vpc = 0;
};
struct RtInstance {
  std::string id;
  int subnet = 0;
  std::vector<std::string> groups;
  bool flow_list = true;
};
struct RtPeering {
  std::string id;
  int a = 0, b = 0;
};
struct RtNat {
  std::string id;
  int vpc = 0;
  int subnet = 0;
};

struct RandomTemplate {
  int vpcs = 2;
  std::vector<RtSubnet> subnets;
  std::vector<RtTable> tables;
  std::vector<RtRoute> routes;
  std::vector<RtPeering> peerings;
  std::vector<RtNat> nats;
  std::vector<RtNacl> nacls;
  std::vector<RtSg> groups;
  std::vector<RtInstance> instances;

  static std::string vpc_id(int v) { return "Vpc" + std::to_string(v); }
  static std::string vpc_cidr(int v) { return "10." + std::to_string(v + 1) + ".0.0/16"; }

  // Instances whose group list names `group`.
  std::vector<std::string> members(const std::string& group) const {
    std::vector<std::string> out;
    for (const auto& i : instances)
      for (const auto& g : i.groups)
        if (g == group) out.push_back(i.id);
    return out;
  }

  std::string yaml() const {
    std::string y = "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: seeded random network\n\nResources:\n";
    auto add = [&](const std::string& s) { y += s; };
    for (int v = 0; v < vpcs; ++v) {
      std::string V = vpc_id(v);
      add("  # VPC " + std::to_string(v) + "\n");
      add("  " + V + ":\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: " + vpc_cidr(v) +
          "\n      EnableDnsSupport: true\n");
      add("  " + V + "Igw:\n    Type: AWS::EC2::InternetGateway\n");
      add("  " + V + "IgwAttachment:\n    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref " + V +
          "\n      InternetGatewayId: !Ref " + V + "Igw\n");
    }
    for (const auto& s : subnets)
      add("  " + s.id + ":\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref " + vpc_id(s.vpc) +
          "\n      CidrBlock: " + s.cidr + "\n      AvailabilityZone: !Select [0, !GetAZs \"\"]\n");
    for (const auto& t : tables)
      add("  " + t.id + ":\n    Type: AWS::EC2::RouteTable\n    Properties:\n      VpcId: !Ref " + vpc_id(t.vpc) + "\n");
    for (const auto& s : subnets)
      if (s.table >= 0)
        add("  " + s.id + "Assoc:\n    Type: AWS::EC2::SubnetRouteTableAssociation\n    Properties:\n      SubnetId: !Ref " +
            s.id + "\n      RouteTableId: !Ref " + tables[s.table].id + "\n");
    for (const auto& n : nats) {
      add("  " + n.id + "Eip:\n    Type: AWS::EC2::EIP\n    DependsOn: " + vpc_id(n.vpc) +
          "IgwAttachment\n    Properties:\n      Domain: vpc\n");
      add("  " + n.id + ":\n    Type: AWS::EC2::NatGateway\n    Properties:\n      SubnetId: !Ref " + subnets[n.subnet].id +
          "\n      AllocationId: !GetAtt " + n.id + "Eip.AllocationId\n");
    }
    for (const auto& p : peerings)
      add("  " + p.id + ":\n    Type: AWS::EC2::VPCPeeringConnection\n    Properties:\n      VpcId: !Ref " + vpc_id(p.a) +
          "\n      PeerVpcId: !Ref " + vpc_id(p.b) + "\n");
    for (const auto& r : routes)
      add("  " + r.id + ":\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref " + tables[r.table].id +
          "\n      DestinationCidrBlock: " + r.cidr + "\n      " + r.target_key + ": !Ref " + r.target + "\n");
    for (const auto& n : nacls) {
      add("  " + n.id + ":\n    Type: AWS::EC2::NetworkAcl\n    Properties:\n      VpcId: !Ref " + vpc_id(n.vpc) + "\n");
      int k = 0;
      for (const auto& e : n.entries) {
        add("  " + n.id + "Entry" + std::to_string(k++) + ":\n    Type: AWS::EC2::NetworkAclEntry\n    Properties:\n" +
            "      NetworkAclId: !Ref " + n.id + "\n      RuleNumber: " + std::to_string(e.number) +
            "\n      Protocol: " + std::to_string(e.proto) + "\n      RuleAction: " + (e.allow ? "allow" : "deny") +
            "\n      Egress: " + (e.egress ? "true" : "false") + "\n      CidrBlock: " + e.cidr + "\n");
        if (e.proto != -1)
          add("      PortRange:\n        From: " + std::to_string(e.from) + "\n        To: " + std::to_string(e.to) + "\n");
      }
      for (int s : n.subnets)
        add("  " + n.id + subnets[s].id + ":\n    Type: AWS::EC2::SubnetNetworkAclAssociation\n    Properties:\n" +
            "      SubnetId: !Ref " + subnets[s].id + "\n      NetworkAclId: !Ref " + n.id + "\n");
    }
    for (const auto& g : groups) {
      add("  " + g.id + ":\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: group " + g.id +
          "\n      VpcId: !Ref " + vpc_id(g.vpc) + "\n");
      // CIDR rules inline; group references as their own resources (inline they would be a
      // circular dependency, as CloudFormation users find out).
      for (bool egress : {false, true}) {
        bool head = false;
        for (const auto& r : g.rules) {
          if (r.egress != egress || !r.group.empty()) continue;
          if (!head) add(std::string("      ") + (egress ? "SecurityGroupEgress" : "SecurityGroupIngress") + ":\n");
          head = true;
          if (r.flow_style)
            add("        - {IpProtocol: " + r.proto + ", FromPort: " + std::to_string(r.from) +
                ", ToPort: " + std::to_string(r.to) + ", CidrIp: " + r.cidr + "}\n");
          else
            add("        - IpProtocol: " + r.proto + "\n          FromPort: " + std::to_string(r.from) +
                "\n          ToPort: " + std::to_string(r.to) + "\n          CidrIp: " + r.cidr + "\n");
        }
      }
    }
    for (const auto& g : groups) {
      int k = 0;
      for (const auto& r : g.rules) {
        if (r.group.empty()) continue;
        std::string peer = r.flow_style ? "!GetAtt " + r.group + ".GroupId" : "!Ref " + r.group;
        add("  " + g.id + (r.egress ? "Egress" : "Ingress") + std::to_string(k++) + ":\n    Type: AWS::EC2::SecurityGroup" +
            (r.egress ? "Egress" : "Ingress") + "\n    Properties:\n      GroupId: !Ref " + g.id + "\n      IpProtocol: " +
            r.proto + "\n      FromPort: " + std::to_string(r.from) + "\n      ToPort: " + std::to_string(r.to) + "\n      " +
            (r.egress ? "DestinationSecurityGroupId: " : "SourceSecurityGroupId: ") + peer + "\n");
      }
    }
    for (const auto& i : instances) {
      add("  " + i.id + ":\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0b7546e839d7ace12\n" +
          "      InstanceType: t3.micro\n      SubnetId: !Ref " + subnets[i.subnet].id + "\n");
      if (i.flow_list) {
        std::string l;
        for (const auto& g : i.groups) l += (l.empty() ? "" : ", ") + std::string("!Ref ") + g;
        add("      SecurityGroupIds: [" + l + "]\n");
      } else {
        add("      SecurityGroupIds:\n");
        for (const auto& g : i.groups) add("        - !Ref " + g + "\n");
      }
    }
    return y;
  }
};

struct TemplateGen : Seeded {
  using Seeded::Seeded;
  int port() {
    static const int kPorts[] = {22, 80, 443, 8080};
    return kPorts[pick(4)];
  }

  std::string cidr_in(const RandomTemplate& t) {
    if (coin(20)) return "0.0.0.0/0";
    if (coin(50)) return RandomTemplate::vpc_cidr(pick(t.vpcs));
    return t.subnets[pick(static_cast<int>(t.subnets.size()))].cidr;
  }

  RtSgRule sg_rule(const RandomTemplate& t, const RtSg& g, bool egress) {
    RtSgRule r;
    r.egress = egress;
    r.flow_style = coin(60);
    if (coin(10)) {
      r.proto = "-1";
      r.from = r.to = -1;
    } else {
      r.proto = coin(85) ? "tcp" : "udp";
      r.from = port();
      r.to = coin(80) ? r.from : r.from + 100;
      if (egress && coin(40)) r.from = 0, r.to = 65535;
    }
    // A group of this VPC or of a VPC peered with it (AWS allows the reference in one region).
    std::vector<std::string> refs;
    for (const auto& o : t.groups) {
      bool peered = false;
      for (const auto& p : t.peerings) peered |= (p.a == g.vpc && p.b == o.vpc) || (p.b == g.vpc && p.a == o.vpc);
      if (o.vpc == g.vpc || peered) refs.push_back(o.id);
    }
    if (!refs.empty() && coin(35)) r.group = refs[pick(static_cast<int>(refs.size()))];
    else r.cidr = cidr_in(t);
    return r;
  }

  RtNaclEntry nacl_entry(const RandomTemplate& t, int number) {
    RtNaclEntry e;
    e.number = number;
    e.egress = coin(50);
    e.allow = coin(75);
    e.proto = coin(20) ? -1 : (coin(85) ? 6 : 17);
    e.cidr = cidr_in(t);
    if (coin(40)) e.from = 1024, e.to = 65535;
    else if (coin(30)) e.from = 0, e.to = 65535;
    else e.from = e.to = port();
    return e;
  }

  RtRoute peering_route(const RandomTemplate& t, int table, const RtPeering& p, int serial) {
    int peer = t.tables[table].vpc == p.a ? p.b : p.a;
    return RtRoute{"Route" + std::to_string(serial), table, RandomTemplate::vpc_cidr(peer), "VpcPeeringConnectionId", p.id};
  }

  RandomTemplate make() {
    RandomTemplate t;
    t.vpcs = 2 + pick(2);
    int serial = 0;
    for (int v = 0; v < t.vpcs; ++v) {
      int n = 1 + pick(2);
      std::string V = "V" + std::to_string(v);
      // A public table (default route to the IGW) and a private one.
      t.tables.push_back({V + "PublicTable", v});
      int pub = static_cast<int>(t.tables.size()) - 1;
      t.routes.push_back({V + "PublicDefault", pub, "0.0.0.0/0", "GatewayId", RandomTemplate::vpc_id(v) + "Igw"});
      t.tables.push_back({V + "PrivateTable", v});
      int priv = pub + 1;
      for (int s = 0; s < n; ++s) {
        int table = s == 0 ? pub : (coin(85) ? priv : -1);
        t.subnets.push_back({V + "Subnet" + std::to_string(s), v,
                             "10." + std::to_string(v + 1) + "." + std::to_string(s) + ".0/24", table});
      }
      if (n > 1 && coin(40)) {
        t.nats.push_back({V + "Nat", v, static_cast<int>(t.subnets.size()) - n});
        t.routes.push_back({V + "PrivateDefault", priv, "0.0.0.0/0", "NatGatewayId", V + "Nat"});
      }
    }
    for (int a = 0; a < t.vpcs; ++a)
      for (int b = a + 1; b < t.vpcs; ++b)
        if (coin(75)) t.peerings.push_back({"Peering" + std::to_string(a) + std::to_string(b), a, b});
    for (const auto& p : t.peerings)
      for (int ti = 0; ti < static_cast<int>(t.tables.size()); ++ti) {
        int v = t.tables[ti].vpc;
        if ((v == p.a || v == p.b) && coin(70)) t.routes.push_back(peering_route(t, ti, p, serial++));
      }
    for (int v = 0; v < t.vpcs; ++v) {
      if (!coin(60)) continue;
      RtNacl n{"V" + std::to_string(v) + "Nacl", v, {}, {}};
      int entries = 1 + pick(4);
      for (int k = 0; k < entries; ++k) n.entries.push_back(nacl_entry(t, 100 + 10 * k));
      for (int s = 0; s < static_cast<int>(t.subnets.size()); ++s)
        if (t.subnets[s].vpc == v && coin(70)) n.subnets.push_back(s);
      t.nacls.push_back(n);
    }
    for (int v = 0; v < t.vpcs; ++v)
      for (int k = 0; k < 2; ++k) t.groups.push_back({"V" + std::to_string(v) + "Sg" + std::to_string(k), v, {}});
    for (auto& g : t.groups) {
      int ingress = pick(4);  // 0: no SecurityGroupIngress key at all
      for (int k = 0; k < ingress; ++k) g.rules.push_back(sg_rule(t, g, false));
      if (coin(40)) {
        int egress = 1 + pick(2);
        for (int k = 0; k < egress; ++k) g.rules.push_back(sg_rule(t, g, true));
      }
    }
    for (int s = 0; s < static_cast<int>(t.subnets.size()); ++s) {
      int n = 1 + pick(2);
      for (int k = 0; k < n; ++k) {
        RtInstance i{t.subnets[s].id + "Host" + std::to_string(k), s, {}, coin(70)};
        std::string base = "V" + std::to_string(t.subnets[s].vpc) + "Sg";
        int first = pick(2);
        i.groups.push_back(base + std::to_string(first));
        if (coin(25)) i.groups.push_back(base + std::to_string(1 - first));
        t.instances.push_back(i);
      }
    }
    return t;
  }

  // One random change of an element: an SG rule, a NACL entry, a route or an association added or removed.
  std::string mutate(RandomTemplate& t) {
    for (int tries = 0; tries < 20; ++tries) {
      switch (pick(8)) {
        case 0: {
          auto& g = t.groups[pick(static_cast<int>(t.groups.size()))];
          g.rules.push_back(sg_rule(t, g, coin(25)));
          return "added a rule to " + g.id;
        }
        case 1: {
          auto& g = t.groups[pick(static_cast<int>(t.groups.size()))];
          if (g.rules.empty()) break;
          g.rules.erase(g.rules.begin() + pick(static_cast<int>(g.rules.size())));
          return "removed a rule of " + g.id;
        }
        case 2: {
          if (t.nacls.empty()) break;
          auto& n = t.nacls[pick(static_cast<int>(t.nacls.size()))];
          int number = 100;
          for (const auto& e : n.entries) number = std::max(number, e.number);
          n.entries.push_back(nacl_entry(t, coin(50) ? number + 5 : 95));
          if (n.entries.back().number == 95)
            for (const auto& e : n.entries)
              if (&e != &n.entries.back() && e.number == 95 && e.egress == n.entries.back().egress)
                n.entries.back().number = 97;
          return "added an entry to " + n.id;
        }
        case 3: {
          if (t.nacls.empty()) break;
          auto& n = t.nacls[pick(static_cast<int>(t.nacls.size()))];
          if (n.entries.empty()) break;
          n.entries.erase(n.entries.begin() + pick(static_cast<int>(n.entries.size())));
          return "removed an entry of " + n.id;
        }
        case 4: {
          if (t.peerings.empty()) break;
          const auto& p = t.peerings[pick(static_cast<int>(t.peerings.size()))];
          int ti = pick(static_cast<int>(t.tables.size()));
          if (t.tables[ti].vpc != p.a && t.tables[ti].vpc != p.b) break;
          auto r = peering_route(t, ti, p, 900 + pick(99));
          bool dup = false;
          for (const auto& o : t.routes) dup |= (o.table == ti && o.cidr == r.cidr) || o.id == r.id;
          if (dup) break;
          t.routes.push_back(r);
          return "added " + r.id;
        }
        case 5: {
          int k = pick(static_cast<int>(t.routes.size()));
          std::string id = t.routes[k].id;
          t.routes.erase(t.routes.begin() + k);
          return "removed " + id;
        }
        case 6: {
          auto& s = t.subnets[pick(static_cast<int>(t.subnets.size()))];
          if (s.table < 0) break;
          s.table = -1;
          return "removed the association of " + s.id;
        }
        case 7: {
          auto& s = t.subnets[pick(static_cast<int>(t.subnets.size()))];
          int ti = pick(static_cast<int>(t.tables.size()));
          if (t.tables[ti].vpc != s.vpc || s.table == ti) break;
          s.table = ti;
          return "associated " + s.id + " with " + t.tables[ti].id;
        }
      }
    }
    return "";
  }
};

}  // namespace vpclab::testing
