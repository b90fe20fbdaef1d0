// Base64 (RFC 4648) as UserData is written: padding optional, line breaks
// ignored, both alphabets; nullopt when the text is not what an encoder wrote.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace vpclab {

std::optional<std::string> base64_decode(std::string_view text);
// Standard alphabet, padded (what the AWS CLI prints for UserData).
std::string base64_encode(std::string_view data);

}  // namespace vpclab
