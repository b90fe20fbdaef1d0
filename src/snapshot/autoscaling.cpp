// AWS CLI JSON -> model, Auto Scaling: autoscaling describe-auto-scaling-groups
// and describe-launch-configurations, ec2 describe-launch-templates and
// describe-launch-template-versions. The members are the group's Instances
// as listed (finalize() names them GROUP/1, GROUP/2, ... and launches none).
#include <algorithm>

#include "snapshot/loader.h"
#include "vocab/base64.h"

namespace vpclab::snapshot {

namespace {

std::vector<std::string> strings_of(const json& j, const std::string& key) {
  std::vector<std::string> out;
  if (const json* a = array(j, key))
    for (const auto& s : *a)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string decoded(const json& j, const std::string& key) {
  std::string raw = str(j, key);
  auto d = base64_decode(raw);
  return d ? *d : raw;
}

}  // namespace

model::LaunchTemplate& Loader::launch_template(const Doc& d, const std::string& id, const std::string& name) {
  for (auto& lt : net_.launch_templates)
    if (lt.id == id) {
      if (lt.name.empty()) lt.name = name;
      return lt;
    }
  model::LaunchTemplate lt;
  lt.id = id;
  lt.name = name;
  lt.origin = origin(d);
  net_.launch_templates.push_back(std::move(lt));
  return net_.launch_templates.back();
}

void Loader::launch_templates(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    std::string id = str(a[i], "LaunchTemplateId");
    if (id.empty()) {
      warn(d, at(path, i), "SNAP_BAD_VALUE", "launch template without LaunchTemplateId; skipped");
      continue;
    }
    auto& lt = launch_template(d, id, str(a[i], "LaunchTemplateName"));
    lt.default_version = integer(a[i], "DefaultVersionNumber").value_or(lt.default_version);
  }
}

void Loader::launch_template_versions(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& v = a[i];
    std::string id = str(v, "LaunchTemplateId");
    auto n = integer(v, "VersionNumber");
    if (id.empty() || !n) {
      warn(d, at(path, i), "SNAP_BAD_VALUE", "launch template version without LaunchTemplateId or VersionNumber; skipped");
      continue;
    }
    auto& lt = launch_template(d, id, str(v, "LaunchTemplateName"));
    if (boolean(v, "DefaultVersion").value_or(false)) lt.default_version = *n;
    model::LaunchTemplateVersion ver;
    ver.number = *n;
    ver.loc = loc(d);
    if (const json* data = field(v, "LaunchTemplateData")) {
      ver.data.image_id = str(*data, "ImageId");
      ver.data.instance_type = str(*data, "InstanceType");
      ver.data.key_name = str(*data, "KeyName");
      ver.data.security_groups = strings_of(*data, "SecurityGroupIds");
      if (const json* nics = array(*data, "NetworkInterfaces"))
        for (const auto& nic : *nics) {
          if (integer(nic, "DeviceIndex").value_or(0) != 0) continue;
          if (array(nic, "Groups")) ver.data.security_groups = strings_of(nic, "Groups");
          ver.data.associate_public_ip = boolean(nic, "AssociatePublicIpAddress");
        }
      ver.data.user_data = decoded(*data, "UserData");
    }
    auto pos = std::find_if(lt.versions.begin(), lt.versions.end(), [&](const auto& x) { return x.number >= *n; });
    if (pos != lt.versions.end() && pos->number == *n) *pos = std::move(ver);
    else lt.versions.insert(pos, std::move(ver));
  }
}

void Loader::launch_configurations(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    model::LaunchConfiguration lc;
    lc.name = str(a[i], "LaunchConfigurationName");
    if (lc.name.empty()) {
      warn(d, at(path, i), "SNAP_BAD_VALUE", "launch configuration without LaunchConfigurationName; skipped");
      continue;
    }
    lc.origin = origin(d);
    lc.data.image_id = str(a[i], "ImageId");
    lc.data.instance_type = str(a[i], "InstanceType");
    lc.data.key_name = str(a[i], "KeyName");
    lc.data.security_groups = strings_of(a[i], "SecurityGroups");
    lc.data.associate_public_ip = boolean(a[i], "AssociatePublicIpAddress");
    lc.data.user_data = decoded(a[i], "UserData");
    net_.launch_configurations.push_back(std::move(lc));
  }
}

void Loader::auto_scaling_groups(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& j = a[i];
    model::AutoScalingGroup g;
    g.name = str(j, "AutoScalingGroupName");
    if (g.name.empty()) {
      warn(d, at(path, i), "SNAP_BAD_VALUE", "Auto Scaling group without AutoScalingGroupName; skipped");
      continue;
    }
    g.arn = str(j, "AutoScalingGroupARN");
    g.origin = origin(d);
    g.min_size = integer(j, "MinSize").value_or(0);
    g.max_size = integer(j, "MaxSize").value_or(0);
    if (auto n = integer(j, "DesiredCapacity")) g.desired_capacity = *n;
    std::string zones = str(j, "VPCZoneIdentifier"), part;
    for (size_t k = 0; k <= zones.size(); ++k) {
      if (k == zones.size() || zones[k] == ',') {
        if (!part.empty()) g.subnets.push_back(part);
        part.clear();
      } else if (zones[k] != ' ') {
        part += zones[k];
      }
    }
    g.target_groups = strings_of(j, "TargetGroupARNs");
    if (std::string t = str(j, "HealthCheckType"); !t.empty()) g.health_check_type = t;
    const json* lt = field(j, "LaunchTemplate");
    if (!lt)
      if (const json* mixed = field(j, "MixedInstancesPolicy"))
        if (const json* l = field(*mixed, "LaunchTemplate")) lt = field(*l, "LaunchTemplateSpecification");
    if (lt) {
      g.launch_template_id = str(*lt, "LaunchTemplateId");
      if (g.launch_template_id.empty()) g.launch_template_name = str(*lt, "LaunchTemplateName");
      g.launch_template_version = str(*lt, "Version");
    }
    g.launch_configuration = str(j, "LaunchConfigurationName");
    g.launch_loc = loc(d);
    if (const json* tags = array(j, "Tags"))
      for (const auto& t : *tags)
        if (str(t, "Key") == "Name" && boolean(t, "PropagateAtLaunch").value_or(false)) g.member_name_tag = str(t, "Value");
    g.instances_from_input = true;
    if (const json* members = array(j, "Instances"))
      for (const auto& m : *members) {
        std::string id = str(m, "InstanceId");
        std::string state = str(m, "LifecycleState");
        // Terminating members are on their way out, as AWS lists them.
        if (id.empty() || state.rfind("Terminat", 0) == 0) continue;
        if (!inst_ix_.count(id)) {
          warn(d, at(path, i) + ".Instances", "SNAP_DANGLING",
               "member " + id + " of Auto Scaling group " + g.name + " is not in describe-instances; not modeled");
          continue;
        }
        g.instances.push_back(id);
      }
    net_.auto_scaling_groups.push_back(std::move(g));
  }
}

}  // namespace vpclab::snapshot
