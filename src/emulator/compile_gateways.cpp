// Internet gateways, the internet namespace, NAT gateways, routes to ENIs
// and instances, and sshd for key pairs (compile_context.h, gateways.h,
// ssh.h; docs/emulator.md "Internet gateways and NAT gateways", "SSH").
//
// - `internet`: one namespace; "a host on the internet" on its lo
//   (internet_host_address), the lab's public DNS there, one veth "ig<i>"
//   to the router of each VPC with an attached IGW, and a /32 route back
//   through it for each public IP of that VPC. Nothing else: no default
//   route, so private (RFC 1918/6598) destinations are unreachable there, as
//   the IGW drops them, and nothing leads to the host network.
// - The IGW is the router's side of that veth plus an nftables table in the
//   router: 1:1 NAT (DNAT public -> private on the way in, SNAT private ->
//   public on the way out) for every ENI/instance public IP, Elastic IP and
//   NAT gateway EIP; packets from a private address without a public IP are
//   dropped on the way out (semantics::igw_egress: kNoPublicIp), new packets
//   to an unmapped public IP on the way in. What arrives from the IGW looks
//   up the VPC's own subnets (table kPeeringLocalTable): inbound traffic
//   does not use the subnets' route tables, its replies do.
// - A NAT gateway is its ENI's namespace with forwarding on and an
//   nftables table: sources of its own VPC only (nat_gateway_accepts), TCP,
//   UDP and ICMP only (nat_gateway_forwards_protocol), source rewritten to
//   its private IP with ports in kNatGatewaySourcePorts, nothing new inbound.
#include <set>

#include "emulator/compile_context.h"
#include "emulator/gateways.h"
#include "emulator/ssh.h"
#include "dataplane/dns/resolver.h"
#include "semantics/gateway.h"
#include "semantics/packet.h"

namespace vpclab::emulator {

namespace {

const Ipv4Cidr kDefaultRoute = *Ipv4Cidr::parse("0.0.0.0/0");

void blackhole(CompileContext& ctx, const model::RouteTable& rt, const Ipv4Cidr& dst, uint32_t table) {
  ctx.plan().routes.push_back({rt.vpc, table, dst, RouteType::kBlackhole, std::nullopt, ""});
}

// A route "via an ENI's private IP" leaves through the bridge of the ENI's
// subnet (the router has no other way to that address).
bool via_eni(CompileContext& ctx, const model::RouteTable& rt, const Ipv4Cidr& dst, uint32_t table,
             const std::string& subnet_id, Ipv4Address ip) {
  const auto* s = ctx.net.subnet(subnet_id);
  auto br = ctx.bridge_of.find(subnet_id);
  if (!s || s->vpc != rt.vpc || br == ctx.bridge_of.end() || !ip.value) {
    blackhole(ctx, rt, dst, table);  // AWS shows such a route as blackhole
    return true;
  }
  ctx.plan().routes.push_back({rt.vpc, table, dst, RouteType::kUnicast, ip, br->second});
  return true;
}

// The ENI a route to an instance goes to: its primary interface.
const model::NetworkInterface* primary_eni(const model::Network& net, const model::Instance& inst) {
  return inst.network_interfaces.empty() ? nullptr : net.network_interface(inst.network_interfaces.front());
}

size_t igw_index(const model::Network& net, const std::string& id) {
  for (size_t i = 0; i < net.internet_gateways.size(); ++i)
    if (net.internet_gateways[i].id == id) return i;
  return net.internet_gateways.size();
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

struct PublicMapping {
  Ipv4Address private_ip, public_ip;
};

// Private -> public address pairs per VPC: ENI public IPs and EIPs (the
// model has put EIPs on their ENIs), instances without ENI records, NAT
// gateways' EIPs.
std::map<std::string, std::vector<PublicMapping>> public_mappings(const model::Network& net) {
  std::map<std::string, std::vector<PublicMapping>> out;
  std::set<uint32_t> privates, publics;
  auto add = [&](const std::string& subnet_id, Ipv4Address priv, std::optional<Ipv4Address> pub) {
    const auto* s = net.subnet(subnet_id);
    if (!s || !pub || !priv.value) return;
    if (!privates.insert(priv.value).second || !publics.insert(pub->value).second) return;
    out[s->vpc].push_back({priv, *pub});
  };
  for (const auto& e : net.network_interfaces) add(e.subnet, e.private_ip, e.public_ip);
  for (const auto& i : net.instances)
    if (i.state != model::InstanceState::kTerminated && i.network_interfaces.empty())
      add(i.subnet, i.private_ip, i.public_ip);
  for (const auto& n : net.nat_gateways) add(n.subnet, n.private_ip, n.public_ip);
  return out;
}

// The router's half of IGW `i`: 1:1 NAT and the public-IP rule.
std::string igw_nft(const std::string& dev, const std::vector<PublicMapping>& maps) {
  std::vector<std::string> sources, to_private, to_public;
  for (const auto& m : maps) {
    sources.push_back(m.private_ip.str());
    to_private.push_back(m.public_ip.str() + " : " + m.private_ip.str());
    to_public.push_back(m.private_ip.str() + " : " + m.public_ip.str());
  }
  auto elements = [](const std::vector<std::string>& v) {
    return v.empty() ? std::string() : " elements = { " + join(v, ", ") + " }";
  };
  std::string q = "\"" + dev + "\"";
  return "table ip vpclab_igw {\n"
         "  set public_sources { type ipv4_addr;" + elements(sources) + " }\n"
         "  map to_private { type ipv4_addr : ipv4_addr;" + elements(to_private) + " }\n"
         "  map to_public { type ipv4_addr : ipv4_addr;" + elements(to_public) + " }\n"
         "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
         "    iifname " + q + " dnat to ip daddr map @to_private\n"
         "  }\n"
         "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
         "    oifname " + q + " snat to ip saddr map @to_public\n"
         "  }\n"
         "  chain forward { type filter hook forward priority -10; policy accept;\n"
         "    iifname " + q + " ct state established,related accept\n"
         "    iifname " + q + " ct status dnat accept\n"
         "    iifname " + q + " drop\n"
         "    oifname " + q + " ip saddr @public_sources accept\n"
         "    oifname " + q + " drop\n"
         "  }\n"
         "}\n";
}

std::string nat_gateway_nft(const std::vector<Ipv4Cidr>& vpc_cidrs, Ipv4Address ip) {
  // The rules' own answers decide what the kernel lets through.
  std::vector<std::string> sources, protocols;
  for (const auto& c : vpc_cidrs)
    if (semantics::nat_gateway_accepts(vpc_cidrs, c.base) == semantics::NatVerdict::kAllowed) sources.push_back(c.str());
  for (IpProtocol p = 0; p < 256; ++p)
    if (semantics::nat_gateway_forwards_protocol(p)) protocols.push_back(std::to_string(p));
  std::string me = ip.str();
  std::string ports = me + ":" + std::to_string(semantics::kNatGatewaySourcePorts.from) + "-" +
                      std::to_string(semantics::kNatGatewaySourcePorts.to);
  std::string s = "table ip vpclab_natgw {\n"
                  "  chain forward { type filter hook forward priority 0; policy drop;\n"
                  "    ct state established,related accept\n";
  if (!sources.empty() && !protocols.empty())
    s += "    ct state new ip saddr { " + join(sources, ", ") + " } meta l4proto { " + join(protocols, ", ") + " } accept\n";
  s += "  }\n"
       "  chain input { type filter hook input priority 0; policy drop;\n"
       "    iifname \"lo\" accept\n"
       "    ct state established,related accept\n"
       "  }\n"
       "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n";
  for (IpProtocol p : {kTcp, kUdp})
    if (semantics::nat_gateway_forwards_protocol(p))
      s += "    ip saddr != " + me + " meta l4proto " + std::to_string(p) + " snat to " + ports + "\n";
  if (semantics::nat_gateway_forwards_protocol(kIcmp))
    s += "    ip saddr != " + me + " meta l4proto " + std::to_string(kIcmp) + " snat to " + me + "\n";
  s += "  }\n}\n";
  return s;
}

// ------------------------------------------------------------------ sshd

// Debian's sshd with privilege separation needs its `sshd` user; instances
// have Amazon Linux's `ec2-user` (uid 1000).
const char* kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "sshd:x:74:65534:privilege-separated SSH:/run/sshd:/usr/sbin/nologin\n"
    "ec2-user:x:1000:1000:EC2 Default User:/home/ec2-user:/bin/bash\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const char* kGroup =
    "root:x:0:\n"
    "daemon:x:1:\n"
    "adm:x:4:ec2-user\n"
    "wheel:x:10:ec2-user\n"
    "ec2-user:x:1000:\n"
    "nogroup:x:65534:\n";

// One shell line that makes sure `keys/FILE` exists (one writer at a time:
// instances sharing a KeyName start together).
std::string ensure_key(const std::string& rel, const std::string& comment) {
  return "flock keys/.lock sh -c " +
         quote("test -f " + quote(rel) + " || ssh-keygen -q -t ed25519 -N '' -C " + quote(comment) + " -f " + quote(rel)) +
         "\n";
}

void compile_sshd(CompileContext& ctx) {
  LabPlan& p = ctx.plan();
  std::set<std::string> key_names;
  for (const auto& inst : ctx.net.instances) {
    if (inst.state != model::InstanceState::kRunning || inst.key_name.empty()) continue;
    auto ns = std::find_if(p.namespaces.begin(), p.namespaces.end(),
                           [&](const NetnsPlan& n) { return n.name == inst.id; });
    if (ns == p.namespaces.end()) continue;
    key_names.insert(inst.key_name);
    auto has = [&](const char* f) {
      for (const auto& e : ns->etc_files)
        if (e.first == f) return true;
      return false;
    };
    if (!has("passwd")) ns->etc_files.push_back({"passwd", kPasswd});
    if (!has("group")) ns->etc_files.push_back({"group", kGroup});
    std::string key = "keys/" + key_file_name(inst.key_name);
    std::string host_key = "keys/host/" + inst.id;
    // cwd is the lab directory; sshd wants absolute paths.
    // ec2-user's home: a tmpfs on /home in sshd's own mount namespace
    // (sessions inherit it), so the host's /home is never touched.
    std::string script = "set -e\nlab=$(pwd)\nmkdir -p keys/host /run/sshd\n" + ensure_key(key, inst.key_name) +
                         ensure_key(host_key, "root@" + ns->hostname) +
                         "if mount -t tmpfs -o mode=0755 tmpfs /home 2>/dev/null; then\n"
                         "  mkdir -p /home/ec2-user && chown ec2-user:ec2-user /home/ec2-user 2>/dev/null && chmod 0700 /home/ec2-user\n"
                         "fi\n" +
                         "exec /usr/sbin/sshd -D -e -f /dev/null"
                         " -o HostKey=\"$lab/" + host_key + "\""
                         " -o \"AuthorizedKeysCommand=/usr/bin/cat $lab/" + key + ".pub\""
                         " -o AuthorizedKeysCommandUser=root -o AuthorizedKeysFile=none"
                         " -o AllowUsers=ec2-user -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no"
                         " -o UsePAM=no -o PidFile=none -o AddressFamily=inet -o PrintMotd=no -o PrintLastLog=no\n";
    ProcessPlan proc;
    proc.name = inst.id + "/sshd";
    proc.netns = inst.id;
    proc.argv = {"/bin/sh", "-c", script};
    proc.log_file = "logs/" + inst.id + ".sshd.log";
    p.processes.push_back(std::move(proc));
  }
  if (key_names.empty()) return;
  // `ssh` from the internet: every lab key, no host key prompts (the lab's
  // host keys are new on every `up`). Jump hosts (-J) read only this file,
  // not the command line's -i.
  for (auto& n : p.namespaces) {
    if (n.name != kInternetNetns) continue;
    std::string cfg = "Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n";
    for (const auto& k : key_names) cfg += "  IdentityFile " + std::string(kLabDirToken) + "/keys/" + key_file_name(k) + "\n";
    n.etc_files.push_back({"ssh/ssh_config", cfg});
  }
}

}  // namespace

std::string key_file_name(const std::string& key_name) {
  std::string out;
  for (char c : key_name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (out.empty()) out = "_";
  if (out[0] == '.') out[0] = '_';
  return out;
}

std::string igw_link_name(size_t index) { return "ig" + std::to_string(index); }
Ipv4Address igw_router_address(size_t index) {
  return Ipv4Address{Ipv4Address::parse("169.254.0.0")->value + static_cast<uint32_t>(4 * index + 1)};
}
Ipv4Address igw_internet_address(size_t index) {
  return Ipv4Address{Ipv4Address::parse("169.254.0.0")->value + static_cast<uint32_t>(4 * index + 2)};
}

Ipv4Address internet_host_address(const model::Network& net) {
  std::set<uint32_t> used;
  for (const auto& e : net.network_interfaces)
    if (e.public_ip) used.insert(e.public_ip->value);
  for (const auto& i : net.instances)
    if (i.public_ip) used.insert(i.public_ip->value);
  for (const auto& n : net.nat_gateways)
    if (n.public_ip) used.insert(n.public_ip->value);
  for (const auto& e : net.elastic_ips) used.insert(e.public_ip.value);
  for (const char* top : {"192.0.2.254", "198.19.255.254"}) {
    Ipv4Address a = *Ipv4Address::parse(top);
    for (uint32_t k = 0; k < 254; ++k)
      if (!used.count(a.value - k)) return Ipv4Address{a.value - k};
  }
  return *Ipv4Address::parse("198.18.0.1");  // unreachable in practice: 508 used addresses
}

bool compile_gateway_route(CompileContext& ctx, const model::RouteTable& rt, const Route& route, uint32_t table) {
  const model::Network& net = ctx.net;
  const Ipv4Cidr dst = *route.destination;
  switch (route.target_kind) {
    case RouteTargetKind::kInternetGateway: {
      size_t i = igw_index(net, route.target_id);
      if (i == net.internet_gateways.size() || net.internet_gateways[i].vpc != rt.vpc) {
        blackhole(ctx, rt, dst, table);  // not attached to this VPC: AWS says blackhole
        return true;
      }
      ctx.plan().routes.push_back({rt.vpc, table, dst, RouteType::kUnicast, igw_internet_address(i), igw_link_name(i)});
      return true;
    }
    case RouteTargetKind::kNatGateway: {
      const auto* nat = net.nat_gateway(route.target_id);
      if (!nat) {
        blackhole(ctx, rt, dst, table);
        return true;
      }
      return via_eni(ctx, rt, dst, table, nat->subnet, nat->private_ip);
    }
    case RouteTargetKind::kNetworkInterface: {
      const auto* eni = net.network_interface(route.target_id);
      if (!eni) {
        blackhole(ctx, rt, dst, table);
        return true;
      }
      return via_eni(ctx, rt, dst, table, eni->subnet, eni->private_ip);
    }
    case RouteTargetKind::kInstance: {
      const auto* inst = net.instance(route.target_id);
      if (!inst || inst->state == model::InstanceState::kTerminated) {
        blackhole(ctx, rt, dst, table);
        return true;
      }
      if (const auto* eni = primary_eni(net, *inst)) return via_eni(ctx, rt, dst, table, eni->subnet, eni->private_ip);
      return via_eni(ctx, rt, dst, table, inst->subnet, inst->private_ip);
    }
    case RouteTargetKind::kVpcEndpoint:
      return compile_vpc_endpoint_route(ctx, rt, route, table);
    default:
      return false;  // carrier gateways, ...: not emulated
  }
}

void compile_gateways(CompileContext& ctx) {
  const model::Network& net = ctx.net;
  LabPlan& p = ctx.plan();
  if (net.vpcs.empty()) return;

  // The internet.
  const std::string inet = kInternetNetns;
  Ipv4Address host = internet_host_address(net);
  NetnsPlan ns{inet, NetnsRole::kInternet, inet, "internet", {}};
  ns.etc_files.push_back({"hosts", "127.0.0.1 localhost\n" + host.str() + " internet\n"});
  ns.etc_files.push_back({"resolv.conf", "nameserver " + host.str() + "\noptions timeout:2 attempts:2\n"});
  p.namespaces.push_back(std::move(ns));
  ctx.out.targets[inet] = inet;
  p.sysctls.push_back({inet, "net.ipv4.ip_forward", "1"});  // between IGWs: one VPC's public IP to another's
  p.sysctls.push_back({inet, "net.ipv4.conf.all.rp_filter", "0"});
  p.sysctls.push_back({inet, "net.ipv4.conf.default.rp_filter", "0"});
  p.addresses.push_back({inet, "lo", host, 32});
  if (p.dns) p.dns_listen.push_back({inet, dataplane::kPublicDnsView, host, 53});
  // What the internet host sends leaves from its own address, not from the
  // link-local end of an IGW veth the kernel would pick.
  p.nft.push_back({inet,
                   "table ip vpclab_internet {\n"
                   "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
                   "    ip saddr 169.254.0.0/16 oifname \"ig*\" snat to " + host.str() + "\n"
                   "  }\n}\n",
                   "the internet host's address"});

  auto maps = public_mappings(net);
  for (size_t i = 0; i < net.internet_gateways.size(); ++i) {
    const auto& igw = net.internet_gateways[i];
    if (igw.vpc.empty() || !net.vpc(igw.vpc)) continue;  // detached: carries nothing
    const std::string dev = igw_link_name(i);
    const std::string& r = igw.vpc;
    p.veths.push_back({r, dev, "", inet, dev, ""});
    p.addresses.push_back({r, dev, igw_router_address(i), 30});
    p.addresses.push_back({inet, dev, igw_internet_address(i), 30});
    uint32_t& pref = ctx.next_pref[r];
    p.rules.push_back({r, pref++, dev, kPeeringLocalTable});
    p.rules.push_back({r, pref++, dev, std::nullopt});
    const auto& m = maps[r];
    for (const auto& pm : m)
      p.routes.push_back({inet, 254, Ipv4Cidr{pm.public_ip, 32}, RouteType::kUnicast, igw_router_address(i), dev});
    p.nft.push_back({r, igw_nft(dev, m), "internet gateway " + igw.id});
  }
  // Public IPs of VPCs without an IGW: nothing on the internet leads there.

  // NAT gateways.
  for (const auto& nat : net.nat_gateways) {
    const auto* s = net.subnet(nat.subnet);
    const auto* v = s ? net.vpc(s->vpc) : nullptr;
    auto place = ctx.eni_place.find(nat.network_interface);
    if (!v || place == ctx.eni_place.end()) {
      ctx.out.unsupported.push_back("NAT gateway " + nat.id + " (no network interface in the lab)");
      continue;
    }
    const std::string& nns = place->second.netns;
    p.sysctls.push_back({nns, "net.ipv4.ip_forward", "1"});
    p.nft.push_back({nns, nat_gateway_nft(v->cidrs, nat.private_ip), "NAT gateway " + nat.id});
  }

  // Source/destination check on ENIs that routes send traffic to: with the
  // check on (the default), AWS drops what the ENI would forward.
  std::set<std::string> checked;
  for (const auto& rt : net.route_tables)
    for (const auto& route : rt.routes) {
      const model::NetworkInterface* eni = nullptr;
      if (route.target_kind == RouteTargetKind::kNetworkInterface) eni = net.network_interface(route.target_id);
      if (route.target_kind == RouteTargetKind::kInstance)
        if (const auto* inst = net.instance(route.target_id)) eni = primary_eni(net, *inst);
      if (!eni || !eni->source_dest_check || !checked.insert(eni->id).second) continue;
      auto place = ctx.eni_place.find(eni->id);
      if (place == ctx.eni_place.end()) continue;
      p.nft.push_back({place->second.netns,
                       "table ip vpclab_srcdst {\n  chain forward { type filter hook forward priority 0; policy drop; }\n}\n",
                       "source/destination check of " + eni->id});
    }

  compile_sshd(ctx);
}

}  // namespace vpclab::emulator
