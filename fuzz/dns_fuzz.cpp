// libFuzzer target: the resolver's query parser and answer path, and the
// server's cache of wire answers in front of it. Any input must give either
// no response or a well-formed one, never a crash; and the cached answer to
// the same query with another ID must be exactly the resolver's answer to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "dataplane/dns/answer_cache.h"
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
  static AnswerCache cache(256);  // small: starting over is exercised too
  std::vector<uint8_t> resp, want, got;
  std::span<const uint8_t> q(data, size);
  for (size_t max_udp : {size_t{512}, size_t{0}}) {
    bool send = r->answer("vpc-a", q, resp, max_udp);
    if (send) {
      // A response always carries a header and never exceeds the limit.
      if (resp.size() < 12) abort();
      if (max_udp && resp.size() > 1232) abort();
      if (resp[0] != data[0] || resp[1] != data[1]) abort();
    }
    if (size < 12) continue;  // the server drops these before the cache
    cache.insert(0, max_udp, q, send, resp);
    std::vector<uint8_t> other(data, data + size);
    other[0] ^= 0x5a;
    other[1] ^= 0xa5;
    const AnswerCache::Entry* e = cache.find(0, max_udp, other);
    if (!e) {
      if (size <= 512) abort();  // kept, whatever its other bytes
      continue;
    }
    bool send2 = r->answer("vpc-a", other, want, max_udp);
    if (e->send != send2) abort();
    if (send2) {
      AnswerCache::copy_with_id(*e, other, got);
      if (got != want) abort();
    }
  }
  return 0;
}
