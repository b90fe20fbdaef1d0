// Network Access Analyzer scopes and Reachability Analyzer paths in AWS's
// shapes -> model::Assertions: the readers template resources use
// (ec2_insights.cpp) and POLICY files (the EC2 API's JSON as the AWS CLI takes it).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "template/engine.h"
#include "template/insights.h"
#include "template/insights_reader.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kResourceStatement = {{"Resources", K::kStringList}, {"ResourceTypes", K::kStringList}};
const Schema kPacketHeader = {{"SourceAddresses", K::kStringList},      {"DestinationAddresses", K::kStringList},
                              {"SourcePorts", K::kStringList},          {"DestinationPorts", K::kStringList},
                              {"SourcePrefixLists", K::kStringList},    {"DestinationPrefixLists", K::kStringList},
                              {"Protocols", K::kStringList}};
const Schema kPathStatement = {{"PacketHeaderStatement", K::kMap, false, &kPacketHeader},
                               {"ResourceStatement", K::kMap, false, &kResourceStatement}};
const Schema kThrough = {{"ResourceStatement", K::kMap, false, &kResourceStatement}};
const Schema kScopePath = {{"Source", K::kMap, false, &kPathStatement},
                           {"Destination", K::kMap, false, &kPathStatement},
                           {"ThroughResources", K::kList, false, &kThrough}};
const Schema kAccessScope = {{"MatchPaths", K::kList, false, &kScopePath},
                             {"ExcludePaths", K::kList, false, &kScopePath},
                             {"Tags", K::kList, false, &kTag}};
const Schema kPortRange = {{"FromPort", K::kInt}, {"ToPort", K::kInt}};
const Schema kPathFilter = {{"SourceAddress", K::kString},
                            {"DestinationAddress", K::kString},
                            {"SourcePortRange", K::kMap, false, &kPortRange},
                            {"DestinationPortRange", K::kMap, false, &kPortRange}};
const Schema kInsightsPath = {{"Source", K::kString, true},
                              {"Destination", K::kString},
                              {"SourceIp", K::kString},
                              {"DestinationIp", K::kString},
                              {"Protocol", K::kString, true},
                              {"DestinationPort", K::kInt},
                              {"FilterAtSource", K::kMap, false, &kPathFilter},
                              {"FilterAtDestination", K::kMap, false, &kPathFilter},
                              {"Tags", K::kList, false, &kTag}};

// POLICY files: the CLI's --cli-input-json objects, with a Name (and an
// Expect for paths) instead of tags.
Schema policy_schema(const Schema& base, std::vector<Prop> extra) {
  Schema s;
  for (const auto& p : base)
    if (p.name != "Tags") s.push_back(p);
  for (auto& p : extra) s.push_back(p);
  for (Prop p : {Prop{"ClientToken", K::kString}, Prop{"TagSpecifications", K::kList}, Prop{"DryRun", K::kBool}})
    s.push_back(p);
  return s;
}
const Schema kPolicyScope = policy_schema(kAccessScope, {{"Name", K::kString}});
const Schema kPolicyPath = policy_schema(kInsightsPath, {{"Name", K::kString}, {"Expect", K::kString}});
const Schema kPolicyFile = {{"AccessScopes", K::kList, false, &kPolicyScope},
                            {"Paths", K::kList, false, &kPolicyPath}};

// Resource types a resource statement may name, and where (Network Access
// Analyzer's "resource statements" page).
struct TypeUse {
  std::string_view type;
  bool endpoint, through;  // source/destination, through
};
constexpr TypeUse kTypes[] = {
    {"AWS::EC2::InternetGateway", true, false},
    {"AWS::EC2::NetworkInterface", true, false},
    {"AWS::EC2::NatGateway", false, true},
    {"AWS::EC2::TransitGatewayAttachment", true, true},
    {"AWS::EC2::VPCEndpoint", true, true},
    {"AWS::EC2::VPCEndpointService", true, true},
    {"AWS::EC2::VPCPeeringConnection", true, true},
    {"AWS::EC2::VPNGateway", true, false},
    {"AWS::ElasticLoadBalancing::LoadBalancer", false, true},
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", false, true},
    {"AWS::NetworkFirewall::Firewall", false, true},
};

enum class Position { kSource, kDestination, kThrough };

// Reads the shapes both front ends share into the model.
struct Reader {
  Diagnostics& diags;
  std::string stack;  // the template stack, "" in POLICY files

  void bad(const Value& v, std::string msg) { diags.error(v.loc(), "E3031", std::move(msg)); }

  std::vector<model::ResourceName> names(const Value* list) {
    std::vector<model::ResourceName> out;
    if (!list || !list->is_list()) return out;
    for (const auto& i : list->items())
      if (i.is_scalar()) out.push_back({i.text(), stack, i.loc()});
    return out;
  }

  std::optional<model::ResourceStatement> resources(const Value* v, Position pos, const std::string& where) {
    if (!v || !v->is_map()) return std::nullopt;
    model::ResourceStatement rs;
    rs.resources = names(v->get("Resources"));
    rs.resource_types = names(v->get("ResourceTypes"));
    if (!rs.resources.empty() && !rs.resource_types.empty())
      bad(*v, where + ": a resource statement takes Resources or ResourceTypes, not both");
    for (const auto& t : rs.resource_types) {
      auto it = std::find_if(std::begin(kTypes), std::end(kTypes), [&](const TypeUse& u) { return u.type == t.text; });
      if (it == std::end(kTypes)) {
        diags.error(t.loc, "E3031",
                    fmt::format("{}: resource type '{}' is not one Network Access Analyzer takes", where, t.text));
        continue;
      }
      bool ok = pos == Position::kThrough ? it->through : it->endpoint;
      if (!ok)
        diags.error(t.loc, "E3031",
                    fmt::format("{}: {} can only be named {}", where, t.text,
                                it->through ? "in ThroughResources" : "as Source or Destination"));
    }
    return rs;
  }

  std::optional<PortRange> port_range(const Value& v, const std::string& where) {
    std::string t = v.text();
    auto num = [](std::string_view s) -> std::optional<uint16_t> {
      unsigned n = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size() || n > 65535) return std::nullopt;
      return static_cast<uint16_t>(n);
    };
    auto dash = t.find('-');
    auto lo = num(std::string_view(t).substr(0, dash));
    auto hi = dash == std::string::npos ? lo : num(std::string_view(t).substr(dash + 1));
    if (!lo || !hi || *lo > *hi) {
      bad(v, fmt::format("{}: '{}' is not a port or port range (80, 1024-65535)", where, t));
      return std::nullopt;
    }
    return PortRange{*lo, *hi};
  }

  std::vector<Ipv4Cidr> cidrs(const Value* list, const std::string& where) {
    std::vector<Ipv4Cidr> out;
    if (!list || !list->is_list()) return out;
    for (const auto& i : list->items()) {
      auto c = Ipv4Cidr::parse(i.text());
      if (!c)
        if (auto a = Ipv4Address::parse(i.text())) c = Ipv4Cidr::of(*a, 32);
      if (!c) bad(i, fmt::format("{}: '{}' is not an IPv4 address or CIDR block", where, i.text()));
      else out.push_back(*c);
    }
    return out;
  }

  std::optional<model::PacketHeaderStatement> packet(const Value* v, const std::string& where) {
    if (!v || !v->is_map()) return std::nullopt;
    model::PacketHeaderStatement ph;
    ph.loc = v->loc();
    ph.source_addresses = cidrs(v->get("SourceAddresses"), where + ".SourceAddresses");
    ph.destination_addresses = cidrs(v->get("DestinationAddresses"), where + ".DestinationAddresses");
    ph.source_prefix_lists = names(v->get("SourcePrefixLists"));
    ph.destination_prefix_lists = names(v->get("DestinationPrefixLists"));
    if (!ph.source_addresses.empty() && !ph.source_prefix_lists.empty())
      bad(*v, where + ": SourceAddresses and SourcePrefixLists exclude each other");
    if (!ph.destination_addresses.empty() && !ph.destination_prefix_lists.empty())
      bad(*v, where + ": DestinationAddresses and DestinationPrefixLists exclude each other");
    for (const char* key : {"SourcePorts", "DestinationPorts"}) {
      const Value* l = v->get(key);
      if (!l || !l->is_list()) continue;
      for (const auto& i : l->items())
        if (auto r = port_range(i, where + "." + key))
          (key[0] == 'S' ? ph.source_ports : ph.destination_ports).push_back(*r);
    }
    if (const Value* l = v->get("Protocols"); l && l->is_list())
      for (const auto& i : l->items()) {
        std::string p = i.text();
        std::transform(p.begin(), p.end(), p.begin(), ::tolower);
        if (p == "tcp") ph.protocols.push_back(kTcp);
        else if (p == "udp") ph.protocols.push_back(kUdp);
        else bad(i, fmt::format("{}.Protocols: '{}' is not tcp or udp", where, i.text()));
      }
    return ph;
  }

  std::optional<model::PathStatement> statement(const Value* v, Position pos, const std::string& where) {
    if (!v || !v->is_map()) return std::nullopt;
    model::PathStatement ps;
    ps.packet = packet(v->get("PacketHeaderStatement"), where + ".PacketHeaderStatement");
    ps.resource = resources(v->get("ResourceStatement"), pos, where + ".ResourceStatement");
    return ps;
  }

  std::vector<model::AccessScopePath> paths(const Value* list, const std::string& where) {
    std::vector<model::AccessScopePath> out;
    if (!list || !list->is_list()) return out;
    for (size_t i = 0; i < list->items().size(); ++i) {
      const Value& p = list->items()[i];
      if (!p.is_map()) continue;
      std::string w = fmt::format("{}[{}]", where, i);
      model::AccessScopePath sp;
      sp.loc = p.loc();
      sp.source = statement(p.get("Source"), Position::kSource, w + ".Source");
      sp.destination = statement(p.get("Destination"), Position::kDestination, w + ".Destination");
      if (const Value* t = p.get("ThroughResources"); t && t->is_list())
        for (size_t j = 0; j < t->items().size(); ++j)
          if (auto rs = resources(t->items()[j].get("ResourceStatement"), Position::kThrough,
                                  fmt::format("{}.ThroughResources[{}]", w, j)))
            sp.through.push_back(std::move(*rs));
      out.push_back(std::move(sp));
    }
    return out;
  }

  model::AccessScope scope(const Value& v, const std::string& where) {
    model::AccessScope s;
    s.match = paths(v.get("MatchPaths"), where + ".MatchPaths");
    s.exclude = paths(v.get("ExcludePaths"), where + ".ExcludePaths");
    if (s.match.empty()) diags.error(v.loc(), "E3003", where + ": an access scope needs at least one MatchPaths entry");
    return s;
  }

  std::optional<PortRange> filter_range(const Value* v, const std::string& where) {
    if (!v || !v->is_map()) return std::nullopt;
    auto from = to_int(v->get("FromPort")), to = to_int(v->get("ToPort"));
    long lo = from.value_or(0), hi = to.value_or(65535);
    if (lo < 0 || hi > 65535 || lo > hi) {
      bad(*v, fmt::format("{}: port range {}-{} is not within 0-65535", where, lo, hi));
      return std::nullopt;
    }
    return PortRange{static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)};
  }

  model::PathFilter filter(const Value* v, const std::string& where) {
    model::PathFilter f;
    if (!v || !v->is_map()) return f;
    for (const char* key : {"SourceAddress", "DestinationAddress"})
      if (const Value* a = v->get(key)) {
        auto ip = Ipv4Address::parse(a->text());
        if (!ip) bad(*a, fmt::format("{}.{}: '{}' is not an IPv4 address", where, key, a->text()));
        (key[0] == 'S' ? f.source_address : f.destination_address) = ip;
      }
    f.source_ports = filter_range(v->get("SourcePortRange"), where + ".SourcePortRange");
    f.destination_ports = filter_range(v->get("DestinationPortRange"), where + ".DestinationPortRange");
    return f;
  }

  std::optional<Ipv4Address> ip(const Value* v, const std::string& where) {
    if (!v) return std::nullopt;
    auto a = Ipv4Address::parse(v->text());
    if (!a) bad(*v, fmt::format("{}: '{}' is not an IPv4 address", where, v->text()));
    return a;
  }

  model::Expectation expectation(const Value* v, const std::string& where) {
    if (!v) return model::Expectation::kNone;
    std::string e = v->text();
    std::transform(e.begin(), e.end(), e.begin(), ::tolower);
    if (e == "reachable") return model::Expectation::kReachable;
    if (e == "unreachable") return model::Expectation::kUnreachable;
    bad(*v, fmt::format("{}: '{}' is not reachable or unreachable", where, v->text()));
    return model::Expectation::kNone;
  }

  model::InsightsPath path(const Value& v, const std::string& where, const Value* expect) {
    model::InsightsPath p;
    if (const Value* s = v.get("Source")) p.source = {s->text(), stack, s->loc()};
    if (const Value* d = v.get("Destination")) p.destination = {d->text(), stack, d->loc()};
    p.source_ip = ip(v.get("SourceIp"), where + ".SourceIp");
    p.destination_ip = ip(v.get("DestinationIp"), where + ".DestinationIp");
    if (!v.get("Destination") && !v.get("DestinationIp"))
      diags.error(v.loc(), "E3014", where + ": a path needs a Destination or a DestinationIp");
    if (const Value* pr = v.get("Protocol")) {
      std::string t = pr->text();
      std::transform(t.begin(), t.end(), t.begin(), ::tolower);
      if (t == "tcp") p.protocol = kTcp;
      else if (t == "udp") p.protocol = kUdp;
      else bad(*pr, fmt::format("{}.Protocol: '{}' is not tcp or udp", where, pr->text()));
    }
    if (const Value* port = v.get("DestinationPort")) {
      auto n = to_int(port);
      if (!n || *n < 0 || *n > 65535) bad(*port, fmt::format("{}.DestinationPort: '{}' is not 0-65535", where, port->text()));
      else p.destination_port = static_cast<uint16_t>(*n);
    }
    p.filter_at_source = filter(v.get("FilterAtSource"), where + ".FilterAtSource");
    p.filter_at_destination = filter(v.get("FilterAtDestination"), where + ".FilterAtDestination");
    p.expect = expectation(expect, where + (stack.empty() ? ".Expect" : ".Tags vpclab:expect"));
    return p;
  }
};

}  // namespace

// ---- the readers templates use ------------------------------------------------

const cfn::Schema& access_scope_schema() { return kAccessScope; }
const cfn::Schema& insights_path_schema() { return kInsightsPath; }

model::AccessScope read_access_scope(const Value& props, const std::string& where, const std::string& stack,
                                     Diagnostics& diags) {
  Reader rd{diags, stack};
  return rd.scope(props, where);
}

model::InsightsPath read_insights_path(const Value& props, const Value* expect, const std::string& where,
                                       const std::string& stack, Diagnostics& diags) {
  Reader rd{diags, stack};
  return rd.path(props, where, expect);
}

// ---- POLICY files ---------------------------------------------------------------

std::optional<model::Assertions> read_policy_text(std::string_view source, const std::string& file_name,
                                                  Diagnostics& diags) {
  auto root = parse_template_text(source, file_name, diags);
  if (!root) return std::nullopt;
  if (!root->is_map()) {
    diags.error(root->loc(), "E3012", fmt::format("{}: a policy should be a map, not {}", file_name, root->kind_name()));
    return std::nullopt;
  }
  Diagnostics local;
  Reader rd{local, ""};
  model::Assertions out;
  auto name_of = [](const Value& v, std::string fallback_name) {
    std::string n = text(v.get("Name"));
    return n.empty() ? fallback_name : n;
  };
  auto add_scope = [&](const Value& v, const std::string& where) {
    model::AccessScope s = rd.scope(v, where);
    s.name = name_of(v, where);
    s.origin.loc = v.loc();
    out.access_scopes.push_back(std::move(s));
  };
  auto add_path = [&](const Value& v, const std::string& where) {
    model::InsightsPath p = rd.path(v, where, v.get("Expect"));
    p.name = name_of(v, where);
    p.origin.loc = v.loc();
    out.paths.push_back(std::move(p));
  };
  const Value& r = *root;
  if (r.get("MatchPaths") || r.get("ExcludePaths")) {
    check(local, r, kPolicyScope, file_name, r.loc());
    add_scope(r, file_name);
  } else if (r.get("Source") && !r.get("AccessScopes") && !r.get("Paths")) {
    check(local, r, kPolicyPath, file_name, r.loc());
    add_path(r, file_name);
  } else {
    check(local, r, kPolicyFile, file_name, r.loc());
    for (const char* key : {"AccessScopes", "Paths"}) {
      const Value* l = r.get(key);
      if (!l || !l->is_list()) continue;
      for (size_t i = 0; i < l->items().size(); ++i) {
        const Value& item = l->items()[i];
        if (!item.is_map()) continue;
        std::string where = fmt::format("{}[{}]", key, i);
        if (key[0] == 'A') add_scope(item, where);
        else add_path(item, where);
      }
    }
  }
  if (out.access_scopes.empty() && out.paths.empty() && !local.has_errors())
    local.error(r.loc(), "POLICY_EMPTY",
                fmt::format("{}: no AccessScopes or Paths: the policy asserts nothing", file_name));
  diags.append(local);
  if (local.has_errors()) return std::nullopt;
  return out;
}

std::optional<model::Assertions> read_policy_file(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(SourceLoc{intern_file(path), 0, 0}, "E0000", fmt::format("{}: cannot read the policy file", path));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return read_policy_text(text.str(), path, diags);
}

}  // namespace vpclab::tmpl
