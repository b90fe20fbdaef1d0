// Internal to snapshot/write*.cpp: the folder of one account and region
// being written, and the writers kept in their own files.
#pragma once
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "model/network.h"

namespace vpclab::snapshot {

// Key order as the AWS CLI prints each response (it keeps the service's
// order), so the files read like the real thing.
using ojson = nlohmann::ordered_json;

inline ojson tags(const std::string& name) {
  ojson t = ojson::array();
  if (!name.empty()) t.push_back({{"Key", "Name"}, {"Value", name}});
  return t;
}

// The folder of one account and region, with the lists being filled.
struct Folder {
  std::map<std::string, ojson> files;  // file name -> document
  // Files about one resource (its attributes, listeners' rules, a zone's
  // records) -> that resource's id, for describe_resources().
  std::map<std::string, std::string> owner;
  ojson& file(const std::string& name, const std::string& owner_id) {
    owner[name] = owner_id;
    return files[name];
  }
  ojson& list(const std::string& file, const std::string& key) {
    auto& doc = files[file];
    if (doc.is_null()) doc = ojson::object({{key, ojson::array()}});
    return doc[key];
  }
};


// describe-transit-gateways, -attachments, -vpc-attachments, -route-tables and
// the propagations / static routes of each table, in Batfish's wrapper shapes
// (TransitGatewayPropagations, TransitGatewayStaticRoutes) that the loader reads
// (write_transit.cpp).
void write_transit_gateways(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at);
// describe-customer-gateways, -vpn-gateways, -vpn-connections (write_transit.cpp).
void write_vpn(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at);

// describe-managed-prefix-lists and each list's entries (write_prefix_lists.cpp).
void write_prefix_lists(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at);
// describe-vpc-endpoints (write_prefix_lists.cpp).
void write_vpc_endpoints(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at);

// describe-auto-scaling-groups, describe-launch-configurations,
// describe-launch-templates and each template's describe-launch-template-versions
// (write_autoscaling.cpp).
void write_auto_scaling(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at);

}  // namespace vpclab::snapshot
