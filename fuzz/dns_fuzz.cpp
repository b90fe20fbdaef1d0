// libFuzzer target: the resolver's query parser and answer path. Any input
// must give either no response or a well-formed one, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "dataplane/dns/resolver.h"

using namespace vpclab;
using namespace vpclab::dataplane;

namespace {

std::unique_ptr<Resolver> make_resolver() {
  semantics::DnsFacts in;
  in.vpcs = {{"vpc-a", true, true}};
  in.hosts = {{"vpc-a", *Ipv4Address::parse("10.0.0.10"), "ip-10-0-0-10.ap-northeast-1.compute.internal",
               Ipv4Address::parse("54.0.0.1"), "ec2-54-0-0-1.ap-northeast-1.compute.amazonaws.com", "i-a"}};
  semantics::HostedZoneFacts z;
  z.is_private = true;
  z.vpcs = {"vpc-a"};
  z.name = "home";
  dns::Record a;
  a.name = "alb.home";
  a.type = "A";
  a.is_alias = true;
  a.alias.dns_name = "internal-x.elb.amazonaws.com";
  dns::Record c;
  c.name = "www.home";
  c.type = "CNAME";
  c.values = {"alb.home"};
  dns::Record t;
  t.name = "t.home";
  t.type = "TXT";
  t.values = {"\"v=1 \\\" odd\""};
  z.records = {a, c, t};
  in.zones = {z};
  in.load_balancers = {{"internal-x.elb.amazonaws.com", {*Ipv4Address::parse("10.0.1.5")}, true, "arn:lb"}};
  return std::make_unique<Resolver>(ResolverConfig{in});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Resolver> r = make_resolver();
  std::vector<uint8_t> resp;
  std::span<const uint8_t> q(data, size);
  for (size_t max_udp : {size_t{512}, size_t{0}}) {
    if (r->answer("vpc-a", q, resp, max_udp)) {
      // A response always carries a header and never exceeds the limit.
      if (resp.size() < 12) abort();
      if (max_udp && resp.size() > 1232) abort();
      if (resp[0] != data[0] || resp[1] != data[1]) abort();
    }
  }
  return 0;
}
