// Text edits of YAML templates for model::Changes (template/edit.h).
#include "template/edit.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "template/cfn_fields.h"
#include "template/engine.h"
#include "vocab/text_lines.h"

namespace vpclab::tmpl {

namespace {

using Lines = TextLines;

bool blank(const std::string& l) { return l.find_first_not_of(" \t\r") == std::string::npos; }
int indent_of(const std::string& l) { return static_cast<int>(l.find_first_not_of(' ')); }
std::string spaces(int n) { return std::string(static_cast<size_t>(std::max(0, n)), ' '); }

// Where a block that starts on line `start` (0-based) at indentation
// `indent` ends: the index after its last content line.
size_t block_end(const Lines& L, size_t start, int indent) {
  size_t last = start;
  for (size_t i = start + 1; i < L.lines.size(); ++i) {
    if (blank(L.lines[i])) continue;
    if (indent_of(L.lines[i]) <= indent) break;
    last = i;
  }
  return last + 1;
}

const char* protocol_text(IpProtocol p) { return p == kTcp ? "tcp" : p == kUdp ? "udp" : p == kIcmp ? "icmp" : "-1"; }
int protocol_number(IpProtocol p) { return p == kTcp ? 6 : p == kUdp ? 17 : p == kIcmp ? 1 : -1; }

class Edit {
 public:
  Edit(const std::string& path, std::string& text, const model::Change& c, std::string& error,
       std::string original_line = {})
      : path_(path), text_(text), c_(c), error_(error), lines_(text), original_line_(std::move(original_line)) {}

  bool run() {
    if (auto at = text_.find_first_not_of(" \t\r\n"); at != std::string::npos && text_[at] == '{')
      return fail(path_ + " is a JSON template: vpclab fix edits YAML templates only");
    Diagnostics d;
    root_ = parse_template_text(text_, path_, d);
    if (!root_) return fail(path_ + " does not parse");
    resources_ = root_->get("Resources");
    const std::string& logical = c_.target.origin.logical_id;
    res_ = resources_ ? resources_->get(logical) : nullptr;
    if (!res_) return fail(logical + " is not a resource of " + path_);
    type_ = cfn::text(res_->get("Type"));
    SourceLoc key = resources_->key_loc(logical);
    res_line_ = key.line - 1;
    res_indent_ = static_cast<int>(key.col) - 1;
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
      case model::Change::Kind::kAddTransitGatewayPropagation:
      case model::Change::Kind::kAddTransitGatewayAssociation: ok = tgw_table_link(); break;
      case model::Change::Kind::kAssociateHostedZone: {
        std::string vpc;
        if (!c_.peer || !ref(*c_.peer, vpc)) return fail(error_.empty() ? "no VPC to associate" : error_);
        ok = append_item("VPCs", "{VPCId: " + vpc + ", VPCRegion: !Ref AWS::Region}");
        break;
      }
    }
    if (ok) text_ = lines_.str();
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
                         "DestinationCidrBlock: " + c_.destination.str(), std::string(field) + ": " + target});
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

  // A new resource after the target's block.
  bool add_resource(std::string name, const std::string& type, const std::vector<std::string>& props) {
    std::string base = name;
    for (int n = 2; resources_->get(name); ++n) name = base + std::to_string(n);
    std::vector<std::string> add = {spaces(res_indent_) + name + ":", spaces(res_indent_ + 2) + "Type: " + type,
                                    spaces(res_indent_ + 2) + "Properties:"};
    for (const auto& p : props) add.push_back(spaces(res_indent_ + 4) + p);
    size_t at = block_end(lines_, res_line_, res_indent_);
    lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at), add.begin(), add.end());
    return true;
  }

  const Value* properties(size_t& line, int& indent) {
    const Value* props = res_->get("Properties");
    if (!props || !props->is_map() || props->entries().empty()) {
      fail(c_.target.origin.logical_id + " has no Properties block to edit");
      return nullptr;
    }
    line = res_->key_loc("Properties").line - 1;
    indent = static_cast<int>(props->entries().front().first.second.col) - 1;
    return props;
  }

  // Appends `item` to the list property `name` (made when absent).
  bool append_item(const std::string& name, const std::string& item) {
    size_t pline;
    int pindent;
    const Value* props = properties(pline, pindent);
    if (!props) return false;
    const Value* list = props->get(name);
    if (!list) {
      size_t at = block_end(lines_, pline, indent_of(lines_.lines[pline]));
      lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at),
                      {spaces(pindent) + name + ":", spaces(pindent + 2) + "- " + item});
      return true;
    }
    if (!list->is_list()) return fail(name + " of " + c_.target.origin.logical_id + " is not a list");
    size_t lline = list->loc().line - 1;
    size_t lcol = list->loc().col - 1;
    std::string& l = lines_.lines[lline];
    if (lcol < l.size() && l[lcol] == '[') {
      size_t close = l.rfind(']');
      if (close == std::string::npos || close < lcol) return fail(name + ": a flow list over several lines");
      bool empty = l.find_first_not_of(" ", lcol + 1) == close;
      l.insert(close, empty ? item : ", " + item);
      return true;
    }
    if (list->items().empty()) return fail(name + " of " + c_.target.origin.logical_id + " is empty");
    const Value& last = list->items().back();
    size_t iline = last.loc().line - 1;
    const std::string& il = lines_.lines[iline];
    size_t dash = il.rfind('-', last.loc().col >= 2 ? last.loc().col - 2 : 0);
    if (dash == std::string::npos) return fail(name + ": cannot find the list's last item");
    size_t at = block_end(lines_, iline, static_cast<int>(dash));
    lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at), spaces(static_cast<int>(dash)) + "- " + item);
    return true;
  }

  // Deletes the block-list item of the group's rules declared at rule_loc
  // in the file as first read (its dash line and continuation lines; the
  // item is found by that line's text, as edits before it may move it). The
  // list keeps another item.
  bool remove_rule() {
    if (type_ != "AWS::EC2::SecurityGroup") return fail(c_.target.origin.logical_id + " is a " + type_);
    size_t pline;
    int pindent;
    const Value* props = properties(pline, pindent);
    if (!props) return false;
    const Value* found = nullptr;
    const Value* in = nullptr;
    for (const char* name : {"SecurityGroupIngress", "SecurityGroupEgress"}) {
      const Value* list = props->get(name);
      if (!list || !list->is_list()) continue;
      for (const auto& item : list->items()) {
        if (item.loc().col != c_.rule_loc.col || lines_.lines[item.loc().line - 1] != original_line_) continue;
        auto dist = [&](const Value* v) { return std::abs(static_cast<long>(v->loc().line) - static_cast<long>(c_.rule_loc.line)); };
        if (!found || dist(&item) < dist(found)) found = &item, in = list;
      }
    }
    if (!found) return fail("no rule of " + c_.target.origin.logical_id + " is declared at line " + std::to_string(c_.rule_loc.line));
    if (in->items().size() < 2) return fail("the rules of " + c_.target.origin.logical_id + " would be empty");
    size_t iline = found->loc().line - 1;
    const std::string& il = lines_.lines[iline];
    size_t dash = il.rfind('-', found->loc().col >= 2 ? found->loc().col - 2 : 0);
    if (dash == std::string::npos || il.find_first_not_of(' ') != dash)
      return fail("the rule of " + c_.target.origin.logical_id + " at line " + std::to_string(c_.rule_loc.line) +
                  " is not a block-list item");
    size_t end = block_end(lines_, iline, static_cast<int>(dash));
    lines_.lines.erase(lines_.lines.begin() + static_cast<long>(iline), lines_.lines.begin() + static_cast<long>(end));
    return true;
  }

  // Sets the scalar property `name` to `value` (added when absent).
  bool set_scalar(const std::string& name, const std::string& value) {
    size_t pline;
    int pindent;
    const Value* props = properties(pline, pindent);
    if (!props) return false;
    const Value* v = props->get(name);
    if (!v) {
      size_t at = block_end(lines_, pline, indent_of(lines_.lines[pline]));
      lines_.lines.insert(lines_.lines.begin() + static_cast<long>(at), spaces(pindent) + name + ": " + value);
      return true;
    }
    std::string& l = lines_.lines[v->loc().line - 1];
    size_t from = v->loc().col - 1, to = from;
    // A plain value, or a one-line short-form intrinsic such as `!Ref X`.
    bool tag = v->is_map() && from < l.size() && l[from] == '!';
    if (!v->is_scalar() && !tag) return fail(name + " of " + c_.target.origin.logical_id + " is not a plain value");
    if (from < l.size() && (l[from] == '"' || l[from] == '\'')) {
      to = l.find(l[from], from + 1);
      to = to == std::string::npos ? l.size() : to + 1;
    } else {
      while (to < l.size() && l[to] != ',' && l[to] != '}' && !(l[to] == '#' && to > 0 && l[to - 1] == ' ')) ++to;
      while (to > from && l[to - 1] == ' ') --to;
    }
    l.replace(from, to - from, value);
    return true;
  }

  const std::string& path_;
  std::string& text_;
  const model::Change& c_;
  std::string& error_;
  Lines lines_;
  std::string original_line_;  // kRemoveSecurityGroupRule: the rule's line as first read
  std::optional<Value> root_;
  const Value* resources_ = nullptr;
  const Value* res_ = nullptr;
  std::string type_, stack_;
  size_t res_line_ = 0;
  int res_indent_ = 0;
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
  if (c.kind == model::Change::Kind::kRemoveSecurityGroupRule) {
    TextLines first(original_.at(path));
    if (c.rule_loc.line >= 1 && c.rule_loc.line <= first.lines.size()) original_line = first.lines[c.rule_loc.line - 1];
  }
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
