// A unified diff of one file's two texts, as `git apply` and `patch -p1`
// take it ("--- a/PATH", "+++ b/PATH" for a relative PATH; an absolute one
// as it is, for patch -p0), hunks with `context` lines around each change;
// "" when the texts are equal.
#pragma once
#include <string>

namespace vpclab::cli {

std::string unified_diff(const std::string& path, const std::string& before, const std::string& after,
                         int context = 3);

}  // namespace vpclab::cli
