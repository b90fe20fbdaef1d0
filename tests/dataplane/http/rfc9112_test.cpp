// RFC 9112's request-parsing MUSTs and AWS's desync mitigation table, one row
// per case: the bytes a client sends -> what the parser decides (status,
// tier, reason, framing), and for the modes, what a real client of the ALB
// engine on loopback sees (status, forwarded or not, connection kept or not).
//
// Where the two disagree the RFC wins: every request RFC 9112 says a server
// MUST reject is a 400 (501 for an unknown coding) in every mode, monitor
// included; the finding is still classified (Severe, named) for the log.
// AWS's table then only decides what it may: Acceptable and Ambiguous.
#include <gtest/gtest.h>
#include <poll.h>

#include <string>

#include "../alb/alb_test_util.h"
#include "dataplane/http/parser.h"

namespace vpclab::dataplane::http {
namespace {

using namespace std::string_literals;
using D = Desync;
using R = DesyncReason;
using S = ParseStatus;
using B = BodyKind;

struct Row {
  const char* rule;  // where the rule is written
  const char* name;
  std::string bytes;
  S status;
  D tier = D::kCompliant;
  R reason = R::kCompliant;
  int error = 0;       // on kError: the status the ALB answers
  B body = B::kNone;   // on kDone
  bool keep_alive = true;
};

const std::string H = "Host: h\r\n";

const Row kRows[] = {
    // --- request line (RFC 9112 3) ---
    {"9112 3", "compliant GET", "GET / HTTP/1.1\r\n" + H + "\r\n", S::kDone},
    {"9112 2.2", "empty lines before the request line are ignored", "\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n",
     S::kDone},
    {"9112 3.1", "method is a token (case-sensitive, any token)", "get / HTTP/1.1\r\n" + H + "\r\n", S::kDone},
    {"9112 3.1", "method not a token", "G(T / HTTP/1.1\r\n" + H + "\r\n", S::kError, D::kSevere, R::kBadMethod,
     400},
    {"9112 3", "no method", " / HTTP/1.1\r\n" + H + "\r\n", S::kError, D::kSevere, R::kBadMethod, 400},
    {"9112 2.3", "no version (HTTP/0.9)", "GET /\r\n\r\n", S::kError, D::kSevere, R::kBadVersion, 400},
    {"9112 2.3", "version is case-sensitive", "GET / http/1.1\r\n" + H + "\r\n", S::kError, D::kSevere,
     R::kBadVersion, 400},
    {"9112 2.3", "HTTP/2.0 on an HTTP/1 connection", "GET / HTTP/2.0\r\n" + H + "\r\n", S::kError, D::kSevere,
     R::kBadVersion, 400},
    {"9112 2.3", "two-digit minor", "GET / HTTP/1.10\r\n" + H + "\r\n", S::kError, D::kSevere, R::kBadVersion, 400},
    {"9112 2.3", "higher minor served as 1.1", "GET / HTTP/1.2\r\n" + H + "\r\n", S::kDone, D::kAcceptable,
     R::kNonCompliantVersion},
    {"9112 3", "trailing space after the version", "GET / HTTP/1.1 \r\n" + H + "\r\n", S::kError, D::kSevere,
     R::kBadVersion, 400},
    {"9112 3 (MAY)", "two spaces before the target", "GET  / HTTP/1.1\r\n" + H + "\r\n", S::kDone, D::kAcceptable,
     R::kNonCompliantVersion},
    {"9112 3.2", "space inside the target", "GET /a b HTTP/1.1\r\n" + H + "\r\n", S::kDone, D::kAcceptable,
     R::kSpaceInUri},
    {"9112 3.2", "control character in the target", "GET /a\x01 HTTP/1.1\r\n" + H + "\r\n", S::kDone,
     D::kAmbiguous, R::kAmbiguousUri},
    {"9110 5.5", "NUL in the target", "GET /a\0 HTTP/1.1\r\n"s + H + "\r\n", S::kError, D::kSevere, R::kBadUri, 400},
    {"9112 2.2", "bare CR in the target", "GET /a\rb HTTP/1.1\r\n" + H + "\r\n", S::kError, D::kSevere, R::kBadUri,
     400},
    {"9112 3.2", "relative target", "GET foo HTTP/1.1\r\n" + H + "\r\n", S::kError, D::kSevere, R::kBadUri, 400},
    {"9112 3.2.4", "asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n", S::kDone},
    {"9112 3.2.4", "asterisk-form with GET", "GET * HTTP/1.1\r\n" + H + "\r\n", S::kError, D::kSevere, R::kBadUri,
     400},
    {"9112 3.2.3", "authority-form (CONNECT is not proxied)", "CONNECT h:443 HTTP/1.1\r\n" + H + "\r\n", S::kError,
     D::kSevere, R::kBadUri, 400},
    {"9112 3.2.2", "absolute-form", "GET http://a.example/p HTTP/1.1\r\nHost: other\r\n\r\n", S::kDone},
    {"9110 4.2.4", "absolute-form with userinfo", "GET http://u@a.example/ HTTP/1.1\r\n" + H + "\r\n", S::kError,
     D::kSevere, R::kBadUri, 400},
    {"9112 3.2.2", "absolute-form without authority", "GET http:///p HTTP/1.1\r\n" + H + "\r\n", S::kError,
     D::kSevere, R::kBadUri, 400},

    // --- Host (RFC 9112 3.2) ---
    {"9112 3.2", "HTTP/1.1 without Host", "GET / HTTP/1.1\r\nA: b\r\n\r\n", S::kError, D::kCompliant, R::kCompliant,
     400},
    {"9112 3.2", "HTTP/1.1 absolute-form without Host", "GET http://a.example/ HTTP/1.1\r\n\r\n", S::kError,
     D::kCompliant, R::kCompliant, 400},
    {"9112 3.2", "HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", S::kDone, D::kCompliant, R::kCompliant, 0,
     B::kNone, false},
    {"9112 3.2", "two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 3.2", "Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", S::kError, D::kSevere, R::kBadHeader,
     400},
    {"9112 3.2", "Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", S::kError, D::kSevere, R::kBadHeader,
     400},
    {"9112 3.2", "Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", S::kError, D::kSevere, R::kBadHeader,
     400},
    {"9112 3.2", "Host with a bad port", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 3.2", "Host IP-literal with port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", S::kDone},
    {"9112 3.2", "empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", S::kDone},

    // --- field lines (RFC 9112 5, RFC 9110 5.5) ---
    {"9112 5.1", "space between name and colon: Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length : 5\r\n\r\nhello",
     S::kError, D::kSevere, R::kBadHeader, 400},
    {"9112 5.1", "tab between name and colon: Transfer-Encoding",
     "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding\t: chunked\r\nContent-Length: 3\r\n\r\nabc", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 5.1", "space between name and colon: any field", "GET / HTTP/1.1\r\n" + H + "X-A : 1\r\n\r\n", S::kError,
     D::kSevere, R::kBadHeader, 400},
    {"9112 5.1", "space inside a name", "POST / HTTP/1.1\r\n" + H + "Transfer- Encoding: chunked\r\n\r\n", S::kError,
     D::kSevere, R::kBadHeader, 400},
    {"9112 5", "line without a colon", "GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 5", "empty name", "GET / HTTP/1.1\r\n" + H + ": v\r\n\r\n", S::kDone, D::kAmbiguous, R::kEmptyHeader},
    {"guardian", "look-alike name Content_Length", "POST / HTTP/1.1\r\n" + H + "Content_Length: 5\r\n\r\n", S::kDone,
     D::kAmbiguous, R::kSuspiciousHeader},
    {"guardian", "look-alike name with a dotless i",
     "POST / HTTP/1.1\r\n" + H + "Transfer-Encod\xc4\xb1ng: chunked\r\n\r\n", S::kDone, D::kAmbiguous,
     R::kSuspiciousHeader},
    {"guardian", "control character before Content-Length", "POST / HTTP/1.1\r\n" + H + "\x01" "Content-Length: 1\r\n\r\n",
     S::kDone, D::kAmbiguous, R::kSuspiciousHeader},
    {"9110 5.1", "name not a token", "GET / HTTP/1.1\r\n" + H + "X@Y: 1\r\n\r\n", S::kDone, D::kAcceptable,
     R::kNonCompliantHeader},
    {"9110 5.5 (MAY)", "control character in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\x01" "b\r\n\r\n", S::kDone,
     D::kAcceptable, R::kNonCompliantHeader},
    {"9110 5.5 (MAY)", "DEL in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\x7f\r\n\r\n", S::kDone, D::kAcceptable,
     R::kNonCompliantHeader},
    {"9110 5.5", "NUL in a value", "GET / HTTP/1.1\r\n"s + H + "X-A: a\0b\r\n\r\n"s, S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9110 5.5", "NUL in a name", "GET / HTTP/1.1\r\n"s + H + "X-\0A: b\r\n\r\n"s, S::kError, D::kSevere, R::kBadHeader,
     400},
    {"9112 2.2", "bare CR in a value", "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 2.2", "CR CR LF line end", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 2.2", "bare CR in a name", "GET / HTTP/1.1\r\n" + H + "X\rA: b\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 2.2 (MAY)", "bare LF line ends", "GET / HTTP/1.1\nHost: h\n\n", S::kDone, D::kAcceptable,
     R::kNonCompliantHeader},
    {"9112 2.2", "whitespace before the first field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 5.2", "obs-fold", "GET / HTTP/1.1\r\n" + H + "X-A: 1\r\n  continued\r\n\r\n", S::kError, D::kSevere,
     R::kBadHeader, 400},
    {"9112 5.2", "obs-fold hiding Transfer-Encoding", "POST / HTTP/1.1\r\n" + H + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n",
     S::kError, D::kSevere, R::kBadHeader, 400},
    {"9112 5.2", "whitespace-only line (an empty fold)", "GET / HTTP/1.1\r\n" + H + " \r\n\r\n", S::kDone,
     D::kAmbiguous, R::kEmptyHeader},

    // --- body length (RFC 9112 6) ---
    {"9112 6.3", "Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nabc", S::kDone,
     D::kCompliant, R::kCompliant, 0, B::kLength},
    {"9110 8.6", "Content-Length with leading zeros", "POST / HTTP/1.1\r\n" + H + "Content-Length: 003\r\n\r\nabc",
     S::kDone, D::kCompliant, R::kCompliant, 0, B::kLength},
    {"9110 8.6", "two equal Content-Length lines",
     "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", S::kDone, D::kAmbiguous,
     R::kDuplicateContentLength, 0, B::kLength},
    {"9110 8.6", "a list of equal lengths in one field", "POST / HTTP/1.1\r\n" + H + "Content-Length: 3, 3\r\n\r\nabc",
     S::kError, D::kSevere, R::kBadContentLength, 400},
    {"9112 6.3 (5)", "two different lengths",
     "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", S::kError, D::kSevere,
     R::kMultipleContentLength, 400},
    {"9112 6.3 (5)", "signed length", "POST / HTTP/1.1\r\n" + H + "Content-Length: +3\r\n\r\nabc", S::kError,
     D::kSevere, R::kBadContentLength, 400},
    {"9112 6.3 (5)", "negative length", "POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", S::kError,
     D::kSevere, R::kBadContentLength, 400},
    {"9112 6.3 (5)", "hex length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 0x3\r\n\r\nabc", S::kError,
     D::kSevere, R::kBadContentLength, 400},
    {"9112 6.3 (5)", "two numbers", "POST / HTTP/1.1\r\n" + H + "Content-Length: 3 3\r\n\r\nabc", S::kError,
     D::kSevere, R::kBadContentLength, 400},
    {"9112 6.3 (5)", "empty length", "POST / HTTP/1.1\r\n" + H + "Content-Length:\r\n\r\n", S::kError, D::kSevere,
     R::kBadContentLength, 400},
    {"9112 6.3 (5)", "length that overflows", "POST / HTTP/1.1\r\n" + H + "Content-Length: 18446744073709551616\r\n\r\n",
     S::kError, D::kSevere, R::kBadContentLength, 400},
    {"9112 6.1", "CL and TE: TE wins, connection closed after",
     "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     S::kDone, D::kAmbiguous, R::kBothTeClPresent, 0, B::kChunked, false},
    {"9112 6.1", "TE in HTTP/1.0: faulty framing, connection closed after",
     "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", S::kDone,
     D::kAmbiguous, R::kUndefinedTransferEncodingSemantics, 0, B::kChunked, false},
    {"9112 7", "chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     S::kDone, D::kCompliant, R::kCompliant, 0, B::kChunked},
    {"9112 7", "chunked twice in two lines",
     "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", S::kError,
     D::kSevere, R::kMultipleTransferEncodingChunked, 400},
    {"9112 7", "chunked twice in one list", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, chunked\r\n\r\n",
     S::kError, D::kSevere, R::kMultipleTransferEncodingChunked, 400},
    {"9112 6.3 (4)", "chunked not the final coding", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, identity\r\n\r\n",
     S::kError, D::kSevere, R::kBadTransferEncoding, 400},
    {"9112 6.3 (4)", "chunked not final across lines",
     "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", S::kError,
     D::kSevere, R::kBadTransferEncoding, 400},
    {"9112 6.1 (SHOULD 501)", "unknown coding", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n",
     S::kError, D::kSevere, R::kBadTransferEncoding, 501},
    {"9112 6.1 (SHOULD 501)", "unknown coding xchunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n",
     S::kError, D::kSevere, R::kBadTransferEncoding, 501},
    {"9112 6.1 (SHOULD 501)", "control character in a coding",
     "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\x11\r\n\r\n", S::kError, D::kSevere,
     R::kBadTransferEncoding, 501},
    {"aws", "identity alone: no body framing from TE", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: identity\r\n\r\n",
     S::kDone},
    {"aws", "GET with Content-Length: 0", "GET / HTTP/1.1\r\n" + H + "Content-Length: 0\r\n\r\n", S::kDone,
     D::kAcceptable, R::kGetHeadZeroContentLength},
    {"aws", "GET with a body", "GET / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello", S::kDone, D::kAmbiguous,
     R::kUndefinedContentLengthSemantics, 0, B::kLength},
    {"aws", "HEAD with a body", "HEAD / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello", S::kDone, D::kAmbiguous,
     R::kUndefinedContentLengthSemantics, 0, B::kLength},
    {"aws", "GET chunked", "GET / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", S::kDone,
     D::kAmbiguous, R::kUndefinedTransferEncodingSemantics, 0, B::kChunked},
};

TEST(Rfc9112, RequestParsingTable) {
  int n = 0;
  for (const Row& row : kRows) {
    SCOPED_TRACE(std::string(row.rule) + ": " + row.name);
    RequestParser parser;
    Request req;
    size_t head = 0;
    ParseStatus st = parser.parse(row.bytes, req, head);
    EXPECT_EQ(st, row.status);
    EXPECT_EQ(desync_name(req.desync), std::string(desync_name(row.tier)));
    EXPECT_EQ(desync_reason_name(req.desync_reason), std::string(desync_reason_name(row.reason)));
    EXPECT_EQ(req.error_status, row.error);
    if (st == S::kDone && row.status == S::kDone) {
      EXPECT_EQ(static_cast<int>(req.body), static_cast<int>(row.body));
      EXPECT_EQ(req.keep_alive, row.keep_alive);
    }
    ++n;
  }
  EXPECT_GE(n, 80);
}

struct ChunkRow {
  const char* rule;
  const char* name;
  std::string bytes;
  ChunkedDecoder::Result result;
  std::string payload;
};

TEST(Rfc9112, ChunkedBodyTable) {
  using C = ChunkedDecoder::Result;
  const ChunkRow rows[] = {
      {"9112 7.1", "two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", C::kDone, "hello world"},
      {"9112 7.1", "last chunk only", "0\r\n\r\n", C::kDone, ""},
      {"9112 7.1", "upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", C::kDone, "0123456789"},
      {"9112 7.1.1", "extension name", "3;x\r\nabc\r\n0\r\n\r\n", C::kDone, "abc"},
      {"9112 7.1.1", "extensions with token and quoted values",
       "3;a=1;b=\"q \\\" ;x\"\r\nabc\r\n0;c=2\r\n\r\n", C::kDone, "abc"},
      {"9112 7.1.1", "BWS around ; and =", "3 ; a = 1\r\nabc\r\n0\r\n\r\n", C::kDone, "abc"},
      {"9112 7.1", "whitespace before CRLF", "5 \r\nhello\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1.1", "empty extension name", "3;\r\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1.1", "extension name with a space", "3;a b\r\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1.1", "extension value then garbage", "3;a=1 x\r\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1.1", "text after a quoted value", "3;a=\"1\"x\r\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1.1", "control character in a quoted value", "3;a=\"\x01\"\r\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1.1", "bare LF in an extension", "3;a\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 2.2", "bare CR in an extension", "3;a\rb\r\nabc\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1", "bare LF after the size", "5\nhello\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1", "bare LF after the data", "5\r\nhello\n0\r\n\r\n", C::kError, "hello"},
      {"9112 7.1", "data longer than the size", "3\r\nhello\r\n0\r\n\r\n", C::kError, "hel"},
      {"9112 7.1", "0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1", "negative size", "-1\r\nx\r\n0\r\n\r\n", C::kError, ""},
      {"9112 7.1", "empty size", "\r\n", C::kError, ""},
      {"9112 7.1 (overflow)", "size beyond 60 bits", "1000000000000000\r\n", C::kError, ""},
      {"9112 7.1.2", "trailer field", "0\r\nX-T: 1\r\n\r\n", C::kDone, ""},
      {"9112 5.1", "trailer with space before the colon", "0\r\nX-T : 1\r\n\r\n", C::kError, ""},
      {"9112 5.2", "trailer obs-fold", "0\r\nX-T: 1\r\n 2\r\n\r\n", C::kError, ""},
      {"9112 5", "trailer without a colon", "0\r\nnocolon\r\n\r\n", C::kError, ""},
      {"9110 5.5", "NUL in a trailer value", "0\r\nX-T: a\0\r\n\r\n"s, C::kError, ""},
      {"9112 2.2", "bare CR in a trailer", "0\r\nX-T: a\rb\r\n\r\n", C::kError, ""},
      {"9112 7.1", "bare LF after the last chunk", "0\r\n\n", C::kError, ""},
      {"9112 7.1", "incomplete", "5\r\nhel", C::kNeedMore, "hel"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.rule) + ": " + row.name);
    for (bool bytewise : {false, true}) {
      ChunkedDecoder d;
      std::string out;
      C r = C::kNeedMore;
      size_t total = 0;
      if (!bytewise) {
        r = d.feed(row.bytes, total, &out);
      } else {
        for (size_t i = 0; i < row.bytes.size() && r == C::kNeedMore; ++i) {
          size_t used = 0;
          r = d.feed(std::string_view(row.bytes).substr(i, 1), used, &out);
          total += used;
        }
      }
      EXPECT_EQ(static_cast<int>(r), static_cast<int>(row.result)) << (bytewise ? "byte by byte" : "at once");
      EXPECT_EQ(out, row.payload);
      if (r == C::kDone) {
        EXPECT_EQ(total, row.bytes.size());
      }
    }
  }
}

// --- through the engine: what a client sees in each mode ---

namespace t = alb::testing;

struct Seen {
  int status = 0;
  bool forwarded = false;
  bool closed = false;
};

// Requests the backend received, health checks left out.
size_t forwarded_count(t::Backend& b) {
  size_t n = 0;
  for (const auto& r : b.requests())
    if (r.path != "/health") ++n;
  return n;
}

// Sends `bytes` on a new connection; closed: the LB closed it after answering.
Seen send_one(t::RunningEngine& e, t::Backend& b, const std::string& bytes) {
  size_t before = forwarded_count(b);
  int fd = t::connect_to(e.port());
  Seen s;
  if (fd < 0) return s;
  t::send_all(fd, bytes);
  std::string pending;
  t::ClientResponse r = t::read_response(fd, pending);
  s.status = r.status;
  s.closed = r.closed;
  if (!s.closed) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 300) == 1) {
      char c;
      s.closed = recv(fd, &c, 1, 0) == 0;
    }
  }
  close(fd);
  s.forwarded = t::eventually([&] { return forwarded_count(b) > before; }, 100);
  return s;
}

struct ModeRow {
  const char* cls;  // AWS class (or the RFC rule that overrides it)
  const char* name;
  std::string bytes;
  Seen monitor, defensive, strictest;
};

std::string print(const Seen& s) {
  return std::to_string(s.status) + (s.forwarded ? " forwarded" : " not forwarded") + (s.closed ? " closed" : " open");
}

// Through the engine with one worker and with two (--workers 2): the same verdicts.
class Rfc9112Engine : public t::WorkersTest {};
INSTANTIATE_TEST_SUITE_P(Workers, Rfc9112Engine, ::testing::Values(1, 2), t::workers_name);

TEST_P(Rfc9112Engine, DesyncModesThroughTheEngine) {
  const Seen ok{200, true, false}, ok_closed{200, true, true}, blocked{400, false, true};
  const ModeRow rows[] = {
      {"Compliant", "plain GET", t::get("/c"), ok, ok, ok},
      {"Compliant", "POST with a length", "POST /c HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nabc", ok, ok, ok},
      {"Acceptable", "bare LF line ends", "GET /a HTTP/1.1\nHost: h\n\n", ok, ok, blocked},
      {"Acceptable", "GET with Content-Length: 0", "GET /a HTTP/1.1\r\n" + H + "Content-Length: 0\r\n\r\n", ok, ok,
       blocked},
      {"Acceptable", "control character in a value", "GET /a HTTP/1.1\r\n" + H + "X-A: a\x01" "b\r\n\r\n", ok, ok,
       blocked},
      {"Ambiguous", "look-alike Content_Length", "POST /m HTTP/1.1\r\n" + H + "Content_Length: 3\r\n\r\n", ok,
       ok_closed, blocked},
      {"Ambiguous", "GET with a body", "GET /m HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nabc", ok, ok_closed,
       blocked},
      {"Ambiguous", "two equal lengths", "POST /m HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
       ok, ok_closed, blocked},
      // RFC 9112 6.1: close after CL+TE whatever the mode
      {"Ambiguous + 9112 6.1", "CL and TE",
       "POST /m HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
       ok_closed, ok_closed, blocked},
      // Severe: each one a request RFC 9112 requires rejecting, so 400 in monitor too
      {"Severe (9112 5.1)", "Content-Length : 5", "POST /s HTTP/1.1\r\n" + H + "Content-Length : 5\r\n\r\nhello",
       blocked, blocked, blocked},
      {"Severe (9112 5.1)", "Transfer-Encoding : chunked",
       "POST /s HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", blocked, blocked, blocked},
      {"Severe (9110 5.5)", "NUL in a value", "GET /s HTTP/1.1\r\n"s + H + "X-A: a\0b\r\n\r\n"s, blocked, blocked,
       blocked},
      {"Severe (9112 2.2)", "bare CR in a value", "GET /s HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", blocked, blocked,
       blocked},
      {"Severe (9112 5.2)", "obs-fold", "GET /s HTTP/1.1\r\n" + H + "X-A: 1\r\n 2\r\n\r\n", blocked, blocked, blocked},
      {"Severe (9112 6.3)", "two different lengths",
       "POST /s HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", blocked, blocked, blocked},
      {"Severe (9112 6.3)", "length list", "POST /s HTTP/1.1\r\n" + H + "Content-Length: 3, 3\r\n\r\nabc", blocked,
       blocked, blocked},
      {"Severe (9112 6.3)", "chunked not last", "POST /s HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, identity\r\n\r\n",
       blocked, blocked, blocked},
      {"Severe (9112 3.2)", "two Hosts", "GET /s HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", blocked, blocked, blocked},
      {"Severe (9112 3.2)", "invalid Host", "GET /s HTTP/1.1\r\nHost: a b\r\n\r\n", blocked, blocked, blocked},
      {"9112 3.2", "HTTP/1.1 without Host", "GET /s HTTP/1.1\r\n\r\n", blocked, blocked, blocked},
      // A chunked body the decoder rejects (RFC 9112 7.1): the head went to the
      // target already; the client must not get the target's answer as if the
      // body had been fine.
      {"9112 7.1.1", "bad chunk extension", "POST /k HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3;a b\r\nabc\r\n0\r\n\r\n",
       blocked, blocked, blocked},
      {"9112 7.1", "bare LF after a chunk size", "POST /k HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
       blocked, blocked, blocked},
      {"9112 5.1", "trailer with space before the colon",
       "POST /k HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T : 1\r\n\r\n", blocked, blocked,
       blocked},
      {"Severe (aws 501)", "unknown coding", "POST /s HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n",
       {501, false, true}, {501, false, true}, {501, false, true}},
  };
  int checked = 0;
  for (const char* mode : {"monitor", "defensive", "strictest"}) {
    t::Backend b("b");
    auto cfg = t::basic_config({&b});
    cfg.attributes.desync_mitigation_mode = *vpclab::alb::parse_enum<vpclab::alb::DesyncMitigationMode>(mode);
    t::RunningEngine e(cfg);
    ASSERT_TRUE(e.ok()) << e.error();
    ASSERT_TRUE(t::eventually([&] { return e.engine().target_health_json().find("\"healthy\"") != std::string::npos; }));
    for (const auto& row : rows) {
      const Seen& want = std::string(mode) == "monitor" ? row.monitor
                         : std::string(mode) == "defensive" ? row.defensive
                                                            : row.strictest;
      Seen got = send_one(e, b, row.bytes);
      EXPECT_EQ(print(got), print(want)) << mode << ", " << row.cls << ": " << row.name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3 * static_cast<int>(std::size(rows)));
}

}  // namespace
}  // namespace vpclab::dataplane::http
