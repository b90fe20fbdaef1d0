// The redirect Location (API_RedirectActionConfig), as the engine answers
// it and the analyzer shows it.
#include <gtest/gtest.h>

#include "semantics/redirect.h"

namespace vpclab::semantics {
namespace {

alb::RedirectConfig cfg(std::string protocol, std::string host, std::string port, std::string path,
                        std::string query, int status = 301) {
  alb::RedirectConfig c;
  c.protocol = std::move(protocol);
  c.host = std::move(host);
  c.port = std::move(port);
  c.path = std::move(path);
  c.query = std::move(query);
  c.status_code = status;
  return c;
}

TEST(Redirect, LocationFromConfigAndRequest) {
  struct Row {
    const char* what;
    alb::RedirectConfig config;
    RedirectRequest request;
    int status;
    const char* location;
  } rows[] = {
      {"HTTP to HTTPS, the usual one", cfg("HTTPS", "#{host}", "443", "/#{path}", "#{query}"),
       {"http", "www.example.com", 80, "/a/b", "x=1"}, 301, "https://www.example.com/a/b?x=1"},
      {"defaults keep everything (a loop AWS refuses; the function still answers)",
       alb::RedirectConfig{}, {"http", "h", 80, "/p", ""}, 301, "http://h/p"},
      {"port of the Host header dropped, listener port used", cfg("#{protocol}", "#{host}", "#{port}", "/#{path}", ""),
       {"http", "h.example:8080", 8080, "/", ""}, 301, "http://h.example:8080/"},
      {"default port left out, https", cfg("HTTPS", "#{host}", "443", "/", ""), {"http", "h", 80, "/", ""}, 301,
       "https://h/"},
      {"a non-default port stays", cfg("HTTPS", "#{host}", "8443", "/v2/#{path}", "#{query}", 302),
       {"http", "old.example", 80, "/x", "q"}, 302, "https://old.example:8443/v2/x?q"},
      {"protocol lower-cased", cfg("HTTP", "new.#{host}", "#{port}", "/#{path}", ""), {"http", "h", 81, "/a", ""}, 301,
       "http://new.h:81/a"},
      {"path without leading / gets one", cfg("HTTPS", "#{host}", "443", "#{path}", ""), {"http", "h", 80, "/a", ""},
       301, "https://h/a"},
      {"empty port: no colon", cfg("HTTPS", "#{host}", "", "/#{path}", ""), {"http", "h", 80, "/a", ""}, 301,
       "https://h/a"},
      {"unknown placeholder kept as written", cfg("HTTPS", "#{host}", "443", "/#{nope}/#{path}", "a=#{x}"),
       {"http", "h", 80, "/p", ""}, 301, "https://h/#{nope}/p?a=#{x}"},
      {"unclosed placeholder kept", cfg("HTTPS", "#{host", "443", "/", ""), {"http", "h", 80, "/", ""}, 301,
       "https://#{host/"},
      {"a replaced value is not scanned again", cfg("HTTPS", "#{host}", "443", "/#{path}", ""),
       {"http", "h", 80, "/#{host}", ""}, 301, "https://h/#{host}"},
      {"query appended to the original", cfg("HTTPS", "#{host}", "443", "/#{path}", "#{query}&v=1"),
       {"http", "h", 80, "/p", "a=1"}, 301, "https://h/p?a=1&v=1"},
      {"empty query: no ?", cfg("HTTPS", "#{host}", "443", "/#{path}", "#{query}"), {"http", "h", 80, "/p", ""}, 301,
       "https://h/p"},
      {"host, port and path all in the path", cfg("HTTPS", "x.example", "443", "/#{host}/#{port}/#{path}", ""),
       {"http", "H.example", 8080, "/p", ""}, 301, "https://x.example/H.example/8080/p"},
      {"https listener, #{protocol}", cfg("#{protocol}", "other", "#{port}", "/", ""), {"https", "h", 443, "/", ""}, 301,
       "https://other/"},
  };
  for (const auto& r : rows) {
    Redirect got = redirect_location(r.config, r.request);
    EXPECT_EQ(got.location, r.location) << r.what;
    EXPECT_EQ(got.status, r.status) << r.what;
  }
}

}  // namespace
}  // namespace vpclab::semantics
