// The model's Auto Scaling groups, launch templates (every version) and launch
// configurations written as the AWS CLI prints them, so a written snapshot
// loads back into the same groups and members (snapshot/autoscaling.cpp).
#include "snapshot/write_folder.h"
#include "vocab/base64.h"

namespace vpclab::snapshot {

namespace {

ojson spec_json(const model::LaunchSpecification& s, bool launch_template) {
  ojson j = ojson::object();
  if (!s.image_id.empty()) j["ImageId"] = s.image_id;
  if (!s.instance_type.empty()) j["InstanceType"] = s.instance_type;
  if (!s.key_name.empty()) j["KeyName"] = s.key_name;
  if (launch_template && s.associate_public_ip) {
    // The public-IP choice lives on the primary interface, with the groups.
    j["NetworkInterfaces"] = ojson::array({{{"AssociatePublicIpAddress", *s.associate_public_ip},
                                            {"DeviceIndex", 0},
                                            {"Groups", s.security_groups}}});
  } else {
    j[launch_template ? "SecurityGroupIds" : "SecurityGroups"] = s.security_groups;
    if (s.associate_public_ip) j["AssociatePublicIpAddress"] = *s.associate_public_ip;
  }
  if (!s.user_data.empty()) j["UserData"] = base64_encode(s.user_data);
  return j;
}

}  // namespace

void write_auto_scaling(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at) {
  for (const auto& lt : net.launch_templates) {
    Folder& f = at(lt.origin);
    f.list("launch-templates.json", "LaunchTemplates")
        .push_back({{"LaunchTemplateId", lt.id},
                    {"LaunchTemplateName", lt.name},
                    {"CreateTime", "2024-01-01T00:00:00+00:00"},
                    {"DefaultVersionNumber", lt.default_version},
                    {"LatestVersionNumber", lt.latest_version()}});
    auto& versions = f.list("launch-template-versions-" + lt.id + ".json", "LaunchTemplateVersions");
    f.owner["launch-template-versions-" + lt.id + ".json"] = lt.id;
    // The CLI lists the newest version first.
    for (auto v = lt.versions.rbegin(); v != lt.versions.rend(); ++v)
      versions.push_back({{"LaunchTemplateId", lt.id},
                          {"LaunchTemplateName", lt.name},
                          {"VersionNumber", v->number},
                          {"DefaultVersion", v->number == lt.default_version},
                          {"LaunchTemplateData", spec_json(v->data, true)}});
  }
  for (const auto& lc : net.launch_configurations) {
    ojson j = {{"LaunchConfigurationName", lc.name}};
    ojson spec = spec_json(lc.data, false);
    for (auto& [k, v] : spec.items()) j[k] = v;
    at(lc.origin).list("autoscaling-launch-configurations.json", "LaunchConfigurations").push_back(j);
  }
  for (const auto& g : net.auto_scaling_groups) {
    ojson j = {{"AutoScalingGroupName", g.name}, {"AutoScalingGroupARN", g.arn}};
    if (!g.launch_template_id.empty() || !g.launch_template_name.empty()) {
      ojson lt = ojson::object();
      if (!g.launch_template_id.empty()) lt["LaunchTemplateId"] = g.launch_template_id;
      else lt["LaunchTemplateName"] = g.launch_template_name;
      lt["Version"] = g.launch_template_version.empty() ? "$Default" : g.launch_template_version;
      j["LaunchTemplate"] = lt;
    }
    if (!g.launch_configuration.empty()) j["LaunchConfigurationName"] = g.launch_configuration;
    j["MinSize"] = g.min_size;
    j["MaxSize"] = g.max_size;
    j["DesiredCapacity"] = g.desired_capacity.value_or(static_cast<long>(g.instances.size()));
    ojson azs = ojson::array();
    std::string zone_ids;
    for (const auto& sid : g.subnets) {
      zone_ids += (zone_ids.empty() ? "" : ",") + sid;
      if (const auto* s = net.subnet(sid)) {
        bool seen = false;
        for (const auto& a : azs) seen = seen || a == s->availability_zone;
        if (!seen) azs.push_back(s->availability_zone);
      }
    }
    j["AvailabilityZones"] = azs;
    j["TargetGroupARNs"] = g.target_groups;
    j["HealthCheckType"] = g.health_check_type;
    ojson members = ojson::array();
    for (const auto& id : g.instances) {
      const auto* i = net.instance(id);
      const auto* s = i ? net.subnet(i->subnet) : nullptr;
      members.push_back({{"InstanceId", id},
                         {"InstanceType", i ? i->instance_type : ""},
                         {"AvailabilityZone", s ? s->availability_zone : ""},
                         {"LifecycleState", "InService"},
                         {"HealthStatus", "Healthy"},
                         {"ProtectedFromScaleIn", false}});
    }
    j["Instances"] = members;
    j["VPCZoneIdentifier"] = zone_ids;
    ojson t = ojson::array();
    if (!g.member_name_tag.empty())
      t.push_back({{"ResourceId", g.name}, {"ResourceType", "auto-scaling-group"}, {"Key", "Name"},
                   {"Value", g.member_name_tag}, {"PropagateAtLaunch", true}});
    j["Tags"] = t;
    at(g.origin).list("autoscaling-groups.json", "AutoScalingGroups").push_back(j);
  }
}

}  // namespace vpclab::snapshot
