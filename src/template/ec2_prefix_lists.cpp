// CloudFormation -> model, EC2 managed prefix lists (AWS::EC2::PrefixList):
// the list and its entries, checked as CreateManagedPrefixList checks them.
// What references one (security-group rules, routes) is resolved in
// model/finalize_prefix_lists.cpp.
#include <fmt/format.h>

#include <set>

#include "template/model_sink.h"

namespace vpclab::tmpl {
using namespace cfn;

namespace {

const Schema kPrefixListEntry = {{"Cidr", K::kString, true}, {"Description", K::kString}};
const Schema kPrefixList = {{"PrefixListName", K::kString, true},
                            {"AddressFamily", K::kString, true},
                            {"MaxEntries", K::kInt},
                            {"Entries", K::kList, false, &kPrefixListEntry},
                            {"Tags", K::kList, false, &kTag}};

constexpr int kMaxEntriesLimit = 1000;  // the EC2 API's bound on MaxEntries
constexpr size_t kMaxTemplateEntries = 100;  // AWS::EC2::PrefixList Entries, at most

}  // namespace

void ModelSink::Impl::ec2_prefix_list_types(TypeTable& t) {
  t["AWS::EC2::PrefixList"] = {&kPrefixList, &Impl::add_prefix_list};
}

std::optional<Value> ModelSink::Impl::ec2_prefix_list_att(const StackContext& stack, const Entry& e,
                                                          const std::string& a) {
  if (e.kind != Kind::kPrefixList) return std::nullopt;
  const auto& pl = net.prefix_lists[e.index];
  if (a == "PrefixListId") return str_value(pl.id);
  if (a == "OwnerId") return str_value(stack.account);
  if (a == "Version") return str_value("1");
  if (a == "Arn") return str_value(fmt::format("arn:aws:ec2:{}:{}:prefix-list/{}", stack.region, stack.account, pl.id));
  return std::nullopt;
}

void ModelSink::Impl::add_prefix_list(C& c) {
  model::PrefixList pl;
  pl.id = c.id("pl");
  pl.origin = c.origin;
  pl.name = c.str("PrefixListName");
  if (pl.name.rfind("com.amazonaws", 0) == 0)
    c.error(c.loc_of("PrefixListName"), "PREFIX_LIST_NAME_RESERVED",
            fmt::format("{}: PrefixListName '{}' starts with com.amazonaws, which AWS keeps for its own lists",
                        c.who(), pl.name));
  pl.owner_id = c.stack.account;
  pl.loc = c.r.loc;
  pl.address_family = c.str("AddressFamily");
  if (pl.address_family != "IPv4" && pl.address_family != "IPv6")
    c.error(c.loc_of("AddressFamily"), "E3030",
            fmt::format("{}: AddressFamily must be IPv4 or IPv6, not '{}'", c.who(), pl.address_family));
  if (auto m = to_int(c.prop("MaxEntries"))) {
    if (*m < 1 || *m > kMaxEntriesLimit)
      c.error(c.loc_of("MaxEntries"), "E3034",
              fmt::format("{}: MaxEntries {} is outside 1-{}", c.who(), *m, kMaxEntriesLimit));
    pl.max_entries = static_cast<int>(*m);
  } else {
    c.error(c.r.loc, "E3003", fmt::format("{}: MaxEntries is required (CreateManagedPrefixList)", c.who()));
  }
  std::set<std::string> seen;
  if (const Value* es = c.prop("Entries"); es && es->is_list())
    for (const auto& e : es->items()) {
      if (!e.is_map()) continue;
      model::PrefixListEntry en;
      const Value* v = e.get("Cidr");
      en.text = text(v);
      en.description = text(e.get("Description"));
      en.loc = v ? v->loc() : e.loc();
      if (pl.address_family == "IPv4") {
        en.cidr = cidr(c, v, "prefix list entry");
        if (en.cidr) en.text = en.cidr->str();
      }
      if (!seen.insert(en.text).second)
        c.error(en.loc, "PREFIX_LIST_DUPLICATE_ENTRY",
                fmt::format("{}: {} is listed twice; a prefix list holds each CIDR once", c.who(), en.text));
      pl.entries.push_back(std::move(en));
    }
  if (pl.entries.size() > kMaxTemplateEntries)
    c.error(c.loc_of("Entries"), "E3034",
            fmt::format("{}: {} Entries; AWS::EC2::PrefixList takes at most {}", c.who(), pl.entries.size(),
                        kMaxTemplateEntries));
  if (pl.max_entries > 0 && static_cast<int>(pl.entries.size()) > pl.max_entries)
    c.error(c.loc_of("Entries"), "PREFIX_LIST_MAX_ENTRIES",
            fmt::format("{}: {} entries exceed MaxEntries {}", c.who(), pl.entries.size(), pl.max_entries));
  reg(c, Kind::kPrefixList, pl.id, net.prefix_lists.size());
  net.prefix_lists.push_back(std::move(pl));
}

}  // namespace vpclab::tmpl
