// The HTTP/1.x parser: framing, limits, and AWS desync classification of
// request-smuggling shapes.
#include "dataplane/http/parser.h"
#include "dataplane/http/message.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace vpclab::dataplane::http {
namespace {

struct Parsed {
  std::shared_ptr<std::string> text;  // the views in `req` point here
  ParseStatus status;
  Request req;
  size_t head_size = 0;
};

Parsed parse_all(std::string text) {
  Parsed p;
  p.text = std::make_shared<std::string>(std::move(text));
  RequestParser parser;
  p.status = parser.parse(*p.text, p.req, p.head_size);
  return p;
}

TEST(RequestParser, SimpleGet) {
  std::string s = "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: Example.com:8080\r\nUser-Agent: t\r\n\r\nNEXT";
  auto p = parse_all(s);
  ASSERT_EQ(p.status, ParseStatus::kDone);
  EXPECT_EQ(p.head_size, s.size() - 4);
  EXPECT_EQ(p.req.method, "GET");
  EXPECT_EQ(p.req.path, "/a/b");
  EXPECT_EQ(p.req.query, "x=1&y=2");
  EXPECT_EQ(p.req.host, "Example.com:8080");
  EXPECT_EQ(p.req.version_minor, 1);
  EXPECT_TRUE(p.req.keep_alive);
  EXPECT_EQ(p.req.body, BodyKind::kNone);
  EXPECT_EQ(p.req.desync, Desync::kCompliant);
  ASSERT_EQ(p.req.headers.size(), 2u);
  EXPECT_EQ(p.req.headers[1].value, "t");
}

TEST(RequestParser, IncrementalByteByByte) {
  std::string s = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  RequestParser parser;
  Request req;
  size_t head = 0;
  ParseStatus st = ParseStatus::kIncomplete;
  size_t fed = 0;
  while (st == ParseStatus::kIncomplete && fed < s.size()) {
    ++fed;
    st = parser.parse(std::string_view(s).substr(0, fed), req, head);
  }
  ASSERT_EQ(st, ParseStatus::kDone);
  EXPECT_EQ(head, s.size() - 5);
  EXPECT_EQ(req.body, BodyKind::kLength);
  EXPECT_EQ(req.content_length, 5u);
}

TEST(RequestParser, Http10KeepAliveAndAbsoluteForm) {
  auto p = parse_all("GET http://Foo.example:81/p?q HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::kDone);
  EXPECT_EQ(p.req.version_minor, 0);
  EXPECT_TRUE(p.req.keep_alive);
  EXPECT_EQ(p.req.host, "Foo.example:81");
  EXPECT_EQ(p.req.path, "/p");
  EXPECT_EQ(p.req.query, "q");
  p = parse_all("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::kDone);
  EXPECT_FALSE(p.req.keep_alive);
}

TEST(RequestParser, Http11WithoutHostIs400) {
  auto p = parse_all("GET / HTTP/1.1\r\nA: b\r\n\r\n");
  EXPECT_EQ(p.status, ParseStatus::kError);
  EXPECT_EQ(p.req.error_status, 400);
}

TEST(RequestParser, ExpectUpgradeAndXffCount) {
  auto p = parse_all(
      "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
      "Expect: 100-continue\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2\r\nX-Forwarded-For: 3.3.3.3\r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::kDone);
  EXPECT_TRUE(p.req.upgrade);
  EXPECT_TRUE(p.req.expect_continue);
  EXPECT_EQ(p.req.xff_addresses, 3);
}

struct LimitCase {
  const char* name;
  std::string text;
  int status;
};

TEST(RequestParser, LimitsAsAlb) {
  const LimitCase cases[] = {
      {"request line > 16 KiB", "GET /" + std::string(17 * 1024, 'a'), 414},
      {"complete long request line", "GET /" + std::string(17 * 1024, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"one header > 16 KiB", "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(17 * 1024, 'b'), 400},
      {"headers > 64 KiB", [] {
         std::string s = "GET / HTTP/1.1\r\nHost: h\r\n";
         for (char i = '0'; i <= '8'; ++i) {
           s += 'X';
           s += i;
           s += ": ";
           s.append(8000, 'c');
           s += "\r\n";
         }
         return s;
       }(), 400},
  };
  for (const auto& c : cases) {
    auto p = parse_all(c.text);
    EXPECT_EQ(p.status, ParseStatus::kError) << c.name;
    EXPECT_EQ(p.req.error_status, c.status) << c.name;
  }
  // just under the line limit is fine
  auto p = parse_all("GET /" + std::string(16000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(p.status, ParseStatus::kDone);
}

// Desync classification and RFC 9112 rejections: rfc9112_test.cpp, one row per case.

TEST(RequestParser, LeadingEmptyLinesIgnored) {
  auto p = parse_all("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::kDone);
  EXPECT_EQ(p.req.method, "GET");
}

std::string dechunk(const std::string& in, ChunkedDecoder::Result* result, size_t* consumed) {
  ChunkedDecoder d;
  std::string out;
  size_t c = 0;
  *result = d.feed(in, c, &out);
  *consumed = c;
  return out;
}

struct ChunkCase {
  const char* name;
  std::string in;
  ChunkedDecoder::Result result;
  std::string payload;
};

TEST(ChunkedDecoder, ValidAndBadChunkSizes) {
  using R = ChunkedDecoder::Result;
  const ChunkCase cases[] = {
      {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", R::kDone, "hello world"},
      {"extension and trailer", "3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n", R::kDone, "abc"},
      {"upper hex", "A\r\n0123456789\r\n0\r\n\r\n", R::kDone, "0123456789"},
      {"incomplete", "5\r\nhel", R::kNeedMore, "hel"},
      {"negative size", "-1\r\nx\r\n0\r\n\r\n", R::kError, ""},
      {"size with space", "5 \r\nhello\r\n0\r\n\r\n", R::kError, ""},
      {"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", R::kError, ""},
      {"overflowing size", "ffffffffffffffffff\r\n", R::kError, ""},
      {"bare LF after size", "5\nhello\r\n0\r\n\r\n", R::kError, ""},
      {"data longer than size", "3\r\nhello\r\n0\r\n\r\n", R::kError, "hel"},
      {"empty size", "\r\n", R::kError, ""},
  };
  for (const auto& c : cases) {
    R r;
    size_t consumed = 0;
    std::string out = dechunk(c.in, &r, &consumed);
    EXPECT_EQ(r, c.result) << c.name;
    EXPECT_EQ(out, c.payload) << c.name;
    if (r == R::kDone) {
      EXPECT_EQ(consumed, c.in.size()) << c.name;
    }
  }
}

TEST(ChunkedDecoder, StopsAtEndOfBodyAndByteByByte) {
  std::string body = "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n";
  std::string in = body + "GET /next HTTP/1.1\r\n";
  ChunkedDecoder d;
  size_t consumed = 0;
  std::string out;
  EXPECT_EQ(d.feed(in, consumed, &out), ChunkedDecoder::Result::kDone);
  EXPECT_EQ(consumed, body.size());
  EXPECT_EQ(out, "Wikipedia");
  ChunkedDecoder d2;
  std::string out2;
  for (size_t i = 0; i < body.size(); ++i) {
    size_t c = 0;
    auto r = d2.feed(std::string_view(body).substr(i, 1), c, &out2);
    EXPECT_EQ(c, 1u);
    EXPECT_EQ(r, i + 1 == body.size() ? ChunkedDecoder::Result::kDone : ChunkedDecoder::Result::kNeedMore);
  }
  EXPECT_EQ(out2, "Wikipedia");
}

struct ResponseCase {
  const char* name;
  std::string text;
  bool head;
  ParseStatus status;
  int code = 0;
  BodyKind body = BodyKind::kNone;
  bool keep_alive = true;
};

TEST(ResponseParser, FramingAndMalformed) {
  using S = ParseStatus;
  const ResponseCase cases[] = {
      {"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, S::kDone, 200, BodyKind::kLength, true},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, S::kDone, 200, BodyKind::kChunked},
      {"until close", "HTTP/1.1 200 OK\r\n\r\n", false, S::kDone, 200, BodyKind::kUntilClose, false},
      {"HEAD has no body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, S::kDone, 200, BodyKind::kNone},
      {"204", "HTTP/1.1 204 No Content\r\n\r\n", false, S::kDone, 204, BodyKind::kNone},
      {"304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, S::kDone, 304, BodyKind::kNone},
      {"100", "HTTP/1.1 100 Continue\r\n\r\n", false, S::kDone, 100, BodyKind::kNone},
      {"1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, S::kDone, 200, BodyKind::kLength, false},
      {"Connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", false, S::kDone, 200,
       BodyKind::kLength, false},
      {"no reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, S::kDone, 200, BodyKind::kNone},
      {"garbage", "FOO\r\n\r\n", false, S::kError},
      {"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", false, S::kError},
      {"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, S::kError},
      {"folded", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", false, S::kError},
      {"head > 32 KiB", "HTTP/1.1 200 OK\r\nX: " + std::string(33 * 1024, 'a') + "\r\n\r\n", false, S::kError},
      {"incomplete", "HTTP/1.1 200 OK\r\nContent-", false, S::kIncomplete},
  };
  for (const auto& c : cases) {
    ResponseParser p;
    Response r;
    size_t head = 0;
    EXPECT_EQ(p.parse(c.text, c.head, r, head), c.status) << c.name;
    if (c.status == S::kDone) {
      EXPECT_EQ(r.status, c.code) << c.name;
      EXPECT_EQ(r.body, c.body) << c.name;
      EXPECT_EQ(r.keep_alive, c.keep_alive) << c.name;
      EXPECT_EQ(head, c.text.size()) << c.name;
    }
  }
}

TEST(Message, AlbErrorPageAndResponse) {
  EXPECT_EQ(alb_error_body(502),
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
            "</center>\r\n</body>\r\n</html>\r\n");
  std::string out;
  append_lb_response(out, 503, "text/html", "x", false, false, "D");
  EXPECT_EQ(out,
            "HTTP/1.1 503 Service Temporarily Unavailable\r\nServer: awselb/2.0\r\nDate: D\r\nContent-Type: "
            "text/html\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx");
  EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace vpclab::dataplane::http
