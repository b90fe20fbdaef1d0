// Text edits of YAML and JSON templates for model::Changes
// (template/edit.h): what to write for each change; the text primitives it
// is written with are the syntax's writer's (template/edit_writer.h).
#include "template/edit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "template/cfn_fields.h"
#include "template/edit_writer.h"
#include "template/engine.h"

namespace vpclab::tmpl {

namespace {

const char* protocol_text(IpProtocol p) { return p == kTcp ? "tcp" : p == kUdp ? "udp" : p == kIcmp ? "icmp" : "-1"; }
int protocol_number(IpProtocol p) { return p == kTcp ? 6 : p == kUdp ? 17 : p == kIcmp ? 1 : -1; }

class Edit {
 public:
  Edit(const std::string& path, std::string& text, const model::Change& c, std::string& error,
       std::string original_line = {})
      : path_(path), text_(text), c_(c), error_(error), original_line_(std::move(original_line)) {}

  bool run() {
    Diagnostics d;
    root_ = parse_template_text(text_, path_, d);
    if (!root_) return fail(path_ + " does not parse");
    resources_ = root_->get("Resources");
    const std::string& logical = c_.target.origin.logical_id;
    res_ = resources_ ? resources_->get(logical) : nullptr;
    if (!res_) return fail(logical + " is not a resource of " + path_);
    type_ = cfn::text(res_->get("Type"));
    edit::Target target{path_, *resources_, *res_, logical};
    writer_ = edit::is_json_text(text_) ? edit::json_writer(target, text_, error_) : edit::yaml_writer(target, text_, error_);
    stack_ = c_.target.origin.stack;
    bool ok = false;
    switch (c_.kind) {
      case model::Change::Kind::kAddSecurityGroupRule: ok = security_group_rule(); break;
      case model::Change::Kind::kAddNetworkAclEntry: ok = network_acl_entry(); break;
      case model::Change::Kind::kAddRoute: ok = route(); break;
      case model::Change::Kind::kSetProperty: {
        std::string v = c_.value;
        if (v.empty() && (!c_.peer || !ref(*c_.peer, v))) return fail(error_.empty() ? "no value to set" : error_);
        ok = set_scalar(c_.attribute, v);
        break;
      }
      case model::Change::Kind::kRemoveSecurityGroupRule: ok = remove_rule(); break;
      case model::Change::Kind::kAddListener: ok = listener(); break;
      case model::Change::Kind::kAddInternetGateway: ok = internet_gateway(); break;
      case model::Change::Kind::kAddElasticIp: ok = elastic_ip(); break;
      case model::Change::Kind::kAddPeeringConnection: ok = peering_connection(); break;
      case model::Change::Kind::kSetLoadBalancerSubnets: ok = load_balancer_subnets(); break;
      case model::Change::Kind::kAddTransitGatewayPropagation:
      case model::Change::Kind::kAddTransitGatewayAssociation: ok = tgw_table_link(); break;
      case model::Change::Kind::kAssociateHostedZone: {
        std::string vpc;
        if (!c_.peer || !ref(*c_.peer, vpc)) return fail(error_.empty() ? "no VPC to associate" : error_);
        ok = append_item("VPCs", "{VPCId: " + vpc + ", VPCRegion: !Ref AWS::Region}");
        break;
      }
    }
    if (ok) text_ = writer_->text();
    return ok;
  }

 private:
  bool fail(std::string msg) {
    error_ = std::move(msg);
    return false;
  }

  // `!Ref X` for a resource of the same stack; what AWS made for a VPC by `!GetAtt`.
  bool ref(const model::ChangeRef& r, std::string& out, const char* vpc_attribute = nullptr) {
    if (r.origin.logical_id.empty() || r.origin.stack != stack_)
      return fail(r.id + " is not declared in stack " + stack_ + ": the template cannot refer to it by !Ref");
    const Value* other = resources_->get(r.origin.logical_id);
    if (vpc_attribute && other && cfn::text(other->get("Type")) == "AWS::EC2::VPC") {
      out = "!GetAtt " + r.origin.logical_id + "." + vpc_attribute;
      return true;
    }
    out = "!Ref " + r.origin.logical_id;
    return true;
  }

  std::string peer_text(bool group_field_egress) {
    std::string p;
    if (c_.peer_group && ref(*c_.peer_group, p, "DefaultSecurityGroup"))
      return std::string(group_field_egress ? "DestinationSecurityGroupId: " : "SourceSecurityGroupId: ") + p;
    return "CidrIp: " + (c_.peer_cidr ? c_.peer_cidr->str() : std::string("0.0.0.0/0"));
  }

  // Whether resource `from` refers (Ref, GetAtt, DependsOn), directly or through others, to `to`.
  bool depends_on(const std::string& from, const std::string& to) const {
    std::set<std::string> seen;
    std::vector<std::string> todo{from};
    while (!todo.empty()) {
      std::string cur = todo.back();
      todo.pop_back();
      if (!seen.insert(cur).second) continue;
      const Value* r = resources_->get(cur);
      if (!r) continue;
      std::vector<std::string> names;
      collect_refs(*r, names);
      for (const auto& n : names) {
        if (n == to) return true;
        todo.push_back(n);
      }
    }
    return false;
  }
  static void collect_refs(const Value& v, std::vector<std::string>& out) {
    if (v.is_list())
      for (const auto& x : v.items()) collect_refs(x, out);
    if (!v.is_map()) return;
    for (const auto& [key, x] : v.entries()) {
      const std::string& k = key.first;
      if ((k == "Ref" || k == "DependsOn") && x.is_string()) out.push_back(x.text());
      else if (k == "DependsOn" && x.is_list())
        for (const auto& d : x.items()) out.push_back(d.text());
      else if (k == "Fn::GetAtt" && x.is_string()) out.push_back(x.text().substr(0, x.text().find('.')));
      else if (k == "Fn::GetAtt" && x.is_list() && !x.items().empty()) out.push_back(x.items().front().text());
      else collect_refs(x, out);
    }
  }

  std::string ports_fields() const {
    if (!protocol_has_ports(c_.protocol)) return "FromPort: -1, ToPort: -1";
    return fmt::format("FromPort: {}, ToPort: {}", c_.ports.from, c_.ports.to);
  }

  // An AWS::EC2::SecurityGroupIngress/Egress resource for group `group` after the target's block.
  bool rule_resource(const std::string& group, const std::string& peer) {
    return add_resource(c_.target.origin.logical_id + (c_.egress ? "VpclabEgress" : "VpclabIngress"),
                        c_.egress ? "AWS::EC2::SecurityGroupEgress" : "AWS::EC2::SecurityGroupIngress",
                        {"GroupId: " + group, std::string("IpProtocol: ") + protocol_text(c_.protocol),
                         "FromPort: " + std::to_string(protocol_has_ports(c_.protocol) ? c_.ports.from : -1),
                         "ToPort: " + std::to_string(protocol_has_ports(c_.protocol) ? c_.ports.to : -1), peer,
                         "Description: vpclab fix"});
  }

  bool security_group_rule() {
    if (type_ == "AWS::EC2::VPC") {
      // The VPC's default group: a rule resource of its own.
      std::string peer = peer_text(c_.egress);
      if (!error_.empty()) return false;
      return rule_resource("!GetAtt " + c_.target.origin.logical_id + ".DefaultSecurityGroup", peer);
    }
    if (type_ != "AWS::EC2::SecurityGroup") return fail(c_.target.origin.logical_id + " is a " + type_);
    std::string peer = peer_text(c_.egress);
    if (!error_.empty()) return false;
    const std::string& self = c_.target.origin.logical_id;
    if (c_.peer_group && (c_.peer_group->origin.logical_id == self || depends_on(c_.peer_group->origin.logical_id, self))) {
      // Inline, the reference would make the group depend on itself (E3004): a rule resource, as users write it.
      return rule_resource("!Ref " + self, peer);
    }
    std::string item = std::string("{IpProtocol: ") + protocol_text(c_.protocol) + ", " + ports_fields() + ", " + peer +
                       ", Description: vpclab fix}";
    return append_item(c_.egress ? "SecurityGroupEgress" : "SecurityGroupIngress", item);
  }

  bool network_acl_entry() {
    std::string acl;
    if (type_ == "AWS::EC2::VPC") acl = "!GetAtt " + c_.target.origin.logical_id + ".DefaultNetworkAcl";
    else if (type_ == "AWS::EC2::NetworkAcl") acl = "!Ref " + c_.target.origin.logical_id;
    else return fail(c_.target.origin.logical_id + " is a " + type_);
    std::vector<std::string> body = {"NetworkAclId: " + acl,
                                     "RuleNumber: " + std::to_string(c_.rule_number),
                                     "Protocol: " + std::to_string(protocol_number(c_.protocol)),
                                     "RuleAction: allow",
                                     std::string("Egress: ") + (c_.egress ? "true" : "false"),
                                     "CidrBlock: " + (c_.peer_cidr ? c_.peer_cidr->str() : std::string("0.0.0.0/0"))};
    if (protocol_has_ports(c_.protocol)) body.push_back(fmt::format("PortRange: {{From: {}, To: {}}}", c_.ports.from, c_.ports.to));
    return add_resource(c_.target.origin.logical_id + "VpclabEntry" + std::to_string(c_.rule_number),
                        "AWS::EC2::NetworkAclEntry", body);
  }

  bool route() {
    if (type_ != "AWS::EC2::RouteTable") return fail(c_.target.origin.logical_id + " is a " + type_);
    std::string target;
    if (!ref(c_.route_target, target)) return false;
    const char* field = c_.route_target.id.rfind("pcx-", 0) == 0   ? "VpcPeeringConnectionId"
                        : c_.route_target.id.rfind("tgw-", 0) == 0 ? "TransitGatewayId"
                                                                   : "GatewayId";
    std::string name = c_.target.origin.logical_id + "Via" + c_.route_target.origin.logical_id;
    return add_resource(name, "AWS::EC2::Route",
                        {"RouteTableId: !Ref " + c_.target.origin.logical_id,
                         "DestinationCidrBlock: " + c_.destination.str(), std::string(field) + ": " + target},
                        attachment_of(c_.route_target.origin.logical_id));
  }

  // The attachment a route to gateway `gw` must wait for (DependsOn), or
  // CloudFormation may create the route first and fail: an internet
  // gateway's VPCGatewayAttachment, a transit gateway's attachment of the
  // route table's own VPC.
  std::string attachment_of(const std::string& gw) const {
    if (gw.empty()) return {};
    const Value* props = res_->get("Properties");
    std::string vpc = ref_name(props ? props->get("VpcId") : nullptr);
    for (const auto& [key, r] : resources_->entries()) {
      std::string type = cfn::text(r.get("Type"));
      const Value* p = r.get("Properties");
      if (!p) continue;
      if (type == "AWS::EC2::VPCGatewayAttachment" && ref_name(p->get("InternetGatewayId")) == gw) return key.first;
      if ((type == "AWS::EC2::TransitGatewayAttachment" || type == "AWS::EC2::TransitGatewayVpcAttachment") &&
          ref_name(p->get("TransitGatewayId")) == gw && !vpc.empty() && ref_name(p->get("VpcId")) == vpc)
        return key.first;
    }
    return {};
  }
  // X of `{Ref: X}`, else "".
  static std::string ref_name(const Value* v) {
    const Value* r = v && v->is_map() ? v->get("Ref") : nullptr;
    return r && r->is_string() ? r->text() : std::string();
  }

  bool expect_type(const char* type) {
    return type_ == type || fail(c_.target.origin.logical_id + " is a " + type_ + ", not an " + type);
  }

  // A resource name no resource of the template has (nor one this edit made).
  std::string unique_name(const std::string& base) {
    std::string name = base;
    for (int n = 2; resources_->get(name) || made_.count(name); ++n) name = base + std::to_string(n);
    made_.insert(name);
    return name;
  }

  bool listener() {
    if (!expect_type("AWS::ElasticLoadBalancingV2::LoadBalancer")) return false;
    std::string lb, tg;
    if (!ref(c_.target, lb) || !c_.peer || !ref(*c_.peer, tg)) return false;
    const std::string& self = c_.target.origin.logical_id;
    return add_resource(unique_name(self + "Listener" + std::to_string(c_.ports.from)),
                        "AWS::ElasticLoadBalancingV2::Listener",
                        {"LoadBalancerArn: " + lb, "Port: " + std::to_string(c_.ports.from), "Protocol: " + c_.value,
                         "DefaultActions: [{Type: forward, TargetGroupArn: " + tg + "}]"});
  }

  // The gateway and its attachment, in that order after the VPC.
  bool internet_gateway() {
    if (!expect_type("AWS::EC2::VPC")) return false;
    const std::string& vpc = c_.target.origin.logical_id;
    std::string igw = unique_name(vpc + "InternetGateway");
    return add_resource(unique_name(vpc + "GatewayAttachment"), "AWS::EC2::VPCGatewayAttachment",
                        {"VpcId: !Ref " + vpc, "InternetGatewayId: !Ref " + igw}) &&
           add_resource(igw, "AWS::EC2::InternetGateway", {});
  }

  bool elastic_ip() {
    const std::string& self = c_.target.origin.logical_id;
    if (c_.attribute == "InstanceId") {
      if (!expect_type("AWS::EC2::Instance")) return false;
      return add_resource(unique_name(self + "Eip"), "AWS::EC2::EIP", {"Domain: vpc", "InstanceId: !Ref " + self});
    }
    if (!expect_type("AWS::EC2::NetworkInterface")) return false;
    std::string eip = unique_name(self + "Eip");
    return add_resource(unique_name(self + "EipAssociation"), "AWS::EC2::EIPAssociation",
                        {"AllocationId: !GetAtt " + eip + ".AllocationId", "NetworkInterfaceId: !Ref " + self}) &&
           add_resource(eip, "AWS::EC2::EIP", {"Domain: vpc"});
  }

  bool peering_connection() {
    if (!expect_type("AWS::EC2::VPC")) return false;
    std::string peer;
    if (!c_.peer || !ref(*c_.peer, peer)) return false;
    const std::string& self = c_.target.origin.logical_id;
    return add_resource(unique_name(self + "To" + c_.peer->origin.logical_id + "Peering"),
                        "AWS::EC2::VPCPeeringConnection", {"VpcId: !Ref " + self, "PeerVpcId: " + peer});
  }

  // New subnets (each in the VPC and AZ of the subnet it stands in for, on a
  // public route table), then the load balancer's Subnets list replaced.
  bool load_balancer_subnets() {
    if (!expect_type("AWS::ElasticLoadBalancingV2::LoadBalancer")) return false;
    const std::string& self = c_.target.origin.logical_id;
    std::vector<std::string> names;
    for (const auto& r : c_.subnets) {
      std::string x;
      if (!ref(r, x)) return false;
      names.push_back(x);
    }
    // Inserted after the load balancer in reverse, so that they read in order.
    std::vector<std::pair<std::string, model::Change::NewSubnet>> made;
    for (const auto& ns : c_.new_subnets) made.emplace_back(unique_name(self + "PublicSubnet"), ns);
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
      const auto& [name, ns] = *it;
      std::string table;
      if (!ref(ns.route_table, table)) return false;
      const Value* like = resources_->get(ns.like.origin.logical_id);
      const Value* props = like ? like->get("Properties") : nullptr;
      const Value* vpc = props ? props->get("VpcId") : nullptr;
      const Value* az = props ? props->get("AvailabilityZone") : nullptr;
      if (!vpc || !az) return fail(ns.like.origin.logical_id + " has no VpcId or AvailabilityZone to copy");
      if (!add_resource(unique_name(name + "RouteTableAssociation"), "AWS::EC2::SubnetRouteTableAssociation",
                        {"SubnetId: !Ref " + name, "RouteTableId: " + table}) ||
          !add_resource(name, "AWS::EC2::Subnet",
                        {"VpcId: " + flow_text(*vpc), "CidrBlock: " + ns.cidr.str(),
                         "AvailabilityZone: " + flow_text(*az)}))
        return false;
    }
    for (const auto& [name, ns] : made) names.push_back("!Ref " + name);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return replace_value("Subnets", "[" + list + "]");
  }

  // A value as YAML flow text, intrinsics in short form (`!Select [0, !GetAZs ""]`).
  static std::string flow_text(const Value& v) {
    if (v.is_null()) return "null";
    if (v.is_bool() || v.is_number()) return v.text();
    if (v.is_string()) {
      const std::string& t = v.text();
      bool plain = !t.empty() && std::all_of(t.begin(), t.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' || ch == '/';
      });
      if (plain && t != "true" && t != "false" && t != "null" && !std::isdigit(static_cast<unsigned char>(t[0]))) return t;
      std::string q = "\"";
      for (char ch : t) q += ch == '"' || ch == '\\' ? std::string("\\") + ch : std::string(1, ch);
      return q + "\"";
    }
    if (v.is_list()) {
      std::string out;
      for (const auto& x : v.items()) out += (out.empty() ? "" : ", ") + flow_text(x);
      return "[" + out + "]";
    }
    if (v.entries().size() == 1) {
      const auto& [key, x] = v.entries().front();
      const std::string& k = key.first;
      if (k == "Ref") return "!Ref " + flow_text(x);
      if (k == "Fn::GetAtt" && x.is_list() && x.items().size() == 2)
        return "!GetAtt " + x.items()[0].text() + "." + x.items()[1].text();
      if (k.rfind("Fn::", 0) == 0) return "!" + k.substr(4) + " " + flow_text(x);
    }
    std::string out;
    for (const auto& [key, x] : v.entries()) out += (out.empty() ? "" : ", ") + key.first + ": " + flow_text(x);
    return "{" + out + "}";
  }

  // A TGW route table propagation or association of an attachment.
  bool tgw_table_link() {
    if (type_ != "AWS::EC2::TransitGatewayRouteTable") return fail(c_.target.origin.logical_id + " is a " + type_);
    std::string att;
    if (!c_.peer || !ref(*c_.peer, att)) return fail(error_.empty() ? "no attachment to name" : error_);
    bool prop = c_.kind == model::Change::Kind::kAddTransitGatewayPropagation;
    return add_resource(c_.target.origin.logical_id + (prop ? "Propagation" : "Association") + c_.peer->origin.logical_id,
                        prop ? "AWS::EC2::TransitGatewayRouteTablePropagation"
                             : "AWS::EC2::TransitGatewayRouteTableAssociation",
                        {"TransitGatewayRouteTableId: !Ref " + c_.target.origin.logical_id,
                         "TransitGatewayAttachmentId: " + att});
  }

  // The text primitives, written by the file's writer (template/edit_writer.h).
  // One Edit may make several, each before or inside the target's own text
  // (the parsed tree is of the text as it was read).
  bool add_resource(std::string name, const std::string& type, const std::vector<std::string>& props,
                    const std::string& depends_on = {}) {
    std::string base = name;
    for (int n = 2; resources_->get(name); ++n) name = base + std::to_string(n);
    return writer_->add_resource(name, type, props, depends_on);
  }
  bool append_item(const std::string& name, const std::string& item) { return writer_->append_item(name, item); }
  bool set_scalar(const std::string& name, const std::string& value) { return writer_->set_scalar(name, value); }
  bool replace_value(const std::string& name, const std::string& yaml_text) {
    return writer_->replace_value(name, yaml_text);
  }

  // Deletes the block-list item of the group's rules declared at rule_loc
  // in the file as first read (its dash line and continuation lines; the
  // item is found by that line's text, as edits before it may move it). The
  // list keeps another item.
  bool remove_rule() {
    if (type_ != "AWS::EC2::SecurityGroup") return fail(c_.target.origin.logical_id + " is a " + type_);
    const Value* props = res_->get("Properties");
    if (!props || !props->is_map()) return fail(c_.target.origin.logical_id + " has no Properties block to edit");
    const Value* found = nullptr;
    const Value* in = nullptr;
    for (const char* name : {"SecurityGroupIngress", "SecurityGroupEgress"}) {
      const Value* list = props->get(name);
      if (!list || !list->is_list()) continue;
      for (const auto& item : list->items()) {
        if (item.loc().col != c_.rule_loc.col || writer_->item_key(item) != original_line_) continue;
        auto dist = [&](const Value* v) { return std::abs(static_cast<long>(v->loc().line) - static_cast<long>(c_.rule_loc.line)); };
        if (!found || dist(&item) < dist(found)) found = &item, in = list;
      }
    }
    if (!found) return fail("no rule of " + c_.target.origin.logical_id + " is declared at line " + std::to_string(c_.rule_loc.line));
    if (in->items().size() < 2) return fail("the rules of " + c_.target.origin.logical_id + " would be empty");
    if (!writer_->remove_item(*found))
      return fail("the rule of " + c_.target.origin.logical_id + " at line " + std::to_string(c_.rule_loc.line) +
                  " is not a block-list item");
    return true;
  }

  const std::string& path_;
  std::string& text_;
  const model::Change& c_;
  std::string& error_;
  std::unique_ptr<edit::Writer> writer_;
  std::string original_line_;  // kRemoveSecurityGroupRule: the rule's item_key as first read
  std::optional<Value> root_;
  const Value* resources_ = nullptr;
  const Value* res_ = nullptr;
  std::string type_, stack_;
  std::set<std::string> made_;  // resource names this edit adds
};

}  // namespace

std::string& TemplateEditor::text_of(const std::string& path, std::string& error) {
  auto it = current_.find(path);
  if (it != current_.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  if (in) ss << in.rdbuf();
  else error = "cannot read " + path;
  original_[path] = ss.str();
  return current_[path] = ss.str();
}

bool TemplateEditor::apply(const model::Change& c, std::string& error) {
  error.clear();
  const SourceLoc& loc = c.target.origin.loc;
  if (!loc.known() || c.target.origin.logical_id.empty()) {
    // Name the blocker too: "rtb-... is not declared" alone does not say what it blocks.
    error = c.why + "; the change belongs to " + c.target.id + ", which no template declares" +
            (c.kind == model::Change::Kind::kAddRoute ? " (a VPC's main route table: CloudFormation cannot name it)" : "");
    return false;
  }
  std::string path = loc.file;
  if (auto r = rename_.find(path); r != rename_.end()) path = r->second;
  std::string& text = text_of(path, error);
  if (!error.empty()) return false;
  std::string work = text;
  std::string original_line;
  if (c.kind == model::Change::Kind::kRemoveSecurityGroupRule) original_line = edit::item_key_at(original_.at(path), c.rule_loc);
  if (!Edit(path, work, c, error, original_line).run()) return false;
  text = work;
  return true;
}

std::vector<FileEdit> TemplateEditor::edits() const {
  std::vector<FileEdit> out;
  for (const auto& [path, now] : current_)
    if (now != original_.at(path)) out.push_back({path, original_.at(path), now});
  return out;
}

}  // namespace vpclab::tmpl
