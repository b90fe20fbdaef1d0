#include "dataplane/http/message.h"

namespace vpclab::dataplane::http {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "Request-URI Too Long";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 460: return "Client Closed Request";
    case 463: return "Bad Request";
    case 464: return "Bad Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string alb_error_body(int status) {
  std::string title = std::to_string(status);
  title += ' ';
  title += reason_phrase(status);
  std::string body;
  body.reserve(128);
  body += "<html>\r\n<head><title>";
  body += title;
  body += "</title></head>\r\n<body>\r\n<center><h1>";
  body += title;
  body += "</h1></center>\r\n</body>\r\n</html>\r\n";
  return body;
}

std::string http_date(std::time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  int i = 24;
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  out.append(buf + i, 24 - i);
}

void append_hex(std::string& out, uint64_t v, int digits) {
  static const char kHex[] = "0123456789abcdef";
  char buf[16];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = kHex[v & 15];
    v >>= 4;
  }
  out.append(buf, static_cast<size_t>(digits));
}

void append_lb_response(std::string& out, int status, std::string_view content_type,
                        std::string_view body, bool keep_alive, bool head_request,
                        std::string_view date, std::string_view extra_headers) {
  out += "HTTP/1.1 ";
  append_uint(out, static_cast<uint64_t>(status));
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nServer: awselb/2.0\r\nDate: ";
  out += date;
  out += "\r\n";
  if (!content_type.empty()) {
    out += "Content-Type: ";
    out += content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  append_uint(out, body.size());
  out += "\r\n";
  out += extra_headers;
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_request) out += body;
}

}  // namespace vpclab::dataplane::http
