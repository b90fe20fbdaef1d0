// The template corpus (../shared/corpus/templates) as the corpus tests walk
// it: its index and a value for each parameter without a Default.
#pragma once
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "template/value.h"

namespace vpclab::testing {

inline const std::string kTemplateCorpus = std::string(VPCLAB_SHARED_DIR) + "/corpus/templates";

// path -> cfn-lint class ("good", "bad", "-" for real-world templates).
inline std::map<std::string, std::string> corpus_classes() {
  std::map<std::string, std::string> rows;
  std::ifstream in(kTemplateCorpus + "/INDEX.tsv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string col; std::getline(hs, col, '\t');) header.push_back(col);
  auto col_of = [&](const char* n) { return size_t(std::find(header.begin(), header.end(), n) - header.begin()); };
  size_t c_path = col_of("path"), c_class = col_of("cfnlint_class");
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() > std::max(c_path, c_class)) rows[cols[c_path]] = cols[c_class];
  }
  return rows;
}

// A value for a parameter without Default: its first AllowedValue, else one of its type.
inline tmpl::Value guess_parameter(const tmpl::Value& def) {
  using tmpl::Value;
  if (const Value* av = def.get("AllowedValues"); av && av->is_list() && !av->items().empty() &&
                                                 av->items()[0].is_scalar())
    return Value::string(av->items()[0].text());
  const Value* type = def.get("Type");
  std::string t = type && type->is_scalar() ? type->text() : "String";
  if (t == "Number") return Value::number("1");
  if (t == "AWS::EC2::VPC::Id") return Value::string("vpc-0123456789abcdef0");
  if (t == "AWS::EC2::Subnet::Id") return Value::string("subnet-0123456789abcdef0");
  if (t.rfind("List<", 0) == 0 || t == "CommaDelimitedList") return Value::string("a,b,c,d");
  return Value::string("x");
}

}  // namespace vpclab::testing
