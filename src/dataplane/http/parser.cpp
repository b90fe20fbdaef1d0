#include "dataplane/http/parser.h"

#include <cstring>

namespace vpclab::dataplane::http {

const char* desync_name(Desync d) {
  switch (d) {
    case Desync::kCompliant: return "Compliant";
    case Desync::kAcceptable: return "Acceptable";
    case Desync::kAmbiguous: return "Ambiguous";
    case Desync::kSevere: return "Severe";
  }
  return "?";
}

const char* desync_reason_name(DesyncReason r) {
  switch (r) {
    case DesyncReason::kCompliant: return "Compliant";
    case DesyncReason::kGetHeadZeroContentLength: return "GetHeadZeroContentLength";
    case DesyncReason::kNonCompliantHeader: return "NonCompliantHeader";
    case DesyncReason::kNonCompliantVersion: return "NonCompliantVersion";
    case DesyncReason::kSpaceInUri: return "SpaceInUri";
    case DesyncReason::kAmbiguousUri: return "AmbiguousUri";
    case DesyncReason::kBothTeClPresent: return "BothTeClPresent";
    case DesyncReason::kDuplicateContentLength: return "DuplicateContentLength";
    case DesyncReason::kEmptyHeader: return "EmptyHeader";
    case DesyncReason::kSuspiciousHeader: return "SuspiciousHeader";
    case DesyncReason::kUndefinedContentLengthSemantics: return "UndefinedContentLengthSemantics";
    case DesyncReason::kUndefinedTransferEncodingSemantics: return "UndefinedTransferEncodingSemantics";
    case DesyncReason::kBadContentLength: return "BadContentLength";
    case DesyncReason::kBadHeader: return "BadHeader";
    case DesyncReason::kBadTransferEncoding: return "BadTransferEncoding";
    case DesyncReason::kBadUri: return "BadUri";
    case DesyncReason::kBadMethod: return "BadMethod";
    case DesyncReason::kBadVersion: return "BadVersion";
    case DesyncReason::kMultipleContentLength: return "MultipleContentLength";
    case DesyncReason::kMultipleTransferEncodingChunked: return "MultipleTransferEncodingChunked";
  }
  return "?";
}

Desync desync_tier(DesyncReason r) {
  switch (r) {
    case DesyncReason::kCompliant: return Desync::kCompliant;
    case DesyncReason::kGetHeadZeroContentLength:
    case DesyncReason::kNonCompliantHeader:
    case DesyncReason::kNonCompliantVersion:
    case DesyncReason::kSpaceInUri: return Desync::kAcceptable;
    case DesyncReason::kAmbiguousUri:
    case DesyncReason::kBothTeClPresent:
    case DesyncReason::kDuplicateContentLength:
    case DesyncReason::kEmptyHeader:
    case DesyncReason::kSuspiciousHeader:
    case DesyncReason::kUndefinedContentLengthSemantics:
    case DesyncReason::kUndefinedTransferEncodingSemantics: return Desync::kAmbiguous;
    default: return Desync::kSevere;
  }
}

namespace {

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// RFC 7230 tchar.
struct TcharTable {
  bool v[256] = {};
  constexpr TcharTable() {
    for (int c = '0'; c <= '9'; ++c) v[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) v[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) v[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) v[static_cast<unsigned char>(c)] = true;
  }
  constexpr bool operator[](unsigned char c) const { return v[c]; }
};
constexpr TcharTable kTchar;

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses a decimal Content-Length; false on anything but 1..19 digits.
bool parse_length(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

// A header name that normalizes to Transfer-Encoding or Content-Length
// (case, delimiters, look-alike non-ASCII letters) without being it.
bool suspicious_name(std::string_view name) {
  char norm[64];
  size_t n = 0;
  for (size_t i = 0; i < name.size() && n < sizeof norm; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      norm[n++] = static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      norm[n++] = static_cast<char>(c + 32);
    } else if (c >= 0xC0) {
      norm[n++] = '?';  // start of a multi-byte letter: may pass for one ASCII letter
    }
  }
  auto like = [&](std::string_view target) {
    if (n != target.size()) return false;
    for (size_t i = 0; i < n; ++i)
      if (norm[i] != '?' && norm[i] != target[i]) return false;
    return true;
  };
  if (!like("transferencoding") && !like("contentlength")) return false;
  return !iequals(name, "transfer-encoding") && !iequals(name, "content-length");
}

bool is_get_or_head(std::string_view m) { return m == "GET" || m == "HEAD"; }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 3986 uri-host [":" port], as a Host value or an absolute-form authority
// (no userinfo: RFC 9110 4.2.4). Empty is valid (RFC 9112 3.2).
bool valid_host(std::string_view h) {
  size_t i = 0;
  if (!h.empty() && h.front() == '[') {  // IP-literal
    size_t close = h.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (i = 1; i < close; ++i) {
      char c = h[i];
      if (!is_hex(c) && c != ':' && c != '.' && c != 'v' && c != 'V') return false;
    }
    i = close + 1;
  } else {  // reg-name (IPv4 is a reg-name too)
    for (; i < h.size() && h[i] != ':'; ++i) {
      char c = h[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
      if (c == '%') {
        if (i + 2 >= h.size() || !is_hex(h[i + 1]) || !is_hex(h[i + 2])) return false;
        i += 2;
        ok = true;
      }
      if (!ok) return false;
    }
  }
  if (i == h.size()) return true;
  if (h[i] != ':') return false;
  for (++i; i < h.size(); ++i)
    if (h[i] < '0' || h[i] > '9') return false;
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_token_char(unsigned char c) { return kTchar[c]; }

bool header_has_token(std::string_view value, std::string_view token) {
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    if (iequals(trim_ows(value.substr(pos, comma - pos)), token)) return true;
    pos = comma + 1;
  }
  return false;
}

void Request::clear() {
  method = target = path = query = authority = host = {};
  version_minor = 1;
  headers.clear();
  body = BodyKind::kNone;
  content_length = 0;
  keep_alive = true;
  expect_continue = upgrade = has_transfer_encoding = has_content_length = obs_fold = false;
  xff_addresses = 0;
  desync = Desync::kCompliant;
  desync_reason = DesyncReason::kCompliant;
  error_status = 0;
}

void Request::classify(DesyncReason r) {
  Desync t = desync_tier(r);
  if (t > desync) {
    desync = t;
    desync_reason = r;
  }
}

const Header* Request::find(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

void Response::clear() {
  status = 0;
  version_minor = 1;
  reason = {};
  headers.clear();
  body = BodyKind::kNone;
  content_length = 0;
  keep_alive = true;
  has_set_cookie = false;
}

const Header* Response::find(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

namespace {

// Splits `head` into lines (without their terminators). Calls f(line,
// bare_lf) for each; stops at the empty line.
template <typename F>
void for_each_line(std::string_view head, F&& f) {
  size_t pos = 0;
  while (pos < head.size()) {
    const void* nlp = std::memchr(head.data() + pos, '\n', head.size() - pos);
    if (!nlp) return;
    size_t nl = static_cast<size_t>(static_cast<const char*>(nlp) - head.data());
    bool bare_lf = !(nl > pos && head[nl - 1] == '\r');
    std::string_view line = head.substr(pos, nl - pos - (bare_lf ? 0 : 1));
    pos = nl + 1;
    if (!f(line, bare_lf)) return;
  }
}

bool parse_request_line(std::string_view line, Request& req) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) {
    req.classify(DesyncReason::kBadMethod);
    req.error_status = 400;
    return false;
  }
  req.method = line.substr(0, sp);
  for (char c : req.method) {
    if (!kTchar[static_cast<unsigned char>(c)]) {
      req.classify(DesyncReason::kBadMethod);
      req.error_status = 400;
      return false;
    }
  }
  std::string_view rest = line.substr(sp + 1);
  size_t last = rest.rfind(' ');
  if (last == std::string_view::npos) {  // HTTP/0.9 or garbage: no version
    req.classify(DesyncReason::kBadVersion);
    req.error_status = 400;
    return false;
  }
  std::string_view version = rest.substr(last + 1);
  std::string_view uri = rest.substr(0, last);
  if (version.size() == 8 && version.substr(0, 7) == "HTTP/1." && version[7] >= '0' && version[7] <= '9') {
    int minor = version[7] - '0';
    if (minor >= 2) {
      req.classify(DesyncReason::kNonCompliantVersion);
      minor = 1;
    }
    req.version_minor = minor;
  } else {
    req.classify(DesyncReason::kBadVersion);
    req.error_status = 400;
    return false;
  }
  // Extra spaces around the URI: tolerated (Acceptable), trimmed.
  std::string_view trimmed = uri;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (trimmed.size() != uri.size()) req.classify(DesyncReason::kNonCompliantVersion);
  uri = trimmed;
  if (uri.empty()) {
    req.classify(DesyncReason::kBadUri);
    req.error_status = 400;
    return false;
  }
  for (char ch : uri) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == 0 || c == '\r') {
      // A bare CR or a NUL makes the element invalid (RFC 9112 2.2): rejected
      // in every mode, as nothing downstream can be trusted to read it alike.
      req.classify(DesyncReason::kBadUri);
      req.error_status = 400;
      return false;
    } else if (c == ' ') {
      req.classify(DesyncReason::kSpaceInUri);
    } else if (c < 0x20 || c == 0x7f) {
      req.classify(DesyncReason::kAmbiguousUri);
    }
  }
  req.target = uri;
  std::string_view path_and_query = uri;
  if (uri.front() != '/') {
    auto starts_ci = [&](std::string_view p) { return uri.size() >= p.size() && iequals(uri.substr(0, p.size()), p); };
    size_t scheme = starts_ci("http://") ? 7 : starts_ci("https://") ? 8 : 0;
    if (scheme) {
      std::string_view after = uri.substr(scheme);
      size_t end = after.find_first_of("/?");
      req.authority = after.substr(0, end);
      path_and_query = end == std::string_view::npos ? std::string_view("/") : after.substr(end);
      if (req.authority.empty() || !valid_host(req.authority)) {  // also userinfo (RFC 9110 4.2.4)
        req.classify(DesyncReason::kBadUri);
        req.error_status = 400;
        return false;
      }
    } else if (uri == "*" && req.method == "OPTIONS") {
      path_and_query = uri;
    } else {
      req.classify(DesyncReason::kBadUri);
      req.error_status = 400;
      return false;
    }
  }
  size_t q = path_and_query.find('?');
  if (q == std::string_view::npos) {
    req.path = path_and_query;
  } else {
    req.path = path_and_query.substr(0, q);
    req.query = path_and_query.substr(q + 1);
  }
  if (!req.path.empty() && req.path.front() == '?') req.path = "/";
  return true;
}

bool parse_content_length(std::string_view value, uint64_t& out, bool& list_mismatch) {
  // "42" or a list of identical values "42, 42".
  list_mismatch = false;
  bool have = false;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    uint64_t v;
    if (!parse_length(trim_ows(value.substr(pos, comma - pos)), v)) return false;
    if (have && v != out) list_mismatch = true;
    out = v;
    have = true;
    pos = comma + 1;
  }
  return have;
}

}  // namespace

ParseStatus RequestParser::parse(std::string_view data, Request& req, size_t& head_size) {
  // 1. Find the end of the head, checking the line and head limits as we go.
  size_t pos = scanned_;
  size_t head_end = 0;
  while (true) {
    const void* nlp = pos < data.size() ? std::memchr(data.data() + pos, '\n', data.size() - pos) : nullptr;
    if (!nlp) {
      scanned_ = data.size();
      size_t pending_line = data.size() - line_start_;
      if (pending_line > kMaxLineBytes) {
        req.clear();
        req.error_status = lines_ == 0 ? 414 : 400;
        return ParseStatus::kError;
      }
      if (data.size() > kMaxRequestHeadBytes) {
        req.clear();
        req.error_status = 400;
        return ParseStatus::kError;
      }
      return ParseStatus::kIncomplete;
    }
    size_t nl = static_cast<size_t>(static_cast<const char*>(nlp) - data.data());
    size_t len = nl - line_start_;
    if (len > kMaxLineBytes) {
      req.clear();
      req.error_status = lines_ == 0 ? 414 : 400;
      return ParseStatus::kError;
    }
    bool empty = len == 0 || (len == 1 && data[line_start_] == '\r');
    pos = nl + 1;
    line_start_ = pos;
    if (empty) {
      if (lines_ > 0) {
        head_end = pos;
        break;
      }
      continue;  // empty lines before the request line are ignored (RFC 7230 3.5)
    }
    ++lines_;
    if (pos > kMaxRequestHeadBytes || lines_ > kMaxHeaderCount + 1) {
      req.clear();
      req.error_status = 400;
      return ParseStatus::kError;
    }
  }
  scanned_ = 0;
  line_start_ = 0;
  lines_ = 0;
  head_size = head_end;

  // 2. Parse it.
  req.clear();
  std::string_view head = data.substr(0, head_end);
  bool first = true;
  bool chunked = false;
  bool te_error = false;
  bool host_seen = false;
  bool connection_close = false, connection_keep_alive = false, connection_upgrade = false;
  bool upgrade_header = false;
  bool te_not_last = false;  // a coding after chunked: chunked is not the final coding
  bool failed = false;
  // A request no mode may forward: the RFC requires a 400 (or another status).
  auto reject = [&](DesyncReason r, int status = 400) {
    req.classify(r);
    req.error_status = status;
    failed = true;
    return false;
  };
  for_each_line(head, [&](std::string_view line, bool bare_lf) {
    if (line.empty()) return first;  // skip leading empty lines; stop at the final one
    if (bare_lf) req.classify(DesyncReason::kNonCompliantHeader);
    if (first) {
      first = false;
      if (!parse_request_line(line, req)) {
        failed = true;
        return false;
      }
      return true;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (trim_ows(line).empty()) {
        req.classify(DesyncReason::kEmptyHeader);
        return true;
      }
      // obs-fold: ALB does not support folded headers.
      req.obs_fold = true;
      req.classify(DesyncReason::kBadHeader);
      req.error_status = 400;
      failed = true;
      return false;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      req.classify(DesyncReason::kBadHeader);
      req.error_status = 400;
      failed = true;
      return false;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (name.empty()) {
      req.classify(DesyncReason::kEmptyHeader);
      return true;
    }
    bool name_token = true;
    for (char ch : name) {
      unsigned char c = static_cast<unsigned char>(ch);
      // RFC 9112 5.1: whitespace between a field name and the colon MUST be
      // answered with 400 ("Content-Length : 5" is a smuggling classic; the
      // guardian only calls it SuspiciousHeader). A bare CR or NUL in a name:
      // invalid (RFC 9112 2.2, RFC 9110 5.5).
      if (c == ' ' || c == '\t' || c == 0 || c == '\r') return reject(DesyncReason::kBadHeader);
      if (!kTchar[c]) name_token = false;
    }
    if (suspicious_name(name)) {
      req.classify(DesyncReason::kSuspiciousHeader);
    } else if (!name_token) {
      req.classify(DesyncReason::kNonCompliantHeader);
    }
    for (char ch : value) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c == 0 || c == '\r') {
        // RFC 9110 5.5: reject or replace with SP before forwarding; the head
        // is forwarded from views into the client's bytes, so reject.
        return reject(DesyncReason::kBadHeader);
      } else if ((c < 0x20 && c != '\t') || c == 0x7f || c >= 0x80) {
        req.classify(DesyncReason::kNonCompliantHeader);
      }
    }
    if (req.headers.size() >= kMaxHeaderCount) {
      req.error_status = 400;
      failed = true;
      return false;
    }
    req.headers.push_back(Header{name, value});
    switch (lower(name[0])) {
      case 'c':
        if (iequals(name, "content-length")) {
          // One decimal per field: a list ("3, 3") is BadContentLength as the
          // guardian has it (RFC 9110 8.6 lets a recipient reject it).
          uint64_t v = 0;
          if (!parse_length(value, v)) return reject(DesyncReason::kBadContentLength);
          if (req.has_content_length && v != req.content_length)
            return reject(DesyncReason::kMultipleContentLength);
          if (req.has_content_length) req.classify(DesyncReason::kDuplicateContentLength);
          req.has_content_length = true;
          req.content_length = v;
        } else if (iequals(name, "connection")) {
          if (header_has_token(value, "close")) connection_close = true;
          if (header_has_token(value, "keep-alive")) connection_keep_alive = true;
          if (header_has_token(value, "upgrade")) connection_upgrade = true;
        }
        break;
      case 't':
        if (iequals(name, "transfer-encoding")) {
          req.has_transfer_encoding = true;
          size_t p = 0;
          bool any = false;
          while (p <= value.size()) {
            size_t comma = value.find(',', p);
            if (comma == std::string_view::npos) comma = value.size();
            std::string_view coding = trim_ows(value.substr(p, comma - p));
            p = comma + 1;
            if (coding.empty()) continue;
            any = true;
            if (iequals(coding, "chunked")) {
              if (chunked) return reject(DesyncReason::kMultipleTransferEncodingChunked);
              chunked = true;
            } else if (iequals(coding, "identity")) {
              // no-op coding (RFC 2616) that AWS accepts; after chunked it
              // still makes chunked not the final coding (RFC 9112 6.3 item 4)
              if (chunked) te_not_last = true;
            } else {
              te_error = true;
            }
          }
          if (!any) te_error = true;
        }
        break;
      case 'h':
        if (iequals(name, "host")) {
          // RFC 9112 3.2: more than one Host, or an invalid Host value, is a 400
          if (host_seen || !valid_host(value)) return reject(DesyncReason::kBadHeader);
          host_seen = true;
          req.host = value;
        }
        break;
      case 'e':
        if (iequals(name, "expect") && iequals(value, "100-continue")) req.expect_continue = true;
        break;
      case 'u':
        if (iequals(name, "upgrade")) upgrade_header = true;
        break;
      case 'x':
        if (iequals(name, "x-forwarded-for")) {
          size_t p = 0;
          while (p <= value.size()) {
            size_t comma = value.find(',', p);
            if (comma == std::string_view::npos) comma = value.size();
            if (!trim_ows(value.substr(p, comma - p)).empty()) ++req.xff_addresses;
            p = comma + 1;
          }
        }
        break;
      default:
        break;
    }
    return true;
  });
  if (failed) return ParseStatus::kError;
  if (first) {  // only empty lines: not a request
    req.error_status = 400;
    return ParseStatus::kError;
  }
  if (te_error) {
    req.classify(DesyncReason::kBadTransferEncoding);
    req.error_status = 501;  // AWS: only chunked and identity are implemented
    return ParseStatus::kError;
  }
  if (te_not_last) {  // RFC 9112 6.3 item 4: 400, then close
    req.classify(DesyncReason::kBadTransferEncoding);
    req.error_status = 400;
    return ParseStatus::kError;
  }
  if (!host_seen && req.version_minor >= 1) {  // RFC 9112 3.2, absolute-form too
    req.error_status = 400;
    return ParseStatus::kError;
  }
  if (!req.authority.empty()) req.host = req.authority;  // absolute-form replaces Host (RFC 9112 3.2.2)
  bool framing_suspect = false;  // RFC 9112 6.1: close the connection after the response
  if (req.has_transfer_encoding) {
    if (!chunked) {
      // "identity" only: no body framing from TE; treat as absent.
      req.has_transfer_encoding = false;
    } else {
      if (req.has_content_length) {
        req.classify(DesyncReason::kBothTeClPresent);
        framing_suspect = true;
      }
      if (req.version_minor == 0) framing_suspect = true;  // HTTP/1.0 with TE: faulty framing
      if (req.version_minor == 0 || is_get_or_head(req.method))
        req.classify(DesyncReason::kUndefinedTransferEncodingSemantics);
      req.body = BodyKind::kChunked;
      req.content_length = 0;
    }
  }
  if (req.body != BodyKind::kChunked && req.has_content_length) {
    if (is_get_or_head(req.method)) {
      req.classify(req.content_length == 0 ? DesyncReason::kGetHeadZeroContentLength
                                           : DesyncReason::kUndefinedContentLengthSemantics);
    }
    if (req.content_length > 0) req.body = BodyKind::kLength;
  }
  req.keep_alive = req.version_minor >= 1 ? !connection_close : (connection_keep_alive && !connection_close);
  if (framing_suspect) req.keep_alive = false;
  req.upgrade = connection_upgrade && upgrade_header;
  return ParseStatus::kDone;
}

ParseStatus ResponseParser::parse(std::string_view data, bool head_request, Response& resp, size_t& head_size) {
  // Find the empty line.
  // Resume at the start of the last incomplete line.
  size_t pos = scanned_ <= data.size() ? scanned_ : 0;
  size_t head_end = 0;
  size_t line_start = pos;
  while (true) {
    const void* nlp = pos < data.size() ? std::memchr(data.data() + pos, '\n', data.size() - pos) : nullptr;
    if (!nlp) {
      scanned_ = line_start;
      if (data.size() > kMaxResponseHeadBytes) return ParseStatus::kError;
      return ParseStatus::kIncomplete;
    }
    size_t nl = static_cast<size_t>(static_cast<const char*>(nlp) - data.data());
    size_t len = nl - line_start;
    bool empty = len == 0 || (len == 1 && data[line_start] == '\r');
    pos = nl + 1;
    line_start = pos;
    if (pos > kMaxResponseHeadBytes) return ParseStatus::kError;
    if (empty) {
      head_end = pos;
      break;
    }
  }
  scanned_ = 0;
  head_size = head_end;
  resp.clear();
  std::string_view head = data.substr(0, head_end);
  bool first = true;
  bool bad = false;
  bool chunked_last = false, has_te = false, has_cl = false;
  bool conn_close = false, conn_keep_alive = false;
  for_each_line(head, [&](std::string_view line, bool) {
    if (line.empty()) {
      if (first) bad = true;
      return false;
    }
    if (first) {
      first = false;
      // HTTP/1.x SSS[ reason]
      if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' ||
          line[8] != ' ') {
        bad = true;
        return false;
      }
      resp.version_minor = line[7] == '0' ? 0 : 1;
      int status = 0;
      for (int i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9') {
          bad = true;
          return false;
        }
        status = status * 10 + (line[i] - '0');
      }
      if (status < 100 || status > 599 || (line.size() > 12 && line[12] != ' ')) {
        bad = true;
        return false;
      }
      resp.status = status;
      resp.reason = line.size() > 13 ? line.substr(13) : std::string_view();
      return true;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      bad = true;  // obs-fold from a target: malformed for us
      return false;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      bad = true;
      return false;
    }
    std::string_view name = line.substr(0, colon);
    for (char c : name)
      if (!kTchar[static_cast<unsigned char>(c)]) {
        bad = true;
        return false;
      }
    std::string_view value = trim_ows(line.substr(colon + 1));
    for (char c : value)
      if (c == '\0' || c == '\r') {
        bad = true;
        return false;
      }
    if (resp.headers.size() >= kMaxHeaderCount) {
      bad = true;
      return false;
    }
    resp.headers.push_back(Header{name, value});
    if (iequals(name, "content-length")) {
      uint64_t v = 0;
      bool mismatch = false;
      if (!parse_content_length(value, v, mismatch) || mismatch || (has_cl && v != resp.content_length)) {
        bad = true;
        return false;
      }
      has_cl = true;
      resp.content_length = v;
    } else if (iequals(name, "transfer-encoding")) {
      has_te = true;
      // chunked must be the final coding for the length to be known
      std::string_view v = value;
      size_t comma = v.rfind(',');
      std::string_view lastc = trim_ows(comma == std::string_view::npos ? v : v.substr(comma + 1));
      chunked_last = iequals(lastc, "chunked");
    } else if (iequals(name, "connection")) {
      if (header_has_token(value, "close")) conn_close = true;
      if (header_has_token(value, "keep-alive")) conn_keep_alive = true;
    } else if (iequals(name, "set-cookie")) {
      resp.has_set_cookie = true;
    }
    return true;
  });
  if (bad || first) return ParseStatus::kError;
  resp.keep_alive = resp.version_minor >= 1 ? !conn_close : (conn_keep_alive && !conn_close);
  if (head_request || resp.status < 200 || resp.status == 204 || resp.status == 304) {
    resp.body = BodyKind::kNone;
  } else if (has_te) {
    if (chunked_last) {
      resp.body = BodyKind::kChunked;
    } else {
      resp.body = BodyKind::kUntilClose;
      resp.keep_alive = false;
    }
  } else if (has_cl) {
    resp.body = resp.content_length > 0 ? BodyKind::kLength : BodyKind::kNone;
  } else {
    resp.body = BodyKind::kUntilClose;
    resp.keep_alive = false;
  }
  return ParseStatus::kDone;
}

ChunkedDecoder::Result ChunkedDecoder::feed(std::string_view in, size_t& consumed, std::string* payload) {
  // RFC 9112 7.1: chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS ";" BWS
  // name [ BWS "=" BWS ( token / quoted-string ) ] ); trailers are field lines.
  // Anything else is an error: lenient chunk parsing is how bodies desync.
  auto is_ws = [](char c) { return c == ' ' || c == '\t'; };
  auto tchar = [](char c) { return kTchar[static_cast<unsigned char>(c)]; };
  auto fail = [&](size_t at) {
    consumed = at;
    return Result::kError;
  };
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    char c = in[i];
    if (state_ >= State::kSizeBws && state_ <= State::kExtQuotedEsc && ++line_bytes_ > 4096) return fail(i);
    switch (state_) {
      case State::kSize: {
        int d = (c >= '0' && c <= '9') ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d >= 0) {
          if (++size_digits_ > 15) return fail(i);
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(d);
        } else if (size_digits_ == 0) {
          return fail(i);
        } else if (c == ';') {
          line_bytes_ = 0;
          state_ = State::kExtPreName;
        } else if (is_ws(c)) {
          line_bytes_ = 0;
          state_ = State::kSizeBws;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else {
          return fail(i);
        }
        ++i;
        break;
      }
      case State::kSizeBws:  // BWS must lead to ";"
        if (c == ';') state_ = State::kExtPreName;
        else if (!is_ws(c)) return fail(i);
        ++i;
        break;
      case State::kExtPreName:
        if (tchar(c)) state_ = State::kExtName;
        else if (!is_ws(c)) return fail(i);
        ++i;
        break;
      case State::kExtName:
        if (c == '=') state_ = State::kExtPreValue;
        else if (c == ';') state_ = State::kExtPreName;
        else if (c == '\r') state_ = State::kSizeLf;
        else if (is_ws(c)) state_ = State::kExtPostName;
        else if (!tchar(c)) return fail(i);
        ++i;
        break;
      case State::kExtPostName:
        if (c == '=') state_ = State::kExtPreValue;
        else if (c == ';') state_ = State::kExtPreName;
        else if (!is_ws(c)) return fail(i);
        ++i;
        break;
      case State::kExtPreValue:
        if (c == '"') state_ = State::kExtQuoted;
        else if (tchar(c)) state_ = State::kExtValue;
        else if (!is_ws(c)) return fail(i);
        ++i;
        break;
      case State::kExtValue:
        if (c == ';') state_ = State::kExtPreName;
        else if (c == '\r') state_ = State::kSizeLf;
        else if (is_ws(c)) state_ = State::kSizeBws;
        else if (!tchar(c)) return fail(i);
        ++i;
        break;
      case State::kExtQuoted: {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '"') state_ = State::kExtPostQuoted;
        else if (c == '\\') state_ = State::kExtQuotedEsc;
        else if ((u < 0x20 && c != '\t') || u == 0x7f) return fail(i);  // CR, LF, NUL, CTLs
        ++i;
        break;
      }
      case State::kExtPostQuoted:
        if (c == ';') state_ = State::kExtPreName;
        else if (c == '\r') state_ = State::kSizeLf;
        else if (is_ws(c)) state_ = State::kSizeBws;
        else return fail(i);
        ++i;
        break;
      case State::kExtQuotedEsc: {
        unsigned char u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) return fail(i);
        state_ = State::kExtQuoted;
        ++i;
        break;
      }
      case State::kSizeLf:
        if (c != '\n') return fail(i);
        ++i;
        size_digits_ = 0;
        line_bytes_ = 0;
        state_ = remaining_ == 0 ? State::kTrailer : State::kData;
        break;
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - i));
        if (payload) payload->append(in.data() + i, take);
        payload_bytes_ += take;
        remaining_ -= take;
        i += take;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (c != '\r') return fail(i);
        state_ = State::kDataLf;
        ++i;
        break;
      case State::kDataLf:
        if (c != '\n') return fail(i);
        state_ = State::kSize;
        ++i;
        break;
      case State::kTrailer:  // at the start of a trailer line: CRLF ends the body
        line_bytes_ = 0;
        if (c == '\r') state_ = State::kTrailerLf;
        else if (tchar(c)) state_ = State::kTrailerName;
        else return fail(i);  // obs-fold, bare LF, empty name
        ++i;
        break;
      case State::kTrailerName:  // no whitespace before the colon (RFC 9112 5.1)
        if (c == ':') state_ = State::kTrailerLine;
        else if (!tchar(c)) return fail(i);
        ++i;
        if (++line_bytes_ > kMaxLineBytes) return fail(i);
        break;
      case State::kTrailerLine:
        if (c == '\r') state_ = State::kTrailerLineLf;
        else if (c == '\n' || c == '\0') return fail(i);
        ++i;
        if (++line_bytes_ > kMaxLineBytes) return fail(i);
        break;
      case State::kTrailerLineLf:
        if (c != '\n') return fail(i);
        state_ = State::kTrailer;
        ++i;
        break;
      case State::kTrailerLf:
        if (c != '\n') return fail(i);
        ++i;
        state_ = State::kDone;
        consumed = i;
        return Result::kDone;
      case State::kDone:
        consumed = i;
        return Result::kDone;
    }
  }
  consumed = i;
  return state_ == State::kDone ? Result::kDone : Result::kNeedMore;
}

int status_line_code(std::string_view data) {
  size_t eol = data.find('\n');
  if (eol == std::string_view::npos) return 0;
  std::string_view line = data.substr(0, eol);
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return -1;
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return -1;
    status = status * 10 + (line[i] - '0');
  }
  return status < 100 ? -1 : status;
}

}  // namespace vpclab::dataplane::http
