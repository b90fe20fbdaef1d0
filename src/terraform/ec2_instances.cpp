// Terraform -> model, EC2 instances: aws_network_interface (+ inline
// attachment), aws_network_interface_attachment, aws_instance (subnet_id,
// private_ip, secondary_private_ips, vpc_security_group_ids, security_groups,
// associate_public_ip_address, network_interface / primary_network_interface
// blocks, user_data / user_data_base64, key_name).
#include <fmt/format.h>

#include <algorithm>

#include "semantics/eni.h"
#include "template/to_model.h"
#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {

bool is_sha1(const std::string& s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}
}  // namespace

void Reader::add_network_interface(Resource& r) {
  Node n = top(r);
  model::NetworkInterface e;
  e.id = r.id;
  e.origin = origin(r);
  e.subnet = id_or_only(n, "subnet_id", kSubnetTypes, "subnet");
  model::Subnet* s = find(net_.subnets, subnet_ix_, e.subnet);
  if (!s) return ref_missing(n, "subnet_id", e.subnet, "subnet");
  e.vpc = s->vpc;
  Want quiet, sgs;
  quiet.quiet = true;
  sgs.types = kSgTypes;
  sgs.many = true;
  sgs.quiet = true;
  std::vector<std::string> ips;
  if (auto ip = str(n, "private_ip", quiet)) ips.push_back(*ip);
  for (const auto& ip : strs(n, "private_ips", quiet))
    if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
  for (size_t i = 0; i < ips.size(); ++i) {
    auto a = address(n, "private_ips", ips[i]);
    if (!a) continue;
    if (!plan_.reserve(*s, *a))
      warning(n, "private_ips", "TF_VALUE", fmt::format("{} is not a free address of subnet {}", ips[i], s->cidr.str()));
    if (i == 0) e.private_ip = *a;
    else e.secondary_private_ips.push_back(*a);
  }
  e.security_groups = strs(n, "security_groups", sgs);
  e.source_dest_check = str(n, "source_dest_check", quiet).value_or("true") == "true";
  r.attrs["private_ip"] = e.private_ip.value ? e.private_ip.str() : "";
  eni_ix_[e.id] = net_.network_interfaces.size();
  net_.network_interfaces.push_back(std::move(e));
}

void Reader::add_eni_attachment(Resource& r) {
  Node n = top(r);
  Want wi, we;
  wi.types = {"aws_instance"};
  we.types = {"aws_network_interface"};
  auto eid = str(n, "network_interface_id", we);
  auto iid = str(n, "instance_id", wi);
  model::NetworkInterface* e = eid ? find(net_.network_interfaces, eni_ix_, *eid) : nullptr;
  model::Instance* inst = iid ? find(net_.instances, instance_ix_, *iid) : nullptr;
  if (!e) return ref_missing(n, "network_interface_id", eid.value_or("?"), "network interface");
  if (!inst) return ref_missing(n, "instance_id", iid.value_or("?"), "instance");
  e->owner_kind = model::EniOwnerKind::kInstance;
  e->owner_id = inst->id;
  inst->network_interfaces.push_back(e->id);
}

void Reader::add_instance(Resource& r) {
  Node n = top(r);
  model::Instance inst;
  inst.id = r.id;
  inst.origin = origin(r);
  inst.name = name_tag(n);
  Want quiet;
  quiet.quiet = true;
  inst.key_name = str(n, "key_name", quiet).value_or("");
  inst.image_id = str(n, "ami", quiet).value_or("");
  inst.instance_type = str(n, "instance_type", quiet).value_or("");
  // user_data is stored as its SHA-1: the script is in the configuration.
  {
    const Value* e = expr(n, "user_data");
    const Value* c = e ? e->get("constant_value") : nullptr;
    const Value* e64 = expr(n, "user_data_base64");
    const Value* c64 = e64 ? e64->get("constant_value") : nullptr;
    std::string stored = str(n, "user_data", quiet).value_or("");
    if (c && c->is_string()) {
      inst.user_data = c->text();
    } else if (c64 && c64->is_string()) {
      if (auto d = tmpl::decode_base64(c64->text())) inst.user_data = *d;
      else warning(n, "user_data_base64", "TF_VALUE", "user_data_base64 is not base64; ignored");
    } else if (auto b64 = str(n, "user_data_base64", quiet); b64 && !b64->empty()) {
      if (auto d = tmpl::decode_base64(*b64)) inst.user_data = *d;
    } else if (!stored.empty() && !is_sha1(stored)) {
      inst.user_data = stored;  // older provider versions kept the script
    } else if (!stored.empty() || e || e64) {
      note(n, "user_data", "TF_UNKNOWN",
           "the plan holds only the SHA-1 of user_data and the configuration computes the script (a function or a "
           "variable); the instance runs no workload in `vpclab up`");
      ++counts_.unknowns_left;
    }
  }
  std::vector<std::string> attached;
  auto attach = [&](const Node& b, const char* key) {
    Want we;
    we.types = {"aws_network_interface"};
    auto eid = str(b, key, we);
    model::NetworkInterface* e = eid ? find(net_.network_interfaces, eni_ix_, *eid) : nullptr;
    if (!e) return ref_missing(b, key, eid.value_or("?"), "network interface");
    e->owner_kind = model::EniOwnerKind::kInstance;
    e->owner_id = inst.id;
    attached.push_back(e->id);
  };
  auto nics = blocks(n, "network_interface");
  std::stable_sort(nics.begin(), nics.end(), [&](const Node& a, const Node& b) {
    return integer(a, "device_index").value_or(0) < integer(b, "device_index").value_or(0);
  });
  for (const Node& b : blocks(n, "primary_network_interface")) attach(b, "network_interface_id");
  for (const Node& b : nics) attach(b, "network_interface_id");
  if (attached.empty()) {
    model::NetworkInterface e;
    e.id = model::make_id("eni", {ctx_.account, ctx_.region, ctx_.name, r.address, "0"});
    e.origin = inst.origin;
    e.subnet = id_or_only(n, "subnet_id", kSubnetTypes, "subnet");
    model::Subnet* s = find(net_.subnets, subnet_ix_, e.subnet);
    if (!s) {
      warning(n, "subnet_id", "TF_REF_MISSING",
              e.subnet.empty()
                  ? std::string("no subnet_id: the instance launches in the default VPC, which the plan does not "
                                "describe; instance left out")
                  : fmt::format("the instance's subnet '{}' is not in this plan; instance left out", e.subnet));
      return;
    }
    e.vpc = s->vpc;
    Want sgs;
    sgs.types = kSgTypes;
    sgs.many = true;
    sgs.quiet = true;
    e.security_groups = strs(n, "vpc_security_group_ids", sgs);
    // security_groups takes group NAMES (default VPC); ids given there work too.
    Want names = sgs;
    names.attr = "name";
    for (const auto& g : strs(n, "security_groups", names)) {
      std::string id = sg_ix_.count(g) ? g : "";
      for (const auto& sg : net_.security_groups)
        if (id.empty() && sg.group_name == g && sg.vpc == e.vpc) id = sg.id;
      if (id.empty()) ref_missing(n, "security_groups", g, "security group");
      else if (std::find(e.security_groups.begin(), e.security_groups.end(), id) == e.security_groups.end())
        e.security_groups.push_back(id);
    }
    if (auto ip = str(n, "private_ip", quiet); ip && !ip->empty()) {
      if (auto a = address(n, "private_ip", *ip)) {
        if (!plan_.reserve(*s, *a))
          error(n, "private_ip", "TF_VALUE", fmt::format("{} is not a free address of subnet {}", *ip, s->cidr.str()));
        e.private_ip = *a;
      }
    }
    for (const auto& ip : strs(n, "secondary_private_ips", quiet))
      if (auto a = address(n, "secondary_private_ips", ip)) {
        plan_.reserve(*s, *a);
        e.secondary_private_ips.push_back(*a);
      }
    // Unset (or unknown): the subnet's map_public_ip_on_launch decides.
    auto assoc = str(n, "associate_public_ip_address", quiet);
    if (semantics::public_ip_at_launch(0, assoc.has_value(), assoc.value_or("") == "true", s->map_public_ip_on_launch,
                                       1)) {
      std::optional<Ipv4Address> pub;
      if (auto p = str(n, "public_ip", quiet); p && !p->empty()) pub = Ipv4Address::parse(*p);
      if (pub && plan_.reserve_public(*pub)) e.public_ip = *pub;
      else e.public_ip = plan_.allocate_public();
    }
    e.source_dest_check = str(n, "source_dest_check", quiet).value_or("true") == "true";
    e.owner_kind = model::EniOwnerKind::kInstance;
    e.owner_id = inst.id;
    inst.network_interfaces.push_back(e.id);
    inst.subnet = e.subnet;
    inst.private_ip = e.private_ip;
    inst.public_ip = e.public_ip;
    eni_ix_[e.id] = net_.network_interfaces.size();
    net_.network_interfaces.push_back(std::move(e));
  } else {
    inst.network_interfaces = attached;
    if (model::NetworkInterface* p = find(net_.network_interfaces, eni_ix_, attached.front())) {
      inst.subnet = p->subnet;
      inst.private_ip = p->private_ip;
      inst.public_ip = p->public_ip;
    }
  }
  instance_ix_[inst.id] = net_.instances.size();
  net_.instances.push_back(std::move(inst));
}

}  // namespace vpclab::terraform
