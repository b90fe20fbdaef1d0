// Pure helpers behind some intrinsic functions and fabricated ids; internal
// to the template layer (exposed for tests).
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vpclab::tmpl {

// A decimal integer as templates write indexes and sizes ("3", "-1", "+2");
// nullopt for anything else (no spaces, no hex, at most 18 characters).
std::optional<long long> parse_int(const std::string& s);

// Standard base64 with padding (Fn::Base64).
std::string base64_encode(std::string_view in);

// Fn::Cidr exactly as AWS: `count` (1-256) blocks of 2^cidrBits addresses
// (prefix length 32-cidrBits, or 128-cidrBits for IPv6) carved in order from
// the start of ipBlock. Host bits set in ipBlock are ignored (the block's
// network address is used). false with `why` when an argument is malformed,
// cidrBits is out of range (0..32 / 0..128, and not wider than the block),
// or the blocks do not fit in ipBlock.
bool cidr_blocks(const std::string& ip_block, const std::string& count, const std::string& cidr_bits,
                 std::vector<std::string>& out, std::string& why);

// Fn::GetAZs: ap-northeast-1 -> 1a, 1c, 1d (1b is not offered to new
// accounts); us-east-1 -> a..f; any other region -> a, b, c.
std::vector<std::string> availability_zones(const std::string& region);

// n lowercase hex digits derived deterministically from the parts.
std::string stable_hex(size_t n, std::initializer_list<std::string_view> parts);

}  // namespace vpclab::tmpl
