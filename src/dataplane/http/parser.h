// Strict incremental HTTP/1.x parsing for the ALB data plane.
//
// Heads are parsed once complete (the parser remembers how far it scanned, so
// feeding a head byte by byte stays linear). Results are views into the
// caller's buffer: valid until that buffer changes. The parser never reads
// past the bytes it is given. Requests are classified as AWS's desync
// mitigation does (aws-alb.md section 4, http_desync_guardian's tiers and
// reason names); responses are checked strictly (anything odd is a 502).
// Where RFC 9112 says a server MUST reject (whitespace before a colon, bare
// CR or NUL, invalid or missing Host, bad or conflicting framing, chunked not
// last) parse() returns kError in every desync mode, the finding still named
// for the access log; RFC 9112 6.1's "close after responding" (CL+TE, TE in
// HTTP/1.0) clears keep_alive. The table in tests/dataplane/http/rfc9112_test.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vpclab::dataplane::http {

inline constexpr size_t kMaxLineBytes = 16 * 1024;            // request line or one header
inline constexpr size_t kMaxRequestHeadBytes = 64 * 1024;     // all request headers
inline constexpr size_t kMaxResponseHeadBytes = 32 * 1024;    // target response headers
inline constexpr size_t kMaxHeaderCount = 256;

enum class Desync : uint8_t { kCompliant, kAcceptable, kAmbiguous, kSevere };
const char* desync_name(Desync d);  // "Compliant", "Acceptable", "Ambiguous", "Severe"

enum class DesyncReason : uint8_t {
  kCompliant,
  // Acceptable
  kGetHeadZeroContentLength, kNonCompliantHeader, kNonCompliantVersion, kSpaceInUri,
  // Ambiguous
  kAmbiguousUri, kBothTeClPresent, kDuplicateContentLength, kEmptyHeader, kSuspiciousHeader,
  kUndefinedContentLengthSemantics, kUndefinedTransferEncodingSemantics,
  // Severe
  kBadContentLength, kBadHeader, kBadTransferEncoding, kBadUri, kBadMethod, kBadVersion,
  kMultipleContentLength, kMultipleTransferEncodingChunked,
};
const char* desync_reason_name(DesyncReason r);  // AWS's names, e.g. "BothTeClPresent"
Desync desync_tier(DesyncReason r);

struct Header {
  std::string_view name, value;  // value without surrounding whitespace
};

enum class BodyKind : uint8_t {
  kNone,        // no body
  kLength,      // Content-Length bytes
  kChunked,     // chunked transfer coding
  kUntilClose,  // responses only: body ends when the target closes
};

enum class ParseStatus : uint8_t { kIncomplete, kDone, kError };

struct Request {
  std::string_view method, target;   // target as sent (origin or absolute form)
  std::string_view path, query;      // path of the target; query without '?'
  std::string_view authority;        // host[:port] of an absolute-form target
  int version_minor = 1;             // HTTP/1.<minor>
  std::vector<Header> headers;       // in order, obs-folds joined by the engine's rules
  std::string_view host;             // the Host header (or authority), as sent
  BodyKind body = BodyKind::kNone;
  uint64_t content_length = 0;
  bool keep_alive = true;            // by version and Connection
  bool expect_continue = false;
  bool upgrade = false;              // Connection: upgrade + Upgrade header
  bool has_transfer_encoding = false;
  bool has_content_length = false;
  bool obs_fold = false;             // a folded header line was seen (values unfolded by caller)
  int xff_addresses = 0;             // addresses in all X-Forwarded-For headers
  Desync desync = Desync::kCompliant;
  DesyncReason desync_reason = DesyncReason::kCompliant;
  int error_status = 0;              // on kError: 400, 414, 501

  void clear();
  // Records a finding; the most severe tier wins, the first reason of that tier is kept.
  void classify(DesyncReason r);
  const Header* find(std::string_view name) const;  // first header of that name (case-insensitive)
};

// Scans and parses request heads. One parser per connection; reset() between
// requests (it keeps its scan position otherwise).
class RequestParser {
 public:
  // Parses the head at the start of `data`. kDone: `head_size` bytes make the
  // head. kError: req.error_status says which ALB error to answer.
  ParseStatus parse(std::string_view data, Request& req, size_t& head_size);
  void reset() { scanned_ = 0; line_start_ = 0; lines_ = 0; }

 private:
  size_t scanned_ = 0;
  size_t line_start_ = 0;
  size_t lines_ = 0;
};

struct Response {
  int status = 0;
  int version_minor = 1;
  std::string_view reason;
  std::vector<Header> headers;
  BodyKind body = BodyKind::kNone;
  uint64_t content_length = 0;
  bool keep_alive = true;
  bool has_set_cookie = false;

  void clear();
  const Header* find(std::string_view name) const;
};

// The status of a response from its first line ("HTTP/1.x SSS ..."), all a
// health check reads: 0 while the line is incomplete, -1 when it is not a
// status line.
int status_line_code(std::string_view data);

class ResponseParser {
 public:
  // `head_request`: the request was HEAD (no body whatever the headers say).
  // kError means the response is malformed or its head exceeds 32 KiB: 502.
  ParseStatus parse(std::string_view data, bool head_request, Response& resp, size_t& head_size);
  void reset() { scanned_ = 0; }

 private:
  size_t scanned_ = 0;
};

// Incremental chunked-body decoder. Tracks where a chunked body ends so the
// raw bytes can be forwarded unchanged; optionally collects the payload.
class ChunkedDecoder {
 public:
  enum class Result : uint8_t { kNeedMore, kDone, kError };
  // Consumes a prefix of `in` (`consumed` bytes); appends payload bytes to
  // `payload` when given. kDone: the body (with trailers) ends after `consumed`.
  Result feed(std::string_view in, size_t& consumed, std::string* payload = nullptr);
  void reset() { *this = ChunkedDecoder{}; }
  uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  // kSizeBws..kExtQuotedEsc are the chunk-ext states (their order matters).
  enum class State : uint8_t {
    kSize, kSizeBws, kExtPreName, kExtName, kExtPostName, kExtPreValue, kExtValue, kExtQuoted, kExtPostQuoted, kExtQuotedEsc,
    kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerName, kTrailerLine, kTrailerLineLf, kTrailerLf, kDone
  };
  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  uint64_t payload_bytes_ = 0;
  int size_digits_ = 0;
  size_t line_bytes_ = 0;
};

// Header helpers.
bool iequals(std::string_view a, std::string_view b);
bool is_token_char(unsigned char c);
// Case-insensitive search for a comma-separated token in a header value.
bool header_has_token(std::string_view value, std::string_view token);

}  // namespace vpclab::dataplane::http
