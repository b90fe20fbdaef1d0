// The lab's AWS service side (docs/emulator.md "VPC endpoints"): answers to
// HTTP requests reaching an S3 address, DynamoDB's, or an interface
// endpoint's network interface. S3 serves GET and HEAD of objects
// (path-style: /BUCKET/KEY) from the files of each bucket's directory,
// read at request time, with S3's XML error bodies; every other service
// answers 501 NotImplemented (the path reaches it, its API is not emulated).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/http/parser.h"
#include "vocab/ip.h"

namespace vpclab::dataplane::s3 {

// A bucket: every regular file under `directory` is an object, its key the
// file's path relative to the directory.
struct Bucket {
  std::string name;
  std::string region;
  std::string directory;  // absolute
};

// Who a request is for: the service at the address it reached.
struct ServiceAt {
  std::string service;   // "s3", "dynamodb", "sqs", ...
  std::string region;
  std::string endpoint;  // vpce- of an interface endpoint; empty for the public side
};

// Objects larger than this answer 501 (the lab reads an object whole).
inline constexpr uint64_t kMaxObjectBytes = 256ull << 20;

// The complete response (head and body, `Connection: close`) to `req` from
// `client`. The lab's own header `x-vpclab-source-ip` says which source
// address the service saw (a private IP through a gateway endpoint, the NAT
// gateway's or instance's public IP through the internet).
std::string answer(const http::Request& req, const ServiceAt& at, Ipv4Address client,
                   const std::vector<Bucket>& buckets);

// S3's error body: <Error><Code>...</Code><Message>...</Message>...</Error>.
std::string error_xml(std::string_view code, std::string_view message, std::string_view resource,
                      std::string_view request_id);

}  // namespace vpclab::dataplane::s3
