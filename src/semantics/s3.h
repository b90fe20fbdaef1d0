// Amazon S3's rules that a lab's `s3` service and the lab manifest apply
// (docs/emulator.md "VPC endpoints"; S3 User Guide "Bucket naming rules",
// "Virtual hosting of buckets", "Error responses").
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace vpclab::semantics {

// General purpose bucket names: 3-63 characters of lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit, no
// two adjacent dots, not an IPv4 address, not starting with `xn--`, `sthree-`
// or `amzn-s3-demo-`, not ending in `-s3alias`, `--ol-s3` or `.mrap`.
// nullopt when valid, else the rule broken ("must be 3-63 characters").
std::optional<std::string> bucket_name_problem(std::string_view name);

// A path-style request target taken apart: "/BUCKET/KEY" (the key percent-
// decoded; "/BUCKET" and "/BUCKET/" name the bucket with an empty key, "/"
// names neither). S3 keys are any UTF-8: "a//b" and "../x" are keys too.
struct PathStyleTarget {
  std::string bucket;
  std::string key;
};
PathStyleTarget parse_path_style(std::string_view path);

}  // namespace vpclab::semantics
