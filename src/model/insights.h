// The questions a network asks of itself, in AWS's own shapes: Network Access
// Analyzer scopes (AWS::EC2::NetworkInsightsAccessScope) and Reachability
// Analyzer paths (AWS::EC2::NetworkInsightsPath), from templates or from
// `vpclab assert` POLICY files. Values are checked (CIDRs, ports, protocols,
// resource types) by the front end; resource names stay as written (ids,
// ARNs, logical ids) and analysis/ resolves them, so an error names the place.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/origin.h"
#include "vocab/ip.h"
#include "vocab/protocol.h"
#include "vocab/source_loc.h"

namespace vpclab::model {

// A resource named in an assertion, where it was written.
struct ResourceName {
  std::string text;  // id, ARN, logical id, Stack.LogicalId, Name tag, "internet", an address
  std::string stack; // the stack of a template resource (logical ids resolve there first)
  SourceLoc loc;
};

struct ResourceStatement {
  std::vector<ResourceName> resources;
  std::vector<ResourceName> resource_types;  // "AWS::EC2::InternetGateway", ...
  bool empty() const { return resources.empty() && resource_types.empty(); }
};

struct PacketHeaderStatement {
  std::vector<Ipv4Cidr> source_addresses, destination_addresses;  // empty: any
  std::vector<ResourceName> source_prefix_lists, destination_prefix_lists;
  std::vector<PortRange> source_ports, destination_ports;          // empty: any
  std::vector<IpProtocol> protocols;                               // empty: tcp and udp
  SourceLoc loc;
};

struct PathStatement {
  std::optional<PacketHeaderStatement> packet;
  std::optional<ResourceStatement> resource;
};

struct AccessScopePath {
  std::optional<PathStatement> source, destination;
  std::vector<ResourceStatement> through;  // every one must be crossed, in order
  SourceLoc loc;
};

struct AccessScope {
  std::string id;    // nis-...
  std::string name;  // Name tag, the policy's Name, or Stack.LogicalId
  Origin origin;
  std::vector<AccessScopePath> match, exclude;
};

// FilterAtSource / FilterAtDestination of a path.
struct PathFilter {
  std::optional<Ipv4Address> source_address, destination_address;
  std::optional<PortRange> source_ports, destination_ports;
  bool empty() const { return !source_address && !destination_address && !source_ports && !destination_ports; }
};

enum class Expectation { kNone, kReachable, kUnreachable };

struct InsightsPath {
  std::string id;    // nip-...
  std::string name;  // Name tag, the policy's Name, or Stack.LogicalId
  Origin origin;
  ResourceName source, destination;        // destination.text may be empty (DestinationIp only)
  std::optional<Ipv4Address> source_ip, destination_ip;
  IpProtocol protocol = kTcp;
  std::optional<uint16_t> destination_port;
  PathFilter filter_at_source, filter_at_destination;
  Expectation expect = Expectation::kNone;  // the vpclab:expect tag / the policy's Expect
};

// What a set of assertions holds: the templates' own and POLICY files'.
struct Assertions {
  std::vector<AccessScope> access_scopes;
  std::vector<InsightsPath> paths;
};

}  // namespace vpclab::model
