// Reading order, dispatch by resource type, unmodeled types, diagnostics and
// ids; the front end's API (terraform/load.h).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "template/engine.h"
#include "terraform/reader.h"

namespace vpclab::terraform {

namespace {

using Handler = void (Reader::*)(Resource&);
struct TypeEntry {
  int phase;  // resources of a lower phase are read first (what they name exists)
  Handler add;
};

// The modeled types, in the order a reader needs them: VPCs before subnets,
// groups before rules, gateways before the routes that target them.
const std::map<std::string, TypeEntry>& types() {
  static const std::map<std::string, TypeEntry> t = {
      {"aws_vpc", {0, &Reader::add_vpc}},
      {"aws_default_vpc", {0, &Reader::add_vpc}},
      {"aws_vpc_ipv4_cidr_block_association", {1, &Reader::add_vpc_cidr}},
      {"aws_subnet", {1, &Reader::add_subnet}},
      {"aws_default_subnet", {1, &Reader::add_subnet}},
      {"aws_internet_gateway", {2, &Reader::add_internet_gateway}},
      {"aws_internet_gateway_attachment", {3, &Reader::add_igw_attachment}},
      {"aws_eip", {2, &Reader::add_eip}},
      {"aws_nat_gateway", {3, &Reader::add_nat_gateway}},
      {"aws_vpc_peering_connection", {3, &Reader::add_peering}},
      {"aws_vpc_peering_connection_accepter", {4, &Reader::add_peering_accepter}},
      {"aws_vpc_peering_connection_options", {5, &Reader::add_peering_options}},
      {"aws_ec2_transit_gateway", {2, &Reader::add_transit_gateway}},
      {"aws_ec2_transit_gateway_vpc_attachment", {3, &Reader::add_tgw_vpc_attachment}},
      {"aws_ec2_transit_gateway_vpc_attachment_accepter", {4, &Reader::add_tgw_vpc_attachment_accepter}},
      {"aws_ec2_transit_gateway_peering_attachment", {3, &Reader::add_tgw_peering_attachment}},
      {"aws_ec2_transit_gateway_peering_attachment_accepter", {4, &Reader::add_tgw_peering_accepter}},
      {"aws_ec2_transit_gateway_route_table", {3, &Reader::add_tgw_route_table}},
      {"aws_ec2_transit_gateway_route_table_association", {5, &Reader::add_tgw_association}},
      {"aws_ec2_transit_gateway_route_table_propagation", {5, &Reader::add_tgw_propagation}},
      {"aws_ec2_transit_gateway_route", {5, &Reader::add_tgw_route}},
      {"aws_customer_gateway", {2, &Reader::add_customer_gateway}},
      {"aws_vpn_gateway", {2, &Reader::add_vpn_gateway}},
      {"aws_vpn_gateway_attachment", {3, &Reader::add_vpn_gateway_attachment}},
      {"aws_vpn_connection", {3, &Reader::add_vpn_connection}},
      {"aws_vpn_connection_route", {4, &Reader::add_vpn_connection_route}},
      {"aws_vpn_gateway_route_propagation", {12, &Reader::add_vgw_route_propagation}},
      {"aws_ec2_managed_prefix_list", {1, &Reader::add_prefix_list}},
      {"aws_ec2_managed_prefix_list_entry", {2, &Reader::add_prefix_list_entry}},
      {"aws_security_group", {4, &Reader::add_security_group}},
      {"aws_default_security_group", {4, &Reader::add_default_security_group}},
      {"aws_security_group_rule", {5, &Reader::add_sg_rule}},
      {"aws_vpc_security_group_ingress_rule", {5, &Reader::add_vpc_sg_ingress}},
      {"aws_vpc_security_group_egress_rule", {5, &Reader::add_vpc_sg_egress}},
      {"aws_network_acl", {4, &Reader::add_network_acl}},
      {"aws_default_network_acl", {4, &Reader::add_default_network_acl}},
      {"aws_network_acl_rule", {5, &Reader::add_network_acl_rule}},
      {"aws_network_acl_association", {5, &Reader::add_network_acl_association}},
      {"aws_network_interface", {6, &Reader::add_network_interface}},
      {"aws_instance", {7, &Reader::add_instance}},
      {"aws_network_interface_attachment", {8, &Reader::add_eni_attachment}},
      {"aws_eip_association", {8, &Reader::add_eip_association}},
      {"aws_lb", {8, &Reader::add_load_balancer}},
      {"aws_alb", {8, &Reader::add_load_balancer}},
      {"aws_lb_target_group", {8, &Reader::add_target_group}},
      {"aws_alb_target_group", {8, &Reader::add_target_group}},
      {"aws_lb_target_group_attachment", {9, &Reader::add_tg_attachment}},
      {"aws_alb_target_group_attachment", {9, &Reader::add_tg_attachment}},
      {"aws_lb_listener", {9, &Reader::add_listener}},
      {"aws_alb_listener", {9, &Reader::add_listener}},
      {"aws_lb_listener_rule", {10, &Reader::add_listener_rule}},
      {"aws_alb_listener_rule", {10, &Reader::add_listener_rule}},
      {"aws_route_table", {11, &Reader::add_route_table}},
      {"aws_default_route_table", {11, &Reader::add_default_route_table}},
      {"aws_route", {12, &Reader::add_route}},
      {"aws_route_table_association", {12, &Reader::add_rtb_association}},
      {"aws_vpc_endpoint", {12, &Reader::add_vpc_endpoint}},
      {"aws_vpc_endpoint_route_table_association", {13, &Reader::add_vpc_endpoint_route_table_association}},
      {"aws_vpc_endpoint_subnet_association", {13, &Reader::add_vpc_endpoint_subnet_association}},
      {"aws_vpc_endpoint_security_group_association", {13, &Reader::add_vpc_endpoint_security_group_association}},
      {"aws_main_route_table_association", {12, &Reader::add_main_rtb_association}},
      {"aws_route53_zone", {13, &Reader::add_zone}},
      {"aws_route53_zone_association", {14, &Reader::add_zone_association}},
      {"aws_route53_record", {14, &Reader::add_record}},
  };
  return t;
}

// Types that carry traffic but vpclab does not model: kept in
// Network::unmodeled so a path through them is named, not silently lost.
bool network_relevant(const std::string& type) {
  static const char* prefixes[] = {"aws_ec2_transit_gateway", "aws_vpn_", "aws_customer_gateway", "aws_vpc_endpoint",
                                   "aws_egress_only_internet_gateway", "aws_elb", "aws_autoscaling_group",
                                   "aws_networkfirewall", "aws_dx_",
                                   "aws_globalaccelerator", "aws_lb_trust_store"};
  for (const char* p : prefixes)
    if (type.rfind(p, 0) == 0) return true;
  return false;
}

// The id prefix of what a type creates, for ids the plan does not know yet.
const char* id_prefix(const std::string& type) {
  static const std::map<std::string, const char*> p = {
      {"aws_vpc", "vpc"},           {"aws_default_vpc", "vpc"},
      {"aws_subnet", "subnet"},     {"aws_default_subnet", "subnet"},
      {"aws_route_table", "rtb"},   {"aws_internet_gateway", "igw"},
      {"aws_nat_gateway", "nat"},   {"aws_eip", "eipalloc"},
      {"aws_vpc_peering_connection", "pcx"},
      {"aws_security_group", "sg"}, {"aws_network_acl", "acl"},
      {"aws_network_interface", "eni"}, {"aws_instance", "i"},
      {"aws_security_group_rule", "sgrule"},
      {"aws_vpc_security_group_ingress_rule", "sgr"}, {"aws_vpc_security_group_egress_rule", "sgr"},
      {"aws_route_table_association", "rtbassoc"}, {"aws_network_acl_association", "aclassoc"},
      {"aws_eip_association", "eipassoc"}, {"aws_vpc_ipv4_cidr_block_association", "vpc-cidr-assoc"},
      {"aws_internet_gateway_attachment", "igw-attach"}, {"aws_network_interface_attachment", "eni-attach"},
      {"aws_main_route_table_association", "rtbassoc"}, {"aws_route", "r"},
      {"aws_network_acl_rule", "nacl"},
      {"aws_ec2_managed_prefix_list", "pl"}, {"aws_ec2_managed_prefix_list_entry", "pl-entry"},
      {"aws_ec2_transit_gateway", "tgw"}, {"aws_ec2_transit_gateway_vpc_attachment", "tgw-attach"},
      {"aws_ec2_transit_gateway_peering_attachment", "tgw-attach"},
      {"aws_ec2_transit_gateway_route_table", "tgw-rtb"},
      {"aws_ec2_transit_gateway_route_table_association", "tgw-rtb-assoc"},
      {"aws_ec2_transit_gateway_route_table_propagation", "tgw-rtb-prop"},
      {"aws_customer_gateway", "cgw"}, {"aws_vpn_gateway", "vgw"}, {"aws_vpn_connection", "vpn"},
      {"aws_vpn_gateway_attachment", "vpn-attach"}, {"aws_vpn_gateway_route_propagation", "vgwprop"},
      {"aws_vpc_endpoint", "vpce"}, {"aws_vpc_endpoint_route_table_association", "vpce-rtb"},
      {"aws_vpc_endpoint_subnet_association", "vpce-subnet"},
      {"aws_vpc_endpoint_security_group_association", "vpce-sg"},
  };
  auto it = p.find(type);
  return it == p.end() ? "" : it->second;
}

}  // namespace

namespace {
std::mutex terraform_files_mu;
std::set<const char*> terraform_files;  // interned names: pointer identity
}  // namespace

bool read_as_terraform(const char* file) {
  std::lock_guard<std::mutex> lock(terraform_files_mu);
  return file && terraform_files.count(file);
}

Reader::Reader(const tmpl::StackContext& ctx, const Value& root, bool stack_in_names, model::Network& net,
               model::AddressPlan& plan, Diagnostics& diags)
    : ctx_(ctx), root_(root), stack_in_names_(stack_in_names), net_(net), plan_(plan), diags_(diags) {
  file_ = root.loc().file ? root.loc().file : intern_file(ctx.template_path);
  std::lock_guard<std::mutex> lock(terraform_files_mu);
  terraform_files.insert(file_);
}

Counts Reader::run() {
  collect();
  for (const auto& r : resources_)
    if (!r->data) ++counts_.resources;
  assign_ids();
  dispatch();
  return counts_;
}

// ---- diagnostics ------------------------------------------------------------------

std::string Reader::where(const Node& n, const std::string& key) const {
  return key.empty() ? n.path : n.path + "." + key;
}

SourceLoc Reader::loc_of(const Node& n, const std::string& key) const {
  if (!key.empty() && n.v)
    if (const Value* v = n.v->get(key); v && v->loc().known()) return v->loc();
  if (n.loc.known()) return n.loc;
  return n.r && n.r->loc.known() ? n.r->loc : SourceLoc{file_, 0, 0};
}

void Reader::error(const Node& n, const std::string& key, const std::string& code, const std::string& msg) {
  diags_.error(loc_of(n, key), code, fmt::format("{}: {} (at {})", n.r->address, msg, where(n, key)));
}
void Reader::warning(const Node& n, const std::string& key, const std::string& code, const std::string& msg) {
  diags_.warning(loc_of(n, key), code, fmt::format("{}: {} (at {})", n.r->address, msg, where(n, key)));
}
void Reader::note(const Node& n, const std::string& key, const std::string& code, const std::string& msg) {
  diags_.note(loc_of(n, key), code, fmt::format("{}: {} (at {})", n.r->address, msg, where(n, key)));
}

void Reader::unknown_note(const Node& n, const std::string& key, const std::string& why) {
  if (!noted_unknowns_.insert(n.path + "." + key).second) return;
  ++counts_.unknowns_left;
  note(n, key, "TF_UNKNOWN",
       why.empty() ? fmt::format("{} is known only after apply and the configuration does not say it", key)
                   : fmt::format("{} is known only after apply; it comes from {}, which the plan does not hold", key,
                                 why));
}

void Reader::ref_missing(const Node& n, const std::string& key, const std::string& id, const char* what) {
  if (id.empty() || id == "?")
    warning(n, key, "TF_REF_MISSING", fmt::format("the {} is not known from the plan; ignored", what));
  else
    warning(n, key, "TF_REF_MISSING",
            fmt::format("{} '{}' is not in this plan (it exists outside it); ignored", what, id));
}

model::Origin Reader::origin(const Resource& r) const {
  model::Origin o;
  o.account = ctx_.account;
  o.region = ctx_.region;
  o.stack = stack_in_names_ ? ctx_.name : "";
  o.logical_id = r.address;
  o.loc = r.loc.known() ? r.loc : SourceLoc{file_, 0, 0};
  return o;
}

std::string Reader::make_id(const std::string& prefix, const Resource& r, std::string_view salt) const {
  return model::make_id(prefix, {ctx_.account, ctx_.region, ctx_.name, r.address, salt});
}

std::optional<Ipv4Cidr> Reader::cidr(const Node& n, const std::string& key, const std::string& text) {
  bool host_bits = false;
  auto c = Ipv4Cidr::parse(text, &host_bits);
  if (!c) error(n, key, "TF_VALUE", fmt::format("{} '{}' is not an IPv4 CIDR block", key, text));
  return c;
}

std::optional<Ipv4Address> Reader::address(const Node& n, const std::string& key, const std::string& text) {
  auto a = Ipv4Address::parse(text);
  if (!a) error(n, key, "TF_VALUE", fmt::format("{} '{}' is not an IPv4 address", key, text));
  return a;
}

Resource* Reader::by_id(const std::string& id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

// ---- ids and order ----------------------------------------------------------------

// Every resource gets its id before any is read, so a reference is answered
// whatever the order: the id in the values when known (a state, an update),
// else one made from the address, stable across runs.
void Reader::assign_ids() {
  for (auto& rp : resources_) {
    Resource& r = *rp;
    if (r.data) continue;
    if (r.values)
      if (const Value* id = r.values->get("id"); id && id->is_string() && !id->text().empty()) r.id = id->text();
    if (r.id.empty()) {
      const char* p = id_prefix(r.type);
      r.id = *p ? make_id(p, r) : "";
    }
    auto known = [&](const char* k, std::string made) {
      const Value* v = r.values ? r.values->get(k) : nullptr;
      r.attrs[k] = v && v->is_string() && !v->text().empty() ? v->text() : std::move(made);
    };
    if (r.type == "aws_vpc" || r.type == "aws_default_vpc") {
      // The ids of what AWS creates with a VPC, as finalize() would make them.
      known("main_route_table_id", model::make_id("rtb", {r.id, "main"}));
      r.attrs["default_route_table_id"] = r.attrs["main_route_table_id"];
      known("default_security_group_id", model::make_id("sg", {r.id, "default"}));
      known("default_network_acl_id", model::make_id("acl", {r.id, "default"}));
    }
    if (r.type == "aws_ec2_transit_gateway") {
      // AWS's default route table, which serves both defaults.
      std::string made = make_id("tgw-rtb", r, "default");
      known("association_default_route_table_id", made);
      known("propagation_default_route_table_id", r.attrs["association_default_route_table_id"]);
    }
    // A connection to a TGW is an attachment of type vpn, which Terraform names.
    if (r.type == "aws_vpn_connection") known("transit_gateway_attachment_id", make_id("tgw-attach", r, "vpn"));
    if (r.type == "aws_eip") r.attrs["allocation_id"] = r.id;
    if (!r.id.empty()) by_id_[r.id] = &r;
  }
}

void Reader::dispatch() {
  std::vector<std::pair<int, Resource*>> order;
  for (auto& r : resources_) {
    if (r->data) continue;
    auto it = types().find(r->type);
    if (it != types().end()) {
      order.push_back({it->second.phase, r.get()});
      continue;
    }
    ++counts_.unmodeled;
    if (noted_types_.insert(r->type).second)
      diags_.note(r->loc.known() ? r->loc : SourceLoc{file_, 0, 0}, "UNMODELED_TYPE",
                  fmt::format("{}: {} resources are not modeled by vpclab; paths through them are not analyzed",
                              r->address, r->type));
    if (network_relevant(r->type)) {
      model::UnmodeledResource u;
      u.type = r->type;
      u.id = r->id.empty() ? make_id("tf", *r) : r->id;
      u.origin = origin(*r);
      net_.unmodeled.push_back(std::move(u));
    }
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [phase, r] : order) {
    (this->*types().at(r->type).add)(*r);
    ++counts_.modeled;
  }
  // An aws_eip's own instance / network_interface, now that those exist.
  for (auto& [phase, r] : order)
    if (r->type == "aws_eip") eip_targets(*r);
}

// ---- API -----------------------------------------------------------------------------

bool is_terraform_json(const Value& root) {
  return root.is_map() && root.get("format_version") && (root.get("planned_values") || root.get("values"));
}

Counts add_to_network(const tmpl::StackContext& ctx, const Value& root, bool stack_in_names, model::Network& net,
                      model::AddressPlan& plan, Diagnostics& diags) {
  Reader reader(ctx, root, stack_in_names, net, plan, diags);
  return reader.run();
}

namespace {
void add_stack(const tmpl::StackContext& ctx, const Value& root, bool manifest_stack, model::Network& net,
               model::AddressPlan& plan, Diagnostics& diags) {
  add_to_network(ctx, root, manifest_stack, net, plan, diags);
}
}  // namespace

const tmpl::StackFrontEnd& front_end() {
  static const tmpl::StackFrontEnd fe{"terraform", "a Terraform plan or state JSON (terraform show -json)",
                                      &is_terraform_json, &add_stack};
  return fe;
}

tmpl::LoadResult load_text(const std::string& text, const std::string& display, Counts* counts) {
  tmpl::LoadResult out;
  auto root = tmpl::parse_template_text(text, display, out.diags);
  if (!root) return out;
  if (!is_terraform_json(*root)) {
    out.diags.error(root->loc().known() ? root->loc() : SourceLoc{intern_file(display), 0, 0}, "TF_FORMAT",
                    "not a Terraform plan or state: the JSON needs format_version and planned_values or values");
    return out;
  }
  auto net = std::make_shared<model::Network>();
  model::AddressPlan plan;
  tmpl::StackContext ctx;
  ctx.name = std::filesystem::path(display).stem().string();
  ctx.account = "123456789012";
  ctx.region = "ap-northeast-1";
  ctx.template_path = display;
  Counts c = add_to_network(ctx, *root, false, *net, plan, out.diags);
  if (counts) *counts = c;
  if (out.diags.has_errors()) return out;
  if (!model::finalize(*net, plan, out.diags, {})) return out;
  out.network = net;
  return out;
}

tmpl::LoadResult load_file(const std::string& path, Counts* counts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    tmpl::LoadResult out;
    out.diags.error(SourceLoc{intern_file(path), 0, 0}, "TF_FORMAT", "cannot read the file");
    return out;
  }
  std::stringstream text;
  text << in.rdbuf();
  return load_text(text.str(), path, counts);
}

}  // namespace vpclab::terraform
