// Internal to analysis/: the parties of a matrix (instances, load balancers,
// on-premises networks of the lab manifest) and the answer for one ordered
// pair, shared by the matrix of every pair (matrix.cpp) and the matrix of
// classes (matrix_classes.cpp), so both give the same answer by construction.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "analysis/impl.h"

namespace vpclab::analysis {

// A matrix participant: an instance (its primary ENI), a load balancer (its
// nodes), or an on-premises network (the host trace stands for it).
struct Party {
  std::string name, id;
  std::vector<const EniInfo*> enis;
  const model::LoadBalancer* lb = nullptr;
  const model::OnPremisesNetwork* on_prem = nullptr;
  bool instance() const { return !lb && !on_prem; }
};

// Every party of the network, in model order: instances and load balancers,
// then on-premises networks ("on-prem:NAME").
std::vector<Party> all_parties(const Analyzer::Impl& im);

// The parties `spec` names (comma-separated; empty or "all": every one).
bool select_parties(const std::vector<Party>& all, std::string_view spec, std::vector<const Party*>& out,
                    std::string& error);

// A matrix's question as `vpclab matrix` asks it (--from, --to, --port):
// every party, the rows and columns chosen among them (pointing into
// `all`), the ports. false with `error` set on a bad --port or an unknown name.
struct MatrixQuestion {
  std::vector<Party> all;
  std::vector<const Party*> rows, cols;
  semantics::IntervalSet ports;
};
bool matrix_question(const Analyzer::Impl& im, std::string_view from, std::string_view to, std::string_view ports,
                     MatrixQuestion& q, std::string& error);

// What `from` reaches of `to` on `ports` (tcp/udp destination ports; a load
// balancer: its listeners' ports only, no ICMP), both directions.
ProtoResult party_reach(const Analyzer::Impl& im, const Party& from, const Party& to,
                        const semantics::IntervalSet& ports);

}  // namespace vpclab::analysis
