// CloudFormation -> model, EC2 instances: network interfaces and their attachments, instances (their
// interfaces, addresses, UserData).
#include <fmt/format.h>

#include <algorithm>

#include "semantics/eni.h"
#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kPrivateIpSpec = {{"PrivateIpAddress", K::kString, true}, {"Primary", K::kBool, true}};
const Schema kNetworkInterface = {{"SubnetId", K::kString, true},
                                  {"Description", K::kString},
                                  {"GroupSet", K::kStringList},
                                  {"PrivateIpAddress", K::kString},
                                  {"PrivateIpAddresses", K::kList, false, &kPrivateIpSpec},
                                  {"SecondaryPrivateIpAddressCount", K::kInt},
                                  {"SourceDestCheck", K::kBool},
                                  {"InterfaceType", K::kString},
                                  {"Ipv6AddressCount", K::kInt},
                                  {"Ipv6Addresses", K::kList},
                                  {"Ipv4Prefixes", K::kList},
                                  {"Ipv4PrefixCount", K::kInt},
                                  {"Ipv6Prefixes", K::kList},
                                  {"Ipv6PrefixCount", K::kInt},
                                  {"EnablePrimaryIpv6", K::kBool},
                                  {"ConnectionTrackingSpecification", K::kMap},
                                  {"Tags", K::kList, false, &kTag}};
const Schema kNetworkInterfaceAttachment = {{"InstanceId", K::kString, true},
                                            {"NetworkInterfaceId", K::kString, true},
                                            {"DeviceIndex", K::kInt, true},
                                            {"DeleteOnTermination", K::kBool},
                                            {"EnaSrdSpecification", K::kMap}};
const Schema kInstanceNic = {{"DeviceIndex", K::kInt, true},
                             {"AssociatePublicIpAddress", K::kBool},
                             {"AssociateCarrierIpAddress", K::kBool},
                             {"DeleteOnTermination", K::kBool},
                             {"Description", K::kString},
                             {"GroupSet", K::kStringList},
                             {"NetworkInterfaceId", K::kString},
                             {"PrivateIpAddress", K::kString},
                             {"PrivateIpAddresses", K::kList, false, &kPrivateIpSpec},
                             {"SecondaryPrivateIpAddressCount", K::kInt},
                             {"SubnetId", K::kString},
                             {"Ipv6AddressCount", K::kInt},
                             {"Ipv6Addresses", K::kList},
                             {"NetworkCardIndex", K::kInt},
                             {"EnaSrdSpecification", K::kMap}};
const Schema kInstance = {{"ImageId", K::kString},
                          {"InstanceType", K::kString},
                          {"KeyName", K::kString},
                          {"SubnetId", K::kString},
                          {"SecurityGroupIds", K::kStringList},
                          {"SecurityGroups", K::kStringList},
                          {"PrivateIpAddress", K::kString},
                          {"NetworkInterfaces", K::kList, false, &kInstanceNic},
                          {"UserData", K::kString},
                          {"SourceDestCheck", K::kBool},
                          {"AvailabilityZone", K::kString},
                          {"Tags", K::kList, false, &kTag},
                          {"AdditionalInfo", K::kString},
                          {"Affinity", K::kString},
                          {"BlockDeviceMappings", K::kList},
                          {"CpuOptions", K::kMap},
                          {"CreditSpecification", K::kMap},
                          {"DisableApiTermination", K::kBool},
                          {"EbsOptimized", K::kBool},
                          {"ElasticGpuSpecifications", K::kList},
                          {"ElasticInferenceAccelerators", K::kList},
                          {"EnclaveOptions", K::kMap},
                          {"HibernationOptions", K::kMap},
                          {"HostId", K::kString},
                          {"HostResourceGroupArn", K::kString},
                          {"IamInstanceProfile", K::kString},
                          {"InstanceInitiatedShutdownBehavior", K::kString},
                          {"Ipv6AddressCount", K::kInt},
                          {"Ipv6Addresses", K::kList},
                          {"KernelId", K::kString},
                          {"LaunchTemplate", K::kMap},
                          {"LicenseSpecifications", K::kList},
                          {"MetadataOptions", K::kMap},
                          {"Monitoring", K::kBool},
                          {"PlacementGroupName", K::kString},
                          {"PrivateDnsNameOptions", K::kMap},
                          {"PropagateTagsToVolumeOnCreation", K::kBool},
                          {"RamdiskId", K::kString},
                          {"SsmAssociations", K::kList},
                          {"Tenancy", K::kString},
                          {"Volumes", K::kList}};


}  // namespace

void ModelSink::Impl::ec2_instances_types(TypeTable& t) {
  t["AWS::EC2::NetworkInterface"] = {&kNetworkInterface, &Impl::add_network_interface};
  t["AWS::EC2::NetworkInterfaceAttachment"] = {&kNetworkInterfaceAttachment, &Impl::add_network_interface_attachment};
  t["AWS::EC2::Instance"] = {&kInstance, &Impl::add_instance};
}

std::optional<Value> ModelSink::Impl::ec2_instances_att(const StackContext& stack, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kNetworkInterface: {
      auto& n = net.network_interfaces[e.index];
      if (a == "Id") return str_value(n.id);
      if (a == "PrimaryPrivateIpAddress") return str_value(ensure_private_ip(n).str());
      if (a == "SecondaryPrivateIpAddresses") {
        std::vector<std::string> ips;
        for (auto ip : n.secondary_private_ips) ips.push_back(ip.str());
        return list_value(ips);
      }
      if (a == "PrimaryIpv6Address") return str_value("");
      if (a == "Ipv6Addresses") return list_value({});
      if (a == "VpcId") return str_value(n.vpc);
      break;
    }
    case Kind::kInstance: {
      auto& i = net.instances[e.index];
      if (a == "InstanceId") return str_value(i.id);
      if (a == "PrivateIp") return str_value(ensure_private_ip(i).str());
      if (a == "PrivateDnsName") return str_value(model::private_dns_name(ensure_private_ip(i), stack.region));
      if (a == "PublicIp") return str_value(i.public_ip ? i.public_ip->str() : "");
      if (a == "PublicDnsName") {
        const model::Subnet* s = subnet(i.subnet);
        const model::Vpc* v = s ? vpc(s->vpc) : nullptr;
        bool named = i.public_ip && v && v->enable_dns_hostnames;
        return str_value(named ? model::public_dns_name(*i.public_ip, stack.region) : "");
      }
      if (a == "AvailabilityZone") {
        const model::Subnet* s = subnet(i.subnet);
        return str_value(s ? s->availability_zone : stack.region + "a");
      }
      if (a == "VpcId") {
        const model::Subnet* s = subnet(i.subnet);
        return str_value(s ? s->vpc : "");
      }
      break;
    }
    default:
      break;
  }
  return std::nullopt;
}

// ---- interfaces and instances -------------------------------------------
// Reads PrivateIpAddress / PrivateIpAddresses of an interface spec.
void ModelSink::Impl::interface_addresses(const C& c, const Value& spec, model::NetworkInterface& e) {
  if (auto a = address(c, spec.get("PrivateIpAddress"), "PrivateIpAddress")) e.private_ip = *a;
  if (const Value* list = spec.get("PrivateIpAddresses"); list && list->is_list()) {
    int primaries = 0;
    for (const auto& item : list->items()) {
      auto a = address(c, item.get("PrivateIpAddress"), "PrivateIpAddress");
      if (!a) continue;
      if (to_bool(item.get("Primary"), false)) {
        ++primaries;
        if (e.private_ip.value && e.private_ip != *a)
          c.error(item.loc(), "E3014", "the primary address differs from PrivateIpAddress");
        e.private_ip = *a;
      } else {
        e.secondary_private_ips.push_back(*a);
      }
    }
    if (primaries > 1) c.error(list->loc(), "E3014", "only one address may be Primary");
  }
  // Explicit addresses are reserved the moment they are seen, so automatic
  // allocations (done at finalize, or earlier when a GetAtt asks) avoid
  // them. An automatic address handed out for a GetAtt before a later
  // resource asks for the same explicit address makes that resource fail
  // with ENI_ADDRESS_IN_USE, as its creation would in AWS.
  if (model::Subnet* s = subnet(e.subnet)) {
    if (e.private_ip.value) plan.reserve(*s, e.private_ip);
    for (auto a : e.secondary_private_ips) plan.reserve(*s, a);
  }
}

std::vector<std::string> ModelSink::Impl::group_ids(const Value* v, const std::string& vpc) {
  std::vector<std::string> out;
  for (const auto& s : strings(v)) {
    if (s.rfind("sg-", 0) == 0) {
      out.push_back(s);
      continue;
    }
    // A group name (SecurityGroups): look it up in the instance's VPC.
    std::string id = group_id_by_name(s, vpc);
    out.push_back(id.empty() ? s : id);
  }
  return out;
}

void ModelSink::Impl::add_network_interface(C& c) {
  model::NetworkInterface e;
  e.id = c.id("eni");
  e.origin = c.origin;
  e.subnet = c.str("SubnetId");
  if (model::Subnet* s = subnet(e.subnet)) e.vpc = s->vpc;
  e.security_groups = group_ids(c.prop("GroupSet"), e.vpc);
  e.source_dest_check = to_bool(c.prop("SourceDestCheck"), true);
  interface_addresses(c, c.r.properties, e);
  eni_ix[e.id] = net.network_interfaces.size();
  reg(c, Kind::kNetworkInterface, e.id, net.network_interfaces.size());
  net.network_interfaces.push_back(std::move(e));
}

void ModelSink::Impl::add_network_interface_attachment(C& c) {
  reg(c, Kind::kNetworkInterfaceAttachment, c.id("eni-attach"), SIZE_MAX);
  model::Instance* i = instance(c.str("InstanceId"));
  if (!i) return not_modeled(c, c.prop("InstanceId"), "instance");
  model::NetworkInterface* e = eni(c.str("NetworkInterfaceId"));
  if (!e) return not_modeled(c, c.prop("NetworkInterfaceId"), "network interface");
  e->owner_kind = model::EniOwnerKind::kInstance;
  e->owner_id = i->id;
  i->network_interfaces.push_back(e->id);
}

void ModelSink::Impl::add_instance(C& c) {
  model::Instance inst;
  inst.id = c.id("i");
  inst.origin = c.origin;
  inst.name = name_tag(c.prop("Tags"));
  inst.key_name = c.str("KeyName");
  inst.image_id = c.str("ImageId");
  inst.instance_type = c.str("InstanceType");
  inst.user_data = user_data(c, c.prop("UserData"));
  const Value* nics = c.prop("NetworkInterfaces");
  std::vector<model::NetworkInterface> created;
  std::vector<std::string> attached;
  if (nics && nics->is_list() && !nics->items().empty()) {
    for (const char* conflicting : {"SubnetId", "SecurityGroupIds", "SecurityGroups", "PrivateIpAddress"})
      if (c.prop(conflicting))
        c.error(c.loc_of(conflicting), "E3014",
                fmt::format("{}: {} cannot be given together with NetworkInterfaces", c.who(), conflicting));
    std::vector<const Value*> items;
    for (const auto& item : nics->items())
      if (item.is_map()) items.push_back(&item);
    std::stable_sort(items.begin(), items.end(), [](const Value* a, const Value* b) {
      return to_int(a->get("DeviceIndex")).value_or(0) < to_int(b->get("DeviceIndex")).value_or(0);
    });
    for (const Value* item : items) {
      if (const Value* existing = item->get("NetworkInterfaceId")) {
        model::NetworkInterface* e = eni(text(existing));
        if (!e) {
          not_modeled(c, existing, "network interface");
          continue;
        }
        e->owner_kind = model::EniOwnerKind::kInstance;
        e->owner_id = inst.id;
        attached.push_back(e->id);
        continue;
      }
      model::Subnet* s = nullptr;
      model::NetworkInterface e = instance_interface(c, text(item->get("DeviceIndex")), text(item->get("SubnetId")), s);
      e.security_groups = group_ids(item->get("GroupSet"), e.vpc);
      interface_addresses(c, *item, e);
      const Value* assoc = item->get("AssociatePublicIpAddress");
      if (semantics::public_ip_at_launch(static_cast<int>(to_int(item->get("DeviceIndex")).value_or(0)), assoc != nullptr,
                                         to_bool(assoc, false), s && s->map_public_ip_on_launch, items.size()))
        e.public_ip = plan.allocate_public();
      created.push_back(std::move(e));
    }
  } else {
    model::Subnet* s = nullptr;
    model::NetworkInterface e = instance_interface(c, "0", c.str("SubnetId"), s);
    auto ids = group_ids(c.prop("SecurityGroupIds"), e.vpc);
    auto named = group_ids(c.prop("SecurityGroups"), e.vpc);
    ids.insert(ids.end(), named.begin(), named.end());
    e.security_groups = ids;
    interface_addresses(c, c.r.properties, e);
    if (semantics::public_ip_at_launch(0, false, false, s && s->map_public_ip_on_launch, 1))
      e.public_ip = plan.allocate_public();
    created.push_back(std::move(e));
  }
  e_source_dest(c, created);
  // Interfaces in device order: created ones were sorted, attached ones
  // (existing ENIs) keep their place after the created primary.
  for (auto& e : created) {
    e.owner_kind = model::EniOwnerKind::kInstance;
    e.owner_id = inst.id;
    inst.network_interfaces.push_back(e.id);
    eni_ix[e.id] = net.network_interfaces.size();
    net.network_interfaces.push_back(std::move(e));
  }
  for (auto& id : attached) inst.network_interfaces.push_back(id);
  if (!inst.network_interfaces.empty()) {
    if (model::NetworkInterface* primary = eni(inst.network_interfaces.front())) {
      inst.subnet = primary->subnet;
      inst.private_ip = primary->private_ip;
      inst.public_ip = primary->public_ip;
    }
  }
  instance_ix[inst.id] = net.instances.size();
  reg(c, Kind::kInstance, inst.id, net.instances.size());
  net.instances.push_back(std::move(inst));
}

model::NetworkInterface ModelSink::Impl::instance_interface(const C& c, const std::string& device,
                                                            std::string subnet_id, model::Subnet*& s) {
  model::NetworkInterface e;
  e.id = model::make_id("eni", {c.stack.account, c.stack.region, c.stack.name, c.r.logical_id, device});
  e.origin = c.origin;
  e.subnet = std::move(subnet_id);
  if (e.subnet.empty()) e.subnet = default_subnet(c, c.str("AvailabilityZone"));
  s = subnet(e.subnet);
  if (s) e.vpc = s->vpc;
  return e;
}

void ModelSink::Impl::e_source_dest(const C& c, std::vector<model::NetworkInterface>& created) {
  if (const Value* v = c.prop("SourceDestCheck"))
    for (auto& e : created) e.source_dest_check = to_bool(v, true);
}

// The instance's primary private IP, allocated now if still open (GetAtt).
Ipv4Address ModelSink::Impl::ensure_private_ip(model::NetworkInterface& e) {
  if (e.private_ip.value == 0)
    if (model::Subnet* s = subnet(e.subnet))
      if (auto a = plan.allocate(*s)) e.private_ip = *a;
  return e.private_ip;
}

Ipv4Address ModelSink::Impl::ensure_private_ip(model::Instance& inst) {
  if (inst.network_interfaces.empty()) return {};
  model::NetworkInterface* e = eni(inst.network_interfaces.front());
  if (!e) return {};
  inst.private_ip = ensure_private_ip(*e);
  return inst.private_ip;
}

}  // namespace vpclab::tmpl
