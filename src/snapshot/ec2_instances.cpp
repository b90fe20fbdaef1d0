// AWS CLI JSON -> model: describe-network-interfaces, describe-instances (reservations).
#include <algorithm>

#include "snapshot/loader.h"

namespace vpclab::snapshot {

namespace {

// "ELB app/NAME/ID" -> "app/NAME/ID"
std::string elb_full_name_of(const std::string& description) {
  if (description.rfind("ELB ", 0) != 0) return {};
  return description.substr(4);
}

model::InstanceState instance_state(const std::string& name) {
  if (name == "stopped" || name == "stopping") return model::InstanceState::kStopped;
  if (name == "terminated" || name == "shutting-down") return model::InstanceState::kTerminated;
  return model::InstanceState::kRunning;
}

}  // namespace

void Loader::network_interface(const Doc& d, const json& e, const std::string& p, const std::string& instance_id) {
  std::string id = str(e, "NetworkInterfaceId");
  if (id.empty()) {
    warn(d, p, "SNAP_MISSING", "network interface without NetworkInterfaceId; skipped");
    return;
  }
  auto existing = eni_ix_.find(id);
  if (existing != eni_ix_.end()) {
    // Seen in describe-network-interfaces already: describe-instances only
    // adds who owns it.
    auto& eni = net_.network_interfaces[existing->second];
    if (!instance_id.empty()) {
      eni.owner_kind = model::EniOwnerKind::kInstance;
      eni.owner_id = instance_id;
    }
    return;
  }
  model::NetworkInterface eni;
  eni.id = id;
  eni.origin = origin(d);
  eni.subnet = str(e, "SubnetId");
  auto sit = subnet_ix_.find(eni.subnet);
  if (sit == subnet_ix_.end()) {
    warn(d, p + ".SubnetId", "SNAP_DANGLING", "network interface " + id + " in unknown subnet '" + eni.subnet + "'; skipped");
    return;
  }
  eni.vpc = net_.subnets[sit->second].vpc;
  auto ip = Ipv4Address::parse(str(e, "PrivateIpAddress"));
  if (!ip) {
    warn(d, p + ".PrivateIpAddress", "SNAP_BAD_VALUE", "network interface " + id + " has no private IPv4 address; skipped");
    return;
  }
  eni.private_ip = *ip;
  if (const json* assoc = field(e, "Association")) {
    if (auto pub = Ipv4Address::parse(str(*assoc, "PublicIp"))) eni.public_ip = pub;
  }
  if (const json* ips = array(e, "PrivateIpAddresses")) {
    for (const auto& x : *ips) {
      if (boolean(x, "Primary").value_or(false)) continue;
      if (auto s = Ipv4Address::parse(str(x, "PrivateIpAddress")); s && *s != eni.private_ip)
        eni.secondary_private_ips.push_back(*s);
    }
  }
  if (const json* groups = array(e, "Groups")) {
    for (const auto& g : *groups) {
      std::string gid = str(g, "GroupId");
      if (!gid.empty()) eni.security_groups.push_back(gid);
    }
  }
  eni.source_dest_check = boolean(e, "SourceDestCheck").value_or(true);
  std::string type = str(e, "InterfaceType");
  std::string desc = str(e, "Description");
  std::string attached_instance;
  if (const json* att = field(e, "Attachment")) attached_instance = str(*att, "InstanceId");
  if (!instance_id.empty() || !attached_instance.empty()) {
    eni.owner_kind = model::EniOwnerKind::kInstance;
    eni.owner_id = instance_id.empty() ? attached_instance : instance_id;
  } else if (type == "nat_gateway" || desc.rfind("Interface for NAT Gateway ", 0) == 0) {
    eni.owner_kind = model::EniOwnerKind::kNatGateway;
    if (desc.rfind("Interface for NAT Gateway ", 0) == 0) eni.owner_id = desc.substr(26);
  } else if (!elb_full_name_of(desc).empty()) {
    eni.owner_kind = model::EniOwnerKind::kLoadBalancer;
    eni.owner_id = elb_full_name_of(desc);  // replaced by the ARN in link()
  }
  eni_ix_[id] = net_.network_interfaces.size();
  net_.network_interfaces.push_back(std::move(eni));
}

void Loader::instance(const Doc& d, const json& i, const std::string& p) {
  model::Instance inst;
  inst.id = str(i, "InstanceId");
  if (inst.id.empty() || inst_ix_.count(inst.id)) return;
  std::string state;
  if (const json* s = field(i, "State")) state = str(*s, "Name");
  inst.state = instance_state(state);
  if (inst.state == model::InstanceState::kTerminated) {
    note(d, p, "SNAP_INACTIVE", "instance " + inst.id + " is " + state + "; not modeled");
    return;
  }
  inst.origin = origin(d);
  inst.name = name_tag(i);
  inst.subnet = str(i, "SubnetId");
  if (!subnet_ix_.count(inst.subnet)) {
    warn(d, p + ".SubnetId", "SNAP_DANGLING", "instance " + inst.id + " in unknown subnet '" + inst.subnet + "'; skipped");
    return;
  }
  auto ip = Ipv4Address::parse(str(i, "PrivateIpAddress"));
  if (!ip) {
    warn(d, p + ".PrivateIpAddress", "SNAP_BAD_VALUE", "instance " + inst.id + " has no private IPv4 address; skipped");
    return;
  }
  inst.private_ip = *ip;
  if (auto pub = Ipv4Address::parse(str(i, "PublicIpAddress"))) inst.public_ip = pub;
  inst.private_dns_name = str(i, "PrivateDnsName");
  inst.public_dns_name = str(i, "PublicDnsName");
  inst.key_name = str(i, "KeyName");
  inst.image_id = str(i, "ImageId");
  inst.instance_type = str(i, "InstanceType");
  if (const json* enis = array(i, "NetworkInterfaces")) {
    std::vector<std::pair<long long, std::string>> by_index;
    for (size_t k = 0; k < enis->size(); ++k) {
      const json& e = (*enis)[k];
      size_t before = net_.network_interfaces.size();
      network_interface(d, e, at(p + ".NetworkInterfaces", k), inst.id);
      (void)before;
      std::string eid = str(e, "NetworkInterfaceId");
      if (!eni_ix_.count(eid)) continue;
      long long dev = 0;
      if (const json* att = field(e, "Attachment")) dev = integer(*att, "DeviceIndex").value_or(0);
      by_index.emplace_back(dev, eid);
    }
    std::stable_sort(by_index.begin(), by_index.end());
    for (auto& [dev, eid] : by_index) inst.network_interfaces.push_back(eid);
  }
  if (inst.network_interfaces.empty()) {
    // Older dumps without NetworkInterfaces: one interface from the
    // instance's own fields, so the instance still has an address.
    json e = {{"NetworkInterfaceId", "eni-of-" + inst.id}, {"SubnetId", inst.subnet},
              {"PrivateIpAddress", ip->str()}};
    if (inst.public_ip) e["Association"] = {{"PublicIp", inst.public_ip->str()}};
    json groups = json::array();
    if (const json* sgs = array(i, "SecurityGroups"))
      for (const auto& g : *sgs) groups.push_back({{"GroupId", str(g, "GroupId")}});
    e["Groups"] = groups;
    network_interface(d, e, p, inst.id);
    inst.network_interfaces.push_back("eni-of-" + inst.id);
  }
  inst_ix_[inst.id] = net_.instances.size();
  net_.instances.push_back(std::move(inst));
}

void Loader::reservations(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json* insts = array(a[i], "Instances");
    if (!insts) {
      warn(d, at(path, i), "SNAP_SHAPE", "reservation without Instances; skipped");
      continue;
    }
    for (size_t k = 0; k < insts->size(); ++k)
      instance(d, (*insts)[k], at(at(path, i) + ".Instances", k));
  }
}

}  // namespace vpclab::snapshot
