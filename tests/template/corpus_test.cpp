// Walks every template of the shared corpus (real-world templates and
// cfn-lint's fixtures): parse and resolve each with a fabricating sink.
// Every template must be handled without a crash, and every template that
// cfn-lint accepts (its good/ fixtures) and every real-world template must
// resolve without an error, unless it needs a feature vpclab does not
// support (SAM and other transforms, Fn::ForEach), which is counted as skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "template/engine.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(VPCLAB_SHARED_DIR) + "/corpus/templates";

struct IndexRow {
  std::string cfnlint_class;  // good, bad, results-ref, -
  std::string parse_status;
};

std::map<std::string, IndexRow> read_index() {
  std::map<std::string, IndexRow> rows;
  std::ifstream in(kCorpus + "/INDEX.tsv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) header.push_back(col);
  }
  auto col_of = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? size_t(-1) : size_t(it - header.begin());
  };
  size_t c_path = col_of("path"), c_class = col_of("cfnlint_class"), c_status = col_of("parse_status");
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() <= std::max({c_path, c_class, c_status})) continue;
    rows[cols[c_path]] = {cols[c_class], cols[c_status]};
  }
  return rows;
}

// A value for a parameter without Default, plausible for its type.
Value plausible_value(const Value& def) {
  const Value* type = def.get("Type");
  std::string t = type && type->is_scalar() ? type->text() : "String";
  if (const Value* av = def.get("AllowedValues"); av && av->is_list() && !av->items().empty()) {
    const Value& first = av->items().front();
    if (first.is_scalar()) return Value::string(first.text());
  }
  auto item = [](const std::string& inner) -> std::string {
    if (inner == "AWS::EC2::VPC::Id") return "vpc-0123456789abcdef0";
    if (inner == "AWS::EC2::Subnet::Id") return "subnet-0123456789abcdef0";
    if (inner == "AWS::EC2::SecurityGroup::Id") return "sg-0123456789abcdef0";
    if (inner == "AWS::EC2::Image::Id") return "ami-0123456789abcdef0";
    if (inner == "AWS::EC2::Instance::Id") return "i-0123456789abcdef0";
    if (inner == "AWS::EC2::Volume::Id") return "vol-0123456789abcdef0";
    if (inner == "AWS::EC2::AvailabilityZone::Name") return "ap-northeast-1a";
    if (inner == "AWS::EC2::KeyPair::KeyName") return "my-key";
    if (inner == "AWS::Route53::HostedZone::Id") return "Z0123456789ABCDEFGHIJ";
    if (inner == "Number") return "1";
    return "x";
  };
  if (const Value* ap = def.get("AllowedPattern"); ap && ap->is_scalar() && t == "String") {
    // The first candidate the pattern accepts (std::regex like the engine).
    static const char* candidates[] = {
        "x", "", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.1", "123456789012", "my-bucket", "/x", "x1",
        "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
        "arn:aws:iam::123456789012:role/x", "sg-0123456789abcdef0", "vpc-0123456789abcdef0",
        "example.com", "user@example.com", "0.0.0.0/0", "Admin1234", "t3.micro", "ab-cd", "/",
        "d-1234567890", "pcx-0123456789abcdef0", "rtb-0123456789abcdef0"};
    try {
      std::regex re(ap->text(), std::regex::ECMAScript);
      for (const char* c : candidates) {
        std::string s = c;
        if (const Value* mn = def.get("MinLength"); mn && mn->is_scalar() && s.size() < std::stoul(mn->text()))
          continue;
        if (const Value* mx = def.get("MaxLength"); mx && mx->is_scalar() && s.size() > std::stoul(mx->text()))
          continue;
        if (std::regex_match(s, re)) return Value::string(s);
      }
    } catch (...) {
    }
  }
  if (t == "Number") {
    if (const Value* mn = def.get("MinValue"); mn && mn->is_scalar()) return Value::number(mn->text());
    return Value::number("1");
  }
  if (t == "CommaDelimitedList") return Value::string("a,b,c,d");
  if (t.rfind("List<", 0) == 0) {
    std::string i = item(t.substr(5, t.size() - 6));
    return Value::string(i + "," + i + "," + i + "," + i);
  }
  if (t == "String") {
    std::string s = "x";
    if (const Value* mn = def.get("MinLength"); mn && mn->is_scalar()) {
      try {
        s = std::string(std::max(1, std::stoi(mn->text())), 'x');
      } catch (...) {
      }
    }
    return Value::string(s);
  }
  return Value::string(item(t));
}

// cfn-lint fixtures it accepts but CloudFormation would reject at stack
// creation (cfn-lint does not evaluate every function), with the reason.
const std::map<std::string, std::string>& known_divergences() {
  static const std::map<std::string, std::string> m = {
      {"aws-cloudformation-templates/Solutions/ADConnector/templates/ADCONNECTOR.cfn.yaml",
       "with its default parameters it Refs a resource whose Condition is false"},
      {"aws-cloudformation-templates/Solutions/ADConnector/templates/ADCONNECTOR.cfn.json",
       "with its default parameters it Refs a resource whose Condition is false"},
      {"cfn-lint/test/fixtures/templates/good/custom/is-defined.yaml",
       "custom-rule fixture: top-level 'Parameter' is not a section"},
      {"cfn-lint/test/fixtures/templates/good/functions_findinmap.yaml",
       "nested Fn::FindInMap looks up a key the mapping lacks"},
      {"cfn-lint/test/fixtures/templates/good/functions/sub_needed.yaml",
       "Fn::GetAtt of GreetingLambda, which the template does not declare"},
      {"cfn-lint/test/fixtures/templates/good/mappings/used.yaml",
       "parameter without Default must be a mapping key; no such value invented"},
  };
  return m;
}

std::string plausible_import(const std::string& name) {
  auto has = [&](const char* w) { return name.find(w) != std::string::npos; };
  if (has("Cidr") || has("CIDR")) return "10.0.0.0/16";
  if (has("Subnets")) return "subnet-0123456789abcdef0,subnet-0123456789abcdef1,subnet-0123456789abcdef2";
  if (has("Subnet")) return "subnet-0123456789abcdef0";
  if (has("SecurityGroup") || has("SG")) return "sg-0123456789abcdef0";
  if (has("AZs") || has("AvailabilityZones")) return "us-east-1a,us-east-1b,us-east-1c";
  if (has("AZ")) return "us-east-1a";
  if (has("Arn") || has("ARN")) return "arn:aws:iam::123456789012:role/x";
  if (has("VPC") || has("Vpc")) return "vpc-0123456789abcdef0";
  return "x";
}

// Why a template is out of scope, or empty when it is not.
std::string unsupported_reason(const Diagnostics& d) {
  for (const auto& x : d.items()) {
    if (x.severity != Severity::kError) continue;
    if (x.code == "E0001" && x.message.find("Transform") != std::string::npos) return "Transform";
    if (x.code == "E0001" && x.message.find("Fn::ForEach") != std::string::npos) return "Fn::ForEach";
    if (x.code == "E1040" && x.message.find("Fn::Transform") != std::string::npos) return "Fn::Transform";
    if (x.message.find("Rain") != std::string::npos) return "Rain directive";
    if (x.code == "E0001" && x.message.find("modules") != std::string::npos) return "module";
  }
  return {};
}

TEST(Corpus, EveryTemplateParsesAndResolvesWithoutCrash) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "no corpus at " << kCorpus;
  auto index = read_index();
  ASSERT_FALSE(index.empty());
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kCorpus)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  size_t n_files = 0, n_ok = 0, n_errors = 0, n_parse_errors = 0, n_not_template = 0;
  std::map<std::string, size_t> skipped;
  std::vector<std::string> unexpected;
  for (const auto& p : files) {
    std::string rel = fs::relative(p, kCorpus).string();
    auto row = index.find(rel);
    if (row == index.end()) continue;  // results JSON, README, INDEX: not templates
    ++n_files;
    bool must_pass = row->second.cfnlint_class == "good" || row->second.cfnlint_class == "-";
    Diagnostics d;
    auto root = parse_template_file(p.string(), d);
    if (!root && !d.items().empty() && d.items()[0].message.find("Rain") != std::string::npos) {
      ++skipped["Rain directive"];
      continue;
    }
    if (!root) {
      ++n_parse_errors;
      if (must_pass && row->second.parse_status == "ok")
        unexpected.push_back(rel + ": parse: " + (d.items().empty() ? "?" : d.items()[0].str()));
      continue;
    }
    if (!root->is_map() || !root->get("Resources")) {
      ++n_not_template;
      continue;
    }
    std::map<std::string, Value> params;
    if (const Value* ps = root->get("Parameters"); ps && ps->is_map()) {
      for (const auto& [k, def] : ps->entries())
        if (def.is_map() && !def.get("Default")) params.emplace(k.first, plausible_value(def));
    }
    // us-east-1: the region most corpus templates' region Mappings cover.
    StackContext ctx{"corpus-stack", "123456789012", "us-east-1", p.string()};
    // Values other stacks would export: fabricated from the names the first
    // pass asked for (as if the producing stacks were deployed).
    ExportTable imports;
    bool ok = false;
    for (int pass = 0; pass < 3; ++pass) {
      Diagnostics pd;
      FabricatingSink sink;
      ResolvedStack out;
      ok = resolve_stack(ctx, *root, params, imports, sink, out, pd);
      bool retry = false;
      for (const auto& x : pd.items()) {
        std::string name;
        std::string key;
        if (x.code == "E1032" && x.message.rfind("no export named '", 0) == 0) {
          name = x.message.substr(17, x.message.find('\'', 17) - 17);
          key = export_key(ctx.account, ctx.region, name);
        } else if (x.code == "E1033" && x.message.rfind("no output '", 0) == 0) {
          size_t a = 11, b = x.message.find('\'', a);
          size_t c = x.message.find("stack '", b) + 7, e = x.message.find('\'', c);
          name = x.message.substr(a, b - a);
          size_t acc = x.message.find("account ") + 8, reg = x.message.find(" region ");
          key = stack_output_key(x.message.substr(acc, reg - acc), x.message.substr(reg + 8),
                                 x.message.substr(c, e - c), name);
        }
        if (key.empty() || imports.count(key)) continue;
        imports[key] = Value::string(plausible_import(name));
        retry = true;
      }
      if (!retry || pass == 2) {
        d.append(pd);
        break;
      }
    }
    if (ok) {
      ++n_ok;
      continue;
    }
    std::string reason = unsupported_reason(d);
    if (reason.empty()) {
      // Our invented value for a parameter without Default failed its
      // constraints: a limit of this harness, not of the template.
      bool only_invented = true;
      for (const auto& x : d.items()) {
        if (x.severity != Severity::kError) continue;
        bool invented = false;
        for (const auto& [name, v] : params)
          invented = invented || (x.code == "E2003" && x.message.find("'" + name + "'") != std::string::npos);
        only_invented = only_invented && invented;
      }
      if (only_invented) reason = "no invented value fits a parameter's constraints";
    }
    if (reason.empty()) {
      auto known = known_divergences().find(rel);
      if (known != known_divergences().end()) reason = known->second;
    }
    if (!reason.empty()) {
      ++skipped[reason];
      continue;
    }
    ++n_errors;
    if (must_pass) {
      std::string first;
      for (const auto& x : d.items())
        if (x.severity == Severity::kError) {
          first = x.str();
          break;
        }
      unexpected.push_back(rel + ": " + first);
    }
  }
  size_t n_skipped = 0;
  for (const auto& [r, n] : skipped) n_skipped += n;
  std::cout << "corpus: files=" << n_files << " ok=" << n_ok << " errors=" << n_errors
            << " parse_errors=" << n_parse_errors << " not_templates=" << n_not_template
            << " skipped=" << n_skipped;
  for (const auto& [r, n] : skipped) std::cout << " [" << r << ": " << n << "]";
  std::cout << "\n";
  for (const auto& u : unexpected) std::cout << "  unexpected: " << u << "\n";
  EXPECT_GT(n_files, 500u);
  EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " template(s) that cfn-lint accepts failed";
}

}  // namespace
}  // namespace vpclab::tmpl
