#include "semantics/s3.h"

#include <cctype>

#include "semantics/listener_rule.h"
#include "vocab/ip.h"

namespace vpclab::semantics {

std::optional<std::string> bucket_name_problem(std::string_view n) {
  auto ends_with = [&](std::string_view s) { return n.size() >= s.size() && n.substr(n.size() - s.size()) == s; };
  if (n.size() < 3 || n.size() > 63) return "must be 3-63 characters";
  for (char c : n)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
          c == '-'))
      return "may hold only lower-case letters, digits, dots and hyphens";
  auto alnum = [](char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); };
  if (!alnum(n.front()) || !alnum(n.back())) return "must start and end with a letter or digit";
  if (n.find("..") != std::string_view::npos) return "must not hold two adjacent dots";
  if (Ipv4Address::parse(std::string(n))) return "must not be formatted as an IP address";
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (n.substr(0, p.size()) == p) return "must not start with " + std::string(p);
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap"})
    if (ends_with(s)) return "must not end with " + std::string(s);
  return std::nullopt;
}

PathStyleTarget parse_path_style(std::string_view path) {
  PathStyleTarget t;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  auto slash = path.find('/');
  t.bucket = url_decode(path.substr(0, slash));
  if (slash != std::string_view::npos) t.key = url_decode(path.substr(slash + 1));
  return t;
}

}  // namespace vpclab::semantics
