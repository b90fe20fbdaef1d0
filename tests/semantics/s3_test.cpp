// S3's bucket naming rules and path-style request targets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "semantics/s3.h"

using namespace vpclab::semantics;

TEST(S3, BucketNamingRules) {
  const std::vector<std::string> good = {"bar-artifacts", "logs.example.com", "a1b", "123", std::string(63, 'a')};
  for (const auto& ok : good) EXPECT_EQ(bucket_name_problem(ok), std::nullopt) << ok;
  struct Case {
    std::string name;
    const char* why;
  } bad[] = {
      {"ab", "must be 3-63 characters"},
      {std::string(64, 'a'), "must be 3-63 characters"},
      {"Bar", "may hold only lower-case letters, digits, dots and hyphens"},
      {"bar_artifacts", "may hold only lower-case letters, digits, dots and hyphens"},
      {"-bar", "must start and end with a letter or digit"},
      {"bar.", "must start and end with a letter or digit"},
      {"bar..logs", "must not hold two adjacent dots"},
      {"10.1.2.3", "must not be formatted as an IP address"},
      {"xn--bar", "must not start with xn--"},
      {"sthree-bar", "must not start with sthree-"},
      {"amzn-s3-demo-bar", "must not start with amzn-s3-demo-"},
      {"bar-s3alias", "must not end with -s3alias"},
      {"bar--ol-s3", "must not end with --ol-s3"},
      {"bar.mrap", "must not end with .mrap"},
  };
  for (const auto& c : bad) EXPECT_EQ(bucket_name_problem(c.name), std::optional<std::string>(c.why)) << c.name;
}

TEST(S3, PathStyleTargets) {
  auto t = parse_path_style("/bar-artifacts/release/app%20v1.txt");
  EXPECT_EQ(t.bucket, "bar-artifacts");
  EXPECT_EQ(t.key, "release/app v1.txt");
  EXPECT_EQ(parse_path_style("/bar-artifacts").key, "");
  EXPECT_EQ(parse_path_style("/bar-artifacts/").bucket, "bar-artifacts");
  EXPECT_EQ(parse_path_style("/").bucket, "");
  EXPECT_EQ(parse_path_style("/b/a//c").key, "a//c");
}
