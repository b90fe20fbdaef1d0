// libFuzzer target for the ALB's HTTP/1.x parsing (src/dataplane/http):
// request heads (whole and split in two feeds), response heads and chunked
// bodies. Checks that results stay inside the input and that feeding in
// pieces gives the same answer as feeding at once, and that no accepted request
// breaks an RFC 9112 MUST (see tests/dataplane/http/rfc9112_test.cpp).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dataplane/http/parser.h"

using namespace vpclab::dataplane::http;

namespace {

void check_inside(std::string_view buf, std::string_view v) {
  if (v.empty()) return;
  if (v.data() < buf.data() || v.data() + v.size() > buf.data() + buf.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy into an exact-size heap buffer so ASan sees any read past the end.
  std::string owned(reinterpret_cast<const char*>(data), size);
  std::string_view in(owned);

  Request req;
  RequestParser whole;
  size_t head = 0;
  ParseStatus st = whole.parse(in, req, head);
  if (st == ParseStatus::kDone) {
    if (head == 0 || head > in.size()) std::abort();
    for (std::string_view v : {req.method, req.target, req.path, req.query, req.authority, req.host}) {
      // path may be the literal "/" for absolute-form targets without a path
      if (v.data() != nullptr && v != "/") check_inside(in, v);
    }
    for (const auto& h : req.headers) {
      check_inside(in, h.name);
      check_inside(in, h.value);
      // RFC 9112 5.1 / 2.2, RFC 9110 5.5: never accepted, in any desync mode
      for (char c : h.name)
        if (c == ' ' || c == '\t' || c == '\r' || c == '\0') std::abort();
      for (char c : h.value)
        if (c == '\r' || c == '\0') std::abort();
    }
    for (char c : req.target)
      if (c == '\r' || c == '\0') std::abort();
    if (req.version_minor >= 1 && !req.find("host")) std::abort();  // RFC 9112 3.2
    if (req.body == BodyKind::kChunked && req.has_content_length && req.keep_alive) std::abort();  // 6.1
  }
  if (st == ParseStatus::kError && req.error_status != 400 && req.error_status != 414 && req.error_status != 501)
    std::abort();

  // Split feed: same verdict and head size.
  if (size > 1) {
    size_t cut = data[0] % size;
    RequestParser inc;
    Request r2;
    size_t head2 = 0;
    ParseStatus s2 = inc.parse(in.substr(0, cut), r2, head2);
    if (s2 == ParseStatus::kIncomplete) s2 = inc.parse(in, r2, head2);
    if (s2 != ParseStatus::kIncomplete && st != ParseStatus::kIncomplete) {
      if (s2 != st) std::abort();
      if (st == ParseStatus::kDone && head2 != head) std::abort();
    }
  }

  Response resp;
  ResponseParser rp;
  size_t rhead = 0;
  if (rp.parse(in, size > 0 && (data[0] & 1), resp, rhead) == ParseStatus::kDone) {
    if (rhead > in.size()) std::abort();
    for (const auto& h : resp.headers) {
      check_inside(in, h.name);
      check_inside(in, h.value);
    }
  }

  // Chunked bodies: byte-at-a-time and whole must agree.
  ChunkedDecoder a, b;
  std::string pa, pb;
  size_t ca = 0;
  auto ra = a.feed(in, ca, &pa);
  if (ca > in.size()) std::abort();
  size_t total = 0;
  ChunkedDecoder::Result rb = ChunkedDecoder::Result::kNeedMore;
  for (size_t i = 0; i < in.size() && rb == ChunkedDecoder::Result::kNeedMore; ++i) {
    size_t c = 0;
    rb = b.feed(in.substr(i, 1), c, &pb);
    total += c;
  }
  if (ra != rb && !(ra == ChunkedDecoder::Result::kNeedMore && in.empty())) std::abort();
  if (ra == ChunkedDecoder::Result::kDone && (ca != total || pa != pb)) std::abort();
  return 0;
}
