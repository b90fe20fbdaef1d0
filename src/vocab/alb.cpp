#include "vocab/alb.h"

namespace vpclab::alb {

const char* condition_field_name(ConditionField f) {
  switch (f) {
    case ConditionField::kHostHeader: return "host-header";
    case ConditionField::kPathPattern: return "path-pattern";
    case ConditionField::kHttpHeader: return "http-header";
    case ConditionField::kHttpRequestMethod: return "http-request-method";
    case ConditionField::kQueryString: return "query-string";
    case ConditionField::kSourceIp: return "source-ip";
  }
  return "?";
}

const char* action_type_name(ActionType t) {
  switch (t) {
    case ActionType::kForward: return "forward";
    case ActionType::kRedirect: return "redirect";
    case ActionType::kFixedResponse: return "fixed-response";
    case ActionType::kAuthenticateOidc: return "authenticate-oidc";
    case ActionType::kAuthenticateCognito: return "authenticate-cognito";
  }
  return "?";
}

}  // namespace vpclab::alb
