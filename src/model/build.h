// Turning what a front end filled in into a finished, validated Network.
//
// A front end (template/, snapshot/) fills the vectors of a Network with the
// resources as declared, using make_id() for resources that have no physical
// id yet and an AddressPlan for private IPs, then calls finalize(). finalize()
// adds what AWS adds implicitly, computes effective state, validates what
// the AWS APIs would reject, and indexes. Problems go to `diags` with the
// source location of the offending declaration.
#pragma once
#include <string>

#include "model/aws_names.h"
#include "model/ids.h"
#include "model/network.h"
#include "vocab/diagnostic.h"

namespace vpclab::model {

struct FinalizeOptions {
  std::string default_account = "123456789012";
  std::string default_region = "ap-northeast-1";
};

// Completes and validates `net` in place:
// - per VPC: main route table, default security group (self ingress, all
//   egress) and default NACL (rule 100 allow all, both directions) when the
//   front end did not supply them; the IGW attachment;
// - per route table: `local` routes for every VPC CIDR block, route state
//   (blackhole when the target does not exist or is not attached);
// - per subnet: effective route table and NACL;
// - peering states (overlap -> failed, cross-account without acceptance ->
//   pending-acceptance), duplicate peerings (error); an overlap in a peering
//   declared in a stack (origin.stack set) is an error, since CloudFormation
//   fails the resource and rolls back; one read from a snapshot stays a state;
// - ALB nodes (one per subnet, with ENIs and addresses), DNS names;
// - validation of what AWS rejects (CIDR sizes, subnet outside its VPC,
//   overlapping subnets, ALB subnets/AZs, listener ports and rule
//   priorities, route targets, ...).
// Also: every NACL gets its final `*` deny entries (rule number 32767) so
// readers need not add them; network interfaces with private_ip 0.0.0.0 get
// the lowest free address of their subnet (explicit ones reserved first);
// Elastic IP associations set the interface's public IP; instances take
// their primary interface's addresses and get DNS names; target groups'
// load_balancers are recomputed from the listeners' forward actions.
// Route states: a route to a target missing from the model, an internet
// gateway not attached to the table's VPC, a stopped instance or a peering
// that is not active is a blackhole (AWS accepts routes to a
// pending-acceptance peering and shows them as blackhole until it is active).
// Every diagnostic code is listed in model/finalize.cpp (top comment).
// Then calls net.index(). Returns false when any error was reported.
bool finalize(Network& net, AddressPlan& plan, Diagnostics& diags, const FinalizeOptions& opts = {});

}  // namespace vpclab::model
