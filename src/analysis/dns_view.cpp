// The analyzer's DNS view: the model's DNS facts, and the trace's DNS hops
// and explanation codes rendered from semantics::VpcDns' reason (the rule
// itself lives there, shared with the lab's resolver).
#include "analysis/dns_view.h"

#include <set>

#include "analysis/impl.h"
#include "semantics/vpc_endpoint.h"

namespace vpclab::analysis {

semantics::DnsFacts dns_facts(const model::Network& net) {
  semantics::DnsFacts f;
  for (const auto& v : net.vpcs) f.vpcs.push_back({v.id, v.enable_dns_support, v.enable_dns_hostnames});
  for (const auto& inst : net.instances) {
    if (inst.state == model::InstanceState::kTerminated) continue;
    const auto* s = net.subnet(inst.subnet);
    if (!s) continue;
    f.hosts.push_back({s->vpc, inst.private_ip, inst.private_dns_name, inst.public_ip, inst.public_dns_name, inst.id});
  }
  for (const auto& pc : net.peerings)
    if (pc.state == model::PeeringState::kActive)
      f.peerings.push_back({pc.requester.vpc, pc.accepter.vpc, pc.requester.allow_dns_resolution_from_remote_vpc,
                            pc.accepter.allow_dns_resolution_from_remote_vpc, pc.id});
  for (const auto& z : net.hosted_zones) {
    semantics::HostedZoneFacts hz{z.id, z.name, z.is_private, {}, z.records};
    for (const auto& a : z.vpcs) hz.vpcs.push_back(a.vpc);
    f.zones.push_back(std::move(hz));
  }
  for (const auto& lb : net.load_balancers) {
    if (lb.dns_name.empty()) continue;
    semantics::LoadBalancerName n{lb.dns_name, {}, lb.internal, lb.arn};
    for (const auto& nd : lb.nodes) {
      if (!lb.internal && nd.public_ip) n.addresses.push_back(*nd.public_ip);
      else if (nd.private_ip.value) n.addresses.push_back(nd.private_ip);
    }
    f.load_balancers.push_back(std::move(n));
  }
  // AWS services' names: interface endpoints with private DNS (in their
  // VPC), and S3's and DynamoDB's public names in each Region of the network
  // (the model's AWS-managed prefix list when it has one, else AWS's known
  // or stand-in list: semantics/vpc_endpoint.h).
  for (const auto& ep : net.vpc_endpoints) {
    if (!ep.is_interface() || !ep.private_dns_enabled || ep.dns_name.empty()) continue;
    semantics::ServiceDnsName sn{ep.dns_name, ep.vpc, {}, ep.id};
    for (const auto& id : ep.network_interfaces)
      if (const auto* e = net.network_interface(id)) sn.addresses.push_back(e->private_ip);
    f.services.push_back(std::move(sn));
  }
  for (const auto& a : aws_service_addresses(net)) f.services.push_back({a.dns_name, "", {a.public_address}, a.prefix_list});
  return f;
}

std::vector<AwsServiceAddresses> aws_service_addresses(const model::Network& net) {
  std::vector<AwsServiceAddresses> out;
  std::set<std::string> regions;
  for (const auto& v : net.vpcs) regions.insert(v.origin.region);
  for (const auto& region : regions)
    for (const char* service : {"s3", "dynamodb"}) {
      semantics::ServiceName svc{region, service, false};
      auto known = semantics::aws_managed_prefix_list(svc);
      AwsServiceAddresses a{region, service, known->id, semantics::service_public_dns_name(svc), known->cidrs, {}};
      for (const auto& pl : net.prefix_lists)
        if (pl.name == known->name) {
          a.prefix_list = pl.id;
          a.cidrs.clear();
          for (const auto& e : pl.entries)
            if (e.cidr) a.cidrs.push_back(*e.cidr);
        }
      if (a.cidrs.empty()) continue;
      a.public_address = semantics::service_public_address(a.cidrs);
      out.push_back(std::move(a));
    }
  return out;
}

const semantics::VpcDns& Analyzer::Impl::dns() const {
  std::call_once(dns_once, [this] { dns_index = std::make_unique<semantics::VpcDns>(dns_facts(net)); });
  return *dns_index;
}

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

semantics::DnsAnswer trace_dns(const Analyzer::Impl& im, const model::Vpc* vpc, const std::string& raw,
                                   std::vector<Hop>& hops, std::vector<Explanation>& expl) {
  using semantics::DnsRule;
  const semantics::VpcDns& dns = im.dns();
  const semantics::DnsFacts& facts = dns.facts();
  semantics::DnsAnswer ans = dns.resolve(vpc ? std::string_view(vpc->id) : std::string_view(), raw, "A", true);
  const bool resolved = !ans.addresses().empty();

  auto hop = [&](std::string id, std::string display, std::string check, std::string matched, SourceLoc loc, bool ok) {
    hops.push_back(Hop{"dns", std::move(id), std::move(display), "dns", std::move(check), std::move(matched), loc, ok});
  };
  auto explain = [&](const char* code, std::string component, std::string message, SourceLoc loc) {
    const CodeInfo* ci = code_info(code);
    expl.push_back(Explanation{code, std::move(component), std::move(message), ci ? ci->fix : "", loc});
  };
  const std::string who = vpc ? "VPC " + vpc->origin.display(vpc->id) : std::string("the internet");
  auto zone_of = [&](const semantics::DnsStep& s) -> const model::HostedZone& {
    return im.net.hosted_zones[static_cast<size_t>(s.zone)];  // dns_facts keeps the model's order
  };
  auto record_of = [&](const semantics::DnsStep& s) -> const dns::Record& {
    return facts.zones[static_cast<size_t>(s.zone)].records[static_cast<size_t>(s.record)];
  };
  auto instance_of = [&](const semantics::DnsStep& s) {
    return im.net.instance(facts.hosts[static_cast<size_t>(s.host)].instance);
  };
  // With hostnames off the private zone's refusal is the story, unless
  // public DNS answered anyway.
  bool hostnames_off = false;
  const model::HostedZone* refused_zone = nullptr;

  for (const auto& s : ans.steps) {
    const std::string& name = s.name;
    switch (s.rule) {
      case DnsRule::kResolverDisabled:
        hop(vpc->id, vpc->origin.display(vpc->id), "resolve " + name, "EnableDnsSupport is false", vpc->origin.loc, false);
        explain("DNS_RESOLUTION_DISABLED", im.component(vpc->origin, vpc->id),
                "the resolver of " + who + " is disabled, so " + name + " does not resolve", vpc->origin.loc);
        expl.back().blocker = Blocker{Blocker::Kind::kVpcDnsSupport, vpc->id};
        break;
      case DnsRule::kHostnamesDisabled: {
        const auto& z = zone_of(s);
        hop(z.id, z.name, "resolve " + name, "EnableDnsHostnames is false on " + vpc->origin.display(vpc->id),
            vpc->origin.loc, false);
        hostnames_off = true;
        refused_zone = &z;
        break;
      }
      case DnsRule::kPrivateZone: {
        const auto& z = zone_of(s);
        hop(z.id, z.name, "resolve " + name, "private hosted zone " + z.name + " (associated with " + who + ")",
            z.origin.loc, true);
        break;
      }
      case DnsRule::kPublicZone: {
        const auto& z = zone_of(s);
        hop(z.id, z.name, "resolve " + name, "public hosted zone " + z.name, z.origin.loc, true);
        break;
      }
      case DnsRule::kZoneLacksName: {
        const auto& z = zone_of(s);
        const char* kind = z.is_private ? "private" : "public";
        hop(z.id, z.name, "resolve " + name + " in " + kind + " zone " + z.name, "no A record: NXDOMAIN", z.origin.loc,
            false);
        explain("DNS_NXDOMAIN", im.component(z.origin, z.id),
                std::string(kind) + " hosted zone " + z.name + " answers for " + who + " and has no record for " +
                    name + " (no fallback to other zones or public DNS)",
                z.origin.loc);
        break;
      }
      case DnsRule::kRecord: {
        const auto& z = zone_of(s);
        const auto& r = record_of(s);
        hop(z.id, z.name, r.type + " " + r.name, joined(s.values), r.loc, true);
        break;
      }
      case DnsRule::kCname:
      case DnsRule::kAlias: {
        const auto& z = zone_of(s);
        const auto& r = record_of(s);
        hop(z.id, z.name, (s.rule == DnsRule::kCname ? "CNAME " : "alias ") + r.name,
            s.rule == DnsRule::kCname ? r.values.front() : r.alias.dns_name, r.loc, true);
        break;
      }
      case DnsRule::kLoadBalancer: {
        const auto& n = facts.load_balancers[static_cast<size_t>(s.load_balancer)];
        const model::LoadBalancer* lb = nullptr;
        for (const auto& l : im.net.load_balancers)
          if (l.arn == n.id) lb = &l;
        if (!lb) break;
        hop(lb->arn, lb->origin.display(lb->name), "resolve " + name,
            std::string(lb->internal ? "internal" : "internet-facing") + " load balancer nodes: " + joined(s.values),
            lb->origin.loc, !s.values.empty());
        if (s.values.empty())
          explain("DNS_NXDOMAIN", im.component(lb->origin, lb->name), "load balancer " + lb->name + " has no nodes",
                  lb->origin.loc);
        break;
      }
      case DnsRule::kEndpointPrivateDns: {
        const auto& sn = facts.services[static_cast<size_t>(s.service)];
        const model::VpcEndpoint* ep = im.net.vpc_endpoint(sn.id);
        hop(sn.id, ep ? ep->origin.display(ep->id) : sn.id, "resolve " + name,
            "private DNS of interface endpoint " + sn.id + " in " + who + ": its network interfaces " + joined(s.values),
            ep ? ep->origin.loc : SourceLoc{}, !s.values.empty());
        if (s.values.empty())
          explain("DNS_NXDOMAIN", sn.id, "interface endpoint " + sn.id + " has no network interface", {});
        break;
      }
      case DnsRule::kServicePublicName: {
        const auto& sn = facts.services[static_cast<size_t>(s.service)];
        hop(sn.id, sn.id, "resolve " + name,
            "AWS service public name: " + joined(s.values) + " (in prefix list " + sn.id + ")", {}, true);
        break;
      }
      case DnsRule::kPrivateHostname:
      case DnsRule::kPrivateHostnameOutOfScope:
      case DnsRule::kPublicHostnameSameVpc:
      case DnsRule::kPublicHostnameViaPeering:
      case DnsRule::kPublicHostnamePublicIp:
      case DnsRule::kPublicHostnameNoPublicIp: {
        const model::Instance* inst = instance_of(s);
        if (!inst) break;
        std::string ip = s.values.empty() ? "" : s.values.front();
        auto ok = [&](std::string why) {
          hop(inst->id, inst->origin.display(inst->id), "resolve " + name, why + ip, inst->origin.loc, true);
        };
        if (s.rule == DnsRule::kPrivateHostname) {
          ok("private hostname -> ");
        } else if (s.rule == DnsRule::kPrivateHostnameOutOfScope) {
          hop(inst->id, inst->origin.display(inst->id), "resolve " + name, "private hostname not resolvable from " + who,
              inst->origin.loc, false);
          explain("DNS_NXDOMAIN", im.component(inst->origin, inst->id),
                  name + " is an Amazon private hostname: only its own VPC (with DNS hostnames on) resolves it",
                  inst->origin.loc);
        } else if (s.rule == DnsRule::kPublicHostnameSameVpc) {
          ok("same VPC: private IP ");
        } else if (s.rule == DnsRule::kPublicHostnameViaPeering) {
          ok("peering " + facts.peerings[static_cast<size_t>(s.peering)].id +
             " allows DNS resolution from the remote VPC: private IP ");
        } else if (s.rule == DnsRule::kPublicHostnamePublicIp) {
          ok("public IP ");
        } else {
          explain("DNS_NXDOMAIN", im.component(inst->origin, inst->id), name + " has no public IP", inst->origin.loc);
        }
        break;
      }
      case DnsRule::kNotAssociated: {
        const auto& z = zone_of(s);
        hop(z.id, z.name, "resolve " + name, "only in private zone " + z.name + ", not associated with " + who,
            z.origin.loc, false);
        explain("DNS_ZONE_NOT_ASSOCIATED", im.component(z.origin, z.id),
                name + " exists only in private hosted zone " + z.name + ", which is not associated with " + who,
                z.origin.loc);
        if (vpc) {
          Blocker b{Blocker::Kind::kZoneAssociation, z.id};
          b.vpc = vpc->id;
          expl.back().blocker = b;
        }
        break;
      }
      case DnsRule::kNxDomain:
        hop("", "", "resolve " + name, "NXDOMAIN", {}, false);
        if (!hostnames_off)
          explain("DNS_NXDOMAIN", name,
                  "no zone, load balancer or instance in this network answers " + name + " for " + who, {});
        break;
      case DnsRule::kOutsideLab:
        hop("", "", "resolve " + name, "SERVFAIL: outside the lab", {}, false);
        if (!hostnames_off)
          explain("DNS_NAME_OUTSIDE_LAB", name,
                  name + " is in no hosted zone of this network and not an Amazon-provided name: AWS's resolver "
                         "would ask the internet's DNS, which vpclab does not model (the lab's resolver answers SERVFAIL)",
                  {});
        break;
      case DnsRule::kChainTooLong:
        explain("DNS_NXDOMAIN", name, "CNAME/alias chain too long at " + name, {});
        break;
    }
  }
  if (hostnames_off && !resolved)
    expl.insert(expl.begin(), Explanation{"DNS_HOSTNAMES_DISABLED", im.component(vpc->origin, vpc->id),
                                          "private hosted zone " + refused_zone->name + " does not answer " + who +
                                              " while EnableDnsHostnames is false",
                                          code_info("DNS_HOSTNAMES_DISABLED")->fix, vpc->origin.loc, false,
                                          Blocker{Blocker::Kind::kVpcDnsHostnames, vpc->id}});
  return ans;
}

}  // namespace vpclab::analysis
