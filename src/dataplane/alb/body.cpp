#include "dataplane/alb/body.h"

#include <algorithm>

namespace vpclab::dataplane::alb {

BodyStep next_body_bytes(BodyState& b, std::string_view avail, size_t& take, std::string* payload) {
  take = 0;
  switch (b.kind) {
    case http::BodyKind::kNone:
      return BodyStep::kDone;
    case http::BodyKind::kLength:
      take = static_cast<size_t>(std::min<uint64_t>(avail.size(), b.remaining));
      b.remaining -= take;
      return b.remaining == 0 ? BodyStep::kDone : BodyStep::kMore;
    case http::BodyKind::kChunked: {
      size_t before = payload ? payload->size() : 0;
      auto r = b.chunked.feed(avail, take, payload);
      if (r == http::ChunkedDecoder::Result::kError) {
        take = 0;
        if (payload) payload->resize(before);
        return BodyStep::kBadChunk;
      }
      return r == http::ChunkedDecoder::Result::kDone ? BodyStep::kDone : BodyStep::kMore;
    }
    case http::BodyKind::kUntilClose:
      take = avail.size();
      return BodyStep::kMore;
  }
  return BodyStep::kBadChunk;
}

}  // namespace vpclab::dataplane::alb
