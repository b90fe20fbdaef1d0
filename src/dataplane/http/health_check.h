// What an HTTP health check found in the bytes received so far, for both
// load balancers' checkers (dataplane/alb, dataplane/nlb). Header-only: the
// parser's other users (fuzz targets) need no semantics library.
#pragma once
#include <optional>
#include <string_view>

#include "dataplane/http/parser.h"
#include "semantics/target_health.h"

namespace vpclab::dataplane::http {

// nullopt while the status line may still come; failed for no status line
// by the end (`no_more`: closed, or the buffer full); else success or
// response-code mismatch by the matcher.
inline std::optional<semantics::HealthCheckOutcome> http_check_outcome(std::string_view received, bool no_more,
                                                                       const semantics::HttpCodeMatcher& matcher) {
  using semantics::HealthCheckOutcome;
  int status = status_line_code(received);
  if (status == 0) return no_more ? std::optional{HealthCheckOutcome::kFailed} : std::nullopt;
  if (status < 0) return HealthCheckOutcome::kFailed;
  return matcher.matches(status) ? HealthCheckOutcome::kSuccess : HealthCheckOutcome::kResponseCodeMismatch;
}

}  // namespace vpclab::dataplane::http
