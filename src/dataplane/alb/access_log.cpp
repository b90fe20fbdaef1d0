#include "dataplane/alb/access_log.h"

#include <ctime>

#include "dataplane/http/message.h"

namespace vpclab::dataplane::alb {

namespace {

void append_2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

void append_seconds(std::string& out, double s) {
  if (s < 0) {
    out += "-1";
    return;
  }
  // Milliseconds precision, as AWS: 0.001
  int64_t ms = static_cast<int64_t>(s * 1000.0 + 0.5);
  http::append_uint(out, static_cast<uint64_t>(ms / 1000));
  out += '.';
  int frac = static_cast<int>(ms % 1000);
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
}

// A quoted field: '"' and control characters escaped so a line stays one line.
void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  if (v.empty()) {
    out += '-';
  } else {
    for (char ch : v) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c < 0x20 || c == 0x7f) {
        static const char kHex[] = "0123456789abcdef";
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += ch;
      }
    }
  }
  out += '"';
}

void append_or_dash(std::string& out, std::string_view v) {
  if (v.empty()) out += '-';
  else out += v;
}

}  // namespace

void append_iso8601_us(std::string& out, int64_t unix_us) {
  std::time_t secs = static_cast<std::time_t>(unix_us / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  http::append_uint(out, static_cast<uint64_t>(tm.tm_year + 1900));
  out += '-';
  append_2(out, tm.tm_mon + 1);
  out += '-';
  append_2(out, tm.tm_mday);
  out += 'T';
  append_2(out, tm.tm_hour);
  out += ':';
  append_2(out, tm.tm_min);
  out += ':';
  append_2(out, tm.tm_sec);
  out += '.';
  int64_t us = unix_us % 1000000;
  char buf[6];
  for (int i = 5; i >= 0; --i, us /= 10) buf[i] = static_cast<char>('0' + us % 10);
  out.append(buf, 6);
  out += 'Z';
}

void append_access_log_line(std::string& out, const AccessLogEntry& e) {
  out += "http ";
  append_iso8601_us(out, e.time_us);
  out += ' ';
  out += e.elb;
  out += ' ';
  out += e.client_ip;
  out += ':';
  http::append_uint(out, static_cast<uint64_t>(e.client_port));
  out += ' ';
  std::string target;
  if (e.target_ip.empty()) {
    out += '-';
  } else {
    target.append(e.target_ip);
    target += ':';
    http::append_uint(target, static_cast<uint64_t>(e.target_port));
    out += target;
  }
  out += ' ';
  append_seconds(out, e.request_processing_s);
  out += ' ';
  append_seconds(out, e.target_processing_s);
  out += ' ';
  append_seconds(out, e.response_processing_s);
  out += ' ';
  http::append_uint(out, static_cast<uint64_t>(e.elb_status));
  out += ' ';
  if (e.target_status > 0) http::append_uint(out, static_cast<uint64_t>(e.target_status));
  else out += '-';
  out += ' ';
  http::append_uint(out, e.received_bytes);
  out += ' ';
  http::append_uint(out, e.sent_bytes);
  out += ' ';
  append_quoted(out, e.request_line.empty() ? std::string_view("- - - ") : e.request_line);
  out += ' ';
  append_quoted(out, e.user_agent);
  out += " - - ";  // ssl_cipher ssl_protocol (HTTP listeners)
  append_or_dash(out, e.target_group_arn);
  out += ' ';
  append_quoted(out, e.trace_id);
  out += " \"-\" \"-\" ";  // domain_name chosen_cert_arn
  if (e.matched_rule_priority >= 0) http::append_uint(out, static_cast<uint64_t>(e.matched_rule_priority));
  else out += '-';
  out += ' ';
  append_iso8601_us(out, e.request_creation_us);
  out += ' ';
  append_quoted(out, e.actions_executed);
  out += ' ';
  append_quoted(out, e.redirect_url);
  out += ' ';
  append_quoted(out, e.error_reason);
  out += ' ';
  append_quoted(out, target);
  out += ' ';
  if (e.target_status > 0) {
    out += '"';
    http::append_uint(out, static_cast<uint64_t>(e.target_status));
    out += '"';
  } else {
    out += "\"-\"";
  }
  out += ' ';
  append_quoted(out, e.classification);
  out += ' ';
  append_quoted(out, e.classification_reason);
  out += '\n';
}

}  // namespace vpclab::dataplane::alb
