// One access log entry in the exact ALB format (aws-alb.md section 7).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace vpclab::dataplane::alb {

struct AccessLogEntry {
  int64_t time_us = 0;              // response end (UNIX µs)
  int64_t request_creation_us = 0;  // first byte of the request (UNIX µs)
  std::string_view elb;             // app/NAME/ID
  std::string_view client_ip;
  int client_port = 0;
  std::string_view target_ip;       // empty: "-"
  int target_port = 0;
  double request_processing_s = -1;  // -1 when not dispatched
  double target_processing_s = -1;
  double response_processing_s = -1;
  int elb_status = 0;
  int target_status = 0;             // 0: "-"
  uint64_t received_bytes = 0;
  uint64_t sent_bytes = 0;
  std::string_view request_line;     // "GET http://host:80/ HTTP/1.1"
  std::string_view user_agent;       // empty: "-"
  std::string_view target_group_arn; // empty: "-"
  std::string_view trace_id;         // empty: "-"
  int matched_rule_priority = -1;    // -1: "-", 0: default rule
  std::string_view actions_executed; // "forward", ...; empty: "-"
  std::string_view redirect_url;
  std::string_view error_reason;
  std::string_view classification;        // empty for Compliant: "-"
  std::string_view classification_reason;
};

// Appends the line (with '\n') to `out`.
void append_access_log_line(std::string& out, const AccessLogEntry& e);

// "2018-07-02T22:23:00.186641Z"
void append_iso8601_us(std::string& out, int64_t unix_us);

}  // namespace vpclab::dataplane::alb
