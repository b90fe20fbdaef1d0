// Listener-rule matching as AWS ALB does it (aws-alb.md section 2): shared
// by the static analyzer (which rule would a request hit?) and the ALB
// engine (which rule does this request hit?).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vocab/alb.h"
#include "vocab/ip.h"

namespace vpclab::semantics {

// The parts of a request the rule conditions look at. Views into the
// caller's buffers; nothing is copied.
struct HttpRequestView {
  std::string_view method, host, path, query;  // query without '?'; host as sent (may carry :port)
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  Ipv4Address source_ip;  // the TCP peer, never X-Forwarded-For
};

// AWS wildcards: '*' matches zero or more characters, '?' exactly one.
// A backslash makes the next '*', '?' or '\' literal (AWS's escape for
// query-string values; harmless elsewhere since AWS forbids '\' in hosts
// and paths).
bool wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive);

// The host name a host-header condition compares: the Host header without
// its ":port" (IPv6 literals keep their brackets). AWS matches host names,
// so "Example.com:8080" is compared as "Example.com" (case-insensitively).
std::string_view host_without_port(std::string_view host);

// %XX decoding as used for query-string keys and values; malformed escapes
// are kept literally. '+' is not a space here (RFC 3986, not forms).
std::string url_decode(std::string_view s);

// True when every value list of `c` has at least one match in `req`
// (values ORed). Condition semantics:
//   host-header          wildcard, case-insensitive, against host_without_port
//   path-pattern         wildcard, case-sensitive, path only (no query)
//   http-header          name case-insensitive; any header of that name whose
//                        value matches (wildcard, case-insensitive)
//   http-request-method  exact, case-sensitive
//   query-string         any pair "k=v" (URL-decoded) whose key (if given)
//                        and value match, wildcard, case-insensitive
//   source-ip            req.source_ip inside one of the CIDRs
bool condition_matches(const alb::RuleCondition& c, const HttpRequestView& req);

// True when all conditions of `rule` match (a rule without conditions matches).
bool rule_matches(const alb::ListenerRule& rule, const HttpRequestView& req);

// rules sorted by priority; returns the first matching rule, or default_rule.
const alb::ListenerRule& select_rule(const std::vector<alb::ListenerRule>& rules,
                                     const alb::ListenerRule& default_rule,
                                     const HttpRequestView& req);

}  // namespace vpclab::semantics
