// CloudFormation -> model, Auto Scaling: AWS::EC2::LaunchTemplate,
// AWS::AutoScaling::LaunchConfiguration and AWS::AutoScaling::AutoScalingGroup.
// The group's members are launched by finalize() (model/finalize_auto_scaling.cpp)
// so templates and snapshots share one rule; here each resource is read as
// written, with its places for the errors.
#include <fmt/format.h>

#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kPrivateIp = {{"PrivateIpAddress", K::kString}, {"Primary", K::kBool}};
const Schema kLtNetworkInterface = {{"AssociateCarrierIpAddress", K::kBool},
                                    {"AssociatePublicIpAddress", K::kBool},
                                    {"ConnectionTrackingSpecification", K::kMap},
                                    {"DeleteOnTermination", K::kBool},
                                    {"Description", K::kString},
                                    {"DeviceIndex", K::kInt},
                                    {"EnaSrdSpecification", K::kMap},
                                    {"EnaQueueCount", K::kInt},
                                    {"Groups", K::kStringList},
                                    {"InterfaceType", K::kString},
                                    {"Ipv4PrefixCount", K::kInt},
                                    {"Ipv4Prefixes", K::kList},
                                    {"Ipv6AddressCount", K::kInt},
                                    {"Ipv6Addresses", K::kList},
                                    {"Ipv6PrefixCount", K::kInt},
                                    {"Ipv6Prefixes", K::kList},
                                    {"NetworkCardIndex", K::kInt},
                                    {"NetworkInterfaceId", K::kString},
                                    {"PrimaryIpv6", K::kBool},
                                    {"PrivateIpAddress", K::kString},
                                    {"PrivateIpAddresses", K::kList, false, &kPrivateIp},
                                    {"SecondaryPrivateIpAddressCount", K::kInt},
                                    {"SubnetId", K::kString}};
const Schema kLaunchTemplateData = {{"BlockDeviceMappings", K::kList},
                                    {"CapacityReservationSpecification", K::kMap},
                                    {"CpuOptions", K::kMap},
                                    {"CreditSpecification", K::kMap},
                                    {"DisableApiStop", K::kBool},
                                    {"DisableApiTermination", K::kBool},
                                    {"EbsOptimized", K::kBool},
                                    {"ElasticGpuSpecifications", K::kList},
                                    {"ElasticInferenceAccelerators", K::kList},
                                    {"EnclaveOptions", K::kMap},
                                    {"HibernationOptions", K::kMap},
                                    {"IamInstanceProfile", K::kMap},
                                    {"ImageId", K::kString},
                                    {"InstanceInitiatedShutdownBehavior", K::kString},
                                    {"InstanceMarketOptions", K::kMap},
                                    {"InstanceRequirements", K::kMap},
                                    {"InstanceType", K::kString},
                                    {"KernelId", K::kString},
                                    {"KeyName", K::kString},
                                    {"LicenseSpecifications", K::kList},
                                    {"MaintenanceOptions", K::kMap},
                                    {"MetadataOptions", K::kMap},
                                    {"Monitoring", K::kMap},
                                    {"NetworkInterfaces", K::kList, false, &kLtNetworkInterface},
                                    {"NetworkPerformanceOptions", K::kMap},
                                    {"Placement", K::kMap},
                                    {"PrivateDnsNameOptions", K::kMap},
                                    {"RamDiskId", K::kString},
                                    {"SecurityGroupIds", K::kStringList},
                                    {"SecurityGroups", K::kStringList},
                                    {"TagSpecifications", K::kList},
                                    {"UserData", K::kString}};
const Schema kLaunchTemplate = {{"LaunchTemplateName", K::kString},
                                {"LaunchTemplateData", K::kMap, true, &kLaunchTemplateData},
                                {"VersionDescription", K::kString},
                                {"TagSpecifications", K::kList}};
const Schema kLaunchConfiguration = {{"AssociatePublicIpAddress", K::kBool},
                                     {"BlockDeviceMappings", K::kList},
                                     {"ClassicLinkVPCId", K::kString},
                                     {"ClassicLinkVPCSecurityGroups", K::kStringList},
                                     {"EbsOptimized", K::kBool},
                                     {"IamInstanceProfile", K::kString},
                                     {"ImageId", K::kString, true},
                                     {"InstanceId", K::kString},
                                     {"InstanceMonitoring", K::kBool},
                                     {"InstanceType", K::kString, true},
                                     {"KernelId", K::kString},
                                     {"KeyName", K::kString},
                                     {"LaunchConfigurationName", K::kString},
                                     {"MetadataOptions", K::kMap},
                                     {"PlacementTenancy", K::kString},
                                     {"RamDiskId", K::kString},
                                     {"SecurityGroups", K::kStringList},
                                     {"SpotPrice", K::kString},
                                     {"UserData", K::kString}};
const Schema kLaunchTemplateSpec = {{"LaunchTemplateId", K::kString},
                                    {"LaunchTemplateName", K::kString},
                                    {"Version", K::kString}};
const Schema kMixedLaunchTemplate = {{"LaunchTemplateSpecification", K::kMap, true, &kLaunchTemplateSpec},
                                     {"Overrides", K::kList}};
const Schema kMixedInstancesPolicy = {{"InstancesDistribution", K::kMap},
                                      {"LaunchTemplate", K::kMap, true, &kMixedLaunchTemplate}};
const Schema kAsgTag = {{"Key", K::kString, true}, {"Value", K::kString, true}, {"PropagateAtLaunch", K::kBool, true}};
const Schema kAutoScalingGroup = {{"AutoScalingGroupName", K::kString},
                                  {"AvailabilityZoneDistribution", K::kMap},
                                  {"AvailabilityZoneImpairmentPolicy", K::kMap},
                                  {"AvailabilityZones", K::kStringList},
                                  {"CapacityRebalance", K::kBool},
                                  {"CapacityReservationSpecification", K::kMap},
                                  {"Context", K::kString},
                                  {"Cooldown", K::kString},
                                  {"DefaultInstanceWarmup", K::kInt},
                                  {"DesiredCapacity", K::kInt},
                                  {"DesiredCapacityType", K::kString},
                                  {"HealthCheckGracePeriod", K::kInt},
                                  {"HealthCheckType", K::kString},
                                  {"InstanceId", K::kString},
                                  {"InstanceLifecyclePolicy", K::kMap},
                                  {"InstanceMaintenancePolicy", K::kMap},
                                  {"LaunchConfigurationName", K::kString},
                                  {"LaunchTemplate", K::kMap, false, &kLaunchTemplateSpec},
                                  {"LifecycleHookSpecificationList", K::kList},
                                  {"LoadBalancerNames", K::kStringList},
                                  {"MaxInstanceLifetime", K::kInt},
                                  {"MaxSize", K::kInt, true},
                                  {"MetricsCollection", K::kList},
                                  {"MinSize", K::kInt, true},
                                  {"MixedInstancesPolicy", K::kMap, false, &kMixedInstancesPolicy},
                                  {"NewInstancesProtectedFromScaleIn", K::kBool},
                                  {"NotificationConfiguration", K::kMap},
                                  {"NotificationConfigurations", K::kList},
                                  {"PlacementGroup", K::kString},
                                  {"ServiceLinkedRoleARN", K::kString},
                                  {"SkipZonalShiftValidation", K::kBool},
                                  {"Tags", K::kList, false, &kAsgTag},
                                  {"TargetGroupARNs", K::kStringList},
                                  {"TerminationPolicies", K::kStringList},
                                  {"TrafficSources", K::kList},
                                  {"VPCZoneIdentifier", K::kAny}};

}  // namespace

void ModelSink::Impl::autoscaling_types(TypeTable& t) {
  t["AWS::EC2::LaunchTemplate"] = {&kLaunchTemplate, &Impl::add_launch_template};
  t["AWS::AutoScaling::LaunchConfiguration"] = {&kLaunchConfiguration, &Impl::add_launch_configuration};
  t["AWS::AutoScaling::AutoScalingGroup"] = {&kAutoScalingGroup, &Impl::add_auto_scaling_group};
}

std::optional<Value> ModelSink::Impl::autoscaling_att(const StackContext&, const Entry& e, const std::string& a) {
  switch (e.kind) {
    case Kind::kLaunchTemplate: {
      const auto& lt = net.launch_templates[e.index];
      if (a == "LaunchTemplateId") return str_value(lt.id);
      if (a == "LatestVersionNumber") return str_value(std::to_string(lt.latest_version()));
      if (a == "DefaultVersionNumber") return str_value(std::to_string(lt.default_version));
      break;
    }
    default:
      break;
  }
  return std::nullopt;
}

// UserData as the instance sees it: base64 decoded; plain text kept with a warning.
std::string ModelSink::Impl::user_data(const C& c, const Value* ud) {
  if (!ud) return {};
  if (auto decoded = decode_base64(text(ud))) return *decoded;
  c.diags.warning(ud->loc(), "USERDATA_BASE64",
                  fmt::format("{}: UserData is not base64 (wrap it in Fn::Base64); kept as written", c.who()),
                  "UserData: !Base64 |");
  return text(ud);
}

void ModelSink::Impl::add_launch_template(C& c) {
  model::LaunchTemplate lt;
  lt.id = c.id("lt");
  lt.origin = c.origin;
  lt.name = c.prop("LaunchTemplateName") ? c.str("LaunchTemplateName") : generated_name(c, 128);
  model::LaunchTemplateVersion v;
  v.number = 1;  // CloudFormation creates version 1, the default
  const Value* data = c.prop("LaunchTemplateData");
  v.loc = data ? data->loc() : c.r.loc;
  if (data && data->is_map()) {
    model::LaunchSpecification& s = v.data;
    s.image_id = text(data->get("ImageId"));
    s.instance_type = text(data->get("InstanceType"));
    s.key_name = text(data->get("KeyName"));
    s.security_groups = group_ids(data->get("SecurityGroupIds"), "");
    for (const auto& g : group_ids(data->get("SecurityGroups"), "")) s.security_groups.push_back(g);
    // The primary interface (DeviceIndex 0) carries the groups and the
    // public-IP choice; its SubnetId is ignored by a group, which launches
    // into its own VPCZoneIdentifier subnets.
    if (const Value* nics = data->get("NetworkInterfaces"); nics && nics->is_list())
      for (const auto& nic : nics->items()) {
        if (!nic.is_map() || to_int(nic.get("DeviceIndex")).value_or(0) != 0) continue;
        if (nic.get("Groups")) {
          if (!s.security_groups.empty())
            c.error(nic.get("Groups")->loc(), "E3014",
                    fmt::format("{}: network interface Groups cannot be given together with SecurityGroupIds or "
                                "SecurityGroups",
                                c.who()));
          s.security_groups = group_ids(nic.get("Groups"), "");
        }
        if (const Value* p = nic.get("AssociatePublicIpAddress")) s.associate_public_ip = to_bool(p, false);
        if (nic.get("SubnetId"))
          c.diags.note(nic.get("SubnetId")->loc(), "ASG_LT_SUBNET_IGNORED",
                       fmt::format("{}: an Auto Scaling group launches into its VPCZoneIdentifier subnets; this "
                                   "SubnetId is used only by a plain RunInstances launch",
                                   c.who()));
      }
    s.user_data = user_data(c, data->get("UserData"));
  }
  lt.versions.push_back(std::move(v));
  reg(c, Kind::kLaunchTemplate, lt.id, net.launch_templates.size(), lt.name);
  net.launch_templates.push_back(std::move(lt));
}

void ModelSink::Impl::add_launch_configuration(C& c) {
  model::LaunchConfiguration lc;
  lc.origin = c.origin;
  lc.name = c.prop("LaunchConfigurationName") ? c.str("LaunchConfigurationName")
                                              : fabricated_physical_id(c.stack, c.r.type, c.r.logical_id);
  lc.data.image_id = c.str("ImageId");
  lc.data.instance_type = c.str("InstanceType");
  lc.data.key_name = c.str("KeyName");
  lc.data.security_groups = group_ids(c.prop("SecurityGroups"), "");
  if (const Value* p = c.prop("AssociatePublicIpAddress")) lc.data.associate_public_ip = to_bool(p, false);
  lc.data.user_data = user_data(c, c.prop("UserData"));
  reg(c, Kind::kLaunchConfiguration, lc.name, net.launch_configurations.size());
  net.launch_configurations.push_back(std::move(lc));
}

void ModelSink::Impl::add_auto_scaling_group(C& c) {
  model::AutoScalingGroup g;
  g.origin = c.origin;
  g.name = c.prop("AutoScalingGroupName") ? c.str("AutoScalingGroupName")
                                          : fabricated_physical_id(c.stack, c.r.type, c.r.logical_id);
  g.min_size = to_int(c.prop("MinSize")).value_or(0);
  g.max_size = to_int(c.prop("MaxSize")).value_or(0);
  if (c.prop("DesiredCapacity")) g.desired_capacity = to_int(c.prop("DesiredCapacity"));
  g.capacity_loc = c.loc_of(c.prop("DesiredCapacity") ? "DesiredCapacity" : "MinSize");
  // VPCZoneIdentifier: a list of subnet ids, or one comma-separated string.
  if (const Value* z = c.prop("VPCZoneIdentifier")) {
    if (z->is_list()) {
      for (const auto& item : z->items()) {
        if (!item.is_scalar()) {
          c.error(item.loc(), "E3012", fmt::format("{}: VPCZoneIdentifier items should be subnet ids", c.who()));
          continue;
        }
        g.subnets.push_back(item.text());
        g.subnet_locs.push_back(item.loc());
      }
    } else if (z->is_scalar()) {
      std::string all = z->text(), part;
      for (size_t i = 0; i <= all.size(); ++i) {
        if (i == all.size() || all[i] == ',') {
          if (!part.empty()) g.subnets.push_back(part), g.subnet_locs.push_back(z->loc());
          part.clear();
        } else if (all[i] != ' ') {
          part += all[i];
        }
      }
    } else {
      c.error(z->loc(), "E3012",
              fmt::format("{}: property VPCZoneIdentifier should be a list of subnet ids, not {}", c.who(), z->kind_name()));
    }
  }
  // Without VPCZoneIdentifier the group launches into the default subnets of its AvailabilityZones.
  if (!c.prop("VPCZoneIdentifier"))
    if (const Value* azs = c.prop("AvailabilityZones"); azs && azs->is_list())
      for (const auto& az : azs->items()) {
        g.subnets.push_back(default_subnet(c, text(&az)));
        g.subnet_locs.push_back(az.loc());
      }
  if (const Value* tgs = c.prop("TargetGroupARNs"); tgs && tgs->is_list())
    for (const auto& item : tgs->items()) {
      g.target_groups.push_back(text(&item));
      g.target_group_locs.push_back(item.loc());
    }
  if (c.prop("HealthCheckType")) {
    g.health_check_type = c.str("HealthCheckType");
    if (g.health_check_type != "EC2" && g.health_check_type != "ELB" && g.health_check_type != "VPC_LATTICE" &&
        g.health_check_type != "EBS")
      c.error(c.loc_of("HealthCheckType"), "E3031",
              fmt::format("{}: HealthCheckType '{}' is not EC2, ELB, VPC_LATTICE or EBS", c.who(), g.health_check_type));
  }
  // What it launches: LaunchTemplate, MixedInstancesPolicy's template, or a launch configuration.
  const Value* spec = c.prop("LaunchTemplate");
  if (!spec)
    if (const Value* mixed = c.prop("MixedInstancesPolicy"))
      if (const Value* lt = mixed->get("LaunchTemplate")) spec = lt->get("LaunchTemplateSpecification");
  int given = (spec ? 1 : 0) + (c.prop("LaunchConfigurationName") ? 1 : 0) + (c.prop("InstanceId") ? 1 : 0);
  if (given > 1)
    c.error(c.r.loc, "E3014",
            fmt::format("{}: give one of LaunchTemplate, MixedInstancesPolicy, LaunchConfigurationName or InstanceId",
                        c.who()));
  if (spec && spec->is_map()) {
    g.launch_template_id = text(spec->get("LaunchTemplateId"));
    g.launch_template_name = text(spec->get("LaunchTemplateName"));
    g.launch_template_version = text(spec->get("Version"));
    g.launch_loc = spec->loc();
    if (g.launch_template_id.empty() == g.launch_template_name.empty())
      c.error(spec->loc(), "E3014",
              fmt::format("{}: LaunchTemplate needs exactly one of LaunchTemplateId and LaunchTemplateName", c.who()));
  } else if (c.prop("LaunchConfigurationName")) {
    g.launch_configuration = c.str("LaunchConfigurationName");
    g.launch_loc = c.loc_of("LaunchConfigurationName");
  } else if (c.prop("InstanceId")) {
    c.error(c.loc_of("InstanceId"), "E3031",
            fmt::format("{}: a group launched from an existing instance (InstanceId) is not modeled; use a launch "
                        "template",
                        c.who()));
  }
  if (const Value* tags = c.prop("Tags"); tags && tags->is_list())
    for (const auto& t : tags->items())
      if (text(t.get("Key")) == "Name" && to_bool(t.get("PropagateAtLaunch"), false)) g.member_name_tag = text(t.get("Value"));
  if (c.prop("LifecycleHookSpecificationList") && noted_types.insert("AutoScaling lifecycle hooks").second)
    c.diags.note(c.loc_of("LifecycleHookSpecificationList"), "UNMODELED_TYPE",
                 "Auto Scaling lifecycle hooks are not modeled: members are InService as soon as they launch");
  reg(c, Kind::kAutoScalingGroup, g.name, net.auto_scaling_groups.size());
  net.auto_scaling_groups.push_back(std::move(g));
}

}  // namespace vpclab::tmpl
