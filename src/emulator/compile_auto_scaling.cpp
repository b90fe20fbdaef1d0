// Auto Scaling groups in a lab. The members are instances of the model and
// compile like any other; each group's prepared replacements
// (model::AutoScalingGroup::replacements) are compiled too, as instances
// that stand by powered off (kPowerOffTable, UserData not started) until the
// supervisor launches one to replace a terminated member. Security-group
// references therefore list their addresses from the start: no other
// interface holds those addresses, so that admits nothing before launch.
#include "emulator/compile_context.h"
#include "model/aws_names.h"
#include "semantics/eni.h"

namespace vpclab::emulator {

namespace {

// `net` with each group's replacements as instances (and their interfaces).
model::Network with_replacements(const model::Network& net) {
  model::Network lab = net;
  for (const auto& g : net.auto_scaling_groups) {
    for (const auto& r : g.replacements) {
      if (r.subnet_index >= g.subnets.size()) continue;
      const model::Subnet* s = net.subnet(g.subnets[r.subnet_index]);
      const model::Vpc* v = s ? net.vpc(s->vpc) : nullptr;
      if (!s || !v) continue;
      model::NetworkInterface e;
      e.id = r.network_interface;
      e.origin = g.origin;
      e.origin.logical_id.clear();  // no name until launched
      e.subnet = s->id;
      e.vpc = s->vpc;
      e.private_ip = r.private_ip;
      e.security_groups = semantics::eni_security_groups(semantics::EniSecurityGroupOwner::kInstanceOrStandalone,
                                                         g.launched.security_groups, v->default_security_group);
      e.owner_kind = model::EniOwnerKind::kInstance;
      e.owner_id = r.instance_id;
      model::Instance i;
      i.id = r.instance_id;
      i.origin = e.origin;
      i.subnet = s->id;
      i.network_interfaces = {e.id};
      i.private_ip = r.private_ip;
      i.private_dns_name = model::private_dns_name(r.private_ip, g.origin.region);
      i.image_id = g.launched.image_id;
      i.instance_type = g.launched.instance_type;
      i.key_name = g.launched.key_name;
      i.user_data = g.launched.user_data;
      lab.network_interfaces.push_back(std::move(e));
      lab.instances.push_back(std::move(i));
    }
  }
  lab.index();
  return lab;
}

size_t subnet_index(const model::AutoScalingGroup& g, const std::string& subnet) {
  for (size_t i = 0; i < g.subnets.size(); ++i)
    if (g.subnets[i] == subnet) return i;
  return 0;
}

// The groups in the plan; replacements marked standby and powered off.
void compile_auto_scaling(const model::Network& lab, CompiledLab& out) {
  for (const auto& g : lab.auto_scaling_groups) {
    AutoScalingPlan ap;
    ap.name = g.name;
    ap.member_base = g.member_base();
    ap.stack = g.origin.stack;
    for (const auto& sid : g.subnets) {
      const model::Subnet* s = lab.subnet(sid);
      ap.subnet_azs.push_back(s ? s->availability_zone : "");
    }
    for (size_t k = 0; k < g.instances.size(); ++k)
      if (const model::Instance* i = lab.instance(g.instances[k]))
        ap.members.push_back({i->id, subnet_index(g, i->subnet), i->private_ip, static_cast<int>(k + 1)});
    for (const auto& r : g.replacements) {
      if (!lab.instance(r.instance_id)) continue;
      ap.spares.push_back({r.instance_id, r.subnet_index, r.private_ip, 0});
      for (auto& n : out.plan.namespaces)
        if (n.name == r.instance_id) n.standby = true;
      for (auto& p : out.plan.processes)
        if (p.netns == r.instance_id) p.standby = true;
      out.plan.nft.push_back({r.instance_id, kPowerOffTable, "standby replacement " + r.instance_id + " of " + g.name});
      out.targets.erase(r.instance_id);
    }
    ap.target_groups = g.target_groups;
    out.plan.auto_scaling_groups.push_back(std::move(ap));
  }
}

}  // namespace

CompiledLab compile_network(const model::Network& net) {
  bool replacements = false;
  for (const auto& g : net.auto_scaling_groups) replacements = replacements || !g.replacements.empty();
  if (!replacements) {
    CompiledLab out = compile_model(net);
    compile_auto_scaling(net, out);
    return out;
  }
  model::Network lab = with_replacements(net);
  CompiledLab out = compile_model(lab);
  compile_auto_scaling(lab, out);
  return out;
}

}  // namespace vpclab::emulator
