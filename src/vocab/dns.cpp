#include "vocab/dns.h"

#include <cctype>

namespace vpclab::dns {

std::string normalize_name(std::string_view name) {
  std::string s(name);
  while (!s.empty() && s.back() == '.') s.pop_back();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool name_in_zone(std::string_view name, std::string_view zone) {
  if (zone.empty()) return true;
  if (name.size() < zone.size()) return false;
  if (name.substr(name.size() - zone.size()) != zone) return false;
  return name.size() == zone.size() || name[name.size() - zone.size() - 1] == '.';
}

}  // namespace vpclab::dns
