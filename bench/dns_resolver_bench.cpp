// The VPC resolver's cost per query, without sockets: Resolver::answer (wire
// format in and out, ldns) and Resolver::lookup (the semantics::VpcDns
// decision alone) over a mix of names (private zone record, alias to an ELB,
// NXDOMAIN in a zone, private and public hostnames, an ELB name, an unknown
// name), 2 VPCs, 100 instances, 5 private zones of 21 records. CPU time,
// not wall time (the machine is shared). Not a test: build it with
// `cmake --build build --target dns_resolver_bench`, run build/bench/dns_resolver_bench.
#include <chrono>
#include <ctime>
#include <cstdio>
#include "dataplane/dns/resolver.h"
#include <ldns/ldns.h>
using namespace vpclab; using namespace vpclab::dataplane;
static std::vector<uint8_t> q(const std::string& name) {
  ldns_pkt* p = nullptr; ldns_pkt_query_new_frm_str(&p, name.c_str(), LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD);
  uint8_t* w; size_t n; ldns_pkt2wire(&w, p, &n); std::vector<uint8_t> v(w, w + n); free(w); ldns_pkt_free(p); return v; }
int main() {
  semantics::DnsFacts in;
  in.vpcs = {{"vpc-a", true, true}, {"vpc-b", true, true}};
  for (int i = 0; i < 100; ++i) {
    std::string a = "10-0-" + std::to_string(i / 50) + "-" + std::to_string(10 + i % 50);
    Ipv4Address ip = *Ipv4Address::parse("10.0." + std::to_string(i / 50) + "." + std::to_string(10 + i % 50));
    in.hosts.push_back({i % 2 ? "vpc-a" : "vpc-b", ip, "ip-" + a + ".ap-northeast-1.compute.internal", Ipv4Address::parse("52.0.0." + std::to_string(i)), "ec2-52-0-0-" + std::to_string(i) + ".ap-northeast-1.compute.amazonaws.com", "i"});
  }
  for (int z = 0; z < 5; ++z) {
    semantics::HostedZoneFacts h; h.is_private = true; h.vpcs = {"vpc-a"}; h.name = "z" + std::to_string(z) + ".home";
    for (int r = 0; r < 20; ++r) { dns::Record rec; rec.name = "r" + std::to_string(r) + "." + h.name; rec.type = "A"; rec.values = {"10.9.0." + std::to_string(r)}; h.records.push_back(rec); }
    dns::Record al; al.name = "alb." + h.name; al.type = "A"; al.is_alias = true; al.alias.dns_name = "internal-x.elb.amazonaws.com"; h.records.push_back(al);
    in.zones.push_back(h);
  }
  in.load_balancers = {{"internal-x.elb.amazonaws.com", {*Ipv4Address::parse("10.0.5.5"), *Ipv4Address::parse("10.0.6.5")}, true, "arn"}};
  Resolver r(ResolverConfig{in});
  std::vector<std::vector<uint8_t>> qs = {q("r7.z3.home."), q("alb.z1.home."), q("nothere.z2.home."),
    q("ip-10-0-0-11.ap-northeast-1.compute.internal."), q("ec2-52-0-0-20.ap-northeast-1.compute.amazonaws.com."),
    q("internal-x.elb.amazonaws.com."), q("www.example.com.")};
  std::vector<uint8_t> resp; size_t n = 0;
  std::clock_t t0 = std::clock();
  for (int k = 0; k < 300000; ++k) { r.answer("vpc-a", qs[k % qs.size()], resp, 512); n += resp.size(); }
  double s = double(std::clock() - t0) / CLOCKS_PER_SEC;
  std::printf("answer(): %.0f queries/s (%zu bytes)\n", 300000 / s, n);
  const char* names[] = {"r7.z3.home", "alb.z1.home", "nothere.z2.home", "ip-10-0-0-11.ap-northeast-1.compute.internal", "ec2-52-0-0-20.ap-northeast-1.compute.amazonaws.com", "internal-x.elb.amazonaws.com", "www.example.com"};
  t0 = std::clock(); n = 0;
  for (int k = 0; k < 1000000; ++k) n += r.lookup("vpc-a", names[k % 7], "A").answers.size();
  s = double(std::clock() - t0) / CLOCKS_PER_SEC;
  std::printf("logic only: %.0f lookups/s (%zu)\n", 1000000 / s, n);
}
