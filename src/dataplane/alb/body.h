// Message bodies through the proxy: the one routine that decides how much
// of a buffered body belongs to the current message, for requests (client
// to target) and responses (target to client) alike.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "dataplane/alb/runtime.h"

namespace vpclab::dataplane::alb {

enum class BodyStep : uint8_t {
  kMore,      // everything in `avail` was body; more is to come
  kDone,      // the body ended after `take` bytes (the rest is the next message)
  kBadChunk,  // invalid chunked framing: the message cannot be delimited
};

// The next piece of a body from `avail` (bytes as received). `take`: how
// many bytes of `avail` are body, to forward unchanged; when `payload` is
// given (chunked only) the decoded data is appended to it instead, for a
// client that cannot take chunks (HTTP/1.0).
//
// On kBadChunk nothing of `avail` is forwarded (`take` is 0): with framing
// that breaks RFC 9112 section 7.1 the end of the message cannot be found,
// and a chunked body without its zero-sized last chunk is incomplete
// (section 8), never to be passed on as complete. The engine
// answers 400 to a client whose request body is bad, 502 when a target's
// body is bad before anything of the response was sent, and otherwise
// closes the client connection before the last chunk, so the client sees
// an incomplete message rather than a shorter complete one.
BodyStep next_body_bytes(BodyState& body, std::string_view avail, size_t& take, std::string* payload = nullptr);

}  // namespace vpclab::dataplane::alb
