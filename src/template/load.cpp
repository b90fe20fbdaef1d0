#include "template/load.h"

#include <fmt/format.h>

#include <deque>
#include <filesystem>
#include <set>

#include "model/build.h"
#include "template/engine.h"
#include "template/manifest.h"
#include "template/to_model.h"

namespace vpclab::tmpl {

namespace {

constexpr const char* kDefaultAccount = "123456789012";
constexpr const char* kDefaultRegion = "ap-northeast-1";

struct Loader {
  std::shared_ptr<model::Network> net = std::make_shared<model::Network>();
  model::AddressPlan plan;
  ModelSink sink{*net, plan};
  ExportTable exports;
  std::deque<ResolvedStack> stacks;  // stable addresses for manifest parameter lookups
  std::set<std::string> stack_names;
  std::set<std::string> foreign_stacks;  // read by the other front end (Terraform)
  Diagnostics& diags;
  const StackFrontEnd* other = nullptr;

  Loader(Diagnostics& d, const StackFrontEnd* o) : diags(d), other(o) {}

  bool claim_name(const std::string& name, SourceLoc loc) {
    if (stack_names.insert(name).second) return true;
    diags.error(loc, "M1002",
                fmt::format("two stacks are named '{}'; stack names must be unique in one lab", name),
                "rename one template file, or list the stacks in a lab manifest with distinct names");
    return false;
  }

  bool resolve(const StackContext& ctx, const Value& root, const std::map<std::string, Value>& params) {
    ResolvedStack& out = stacks.emplace_back();
    bool ok = resolve_stack(ctx, root, params, exports, sink, out, diags);
    ok = add_exports(out, exports, diags) && ok;
    return ok;
  }

  void load_template(const std::string& path, const Value& root) {
    StackContext ctx;
    ctx.name = std::filesystem::path(path).stem().string();
    ctx.account = kDefaultAccount;
    ctx.region = kDefaultRegion;
    ctx.template_path = path;
    if (!claim_name(ctx.name, SourceLoc{intern_file(path), 0, 0})) return;
    if (other && other->accepts(root)) return other->add(ctx, root, false, *net, plan, diags);
    resolve(ctx, root, {});
  }

  void load_manifest_root(const std::string& path, const Value& root) {
    Manifest m;
    if (!manifest_from_value(root, path, m, diags)) return;
    std::vector<size_t> order;
    if (!order_stacks(m, order, diags)) return;
    std::map<std::string, const ResolvedStack*> resolved;
    for (size_t i : order) {
      const ManifestStack& s = m.stacks[i];
      if (!claim_name(s.ctx.name, s.loc)) continue;
      if (s.foreign) {
        auto tree = parse_template_file(s.ctx.template_path, diags);
        if (!tree) continue;
        if (!other || !other->accepts(*tree)) {
          diags.error(s.template_loc, "M1001",
                      fmt::format("{} is not {}", s.ctx.template_path,
                                  other ? other->what : "an input this build reads"));
          continue;
        }
        other->add(s.ctx, *tree, true, *net, plan, diags);
        foreign_stacks.insert(s.ctx.name);
        continue;
      }
      std::map<std::string, Value> params;
      // A stack whose inputs failed is skipped: its errors would only echo.
      if (!manifest_parameter_values(s, resolved, params, diags)) continue;
      auto tree = parse_template_file(s.ctx.template_path, diags);
      if (!tree) continue;
      resolve(s.ctx, *tree, params);
      resolved[s.ctx.name] = &stacks.back();
    }
    apply_peering_options(m);
    apply_on_premises(m);
    for (const auto& b : m.s3_buckets) net->s3_buckets.push_back({b.name, b.region, b.directory, b.loc});
    if (m.organization) net->organization = model::Organization{m.organization->accounts, m.organization->ram_sharing,
                                                                m.organization->loc};
  }

  // The networks behind customer gateways (their CIDR checks: model/finalize_vpn.cpp).
  void apply_on_premises(const Manifest& m) {
    for (const auto& o : m.on_premises) {
      if (!stack_names.count(o.stack)) continue;  // M1008 reported by the manifest reader
      const model::CustomerGateway* g = sink.customer_gateway(o.stack, o.resource);
      // A Terraform stack's gateway is named by its address (the model's origin).
      if (!g && foreign_stacks.count(o.stack))
        for (const auto& c : net->customer_gateways)
          if (c.origin.stack == o.stack && c.origin.logical_id == o.resource) g = &c;
      if (!g && foreign_stacks.count(o.stack)) {
        diags.error(o.gateway_loc, "M1008",
                    fmt::format("on_premises '{}': stack {} has no customer gateway {} (an aws_customer_gateway "
                                "address)",
                                o.name, o.stack, o.resource));
        continue;
      }
      if (!g) {
        std::string type = sink.type_of(o.stack, o.resource);
        diags.error(o.gateway_loc, "M1008",
                    type.empty() ? fmt::format("on_premises '{}': stack {} has no resource {}", o.name, o.stack,
                                               o.resource)
                                 : fmt::format("on_premises '{}': {}.{} is a {}, not an AWS::EC2::CustomerGateway",
                                               o.name, o.stack, o.resource, type));
        continue;
      }
      model::OnPremisesNetwork n;
      n.name = o.name;
      n.customer_gateway = g->id;
      n.loc = o.loc;
      for (const auto& [c, loc] : o.cidrs) {
        n.cidrs.push_back(c);
        n.cidr_locs.push_back(loc);
      }
      net->on_premises.push_back(std::move(n));
    }
  }

  // What CloudFormation cannot say about a peering: acceptance and DNS options.
  void apply_peering_options(const Manifest& m) {
    for (const auto& p : m.peerings) {
      if (!stack_names.count(p.stack)) continue;  // M1007 reported by the manifest reader / stack failed
      model::VpcPeeringConnection* pcx = sink.peering(p.stack, p.resource);
      if (!pcx) {
        // A transit gateway peering attachment, or another account's VPC
        // attachment to a shared TGW: acceptance only.
        if (model::TransitGatewayAttachment* tgw = sink.tgw_attachment(p.stack, p.resource)) {
          if (p.accepted) tgw->accepted = *p.accepted;
          if (p.requester.allow_dns_resolution_from_remote_vpc || p.accepter.allow_dns_resolution_from_remote_vpc)
            diags.error(p.loc, "M1001",
                        fmt::format("{}.{} is a transit gateway attachment: it has no DNS resolution options",
                                    p.stack, p.resource));
          continue;
        }
        // A resource share: its invitation accepted by the accounts it invites.
        if (model::ResourceShare* share = sink.resource_share(p.stack, p.resource)) {
          if (p.accepted) share->invitation_accepted = *p.accepted;
          if (p.requester.allow_dns_resolution_from_remote_vpc || p.accepter.allow_dns_resolution_from_remote_vpc)
            diags.error(p.loc, "M1001",
                        fmt::format("{}.{} is a resource share: it has no DNS resolution options", p.stack, p.resource));
          continue;
        }
        std::string type = sink.type_of(p.stack, p.resource);
        diags.error(p.loc, "M1007",
                    type.empty() ? fmt::format("stack {} has no resource {}", p.stack, p.resource)
                                 : fmt::format("{}.{} is a {}, not an AWS::EC2::VPCPeeringConnection, a "
                                               "transit gateway attachment or an AWS::RAM::ResourceShare",
                                               p.stack, p.resource, type));
        continue;
      }
      if (p.accepted) {
        if (*p.accepted) {
          pcx->accepted = true;
        } else {
          // Explicitly not accepted: stays pending even within one account.
          pcx->state = model::PeeringState::kPendingAcceptance;
          pcx->state_reason = "not accepted (lab manifest)";
          pcx->state_from_input = true;
        }
      }
      pcx->requester.allow_dns_resolution_from_remote_vpc = p.requester.allow_dns_resolution_from_remote_vpc;
      pcx->accepter.allow_dns_resolution_from_remote_vpc = p.accepter.allow_dns_resolution_from_remote_vpc;
    }
  }
};

}  // namespace

LoadResult load_network(const std::vector<std::string>& paths, const StackFrontEnd* other) {
  LoadResult result;
  Loader loader(result.diags, other);
  for (const auto& path : paths) {
    auto root = parse_template_file(path, result.diags);
    if (!root) continue;
    if (is_manifest(*root))
      loader.load_manifest_root(path, *root);
    else
      loader.load_template(path, *root);
  }
  if (result.diags.has_errors()) return result;
  model::FinalizeOptions opts;
  opts.default_account = kDefaultAccount;
  opts.default_region = kDefaultRegion;
  if (!model::finalize(*loader.net, loader.plan, result.diags, opts)) return result;
  // Peering DNS options need an active connection (ModifyVpcPeeringConnectionOptions).
  for (const auto& p : loader.net->peerings)
    if (p.state != model::PeeringState::kActive &&
        (p.requester.allow_dns_resolution_from_remote_vpc || p.accepter.allow_dns_resolution_from_remote_vpc))
      result.diags.warning(p.origin.loc, "PCX_DNS_OPTIONS_INACTIVE",
                           fmt::format("peering {} is {}: its DNS resolution options have no effect",
                                       p.origin.display(p.id), model::peering_state_name(p.state)));
  result.network = loader.net;
  return result;
}

}  // namespace vpclab::tmpl
