#include "cli/version.h"

#include "vpclab_version.h"

namespace vpclab::cli {

const char* version() { return VPCLAB_VERSION; }
const char* version_date() { return VPCLAB_DATE; }

nlohmann::json metadata() { return {{"tool", "vpclab"}, {"version", version()}}; }

nlohmann::json with_metadata(nlohmann::json object) {
  object["metadata"] = metadata();
  return object;
}

}  // namespace vpclab::cli
