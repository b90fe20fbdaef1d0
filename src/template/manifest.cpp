#include "template/manifest.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <set>

#include "semantics/s3.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

bool is_account(const std::string& s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Region names: letters and digits in dash-separated parts, ending in a number (ap-northeast-1).
bool is_region(const std::string& s) {
  if (s.empty() || s.size() > 32 || s.find("--") != std::string::npos || s.front() == '-' ||
      s.back() < '0' || s.back() > '9')
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128.
bool is_stack_name(const std::string& s) {
  if (s.empty() || s.size() > 128 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

class Reader {
 public:
  Reader(const std::string& path, Manifest& out, Diagnostics& diags)
      : path_(path), out_(out), diags_(diags) {}

  bool read(const Value& root) {
    out_.path = path_;
    out_.name = fs::path(path_).stem().string();
    if (!root.is_map()) {
      err(root.loc(), "M1001", "a lab manifest must be a map with `stacks:`");
      return false;
    }
    keys(root, {"name", "description", "stacks", "peerings", "on_premises", "organization", "s3"}, "manifest");
    if (const Value* n = root.get("name")) {
      if (string_of(*n, "name")) out_.name = n->text();
    }
    if (const Value* d = root.get("description")) string_of(*d, "description");
    const Value* stacks = root.get("stacks");
    if (!stacks || !stacks->is_list() || stacks->items().empty()) {
      err(stacks ? stacks->loc() : root.loc(), "M1001", "`stacks:` must be a non-empty list");
    } else {
      for (const auto& s : stacks->items()) read_stack(s);
    }
    std::set<std::string> names;
    for (const auto& s : out_.stacks) names.insert(s.ctx.name);
    for (const auto& s : out_.stacks) {
      for (const auto& [pname, src] : s.parameters) {
        if (src.from_stack.empty()) continue;
        if (src.from_stack == s.ctx.name)
          err(src.loc, "M1003", "stack '" + s.ctx.name + "' takes a parameter from its own outputs");
        else if (!names.count(src.from_stack))
          err(src.loc, "M1003", "parameter '" + pname + "' takes an output of unknown stack '" +
                                    src.from_stack + "'");
      }
    }
    if (const Value* ps = root.get("peerings")) {
      if (!ps->is_list()) {
        err(ps->loc(), "M1001", "`peerings:` must be a list");
      } else {
        for (const auto& p : ps->items()) read_peering(p, names);
      }
    }
    if (const Value* o = root.get("organization")) read_organization(*o);
    if (const Value* os = root.get("on_premises")) {
      if (!os->is_list()) {
        err(os->loc(), "M1001", "`on_premises:` must be a list");
      } else {
        for (const auto& o : os->items()) read_on_premises(o, names);
      }
    }
    if (const Value* b = root.get("s3")) {
      if (!b->is_list()) {
        err(b->loc(), "M1001", "`s3:` must be a list of buckets ({bucket: NAME, directory: PATH})");
      } else {
        for (const auto& x : b->items()) read_s3_bucket(x);
      }
    }
    return !failed_;
  }

 private:
  void err(SourceLoc loc, const char* code, std::string msg, std::string fix = {}) {
    diags_.error(loc, code, std::move(msg), std::move(fix));
    failed_ = true;
  }

  void keys(const Value& m, std::initializer_list<const char*> allowed, const std::string& where) {
    for (const auto& [k, v] : m.entries()) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || k.first == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        err(k.second, "M1001", "unknown key '" + k.first + "' in " + where, "valid keys: " + list);
      }
    }
  }

  bool string_of(const Value& v, const std::string& what) {
    if (v.is_string() || v.is_number()) return true;
    err(v.loc(), "M1001", "`" + what + "` must be a string, not a " + v.kind_name());
    return false;
  }

  bool bool_of(const Value& v, const std::string& what, bool& out) {
    if (v.is_bool()) {
      out = v.as_bool();
      return true;
    }
    err(v.loc(), "M1001", "`" + what + "` must be true or false");
    return false;
  }

  void read_stack(const Value& s) {
    if (!s.is_map()) {
      err(s.loc(), "M1001", "each stack must be a map with name and template");
      return;
    }
    keys(s, {"name", "template", "terraform", "account", "region", "parameters"}, "stack");
    ManifestStack ms;
    ms.loc = s.loc();
    ms.ctx.account = "123456789012";
    ms.ctx.region = "ap-northeast-1";
    const Value* name = s.get("name");
    const Value* tmpl = s.get("template");
    // A Terraform plan or state stands where a template would.
    if (const Value* tf = s.get("terraform")) {
      if (tmpl) err(tf->loc(), "M1001", "a stack has `template:` or `terraform:`, not both");
      tmpl = tf;
      ms.foreign = true;
      if (const Value* ps = s.get("parameters"))
        err(ps->loc(), "M1001", "a `terraform:` stack takes no parameters (the plan holds its values)");
    }
    if (!name) err(s.loc(), "M1001", "stack needs a `name:`");
    if (!tmpl) err(s.loc(), "M1001", "stack needs a `template:` (or `terraform:`)");
    if (!name || !tmpl || !string_of(*name, "name") || !string_of(*tmpl, ms.foreign ? "terraform" : "template")) return;
    ms.ctx.name = name->text();
    if (!is_stack_name(ms.ctx.name)) {
      err(name->loc(), "M1001",
          "stack name '" + ms.ctx.name + "' must start with a letter and hold only letters, digits "
          "and hyphens (at most 128)");
    }
    for (const auto& other : out_.stacks) {
      if (other.ctx.name == ms.ctx.name) {
        err(name->loc(), "M1002", "duplicate stack name '" + ms.ctx.name + "' (first at " +
                                      other.loc.str() + ")");
        return;
      }
    }
    fs::path t(tmpl->text());
    if (t.is_relative()) t = fs::path(path_).parent_path() / t;
    ms.ctx.template_path = t.lexically_normal().string();
    ms.template_loc = tmpl->loc();
    if (const Value* a = s.get("account"); a && string_of(*a, "account")) {
      if (!is_account(a->text()))
        err(a->loc(), "M1005", "account '" + a->text() + "' must be 12 digits",
            "quote it so YAML keeps leading zeros: account: \"012345678901\"");
      ms.ctx.account = a->text();
    }
    if (const Value* r = s.get("region"); r && string_of(*r, "region")) {
      if (!is_region(r->text())) err(r->loc(), "M1005", "'" + r->text() + "' is not a region name");
      ms.ctx.region = r->text();
    }
    if (const Value* ps = s.get("parameters")) {
      if (!ps->is_map()) {
        err(ps->loc(), "M1001", "`parameters:` must be a map of name: value");
      } else {
        for (const auto& [k, v] : ps->entries()) {
          ParameterSource src;
          src.loc = v.loc().known() ? v.loc() : k.second;
          if (v.is_map()) {
            keys(v, {"stack", "output"}, "parameter source");
            const Value* st = v.get("stack");
            const Value* out = v.get("output");
            if (!st || !out) {
              err(v.loc(), "M1001", "a parameter source needs both `stack:` and `output:`");
              continue;
            }
            if (!string_of(*st, "stack") || !string_of(*out, "output")) continue;
            src.from_stack = st->text();
            src.from_output = out->text();
          } else if (v.is_list()) {
            bool ok = true;
            for (const auto& i : v.items()) {
              if (!i.is_scalar()) {
                err(i.loc(), "M1001", "list parameter values must be strings");
                ok = false;
              }
            }
            if (!ok) continue;
            src.literal = v;
          } else if (v.is_null()) {
            err(k.second, "M1001", "parameter '" + k.first + "' has no value");
            continue;
          } else {
            src.literal = v;
          }
          ms.parameters.emplace(k.first, std::move(src));
        }
      }
    }
    out_.stacks.push_back(std::move(ms));
  }

  void read_peering(const Value& p, const std::set<std::string>& names) {
    if (!p.is_map()) {
      err(p.loc(), "M1001", "each peering must be a map with `connection:`");
      return;
    }
    keys(p, {"connection", "accepted", "requester", "accepter"}, "peering");
    ManifestPeering mp;
    mp.loc = p.loc();
    const Value* c = p.get("connection");
    if (!c || !c->is_map()) {
      err(c ? c->loc() : p.loc(), "M1001",
          "peering needs `connection: {stack: NAME, resource: LOGICAL_ID}`");
      return;
    }
    keys(*c, {"stack", "resource"}, "peering connection");
    const Value* st = c->get("stack");
    const Value* res = c->get("resource");
    if (!st || !res) {
      err(c->loc(), "M1001", "peering connection needs `stack:` and `resource:`");
      return;
    }
    if (!string_of(*st, "stack") || !string_of(*res, "resource")) return;
    mp.stack = st->text();
    mp.resource = res->text();
    if (!names.count(mp.stack)) err(st->loc(), "M1007", "peering names unknown stack '" + mp.stack + "'");
    if (const Value* a = p.get("accepted")) {
      bool b = false;
      if (bool_of(*a, "accepted", b)) mp.accepted = b;
    }
    auto side = [&](const char* key, PeeringSideOptions& o) {
      const Value* v = p.get(key);
      if (!v) return;
      if (!v->is_map()) {
        err(v->loc(), "M1001", std::string("`") + key + "` must be a map");
        return;
      }
      keys(*v, {"allow_dns_resolution_from_remote_vpc"}, key);
      if (const Value* d = v->get("allow_dns_resolution_from_remote_vpc"))
        bool_of(*d, "allow_dns_resolution_from_remote_vpc", o.allow_dns_resolution_from_remote_vpc);
    };
    side("requester", mp.requester);
    side("accepter", mp.accepter);
    out_.peerings.push_back(std::move(mp));
  }

  // {accounts: ["111111111111", ...], ram_sharing: true}
  void read_organization(const Value& o) {
    if (!o.is_map()) {
      err(o.loc(), "M1001", "`organization:` must be a map with `accounts:`");
      return;
    }
    keys(o, {"accounts", "ram_sharing"}, "organization");
    ManifestOrganization mo;
    mo.loc = o.loc();
    const Value* as = o.get("accounts");
    if (!as || !as->is_list() || as->items().empty()) {
      err(as ? as->loc() : o.loc(), "M1001", "`organization:` needs `accounts:`, a non-empty list of account ids");
      return;
    }
    for (const auto& a : as->items()) {
      if (!string_of(a, "account")) continue;
      if (!is_account(a.text()))
        err(a.loc(), "M1005", "organization account '" + a.text() + "' must be 12 digits",
            "quote it so YAML keeps leading zeros: \"012345678901\"");
      else mo.accounts.push_back(a.text());
    }
    if (const Value* r = o.get("ram_sharing")) bool_of(*r, "ram_sharing", mo.ram_sharing);
    out_.organization = std::move(mo);
  }

  // {name: office, customer_gateway: {stack: S, resource: R}, cidrs: [192.168.0.0/16]}
  void read_on_premises(const Value& o, const std::set<std::string>& names) {
    if (!o.is_map()) {
      err(o.loc(), "M1001", "each on_premises entry must be a map with name, customer_gateway and cidrs");
      return;
    }
    keys(o, {"name", "customer_gateway", "cidrs"}, "on_premises entry");
    ManifestOnPremises mo;
    mo.loc = o.loc();
    const Value* n = o.get("name");
    const Value* g = o.get("customer_gateway");
    const Value* cs = o.get("cidrs");
    if (!n || !g || !cs) {
      err(o.loc(), "M1001", "an on_premises entry needs `name:`, `customer_gateway:` and `cidrs:`");
      return;
    }
    if (!string_of(*n, "name")) return;
    mo.name = n->text();
    // The name is the lab namespace's (`vpclab exec office -- ...`).
    bool ok = !mo.name.empty() && mo.name.size() <= 32 && std::isalpha(static_cast<unsigned char>(mo.name[0])) &&
              std::all_of(mo.name.begin(), mo.name.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
              });
    if (!ok) {
      err(n->loc(), "M1008",
          "on_premises name '" + mo.name + "' must start with a letter and hold only lower-case letters, digits and "
          "hyphens (at most 32)");
      return;
    }
    for (const auto& other : out_.on_premises)
      if (other.name == mo.name) {
        err(n->loc(), "M1008", "duplicate on_premises name '" + mo.name + "' (first at " + other.loc.str() + ")");
        return;
      }
    if (!g->is_map()) {
      err(g->loc(), "M1001", "`customer_gateway:` must be {stack: NAME, resource: LOGICAL_ID}");
      return;
    }
    keys(*g, {"stack", "resource"}, "customer_gateway");
    const Value* st = g->get("stack");
    const Value* res = g->get("resource");
    if (!st || !res) {
      err(g->loc(), "M1001", "customer_gateway needs `stack:` and `resource:`");
      return;
    }
    if (!string_of(*st, "stack") || !string_of(*res, "resource")) return;
    mo.stack = st->text();
    mo.resource = res->text();
    mo.gateway_loc = g->loc().known() ? g->loc() : o.loc();
    if (!names.count(mo.stack)) {
      err(st->loc(), "M1008", "on_premises '" + mo.name + "' names unknown stack '" + mo.stack + "'");
      return;
    }
    if (!cs->is_list() || cs->items().empty()) {
      err(cs->loc(), "M1001", "`cidrs:` must be a non-empty list of IPv4 CIDRs");
      return;
    }
    for (const auto& c : cs->items()) {
      bool host_bits = false;
      auto cidr = c.is_string() ? Ipv4Cidr::parse(c.text(), &host_bits) : std::nullopt;
      if (!cidr) {
        err(c.loc(), "M1009", "'" + (c.is_scalar() ? c.text() : c.kind_name()) + "' is not an IPv4 CIDR (a.b.c.d/n)");
        continue;
      }
      if (host_bits) {
        err(c.loc(), "M1009", "'" + c.text() + "' has host bits set", "write " + cidr->str());
        continue;
      }
      mo.cidrs.emplace_back(*cidr, c.loc().known() ? c.loc() : cs->loc());
    }
    if (mo.cidrs.empty()) return;
    out_.on_premises.push_back(std::move(mo));
  }

  // {bucket: NAME, directory: PATH, region: REGION}
  void read_s3_bucket(const Value& b) {
    if (!b.is_map()) {
      err(b.loc(), "M1001", "each s3 entry must be a map with bucket and directory");
      return;
    }
    keys(b, {"bucket", "directory", "region"}, "s3 entry");
    const Value* n = b.get("bucket");
    const Value* d = b.get("directory");
    if (!n || !d) {
      err(b.loc(), "M1001", "an s3 entry needs `bucket:` and `directory:`");
      return;
    }
    if (!string_of(*n, "bucket") || !string_of(*d, "directory")) return;
    ManifestS3Bucket mb;
    mb.loc = b.loc();
    mb.name = n->text();
    if (auto why = semantics::bucket_name_problem(mb.name)) {
      err(n->loc(), "M1010", "s3 bucket name '" + mb.name + "' " + *why);
      return;
    }
    for (const auto& other : out_.s3_buckets)
      if (other.name == mb.name) {
        err(n->loc(), "M1010", "duplicate s3 bucket '" + mb.name + "' (first at " + other.loc.str() + ")",
            "bucket names are unique across all of S3");
        return;
      }
    if (out_.stacks.empty()) return;  // `stacks:` reported already
    mb.region = out_.stacks.front().ctx.region;
    if (const Value* r = b.get("region")) {
      if (!string_of(*r, "region")) return;
      mb.region = r->text();
      bool known = false;
      for (const auto& s : out_.stacks) known = known || s.ctx.region == mb.region;
      if (!known) {
        err(r->loc(), "M1010", "s3 bucket '" + mb.name + "' is in region '" + mb.region +
                                   "', which no stack of this manifest is in",
            "the lab has an S3 only in its stacks' regions");
        return;
      }
    }
    fs::path dir(d->text());
    if (dir.is_relative()) dir = fs::path(path_).parent_path() / dir;
    dir = fs::absolute(dir).lexically_normal();
    if (!dir.has_filename() && dir.has_parent_path()) dir = dir.parent_path();  // "objects/"
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      err(d->loc(), "M1011",
          "s3 bucket '" + mb.name + "': directory " + d->text() +
              (fs::exists(dir, ec) ? " is not a directory" : " does not exist") + " (" + dir.string() + ")",
          "the bucket's objects are the files under this directory, relative to the manifest");
      return;
    }
    mb.directory = dir.string();
    out_.s3_buckets.push_back(std::move(mb));
  }

  std::string path_;
  Manifest& out_;
  Diagnostics& diags_;
  bool failed_ = false;
};

}  // namespace

bool is_manifest(const Value& root) { return root.is_map() && root.get("stacks") != nullptr; }

bool manifest_from_value(const Value& root, const std::string& path, Manifest& out, Diagnostics& diags) {
  Reader r(path, out, diags);
  return r.read(root);
}

bool load_manifest(const std::string& path, Manifest& out, Diagnostics& diags) {
  auto root = parse_template_file(path, diags);
  if (!root) return false;
  return manifest_from_value(*root, path, out, diags);
}

bool order_stacks(const Manifest& m, std::vector<size_t>& order, Diagnostics& diags) {
  order.clear();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < m.stacks.size(); ++i) index.emplace(m.stacks[i].ctx.name, i);
  // 0 = unvisited, 1 = on the current path, 2 = placed.
  std::vector<int> state(m.stacks.size(), 0);
  bool ok = true;
  std::vector<size_t> path;
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      std::string cycle;
      auto from = std::find(path.begin(), path.end(), i);
      for (auto it = from; it != path.end(); ++it) cycle += m.stacks[*it].ctx.name + " -> ";
      cycle += m.stacks[i].ctx.name;
      diags.error(m.stacks[i].loc, "M1004", "stacks take each other's outputs in a cycle: " + cycle);
      ok = false;
      return;
    }
    state[i] = 1;
    path.push_back(i);
    for (const auto& [name, src] : m.stacks[i].parameters) {
      if (src.from_stack.empty()) continue;
      auto it = index.find(src.from_stack);
      if (it != index.end() && it->second != i) visit(it->second);
      if (!ok) break;
    }
    path.pop_back();
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < m.stacks.size() && ok; ++i) visit(i);
  return ok;
}

bool manifest_parameter_values(const ManifestStack& s,
                               const std::map<std::string, const ResolvedStack*>& resolved,
                               std::map<std::string, Value>& out, Diagnostics& diags) {
  bool ok = true;
  for (const auto& [name, src] : s.parameters) {
    if (src.literal) {
      out[name] = *src.literal;
      continue;
    }
    auto it = resolved.find(src.from_stack);
    if (it == resolved.end() || !it->second) {
      diags.error(src.loc, "M1006", "stack '" + src.from_stack + "' was not resolved");
      ok = false;
      continue;
    }
    const StackOutput* o = it->second->output(src.from_output);
    if (!o) {
      std::string have;
      for (const auto& x : it->second->outputs) have += (have.empty() ? "" : ", ") + x.name;
      diags.error(src.loc, "M1006",
                  "stack '" + src.from_stack + "' has no output '" + src.from_output + "'",
                  have.empty() ? "that stack has no outputs" : "its outputs: " + have);
      ok = false;
      continue;
    }
    out[name] = Value::string(o->value.text(), src.loc);
  }
  return ok;
}

}  // namespace vpclab::tmpl
