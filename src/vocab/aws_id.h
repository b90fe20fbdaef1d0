// Deterministic AWS-style identifiers: the one derivation of every id and ARN
// vpclab invents (a resource that has no physical id yet, a target group of
// an engine configuration, ...). The same key gives the same id on every
// machine and through every path (template, snapshot, `vpclab alb --config`),
// so a target group named `web` in account A, region R has one ARN whichever
// front end built it.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vpclab::aws_id {

// The one stable hash: FNV-1a over the salt and the length-prefixed key parts
// ({"ab","c"} and {"a","bc"} differ), then splitmix64's finalizer. `block`
// extends it to more than 64 bits.
uint64_t stable_hash(std::string_view salt, std::initializer_list<std::string_view> key, uint64_t block = 0);

// n lowercase hex digits of the key (salt "hex" unless given).
std::string stable_hex(size_t n, std::initializer_list<std::string_view> key, std::string_view salt = "hex");
// n decimal digits, the first never 0 (as AWS prints numbers).
std::string stable_digits(size_t n, std::initializer_list<std::string_view> key);

// prefix-0 + 16 hex digits: AWS's 17-digit ids start with 0 in practice.
// resource_id("vpc", {account, stack, logical_id}) -> "vpc-0a1b2c3d4e5f60718".
std::string resource_id(std::string_view prefix, std::initializer_list<std::string_view> key);

// Elastic Load Balancing (v2) names and ARNs.
// "application" -> "app", "network" -> "net", "gateway" -> "gwy".
std::string_view load_balancer_type_short(std::string_view lb_type);
// The 16-hex id AWS appends to a load balancer's or target group's name.
std::string load_balancer_id(std::string_view account, std::string_view region, std::string_view name);
std::string target_group_id(std::string_view account, std::string_view region, std::string_view name);
// arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID (id
// derived when empty).
std::string load_balancer_arn(std::string_view region, std::string_view account, std::string_view lb_type,
                              std::string_view name, std::string_view id = {});
// arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (id derived when empty).
std::string target_group_arn(std::string_view region, std::string_view account, std::string_view name,
                             std::string_view id = {});
// A child of a load balancer's ARN: ...:listener/app/NAME/LB_ID/LISTENER_ID.
std::string listener_arn(std::string_view load_balancer_arn, std::string_view listener_id);
// A child of a listener's ARN: ...:listener-rule/app/NAME/LB_ID/LISTENER_ID/RULE_ID.
std::string listener_rule_arn(std::string_view listener_arn, std::string_view rule_id);
// The resource part after the marker: load_balancer_full_name(arn) = "app/NAME/ID",
// target_group_full_name(arn) = "targetgroup/NAME/ID"; empty when the ARN has no such part.
std::string load_balancer_full_name(std::string_view arn);
std::string target_group_full_name(std::string_view arn);

}  // namespace vpclab::aws_id
