// The redirect action (API_RedirectActionConfig): from the action's
// components and the request, the Location the load balancer answers with.
// The ALB engine answers real requests with it; the analyzer shows it in a
// trace. Same function, same Location.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "vocab/alb.h"

namespace vpclab::semantics {

// The parts of the request a redirect may reuse.
struct RedirectRequest {
  std::string_view scheme = "http";  // the listener's protocol: "http" or "https"
  std::string_view host;             // the Host header as sent (a port in it is dropped)
  uint16_t port = 80;                // the listener's port
  std::string_view path = "/";       // the request path, with its leading '/'
  std::string_view query;            // without '?'
};

struct Redirect {
  int status = 301;      // 301 or 302
  std::string location;  // protocol://host[:port]/path[?query]
};

// AWS's rules: #{protocol} #{host} #{port} #{path} #{query} are replaced in
// one pass (#{path} without its leading '/'; a replaced value is not
// scanned again); any other #{...} stays as written. The protocol is
// lower-cased; the port is left out when it is the protocol's default
// (http 80, https 443) or empty; the path always starts with '/'; "?query"
// only when the query is not empty.
Redirect redirect_location(const alb::RedirectConfig& config, const RedirectRequest& request);

}  // namespace vpclab::semantics
