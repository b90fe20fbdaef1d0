#include "vocab/alb.h"

namespace vpclab::alb {

using CF = ConditionField;
const std::array<std::pair<CF, std::string_view>, 6> EnumTable<CF>::entries = {{
    {CF::kHostHeader, "host-header"},
    {CF::kPathPattern, "path-pattern"},
    {CF::kHttpHeader, "http-header"},
    {CF::kHttpRequestMethod, "http-request-method"},
    {CF::kQueryString, "query-string"},
    {CF::kSourceIp, "source-ip"},
}};

using AT = ActionType;
const std::array<std::pair<AT, std::string_view>, 5> EnumTable<AT>::entries = {{
    {AT::kForward, "forward"},
    {AT::kRedirect, "redirect"},
    {AT::kFixedResponse, "fixed-response"},
    {AT::kAuthenticateOidc, "authenticate-oidc"},
    {AT::kAuthenticateCognito, "authenticate-cognito"},
}};

using LBA = LoadBalancingAlgorithm;
const std::array<std::pair<LBA, std::string_view>, 3> EnumTable<LBA>::entries = {{
    {LBA::kRoundRobin, "round_robin"},
    {LBA::kLeastOutstandingRequests, "least_outstanding_requests"},
    {LBA::kWeightedRandom, "weighted_random"},
}};

const std::array<std::pair<StickinessType, std::string_view>, 2> EnumTable<StickinessType>::entries = {{
    {StickinessType::kLbCookie, "lb_cookie"},
    {StickinessType::kAppCookie, "app_cookie"},
}};

const std::array<std::pair<CrossZone, std::string_view>, 3> EnumTable<CrossZone>::entries = {{
    {CrossZone::kTrue, "true"},
    {CrossZone::kFalse, "false"},
    {CrossZone::kUseLoadBalancerConfiguration, "use_load_balancer_configuration"},
}};

const std::array<std::pair<XffProcessingMode, std::string_view>, 3> EnumTable<XffProcessingMode>::entries = {{
    {XffProcessingMode::kAppend, "append"},
    {XffProcessingMode::kPreserve, "preserve"},
    {XffProcessingMode::kRemove, "remove"},
}};

const std::array<std::pair<DesyncMitigationMode, std::string_view>, 3> EnumTable<DesyncMitigationMode>::entries = {{
    {DesyncMitigationMode::kMonitor, "monitor"},
    {DesyncMitigationMode::kDefensive, "defensive"},
    {DesyncMitigationMode::kStrictest, "strictest"},
}};

const std::array<std::pair<RedirectStatus, std::string_view>, 2> EnumTable<RedirectStatus>::entries = {{
    {RedirectStatus::kHttp301, "HTTP_301"},
    {RedirectStatus::kHttp302, "HTTP_302"},
}};

const std::array<std::pair<LoadBalancerType, std::string_view>, 3> EnumTable<LoadBalancerType>::entries = {{
    {LoadBalancerType::kApplication, "application"},
    {LoadBalancerType::kNetwork, "network"},
    {LoadBalancerType::kGateway, "gateway"},
}};

const std::array<std::pair<LoadBalancerScheme, std::string_view>, 2> EnumTable<LoadBalancerScheme>::entries = {{
    {LoadBalancerScheme::kInternetFacing, "internet-facing"},
    {LoadBalancerScheme::kInternal, "internal"},
}};

const std::array<std::pair<TargetType, std::string_view>, 4> EnumTable<TargetType>::entries = {{
    {TargetType::kInstance, "instance"},
    {TargetType::kIp, "ip"},
    {TargetType::kLambda, "lambda"},
    {TargetType::kAlb, "alb"},
}};

const char* condition_field_name(ConditionField f) { return enum_name(f).data(); }
std::optional<ConditionField> parse_condition_field(std::string_view name) { return parse_enum<ConditionField>(name); }
const char* action_type_name(ActionType t) { return enum_name(t).data(); }
std::optional<ActionType> parse_action_type(std::string_view name) { return parse_enum<ActionType>(name); }

int redirect_status_code(RedirectStatus s) { return s == RedirectStatus::kHttp302 ? 302 : 301; }

}  // namespace vpclab::alb
