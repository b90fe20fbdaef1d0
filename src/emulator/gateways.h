// The `internet` namespace, internet gateways and NAT gateways in a lab
// (docs/emulator.md "Internet gateways and NAT gateways"). Names and
// addresses other parts (tests, --publish, the CLI) need to know.
#pragma once
#include <string>

#include "model/network.h"
#include "vocab/ip.h"

namespace vpclab::emulator {

// The namespace standing for the internet, and its exec target name.
inline constexpr const char* kInternetNetns = "internet";

// "A host on the internet": the address of the `internet` namespace itself
// (on its lo), where the lab's public DNS listens (port 53) and where
// `vpclab exec internet -- ...` commands send from. 192.0.2.254 (TEST-NET-1,
// RFC 5737), unless the network uses it as a public IP: then the next free
// address below it, then downward from 198.19.255.254 (RFC 2544).
Ipv4Address internet_host_address(const model::Network& net);

// The veth of internet gateway number `index` (its position in
// Network::internet_gateways): "ig<index>" at both ends, on the link-local
// /30 169.254.0.0 + 4*index: .1 on the VPC router, .2 in `internet`.
std::string igw_link_name(size_t index);
Ipv4Address igw_router_address(size_t index);
Ipv4Address igw_internet_address(size_t index);

}  // namespace vpclab::emulator
