// The walker at a VPC endpoint route (aws-tgw-nlb.md section 9). Out: a
// subnet's route to a gateway endpoint's prefix list (the route was chosen
// by longest prefix like any other: semantics/route.h) hands the packet to
// the service when it originates in the endpoint's VPC; the endpoint passes
// TCP and ICMP echo only. In: the service's reply enters the VPC through the
// endpoint and reaches the client's subnet by the local route. Interface
// endpoints are ENIs (walk.cpp delivers to them like any other); Gateway
// Load Balancer endpoints are not modelled. Rules from semantics/vpc_endpoint.h.
#include "analysis/impl.h"
#include "semantics/vpc_endpoint.h"

namespace vpclab::analysis {

void Analyzer::Impl::cross_vpc_endpoint(Leg& leg, const SubnetInfo* cur, Ipv4Address src, Ipv4Address dst,
                                        const Route* r, const ReplyContext* reply, bool detail) const {
  Step st;
  st.kind = StepKind::kVpcEndpoint;
  st.subnet = cur;
  st.src = src;
  st.dst = dst;
  st.route = r;
  st.endpoint = net.vpc_endpoint(r->target_id);
  const model::VpcEndpoint* ep = st.endpoint;
  auto done = [&](const char* code, std::string msg, Leg::End end) {
    st.code = code;
    if (detail) st.message = std::move(msg);
    leg.steps.push_back(std::move(st));
    leg.end = end;
  };
  if (!ep) {
    auto u = unmodeled.find(r->target_id);  // a front end that reads endpoints as unmodeled (Terraform)
    return done("UNMODELED_COMPONENT",
                "the route " + route_destination(*r) + " -> " + r->target_id +
                    (u != unmodeled.end()
                         ? " crosses " + u->second->type + " " + u->second->origin.display(u->second->id) +
                               ", which vpclab does not model"
                         : " names a VPC endpoint the input does not describe (add describe-vpc-endpoints to the "
                           "snapshot)"),
                Leg::End::kUndecidable);
  }
  const std::string who = component(ep->origin, ep->id);
  if (!ep->is_gateway())
    return done("UNMODELED_COMPONENT",
                "the route " + route_destination(*r) + " -> " + r->target_id + " crosses " + ep->type +
                    " endpoint " + who + ", which vpclab does not model",
                Leg::End::kUndecidable);
  if (reply)
    return done("RETURN_ROUTE_MISMATCH",
                "replies to " + dst.str() + " are routed to gateway endpoint " + who + " (" + ep->service_name +
                    "), not back to the client",
                Leg::End::kBlocked);
  const model::Vpc* v = vpc(ep->vpc);
  if (!v || !semantics::gateway_endpoint_accepts(v->cidrs, src))
    return done("VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION",
                src.str() + " is not in VPC " + (v ? component(v->origin, v->id) : ep->vpc) + ": gateway endpoint " +
                    who + " carries only traffic that originates in its VPC (not from a peering, transit gateway "
                          "or VPN)",
                Leg::End::kBlocked);
  leg.steps.push_back(std::move(st));
  leg.end = Leg::End::kDelivered;
  leg.endpoint = ep;
  leg.seen_src = src;
}

bool Analyzer::Impl::enter_from_vpc_endpoint(Leg& leg, const WalkStart& from, Ipv4Address dst, PortRange reply_ports,
                                             bool detail, const EniInfo*& arrived) const {
  Step st;
  st.kind = StepKind::kVpcEndpoint;
  st.endpoint = from.endpoint;
  st.from_endpoint = true;
  st.src = from.address;
  st.dst = dst;
  const model::Vpc* v = vpc(from.endpoint->vpc);
  const EniInfo* e = v ? eni_at(v, dst) : nullptr;
  if (!e) {
    st.code = "UNKNOWN_DESTINATION";
    if (detail) st.message = "no interface holds " + dst.str() + " in the endpoint's VPC";
    leg.steps.push_back(std::move(st));
    leg.end = Leg::End::kBlocked;
    return false;
  }
  leg.steps.push_back(std::move(st));
  leg.steps.push_back(make_step(StepKind::kNaclIn, nullptr, e->subnet, from.address, dst, reply_ports));
  arrived = e;
  return true;
}

bool Analyzer::Impl::evaluate_vpc_endpoint(const Step& s, const Flow& flow, bool reply, const std::string& leg_name,
                                           std::vector<Hop>* hops, std::vector<Explanation>* expl,
                                           bool& undecidable) const {
  const model::VpcEndpoint* ep = s.endpoint;
  std::string id = ep ? ep->id : s.route ? s.route->target_id : "";
  std::string disp = ep ? ep->origin.display(ep->id) : id;
  SourceLoc loc = ep ? ep->origin.loc : SourceLoc{};
  auto hop = [&](std::string check, std::string matched, bool ok) {
    if (hops)
      hops->push_back(Hop{"vpc-endpoint", id, disp, leg_name, std::move(check), std::move(matched), loc, ok});
  };
  auto explain = [&](const char* code, std::string message) {
    if (!expl) return;
    const CodeInfo* ci = code_info(code);
    expl->push_back(Explanation{code, ep ? component(ep->origin, ep->id) : id, std::move(message), ci ? ci->fix : "", loc});
  };
  std::string service = ep ? ep->service_name : id;
  std::string check = s.from_endpoint ? "from " + service + ": reply " + s.src.str() + " -> " + s.dst.str()
                                      : "to " + service + ": " + ports_text(flow.protocol, flow.ports) + " " +
                                            s.src.str() + " -> " + s.dst.str();
  if (s.code) {
    hop(check, s.message, false);
    explain(s.code, s.message);
    undecidable = std::string_view(s.code) == "UNMODELED_COMPONENT";
    return false;
  }
  if (!reply && !semantics::gateway_endpoint_forwards_protocol(flow.protocol)) {
    hop(check, "TCP and ICMP echo only", false);
    explain("VPCE_GATEWAY_PROTOCOL_RESTRICTION", "gateway endpoint " + disp + " carries TCP and ICMP echo only, not " +
                                                     protocol_name(flow.protocol));
    return false;
  }
  std::string matched = s.from_endpoint ? "reply from the service enters the VPC"
                                        : "gateway endpoint to " + ep->service_name + " (prefix list " +
                                              ep->prefix_list + "; endpoint policy " +
                                              (ep->policy_document.empty() ? "default: full access" : "not evaluated") +
                                              ")";
  hop(check, matched, true);
  return true;
}

}  // namespace vpclab::analysis
