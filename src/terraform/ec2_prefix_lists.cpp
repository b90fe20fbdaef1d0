// Terraform -> model, managed prefix lists: aws_ec2_managed_prefix_list (with
// its `entry` blocks) and aws_ec2_managed_prefix_list_entry. Checked as
// CreateManagedPrefixList checks them in model::finalize() and in the template
// reader's rules (the limits are the EC2 API's).
#include <fmt/format.h>

#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {
const std::vector<std::string_view> kPrefixListTypes = {"aws_ec2_managed_prefix_list"};
}  // namespace

void Reader::add_prefix_list(Resource& r) {
  Node n = top(r);
  model::PrefixList pl;
  pl.id = r.id;
  pl.origin = origin(r);
  pl.loc = loc_of(n);
  Want quiet;
  quiet.quiet = true;
  pl.name = str(n, "name", quiet).value_or("");
  pl.address_family = str(n, "address_family").value_or("IPv4");
  pl.max_entries = static_cast<int>(integer(n, "max_entries").value_or(0));
  pl.owner_id = ctx_.account;
  for (const Node& b : blocks(n, "entry")) {
    auto cidr = str(b, "cidr");
    if (!cidr) continue;
    pl.entries.push_back(model::PrefixListEntry::of(*cidr, str(b, "description", quiet).value_or(""), loc_of(b)));
  }
  pl_ix_[pl.id] = net_.prefix_lists.size();
  net_.prefix_lists.push_back(std::move(pl));
}

void Reader::add_prefix_list_entry(Resource& r) {
  Node n = top(r);
  Want lists;
  lists.types = kPrefixListTypes;
  std::string list = str(n, "prefix_list_id", lists).value_or("");
  auto it = pl_ix_.find(list);
  if (it == pl_ix_.end()) {
    ref_missing(n, "prefix_list_id", list, "managed prefix list");
    return;
  }
  Want quiet;
  quiet.quiet = true;
  auto cidr = str(n, "cidr");
  if (!cidr) return;
  net_.prefix_lists[it->second].entries.push_back(model::PrefixListEntry::of(*cidr, str(n, "description", quiet).value_or(""), loc_of(n)));
}

}  // namespace vpclab::terraform
