#include "semantics/redirect.h"

#include "semantics/listener_rule.h"

namespace vpclab::semantics {

namespace {

struct Parts {
  std::string_view protocol, host, path, query;
  std::string port;
};

std::string substitute(std::string_view tmpl, const Parts& p) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, 2, "#{") == 0) {
      size_t close = tmpl.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view name = tmpl.substr(i + 2, close - i - 2);
        bool known = true;
        if (name == "protocol") out += p.protocol;
        else if (name == "host") out += p.host;
        else if (name == "port") out += p.port;
        else if (name == "path") out += p.path;
        else if (name == "query") out += p.query;
        else known = false;
        if (known) {
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

}  // namespace

Redirect redirect_location(const alb::RedirectConfig& rc, const RedirectRequest& rq) {
  Parts p;
  p.protocol = rq.scheme;
  p.host = host_without_port(rq.host);
  p.port = std::to_string(rq.port);
  p.path = !rq.path.empty() && rq.path[0] == '/' ? rq.path.substr(1) : rq.path;
  p.query = rq.query;

  std::string proto = substitute(rc.protocol, p);
  for (char& c : proto)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  std::string port = substitute(rc.port, p);
  std::string path = substitute(rc.path, p);
  std::string query = substitute(rc.query, p);

  Redirect r;
  r.status = rc.status_code == 302 ? 302 : 301;
  r.location = proto + "://" + substitute(rc.host, p);
  bool default_port = (proto == "http" && port == "80") || (proto == "https" && port == "443");
  if (!default_port && !port.empty()) r.location += ":" + port;
  if (path.empty() || path[0] != '/') r.location += '/';
  r.location += path;
  if (!query.empty()) r.location += "?" + query;
  return r;
}

}  // namespace vpclab::semantics
