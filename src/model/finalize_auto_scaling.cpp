// finalize(): Auto Scaling groups launch their members (semantics/auto_scaling.h
// decides how many and where), register them in the group's target groups,
// and prepare the replacements a lab launches when a member is terminated.
#include <fmt/format.h>

#include <unordered_map>

#include "model/finalizer.h"
#include "semantics/auto_scaling.h"
#include "semantics/eni.h"

namespace vpclab::model {

namespace {

template <class T, class Key>
std::unordered_map<std::string, T*> table(std::vector<T>& v, Key key) {
  std::unordered_map<std::string, T*> out;
  for (auto& x : v) out.emplace(key(x), &x);
  return out;
}

template <class M>
auto lookup(const M& m, const std::string& k) -> typename M::mapped_type {
  auto it = m.find(k);
  return it == m.end() ? nullptr : it->second;
}

}  // namespace

// The launch template version or launch configuration the group launches
// with; false (after an error at the group's launch property) when none.
bool Finalizer::resolve_launch(AutoScalingGroup& g) {
  if (!g.launch_template_id.empty() || !g.launch_template_name.empty()) {
    const LaunchTemplate* lt = nullptr;
    for (const auto& t : net_.launch_templates)
      if ((!g.launch_template_id.empty() && t.id == g.launch_template_id) ||
          (g.launch_template_id.empty() && t.name == g.launch_template_name))
        lt = &t;
    if (!lt) {
      error(g.launch_loc, "ASG_UNKNOWN_LAUNCH_TEMPLATE",
            fmt::format("Auto Scaling group {} launches from launch template '{}', which is not defined", g.origin.display(g.name),
                        g.launch_template_id.empty() ? g.launch_template_name : g.launch_template_id));
      return false;
    }
    auto n = semantics::launch_template_version(g.launch_template_version, lt->default_version, lt->latest_version());
    const LaunchTemplateVersion* v = n ? lt->version(*n) : nullptr;
    if (!v) {
      error(g.launch_loc, "ASG_LAUNCH_TEMPLATE_VERSION",
            fmt::format("Auto Scaling group {} asks for version '{}' of launch template {}, which has versions 1-{}",
                        g.origin.display(g.name), g.launch_template_version, lt->origin.display(lt->id), lt->latest_version()));
      return false;
    }
    g.launched = v->data;
    g.launched_version = v->number;
    return true;
  }
  if (!g.launch_configuration.empty()) {
    for (const auto& c : net_.launch_configurations)
      if (c.name == g.launch_configuration) {
        g.launched = c.data;
        return true;
      }
    error(g.launch_loc, "ASG_UNKNOWN_LAUNCH_CONFIGURATION",
          fmt::format("Auto Scaling group {} launches from launch configuration '{}', which is not defined", g.origin.display(g.name),
                      g.launch_configuration));
    return false;
  }
  error(g.origin.loc, "ASG_NO_LAUNCH",
        fmt::format("Auto Scaling group {} has neither a launch template nor a launch configuration", g.origin.display(g.name)),
        "set LaunchTemplate (LaunchTemplateId or LaunchTemplateName, Version) or LaunchConfigurationName");
  return false;
}

// Runs before the first index(): lookups go through local tables.
void Finalizer::launch_auto_scaling_groups() {
  if (net_.auto_scaling_groups.empty()) return;
  auto subnets = table(net_.subnets, [](const Subnet& s) { return s.id; });
  auto tgs = table(net_.target_groups, [](const TargetGroup& t) { return t.arn; });
  // By position: members are appended to net_.instances below.
  std::unordered_map<std::string, size_t> instances;
  for (size_t i = 0; i < net_.instances.size(); ++i) instances.emplace(net_.instances[i].id, i);
  for (auto& g : net_.auto_scaling_groups) {
    if (g.arn.empty()) g.arn = auto_scaling_group_arn(g.name, g.origin.account, g.origin.region);
    bool ok = resolve_launch(g);
    std::string vpc;
    std::vector<std::string> azs;
    for (size_t i = 0; i < g.subnets.size(); ++i) {
      SourceLoc loc = i < g.subnet_locs.size() && g.subnet_locs[i].known() ? g.subnet_locs[i] : g.origin.loc;
      const Subnet* s = lookup(subnets, g.subnets[i]);
      if (!s) {
        error(loc, "ASG_UNKNOWN_SUBNET",
              fmt::format("Auto Scaling group {} names subnet '{}' in VPCZoneIdentifier, which is not defined", g.origin.display(g.name),
                          g.subnets[i]));
        ok = false;
        continue;
      }
      if (vpc.empty()) vpc = s->vpc;
      else if (s->vpc != vpc) {
        error(loc, "ASG_SUBNET_OTHER_VPC",
              fmt::format("Auto Scaling group {}: subnet {} is in VPC {}, the group's other subnets in {}", g.origin.display(g.name),
                          who(*s), s->vpc, vpc));
        ok = false;
      }
      azs.push_back(s->availability_zone);
    }
    if (g.subnets.empty()) {
      error(g.origin.loc, "ASG_NO_SUBNET",
            fmt::format("Auto Scaling group {} has no subnet (VPCZoneIdentifier)", g.origin.display(g.name)),
            "list the subnets the members go in, one per Availability Zone");
      ok = false;
    }
    std::vector<TargetGroup*> groups;
    for (size_t i = 0; i < g.target_groups.size(); ++i) {
      SourceLoc loc = i < g.target_group_locs.size() && g.target_group_locs[i].known() ? g.target_group_locs[i] : g.origin.loc;
      TargetGroup* tg = lookup(tgs, g.target_groups[i]);
      if (!tg) {
        error(loc, "ASG_UNKNOWN_TARGET_GROUP",
              fmt::format("Auto Scaling group {} names target group '{}', which is not defined", g.origin.display(g.name), g.target_groups[i]));
        continue;
      }
      if (tg->target_type != "instance") {
        error(loc, "ASG_TARGET_GROUP_TYPE",
              fmt::format("Auto Scaling group {}: target group {} has target type {}; a group registers instances",
                          g.origin.display(g.name), tg->origin.display(tg->arn), tg->target_type));
        continue;
      }
      if (!vpc.empty() && !tg->vpc.empty() && tg->vpc != vpc)
        error(loc, "ASG_TARGET_GROUP_OTHER_VPC",
              fmt::format("Auto Scaling group {} is in VPC {} but target group {} is in VPC {}", g.origin.display(g.name), vpc,
                          tg->origin.display(tg->arn), tg->vpc));
      groups.push_back(tg);
    }
    if (g.desired_capacity && (*g.desired_capacity < g.min_size || *g.desired_capacity > g.max_size))
      error(g.capacity_loc.known() ? g.capacity_loc : g.origin.loc, "ASG_CAPACITY",
            fmt::format("Auto Scaling group {}: DesiredCapacity {} is outside MinSize {} .. MaxSize {}", g.origin.display(g.name),
                        *g.desired_capacity, g.min_size, g.max_size));
    else if (g.min_size > g.max_size)
      error(g.capacity_loc.known() ? g.capacity_loc : g.origin.loc, "ASG_CAPACITY",
            fmt::format("Auto Scaling group {}: MinSize {} is larger than MaxSize {}", g.origin.display(g.name), g.min_size, g.max_size));
    const std::string base = g.member_base();
    if (g.instances_from_input) {
      // Members as listed: they take the group's member names, in order.
      for (size_t k = 0; k < g.instances.size(); ++k)
        if (auto it = instances.find(g.instances[k]); it != instances.end())
          net_.instances[it->second].origin.logical_id = fmt::format("{}/{}", base, k + 1);
      continue;
    }
    if (!ok) continue;
    long count = semantics::auto_scaling_initial_capacity(g.desired_capacity, g.min_size);
    auto placement = semantics::auto_scaling_placement(azs, static_cast<size_t>(count));
    for (size_t k = 0; k < placement.size(); ++k) {
      const Subnet* s = lookup(subnets, g.subnets[placement[k]]);
      std::string member = fmt::format("{}/{}", base, k + 1);
      Instance inst;
      inst.id = make_id("i", {g.origin.account, g.origin.region, g.origin.stack, member});
      inst.origin = g.origin;
      inst.origin.logical_id = member;
      inst.name = g.member_name_tag;
      inst.image_id = g.launched.image_id;
      inst.instance_type = g.launched.instance_type;
      inst.key_name = g.launched.key_name;
      inst.user_data = g.launched.user_data;
      inst.subnet = s->id;
      NetworkInterface e;
      e.id = make_id("eni", {inst.id});
      e.origin = inst.origin;
      e.subnet = s->id;
      e.vpc = s->vpc;
      e.security_groups = g.launched.security_groups;
      e.owner_kind = EniOwnerKind::kInstance;
      e.owner_id = inst.id;
      if (semantics::public_ip_at_launch(0, g.launched.associate_public_ip.has_value(),
                                         g.launched.associate_public_ip.value_or(false), s->map_public_ip_on_launch, 1))
        e.public_ip = plan_.allocate_public();
      inst.network_interfaces.push_back(e.id);
      for (TargetGroup* tg : groups) tg->targets.push_back(Target{inst.id, std::nullopt, "", g.origin.loc});
      g.instances.push_back(inst.id);
      net_.network_interfaces.push_back(std::move(e));
      net_.instances.push_back(std::move(inst));
    }
  }
}

// After every address is assigned: two replacements per subnet of each
// group, at the next free addresses (a lab launches them on terminate).
void Finalizer::prepare_auto_scaling_replacements() {
  constexpr int kPerSubnet = 2;
  for (auto& g : net_.auto_scaling_groups) {
    g.replacements.clear();
    for (size_t si = 0; si < g.subnets.size(); ++si) {
      const Subnet* s = net_.subnet(g.subnets[si]);
      if (!s) continue;
      for (int j = 0; j < kPerSubnet; ++j) {
        auto a = plan_.allocate(*s);
        if (!a) break;  // a full subnet launches nothing more, as in EC2
        AutoScalingReplacement r;
        r.instance_id = make_id("i", {g.origin.account, g.origin.region, g.origin.stack,
                                      fmt::format("{}/replacement/{}/{}", g.member_base(), si, j)});
        r.network_interface = make_id("eni", {r.instance_id});
        r.subnet_index = si;
        r.private_ip = *a;
        g.replacements.push_back(std::move(r));
      }
    }
  }
}

}  // namespace vpclab::model
