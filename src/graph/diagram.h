// The picture of a network before layout: nested frames (account, Region,
// VPC, Availability Zone, subnet) holding components (instances, load
// balancer nodes, gateways, ...) and edges between them (peering, TGW
// attachments, hosted-zone associations, a traced path). Built from a
// model::Network by build_diagram(), marked by draw_trace() (overlay.h),
// laid out and drawn by Graphviz (dot.h, graphviz.h). Every element has a
// stable id, derived from its AWS id, so pages and tests find it.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/network.h"

namespace vpclab::graph {

// What a user sees when pointing at or clicking an element.
struct Details {
  std::string title;                                      // "scenario.FooWeb1 (i-0...)"
  std::vector<std::pair<std::string, std::string>> rows;  // ("Private IP", "10.2.1.4"), ...
};

// A box of the picture (a component) or a small marker.
struct Node {
  std::string id;     // element id: "i-0abc", "lbnode-10.2.1.5", ...
  std::string kind;   // instance | load-balancer | load-balancer-node | nat-gateway | internet-gateway |
                      // transit-gateway | vpc-endpoint | vpn-gateway | customer-gateway | on-premises | hosted-zone |
                      // internet | anchor | note
  std::vector<std::string> label;  // lines, first is the name
  std::string aws_id;              // the resource's AWS id (ARN for load balancers), for the page
  Details details;
  std::vector<std::string> classes;  // on-path, blocked, stopped, ... (CSS classes and DOT styles)
};

// A frame (Graphviz cluster): an account, a Region, a VPC, an AZ, a subnet.
struct Frame {
  std::string id;    // "vpc-0abc", "az-vpc-0abc-ap-northeast-1a", "subnet-0abc", "account-123", "region-..."
  std::string kind;  // account | region | vpc | availability-zone | subnet
  std::vector<std::string> label;
  std::string aws_id;
  Details details;
  std::vector<std::string> classes;  // public (subnets), on-path, blocked
  std::vector<Frame> frames;
  std::vector<std::string> nodes;  // node ids in this frame (not in a child)
};

struct Edge {
  std::string id;
  std::string kind;  // peering | tgw-attachment | tgw-peering | vpn | zone-association | lb-node | route |
                     // path-request | path-reply | path-target | note
  std::string from, to;            // node ids
  std::string from_frame, to_frame;  // clip at these frames (Graphviz ltail/lhead), or empty
  std::string label;
  std::string aws_id;
  Details details;
  std::vector<std::string> classes;
};

struct Diagram {
  std::string title;
  std::vector<Frame> frames;       // top level: accounts
  std::vector<Node> nodes;         // every node, wherever it sits
  std::vector<Edge> edges;
  std::vector<std::string> legend; // lines under the picture (the trace's verdict, ...)

  Node* node(const std::string& id);
  const Node* node(const std::string& id) const;
  Frame* frame(const std::string& id);
  Edge* edge(const std::string& id);
  // Every element with this AWS id (a subnet frame, an instance, ...), ids.
  std::vector<std::string> elements_of(const std::string& aws_id) const;
};

// The network as a diagram: deterministic for the same network.
Diagram build_diagram(const model::Network& net);

// Element ids are AWS ids with every character outside [A-Za-z0-9_.-] as '_'.
std::string element_id(const std::string& text);

// The invisible point inside a VPC's frame that edges between VPCs end on.
std::string vpc_anchor(const std::string& vpc_id);

}  // namespace vpclab::graph
