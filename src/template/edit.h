// Text edits of the user's own YAML and JSON templates that carry
// model::Changes (`vpclab fix`): each edit is made at the source location of
// the node it changes, keeping the file's comments, order, short-form tags
// and layout (lines are inserted or one value replaced; nothing is
// re-emitted). New entries follow the file's style: in YAML flow maps in
// block lists and `!Ref`; in JSON the file's indentation unit, key separator
// and one-member-a-line or one-line layout, `{"Ref": ...}` and
// `{"Fn::GetAtt": [...]}` (template/edit_writer.h: one writer per syntax).
//
// What can be written: a rule appended to a security group's
// SecurityGroupIngress/SecurityGroupEgress; an AWS::EC2::Route or
// AWS::EC2::NetworkAclEntry resource after the table it belongs to; a VPC
// attribute set; a VPC appended to a hosted zone's VPCs; a security-group rule
// removed (a block-list item, found by its line as the file was first read). Resources made by
// AWS for a VPC (its default security group and network ACL) are reached by
// `!GetAtt Vpc.DefaultSecurityGroup` / `.DefaultNetworkAcl`.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/change.h"

namespace vpclab::tmpl {

struct FileEdit {
  std::string path;  // as the templates were loaded (the change's origin file)
  std::string before, after;
};

class TemplateEditor {
 public:
  // `rename` maps a file named in an origin to the file to edit (a working
  // copy's path back to the user's file); identity when absent.
  explicit TemplateEditor(std::map<std::string, std::string> rename = {}) : rename_(std::move(rename)) {}

  // Applies `c` to the current text of its target's file; false and `error`
  // when the change cannot be written there (a resource in another stack
  // than the ones it refers to, a YAML flow list over several lines).
  bool apply(const model::Change& c, std::string& error);

  // Every file changed so far, with its original and current text.
  std::vector<FileEdit> edits() const;

  void set_rename(std::map<std::string, std::string> rename) { rename_ = std::move(rename); }

 private:
  std::string& text_of(const std::string& path, std::string& error);
  std::map<std::string, std::string> rename_;
  std::map<std::string, std::string> original_, current_;
};

}  // namespace vpclab::tmpl
