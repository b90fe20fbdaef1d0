// model -> AWS CLI JSON, managed prefix lists: describe-managed-prefix-lists
// and, per list, get-managed-prefix-list-entries with --query adding the
// PrefixListId (the shape scripts/snapshot saves and the loader reads); and
// describe-vpc-endpoints, whose gateway endpoints route to those lists.
#include <cctype>

#include "snapshot/write_folder.h"

namespace vpclab::snapshot {

void write_prefix_lists(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at) {
  for (const auto& pl : net.prefix_lists) {
    Folder& f = at(pl.origin);
    std::string owner = pl.owner_id.empty() ? pl.origin.account : pl.owner_id;
    f.list("managed-prefix-lists.json", "PrefixLists")
        .push_back({{"PrefixListId", pl.id},
                    {"AddressFamily", pl.address_family},
                    {"State", "create-complete"},
                    {"PrefixListArn", "arn:aws:ec2:" + pl.origin.region + ":" + owner + ":prefix-list/" + pl.id},
                    {"PrefixListName", pl.name},
                    {"MaxEntries", pl.max_entries},
                    {"Version", 1},
                    {"Tags", ojson::array()},
                    {"OwnerId", owner}});
    ojson entries = ojson::array();
    for (const auto& e : pl.entries) {
      ojson j = {{"Cidr", e.text}};
      if (!e.description.empty()) j["Description"] = e.description;
      entries.push_back(j);
    }
    f.file("prefix-list-entries-" + pl.id + ".json", pl.id) = {{"PrefixListId", pl.id}, {"Entries", entries}};
  }
}

void write_vpc_endpoints(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at) {
  for (const auto& ep : net.vpc_endpoints) {
    Folder& f = at(ep.origin);
    ojson groups = ojson::array();
    if (ep.is_interface() && !ep.network_interfaces.empty())
      if (const auto* e = net.network_interface(ep.network_interfaces.front()))
        for (const auto& g : e->security_groups) {
          const auto* sg = net.security_group(g);
          groups.push_back({{"GroupId", g}, {"GroupName", sg ? sg->group_name : g}});
        }
    ojson dns = ojson::array();
    if (ep.is_interface() && ep.private_dns_enabled && !ep.dns_name.empty()) {
      // The hidden private zone's id: Z and upper-case characters, as Route 53 prints them.
      std::string zone = "Z" + ep.id.substr(5, 13);
      for (auto& ch : zone) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      dns.push_back({{"DnsName", ep.dns_name}, {"HostedZoneId", zone}});
    }
    f.list("vpc-endpoints.json", "VpcEndpoints")
        .push_back({{"VpcEndpointId", ep.id},
                    {"VpcEndpointType", ep.type},
                    {"VpcId", ep.vpc},
                    {"ServiceName", ep.service_name},
                    {"State", ep.state},
                    {"PolicyDocument", ep.policy_document},
                    {"RouteTableIds", ep.route_tables},
                    {"SubnetIds", ep.subnets},
                    {"Groups", groups},
                    {"PrivateDnsEnabled", ep.private_dns_enabled},
                    {"RequesterManaged", false},
                    {"NetworkInterfaceIds", ep.network_interfaces},
                    {"DnsEntries", dns},
                    {"CreationTimestamp", "2024-01-01T00:00:00.000Z"},
                    {"Tags", tags(ep.name)},
                    {"OwnerId", ep.origin.account}});
  }
}

}  // namespace vpclab::snapshot
