// The lab manifest's `s3:` buckets (what `vpclab up` serves at S3's
// addresses): directories relative to the manifest, the first stack's
// region by default, and a clear error naming the place for bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "template/manifest.h"

namespace vpclab::tmpl {
namespace {

namespace fs = std::filesystem;

// A manifest folder with a bucket directory `objects/` and a file `plain.txt`.
fs::path lab_dir() {
  fs::path dir = fs::path(::testing::TempDir()) / "manifest-s3";
  fs::create_directories(dir / "objects");
  std::ofstream(dir / "plain.txt") << "not a directory\n";
  return dir;
}

bool read(const std::string& text, Manifest& m, Diagnostics& d) {
  std::string path = (lab_dir() / "m.yaml").string();
  auto root = parse_template_text(text, path, d);
  if (!root) return false;
  return manifest_from_value(*root, path, m, d);
}

const std::string kStacks =
    "stacks:\n  - {name: a, template: t.yaml, region: us-east-1}\n  - {name: b, template: u.yaml, region: eu-west-1}\n";

TEST(ManifestS3, BucketsWithDirectoriesRelativeToTheManifest) {
  Manifest m;
  Diagnostics d;
  ASSERT_TRUE(read(kStacks + "s3:\n  - {bucket: bar-artifacts, directory: objects}\n"
                             "  - {bucket: logs.example, directory: ./objects/, region: eu-west-1}\n",
                   m, d))
      << (d.items().empty() ? "" : d.items()[0].str());
  ASSERT_EQ(m.s3_buckets.size(), 2u);
  EXPECT_EQ(m.s3_buckets[0].name, "bar-artifacts");
  EXPECT_EQ(m.s3_buckets[0].region, "us-east-1") << "the first stack's region";
  EXPECT_EQ(m.s3_buckets[0].directory, (lab_dir() / "objects").lexically_normal().string());
  EXPECT_EQ(m.s3_buckets[1].region, "eu-west-1");
  EXPECT_EQ(m.s3_buckets[1].directory, m.s3_buckets[0].directory);
}

TEST(ManifestS3, BadEntriesAreErrorsAtTheirPlace) {
  struct Case {
    std::string s3;     // the `s3:` part
    std::string error;  // the first error, exact, after "m.yaml:"
  } cases[] = {
      {"s3: {bucket: x}\n", "4:5: error M1001: `s3:` must be a list of buckets ({bucket: NAME, directory: PATH})"},
      {"s3:\n  - bar-artifacts\n", "5:5: error M1001: each s3 entry must be a map with bucket and directory"},
      {"s3:\n  - {bucket: bar-artifacts}\n", "5:5: error M1001: an s3 entry needs `bucket:` and `directory:`"},
      {"s3:\n  - {bucket: bar-artifacts, directory: objects, acl: public}\n",
       "5:49: error M1001: unknown key 'acl' in s3 entry\n  fix: valid keys: bucket, directory, region"},
      {"s3:\n  - {bucket: Bar_Artifacts, directory: objects}\n",
       "5:14: error M1010: s3 bucket name 'Bar_Artifacts' may hold only lower-case letters, digits, dots and hyphens"},
      {"s3:\n  - {bucket: ab, directory: objects}\n", "5:14: error M1010: s3 bucket name 'ab' must be 3-63 characters"},
      {"s3:\n  - {bucket: 192.168.5.4, directory: objects}\n",
       "5:14: error M1010: s3 bucket name '192.168.5.4' must not be formatted as an IP address"},
      {"s3:\n  - {bucket: logs, directory: objects}\n  - {bucket: logs, directory: objects}\n",
       "6:14: error M1010: duplicate s3 bucket 'logs' (first at " + (lab_dir() / "m.yaml").string() +
           ":5:5)\n  fix: bucket names are unique across all of S3"},
      {"s3:\n  - {bucket: logs, directory: objects, region: ap-south-1}\n",
       "5:48: error M1010: s3 bucket 'logs' is in region 'ap-south-1', which no stack of this manifest is in\n"
       "  fix: the lab has an S3 only in its stacks' regions"},
      {"s3:\n  - {bucket: logs, directory: missing}\n",
       "5:31: error M1011: s3 bucket 'logs': directory missing does not exist (" + (lab_dir() / "missing").string() +
           ")\n  fix: the bucket's objects are the files under this directory, relative to the manifest"},
      {"s3:\n  - {bucket: logs, directory: plain.txt}\n",
       "5:31: error M1011: s3 bucket 'logs': directory plain.txt is not a directory (" +
           (lab_dir() / "plain.txt").string() +
           ")\n  fix: the bucket's objects are the files under this directory, relative to the manifest"},
  };
  for (const auto& c : cases) {
    Manifest m;
    Diagnostics d;
    EXPECT_FALSE(read(kStacks + c.s3, m, d)) << c.s3;
    ASSERT_FALSE(d.items().empty()) << c.s3;
    EXPECT_EQ(d.items()[0].str(), (lab_dir() / "m.yaml").string() + ":" + c.error) << c.s3;
  }
}

}  // namespace
}  // namespace vpclab::tmpl
