// model -> AWS CLI JSON, managed prefix lists: describe-managed-prefix-lists
// and, per list, get-managed-prefix-list-entries with --query adding the
// PrefixListId (the shape scripts/snapshot saves and the loader reads).
#include "snapshot/write_folder.h"

namespace vpclab::snapshot {

void write_prefix_lists(const model::Network& net, const std::function<Folder&(const model::Origin&)>& at) {
  for (const auto& pl : net.prefix_lists) {
    Folder& f = at(pl.origin);
    std::string owner = pl.owner_id.empty() ? pl.origin.account : pl.owner_id;
    f.list("managed-prefix-lists.json", "PrefixLists")
        .push_back({{"PrefixListId", pl.id},
                    {"AddressFamily", pl.address_family},
                    {"State", "create-complete"},
                    {"PrefixListArn", "arn:aws:ec2:" + pl.origin.region + ":" + owner + ":prefix-list/" + pl.id},
                    {"PrefixListName", pl.name},
                    {"MaxEntries", pl.max_entries},
                    {"Version", 1},
                    {"Tags", ojson::array()},
                    {"OwnerId", owner}});
    ojson entries = ojson::array();
    for (const auto& e : pl.entries) {
      ojson j = {{"Cidr", e.text}};
      if (!e.description.empty()) j["Description"] = e.description;
      entries.push_back(j);
    }
    f.file("prefix-list-entries-" + pl.id + ".json", pl.id) = {{"PrefixListId", pl.id}, {"Entries", entries}};
  }
}

}  // namespace vpclab::snapshot
