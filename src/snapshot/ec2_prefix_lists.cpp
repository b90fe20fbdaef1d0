// AWS CLI JSON -> model, managed prefix lists: describe-managed-prefix-lists
// (the lists), get-managed-prefix-list-entries (their entries, saved with
// the list's PrefixListId beside them), and describe-prefix-lists, whose
// AWS-managed service lists print their Cidrs inline.
#include "snapshot/loader.h"

namespace vpclab::snapshot {


void Loader::prefix_lists(const Doc& d, const json& a, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    const json& x = a[i];
    std::string id = str(x, "PrefixListId");
    if (id.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "prefix list without PrefixListId; skipped");
      continue;
    }
    if (str(x, "State").find("delete") != std::string::npos) continue;
    model::PrefixList* pl = nullptr;
    for (auto& p : net_.prefix_lists)
      if (p.id == id) pl = &p;
    if (!pl) {
      net_.prefix_lists.emplace_back();
      pl = &net_.prefix_lists.back();
      pl->id = id;
      pl->origin = origin(d);
    }
    if (x.contains("PrefixListName")) pl->name = str(x, "PrefixListName");
    if (x.contains("AddressFamily")) pl->address_family = str(x, "AddressFamily");
    if (x.contains("OwnerId")) pl->owner_id = str(x, "OwnerId");
    if (x.contains("MaxEntries") && x["MaxEntries"].is_number_integer()) pl->max_entries = x["MaxEntries"].get<int>();
    if (const json* cidrs = array(x, "Cidrs")) {  // describe-prefix-lists: an AWS-managed list
      if (pl->owner_id.empty()) pl->owner_id = "AWS";
      pl->entries.clear();
      for (const auto& c : *cidrs)
        if (c.is_string()) pl->entries.push_back(model::PrefixListEntry::of(c.get<std::string>(), ""));
    }
  }
}

void Loader::prefix_list_entries(const Doc& d, const std::string& list, const json& a, const std::string& path) {
  model::PrefixList* pl = nullptr;
  for (auto& p : net_.prefix_lists)
    if (p.id == list) pl = &p;
  if (!pl) {
    warn(d, path, "SNAP_NO_OWNER",
         "entries of prefix list " + list + ", which describe-managed-prefix-lists does not list; not read");
    return;
  }
  pl->entries.clear();
  for (size_t i = 0; i < a.size(); ++i) {
    std::string cidr = str(a[i], "Cidr");
    if (cidr.empty()) {
      warn(d, at(path, i), "SNAP_SHAPE", "prefix list entry without Cidr; skipped");
      continue;
    }
    pl->entries.push_back(model::PrefixListEntry::of(cidr, str(a[i], "Description")));
  }
}

}  // namespace vpclab::snapshot
