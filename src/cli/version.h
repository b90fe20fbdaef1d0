// The version of this build (cmake/version.cmake: git describe at build time):
// what --version prints, the metadata of --json outputs and SARIF's
// tool.driver.version.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace vpclab::cli {

const char* version();       // "0.1.0+git112.gc3703e7"
const char* version_date();  // the commit's date, YYYY-MM-DD

// {"tool": "vpclab", "version": version()}: the "metadata" member of every
// JSON object vpclab prints (check, trace, matrix, exposure).
nlohmann::json metadata();
nlohmann::json with_metadata(nlohmann::json object);  // adds "metadata"

}  // namespace vpclab::cli
